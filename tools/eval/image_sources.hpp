// image_sources.hpp - the images stylegen-eval measures, all as ImageSets at
// the evaluation size: real images rendered as the trainer renders them,
// images generated through the public SDK API, PNG folders.
#pragma once

#include <stylegen/stylegen.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "dataset.hpp"
#include "metrics.hpp"

namespace sgeval {

/// The seed of the team colour and mirroring of each real image.
constexpr uint64_t kRealRenderSeed = 1;

/// data.images[i] for every i of `indices`, rendered by sgdata::renderImage at
/// size x size with `channels` channels and rounded to 8 bits like generated
/// images. `asTraining` (real data): each in a team colour and mirrored or
/// not, as drawn from kRealRenderSeed and the image's index, since training
/// draws both at random; otherwise (generated PNGs) as stored. Throws
/// std::runtime_error when an image cannot be rendered.
ImageSet renderImages(const sgdata::Dataset& data, const std::vector<size_t>& indices, bool asTraining, int size,
                      int channels, int threads);

/// `count` images of style `style` with seeds firstSeed .. firstSeed + count - 1,
/// truncation `psi`, at size x size, premultiplied, as `channels` channels
/// (3 drops the alpha a scene model generates as 1). Throws sg::Error.
ImageSet generateImages(const sg::Model& model, uint32_t style, uint32_t count, uint64_t firstSeed, float psi,
                        int size, int channels);

}  // namespace sgeval
