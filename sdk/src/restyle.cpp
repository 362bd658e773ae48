// restyle.cpp - sgRestyle and sgGetRestyleExtent: an image through the
// model's encoder into its latent space, optionally refined towards the image
// (SPSA), moved from one style to another, and synthesised back
// (docs/generator.md, "Restyle"; docs/api.md, "sgRestyle").
//
// Index
//   [SECTION] Sizes and checks
//   [SECTION] Input image
//   [SECTION] Backend calls
//   [SECTION] Refinement
//   [SECTION] Style move
//   [SECTION] Entry points
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "api_guard.hpp"
#include "context.hpp"
#include "generate.hpp"
#include "limits.hpp"
#include "model.hpp"
#include "stylegen_philox.h"
#include "style_blend.hpp"

namespace sg {
namespace {

constexpr size_t kPluginErrorSize = 512;

// SPSA (Spall, "Implementation of the simultaneous perturbation algorithm for
// stochastic optimization", IEEE TAES 34(3), 1998): his recommended gain
// exponents and stability constant (A = 10 % of the steps).
constexpr double kSpsaAlpha = 0.602;
constexpr double kSpsaGamma = 0.101;
constexpr double kSpsaStability = 0.1;
// Perturbation c, in units of each parameter group's rms (w+, input grid),
// and the size of the first informative step in units of c. Measured on the
// characters and terrain models (docs/api.md, "Refinement"): smaller values
// gain less per step, larger ones overshoot.
constexpr double kSpsaPerturbation = 0.15;
constexpr double kSpsaFirstStep = 3.0;
// Rademacher perturbations: Philox bits under a fixed key, so refinement is a
// pure function of the image.
constexpr uint64_t kSpsaSeed = 0x5350534152455354ull;
constexpr uint32_t kSpsaStream = 0x53505341u;

std::string sizeText(uint32_t w, uint32_t h) { return std::to_string(w) + "x" + std::to_string(h); }

// v outside [0, 1] or NaN lands on the nearest end (NaN on 0).
float unit(float v) { return v > 0.0f ? (v < 1.0f ? v : 1.0f) : 0.0f; }

// Floats owned through the context's allocator.
class Floats {
public:
    Floats(const HostAllocator& allocator, size_t count) : buffer_(allocator, std::max<size_t>(count, 1) * 4, 64) {}
    float* data() const { return static_cast<float*>(buffer_.data()); }

private:
    HostBuffer buffer_;
};

// [SECTION] Sizes and checks ------------------------------------------------------

// sgGetRestyleExtent's rule: characters at their resolution, scenes rounded
// to the nearest multiple of the block (halves up, at least one block).
void restyleExtent(const ModelData& m, uint32_t width, uint32_t height, uint32_t* outWidth, uint32_t* outHeight) {
    if (m.arch.kind == SGP_MODEL_KIND_CHARACTER) {
        *outWidth = *outHeight = m.arch.resolution;
        return;
    }
    const uint64_t block = m.blockSize();
    auto round = [&](uint32_t v) { return uint32_t(std::max<uint64_t>(1, (v + block / 2) / block) * block); };
    *outWidth = round(width);
    *outHeight = round(height);
}

struct RestyleRequest {
    size_t inPixelBytes = 0;
    size_t inRowPitch = 0;
    std::vector<float> blend;  // the target, normalised
    uint32_t width = 0;        // of the output (and of what is encoded)
    uint32_t height = 0;
};

SgResult checkRestyleInfo(const ApiCall& call, const SgContext_T& context, const ModelData& m,
                          const SgRestyleInfo* pInfo, RestyleRequest* request) {
    SG_CHECK(pInfo != nullptr, SG_ERROR_INVALID_ARGUMENT, "pRestyleInfo is NULL");
    SG_CHECK(pInfo->sType == SG_STRUCTURE_TYPE_RESTYLE_INFO, SG_ERROR_INVALID_ARGUMENT,
             "pRestyleInfo->sType is " + std::to_string(int(pInfo->sType)) + ", expected SG_STRUCTURE_TYPE_RESTYLE_INFO");
    SG_CHECK(m.arch.encoderStageCount > 0, SG_ERROR_UNSUPPORTED,
             "model '" + m.name + "' has no encoder, which restyle needs (export it with one: stylegen-train "
             "--encoder-for; SgModelRestyleInfo tells in advance)");
    const SgRestyleInfo& info = *pInfo;
    const uint32_t maxExtent = context.limits.maxImageExtent;
    SG_CHECK(info.width >= 1 && info.height >= 1 && info.width <= maxExtent && info.height <= maxExtent,
             SG_ERROR_INVALID_ARGUMENT,
             "pRestyleInfo->width x height is " + sizeText(info.width, info.height) + "; each side must be 1.." +
                 std::to_string(maxExtent) + " (SgContextLimits::maxImageExtent)");
    SG_CHECK(info.inputFormat == SG_FORMAT_R8G8B8A8_UNORM || info.inputFormat == SG_FORMAT_R32G32B32A32_SFLOAT,
             SG_ERROR_INVALID_ARGUMENT,
             "pRestyleInfo->inputFormat " + std::to_string(int(info.inputFormat)) +
                 " is not SG_FORMAT_R8G8B8A8_UNORM or SG_FORMAT_R32G32B32A32_SFLOAT");
    SG_CHECK(info.inputAlphaMode == SG_ALPHA_MODE_STRAIGHT || info.inputAlphaMode == SG_ALPHA_MODE_PREMULTIPLIED,
             SG_ERROR_INVALID_ARGUMENT,
             "pRestyleInfo->inputAlphaMode " + std::to_string(int(info.inputAlphaMode)) + " is not an SgAlphaMode");
    request->inPixelBytes = info.inputFormat == SG_FORMAT_R8G8B8A8_UNORM ? 4 : 16;
    const size_t tight = size_t(info.width) * request->inPixelBytes;
    request->inRowPitch = info.rowPitch ? info.rowPitch : tight;
    SG_CHECK(request->inRowPitch >= tight && request->inRowPitch % 4 == 0, SG_ERROR_INVALID_ARGUMENT,
             "pRestyleInfo->rowPitch " + std::to_string(info.rowPitch) + " must be 0 or a multiple of 4 >= " +
                 std::to_string(tight) + " (width x bytes per pixel)");
    SG_CHECK(info.pPixels != nullptr, SG_ERROR_INVALID_ARGUMENT, "pRestyleInfo->pPixels is NULL");
    size_t needed = 0;
    const bool overflow = __builtin_mul_overflow(request->inRowPitch, size_t(info.height - 1), &needed) ||
                          __builtin_add_overflow(needed, tight, &needed);
    SG_CHECK(!overflow && info.size >= needed, SG_ERROR_INVALID_ARGUMENT,
             "pRestyleInfo->size is " + std::to_string(info.size) + " bytes, too small: a " +
                 sizeText(info.width, info.height) + " image with row pitch " + std::to_string(request->inRowPitch) +
                 " needs " + (overflow ? std::string("more than the address space") : std::to_string(needed)) +
                 " bytes");
    SG_CHECK(info.inputFormat != SG_FORMAT_R32G32B32A32_SFLOAT || reinterpret_cast<uintptr_t>(info.pPixels) % 4 == 0,
             SG_ERROR_INVALID_ARGUMENT, "pRestyleInfo->pPixels must be 4-byte aligned for SG_FORMAT_R32G32B32A32_SFLOAT");
    if (SgResult r = checkStyleBlend(call, m, "pRestyleInfo", info.styleIndex, info.styleWeightCount,
                                     info.pStyleWeights, &request->blend);
        r != SG_SUCCESS)
        return r;
    SG_CHECK(info.sourceStyleIndex == SG_STYLE_INDEX_AUTO || info.sourceStyleIndex < m.arch.styleCount,
             SG_ERROR_INVALID_ARGUMENT,
             "pRestyleInfo->sourceStyleIndex " + std::to_string(info.sourceStyleIndex) + " is out of range: model '" +
                 m.name + "' has " + std::to_string(m.arch.styleCount) + " styles (or SG_STYLE_INDEX_AUTO)");
    SG_CHECK(std::isfinite(info.strength) && info.strength >= 0.0f && info.strength <= 1.0f,
             SG_ERROR_INVALID_ARGUMENT,
             "pRestyleInfo->strength is " + std::to_string(info.strength) + "; it must be in [0, 1]");
    SG_CHECK(info.refinementSteps <= SG_MAX_RESTYLE_REFINEMENT_STEPS, SG_ERROR_INVALID_ARGUMENT,
             "pRestyleInfo->refinementSteps is " + std::to_string(info.refinementSteps) + ", more than " +
                 std::to_string(SG_MAX_RESTYLE_REFINEMENT_STEPS));
    SG_CHECK(info.format == SG_FORMAT_R8G8B8A8_UNORM || info.format == SG_FORMAT_R32G32B32A32_SFLOAT,
             SG_ERROR_INVALID_ARGUMENT,
             "pRestyleInfo->format " + std::to_string(int(info.format)) +
                 " is not SG_FORMAT_R8G8B8A8_UNORM or SG_FORMAT_R32G32B32A32_SFLOAT");
    SG_CHECK(info.alphaMode == SG_ALPHA_MODE_STRAIGHT || info.alphaMode == SG_ALPHA_MODE_PREMULTIPLIED,
             SG_ERROR_INVALID_ARGUMENT,
             "pRestyleInfo->alphaMode " + std::to_string(int(info.alphaMode)) + " is not an SgAlphaMode");
    restyleExtent(m, info.width, info.height, &request->width, &request->height);
    SG_CHECK(request->width <= maxExtent && request->height <= maxExtent, SG_ERROR_INVALID_ARGUMENT,
             "a " + sizeText(info.width, info.height) + " input restyles to " +
                 sizeText(request->width, request->height) + ", larger than the context's limit of " +
                 std::to_string(maxExtent) + " per side (SgContextLimits::maxImageExtent)");
    return SG_SUCCESS;
}

// The encoder's activations (two sets of padded planes at its widest stage)
// and restyle's own float images (the encoded input, the refinement batch's
// three reconstructions), on top of what generating the output needs.
uint64_t restyleWorkingBytes(const SgpArchitecture& a, uint32_t width, uint32_t height, bool refining) {
    uint64_t planes = 0;
    for (uint32_t s = 0; s <= a.encoderStageCount; ++s)
        planes = std::max(planes, a.encoderChannels[s] * ((uint64_t(height >> s) + 2) * ((width >> s) + 2)));
    const uint64_t pixels = uint64_t(width) * height;
    return (2 * planes + 4 * pixels * (refining ? 4 : 2)) * sizeof(float) + workingBytesPerImage(a, width, height);
}

// [SECTION] Input image ------------------------------------------------------------

// Reads the caller's pixels as premultiplied RGBA in [0, 1] (what the encoder
// and the reconstruction loss work in); 3-channel models see them opaque.
class InputImage {
public:
    InputImage(const SgRestyleInfo& info, const RestyleRequest& request, bool opaque)
        : pixels_(static_cast<const uint8_t*>(info.pPixels)),
          rowPitch_(request.inRowPitch),
          bytes_(request.inPixelBytes),
          straight_(info.inputAlphaMode == SG_ALPHA_MODE_STRAIGHT),
          opaque_(opaque) {}

