// encoder.hpp - the restyle encoder of docs/generator.md ("Encoder") over a
// prepared model: images to per-layer w (w+) and, for spatial-input models,
// the synthesis input grid.
//
//   std::string error;
//   SgpResult r = encodeImages(pool, model, count, width, height, rgba, latents, grid, &error);
//
// Activations live in padded planes (kernels.hpp) so the 3x3 convolutions read
// their zero or wrapped padding from the halo. Each layer is one pool pass
// over output channels x bands of rows, and every output value is one fixed
// sequence of float operations, so the result is bit-identical for any
// thread count. It runs once per restyle, so it is a direct convolution
// vectorised along each output row, not the generator's tuned kernels.
#pragma once

#include <cstdint>
#include <string>

#include "prepared_model.hpp"
#include "stylegen_plugin.h"

namespace sg::cpu {

class ThreadPool;

// Checks the request against the model (SGP_ERROR_UNSUPPORTED without an
// encoder, SGP_ERROR_INVALID_ARGUMENT for a size the model cannot take, with
// *error), then encodes count images of height x width x 4 floats
// (premultiplied RGBA in [0, 1]) from images into latents
// ([count][2 * blockCount][wDim]) and, for spatial-input models, grid
// ([count][spatialChannels][height / block][width / block]; NULL otherwise).
// Throws std::bad_alloc when working memory cannot be had.
SgpResult encodeImages(ThreadPool& pool, const PreparedModel& model, uint32_t count, uint32_t width, uint32_t height,
                       const float* images, float* latents, float* grid, std::string* error);

}  // namespace sg::cpu
