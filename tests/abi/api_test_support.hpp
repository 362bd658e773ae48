// api_test_support.hpp - a context with the tiny models loaded, and small
// helpers for driving the C API from the ABI tests.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "stylegen/stylegen.h"
#include "tiny_model.hpp"

namespace sgtest {

inline SgContextCreateInfo cpuContextInfo(uint32_t threadCount = 2) {
    SgContextCreateInfo info{};
    info.sType = SG_STRUCTURE_TYPE_CONTEXT_CREATE_INFO;
    info.apiVersion = SG_API_VERSION;
    info.threadCount = threadCount;
    info.backendPreference = SG_BACKEND_PREFERENCE_CPU;
    return info;
}

// One image of the model's resolution, seed 1, style 0, neutral settings, RGBA8.
inline SgGenerateInfo neutralGenerateInfo() {
    SgGenerateInfo info{};
    info.sType = SG_STRUCTURE_TYPE_GENERATE_INFO;
    info.count = 1;
    info.firstSeed = 1;
    info.truncationPsi = 1.0f;
    info.noiseStrength = 1.0f;
    info.format = SG_FORMAT_R8G8B8A8_UNORM;
    return info;
}

inline SgImageBuffer imageBuffer(void* data, size_t size, size_t rowPitch = 0) {
    SgImageBuffer buffer{};
    buffer.sType = SG_STRUCTURE_TYPE_IMAGE_BUFFER;
    buffer.pData = data;
    buffer.size = size;
    buffer.rowPitch = rowPitch;
    return buffer;
}

inline size_t tightBytes(const SgGenerateInfo& info, uint32_t resolution) {
    const size_t w = info.width ? info.width : resolution, h = info.height ? info.height : resolution;
    return size_t(info.count) * w * h * (info.format == SG_FORMAT_R32G32B32A32_SFLOAT ? 16 : 4);
}

// Fails the test (returning an empty vector) if sgGenerate fails.
inline std::vector<uint8_t> generateBytes(SgContext context, SgModel model, const SgGenerateInfo& info,
                                          uint32_t resolution = 16) {
    std::vector<uint8_t> out(tightBytes(info, resolution));
    const SgImageBuffer buffer = imageBuffer(out.data(), out.size());
    const SgResult result = sgGenerate(context, model, &info, &buffer);
    EXPECT_EQ(result, SG_SUCCESS) << sgGetLastErrorMessage(context);
    if (result != SG_SUCCESS) out.clear();
    return out;
}

inline std::vector<float> generateFloats(SgContext context, SgModel model, SgGenerateInfo info,
                                         uint32_t resolution = 16) {
    info.format = SG_FORMAT_R32G32B32A32_SFLOAT;
    const std::vector<uint8_t> bytes = generateBytes(context, model, info, resolution);
    std::vector<float> floats(bytes.size() / sizeof(float));
    if (!bytes.empty()) std::memcpy(floats.data(), bytes.data(), bytes.size());
    return floats;
}

// A CPU context with a tiny character model (3 styles) and a tiny scene model (4 styles).
class ApiTest : public ::testing::Test {
protected:
    void SetUp() override {
        const SgContextCreateInfo info = cpuContextInfo();
        ASSERT_EQ(sgCreateContext(&info, nullptr, &context), SG_SUCCESS) << sgGetLastErrorMessage(nullptr);
        character = load(makeTinyModel(TinyKind::Character, 3, 11));
        scene = load(makeTinyModel(TinyKind::Scene, 4, 12));
    }
    void TearDown() override {
        sgDestroyModel(context, character);
        sgDestroyModel(context, scene);
        sgDestroyContext(context, nullptr);
    }

    SgModel load(const std::vector<uint8_t>& bytes) {
        SgModel model = nullptr;
        EXPECT_EQ(sgLoadModelFromMemory(context, bytes.data(), bytes.size(), &model), SG_SUCCESS)
            << sgGetLastErrorMessage(context);
        return model;
    }

    std::string lastError() const { return sgGetLastErrorMessage(context); }

    SgContext context = nullptr;
    SgModel character = nullptr;
    SgModel scene = nullptr;
};

}  // namespace sgtest

// The call returned `expected` and left a last-error message on `ctx` containing `text`.
#define SG_EXPECT_FAILURE(call, expected, ctx, text)                                       \
    do {                                                                                   \
        const SgResult sgResult_ = (call);                                                 \
        EXPECT_EQ(sgResult_, (expected)) << #call;                                         \
        const std::string sgMessage_ = sgGetLastErrorMessage(ctx);                         \
        EXPECT_NE(sgMessage_.find(text), std::string::npos) << #call << ": " << sgMessage_; \
    } while (0)
