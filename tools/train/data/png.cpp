// png.cpp - PNG decode and encode through stb, the library's only stb translation unit.
#include "dataset.hpp"
#include "png_file.hpp"  // tools/cli: writeFileAtomically

// Static: other targets of the project (the CLI, the trainer's output writer)
// link their own stb; private copies cannot clash with them.
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_MAX_DIMENSIONS 16384  // bounds the allocation a hostile header can request
#include <stb/stb_image.h>

#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

namespace sgdata {

bool loadPng(const std::string& path, int* width, int* height, std::vector<uint8_t>* rgba, std::string* error) {
    int w = 0, h = 0, channelsInFile = 0;
    stbi_uc* pixels = stbi_load(path.c_str(), &w, &h, &channelsInFile, 4);
    if (!pixels) {
        *error = "cannot decode PNG " + path + ": " + stbi_failure_reason();
        return false;
    }
    rgba->assign(pixels, pixels + size_t(w) * size_t(h) * 4);
    stbi_image_free(pixels);
    *width = w;
    *height = h;
    return true;
}

bool writePng(const std::string& path, int width, int height, int channels, const uint8_t* pixels,
              std::string* error) {
    if (width <= 0 || height <= 0 || width > STBI_MAX_DIMENSIONS || height > STBI_MAX_DIMENSIONS ||
        channels < 1 || channels > 4 || !pixels) {
        *error = "cannot write PNG " + path + ": bad size " + std::to_string(width) + "x" +
                 std::to_string(height) + "x" + std::to_string(channels);
        return false;
    }
    std::vector<uint8_t> png;
    const auto append = [](void* context, void* data, int size) {
        auto* bytes = static_cast<std::vector<uint8_t>*>(context);
        bytes->insert(bytes->end(), static_cast<const uint8_t*>(data), static_cast<const uint8_t*>(data) + size);
    };
    if (!stbi_write_png_to_func(append, &png, width, height, channels, pixels, width * channels)) {
        *error = "cannot encode PNG " + path;
        return false;
    }
    // Temporary file + rename: a killed run or a full disk leaves no partial PNG.
    return sg::cli::writeFileAtomically(path, png, error);
}

}  // namespace sgdata
