// state.hpp - everything the viewer shows, as plain data: what the panels
// edit, what a pin remembers, and the --state file (docs/viewer.md gives its
// schema). The JSON reader is strict: unknown keys, wrong types and values out
// of range are errors that name the key, so a typo in a state file never
// passes silently.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace sg::viewer {

// Frames of the interpolation view beyond the first: amounts 0, 1/32, ..., 1.
constexpr uint32_t kInterpolationSteps = 32;
// Most refinement steps a restyle may ask for (SG_MAX_RESTYLE_REFINEMENT_STEPS).
constexpr uint32_t kMaxRestyleRefinementSteps = 1000;

struct StateError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Mix {
    uint64_t seed = 0;   // w layers >= layer come from this seed (the same for every image)
    uint32_t layer = 0;  // crossover, 0..wLayerCount
    bool operator==(const Mix& o) const { return seed == o.seed && layer == o.layer; }
};

// Everything that decides an image but its seed. Styles are kept by name, so
// a recipe reads the same in a state file, a pin and a bake manifest.
struct Recipe {
    std::string model;                                 // absolute path of the .sgm
    std::string style;                                 // one style ("": the model's first) ...
    std::vector<std::pair<std::string, float>> blend;  // ... or, when not empty, a weighted blend
    float psi = 1.0f;
    float noise = 1.0f;
    std::optional<uint64_t> noiseSeed;  // one noise for every image; otherwise each image's own seed
    std::optional<Mix> mix;
    uint32_t width = 0;   // scene models; 0: the model's resolution
    uint32_t height = 0;

    bool operator==(const Recipe& o) const {
        return model == o.model && style == o.style && blend == o.blend && psi == o.psi && noise == o.noise &&
               noiseSeed == o.noiseSeed && mix == o.mix && width == o.width && height == o.height;
    }
};

struct Pin {
    Recipe recipe;
    uint64_t seed = 0;
};

enum class ViewTab { Selection, Tiling, Scene, Interpolation, Restyle };
const char* viewTabName(ViewTab tab);

// The Restyle view: an existing image turned into the recipe's style or blend
// (sgRestyle). The target is the Style panel's choice.
struct RestyleSettings {
    std::string image;        // absolute path of the input PNG; "" for none
    float strength = 0.5f;    // 0: the reconstruction ... 1: shape too
    std::string source;       // the style the image is in; "": picked by the SDK (auto)
    uint32_t refinementSteps = 0;
};

struct ViewerState {
    Recipe recipe;            // recipe.model: the open model, "" for none
    // A style prompt ("orcs:0.7 + undead:0.3") from a state file, turned into
    // recipe's style or blend once the model is open (sgParseStylePrompt).
    std::string prompt;
    uint64_t seed = 0;        // the grid's first seed; cell i shows seed + i
    uint32_t columns = 4;     // grid size, 1..kMaxGridSide each
    uint32_t rows = 3;
    uint32_t selected = 0;    // the selected cell
    bool lockSeed = false;    // keys, paging and Randomise leave the seeds alone

    // The large view.
    ViewTab tab = ViewTab::Selection;
    float zoom = 0.0f;        // screen pixels per texel; 0: fit the panel (integer steps)
    float panX = 0.0f;        // texel offset of the view's centre from the image's centre
    float panY = 0.0f;
    bool linear = false;      // bilinear instead of nearest
    bool checker = true;      // checkerboard behind alpha
    bool seams = false;       // tiling view: mark the wrap seams

    // Interpolation: w moves from the selection's seed to a second seed, in
    // kInterpolationSteps steps (SgLatentInterpolationInfo).
    uint64_t interpolationSeed = 1;
    bool playing = true;
    float interpolationPosition = 0.0f;  // 0: the selection, 1: the second seed
    float interpolationSpeed = 0.5f;     // sweeps per second

    RestyleSettings restyle;

    std::vector<Pin> pins;
    int floorPin = -1;        // scene preview floor: a pin of a scene model; -1: the latest one

    uint32_t windowWidth = 1600;
    uint32_t windowHeight = 900;

    uint64_t selectedSeed() const { return seed + selected; }
    uint32_t cellCount() const { return columns * rows; }
};

constexpr uint32_t kMaxGridSide = 8;
constexpr uint32_t kMaxWindowSide = 8192;

// Reads a --state file. Relative model paths are relative to the file's
// folder. Throws StateError naming the file and the key.
ViewerState readStateFile(const std::string& path);
// The state as JSON (model paths relative to `folder` when below it, else absolute).
std::string stateToJson(const ViewerState& state, const std::string& folder);

// The float that prints shortest and reads back as exactly `value`: 0.8f is
// written "0.8", not "0.800000011920929", and still gives the same pixels.
double shortestDouble(float value);

}  // namespace sg::viewer
