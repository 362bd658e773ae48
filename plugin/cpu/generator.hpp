// generator.hpp - the forward pass of docs/generator.md over a prepared model.
//
//   std::string error;
//   SgpResult r = generateImages(pool, model, batch, rgba, &error);
//
// Images are processed in chunks (several images per chunk when they are
// small, so the low-resolution layers still give the pool enough work); each
// layer is one or two pool.parallelFor passes over images x channel blocks x
// tiles. Scratch memory belongs to the call (borrowed from a ScratchCache),
// the model is only read, so any number of calls may run at once.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "prepared_model.hpp"
#include "stylegen_plugin.h"

namespace sg::cpu {

class ThreadPool;

// The buffers one generate call works in; generator.cpp says what each holds.
struct Scratch {
    std::vector<float> ws, styles, demod, x, planes, img, imgUp, noise;
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

// Checks the batch against the model (SGP_ERROR_INVALID_ARGUMENT + *error),
// then writes batch.count images of height x width x 4 floats to out.
// Throws std::bad_alloc when scratch memory cannot be had.
SgpResult generateImages(ThreadPool& pool, ScratchCache& scratch, const PreparedModel& model, const SgpBatch& batch,
                         float* out, std::string* error);

}  // namespace sg::cpu