    void premultiplied(uint32_t x, uint32_t y, float p[4]) const {
        const uint8_t* at = pixels_ + size_t(y) * rowPitch_ + size_t(x) * bytes_;
        if (bytes_ == 4) {
            for (int c = 0; c < 4; ++c) p[c] = float(at[c]) / 255.0f;
        } else {
            std::memcpy(p, at, 16);
        }
        for (int c = 0; c < 4; ++c) p[c] = unit(p[c]);
        if (opaque_) {
            // The straight colour, fully opaque.
            const float inverse = straight_ ? 1.0f : (p[3] > 0.0f ? 1.0f / p[3] : 0.0f);
            for (int c = 0; c < 3; ++c) p[c] = unit(p[c] * inverse);
            p[3] = 1.0f;
        } else {
            for (int c = 0; c < 3; ++c) p[c] = straight_ ? p[c] * p[3] : std::min(p[c], p[3]);
        }
    }

private:
    const uint8_t* pixels_;
    size_t rowPitch_;
    size_t bytes_;
    bool straight_;
    bool opaque_;
};

// Which source pixels, with which weights, make one output position along an axis.
struct Tap {
    uint32_t index;
    double weight;
};
using AxisTaps = std::vector<std::vector<Tap>>;

// Shrinking: the average over the source interval each output pixel covers.
AxisTaps areaTaps(uint32_t source, uint32_t target) {
    AxisTaps taps(target);
    const double scale = double(source) / target;
    for (uint32_t o = 0; o < target; ++o) {
        const double lo = o * scale, hi = (o + 1) * scale;
        for (uint32_t i = uint32_t(lo); i < source && double(i) < hi; ++i) {
            const double overlap = std::min(hi, double(i) + 1) - std::max(lo, double(i));
            if (overlap > 0.0) taps[o].push_back({i, overlap / scale});
        }
    }
    return taps;
}

// Enlarging pixel art: every output pixel takes the source pixel it lies in.
AxisTaps nearestTaps(uint32_t source, uint32_t target) {
    AxisTaps taps(target);
    for (uint32_t o = 0; o < target; ++o)
        taps[o].push_back({std::min(source - 1, uint32_t((uint64_t(2 * o + 1) * source) / (2 * uint64_t(target)))), 1.0});
    return taps;
}

// Bilinear, align_corners = false, edges clamped.
AxisTaps bilinearTaps(uint32_t source, uint32_t target) {
    AxisTaps taps(target);
    for (uint32_t o = 0; o < target; ++o) {
        const double u = (o + 0.5) * source / target - 0.5;
        const double base = std::floor(u);
        const double f = u - base;
        const int64_t i0 = std::clamp<int64_t>(int64_t(base), 0, source - 1);
        const int64_t i1 = std::clamp<int64_t>(int64_t(base) + 1, 0, source - 1);
        if (i0 == i1) {
            taps[o].push_back({uint32_t(i0), 1.0});
        } else {
            taps[o].push_back({uint32_t(i0), 1.0 - f});
            taps[o].push_back({uint32_t(i1), f});
        }
    }
    return taps;
}

// The input at the size the encoder takes (the output size), as premultiplied
// RGBA floats, width x height, into `out` (zeroed: transparent margins).
void loadInput(const ModelData& m, const SgRestyleInfo& info, const RestyleRequest& r, float* out) {
    const InputImage input(info, r, m.arch.imgChannels == 3);
    std::fill(out, out + size_t(r.width) * r.height * 4, 0.0f);
    uint32_t w = r.width, h = r.height, left = 0, top = 0;
    AxisTaps xTaps, yTaps;
    if (m.arch.kind == SGP_MODEL_KIND_CHARACTER) {
        // Fit inside the square keeping the aspect ratio, centred.
        const double scale = std::min(double(r.width) / info.width, double(r.height) / info.height);
        w = std::clamp<uint32_t>(uint32_t(std::lround(info.width * scale)), 1, r.width);
        h = std::clamp<uint32_t>(uint32_t(std::lround(info.height * scale)), 1, r.height);
        left = (r.width - w) / 2;
        top = (r.height - h) / 2;
        xTaps = w < info.width ? areaTaps(info.width, w) : nearestTaps(info.width, w);
        yTaps = h < info.height ? areaTaps(info.height, h) : nearestTaps(info.height, h);
    } else {
        xTaps = w == info.width ? nearestTaps(w, w) : bilinearTaps(info.width, w);
        yTaps = h == info.height ? nearestTaps(h, h) : bilinearTaps(info.height, h);
    }
    for (uint32_t y = 0; y < h; ++y)
        for (uint32_t x = 0; x < w; ++x) {
            double sum[4] = {0, 0, 0, 0};
            for (const Tap& ty : yTaps[y])
                for (const Tap& tx : xTaps[x]) {
                    float p[4];
                    input.premultiplied(tx.index, ty.index, p);
                    for (int c = 0; c < 4; ++c) sum[c] += ty.weight * tx.weight * p[c];
                }
            float* dst = out + ((size_t(y) + top) * r.width + x + left) * 4;
            for (int c = 0; c < 4; ++c) dst[c] = unit(float(sum[c]));
            for (int c = 0; c < 3; ++c) dst[c] = std::min(dst[c], dst[3]);
        }
}

// [SECTION] Backend calls -------------------------------------------------------------

// The backend restyle runs on: the context's, until it says it cannot encode
// or take explicit latents (SGP_ERROR_UNSUPPORTED) or loses its device; then
// the built-in CPU backend, for the rest of the call.
class RestyleBackend {
public:
    RestyleBackend(const ApiCall& call, SgContext context, SgModel model)
        : call_(call), context_(context), model_(model), runner_{context->backend.get(), model->prepared} {}

