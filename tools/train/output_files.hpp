// output_files.hpp - every file the trainer writes goes to a temporary file in
// the same folder and is renamed into place, so a killed run never leaves a
// half-written checkpoint, grid or config behind.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <string>

namespace sgt {

// Calls write(tmpPath), fsyncs the result and renames it to `path`. On any
// failure the temporary file is removed and false + error returned.
bool writeAtomically(const std::string& path, const std::function<void(const std::string& tmpPath)>& write,
                     std::string* error);
bool writeTextAtomically(const std::string& path, const std::string& text, std::string* error);

// grid [rows, columns, 4, H, W]: premultiplied RGBA in [0, 1], composited over
// a grey checkerboard (so transparency shows) into one PNG.
// One image, premultiplied RGBA in [0, 1] [4, H, W], as an RGBA8 PNG with
// straight alpha, converted exactly as the SDK converts (docs/api.md).
bool writeImagePng(const std::string& path, const torch::Tensor& image, std::string* error);
bool writeImageGrid(const std::string& path, const torch::Tensor& grid, std::string* error);

}  // namespace sgt
