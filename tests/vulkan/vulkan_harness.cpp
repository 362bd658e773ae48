// vulkan_harness.cpp - the validated Vulkan instance/device the interop tests run on.
#include "vulkan_harness.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

namespace sgtest {
namespace {

constexpr const char* kValidationLayer = "VK_LAYER_KHRONOS_validation";

std::string resultText(VkResult r) {
    switch (r) {
        case VK_ERROR_INCOMPATIBLE_DRIVER:
            return "VK_ERROR_INCOMPATIBLE_DRIVER";
        case VK_ERROR_INITIALIZATION_FAILED:
            return "VK_ERROR_INITIALIZATION_FAILED";
        case VK_ERROR_LAYER_NOT_PRESENT:
            return "VK_ERROR_LAYER_NOT_PRESENT";
        case VK_ERROR_EXTENSION_NOT_PRESENT:
            return "VK_ERROR_EXTENSION_NOT_PRESENT";
        case VK_ERROR_FEATURE_NOT_PRESENT:
            return "VK_ERROR_FEATURE_NOT_PRESENT";
        case VK_ERROR_OUT_OF_HOST_MEMORY:
            return "VK_ERROR_OUT_OF_HOST_MEMORY";
        case VK_ERROR_OUT_OF_DEVICE_MEMORY:
            return "VK_ERROR_OUT_OF_DEVICE_MEMORY";
        case VK_ERROR_DEVICE_LOST:
            return "VK_ERROR_DEVICE_LOST";
        default:
            return "VkResult " + std::to_string(int(r));
    }
}

// A harness step that must work once the device exists; failures fail the test.
#define SG_TEST_VK(expression)                                                                    \
    do {                                                                                          \
        const VkResult sgTestResult_ = (expression);                                              \
        EXPECT_EQ(sgTestResult_, VK_SUCCESS) << #expression << ": " << resultText(sgTestResult_); \
    } while (0)

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

VkPipelineStageFlags classicOnly(VkPipelineStageFlags2 flags) {
    EXPECT_EQ(flags >> 32, 0u) << "tests on classic-barrier devices use only classic stage/access bits";
    return VkPipelineStageFlags(flags);
}

}  // namespace

std::unique_ptr<VulkanHarness> VulkanHarness::create(const VulkanSetup& setup, std::string* skipReason) {
    std::unique_ptr<VulkanHarness> harness(new VulkanHarness(setup));
    *skipReason = harness->init();
    if (!skipReason->empty()) return nullptr;
    return harness;
}

std::string VulkanHarness::init() {
    if (!layerPresent(kValidationLayer))
        return std::string(kValidationLayer) +
               " is not installed (Debian: vulkan-validationlayers); the interop "
               "tests only run validated";
    VkApplicationInfo app{};
    app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
    app.pApplicationName = "stylegen_vulkan_tests";
    app.apiVersion = setup.apiVersion;
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
    messengerInfo.pfnUserCallback = &VulkanHarness::onMessage;
    messengerInfo.pUserData = this;
    const char* layers[] = {kValidationLayer};
    const char* instanceExtensions[] = {VK_EXT_DEBUG_UTILS_EXTENSION_NAME};
    VkInstanceCreateInfo instanceInfo{};
    instanceInfo.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
    instanceInfo.pNext = &messengerInfo;  // also covers vkCreateInstance/vkDestroyInstance
    instanceInfo.pApplicationInfo = &app;
    instanceInfo.enabledLayerCount = 1;
    instanceInfo.ppEnabledLayerNames = layers;
    instanceInfo.enabledExtensionCount = 1;
    instanceInfo.ppEnabledExtensionNames = instanceExtensions;
    if (VkResult r = vkCreateInstance(&instanceInfo, nullptr, &instance); r != VK_SUCCESS) {
        instance = VK_NULL_HANDLE;
        return "vkCreateInstance failed with " + resultText(r) +
               (r == VK_ERROR_INCOMPATIBLE_DRIVER ? ": no Vulkan driver (ICD) is installed or VK_ICD_FILENAMES / "
                                                    "VK_DRIVER_FILES point at none"
                                                  : "");
    }
    auto createMessenger = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(instance, "vkCreateDebugUtilsMessengerEXT"));
    messengerInfo.pNext = nullptr;  // the validation features belong to the instance only
    if (!createMessenger || createMessenger(instance, &messengerInfo, nullptr, &messenger) != VK_SUCCESS)
        return "cannot create a VK_EXT_debug_utils messenger";

