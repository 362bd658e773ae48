// png_file.hpp - writes PNG files atomically: a reader (or a build system
// watching the folder) sees either the previous file or the complete new one,
// never a partial PNG, even when the disk fills up mid-write.
#pragma once

#include <string>

#include "image.hpp"

namespace sg::cli {

// Encodes `image` (written as stored: RGBA8, straight or premultiplied as the
// caller prepared it) and writes it to a temporary file in the destination
// folder, flushes it to disk, then renames it over `path`. On failure returns
// false with *error naming the path and the reason, and leaves no temporary
// file behind. The folder must exist.
bool writePngAtomically(const std::string& path, const Image& image, std::string* error);

}  // namespace sg::cli
