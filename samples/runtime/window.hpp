// window.hpp - a GLFW window, its swapchain and keys. Each frame the scene
// image is blitted onto the acquired swapchain image, which is then presented.
// Only used without --headless.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <vector>

#include "gpu.hpp"

struct GLFWwindow;

namespace runtime {

// What the player did since the last poll.
struct Input {
    bool quit = false;
    bool reroll = false;     // R
    bool nextFloor = false;  // F
    float orbit = 0.0f;      // left/right arrows held: -1, 0 or 1
    float tilt = 0.0f;       // up/down arrows held
};

class Window {
public:
    // Opens the window (throws, saying so, when there is no display) and
    // returns the instance extensions presenting needs.
    std::vector<const char*> open(VkExtent2D size, const char* title);
    // After the instance: the surface the device must be able to present to.
    VkSurfaceKHR createSurface(VkInstance instance);
    // After the device.
    void createSwapchain(Gpu& gpu);
    // Once the device is idle; then the surface, the window and GLFW.
    void destroy();

    Input poll();
    // The next swapchain image, once `acquired` is signalled (recreates an out-of-date swapchain).
    uint32_t acquire(VkSemaphore acquired);
    // Records the blit of the scene image (TRANSFER_SRC_OPTIMAL) onto swapchain
    // image `index`, leaving it ready to present. The submission waits for the
    // acquire semaphore at VK_PIPELINE_STAGE_2_BLIT_BIT.
    void recordBlit(VkCommandBuffer cmd, VkImage scene, VkExtent2D sceneExtent, uint32_t index);
    // What the submission signals for image `index` and presenting waits on.
    VkSemaphore presentReady(uint32_t index) const { return presentReady_[index]; }
    void present(uint32_t index);

private:
    void destroySwapchain();

    Gpu* gpu_ = nullptr;
    GLFWwindow* window_ = nullptr;
    VkInstance instance_ = VK_NULL_HANDLE;
    VkSurfaceKHR surface_ = VK_NULL_HANDLE;
    VkSwapchainKHR swapchain_ = VK_NULL_HANDLE;
    VkExtent2D extent_{};
    std::vector<VkImage> images_;
    std::vector<VkSemaphore> presentReady_;  // one per swapchain image: presenting may hold it longer than a frame
    bool outOfDate_ = false;
    Input pressed_;  // key presses the callback saw since the last poll
};

}  // namespace runtime
