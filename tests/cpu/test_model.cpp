// test_model.cpp - see test_model.hpp.
#include "test_model.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "stylegen_philox.h"

namespace sgtest {
namespace {

// Stream numbers of the weights' own Philox draws; far from the generator's.
constexpr uint32_t kWeightStream = 1000;

class Filler {
public:
    explicit Filler(uint64_t seed) : seed_(seed) {}
    std::vector<float> normal(size_t count, float scale) {
        std::vector<float> v(count);
        for (float& x : v) x = sgPhiloxNormal(seed_, kWeightStream, next_++) * scale;
        return v;
    }

private:
    uint64_t seed_;
    uint64_t next_ = 0;
};

uint32_t blockCountFor(uint32_t resolution) {
    uint32_t log2r = 0;
    while ((1u << log2r) < resolution) ++log2r;
    return log2r - 1;
}

}  // namespace

SgpArchitecture characterArch(uint32_t resolution) {
    SgpArchitecture a{};
    a.kind = SGP_MODEL_KIND_CHARACTER;
    a.input = SGP_INPUT_CONST;
    a.padding = SGP_PADDING_ZERO;
    a.resolution = resolution;
    a.imgChannels = 4;
    a.zDim = 8;
    a.embedDim = 4;
    a.wDim = 12;
    a.mappingLayers = 2;
    a.blockCount = blockCountFor(resolution);
    const uint32_t channels[] = {8, 6, 5, 4, 4, 4, 4, 4, 4, 4};
    for (uint32_t b = 0; b < a.blockCount; ++b) a.channels[b] = channels[b];
    a.styleCount = 3;
    return a;
}

SgpArchitecture sceneArch(uint32_t resolution) {
    SgpArchitecture a = characterArch(resolution);
    a.kind = SGP_MODEL_KIND_SCENE;
    a.input = SGP_INPUT_SPATIAL;
    a.padding = SGP_PADDING_CIRCULAR;
    a.imgChannels = 3;
    a.spatialChannels = 5;
    return a;
}

SgpArchitecture withPeriodicInput(SgpArchitecture a, uint32_t period) {
    a.inputPeriod = period;
    return a;
}

SgpArchitecture withEncoder(SgpArchitecture a) {
    const uint32_t channels[] = {3, 5, 6, 7, 4, 4, 4, 4, 4, 4};
    a.encoderStageCount = a.blockCount - 1;
    for (uint32_t s = 0; s <= a.encoderStageCount; ++s) a.encoderChannels[s] = channels[s];
    return a;
}

TestModel::TestModel(const SgpArchitecture& arch, uint64_t seed) : arch_(arch) {
    Filler f(seed);
    auto add = [&](const std::string& name, std::vector<uint64_t> dims, float scale) {
        size_t count = 1;
        for (uint64_t d : dims) count *= size_t(d);
        tensors_.push_back({name, dims, f.normal(count, scale)});
    };
    auto fanIn = [](uint64_t n) { return 1.0f / std::sqrt(float(n)); };
    const auto& a = arch_;
    add("mapping.embed.weight", {a.styleCount, a.embedDim}, 1.0f);
    for (uint32_t i = 0; i < a.mappingLayers; ++i) {
        const uint32_t in = i == 0 ? a.zDim + a.embedDim : a.wDim;
        add("mapping.fc" + std::to_string(i) + ".weight", {a.wDim, in}, fanIn(in));
        add("mapping.fc" + std::to_string(i) + ".bias", {a.wDim}, 0.1f);
    }
    add("w_avg", {a.styleCount, a.wDim}, 0.5f);
    const uint32_t c0 = a.channels[0];
    if (a.input == SGP_INPUT_CONST) {
        add("synthesis.input.const", {c0, 4, 4}, 1.0f);
    } else {
        add("synthesis.input.weight", {c0, a.spatialChannels}, fanIn(a.spatialChannels));
        add("synthesis.input.bias", {c0}, 0.1f);
        if (a.inputPeriod) add("synthesis.input.periodic", {c0, a.inputPeriod, a.inputPeriod}, 1.0f);
    }
    auto conv = [&](const std::string& p, uint32_t cin, uint32_t cout, uint32_t k) {
        add(p + ".affine.weight", {cin, a.wDim}, fanIn(a.wDim));
        // Affine biases near 1 as in StyleGAN2, so styles stay away from 0.
        add(p + ".affine.bias", {cin}, 0.2f);
        for (float& v : tensors_.back().values) v += 1.0f;
        add(p + ".weight", {cout, cin, k, k}, fanIn(uint64_t(cin) * k * k));
        add(p + ".bias", {cout}, 0.1f);
        if (k == 3) add(p + ".noise_strength", {1}, 0.3f);
    };
    for (uint32_t b = 0; b < a.blockCount; ++b) {
        const std::string p = "synthesis.b" + std::to_string(4u << b);
        const uint32_t cb = a.channels[b];
        if (b > 0) conv(p + ".conv0", a.channels[b - 1], cb, 3);
        conv(p + ".conv1", cb, cb, 3);
        conv(p + ".torgb", cb, a.imgChannels, 1);
    }
    if (a.encoderStageCount == 0) return;
    const uint32_t* e = a.encoderChannels;
    const uint32_t last = e[a.encoderStageCount];
    auto plain = [&](const std::string& p, uint32_t cin, uint32_t cout, uint32_t k) {
        add(p + ".weight", {cout, cin, k, k}, fanIn(uint64_t(cin) * k * k));
        add(p + ".bias", {cout}, 0.1f);
    };
    plain("encoder.fromrgb", a.imgChannels, e[0], 1);
    for (uint32_t s = 0; s < a.encoderStageCount; ++s) {
        plain("encoder.s" + std::to_string(s) + ".conv", e[s], e[s], 3);
        plain("encoder.s" + std::to_string(s) + ".down", e[s], e[s + 1], 3);
    }
    const uint32_t pooled = a.input == SGP_INPUT_CONST ? 16 * last : last;
    add("encoder.wplus.weight", {uint64_t(2) * a.blockCount * a.wDim, pooled}, fanIn(pooled));
    add("encoder.wplus.bias", {uint64_t(2) * a.blockCount * a.wDim}, 0.3f);
    if (a.input == SGP_INPUT_SPATIAL) plain("encoder.spatial", last, a.spatialChannels, 1);
}

const SgpModelDesc& TestModel::desc() {
    views_.clear();
    for (const TestTensor& t : tensors_) {
        SgpTensor v{};
        v.name = t.name.c_str();
        v.rank = uint32_t(t.dims.size());
        for (size_t i = 0; i < t.dims.size() && i < 4; ++i) v.dims[i] = t.dims[i];
        v.data = t.values.data();
        views_.push_back(v);
    }
    desc_.arch = arch_;
    desc_.tensorCount = uint32_t(views_.size());
    desc_.pTensors = views_.data();
    return desc_;
}

const TestTensor& TestModel::tensor(const std::string& name) const {
    for (const TestTensor& t : tensors_)
        if (t.name == name) return t;
    std::fprintf(stderr, "test model has no tensor '%s'\n", name.c_str());
    std::abort();
}

TestTensor& TestModel::tensor(const std::string& name) {
    return const_cast<TestTensor&>(static_cast<const TestModel&>(*this).tensor(name));
}

void TestModel::remove(const std::string& name) {
    for (auto it = tensors_.begin(); it != tensors_.end(); ++it)
        if (it->name == name) {
            tensors_.erase(it);
            return;
        }
}

}  // namespace sgtest
