// presenter.hpp - where the viewer's frames go: a window's swapchain or, with
// --headless, one offscreen image. Owns the render pass Dear ImGui and the
// viewer's pipelines draw in, the per-frame command buffers and their
// synchronisation, and the frame capture behind --screenshot.
//
//   if (!presenter.beginFrame(windowExtent)) continue;   // resized: skip
//   VkCommandBuffer cmd = presenter.commandBuffer();      // copies before the pass go here
//   presenter.beginRenderPass();  ...ImGui...  presenter.endRenderPass();
//   presenter.captureFrame();                              // optional
//   presenter.endFrame(timeline, ++timelineValue);
#pragma once

#include <vulkan/vulkan.h>

#include <vector>

#include "gpu.hpp"
#include "image.hpp"  // tools/cli: sg::cli::Image

namespace sg::viewer {

class Presenter {
public:
    // With a surface: a FIFO (vsync) swapchain of extent, recreated as the
    // window changes size. Without: an offscreen colour image of extent.
    Presenter(Gpu& gpu, VkSurfaceKHR surface, VkExtent2D extent);
    ~Presenter();
    Presenter(const Presenter&) = delete;
    Presenter& operator=(const Presenter&) = delete;

    VkRenderPass renderPass() const { return renderPass_; }
    VkFormat format() const { return format_; }
    VkExtent2D extent() const { return extent_; }
    uint32_t imageCount() const { return uint32_t(images_.size()); }
    static constexpr uint32_t kFramesInFlight = 2;

    // Waits until the frame slot is free, acquires an image and begins the
    // command buffer. False when the swapchain had to be recreated (window
    // resized or minimised; windowExtent is its framebuffer size): skip the frame.
    bool beginFrame(VkExtent2D windowExtent);
    VkCommandBuffer commandBuffer() const { return frames_[frame_].cmd; }
    void beginRenderPass(const float clearColor[4]);
    void endRenderPass();
    // Records a copy of the finished frame (after endRenderPass) to host memory.
    void captureFrame();
    // Ends and submits the frame's commands, signalling timeline to
    // timelineValue once they completed, and presents.
    void endFrame(VkSemaphore timeline, uint64_t timelineValue);
    // The captured frame as RGBA8 (waits for it).
    sg::cli::Image takeCapture();

private:
    struct Frame {
        VkCommandBuffer cmd = VK_NULL_HANDLE;
        VkFence done = VK_NULL_HANDLE;
        VkSemaphore acquired = VK_NULL_HANDLE;
    };
    void createSwapchain(VkExtent2D extent);
    void destroyTargets();
    void createFramebuffers();

    Gpu& gpu_;
    VkSurfaceKHR surface_;
    VkFormat format_ = VK_FORMAT_B8G8R8A8_UNORM;
    VkExtent2D extent_{};
    VkRenderPass renderPass_ = VK_NULL_HANDLE;
    VkSwapchainKHR swapchain_ = VK_NULL_HANDLE;
    std::vector<VkImage> images_;
    std::vector<VkImageView> views_;
    std::vector<VkFramebuffer> framebuffers_;
    std::vector<VkSemaphore> rendered_;  // per swapchain image: waited on by present
    VkImage offscreen_ = VK_NULL_HANDLE;
    VkDeviceMemory offscreenMemory_ = VK_NULL_HANDLE;
    VkCommandPool pool_ = VK_NULL_HANDLE;
    Frame frames_[kFramesInFlight];
    uint32_t frame_ = 0;
    uint32_t image_ = 0;
    bool stale_ = false;  // the swapchain needs recreating
    // Frame capture.
    VkBuffer captureBuffer_ = VK_NULL_HANDLE;
    VkDeviceMemory captureMemory_ = VK_NULL_HANDLE;
    void* captureMapped_ = nullptr;
    VkExtent2D captureExtent_{};
    int captureFrame_ = -1;  // frame slot whose commands hold the capture
};

}  // namespace sg::viewer
