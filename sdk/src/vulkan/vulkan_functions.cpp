// vulkan_functions.cpp - function loading and VkResult translation.
#include "vulkan/vulkan_functions.hpp"

namespace sg::vk {
namespace {

SgResult missing(const ApiCall& call, const char* name, const char* loader) {
    return call.fail(SG_ERROR_UNSUPPORTED, std::string(loader) + " returned NULL for " + name +
                                               "; the Vulkan implementation (or pfnGetInstanceProcAddr) "
                                               "does not provide a function the SDK needs");
}

}  // namespace

SgResult loadInstanceFunctions(const ApiCall& call, PFN_vkGetInstanceProcAddr getInstanceProcAddr, VkInstance instance,
                               Functions* fn) {
#define SG_VK_LOAD(name)                                                           \
    fn->name = reinterpret_cast<PFN_##name>(getInstanceProcAddr(instance, #name)); \
    if (!fn->name) return missing(call, #name, "pfnGetInstanceProcAddr");
    SG_VK_INSTANCE_FUNCTIONS(SG_VK_LOAD)
#undef SG_VK_LOAD
    return SG_SUCCESS;
}

SgResult loadDeviceFunctions(const ApiCall& call, VkDevice device, uint32_t apiVersion, bool synchronization2,
                             Functions* fn) {
    const PFN_vkGetDeviceProcAddr get = fn->vkGetDeviceProcAddr;
#define SG_VK_LOAD(name)                                         \
    fn->name = reinterpret_cast<PFN_##name>(get(device, #name)); \
    if (!fn->name) return missing(call, #name, "vkGetDeviceProcAddr");
    SG_VK_DEVICE_FUNCTIONS(SG_VK_LOAD)
#undef SG_VK_LOAD
    const char* counterName =
        apiVersion >= VK_API_VERSION_1_2 ? "vkGetSemaphoreCounterValue" : "vkGetSemaphoreCounterValueKHR";
    fn->vkGetSemaphoreCounterValue = reinterpret_cast<PFN_vkGetSemaphoreCounterValue>(get(device, counterName));
    if (!fn->vkGetSemaphoreCounterValue) return missing(call, counterName, "vkGetDeviceProcAddr");
    const char* waitName = apiVersion >= VK_API_VERSION_1_2 ? "vkWaitSemaphores" : "vkWaitSemaphoresKHR";
    fn->vkWaitSemaphores = reinterpret_cast<PFN_vkWaitSemaphores>(get(device, waitName));
    if (!fn->vkWaitSemaphores) return missing(call, waitName, "vkGetDeviceProcAddr");
    if (synchronization2) {
        const char* barrierName =
            apiVersion >= VK_API_VERSION_1_3 ? "vkCmdPipelineBarrier2" : "vkCmdPipelineBarrier2KHR";
        fn->vkCmdPipelineBarrier2 = reinterpret_cast<PFN_vkCmdPipelineBarrier2>(get(device, barrierName));
        if (!fn->vkCmdPipelineBarrier2) return missing(call, barrierName, "vkGetDeviceProcAddr");
    }
    return SG_SUCCESS;
}

std::string resultName(VkResult result) {
    switch (result) {
        case VK_SUCCESS:
            return "VK_SUCCESS";
        case VK_NOT_READY:
            return "VK_NOT_READY";
        case VK_TIMEOUT:
            return "VK_TIMEOUT";
        case VK_ERROR_OUT_OF_HOST_MEMORY:
            return "VK_ERROR_OUT_OF_HOST_MEMORY";
        case VK_ERROR_OUT_OF_DEVICE_MEMORY:
            return "VK_ERROR_OUT_OF_DEVICE_MEMORY";
        case VK_ERROR_INITIALIZATION_FAILED:
            return "VK_ERROR_INITIALIZATION_FAILED";
        case VK_ERROR_DEVICE_LOST:
            return "VK_ERROR_DEVICE_LOST";
        case VK_ERROR_MEMORY_MAP_FAILED:
            return "VK_ERROR_MEMORY_MAP_FAILED";
        case VK_ERROR_FEATURE_NOT_PRESENT:
            return "VK_ERROR_FEATURE_NOT_PRESENT";
        case VK_ERROR_FORMAT_NOT_SUPPORTED:
            return "VK_ERROR_FORMAT_NOT_SUPPORTED";
        case VK_ERROR_TOO_MANY_OBJECTS:
            return "VK_ERROR_TOO_MANY_OBJECTS";
        case VK_ERROR_INVALID_EXTERNAL_HANDLE:
            return "VK_ERROR_INVALID_EXTERNAL_HANDLE";
        default:
            return "VkResult " + std::to_string(int(result));
    }
}

SgResult fail(const ApiCall& call, VkResult result, const char* what) {
    const std::string message = std::string(what) + " failed: " + resultName(result);
    switch (result) {
        case VK_ERROR_DEVICE_LOST:
            return call.fail(SG_ERROR_DEVICE_LOST, message + "; the application must recreate its VkDevice");
        case VK_ERROR_OUT_OF_HOST_MEMORY:
        case VK_ERROR_OUT_OF_DEVICE_MEMORY:
        case VK_ERROR_MEMORY_MAP_FAILED:
        case VK_ERROR_TOO_MANY_OBJECTS:
            return call.fail(SG_ERROR_OUT_OF_MEMORY, message);
        case VK_ERROR_FORMAT_NOT_SUPPORTED:
        case VK_ERROR_FEATURE_NOT_PRESENT:
            return call.fail(SG_ERROR_UNSUPPORTED, message);
        default:
            return call.fail(SG_ERROR_INTERNAL, message);
    }
}

}  // namespace sg::vk
