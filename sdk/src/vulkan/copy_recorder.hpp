// copy_recorder.hpp - records the commands of both paths. Staged: image
// barriers into TRANSFER_DST_OPTIMAL, buffer-to-image copies, image barriers
// into the layouts the application asked for. External memory: one barrier
// per subresource, the acquire from VK_QUEUE_FAMILY_EXTERNAL with the layout
// transition. With synchronization2 through vkCmdPipelineBarrier2, otherwise
// through vkCmdPipelineBarrier with the application's sync2 masks mapped to
// their classic equivalents.
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
    bool concurrent = false;  // the image's sharing mode is VK_SHARING_MODE_CONCURRENT
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

// Records one barrier batch: each transition's subresource acquired from
// VK_QUEUE_FAMILY_EXTERNAL by queueFamilyIndex (exclusive images; concurrent
// ones need no owner) and moved from oldLayout to newLayout, its contents
// kept. The first scope is ALL_COMMANDS, which chains with a semaphore wait at
// ALL_COMMANDS; the second the transition's dst masks.
void recordAcquires(const Functions& fn, bool synchronization2, VkCommandBuffer commandBuffer,
                    uint32_t queueFamilyIndex, const std::vector<Transition>& transitions);

// The classic equivalents of synchronization2 masks, for devices without it.
VkPipelineStageFlags classicStages(VkPipelineStageFlags2 stages);
VkAccessFlags classicAccess(VkAccessFlags2 access);

}  // namespace sg::vk
