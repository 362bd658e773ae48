// generate.cpp - sgGenerate: check the request, run the backend in chunks,
// convert its premultiplied float RGBA to the format and alpha mode asked for.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <vector>

#include "generate.hpp"

#include "api_guard.hpp"
#include "context.hpp"
#include "model.hpp"
#include "style_blend.hpp"

namespace {

// Backends write float RGBA; converting to RGBA8 or a pitched layout goes
// through a scratch buffer of at most this many bytes (or one image).
constexpr size_t kScratchBytes = size_t(64) << 20;
// Seeds for one backend call are built per chunk, so their memory stays small too.
constexpr uint32_t kMaxChunkImages = 4096;
constexpr size_t kPluginErrorSize = 512;

using Layout = sg::ImageLayout;

std::string sizeText(uint32_t w, uint32_t h) { return std::to_string(w) + "x" + std::to_string(h); }

SgResult checkSize(const sg::ApiCall& call, const sg::ModelData& m, const SgGenerateInfo& info, Layout* layout) {
    const uint32_t r = m.arch.resolution;
    layout->width = info.width ? info.width : r;
    layout->height = info.height ? info.height : r;
    const uint32_t w = layout->width, h = layout->height;
    if (m.arch.kind == SGP_MODEL_KIND_CHARACTER) {
        SG_CHECK(w == r && h == r, SG_ERROR_INVALID_ARGUMENT,
                 "pGenerateInfo->width x height is " + sizeText(w, h) + ", but character model '" + m.name +
                     "' only generates " + sizeText(r, r) + " (or 0 for that)");
    } else {
        const uint32_t block = m.blockSize();
        SG_CHECK(w <= SG_MAX_IMAGE_EXTENT && h <= SG_MAX_IMAGE_EXTENT, SG_ERROR_INVALID_ARGUMENT,
                 "pGenerateInfo->width x height is " + sizeText(w, h) + ", larger than the limit of " +
                     std::to_string(SG_MAX_IMAGE_EXTENT) + " per side");
        SG_CHECK(w % block == 0 && h % block == 0, SG_ERROR_INVALID_ARGUMENT,
                 "pGenerateInfo->width x height is " + sizeText(w, h) + ", not a multiple of scene model '" + m.name +
                     "''s block size " + std::to_string(block));
    }
    return SG_SUCCESS;
}

SgResult checkStyle(const sg::ApiCall& call, const sg::ModelData& m, const SgGenerateInfo& info,
                    std::vector<float>* weights) {
    return sg::checkStyleBlend(call, m, "pGenerateInfo", info.styleIndex, info.styleWeightCount, info.pStyleWeights,
                               weights);
}

SgResult checkRequest(const sg::ApiCall& call, const sg::ModelData& m, const SgGenerateInfo& info, Layout* layout,
                      std::vector<float>* weights) {
    SG_CHECK(info.count > 0, SG_ERROR_INVALID_ARGUMENT, "pGenerateInfo->count is 0");
    const SgGenerateFlags known = SG_GENERATE_STYLE_MIXING_BIT | SG_GENERATE_EXPLICIT_NOISE_SEEDS_BIT;
    SG_CHECK((info.flags & ~known) == 0, SG_ERROR_INVALID_ARGUMENT,
             "pGenerateInfo->flags has unknown bits " + std::to_string(info.flags & ~known));
    if (SgResult r = checkStyle(call, m, info, weights); r != SG_SUCCESS) return r;
    SG_CHECK(std::isfinite(info.truncationPsi), SG_ERROR_INVALID_ARGUMENT,
             "pGenerateInfo->truncationPsi is not finite (1 = no truncation)");
    SG_CHECK(std::isfinite(info.noiseStrength) && info.noiseStrength >= 0.0f, SG_ERROR_INVALID_ARGUMENT,
             "pGenerateInfo->noiseStrength is " + std::to_string(info.noiseStrength) +
                 "; it must be finite and >= 0 (1 = as trained)");
    if (info.flags & SG_GENERATE_STYLE_MIXING_BIT) {
        SG_CHECK(info.mixLayer <= m.wLayerCount(), SG_ERROR_INVALID_ARGUMENT,
                 "pGenerateInfo->mixLayer " + std::to_string(info.mixLayer) + " is out of range: model '" + m.name +
                     "' has " + std::to_string(m.wLayerCount()) + " w layers (crossovers 0.." +
                     std::to_string(m.wLayerCount()) + ")");
    }
    SG_CHECK(info.format == SG_FORMAT_R8G8B8A8_UNORM || info.format == SG_FORMAT_R32G32B32A32_SFLOAT,
             SG_ERROR_INVALID_ARGUMENT,
             "pGenerateInfo->format " + std::to_string(int(info.format)) +
                 " is not SG_FORMAT_R8G8B8A8_UNORM or SG_FORMAT_R32G32B32A32_SFLOAT");
    SG_CHECK(info.alphaMode == SG_ALPHA_MODE_STRAIGHT || info.alphaMode == SG_ALPHA_MODE_PREMULTIPLIED,
             SG_ERROR_INVALID_ARGUMENT,
             "pGenerateInfo->alphaMode " + std::to_string(int(info.alphaMode)) + " is not an SgAlphaMode");
    return checkSize(call, m, info, layout);
}

// The SgLatentInterpolationInfo chained to the request, if any, with its amounts checked.
SgResult checkInterpolation(const sg::ApiCall& call, const SgGenerateInfo& info,
                            const SgLatentInterpolationInfo** interpolation) {
    *interpolation = nullptr;
    for (auto* s = static_cast<const SgGenerateInfo*>(info.pNext); s; s = static_cast<const SgGenerateInfo*>(s->pNext))
        if (s->sType == SG_STRUCTURE_TYPE_LATENT_INTERPOLATION_INFO) {
            SG_CHECK(*interpolation == nullptr, SG_ERROR_INVALID_ARGUMENT,
                     "pGenerateInfo's pNext chain has two SgLatentInterpolationInfo structs");
            *interpolation = reinterpret_cast<const SgLatentInterpolationInfo*>(s);
        }
    const SgLatentInterpolationInfo* li = *interpolation;
    if (!li) return SG_SUCCESS;
    auto amountOk = [](float t) { return std::isfinite(t) && t >= 0.0f && t <= 1.0f; };
    if (!li->pAmounts) {
        SG_CHECK(amountOk(li->amount), SG_ERROR_INVALID_ARGUMENT,
                 "SgLatentInterpolationInfo::amount is " + std::to_string(li->amount) + "; it must be in [0, 1]");
        return SG_SUCCESS;
    }
    for (uint32_t i = 0; i < info.count; ++i)
        SG_CHECK(amountOk(li->pAmounts[i]), SG_ERROR_INVALID_ARGUMENT,
                 "SgLatentInterpolationInfo::pAmounts[" + std::to_string(i) + "] is " +
                     std::to_string(li->pAmounts[i]) + "; amounts must be in [0, 1]");
    return SG_SUCCESS;
}

uint64_t seedOf(const uint64_t* pSeeds, uint64_t first, uint32_t i) {
    return pSeeds ? pSeeds[i] : first + i;  // first + i wraps modulo 2^64, as documented
}

}  // namespace

