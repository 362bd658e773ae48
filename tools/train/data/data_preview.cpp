// data_preview.cpp - stylegen-data-preview: what a data set gives the trainer.
//
//     stylegen-data-preview [--cache DIR] [--out PREFIX] [--hold-out STYLE]... [wesnoth|crawl|FOLDER]...
//     stylegen-data-preview --export STYLE --count N --size S --out DIR [wesnoth|crawl|FOLDER]
//
// Loads each set (default: wesnoth crawl), prints its licence, provenance,
// warnings and per-style counts with the default held-out split, and writes
// PREFIX-<set>.png: one row per style, images from different groups, rendered
// by renderImage() exactly as training sees them (units in the first three team
// colours, side by side). Opens a sheet to check styles are coherent and team
// colours are right.
//
// --export writes one style as a small folder data set for fine-tuning
// (stylegen-train --finetune ... --data DIR/train): N images from whole groups
// (units: all frames of a unit go to one side) into DIR/train/STYLE/, the rest
// into DIR/held-out/STYLE/ for evaluation; rendered at S x S in the first team
// colour, as RGBA PNGs with straight alpha.
#include "dataset.hpp"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"  // the header's width/height/spacing helpers
#include <stb/stb_easy_font.h>
#pragma GCC diagnostic pop

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

constexpr double kHeldOutFraction = 0.1;  // the trainer's default
constexpr uint64_t kSplitSeed = 1;
constexpr int kLabelWidth = 190;
constexpr int kGap = 2;

struct Canvas {
    int width, height;
    std::vector<uint8_t> rgb;
    Canvas(int w, int h) : width(w), height(h), rgb(size_t(w) * size_t(h) * 3, 32) {}

    void text(int x, int y, const std::string& s, int scale) {
        static char buffer[60000];  // stb_easy_font: about 270 bytes per character
        std::string copy = s;
        const int quads = stb_easy_font_print(0, 0, copy.data(), nullptr, buffer, sizeof buffer);
        for (int q = 0; q < quads; ++q) {
            const float* v = reinterpret_cast<const float*>(buffer + q * 64);  // 4 vertices of 16 bytes
            const int x0 = x + int(v[0] * scale), y0 = y + int(v[1] * scale);
            const int x1 = x + int(v[8] * scale), y1 = y + int(v[9] * scale);
            for (int py = std::max(0, y0); py < std::min(height, y1); ++py)
                for (int px = std::max(0, x0); px < std::min(width, x1); ++px)
                    std::memset(&rgb[(size_t(py) * size_t(width) + size_t(px)) * 3], 230, 3);
        }
    }

    // A CHW render in [-1, 1] (premultiplied) over a grey checkerboard, enlarged `zoom` times.
    void paste(int x, int y, const std::vector<float>& chw, int size, int channels, int zoom) {
        const size_t plane = size_t(size) * size_t(size);
        for (int py = 0; py < size * zoom; ++py) {
            for (int px = 0; px < size * zoom; ++px) {
                const size_t i = size_t(py / zoom) * size_t(size) + size_t(px / zoom);
                const float alpha = channels == 4 ? (chw[3 * plane + i] + 1) / 2 : 1.0f;
                const float background = ((px / 8 + py / 8) & 1) ? 0.62f : 0.45f;
                uint8_t* out = &rgb[(size_t(y + py) * size_t(width) + size_t(x + px)) * 3];
                for (int k = 0; k < 3; ++k) {
                    const float v = (chw[size_t(k) * plane + i] + 1) / 2 + (1 - alpha) * background;
                    out[k] = uint8_t(std::clamp(v, 0.0f, 1.0f) * 255.0f + 0.5f);
                }
            }
        }
    }
};

