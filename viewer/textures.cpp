// textures.cpp - SDK-allocated texture arrays, their clear, deferred
// destruction, uploads and readback.
#include "textures.hpp"

#include <cstring>
#include <string>

namespace sg::viewer {
namespace {

constexpr uint32_t kMaxTextures = 512;

void layerBarrier(VkCommandBuffer cmd, const Texture& texture, uint32_t first, uint32_t count,
                  VkImageLayout oldLayout, VkImageLayout newLayout, VkPipelineStageFlags2 srcStage,
                  VkAccessFlags2 srcAccess, VkPipelineStageFlags2 dstStage, VkAccessFlags2 dstAccess) {
    VkImageMemoryBarrier2 barrier{};
    barrier.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER_2;
    barrier.srcStageMask = srcStage;
    barrier.srcAccessMask = srcAccess;
    barrier.dstStageMask = dstStage;
    barrier.dstAccessMask = dstAccess;
    barrier.oldLayout = oldLayout;
    barrier.newLayout = newLayout;
    barrier.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    barrier.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    barrier.image = texture.image;
    barrier.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, first, count};
    VkDependencyInfo dependency{};
    dependency.sType = VK_STRUCTURE_TYPE_DEPENDENCY_INFO;
    dependency.imageMemoryBarrierCount = 1;
    dependency.pImageMemoryBarriers = &barrier;
    vkCmdPipelineBarrier2(cmd, &dependency);
}

}  // namespace

Textures::Textures(Gpu& gpu, SgVulkanDevice sdkDevice) : gpu_(gpu), sdkDevice_(sdkDevice) {
    VkDescriptorSetLayoutBinding binding{};
    binding.binding = 0;
    binding.descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER;
    binding.descriptorCount = 1;
    binding.stageFlags = VK_SHADER_STAGE_FRAGMENT_BIT;
    VkDescriptorSetLayoutCreateInfo layoutInfo{};
    layoutInfo.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO;
    layoutInfo.bindingCount = 1;
    layoutInfo.pBindings = &binding;
    SG_VIEWER_VK(vkCreateDescriptorSetLayout(gpu_.device, &layoutInfo, nullptr, &setLayout_));

    VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, kMaxTextures};
    VkDescriptorPoolCreateInfo poolInfo{};
    poolInfo.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
    poolInfo.flags = VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT;
    poolInfo.maxSets = kMaxTextures;
    poolInfo.poolSizeCount = 1;
    poolInfo.pPoolSizes = &size;
    SG_VIEWER_VK(vkCreateDescriptorPool(gpu_.device, &poolInfo, nullptr, &pool_));

    // The shaders read texels with texelFetch (filtering is their own), so the
    // sampler's settings never matter; a combined image sampler needs one.
    VkSamplerCreateInfo samplerInfo{};
    samplerInfo.sType = VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO;
    samplerInfo.magFilter = VK_FILTER_NEAREST;
    samplerInfo.minFilter = VK_FILTER_NEAREST;
    samplerInfo.addressModeU = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE;
    samplerInfo.addressModeV = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE;
    samplerInfo.addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE;
    samplerInfo.maxLod = 0.0f;
    SG_VIEWER_VK(vkCreateSampler(gpu_.device, &samplerInfo, nullptr, &sampler_));
}

Textures::~Textures() {
    vkDeviceWaitIdle(gpu_.device);
    for (Readback& readback : readbacks_) {
        vkDestroyBuffer(gpu_.device, readback.buffer, nullptr);
        vkFreeMemory(gpu_.device, readback.memory, nullptr);
    }
    readbacks_.clear();  // releases their textures into the graveyard
    for (Upload& upload : uploads_) {
        vkDestroyBuffer(gpu_.device, upload.buffer, nullptr);
        vkFreeMemory(gpu_.device, upload.memory, nullptr);
    }
    uploads_.clear();
    uncleared_.clear();
    for (Retired& retired : retired_) destroy(*retired.texture);
    for (Texture* texture : graveyard_) destroy(*texture);
    vkDestroySampler(gpu_.device, sampler_, nullptr);
    vkDestroyDescriptorPool(gpu_.device, pool_, nullptr);
    vkDestroyDescriptorSetLayout(gpu_.device, setLayout_, nullptr);
}

