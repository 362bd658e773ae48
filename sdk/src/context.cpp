// context.cpp - contexts: creation, logging, last errors, backend, model registry.
#include "context.hpp"

#include <algorithm>

#include "api_guard.hpp"
#include "model.hpp"

SgContext_T::SgContext_T(const SgAllocationCallbacks* pAllocator, const SgContextCreateInfo& createInfo,
                         const sg::Limits& contextLimits)
    : allocator(pAllocator),
      pfnLog(createInfo.pfnLog),
      pLogUserData(createInfo.pLogUserData),
      threadCount(createInfo.threadCount ? createInfo.threadCount
                                         : std::max(1u, std::thread::hardware_concurrency())),
      limits(contextLimits) {}

void SgContext_T::log(SgLogLevel level, const std::string& message) noexcept {
    if (!pfnLog) return;
    std::lock_guard<std::mutex> lock(logMutex_);
    pfnLog(pLogUserData, level, message.c_str());
}

const sg::Backend* SgContext_T::startCpuBackend(const std::string& why, SgResult* result, std::string* error) {
    std::lock_guard<std::mutex> lock(cpuMutex_);
    if (cpuOwner_) return cpuOwner_.get();
    log(SG_LOG_LEVEL_INFO, "starting the built-in CPU backend beside the " + backend->name() + " backend: " + why);
    cpuOwner_ = sg::Backend::createBuiltIn(
        threadCount, [this](SgLogLevel level, const std::string& message) { log(level, message); }, why, result,
        error);
    cpu_.store(cpuOwner_.get());
    return cpuOwner_.get();
}

const sg::Backend* SgContext_T::startCpuFallback(const std::string& reason, SgResult* result, std::string* error) {
    const sg::Backend* cpu = startCpuBackend("the " + backend->name() + " backend lost its device", result, error);
    if (cpu && !deviceLost_.exchange(true))
        log(SG_LOG_LEVEL_ERROR, "the " + backend->name() + " backend lost its device (" + reason +
                                    "); this context generates on the built-in CPU backend from now on");
    return cpu;
}

void SgContext_T::setLastError(const std::string& message) {
    std::lock_guard<std::mutex> lock(errorsMutex_);
    errors_[std::this_thread::get_id()] = message;
}

const char* SgContext_T::lastError() noexcept {
    std::lock_guard<std::mutex> lock(errorsMutex_);
    const auto it = errors_.find(std::this_thread::get_id());
    // Only this thread ever writes its entry, and map nodes do not move, so the
    // pointer stays valid after the lock is released.
    return it == errors_.end() ? "" : it->second.c_str();
}

void SgContext_T::addModel(SgModel model) {
    std::lock_guard<std::mutex> lock(modelsMutex_);
    models_.insert(model);
}

bool SgContext_T::removeModel(SgModel model) {
    std::lock_guard<std::mutex> lock(modelsMutex_);
    return models_.erase(model) == 1;
}

std::unordered_set<SgModel> SgContext_T::takeModels() {
    std::lock_guard<std::mutex> lock(modelsMutex_);
    return std::move(models_);
}

namespace {

// A library of API 1.m serves callers built against 1.0 .. 1.m.
bool apiVersionSupported(uint32_t version) {
    return SG_VERSION_MAJOR(version) == SG_VERSION_MAJOR(SG_API_VERSION) &&
           SG_VERSION_MINOR(version) <= SG_VERSION_MINOR(SG_API_VERSION);
}

std::string versionText(uint32_t v) {
    return std::to_string(SG_VERSION_MAJOR(v)) + "." + std::to_string(SG_VERSION_MINOR(v)) + "." +
           std::to_string(SG_VERSION_PATCH(v));
}

}  // namespace

