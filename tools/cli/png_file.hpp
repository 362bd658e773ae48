// png_file.hpp - reads PNGs, and writes PNG (and other) files atomically: a reader (or a
// build system watching the folder) sees either the previous file or the
// complete new one, never a partial file, even when the disk fills up
// mid-write or the process is killed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "image.hpp"

namespace sg::cli {

// Writes `bytes` to a temporary file in the destination folder, flushes it to
// disk, then renames it over `path` and flushes the folder. On failure (a full
// disk, a file-size limit, no permission) returns false with *error naming the
// path and the reason ("No space left on device"), and leaves no temporary
// file behind and the previous `path`, if any, untouched. The folder must
// exist. A process killed mid-write leaves only the hidden temporary (see
// isTemporaryFileName). Every file stylegen's tools write goes through here
// (docs/reliability.md).
bool writeFileAtomically(const std::string& path, const void* data, size_t size, std::string* error);
bool writeFileAtomically(const std::string& path, const std::vector<uint8_t>& bytes, std::string* error);
bool writeFileAtomically(const std::string& path, const std::string& text, std::string* error);

// True for the hidden names writeFileAtomically writes before renaming
// (".NAME.tmpPID"); *pid receives PID.
bool isTemporaryFileName(const std::string& fileName, long* pid);

// Encodes `image` (written as stored: RGBA8, straight or premultiplied as the
// caller prepared it) and writes it with writeFileAtomically. The encoding is
// a pure function of the pixels, so the same image always gives the same bytes.
bool writePngAtomically(const std::string& path, const Image& image, std::string* error);

// The PNG encoding of width x height pixels of `channels` (1-4) bytes each,
// tightly packed; false if the size cannot be encoded.
bool encodePng(const uint8_t* pixels, uint32_t width, uint32_t height, int channels, std::vector<uint8_t>* png);

// Reads a PNG (any bit depth and colour type; stb_image's other formats too)
// as RGBA8 with straight alpha, as PNG stores it. False with *error naming
// the path and the reason.
bool readPng(const std::string& path, Image* image, std::string* error);

}  // namespace sg::cli
