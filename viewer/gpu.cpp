// gpu.cpp - instance, validation messenger, device selection.
#include "gpu.hpp"

#include <cstdio>
#include <cstring>

namespace sg::viewer {
namespace {

constexpr const char* kValidationLayer = "VK_LAYER_KHRONOS_validation";

bool layerPresent(const char* name) {
    uint32_t count = 0;
    if (vkEnumerateInstanceLayerProperties(&count, nullptr) != VK_SUCCESS) return false;
    std::vector<VkLayerProperties> layers(count);
    if (vkEnumerateInstanceLayerProperties(&count, layers.data()) != VK_SUCCESS) return false;
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

}  // namespace

const char* vkResultName(VkResult result) {
    switch (result) {
#define SG_VIEWER_CASE(r) \
    case r:               \
        return #r;
        SG_VIEWER_CASE(VK_SUCCESS)
        SG_VIEWER_CASE(VK_NOT_READY)
        SG_VIEWER_CASE(VK_TIMEOUT)
        SG_VIEWER_CASE(VK_SUBOPTIMAL_KHR)
        SG_VIEWER_CASE(VK_ERROR_OUT_OF_HOST_MEMORY)
        SG_VIEWER_CASE(VK_ERROR_OUT_OF_DEVICE_MEMORY)
        SG_VIEWER_CASE(VK_ERROR_INITIALIZATION_FAILED)
        SG_VIEWER_CASE(VK_ERROR_DEVICE_LOST)
        SG_VIEWER_CASE(VK_ERROR_LAYER_NOT_PRESENT)
        SG_VIEWER_CASE(VK_ERROR_EXTENSION_NOT_PRESENT)
        SG_VIEWER_CASE(VK_ERROR_FEATURE_NOT_PRESENT)
        SG_VIEWER_CASE(VK_ERROR_INCOMPATIBLE_DRIVER)
        SG_VIEWER_CASE(VK_ERROR_FORMAT_NOT_SUPPORTED)
        SG_VIEWER_CASE(VK_ERROR_SURFACE_LOST_KHR)
        SG_VIEWER_CASE(VK_ERROR_OUT_OF_DATE_KHR)
#undef SG_VIEWER_CASE
        default:
            return "VkResult (other)";
    }
}

void checkVk(VkResult result, const char* what) {
    if (result != VK_SUCCESS)
        throw VulkanError(std::string(what) + " failed: " + vkResultName(result) + " (" + std::to_string(result) + ")");
}

Gpu::Gpu(const GpuSetup& s) : setup(s) {
    if (setup.validation && !layerPresent(kValidationLayer))
        throw VulkanUnavailable(std::string("--validation needs ") + kValidationLayer +
                          " (Debian: vulkan-validationlayers), which the Vulkan loader does not list");
    std::vector<const char*> extensions;
    for (const std::string& e : setup.instanceExtensions) extensions.push_back(e.c_str());
    if (setup.validation) extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);

    VkApplicationInfo app{};
    app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
    app.pApplicationName = "stylegen-viewer";
    app.apiVersion = kApiVersion;
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
    messengerInfo.pfnUserCallback = &Gpu::onMessage;
    messengerInfo.pUserData = this;
    const char* layers[] = {kValidationLayer};
    VkInstanceCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
    info.pNext = setup.validation ? &messengerInfo : nullptr;  // also covers vkCreateInstance/vkDestroyInstance
    info.pApplicationInfo = &app;
    info.enabledLayerCount = setup.validation ? 1 : 0;
    info.ppEnabledLayerNames = layers;
    info.enabledExtensionCount = uint32_t(extensions.size());
    info.ppEnabledExtensionNames = extensions.data();
    if (VkResult r = vkCreateInstance(&info, nullptr, &instance); r != VK_SUCCESS) {
        instance = VK_NULL_HANDLE;
        const std::string message = std::string("vkCreateInstance failed: ") + vkResultName(r) +
                          (r == VK_ERROR_INCOMPATIBLE_DRIVER ? " (no Vulkan driver is installed, or VK_ICD_FILENAMES "
                                                               "points at none; Debian: mesa-vulkan-drivers)"
                                                             : "");
        if (r == VK_ERROR_INCOMPATIBLE_DRIVER || r == VK_ERROR_LAYER_NOT_PRESENT ||
            r == VK_ERROR_EXTENSION_NOT_PRESENT)
            throw VulkanUnavailable(message);
        throw VulkanError(message);
    }
    if (setup.validation) {
        auto create = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
            vkGetInstanceProcAddr(instance, "vkCreateDebugUtilsMessengerEXT"));
        messengerInfo.pNext = nullptr;  // the validation features belong to the instance only
        if (!create) throw VulkanError("vkCreateDebugUtilsMessengerEXT is missing");
        SG_VIEWER_VK(create(instance, &messengerInfo, nullptr, &messenger_));
    }
}

Gpu::~Gpu() { destroyInstance(); }

void Gpu::destroyInstance() {
    destroyDevice();
    if (messenger_) {
        auto destroy = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
            vkGetInstanceProcAddr(instance, "vkDestroyDebugUtilsMessengerEXT"));
        destroy(instance, messenger_, nullptr);
    }
    if (instance) vkDestroyInstance(instance, nullptr);
    messenger_ = VK_NULL_HANDLE;
    instance = VK_NULL_HANDLE;
}

