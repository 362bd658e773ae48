// image.cpp - pixel operations on sg::cli::Image.
#include "image.hpp"

#include <cstring>

namespace sg::cli {

Image upscaleNearest(const Image& image, uint32_t factor) {
    if (factor == 1) return image;
    Image out(image.width * factor, image.height * factor);
    for (uint32_t y = 0; y < out.height; ++y) {
        for (uint32_t x = 0; x < out.width; ++x) {
            std::memcpy(out.at(x, y), image.at(x / factor, y / factor), 4);
        }
    }
    return out;
}

Image repeatTiled(const Image& image, uint32_t timesX, uint32_t timesY) {
    if (timesX == 1 && timesY == 1) return image;
    Image out(image.width * timesX, image.height * timesY);
    const size_t rowBytes = size_t(image.width) * 4;
    for (uint32_t y = 0; y < out.height; ++y) {
        for (uint32_t tx = 0; tx < timesX; ++tx) {
            std::memcpy(out.at(tx * image.width, y), image.at(0, y % image.height), rowBytes);
        }
    }
    return out;
}

}  // namespace sg::cli
