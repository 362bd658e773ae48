// contact_sheet.cpp - contact-sheet layout and compositing.
#include "contact_sheet.hpp"

#include <algorithm>

#include "bitmap_font.hpp"

namespace sg::cli {
namespace {

constexpr uint8_t kBackground[4] = {0x24, 0x26, 0x2B, 0xFF};
constexpr uint8_t kLabelColour[4] = {0xE8, 0xE8, 0xE8, 0xFF};
// Two mid greys: light and dark sprite pixels both stay distinguishable.
constexpr uint8_t kCheckerLight = 0xC4;
constexpr uint8_t kCheckerDark = 0x94;

std::string fitLabel(const std::string& label) {
    if (label.size() <= kMaxLabelChars) return label;
    return label.substr(0, kMaxLabelChars - 2) + "..";
}

void fill(Image* image, const uint8_t rgba[4]) {
    for (size_t i = 0; i < image->pixels.size(); i += 4) {
        std::copy(rgba, rgba + 4, &image->pixels[i]);
    }
}

// Premultiplied `cell` over a checkerboard whose squares start at the cell's
// corner, so every cell shows the same pattern.
void compositeCell(Image* sheet, uint32_t left, uint32_t top, const Image& cell) {
    for (uint32_t y = 0; y < cell.height; ++y) {
        for (uint32_t x = 0; x < cell.width; ++x) {
            const bool light = ((x / kCheckerSize) + (y / kCheckerSize)) % 2 == 0;
            const uint32_t background = light ? kCheckerLight : kCheckerDark;
            const uint8_t* src = cell.at(x, y);
            uint8_t* dst = sheet->at(left + x, top + y);
            for (int c = 0; c < 3; ++c) {
                const uint32_t value = src[c] + (background * (255u - src[3]) + 127u) / 255u;
                dst[c] = uint8_t(std::min<uint32_t>(value, 255));
            }
            dst[3] = 255;
        }
    }
}

}  // namespace

SheetPlan planContactSheet(const std::vector<std::string>& labels, uint32_t cellsPerRow, uint32_t cellWidth,
                           uint32_t cellHeight, uint32_t maxColumns) {
    SheetPlan plan;
    plan.cellWidth = cellWidth;
    plan.cellHeight = cellHeight;
    plan.columns = std::max<uint32_t>(1, maxColumns == 0 ? cellsPerRow : std::min(maxColumns, cellsPerRow));
    plan.linesPerRow = std::max<uint32_t>(1, (cellsPerRow + plan.columns - 1) / plan.columns);
    for (const std::string& label : labels) {
        plan.labelWidth = std::max(plan.labelWidth, textWidth(fitLabel(label), kLabelScale));
    }
    plan.lineHeight = std::max(cellHeight, plan.labelWidth > 0 ? textHeight(kLabelScale) : 0u);

    const uint64_t labelColumn = plan.labelWidth > 0 ? uint64_t(plan.labelWidth) + kSheetMargin : 0;
    const uint64_t lines = uint64_t(labels.size()) * plan.linesPerRow;
    plan.width = 2 * kSheetMargin + labelColumn + uint64_t(plan.columns) * cellWidth +
                 uint64_t(plan.columns - 1) * kSheetGap;
    plan.height = 2 * kSheetMargin + lines * plan.lineHeight + (lines > 0 ? lines - 1 : 0) * kSheetGap;
    return plan;
}

Image renderContactSheet(const SheetPlan& plan, const std::vector<SheetRow>& rows) {
    Image sheet(uint32_t(plan.width), uint32_t(plan.height));
    fill(&sheet, kBackground);
    const uint32_t labelColumn = plan.labelWidth > 0 ? plan.labelWidth + kSheetMargin : 0;
    uint32_t line = 0;
    for (const SheetRow& row : rows) {
        const uint32_t rowTop = kSheetMargin + line * (plan.lineHeight + kSheetGap);
        if (plan.labelWidth > 0) {
            const uint32_t textTop = rowTop + (plan.lineHeight - textHeight(kLabelScale)) / 2;
            drawText(&sheet, int32_t(kSheetMargin), int32_t(textTop), fitLabel(row.label), kLabelScale, kLabelColour);
        }
        for (size_t i = 0; i < row.cells.size(); ++i) {
            const uint32_t column = uint32_t(i % plan.columns);
            const uint32_t lineTop = rowTop + uint32_t(i / plan.columns) * (plan.lineHeight + kSheetGap);
            const uint32_t left = kSheetMargin + labelColumn + column * (plan.cellWidth + kSheetGap);
            compositeCell(&sheet, left, lineTop + (plan.lineHeight - plan.cellHeight) / 2, row.cells[i]);
        }
        line += plan.linesPerRow;
    }
    return sheet;
}

}  // namespace sg::cli
