// export.hpp - what the viewer hands to the build: PNGs of the selection, the
// grid as a contact sheet, and bake manifest entries (docs/bake.md) that make
// `stylegen bake` write exactly the textures the artist picked, byte for byte.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "image.hpp"  // tools/cli: sg::cli::Image
#include "state.hpp"

namespace sg::viewer {

struct ManifestEntry {
    std::string name;
    Recipe recipe;
    std::vector<uint64_t> seeds;
};

// A bake manifest (version 1): each entry generates its seeds with its recipe
// into "{name}_{seed}.png". Model paths are written relative to
// manifestFolder; the first entry's model is the top-level one, others carry
// their own. Every value is the one the viewer generated with (floats in their
// shortest exact form), so the bake reproduces the same pixels.
std::string bakeManifest(const std::vector<ManifestEntry>& entries, const std::string& manifestFolder);

// A name fit for files and manifest entries: letters, digits, '-' and '_'.
std::string fileNamePart(const std::string& text);
// "orcs", "orcs+undead" for a blend.
std::string styleLabel(const Recipe& recipe);

// The grid as an opaque contact sheet: one line per grid row labelled with its
// seeds, each straight-alpha image over a checkerboard, enlarged with nearest
// filtering to at least 128 pixels a side.
sg::cli::Image gridSheet(const std::vector<sg::cli::Image>& images, uint32_t columns, uint64_t firstSeed);

}  // namespace sg::viewer
