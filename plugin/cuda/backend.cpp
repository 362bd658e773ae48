// backend.cpp - see backend.hpp.
#include "backend.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace sg::cuda {
namespace {

// Log levels, numerically the public SgLogLevel.
constexpr int kLogInfo = 1;
constexpr int kLogError = 3;
// Scratch one call uses at most unless STYLEGEN_CUDA_SCRATCH_MB says otherwise.
constexpr size_t kDefaultScratchMiB = 1024;

void log(const SgpBackend_T& b, int level, const std::string& message) {
    if (b.pfnLog) b.pfnLog(b.pUserData, level, message.c_str());
}

// A non-negative integer from the environment, or fallback when unset; false when malformed.
bool envNumber(const char* name, unsigned long fallback, unsigned long* value) {
    const char* text = std::getenv(name);
    *value = fallback;
    if (!text || !*text) return true;
    char* end = nullptr;
    *value = std::strtoul(text, &end, 10);
    return *end == '\0';
}

std::string versionText(int v) { return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10); }

// Every entry point selects the backend's device on the calling thread first.
Status enter(SgpBackend_T& b) {
    if (b.lost) {
        std::lock_guard<std::mutex> lock(b.mutex);
        return failure(SGP_ERROR_DEVICE_LOST, "the CUDA device was lost earlier (" + b.lostReason + ")");
    }
    SG_CUDA_CHECK(cudaSetDevice(b.device));
    return {};
}

// Passes s through; a lost device is remembered and logged once.
Status noteLoss(SgpBackend_T& b, Status s) {
    if (s.result == SGP_ERROR_DEVICE_LOST && !b.lost.exchange(true)) {
        {
            std::lock_guard<std::mutex> lock(b.mutex);
            b.lostReason = s.message;
        }
        log(b, kLogError, "cuda backend: the device is lost: " + s.message);
    }
    return s;
}

// A worker from the pool for the length of one call.
class WorkerLease {
public:
    explicit WorkerLease(SgpBackend_T& b) : b_(b) {}
    ~WorkerLease() {
        if (!worker_) return;
        std::lock_guard<std::mutex> lock(b_.mutex);
        b_.idle.push_back(std::move(worker_));
    }
    Status take() {
        {
            std::lock_guard<std::mutex> lock(b_.mutex);
            if (!b_.idle.empty()) {
                worker_ = std::move(b_.idle.back());
                b_.idle.pop_back();
                return {};
            }
        }
        return Worker::create(b_.useGraphs, &worker_);
    }
    Worker& operator*() const { return *worker_; }

private:
    SgpBackend_T& b_;
    std::unique_ptr<Worker> worker_;
};

// Images per forward pass: as many as the scratch budget holds, at least one.
uint32_t chunkImages(const SgpBackend_T& b, const DeviceModel& m, const SgpBatch& batch) {
    const size_t perImage = Plan::make(m, 1, batch.width, batch.height).totalBytes;
    return uint32_t(std::clamp<size_t>(b.scratchBudget / perImage, 1, batch.count));
}

Status generateHostOn(SgpBackend_T& b, const DeviceModel& m, const SgpBatch& batch, float* out) {
    SG_CUDA_TRY(enter(b));
    WorkerLease worker(b);
    SG_CUDA_TRY(worker.take());
    const uint32_t chunk = chunkImages(b, m, batch);
    const size_t imageFloats = size_t(batch.width) * batch.height * 4;
    for (uint32_t first = 0; first < batch.count; first += chunk) {
        const Plan plan = Plan::make(m, std::min(chunk, batch.count - first), batch.width, batch.height);
        SG_CUDA_TRY((*worker).run(m, plan, batch, first, nullptr, false));
        SG_CUDA_CHECK(cudaMemcpyAsync(out + first * imageFloats, (*worker).output(plan),
                                      plan.n * imageFloats * sizeof(float), cudaMemcpyDeviceToHost,
                                      (*worker).stream()));
    }
    SG_CUDA_CHECK(cudaStreamSynchronize((*worker).stream()));
    return {};
}

std::string checkTargets(const SgpBatch& batch, const SgpInteropWrite& write) {
    if (!write.pTargets) return "pTargets must not be NULL";
    if (!write.signalSemaphore) return "signalSemaphore must not be NULL";
    for (uint32_t i = 0; i < batch.count; ++i) {
        const SgpInteropTarget& t = write.pTargets[i];
        if (!t.image) return "target " + std::to_string(i) + " has no image";
        if (t.mipLevel >= t.image->mipLevels || t.arrayLayer >= t.image->arrayLayers)
            return "target " + std::to_string(i) + " names a mip level or layer the image does not have";
        const uint32_t w = std::max(1u, t.image->width >> t.mipLevel), h = std::max(1u, t.image->height >> t.mipLevel);
        if (uint64_t(t.x) + batch.width > w || uint64_t(t.y) + batch.height > h)
            return "target " + std::to_string(i) + "'s region does not fit its mip level";
    }
    return {};
}