std::shared_ptr<Texture> Textures::create(uint32_t width, uint32_t height, uint32_t layers) {
    auto texture = std::make_unique<Texture>();
    texture->id = nextId_++;
    texture->width = width;
    texture->height = height;
    texture->layers = layers;
    texture->keys.assign(layers, 0);

    SgVulkanImageCreateInfo info{};
    info.sType = SG_STRUCTURE_TYPE_VULKAN_IMAGE_CREATE_INFO;
    info.format = VK_FORMAT_R8G8B8A8_UNORM;
    info.width = width;
    info.height = height;
    info.arrayLayers = layers;
    info.usage = VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT;  // TRANSFER_DST is always added
    info.exportable = gpu_.externalMemoryFd ? SG_TRUE : SG_FALSE;
    SgVulkanImage made{};
    made.sType = SG_STRUCTURE_TYPE_VULKAN_IMAGE;
    SgResult result = sgCreateVulkanImage(sdkDevice_, &info, &made);
    if (result == SG_ERROR_UNSUPPORTED && info.exportable) {
        info.exportable = SG_FALSE;  // some drivers export no array images; the staging path does not need it
        result = sgCreateVulkanImage(sdkDevice_, &info, &made);
    }
    if (result != SG_SUCCESS)
        throw VulkanError("sgCreateVulkanImage " + std::to_string(width) + "x" + std::to_string(height) + "x" +
                          std::to_string(layers) + " failed: " + sgResultString(result));
    texture->image = made.image;

    VkImageViewCreateInfo viewInfo{};
    viewInfo.sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO;
    viewInfo.image = texture->image;
    viewInfo.viewType = VK_IMAGE_VIEW_TYPE_2D_ARRAY;
    viewInfo.format = VK_FORMAT_R8G8B8A8_UNORM;
    viewInfo.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, layers};
    if (VkResult r = vkCreateImageView(gpu_.device, &viewInfo, nullptr, &texture->view); r != VK_SUCCESS) {
        sgDestroyVulkanImage(sdkDevice_, texture->image);
        checkVk(r, "vkCreateImageView");
    }
    VkDescriptorSetAllocateInfo allocate{};
    allocate.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
    allocate.descriptorPool = pool_;
    allocate.descriptorSetCount = 1;
    allocate.pSetLayouts = &setLayout_;
    if (VkResult r = vkAllocateDescriptorSets(gpu_.device, &allocate, &texture->set); r != VK_SUCCESS) {
        vkDestroyImageView(gpu_.device, texture->view, nullptr);
        sgDestroyVulkanImage(sdkDevice_, texture->image);
        checkVk(r, "vkAllocateDescriptorSets");
    }
    VkDescriptorImageInfo imageInfo{sampler_, texture->view, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
    VkWriteDescriptorSet write{};
    write.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
    write.dstSet = texture->set;
    write.descriptorCount = 1;
    write.descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER;
    write.pImageInfo = &imageInfo;
    vkUpdateDescriptorSets(gpu_.device, 1, &write, 0, nullptr);

    std::shared_ptr<Texture> shared(texture.release(), [this](Texture* t) {
        std::lock_guard<std::mutex> lock(graveyardMutex_);
        graveyard_.push_back(t);
    });
    uncleared_.push_back(shared);
    return shared;
}

void Textures::destroy(Texture& texture) {
    vkFreeDescriptorSets(gpu_.device, pool_, 1, &texture.set);
    vkDestroyImageView(gpu_.device, texture.view, nullptr);
    sgDestroyVulkanImage(sdkDevice_, texture.image);
    delete &texture;
}

void Textures::readback(std::shared_ptr<Texture> texture, uint32_t first, uint32_t count, ReadbackDone done) {
    Readback readback;
    readback.texture = std::move(texture);
    readback.first = first;
    readback.count = count;
    readback.done = std::move(done);
    readbacks_.push_back(std::move(readback));
}

