// vulkan_device.hpp - what an SgVulkanDevice handle points at: the
// application's device, the functions loaded for it, what it can do, and the
// SDK's objects on it (staging buffers, allocated images).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "stylegen/stylegen_vulkan.h"
#include "vulkan/external_path.hpp"
#include "vulkan/staging_pool.hpp"
#include "vulkan/vulkan_functions.hpp"

namespace sg::vk {

// What the device was created with, as far as the SDK uses it.
struct Capabilities {
    uint32_t apiVersion = 0;  // the lower of the instance's and the device's, patch dropped
    std::string deviceName;
    bool synchronization2 = false;
    bool externalMemoryFdEnabled = false;
    bool externalMemoryFdSupported = false;
    bool externalSemaphoreFdEnabled = false;
    bool externalSemaphoreFdSupported = false;
    bool timelineExport = false;  // timeline semaphores exportable as OPAQUE_FD
    VkPhysicalDeviceMemoryProperties memory{};
    VkDeviceSize nonCoherentAtomSize = 1;
};

// An image sgCreateVulkanImage made.
struct OwnedImage {
    VkImage image = VK_NULL_HANDLE;
    VkDeviceMemory memory = VK_NULL_HANDLE;
    VkDeviceSize memorySize = 0;
    VkFormat format = VK_FORMAT_UNDEFINED;
    uint32_t width = 0;
    uint32_t height = 0;
    uint32_t mipLevels = 1;
    uint32_t arrayLayers = 1;
    VkImageUsageFlags usage = 0;
    bool exportable = false;
};

}  // namespace sg::vk

struct SgVulkanDevice_T {
    SgVulkanDevice_T(SgContext owner, const SgVulkanDeviceCreateInfo& info, const sg::vk::Functions& functions,
                     const sg::vk::Capabilities& capabilities, VkDeviceSize stagingBudget);
    // Destroys the staging pool and the images still registered; logs what it
    // could not destroy safely.
    ~SgVulkanDevice_T();
    SgVulkanDevice_T(const SgVulkanDevice_T&) = delete;
    SgVulkanDevice_T& operator=(const SgVulkanDevice_T&) = delete;

    // The image made by sgCreateVulkanImage, or false if image is not one of ours.
    bool findImage(VkImage image, sg::vk::OwnedImage* out);
    void addImage(const sg::vk::OwnedImage& image);
    // Removes and returns the image's record; false if it is not ours.
    bool takeImage(VkImage image, sg::vk::OwnedImage* out);
    void destroyImage(const sg::vk::OwnedImage& image) const;

    const SgContext context;
    const VkInstance instance;
    const VkPhysicalDevice physicalDevice;
    const VkDevice device;
    const uint32_t queueFamilyIndex;
    const VkAllocationCallbacks* const vulkanAllocator;
    const sg::vk::Functions fn;
    const sg::vk::Capabilities caps;
    SgVulkanPath path = SG_VULKAN_PATH_CPU_STAGING;
    std::string pathDescription;
    sg::vk::StagingPool staging;
    // Set when path is SG_VULKAN_PATH_EXTERNAL_MEMORY.
    std::unique_ptr<sg::vk::ExternalPath> external;

private:
    std::mutex imagesMutex_;
    std::unordered_map<VkImage, sg::vk::OwnedImage> images_;
};
