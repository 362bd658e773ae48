// vulkan_harness.hpp - a real Vulkan instance and device for the interop
// tests, with VK_LAYER_KHRONOS_validation and its synchronization validation
// on, and a debug messenger that records every warning and error.
//
//   std::string why;
//   auto vk = sgtest::VulkanHarness::create(sgtest::VulkanSetup{}, &why);
//   if (!vk) GTEST_SKIP() << why;           // no driver, no validation layer, ...
//   VkCommandBuffer cmd = vk->beginCommands();
//   ... record ...
//   vk->submitAndWait(cmd, {sync});          // waits on / signals what the SDK asked
//   EXPECT_TRUE(vk->takeMessages().empty());
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "stylegen/stylegen_vulkan.h"

namespace sgtest {

// How the test device is made.
struct VulkanSetup {
    uint32_t apiVersion = VK_API_VERSION_1_3;  // instance apiVersion
    bool synchronization2 = true;
    bool timelineSemaphore = true;
    bool externalMemoryFd = true;  // enable VK_KHR_external_memory_fd where supported
    // Enable the features through VkPhysicalDeviceTimelineSemaphoreFeatures and
    // VkPhysicalDeviceSynchronization2Features instead of the Vulkan 1.2/1.3 structs.
    bool perFeatureStructs = false;
    bool externalSemaphoreFd = false;  // enable VK_KHR_external_semaphore_fd where supported
    // Not empty: use only the physical device of this VkPhysicalDeviceIDProperties::deviceUUID
    // (the CUDA device, for the interop tests).
    std::vector<uint8_t> deviceUuid;
};

// An image the harness made (and destroys).
struct TestImage {
    VkImage image = VK_NULL_HANDLE;
    VkDeviceMemory memory = VK_NULL_HANDLE;
};

class VulkanHarness {
public:
    // nullptr with *skipReason set when Vulkan cannot run the tests here: no
    // driver (VK_ICD_FILENAMES pointing nowhere, say), no validation layer, no
    // device with what setup asks for.
    static std::unique_ptr<VulkanHarness> create(const VulkanSetup& setup, std::string* skipReason);
    ~VulkanHarness() { shutdown(); }
    // Waits for the device, destroys everything the harness made, the device
    // and the instance, and returns every message not taken yet, including
    // those the layer gives on destruction (objects leaked on the device, say).
    std::vector<std::string> shutdown();
    VulkanHarness(const VulkanHarness&) = delete;
    VulkanHarness& operator=(const VulkanHarness&) = delete;

    // What sgCreateVulkanDevice needs for this device.
    SgVulkanDeviceCreateInfo sdkDeviceInfo() const;

    // Validation messages (warning or error) recorded since the last call.
    std::vector<std::string> takeMessages();

    // A new primary command buffer in the recording state, from the harness's
    // pool or from pool (one pool per recording thread: pools are not thread-safe).
    VkCommandBuffer beginCommands(VkCommandPool pool = VK_NULL_HANDLE);
    VkCommandPool createCommandPool();
    // Ends and submits cmd: waits on each sync's waitSemaphore, signals each
    // sync's signalSemaphore, plus the extra wait when given. Does not wait.
    void submit(VkCommandBuffer cmd, const std::vector<SgVulkanSubmitSync>& syncs, VkFence fence,
                VkSemaphore extraWaitSemaphore = VK_NULL_HANDLE, uint64_t extraWaitValue = 0);
    void submitAndWait(VkCommandBuffer cmd, const std::vector<SgVulkanSubmitSync>& syncs);
    VkFence createFence();
    void waitFence(VkFence fence);
    VkSemaphore createTimelineSemaphore();

    TestImage createImage(VkFormat format, uint32_t width, uint32_t height, uint32_t mipLevels = 1,
                          uint32_t arrayLayers = 1);
    // Copies a region of one subresource back to the host (tightly packed),
    // after a barrier from (layout, stage, access) into TRANSFER_SRC_OPTIMAL.
    // The subresource is left in TRANSFER_SRC_OPTIMAL.
    std::vector<uint8_t> readImage(VkImage image, uint32_t bytesPerPixel, uint32_t mipLevel, uint32_t arrayLayer,
                                   VkOffset2D offset, VkExtent2D extent, VkImageLayout layout,
                                   VkPipelineStageFlags2 srcStageMask, VkAccessFlags2 srcAccessMask);

    // Records a copy of a subresource region into buffer at bufferOffset; the
    // subresource must be in TRANSFER_SRC_OPTIMAL, its writes visible to copies.
    void recordReadback(VkCommandBuffer cmd, VkImage image, uint32_t mipLevel, uint32_t arrayLayer, VkOffset2D offset,
                        VkExtent2D extent, VkBuffer buffer, VkDeviceSize bufferOffset);
    // Makes transfer writes visible to the host once the submission's fence signals.
    void hostReadBarrier(VkCommandBuffer cmd);

    // Records a barrier into cmd (classic or synchronization2, whichever the device has).
    void imageBarrier(VkCommandBuffer cmd, VkImage image, uint32_t mipLevel, uint32_t arrayLayer,
                      VkImageLayout oldLayout, VkImageLayout newLayout, VkPipelineStageFlags2 srcStage,
                      VkAccessFlags2 srcAccess, VkPipelineStageFlags2 dstStage, VkAccessFlags2 dstAccess);

    // A host-visible buffer of size bytes (destroyed with the harness).
    struct HostBuffer {
        VkBuffer buffer = VK_NULL_HANDLE;
        VkDeviceMemory memory = VK_NULL_HANDLE;
        void* mapped = nullptr;
    };
    HostBuffer createHostBuffer(VkDeviceSize size, VkBufferUsageFlags usage);

    const VulkanSetup setup;
    VkInstance instance = VK_NULL_HANDLE;
    VkDebugUtilsMessengerEXT messenger = VK_NULL_HANDLE;
    VkPhysicalDevice physicalDevice = VK_NULL_HANDLE;
    VkDevice device = VK_NULL_HANDLE;
    uint32_t queueFamily = 0;
    VkQueue queue = VK_NULL_HANDLE;
    VkCommandPool commandPool = VK_NULL_HANDLE;
    bool externalMemoryFd = false;          // enabled on device
    bool externalSemaphoreFd = false;       // enabled on device
    VkDeviceCreateInfo deviceCreateInfo{};  // what vkCreateDevice got; stays valid

private:
    explicit VulkanHarness(const VulkanSetup& s) : setup(s) {}
    std::string init();
    static VKAPI_ATTR VkBool32 VKAPI_CALL onMessage(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                    VkDebugUtilsMessageTypeFlagsEXT types,
                                                    const VkDebugUtilsMessengerCallbackDataEXT* data, void* user);

    std::mutex messagesMutex_;
    std::vector<std::string> messages_;
    // Storage behind deviceCreateInfo.
    float queuePriority_ = 1.0f;
    VkDeviceQueueCreateInfo queueInfo_{};
    VkPhysicalDeviceVulkan12Features features12_{};
    VkPhysicalDeviceVulkan13Features features13_{};
    VkPhysicalDeviceTimelineSemaphoreFeatures timelineFeatures_{};
    VkPhysicalDeviceSynchronization2Features sync2Features_{};
    std::vector<const char*> extensions_;
    std::vector<TestImage> images_;
    std::vector<HostBuffer> buffers_;
    std::vector<VkFence> fences_;
    std::vector<VkSemaphore> semaphores_;
    std::vector<VkCommandPool> pools_;
};

// Half-float bits to float, exactly (every binary16 value is a float).
float halfToFloat(uint16_t half);

}  // namespace sgtest
