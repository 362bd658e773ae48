// renderer.cpp - the scene image, the two pipelines (floor, sprites) and the
// per-frame recording. Dynamic rendering; no vertex buffers: the shaders make
// their quads from gl_VertexIndex and read the frame from a storage buffer.
#include "renderer.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace runtime {
namespace {

// SPIR-V compiled from shaders/ by glslc at build time (-mfmt=c).
const uint32_t kFloorVert[] =
#include "floor.vert.inc"
    ;
const uint32_t kFloorFrag[] =
#include "floor.frag.inc"
    ;
const uint32_t kSpriteVert[] =
#include "sprite.vert.inc"
    ;
const uint32_t kSpriteFrag[] =
#include "sprite.frag.inc"
    ;

VkDeviceSize alignUp(VkDeviceSize value, VkDeviceSize alignment) {
    return (value + alignment - 1) / alignment * alignment;
}

VkShaderModule createShaderModule(VkDevice device, const uint32_t* code, size_t size) {
    VkShaderModuleCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO;
    info.codeSize = size;
    info.pCode = code;
    VkShaderModule module = VK_NULL_HANDLE;
    checkVk(vkCreateShaderModule(device, &info, nullptr, &module), "vkCreateShaderModule");
    return module;
}

// Bilinear within a level, trilinear between (only the floor has levels).
VkSampler createSampler(VkDevice device, VkSamplerAddressMode addressMode) {
    VkSamplerCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO;
    info.magFilter = VK_FILTER_LINEAR;
    info.minFilter = VK_FILTER_LINEAR;
    info.mipmapMode = VK_SAMPLER_MIPMAP_MODE_LINEAR;
    info.addressModeU = info.addressModeV = info.addressModeW = addressMode;
    info.maxLod = VK_LOD_CLAMP_NONE;
    VkSampler sampler = VK_NULL_HANDLE;
    checkVk(vkCreateSampler(device, &info, nullptr, &sampler), "vkCreateSampler");
    return sampler;
}

}  // namespace

