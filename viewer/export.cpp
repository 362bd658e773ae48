// export.cpp - manifest entries and contact sheets.
#include "export.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "contact_sheet.hpp"  // tools/cli

namespace sg::viewer {
namespace {

namespace fs = std::filesystem;
using OrderedJson = nlohmann::ordered_json;

constexpr uint32_t kMinSheetCell = 128;

}  // namespace

std::string fileNamePart(const std::string& text) {
    std::string out;
    for (char c : text) {
        const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                          c == '_';
        out += keep ? c : '-';
    }
    return out.empty() ? "texture" : out;
}

std::string styleLabel(const Recipe& recipe) {
    if (recipe.blend.empty()) return recipe.style;
    std::string label;
    for (const auto& [name, weight] : recipe.blend) {
        if (weight <= 0.0f) continue;
        label += (label.empty() ? "" : "+") + name;
    }
    return label;
}

std::string stylePrompt(const Recipe& recipe) {
    if (recipe.blend.empty()) return recipe.style;
    std::string prompt;
    for (const auto& [name, weight] : recipe.blend) {
        if (weight <= 0.0f) continue;
        char text[32];
        std::snprintf(text, sizeof(text), "%.9g", shortestDouble(weight));  // the shortest double prints as itself
        prompt += (prompt.empty() ? "" : " + ") + name + ":" + text;
    }
    return prompt;
}

std::string bakeManifest(const std::vector<ManifestEntry>& entries, const std::string& manifestFolder) {
    const fs::path folder = fs::absolute(manifestFolder).lexically_normal();
    auto relative = [&](const std::string& model) {
        const fs::path path = fs::path(model).lexically_relative(folder);
        return (path.empty() ? fs::path(model) : path).generic_string();
    };
    OrderedJson manifest;
    manifest["stylegen_manifest"] = 1;
    manifest["model"] = relative(entries.front().recipe.model);
    OrderedJson list = OrderedJson::array();
    for (const ManifestEntry& e : entries) {
        const Recipe& recipe = e.recipe;
        OrderedJson entry;
        entry["name"] = e.name;
        if (recipe.model != entries.front().recipe.model) entry["model"] = relative(recipe.model);
        if (recipe.blend.empty()) {
            entry["style"] = recipe.style;
        } else {
            OrderedJson blend = OrderedJson::object();
            for (const auto& [name, weight] : recipe.blend)  // a 0 weight is the same as none
                if (weight > 0.0f) blend[name] = shortestDouble(weight);
            entry["blend"] = blend;
        }
        entry["seeds"] = e.seeds;
        entry["psi"] = shortestDouble(recipe.psi);
        entry["noise"] = shortestDouble(recipe.noise);
        if (e.interpolation)
            entry["noise_seeds"] = std::vector<uint64_t>(e.seeds.size(), e.interpolation->noiseSeed);
        else if (recipe.noiseSeed)
            entry["noise_seeds"] = std::vector<uint64_t>(e.seeds.size(), *recipe.noiseSeed);
        if (recipe.mix)
            entry["mix"] = {{"seeds", std::vector<uint64_t>(e.seeds.size(), recipe.mix->seed)},
                            {"layer", recipe.mix->layer}};
        if (recipe.width != 0) {
            entry["width"] = recipe.width;
            entry["height"] = recipe.height;
        }
        if (e.interpolation) {
            std::vector<double> amounts;
            for (float t : e.interpolation->amounts) amounts.push_back(shortestDouble(t));
            entry["interpolate"] = {{"seeds", std::vector<uint64_t>(e.seeds.size(), e.interpolation->targetSeed)},
                                    {"amounts", amounts}};
        }
        entry["alpha"] = "straight";
        entry["output"] = e.interpolation ? "{name}_{index}.png" : "{name}_{seed}.png";
        list.push_back(entry);
    }
    manifest["entries"] = list;
    return manifest.dump(2) + "\n";
}

sg::cli::Image gridSheet(const std::vector<sg::cli::Image>& images, uint32_t columns, uint64_t firstSeed) {
    const uint32_t width = images.front().width, height = images.front().height;
    const uint32_t scale = std::max<uint32_t>(1, (kMinSheetCell + std::max(width, height) - 1) / std::max(width, height));
    const uint32_t rowCount = uint32_t((images.size() + columns - 1) / columns);
    std::vector<std::string> labels;
    std::vector<sg::cli::SheetRow> rows;
    for (uint32_t row = 0; row < rowCount; ++row) {
        const size_t first = size_t(row) * columns, last = std::min(images.size(), first + columns);
        sg::cli::SheetRow sheetRow;
        sheetRow.label = "seeds " + std::to_string(firstSeed + first) + "-" + std::to_string(firstSeed + last - 1);
        for (size_t i = first; i < last; ++i) {
            sg::cli::Image cell = sg::cli::upscaleNearest(images[i], scale);
            for (size_t p = 0; p < cell.pixels.size(); p += 4)  // the sheet composites premultiplied cells
                for (int c = 0; c < 3; ++c)
                    cell.pixels[p + c] = uint8_t((uint32_t(cell.pixels[p + c]) * cell.pixels[p + 3] + 127) / 255);
            sheetRow.cells.push_back(std::move(cell));
        }
        labels.push_back(sheetRow.label);
        rows.push_back(std::move(sheetRow));
    }
    const sg::cli::SheetPlan plan = sg::cli::planContactSheet(labels, columns, width * scale, height * scale, columns);
    return sg::cli::renderContactSheet(plan, rows);
}

}  // namespace sg::viewer