void Textures::upload(std::shared_ptr<Texture> texture, uint32_t layer, sg::cli::Image image) {
    if (image.width != texture->width || image.height != texture->height || layer >= texture->layers)
        throw VulkanError("upload of a " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                          " image into a " + std::to_string(texture->width) + "x" + std::to_string(texture->height) +
                          " texture");
    Upload upload;
    upload.texture = std::move(texture);
    upload.layer = layer;
    upload.image = std::move(image);
    uploads_.push_back(std::move(upload));
}

void Textures::createHostBuffer(VkDeviceSize size, VkBufferUsageFlags usage, VkBuffer* buffer, VkDeviceMemory* memory,
                                void** mapped) {
    VkBufferCreateInfo bufferInfo{};
    bufferInfo.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
    bufferInfo.size = size;
    bufferInfo.usage = usage;
    SG_VIEWER_VK(vkCreateBuffer(gpu_.device, &bufferInfo, nullptr, buffer));
    VkMemoryRequirements requirements;
    vkGetBufferMemoryRequirements(gpu_.device, *buffer, &requirements);
    VkMemoryAllocateInfo allocate{};
    allocate.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
    allocate.allocationSize = requirements.size;
    allocate.memoryTypeIndex = gpu_.memoryType(requirements.memoryTypeBits, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                                                                VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
    SG_VIEWER_VK(vkAllocateMemory(gpu_.device, &allocate, nullptr, memory));
    SG_VIEWER_VK(vkBindBufferMemory(gpu_.device, *buffer, *memory, 0));
    SG_VIEWER_VK(vkMapMemory(gpu_.device, *memory, 0, VK_WHOLE_SIZE, 0, mapped));
}

void Textures::recordPending(VkCommandBuffer cmd, uint64_t frameValue) {
    for (const std::shared_ptr<Texture>& texture : uncleared_) {
        layerBarrier(cmd, *texture, 0, texture->layers, VK_IMAGE_LAYOUT_UNDEFINED,
                     VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_PIPELINE_STAGE_2_NONE, 0, VK_PIPELINE_STAGE_2_CLEAR_BIT,
                     VK_ACCESS_2_TRANSFER_WRITE_BIT);
        const VkClearColorValue transparent{};
        const VkImageSubresourceRange range{VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, texture->layers};
        vkCmdClearColorImage(cmd, texture->image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &transparent, 1, &range);
        layerBarrier(cmd, *texture, 0, texture->layers, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                     VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, VK_PIPELINE_STAGE_2_CLEAR_BIT,
                     VK_ACCESS_2_TRANSFER_WRITE_BIT, kTextureUseStages, kTextureReadAccess);
    }
    uncleared_.clear();
    // Uploads before readbacks: a readback recorded in the same frame sees the new pixels.
    for (Upload& upload : uploads_) {
        if (upload.doneAt != 0) continue;
        recordUpload(cmd, upload);
        upload.doneAt = frameValue;
    }
    for (Readback& readback : readbacks_) {
        if (readback.readyAt != 0) continue;
        recordReadback(cmd, readback);
        readback.readyAt = frameValue;
    }
}

void Textures::recordReadback(VkCommandBuffer cmd, Readback& readback) {
    const Texture& texture = *readback.texture;
    const VkDeviceSize layerBytes = VkDeviceSize(texture.width) * texture.height * 4;
    createHostBuffer(layerBytes * readback.count, VK_BUFFER_USAGE_TRANSFER_DST_BIT, &readback.buffer, &readback.memory,
                     &readback.mapped);

    layerBarrier(cmd, texture, readback.first, readback.count, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL,
                 VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, kTextureUseStages, 0, VK_PIPELINE_STAGE_2_COPY_BIT,
                 VK_ACCESS_2_TRANSFER_READ_BIT);
    VkBufferImageCopy region{};
    region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, readback.first, readback.count};
    region.imageExtent = {texture.width, texture.height, 1};
    vkCmdCopyImageToBuffer(cmd, texture.image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, readback.buffer, 1, &region);
    layerBarrier(cmd, texture, readback.first, readback.count, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                 VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, VK_PIPELINE_STAGE_2_COPY_BIT, 0, kTextureUseStages,
                 kTextureReadAccess);
    VkMemoryBarrier2 host{};
    host.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER_2;
    host.srcStageMask = VK_PIPELINE_STAGE_2_COPY_BIT;
    host.srcAccessMask = VK_ACCESS_2_TRANSFER_WRITE_BIT;
    host.dstStageMask = VK_PIPELINE_STAGE_2_HOST_BIT;
    host.dstAccessMask = VK_ACCESS_2_HOST_READ_BIT;
    VkDependencyInfo dependency{};
    dependency.sType = VK_STRUCTURE_TYPE_DEPENDENCY_INFO;
    dependency.memoryBarrierCount = 1;
    dependency.pMemoryBarriers = &host;
    vkCmdPipelineBarrier2(cmd, &dependency);
}