namespace sg {

SgResult checkImageBuffer(const ApiCall& call, uint32_t count, SgFormat format, const SgImageBuffer* pImageBuffer,
                          ImageLayout* layout) {
    SG_CHECK(pImageBuffer != nullptr, SG_ERROR_INVALID_ARGUMENT, "pImageBuffer is NULL");
    SG_CHECK(pImageBuffer->sType == SG_STRUCTURE_TYPE_IMAGE_BUFFER, SG_ERROR_INVALID_ARGUMENT,
             "pImageBuffer->sType is " + std::to_string(int(pImageBuffer->sType)) +
                 ", expected SG_STRUCTURE_TYPE_IMAGE_BUFFER");
    const SgImageBuffer& buffer = *pImageBuffer;
    layout->bytesPerPixel = format == SG_FORMAT_R8G8B8A8_UNORM ? 4 : 16;
    const size_t tight = size_t(layout->width) * layout->bytesPerPixel;
    layout->rowPitch = buffer.rowPitch ? buffer.rowPitch : tight;
    SG_CHECK(layout->rowPitch >= tight && layout->rowPitch % 4 == 0, SG_ERROR_INVALID_ARGUMENT,
             "pImageBuffer->rowPitch " + std::to_string(buffer.rowPitch) + " must be 0 or a multiple of 4 >= " +
                 std::to_string(tight) + " (width x bytes per pixel)");
    size_t needed = 0;
    const bool overflow = __builtin_mul_overflow(layout->rowPitch, size_t(layout->height), &layout->imageBytes) ||
                          __builtin_mul_overflow(layout->imageBytes, size_t(count), &needed);
    SG_CHECK(!overflow && needed <= SG_MAX_GENERATE_OUTPUT_BYTES, SG_ERROR_INVALID_ARGUMENT,
             std::to_string(count) + " images of " + sizeText(layout->width, layout->height) +
                 " need more than the limit of " + std::to_string(SG_MAX_GENERATE_OUTPUT_BYTES) +
                 " bytes per call; split the request");
    SG_CHECK(buffer.pData != nullptr, SG_ERROR_INVALID_ARGUMENT, "pImageBuffer->pData is NULL");
    SG_CHECK(buffer.size >= needed, SG_ERROR_INVALID_ARGUMENT,
             "pImageBuffer->size is " + std::to_string(buffer.size) + " bytes, too small: " +
                 std::to_string(count) + " images of " + sizeText(layout->width, layout->height) + " need " +
                 std::to_string(needed) + " bytes");
    SG_CHECK(format != SG_FORMAT_R32G32B32A32_SFLOAT || reinterpret_cast<uintptr_t>(buffer.pData) % 4 == 0,
             SG_ERROR_INVALID_ARGUMENT, "pImageBuffer->pData must be 4-byte aligned for SG_FORMAT_R32G32B32A32_SFLOAT");
    return SG_SUCCESS;
}

namespace {

// v outside [0, 1] or NaN lands on the nearest end (NaN on 0): never UB in the cast below.
inline float unitClamp(float v) { return v > 0.0f ? (v < 1.0f ? v : 1.0f) : 0.0f; }

}  // namespace

// One image from premultiplied float RGBA (tight rows) to the output; src may equal dst.
void convertImage(const float* src, const ImageLayout& layout, SgFormat format, SgAlphaMode alphaMode, uint8_t* dst) {
    const bool straight = alphaMode == SG_ALPHA_MODE_STRAIGHT;
    for (uint32_t y = 0; y < layout.height; ++y) {
        const float* in = src + size_t(y) * layout.width * 4;
        uint8_t* row = dst + y * layout.rowPitch;
        for (uint32_t x = 0; x < layout.width; ++x) {
            float p[4] = {in[4 * x], in[4 * x + 1], in[4 * x + 2], unitClamp(in[4 * x + 3])};
            if (straight) {
                // Fully transparent pixels have no colour; 0 keeps PNGs small and deterministic.
                const float inv = p[3] > 0.0f ? 1.0f / p[3] : 0.0f;
                for (int c = 0; c < 3; ++c) p[c] *= inv;
            }
            for (int c = 0; c < 3; ++c) p[c] = unitClamp(p[c]);
            if (format == SG_FORMAT_R8G8B8A8_UNORM) {
                for (int c = 0; c < 4; ++c) row[4 * x + c] = uint8_t(p[c] * 255.0f + 0.5f);
            } else {
                std::memcpy(row + 16 * size_t(x), p, sizeof(p));
            }
        }
    }
}

SgResult cpuRunner(const ApiCall& call, SgContext context, SgModel model, const std::string& why, bool deviceLost,
                   Runner* runner) {
    SgResult result = SG_SUCCESS;
    std::string error;
    const Backend* cpu = deviceLost ? context->startCpuFallback(why, &result, &error)
                                    : context->startCpuBackend(why, &result, &error);
    if (!cpu) return call.fail(result, error);
    std::lock_guard<std::mutex> lock(model->cpuPrepareMutex);
    if (!model->cpuPrepared) {
        const SgpModelDesc desc = model->data.desc();
        char message[kPluginErrorSize] = "";
        const SgpResult r =
            cpu->table().prepareModel(cpu->handle(), &desc, &model->cpuPrepared, message, sizeof(message));
        message[sizeof(message) - 1] = '\0';
        if (r != SGP_SUCCESS) {
            model->cpuPrepared = nullptr;
            return call.fail(fromPluginResult(r), std::string("the built-in cpu backend cannot prepare the model: ") +
                                                          (message[0] ? message : "no reason given"));
        }
    }
    *runner = Runner{cpu, model->cpuPrepared};
    return SG_SUCCESS;
}

SgResult checkGenerateInfo(const ApiCall& call, const ModelData& model, const SgGenerateInfo* pGenerateInfo,
                           GenerateRequest* request) {
    SG_CHECK(pGenerateInfo != nullptr, SG_ERROR_INVALID_ARGUMENT, "pGenerateInfo is NULL");
    SG_CHECK(pGenerateInfo->sType == SG_STRUCTURE_TYPE_GENERATE_INFO, SG_ERROR_INVALID_ARGUMENT,
             "pGenerateInfo->sType is " + std::to_string(int(pGenerateInfo->sType)) +
                 ", expected SG_STRUCTURE_TYPE_GENERATE_INFO");
    Layout layout;
    if (SgResult r = checkRequest(call, model, *pGenerateInfo, &layout, &request->styleWeights); r != SG_SUCCESS)
        return r;
    if (SgResult r = checkInterpolation(call, *pGenerateInfo, &request->interpolation); r != SG_SUCCESS) return r;
    request->width = layout.width;
    request->height = layout.height;
    return SG_SUCCESS;
}

SgpBatch makeBatch(const ModelData& model, const SgGenerateInfo& info, const GenerateRequest& request, uint32_t first,
                   uint32_t count, BatchSeeds* storage) {
    const bool mixing = (info.flags & SG_GENERATE_STYLE_MIXING_BIT) != 0;
    const bool explicitNoise = (info.flags & SG_GENERATE_EXPLICIT_NOISE_SEEDS_BIT) != 0;
    storage->seeds.resize(count);
    storage->noiseSeeds.resize(count);
    storage->mixSeeds.resize(mixing ? count : 0);
    for (uint32_t k = 0; k < count; ++k) {
        const uint32_t i = first + k;
        storage->seeds[k] = seedOf(info.pSeeds, info.firstSeed, i);
        storage->noiseSeeds[k] = explicitNoise ? seedOf(info.pNoiseSeeds, info.firstNoiseSeed, i) : storage->seeds[k];
        if (mixing) storage->mixSeeds[k] = seedOf(info.pMixSeeds, info.firstMixSeed, i);
    }
    const SgLatentInterpolationInfo* lerp = request.interpolation;
    storage->lerpSeeds.resize(lerp ? count : 0);
    storage->lerpAmounts.resize(lerp ? count : 0);
    for (uint32_t k = 0; lerp && k < count; ++k) {
        storage->lerpSeeds[k] = seedOf(lerp->pTargetSeeds, lerp->firstTargetSeed, first + k);
        storage->lerpAmounts[k] = lerp->pAmounts ? lerp->pAmounts[first + k] : lerp->amount;
    }
    SgpBatch batch{};
    batch.count = count;
    batch.width = request.width;
    batch.height = request.height;
    batch.pSeeds = storage->seeds.data();
    batch.pNoiseSeeds = storage->noiseSeeds.data();
    batch.pMixSeeds = mixing ? storage->mixSeeds.data() : nullptr;
    batch.mixLayer = mixing ? info.mixLayer : model.wLayerCount();
    batch.pStyleWeights = request.styleWeights.data();
    batch.truncationPsi = info.truncationPsi;
    batch.noiseStrength = info.noiseStrength;
    batch.pLerpSeeds = lerp ? storage->lerpSeeds.data() : nullptr;
    batch.pLerpAmounts = lerp ? storage->lerpAmounts.data() : nullptr;
    batch.periodicOffset = model.periodicOffset;
    return batch;
}

SgResult generate(const ApiCall& call, SgContext context, SgModel model, const SgGenerateInfo* pGenerateInfo,
                  const SgImageBuffer* pImageBuffer) {
    GenerateRequest request;
    if (SgResult r = checkGenerateInfo(call, model->data, pGenerateInfo, &request); r != SG_SUCCESS) return r;
    const SgGenerateInfo& info = *pGenerateInfo;
    Layout layout;
    layout.width = request.width;
    layout.height = request.height;
    if (SgResult r = checkImageBuffer(call, info.count, info.format, pImageBuffer, &layout); r != SG_SUCCESS)
        return r;
    // Before any scratch is allocated: an absurd request fails here, whole.
    if (SgResult r = checkGenerateLimits(call, context->limits, model->data.arch, model->data.name, layout.width,
                                         layout.height, info.count, uint64_t(layout.imageBytes) * info.count);
        r != SG_SUCCESS)
        return r;

    const size_t imageFloats = size_t(layout.width) * layout.height * 4;
    const size_t imageFloatBytes = imageFloats * sizeof(float);
    // Tight float output can take the backend's output directly and be converted in place.
    const bool direct = info.format == SG_FORMAT_R32G32B32A32_SFLOAT && layout.rowPitch == layout.width * 16;
    const uint32_t chunkImages = uint32_t(std::min<size_t>(
        {size_t(info.count), size_t(kMaxChunkImages), direct ? size_t(kMaxChunkImages)
                                                             : std::max<size_t>(1, kScratchBytes / imageFloatBytes)}));
    sg::HostBuffer scratch;
    if (!direct) {
        try {
            scratch = sg::HostBuffer(context->allocator, chunkImages * imageFloatBytes, 64);
        } catch (const std::bad_alloc&) {
            return call.fail(SG_ERROR_OUT_OF_MEMORY, "out of host memory for " +
                                                         std::to_string(chunkImages * imageFloatBytes) +
                                                         " bytes of generation scratch");
        }
    }

    BatchSeeds seeds;
    // A GPU backend that loses its device hands over to the CPU, for this call and every later one.
    Runner runner{context->backend.get(), model->prepared};
    if (context->cpuFallback() || !model->prepared)
        if (SgResult r = cpuRunner(call, context, model, "earlier", true, &runner); r != SG_SUCCESS) return r;
    uint8_t* out = static_cast<uint8_t*>(pImageBuffer->pData);
    char message[kPluginErrorSize];

    for (uint32_t first = 0; first < info.count; first += chunkImages) {
        const uint32_t n = std::min(chunkImages, info.count - first);
        const SgpBatch batch = makeBatch(model->data, info, request, first, n, &seeds);

        uint8_t* chunkOut = out + size_t(first) * layout.imageBytes;
        float* target = direct ? reinterpret_cast<float*>(chunkOut) : static_cast<float*>(scratch.data());
        SgpResult r = SGP_SUCCESS;
        for (;;) {
            const sg::Backend& backend = *runner.backend;
            message[0] = '\0';
            r = backend.table().generate(backend.handle(), runner.prepared, &batch, target, message, sizeof(message));
            message[sizeof(message) - 1] = '\0';
            // A GPU backend that cannot do this request (say, latent interpolation) hands it to the CPU.
            const bool gpu = runner.backend == context->backend.get() && backend.name() != "cpu";
            if (!gpu || (r != SGP_ERROR_DEVICE_LOST && r != SGP_ERROR_UNSUPPORTED)) break;
            const std::string why = message[0] ? message : "no reason given";
            if (SgResult f = cpuRunner(call, context, model, why, r == SGP_ERROR_DEVICE_LOST, &runner); f != SG_SUCCESS)
                return f;
        }
        if (r != SGP_SUCCESS)
            return call.fail(sg::fromPluginResult(r), "the " + runner.backend->name() + " backend failed: " +
                                                          (message[0] ? message : "no reason given"));
        for (uint32_t k = 0; k < n; ++k)
            convertImage(target + k * imageFloats, layout, info.format, info.alphaMode,
                         chunkOut + k * layout.imageBytes);
    }
    return SG_SUCCESS;
}

}  // namespace sg

extern "C" {

SG_API SgResult sgGenerate(SgContext context, SgModel model, const SgGenerateInfo* pGenerateInfo,
                           const SgImageBuffer* pImageBuffer) {
    return sg::guard(context, "sgGenerate", [&](const sg::ApiCall& call) {
        SG_CHECK(context != nullptr, SG_ERROR_INVALID_ARGUMENT, "context is NULL");
        SG_CHECK(model != nullptr, SG_ERROR_INVALID_ARGUMENT, "model is NULL");
        SG_CHECK(model->context == context, SG_ERROR_INVALID_ARGUMENT,
                 "model was loaded through another context; load it through this one");
        return sg::generate(call, context, model, pGenerateInfo, pImageBuffer);
    });
}

}  // extern "C"