    uint32_t count = 0;
    vkEnumeratePhysicalDevices(instance, &count, nullptr);
    std::vector<VkPhysicalDevice> devices(count);
    vkEnumeratePhysicalDevices(instance, &count, devices.data());
    if (devices.empty()) return "the Vulkan instance has no physical device";
    std::string rejected;
    for (VkPhysicalDevice candidate : devices) {
        VkPhysicalDeviceProperties properties{};
        vkGetPhysicalDeviceProperties(candidate, &properties);
        if (!setup.deviceUuid.empty()) {  // a Vulkan 1.1 query: only asked for on such instances
            VkPhysicalDeviceIDProperties id{};
            id.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES;
            VkPhysicalDeviceProperties2 properties2{};
            properties2.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2;
            properties2.pNext = &id;
            vkGetPhysicalDeviceProperties2(candidate, &properties2);
            if (setup.deviceUuid.size() != VK_UUID_SIZE ||
                std::memcmp(setup.deviceUuid.data(), id.deviceUUID, VK_UUID_SIZE) != 0) {
                rejected += std::string(properties.deviceName) + ": not the device with the requested UUID; ";
                continue;
            }
        }
        const uint32_t version = std::min(properties.apiVersion, setup.apiVersion);
        if ((setup.timelineSemaphore && version < VK_API_VERSION_1_2) ||
            (setup.synchronization2 && version < VK_API_VERSION_1_3)) {
            rejected += std::string(properties.deviceName) + ": Vulkan version too low; ";
            continue;
        }
        if (version >= VK_API_VERSION_1_3) {
            VkPhysicalDeviceVulkan13Features f13{};
            f13.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES;
            VkPhysicalDeviceVulkan12Features f12{};
            f12.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES;
            f12.pNext = &f13;
            VkPhysicalDeviceFeatures2 f2{};
            f2.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2;
            f2.pNext = &f12;
            vkGetPhysicalDeviceFeatures2(candidate, &f2);
            if ((setup.timelineSemaphore && !f12.timelineSemaphore) ||
                (setup.synchronization2 && !f13.synchronization2)) {
                rejected += std::string(properties.deviceName) + ": lacks timelineSemaphore or synchronization2; ";
                continue;
            }
        }
        uint32_t familyCount = 0;
        vkGetPhysicalDeviceQueueFamilyProperties(candidate, &familyCount, nullptr);
        std::vector<VkQueueFamilyProperties> families(familyCount);
        vkGetPhysicalDeviceQueueFamilyProperties(candidate, &familyCount, families.data());
        for (uint32_t i = 0; i < familyCount && !physicalDevice; ++i)
            if (families[i].queueFlags & (VK_QUEUE_GRAPHICS_BIT | VK_QUEUE_COMPUTE_BIT)) {
                physicalDevice = candidate;
                queueFamily = i;
            }
        if (physicalDevice) break;
    }
    if (!physicalDevice) return "no Vulkan device fits the test setup: " + rejected;

