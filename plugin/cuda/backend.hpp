// backend.hpp - the CUDA backend behind the plugin table: one CUDA device, a
// pool of workers (a stream and scratch each) for host generation, one more
// worker that queues the Vulkan interop writes in call order.
//
//   std::unique_ptr<SgpBackend_T> backend;
//   Status s = sg::cuda::createBackend(info, &backend);   // no device: a clear error, nothing else
//   s = sg::cuda::generateHost(*backend, *model, batch, rgba);
//
// Once the device is lost (a sticky CUDA error), every later call fails fast
// with SGP_ERROR_DEVICE_LOST; the core then generates on its CPU backend.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "device_model.hpp"
#include "interop.hpp"
#include "worker.hpp"

struct SgpPreparedModel_T {
    std::unique_ptr<sg::cuda::DeviceModel> model;
};

struct SgpBackend_T {
    int device = 0;
    std::string deviceName;
    uint8_t uuid[16] = {};
    bool useGraphs = true;
    size_t scratchBudget = 0;  // bytes of scratch one call uses at most (batches are split to fit)
    void (*pfnLog)(void* pUserData, int level, const char* message) = nullptr;
    void* pUserData = nullptr;

    std::mutex mutex;  // idle, mappingSharedLimit, lostReason
    std::vector<std::unique_ptr<sg::cuda::Worker>> idle;
    size_t mappingSharedLimit = 48 << 10;  // the mapping kernel's shared-memory attribute
    std::atomic<bool> lost{false};
    std::string lostReason;

    std::mutex interopMutex;  // interopWorker: interop calls run one at a time, in call order
    std::unique_ptr<sg::cuda::Worker> interopWorker;
    sg::cuda::Graveyard graveyard;

    ~SgpBackend_T();
};

namespace sg::cuda {

Status createBackend(const SgpBackendCreateInfo& info, std::unique_ptr<SgpBackend_T>* out);
Status prepareModel(SgpBackend_T& backend, const SgpModelDesc& desc, std::unique_ptr<SgpPreparedModel_T>* out);
// count images of height x width x 4 floats to host memory.
Status generateHost(SgpBackend_T& backend, const DeviceModel& model, const SgpBatch& batch, float* out);
Status generateToImages(SgpBackend_T& backend, const DeviceModel& model, const SgpBatch& batch,
                        const SgpInteropWrite& write);
Status importImage(SgpBackend_T& backend, const SgpInteropImageDesc& desc, SgpInteropImage* out);
Status importSemaphore(SgpBackend_T& backend, int fd, SgpInteropSemaphore* out);
void release(SgpBackend_T& backend, SgpInteropImage image, SgpInteropSemaphore semaphore);

}  // namespace sg::cuda
