// files.cpp - file reading, PNG discovery and the skip log shared by the loaders.
#include "internal.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace sgdata {

bool readFile(const std::string& path, std::string* contents, std::string* error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        *error = "cannot open " + path + ": " + std::strerror(errno);
        return false;
    }
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (in.bad()) {
        *error = "cannot read " + path;
        return false;
    }
    *contents = bytes.str();
    return true;
}

bool findPngs(const std::string& folder, std::vector<std::string>* relativePaths, std::string* error) {
    relativePaths->clear();
    std::error_code ec;
    fs::recursive_directory_iterator it(folder, ec), end;
    if (ec) {
        *error = "cannot list " + folder + ": " + ec.message();
        return false;
    }
    for (; it != end; it.increment(ec)) {
        if (ec) {
            *error = "cannot list " + folder + ": " + ec.message();
            return false;
        }
        std::error_code typeError;
        if (!it->is_regular_file(typeError))
            continue;
        std::string extension = it->path().extension().string();
        std::transform(extension.begin(), extension.end(), extension.begin(),
                       [](unsigned char c) { return char(std::tolower(c)); });
        if (extension == ".png")
            relativePaths->push_back(it->path().lexically_relative(folder).generic_string());
    }
    if (ec) {
        *error = "cannot list " + folder + ": " + ec.message();
        return false;
    }
    std::sort(relativePaths->begin(), relativePaths->end());
    return true;
}

std::string collapseWhitespace(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    bool space = false;
    for (unsigned char c : text) {
        if (std::isspace(c)) {
            space = !out.empty();
            continue;
        }
        if (space)
            out += ' ';
        space = false;
        out += char(c);
    }
    return out;
}

void SkipLog::add(const std::string& reason, const std::string& path) {
    pathsByReason_[reason].push_back(path);
}

void SkipLog::appendTo(std::vector<std::string>* warnings) const {
    constexpr size_t kExamples = 3;
    for (const auto& [reason, paths] : pathsByReason_) {
        std::string line = "skipped " + std::to_string(paths.size()) + " (" + reason + "): ";
        for (size_t i = 0; i < paths.size() && i < kExamples; ++i)
            line += (i ? ", " : "") + paths[i];
        if (paths.size() > kExamples)
            line += ", ...";
        warnings->push_back(line);
    }
}

bool finishDataset(Dataset* data, std::string* error) {
    if (data->images.empty()) {
        *error = data->name + ": no usable image";
        return false;
    }
    std::stable_sort(data->images.begin(), data->images.end(), [](const Image& a, const Image& b) {
        return a.style != b.style ? a.style < b.style : a.source < b.source;
    });
    std::vector<size_t> perStyle(data->styles.size(), 0);
    for (const Image& image : data->images)
        ++perStyle[size_t(image.style)];
    for (size_t s = 0; s < perStyle.size(); ++s) {
        if (perStyle[s] == 0) {
            *error = data->name + ": style '" + data->styles[s] + "' has no usable image";
            return false;
        }
    }
    return true;
}

}  // namespace sgdata
