// wesnoth.cpp - Battle for Wesnoth unit sprites and team colours (wesnoth-1.16-data).
#include "internal.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace fs = std::filesystem;

namespace sgdata {
namespace {

constexpr const char* kPackage = "wesnoth-1.16-data";
constexpr const char* kCoreDir = "usr/share/games/wesnoth/1.16/data/core";
constexpr const char* kCopyright = "usr/share/doc/wesnoth-1.16-data/copyright";
constexpr int kHexSize = 72;  // a unit stands on one hex; frames are drawn centred on it

// Race folders of data/core/images/units and the style each feeds.
struct RaceFolder {
    const char* folder;
    const char* style;
};
constexpr RaceFolder kRaceFolders[] = {
    {"dwarves", "dwarves"},
    {"undead", "undead"},         {"undead-skeletal", "undead"},  {"undead-necromancers", "undead"},
    {"human-loyalists", "loyalists"}, {"human-peasants", "loyalists"},
    {"human-outlaws", "outlaws"},
    {"human-magi", "magi"},
    {"elves-wood", "elves"},      {"woses", "elves"},
    {"orcs", "orcs"},             {"goblins", "orcs"},            {"trolls", "orcs"},  {"ogres", "orcs"},
    {"monsters", "monsters"},
    {"saurians", "saurians"},
    {"drakes", "drakes"},
    {"merfolk", "merfolk"},       {"nagas", "merfolk"},
    {"dunefolk", "dunefolk"},
};
// Present in the package, left out on purpose: four boat sprites are no race.
constexpr const char* kDroppedFolders[] = {"transport"};
// File-name tokens of sprites that are no unit: effects drawn over one
// (firetrooper_flame3, sand-halo-2, marauder-torch-overlay) or parts of one
// (jinn-top, jinn-bottom4), mostly empty canvas.
constexpr const char* kEffectTokens[] = {"bottom", "dust", "flame", "glow", "halo", "mask", "overlay", "swoosh", "top"};

bool parseHexColour(const std::string& text, Rgb* out) {
    if (text.size() != 6 || !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isxdigit(c); }))
        return false;
    const unsigned long value = std::stoul(text, nullptr, 16);
    *out = {uint8_t(value >> 16), uint8_t(value >> 8), uint8_t(value)};
    return true;
}

std::vector<std::string> splitList(const std::string& text, char separator) {
    std::vector<std::string> parts;
    std::stringstream in(text);
    for (std::string part; std::getline(in, part, separator);)
        parts.push_back(part);
    return parts;
}

std::string trim(const std::string& text) {
    const size_t begin = text.find_first_not_of(" \t\r");
    const size_t end = text.find_last_not_of(" \t\r");
    return begin == std::string::npos ? "" : text.substr(begin, end - begin + 1);
}

struct ColourRange {
    std::string id;
    Rgb mid{}, max{}, min{};
    bool isDefault = false;
};

