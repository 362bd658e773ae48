// status.hpp - how the CUDA backend reports failure: a Status (an SgpResult
// plus a message) returned by every step, never an exit or an abort.
//
//   Status upload(...) {
//       SG_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, stream));
//       SG_CUDA_TRY(anotherStep());
//       return {};
//   }
//
// CUDA errors are mapped by kind: out of memory stays out of memory, the
// "sticky" errors that leave the CUDA context unusable (an illegal address, a
// launch failure, an ECC error, a GPU that fell off the bus) are
// SGP_ERROR_DEVICE_LOST, the rest SGP_ERROR_INTERNAL.
#pragma once

#include <string>

#include <cuda_runtime_api.h>

#include "stylegen_plugin.h"

namespace sg::cuda {

struct [[nodiscard]] Status {
    SgpResult result = SGP_SUCCESS;
    std::string message;

    bool ok() const { return result == SGP_SUCCESS; }
};

inline Status failure(SgpResult result, std::string message) { return Status{result, std::move(message)}; }

// True for errors after which the CUDA context cannot be used any more.
inline bool deviceLost(cudaError_t error) {
    switch (error) {
        case cudaErrorIllegalAddress:
        case cudaErrorLaunchFailure:
        case cudaErrorLaunchTimeout:
        case cudaErrorHardwareStackError:
        case cudaErrorIllegalInstruction:
        case cudaErrorMisalignedAddress:
        case cudaErrorInvalidAddressSpace:
        case cudaErrorInvalidPc:
        case cudaErrorECCUncorrectable:
        case cudaErrorNvlinkUncorrectable:
        case cudaErrorDevicesUnavailable:
        case cudaErrorDeviceUninitialized:
        case cudaErrorContextIsDestroyed:
        case cudaErrorUnknown:
            return true;
        default:
            return false;
    }
}

inline Status cudaFailure(cudaError_t error, const char* expression, const char* file, int line) {
    const std::string text = std::string(expression) + " failed: " + cudaGetErrorString(error) + " (" +
                             cudaGetErrorName(error) + ") at " + file + ":" + std::to_string(line);
    if (error == cudaErrorMemoryAllocation) return failure(SGP_ERROR_OUT_OF_MEMORY, text);
    if (deviceLost(error)) return failure(SGP_ERROR_DEVICE_LOST, text);
    return failure(SGP_ERROR_INTERNAL, text);
}

}  // namespace sg::cuda

// Returns a Status from the enclosing function when a CUDA call fails.
#define SG_CUDA_CHECK(expression)                                                           \
    do {                                                                                    \
        const cudaError_t sgCudaError_ = (expression);                                      \
        if (sgCudaError_ != cudaSuccess)                                                    \
            return ::sg::cuda::cudaFailure(sgCudaError_, #expression, __FILE__, __LINE__); \
    } while (0)

// Returns the Status of a step from the enclosing function when it failed.
#define SG_CUDA_TRY(expression)                               \
    do {                                                      \
        ::sg::cuda::Status sgCudaStatus_ = (expression);      \
        if (!sgCudaStatus_.ok()) return sgCudaStatus_;        \
    } while (0)
