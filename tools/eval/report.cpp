// report.cpp - markdown, JSON and the contact sheet of an evaluation.
#include "report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <stdexcept>

#include "bitmap_font.hpp"
#include "contact_sheet.hpp"

namespace sgeval {
namespace detail {

std::string number(double value, const char* format) {
    if (std::isnan(value))
        return "n/a";
    if (std::isinf(value))
        return value > 0 ? "inf" : "-inf";
    char text[64];
    std::snprintf(text, sizeof text, format, value);
    return text;
}

// Labels and paths are the user's: a '|' would split a table cell.
std::string escaped(const std::string& text) {
    std::string out;
    for (char c : text)
        out += c == '|' ? std::string("\\|") : std::string(1, c);
    return out;
}

std::string percent(double value) { return std::isnan(value) ? "n/a" : number(100.0 * value, "%.1f%%"); }

nlohmann::json valueOrNull(double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); }

sg::cli::Image toRgba(const ImageSet& set, size_t i) {
    sg::cli::Image out(uint32_t(set.size), uint32_t(set.size));
    const size_t plane = size_t(set.size) * size_t(set.size);
    for (size_t p = 0; p < plane; ++p)
        for (int ch = 0; ch < 4; ++ch)
            out.pixels[p * 4 + size_t(ch)] = ch < set.channels ? set.image(i)[size_t(ch) * plane + p] : 255;
    return out;
}

nlohmann::json swdJson(const std::vector<int>& resolutions, const SwdSettings& swd) {
    return {{"resolutions", resolutions},
            {"patch_size", swd.patchSize},
            {"patches_per_image", swd.patchesPerImage},
            {"direction_repeats", swd.directionRepeats},
            {"directions_per_repeat", swd.directionsPerRepeat},
            {"seed", swd.seed}};
}

nlohmann::json classifierJson(const ClassifierSummary& c) {
    return {{"styles", c.styles},
            {"epochs", c.options.epochs},
            {"batch", c.options.batch},
            {"learning_rate", c.options.learningRate},
            {"width", c.options.width},
            {"seed", c.options.seed},
            {"feature_dim", c.featureDim},
            {"from_cache", c.fromCache},
            {"held_out_accuracy", valueOrNull(c.heldOutAccuracy)},
            {"held_out_balanced_accuracy", valueOrNull(c.heldOutBalancedAccuracy)}};
}

}  // namespace detail

namespace {

using detail::escaped;
using detail::number;
using detail::percent;
using detail::toRgba;
using detail::valueOrNull;

std::string withCommas(size_t n) {
    std::string digits = std::to_string(n), out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0)
            out += ',';
        out += digits[i];
    }
    return out;
}

// One table: a row per source, a column per style and the overall mean.
void metricTable(const Report& r, std::string* md, const std::string& title,
                 const std::function<std::string(const Metrics&)>& cell) {
    *md += "**" + title + "**\n\n|   |";
    for (const std::string& style : r.styles)
        *md += " " + style + " |";
    *md += " overall |\n|---|";
    for (size_t i = 0; i <= r.styles.size(); ++i)
        *md += "---:|";
    *md += "\n";
    for (const Row& row : r.rows) {
        *md += "| " + escaped(row.label) + " |";
        for (const Metrics& m : row.styles)
            *md += " " + cell(m) + " |";
        *md += " " + cell(row.overall) + " |\n";
    }
    *md += "\n";
}

nlohmann::json metricsJson(const Report& r, const Metrics& m) {
    nlohmann::json perLevel = nlohmann::json::object();
    for (size_t l = 0; l < m.swdPerLevel.size(); ++l)
        perLevel[std::to_string(r.swdResolutions[l])] = valueOrNull(m.swdPerLevel[l]);
    nlohmann::json j = {{"images", m.images},
                        {"chunks", m.chunks},
                        {"swd", valueOrNull(m.swd)},
                        {"swd_per_level", perLevel},
                        {"style_accuracy", valueOrNull(m.accuracy)},
                        {"diversity", valueOrNull(m.diversity)},
                        {"precision", valueOrNull(m.precision)},
                        {"recall", valueOrNull(m.recall)}};
    if (r.scene)
        j["seam_score"] = valueOrNull(m.seam);
    return j;
}

}  // namespace

