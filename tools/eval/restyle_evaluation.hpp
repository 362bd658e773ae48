// restyle_evaluation.hpp - stylegen-eval --restyle: how well a model with an
// encoder restyles real images (sgRestyle), measured on held-out real images
// of every style restyled into every other style, next to three baselines on
// the same images (docs/quality.md, "Restyle").
//
//     sgeval::EvalOptions options;   // --restyle, one --model, --strength, --refine
//     sgeval::RestyleReport report = sgeval::evaluateRestyle(options, log);
//     std::string md = sgeval::restyleMarkdown(report);   // report.hpp
//
// Per source style, up to `count` of its held-out images (evenly spread over
// the split) are the inputs. For each input and every other target style:
// the restyle at each strength, the colour-statistics transfer to the target's
// training split (the AdaIN baseline), a random generated sample of the
// target (the "shape not kept" baseline) and the training image of the target
// whose shape is nearest the input's (what a real image of the target keeps of
// the shape at best). Each result is scored for style (the classifier's share
// of results it assigns to the target) and shape (the silhouette IoU with its
// input for characters, the low-pass structure error for scenes). Strength 0
// is the encoder's reconstruction, scored per source style by PSNR and SWD
// against the inputs.
#pragma once

#include <stylegen/stylegen.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "evaluation.hpp"

namespace sgeval {

/// Inputs of each source style shown on the before/after sheet, and the most
/// target styles it shows.
constexpr size_t kSheetInputsPerStyle = 2;
constexpr size_t kSheetTargets = 4;

/// One method's results on a set of inputs restyled into one target style,
/// or a mean of such.
struct StyleAndShape {
    size_t images = 0;
    double accuracy = kNoValue;  // share of results the classifier assigns to the target style
    double shape = kNoValue;     // mean silhouette IoU (characters) or structure error (scenes) with the inputs
};

struct RestyleMethod {
    std::string label;  // the table row: "restyle, strength 1", "colour transfer (AdaIN)", "random sample", ...
    std::string key;    // the JSON name: "restyle", "colour_transfer", "random_sample", "nearest_real"
    float strength = -1.0f;  // restyle only
    // [source][target], indices into RestyleReport::styles; the diagonal is empty.
    std::vector<std::vector<StyleAndShape>> pairs;
    std::vector<StyleAndShape> byTarget, bySource;  // means over the other styles
    StyleAndShape overall;                          // mean over all pairs
};

/// The encoder's reconstructions (strength 0) of one source style's inputs,
/// and random samples of the same style as the comparison.
struct Reconstruction {
    size_t images = 0;
    double mse = kNoValue;            // per value (premultiplied RGBA or RGB, 8 bits)
    double psnr = kNoValue;           // dB, from mse; +inf when identical
    double swd = kNoValue;            // x1e3, reconstructions against the inputs
    double shape = kNoValue;          // as StyleAndShape::shape
    double accuracy = kNoValue;       // reconstructions classified as the source style
    double inputAccuracy = kNoValue;  // the inputs themselves
    double samplePsnr = kNoValue;     // random samples of the style in place of the reconstructions
    double sampleSwd = kNoValue;
    double sampleShape = kNoValue;
};

struct RestyleReport {
    std::string command;
    std::string dataName, provenance;
    std::string label, modelPath, modelName, contentHash;  // contentHash: the first 8 bytes, hex
    std::vector<std::string> styles;                   // evaluated: the model's and the data's
    std::vector<std::string> holdOut;                  // styles left out of the data (--hold-out)
    std::vector<size_t> trainImages, heldOutImages, inputs;  // per evaluated style
    std::vector<std::string> notes;
    int resolution = 0, channels = 0;
    bool scene = false;
    double holdOutFraction = 0.0;
    bool groupSplit = false;
    uint64_t splitSeed = 0;
    uint32_t count = 0;           // at most this many inputs per style
    uint64_t seed = 0;            // random samples: seeds seed .. seed + inputs - 1
    float psi = 1.0f;
    std::vector<float> strengths;
    uint32_t refinementSteps = 0;
    std::vector<int> swdResolutions;
    SwdSettings swd;

    ClassifierSummary classifier;
    std::vector<double> realAccuracy;  // per evaluated style, on all its held-out images
    double realAccuracyMean = kNoValue;  // mean over the evaluated styles: what "of real" divides by

    std::vector<Reconstruction> reconstruction;  // per evaluated style
    Reconstruction reconstructionOverall;        // means over styles (psnr: from the mean mse)
    std::vector<RestyleMethod> methods;          // one restyle per strength, then the three baselines

    // The before/after sheet: per row (kSheetInputsPerStyle inputs of each
    // style) the input, its reconstruction, its restyles at the first
    // strength into sheetTargets, then its colour transfers into them.
    std::vector<size_t> sheetTargets;  // indices into styles
    std::vector<std::string> sheetLabels;
    std::vector<ImageSet> sheetRows;   // each: the row's cells in column order
    double seconds = 0.0;
};

/// Runs the restyle evaluation. Throws std::runtime_error with a message
/// naming the option, file or style at fault (a model without an encoder
/// included).
RestyleReport evaluateRestyle(const EvalOptions& options, const LogFn& log);

/// The planar premultiplied images restyled one by one through the public
/// API (sgRestyle with the source style given), at the model's size, which
/// must be the images' (else std::runtime_error). Throws sg::Error.
ImageSet restyleImages(const sg::Model& model, const ImageSet& inputs, uint32_t sourceStyle, uint32_t targetStyle,
                       float strength, uint32_t refinementSteps);

}  // namespace sgeval
