/* usage_example_runner.h - runs makeTextures() from the usage example at the
 * top of stylegen_vulkan.h, on the test's device. */
#ifndef STYLEGEN_USAGE_EXAMPLE_RUNNER_H_
#define STYLEGEN_USAGE_EXAMPLE_RUNNER_H_

#include "stylegen/stylegen_vulkan.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Fills the example's AppGpu and calls its makeTextures(ctx, model, &gpu).
 * textures: four 16x16 R8G8B8A8_UNORM images; cmd: recording; fence: unsignalled. */
SgResult sgTestRunVulkanUsageExample(SgContext ctx, SgModel model, VkInstance instance, VkPhysicalDevice physicalDevice,
                                     VkDevice device, const VkDeviceCreateInfo* pDeviceCreateInfo,
                                     uint32_t queueFamily, VkQueue queue, VkCommandBuffer cmd, VkFence fence,
                                     const VkImage textures[4]);

#ifdef __cplusplus
}
#endif

#endif /* STYLEGEN_USAGE_EXAMPLE_RUNNER_H_ */