    queueInfo_.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO;
    queueInfo_.queueFamilyIndex = queueFamily;
    queueInfo_.queueCount = 1;
    queueInfo_.pQueuePriorities = &queuePriority_;
    features12_.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES;
    features12_.timelineSemaphore = VK_TRUE;
    features13_.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES;
    features13_.synchronization2 = VK_TRUE;
    timelineFeatures_.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TIMELINE_SEMAPHORE_FEATURES;
    timelineFeatures_.timelineSemaphore = VK_TRUE;
    sync2Features_.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SYNCHRONIZATION_2_FEATURES;
    sync2Features_.synchronization2 = VK_TRUE;
    void* chain = nullptr;
    if (setup.synchronization2) {
        VkBaseOutStructure* s = setup.perFeatureStructs ? reinterpret_cast<VkBaseOutStructure*>(&sync2Features_)
                                                        : reinterpret_cast<VkBaseOutStructure*>(&features13_);
        s->pNext = static_cast<VkBaseOutStructure*>(chain);
        chain = s;
    }
    if (setup.timelineSemaphore) {
        VkBaseOutStructure* s = setup.perFeatureStructs ? reinterpret_cast<VkBaseOutStructure*>(&timelineFeatures_)
                                                        : reinterpret_cast<VkBaseOutStructure*>(&features12_);
        s->pNext = static_cast<VkBaseOutStructure*>(chain);
        chain = s;
    }
    externalMemoryFd =
        setup.externalMemoryFd && deviceExtensionPresent(physicalDevice, VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME);
    if (externalMemoryFd) extensions_.push_back(VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME);
    externalSemaphoreFd = setup.externalSemaphoreFd &&
                          deviceExtensionPresent(physicalDevice, VK_KHR_EXTERNAL_SEMAPHORE_FD_EXTENSION_NAME);
    if (externalSemaphoreFd) extensions_.push_back(VK_KHR_EXTERNAL_SEMAPHORE_FD_EXTENSION_NAME);
    deviceCreateInfo.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO;
    deviceCreateInfo.pNext = chain;
    deviceCreateInfo.queueCreateInfoCount = 1;
    deviceCreateInfo.pQueueCreateInfos = &queueInfo_;
    deviceCreateInfo.enabledExtensionCount = uint32_t(extensions_.size());
    deviceCreateInfo.ppEnabledExtensionNames = extensions_.data();
    if (VkResult r = vkCreateDevice(physicalDevice, &deviceCreateInfo, nullptr, &device); r != VK_SUCCESS) {
        device = VK_NULL_HANDLE;
        return "vkCreateDevice failed with " + resultText(r);
    }
    vkGetDeviceQueue(device, queueFamily, 0, &queue);
    VkCommandPoolCreateInfo poolInfo{};
    poolInfo.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
    poolInfo.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    poolInfo.queueFamilyIndex = queueFamily;
    if (vkCreateCommandPool(device, &poolInfo, nullptr, &commandPool) != VK_SUCCESS)
        return "vkCreateCommandPool failed";
    return "";
}

std::vector<std::string> VulkanHarness::shutdown() {
    if (device) {
        vkDeviceWaitIdle(device);
        for (const TestImage& image : images_) {
            vkDestroyImage(device, image.image, nullptr);
            vkFreeMemory(device, image.memory, nullptr);
        }
        for (const HostBuffer& buffer : buffers_) {
            vkDestroyBuffer(device, buffer.buffer, nullptr);
            vkFreeMemory(device, buffer.memory, nullptr);
        }
        for (VkFence fence : fences_) vkDestroyFence(device, fence, nullptr);
        for (VkSemaphore semaphore : semaphores_) vkDestroySemaphore(device, semaphore, nullptr);
        for (VkCommandPool pool : pools_) vkDestroyCommandPool(device, pool, nullptr);
        if (commandPool) vkDestroyCommandPool(device, commandPool, nullptr);
        vkDestroyDevice(device, nullptr);
    }
    if (messenger) {
        auto destroyMessenger = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
            vkGetInstanceProcAddr(instance, "vkDestroyDebugUtilsMessengerEXT"));
        destroyMessenger(instance, messenger, nullptr);
    }
    if (instance) vkDestroyInstance(instance, nullptr);
    device = VK_NULL_HANDLE;
    messenger = VK_NULL_HANDLE;
    instance = VK_NULL_HANDLE;
    images_.clear();
    buffers_.clear();
    fences_.clear();
    semaphores_.clear();
    pools_.clear();
    commandPool = VK_NULL_HANDLE;
    return takeMessages();
}

