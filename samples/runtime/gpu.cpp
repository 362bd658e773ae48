// gpu.cpp - instance, device selection and creation, host buffers.
#include "gpu.hpp"

#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace runtime {
namespace {

constexpr const char* kValidationLayer = "VK_LAYER_KHRONOS_validation";
// Messages printed in full; the rest are only counted.
constexpr uint32_t kPrintedValidationMessages = 20;

bool layerPresent(const char* name) {
    uint32_t count = 0;
    vkEnumerateInstanceLayerProperties(&count, nullptr);
    std::vector<VkLayerProperties> layers(count);
    vkEnumerateInstanceLayerProperties(&count, layers.data());
    for (const VkLayerProperties& layer : layers)
        if (std::strcmp(layer.layerName, name) == 0) return true;
    return false;
}

bool deviceExtensionPresent(VkPhysicalDevice physicalDevice, const char* name) {
    uint32_t count = 0;
    vkEnumerateDeviceExtensionProperties(physicalDevice, nullptr, &count, nullptr);
    std::vector<VkExtensionProperties> extensions(count);
    vkEnumerateDeviceExtensionProperties(physicalDevice, nullptr, &count, extensions.data());
    for (const VkExtensionProperties& e : extensions)
        if (std::strcmp(e.extensionName, name) == 0) return true;
    return false;
}

// Why physicalDevice cannot run the sample ("" if it can); *family receives its queue family.
std::string unsuitable(VkPhysicalDevice physicalDevice, VkSurfaceKHR surface, uint32_t* family) {
    VkPhysicalDeviceProperties properties{};
    vkGetPhysicalDeviceProperties(physicalDevice, &properties);
    if (properties.apiVersion < VK_API_VERSION_1_3) return "Vulkan 1.3 is needed";
    VkPhysicalDeviceVulkan13Features f13{};
    f13.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES;
    VkPhysicalDeviceVulkan12Features f12{};
    f12.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES;
    f12.pNext = &f13;
    VkPhysicalDeviceFeatures2 f2{};
    f2.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2;
    f2.pNext = &f12;
    vkGetPhysicalDeviceFeatures2(physicalDevice, &f2);
    if (!f12.timelineSemaphore) return "no timelineSemaphore feature";
    if (!f13.synchronization2) return "no synchronization2 feature";
    if (!f13.dynamicRendering) return "no dynamicRendering feature";
    if (surface && !deviceExtensionPresent(physicalDevice, VK_KHR_SWAPCHAIN_EXTENSION_NAME))
        return "no VK_KHR_swapchain";
    uint32_t count = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(physicalDevice, &count, nullptr);
    std::vector<VkQueueFamilyProperties> families(count);
    vkGetPhysicalDeviceQueueFamilyProperties(physicalDevice, &count, families.data());
    for (uint32_t i = 0; i < count; ++i) {
        VkBool32 present = VK_TRUE;
        if (surface) vkGetPhysicalDeviceSurfaceSupportKHR(physicalDevice, i, surface, &present);
        if ((families[i].queueFlags & VK_QUEUE_GRAPHICS_BIT) && present) {
            *family = i;
            return "";
        }
    }
    return surface ? "no graphics queue that can present to the window" : "no graphics queue";
}

const char* resultName(VkResult r) {
    switch (r) {
        case VK_SUCCESS:
            return "VK_SUCCESS";
        case VK_NOT_READY:
            return "VK_NOT_READY";
        case VK_TIMEOUT:
            return "VK_TIMEOUT";
        case VK_SUBOPTIMAL_KHR:
            return "VK_SUBOPTIMAL_KHR";
        case VK_ERROR_OUT_OF_HOST_MEMORY:
            return "VK_ERROR_OUT_OF_HOST_MEMORY";
        case VK_ERROR_OUT_OF_DEVICE_MEMORY:
            return "VK_ERROR_OUT_OF_DEVICE_MEMORY";
        case VK_ERROR_INITIALIZATION_FAILED:
            return "VK_ERROR_INITIALIZATION_FAILED";
        case VK_ERROR_DEVICE_LOST:
            return "VK_ERROR_DEVICE_LOST";
        case VK_ERROR_LAYER_NOT_PRESENT:
            return "VK_ERROR_LAYER_NOT_PRESENT";
        case VK_ERROR_EXTENSION_NOT_PRESENT:
            return "VK_ERROR_EXTENSION_NOT_PRESENT";
        case VK_ERROR_FEATURE_NOT_PRESENT:
            return "VK_ERROR_FEATURE_NOT_PRESENT";
        case VK_ERROR_INCOMPATIBLE_DRIVER:
            return "VK_ERROR_INCOMPATIBLE_DRIVER";
        case VK_ERROR_SURFACE_LOST_KHR:
            return "VK_ERROR_SURFACE_LOST_KHR";
        case VK_ERROR_OUT_OF_DATE_KHR:
            return "VK_ERROR_OUT_OF_DATE_KHR";
        default:
            return "VkResult (unnamed)";
    }
}

}  // namespace

