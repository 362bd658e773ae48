// vulkan_functions.hpp - the Vulkan functions the SDK calls, loaded through
// the application's vkGetInstanceProcAddr (libstylegen never links the
// loader), and how VkResults become SgResults.
#pragma once

#include <string>

#include <vulkan/vulkan.h>

#include "api_guard.hpp"

namespace sg::vk {

// Core 1.0/1.1 instance-level functions, loaded with vkGetInstanceProcAddr(instance, name).
#define SG_VK_INSTANCE_FUNCTIONS(X)                   \
    X(vkGetPhysicalDeviceProperties)                  \
    X(vkGetPhysicalDeviceProperties2)                 \
    X(vkGetPhysicalDeviceMemoryProperties)            \
    X(vkGetPhysicalDeviceQueueFamilyProperties)       \
    X(vkGetPhysicalDeviceImageFormatProperties2)      \
    X(vkGetPhysicalDeviceExternalSemaphoreProperties) \
    X(vkEnumerateDeviceExtensionProperties)           \
    X(vkGetDeviceProcAddr)

// Core 1.0 device-level functions, loaded with vkGetDeviceProcAddr(device, name).
#define SG_VK_DEVICE_FUNCTIONS(X)    \
    X(vkCreateBuffer)                \
    X(vkDestroyBuffer)               \
    X(vkGetBufferMemoryRequirements) \
    X(vkBindBufferMemory)            \
    X(vkAllocateMemory)              \
    X(vkFreeMemory)                  \
    X(vkMapMemory)                   \
    X(vkUnmapMemory)                 \
    X(vkFlushMappedMemoryRanges)     \
    X(vkCreateImage)                 \
    X(vkDestroyImage)                \
    X(vkGetImageMemoryRequirements)  \
    X(vkBindImageMemory)             \
    X(vkCreateSemaphore)             \
    X(vkDestroySemaphore)            \
    X(vkCmdPipelineBarrier)          \
    X(vkCmdCopyBufferToImage)

struct Functions {
#define SG_VK_MEMBER(name) PFN_##name name = nullptr;
    SG_VK_INSTANCE_FUNCTIONS(SG_VK_MEMBER)
    SG_VK_DEVICE_FUNCTIONS(SG_VK_MEMBER)
#undef SG_VK_MEMBER
    // Core from Vulkan 1.2 / 1.3, or the KHR extension of the same signature.
    PFN_vkGetSemaphoreCounterValue vkGetSemaphoreCounterValue = nullptr;
    PFN_vkWaitSemaphores vkWaitSemaphores = nullptr;
    PFN_vkCmdPipelineBarrier2 vkCmdPipelineBarrier2 = nullptr;  // only with synchronization2
};

// Loads the instance-level functions. On failure returns SG_ERROR_UNSUPPORTED
// through call, naming the first function that came back NULL.
SgResult loadInstanceFunctions(const ApiCall& call, PFN_vkGetInstanceProcAddr getInstanceProcAddr, VkInstance instance,
                               Functions* fn);

// Loads the device-level functions; the aliased ones under their core name
// when apiVersion has them, else under their KHR name.
SgResult loadDeviceFunctions(const ApiCall& call, VkDevice device, uint32_t apiVersion, bool synchronization2,
                             Functions* fn);

// "VK_ERROR_DEVICE_LOST", or the number for codes the SDK never expects.
std::string resultName(VkResult result);

// A failed VkResult as an SgResult: device lost and out of memory keep their
// meaning, anything else is SG_ERROR_INTERNAL. The message names the call.
SgResult fail(const ApiCall& call, VkResult result, const char* what);

}  // namespace sg::vk

// Returns early from the enclosing function (which has an ApiCall `call` in
// scope) when a Vulkan call fails.
#define SG_VK_CHECK(expression)                                                               \
    do {                                                                                      \
        const VkResult sgVkResult_ = (expression);                                            \
        if (sgVkResult_ != VK_SUCCESS) return ::sg::vk::fail(call, sgVkResult_, #expression); \
    } while (0)