VKAPI_ATTR VkBool32 VKAPI_CALL VulkanHarness::onMessage(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                        VkDebugUtilsMessageTypeFlagsEXT,
                                                        const VkDebugUtilsMessengerCallbackDataEXT* data, void* user) {
    auto* self = static_cast<VulkanHarness*>(user);
    const std::string text =
        std::string(severity >= VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT ? "[error] " : "[warning] ") +
        (data && data->pMessageIdName ? data->pMessageIdName : "") + ": " +
        (data && data->pMessage ? data->pMessage : "");
    std::lock_guard<std::mutex> lock(self->messagesMutex_);
    self->messages_.push_back(text);
    return VK_FALSE;
}

SgVulkanDeviceCreateInfo VulkanHarness::sdkDeviceInfo() const {
    SgVulkanDeviceCreateInfo info{};
    info.sType = SG_STRUCTURE_TYPE_VULKAN_DEVICE_CREATE_INFO;
    info.instance = instance;
    info.physicalDevice = physicalDevice;
    info.device = device;
    info.pDeviceCreateInfo = &deviceCreateInfo;
    info.apiVersion = setup.apiVersion;
    info.queueFamilyIndex = queueFamily;
    info.pfnGetInstanceProcAddr = vkGetInstanceProcAddr;
    return info;
}

std::vector<std::string> VulkanHarness::takeMessages() {
    std::lock_guard<std::mutex> lock(messagesMutex_);
    return std::move(messages_);
}

VkCommandPool VulkanHarness::createCommandPool() {
    VkCommandPoolCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
    info.queueFamilyIndex = queueFamily;
    VkCommandPool pool = VK_NULL_HANDLE;
    SG_TEST_VK(vkCreateCommandPool(device, &info, nullptr, &pool));
    pools_.push_back(pool);
    return pool;
}

VkCommandBuffer VulkanHarness::beginCommands(VkCommandPool pool) {
    VkCommandBufferAllocateInfo allocateInfo{};
    allocateInfo.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
    allocateInfo.commandPool = pool ? pool : commandPool;
    allocateInfo.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    allocateInfo.commandBufferCount = 1;
    VkCommandBuffer cmd = VK_NULL_HANDLE;
    SG_TEST_VK(vkAllocateCommandBuffers(device, &allocateInfo, &cmd));
    VkCommandBufferBeginInfo begin{};
    begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    SG_TEST_VK(vkBeginCommandBuffer(cmd, &begin));
    return cmd;
}

