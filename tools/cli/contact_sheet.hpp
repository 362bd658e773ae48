// contact_sheet.hpp - lays generated images out on one PNG for review: one row
// per style, one column per seed, each image over a checkerboard so alpha is
// visible, the style's name at the start of its row.
//
//   SheetPlan plan = planContactSheet(labels, seedCount, cellW, cellH, 0);
//   if (plan.width > kMaxSheetSide || plan.height > kMaxSheetSide) ...;
//   Image sheet = renderContactSheet(plan, rows);
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "image.hpp"

namespace sg::cli {

// Sheet pixels. Documented in docs/cli.md, which gives the size formula.
constexpr uint32_t kSheetMargin = 8;   // outer border, and between labels and cells
constexpr uint32_t kSheetGap = 4;      // between cells
constexpr uint32_t kLabelScale = 2;    // 5x7 glyphs drawn at 10x14
constexpr uint32_t kCheckerSize = 8;   // checkerboard square
constexpr size_t kMaxLabelChars = 32;  // longer labels end in ".."
// Larger sheets are refused: they would not open in most image viewers.
constexpr uint64_t kMaxSheetSide = 32768;

struct SheetRow {
    std::string label;
    std::vector<Image> cells;  // premultiplied RGBA, all cellWidth x cellHeight
};

struct SheetPlan {
    uint32_t cellWidth = 0;
    uint32_t cellHeight = 0;
    uint32_t columns = 0;      // cells per line
    uint32_t linesPerRow = 0;  // a row with more cells than columns wraps; its label is on the first line
    uint32_t lineHeight = 0;   // max(cellHeight, label height)
    uint32_t labelWidth = 0;   // widest label in pixels, 0 when every label is empty
    uint64_t width = 0;
    uint64_t height = 0;
};

// `cellsPerRow` images in each of labels.size() rows; `maxColumns` 0 puts a
// whole row on one line.
SheetPlan planContactSheet(const std::vector<std::string>& labels, uint32_t cellsPerRow, uint32_t cellWidth,
                           uint32_t cellHeight, uint32_t maxColumns);

// An opaque sheet of plan.width x plan.height; `rows` must match the plan
// (one per label it was planned with, cellsPerRow cells each).
Image renderContactSheet(const SheetPlan& plan, const std::vector<SheetRow>& rows);

}  // namespace sg::cli