Status generateToImagesOn(SgpBackend_T& b, const DeviceModel& m, const SgpBatch& batch,
                          const SgpInteropWrite& write) {
    SG_CUDA_TRY(enter(b));
    std::lock_guard<std::mutex> lock(b.interopMutex);
    b.graveyard.collect();
    Worker& worker = *b.interopWorker;
    const cudaStream_t stream = worker.stream();
    if (write.waitSemaphore) {
        cudaExternalSemaphoreWaitParams wait{};
        wait.params.fence.value = write.waitValue;
        SG_CUDA_CHECK(cudaWaitExternalSemaphoresAsync(&write.waitSemaphore->semaphore, &wait, 1, stream));
    }
    const uint32_t chunk = chunkImages(b, m, batch);
    std::vector<SurfaceTarget> targets(chunk);
    for (uint32_t first = 0; first < batch.count; first += chunk) {
        const Plan plan = Plan::make(m, std::min(chunk, batch.count - first), batch.width, batch.height);
        for (uint32_t k = 0; k < plan.n; ++k) {
            const SgpInteropTarget& t = write.pTargets[first + k];
            SurfaceTarget& s = targets[k];
            s.surface = t.image->levels[t.mipLevel];
            s.layered = t.image->arrayLayers > 1 ? 1u : 0u;
            s.layer = t.arrayLayer;
            s.x = t.x;
            s.y = t.y;
            s.encoding = uint32_t(t.image->encoding);
        }
        SG_CUDA_TRY(worker.run(m, plan, batch, first, targets.data(), write.straightAlpha != 0));
    }
    cudaExternalSemaphoreSignalParams signal{};
    signal.params.fence.value = write.signalValue;
    SG_CUDA_CHECK(cudaSignalExternalSemaphoresAsync(&write.signalSemaphore->semaphore, &signal, 1, stream));
    return {};
}

}  // namespace

Status createBackend(const SgpBackendCreateInfo& info, std::unique_ptr<SgpBackend_T>* out) {
    int runtime = 0, driver = 0;
    cudaRuntimeGetVersion(&runtime);
    int count = 0;
    const cudaError_t found = cudaGetDeviceCount(&count);
    if (found != cudaSuccess || count == 0) {
        cudaDriverGetVersion(&driver);
        const std::string what = found != cudaSuccess ? std::string(cudaGetErrorString(found)) + " (" +
                                                            cudaGetErrorName(found) + ")"
                                                      : std::string("the driver reports no device");
        return failure(SGP_ERROR_UNSUPPORTED,
                       "no usable CUDA device: " + what + "; CUDA runtime " + versionText(runtime) + ", " +
                           (driver ? "driver for CUDA " + versionText(driver) : "no NVIDIA driver found"));
    }
    unsigned long device = 0, scratchMiB = 0;
    if (!envNumber("STYLEGEN_CUDA_DEVICE", 0, &device) || device >= unsigned(count))
        return failure(SGP_ERROR_UNSUPPORTED, "STYLEGEN_CUDA_DEVICE is '" +
                                                  std::string(std::getenv("STYLEGEN_CUDA_DEVICE")) + "', not one of the " +
                                                  std::to_string(count) + " CUDA device(s)");
    if (!envNumber("STYLEGEN_CUDA_SCRATCH_MB", kDefaultScratchMiB, &scratchMiB) || scratchMiB == 0)
        return failure(SGP_ERROR_UNSUPPORTED, "STYLEGEN_CUDA_SCRATCH_MB must be a positive number of MiB");
    cudaDeviceProp props{};
    SG_CUDA_CHECK(cudaGetDeviceProperties(&props, int(device)));
    if (props.major < 8)
        return failure(SGP_ERROR_UNSUPPORTED, std::string(props.name) + " has compute capability " +
                                                  std::to_string(props.major) + "." + std::to_string(props.minor) +
                                                  "; this CUDA backend is built for 8.0 and later (Ampere, Hopper)");
    int pools = 0;
    SG_CUDA_CHECK(cudaDeviceGetAttribute(&pools, cudaDevAttrMemoryPoolsSupported, int(device)));
    if (!pools) return failure(SGP_ERROR_UNSUPPORTED, std::string(props.name) + " has no stream-ordered allocator");
    SG_CUDA_CHECK(cudaSetDevice(int(device)));
    SG_CUDA_CHECK(cudaFree(nullptr));       // creates the context: a broken driver fails here ...
    SG_CUDA_CHECK(probeKernelImage());      // ... a build without code for this GPU here

    auto b = std::make_unique<SgpBackend_T>();
    b->device = int(device);
    b->deviceName = props.name;
    std::memcpy(b->uuid, props.uuid.bytes, sizeof(b->uuid));
    const char* graphs = std::getenv("STYLEGEN_CUDA_GRAPHS");
    b->useGraphs = !(graphs && std::strcmp(graphs, "0") == 0);
    b->scratchBudget = size_t(scratchMiB) << 20;
    b->pfnLog = info.pfnLog;
    b->pUserData = info.pUserData;
    SG_CUDA_TRY(Worker::create(b->useGraphs, &b->interopWorker));
    cudaDriverGetVersion(&driver);
    log(*b, kLogInfo,
        "cuda backend: " + b->deviceName + " (compute capability " + std::to_string(props.major) + "." +
            std::to_string(props.minor) + ", " + std::to_string(props.totalGlobalMem >> 20) + " MiB), CUDA runtime " +
            versionText(runtime) + ", driver " + versionText(driver) + ", graphs " + (b->useGraphs ? "on" : "off"));
    *out = std::move(b);
    return {};
}