std::string markdownReport(const Report& r) {
    std::string md;
    const std::string size = std::to_string(r.resolution) + "x" + std::to_string(r.resolution);
    md += "### Quality: " + r.dataName + ", " + size + (r.channels == 4 ? " RGBA" : " RGB") + "\n\n";
    md += "```\n" + r.command + "\n```\n\n";

    size_t train = 0, heldOut = 0;
    for (size_t s = 0; s < r.styles.size(); ++s) {
        train += r.trainImages[s];
        heldOut += r.heldOutImages[s];
    }
    std::string levels;
    for (int res : r.swdResolutions)
        levels += (levels.empty() ? "" : ", ") + std::to_string(res);
    char text[1536];
    std::snprintf(text, sizeof text,
                  "Real data: %s, split per style into %s, fraction %g, seed %llu): %s training images "
                  "(the reference) and %s held-out images over the %zu styles evaluated. Every row is compared with "
                  "the reference in sets of the style's held-out size, so the first row, the held-out split "
                  "itself, is the floor a generator of real images would reach. Style classifier: %zu styles, "
                  "%d epochs, seed %llu, %lld-d features%s; held-out accuracy %s (balanced %s). SWD: "
                  "Laplacian levels %s, %dx%d patches, %d per image, %dx%d directions. Precision/recall: k = %d. "
                  "Wall time %.0f s.\n\n",
                  r.dataName.c_str(), r.groupSplit ? "whole groups (`splitHeldOut`" : "random images (`splitImages`",
                  r.holdOutFraction,
                  (unsigned long long)r.splitSeed, withCommas(train).c_str(), withCommas(heldOut).c_str(),
                  r.styles.size(), r.classifier.styles, r.classifier.options.epochs,
                  (unsigned long long)r.classifier.options.seed,
                  (long long)r.classifier.featureDim, r.classifier.fromCache ? " (cached)" : "",
                  percent(r.classifier.heldOutAccuracy).c_str(), percent(r.classifier.heldOutBalancedAccuracy).c_str(),
                  levels.c_str(),
                  r.swd.patchSize, r.swd.patchSize, r.swd.patchesPerImage, r.swd.directionRepeats,
                  r.swd.directionsPerRepeat, r.k, r.seconds);
    md += text;

    md += "| row | images |\n|---|---|\n";
    for (const Row& row : r.rows)
        md += "| " + escaped(row.label) + " | " + escaped(row.description) + " |\n";
    md += "\n";

    md += "**Overall** (mean over styles; SWD x1e3, lower is better; accuracy, precision and recall higher is better; "
          "diversity should match the real row";
    md += r.scene ? "; seam score 1 = seamless)\n\n" : ")\n\n";
    md += "|   | SWD |";
    for (int res : r.swdResolutions)
        md += " SWD " + std::to_string(res) + " |";
    md += " style accuracy | diversity | precision | recall |";
    md += r.scene ? " seam score |\n|---|---:|" : "\n|---|---:|";
    for (size_t l = 0; l < r.swdResolutions.size() + 4 + (r.scene ? 1 : 0); ++l)
        md += "---:|";
    md += "\n";
    for (const Row& row : r.rows) {
        const Metrics& m = row.overall;
        md += "| " + escaped(row.label) + " | " + number(m.swd, "%.1f") + " |";
        for (double v : m.swdPerLevel)
            md += " " + number(v, "%.1f") + " |";
        md += " " + percent(m.accuracy) + " | " + number(m.diversity, "%.2f") + " | " + number(m.precision, "%.2f") +
              " | " + number(m.recall, "%.2f") + " |";
        md += r.scene ? " " + number(m.seam, "%.2f") + " |\n" : "\n";
    }
    md += "\n";

    md += "**Images per style** (training = the reference; held-out = the set size of SWD and precision/recall)\n\n|   |";
    for (const std::string& style : r.styles)
        md += " " + style + " |";
    md += " total |\n|---|";
    for (size_t i = 0; i <= r.styles.size(); ++i)
        md += "---:|";
    md += "\n| training |";
    for (size_t n : r.trainImages)
        md += " " + std::to_string(n) + " |";
    md += " " + std::to_string(train) + " |\n| held-out |";
    for (size_t n : r.heldOutImages)
        md += " " + std::to_string(n) + " |";
    md += " " + std::to_string(heldOut) + " |\n\n";

    metricTable(r, &md, "SWD x1e3 (mean over levels)", [](const Metrics& m) { return number(m.swd, "%.1f"); });
    metricTable(r, &md, "Style accuracy", [](const Metrics& m) { return percent(m.accuracy); });
    metricTable(r, &md, "Diversity (mean pairwise feature distance)",
                [](const Metrics& m) { return number(m.diversity, "%.2f"); });
    metricTable(r, &md, "Precision", [](const Metrics& m) { return number(m.precision, "%.2f"); });
    metricTable(r, &md, "Recall", [](const Metrics& m) { return number(m.recall, "%.2f"); });
    if (r.scene)
        metricTable(r, &md, "Seam score", [](const Metrics& m) { return number(m.seam, "%.2f"); });
    for (const std::string& note : r.notes)
        md += "- " + note + "\n";
    if (!r.notes.empty())
        md += "\n";
    return md;
}