// Visible pixels of a saturated pink-magenta hue that the reference palette
// did not catch: they would keep their magenta in every team colour.
size_t strayMagenta(const sgdata::Image& image) {
    size_t count = 0;
    for (size_t p = 0; p < size_t(image.width) * size_t(image.height); ++p) {
        const uint8_t* px = &image.rgba[p * 4];
        const bool magentaHue = px[0] > 120 && px[2] > 60 && px[1] + 60 < px[0] && px[1] + 30 < px[2];
        if (px[3] > 0 && magentaHue && image.teamColourIndex[p] < 0)
            ++count;
    }
    return count;
}

void printSummary(const sgdata::Dataset& data) {
    std::printf("== %s: %zu images, %zu styles\n", data.name.c_str(), data.images.size(), data.styles.size());
    std::printf("licence:    %s\nprovenance: %s\n", data.licence.c_str(), data.provenance.c_str());
    for (const std::string& w : data.warnings)
        std::printf("warning:    %s\n", w.c_str());
    if (!data.teamColourNames.empty()) {
        std::printf("team colours (%zu reference colours):", data.teamColourReference.size());
        for (size_t t = 0; t < data.teamColourNames.size(); ++t) {
            const sgdata::Rgb& mid = data.teamColourPalettes[t][0];
            std::printf(" %s #%02X%02X%02X", data.teamColourNames[t].c_str(), mid[0], mid[1], mid[2]);
        }
        std::printf("\n");
        size_t withTeamColour = 0, withStray = 0;
        for (const sgdata::Image& image : data.images) {
            withTeamColour += std::any_of(image.teamColourIndex.begin(), image.teamColourIndex.end(),
                                          [](int8_t i) { return i >= 0; });
            withStray += strayMagenta(image) >= 5;
        }
        std::printf("images with team colour: %zu; with 5+ magenta pixels outside the palette: %zu\n", withTeamColour,
                    withStray);
    }
    std::vector<size_t> train, heldOut;
    sgdata::splitHeldOut(data, kHeldOutFraction, kSplitSeed, &train, &heldOut);
    std::vector<size_t> trainCount(data.styles.size()), heldCount(data.styles.size());
    for (size_t i : train)
        ++trainCount[size_t(data.images[i].style)];
    for (size_t i : heldOut)
        ++heldCount[size_t(data.images[i].style)];
    std::printf("%-14s %7s %7s %9s %7s\n", "style", "images", "groups", "held-out", "train");
    for (size_t s = 0; s < data.styles.size(); ++s) {
        std::set<std::string> groups;
        for (const sgdata::Image& image : data.images)
            if (size_t(image.style) == s)
                groups.insert(image.group);
        std::printf("%-14s %7zu %7zu %9zu %7zu\n", data.styles[s].c_str(), trainCount[s] + heldCount[s],
                    groups.size(), heldCount[s], trainCount[s]);
    }
    std::printf("%-14s %7zu %7s %9zu %7zu\n", "total", data.images.size(), "", heldOut.size(), train.size());
}