void Textures::recordUpload(VkCommandBuffer cmd, Upload& upload) {
    const Texture& texture = *upload.texture;
    void* mapped = nullptr;
    createHostBuffer(upload.image.pixels.size(), VK_BUFFER_USAGE_TRANSFER_SRC_BIT, &upload.buffer, &upload.memory,
                     &mapped);
    // Coherent memory written before the submission: the submission makes it visible to the copy.
    std::memcpy(mapped, upload.image.pixels.data(), upload.image.pixels.size());
    vkUnmapMemory(gpu_.device, upload.memory);
    upload.image = sg::cli::Image();

    // Earlier sampling, copies and the clear finish before the copy writes (their
    // barriers already made the clear's or an earlier upload's write available).
    layerBarrier(cmd, texture, upload.layer, 1, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL,
                 VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, kTextureUseStages, 0, VK_PIPELINE_STAGE_2_COPY_BIT,
                 VK_ACCESS_2_TRANSFER_WRITE_BIT);
    VkBufferImageCopy region{};
    region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, upload.layer, 1};
    region.imageExtent = {texture.width, texture.height, 1};
    vkCmdCopyBufferToImage(cmd, upload.buffer, texture.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &region);
    layerBarrier(cmd, texture, upload.layer, 1, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                 VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, VK_PIPELINE_STAGE_2_COPY_BIT, VK_ACCESS_2_TRANSFER_WRITE_BIT,
                 kTextureUseStages, kTextureReadAccess);
}

void Textures::collect(uint64_t submittedValue, uint64_t completedValue) {
    for (size_t i = 0; i < uploads_.size();) {
        Upload& upload = uploads_[i];
        if (upload.doneAt == 0 || upload.doneAt > completedValue) {
            ++i;
            continue;
        }
        vkDestroyBuffer(gpu_.device, upload.buffer, nullptr);
        vkFreeMemory(gpu_.device, upload.memory, nullptr);
        uploads_.erase(uploads_.begin() + std::ptrdiff_t(i));  // releases the texture
    }

    for (size_t i = 0; i < readbacks_.size();) {
        Readback& readback = readbacks_[i];
        if (readback.readyAt == 0 || readback.readyAt > completedValue) {
            ++i;
            continue;
        }
        const Texture& texture = *readback.texture;
        std::vector<sg::cli::Image> images;
        const size_t layerBytes = size_t(texture.width) * texture.height * 4;
        for (uint32_t layer = 0; layer < readback.count; ++layer) {
            sg::cli::Image image(texture.width, texture.height);
            std::memcpy(image.pixels.data(), static_cast<const uint8_t*>(readback.mapped) + layer * layerBytes,
                        layerBytes);
            images.push_back(std::move(image));
        }
        vkDestroyBuffer(gpu_.device, readback.buffer, nullptr);
        vkFreeMemory(gpu_.device, readback.memory, nullptr);
        ReadbackDone done = std::move(readback.done);
        readbacks_.erase(readbacks_.begin() + std::ptrdiff_t(i));
        done(std::move(images));  // may request another readback
    }

    std::vector<Texture*> released;
    {
        std::lock_guard<std::mutex> lock(graveyardMutex_);
        released.swap(graveyard_);
    }
    // Nothing holds these any more, so nothing submitted later can use them.
    for (Texture* texture : released) retired_.push_back({texture, submittedValue});
    for (size_t i = 0; i < retired_.size();) {
        if (retired_[i].freeAt <= completedValue) {
            destroy(*retired_[i].texture);
            retired_[i] = retired_.back();
            retired_.pop_back();
        } else {
            ++i;
        }
    }
}

}  // namespace sg::viewer