extern "C" {

SG_API SgResult sgCreateContext(const SgContextCreateInfo* pCreateInfo, const SgAllocationCallbacks* pAllocator,
                                SgContext* pContext) {
    return sg::guard(nullptr, "sgCreateContext", [&](const sg::ApiCall& call) {
        SG_CHECK(pContext != nullptr, SG_ERROR_INVALID_ARGUMENT, "pContext is NULL");
        *pContext = nullptr;
        SG_CHECK(pCreateInfo != nullptr, SG_ERROR_INVALID_ARGUMENT, "pCreateInfo is NULL");
        SG_CHECK(pCreateInfo->sType == SG_STRUCTURE_TYPE_CONTEXT_CREATE_INFO, SG_ERROR_INVALID_ARGUMENT,
                 "pCreateInfo->sType is " + std::to_string(int(pCreateInfo->sType)) +
                     ", expected SG_STRUCTURE_TYPE_CONTEXT_CREATE_INFO");
        const uint32_t apiVersion = pCreateInfo->apiVersion ? pCreateInfo->apiVersion : SG_API_VERSION_1_0;
        SG_CHECK(apiVersionSupported(apiVersion), SG_ERROR_INCOMPATIBLE_VERSION,
                 "pCreateInfo->apiVersion is " + versionText(apiVersion) + ", this library implements " +
                     versionText(SG_API_VERSION));
        SG_CHECK(pCreateInfo->backendPreference == SG_BACKEND_PREFERENCE_AUTO ||
                     pCreateInfo->backendPreference == SG_BACKEND_PREFERENCE_CPU,
                 SG_ERROR_INVALID_ARGUMENT,
                 "pCreateInfo->backendPreference " + std::to_string(int(pCreateInfo->backendPreference)) +
                     " is not an SgBackendPreference");
        SG_CHECK(pCreateInfo->threadCount <= SG_MAX_THREAD_COUNT, SG_ERROR_INVALID_ARGUMENT,
                 "pCreateInfo->threadCount " + std::to_string(pCreateInfo->threadCount) + " exceeds " +
                     std::to_string(SG_MAX_THREAD_COUNT));
        SG_CHECK(!pAllocator || (pAllocator->pfnAllocation && pAllocator->pfnReallocation && pAllocator->pfnFree),
                 SG_ERROR_INVALID_ARGUMENT, "pAllocator must set pfnAllocation, pfnReallocation and pfnFree");
        sg::Limits limits;
        if (SgResult r = sg::limitsFromCreateInfo(call, *pCreateInfo, &limits); r != SG_SUCCESS) return r;

        const sg::HostAllocator allocator(pAllocator);
        SgContext context = nullptr;
        try {
            context = allocator.create<SgContext_T>(pAllocator, *pCreateInfo, limits);
        } catch (const std::bad_alloc&) {
            return call.fail(SG_ERROR_OUT_OF_MEMORY, "out of host memory for the context");
        }
        SgResult result = SG_SUCCESS;
        std::string error;
        try {
            context->backend = sg::Backend::create(
                pCreateInfo->backendPreference, context->threadCount,
                [context](SgLogLevel level, const std::string& message) { context->log(level, message); }, &result,
                &error);
        } catch (...) {
            allocator.destroy(context);
            throw;
        }
        if (!context->backend) {
            allocator.destroy(context);
            return call.fail(result, error);
        }
        *pContext = context;
        return SG_SUCCESS;
    });
}

SG_API void sgDestroyContext(SgContext context, const SgAllocationCallbacks* pAllocator) {
    if (!context) return;
    sg::guardVoid(nullptr, "sgDestroyContext", [&](const sg::ApiCall&) {
        if (!context->allocator.matches(pAllocator))
            context->log(SG_LOG_LEVEL_WARNING,
                         "sgDestroyContext: pAllocator differs from the one given to sgCreateContext; "
                         "the context was freed with the original");
        const std::unordered_set<SgModel> models = context->takeModels();
        if (!models.empty())
            context->log(SG_LOG_LEVEL_WARNING, "sgDestroyContext: destroying " + std::to_string(models.size()) +
                                                   " model(s) that were not destroyed first");
        for (SgModel model : models) context->allocator.destroy(model);
        context->backend.reset();
        // The allocator lives inside the context it frees: copy it out first.
        const sg::HostAllocator allocator = context->allocator;
        allocator.destroy(context);
    });
}

SG_API const char* sgGetLastErrorMessage(SgContext context) { return sg::lastErrorMessage(context); }

SG_API SgResult sgGetContextInfo(SgContext context, SgContextInfo* pInfo) {
    return sg::guard(context, "sgGetContextInfo", [&](const sg::ApiCall& call) {
        SG_CHECK(context != nullptr, SG_ERROR_INVALID_ARGUMENT, "context is NULL");
        SG_CHECK(pInfo != nullptr, SG_ERROR_INVALID_ARGUMENT, "pInfo is NULL");
        SG_CHECK(pInfo->sType == SG_STRUCTURE_TYPE_CONTEXT_INFO, SG_ERROR_INVALID_ARGUMENT,
                 "pInfo->sType is " + std::to_string(int(pInfo->sType)) + ", expected SG_STRUCTURE_TYPE_CONTEXT_INFO");
        pInfo->pBackendName = context->backend->name().c_str();
        pInfo->pBackendDescription = context->backend->description().c_str();
        pInfo->threadCount = context->threadCount;
        sg::reportLimits(context->limits, *pInfo);
        return SG_SUCCESS;
    });
}

}  // extern "C"
