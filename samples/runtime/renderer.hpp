// renderer.hpp - draws the scene into an image of its own: the floor, then the
// characters back to front, alpha-blended. The window (or a screenshot) copies
// from that image, so headless and windowed runs render the same way.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <vector>

#include "gpu.hpp"
#include "scene.hpp"

namespace runtime {

class Renderer {
public:
    static constexpr uint32_t kFramesInFlight = 2;
    static constexpr VkFormat kSceneFormat = VK_FORMAT_R8G8B8A8_UNORM;

    void create(Gpu& gpu, VkExtent2D extent, uint32_t maxCharacters, VkImageView floorView, VkImageView characterView);
    // Once no submitted work uses its objects any more.
    void destroy();

    // Records frame `slot` (0 .. kFramesInFlight-1, whose earlier submission has
    // completed) into cmd. Leaves the scene image in TRANSFER_SRC_OPTIMAL, its
    // writes visible to copies and blits.
    void record(VkCommandBuffer cmd, uint32_t slot, const FrameData& frame,
                const std::vector<CharacterInstance>& characters);
    // Records a copy of the scene image into the screenshot buffer (after record).
    void recordScreenshot(VkCommandBuffer cmd);
    // RGBA8 rows top to bottom, once the submission with recordScreenshot completed.
    std::vector<uint8_t> screenshotPixels() const;

    VkImage sceneImage = VK_NULL_HANDLE;
    VkExtent2D extent{};

private:
    void createSceneImage();
    void createDescriptors(VkImageView floorView, VkImageView characterView);
    VkPipeline createPipeline(const uint32_t* vertexCode, size_t vertexSize, const uint32_t* fragmentCode,
                              size_t fragmentSize, bool alphaBlend);

    Gpu* gpu_ = nullptr;
    uint32_t maxCharacters_ = 0;
    VkDeviceMemory sceneMemory_ = VK_NULL_HANDLE;
    VkImageView sceneView_ = VK_NULL_HANDLE;
    VkSampler floorSampler_ = VK_NULL_HANDLE;
    VkSampler characterSampler_ = VK_NULL_HANDLE;
    // One region per frame in flight: FrameData, then the sorted characters.
    HostBuffer frameBuffer_;
    VkDeviceSize frameRegionSize_ = 0;
    VkDeviceSize charactersOffset_ = 0;  // in a region
    VkDescriptorSetLayout setLayout_ = VK_NULL_HANDLE;
    VkDescriptorPool descriptorPool_ = VK_NULL_HANDLE;
    VkDescriptorSet descriptorSet_ = VK_NULL_HANDLE;
    VkPipelineLayout pipelineLayout_ = VK_NULL_HANDLE;
    VkPipeline floorPipeline_ = VK_NULL_HANDLE;
    VkPipeline spritePipeline_ = VK_NULL_HANDLE;
    HostBuffer screenshot_;
};

}  // namespace runtime