void checkVk(VkResult r, const char* what) {
    if (r != VK_SUCCESS) throw std::runtime_error(std::string(what) + " failed: " + resultName(r));
}

void recordImageBarrier(VkCommandBuffer cmd, VkImage image, uint32_t layer, VkImageLayout oldLayout,
                        VkImageLayout newLayout, VkPipelineStageFlags2 srcStage, VkAccessFlags2 srcAccess,
                        VkPipelineStageFlags2 dstStage, VkAccessFlags2 dstAccess, uint32_t baseMipLevel,
                        uint32_t mipLevelCount) {
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
    barrier.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, baseMipLevel, mipLevelCount, layer, 1};
    VkDependencyInfo dependency{};
    dependency.sType = VK_STRUCTURE_TYPE_DEPENDENCY_INFO;
    dependency.imageMemoryBarrierCount = 1;
    dependency.pImageMemoryBarriers = &barrier;
    vkCmdPipelineBarrier2(cmd, &dependency);
}

void recordHostReadBarrier(VkCommandBuffer cmd) {
    VkMemoryBarrier2 barrier{};
    barrier.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER_2;
    barrier.srcStageMask = VK_PIPELINE_STAGE_2_COPY_BIT;
    barrier.srcAccessMask = VK_ACCESS_2_TRANSFER_WRITE_BIT;
    barrier.dstStageMask = VK_PIPELINE_STAGE_2_HOST_BIT;
    barrier.dstAccessMask = VK_ACCESS_2_HOST_READ_BIT;
    VkDependencyInfo dependency{};
    dependency.sType = VK_STRUCTURE_TYPE_DEPENDENCY_INFO;
    dependency.memoryBarrierCount = 1;
    dependency.pMemoryBarriers = &barrier;
    vkCmdPipelineBarrier2(cmd, &dependency);
}

void Gpu::createInstance(bool validation, const std::vector<const char*>& extensions) {
    if (validation && !layerPresent(kValidationLayer))
        throw std::runtime_error(std::string("--validation: ") + kValidationLayer +
                                 " is not installed (Debian: vulkan-validationlayers)");
    std::vector<const char*> instanceExtensions = extensions;
    if (validation) instanceExtensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
    VkApplicationInfo app{};
    app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
    app.pApplicationName = "stylegen runtime sample";
    app.apiVersion = apiVersion;
    // Synchronization validation checks every barrier, the SDK's included,
    // against the actual order of reads and writes.
    VkValidationFeatureEnableEXT enables[] = {VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT};
    VkValidationFeaturesEXT features{};
    features.sType = VK_STRUCTURE_TYPE_VALIDATION_FEATURES_EXT;
    features.enabledValidationFeatureCount = 1;
    features.pEnabledValidationFeatures = enables;
    VkDebugUtilsMessengerCreateInfoEXT messengerInfo{};
    messengerInfo.sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT;
    messengerInfo.pNext = &features;
    messengerInfo.messageSeverity =
        VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
    messengerInfo.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
                                VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                                VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
    messengerInfo.pfnUserCallback = &Gpu::onValidationMessage;
    messengerInfo.pUserData = this;
    VkInstanceCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
    info.pNext = validation ? &messengerInfo : nullptr;  // also reports on vkCreateInstance/vkDestroyInstance
    info.pApplicationInfo = &app;
    info.enabledLayerCount = validation ? 1 : 0;
    info.ppEnabledLayerNames = &kValidationLayer;
    info.enabledExtensionCount = uint32_t(instanceExtensions.size());
    info.ppEnabledExtensionNames = instanceExtensions.data();
    const VkResult r = vkCreateInstance(&info, nullptr, &instance);
    if (r == VK_ERROR_INCOMPATIBLE_DRIVER)
        throw std::runtime_error(
            "no Vulkan driver: vkCreateInstance failed with VK_ERROR_INCOMPATIBLE_DRIVER "
            "(install one, e.g. Debian's mesa-vulkan-drivers for lavapipe)");
    checkVk(r, "vkCreateInstance");
    if (validation) {
        messengerInfo.pNext = nullptr;  // the validation features belong to the instance only
        auto create = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
            vkGetInstanceProcAddr(instance, "vkCreateDebugUtilsMessengerEXT"));
        if (!create) throw std::runtime_error("VK_EXT_debug_utils has no vkCreateDebugUtilsMessengerEXT");
        checkVk(create(instance, &messengerInfo, nullptr, &messenger_), "vkCreateDebugUtilsMessengerEXT");
    }
}

