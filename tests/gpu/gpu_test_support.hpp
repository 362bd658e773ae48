// gpu_test_support.hpp - what the CUDA tests share: whether a CUDA device can
// run them (and why not), the device's UUID, and contexts on the CUDA plugin
// built next to them (STYLEGEN_PLUGIN_PATH) or on the built-in CPU backend.
//
//   const std::string why = sgtest::cudaSkipReason();
//   if (!why.empty()) GTEST_SKIP() << why;
//   sg::Context cuda = sgtest::cudaContext();   // throws unless the cuda backend started
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include <cuda_runtime_api.h>

#include <stylegen/stylegen.hpp>

namespace sgtest {

// "" when a CUDA device is there, else the reason the CUDA tests skip.
inline std::string cudaSkipReason() {
    int count = 0;
    const cudaError_t error = cudaGetDeviceCount(&count);
    if (error != cudaSuccess)
        return std::string("no usable CUDA device: cudaGetDeviceCount failed with ") + cudaGetErrorName(error) +
               " (" + cudaGetErrorString(error) + ")";
    if (count == 0) return "no usable CUDA device: cudaGetDeviceCount found none";
    return {};
}

#define SG_SKIP_WITHOUT_CUDA()                                      \
    do {                                                            \
        const std::string sgCudaWhy_ = ::sgtest::cudaSkipReason();  \
        if (!sgCudaWhy_.empty()) GTEST_SKIP() << sgCudaWhy_;        \
    } while (0)

// The UUID of CUDA device 0 (the one the backend uses unless STYLEGEN_CUDA_DEVICE says otherwise).
inline std::vector<uint8_t> cudaDeviceUuid() {
    cudaDeviceProp props{};
    if (cudaGetDeviceProperties(&props, 0) != cudaSuccess) return {};
    return std::vector<uint8_t>(props.uuid.bytes, props.uuid.bytes + sizeof(props.uuid.bytes));
}

// A context that looks for plugins where the CUDA plugin was built; the log
// lines go to *log when given.
inline sg::Context pluginContext(SgBackendPreference preference, std::vector<std::string>* log = nullptr) {
    setenv("STYLEGEN_PLUGIN_PATH", SG_TEST_CUDA_PLUGIN_DIR, 1);
    sg::ContextCreateInfo info;
    info.backendPreference = preference;
    if (log) {
        info.pLogUserData = log;
        info.pfnLog = [](void* user, SgLogLevel, const char* message) {
            static_cast<std::vector<std::string>*>(user)->push_back(message);
        };
    }
    return sg::Context(info);
}

inline sg::Context cpuContext() { return pluginContext(SG_BACKEND_PREFERENCE_CPU); }

// A context on the CUDA backend; fails the test (and throws) if it did not start.
inline sg::Context cudaContext(std::vector<std::string>* log = nullptr) {
    sg::Context context = pluginContext(SG_BACKEND_PREFERENCE_AUTO, log);
    const SgContextInfo info = context.info();
    if (std::string(info.pBackendName) != "cuda") {
        ADD_FAILURE() << "a CUDA device is present but the context runs on " << info.pBackendDescription;
        throw std::runtime_error("no cuda backend");
    }
    return context;
}

}  // namespace sgtest
