// presenter.cpp - swapchain or offscreen target, render pass, frames, capture.
#include "presenter.hpp"

#include <algorithm>
#include <cstring>

namespace sg::viewer {
namespace {

void imageBarrier(VkCommandBuffer cmd, VkImage image, VkImageLayout oldLayout, VkImageLayout newLayout,
                  VkPipelineStageFlags2 srcStage, VkAccessFlags2 srcAccess, VkPipelineStageFlags2 dstStage,
                  VkAccessFlags2 dstAccess) {
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
    barrier.image = image;
    barrier.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
    VkDependencyInfo dependency{};
    dependency.sType = VK_STRUCTURE_TYPE_DEPENDENCY_INFO;
    dependency.imageMemoryBarrierCount = 1;
    dependency.pImageMemoryBarriers = &barrier;
    vkCmdPipelineBarrier2(cmd, &dependency);
}

}  // namespace

Presenter::Presenter(Gpu& gpu, VkSurfaceKHR surface, VkExtent2D extent) : gpu_(gpu), surface_(surface) {
    if (surface_) {
        uint32_t count = 0;
        vkGetPhysicalDeviceSurfaceFormatsKHR(gpu_.physicalDevice, surface_, &count, nullptr);
        std::vector<VkSurfaceFormatKHR> formats(count);
        vkGetPhysicalDeviceSurfaceFormatsKHR(gpu_.physicalDevice, surface_, &count, formats.data());
        // UNORM, not SRGB: the model's bytes are already sRGB-encoded, so they
        // reach the screen unchanged (and a screenshot equals the SDK's bytes).
        format_ = VK_FORMAT_UNDEFINED;
        for (VkFormat wanted : {VK_FORMAT_B8G8R8A8_UNORM, VK_FORMAT_R8G8B8A8_UNORM})
            for (const VkSurfaceFormatKHR& f : formats)
                if (format_ == VK_FORMAT_UNDEFINED && f.format == wanted &&
                    f.colorSpace == VK_COLOR_SPACE_SRGB_NONLINEAR_KHR)
                    format_ = wanted;
        if (format_ == VK_FORMAT_UNDEFINED) throw VulkanError("the window surface offers no 8-bit UNORM RGBA format");
    }

    VkAttachmentDescription color{};
    color.format = format_;
    color.samples = VK_SAMPLE_COUNT_1_BIT;
    color.loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR;
    color.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
    color.stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE;
    color.stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
    color.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
    color.finalLayout = surface_ ? VK_IMAGE_LAYOUT_PRESENT_SRC_KHR : VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
    VkAttachmentReference reference{0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
    VkSubpassDescription subpass{};
    subpass.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS;
    subpass.colorAttachmentCount = 1;
    subpass.pColorAttachments = &reference;
    // In: wait for the previous use of the image (presentation engine via the
    // acquire semaphore at this stage, or last frame's capture copy). Out: the
    // capture copy reads what the pass wrote.
    VkSubpassDependency dependencies[2] = {};
    dependencies[0].srcSubpass = VK_SUBPASS_EXTERNAL;
    dependencies[0].dstSubpass = 0;
    dependencies[0].srcStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;
    dependencies[0].srcAccessMask = 0;
    dependencies[0].dstStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
    dependencies[0].dstAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
    dependencies[1].srcSubpass = 0;
    dependencies[1].dstSubpass = VK_SUBPASS_EXTERNAL;
    dependencies[1].srcStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
    dependencies[1].srcAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
    dependencies[1].dstStageMask = VK_PIPELINE_STAGE_TRANSFER_BIT;
    dependencies[1].dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT;
    VkRenderPassCreateInfo passInfo{};
    passInfo.sType = VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO;
    passInfo.attachmentCount = 1;
    passInfo.pAttachments = &color;
    passInfo.subpassCount = 1;
    passInfo.pSubpasses = &subpass;
    passInfo.dependencyCount = 2;
    passInfo.pDependencies = dependencies;
    SG_VIEWER_VK(vkCreateRenderPass(gpu_.device, &passInfo, nullptr, &renderPass_));

    VkCommandPoolCreateInfo poolInfo{};
    poolInfo.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
    poolInfo.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    poolInfo.queueFamilyIndex = gpu_.queueFamily;
    SG_VIEWER_VK(vkCreateCommandPool(gpu_.device, &poolInfo, nullptr, &pool_));
    for (Frame& frame : frames_) {
        VkCommandBufferAllocateInfo allocate{};
        allocate.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
        allocate.commandPool = pool_;
        allocate.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
        allocate.commandBufferCount = 1;
        SG_VIEWER_VK(vkAllocateCommandBuffers(gpu_.device, &allocate, &frame.cmd));
        VkFenceCreateInfo fenceInfo{};
        fenceInfo.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
        fenceInfo.flags = VK_FENCE_CREATE_SIGNALED_BIT;
        SG_VIEWER_VK(vkCreateFence(gpu_.device, &fenceInfo, nullptr, &frame.done));
        VkSemaphoreCreateInfo semaphoreInfo{};
        semaphoreInfo.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO;
        SG_VIEWER_VK(vkCreateSemaphore(gpu_.device, &semaphoreInfo, nullptr, &frame.acquired));
    }

    if (surface_) {
        createSwapchain(extent);
    } else {
        extent_ = extent;
        VkImageCreateInfo imageInfo{};
        imageInfo.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO;
        imageInfo.imageType = VK_IMAGE_TYPE_2D;
        imageInfo.format = format_;
        imageInfo.extent = {extent.width, extent.height, 1};
        imageInfo.mipLevels = 1;
        imageInfo.arrayLayers = 1;
        imageInfo.samples = VK_SAMPLE_COUNT_1_BIT;
        imageInfo.tiling = VK_IMAGE_TILING_OPTIMAL;
        imageInfo.usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT;
        imageInfo.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
        SG_VIEWER_VK(vkCreateImage(gpu_.device, &imageInfo, nullptr, &offscreen_));
        VkMemoryRequirements requirements;
        vkGetImageMemoryRequirements(gpu_.device, offscreen_, &requirements);
        VkMemoryAllocateInfo allocate{};
        allocate.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
        allocate.allocationSize = requirements.size;
        allocate.memoryTypeIndex = gpu_.memoryType(requirements.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
        SG_VIEWER_VK(vkAllocateMemory(gpu_.device, &allocate, nullptr, &offscreenMemory_));
        SG_VIEWER_VK(vkBindImageMemory(gpu_.device, offscreen_, offscreenMemory_, 0));
        images_.push_back(offscreen_);
        createFramebuffers();
    }
}

Presenter::~Presenter() {
    vkDeviceWaitIdle(gpu_.device);
    destroyTargets();
    if (swapchain_) vkDestroySwapchainKHR(gpu_.device, swapchain_, nullptr);
    if (offscreen_) vkDestroyImage(gpu_.device, offscreen_, nullptr);
    if (offscreenMemory_) vkFreeMemory(gpu_.device, offscreenMemory_, nullptr);
    if (captureBuffer_) vkDestroyBuffer(gpu_.device, captureBuffer_, nullptr);
    if (captureMemory_) vkFreeMemory(gpu_.device, captureMemory_, nullptr);
    for (Frame& frame : frames_) {
        vkDestroyFence(gpu_.device, frame.done, nullptr);
        vkDestroySemaphore(gpu_.device, frame.acquired, nullptr);
    }
    vkDestroyCommandPool(gpu_.device, pool_, nullptr);
    vkDestroyRenderPass(gpu_.device, renderPass_, nullptr);
}

void Presenter::destroyTargets() {
    for (VkFramebuffer framebuffer : framebuffers_) vkDestroyFramebuffer(gpu_.device, framebuffer, nullptr);
    for (VkImageView view : views_) vkDestroyImageView(gpu_.device, view, nullptr);
    for (VkSemaphore semaphore : rendered_) vkDestroySemaphore(gpu_.device, semaphore, nullptr);
    framebuffers_.clear();
    views_.clear();
    rendered_.clear();
}

void Presenter::createSwapchain(VkExtent2D extent) {
    VkSurfaceCapabilitiesKHR caps{};
    SG_VIEWER_VK(vkGetPhysicalDeviceSurfaceCapabilitiesKHR(gpu_.physicalDevice, surface_, &caps));
    if (caps.currentExtent.width != UINT32_MAX) extent = caps.currentExtent;
    extent.width = std::clamp(extent.width, caps.minImageExtent.width, caps.maxImageExtent.width);
    extent.height = std::clamp(extent.height, caps.minImageExtent.height, caps.maxImageExtent.height);
    if (extent.width == 0 || extent.height == 0) {
        stale_ = true;  // minimised: try again on a later frame
        return;
    }
    uint32_t imageCount = std::max(caps.minImageCount + 1, kFramesInFlight);
    if (caps.maxImageCount > 0) imageCount = std::min(imageCount, caps.maxImageCount);
    VkSwapchainCreateInfoKHR info{};
    info.sType = VK_STRUCTURE_TYPE_SWAPCHAIN_CREATE_INFO_KHR;
    info.surface = surface_;
    info.minImageCount = imageCount;
    info.imageFormat = format_;
    info.imageColorSpace = VK_COLOR_SPACE_SRGB_NONLINEAR_KHR;
    info.imageExtent = extent;
    info.imageArrayLayers = 1;
    info.imageUsage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT;
    if (!(caps.supportedUsageFlags & VK_IMAGE_USAGE_TRANSFER_SRC_BIT))
        throw VulkanError("the window surface cannot be copied from (no TRANSFER_SRC usage), so no screenshots");
    info.imageUsage |= VK_IMAGE_USAGE_TRANSFER_SRC_BIT;
    info.imageSharingMode = VK_SHARING_MODE_EXCLUSIVE;
    info.preTransform = caps.currentTransform;
    info.compositeAlpha = (caps.supportedCompositeAlpha & VK_COMPOSITE_ALPHA_OPAQUE_BIT_KHR)
                              ? VK_COMPOSITE_ALPHA_OPAQUE_BIT_KHR
                              : VkCompositeAlphaFlagBitsKHR(caps.supportedCompositeAlpha &
                                                            -int32_t(caps.supportedCompositeAlpha));
    info.presentMode = VK_PRESENT_MODE_FIFO_KHR;  // always supported; vsync keeps the UI from spinning
    info.clipped = VK_TRUE;
    info.oldSwapchain = swapchain_;
    VkSwapchainKHR swapchain = VK_NULL_HANDLE;
    SG_VIEWER_VK(vkCreateSwapchainKHR(gpu_.device, &info, nullptr, &swapchain));
    if (swapchain_) vkDestroySwapchainKHR(gpu_.device, swapchain_, nullptr);
    swapchain_ = swapchain;
    extent_ = extent;
    uint32_t count = 0;
    SG_VIEWER_VK(vkGetSwapchainImagesKHR(gpu_.device, swapchain_, &count, nullptr));
    images_.resize(count);
    SG_VIEWER_VK(vkGetSwapchainImagesKHR(gpu_.device, swapchain_, &count, images_.data()));
    createFramebuffers();
    stale_ = false;
}

void Presenter::createFramebuffers() {
    for (VkImage image : images_) {
        VkImageViewCreateInfo viewInfo{};
        viewInfo.sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO;
        viewInfo.image = image;
        viewInfo.viewType = VK_IMAGE_VIEW_TYPE_2D;
        viewInfo.format = format_;
        viewInfo.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
        VkImageView view = VK_NULL_HANDLE;
        SG_VIEWER_VK(vkCreateImageView(gpu_.device, &viewInfo, nullptr, &view));
        views_.push_back(view);
        VkFramebufferCreateInfo framebufferInfo{};
        framebufferInfo.sType = VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO;
        framebufferInfo.renderPass = renderPass_;
        framebufferInfo.attachmentCount = 1;
        framebufferInfo.pAttachments = &view;
        framebufferInfo.width = extent_.width;
        framebufferInfo.height = extent_.height;
        framebufferInfo.layers = 1;
        VkFramebuffer framebuffer = VK_NULL_HANDLE;
        SG_VIEWER_VK(vkCreateFramebuffer(gpu_.device, &framebufferInfo, nullptr, &framebuffer));
        framebuffers_.push_back(framebuffer);
        VkSemaphoreCreateInfo semaphoreInfo{};
        semaphoreInfo.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO;
        VkSemaphore rendered = VK_NULL_HANDLE;
        SG_VIEWER_VK(vkCreateSemaphore(gpu_.device, &semaphoreInfo, nullptr, &rendered));
        rendered_.push_back(rendered);
    }
}

bool Presenter::beginFrame(VkExtent2D windowExtent) {
    frame_ = (frame_ + 1) % kFramesInFlight;
    Frame& frame = frames_[frame_];
    SG_VIEWER_VK(vkWaitForFences(gpu_.device, 1, &frame.done, VK_TRUE, UINT64_MAX));
    if (surface_) {
        if (windowExtent.width == 0 || windowExtent.height == 0) return false;
        if (stale_ || windowExtent.width != extent_.width || windowExtent.height != extent_.height) {
            SG_VIEWER_VK(vkDeviceWaitIdle(gpu_.device));
            destroyTargets();
            createSwapchain(windowExtent);
            if (stale_) return false;
        }
        const VkResult acquired =
            vkAcquireNextImageKHR(gpu_.device, swapchain_, UINT64_MAX, frame.acquired, VK_NULL_HANDLE, &image_);
        if (acquired == VK_ERROR_OUT_OF_DATE_KHR) {
            stale_ = true;
            return false;
        }
        if (acquired == VK_SUBOPTIMAL_KHR) stale_ = true;  // use this image, recreate next frame
        else SG_VIEWER_VK(acquired);
    }
    SG_VIEWER_VK(vkResetFences(gpu_.device, 1, &frame.done));
    SG_VIEWER_VK(vkResetCommandBuffer(frame.cmd, 0));
    VkCommandBufferBeginInfo begin{};
    begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    SG_VIEWER_VK(vkBeginCommandBuffer(frame.cmd, &begin));
    return true;
}

void Presenter::beginRenderPass(const float clearColor[4]) {
    VkClearValue clear{};
    std::memcpy(clear.color.float32, clearColor, sizeof(float) * 4);
    VkRenderPassBeginInfo info{};
    info.sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO;
    info.renderPass = renderPass_;
    info.framebuffer = framebuffers_[image_];
    info.renderArea.extent = extent_;
    info.clearValueCount = 1;
    info.pClearValues = &clear;
    vkCmdBeginRenderPass(commandBuffer(), &info, VK_SUBPASS_CONTENTS_INLINE);
}

void Presenter::endRenderPass() { vkCmdEndRenderPass(commandBuffer()); }

void Presenter::captureFrame() {
    if (!captureBuffer_ || captureExtent_.width != extent_.width || captureExtent_.height != extent_.height) {
        SG_VIEWER_VK(vkDeviceWaitIdle(gpu_.device));
        if (captureBuffer_) vkDestroyBuffer(gpu_.device, captureBuffer_, nullptr);
        if (captureMemory_) vkFreeMemory(gpu_.device, captureMemory_, nullptr);
        VkBufferCreateInfo bufferInfo{};
        bufferInfo.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
        bufferInfo.size = VkDeviceSize(extent_.width) * extent_.height * 4;
        bufferInfo.usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT;
        SG_VIEWER_VK(vkCreateBuffer(gpu_.device, &bufferInfo, nullptr, &captureBuffer_));
        VkMemoryRequirements requirements;
        vkGetBufferMemoryRequirements(gpu_.device, captureBuffer_, &requirements);
        VkMemoryAllocateInfo allocate{};
        allocate.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
        allocate.allocationSize = requirements.size;
        allocate.memoryTypeIndex = gpu_.memoryType(
            requirements.memoryTypeBits, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
        SG_VIEWER_VK(vkAllocateMemory(gpu_.device, &allocate, nullptr, &captureMemory_));
        SG_VIEWER_VK(vkBindBufferMemory(gpu_.device, captureBuffer_, captureMemory_, 0));
        SG_VIEWER_VK(vkMapMemory(gpu_.device, captureMemory_, 0, VK_WHOLE_SIZE, 0, &captureMapped_));
        captureExtent_ = extent_;
    }
    VkCommandBuffer cmd = commandBuffer();
    VkImage image = images_[image_];
    if (surface_)
        imageBarrier(cmd, image, VK_IMAGE_LAYOUT_PRESENT_SRC_KHR, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                     VK_PIPELINE_STAGE_2_COPY_BIT, 0, VK_PIPELINE_STAGE_2_COPY_BIT, VK_ACCESS_2_TRANSFER_READ_BIT);
    VkBufferImageCopy region{};
    region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    region.imageExtent = {extent_.width, extent_.height, 1};
    vkCmdCopyImageToBuffer(cmd, image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, captureBuffer_, 1, &region);
    if (surface_)
        imageBarrier(cmd, image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, VK_IMAGE_LAYOUT_PRESENT_SRC_KHR,
                     VK_PIPELINE_STAGE_2_COPY_BIT, 0, VK_PIPELINE_STAGE_2_NONE, 0);
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
    captureFrame_ = int(frame_);
}

void Presenter::endFrame(VkSemaphore timeline, uint64_t timelineValue) {
    Frame& frame = frames_[frame_];
    SG_VIEWER_VK(vkEndCommandBuffer(frame.cmd));
    VkSemaphoreSubmitInfo wait{};
    wait.sType = VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO;
    wait.semaphore = frame.acquired;
    wait.stageMask = VK_PIPELINE_STAGE_2_COLOR_ATTACHMENT_OUTPUT_BIT;
    VkSemaphoreSubmitInfo signals[2] = {};
    signals[0].sType = VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO;
    signals[0].semaphore = timeline;
    signals[0].value = timelineValue;
    signals[0].stageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
    if (surface_) {
        signals[1].sType = VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO;
        signals[1].semaphore = rendered_[image_];
        signals[1].stageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
    }
    VkCommandBufferSubmitInfo command{};
    command.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_SUBMIT_INFO;
    command.commandBuffer = frame.cmd;
    VkSubmitInfo2 submit{};
    submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO_2;
    submit.waitSemaphoreInfoCount = surface_ ? 1 : 0;
    submit.pWaitSemaphoreInfos = &wait;
    submit.commandBufferInfoCount = 1;
    submit.pCommandBufferInfos = &command;
    submit.signalSemaphoreInfoCount = surface_ ? 2 : 1;
    submit.pSignalSemaphoreInfos = signals;
    SG_VIEWER_VK(vkQueueSubmit2(gpu_.queue, 1, &submit, frame.done));
    if (!surface_) return;
    VkPresentInfoKHR present{};
    present.sType = VK_STRUCTURE_TYPE_PRESENT_INFO_KHR;
    present.waitSemaphoreCount = 1;
    present.pWaitSemaphores = &rendered_[image_];
    present.swapchainCount = 1;
    present.pSwapchains = &swapchain_;
    present.pImageIndices = &image_;
    const VkResult presented = vkQueuePresentKHR(gpu_.queue, &present);
    if (presented == VK_ERROR_OUT_OF_DATE_KHR || presented == VK_SUBOPTIMAL_KHR) stale_ = true;
    else SG_VIEWER_VK(presented);
}

sg::cli::Image Presenter::takeCapture() {
    if (captureFrame_ < 0) throw VulkanError("no frame was captured");
    SG_VIEWER_VK(vkWaitForFences(gpu_.device, 1, &frames_[captureFrame_].done, VK_TRUE, UINT64_MAX));
    sg::cli::Image image(captureExtent_.width, captureExtent_.height);
    std::memcpy(image.pixels.data(), captureMapped_, image.pixels.size());
    const bool bgra = format_ == VK_FORMAT_B8G8R8A8_UNORM;
    for (size_t i = 0; i < image.pixels.size(); i += 4) {
        if (bgra) std::swap(image.pixels[i], image.pixels[i + 2]);
        image.pixels[i + 3] = 255;  // the window is opaque; ImGui's blending leaves other alphas
    }
    captureFrame_ = -1;
    return image;
}

}  // namespace sg::viewer