void Gpu::createDevice(VkSurfaceKHR surface) {
    uint32_t count = 0;
    vkEnumeratePhysicalDevices(instance, &count, nullptr);
    std::vector<VkPhysicalDevice> devices(count);
    vkEnumeratePhysicalDevices(instance, &count, devices.data());
    std::string rejected;
    // Prefer a discrete GPU, then an integrated one, then anything (lavapipe).
    auto rank = [](VkPhysicalDeviceType type) {
        return type == VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU     ? 0
               : type == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU ? 1
                                                                : 2;
    };
    int bestRank = 3;
    for (VkPhysicalDevice candidate : devices) {
        VkPhysicalDeviceProperties properties{};
        vkGetPhysicalDeviceProperties(candidate, &properties);
        if (properties.apiVersion < kApiVersion) {
            rejected += std::string(properties.deviceName) + ": Vulkan below 1.3; ";
            continue;
        }
        VkPhysicalDeviceVulkan13Features f13{};
        f13.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES;
        VkPhysicalDeviceVulkan12Features f12{};
        f12.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES;
        f12.pNext = &f13;
        VkPhysicalDeviceFeatures2 f2{};
        f2.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2;
        f2.pNext = &f12;
        vkGetPhysicalDeviceFeatures2(candidate, &f2);
        if (!f12.timelineSemaphore || !f13.synchronization2) {
            rejected += std::string(properties.deviceName) + ": no timelineSemaphore or synchronization2; ";
            continue;
        }
        if (surface && !deviceExtensionPresent(candidate, VK_KHR_SWAPCHAIN_EXTENSION_NAME)) {
            rejected += std::string(properties.deviceName) + ": no VK_KHR_swapchain; ";
            continue;
        }
        uint32_t familyCount = 0;
        vkGetPhysicalDeviceQueueFamilyProperties(candidate, &familyCount, nullptr);
        std::vector<VkQueueFamilyProperties> families(familyCount);
        vkGetPhysicalDeviceQueueFamilyProperties(candidate, &familyCount, families.data());
        uint32_t family = familyCount;
        for (uint32_t i = 0; i < familyCount && family == familyCount; ++i) {
            VkBool32 present = VK_TRUE;
            if (surface) vkGetPhysicalDeviceSurfaceSupportKHR(candidate, i, surface, &present);
            if ((families[i].queueFlags & VK_QUEUE_GRAPHICS_BIT) && present) family = i;
        }
        if (family == familyCount) {
            rejected += std::string(properties.deviceName) + ": no graphics queue that can present; ";
        } else if (rank(properties.deviceType) < bestRank) {
            bestRank = rank(properties.deviceType);
            physicalDevice = candidate;
            queueFamily = family;
            deviceName = properties.deviceName;
        }
    }
    if (!physicalDevice)
        throw VulkanUnavailable(devices.empty() ? "the Vulkan instance has no device"
                                                : "no Vulkan device fits the viewer: " + rejected);
    vkGetPhysicalDeviceMemoryProperties(physicalDevice, &memory_);

    queueInfo_.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO;
    queueInfo_.queueFamilyIndex = queueFamily;
    queueInfo_.queueCount = 1;
    queueInfo_.pQueuePriorities = &queuePriority_;
    features13_.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES;
    features13_.synchronization2 = VK_TRUE;
    features12_.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES;
    features12_.pNext = &features13_;
    features12_.timelineSemaphore = VK_TRUE;
    if (surface) deviceExtensions_.push_back(VK_KHR_SWAPCHAIN_EXTENSION_NAME);
    // Exportable images are what a GPU backend writes in place (docs/vulkan.md).
    externalMemoryFd = deviceExtensionPresent(physicalDevice, VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME);
    if (externalMemoryFd) deviceExtensions_.push_back(VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME);
    externalSemaphoreFd = deviceExtensionPresent(physicalDevice, VK_KHR_EXTERNAL_SEMAPHORE_FD_EXTENSION_NAME);
    if (externalSemaphoreFd) deviceExtensions_.push_back(VK_KHR_EXTERNAL_SEMAPHORE_FD_EXTENSION_NAME);
    deviceCreateInfo.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO;
    deviceCreateInfo.pNext = &features12_;
    deviceCreateInfo.queueCreateInfoCount = 1;
    deviceCreateInfo.pQueueCreateInfos = &queueInfo_;
    deviceCreateInfo.enabledExtensionCount = uint32_t(deviceExtensions_.size());
    deviceCreateInfo.ppEnabledExtensionNames = deviceExtensions_.data();
    SG_VIEWER_VK(vkCreateDevice(physicalDevice, &deviceCreateInfo, nullptr, &device));
    vkGetDeviceQueue(device, queueFamily, 0, &queue);
}

void Gpu::destroyDevice() {
    if (!device) return;
    vkDestroyDevice(device, nullptr);
    device = VK_NULL_HANDLE;
}

uint32_t Gpu::memoryType(uint32_t typeBits, VkMemoryPropertyFlags properties) const {
    for (uint32_t i = 0; i < memory_.memoryTypeCount; ++i)
        if ((typeBits & (1u << i)) && (memory_.memoryTypes[i].propertyFlags & properties) == properties) return i;
    throw VulkanError("no memory type with the properties the viewer needs");
}

VKAPI_ATTR VkBool32 VKAPI_CALL Gpu::onMessage(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                              VkDebugUtilsMessageTypeFlagsEXT,
                                              const VkDebugUtilsMessengerCallbackDataEXT* data, void* user) {
    auto* self = static_cast<Gpu*>(user);
    self->validationMessages_.fetch_add(1);
    std::fprintf(stderr, "stylegen-viewer: validation %s: %s: %s\n",
                 severity >= VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT ? "error" : "warning",
                 data && data->pMessageIdName ? data->pMessageIdName : "",
                 data && data->pMessage ? data->pMessage : "");
    return VK_FALSE;
}

}  // namespace sg::viewer
