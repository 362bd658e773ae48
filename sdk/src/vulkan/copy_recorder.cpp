// copy_recorder.cpp - barriers and copies of the cpu-staging path.
#include "vulkan/copy_recorder.hpp"

#include <unordered_map>
#include <utility>

namespace sg::vk {
namespace {

constexpr uint64_t kLow32 = 0xFFFFFFFFull;

VkImageSubresourceRange rangeOf(const Transition& t) {
    return {VK_IMAGE_ASPECT_COLOR_BIT, t.mipLevel, 1, t.arrayLayer, 1};
}

// The barriers of one side of the copies: into TRANSFER_DST_OPTIMAL (before)
// or out of it (after).
std::vector<VkImageMemoryBarrier2> barriers2(const std::vector<Transition>& transitions, bool before) {
    std::vector<VkImageMemoryBarrier2> barriers(transitions.size());
    for (size_t i = 0; i < transitions.size(); ++i) {
        const Transition& t = transitions[i];
        VkImageMemoryBarrier2& b = barriers[i];
        b.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER_2;
        if (before) {
            b.srcStageMask = t.srcStageMask;
            b.srcAccessMask = t.srcAccessMask;
            b.dstStageMask = VK_PIPELINE_STAGE_2_COPY_BIT;
            b.dstAccessMask = VK_ACCESS_2_TRANSFER_WRITE_BIT;
            b.oldLayout = t.oldLayout;
            b.newLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
        } else {
            b.srcStageMask = VK_PIPELINE_STAGE_2_COPY_BIT;
            b.srcAccessMask = VK_ACCESS_2_TRANSFER_WRITE_BIT;
            b.dstStageMask = t.dstStageMask;
            b.dstAccessMask = t.dstAccessMask;
            b.oldLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
            b.newLayout = t.newLayout;
        }
        b.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
        b.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
        b.image = t.image;
        b.subresourceRange = rangeOf(t);
    }
    return barriers;
}

struct ClassicBarriers {
    VkPipelineStageFlags srcStageMask = 0;
    VkPipelineStageFlags dstStageMask = 0;
    std::vector<VkImageMemoryBarrier> barriers;
};

ClassicBarriers barriers1(const std::vector<Transition>& transitions, bool before) {
    ClassicBarriers batch;
    batch.barriers.resize(transitions.size());
    // Classic barriers share one stage mask per call: the union of the targets'.
    VkPipelineStageFlags otherStages = 0;
    for (size_t i = 0; i < transitions.size(); ++i) {
        const Transition& t = transitions[i];
        VkImageMemoryBarrier& b = batch.barriers[i];
        b.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER;
        if (before) {
            otherStages |= classicStages(t.srcStageMask);
            b.srcAccessMask = classicAccess(t.srcAccessMask);
            b.dstAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
            b.oldLayout = t.oldLayout;
            b.newLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
        } else {
            otherStages |= classicStages(t.dstStageMask);
            b.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
            b.dstAccessMask = classicAccess(t.dstAccessMask);
            b.oldLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
            b.newLayout = t.newLayout;
        }
        b.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
        b.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
        b.image = t.image;
        b.subresourceRange = rangeOf(t);
    }
    batch.srcStageMask = before ? otherStages : VkPipelineStageFlags(VK_PIPELINE_STAGE_TRANSFER_BIT);
    batch.dstStageMask = before ? VkPipelineStageFlags(VK_PIPELINE_STAGE_TRANSFER_BIT) : otherStages;
    return batch;
}

void record(const Functions& fn, VkCommandBuffer commandBuffer, const std::vector<VkImageMemoryBarrier2>& barriers) {
    VkDependencyInfo dependency{};
    dependency.sType = VK_STRUCTURE_TYPE_DEPENDENCY_INFO;
    dependency.imageMemoryBarrierCount = uint32_t(barriers.size());
    dependency.pImageMemoryBarriers = barriers.data();
    fn.vkCmdPipelineBarrier2(commandBuffer, &dependency);
}

void record(const Functions& fn, VkCommandBuffer commandBuffer, const ClassicBarriers& batch) {
    fn.vkCmdPipelineBarrier(commandBuffer, batch.srcStageMask, batch.dstStageMask, 0, 0, nullptr, 0, nullptr,
                            uint32_t(batch.barriers.size()), batch.barriers.data());
}

// One copy command per image, its regions in target order.
std::vector<std::pair<VkImage, std::vector<VkBufferImageCopy>>> groupByImage(const std::vector<Copy>& copies) {
    std::vector<std::pair<VkImage, std::vector<VkBufferImageCopy>>> perImage;
    std::unordered_map<VkImage, size_t> indexOf;
    for (const Copy& copy : copies) {
        const auto [it, added] = indexOf.emplace(copy.image, perImage.size());
        if (added) perImage.emplace_back(copy.image, std::vector<VkBufferImageCopy>());
        perImage[it->second].second.push_back(copy.region);
    }
    return perImage;
}

template <class Batch>
void recordAll(const Functions& fn, VkCommandBuffer commandBuffer, VkBuffer buffer, const Batch& before,
               const std::vector<std::pair<VkImage, std::vector<VkBufferImageCopy>>>& perImage, const Batch& after) {
    record(fn, commandBuffer, before);
    for (const auto& [image, regions] : perImage)
        fn.vkCmdCopyBufferToImage(commandBuffer, buffer, image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                                  uint32_t(regions.size()), regions.data());
    record(fn, commandBuffer, after);
}

}  // namespace

VkPipelineStageFlags classicStages(VkPipelineStageFlags2 stages) {
    // Below bit 32 synchronization2 stages are the classic ones.
    VkPipelineStageFlags classic = VkPipelineStageFlags(stages & kLow32);
    VkPipelineStageFlags2 rest = stages & ~kLow32;
    const auto take = [&rest](VkPipelineStageFlags2 bits) {
        const bool any = (rest & bits) != 0;
        rest &= ~bits;
        return any;
    };
    if (take(VK_PIPELINE_STAGE_2_COPY_BIT | VK_PIPELINE_STAGE_2_RESOLVE_BIT | VK_PIPELINE_STAGE_2_BLIT_BIT |
             VK_PIPELINE_STAGE_2_CLEAR_BIT))
        classic |= VK_PIPELINE_STAGE_TRANSFER_BIT;
    if (take(VK_PIPELINE_STAGE_2_INDEX_INPUT_BIT | VK_PIPELINE_STAGE_2_VERTEX_ATTRIBUTE_INPUT_BIT))
        classic |= VK_PIPELINE_STAGE_VERTEX_INPUT_BIT;
    // Naming tessellation or geometry stages is invalid where those features
    // are off; ALL_GRAPHICS covers them without naming them.
    if (take(VK_PIPELINE_STAGE_2_PRE_RASTERIZATION_SHADERS_BIT)) classic |= VK_PIPELINE_STAGE_ALL_GRAPHICS_BIT;
    if (rest) classic |= VK_PIPELINE_STAGE_ALL_COMMANDS_BIT;  // stages of extensions: wait for everything
    return classic;
}

VkAccessFlags classicAccess(VkAccessFlags2 access) {
    VkAccessFlags classic = VkAccessFlags(access & kLow32);
    VkAccessFlags2 rest = access & ~kLow32;
    if (rest & (VK_ACCESS_2_SHADER_SAMPLED_READ_BIT | VK_ACCESS_2_SHADER_STORAGE_READ_BIT)) {
        classic |= VK_ACCESS_SHADER_READ_BIT;
        rest &= ~(VK_ACCESS_2_SHADER_SAMPLED_READ_BIT | VK_ACCESS_2_SHADER_STORAGE_READ_BIT);
    }
    if (rest & VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT) {
        classic |= VK_ACCESS_SHADER_WRITE_BIT;
        rest &= ~VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT;
    }
    if (rest) classic |= VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT;  // accesses of extensions
    return classic;
}

void recordAcquires(const Functions& fn, bool synchronization2, VkCommandBuffer commandBuffer,
                    uint32_t queueFamilyIndex, const std::vector<Transition>& transitions) {
    std::vector<VkImageMemoryBarrier2> barriers(transitions.size());
    std::vector<VkImageMemoryBarrier> classic(transitions.size());
    VkPipelineStageFlags dstStages = 0;
    for (size_t i = 0; i < transitions.size(); ++i) {
        const Transition& t = transitions[i];
        VkImageMemoryBarrier2& b = barriers[i];
        b.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER_2;
        b.srcStageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
        b.srcAccessMask = 0;  // an acquire makes nothing of the external writes available itself
        b.dstStageMask = t.dstStageMask;
        b.dstAccessMask = t.dstAccessMask;
        b.oldLayout = t.oldLayout;
        b.newLayout = t.newLayout;
        b.srcQueueFamilyIndex = VK_QUEUE_FAMILY_EXTERNAL;
        b.dstQueueFamilyIndex = t.concurrent ? VK_QUEUE_FAMILY_IGNORED : queueFamilyIndex;
        b.image = t.image;
        b.subresourceRange = rangeOf(t);
        VkImageMemoryBarrier& c = classic[i];
        c.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER;
        c.srcAccessMask = 0;
        c.dstAccessMask = classicAccess(t.dstAccessMask);
        c.oldLayout = b.oldLayout;
        c.newLayout = b.newLayout;
        c.srcQueueFamilyIndex = b.srcQueueFamilyIndex;
        c.dstQueueFamilyIndex = b.dstQueueFamilyIndex;
        c.image = t.image;
        c.subresourceRange = b.subresourceRange;
        dstStages |= classicStages(t.dstStageMask);
    }
    if (synchronization2) {
        record(fn, commandBuffer, barriers);
    } else {
        fn.vkCmdPipelineBarrier(commandBuffer, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, dstStages, 0, 0, nullptr, 0,
                                nullptr, uint32_t(classic.size()), classic.data());
    }
}

void recordCopies(const Functions& fn, bool synchronization2, VkCommandBuffer commandBuffer, VkBuffer buffer,
                  const std::vector<Transition>& transitions, const std::vector<Copy>& copies) {
    // Everything is built before the first command, so a failed allocation records nothing.
    const auto perImage = groupByImage(copies);
    if (synchronization2)
        recordAll(fn, commandBuffer, buffer, barriers2(transitions, true), perImage, barriers2(transitions, false));
    else
        recordAll(fn, commandBuffer, buffer, barriers1(transitions, true), perImage, barriers1(transitions, false));
}

}  // namespace sg::vk
