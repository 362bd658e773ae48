// The usage example at the top of stylegen_vulkan.h, run as written on the
// test device: its four textures hold what sgGenerate gives for its request.
#include "usage_example_runner.h"
#include "vulkan_fixture.hpp"

namespace {

using sgtest::VulkanTest;

TEST_F(VulkanTest, UsageExample_RunsAsWrittenAndFillsItsTextures) {
    VkImage textures[4];
    for (VkImage& texture : textures) texture = vk->createImage(VK_FORMAT_R8G8B8A8_UNORM, 16, 16).image;
    const VkFence fence = vk->createFence();
    ASSERT_EQ(sgTestRunVulkanUsageExample(context, character, vk->instance, vk->physicalDevice, vk->device,
                                          &vk->deviceCreateInfo, vk->queueFamily, vk->queue, vk->beginCommands(), fence,
                                          textures),
              SG_SUCCESS)
        << lastError();
    const std::vector<uint8_t> host = hostBytes(character, sgtest::request(4, 7));
    for (size_t i = 0; i < 4; ++i) {
        const std::vector<uint8_t> got =
            vk->readImage(textures[i], 4, 0, 0, {0, 0}, {16, 16}, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL,
                          VK_PIPELINE_STAGE_2_FRAGMENT_SHADER_BIT, 0);
        EXPECT_EQ(got, sgtest::slice(host, i, 16 * 16 * 4)) << "texture " << i;
    }
}

}  // namespace
