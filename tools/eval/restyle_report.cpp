// restyle_report.cpp - markdown, JSON and the before/after sheet of
// stylegen-eval --restyle.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <stdexcept>

#include "bitmap_font.hpp"
#include "contact_sheet.hpp"
#include "report.hpp"

namespace sgeval {
namespace {

using detail::escaped;
using detail::number;
using detail::percent;
using detail::toRgba;
using detail::valueOrNull;

std::string shapeName(const RestyleReport& r) { return r.scene ? "structure error" : "silhouette IoU"; }
std::string shapeTitle(const RestyleReport& r) { return r.scene ? "Structure error" : "Silhouette IoU"; }
std::string shapeKey(const RestyleReport& r) { return r.scene ? "structure_error" : "silhouette_iou"; }
std::string shape(double value) { return number(value, "%.2f"); }

// Accuracy as a share of the classifier's on real held-out images of the evaluated styles.
double ofReal(const RestyleReport& r, double accuracy) { return accuracy / r.realAccuracyMean; }

// A table with a column per style and one for the overall value.
void styleTable(const RestyleReport& r, std::string* md, const std::string& title, const std::string& corner,
                const std::vector<std::pair<std::string, std::function<std::string(size_t)>>>& rows,
                const std::vector<std::string>& overall) {
    *md += "**" + title + "**\n\n| " + corner + " |";
    for (const std::string& style : r.styles)
        *md += " " + style + " |";
    *md += " overall |\n|---|";
    for (size_t i = 0; i <= r.styles.size(); ++i)
        *md += "---:|";
    *md += "\n";
    for (size_t k = 0; k < rows.size(); ++k) {
        *md += "| " + escaped(rows[k].first) + " |";
        for (size_t s = 0; s < r.styles.size(); ++s)
            *md += " " + rows[k].second(s) + " |";
        *md += " " + overall[k] + " |\n";
    }
    *md += "\n";
}

// PSNR may be +infinity (identical images), which JSON numbers cannot hold.
nlohmann::json psnrJson(double v) { return std::isinf(v) ? nlohmann::json("inf") : valueOrNull(v); }

nlohmann::json scoreJson(const RestyleReport& r, const StyleAndShape& s) {
    return {{"images", s.images},
            {"style_accuracy", valueOrNull(s.accuracy)},
            {"of_real", valueOrNull(ofReal(r, s.accuracy))},
            {shapeKey(r), valueOrNull(s.shape)}};
}

nlohmann::json reconstructionJson(const RestyleReport& r, const Reconstruction& c) {
    return {{"images", c.images},
            {"mse", valueOrNull(c.mse)},
            {"psnr", psnrJson(c.psnr)},
            {"swd", valueOrNull(c.swd)},
            {shapeKey(r), valueOrNull(c.shape)},
            {"style_accuracy", valueOrNull(c.accuracy)},
            {"input_style_accuracy", valueOrNull(c.inputAccuracy)},
            {"random_sample", {{"psnr", psnrJson(c.samplePsnr)}, {"swd", valueOrNull(c.sampleSwd)},
                               {shapeKey(r), valueOrNull(c.sampleShape)}}}};
}

// `text` shortened until it fits `width` pixels at `scale`.
std::string fitted(std::string text, uint32_t width, uint32_t scale) {
    while (text.size() > 1 && sg::cli::textWidth(text, scale) > width)
        text.pop_back();
    return text;
}

}  // namespace

std::string restyleMarkdown(const RestyleReport& r) {
    std::string md;
    const std::string size = std::to_string(r.resolution) + "x" + std::to_string(r.resolution);
    md += "### Restyle: " + r.dataName + ", " + size + (r.channels == 4 ? " RGBA" : " RGB") + ", " + r.label + "\n\n";
    md += "```\n" + r.command + "\n```\n\n";

    size_t inputs = 0;
    for (size_t n : r.inputs)
        inputs += n;
    const size_t pairs = r.styles.size() * (r.styles.size() - 1);
    std::string strengths;
    for (float s : r.strengths)
        strengths += (strengths.empty() ? "" : ", ") + number(double(s), "%g");
    std::string heldOutStyles;
    for (const std::string& style : r.holdOut)
        heldOutStyles += (heldOutStyles.empty() ? "; " : ", ") + style;
    if (!heldOutStyles.empty())
        heldOutStyles += " left out of the data";
    char text[4096];
    std::snprintf(
        text, sizeof text,
        "Model %s (`%s`, content %s...), restyled through `sgRestyle` with the source style given, strength %s, "
        "%u refinement steps. Inputs: per style up to %u of its held-out real images (%s%s, split into %s, "
        "fraction %g, seed %llu), evenly spread over the split: %zu in all, each restyled into the %zu other styles "
        "(%zu source/target pairs). Baselines on the same inputs: colour transfer (AdaIN: per channel, the input's "
        "mean and standard deviation of straight colour over its opaque pixels moved to the target style's over its "
        "training split; alpha unchanged), a random sample of the target style (seeds %llu.., psi %g) and the "
        "nearest real image of the target (the training image of the target style whose shape is closest to the "
        "input's: what a real image of the target keeps of the shape at best; the classifier trained on these "
        "images, so its accuracy on them is optimistic). Style "
        "accuracy: the share of results a classifier trained on the real training split (%zu styles, %d epochs, "
        "seed %llu%s) assigns to the target style; on real held-out images it scores %s over all styles "
        "(balanced %s) and %s on average over the evaluated styles, which \"of real\" divides by. Shape: %s. "
        "Wall time %.0f s.\n\n",
        r.modelPath.c_str(), r.modelName.c_str(), r.contentHash.c_str(), strengths.c_str(), r.refinementSteps,
        r.count, r.dataName.c_str(), heldOutStyles.c_str(), r.groupSplit ? "whole groups" : "random images", r.holdOutFraction,
        (unsigned long long)r.splitSeed, inputs, r.styles.size() - 1, pairs, (unsigned long long)r.seed,
        double(r.psi), r.classifier.styles, r.classifier.options.epochs, (unsigned long long)r.classifier.options.seed,
        r.classifier.fromCache ? ", cached" : "", percent(r.classifier.heldOutAccuracy).c_str(),
        percent(r.classifier.heldOutBalancedAccuracy).c_str(), percent(r.realAccuracyMean).c_str(),
        r.scene ? "low-pass structure error with the input (luminance blurred at sigma = size / 8, each image's "
                  "mean removed; mean absolute difference in 8-bit levels, lower = structure kept)"
                : "silhouette IoU with the input (alpha > 0.5; 1 = the same silhouette)",
        r.seconds);
    md += text;

    md += "**Overall** (mean over the " + std::to_string(pairs) + " source/target pairs)\n\n";
    md += "| method | style accuracy | of real | " + shapeName(r) + " |\n|---|---:|---:|---:|\n";
    md += "| real held-out (the classifier) | " + percent(r.realAccuracyMean) + " | 100% | - |\n";
    for (const RestyleMethod& m : r.methods)
        md += "| " + m.label + " | " + percent(m.overall.accuracy) + " | " +
              number(100.0 * ofReal(r, m.overall.accuracy), "%.0f%%") + " | " + shape(m.overall.shape) + " |\n";
    md += "\n";

    const Reconstruction& all = r.reconstructionOverall;
    md += "**Reconstruction** (strength 0: the encoder alone, " + std::to_string(r.refinementSteps) +
          " refinement steps; PSNR in dB on " + (r.scene ? "RGB" : "premultiplied RGBA") +
          ", SWD x1e3 against the inputs; the same for a random sample of the style in place of the "
          "reconstruction)\n\n";
    md += "| style | inputs | PSNR | SWD | " + shapeName(r) +
          " | style accuracy | inputs' style accuracy | sample PSNR | sample SWD | sample " + shapeName(r) +
          " |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    auto reconstructionRow = [&](const std::string& name, const Reconstruction& c) {
        md += "| " + name + " | " + std::to_string(c.images) + " | " + number(c.psnr, "%.1f") + " | " +
              number(c.swd, "%.1f") + " | " + shape(c.shape) + " | " + percent(c.accuracy) + " | " +
              percent(c.inputAccuracy) + " | " + number(c.samplePsnr, "%.1f") + " | " + number(c.sampleSwd, "%.1f") +
              " | " + shape(c.sampleShape) + " |\n";
    };
    for (size_t s = 0; s < r.styles.size(); ++s)
        reconstructionRow(r.styles[s], r.reconstruction[s]);
    reconstructionRow("**overall**", all);
    md += "\nOverall PSNR is from the mean of the styles' mean squared errors; the other columns are means over "
          "styles.\n\n";