bool writeSheet(const sgdata::Dataset& data, const std::string& path, std::string* error) {
    const bool teams = !data.teamColourPalettes.empty();
    const int teamCount = teams ? std::min<int>(3, int(data.teamColourPalettes.size())) : 1;
    const int perRow = teams ? 8 : 24;
    size_t transparent = 0, pixels = 0;
    int size = 0;
    for (const sgdata::Image& image : data.images) {
        size = std::max({size, image.width, image.height});
        for (size_t p = 3; p < image.rgba.size(); p += 4)
            transparent += image.rgba[p] < 255;
        pixels += image.rgba.size() / 4;
    }
    size = std::min(size, 128);
    const int channels = transparent * 100 < pixels ? 3 : 4;  // opaque scene tiles train as RGB
    const int zoom = std::max(1, 64 / size), cell = size * zoom + kGap;

    Canvas canvas(kLabelWidth + perRow * teamCount * cell, int(data.styles.size()) * cell);
    std::vector<float> chw(size_t(channels) * size_t(size) * size_t(size));
    for (size_t s = 0; s < data.styles.size(); ++s) {
        // One image per group, the group's shortest source (a unit's still
        // frame), groups spread over the style.
        std::map<std::string, size_t> firstOfGroup;
        size_t count = 0;
        for (size_t i = 0; i < data.images.size(); ++i) {
            if (size_t(data.images[i].style) != s)
                continue;
            ++count;
            auto [it, added] = firstOfGroup.emplace(data.images[i].group, i);
            if (!added && data.images[i].source.size() < data.images[it->second].source.size())
                it->second = i;
        }
        std::vector<size_t> picks;
        for (const auto& entry : firstOfGroup)
            picks.push_back(entry.second);
        const int y = int(s) * cell;
        canvas.text(6, y + cell / 2 - 14, data.styles[s], 2);
        canvas.text(6, y + cell / 2 + 4, std::to_string(count) + " images", 1);
        for (int k = 0; k < perRow && k < int(picks.size()); ++k) {
            const size_t index = picks[size_t(k) * picks.size() / size_t(std::min<size_t>(perRow, picks.size()))];
            for (int t = 0; t < teamCount; ++t) {
                if (!sgdata::renderImage(data, index, teams ? t : -1, false, size, channels, chw.data())) {
                    *error = "cannot render " + data.images[index].source;
                    return false;
                }
                canvas.paste(kLabelWidth + (k * teamCount + t) * cell, y, chw, size, channels, zoom);
            }
        }
    }
    return sgdata::writePng(path, canvas.width, canvas.height, 3, canvas.rgb.data(), error);
}

