// reference_encoder.hpp - docs/generator.md's "Encoder" section written out
// as plainly as possible, in double precision, with textbook loops. It shares
// no code with plugin/cpu, so agreeing with it means the backend computes
// what the document says.
//
//   sgtest::Encoded e = sgtest::referenceEncode(model, rgba, width, height);
#pragma once

#include <cstdint>
#include <vector>

#include "test_model.hpp"

namespace sgtest {

struct Encoded {
    std::vector<double> latents;  // [2 * blockCount][wDim]
    std::vector<double> grid;     // [spatialChannels][height / block][width / block]; spatial input only
};

// One image of height x width premultiplied RGBA floats.
Encoded referenceEncode(const TestModel& model, const float* rgba, uint32_t width, uint32_t height);

}  // namespace sgtest
