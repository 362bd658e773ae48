// forward.hpp - docs/generator.md's forward pass for a batch, as a sequence
// of kernel launches over one block of scratch memory.
//
//   Plan plan = Plan::make(model, n, width, height);     // where everything lives
//   writeRequest(plan, batch, first, hostUpload);         // this call's seeds, blend, ...
//   ... copy hostUpload to scratch (plan.uploadBytes) ...
//   enqueueForward(model, plan, scratch, stream);         // images in plan.output
//
// The launches depend only on the plan (the model, n and the size), never on
// the request, which the kernels read from the uploaded area: the same
// launches, captured once into a CUDA graph, serve every call of that shape.
#pragma once

#include <cstddef>
#include <cstdint>

#include "device_model.hpp"
#include "kernels.hpp"
#include "status.hpp"

namespace sg::cuda {

struct Plan {
    uint32_t n = 0, width = 0, height = 0;
    uint32_t gridH = 0, gridW = 0;  // the first block's size
    uint32_t noiseLayers = 0;
    uint32_t noiseOffset[kMaxConvLayers + 1] = {};  // floats, within an image's noise maps
    // Byte offsets into the scratch memory. The upload area (uploadBytes from 0)
    // holds what changes per call: request scalars, seeds, blend, targets.
    size_t scalars = 0, seeds = 0, noiseSeeds = 0, mixSeeds = 0, lerpSeeds = 0, lerpAmounts = 0, styleWeights = 0,
           targets = 0;
    size_t uploadBytes = 0;
    size_t ws = 0, styles = 0, demod = 0, noise = 0, grid = 0;
    size_t actA = 0, actB = 0, actC = 0, img[2] = {0, 0};
    size_t output = 0;  // decoded RGBA floats, [n][height][width][4]
    size_t totalBytes = 0;

    // width x height must be valid for the model (checkBatch).
    static Plan make(const DeviceModel& model, uint32_t n, uint32_t width, uint32_t height);
};

// "" when the batch fits the model, else what is wrong with it.
std::string checkBatch(const SgpArchitecture& arch, const SgpBatch& batch);

// Writes images [first, first + plan.n) of batch's request, in the upload
// area's layout, to upload (plan.uploadBytes bytes); targets, when given, are
// that many SurfaceTargets.
void writeRequest(const Plan& plan, const SgpArchitecture& arch, const SgpBatch& batch, uint32_t first,
                  const SurfaceTarget* targets, unsigned char* upload);

// Queues the forward pass on stream, scratch laid out by plan.
Status enqueueForward(const DeviceModel& model, const Plan& plan, unsigned char* scratch, cudaStream_t stream);

}  // namespace sg::cuda
