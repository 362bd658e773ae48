// worker.hpp - what one generate call runs on: a CUDA stream, scratch memory
// on the device, pinned memory for uploading requests, and the CUDA graphs
// captured for the batch shapes it has run.
//
//   Status s = worker.run(model, plan, batch, first, targets);  // queued on worker.stream()
//   const float* rgba = worker.output(plan);                     // device memory
//
// A worker serves one call at a time; the backend keeps a pool of them, so
// calls from several threads run on their own streams.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "forward.hpp"

namespace sg::cuda {

class Worker {
public:
    // useGraphs false: every call launches the kernels one by one (the
    // benchmark's comparison); true: once per shape they are captured into a
    // graph, which later calls of the shape launch at once.
    static Status create(bool useGraphs, std::unique_ptr<Worker>* out);
    ~Worker();
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    cudaStream_t stream() const { return stream_; }

    // Queues the upload of images [first, first + plan.n) of batch (and their
    // surface targets, when given), the forward pass, and the writes into the
    // targets.
    Status run(const DeviceModel& model, const Plan& plan, const SgpBatch& batch, uint32_t first,
               const SurfaceTarget* targets, bool straightAlpha);

    // The decoded RGBA floats of the last run with this plan.
    const float* output(const Plan& plan) const { return reinterpret_cast<const float*>(scratch_ + plan.output); }

private:
    struct Graph {
        uint64_t model = 0;
        uint32_t n = 0, width = 0, height = 0;
        cudaGraphExec_t exec = nullptr;
        uint64_t lastUse = 0;
    };
    // Pinned host memory a request is written to before its copy to the
    // device. A slot whose copy has not run yet is never waited for: another
    // is made, since the copy may sit behind a semaphore wait that only the
    // application's later submissions satisfy.
    struct UploadSlot {
        unsigned char* host = nullptr;
        size_t bytes = 0;
        cudaEvent_t copied = nullptr;  // recorded after the copy that reads host
    };
    static constexpr size_t kMinUploadBytes = size_t(64) << 10;
    static constexpr size_t kMaxGraphs = 8;

    Worker() = default;
    Status reserve(size_t bytes);
    Status upload(const Plan& plan, const SgpArchitecture& arch, const SgpBatch& batch, uint32_t first,
                  const SurfaceTarget* targets);
    Status launchForward(const DeviceModel& model, const Plan& plan);
    void dropGraphs();

    bool useGraphs_ = true;
    cudaStream_t stream_ = nullptr;
    unsigned char* scratch_ = nullptr;
    size_t scratchBytes_ = 0;
    std::vector<UploadSlot> uploads_;
    std::vector<Graph> graphs_;
    uint64_t uses_ = 0;
};

}  // namespace sg::cuda
