// test_model.hpp - tiny random generator models built directly as SgpModelDesc,
// for the CPU backend's tests (no .sgm file, no libstylegen).
//
//   TestModel model(characterSpec(16));
//   table->prepareModel(backend, &model.desc(), &prepared, error, sizeof error);
//
// Models whose arch has an encoder get its tensors too.
// Weights are N(0,1)/sqrt(fan_in) drawn with Philox from the spec's seed, so
// activations stay O(1); noise strengths and w_avg are non-zero so that noise,
// truncation and blends all change the image.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stylegen_plugin.h"

namespace sgtest {

struct TestTensor {
    std::string name;
    std::vector<uint64_t> dims;
    std::vector<float> values;
};

// Character: const input, zero padding, 4 channels. Channels include a count
// that is not a multiple of the kernel's 4-channel blocks.
SgpArchitecture characterArch(uint32_t resolution);
// Scene: spatial input, circular padding, 3 channels.
SgpArchitecture sceneArch(uint32_t resolution);

// The same scene architecture with a learned periodic input of `period` cells
// (docs/generator.md, "Input").
SgpArchitecture withPeriodicInput(SgpArchitecture arch, uint32_t period);

// The same architecture with a restyle encoder (docs/generator.md, "Encoder"):
// blockCount - 1 stages, channels 3, 5, 6, ... (small, not multiples of 4).
SgpArchitecture withEncoder(SgpArchitecture arch);

class TestModel {
public:
    TestModel(const SgpArchitecture& arch, uint64_t seed);

    // Valid until the next call that changes the tensors.
    const SgpModelDesc& desc();
    const SgpArchitecture& arch() const { return arch_; }

    // The tensor called name; aborts the test program if there is none.
    const TestTensor& tensor(const std::string& name) const;
    TestTensor& tensor(const std::string& name);
    void remove(const std::string& name);
    void add(TestTensor t) { tensors_.push_back(std::move(t)); }

private:
    SgpArchitecture arch_;
    std::vector<TestTensor> tensors_;
    std::vector<SgpTensor> views_;
    SgpModelDesc desc_{};
};

}  // namespace sgtest
