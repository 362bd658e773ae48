// internal.hpp - helpers shared by the loaders of stylegen_data (not installed).
#pragma once

#include "dataset.hpp"

#include <map>
#include <string>
#include <vector>

namespace sgdata {

/// Whole file as bytes.
bool readFile(const std::string& path, std::string* contents, std::string* error);

/// Regular files ending in ".png" (case-insensitive) under `folder`, recursively,
/// as paths relative to `folder` with '/' separators, sorted bytewise.
bool findPngs(const std::string& folder, std::vector<std::string>* relativePaths, std::string* error);

/// `text` with every run of whitespace collapsed to one space, so phrases match
/// across the line breaks of a copyright file.
std::string collapseWhitespace(const std::string& text);

/// Collects skipped inputs by reason; each reason becomes one warning line
/// with a count and the first few paths.
class SkipLog {
public:
    void add(const std::string& reason, const std::string& path);
    void appendTo(std::vector<std::string>* warnings) const;

private:
    std::map<std::string, std::vector<std::string>> pathsByReason_;
};

/// Sorts images by (style, source) and checks that every style has one; the
/// order every loader promises.
bool finishDataset(Dataset* data, std::string* error);

}  // namespace sgdata
