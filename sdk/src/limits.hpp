// limits.hpp - a context's resource limits (SgContextLimits): their defaults
// and ceilings, and the checks that refuse a request before anything is
// allocated for it.
#pragma once

#include <cstdint>
#include <string>

#include "api_guard.hpp"
#include "stylegen/stylegen.h"
#include "stylegen_plugin.h"

namespace sg {

struct Limits {
    uint32_t maxImageExtent = SG_MAX_IMAGE_EXTENT;
    uint32_t maxModelTensors = SG_MAX_MODEL_TENSORS;
    uint64_t maxOutputBytesPerCall = SG_MAX_GENERATE_OUTPUT_BYTES;
    uint64_t maxWorkingMemoryBytes = 0;  // set by defaultLimits()
    uint64_t maxModelFileBytes = uint64_t(1) << 30;
    uint64_t maxModelHeaderBytes = uint64_t(1) << 20;
    uint64_t maxModelWeightBytes = uint64_t(2) << 30;
};

// The defaults, with maxWorkingMemoryBytes at half the physical memory.
Limits defaultLimits();

// The limits an SgContextCreateInfo asks for: the defaults, overridden by the
// non-zero members of an SgContextLimits in its pNext chain. Fails with
// SG_ERROR_INVALID_ARGUMENT for a member above its ceiling or two such structs.
SgResult limitsFromCreateInfo(const ApiCall& call, const SgContextCreateInfo& createInfo, Limits* limits);

// Writes `limits` into every SgContextLimits of an SgContextInfo's pNext chain.
void reportLimits(const Limits& limits, const SgContextInfo& info);

// The working memory estimate of docs/api.md ("Limits"): the generator's
// activations for one width x height image, in bytes.
uint64_t workingBytesPerImage(const SgpArchitecture& arch, uint32_t width, uint32_t height);

// Checks a generation request's size against the limits: extent and output
// bytes (SG_ERROR_INVALID_ARGUMENT), working memory (SG_ERROR_OUT_OF_MEMORY).
// outputBytes is count * height * rowPitch, already checked for overflow.
SgResult checkGenerateLimits(const ApiCall& call, const Limits& limits, const SgpArchitecture& arch,
                             const std::string& modelName, uint32_t width, uint32_t height, uint32_t count,
                             uint64_t outputBytes);

// "1.5 GiB" style, for messages.
std::string byteText(uint64_t bytes);

}  // namespace sg