    std::vector<std::pair<std::string, std::function<std::string(size_t)>>> rows;
    std::vector<std::string> overall;
    rows.push_back({"real held-out", [&](size_t s) { return percent(r.realAccuracy[s]); }});
    overall.push_back(percent(r.realAccuracyMean));
    for (const RestyleMethod& m : r.methods) {
        rows.push_back({m.label, [&m](size_t s) { return percent(m.byTarget[s].accuracy); }});
        overall.push_back(percent(m.overall.accuracy));
    }
    styleTable(r, &md, "Style accuracy by target style (mean over the sources)", "target", rows, overall);

    rows.clear();
    overall.clear();
    for (const RestyleMethod& m : r.methods) {
        rows.push_back({m.label, [&m](size_t s) { return shape(m.bySource[s].shape); }});
        overall.push_back(shape(m.overall.shape));
    }
    styleTable(r, &md, shapeTitle(r) + " by source style (mean over the targets)", "source", rows, overall);

    for (const RestyleMethod& m : r.methods) {
        if (m.key != "restyle")
            continue;
        for (int metric = 0; metric < 2; ++metric) {
            md += "**" + m.label + ": " + (metric == 0 ? std::string("style accuracy") : shapeName(r)) +
                  " per pair** (rows: source, columns: target)\n\n| source |";
            for (const std::string& style : r.styles)
                md += " " + style + " |";
            md += "\n|---|";
            for (size_t i = 0; i < r.styles.size(); ++i)
                md += "---:|";
            md += "\n";
            for (size_t a = 0; a < r.styles.size(); ++a) {
                md += "| " + r.styles[a] + " |";
                for (size_t b = 0; b < r.styles.size(); ++b)
                    md += a == b ? std::string(" - |")
                                 : " " + (metric == 0 ? percent(m.pairs[a][b].accuracy) : shape(m.pairs[a][b].shape)) +
                                       " |";
                md += "\n";
            }
            md += "\n";
        }
    }

