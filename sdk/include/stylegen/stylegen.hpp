// stylegen.hpp - header-only C++17 RAII wrapper over the stylegen C ABI.
// Copyright (c) 2025 the stylegen authors. SPDX-License-Identifier: MIT
//
// Errors are exceptions: every failing call throws sg::Error, which carries the
// SgResult and the library's message. Handles close themselves; a Model keeps
// its Context alive, so objects may be destroyed in any order.
//
//   #include <stylegen/stylegen.hpp>
//
//   sg::Context context;                                  // auto backend, all threads
//   sg::Model model = context.loadModel("characters.sgm");
//   sg::GenerateInfo info;                                // count 1, psi 1, noise 1, RGBA8, straight alpha
//   info.count = 8;
//   info.firstSeed = 1000;
//   info.styleIndex = model.findStyle("orcs");
//   info.truncationPsi = 0.7f;
//   std::vector<uint8_t> pixels = model.generate(info);   // 8 images, one after the other
//
// Index
//   [SECTION] Error
//   [SECTION] Create infos with defaults
//   [SECTION] Context
//   [SECTION] Model
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "stylegen/stylegen.h"

namespace sg {

// [SECTION] Error ----------------------------------------------------------------

class Error : public std::runtime_error {
public:
    Error(SgResult result, const std::string& message)
        : std::runtime_error(std::string(sgResultString(result)) + ": " + message), result_(result) {}
    SgResult result() const noexcept { return result_; }

private:
    SgResult result_;
};

namespace detail {

// Reads the message right away: it belongs to this thread and the next call replaces it.
inline void check(SgResult result, SgContext context) {
    if (result != SG_SUCCESS) throw Error(result, sgGetLastErrorMessage(context));
}

using ContextHandle = std::shared_ptr<SgContext_T>;

}  // namespace detail

// [SECTION] Create infos with defaults ----------------------------------------------

// SgContextCreateInfo with sType and apiVersion set: automatic backend, one
// thread per hardware thread, no logging.
struct ContextCreateInfo : SgContextCreateInfo {
    ContextCreateInfo() : SgContextCreateInfo{} {
        sType = SG_STRUCTURE_TYPE_CONTEXT_CREATE_INFO;
        apiVersion = SG_API_VERSION;
    }
};

// SgGenerateInfo with the neutral settings: one image, seed 0, style 0, no
// truncation, noise as trained, model resolution, RGBA8, straight alpha.
struct GenerateInfo : SgGenerateInfo {
    GenerateInfo() : SgGenerateInfo{} {
        sType = SG_STRUCTURE_TYPE_GENERATE_INFO;
        count = 1;
        truncationPsi = 1.0f;
        noiseStrength = 1.0f;
        format = SG_FORMAT_R8G8B8A8_UNORM;
        alphaMode = SG_ALPHA_MODE_STRAIGHT;
    }
};

// SgLatentInterpolationInfo for every image of a call: chain it with
// info.pNext = &interpolation to move each latent towards targetSeed (+ i) by amount.
struct LatentInterpolationInfo : SgLatentInterpolationInfo {
    LatentInterpolationInfo(uint64_t targetSeed, float t) : SgLatentInterpolationInfo{} {
        sType = SG_STRUCTURE_TYPE_LATENT_INTERPOLATION_INFO;
        firstTargetSeed = targetSeed;
        amount = t;
    }
};

// SgRestyleInfo with sType set and neutral settings: half strength, the
// source style found automatically, no refinement, RGBA8 straight alpha in
// and out. Set pPixels, size, width, height (and rowPitch) and the target.
struct RestyleInfo : SgRestyleInfo {
    RestyleInfo() : SgRestyleInfo{} {
        sType = SG_STRUCTURE_TYPE_RESTYLE_INFO;
        inputFormat = SG_FORMAT_R8G8B8A8_UNORM;
        inputAlphaMode = SG_ALPHA_MODE_STRAIGHT;
        sourceStyleIndex = SG_STYLE_INDEX_AUTO;
        strength = 0.5f;
        format = SG_FORMAT_R8G8B8A8_UNORM;
        alphaMode = SG_ALPHA_MODE_STRAIGHT;
    }
};

class Model;

// [SECTION] Context ---------------------------------------------------------------

// A generation context (sgCreateContext). Copies share one context; it is
// destroyed when the last copy and the last Model loaded through it are gone.
// Thread safety: as the C API, loading and generating from many threads is fine.
class Context {
public:
    explicit Context(const SgContextCreateInfo& createInfo = ContextCreateInfo()) {
        SgContext context = nullptr;
        detail::check(sgCreateContext(&createInfo, nullptr, &context), nullptr);
        context_.reset(context, [](SgContext c) { sgDestroyContext(c, nullptr); });
    }

