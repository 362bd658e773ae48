// worker.cpp - see worker.hpp.
#include "worker.hpp"

#include <algorithm>

namespace sg::cuda {

Status Worker::create(bool useGraphs, std::unique_ptr<Worker>* out) {
    std::unique_ptr<Worker> w(new Worker());
    w->useGraphs_ = useGraphs;
    SG_CUDA_CHECK(cudaStreamCreateWithFlags(&w->stream_, cudaStreamNonBlocking));
    *out = std::move(w);
    return {};
}

Worker::~Worker() {
    // Nothing may be freed under work still queued; errors here have nowhere to go.
    if (stream_) cudaStreamSynchronize(stream_);
    dropGraphs();
    for (UploadSlot& slot : uploads_) {
        if (slot.host) cudaFreeHost(slot.host);
        if (slot.copied) cudaEventDestroy(slot.copied);
    }
    if (scratch_) cudaFreeAsync(scratch_, stream_);
    if (stream_) {
        cudaStreamSynchronize(stream_);
        cudaStreamDestroy(stream_);
    }
}

void Worker::dropGraphs() {
    for (Graph& g : graphs_) cudaGraphExecDestroy(g.exec);
    graphs_.clear();
}

// Stream-ordered (cudaMallocAsync): growing never waits on the host for work
// queued before, which on the interop stream may wait on the application.
Status Worker::reserve(size_t bytes) {
    if (bytes <= scratchBytes_) return {};
    dropGraphs();  // they point into the old memory (a graph in flight is freed once it completes)
    if (scratch_) SG_CUDA_CHECK(cudaFreeAsync(scratch_, stream_));
    scratch_ = nullptr;
    scratchBytes_ = 0;
    SG_CUDA_CHECK(cudaMallocAsync(reinterpret_cast<void**>(&scratch_), bytes, stream_));
    scratchBytes_ = bytes;
    return {};
}

Status Worker::upload(const Plan& plan, const SgpArchitecture& arch, const SgpBatch& batch, uint32_t first,
                      const SurfaceTarget* targets) {
    UploadSlot* slot = nullptr;
    for (UploadSlot& s : uploads_) {
        const cudaError_t state = cudaEventQuery(s.copied);
        if (state == cudaErrorNotReady) continue;
        SG_CUDA_CHECK(state);
        if (s.bytes >= plan.uploadBytes) {
            slot = &s;
            break;
        }
    }
    if (!slot) {
        // Slots are never freed while the worker lives (cudaFreeHost may synchronize).
        UploadSlot fresh;
        fresh.bytes = std::max(plan.uploadBytes, kMinUploadBytes);
        SG_CUDA_CHECK(cudaEventCreateWithFlags(&fresh.copied, cudaEventDisableTiming));
        const cudaError_t allocated = cudaMallocHost(reinterpret_cast<void**>(&fresh.host), fresh.bytes);
        if (allocated != cudaSuccess) cudaEventDestroy(fresh.copied);
        SG_CUDA_CHECK(allocated);
        uploads_.push_back(fresh);
        slot = &uploads_.back();
    }
    writeRequest(plan, arch, batch, first, targets, slot->host);
    SG_CUDA_CHECK(cudaMemcpyAsync(scratch_, slot->host, plan.uploadBytes, cudaMemcpyHostToDevice, stream_));
    SG_CUDA_CHECK(cudaEventRecord(slot->copied, stream_));
    return {};
}

Status Worker::launchForward(const DeviceModel& model, const Plan& plan) {
    if (!useGraphs_) return enqueueForward(model, plan, scratch_, stream_);
    ++uses_;
    for (Graph& g : graphs_) {
        if (g.model == model.id && g.n == plan.n && g.width == plan.width && g.height == plan.height) {
            g.lastUse = uses_;
            SG_CUDA_CHECK(cudaGraphLaunch(g.exec, stream_));
            return {};
        }
    }
    // First call of this shape: capture the launches (nothing runs while capturing).
    SG_CUDA_CHECK(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeThreadLocal));
    const Status queued = enqueueForward(model, plan, scratch_, stream_);
    cudaGraph_t graph = nullptr;
    const cudaError_t ended = cudaStreamEndCapture(stream_, &graph);
    if (!queued.ok()) {
        if (graph) cudaGraphDestroy(graph);
        return queued;
    }
    SG_CUDA_CHECK(ended);
    Graph g;
    g.model = model.id;
    g.n = plan.n;
    g.width = plan.width;
    g.height = plan.height;
    g.lastUse = uses_;
    const cudaError_t instantiated = cudaGraphInstantiate(&g.exec, graph, 0);
    cudaGraphDestroy(graph);
    SG_CUDA_CHECK(instantiated);
    if (graphs_.size() >= kMaxGraphs) {
        auto oldest = std::min_element(graphs_.begin(), graphs_.end(),
                                       [](const Graph& x, const Graph& y) { return x.lastUse < y.lastUse; });
        cudaGraphExecDestroy(oldest->exec);
        graphs_.erase(oldest);
    }
    graphs_.push_back(g);
    SG_CUDA_CHECK(cudaGraphLaunch(g.exec, stream_));
    return {};
}

Status Worker::run(const DeviceModel& model, const Plan& plan, const SgpBatch& batch, uint32_t first,
                   const SurfaceTarget* targets, bool straightAlpha) {
    SG_CUDA_TRY(reserve(plan.totalBytes));
    SG_CUDA_TRY(upload(plan, model.arch, batch, first, targets));
    SG_CUDA_TRY(launchForward(model, plan));
    if (targets) {
        launchEncodeToSurfaces(output(plan), reinterpret_cast<const SurfaceTarget*>(scratch_ + plan.targets),
                               plan.height, plan.width, straightAlpha, plan.n, stream_);
        SG_CUDA_CHECK(cudaGetLastError());
    }
    return {};
}

}  // namespace sg::cuda
