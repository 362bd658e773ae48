// generator.hpp - the forward pass of docs/generator.md over a prepared model.
//
//   std::string error;
//   SgpResult r = generateImages(pool, scratch, model, batch, rgba, &error);
//
// Images are processed in chunks (several images per chunk when they are
// small, so the low-resolution layers still give the pool enough work); each
// layer is a few pool.parallelFor passes over images x channels x tiles.
// Scratch memory belongs to the call (borrowed from a ScratchCache, so a
// steady stream of calls allocates nothing), the model is only read, so any
// number of calls may run at once.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kernels.hpp"
#include "prepared_model.hpp"
#include "stylegen_plugin.h"

namespace sg::cpu {

class ThreadPool;

// The buffers one generate call works in; generator.cpp says what each holds.
struct Scratch {
    std::vector<float> ws, mapping, styles, demod, grid, planesA, planesB, planesC, img, imgUp, noise, winograd;
    size_t bytes() const;
};

// Scratch of finished calls, kept for the next ones: fresh memory costs a
// page fault per 4 KiB, a visible share of a small batch's time.
class ScratchCache {
public:
    std::unique_ptr<Scratch> take();
    void give(std::unique_ptr<Scratch> scratch);

private:
    std::mutex mutex_;
    std::vector<std::unique_ptr<Scratch>> free_;
};

// Wall-clock seconds per kind of pass, summed over a call (stylegen-bench's
// breakdown). The 3x3 conv layers are kNoise + kUpsample + kConv + kHalo.
struct Profile {
    enum Phase {
        kMapping,   // latents, mapping network, styles and demodulation
        kInput,     // the const or spatial input, scaled into the first conv's planes
        kNoise,     // the conv layers' noise maps
        kUpsample,  // activations upsampled into the next conv's planes
        kConv,      // the 3x3 convolutions with their fused output stage
        kHalo,      // padding refreshed between the two convs of a block
        kToRgb,     // toRGB and the upsampled skip image
        kOutput,    // clamp, premultiply, RGBA floats out
        kPhaseCount
    };
    double seconds[kPhaseCount] = {};
    size_t scratchBytes = 0;  // working memory the call needs (the largest, over calls)
    static const char* phaseName(Phase phase);
};

// Checks the batch against the model (SGP_ERROR_INVALID_ARGUMENT + *error),
// then writes batch.count images of height x width x 4 floats to out.
// Throws std::bad_alloc when scratch memory cannot be had. `kernels` is
// normally bestKernelSet(); `profile`, when given, receives the time per phase.
SgpResult generateImages(ThreadPool& pool, ScratchCache& scratch, const PreparedModel& model, const SgpBatch& batch,
                         float* out, std::string* error, const KernelSet& kernels = bestKernelSet(),
                         Profile* profile = nullptr);

}  // namespace sg::cpu