// data/core/team-colors.cfg (WML): [color_range] blocks with id, rgb = mid,
// max, min, minimap colour and default=yes for the side colours a game hands
// out; a [color_palette] whose `magenta` key lists the reference colours that
// unit sprites use for team colour, the first being the reference average.
bool parseTeamColours(const std::string& text, const std::string& path, std::vector<Rgb>* reference,
                      std::vector<ColourRange>* sideColours, std::string* error) {
    std::string block;
    ColourRange range;
    bool rangeHasRgb = false;
    int lineNumber = 0;
    for (const std::string& rawLine : splitList(text, '\n')) {
        ++lineNumber;
        const std::string line = trim(rawLine.substr(0, rawLine.find('#')));
        if (line.empty())
            continue;
        if (line.front() == '[') {
            if (line == "[/color_range]" && block == "[color_range]" && rangeHasRgb && range.isDefault)
                sideColours->push_back(range);
            block = line;
            range = ColourRange();
            rangeHasRgb = false;
            continue;
        }
        const size_t equals = line.find('=');
        if (equals == std::string::npos)
            continue;
        const std::string key = trim(line.substr(0, equals)), value = trim(line.substr(equals + 1));
        const std::string where = path + ":" + std::to_string(lineNumber);
        if (block == "[color_range]") {
            if (key == "id")
                range.id = value;
            else if (key == "default")
                range.isDefault = value == "yes";
            else if (key == "rgb") {
                const std::vector<std::string> colours = splitList(value, ',');
                if (colours.size() < 3 || !parseHexColour(trim(colours[0]), &range.mid) ||
                    !parseHexColour(trim(colours[1]), &range.max) || !parseHexColour(trim(colours[2]), &range.min)) {
                    *error = where + ": colour range rgb is not three or more RRGGBB colours: " + value;
                    return false;
                }
                rangeHasRgb = true;
            }
        } else if (block == "[color_palette]" && key == "magenta") {
            for (const std::string& colour : splitList(value, ',')) {
                Rgb rgb;
                if (!parseHexColour(trim(colour), &rgb)) {
                    *error = where + ": magenta palette entry is not RRGGBB: " + colour;
                    return false;
                }
                reference->push_back(rgb);
            }
        }
    }
    if (reference->empty() || reference->size() > 127) {
        *error = path + ": no usable `magenta` palette (expected 1..127 colours in [color_palette])";
        return false;
    }
    if (sideColours->empty()) {
        *error = path + ": no [color_range] with default=yes";
        return false;
    }
    return true;
}

std::vector<std::string> splitTokens(const std::string& stem) {
    std::vector<std::string> tokens(1);
    for (char c : stem) {
        if (c == '-' || c == '_')
            tokens.emplace_back();
        else
            tokens.back() += c;
    }
    return tokens;
}

bool isEffectSprite(const std::string& stem) {
    for (std::string token : splitTokens(stem)) {
        while (!token.empty() && std::isdigit((unsigned char)token.back()))
            token.pop_back();  // frame numbers: "flame6", "dust1"
        for (const char* effect : kEffectTokens)
            if (token == effect)
                return true;
    }
    return false;
}

bool hasDigit(const std::string& text) {
    return std::any_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}

std::string licenceOf(const std::string& copyrightText) {
    const std::string text = collapseWhitespace(copyrightText);
    if (text.find("GNU General Public License version 2") != std::string::npos &&
        text.find("any later version") != std::string::npos)
        return "GPL-2+";
    return "";
}

}  // namespace

const std::vector<std::string>& wesnothStyles() {
    static const std::vector<std::string> kStyles = {"dwarves", "undead",   "loyalists", "outlaws",
                                                     "magi",    "elves",    "orcs",      "monsters",
                                                     "saurians", "drakes",  "merfolk",   "dunefolk"};
    return kStyles;
}

std::vector<std::string> wesnothUnitNames(const std::vector<std::string>& stems) {
    // A still image is a stem whose last token has no digit ("fighter",
    // "fighter-ne"); animation frames end in a number ("fighter-ne-axe3").
    std::unordered_set<std::string> stills;
    for (const std::string& stem : stems)
        if (!hasDigit(splitTokens(stem).back()))
            stills.insert(stem);
    std::vector<std::string> names;
    names.reserve(stems.size());
    for (const std::string& stem : stems) {
        std::string name = splitTokens(stem).front();
        for (size_t end = 0; end != std::string::npos;) {
            end = stem.find_first_of("-_", end + 1);
            const std::string prefix = stem.substr(0, end);
            if (stills.count(prefix)) {
                name = prefix;
                break;
            }
        }
        names.push_back(name);
    }
    return names;
}