void VulkanHarness::submit(VkCommandBuffer cmd, const std::vector<SgVulkanSubmitSync>& syncs, VkFence fence,
                           VkSemaphore extraWaitSemaphore, uint64_t extraWaitValue) {
    SG_TEST_VK(vkEndCommandBuffer(cmd));
    std::vector<VkSemaphore> waits, signals;
    std::vector<uint64_t> waitValues, signalValues;
    std::vector<VkPipelineStageFlags2> waitStages;
    for (const SgVulkanSubmitSync& sync : syncs) {
        if (sync.waitSemaphore) {
            waits.push_back(sync.waitSemaphore);
            waitValues.push_back(sync.waitValue);
            waitStages.push_back(sync.waitStageMask);
        }
        signals.push_back(sync.signalSemaphore);
        signalValues.push_back(sync.signalValue);
    }
    if (extraWaitSemaphore) {
        waits.push_back(extraWaitSemaphore);
        waitValues.push_back(extraWaitValue);
        waitStages.push_back(VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT);
    }
    if (setup.synchronization2) {
        std::vector<VkSemaphoreSubmitInfo> waitInfos(waits.size()), signalInfos(signals.size());
        for (size_t i = 0; i < waits.size(); ++i) {
            waitInfos[i].sType = VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO;
            waitInfos[i].semaphore = waits[i];
            waitInfos[i].value = waitValues[i];
            waitInfos[i].stageMask = waitStages[i];
        }
        for (size_t i = 0; i < signals.size(); ++i) {
            signalInfos[i].sType = VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO;
            signalInfos[i].semaphore = signals[i];
            signalInfos[i].value = signalValues[i];
            signalInfos[i].stageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
        }
        VkCommandBufferSubmitInfo commandInfo{};
        commandInfo.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_SUBMIT_INFO;
        commandInfo.commandBuffer = cmd;
        VkSubmitInfo2 submitInfo{};
        submitInfo.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO_2;
        submitInfo.waitSemaphoreInfoCount = uint32_t(waitInfos.size());
        submitInfo.pWaitSemaphoreInfos = waitInfos.data();
        submitInfo.commandBufferInfoCount = 1;
        submitInfo.pCommandBufferInfos = &commandInfo;
        submitInfo.signalSemaphoreInfoCount = uint32_t(signalInfos.size());
        submitInfo.pSignalSemaphoreInfos = signalInfos.data();
        SG_TEST_VK(vkQueueSubmit2(queue, 1, &submitInfo, fence));
        return;
    }
    std::vector<VkPipelineStageFlags> classicWaitStages;
    for (VkPipelineStageFlags2 stage : waitStages) classicWaitStages.push_back(classicOnly(stage));
    VkTimelineSemaphoreSubmitInfo timelineInfo{};
    timelineInfo.sType = VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO;
    timelineInfo.waitSemaphoreValueCount = uint32_t(waitValues.size());
    timelineInfo.pWaitSemaphoreValues = waitValues.data();
    timelineInfo.signalSemaphoreValueCount = uint32_t(signalValues.size());
    timelineInfo.pSignalSemaphoreValues = signalValues.data();
    VkSubmitInfo submitInfo{};
    submitInfo.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
    submitInfo.pNext = &timelineInfo;
    submitInfo.waitSemaphoreCount = uint32_t(waits.size());
    submitInfo.pWaitSemaphores = waits.data();
    submitInfo.pWaitDstStageMask = classicWaitStages.data();
    submitInfo.commandBufferCount = 1;
    submitInfo.pCommandBuffers = &cmd;
    submitInfo.signalSemaphoreCount = uint32_t(signals.size());
    submitInfo.pSignalSemaphores = signals.data();
    SG_TEST_VK(vkQueueSubmit(queue, 1, &submitInfo, fence));
}

void VulkanHarness::submitAndWait(VkCommandBuffer cmd, const std::vector<SgVulkanSubmitSync>& syncs) {
    const VkFence fence = createFence();
    submit(cmd, syncs, fence);
    waitFence(fence);
}

VkFence VulkanHarness::createFence() {
    VkFenceCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
    VkFence fence = VK_NULL_HANDLE;
    SG_TEST_VK(vkCreateFence(device, &info, nullptr, &fence));
    fences_.push_back(fence);
    return fence;
}

void VulkanHarness::waitFence(VkFence fence) {
    SG_TEST_VK(vkWaitForFences(device, 1, &fence, VK_TRUE, UINT64_MAX));
    SG_TEST_VK(vkResetFences(device, 1, &fence));
}

VkSemaphore VulkanHarness::createTimelineSemaphore() {
    VkSemaphoreTypeCreateInfo type{};
    type.sType = VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO;
    type.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE;
    VkSemaphoreCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO;
    info.pNext = &type;
    VkSemaphore semaphore = VK_NULL_HANDLE;
    SG_TEST_VK(vkCreateSemaphore(device, &info, nullptr, &semaphore));
    semaphores_.push_back(semaphore);
    return semaphore;
}