    SgResult start() {
        if (context_->cpuFallback() || !model_->prepared) return cpuRunner(call_, context_, model_, "earlier", true, &runner_);
        return SG_SUCCESS;
    }

    SgResult encode(uint32_t width, uint32_t height, const float* image, float* latents, float* grid) {
        return run("encode the image", [&](const Backend& b, SgpPreparedModel prepared, char* message, size_t size) {
            if (!b.table().encode) {
                std::snprintf(message, size, "the %s backend has no encoder", b.name().c_str());
                return SGP_ERROR_UNSUPPORTED;
            }
            return b.table().encode(b.handle(), prepared, 1, width, height, image, latents, grid, message, size);
        });
    }

    // count images from explicit latents (and grids), with the noise the
    // model's encoder was trained to reconstruct with.
    SgResult synthesise(uint32_t count, uint32_t width, uint32_t height, const float* latents, const float* grids,
                        const std::vector<float>& blend, float* out) {
        const ModelData::EncoderNoise& noise = model_->data.encoderNoise;
        const std::vector<uint64_t> seeds(count, noise.seed);
        SgpBatch batch{};
        batch.count = count;
        batch.width = width;
        batch.height = height;
        batch.pSeeds = seeds.data();  // unused for w, which comes from pLatents
        batch.pNoiseSeeds = seeds.data();
        batch.mixLayer = model_->data.wLayerCount();
        batch.pStyleWeights = blend.data();
        batch.truncationPsi = 1.0f;
        batch.noiseStrength = noise.strength;
        batch.pLatents = latents;
        batch.pSpatialInput = grids;
        batch.periodicOffset = 0;  // the encoder's and the input's alignment: the training tiles' (model.hpp)
        return run("synthesise the image", [&](const Backend& b, SgpPreparedModel prepared, char* message, size_t size) {
            return b.table().generate(b.handle(), prepared, &batch, out, message, size);
        });
    }

private:
    template <class Fn>
    SgResult run(const char* what, Fn&& fn) {
        char message[kPluginErrorSize];
        for (;;) {
            const Backend& backend = *runner_.backend;
            message[0] = '\0';
            const SgpResult r = fn(backend, runner_.prepared, message, sizeof(message));
            message[sizeof(message) - 1] = '\0';
            if (r == SGP_SUCCESS) return SG_SUCCESS;
            const bool gpu = runner_.backend == context_->backend.get() && backend.name() != "cpu";
            const std::string why = message[0] ? message : "no reason given";
            if (!gpu || (r != SGP_ERROR_UNSUPPORTED && r != SGP_ERROR_DEVICE_LOST))
                return call_.fail(fromPluginResult(r), "the " + backend.name() + " backend failed to " + what + ": " + why);
            if (SgResult f = cpuRunner(call_, context_, model_, why, r == SGP_ERROR_DEVICE_LOST, &runner_);
                f != SG_SUCCESS)
                return f;
        }
    }