std::vector<Rgb> recolourPalette(const std::vector<Rgb>& reference, Rgb mid, Rgb max, Rgb min) {
    std::vector<Rgb> out;
    if (reference.empty())
        return out;
    auto brightness = [](const Rgb& c) { return (int(c[0]) + int(c[1]) + int(c[2])) / 3; };
    const int referenceBrightness = brightness(reference[0]);
    for (const Rgb& colour : reference) {
        const int value = brightness(colour);
        // Same float arithmetic and truncation as the engine, so recoloured
        // sprites match the game's pixel for pixel.
        const bool darker = referenceBrightness > 0 && value <= referenceBrightness;
        const float ratio = darker ? float(value) / float(referenceBrightness)
                                   : (255.0f - float(value)) / (255.0f - float(referenceBrightness));
        const Rgb& toward = darker ? min : max;
        Rgb mapped;
        for (int k = 0; k < 3; ++k) {
            const float v = ratio * float(mid[k]) + (1.0f - ratio) * float(toward[k]);
            mapped[k] = uint8_t(std::min(255u, uint32_t(v)));
        }
        out.push_back(mapped);
    }
    return out;
}

void indexTeamColour(const std::vector<Rgb>& reference, Image* image) {
    std::unordered_map<uint32_t, int8_t> indexOf;
    for (size_t i = reference.size(); i-- > 0;)  // backwards: the first of duplicate colours wins
        if (i <= 127)
            indexOf[uint32_t(reference[i][0]) << 16 | uint32_t(reference[i][1]) << 8 | reference[i][2]] = int8_t(i);
    const size_t pixels = size_t(image->width) * size_t(image->height);
    image->teamColourIndex.clear();
    if (image->width <= 0 || image->height <= 0 || image->rgba.size() != pixels * 4)
        return;
    image->teamColourIndex.assign(pixels, -1);
    for (size_t p = 0; p < pixels; ++p) {
        const uint8_t* px = &image->rgba[p * 4];
        if (px[3] == 0)
            continue;
        auto it = indexOf.find(uint32_t(px[0]) << 16 | uint32_t(px[1]) << 8 | px[2]);
        if (it != indexOf.end())
            image->teamColourIndex[p] = it->second;
    }
}

bool cropToCentredSquare(int size, Image* image) {
    const int w = image->width, h = image->height;
    if (size <= 0 || w < size || h < size || image->rgba.size() != size_t(w) * size_t(h) * 4)
        return false;
    const int left = (w - size) / 2, top = (h - size) / 2;
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            if ((x < left || x >= left + size || y < top || y >= top + size) &&
                image->rgba[(size_t(y) * size_t(w) + size_t(x)) * 4 + 3] != 0)
                return false;
    std::vector<uint8_t> cropped(size_t(size) * size_t(size) * 4);
    for (int y = 0; y < size; ++y)
        std::copy_n(&image->rgba[(size_t(top + y) * size_t(w) + size_t(left)) * 4], size_t(size) * 4,
                    &cropped[size_t(y) * size_t(size) * 4]);
    image->rgba = std::move(cropped);
    image->width = image->height = size;
    return true;
}

