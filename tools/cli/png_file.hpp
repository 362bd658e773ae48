// png_file.hpp - writes PNG (and other) files atomically: a reader (or a
// build system watching the folder) sees either the previous file or the
// complete new one, never a partial file, even when the disk fills up
// mid-write or the process is killed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "image.hpp"

namespace sg::cli {

// Writes `bytes` to a temporary file in the destination folder, flushes it to
// disk, then renames it over `path`. On failure returns false with *error
// naming the path and the reason, and leaves no temporary file behind. The
// folder must exist. A process killed mid-write leaves only the hidden
// temporary (see isTemporaryFileName).
bool writeFileAtomically(const std::string& path, const std::vector<uint8_t>& bytes, std::string* error);

// True for the hidden names writeFileAtomically writes before renaming
// (".NAME.tmpPID"); *pid receives PID.
bool isTemporaryFileName(const std::string& fileName, long* pid);

// Encodes `image` (written as stored: RGBA8, straight or premultiplied as the
// caller prepared it) and writes it with writeFileAtomically. The encoding is
// a pure function of the pixels, so the same image always gives the same bytes.
bool writePngAtomically(const std::string& path, const Image& image, std::string* error);

}  // namespace sg::cli