    const ApiCall& call_;
    SgContext context_;
    SgModel model_;
    Runner runner_;
};

// [SECTION] Refinement -----------------------------------------------------------------

// Mean squared error between two premultiplied RGBA images.
double meanSquaredError(const float* a, const float* b, size_t floats) {
    double sum = 0.0;
    for (size_t i = 0; i < floats; ++i) {
        const double d = double(a[i]) - double(b[i]);
        sum += d * d;
    }
    return sum / double(floats);
}

// Root mean square of a parameter group, the unit its perturbations are measured in.
double rms(const std::vector<float>& v) {
    double sum = 0.0;
    for (float x : v) sum += double(x) * x;
    const double r = v.empty() ? 0.0 : std::sqrt(sum / double(v.size()));
    return r > 0.0 ? r : 1.0;
}

// Rademacher sign i of perturbation k: one Philox bit.
float rademacher(uint32_t k, size_t i) {
    const SgpPhiloxBlock block = sgpPhiloxBlock(kSpsaSeed, kSpsaStream, (uint64_t(k) << 32) | uint64_t(i >> 7));
    return (block.v[(i >> 5) & 3] >> (i & 31)) & 1u ? 1.0f : -1.0f;
}

// SPSA on the encoding (w+, and the input grid of spatial-input models)
// minimising the mean squared error between its reconstruction and the input
// (docs/api.md, "Refinement"): each step evaluates the current point and the
// two perturbed ones in one batch; the best point evaluated is kept, and
// when the current point is worse than the best one the search goes on from
// the best one (Spall's "blocking").
class Refinement {
public:
    Refinement(RestyleBackend& backend, const RestyleRequest& r, const HostAllocator& allocator, const float* target)
        : backend_(backend), r_(r), target_(target), imageFloats_(size_t(r.width) * r.height * 4),
          out_(allocator, 3 * imageFloats_) {}

