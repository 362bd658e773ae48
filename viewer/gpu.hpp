// gpu.hpp - the viewer's Vulkan instance, device and queue, and the one place
// VkResults are checked.
//
// The viewer owns its instance and device, as any application does; the SDK
// only wraps them (sgCreateVulkanDevice). With validation on, the instance
// loads VK_LAYER_KHRONOS_validation with synchronization validation, and a
// debug messenger (alive from vkCreateInstance to vkDestroyInstance, so it
// also hears about objects left alive at vkDestroyDevice) prints and counts
// every warning and error: the viewer then exits non-zero if there was any.
#pragma once

#include <vulkan/vulkan.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

namespace sg::viewer {

struct VulkanError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// This machine cannot run the viewer: no Vulkan driver, no device with what it
// needs, no validation layer when asked for. Tests skip on it.
struct VulkanUnavailable : VulkanError {
    using VulkanError::VulkanError;
};

// Throws VulkanError naming the call and the result.
void checkVk(VkResult result, const char* what);
#define SG_VIEWER_VK(call) ::sg::viewer::checkVk((call), #call)

const char* vkResultName(VkResult result);

struct GpuSetup {
    bool validation = false;
    std::vector<std::string> instanceExtensions;  // what the window system needs (glfwGetRequiredInstanceExtensions)
    bool presentation = false;                     // enable VK_KHR_swapchain
};

class Gpu {
public:
    // Creates the instance. Throws VulkanError with the loader's reason (no
    // driver, no validation layer when asked for).
    explicit Gpu(const GpuSetup& setup);
    ~Gpu();
    Gpu(const Gpu&) = delete;
    Gpu& operator=(const Gpu&) = delete;

    // Picks a device with Vulkan 1.3 (timeline semaphores and synchronization2,
    // which the SDK and the viewer use) and a graphics queue that can present
    // to surface (VK_NULL_HANDLE when headless), and creates it.
    void createDevice(VkSurfaceKHR surface);
    // vkDestroyDevice; everything made on the device must be gone.
    void destroyDevice();
    // vkDestroyInstance (after the device and any surface); the message count stays readable.
    void destroyInstance();

    uint32_t memoryType(uint32_t typeBits, VkMemoryPropertyFlags properties) const;
    // Validation warnings and errors so far (0 without validation).
    size_t validationMessages() const { return validationMessages_.load(); }

    const GpuSetup setup;
    static constexpr uint32_t kApiVersion = VK_API_VERSION_1_3;
    VkInstance instance = VK_NULL_HANDLE;
    VkPhysicalDevice physicalDevice = VK_NULL_HANDLE;
    VkDevice device = VK_NULL_HANDLE;
    uint32_t queueFamily = 0;
    VkQueue queue = VK_NULL_HANDLE;
    std::string deviceName;
    bool externalMemoryFd = false;            // VK_KHR_external_memory_fd enabled: SDK images can be exportable
    bool externalSemaphoreFd = false;         // VK_KHR_external_semaphore_fd enabled (the CUDA path needs it)
    VkDeviceCreateInfo deviceCreateInfo{};    // what vkCreateDevice got (sgCreateVulkanDevice reads it)

private:
    static VKAPI_ATTR VkBool32 VKAPI_CALL onMessage(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                    VkDebugUtilsMessageTypeFlagsEXT types,
                                                    const VkDebugUtilsMessengerCallbackDataEXT* data, void* user);

    VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;
    std::atomic<size_t> validationMessages_{0};
    VkPhysicalDeviceMemoryProperties memory_{};
    // Storage behind deviceCreateInfo.
    float queuePriority_ = 1.0f;
    VkDeviceQueueCreateInfo queueInfo_{};
    VkPhysicalDeviceVulkan12Features features12_{};
    VkPhysicalDeviceVulkan13Features features13_{};
    std::vector<const char*> deviceExtensions_;
};

}  // namespace sg::viewer