bool exportStyle(const sgdata::Dataset& data, const std::string& style, size_t count, int size,
                 const std::string& dir, std::string* error) {
    auto it = std::find(data.styles.begin(), data.styles.end(), style);
    if (it == data.styles.end()) {
        *error = data.name + " has no style '" + style + "'";
        return false;
    }
    const int styleIndex = int(it - data.styles.begin());
    std::vector<size_t> ofStyle;
    for (size_t i = 0; i < data.images.size(); ++i)
        if (data.images[i].style == styleIndex)
            ofStyle.push_back(i);
    if (count == 0 || count >= ofStyle.size()) {
        *error = style + " has " + std::to_string(ofStyle.size()) + " images; --count must be between 1 and " +
                 std::to_string(ofStyle.size() - 1);
        return false;
    }
    // splitHeldOut's held-out side takes whole groups: ask for a bit more than
    // `count` and keep the first `count`; the rest of those groups is dropped
    // rather than leak frames of a training unit into the evaluation side.
    std::vector<size_t> rest, chosen;
    sgdata::splitHeldOut(data, std::min(0.95, 1.1 * double(count) / double(ofStyle.size())), kSplitSeed, &rest, &chosen);
    std::vector<size_t> train, heldOut;
    std::set<std::string> trainGroups;
    for (size_t i : chosen)
        if (data.images[i].style == styleIndex && train.size() < count) {
            train.push_back(i);
            trainGroups.insert(data.images[i].group);
        }
    for (size_t i : ofStyle)
        if (!trainGroups.count(data.images[i].group))
            heldOut.push_back(i);
    if (train.size() < count) {
        *error = "could not pick " + std::to_string(count) + " " + style + " images from whole groups";
        return false;
    }
    std::vector<float> chw(size_t(4 * size * size));
    std::vector<uint8_t> rgba(size_t(4 * size * size));
    for (const auto& [side, list] : {std::pair<std::string, const std::vector<size_t>*>{"train", &train},
                                     {"held-out", &heldOut}}) {
        const std::string folder = dir + "/" + side + "/" + style;
        std::error_code ec;
        std::filesystem::create_directories(folder, ec);
        if (ec) {
            *error = "cannot create " + folder + ": " + ec.message();
            return false;
        }
        for (size_t k = 0; k < list->size(); ++k) {
            const bool teams = !data.teamColourPalettes.empty();
            if (!sgdata::renderImage(data, (*list)[k], teams ? 0 : -1, false, size, 4, chw.data())) {
                *error = "cannot render " + data.images[(*list)[k]].source;
                return false;
            }
            const size_t plane = size_t(size * size);
            for (size_t p = 0; p < plane; ++p) {
                const float a = std::clamp((chw[3 * plane + p] + 1.0f) * 0.5f, 0.0f, 1.0f);
                for (int c = 0; c < 3; ++c) {
                    const float v = a > 0 ? (chw[size_t(c) * plane + p] + 1.0f) * 0.5f / a : 0.0f;
                    rgba[4 * p + size_t(c)] = uint8_t(std::clamp(v, 0.0f, 1.0f) * 255.0f + 0.5f);
                }
                rgba[4 * p + 3] = uint8_t(a * 255.0f + 0.5f);
            }
            char name[32];
            std::snprintf(name, sizeof name, "/%03zu.png", k);
            if (!sgdata::writePng(folder + name, size, size, 4, rgba.data(), error))
                return false;
        }
    }
    std::printf("%s: %zu images in %s/train/%s, %zu in %s/held-out/%s\n", style.c_str(), train.size(), dir.c_str(),
                style.c_str(), heldOut.size(), dir.c_str(), style.c_str());
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    sgdata::FetchOptions fetch;
    std::string out = "data-preview";
    std::vector<std::string> holdOut, sets;
    std::string exportName;
    size_t exportCount = 50;
    int exportSize = 64;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if ((arg == "--cache" || arg == "--out" || arg == "--hold-out" || arg == "--export" || arg == "--count" ||
             arg == "--size") && i + 1 < argc) {
            const std::string value = argv[++i];
            if (arg == "--cache")
                fetch.cacheDir = value;
            else if (arg == "--out")
                out = value;
            else if (arg == "--export")
                exportName = value;
            else if (arg == "--count")
                exportCount = size_t(std::max(0L, std::atol(value.c_str())));
            else if (arg == "--size")
                exportSize = std::clamp(std::atoi(value.c_str()), 1, 4096);
            else
                holdOut.push_back(value);
        } else if (!arg.empty() && arg[0] == '-') {
            std::fprintf(stderr,
                         "usage: stylegen-data-preview [--cache DIR] [--out PREFIX] [--hold-out STYLE]... "
                         "[wesnoth|crawl|FOLDER]...\n"
                         "       stylegen-data-preview --export STYLE [--count N (50)] [--size S (64)] --out DIR "
                         "[wesnoth|crawl|FOLDER]\n");
            return 2;
        } else {
            sets.push_back(arg);
        }
    }
    if (sets.empty())
        sets = {"wesnoth", "crawl"};

    int failures = 0;
    for (const std::string& set : sets) {
        sgdata::Dataset data;
        std::string error;
        const bool loaded = set == "wesnoth" ? sgdata::loadWesnothUnits(fetch, holdOut, &data, &error)
                            : set == "crawl" ? sgdata::loadCrawlTiles(fetch, &data, &error)
                                             : sgdata::loadImageFolder(set, &data, &error);
        if (!loaded) {
            std::fprintf(stderr, "%s: %s\n", set.c_str(), error.c_str());
            ++failures;
            continue;
        }
        if (!exportName.empty()) {
            if (!exportStyle(data, exportName, exportCount, exportSize, out, &error)) {
                std::fprintf(stderr, "%s\n", error.c_str());
                ++failures;
            }
            continue;
        }
        printSummary(data);
        const std::string sheet = out + "-" + data.name + ".png";
        if (!writeSheet(data, sheet, &error)) {
            std::fprintf(stderr, "%s\n", error.c_str());
            ++failures;
            continue;
        }
        std::printf("sheet: %s\n\n", sheet.c_str());
    }
    return failures ? 1 : 0;
}