void Gpu::createDevice(VkSurfaceKHR surface) {
    uint32_t count = 0;
    vkEnumeratePhysicalDevices(instance, &count, nullptr);
    std::vector<VkPhysicalDevice> devices(count);
    vkEnumeratePhysicalDevices(instance, &count, devices.data());
    if (devices.empty()) throw std::runtime_error("no Vulkan device (the driver lists none)");
    // A GPU if there is one that fits, else whatever fits (lavapipe on CPU-only machines).
    std::string rejected;
    for (int pass = 0; pass < 2 && !physicalDevice; ++pass)
        for (VkPhysicalDevice candidate : devices) {
            VkPhysicalDeviceProperties p{};
            vkGetPhysicalDeviceProperties(candidate, &p);
            const bool gpu = p.deviceType == VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU ||
                             p.deviceType == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU;
            if (pass == 0 && !gpu) continue;
            uint32_t family = 0;
            const std::string why = unsuitable(candidate, surface, &family);
            if (why.empty()) {
                physicalDevice = candidate;
                queueFamily = family;
                properties = p;
                break;
            }
            if (pass == 1 || gpu) rejected += std::string("\n  ") + p.deviceName + ": " + why;
        }
    if (!physicalDevice) throw std::runtime_error("no Vulkan device can run the sample:" + rejected);

    queueInfo_.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO;
    queueInfo_.queueFamilyIndex = queueFamily;
    queueInfo_.queueCount = 1;
    queueInfo_.pQueuePriorities = &queuePriority_;
    features13_.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES;
    features13_.synchronization2 = VK_TRUE;
    features13_.dynamicRendering = VK_TRUE;
    features12_.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES;
    features12_.pNext = &features13_;
    features12_.timelineSemaphore = VK_TRUE;
    if (surface) deviceExtensions_.push_back(VK_KHR_SWAPCHAIN_EXTENSION_NAME);
    // Lets stylegen allocate exportable images, which a GPU backend writes in
    // place (no staging copy); harmless where the CPU path is used.
    externalMemoryFd = deviceExtensionPresent(physicalDevice, VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME);
    if (externalMemoryFd) deviceExtensions_.push_back(VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME);
    deviceCreateInfo.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO;
    deviceCreateInfo.pNext = &features12_;
    deviceCreateInfo.queueCreateInfoCount = 1;
    deviceCreateInfo.pQueueCreateInfos = &queueInfo_;
    deviceCreateInfo.enabledExtensionCount = uint32_t(deviceExtensions_.size());
    deviceCreateInfo.ppEnabledExtensionNames = deviceExtensions_.data();
    checkVk(vkCreateDevice(physicalDevice, &deviceCreateInfo, nullptr, &device), "vkCreateDevice");
    vkGetDeviceQueue(device, queueFamily, 0, &queue);
}

void Gpu::destroy() {
    if (device) {
        vkDeviceWaitIdle(device);
        vkDestroyDevice(device, nullptr);
        device = VK_NULL_HANDLE;
    }
    if (messenger_) {
        auto destroyMessenger = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
            vkGetInstanceProcAddr(instance, "vkDestroyDebugUtilsMessengerEXT"));
        destroyMessenger(instance, messenger_, nullptr);
        messenger_ = VK_NULL_HANDLE;
    }
    if (instance) {
        vkDestroyInstance(instance, nullptr);
        instance = VK_NULL_HANDLE;
    }
}

