// generate.hpp - generation into host memory, shared by sgGenerate and the
// entry points that generate elsewhere first (stylegen_vulkan.h's staging path).
#pragma once

#include <vector>

#include "api_guard.hpp"
#include "stylegen/stylegen.h"
#include "stylegen_plugin.h"

namespace sg {

struct ModelData;

// A checked SgGenerateInfo: the image size and the blend, normalised to sum 1.
struct GenerateRequest {
    uint32_t width = 0;
    uint32_t height = 0;
    std::vector<float> styleWeights;
};

// Checks the struct and every member against the model (size, style, flags,
// format, alpha mode), not where the images go.
SgResult checkGenerateInfo(const ApiCall& call, const ModelData& model, const SgGenerateInfo* pGenerateInfo,
                           GenerateRequest* request);

// Storage behind an SgpBatch's seed arrays.
struct BatchSeeds {
    std::vector<uint64_t> seeds, noiseSeeds, mixSeeds;
};

// The backend batch for images [first, first + count) of a checked request:
// the seeds those images get under SgGenerateInfo's seed rules, in *storage.
SgpBatch makeBatch(const ModelData& model, const SgGenerateInfo& info, const GenerateRequest& request, uint32_t first,
                   uint32_t count, BatchSeeds* storage);

// sgGenerate after its handle checks (context and model non-NULL, model of
// context): checks both structs and every member, then writes the images.
// Failures are reported through call.
SgResult generate(const ApiCall& call, SgContext context, SgModel model, const SgGenerateInfo* pGenerateInfo,
                  const SgImageBuffer* pImageBuffer);

}  // namespace sg