nlohmann::json jsonReport(const Report& r) {
    nlohmann::json rows = nlohmann::json::array();
    for (const Row& row : r.rows) {
        nlohmann::json styles = nlohmann::json::object();
        for (size_t s = 0; s < r.styles.size(); ++s)
            styles[r.styles[s]] = metricsJson(r, row.styles[s]);
        rows.push_back({{"label", row.label},
                        {"description", row.description},
                        {"floor", row.floor},
                        {"overall", metricsJson(r, row.overall)},
                        {"styles", styles}});
    }
    return {{"command", r.command},
            {"data",
             {{"name", r.dataName},
              {"provenance", r.provenance},
              {"styles", r.styles},
              {"train_images", r.trainImages},
              {"held_out_images", r.heldOutImages},
              {"hold_out_fraction", r.holdOutFraction},
              {"split", r.groupSplit ? "groups" : "images"},
              {"split_seed", r.splitSeed}}},
            {"resolution", r.resolution},
            {"channels", r.channels},
            {"scene", r.scene},
            {"generation",
             {{"count", r.count},
              {"first_seed", r.seed},
              {"psi", r.psi},
              {"seam_size", r.seamSize},
              {"seam_count", r.seamCount}}},
            {"swd", detail::swdJson(r.swdResolutions, r.swd)},
            {"precision_recall_k", r.k},
            {"classifier", detail::classifierJson(r.classifier)},
            {"rows", rows},
            {"notes", r.notes},
            {"seconds", r.seconds}};
}

sg::cli::Image contactSheet(const Report& r) {
    const uint32_t tiles = r.scene ? 2 : 1;
    const uint32_t shown = uint32_t(r.resolution) * tiles;
    const uint32_t scale = std::max(1u, 64 / shown);
    const uint32_t cell = shown * scale;
    const uint32_t perRow = uint32_t(r.rows.size() * kSampleImages);
    const sg::cli::SheetPlan plan = sg::cli::planContactSheet(r.styles, perRow, cell, cell, 0);
    const uint32_t header = sg::cli::textHeight(sg::cli::kLabelScale) + sg::cli::kSheetMargin;
    if (plan.width > sg::cli::kMaxSheetSide || plan.height + header > sg::cli::kMaxSheetSide)
        throw std::runtime_error("the contact sheet would be " + std::to_string(plan.width) + "x" +
                                 std::to_string(plan.height + header) + " pixels; evaluate fewer models or styles");

    std::vector<sg::cli::SheetRow> lines;
    for (size_t s = 0; s < r.styles.size(); ++s) {
        sg::cli::SheetRow line{r.styles[s], {}};
        for (size_t row = 0; row < r.rows.size(); ++row) {
            const ImageSet& samples = r.samples[row][s];
            for (size_t i = 0; i < kSampleImages; ++i) {
                // A style with fewer images leaves its remaining cells transparent.
                const sg::cli::Image image =
                    i < samples.count() ? toRgba(samples, i) : sg::cli::Image(uint32_t(r.resolution), uint32_t(r.resolution));
                line.cells.push_back(sg::cli::upscaleNearest(sg::cli::repeatTiled(image, tiles, tiles), scale));
            }
        }
        lines.push_back(std::move(line));
    }
    const sg::cli::Image body = sg::cli::renderContactSheet(plan, lines);

    // A header line naming each group of columns, in the sheet's own colours.
    sg::cli::Image sheet(body.width, body.height + header);
    for (uint32_t y = 0; y < sheet.height; ++y)
        for (uint32_t x = 0; x < sheet.width; ++x)
            std::copy(body.at(0, 0), body.at(0, 0) + 4, sheet.at(x, y));
    std::copy(body.pixels.begin(), body.pixels.end(), sheet.pixels.begin() + std::ptrdiff_t(size_t(header) * sheet.width * 4));
    const uint8_t colour[4] = {0xE8, 0xE8, 0xE8, 0xFF};
    const uint32_t labelColumn = plan.labelWidth > 0 ? plan.labelWidth + sg::cli::kSheetMargin : 0;
    const uint32_t groupWidth = uint32_t(kSampleImages) * (cell + sg::cli::kSheetGap);
    for (size_t row = 0; row < r.rows.size(); ++row) {
        std::string label = r.rows[row].label;
        while (label.size() > 1 && sg::cli::textWidth(label, sg::cli::kLabelScale) > groupWidth - sg::cli::kSheetGap)
            label.pop_back();
        const uint32_t left = sg::cli::kSheetMargin + labelColumn + uint32_t(row) * groupWidth;
        sg::cli::drawText(&sheet, int32_t(left), int32_t(sg::cli::kSheetMargin), label, sg::cli::kLabelScale, colour);
    }
    return sheet;
}

}  // namespace sgeval