Status prepareModel(SgpBackend_T& b, const SgpModelDesc& desc, std::unique_ptr<SgpPreparedModel_T>* out) {
    SG_CUDA_TRY(enter(b));
    auto prepared = std::make_unique<SgpPreparedModel_T>();
    SG_CUDA_TRY(noteLoss(b, DeviceModel::create(desc, &prepared->model)));
    {
        std::lock_guard<std::mutex> lock(b.mutex);
        if (prepared->model->mappingSharedBytes > b.mappingSharedLimit) {
            SG_CUDA_CHECK(prepareMappingKernel(prepared->model->mappingSharedBytes));
            b.mappingSharedLimit = prepared->model->mappingSharedBytes;
        }
    }
    *out = std::move(prepared);
    return {};
}

// What the kernels do not compute yet; the core runs such requests on its CPU backend.
Status checkSupported(const SgpBatch& batch) {
    if (batch.pLatents || batch.pSpatialInput)
        return failure(SGP_ERROR_UNSUPPORTED, "the cuda backend does not take explicit latents (restyle) yet");
    return {};
}

Status generateHost(SgpBackend_T& b, const DeviceModel& m, const SgpBatch& batch, float* out) {
    if (batch.count == 0) return {};
    SG_CUDA_TRY(checkSupported(batch));
    if (!out) return failure(SGP_ERROR_INVALID_ARGUMENT, "output pointer must not be NULL");
    const std::string why = checkBatch(m.arch, batch);
    if (!why.empty()) return failure(SGP_ERROR_INVALID_ARGUMENT, why);
    return noteLoss(b, generateHostOn(b, m, batch, out));
}

Status generateToImages(SgpBackend_T& b, const DeviceModel& m, const SgpBatch& batch, const SgpInteropWrite& write) {
    SG_CUDA_TRY(checkSupported(batch));
    std::string why = checkBatch(m.arch, batch);
    if (why.empty()) why = checkTargets(batch, write);
    if (!why.empty()) return failure(SGP_ERROR_INVALID_ARGUMENT, why);
    return noteLoss(b, generateToImagesOn(b, m, batch, write));
}

Status importImage(SgpBackend_T& b, const SgpInteropImageDesc& desc, SgpInteropImage* out) {
    SG_CUDA_TRY(enter(b));
    return noteLoss(b, sg::cuda::importImage(desc, out));
}

Status importSemaphore(SgpBackend_T& b, int fd, SgpInteropSemaphore* out) {
    SG_CUDA_TRY(enter(b));
    return noteLoss(b, sg::cuda::importSemaphore(fd, out));
}

void release(SgpBackend_T& b, SgpInteropImage image, SgpInteropSemaphore semaphore) {
    if (!image && !semaphore) return;
    cudaSetDevice(b.device);
    std::lock_guard<std::mutex> lock(b.interopMutex);
    b.graveyard.bury(image, semaphore, b.interopWorker->stream());
    b.graveyard.collect();
}

}  // namespace sg::cuda

SgpBackend_T::~SgpBackend_T() {
    cudaSetDevice(device);
    // Workers wait for their streams as they go; then nothing uses the imports.
    interopWorker.reset();
    idle.clear();
    graveyard.destroyAll();
}
