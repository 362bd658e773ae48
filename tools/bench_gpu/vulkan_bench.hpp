// vulkan_bench.hpp - generation into Vulkan images on the GPU the CUDA
// backend runs on: a headless Vulkan device (no validation: this is timing),
// and frames of sgCmdGenerateVulkanImages into one array texture, each
// submitted and waited for.
//
//   std::string why;
//   auto gpu = VulkanGpu::create(cudaUuid, &why);       // null + why without a matching device
//   FrameTiming t = measureFrames(*gpu, context, model, 256, true, warmup, runs);
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <stylegen/stylegen_vulkan.h>

#include "timing.hpp"

namespace sgbenchgpu {

class VulkanGpu {
public:
    // The physical device with this VkPhysicalDeviceIDProperties::deviceUUID,
    // with timeline semaphores, synchronization2 and the external memory and
    // semaphore fd extensions enabled.
    static std::unique_ptr<VulkanGpu> create(const std::vector<uint8_t>& uuid, std::string* why);
    ~VulkanGpu();
    VulkanGpu(const VulkanGpu&) = delete;
    VulkanGpu& operator=(const VulkanGpu&) = delete;

    std::string deviceName;
    VkInstance instance = VK_NULL_HANDLE;
    VkPhysicalDevice physicalDevice = VK_NULL_HANDLE;
    VkDevice device = VK_NULL_HANDLE;
    uint32_t queueFamily = 0;
    VkQueue queue = VK_NULL_HANDLE;
    VkCommandPool pool = VK_NULL_HANDLE;
    VkDeviceCreateInfo deviceCreateInfo{};

private:
    VulkanGpu() = default;
    std::string init(const std::vector<uint8_t>& uuid);
    float priority_ = 1.0f;
    VkDeviceQueueCreateInfo queueInfo_{};
    VkPhysicalDeviceVulkan12Features features12_{};
    VkPhysicalDeviceVulkan13Features features13_{};
    std::vector<const char*> extensions_;
};

struct FrameTiming {
    Timing frame;        // sgCmdGenerateVulkanImages to the fence of its submission
    Timing record;       // inside sgCmdGenerateVulkanImages (CPU)
    int inPlaceFrames = 0;  // frames the external-memory path wrote (the rest were staged)
    std::string path;    // sgGetVulkanDeviceInfo's description
};

// count character images per frame into the layers of one
// R8G8B8A8_SRGB array image made by sgCreateVulkanImage: exportable (written
// in place by the GPU backend) or not (CUDA -> host -> staging -> Vulkan copy).
// The first frame (oldLayout UNDEFINED) is always staged and not timed.
FrameTiming measureFrames(VulkanGpu& gpu, SgContext context, SgModel model, uint32_t count, bool exportable,
                          int warmup, int runs, std::string* error);

}  // namespace sgbenchgpu
