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
#include "stylegen/stylegen.h"

struct SgContext_T {
    SgContext_T(const SgAllocationCallbacks* pAllocator, const SgContextCreateInfo& createInfo);

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

    // The built-in CPU backend the context generates on once its GPU backend
    // has lost its device: started (and the loss logged) on the first call
    // with the reason, then returned to every caller. Null if it cannot start
    // (*result, *error say why).
    const sg::Backend* startCpuFallback(const std::string& reason, SgResult* result, std::string* error);
    // The fallback once started, else null.
    const sg::Backend* cpuFallback() const { return fallback_.load(); }

    const sg::HostAllocator allocator;
    const PFN_sgLogFunction pfnLog;
    void* const pLogUserData;
    const uint32_t threadCount;
    std::unique_ptr<sg::Backend> backend;

private:
    std::mutex fallbackMutex_;
    std::unique_ptr<sg::Backend> fallbackOwner_;  // destroyed after the models, which may hold its prepared copies
    std::atomic<const sg::Backend*> fallback_{nullptr};
    std::mutex logMutex_;
    std::mutex errorsMutex_;
    std::unordered_map<std::thread::id, std::string> errors_;
    std::mutex modelsMutex_;
    std::unordered_set<SgModel> models_;
};
