// cuda_backend.cpp - libstylegen_cuda.so's two exported tables
// (stylegen_plugin.h): sgpGetPluginTable for generation into host memory,
// sgpGetInteropTable for generation straight into Vulkan images.
//
// The C entry points only check their arguments, turn Status and C++
// failures into SgpResult codes + messages, and hand over to backend.cpp.
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <string>

#include "backend.hpp"
#include "stylegen_plugin.h"

namespace sg::cuda {
namespace {

void writeError(char* pError, size_t errorSize, const std::string& message) {
    if (!pError || errorSize == 0) return;
    const size_t n = message.size() < errorSize - 1 ? message.size() : errorSize - 1;
    std::memcpy(pError, message.data(), n);
    pError[n] = '\0';
}

SgpResult report(char* pError, size_t errorSize, const Status& status) {
    if (!status.ok()) writeError(pError, errorSize, "cuda backend: " + status.message);
    return status.result;
}

// Runs body; no exception leaves a C entry point.
template <class Body>
SgpResult guarded(char* pError, size_t errorSize, Body&& body) noexcept {
    try {
        return report(pError, errorSize, body());
    } catch (const std::bad_alloc&) {
        return report(pError, errorSize, failure(SGP_ERROR_OUT_OF_MEMORY, "out of host memory"));
    } catch (const std::exception& e) {
        return report(pError, errorSize, failure(SGP_ERROR_INTERNAL, std::string("internal error: ") + e.what()));
    } catch (...) {
        return report(pError, errorSize, failure(SGP_ERROR_INTERNAL, "internal error"));
    }
}

Status nullArgument(const char* what) {
    return failure(SGP_ERROR_INVALID_ARGUMENT, std::string(what) + " must not be NULL");
}

SgpResult createBackendEntry(const SgpBackendCreateInfo* pInfo, SgpBackend* pBackend, char* pError, size_t errorSize) {
    return guarded(pError, errorSize, [&]() -> Status {
        if (!pInfo || !pBackend) return nullArgument("pInfo and pBackend");
        *pBackend = nullptr;
        std::unique_ptr<SgpBackend_T> backend;
        SG_CUDA_TRY(createBackend(*pInfo, &backend));
        *pBackend = backend.release();
        return {};
    });
}

void destroyBackendEntry(SgpBackend backend) {
    delete backend;
}

SgpResult prepareEntry(SgpBackend backend, const SgpModelDesc* pDesc, SgpPreparedModel* pModel, char* pError,
                       size_t errorSize) {
    return guarded(pError, errorSize, [&]() -> Status {
        if (!backend || !pDesc || !pModel) return nullArgument("backend, pDesc and pModel");
        *pModel = nullptr;
        std::unique_ptr<SgpPreparedModel_T> prepared;
        SG_CUDA_TRY(prepareModel(*backend, *pDesc, &prepared));
        *pModel = prepared.release();
        return {};
    });
}

void destroyModelEntry(SgpBackend backend, SgpPreparedModel model) {
    if (backend) cudaSetDevice(backend->device);
    delete model;
}

SgpResult generateEntry(SgpBackend backend, SgpPreparedModel model, const SgpBatch* pBatch, float* pOut,
                        char* pError, size_t errorSize) {
    return guarded(pError, errorSize, [&]() -> Status {
        if (!backend || !model || !pBatch) return nullArgument("backend, model and pBatch");
        return generateHost(*backend, *model->model, *pBatch, pOut);
    });
}

// The core encodes on its built-in CPU backend instead (stylegen_plugin.h).
SgpResult encodeEntry(SgpBackend, SgpPreparedModel, uint32_t, uint32_t, uint32_t, const float*, float*, float*,
                      char* pError, size_t errorSize) {
    return guarded(pError, errorSize, [&]() -> Status {
        return failure(SGP_ERROR_UNSUPPORTED, "the cuda backend does not run the restyle encoder yet");
    });
}

const SgpPluginTable kTable = {
    SGP_PLUGIN_INTERFACE_VERSION, "cuda", createBackendEntry, destroyBackendEntry, prepareEntry, destroyModelEntry,
    generateEntry,                encodeEntry,
};

SgpResult deviceUuidEntry(SgpBackend backend, uint8_t pUuid[16], char* pError, size_t errorSize) {
    return guarded(pError, errorSize, [&]() -> Status {
        if (!backend || !pUuid) return nullArgument("backend and pUuid");
        std::memcpy(pUuid, backend->uuid, sizeof(backend->uuid));
        return {};
    });
}

SgpResult importImageEntry(SgpBackend backend, const SgpInteropImageDesc* pDesc, SgpInteropImage* pImage,
                           char* pError, size_t errorSize) {
    return guarded(pError, errorSize, [&]() -> Status {
        if (!backend || !pDesc || !pImage) return nullArgument("backend, pDesc and pImage");
        *pImage = nullptr;
        return importImage(*backend, *pDesc, pImage);
    });
}

void releaseImageEntry(SgpBackend backend, SgpInteropImage image) {
    if (backend) release(*backend, image, nullptr);
}

SgpResult importSemaphoreEntry(SgpBackend backend, int fd, SgpInteropSemaphore* pSemaphore, char* pError,
                               size_t errorSize) {
    return guarded(pError, errorSize, [&]() -> Status {
        if (!backend || !pSemaphore) return nullArgument("backend and pSemaphore");
        *pSemaphore = nullptr;
        return importSemaphore(*backend, fd, pSemaphore);
    });
}

void releaseSemaphoreEntry(SgpBackend backend, SgpInteropSemaphore semaphore) {
    if (backend) release(*backend, nullptr, semaphore);
}

SgpResult generateToImagesEntry(SgpBackend backend, SgpPreparedModel model, const SgpBatch* pBatch,
                                const SgpInteropWrite* pWrite, char* pError, size_t errorSize) {
    return guarded(pError, errorSize, [&]() -> Status {
        if (!backend || !model || !pBatch || !pWrite) return nullArgument("backend, model, pBatch and pWrite");
        return generateToImages(*backend, *model->model, *pBatch, *pWrite);
    });
}

const SgpInteropTable kInteropTable = {
    SGP_INTEROP_INTERFACE_VERSION, deviceUuidEntry,      importImageEntry,      releaseImageEntry,
    importSemaphoreEntry,          releaseSemaphoreEntry, generateToImagesEntry,
};

}  // namespace
}  // namespace sg::cuda

extern "C" SGP_EXPORT const SgpPluginTable* sgpGetPluginTable(void) {
    return &sg::cuda::kTable;
}

extern "C" SGP_EXPORT const SgpInteropTable* sgpGetInteropTable(void) {
    return &sg::cuda::kInteropTable;
}
