// report.hpp - the outputs of stylegen-eval: a markdown report (tables with
// one row per image source, pasteable into a model card), the same numbers as
// JSON, and a contact sheet of real and generated images per style. Every
// report starts with the command that made it.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "evaluation.hpp"
#include "image.hpp"

namespace sgeval {

std::string markdownReport(const Report& report);

nlohmann::json jsonReport(const Report& report);

/// One line per style; columns in groups of kSampleImages: the real held-out
/// images, then each source's, each group named on top. Scenes are shown
/// repeated 2x2 so their seams are visible. Throws std::runtime_error when
/// the sheet would be too large to open.
sg::cli::Image contactSheet(const Report& report);

}  // namespace sgeval
