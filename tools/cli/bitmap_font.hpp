// bitmap_font.hpp - a tiny embedded 5x7 ASCII font for contact-sheet labels,
// so the CLI needs no font files and its sheets look the same everywhere.
#pragma once

#include <cstdint>
#include <string_view>

#include "image.hpp"

namespace sg::cli {

constexpr uint32_t kGlyphWidth = 5;
constexpr uint32_t kGlyphHeight = 7;
constexpr uint32_t kGlyphSpacing = 1;  // blank column between glyphs, in font pixels

// Width and height of `text` drawn at `scale` (font pixel -> scale x scale).
// No spacing after the last glyph.
uint32_t textWidth(std::string_view text, uint32_t scale);
constexpr uint32_t textHeight(uint32_t scale) { return kGlyphHeight * scale; }

// Draws `text` with its top-left corner at (x, y), clipped to the image.
// Bytes outside printable ASCII (such as UTF-8 sequences) draw as '?'.
void drawText(Image* image, int32_t x, int32_t y, std::string_view text, uint32_t scale, const uint8_t rgba[4]);

}  // namespace sg::cli