    md += "**Images per style** (training: the colour transfer's statistics and the classifier's data)\n\n|   |";
    for (const std::string& style : r.styles)
        md += " " + style + " |";
    md += "\n|---|";
    for (size_t i = 0; i < r.styles.size(); ++i)
        md += "---:|";
    md += "\n";
    const std::pair<const char*, const std::vector<size_t>*> counts[] = {
        {"training", &r.trainImages}, {"held-out", &r.heldOutImages}, {"inputs", &r.inputs}};
    for (const auto& [name, values] : counts) {
        md += std::string("| ") + name + " |";
        for (size_t n : *values)
            md += " " + std::to_string(n) + " |";
        md += "\n";
    }
    md += "\n";
    for (const std::string& note : r.notes)
        md += "- " + note + "\n";
    if (!r.notes.empty())
        md += "\n";
    return md;
}

nlohmann::json restyleJson(const RestyleReport& r) {
    nlohmann::json reconstruction = nlohmann::json::object();
    for (size_t s = 0; s < r.styles.size(); ++s)
        reconstruction[r.styles[s]] = reconstructionJson(r, r.reconstruction[s]);
    nlohmann::json methods = nlohmann::json::array();
    for (const RestyleMethod& m : r.methods) {
        nlohmann::json byTarget = nlohmann::json::object(), bySource = nlohmann::json::object(),
                       pairs = nlohmann::json::object();
        for (size_t a = 0; a < r.styles.size(); ++a) {
            byTarget[r.styles[a]] = scoreJson(r, m.byTarget[a]);
            bySource[r.styles[a]] = scoreJson(r, m.bySource[a]);
            nlohmann::json targets = nlohmann::json::object();
            for (size_t b = 0; b < r.styles.size(); ++b)
                if (a != b)
                    targets[r.styles[b]] = scoreJson(r, m.pairs[a][b]);
            pairs[r.styles[a]] = targets;
        }
        nlohmann::json j = {{"label", m.label}, {"method", m.key},         {"overall", scoreJson(r, m.overall)},
                            {"by_target", byTarget}, {"by_source", bySource}, {"pairs", pairs}};
        if (m.key == "restyle")
            j["strength"] = m.strength;
        methods.push_back(j);
    }
    nlohmann::json realAccuracy = nlohmann::json::object();
    for (size_t s = 0; s < r.styles.size(); ++s)
        realAccuracy[r.styles[s]] = valueOrNull(r.realAccuracy[s]);
    return {{"command", r.command},
            {"mode", "restyle"},
            {"data",
             {{"name", r.dataName},
              {"provenance", r.provenance},
              {"styles", r.styles},
              {"train_images", r.trainImages},
              {"held_out_images", r.heldOutImages},
              {"inputs", r.inputs},
              {"hold_out_fraction", r.holdOutFraction},
              {"split", r.groupSplit ? "groups" : "images"},
              {"split_seed", r.splitSeed},
              {"hold_out", r.holdOut}}},
            {"model", {{"path", r.modelPath}, {"name", r.modelName}, {"content_hash", r.contentHash}, {"label", r.label}}},
            {"resolution", r.resolution},
            {"channels", r.channels},
            {"scene", r.scene},
            {"restyle",
             {{"strengths", r.strengths},
              {"refinement_steps", r.refinementSteps},
              {"inputs_per_style", r.count},
              {"source_style", "given"}}},
            {"random_sample", {{"first_seed", r.seed}, {"psi", r.psi}}},
            {"shape_metric", shapeKey(r)},
            {"swd", detail::swdJson(r.swdResolutions, r.swd)},
            {"classifier", detail::classifierJson(r.classifier)},
            {"real_style_accuracy", {{"styles", realAccuracy}, {"mean", valueOrNull(r.realAccuracyMean)}}},
            {"reconstruction", {{"overall", reconstructionJson(r, r.reconstructionOverall)}, {"styles", reconstruction}}},
            {"methods", methods},
            {"notes", r.notes},
            {"seconds", r.seconds}};
}