bool loadWesnothUnits(const FetchOptions& options, const std::vector<std::string>& holdOutStyles, Dataset* out,
                      std::string* error) {
    const std::vector<std::string>& allStyles = wesnothStyles();
    for (const std::string& style : holdOutStyles) {
        if (std::find(allStyles.begin(), allStyles.end(), style) == allStyles.end()) {
            std::string known;
            for (const std::string& s : allStyles)
                known += (known.empty() ? "" : ", ") + s;
            *error = "cannot hold out '" + style + "': not a Wesnoth style (" + known + ")";
            return false;
        }
    }
    std::string root;
    if (!fetchDebianPackage(options, kPackage, &root, error))
        return false;

    Dataset data;
    data.name = "wesnoth-units";
    for (const std::string& style : allStyles)
        if (std::find(holdOutStyles.begin(), holdOutStyles.end(), style) == holdOutStyles.end())
            data.styles.push_back(style);

    const std::string coloursPath = root + "/" + kCoreDir + "/team-colors.cfg";
    std::string text;
    std::vector<ColourRange> sideColours;
    if (!readFile(coloursPath, &text, error) ||
        !parseTeamColours(text, coloursPath, &data.teamColourReference, &sideColours, error))
        return false;
    for (const ColourRange& range : sideColours) {
        data.teamColourNames.push_back(range.id);
        data.teamColourPalettes.push_back(recolourPalette(data.teamColourReference, range.mid, range.max, range.min));
    }

    const std::string copyrightPath = root + "/" + kCopyright;
    if (!readFile(copyrightPath, &text, error))
        return false;
    data.licence = licenceOf(text);
    if (data.licence.empty()) {
        data.licence = std::string("unrecognised, see ") + kCopyright;
        data.warnings.push_back(copyrightPath + " no longer states GPL version 2 or later: review the licence");
    }

    const std::string unitsDir = std::string(kCoreDir) + "/images/units";
    std::set<std::string> expected;
    for (const RaceFolder& race : kRaceFolders)
        expected.insert(race.folder);
    for (const char* folder : kDroppedFolders)
        expected.insert(folder);
    std::error_code ec;
    for (fs::directory_iterator it(root + "/" + unitsDir, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code typeError;
        const std::string folder = it->path().filename().string();
        if (it->is_directory(typeError) && !expected.count(folder))
            data.warnings.push_back("race folder " + unitsDir + "/" + folder + " has no style: not loaded");
    }

    SkipLog skipped;
    for (const RaceFolder& race : kRaceFolders) {
        const auto style = std::find(data.styles.begin(), data.styles.end(), race.style);
        if (style == data.styles.end())
            continue;  // held out
        const std::string relativeDir = unitsDir + "/" + race.folder;
        std::vector<std::string> files;
        if (!findPngs(root + "/" + relativeDir, &files, error)) {
            *error = std::string(kPackage) + " lacks a race folder the styles need: " + *error;
            return false;
        }
        // A sub-folder holds one unit line (dunefolk/burner: burner, scorcher,
        // firetrooper); loose files are grouped by unit name.
        std::vector<std::string> looseStems;
        for (const std::string& file : files)
            if (file.find('/') == std::string::npos)
                looseStems.push_back(fs::path(file).stem().string());
        const std::vector<std::string> looseUnits = wesnothUnitNames(looseStems);
        size_t loose = 0;
        for (size_t i = 0; i < files.size(); ++i) {
            const size_t slash = files[i].find('/');
            const std::string unit = slash != std::string::npos ? files[i].substr(0, slash) : looseUnits[loose++];
            Image image;
            image.source = relativeDir + "/" + files[i];
            if (isEffectSprite(fs::path(files[i]).stem().string())) {
                skipped.add("effect or part of a unit, not a unit", image.source);
                continue;
            }
            std::string why;
            if (!loadPng(root + "/" + image.source, &image.width, &image.height, &image.rgba, &why)) {
                skipped.add("unreadable PNG", image.source);
                continue;
            }
            if (image.width < kHexSize || image.height < kHexSize) {
                skipped.add("smaller than 72x72", image.source);
                continue;
            }
            // Larger frames make room for wings, weapons and spell effects;
            // those with nothing outside the hex are ordinary frames.
            if (!cropToCentredSquare(kHexSize, &image)) {
                skipped.add("drawn beyond the 72x72 hex", image.source);
                continue;
            }
            image.style = int(style - data.styles.begin());
            image.group = std::string(race.folder) + "/" + unit;
            indexTeamColour(data.teamColourReference, &image);
            data.images.push_back(std::move(image));
        }
    }
    skipped.appendTo(&data.warnings);

    data.provenance = describeFetchedPackage(root) + ": " + unitsDir + "/<race>/**.png (the centred 72x72 hex), " + kCoreDir +
                      "/team-colors.cfg (magenta palette, default side colours)";
    if (!holdOutStyles.empty()) {
        std::string held;
        for (const std::string& s : holdOutStyles)
            held += (held.empty() ? "" : ", ") + s;
        data.provenance += "; held out: " + held;
    }
    if (!finishDataset(&data, error))
        return false;
    *out = std::move(data);
    return true;
}

}  // namespace sgdata
