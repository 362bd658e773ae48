#include "output_files.hpp"

#include <cstdint>
#include <sstream>
#include <vector>

#include "png_file.hpp"  // tools/cli: writeFileAtomically, encodePng

namespace sgt {

bool writeAtomically(const std::string& path, const std::function<void(std::ostream&)>& write, std::string* error) {
    std::ostringstream stream(std::ios::binary);
    try {
        write(stream);
    } catch (const std::exception& e) {
        *error = "cannot write " + path + ": " + e.what();
        return false;
    }
    if (!stream) {
        *error = "cannot write " + path + ": the serialiser failed";
        return false;
    }
    const std::string bytes = stream.str();
    return sg::cli::writeFileAtomically(path, bytes, error);
}

bool writeTextAtomically(const std::string& path, const std::string& text, std::string* error) {
    return sg::cli::writeFileAtomically(path, text, error);
}

namespace {
bool writePng(const std::string& path, const uint8_t* pixels, int64_t width, int64_t height, int channels,
              std::string* error) {
    std::vector<uint8_t> png;
    if (!sg::cli::encodePng(pixels, uint32_t(width), uint32_t(height), channels, &png)) {
        *error = "cannot encode " + std::to_string(width) + "x" + std::to_string(height) + " PNG " + path;
        return false;
    }
    return sg::cli::writeFileAtomically(path, png, error);
}
}  // namespace

bool writeImageGrid(const std::string& path, const torch::Tensor& gridIn, std::string* error) {
    auto grid = gridIn.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    const int64_t rows = grid.size(0), cols = grid.size(1), h = grid.size(3), w = grid.size(4);
    const int64_t gap = 2, width = cols * (w + gap) + gap, height = rows * (h + gap) + gap;
    std::vector<uint8_t> rgb(size_t(width * height * 3), 40);
    auto a = grid.accessor<float, 5>();
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c)
            for (int64_t y = 0; y < h; ++y)
                for (int64_t x = 0; x < w; ++x) {
                    float bg = ((x / 8 + y / 8) & 1) ? 0.55f : 0.45f;
                    float alpha = a[r][c][3][y][x];
                    uint8_t* p = &rgb[size_t(((r * (h + gap) + gap + y) * width + c * (w + gap) + gap + x) * 3)];
                    for (int k = 0; k < 3; ++k) {
                        float v = a[r][c][k][y][x] + bg * (1.0f - alpha);  // premultiplied "over"
                        p[k] = uint8_t(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f));
                    }
                }
    return writePng(path, rgb.data(), width, height, 3, error);
}

bool writeImagePng(const std::string& path, const torch::Tensor& imageIn, std::string* error) {
    auto image = imageIn.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    const int64_t h = image.size(1), w = image.size(2);
    std::vector<uint8_t> rgba(size_t(w * h * 4));
    auto a = image.accessor<float, 3>();
    auto unit = [](float v) { return v > 0.0f ? (v < 1.0f ? v : 1.0f) : 0.0f; };
    for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x) {
            uint8_t* p = &rgba[size_t((y * w + x) * 4)];
            const float alpha = unit(a[3][y][x]);
            const float inv = alpha > 0.0f ? 1.0f / alpha : 0.0f;  // transparent pixels have no colour
            for (int k = 0; k < 3; ++k)
                p[k] = uint8_t(unit(a[k][y][x] * inv) * 255.0f + 0.5f);
            p[3] = uint8_t(alpha * 255.0f + 0.5f);
        }
    return writePng(path, rgba.data(), w, h, 4, error);
}

}  // namespace sgt