void Renderer::create(Gpu& gpu, VkExtent2D size, uint32_t maxCharacters, VkImageView floorView,
                      VkImageView characterView) {
    gpu_ = &gpu;
    extent = size;
    maxCharacters_ = maxCharacters;
    createSceneImage();
    floorSampler_ = createSampler(gpu.device, VK_SAMPLER_ADDRESS_MODE_REPEAT);  // the floor repeats
    characterSampler_ = createSampler(gpu.device, VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE);
    // Each region: FrameData (uniform), then the characters (storage), both
    // at offsets the device accepts for their kind.
    const VkPhysicalDeviceLimits& limits = gpu.properties.limits;
    const VkDeviceSize alignment =
        std::max(limits.minUniformBufferOffsetAlignment, limits.minStorageBufferOffsetAlignment);
    charactersOffset_ = alignUp(sizeof(FrameData), alignment);
    frameRegionSize_ = alignUp(charactersOffset_ + sizeof(CharacterInstance) * maxCharacters, alignment);
    frameBuffer_ = gpu.createHostBuffer(frameRegionSize_ * kFramesInFlight,
                                        VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT | VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
    screenshot_ =
        gpu.createHostBuffer(VkDeviceSize(extent.width) * extent.height * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT);
    createDescriptors(floorView, characterView);
    floorPipeline_ = createPipeline(kFloorVert, sizeof kFloorVert, kFloorFrag, sizeof kFloorFrag, false);
    spritePipeline_ = createPipeline(kSpriteVert, sizeof kSpriteVert, kSpriteFrag, sizeof kSpriteFrag, true);
}

void Renderer::createSceneImage() {
    sceneImage = gpu_->createImage(
        kSceneFormat, extent, VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT, &sceneMemory_);
    sceneView_ = gpu_->createImageView(sceneImage, kSceneFormat, VK_IMAGE_VIEW_TYPE_2D, 1);
}

void Renderer::createDescriptors(VkImageView floorView, VkImageView characterView) {
    const VkDevice device = gpu_->device;
    // The frame's data and characters: dynamic offsets pick the frame-in-flight's region.
    VkDescriptorSetLayoutBinding bindings[4]{};
    bindings[0] = {0, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC, 1,
                   VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT, nullptr};
    bindings[1] = {1, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1, VK_SHADER_STAGE_FRAGMENT_BIT, nullptr};
    bindings[2] = {2, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1, VK_SHADER_STAGE_FRAGMENT_BIT, nullptr};
    bindings[3] = {3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC, 1, VK_SHADER_STAGE_VERTEX_BIT, nullptr};
    VkDescriptorSetLayoutCreateInfo layoutInfo{};
    layoutInfo.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO;
    layoutInfo.bindingCount = 4;
    layoutInfo.pBindings = bindings;
    checkVk(vkCreateDescriptorSetLayout(device, &layoutInfo, nullptr, &setLayout_), "vkCreateDescriptorSetLayout");

    const VkDescriptorPoolSize poolSizes[3] = {{VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC, 1},
                                               {VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 2},
                                               {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC, 1}};
    VkDescriptorPoolCreateInfo poolInfo{};
    poolInfo.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
    poolInfo.maxSets = 1;
    poolInfo.poolSizeCount = 3;
    poolInfo.pPoolSizes = poolSizes;
    checkVk(vkCreateDescriptorPool(device, &poolInfo, nullptr, &descriptorPool_), "vkCreateDescriptorPool");
    VkDescriptorSetAllocateInfo allocateInfo{};
    allocateInfo.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
    allocateInfo.descriptorPool = descriptorPool_;
    allocateInfo.descriptorSetCount = 1;
    allocateInfo.pSetLayouts = &setLayout_;
    checkVk(vkAllocateDescriptorSets(device, &allocateInfo, &descriptorSet_), "vkAllocateDescriptorSets");

    const VkDescriptorBufferInfo frameInfo{frameBuffer_.buffer, 0, sizeof(FrameData)};
    const VkDescriptorBufferInfo charactersInfo{frameBuffer_.buffer, charactersOffset_,
                                                sizeof(CharacterInstance) * maxCharacters_};
    const VkDescriptorImageInfo floorInfo{floorSampler_, floorView, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
    const VkDescriptorImageInfo characterInfo{characterSampler_, characterView,
                                              VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
    VkWriteDescriptorSet writes[4]{};
    for (uint32_t i = 0; i < 4; ++i) {
        writes[i].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
        writes[i].dstSet = descriptorSet_;
        writes[i].dstBinding = i;
        writes[i].descriptorCount = 1;
        writes[i].descriptorType = bindings[i].descriptorType;
    }
    writes[0].pBufferInfo = &frameInfo;
    writes[1].pImageInfo = &floorInfo;
    writes[2].pImageInfo = &characterInfo;
    writes[3].pBufferInfo = &charactersInfo;
    vkUpdateDescriptorSets(device, 4, writes, 0, nullptr);

    VkPipelineLayoutCreateInfo pipelineLayoutInfo{};
    pipelineLayoutInfo.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
    pipelineLayoutInfo.setLayoutCount = 1;
    pipelineLayoutInfo.pSetLayouts = &setLayout_;
    checkVk(vkCreatePipelineLayout(device, &pipelineLayoutInfo, nullptr, &pipelineLayout_), "vkCreatePipelineLayout");
}

VkPipeline Renderer::createPipeline(const uint32_t* vertexCode, size_t vertexSize, const uint32_t* fragmentCode,
                                    size_t fragmentSize, bool alphaBlend) {
    const VkDevice device = gpu_->device;
    const VkShaderModule vertex = createShaderModule(device, vertexCode, vertexSize);
    const VkShaderModule fragment = createShaderModule(device, fragmentCode, fragmentSize);
    VkPipelineShaderStageCreateInfo stages[2]{};
    stages[0].sType = stages[1].sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
    stages[0].stage = VK_SHADER_STAGE_VERTEX_BIT;
    stages[0].module = vertex;
    stages[0].pName = "main";
    stages[1].stage = VK_SHADER_STAGE_FRAGMENT_BIT;
    stages[1].module = fragment;
    stages[1].pName = "main";

    VkPipelineVertexInputStateCreateInfo vertexInput{};
    vertexInput.sType = VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO;
    VkPipelineInputAssemblyStateCreateInfo inputAssembly{};
    inputAssembly.sType = VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO;
    inputAssembly.topology = VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST;
    VkPipelineViewportStateCreateInfo viewport{};
    viewport.sType = VK_STRUCTURE_TYPE_PIPELINE_VIEWPORT_STATE_CREATE_INFO;
    viewport.viewportCount = 1;
    viewport.scissorCount = 1;
    VkPipelineRasterizationStateCreateInfo rasterization{};
    rasterization.sType = VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO;
    rasterization.polygonMode = VK_POLYGON_MODE_FILL;
    rasterization.cullMode = VK_CULL_MODE_NONE;
    rasterization.lineWidth = 1.0f;
    VkPipelineMultisampleStateCreateInfo multisample{};
    multisample.sType = VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO;
    multisample.rasterizationSamples = VK_SAMPLE_COUNT_1_BIT;
    // No depth buffer: the floor is drawn first and the characters after it,
    // far to near, so painter's order is already right.
    VkPipelineColorBlendAttachmentState blend{};
    blend.colorWriteMask =
        VK_COLOR_COMPONENT_R_BIT | VK_COLOR_COMPONENT_G_BIT | VK_COLOR_COMPONENT_B_BIT | VK_COLOR_COMPONENT_A_BIT;
    if (alphaBlend) {  // premultiplied alpha: src + (1 - src.a) * dst
        blend.blendEnable = VK_TRUE;
        blend.srcColorBlendFactor = VK_BLEND_FACTOR_ONE;
        blend.dstColorBlendFactor = VK_BLEND_FACTOR_ONE_MINUS_SRC_ALPHA;
        blend.colorBlendOp = VK_BLEND_OP_ADD;
        blend.srcAlphaBlendFactor = VK_BLEND_FACTOR_ONE;
        blend.dstAlphaBlendFactor = VK_BLEND_FACTOR_ONE_MINUS_SRC_ALPHA;
        blend.alphaBlendOp = VK_BLEND_OP_ADD;
    }
    VkPipelineColorBlendStateCreateInfo colorBlend{};
    colorBlend.sType = VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO;
    colorBlend.attachmentCount = 1;
    colorBlend.pAttachments = &blend;
    const VkDynamicState dynamicStates[] = {VK_DYNAMIC_STATE_VIEWPORT, VK_DYNAMIC_STATE_SCISSOR};
    VkPipelineDynamicStateCreateInfo dynamic{};
    dynamic.sType = VK_STRUCTURE_TYPE_PIPELINE_DYNAMIC_STATE_CREATE_INFO;
    dynamic.dynamicStateCount = 2;
    dynamic.pDynamicStates = dynamicStates;
    VkPipelineRenderingCreateInfo rendering{};
    rendering.sType = VK_STRUCTURE_TYPE_PIPELINE_RENDERING_CREATE_INFO;
    rendering.colorAttachmentCount = 1;
    rendering.pColorAttachmentFormats = &kSceneFormat;

    VkGraphicsPipelineCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO;
    info.pNext = &rendering;
    info.stageCount = 2;
    info.pStages = stages;
    info.pVertexInputState = &vertexInput;
    info.pInputAssemblyState = &inputAssembly;
    info.pViewportState = &viewport;
    info.pRasterizationState = &rasterization;
    info.pMultisampleState = &multisample;
    info.pColorBlendState = &colorBlend;
    info.pDynamicState = &dynamic;
    info.layout = pipelineLayout_;
    VkPipeline pipeline = VK_NULL_HANDLE;
    const VkResult r = vkCreateGraphicsPipelines(device, VK_NULL_HANDLE, 1, &info, nullptr, &pipeline);
    vkDestroyShaderModule(device, vertex, nullptr);
    vkDestroyShaderModule(device, fragment, nullptr);
    checkVk(r, "vkCreateGraphicsPipelines");
    return pipeline;
}

void Renderer::destroy() {
    if (!gpu_) return;
    const VkDevice device = gpu_->device;
    vkDestroyPipeline(device, spritePipeline_, nullptr);
    vkDestroyPipeline(device, floorPipeline_, nullptr);
    vkDestroyPipelineLayout(device, pipelineLayout_, nullptr);
    vkDestroyDescriptorPool(device, descriptorPool_, nullptr);
    vkDestroyDescriptorSetLayout(device, setLayout_, nullptr);
    gpu_->destroyHostBuffer(screenshot_);
    gpu_->destroyHostBuffer(frameBuffer_);
    vkDestroySampler(device, characterSampler_, nullptr);
    vkDestroySampler(device, floorSampler_, nullptr);
    vkDestroyImageView(device, sceneView_, nullptr);
    vkDestroyImage(device, sceneImage, nullptr);
    vkFreeMemory(device, sceneMemory_, nullptr);
    gpu_ = nullptr;
}

void Renderer::record(VkCommandBuffer cmd, uint32_t slot, const FrameData& frame,
                      const std::vector<CharacterInstance>& characters) {
    if (characters.size() > maxCharacters_) throw std::logic_error("more characters than the renderer was made for");
    // This slot's previous submission has completed, so its region is free.
    const VkDeviceSize offset = frameRegionSize_ * slot;
    auto* region = static_cast<uint8_t*>(frameBuffer_.mapped) + offset;
    std::memcpy(region, &frame, sizeof frame);
    std::memcpy(region + charactersOffset_, characters.data(), characters.size() * sizeof(CharacterInstance));

    // The previous frame's copies out of the scene image and its rendering into
    // it must be done; its contents are not needed.
    recordImageBarrier(
        cmd, sceneImage, 0, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL,
        VK_PIPELINE_STAGE_2_COLOR_ATTACHMENT_OUTPUT_BIT | VK_PIPELINE_STAGE_2_COPY_BIT | VK_PIPELINE_STAGE_2_BLIT_BIT,
        VK_ACCESS_2_COLOR_ATTACHMENT_WRITE_BIT, VK_PIPELINE_STAGE_2_COLOR_ATTACHMENT_OUTPUT_BIT,
        VK_ACCESS_2_COLOR_ATTACHMENT_WRITE_BIT);
    VkRenderingAttachmentInfo color{};
    color.sType = VK_STRUCTURE_TYPE_RENDERING_ATTACHMENT_INFO;
    color.imageView = sceneView_;
    color.imageLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL;
    color.loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR;
    color.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
    color.clearValue.color = {{kFogColor[0], kFogColor[1], kFogColor[2], 1.0f}};
    VkRenderingInfo rendering{};
    rendering.sType = VK_STRUCTURE_TYPE_RENDERING_INFO;
    rendering.renderArea = {{0, 0}, extent};
    rendering.layerCount = 1;
    rendering.colorAttachmentCount = 1;
    rendering.pColorAttachments = &color;
    vkCmdBeginRendering(cmd, &rendering);
    const VkViewport viewport{0.0f, 0.0f, float(extent.width), float(extent.height), 0.0f, 1.0f};
    const VkRect2D scissor{{0, 0}, extent};
    vkCmdSetViewport(cmd, 0, 1, &viewport);
    vkCmdSetScissor(cmd, 0, 1, &scissor);
    const uint32_t dynamicOffsets[2] = {uint32_t(offset), uint32_t(offset)};  // bindings 0 and 3
    vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, pipelineLayout_, 0, 1, &descriptorSet_, 2,
                            dynamicOffsets);
    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, floorPipeline_);
    vkCmdDraw(cmd, 6, 1, 0, 0);
    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, spritePipeline_);
    vkCmdDraw(cmd, 6, uint32_t(characters.size()), 0, 0);
    vkCmdEndRendering(cmd);
    recordImageBarrier(cmd, sceneImage, 0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL,
                       VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, VK_PIPELINE_STAGE_2_COLOR_ATTACHMENT_OUTPUT_BIT,
                       VK_ACCESS_2_COLOR_ATTACHMENT_WRITE_BIT,
                       VK_PIPELINE_STAGE_2_COPY_BIT | VK_PIPELINE_STAGE_2_BLIT_BIT, VK_ACCESS_2_TRANSFER_READ_BIT);
}

void Renderer::recordScreenshot(VkCommandBuffer cmd) {
    VkBufferImageCopy region{};
    region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    region.imageExtent = {extent.width, extent.height, 1};
    vkCmdCopyImageToBuffer(cmd, sceneImage, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, screenshot_.buffer, 1, &region);
    recordHostReadBarrier(cmd);
}

std::vector<uint8_t> Renderer::screenshotPixels() const {
    const auto* bytes = static_cast<const uint8_t*>(screenshot_.mapped);
    return std::vector<uint8_t>(bytes, bytes + screenshot_.size);
}

}  // namespace runtime
