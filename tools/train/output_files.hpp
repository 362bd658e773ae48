// output_files.hpp - every file the trainer writes goes to a temporary file in
// the same folder and is renamed into place, so a killed run never leaves a
// half-written checkpoint, grid or config behind.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <ostream>
#include <string>

namespace sgt {

// Calls write(stream), then writes what it wrote with
// sg::cli::writeFileAtomically (tools/cli/png_file.hpp): a temporary file in
// the same folder, fsync, rename. An exception from write, a failed stream, a
// full disk: false + error, no partial file, the previous file untouched.
bool writeAtomically(const std::string& path, const std::function<void(std::ostream& stream)>& write,
                     std::string* error);
bool writeTextAtomically(const std::string& path, const std::string& text, std::string* error);

// grid [rows, columns, 4, H, W]: premultiplied RGBA in [0, 1], composited over
// a grey checkerboard (so transparency shows) into one PNG.
// One image, premultiplied RGBA in [0, 1] [4, H, W], as an RGBA8 PNG with
// straight alpha, converted exactly as the SDK converts (docs/api.md).
bool writeImagePng(const std::string& path, const torch::Tensor& image, std::string* error);
bool writeImageGrid(const std::string& path, const torch::Tensor& grid, std::string* error);

}  // namespace sgt
