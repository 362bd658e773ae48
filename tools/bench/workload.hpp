// workload.hpp - FLOPs of one generated image, counted as a direct
// convolution would do them (2 FLOPs per multiply-add), whatever algorithm a
// backend really runs.
#pragma once

#include "model/generator.hpp"

namespace sgbench {

struct Workload {
    double convFlops = 0;   // the modulated 3x3 convolutions
    double totalFlops = 0;  // + toRGB, styles and demodulation, mapping (one style), spatial input
};

Workload countFlops(const sgt::GeneratorOptions& options, int64_t width, int64_t height);

}  // namespace sgbench