static uint32_t memoryTypeFor(VkPhysicalDevice physicalDevice, uint32_t typeBits, VkMemoryPropertyFlags wanted) {
    VkPhysicalDeviceMemoryProperties memory{};
    vkGetPhysicalDeviceMemoryProperties(physicalDevice, &memory);
    for (uint32_t i = 0; i < memory.memoryTypeCount; ++i)
        if ((typeBits & (1u << i)) && (memory.memoryTypes[i].propertyFlags & wanted) == wanted) return i;
    ADD_FAILURE() << "no memory type with properties " << wanted;
    return 0;
}

TestImage VulkanHarness::createImage(VkFormat format, uint32_t width, uint32_t height, uint32_t mipLevels,
                                     uint32_t arrayLayers) {
    VkImageCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO;
    info.imageType = VK_IMAGE_TYPE_2D;
    info.format = format;
    info.extent = {width, height, 1};
    info.mipLevels = mipLevels;
    info.arrayLayers = arrayLayers;
    info.samples = VK_SAMPLE_COUNT_1_BIT;
    info.tiling = VK_IMAGE_TILING_OPTIMAL;
    info.usage = VK_IMAGE_USAGE_TRANSFER_DST_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_SAMPLED_BIT;
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    info.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
    TestImage image;
    SG_TEST_VK(vkCreateImage(device, &info, nullptr, &image.image));
    VkMemoryRequirements requirements{};
    vkGetImageMemoryRequirements(device, image.image, &requirements);
    VkMemoryAllocateInfo allocateInfo{};
    allocateInfo.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
    allocateInfo.allocationSize = requirements.size;
    allocateInfo.memoryTypeIndex = memoryTypeFor(physicalDevice, requirements.memoryTypeBits, 0);
    SG_TEST_VK(vkAllocateMemory(device, &allocateInfo, nullptr, &image.memory));
    SG_TEST_VK(vkBindImageMemory(device, image.image, image.memory, 0));
    images_.push_back(image);
    return image;
}

