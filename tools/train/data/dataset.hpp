// dataset.hpp - training data for stylegen-train: fetch, load, render, split.
//
// Plain C++17, no LibTorch: the trainer turns what renderImage() writes into
// tensors. Every function reports failure with false + *error naming the file,
// package or path; nothing here exits or throws (short of std::bad_alloc).
//
//     sgdata::FetchOptions fetch;                 // cache: $STYLEGEN_CACHE, ...
//     sgdata::Dataset units;
//     std::string error;
//     if (!sgdata::loadWesnothUnits(fetch, {"dunefolk"}, &units, &error)) {
//         std::fprintf(stderr, "%s\n", error.c_str());
//         return 1;
//     }
//     std::vector<size_t> train, heldOut;
//     sgdata::splitHeldOut(units, 0.1, 1234, &train, &heldOut);
//     std::vector<float> chw(4 * 64 * 64);
//     sgdata::renderImage(units, train[0], /*team*/ 1, /*mirror*/ false, 64, 4, chw.data());
//
// The data sets, their licences and the style mappings: docs/data.md.
//
// Thread safety: renderImage() and splitHeldOut() only read the Dataset, so
// many threads may call them at once. Loaders share no state with each other,
// but do not fetch the same package into one cache from two processes at once.
//
// Index
// [SECTION] Data set
// [SECTION] Fetching Debian packages
// [SECTION] Loaders
// [SECTION] Rendering and splitting
// [SECTION] Team colours
// [SECTION] PNG files
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sgdata {

//-----------------------------------------------------------------------------
// [SECTION] Data set
//-----------------------------------------------------------------------------

using Rgb = std::array<uint8_t, 3>;

struct Image {
    int width = 0, height = 0;
    std::vector<uint8_t> rgba;            // straight alpha, row-major, width * height * 4
    std::vector<int8_t> teamColourIndex;  // per pixel: index into Dataset::teamColourReference, or -1;
                                          // empty when the set has no team colours
    int style = 0;                        // index into Dataset::styles
    std::string source;                   // path relative to the data root (crawl: atlas path + cell and tile name)
    std::string group;                    // images of one group (a unit's animation frames, a tile's
                                          // variants) are never split between train and held-out
};

struct Dataset {
    std::string name;                     // "wesnoth-units", "crawl-tiles", or the folder name
    std::vector<std::string> styles;
    std::vector<Image> images;            // deterministic order: by style, then by source
    std::vector<Rgb> teamColourReference;                 // Wesnoth's magenta palette
    std::vector<std::vector<Rgb>> teamColourPalettes;     // [team][reference index] -> rgb
    std::vector<std::string> teamColourNames;             // parallel to teamColourPalettes
    std::string licence;                  // summary, e.g. "GPL-2+", from the package's copyright file
    std::string provenance;               // package names + versions, paths used
    std::vector<std::string> warnings;    // what was skipped and why (unreadable files, odd sizes)
};

//-----------------------------------------------------------------------------
// [SECTION] Fetching Debian packages
//-----------------------------------------------------------------------------

struct FetchOptions {
    std::string cacheDir;  // empty: $STYLEGEN_CACHE, else $XDG_CACHE_HOME/stylegen, else ~/.cache/stylegen
};

/// The cache folder `options` names (see FetchOptions::cacheDir); false when
/// none can be derived (no variable set, no HOME).
bool resolveCacheDir(const FetchOptions& options, std::string* cacheDir, std::string* error);

/// Makes the files of Debian package `package` available under
/// <cache>/root/<package> (*extractedRoot). Uses a .deb already in
/// <cache>/debs, else runs `apt-get download` there; then `dpkg-deb -x`.
/// Idempotent: a completed extraction is reused without running anything.
/// Needs apt-get and dpkg-deb on PATH (Debian and derivatives).
bool fetchDebianPackage(const FetchOptions& options, const std::string& package, std::string* extractedRoot,
                        std::string* error);

/// "<package> <version>" for a root made by fetchDebianPackage (from the .deb's file name).
std::string describeFetchedPackage(const std::string& extractedRoot);

//-----------------------------------------------------------------------------
// [SECTION] Loaders
//
// Unreadable or corrupt PNGs are skipped and listed in Dataset::warnings;
// loading fails only when no usable image is left (or a style is empty).
//-----------------------------------------------------------------------------

/// The Wesnoth unit styles in model order (docs/data.md has the race folders of each).
const std::vector<std::string>& wesnothStyles();

/// Unit sprites of `wesnoth-1.16-data` as 72x72 hexes, styled by race
/// (wesnothStyles()), minus `holdOutStyles` (each must be one of
/// wesnothStyles()), with the default team colours read from the package's
/// team-colors.cfg. Larger frames are cropped to the centred hex when nothing
/// visible lies outside it, else skipped, as are smaller ones and effect
/// sprites (flames, halos, overlays). Group: the race folder's sub-folder (a
/// unit line), else the unit name (wesnothUnitNames()).
bool loadWesnothUnits(const FetchOptions& options, const std::vector<std::string>& holdOutStyles, Dataset* out,
                      std::string* error);

/// Opaque 32x32 floor and wall tiles of `crawl-tiles-data`, named from the
/// `crawl-tiles` game binary and merged into material styles.
bool loadCrawlTiles(const FetchOptions& options, Dataset* out, std::string* error);

/// <root>/<style>/**.png: one style per sub-folder (sorted by name), PNGs found
/// recursively within it, any size, grey, RGB or RGBA. Folders without PNGs are
/// not styles. The PNGs of one sub-folder of a style folder form a group
/// (<root>/elves/archer/*.png: the archer's frames); a loose PNG is its own.
/// Fails on a missing root, no style folder with PNGs, or a style whose PNGs
/// all fail to decode.
bool loadImageFolder(const std::string& root, Dataset* out, std::string* error);

/// The unit each Wesnoth sprite belongs to, for file stems of one race folder
/// (parallel to `stems`): the shortest '-'/'_'-separated prefix of a stem that
/// is itself a still image of the folder (a stem whose last token has no
/// digit), else the stem's first token. With "fighter" among the stems,
/// "fighter-ne-axe3" -> "fighter"; advancements named "<unit>-<x>" stay with
/// their unit.
std::vector<std::string> wesnothUnitNames(const std::vector<std::string>& stems);

/// Crops `image` to its centred size x size window (the odd pixel of a margin
/// goes right or down) when no visible pixel (alpha > 0) lies outside it;
/// false, image untouched, otherwise or when the image is smaller.
bool cropToCentredSquare(int size, Image* image);

/// The material style of a Crawl tile name ("FLOOR_PEBBLE_BROWN_3" -> "cobblestone"),
/// or "" for tiles that are not a material (torches, sigils, transitions).
std::string crawlStyleOf(const std::string& tileName);

//-----------------------------------------------------------------------------
// [SECTION] Rendering and splitting
//-----------------------------------------------------------------------------

/// Writes image `index` as `channels` planes (CHW) of size x size floats in
/// [-1, 1]: value = 2 * premultiplied - 1. Team colour `team` is applied first
/// (-1: the magenta stays); `mirror` flips left-right; the image is resampled
/// to size x size by exact area averaging of premultiplied values (linear in
/// the stored 8-bit values, no gamma). A non-square image is first made square:
/// padded with transparency for channels == 4, centre-cropped for channels == 3
/// (scene tiles: opaque, alpha dropped). False, `out` untouched, on a bad
/// index, team, size (1..4096) or channel count (3 or 4).
bool renderImage(const Dataset& data, size_t index, int team, bool mirror, int size, int channels, float* out);

/// Per style, whole groups go to held-out until about `fraction` of the
/// style's images are held out; the group order is a seeded shuffle, so the
/// split is deterministic in `seed`. For 0 < fraction < 1 a style with two or
/// more groups always has images in both splits. Both lists come out sorted.
void splitHeldOut(const Dataset& data, double fraction, uint64_t seed, std::vector<size_t>* train,
                  std::vector<size_t>* heldOut);

//-----------------------------------------------------------------------------
// [SECTION] Team colours
//-----------------------------------------------------------------------------

/// Wesnoth's recolouring of a reference palette into a colour range: the
/// first reference colour maps to `mid`; a colour whose brightness
/// ((r+g+b)/3) is below the first colour's moves toward `min` in proportion,
/// a brighter one toward `max` (engine rule, float arithmetic, truncated).
std::vector<Rgb> recolourPalette(const std::vector<Rgb>& reference, Rgb mid, Rgb max, Rgb min);

/// Fills image.teamColourIndex: the reference index of each visible pixel
/// whose RGB is exactly a reference colour, else -1. Only the first 128
/// reference colours can be indexed; an image whose rgba does not match its
/// size gets an empty index.
void indexTeamColour(const std::vector<Rgb>& reference, Image* image);

//-----------------------------------------------------------------------------
// [SECTION] PNG files
//-----------------------------------------------------------------------------

/// Decodes a PNG (any bit depth, palette, grey, RGB, RGBA) into straight-alpha RGBA8.
bool loadPng(const std::string& path, int* width, int* height, std::vector<uint8_t>* rgba, std::string* error);

/// Writes `channels` (1..4) interleaved 8-bit samples as a PNG.
bool writePng(const std::string& path, int width, int height, int channels, const uint8_t* pixels,
              std::string* error);

}  // namespace sgdata