    // Refines *latents and *grid in place; *before and *after receive the
    // reconstruction's mean squared error at the start and at the end.
    SgResult run(uint32_t steps, std::vector<float>* latents, std::vector<float>* grid, double* before,
                 double* after) {
        const size_t nw = latents->size(), ng = grid->size();
        const double scaleW = rms(*latents), scaleG = rms(*grid);
        std::vector<float> batchLatents(3 * nw), batchGrids(3 * ng), delta(nw + ng);
        std::vector<float> best = *latents, bestGrid = *grid;
        double bestLoss = HUGE_VAL;
        const double stability = kSpsaStability * steps;
        double gain = 0.0;  // a, calibrated on the first informative step
        for (uint32_t k = 0; k < steps; ++k) {
            const double c = kSpsaPerturbation / std::pow(k + 1.0, kSpsaGamma);
            for (size_t i = 0; i < nw + ng; ++i) delta[i] = rademacher(k, i) * float(c * (i < nw ? scaleW : scaleG));
            for (int j = 0; j < 3; ++j) {
                const float sign = j == 0 ? 0.0f : (j == 1 ? 1.0f : -1.0f);
                for (size_t i = 0; i < nw; ++i) batchLatents[j * nw + i] = (*latents)[i] + sign * delta[i];
                for (size_t i = 0; i < ng; ++i) batchGrids[j * ng + i] = (*grid)[i] + sign * delta[nw + i];
            }
            double loss[3];
            if (SgResult e = evaluate(3, batchLatents.data(), ng ? batchGrids.data() : nullptr, loss); e != SG_SUCCESS)
                return e;
            if (k == 0) *before = loss[0];
            for (int j = 0; j < 3; ++j)
                if (loss[j] < bestLoss) {
                    bestLoss = loss[j];
                    best.assign(batchLatents.begin() + j * nw, batchLatents.begin() + (j + 1) * nw);
                    bestGrid.assign(batchGrids.begin() + j * ng, batchGrids.begin() + (j + 1) * ng);
                }
            if (loss[0] > bestLoss) {
                // The last step made things worse (or a perturbed point is better): go on from the best.
                *latents = best;
                *grid = bestGrid;
                continue;
            }
            const double difference = loss[1] - loss[2];
            if (difference == 0.0) continue;  // no information along this direction
            // g_i = (f+ - f-) / (2 c delta_i) in units of each group's scale; the
            // first informative step moves every coordinate by kSpsaFirstStep * c.
            const double slope = difference / (2.0 * c);
            if (gain == 0.0) gain = kSpsaFirstStep * c * std::pow(k + 1.0 + stability, kSpsaAlpha) / std::fabs(slope);
            const double stepSize = gain / std::pow(k + 1.0 + stability, kSpsaAlpha) * slope / c;
            for (size_t i = 0; i < nw; ++i) (*latents)[i] -= float(stepSize * delta[i]);
            for (size_t i = 0; i < ng; ++i) (*grid)[i] -= float(stepSize * delta[nw + i]);
        }
        double last = HUGE_VAL;
        if (SgResult e = evaluate(1, latents->data(), ng ? grid->data() : nullptr, &last); e != SG_SUCCESS) return e;
        if (last < bestLoss) {
            bestLoss = last;
            best = *latents;
            bestGrid = *grid;
        }
        *latents = best;
        *grid = bestGrid;
        *after = bestLoss;
        return SG_SUCCESS;
    }

private:
    // The reconstruction error of count encodings (grids: NULL for const-input models).
    SgResult evaluate(uint32_t count, const float* latents, const float* grids, double* loss) {
        if (SgResult e = backend_.synthesise(count, r_.width, r_.height, latents, grids, r_.blend, out_.data());
            e != SG_SUCCESS)
            return e;
        for (uint32_t j = 0; j < count; ++j)
            loss[j] = meanSquaredError(out_.data() + j * imageFloats_, target_, imageFloats_);
        return SG_SUCCESS;
    }

