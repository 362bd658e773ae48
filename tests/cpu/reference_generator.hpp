// reference_generator.hpp - docs/generator.md written out as plainly as
// possible, in double precision, with textbook loops. It shares no code with
// plugin/cpu (only the Philox header both must use), so agreeing with it
// means the backend computes what the document says.
//
//   std::vector<float> rgba = referenceImage(model, batch, 0);  // height * width * 4
#pragma once

#include <cstdint>
#include <vector>

#include "stylegen_plugin.h"
#include "test_model.hpp"

namespace sgtest {

// Image `index` of the batch as height x width RGBA floats.
std::vector<float> referenceImage(const TestModel& model, const SgpBatch& batch, uint32_t index);

}  // namespace sgtest
