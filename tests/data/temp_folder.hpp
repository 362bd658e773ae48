// temp_folder.hpp - a scratch folder per test, removed afterwards, and small
// helpers to fill it with PNGs and other files.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "dataset.hpp"

class TempFolder {
public:
    TempFolder() {
        std::string pattern = (std::filesystem::temp_directory_path() / "stylegen-data-test-XXXXXX").string();
        if (mkdtemp(pattern.data()))
            path_ = pattern;
        EXPECT_FALSE(path_.empty()) << "mkdtemp failed";
    }
    ~TempFolder() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempFolder(const TempFolder&) = delete;
    TempFolder& operator=(const TempFolder&) = delete;

    const std::string& path() const { return path_; }
    std::string operator/(const std::string& relative) const { return path_ + "/" + relative; }

    // Writes a PNG (creating folders on the way); pixels has width * height * channels bytes.
    void png(const std::string& relative, int width, int height, int channels, const std::vector<uint8_t>& pixels) {
        makeParent(relative);
        std::string error;
        ASSERT_TRUE(sgdata::writePng(*this / relative, width, height, channels, pixels.data(), &error)) << error;
    }
    // A solid RGBA PNG.
    void solidPng(const std::string& relative, int width, int height, uint8_t r, uint8_t g, uint8_t b, uint8_t a) {
        std::vector<uint8_t> pixels(size_t(width) * size_t(height) * 4);
        for (size_t i = 0; i < pixels.size(); i += 4) {
            pixels[i] = r;
            pixels[i + 1] = g;
            pixels[i + 2] = b;
            pixels[i + 3] = a;
        }
        png(relative, width, height, 4, pixels);
    }
    void file(const std::string& relative, const std::string& contents) {
        makeParent(relative);
        std::ofstream(*this / relative, std::ios::binary) << contents;
    }

private:
    void makeParent(const std::string& relative) {
        std::filesystem::create_directories(std::filesystem::path(*this / relative).parent_path());
    }
    std::string path_;
};