    RestyleBackend& backend_;
    const RestyleRequest& r_;
    const float* target_;
    size_t imageFloats_;
    Floats out_;
};

// [SECTION] Style move -------------------------------------------------------------------

const float* tensorData(const ModelData& m, const char* name) {
    for (const SgpTensor& t : m.tensors)
        if (std::strcmp(t.name, name) == 0) return t.data;
    return nullptr;
}

// docs/generator.md, "Restyle": the k = round(strength * L) finest layers move
// by the target blend's mean w minus the source style's.
void moveStyle(const ModelData& m, const std::vector<float>& blend, uint32_t sourceStyle, float strength,
               std::vector<float>* latents) {
    const uint32_t layers = m.wLayerCount(), wDim = m.arch.wDim, styles = m.arch.styleCount;
    const float* wAvg = tensorData(m, "w_avg");
    std::vector<double> target(wDim, 0.0);
    for (uint32_t c = 0; c < styles; ++c)
        for (uint32_t j = 0; j < wDim && blend[c] != 0.0f; ++j) target[j] += double(blend[c]) * wAvg[size_t(c) * wDim + j];
    if (sourceStyle == SG_STYLE_INDEX_AUTO) {
        std::vector<double> mean(wDim, 0.0);
        for (uint32_t l = 0; l < layers; ++l)
            for (uint32_t j = 0; j < wDim; ++j) mean[j] += (*latents)[size_t(l) * wDim + j] / double(layers);
        double nearest = HUGE_VAL;
        for (uint32_t c = 0; c < styles; ++c) {
            double d = 0.0;
            for (uint32_t j = 0; j < wDim; ++j) d += (wAvg[size_t(c) * wDim + j] - mean[j]) * (wAvg[size_t(c) * wDim + j] - mean[j]);
            if (d < nearest) nearest = d, sourceStyle = c;
        }
    }
    const uint32_t moved = uint32_t(std::lround(double(strength) * layers));
    for (uint32_t l = layers - moved; l < layers; ++l)
        for (uint32_t j = 0; j < wDim; ++j)
            (*latents)[size_t(l) * wDim + j] += float(target[j] - wAvg[size_t(sourceStyle) * wDim + j]);
}

double psnr(double mse) { return mse > 0.0 ? 10.0 * std::log10(1.0 / mse) : HUGE_VAL; }

SgResult restyle(const ApiCall& call, SgContext context, SgModel model, const SgRestyleInfo* pInfo,
                 const SgImageBuffer* pImageBuffer) {
    const ModelData& m = model->data;
    RestyleRequest request;
    if (SgResult r = checkRestyleInfo(call, *context, m, pInfo, &request); r != SG_SUCCESS) return r;
    const SgRestyleInfo& info = *pInfo;
    ImageLayout layout;
    layout.width = request.width;
    layout.height = request.height;
    if (SgResult r = checkImageBuffer(call, 1, info.format, pImageBuffer, &layout); r != SG_SUCCESS) return r;
    if (SgResult r = checkGenerateLimits(call, context->limits, m.arch, m.name, layout.width, layout.height, 1,
                                         layout.imageBytes);
        r != SG_SUCCESS)
        return r;
    const uint64_t working = restyleWorkingBytes(m.arch, request.width, request.height, info.refinementSteps > 0);
    SG_CHECK(working <= context->limits.maxWorkingMemoryBytes, SG_ERROR_OUT_OF_MEMORY,
             "restyling a " + sizeText(request.width, request.height) + " image with model '" + m.name +
                 "' needs about " + byteText(working) + " of working memory, more than the context's limit of " +
                 byteText(context->limits.maxWorkingMemoryBytes) + " (SgContextLimits::maxWorkingMemoryBytes)");

    const size_t imageFloats = size_t(request.width) * request.height * 4;
    Floats input(context->allocator, imageFloats);
    loadInput(m, info, request, input.data());

    RestyleBackend backend(call, context, model);
    if (SgResult r = backend.start(); r != SG_SUCCESS) return r;
    const SgpArchitecture& a = m.arch;
    const uint32_t block = m.blockSize();
    std::vector<float> latents(size_t(m.wLayerCount()) * a.wDim);
    std::vector<float> grid(a.input == SGP_INPUT_SPATIAL
                                ? size_t(a.spatialChannels) * (request.height / block) * (request.width / block)
                                : 0);
    if (SgResult r = backend.encode(request.width, request.height, input.data(), latents.data(),
                                    grid.empty() ? nullptr : grid.data());
        r != SG_SUCCESS)
        return r;

    if (info.refinementSteps > 0) {
        Refinement refinement(backend, request, context->allocator, input.data());
        double before = 0.0, after = 0.0;
        if (SgResult r = refinement.run(info.refinementSteps, &latents, &grid, &before, &after); r != SG_SUCCESS)
            return r;
        char text[160];
        std::snprintf(text, sizeof(text), "sgRestyle: %u refinement steps: reconstruction PSNR %.2f dB -> %.2f dB",
                      info.refinementSteps, psnr(before), psnr(after));
        context->log(SG_LOG_LEVEL_DEBUG, text);
    }

    moveStyle(m, request.blend, info.sourceStyleIndex, info.strength, &latents);
    Floats out(context->allocator, imageFloats);
    if (SgResult r = backend.synthesise(1, request.width, request.height, latents.data(),
                                        grid.empty() ? nullptr : grid.data(), request.blend, out.data());
        r != SG_SUCCESS)
        return r;
    convertImage(out.data(), layout, info.format, info.alphaMode, static_cast<uint8_t*>(pImageBuffer->pData));
    return SG_SUCCESS;
}

}  // namespace
}  // namespace sg

