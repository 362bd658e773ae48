// crawl.cpp - Dungeon Crawl Stone Soup floor and wall tiles (crawl-tiles-data).
//
// The atlases floor.png and wall.png hold 32x32 tiles on a grid, but no file
// in the data package names them. The game binary (crawl-tiles) does: its
// read-only data holds each atlas page's tile names as NUL-terminated
// strings in atlas order. Where that order breaks, the runs below start anew
// (docs/data.md tells how each was found and checked):
//  - the linker keeps names of 30 or more characters in another section, so
//    a variant like DNGN_STONE_WALL_LIGHTMAGENTA_1 sits apart from its base;
//  - overlay tiles on the floor page are cropped when packed, so cells 214-223
//    are not on the grid and everything after them is shifted by ten names.
#include "internal.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <iterator>
#include <set>

namespace sgdata {
namespace {

constexpr const char* kTilesDir = "usr/share/crawl/dat/tiles";
constexpr const char* kBinary = "usr/games/crawl-tiles";
constexpr const char* kCopyright = "usr/share/doc/crawl-common/copyright";
constexpr int kCell = 32;
// A cell is a usable opaque tile when at least this share of its pixels is
// fully opaque (a few wax-wall tiles have two clear pixels).
constexpr double kMinOpaqueShare = 0.99;

// Consecutive atlas cells named by consecutive strings of the binary, from
// `firstName` to `lastName` (both checked, so another game version fails
// loudly instead of mislabelling).
struct NameRun {
    const char* atlas;
    int firstCell;
    int count;
    const char* firstName;
    const char* lastName;
};
constexpr NameRun kNameRuns[] = {
    {"floor.png", 2, 212, "FLOOR_GREY_DIRT", "FLOOR_ICY_3"},
    {"floor.png", 224, 658, "FLOOR_SNAKE_C", "DNGN_TOXIC_BOG_1"},
    {"wall.png", 0, 954, "WALL_BRICK_DARK_1", "DNGN_STONE_WALL_LIGHTMAGENTA"},
    {"wall.png", 954, 3, "DNGN_STONE_WALL_LIGHTMAGENTA_1", "DNGN_STONE_WALL_LIGHTMAGENTA_3"},
    {"wall.png", 957, 4, "DNGN_STONE_WALL_WHITE", "DNGN_STONE_WALL_WHITE_3"},
    {"wall.png", 981, 91, "DNGN_METAL_WALL", "DNGN_METAL_WALL_LIGHTMAGENTA"},
    {"wall.png", 1072, 8, "DNGN_METAL_WALL_LIGHTMAGENTA_1", "DNGN_METAL_WALL_LIGHTMAGENTA_8"},
    {"wall.png", 1080, 212, "DNGN_METAL_WALL_BROWN", "WALL_PERMAROCK_WHITE"},
};

// Tile name prefix -> material style, first match wins; a prefix matches a
// whole name or a name continuing with '_'. An empty style drops tiles that a
// later, broader prefix would take. Names matching nothing are not materials
// (sigils, transitions, torches, water, bars, translucent crystal...).
struct StyleRule {
    const char* prefix;
    const char* style;
};
constexpr StyleRule kStyleRules[] = {
    // Torches are burning light sources in front of the wall, not wall.
    {"WALL_BRICK_DARK_2_TORCH", ""}, {"WALL_BRICK_DARK_4_TORCH", ""}, {"WALL_BRICK_DARK_6_TORCH", ""},
    {"WALL_BRICK_DARK", "rubble"}, {"WALL_CATACOMBS", "rubble"}, {"ROCK_WALL_CRYPT", "rubble"},

    {"FLOOR_PEBBLE", "cobblestone"}, {"FLOOR_COBBLE_BLOOD", "cobblestone"}, {"WALL_PEBBLE", "cobblestone"},
    {"WALL_ORC", "cobblestone"}, {"WALL_LAIR", "cobblestone"}, {"WALL_SPIDER", "cobblestone"},
    {"WALL_SHOALS", "cobblestone"}, {"WALL_LAB_ROCK", "cobblestone"}, {"WALL_SLIME", "cobblestone"},
    {"WALL_OOZING", "cobblestone"},

    {"WALL_BRICK", "brick"}, {"WALL_VINES", "brick"}, {"WALL_STONE_MOSSY", "brick"},
    {"STONE_WALL_SPIDER", "brick"}, {"WALL_SNAKE", "brick"}, {"FLOOR_VINES", "brick"},

    {"DNGN_STONE_WALL", "stone_blocks"}, {"DNGN_STONE_DARK", "stone_blocks"}, {"WALL_STONE_SMOOTH", "stone_blocks"},
    {"WALL_STONE_BLACK_MARKED", "carved_stone"}, {"WALL_STONE", "stone_blocks"},
    {"STONE_WALL_SLIME", "stone_blocks"},

    {"WALL_HALL", "carved_stone"}, {"WALL_UNDEAD", "carved_stone"}, {"WALL_CRYPT_METAL", "metal"},
    {"WALL_CRYPT", "carved_stone"}, {"WALL_COBALT_ROCK", "carved_stone"}, {"WALL_COBALT_STONE", "carved_stone"},
    {"FLOOR_HALL", "carved_stone"}, {"FLOOR_VAULT", "carved_stone"}, {"FLOOR_TOMB", "carved_stone"},
    {"FLOOR_CRYPT", "carved_stone"}, {"FLOOR_BLACK_COBALT", "carved_stone"}, {"FLOOR_MOSAIC", "carved_stone"},
    {"FLOOR_MARBLE", "carved_stone"},

    {"WALL_ABYSS", "abyss"},

    {"WALL_ZOT", "crystal"}, {"WALL_CRYSTAL_SQUARES", "crystal"}, {"FLOOR_CRYSTAL_SQUARES", "crystal"},
    {"WALL_EMERALD", "crystal"},

    {"DNGN_METAL_WALL", "metal"}, {"DNGN_METAL_IRON", "metal"}, {"STONE_WALL_VAULT", "metal"},
    {"WALL_LAB_METAL", "metal"}, {"WALL_LAB_STONE", "metal"}, {"FLOOR_IRON", "metal"},

    {"FLOOR_ICE", "ice"}, {"FLOOR_ICY", "ice"}, {"FLOOR_FROZEN", "ice"}, {"WALL_ICE", "ice"},
    {"WALL_ICY_STONE", "ice"}, {"WALL_MARBLE", "ice"},

    {"DNGN_LAVA", "lava"}, {"DNGN_LAVA_SEA", "lava"}, {"FLOOR_VOLCANIC", "lava"}, {"WALL_VOLCANIC", "lava"},

    {"FLOOR_DEMONIC", "demonic"}, {"FLOOR_INFERNAL", "demonic"}, {"WALL_HELL", "demonic"},
    {"FLOOR_CAGE", "demonic"}, {"FLOOR_ETCHED", "demonic"}, {"FLOOR_GAUNTLET", "demonic"},

    {"FLOOR_NERVES", "organic"}, {"WALL_FLESH", "organic"}, {"FLOOR_SLIME", "organic"},
    {"FLOOR_GREEN_BONES", "organic"},

    {"FLOOR_GRASS", "grass"}, {"FLOOR_MOSS", "grass"}, {"FLOOR_WOODGROUND", "grass"}, {"FLOOR_LAIR", "grass"},
    {"FLOOR_SNAKE", "grass"}, {"FLOOR_SWAMP", "grass"},

    {"FLOOR_GREY_DIRT", "dirt"}, {"FLOOR_MUD", "dirt"}, {"FLOOR_DIRT", "dirt"}, {"FLOOR_ORC", "dirt"},
    {"FLOOR_ROUGH", "dirt"}, {"FLOOR_SPIDER", "dirt"},

    {"FLOOR_SAND", "sandstone"}, {"FLOOR_SANDSTONE", "sandstone"}, {"WALL_SANDSTONE", "sandstone"},
    {"FLOOR_LIMESTONE", "sandstone"}, {"FLOOR_W_MARBLE", "sandstone"}, {"WALL_CHURCH", "sandstone"},
    {"STONE_WALL_SHOALS", "sandstone"}, {"WALL_TOMB", "sandstone"},
};

// Style order of the data set (and so of the model).
constexpr const char* kStyles[] = {"cobblestone", "brick",  "rubble", "stone_blocks", "carved_stone",
                                   "sandstone",   "metal",  "crystal", "ice",         "lava",
                                   "demonic",     "abyss",  "organic", "grass",       "dirt"};

bool isTileName(const std::string& s) {
    return !s.empty() && std::isupper((unsigned char)s[0]) &&
           std::all_of(s.begin(), s.end(),
                       [](unsigned char c) { return std::isupper(c) || std::isdigit(c) || c == '_'; });
}

// What `strings -n 4` prints: runs of four or more printable ASCII bytes.
std::vector<std::string> printableStrings(const std::string& bytes) {
    std::vector<std::string> out;
    size_t start = 0;
    for (size_t i = 0; i <= bytes.size(); ++i) {
        const bool printable = i < bytes.size() && ((bytes[i] >= 0x20 && bytes[i] < 0x7f) || bytes[i] == '\t');
        if (printable)
            continue;
        if (i - start >= 4)
            out.push_back(bytes.substr(start, i - start));
        start = i + 1;
    }
    return out;
}

// The names of one run: an occurrence of firstName followed, count - 1
// strings later, by lastName, with tile names only in between.
bool findRun(const std::vector<std::string>& strings, const NameRun& run, std::vector<std::string>* names) {
    for (size_t i = 0; i + size_t(run.count) <= strings.size(); ++i) {
        if (strings[i] != run.firstName || strings[i + size_t(run.count) - 1] != run.lastName)
            continue;
        if (std::all_of(strings.begin() + long(i), strings.begin() + long(i) + run.count, isTileName)) {
            names->assign(strings.begin() + long(i), strings.begin() + long(i) + run.count);
            return true;
        }
    }
    return false;
}

// A tile and its variants share a family: "FLOOR_PEBBLE_BROWN_3" ->
// "FLOOR_PEBBLE_BROWN". A name whose "_1" variant exists is itself a family's
// base: WALL_BRICK_DARK_1 is followed by WALL_BRICK_DARK_1_1 ... _1_11.
std::string familyOf(const std::string& name, const std::set<std::string>& allNames) {
    if (allNames.count(name + "_1"))
        return name;
    const size_t underscore = name.find_last_of('_');
    if (underscore == std::string::npos || underscore + 1 == name.size())
        return name;
    const bool number = std::all_of(name.begin() + long(underscore) + 1, name.end(),
                                    [](unsigned char c) { return std::isdigit(c); });
    return number ? name.substr(0, underscore) : name;
}

std::string licenceOf(const std::string& copyrightText) {
    const std::string text = collapseWhitespace(copyrightText);
    const bool gpl = text.find("GNU General Public License") != std::string::npos &&
                     text.find("either version 2 of the License, or (at your option) any later version") !=
                         std::string::npos;
    const bool cc0Tiles = text.find("Public Domain|CC0: most of tiles") != std::string::npos;
    if (gpl && cc0Tiles)
        return "CC0/public domain (most tiles) or GPL-2+ (Dungeon Crawl Stone Soup)";
    return "";
}

}  // namespace

std::string crawlStyleOf(const std::string& tileName) {
    for (const StyleRule& rule : kStyleRules) {
        const size_t n = std::char_traits<char>::length(rule.prefix);
        if (tileName.compare(0, n, rule.prefix) == 0 && (tileName.size() == n || tileName[n] == '_'))
            return rule.style;
    }
    return "";
}

bool loadCrawlTiles(const FetchOptions& options, Dataset* out, std::string* error) {
    std::string atlasRoot, binaryRoot, docRoot;
    if (!fetchDebianPackage(options, "crawl-tiles-data", &atlasRoot, error) ||
        !fetchDebianPackage(options, "crawl-tiles", &binaryRoot, error) ||
        !fetchDebianPackage(options, "crawl-common", &docRoot, error))
        return false;

    std::string bytes;
    const std::string binaryPath = binaryRoot + "/" + kBinary;
    if (!readFile(binaryPath, &bytes, error))
        return false;
    const std::vector<std::string> strings = printableStrings(bytes);
    bytes.clear();

    Dataset data;
    data.name = "crawl-tiles";
    data.styles.assign(std::begin(kStyles), std::end(kStyles));

    std::string text;
    const std::string copyrightPath = docRoot + "/" + kCopyright;
    if (!readFile(copyrightPath, &text, error))
        return false;
    data.licence = licenceOf(text);
    if (data.licence.empty()) {
        data.licence = std::string("unrecognised, see ") + kCopyright;
        data.warnings.push_back(copyrightPath + " no longer states GPL-2+ with CC0 tiles: review the licence");
    }

    struct Atlas {
        int width = 0, height = 0;
        std::vector<uint8_t> rgba;
    };
    std::vector<std::pair<std::string, Atlas>> atlases;
    std::vector<std::vector<std::string>> runNames;
    std::set<std::string> allNames;
    for (const NameRun& run : kNameRuns) {
        std::vector<std::string> names;
        if (!findRun(strings, run, &names)) {
            *error = binaryPath + ": no run of " + std::to_string(run.count) + " tile names from " + run.firstName +
                     " to " + run.lastName + " (not Crawl 0.28? the atlas cells could not be named)";
            return false;
        }
        allNames.insert(names.begin(), names.end());
        runNames.push_back(std::move(names));
    }

    SkipLog skipped;
    for (size_t r = 0; r < std::size(kNameRuns); ++r) {
        const NameRun& run = kNameRuns[r];
        const std::vector<std::string>& names = runNames[r];
        auto atlas = std::find_if(atlases.begin(), atlases.end(), [&](const auto& a) { return a.first == run.atlas; });
        if (atlas == atlases.end()) {
            Atlas loaded;
            const std::string path = atlasRoot + "/" + kTilesDir + "/" + run.atlas;
            if (!loadPng(path, &loaded.width, &loaded.height, &loaded.rgba, error))
                return false;
            if (loaded.width % kCell != 0 || loaded.height % kCell != 0) {
                *error = path + ": " + std::to_string(loaded.width) + "x" + std::to_string(loaded.height) +
                         " is not a grid of 32x32 tiles";
                return false;
            }
            atlases.emplace_back(run.atlas, std::move(loaded));
            atlas = atlases.end() - 1;
        }
        const Atlas& page = atlas->second;
        const int columns = page.width / kCell;
        if (run.firstCell + run.count > columns * (page.height / kCell)) {
            *error = std::string(kTilesDir) + "/" + run.atlas + " has fewer cells than the tile names need";
            return false;
        }
        for (int i = 0; i < run.count; ++i) {
            const int cell = run.firstCell + i;
            char cellName[16];
            std::snprintf(cellName, sizeof cellName, "#%04d:", cell);
            const std::string source = std::string(kTilesDir) + "/" + run.atlas + cellName + names[size_t(i)];
            const std::string style = crawlStyleOf(names[size_t(i)]);
            if (style.empty()) {
                skipped.add("not a material style", source);
                continue;
            }
            Image image;
            image.width = image.height = kCell;
            image.rgba.resize(size_t(kCell) * kCell * 4);
            int opaque = 0;
            const int x0 = cell % columns * kCell, y0 = cell / columns * kCell;
            for (int y = 0; y < kCell; ++y) {
                const uint8_t* row = &page.rgba[(size_t(y0 + y) * size_t(page.width) + size_t(x0)) * 4];
                std::copy(row, row + kCell * 4, &image.rgba[size_t(y) * kCell * 4]);
                for (int x = 0; x < kCell; ++x)
                    opaque += row[x * 4 + 3] == 255;
            }
            if (opaque < kMinOpaqueShare * kCell * kCell) {
                skipped.add("not opaque", source);
                continue;
            }
            image.style = int(std::find(data.styles.begin(), data.styles.end(), style) - data.styles.begin());
            image.source = source;
            image.group = familyOf(names[size_t(i)], allNames);
            data.images.push_back(std::move(image));
        }
    }
    skipped.appendTo(&data.warnings);
    data.provenance = describeFetchedPackage(atlasRoot) + ": " + kTilesDir + "/floor.png, wall.png (32x32 cells); " +
                      describeFetchedPackage(binaryRoot) + ": tile names from " + kBinary + "; " +
                      describeFetchedPackage(docRoot) + ": " + kCopyright;
    if (!finishDataset(&data, error))
        return false;
    *out = std::move(data);
    return true;
}

}  // namespace sgdata
