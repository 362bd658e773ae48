// report.hpp - the outputs of stylegen-eval: a markdown report (tables with
// one row per image source, pasteable into a model card), the same numbers as
// JSON, and a contact sheet of real and generated images per style; with
// --restyle the same three for the restyle evaluation. Every report starts
// with the command that made it.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "evaluation.hpp"
#include "image.hpp"
#include "restyle_evaluation.hpp"

namespace sgeval {

std::string markdownReport(const Report& report);

nlohmann::json jsonReport(const Report& report);

/// One line per style; columns in groups of kSampleImages: the real held-out
/// images, then each source's, each group named on top. Scenes are shown
/// repeated 2x2 so their seams are visible. Throws std::runtime_error when
/// the sheet would be too large to open.
sg::cli::Image contactSheet(const Report& report);

/// --restyle: the overall table (each method's style accuracy and shape
/// score), the reconstruction table, per-style and per-pair tables.
std::string restyleMarkdown(const RestyleReport& report);

nlohmann::json restyleJson(const RestyleReport& report);

/// The before/after sheet: a line per sheet row, labelled with its source
/// style; columns input | reconstruction | restyled into each sheet target |
/// colour-transferred into each, named on top. Throws std::runtime_error when
/// the sheet would be too large to open.
sg::cli::Image restyleSheet(const RestyleReport& report);

// Formatting both reports share (report.cpp).
namespace detail {
std::string number(double value, const char* format);  // "n/a" for NaN, "inf" for +infinity
std::string percent(double share);                      // 0.5 -> "50.0%"
std::string escaped(const std::string& text);           // '|' would split a markdown table cell
nlohmann::json valueOrNull(double value);               // NaN -> null
sg::cli::Image toRgba(const ImageSet& set, size_t i);   // planar premultiplied -> interleaved RGBA
nlohmann::json swdJson(const std::vector<int>& resolutions, const SwdSettings& swd);  // the "swd" settings
nlohmann::json classifierJson(const ClassifierSummary& classifier);                   // the "classifier" object
}  // namespace detail

}  // namespace sgeval
