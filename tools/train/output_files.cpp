#include "output_files.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>
#include <vector>

#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

namespace sgt {

namespace {
bool fsyncFile(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0)
        return false;
    bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
}
}  // namespace

bool writeAtomically(const std::string& path, const std::function<void(const std::string&)>& write,
                     std::string* error) {
    std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    try {
        write(tmp);
    } catch (const std::exception& e) {
        std::remove(tmp.c_str());
        *error = "cannot write " + path + ": " + e.what();
        return false;
    }
    if (!fsyncFile(tmp) || std::rename(tmp.c_str(), path.c_str()) != 0) {
        *error = "cannot write " + path + ": " + std::strerror(errno);
        std::remove(tmp.c_str());
        return false;
    }
    return true;
}

bool writeTextAtomically(const std::string& path, const std::string& text, std::string* error) {
    return writeAtomically(
        path,
        [&](const std::string& tmp) {
            FILE* f = std::fopen(tmp.c_str(), "wb");
            if (!f)
                throw std::runtime_error(std::strerror(errno));
            bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
            ok = (std::fclose(f) == 0) && ok;
            if (!ok)
                throw std::runtime_error(std::strerror(errno));
        },
        error);
}

bool writeImageGrid(const std::string& path, const torch::Tensor& gridIn, std::string* error) {
    auto grid = gridIn.detach().to(torch::kFloat32).contiguous();
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
    return writeAtomically(
        path,
        [&](const std::string& tmp) {
            if (!stbi_write_png(tmp.c_str(), int(width), int(height), 3, rgb.data(), int(width * 3)))
                throw std::runtime_error("PNG encoder failed");
        },
        error);
}

bool writeImagePng(const std::string& path, const torch::Tensor& imageIn, std::string* error) {
    auto image = imageIn.detach().to(torch::kFloat32).contiguous();
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
    return writeAtomically(
        path,
        [&](const std::string& tmp) {
            if (!stbi_write_png(tmp.c_str(), int(w), int(h), 4, rgba.data(), int(w * 4)))
                throw std::runtime_error("PNG encoder failed");
        },
        error);
}

}  // namespace sgt