sg::cli::Image restyleSheet(const RestyleReport& r) {
    using namespace sg::cli;
    const uint32_t scale = std::max(1, 64 / r.resolution);
    const uint32_t cell = uint32_t(r.resolution) * scale;
    const size_t targets = r.sheetTargets.size();
    const uint32_t columns = uint32_t(2 + 2 * targets);
    const SheetPlan plan = planContactSheet(r.sheetLabels, columns, cell, cell, 0);
    // Two header lines: what each column group is, then the target styles.
    const uint32_t header = textHeight(kLabelScale) + kSheetGap + textHeight(1) + kSheetMargin;
    if (plan.width > kMaxSheetSide || plan.height + header > kMaxSheetSide)
        throw std::runtime_error("the restyle sheet would be " + std::to_string(plan.width) + "x" +
                                 std::to_string(plan.height + header) + " pixels; evaluate fewer styles");

    std::vector<SheetRow> lines;
    for (size_t row = 0; row < r.sheetRows.size(); ++row) {
        SheetRow line{r.sheetLabels[row], {}};
        for (size_t c = 0; c < columns; ++c)
            line.cells.push_back(upscaleNearest(toRgba(r.sheetRows[row], c), scale));
        lines.push_back(std::move(line));
    }
    const Image body = renderContactSheet(plan, lines);

    Image sheet(body.width, body.height + header);
    for (uint32_t y = 0; y < sheet.height; ++y)
        for (uint32_t x = 0; x < sheet.width; ++x)
            std::copy(body.at(0, 0), body.at(0, 0) + 4, sheet.at(x, y));
    std::copy(body.pixels.begin(), body.pixels.end(), sheet.pixels.begin() + std::ptrdiff_t(size_t(header) * sheet.width * 4));
    const uint8_t colour[4] = {0xE8, 0xE8, 0xE8, 0xFF};
    const uint32_t left = kSheetMargin + (plan.labelWidth > 0 ? plan.labelWidth + kSheetMargin : 0);
    const uint32_t step = cell + kSheetGap;
    const int32_t top = int32_t(kSheetMargin), second = top + int32_t(textHeight(kLabelScale) + kSheetGap);
    auto label = [&](uint32_t column, uint32_t span, int32_t y, const std::string& text, uint32_t textScale) {
        drawText(&sheet, int32_t(left + column * step), y, fitted(text, span * step - kSheetGap, textScale), textScale,
                 colour);
    };
    label(0, 1, top, "input", kLabelScale);
    label(1, 1, top, "recon", kLabelScale);
    label(2, uint32_t(targets), top, "restyle s=" + number(double(r.strengths.front()), "%g"), kLabelScale);
    label(uint32_t(2 + targets), uint32_t(targets), top, "AdaIN", kLabelScale);
    for (size_t t = 0; t < targets; ++t) {
        label(uint32_t(2 + t), 1, second, r.styles[r.sheetTargets[t]], 1);
        label(uint32_t(2 + targets + t), 1, second, r.styles[r.sheetTargets[t]], 1);
    }
    return sheet;
}

}  // namespace sgeval
