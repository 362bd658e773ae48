// generate.hpp - generation into host memory, shared by sgGenerate, the
// entry points that generate elsewhere first (stylegen_vulkan.h's staging
// path) and sgRestyle (restyle.cpp).
#pragma once

#include <string>
#include <vector>

#include "api_guard.hpp"
#include "stylegen/stylegen.h"
#include "stylegen_plugin.h"

namespace sg {

class Backend;
struct ModelData;

// A checked SgGenerateInfo: the image size and the blend, normalised to sum 1.
struct GenerateRequest {
    uint32_t width = 0;
    uint32_t height = 0;
    std::vector<float> styleWeights;
    const SgLatentInterpolationInfo* interpolation = nullptr;  // from the pNext chain, checked
};

// Checks the struct and every member against the model (size, style, flags,
// format, alpha mode), not where the images go.
SgResult checkGenerateInfo(const ApiCall& call, const ModelData& model, const SgGenerateInfo* pGenerateInfo,
                           GenerateRequest* request);

// Storage behind an SgpBatch's seed arrays.
struct BatchSeeds {
    std::vector<uint64_t> seeds, noiseSeeds, mixSeeds, lerpSeeds;
    std::vector<float> lerpAmounts;
};

// The backend batch for images [first, first + count) of a checked request:
// the seeds those images get under SgGenerateInfo's seed rules, in *storage.
SgpBatch makeBatch(const ModelData& model, const SgGenerateInfo& info, const GenerateRequest& request, uint32_t first,
                   uint32_t count, BatchSeeds* storage);

// Where a call's images go: their size, and from checkImageBuffer the
// output's pixel size and row pitch.
struct ImageLayout {
    uint32_t width = 0;
    uint32_t height = 0;
    size_t bytesPerPixel = 0;
    size_t rowPitch = 0;
    size_t imageBytes = 0;  // height * rowPitch
};

// Checks that pImageBuffer takes count images of layout->width x height in
// `format` (struct, row pitch, size, alignment; the fixed per-call output
// limit) and fills in the rest of *layout.
SgResult checkImageBuffer(const ApiCall& call, uint32_t count, SgFormat format, const SgImageBuffer* pImageBuffer,
                          ImageLayout* layout);

// One image from a backend's premultiplied float RGBA (tight rows) to the
// output format and alpha mode, at layout's row pitch; src may equal dst.
void convertImage(const float* src, const ImageLayout& layout, SgFormat format, SgAlphaMode alphaMode, uint8_t* dst);

// The backend a call runs on, with the model as prepared for it.
struct Runner {
    const Backend* backend = nullptr;
    SgpPreparedModel prepared = nullptr;
};

// The context's built-in CPU backend and the model as prepared for it, both
// made on first use: for good after a device loss (deviceLost), else for one
// request the GPU backend does not support (`why`).
SgResult cpuRunner(const ApiCall& call, SgContext context, SgModel model, const std::string& why, bool deviceLost,
                   Runner* runner);

// sgGenerate after its handle checks (context and model non-NULL, model of
// context): checks both structs and every member, then writes the images.
// Failures are reported through call.
SgResult generate(const ApiCall& call, SgContext context, SgModel model, const SgGenerateInfo* pGenerateInfo,
                  const SgImageBuffer* pImageBuffer);

}  // namespace sg
