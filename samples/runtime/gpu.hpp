// gpu.hpp - the Vulkan instance, device and queue the sample renders with:
// what a game engine already has before it meets stylegen. Vulkan 1.3 with
// timeline semaphores (the SDK's staging reuse), synchronization2 and dynamic
// rendering; optionally the validation layer with synchronization validation.
#pragma once

#include <vulkan/vulkan.h>

#include <atomic>
#include <string>
#include <vector>

namespace runtime {

// Throws std::runtime_error naming the call and the result unless r is VK_SUCCESS.
void checkVk(VkResult r, const char* what);

// Records one image barrier (synchronization2) on one layer and mipLevelCount
// mip levels from baseMipLevel of a colour image.
void recordImageBarrier(VkCommandBuffer cmd, VkImage image, uint32_t layer, VkImageLayout oldLayout,
                        VkImageLayout newLayout, VkPipelineStageFlags2 srcStage, VkAccessFlags2 srcAccess,
                        VkPipelineStageFlags2 dstStage, VkAccessFlags2 dstAccess, uint32_t baseMipLevel = 0,
                        uint32_t mipLevelCount = 1);
// Makes earlier copies' writes visible to the host once the submission's fence signals.
void recordHostReadBarrier(VkCommandBuffer cmd);

// A host-visible, coherent, persistently mapped buffer.
struct HostBuffer {
    VkBuffer buffer = VK_NULL_HANDLE;
    VkDeviceMemory memory = VK_NULL_HANDLE;
    void* mapped = nullptr;
    VkDeviceSize size = 0;
};

class Gpu {
public:
    // Step 1: the instance. extensions: what the window system needs (none headless).
    void createInstance(bool validation, const std::vector<const char*>& extensions);
    // Step 2: picks the first device that can run the sample (and present to
    // surface, when given) and creates it with one graphics queue.
    void createDevice(VkSurfaceKHR surface);
    // Waits for the device, then destroys it and the instance: everything made
    // on them must be destroyed first.
    void destroy();

    HostBuffer createHostBuffer(VkDeviceSize size, VkBufferUsageFlags usage);
    // A 2D optimal-tiling image in device-local memory of its own; *memory receives that memory.
    VkImage createImage(VkFormat format, VkExtent2D extent, VkImageUsageFlags usage, VkDeviceMemory* memory);
    void destroyHostBuffer(HostBuffer& buffer);
    VkImageView createImageView(VkImage image, VkFormat format, VkImageViewType type, uint32_t layers,
                                uint32_t mipLevels = 1);

    // Validation warnings and errors since the instance was made (0 without --validation).
    uint32_t validationMessageCount() const { return validationMessages_; }

    VkInstance instance = VK_NULL_HANDLE;
    VkPhysicalDevice physicalDevice = VK_NULL_HANDLE;
    VkPhysicalDeviceProperties properties{};
    VkDevice device = VK_NULL_HANDLE;
    uint32_t queueFamily = 0;
    VkQueue queue = VK_NULL_HANDLE;
    uint32_t apiVersion = VK_API_VERSION_1_3;  // the instance's, which stylegen needs to know
    // What vkCreateDevice got: stylegen reads it to learn what is enabled.
    VkDeviceCreateInfo deviceCreateInfo{};
    bool externalMemoryFd = false;  // VK_KHR_external_memory_fd enabled

private:
    static VKAPI_ATTR VkBool32 VKAPI_CALL onValidationMessage(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                              VkDebugUtilsMessageTypeFlagsEXT types,
                                                              const VkDebugUtilsMessengerCallbackDataEXT* data,
                                                              void* user);
    uint32_t memoryType(uint32_t typeBits, VkMemoryPropertyFlags wanted) const;

    VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;
    std::atomic<uint32_t> validationMessages_{0};
    // Storage behind deviceCreateInfo, which must stay valid while stylegen uses the device.
    float queuePriority_ = 1.0f;
    VkDeviceQueueCreateInfo queueInfo_{};
    VkPhysicalDeviceVulkan12Features features12_{};
    VkPhysicalDeviceVulkan13Features features13_{};
    std::vector<const char*> deviceExtensions_;
};

}  // namespace runtime
