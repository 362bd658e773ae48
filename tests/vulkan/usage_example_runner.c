/* usage_example_runner.c - the header's usage example, as extracted, plus the
 * entry point the C++ test calls. */
#include "usage_example_runner.h"

#include "stylegen_vulkan_usage_example.c"

SgResult sgTestRunVulkanUsageExample(SgContext ctx, SgModel model, VkInstance instance, VkPhysicalDevice physicalDevice,
                                     VkDevice device, const VkDeviceCreateInfo* pDeviceCreateInfo,
                                     uint32_t queueFamily, VkQueue queue, VkCommandBuffer cmd, VkFence fence,
                                     const VkImage textures[4]) {
    AppGpu gpu;
    uint32_t i;
    gpu.instance = instance;
    gpu.physicalDevice = physicalDevice;
    gpu.device = device;
    gpu.pDeviceCreateInfo = pDeviceCreateInfo;
    gpu.queueFamily = queueFamily;
    gpu.queue = queue;
    gpu.cmd = cmd;
    gpu.fence = fence;
    for (i = 0; i < 4; ++i) gpu.textures[i] = textures[i];
    return makeTextures(ctx, model, &gpu);
}
