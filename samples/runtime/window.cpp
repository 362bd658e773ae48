// window.cpp - GLFW, surface, swapchain, blit and present.
#include "window.hpp"

#define GLFW_INCLUDE_VULKAN
#include <GLFW/glfw3.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace runtime {
namespace {

void onKey(GLFWwindow* window, int key, int, int action, int) {
    if (action != GLFW_PRESS) return;
    auto* pressed = static_cast<Input*>(glfwGetWindowUserPointer(window));
    if (key == GLFW_KEY_R) pressed->reroll = true;
    if (key == GLFW_KEY_F) pressed->nextFloor = true;
    if (key == GLFW_KEY_ESCAPE) pressed->quit = true;
}

}  // namespace

std::vector<const char*> Window::open(VkExtent2D size, const char* title) {
    if (!glfwInit()) {
        const char* why = nullptr;
        glfwGetError(&why);
        throw std::runtime_error(std::string("cannot open a window (") + (why ? why : "glfwInit failed") +
                                 "); without a display, run with --headless");
    }
    if (!glfwVulkanSupported()) throw std::runtime_error("GLFW finds no Vulkan loader");
    glfwWindowHint(GLFW_CLIENT_API, GLFW_NO_API);
    glfwWindowHint(GLFW_RESIZABLE, GLFW_FALSE);  // the scene image keeps the size it was made with
    window_ = glfwCreateWindow(int(size.width), int(size.height), title, nullptr, nullptr);
    if (!window_) throw std::runtime_error("glfwCreateWindow failed");
    glfwSetWindowUserPointer(window_, &pressed_);
    glfwSetKeyCallback(window_, onKey);
    uint32_t count = 0;
    const char** extensions = glfwGetRequiredInstanceExtensions(&count);
    return std::vector<const char*>(extensions, extensions + count);
}

VkSurfaceKHR Window::createSurface(VkInstance instance) {
    instance_ = instance;
    checkVk(glfwCreateWindowSurface(instance, window_, nullptr, &surface_), "glfwCreateWindowSurface");
    return surface_;
}

void Window::createSwapchain(Gpu& gpu) {
    gpu_ = &gpu;
    VkSurfaceCapabilitiesKHR caps{};
    checkVk(vkGetPhysicalDeviceSurfaceCapabilitiesKHR(gpu.physicalDevice, surface_, &caps),
            "vkGetPhysicalDeviceSurfaceCapabilitiesKHR");
    if (!(caps.supportedUsageFlags & VK_IMAGE_USAGE_TRANSFER_DST_BIT))
        throw std::runtime_error("the window's swapchain images cannot be blitted to (no TRANSFER_DST usage)");
    // The scene holds sRGB-encoded bytes already, so a UNORM swapchain shows them as they are.
    uint32_t count = 0;
    vkGetPhysicalDeviceSurfaceFormatsKHR(gpu.physicalDevice, surface_, &count, nullptr);
    std::vector<VkSurfaceFormatKHR> formats(count);
    vkGetPhysicalDeviceSurfaceFormatsKHR(gpu.physicalDevice, surface_, &count, formats.data());
    auto chosen = std::find_if(formats.begin(), formats.end(), [](const VkSurfaceFormatKHR& f) {
        return f.format == VK_FORMAT_B8G8R8A8_UNORM || f.format == VK_FORMAT_R8G8B8A8_UNORM;
    });
    if (chosen == formats.end())
        throw std::runtime_error("the window offers no B8G8R8A8_UNORM or R8G8B8A8_UNORM format");
    int width = 0, height = 0;
    glfwGetFramebufferSize(window_, &width, &height);
    extent_ =
        caps.currentExtent.width != UINT32_MAX ? caps.currentExtent : VkExtent2D{uint32_t(width), uint32_t(height)};
    VkSwapchainKHR old = swapchain_;
    VkSwapchainCreateInfoKHR info{};
    info.sType = VK_STRUCTURE_TYPE_SWAPCHAIN_CREATE_INFO_KHR;
    info.surface = surface_;
    info.minImageCount = std::max(caps.minImageCount, 2u);
    if (caps.maxImageCount) info.minImageCount = std::min(info.minImageCount + 1, caps.maxImageCount);
    info.imageFormat = chosen->format;
    info.imageColorSpace = chosen->colorSpace;
    info.imageExtent = extent_;
    info.imageArrayLayers = 1;
    info.imageUsage = VK_IMAGE_USAGE_TRANSFER_DST_BIT;
    info.imageSharingMode = VK_SHARING_MODE_EXCLUSIVE;
    info.preTransform = caps.currentTransform;
    info.compositeAlpha = VK_COMPOSITE_ALPHA_OPAQUE_BIT_KHR;
    info.presentMode = VK_PRESENT_MODE_FIFO_KHR;  // always there; vsync
    info.clipped = VK_TRUE;
    info.oldSwapchain = old;
    checkVk(vkCreateSwapchainKHR(gpu.device, &info, nullptr, &swapchain_), "vkCreateSwapchainKHR");
    if (old) vkDestroySwapchainKHR(gpu.device, old, nullptr);
    vkGetSwapchainImagesKHR(gpu.device, swapchain_, &count, nullptr);
    images_.resize(count);
    vkGetSwapchainImagesKHR(gpu.device, swapchain_, &count, images_.data());
    for (VkSemaphore s : presentReady_) vkDestroySemaphore(gpu.device, s, nullptr);
    presentReady_.assign(count, VK_NULL_HANDLE);
    VkSemaphoreCreateInfo semaphoreInfo{};
    semaphoreInfo.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO;
    for (VkSemaphore& s : presentReady_)
        checkVk(vkCreateSemaphore(gpu.device, &semaphoreInfo, nullptr, &s), "vkCreateSemaphore");
    outOfDate_ = false;
}