VKAPI_ATTR VkBool32 VKAPI_CALL Gpu::onValidationMessage(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                        VkDebugUtilsMessageTypeFlagsEXT,
                                                        const VkDebugUtilsMessengerCallbackDataEXT* data, void* user) {
    auto* self = static_cast<Gpu*>(user);
    const uint32_t n = ++self->validationMessages_;
    if (n <= kPrintedValidationMessages)
        std::fprintf(stderr, "validation %s: %s\n",
                     severity >= VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT ? "error" : "warning",
                     data && data->pMessage ? data->pMessage : "(no message)");
    else if (n == kPrintedValidationMessages + 1)
        std::fprintf(stderr, "validation: more messages follow; only counting them\n");
    return VK_FALSE;
}

uint32_t Gpu::memoryType(uint32_t typeBits, VkMemoryPropertyFlags wanted) const {
    VkPhysicalDeviceMemoryProperties memory{};
    vkGetPhysicalDeviceMemoryProperties(physicalDevice, &memory);
    for (uint32_t i = 0; i < memory.memoryTypeCount; ++i)
        if ((typeBits & (1u << i)) && (memory.memoryTypes[i].propertyFlags & wanted) == wanted) return i;
    throw std::runtime_error("no suitable Vulkan memory type");
}

HostBuffer Gpu::createHostBuffer(VkDeviceSize size, VkBufferUsageFlags usage) {
    HostBuffer b;
    b.size = size;
    VkBufferCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
    info.size = size;
    info.usage = usage;
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    checkVk(vkCreateBuffer(device, &info, nullptr, &b.buffer), "vkCreateBuffer");
    VkMemoryRequirements requirements{};
    vkGetBufferMemoryRequirements(device, b.buffer, &requirements);
    VkMemoryAllocateInfo allocateInfo{};
    allocateInfo.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
    allocateInfo.allocationSize = requirements.size;
    allocateInfo.memoryTypeIndex = memoryType(
        requirements.memoryTypeBits, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
    checkVk(vkAllocateMemory(device, &allocateInfo, nullptr, &b.memory), "vkAllocateMemory");
    checkVk(vkBindBufferMemory(device, b.buffer, b.memory, 0), "vkBindBufferMemory");
    checkVk(vkMapMemory(device, b.memory, 0, VK_WHOLE_SIZE, 0, &b.mapped), "vkMapMemory");
    return b;
}

VkImage Gpu::createImage(VkFormat format, VkExtent2D extent, VkImageUsageFlags usage, VkDeviceMemory* memory) {
    VkImageCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO;
    info.imageType = VK_IMAGE_TYPE_2D;
    info.format = format;
    info.extent = {extent.width, extent.height, 1};
    info.mipLevels = 1;
    info.arrayLayers = 1;
    info.samples = VK_SAMPLE_COUNT_1_BIT;
    info.tiling = VK_IMAGE_TILING_OPTIMAL;
    info.usage = usage;
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    info.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
    VkImage image = VK_NULL_HANDLE;
    checkVk(vkCreateImage(device, &info, nullptr, &image), "vkCreateImage");
    VkMemoryRequirements requirements{};
    vkGetImageMemoryRequirements(device, image, &requirements);
    VkMemoryAllocateInfo allocateInfo{};
    allocateInfo.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
    allocateInfo.allocationSize = requirements.size;
    allocateInfo.memoryTypeIndex = memoryType(requirements.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
    checkVk(vkAllocateMemory(device, &allocateInfo, nullptr, memory), "vkAllocateMemory");
    checkVk(vkBindImageMemory(device, image, *memory, 0), "vkBindImageMemory");
    return image;
}

void Gpu::destroyHostBuffer(HostBuffer& b) {
    if (b.buffer) vkDestroyBuffer(device, b.buffer, nullptr);
    if (b.memory) vkFreeMemory(device, b.memory, nullptr);
    b = HostBuffer{};
}

VkImageView Gpu::createImageView(VkImage image, VkFormat format, VkImageViewType type, uint32_t layers,
                                 uint32_t mipLevels) {
    VkImageViewCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO;
    info.image = image;
    info.viewType = type;
    info.format = format;
    info.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, mipLevels, 0, layers};
    VkImageView view = VK_NULL_HANDLE;
    checkVk(vkCreateImageView(device, &info, nullptr, &view), "vkCreateImageView");
    return view;
}

}  // namespace runtime
