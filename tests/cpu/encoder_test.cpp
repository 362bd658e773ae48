// encoder_test.cpp - the CPU backend's restyle side through its plugin table:
// encode() against the double-precision reference encoder, its determinism
// and errors, and generate() with explicit latents and input grids (pLatents,
// pSpatialInput) against the reference generator.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "cpu_plugin.hpp"
#include "reference_encoder.hpp"
#include "reference_generator.hpp"
#include "stylegen_philox.h"
#include "stylegen_plugin.h"
#include "test_model.hpp"

namespace {

using sgtest::TestModel;
using sgtest::cpu::Backend;
using sgtest::cpu::Prepared;
using sgtest::cpu::table;

// Premultiplied RGBA with every alpha from 0 to 1, drawn with Philox.
std::vector<float> randomImage(uint32_t width, uint32_t height, uint64_t seed) {
    std::vector<float> rgba(size_t(width) * height * 4);
    for (size_t p = 0; p < size_t(width) * height; ++p) {
        const float a = 0.5f + 0.5f * std::tanh(sgPhiloxNormal(seed, 1, 4 * p + 3));
        for (int c = 0; c < 3; ++c) rgba[4 * p + c] = a * (0.5f + 0.5f * std::tanh(sgPhiloxNormal(seed, 1, 4 * p + c)));
        rgba[4 * p + 3] = a;
    }
    return rgba;
}

struct Encoding {
    std::vector<float> latents, grid;
};

size_t latentFloats(const SgpArchitecture& a) { return size_t(2) * a.blockCount * a.wDim; }
size_t gridFloats(const SgpArchitecture& a, uint32_t width, uint32_t height) {
    const uint32_t block = a.resolution / 4;
    return a.input == SGP_INPUT_SPATIAL ? size_t(a.spatialChannels) * (width / block) * (height / block) : 0;
}

Encoding encode(const Backend& backend, const Prepared& model, const SgpArchitecture& a,
                const std::vector<float>& images, uint32_t count, uint32_t width, uint32_t height) {
    Encoding e;
    e.latents.assign(count * latentFloats(a), -7.0f);
    e.grid.assign(count * gridFloats(a, width, height), -7.0f);
    char error[256] = "";
    EXPECT_EQ(table().encode(backend.get(), model.get(), count, width, height, images.data(), e.latents.data(),
                             e.grid.empty() ? nullptr : e.grid.data(), error, sizeof error),
              SGP_SUCCESS)
        << error;
    return e;
}

double maxRelativeDiff(const float* got, const std::vector<double>& want) {
    double m = 0;
    for (size_t i = 0; i < want.size(); ++i) m = std::max(m, std::fabs(got[i] - want[i]) / (1.0 + std::fabs(want[i])));
    return m;
}

bool bitIdentical(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

void expectEncoderMatchesReference(const SgpArchitecture& arch, uint32_t width, uint32_t height) {
    TestModel model(arch, 21);
    Backend backend(3);
    Prepared prepared(backend, model);
    const uint32_t count = 2;
    std::vector<float> images;
    for (uint32_t i = 0; i < count; ++i) {
        const std::vector<float> one = randomImage(width, height, 100 + i);
        images.insert(images.end(), one.begin(), one.end());
    }
    const Encoding e = encode(backend, prepared, arch, images, count, width, height);
    for (uint32_t i = 0; i < count; ++i) {
        const sgtest::Encoded ref =
            sgtest::referenceEncode(model, images.data() + size_t(i) * width * height * 4, width, height);
        EXPECT_LT(maxRelativeDiff(e.latents.data() + i * latentFloats(arch), ref.latents), 1e-5)
            << "latents of image " << i << ", " << width << "x" << height;
        ASSERT_EQ(ref.grid.size(), gridFloats(arch, width, height));
        if (!ref.grid.empty()) {
            EXPECT_LT(maxRelativeDiff(e.grid.data() + i * ref.grid.size(), ref.grid), 1e-5)
                << "grid of image " << i << ", " << width << "x" << height;
        }
    }
}

// [SECTION] encode -------------------------------------------------------------------

TEST(CpuEncoder, CharacterEncoderMatchesTheReference) {
    expectEncoderMatchesReference(sgtest::withEncoder(sgtest::characterArch(16)), 16, 16);
    expectEncoderMatchesReference(sgtest::withEncoder(sgtest::characterArch(32)), 32, 32);
}

TEST(CpuEncoder, SceneEncoderMatchesTheReferenceAtAnySizeWithWrapping) {
    const SgpArchitecture arch = sgtest::withEncoder(sgtest::sceneArch(16));
    expectEncoderMatchesReference(arch, 16, 16);
    expectEncoderMatchesReference(arch, 28, 12);  // 7 x 3 blocks of 4
}

TEST(CpuEncoder, IsBitIdenticalForAnyThreadCountAndRepeatedCalls) {
    const SgpArchitecture arch = sgtest::withEncoder(sgtest::sceneArch(16));
    TestModel model(arch, 3);
    const std::vector<float> image = randomImage(24, 20, 7);
    Backend one(1), four(4);
    Prepared onOne(one, model), onFour(four, model);
    const Encoding a = encode(one, onOne, arch, image, 1, 24, 20);
    const Encoding b = encode(four, onFour, arch, image, 1, 24, 20);
    const Encoding c = encode(four, onFour, arch, image, 1, 24, 20);
    EXPECT_TRUE(bitIdentical(a.latents, b.latents));
    EXPECT_TRUE(bitIdentical(a.grid, b.grid));
    EXPECT_TRUE(bitIdentical(b.latents, c.latents));
    EXPECT_TRUE(bitIdentical(b.grid, c.grid));
}

TEST(CpuEncoder, DifferentImagesGiveDifferentLatents) {
    const SgpArchitecture arch = sgtest::withEncoder(sgtest::characterArch(16));
    TestModel model(arch, 3);
    Backend backend(2);
    Prepared prepared(backend, model);
    const Encoding a = encode(backend, prepared, arch, randomImage(16, 16, 1), 1, 16, 16);
    const Encoding b = encode(backend, prepared, arch, randomImage(16, 16, 2), 1, 16, 16);
    EXPECT_FALSE(bitIdentical(a.latents, b.latents));
}

TEST(CpuEncoder, ModelWithoutAnEncoderIsUnsupported) {
    const SgpArchitecture arch = sgtest::characterArch(16);
    TestModel model(arch, 3);
    Backend backend(1);
    Prepared prepared(backend, model);
    const std::vector<float> image = randomImage(16, 16, 1);
    std::vector<float> latents(latentFloats(arch));
    char error[256] = "";
    EXPECT_EQ(table().encode(backend.get(), prepared.get(), 1, 16, 16, image.data(), latents.data(), nullptr, error,
                             sizeof error),
              SGP_ERROR_UNSUPPORTED);
    EXPECT_NE(std::string(error).find("no encoder"), std::string::npos) << error;
}

TEST(CpuEncoder, RejectsSizesAndPointersTheModelCannotTake) {
    const SgpArchitecture character = sgtest::withEncoder(sgtest::characterArch(16));
    const SgpArchitecture scene = sgtest::withEncoder(sgtest::sceneArch(16));
    TestModel characterModel(character, 3), sceneModel(scene, 3);
    Backend backend(1);
    Prepared c(backend, characterModel), s(backend, sceneModel);
    const std::vector<float> image = randomImage(32, 32, 1);
    std::vector<float> latents(latentFloats(character)), grid(1024);
    auto error = [&](const Prepared& p, uint32_t w, uint32_t h, const float* in, float* lat, float* g) {
        char text[256] = "";
        EXPECT_EQ(table().encode(backend.get(), p.get(), 1, w, h, in, lat, g, text, sizeof text),
                  SGP_ERROR_INVALID_ARGUMENT);
        return std::string(text);
    };
    EXPECT_NE(error(c, 32, 32, image.data(), latents.data(), nullptr).find("encodes 16x16 images only"),
              std::string::npos);
    EXPECT_NE(error(s, 18, 16, image.data(), latents.data(), grid.data()).find("multiples of 4"), std::string::npos);
    EXPECT_NE(error(s, 16, 16, image.data(), latents.data(), nullptr).find("pSpatialInput must not be NULL"),
              std::string::npos);
    EXPECT_NE(error(c, 16, 16, image.data(), latents.data(), grid.data()).find("pSpatialInput must be NULL"),
              std::string::npos);
    EXPECT_NE(error(c, 16, 16, nullptr, latents.data(), nullptr).find("must not be NULL"), std::string::npos);
}

TEST(CpuEncoder, PrepareRejectsAMissingOrMisShapedEncoderTensor) {
    const SgpArchitecture arch = sgtest::withEncoder(sgtest::sceneArch(16));
    Backend backend(1);
    char error[256] = "";
    SgpPreparedModel prepared = nullptr;
    {
        TestModel model(arch, 3);
        model.remove("encoder.s1.down.weight");
        EXPECT_EQ(table().prepareModel(backend.get(), &model.desc(), &prepared, error, sizeof error),
                  SGP_ERROR_INVALID_ARGUMENT);
        EXPECT_NE(std::string(error).find("missing tensor 'encoder.s1.down.weight'"), std::string::npos) << error;
    }
    {
        TestModel model(arch, 3);
        model.tensor("encoder.spatial.weight").dims = {5, 7, 1, 1};  // ES is 6
        EXPECT_EQ(table().prepareModel(backend.get(), &model.desc(), &prepared, error, sizeof error),
                  SGP_ERROR_INVALID_ARGUMENT);
        EXPECT_NE(std::string(error).find("'encoder.spatial.weight' has shape [5, 7, 1, 1], expected [5, 6, 1, 1]"),
                  std::string::npos)
            << error;
    }
    {
        SgpArchitecture wrong = arch;
        wrong.encoderStageCount = 1;  // the generator has 3 blocks: 2 stages
        TestModel model(wrong, 3);
        EXPECT_EQ(table().prepareModel(backend.get(), &model.desc(), &prepared, error, sizeof error),
                  SGP_ERROR_INVALID_ARGUMENT);
        EXPECT_NE(std::string(error).find("encoderStageCount is 1"), std::string::npos) << error;
    }
}

// [SECTION] generate with explicit latents ------------------------------------------------

struct LatentRequest {
    uint32_t width = 16, height = 16;
    std::vector<float> latents, grid;
    std::vector<uint64_t> seeds{1}, noiseSeeds{2};
    std::vector<float> styleWeights{1, 0, 0};
    float psi = 1.0f, noise = 0.0f;

    SgpBatch batch() const {
        SgpBatch b{};
        b.count = uint32_t(seeds.size());
        b.width = width;
        b.height = height;
        b.pSeeds = seeds.data();
        b.pNoiseSeeds = noiseSeeds.data();
        b.mixLayer = 0;
        b.pStyleWeights = styleWeights.data();
        b.truncationPsi = psi;
        b.noiseStrength = noise;
        b.pLatents = latents.data();
        b.pSpatialInput = grid.empty() ? nullptr : grid.data();
        return b;
    }
};

std::vector<float> generate(const Backend& backend, const Prepared& model, const SgpBatch& b) {
    std::vector<float> out(size_t(b.count) * b.width * b.height * 4, -1.0f);
    char error[256] = "";
    EXPECT_EQ(table().generate(backend.get(), model.get(), &b, out.data(), error, sizeof error), SGP_SUCCESS) << error;
    return out;
}

// Latents near the mapping's outputs, one w per layer, all different.
std::vector<float> randomLatents(const SgpArchitecture& a, uint32_t count, uint64_t seed) {
    std::vector<float> w(count * latentFloats(a));
    for (size_t i = 0; i < w.size(); ++i) w[i] = 0.3f + 0.5f * sgPhiloxNormal(seed, 2, i);
    return w;
}

void expectGenerateMatchesReference(TestModel& model, const LatentRequest& r) {
    Backend backend(2);
    Prepared prepared(backend, model);
    const SgpBatch b = r.batch();
    const std::vector<float> out = generate(backend, prepared, b);
    const size_t imageFloats = size_t(r.width) * r.height * 4;
    for (uint32_t i = 0; i < b.count; ++i) {
        const std::vector<float> ref = sgtest::referenceImage(model, b, i);
        float diff = 0;
        for (size_t k = 0; k < imageFloats; ++k) diff = std::max(diff, std::fabs(out[i * imageFloats + k] - ref[k]));
        EXPECT_LT(diff, 1e-4f) << "image " << i;
    }
}

TEST(CpuExplicitLatents, CharacterMatchesTheReference) {
    TestModel model(sgtest::characterArch(16), 5);
    LatentRequest r;
    r.seeds = {1, 2};
    r.noiseSeeds = {3, 4};
    r.noise = 0.5f;  // explicit latents leave the noise to the noise seeds
    r.latents = randomLatents(model.arch(), 2, 9);
    expectGenerateMatchesReference(model, r);
}

TEST(CpuExplicitLatents, SceneWithAnInputGridMatchesTheReference) {
    TestModel model(sgtest::sceneArch(16), 5);
    LatentRequest r;
    r.width = 20;
    r.height = 12;
    r.seeds = {1, 2};
    r.noiseSeeds = {3, 4};
    r.latents = randomLatents(model.arch(), 2, 9);
    r.grid.resize(2 * gridFloats(model.arch(), 20, 12));
    for (size_t i = 0; i < r.grid.size(); ++i) r.grid[i] = sgPhiloxNormal(77, 3, i);
    expectGenerateMatchesReference(model, r);
}

TEST(CpuExplicitLatents, SeedsBlendAndTruncationDoNotChangeTheImage) {
    TestModel model(sgtest::characterArch(16), 5);
    Backend backend(2);
    Prepared prepared(backend, model);
    LatentRequest a;
    a.latents = randomLatents(model.arch(), 1, 9);
    LatentRequest b = a;
    b.seeds = {99};
    b.styleWeights = {0.2f, 0.3f, 0.5f};
    b.psi = 0.3f;
    EXPECT_TRUE(bitIdentical(generate(backend, prepared, a.batch()), generate(backend, prepared, b.batch())));
}

TEST(CpuExplicitLatents, TheInputGridReplacesTheNoiseSeedsGrid) {
    TestModel model(sgtest::sceneArch(16), 5);
    Backend backend(2);
    Prepared prepared(backend, model);
    LatentRequest a;
    a.latents = randomLatents(model.arch(), 1, 9);
    a.grid.resize(gridFloats(model.arch(), 16, 16));
    for (size_t i = 0; i < a.grid.size(); ++i) a.grid[i] = sgPhiloxNormal(5, 3, i);
    LatentRequest b = a;
    b.noiseSeeds = {12345};  // noise is off: the seed only drew the grid, which is given
    LatentRequest c = a;
    c.grid.clear();  // the noise seed's own grid
    EXPECT_TRUE(bitIdentical(generate(backend, prepared, a.batch()), generate(backend, prepared, b.batch())));
    EXPECT_FALSE(bitIdentical(generate(backend, prepared, a.batch()), generate(backend, prepared, c.batch())));
}

TEST(CpuExplicitLatents, InputGridOnAConstInputModelIsRejected) {
    TestModel model(sgtest::characterArch(16), 5);
    Backend backend(1);
    Prepared prepared(backend, model);
    LatentRequest r;
    r.latents = randomLatents(model.arch(), 1, 9);
    r.grid.assign(64, 0.0f);
    const SgpBatch b = r.batch();
    std::vector<float> out(16 * 16 * 4);
    char error[256] = "";
    EXPECT_EQ(table().generate(backend.get(), prepared.get(), &b, out.data(), error, sizeof error),
              SGP_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(error).find("pSpatialInput is set but the model has a const input"), std::string::npos)
        << error;
}

}  // namespace