void Window::destroySwapchain() {
    for (VkSemaphore s : presentReady_) vkDestroySemaphore(gpu_->device, s, nullptr);
    presentReady_.clear();
    if (swapchain_) vkDestroySwapchainKHR(gpu_->device, swapchain_, nullptr);
    swapchain_ = VK_NULL_HANDLE;
}

void Window::destroy() {
    if (gpu_) destroySwapchain();
    if (surface_) vkDestroySurfaceKHR(instance_, surface_, nullptr);
    surface_ = VK_NULL_HANDLE;
    if (window_) glfwDestroyWindow(window_);
    window_ = nullptr;
    glfwTerminate();
}

Input Window::poll() {
    glfwPollEvents();
    Input input = pressed_;
    pressed_ = Input{};
    input.quit = input.quit || glfwWindowShouldClose(window_);
    input.orbit = float(glfwGetKey(window_, GLFW_KEY_RIGHT) == GLFW_PRESS) -
                  float(glfwGetKey(window_, GLFW_KEY_LEFT) == GLFW_PRESS);
    input.tilt =
        float(glfwGetKey(window_, GLFW_KEY_UP) == GLFW_PRESS) - float(glfwGetKey(window_, GLFW_KEY_DOWN) == GLFW_PRESS);
    return input;
}

uint32_t Window::acquire(VkSemaphore acquired) {
    for (;;) {
        if (outOfDate_) {
            vkDeviceWaitIdle(gpu_->device);
            createSwapchain(*gpu_);
        }
        uint32_t index = 0;
        const VkResult r =
            vkAcquireNextImageKHR(gpu_->device, swapchain_, UINT64_MAX, acquired, VK_NULL_HANDLE, &index);
        if (r == VK_SUCCESS || r == VK_SUBOPTIMAL_KHR) {
            outOfDate_ = r == VK_SUBOPTIMAL_KHR;  // usable now, recreated next frame
            return index;
        }
        if (r != VK_ERROR_OUT_OF_DATE_KHR) checkVk(r, "vkAcquireNextImageKHR");
        outOfDate_ = true;
    }
}

void Window::recordBlit(VkCommandBuffer cmd, VkImage scene, VkExtent2D sceneExtent, uint32_t index) {
    const VkImage target = images_[index];
    recordImageBarrier(cmd, target, 0, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                       VK_PIPELINE_STAGE_2_BLIT_BIT, 0,  // the stage the acquire semaphore is waited at
                       VK_PIPELINE_STAGE_2_BLIT_BIT, VK_ACCESS_2_TRANSFER_WRITE_BIT);
    VkImageBlit region{};
    region.srcSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    region.srcOffsets[1] = {int32_t(sceneExtent.width), int32_t(sceneExtent.height), 1};
    region.dstSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    region.dstOffsets[1] = {int32_t(extent_.width), int32_t(extent_.height), 1};
    vkCmdBlitImage(cmd, scene, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, target, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1,
                   &region, VK_FILTER_LINEAR);
    recordImageBarrier(cmd, target, 0, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_IMAGE_LAYOUT_PRESENT_SRC_KHR,
                       VK_PIPELINE_STAGE_2_BLIT_BIT, VK_ACCESS_2_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_2_NONE, 0);
}

void Window::present(uint32_t index) {
    VkPresentInfoKHR info{};
    info.sType = VK_STRUCTURE_TYPE_PRESENT_INFO_KHR;
    info.waitSemaphoreCount = 1;
    info.pWaitSemaphores = &presentReady_[index];
    info.swapchainCount = 1;
    info.pSwapchains = &swapchain_;
    info.pImageIndices = &index;
    const VkResult r = vkQueuePresentKHR(gpu_->queue, &info);
    if (r == VK_ERROR_OUT_OF_DATE_KHR || r == VK_SUBOPTIMAL_KHR)
        outOfDate_ = true;
    else
        checkVk(r, "vkQueuePresentKHR");
}

}  // namespace runtime
