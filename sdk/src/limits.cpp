// limits.cpp - see limits.hpp.
#include "limits.hpp"

#include <algorithm>
#include <cstdio>

#include <unistd.h>

namespace sg {
namespace {

std::string sizeText(uint32_t w, uint32_t h) { return std::to_string(w) + "x" + std::to_string(h); }

// One member of SgContextLimits: 0 keeps the default, more than the ceiling is an error.
template <class T>
SgResult apply(const ApiCall& call, const char* member, T requested, T ceiling, T* value) {
    if (requested == 0) return SG_SUCCESS;
    SG_CHECK(requested <= ceiling, SG_ERROR_INVALID_ARGUMENT,
             std::string("SgContextLimits::") + member + " is " + std::to_string(requested) +
                 ", above its ceiling of " + std::to_string(ceiling));
    *value = requested;
    return SG_SUCCESS;
}

}  // namespace

Limits defaultLimits() {
    Limits limits;
    const long pages = ::sysconf(_SC_PHYS_PAGES), pageSize = ::sysconf(_SC_PAGESIZE);
    // Where the system does not say, assume a small machine (8 GiB).
    const uint64_t physical = pages > 0 && pageSize > 0 ? uint64_t(pages) * uint64_t(pageSize) : uint64_t(8) << 30;
    limits.maxWorkingMemoryBytes = physical / 2;
    return limits;
}

SgResult limitsFromCreateInfo(const ApiCall& call, const SgContextCreateInfo& createInfo, Limits* limits) {
    *limits = defaultLimits();
    const SgContextLimits* requested = nullptr;
    for (auto* s = static_cast<const SgContextCreateInfo*>(createInfo.pNext); s;
         s = static_cast<const SgContextCreateInfo*>(s->pNext)) {
        if (s->sType != SG_STRUCTURE_TYPE_CONTEXT_LIMITS) continue;
        SG_CHECK(requested == nullptr, SG_ERROR_INVALID_ARGUMENT,
                 "pCreateInfo's pNext chain has two SgContextLimits structs");
        requested = reinterpret_cast<const SgContextLimits*>(s);
    }
    if (!requested) return SG_SUCCESS;
    const SgContextLimits& r = *requested;
    constexpr uint64_t kUnlimited = UINT64_MAX;
    SgResult result = apply(call, "maxImageExtent", r.maxImageExtent, SG_MAX_IMAGE_EXTENT, &limits->maxImageExtent);
    if (result == SG_SUCCESS)
        result = apply(call, "maxModelTensors", r.maxModelTensors, SG_MAX_MODEL_TENSORS, &limits->maxModelTensors);
    if (result == SG_SUCCESS)
        result = apply(call, "maxOutputBytesPerCall", r.maxOutputBytesPerCall, uint64_t(SG_MAX_GENERATE_OUTPUT_BYTES),
                       &limits->maxOutputBytesPerCall);
    if (result == SG_SUCCESS)
        result = apply(call, "maxWorkingMemoryBytes", r.maxWorkingMemoryBytes, kUnlimited,
                       &limits->maxWorkingMemoryBytes);
    if (result == SG_SUCCESS)
        result = apply(call, "maxModelFileBytes", r.maxModelFileBytes, kUnlimited, &limits->maxModelFileBytes);
    if (result == SG_SUCCESS)
        result = apply(call, "maxModelHeaderBytes", r.maxModelHeaderBytes, kUnlimited, &limits->maxModelHeaderBytes);
    if (result == SG_SUCCESS)
        result = apply(call, "maxModelWeightBytes", r.maxModelWeightBytes, kUnlimited, &limits->maxModelWeightBytes);
    return result;
}

void reportLimits(const Limits& limits, const SgContextInfo& info) {
    for (auto* s = static_cast<SgContextInfo*>(info.pNext); s; s = static_cast<SgContextInfo*>(s->pNext)) {
        if (s->sType != SG_STRUCTURE_TYPE_CONTEXT_LIMITS) continue;
        auto* out = reinterpret_cast<SgContextLimits*>(s);
        out->maxImageExtent = limits.maxImageExtent;
        out->maxModelTensors = limits.maxModelTensors;
        out->maxOutputBytesPerCall = limits.maxOutputBytesPerCall;
        out->maxWorkingMemoryBytes = limits.maxWorkingMemoryBytes;
        out->maxModelFileBytes = limits.maxModelFileBytes;
        out->maxModelHeaderBytes = limits.maxModelHeaderBytes;
        out->maxModelWeightBytes = limits.maxModelWeightBytes;
    }
}

uint64_t workingBytesPerImage(const SgpArchitecture& arch, uint32_t width, uint32_t height) {
    // Three sets of padded activation planes, each as large as its largest
    // block needs (a block's input, its first conv's output, its output), the
    // RGB(A) skip path and its upsampled copy, two noise maps and the float
    // image. Sides are at most 16384 and channels 1024: no overflow in 64 bits.
    uint64_t input = 0, conv = 0;
    const uint32_t blocks = std::min<uint32_t>(arch.blockCount, SGP_MAX_BLOCKS);
    for (uint32_t b = 0; b < blocks; ++b) {
        const uint32_t shift = blocks - 1 - b;
        const uint64_t plane = (uint64_t(height >> shift) + 2) * (uint64_t(width >> shift) + 2);
        if (b > 0) input = std::max(input, arch.channels[b - 1] * plane);
        conv = std::max(conv, arch.channels[b] * plane);
    }
    const uint64_t pixels = uint64_t(width) * height;
    const uint64_t padded = (uint64_t(width) + 2) * (uint64_t(height) + 2);
    const uint64_t floats = input + 2 * conv + 2 * uint64_t(arch.imgChannels) * padded + 2 * pixels + 4 * pixels;
    return floats * sizeof(float);
}

SgResult checkGenerateLimits(const ApiCall& call, const Limits& limits, const SgpArchitecture& arch,
                             const std::string& modelName, uint32_t width, uint32_t height, uint32_t count,
                             uint64_t outputBytes) {
    SG_CHECK(width <= limits.maxImageExtent && height <= limits.maxImageExtent, SG_ERROR_INVALID_ARGUMENT,
             "width x height is " + sizeText(width, height) + ", larger than the context's limit of " +
                 std::to_string(limits.maxImageExtent) + " per side (SgContextLimits::maxImageExtent)");
    SG_CHECK(outputBytes <= limits.maxOutputBytesPerCall, SG_ERROR_INVALID_ARGUMENT,
             std::to_string(count) + " images of " + sizeText(width, height) + " need " + std::to_string(outputBytes) +
                 " bytes, more than the context's limit of " + std::to_string(limits.maxOutputBytesPerCall) +
                 " bytes per call (SgContextLimits::maxOutputBytesPerCall); split the request");
    const uint64_t working = workingBytesPerImage(arch, width, height);
    SG_CHECK(working <= limits.maxWorkingMemoryBytes, SG_ERROR_OUT_OF_MEMORY,
             "one " + sizeText(width, height) + " image of model '" + modelName + "' needs about " +
                 byteText(working) + " of working memory, more than the context's limit of " +
                 byteText(limits.maxWorkingMemoryBytes) + " (SgContextLimits::maxWorkingMemoryBytes)");
    return SG_SUCCESS;
}

std::string byteText(uint64_t bytes) {
    static const char* const kUnits[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    if (bytes < 1024) return std::to_string(bytes) + " bytes";
    double value = double(bytes);
    int unit = 0;
    while (value >= 1024.0 && unit < 4) {
        value /= 1024.0;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof(text), "%.1f %s", value, kUnits[unit]);
    return text;
}

}  // namespace sg