VulkanHarness::HostBuffer VulkanHarness::createHostBuffer(VkDeviceSize size, VkBufferUsageFlags usage) {
    VkBufferCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
    info.size = size;
    info.usage = usage;
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    HostBuffer buffer;
    SG_TEST_VK(vkCreateBuffer(device, &info, nullptr, &buffer.buffer));
    VkMemoryRequirements requirements{};
    vkGetBufferMemoryRequirements(device, buffer.buffer, &requirements);
    VkMemoryAllocateInfo allocateInfo{};
    allocateInfo.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
    allocateInfo.allocationSize = requirements.size;
    allocateInfo.memoryTypeIndex =
        memoryTypeFor(physicalDevice, requirements.memoryTypeBits,
                      VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
    SG_TEST_VK(vkAllocateMemory(device, &allocateInfo, nullptr, &buffer.memory));
    SG_TEST_VK(vkBindBufferMemory(device, buffer.buffer, buffer.memory, 0));
    SG_TEST_VK(vkMapMemory(device, buffer.memory, 0, VK_WHOLE_SIZE, 0, &buffer.mapped));
    buffers_.push_back(buffer);
    return buffer;
}

void VulkanHarness::imageBarrier(VkCommandBuffer cmd, VkImage image, uint32_t mipLevel, uint32_t arrayLayer,
                                 VkImageLayout oldLayout, VkImageLayout newLayout, VkPipelineStageFlags2 srcStage,
                                 VkAccessFlags2 srcAccess, VkPipelineStageFlags2 dstStage, VkAccessFlags2 dstAccess) {
    const VkImageSubresourceRange range{VK_IMAGE_ASPECT_COLOR_BIT, mipLevel, 1, arrayLayer, 1};
    if (setup.synchronization2) {
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
        barrier.subresourceRange = range;
        VkDependencyInfo dependency{};
        dependency.sType = VK_STRUCTURE_TYPE_DEPENDENCY_INFO;
        dependency.imageMemoryBarrierCount = 1;
        dependency.pImageMemoryBarriers = &barrier;
        vkCmdPipelineBarrier2(cmd, &dependency);
        return;
    }
    VkImageMemoryBarrier barrier{};
    barrier.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER;
    barrier.srcAccessMask = classicOnly(srcAccess);
    barrier.dstAccessMask = classicOnly(dstAccess);
    barrier.oldLayout = oldLayout;
    barrier.newLayout = newLayout;
    barrier.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    barrier.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    barrier.image = image;
    barrier.subresourceRange = range;
    vkCmdPipelineBarrier(cmd, classicOnly(srcStage), classicOnly(dstStage), 0, 0, nullptr, 0, nullptr, 1, &barrier);
}

std::vector<uint8_t> VulkanHarness::readImage(VkImage image, uint32_t bytesPerPixel, uint32_t mipLevel,
                                              uint32_t arrayLayer, VkOffset2D offset, VkExtent2D extent,
                                              VkImageLayout layout, VkPipelineStageFlags2 srcStageMask,
                                              VkAccessFlags2 srcAccessMask) {
    const VkDeviceSize size = VkDeviceSize(extent.width) * extent.height * bytesPerPixel;
    const HostBuffer readback = createHostBuffer(size, VK_BUFFER_USAGE_TRANSFER_DST_BIT);
    const VkCommandBuffer cmd = beginCommands();
    imageBarrier(cmd, image, mipLevel, arrayLayer, layout, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, srcStageMask,
                 srcAccessMask, VK_PIPELINE_STAGE_2_TRANSFER_BIT, VK_ACCESS_2_TRANSFER_READ_BIT);
    recordReadback(cmd, image, mipLevel, arrayLayer, offset, extent, readback.buffer, 0);
    hostReadBarrier(cmd);
    submitAndWait(cmd, {});
    const auto* bytes = static_cast<const uint8_t*>(readback.mapped);
    return std::vector<uint8_t>(bytes, bytes + size);
}

void VulkanHarness::recordReadback(VkCommandBuffer cmd, VkImage image, uint32_t mipLevel, uint32_t arrayLayer,
                                   VkOffset2D offset, VkExtent2D extent, VkBuffer buffer, VkDeviceSize bufferOffset) {
    VkBufferImageCopy region{};
    region.bufferOffset = bufferOffset;
    region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, mipLevel, arrayLayer, 1};
    region.imageOffset = {offset.x, offset.y, 0};
    region.imageExtent = {extent.width, extent.height, 1};
    vkCmdCopyImageToBuffer(cmd, image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, buffer, 1, &region);
}

void VulkanHarness::hostReadBarrier(VkCommandBuffer cmd) {
    if (setup.synchronization2) {
        VkMemoryBarrier2 barrier{};
        barrier.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER_2;
        barrier.srcStageMask = VK_PIPELINE_STAGE_2_TRANSFER_BIT;
        barrier.srcAccessMask = VK_ACCESS_2_TRANSFER_WRITE_BIT;
        barrier.dstStageMask = VK_PIPELINE_STAGE_2_HOST_BIT;
        barrier.dstAccessMask = VK_ACCESS_2_HOST_READ_BIT;
        VkDependencyInfo dependency{};
        dependency.sType = VK_STRUCTURE_TYPE_DEPENDENCY_INFO;
        dependency.memoryBarrierCount = 1;
        dependency.pMemoryBarriers = &barrier;
        vkCmdPipelineBarrier2(cmd, &dependency);
        return;
    }
    VkMemoryBarrier barrier{};
    barrier.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
    barrier.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
    barrier.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
    vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &barrier, 0, nullptr, 0,
                         nullptr);
}

float halfToFloat(uint16_t half) {
    const int exponent = (half >> 10) & 0x1F;
    const int mantissa = half & 0x3FF;
    float magnitude;
    if (exponent == 0)
        magnitude = std::ldexp(float(mantissa), -24);
    else if (exponent == 31)
        magnitude = mantissa ? NAN : INFINITY;
    else
        magnitude = std::ldexp(float(mantissa + 1024), exponent - 25);
    return (half & 0x8000) ? -magnitude : magnitude;
}

}  // namespace sgtest