// [SECTION] Entry points -------------------------------------------------------------------

extern "C" {

SG_API SgResult sgGetRestyleExtent(SgModel model, uint32_t inputWidth, uint32_t inputHeight, uint32_t* pWidth,
                                   uint32_t* pHeight) {
    return sg::guard(model ? model->context : nullptr, "sgGetRestyleExtent", [&](const sg::ApiCall& call) {
        SG_CHECK(model != nullptr, SG_ERROR_INVALID_ARGUMENT, "model is NULL");
        SG_CHECK(pWidth != nullptr && pHeight != nullptr, SG_ERROR_INVALID_ARGUMENT, "pWidth and pHeight must not be NULL");
        const uint32_t maxExtent = model->context->limits.maxImageExtent;
        SG_CHECK(inputWidth >= 1 && inputHeight >= 1 && inputWidth <= maxExtent && inputHeight <= maxExtent,
                 SG_ERROR_INVALID_ARGUMENT,
                 "inputWidth x inputHeight is " + sg::sizeText(inputWidth, inputHeight) + "; each side must be 1.." +
                     std::to_string(maxExtent) + " (SgContextLimits::maxImageExtent)");
        uint32_t w = 0, h = 0;
        sg::restyleExtent(model->data, inputWidth, inputHeight, &w, &h);
        SG_CHECK(w <= maxExtent && h <= maxExtent, SG_ERROR_INVALID_ARGUMENT,
                 "a " + sg::sizeText(inputWidth, inputHeight) + " input restyles to " + sg::sizeText(w, h) +
                     ", larger than the context's limit of " + std::to_string(maxExtent) +
                     " per side (SgContextLimits::maxImageExtent)");
        *pWidth = w;
        *pHeight = h;
        return SG_SUCCESS;
    });
}

SG_API SgResult sgRestyle(SgContext context, SgModel model, const SgRestyleInfo* pRestyleInfo,
                          const SgImageBuffer* pImageBuffer) {
    return sg::guard(context, "sgRestyle", [&](const sg::ApiCall& call) {
        SG_CHECK(context != nullptr, SG_ERROR_INVALID_ARGUMENT, "context is NULL");
        SG_CHECK(model != nullptr, SG_ERROR_INVALID_ARGUMENT, "model is NULL");
        SG_CHECK(model->context == context, SG_ERROR_INVALID_ARGUMENT,
                 "model was loaded through another context; load it through this one");
        return sg::restyle(call, context, model, pRestyleInfo, pImageBuffer);
    });
}

}  // extern "C"
