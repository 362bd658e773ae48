// image.hpp - the CLI's in-memory RGBA8 image and the pixel operations it
// applies before writing: nearest-neighbour upscale and tiling.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sg::cli {

// 8-bit RGBA, rows top to bottom, tightly packed. Straight or premultiplied
// alpha, as the SDK was asked to generate it.
struct Image {
    uint32_t width = 0;
    uint32_t height = 0;
    std::vector<uint8_t> pixels;  // width * height * 4

    Image() = default;
    Image(uint32_t w, uint32_t h) : width(w), height(h), pixels(size_t(w) * h * 4) {}

    uint8_t* at(uint32_t x, uint32_t y) { return &pixels[(size_t(y) * width + x) * 4]; }
    const uint8_t* at(uint32_t x, uint32_t y) const { return &pixels[(size_t(y) * width + x) * 4]; }
};

// Each pixel becomes a factor x factor block: pixel art stays crisp.
Image upscaleNearest(const Image& image, uint32_t factor);

// The image repeated timesX across and timesY down, to show that it tiles.
Image repeatTiled(const Image& image, uint32_t timesX, uint32_t timesY);

}  // namespace sg::cli
