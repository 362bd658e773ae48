// evaluation.hpp - what stylegen-eval measures and how the results are kept:
// the options of one run, the per-style and overall metrics of each row (the
// real held-out floor, then one row per model or image folder).
//
//     sgeval::EvalOptions options;   // filled from the command line (main.cpp)
//     sgeval::Report report = sgeval::evaluate(options, log);
//     sgeval::writeMarkdown(report, "quality.md", &error);   // report.hpp
//
// The protocol (docs/quality.md): for every style the reference is the real
// training split; each row's images are compared with it in chunks of the
// style's held-out size, so the floor (the held-out split itself) and the
// models are measured with the same number of images.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "classifier.hpp"
#include "dataset.hpp"
#include "metrics.hpp"

namespace sgeval {

struct Source {
    enum class Kind { Model, Images };
    Kind kind = Kind::Model;
    std::string path;   // a .sgm file, or a folder <path>/<style>/*.png
    std::string label;  // the row's name in the reports
};

struct EvalOptions {
    std::string command;        // the command line, printed at the top of every report
    std::string data;           // wesnoth, crawl or a folder <root>/<style>/*.png
    std::string cacheDir;       // Debian packages; empty: $STYLEGEN_CACHE, ...
    std::vector<std::string> holdOut;  // wesnoth styles left out of the data, as stylegen-train's --hold-out
    std::string classifierDir;  // trained classifiers; empty: <cache>/eval
    double holdOutFraction = 0.1;
    bool groupSplit = false;    // hold out whole groups (sgdata::splitHeldOut) instead of images
    std::vector<Source> sources;
    std::vector<std::string> styles;  // empty: every style of the data that all sources have
    uint32_t count = 256;             // generated images per style
    uint64_t seed = 1;                // the first generation seed: seed .. seed + count - 1
    float psi = 1.0f;
    uint32_t seamSize = 128;          // scene models: the seam score's images ...
    uint32_t seamCount = 16;          // ... per style
    int resolution = 0;               // evaluation size and channels when no model sets
    int channels = 0;                 // them (0: the data set's training default)
    int k = 3;                        // precision/recall neighbours
    ClassifierOptions classifier;
    int threads = 0;                  // 0: all hardware threads

    // --restyle (restyle_evaluation.hpp): one model with an encoder restyles
    // up to `count` held-out images of every style into every other style.
    bool restyle = false;
    std::vector<float> strengths{1.0f};  // one set of results each
    uint32_t refinementSteps = 0;
};

constexpr size_t kSampleImages = 4;
constexpr double kNoValue = std::numeric_limits<double>::quiet_NaN();

struct Metrics {
    size_t images = 0;           // images of the row for this style
    size_t chunks = 0;           // comparisons SWD and precision/recall average over
    std::vector<double> swdPerLevel;
    double swd = kNoValue;       // x1e3, mean over levels
    double accuracy = kNoValue;  // share classified as the style
    double diversity = kNoValue; // mean pairwise feature distance
    double precision = kNoValue;
    double recall = kNoValue;
    double seam = kNoValue;      // scenes only
};

/// The style classifier as a report describes it: how it was trained (on
/// every style of the data set) and how well it does on the real held-out
/// images of all of them.
struct ClassifierSummary {
    ClassifierOptions options;
    size_t styles = 0;
    int64_t featureDim = 0;
    bool fromCache = false;
    double heldOutAccuracy = kNoValue;          // share of held-out images classified right
    double heldOutBalancedAccuracy = kNoValue;  // mean over styles
};

struct Row {
    std::string label;
    std::string description;  // what the images are: the split, or the model path, seeds and psi
    bool floor = false;       // the real held-out split
    std::vector<Metrics> styles;  // parallel to Report::styles
    Metrics overall;              // mean over styles (values that exist)
};

struct Report {
    std::string command;
    std::string dataName, provenance;
    std::vector<std::string> styles;      // evaluated
    std::vector<size_t> trainImages, heldOutImages;  // per evaluated style
    std::vector<std::string> notes;       // skipped styles, short chunks
    int resolution = 0, channels = 0;
    bool scene = false;                   // RGB tileable textures: seam scores
    double holdOutFraction = 0.0;
    bool groupSplit = false;
    uint64_t splitSeed = 0;
    std::vector<int> swdResolutions;
    SwdSettings swd;
    int k = 0;
    uint32_t count = 0, seamSize = 0, seamCount = 0;
    uint64_t seed = 0;
    float psi = 1.0f;

    ClassifierSummary classifier;

    std::vector<Row> rows;  // the floor first
    // Per row and style, the first kSampleImages images (for the contact sheet).
    std::vector<std::vector<ImageSet>> samples;
    double seconds = 0.0;   // wall time of evaluate()
};

/// Mean of the values that are not NaN (a one-image set has no diversity);
/// NaN when there are none.
double meanOf(const std::vector<double>& values);

/// The real data every mode measures against: the data set, its split, both
/// splits rendered at the evaluation size and grouped by style, and the style
/// classifier trained on the training split with its predictions for both.
struct RealData {
    sgdata::Dataset data;
    uint64_t splitSeed = 0;
    ImageSet train, heldOut;
    // Per data style, the index of its first image in train / heldOut; the
    // last entry (index styles) is the end.
    std::vector<size_t> trainBegin, heldOutBegin;
    StyleClassifier net{nullptr};
    ClassifierSummary classifier;
    Classification trainClasses, heldOutClasses;
    std::vector<double> heldOutAccuracyOf;  // per data style (NaN: none held out)

    size_t trainCount(size_t style) const { return trainBegin[style + 1] - trainBegin[style]; }
    size_t heldOutCount(size_t style) const { return heldOutBegin[style + 1] - heldOutBegin[style]; }
};

/// A model or folder's name and styles, for chooseStyles.
struct StyleSource {
    std::string path, label;
    std::vector<std::string> styles;
};

/// The SWD pyramid levels of images of `resolution` pixels. Throws
/// std::runtime_error when they are too small for SWD.
std::vector<int> swdLevelsOf(int resolution, const SwdSettings& swd);

/// Loads --data as the trainer does. Throws std::runtime_error.
sgdata::Dataset loadData(const EvalOptions& options);

/// The styles to evaluate: --styles (each must be in the data and in every
/// source), else every style of the data that all sources have; the others
/// are noted. Throws std::runtime_error when none is left.
std::vector<std::string> chooseStyles(const EvalOptions& options, const sgdata::Dataset& data,
                                      const std::vector<StyleSource>& sources, std::vector<std::string>* notes);

/// Splits real->data (already loaded) as --split asks, renders both splits at
/// size x size with `channels` channels, and trains (or loads from the
/// cache) the classifier on the training split of every style of the data,
/// then classifies both splits. Throws std::runtime_error.
void prepareRealData(const EvalOptions& options, int size, int channels, const LogFn& log, RealData* real);

/// The evaluation's default split: per style, a seeded shuffle of the style's
/// images, of which the first round(fraction x n), at least one and never
/// all, are held out (a style of one image is all training). Image-level, so
/// the held-out images are a sample of the same distribution the generator
/// learned from; sgdata::splitHeldOut keeps groups (a unit's frames) whole.
/// Both lists come out sorted.
void splitImages(const sgdata::Dataset& data, double fraction, uint64_t seed, std::vector<size_t>* train,
                 std::vector<size_t>* heldOut);

/// Runs the whole evaluation. Throws std::runtime_error with a message naming
/// the option, file or style at fault.
Report evaluate(const EvalOptions& options, const LogFn& log);

}  // namespace sgeval
