// context.hpp - what an SgContext handle points at.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "backend.hpp"
#include "host_allocator.hpp"
#include "limits.hpp"
#include "stylegen/stylegen.h"

struct SgContext_T {
    SgContext_T(const SgAllocationCallbacks* pAllocator, const SgContextCreateInfo& createInfo,
                const sg::Limits& contextLimits);

    // Serialised, so the application's callback need not be thread-safe.
    void log(SgLogLevel level, const std::string& message) noexcept;

    // The calling thread's last error on this context. Entries of threads that
    // have exited stay until the context is destroyed; thread ids are reused,
    // so this stays as small as the number of threads alive at once.
    void setLastError(const std::string& message);
    const char* lastError() noexcept;

    // Models loaded through this context and not yet destroyed.
    void addModel(SgModel model);
    bool removeModel(SgModel model);  // false if the model is not this context's
    std::unordered_set<SgModel> takeModels();

    // The built-in CPU backend beside a GPU backend, started on first use: for
    // requests the GPU backend does not support (`why` is logged once), and
    // for everything once the GPU backend has lost its device. Null if it
    // cannot start (*result, *error say why).
    const sg::Backend* startCpuBackend(const std::string& why, SgResult* result, std::string* error);
    // The CPU backend once started, else null.
    const sg::Backend* cpuBackend() const { return cpu_.load(); }
    // Starts the CPU backend and switches the whole context to it for good,
    // logging the device loss with its reason once.
    const sg::Backend* startCpuFallback(const std::string& reason, SgResult* result, std::string* error);
    // The CPU backend once the GPU backend has lost its device, else null.
    const sg::Backend* cpuFallback() const { return deviceLost_.load() ? cpu_.load() : nullptr; }

    const sg::HostAllocator allocator;
    const PFN_sgLogFunction pfnLog;
    void* const pLogUserData;
    const uint32_t threadCount;
    const sg::Limits limits;  // SgContextLimits, resolved
    std::unique_ptr<sg::Backend> backend;

private:
    std::mutex cpuMutex_;
    std::unique_ptr<sg::Backend> cpuOwner_;  // destroyed after the models, which may hold its prepared copies
    std::atomic<const sg::Backend*> cpu_{nullptr};
    std::atomic<bool> deviceLost_{false};
    std::mutex logMutex_;
    std::mutex errorsMutex_;
    std::unordered_map<std::thread::id, std::string> errors_;
    std::mutex modelsMutex_;
    std::unordered_set<SgModel> models_;
};
