// augment.hpp - differentiable augmentation (Zhao et al. 2020, "DiffAugment").
//
// Applied to real and generated images alike before the discriminator, so a
// small data set (a few thousand sprites) does not let it memorise the
// training images. Every operation keeps premultiplied alpha valid:
// transparent pixels stay transparent.
#pragma once

#include "model/layers.hpp"

namespace sgt {

struct AugmentOptions {
    bool translate = true;        // shift by up to translateRatio of the size
    double translateRatio = 0.125;
    bool color = true;            // brightness, saturation, contrast
    Padding padding = Padding::Zero;  // Zero: shifted-in pixels are transparent; Circular: wrap
};

// x [N, C, H, W] in [-1, 1], C = 3 (opaque) or 4 (premultiplied RGBA).
torch::Tensor diffAugment(const torch::Tensor& x, const AugmentOptions& options);

}  // namespace sgt
