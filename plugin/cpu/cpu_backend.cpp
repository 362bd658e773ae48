// cpu_backend.cpp - the CPU backend's plugin table (stylegen_plugin.h).
//
// The C entry points only check their arguments, translate C++ failures into
// SgpResult codes + messages, and hand over to prepared_model.cpp (weights),
// generator.cpp (forward pass) and encoder.cpp (restyle's encoder). A backend
// owns one persistent thread pool that every generate() and encode() call on
// it shares.
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <thread>

#include "encoder.hpp"
#include "generator.hpp"
#include "kernels.hpp"
#include "prepared_model.hpp"
#include "stylegen_plugin.h"
#include "thread_pool.hpp"

struct SgpBackend_T {
    std::unique_ptr<sg::cpu::ThreadPool> pool;
    sg::cpu::ScratchCache scratch;
};

struct SgpPreparedModel_T {
    std::unique_ptr<sg::cpu::PreparedModel> model;
};

namespace sg::cpu {
namespace {

// More threads than this is a caller's mistake, not a machine.
constexpr uint32_t kMaxThreads = 1024;
// Log levels, numerically the public SgLogLevel.
constexpr int kLogInfo = 1;

void writeError(char* pError, size_t errorSize, const std::string& message) {
    if (!pError || errorSize == 0) return;
    const size_t n = message.size() < errorSize - 1 ? message.size() : errorSize - 1;
    std::memcpy(pError, message.data(), n);
    pError[n] = '\0';
}

SgpResult fail(char* pError, size_t errorSize, SgpResult result, const std::string& message) {
    writeError(pError, errorSize, message);
    return result;
}

// Runs body; no exception leaves a C entry point.
template <class Body>
SgpResult guarded(char* pError, size_t errorSize, Body&& body) noexcept {
    try {
        return body();
    } catch (const std::bad_alloc&) {
        return fail(pError, errorSize, SGP_ERROR_OUT_OF_MEMORY, "cpu backend: out of memory");
    } catch (const std::exception& e) {
        return fail(pError, errorSize, SGP_ERROR_INTERNAL, std::string("cpu backend: internal error: ") + e.what());
    } catch (...) {
        return fail(pError, errorSize, SGP_ERROR_INTERNAL, "cpu backend: internal error");
    }
}

SgpResult createBackend(const SgpBackendCreateInfo* pInfo, SgpBackend* pBackend, char* pError, size_t errorSize) {
    return guarded(pError, errorSize, [&]() -> SgpResult {
        if (!pInfo || !pBackend)
            return fail(pError, errorSize, SGP_ERROR_INVALID_ARGUMENT, "cpu backend: pInfo and pBackend must not be NULL");
        *pBackend = nullptr;
        if (pInfo->threadCount > kMaxThreads) {
            return fail(pError, errorSize, SGP_ERROR_INVALID_ARGUMENT,
                        "cpu backend: threadCount must be at most " + std::to_string(kMaxThreads));
        }
        unsigned threads = pInfo->threadCount;
        if (threads == 0) threads = std::thread::hardware_concurrency();
        if (threads == 0) threads = 1;  // the platform could not tell
        auto backend = std::make_unique<SgpBackend_T>();
        backend->pool = std::make_unique<ThreadPool>(threads);
        if (pInfo->pfnLog) {
            const std::string message = "cpu backend: " + std::to_string(threads) + " thread(s), " +
                                        bestKernelSet().name + " kernels";
            pInfo->pfnLog(pInfo->pUserData, kLogInfo, message.c_str());
        }
        *pBackend = backend.release();
        return SGP_SUCCESS;
    });
}

void destroyBackend(SgpBackend backend) {
    delete backend;
}

SgpResult prepare(SgpBackend backend, const SgpModelDesc* pDesc, SgpPreparedModel* pModel, char* pError,
                  size_t errorSize) {
    return guarded(pError, errorSize, [&]() -> SgpResult {
        if (!backend || !pDesc || !pModel) {
            return fail(pError, errorSize, SGP_ERROR_INVALID_ARGUMENT,
                        "cpu backend: backend, pDesc and pModel must not be NULL");
        }
        *pModel = nullptr;
        std::string error;
        auto prepared = std::make_unique<SgpPreparedModel_T>();
        prepared->model = prepareModel(*pDesc, &error);
        if (!prepared->model) return fail(pError, errorSize, SGP_ERROR_INVALID_ARGUMENT, "cpu backend: " + error);
        *pModel = prepared.release();
        return SGP_SUCCESS;
    });
}

void destroyModel(SgpBackend, SgpPreparedModel model) {
    delete model;
}

SgpResult generate(SgpBackend backend, SgpPreparedModel model, const SgpBatch* pBatch, float* pOut, char* pError,
                   size_t errorSize) {
    return guarded(pError, errorSize, [&]() -> SgpResult {
        if (!backend || !model || !pBatch) {
            return fail(pError, errorSize, SGP_ERROR_INVALID_ARGUMENT,
                        "cpu backend: backend, model and pBatch must not be NULL");
        }
        std::string error;
        const SgpResult result = generateImages(*backend->pool, backend->scratch, *model->model, *pBatch, pOut, &error);
        if (result != SGP_SUCCESS) return fail(pError, errorSize, result, "cpu backend: " + error);
        return SGP_SUCCESS;
    });
}

SgpResult encode(SgpBackend backend, SgpPreparedModel model, uint32_t count, uint32_t width, uint32_t height,
                 const float* pImages, float* pLatents, float* pSpatialInput, char* pError, size_t errorSize) {
    return guarded(pError, errorSize, [&]() -> SgpResult {
        if (!backend || !model) {
            return fail(pError, errorSize, SGP_ERROR_INVALID_ARGUMENT, "cpu backend: backend and model must not be NULL");
        }
        std::string error;
        const SgpResult result = encodeImages(*backend->pool, *model->model, count, width, height, pImages, pLatents,
                                              pSpatialInput, &error);
        if (result != SGP_SUCCESS) return fail(pError, errorSize, result, "cpu backend: " + error);
        return SGP_SUCCESS;
    });
}

const SgpPluginTable kTable = {
    SGP_PLUGIN_INTERFACE_VERSION, "cpu", createBackend, destroyBackend, prepare, destroyModel, generate, encode,
};

}  // namespace
}  // namespace sg::cpu

extern "C" const SgpPluginTable* sgpCpuPluginTable(void) {
    return &sg::cpu::kTable;
}
