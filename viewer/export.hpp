// export.hpp - what the viewer hands to the build: PNGs of the selection, the
// grid as a contact sheet, and bake manifest entries (docs/bake.md) that make
// `stylegen bake` write exactly the textures the artist picked, byte for byte.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "image.hpp"  // tools/cli: sg::cli::Image
#include "state.hpp"

namespace sg::viewer {

// Frames of an animation between two seeds: frame i is the entry's seed
// moved towards targetSeed by amounts[i], with the noise of noiseSeed.
struct ManifestInterpolation {
    uint64_t targetSeed = 0;
    uint64_t noiseSeed = 0;
    std::vector<float> amounts;  // one per seed of the entry
};

struct ManifestEntry {
    std::string name;
    Recipe recipe;
    std::vector<uint64_t> seeds;
    std::optional<ManifestInterpolation> interpolation;  // frames "{name}_{index}.png"
};

// A bake manifest (version 1): each entry generates its seeds with its recipe
// into "{name}_{seed}.png" (animation frames: "{name}_{index}.png"). Model paths are written relative to
// manifestFolder; the first entry's model is the top-level one, others carry
// their own. Every value is the one the viewer generated with (floats in their
// shortest exact form), so the bake reproduces the same pixels.
std::string bakeManifest(const std::vector<ManifestEntry>& entries, const std::string& manifestFolder);

// A name fit for files and manifest entries: letters, digits, '-' and '_'.
std::string fileNamePart(const std::string& text);
// "orcs", "orcs+undead" for a blend.
std::string styleLabel(const Recipe& recipe);
// The recipe's style or blend as a style prompt (sgParseStylePrompt reads it
// back): "orcs", "orcs:0.6 + undead:0.4" (weights of 0 left out, each weight
// in its shortest exact form, not normalised).
std::string stylePrompt(const Recipe& recipe);

// The grid as an opaque contact sheet: one line per grid row labelled with its
// seeds, each straight-alpha image over a checkerboard, enlarged with nearest
// filtering to at least 128 pixels a side.
sg::cli::Image gridSheet(const std::vector<sg::cli::Image>& images, uint32_t columns, uint64_t firstSeed);

}  // namespace sg::viewer