    SgContext handle() const { return context_.get(); }

    SgContextInfo info() const {
        SgContextInfo info{};
        info.sType = SG_STRUCTURE_TYPE_CONTEXT_INFO;
        detail::check(sgGetContextInfo(handle(), &info), handle());
        return info;
    }

    inline Model loadModel(const std::string& path) const;
    inline Model loadModelFromMemory(const void* data, size_t size) const;

private:
    detail::ContextHandle context_;
};

// [SECTION] Model -------------------------------------------------------------------

// A loaded model (sgLoadModelFromFile / sgLoadModelFromMemory). Move-only.
// Thread safety: immutable; many threads may query it and generate with it at once.
class Model {
public:
    Model(Model&& other) noexcept
        : context_(std::move(other.context_)), model_(std::exchange(other.model_, nullptr)) {}
    Model& operator=(Model&& other) noexcept {
        if (this != &other) {
            reset();
            context_ = std::move(other.context_);
            model_ = std::exchange(other.model_, nullptr);
        }
        return *this;
    }
    Model(const Model&) = delete;
    Model& operator=(const Model&) = delete;
    ~Model() { reset(); }

    SgModel handle() const { return model_; }
    SgContext context() const { return context_.get(); }

    SgModelInfo info() const {
        SgModelInfo info{};
        info.sType = SG_STRUCTURE_TYPE_MODEL_INFO;
        detail::check(sgGetModelInfo(model_, &info), context());
        return info;
    }

    std::vector<std::string> styleNames() const {
        std::vector<std::string> names;
        const uint32_t count = info().styleCount;
        for (uint32_t i = 0; i < count; ++i) {
            const char* name = nullptr;
            detail::check(sgGetStyleName(model_, i, &name), context());
            names.emplace_back(name);
        }
        return names;
    }

    uint32_t findStyle(const std::string& name) const {
        uint32_t index = 0;
        detail::check(sgFindStyle(model_, name.c_str(), &index), context());
        return index;
    }

    // sgParseStylePrompt: "orcs:0.7 + undead:0.3" -> one weight per style, summing to 1.
    std::vector<float> parseStylePrompt(const std::string& prompt) const {
        std::vector<float> weights(info().styleCount);
        detail::check(sgParseStylePrompt(model_, prompt.c_str(), uint32_t(weights.size()), weights.data()),
                      context());
        return weights;
    }

    // Whether the model carries an encoder, so restyle() works (SgModelRestyleInfo).
    bool restyleSupported() const {
        return chainedInfo<SgModelRestyleInfo>(SG_STRUCTURE_TYPE_MODEL_RESTYLE_INFO).restyleSupported == SG_TRUE;
    }

    // The pattern a scene model's textures repeat (SgModelPatternInfo):
    // patternPeriod 0 when there is none.
    SgModelPatternInfo pattern() const {
        return chainedInfo<SgModelPatternInfo>(SG_STRUCTURE_TYPE_MODEL_PATTERN_INFO);
    }

    // sgGetRestyleExtent: the output size (width, height) of restyling a width x height input.
    std::pair<uint32_t, uint32_t> restyleExtent(uint32_t width, uint32_t height) const {
        std::pair<uint32_t, uint32_t> extent;
        detail::check(sgGetRestyleExtent(model_, width, height, &extent.first, &extent.second), context());
        return extent;
    }

    // sgRestyle into a tightly packed RGBA8 image of restyleExtent's size (info.format is overridden).
    std::vector<uint8_t> restyle(RestyleInfo info) const {
        info.format = SG_FORMAT_R8G8B8A8_UNORM;
        const std::pair<uint32_t, uint32_t> extent = restyleExtent(info.width, info.height);
        std::vector<uint8_t> pixels(size_t(extent.first) * extent.second * 4);
        restyleInto(info, pixels.data(), pixels.size());
        return pixels;
    }

    // As restyle(), as RGBA float in [0, 1] (info.format is overridden).
    std::vector<float> restyleFloat(RestyleInfo info) const {
        info.format = SG_FORMAT_R32G32B32A32_SFLOAT;
        const std::pair<uint32_t, uint32_t> extent = restyleExtent(info.width, info.height);
        std::vector<float> pixels(size_t(extent.first) * extent.second * 4);
        restyleInto(info, pixels.data(), pixels.size() * sizeof(float));
        return pixels;
    }

