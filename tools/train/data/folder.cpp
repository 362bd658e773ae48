// folder.cpp - a user's own data set: <root>/<style>/**.png.
#include "internal.hpp"

#include <algorithm>
#include <filesystem>

namespace fs = std::filesystem;

namespace sgdata {

bool loadImageFolder(const std::string& root, Dataset* out, std::string* error) {
    std::error_code ec;
    if (root.empty() || !fs::is_directory(root, ec)) {
        *error = "data folder '" + root + "' does not exist or is not a folder";
        return false;
    }
    std::vector<std::string> styleFolders;
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code typeError;
        if (it->is_directory(typeError))
            styleFolders.push_back(it->path().filename().string());
    }
    if (ec) {
        *error = "cannot list data folder " + root + ": " + ec.message();
        return false;
    }
    std::sort(styleFolders.begin(), styleFolders.end());

    Dataset data;
    data.name = fs::path(root).lexically_normal().filename().string();
    if (data.name.empty() || data.name == ".")  // "data/" normalises to an empty file name
        data.name = fs::path(root).lexically_normal().parent_path().filename().string();
    SkipLog skipped;
    for (const std::string& folder : styleFolders) {
        std::vector<std::string> files;
        if (!findPngs(root + "/" + folder, &files, error))
            return false;
        if (files.empty())
            continue;  // not a style: nothing to learn from
        const int style = int(data.styles.size());
        data.styles.push_back(folder);
        for (const std::string& file : files) {
            Image image;
            image.source = folder + "/" + file;
            std::string why;
            if (!loadPng(root + "/" + image.source, &image.width, &image.height, &image.rgba, &why)) {
                skipped.add("unreadable PNG", image.source);
                continue;
            }
            image.style = style;
            // Files in a sub-folder of the style folder (a unit's frames, a
            // tile's variants) stay together in splits; loose files stand alone.
            const size_t slash = file.find('/');
            image.group = slash == std::string::npos ? image.source : folder + "/" + file.substr(0, slash);
            data.images.push_back(std::move(image));
        }
    }
    if (data.styles.empty()) {
        *error = "data folder " + root + " has no style folders with PNGs (expected <root>/<style>/*.png)";
        return false;
    }
    skipped.appendTo(&data.warnings);
    data.provenance = "image folder " + fs::absolute(root, ec).lexically_normal().string();
    data.licence = "as supplied by the user";
    if (!finishDataset(&data, error))
        return false;
    *out = std::move(data);
    return true;
}

}  // namespace sgdata
