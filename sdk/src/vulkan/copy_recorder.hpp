// copy_recorder.hpp - records the cpu-staging path's commands: image barriers
// into TRANSFER_DST_OPTIMAL, buffer-to-image copies, image barriers into the
// layouts the application asked for. With synchronization2 through
// vkCmdPipelineBarrier2, otherwise through vkCmdPipelineBarrier with the
// application's sync2 masks mapped to their classic equivalents.
#pragma once

#include <vector>

#include "vulkan/vulkan_functions.hpp"

namespace sg::vk {

// One subresource (mip level, array layer) written by one or more copies.
struct Transition {
    VkImage image = VK_NULL_HANDLE;
    uint32_t mipLevel = 0;
    uint32_t arrayLayer = 0;
    VkImageLayout oldLayout = VK_IMAGE_LAYOUT_UNDEFINED;
    VkImageLayout newLayout = VK_IMAGE_LAYOUT_UNDEFINED;
    VkPipelineStageFlags2 srcStageMask = 0;  // resolved: never 0
    VkAccessFlags2 srcAccessMask = 0;
    VkPipelineStageFlags2 dstStageMask = 0;  // resolved: never 0
    VkAccessFlags2 dstAccessMask = 0;
};

struct Copy {
    VkImage image = VK_NULL_HANDLE;
    VkBufferImageCopy region{};
};

// Records into commandBuffer: one barrier batch for every transition's first
// half, the copies from buffer (one vkCmdCopyBufferToImage per image), one
// barrier batch for the second half.
void recordCopies(const Functions& fn, bool synchronization2, VkCommandBuffer commandBuffer, VkBuffer buffer,
                  const std::vector<Transition>& transitions, const std::vector<Copy>& copies);

// The classic equivalents of synchronization2 masks, for devices without it.
VkPipelineStageFlags classicStages(VkPipelineStageFlags2 stages);
VkAccessFlags classicAccess(VkAccessFlags2 access);

}  // namespace sg::vk