    // Into caller memory, tightly packed rows (sgRestyle with rowPitch 0).
    void restyleInto(const SgRestyleInfo& info, void* data, size_t size) const {
        SgImageBuffer buffer{};
        buffer.sType = SG_STRUCTURE_TYPE_IMAGE_BUFFER;
        buffer.pData = data;
        buffer.size = size;
        detail::check(sgRestyle(context(), model_, &info, &buffer), context());
    }

    // info.count images, RGBA8 (info.format is overridden), tightly packed one after the other.
    std::vector<uint8_t> generate(GenerateInfo info) const {
        info.format = SG_FORMAT_R8G8B8A8_UNORM;
        std::vector<uint8_t> pixels(outputBytes(info) / sizeof(uint8_t));
        generateInto(info, pixels.data(), pixels.size() * sizeof(uint8_t));
        return pixels;
    }

    // As generate(), as RGBA float in [0, 1] (info.format is overridden).
    std::vector<float> generateFloat(GenerateInfo info) const {
        info.format = SG_FORMAT_R32G32B32A32_SFLOAT;
        std::vector<float> pixels(outputBytes(info) / sizeof(float));
        generateInto(info, pixels.data(), pixels.size() * sizeof(float));
        return pixels;
    }

    // Into caller memory, tightly packed rows (sgGenerate with rowPitch 0).
    void generateInto(const SgGenerateInfo& info, void* data, size_t size) const {
        SgImageBuffer buffer{};
        buffer.sType = SG_STRUCTURE_TYPE_IMAGE_BUFFER;
        buffer.pData = data;
        buffer.size = size;
        detail::check(sgGenerate(context(), model_, &info, &buffer), context());
    }

private:
    friend class Context;
    Model(detail::ContextHandle context, SgModel model) : context_(std::move(context)), model_(model) {}

    void reset() {
        if (model_) sgDestroyModel(context(), model_);
        model_ = nullptr;
    }

    // One struct chained into SgModelInfo::pNext, as sgGetModelInfo fills it
    // (zero-initialised first, so an older library leaves it at zero).
    template <typename Chained>
    Chained chainedInfo(SgStructureType type) const {
        Chained chained{};
        chained.sType = type;
        SgModelInfo info{};
        info.sType = SG_STRUCTURE_TYPE_MODEL_INFO;
        info.pNext = &chained;
        detail::check(sgGetModelInfo(model_, &info), context());
        return chained;
    }

    // The tight size of info's output, or 0 when it would exceed the context's
    // per-call limit (sgGenerate then reports the limit with its own message),
    // so nothing larger than the limit is ever allocated for a refused call.
    size_t outputBytes(const SgGenerateInfo& info) const {
        const SgModelInfo m = this->info();
        const uint64_t w = info.width ? info.width : m.resolution;
        const uint64_t h = info.height ? info.height : m.resolution;
        const uint64_t pixelBytes = info.format == SG_FORMAT_R32G32B32A32_SFLOAT ? 16 : 4;
        SgContextLimits limits{};
        limits.sType = SG_STRUCTURE_TYPE_CONTEXT_LIMITS;
        SgContextInfo contextInfo{};
        contextInfo.sType = SG_STRUCTURE_TYPE_CONTEXT_INFO;
        contextInfo.pNext = &limits;
        detail::check(sgGetContextInfo(context(), &contextInfo), context());
        // A 1.0 library leaves the struct alone: its limit is the static one.
        const uint64_t limit =
            limits.maxOutputBytesPerCall ? limits.maxOutputBytesPerCall : uint64_t(SG_MAX_GENERATE_OUTPUT_BYTES);
        if (w > limit || h > limit || w * h > limit || w * h * pixelBytes > limit) return 0;
        const uint64_t imageBytes = w * h * pixelBytes;
        if (info.count > limit / imageBytes) return 0;
        return size_t(imageBytes * info.count);
    }

    detail::ContextHandle context_;
    SgModel model_ = nullptr;
};

inline Model Context::loadModel(const std::string& path) const {
    SgModel model = nullptr;
    detail::check(sgLoadModelFromFile(handle(), path.c_str(), &model), handle());
    return Model(context_, model);
}

inline Model Context::loadModelFromMemory(const void* data, size_t size) const {
    SgModel model = nullptr;
    detail::check(sgLoadModelFromMemory(handle(), data, size, &model), handle());
    return Model(context_, model);
}

}  // namespace sg
