// vulkan_bench.cpp - see vulkan_bench.hpp.
#include "vulkan_bench.hpp"

#include <chrono>
#include <cstring>

namespace sgbenchgpu {
namespace {

bool hasExtension(VkPhysicalDevice device, const char* name) {
    uint32_t count = 0;
    vkEnumerateDeviceExtensionProperties(device, nullptr, &count, nullptr);
    std::vector<VkExtensionProperties> all(count);
    vkEnumerateDeviceExtensionProperties(device, nullptr, &count, all.data());
    for (const VkExtensionProperties& e : all)
        if (std::strcmp(e.extensionName, name) == 0) return true;
    return false;
}

double msSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

std::unique_ptr<VulkanGpu> VulkanGpu::create(const std::vector<uint8_t>& uuid, std::string* why) {
    std::unique_ptr<VulkanGpu> gpu(new VulkanGpu());
    *why = gpu->init(uuid);
    if (!why->empty()) return nullptr;
    return gpu;
}

std::string VulkanGpu::init(const std::vector<uint8_t>& uuid) {
    VkApplicationInfo app{};
    app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
    app.pApplicationName = "stylegen-bench-gpu";
    app.apiVersion = VK_API_VERSION_1_3;
    VkInstanceCreateInfo instanceInfo{};
    instanceInfo.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
    instanceInfo.pApplicationInfo = &app;
    if (VkResult r = vkCreateInstance(&instanceInfo, nullptr, &instance); r != VK_SUCCESS) {
        instance = VK_NULL_HANDLE;
        return "vkCreateInstance failed (" + std::to_string(int(r)) + "): no Vulkan driver";
    }
    uint32_t count = 0;
    vkEnumeratePhysicalDevices(instance, &count, nullptr);
    std::vector<VkPhysicalDevice> devices(count);
    vkEnumeratePhysicalDevices(instance, &count, devices.data());
    std::string seen;
    for (VkPhysicalDevice candidate : devices) {
        VkPhysicalDeviceIDProperties id{};
        id.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES;
        VkPhysicalDeviceProperties2 properties{};
        properties.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2;
        properties.pNext = &id;
        vkGetPhysicalDeviceProperties2(candidate, &properties);
        seen += std::string(seen.empty() ? "" : ", ") + properties.properties.deviceName;
        if (uuid.size() == VK_UUID_SIZE && std::memcmp(uuid.data(), id.deviceUUID, VK_UUID_SIZE) == 0) {
            physicalDevice = candidate;
            deviceName = properties.properties.deviceName;
        }
    }
    if (!physicalDevice) return "no Vulkan device is the CUDA GPU (devices: " + (seen.empty() ? "none" : seen) + ")";
    for (const char* name : {VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME, VK_KHR_EXTERNAL_SEMAPHORE_FD_EXTENSION_NAME}) {
        if (!hasExtension(physicalDevice, name)) return deviceName + " lacks " + name;
        extensions_.push_back(name);
    }
    uint32_t familyCount = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(physicalDevice, &familyCount, nullptr);
    std::vector<VkQueueFamilyProperties> families(familyCount);
    vkGetPhysicalDeviceQueueFamilyProperties(physicalDevice, &familyCount, families.data());
    queueFamily = familyCount;
    for (uint32_t i = 0; i < familyCount && queueFamily == familyCount; ++i)
        if (families[i].queueFlags & VK_QUEUE_GRAPHICS_BIT) queueFamily = i;
    if (queueFamily == familyCount) return deviceName + " has no graphics queue";

    queueInfo_.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO;
    queueInfo_.queueFamilyIndex = queueFamily;
    queueInfo_.queueCount = 1;
    queueInfo_.pQueuePriorities = &priority_;
    features13_.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES;
    features13_.synchronization2 = VK_TRUE;
    features12_.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES;
    features12_.pNext = &features13_;
    features12_.timelineSemaphore = VK_TRUE;
    deviceCreateInfo.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO;
    deviceCreateInfo.pNext = &features12_;
    deviceCreateInfo.queueCreateInfoCount = 1;
    deviceCreateInfo.pQueueCreateInfos = &queueInfo_;
    deviceCreateInfo.enabledExtensionCount = uint32_t(extensions_.size());
    deviceCreateInfo.ppEnabledExtensionNames = extensions_.data();
    if (VkResult r = vkCreateDevice(physicalDevice, &deviceCreateInfo, nullptr, &device); r != VK_SUCCESS) {
        device = VK_NULL_HANDLE;
        return "vkCreateDevice failed (" + std::to_string(int(r)) + ")";
    }
    vkGetDeviceQueue(device, queueFamily, 0, &queue);
    VkCommandPoolCreateInfo poolInfo{};
    poolInfo.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
    poolInfo.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    poolInfo.queueFamilyIndex = queueFamily;
    if (vkCreateCommandPool(device, &poolInfo, nullptr, &pool) != VK_SUCCESS) return "vkCreateCommandPool failed";
    return {};
}

VulkanGpu::~VulkanGpu() {
    if (device) {
        vkDeviceWaitIdle(device);
        if (pool) vkDestroyCommandPool(device, pool, nullptr);
        vkDestroyDevice(device, nullptr);
    }
    if (instance) vkDestroyInstance(instance, nullptr);
}

FrameTiming measureFrames(VulkanGpu& gpu, SgContext context, SgModel model, uint32_t count, bool exportable,
                          int warmup, int runs, std::string* error) {
    FrameTiming result;
    SgVulkanDeviceCreateInfo dci{};
    dci.sType = SG_STRUCTURE_TYPE_VULKAN_DEVICE_CREATE_INFO;
    dci.instance = gpu.instance;
    dci.physicalDevice = gpu.physicalDevice;
    dci.device = gpu.device;
    dci.pDeviceCreateInfo = &gpu.deviceCreateInfo;
    dci.apiVersion = VK_API_VERSION_1_3;
    dci.queueFamilyIndex = gpu.queueFamily;
    dci.pfnGetInstanceProcAddr = vkGetInstanceProcAddr;
    dci.stagingBudget = VkDeviceSize(1) << 30;
    SgVulkanDevice vk = nullptr;
    if (sgCreateVulkanDevice(context, &dci, &vk) != SG_SUCCESS) {
        *error = sgGetLastErrorMessage(context);
        return result;
    }
    SgVulkanDeviceInfo info{};
    info.sType = SG_STRUCTURE_TYPE_VULKAN_DEVICE_INFO;
    sgGetVulkanDeviceInfo(vk, &info);
    result.path = info.pPathDescription;

    SgModelInfo modelInfo{};
    modelInfo.sType = SG_STRUCTURE_TYPE_MODEL_INFO;
    sgGetModelInfo(model, &modelInfo);
    const uint32_t side = modelInfo.resolution;
    SgVulkanImageCreateInfo ici{};
    ici.sType = SG_STRUCTURE_TYPE_VULKAN_IMAGE_CREATE_INFO;
    ici.format = VK_FORMAT_R8G8B8A8_SRGB;
    ici.width = ici.height = side;
    ici.arrayLayers = count;
    ici.usage = VK_IMAGE_USAGE_SAMPLED_BIT;
    ici.exportable = exportable ? SG_TRUE : SG_FALSE;
    SgVulkanImage image{};
    image.sType = SG_STRUCTURE_TYPE_VULKAN_IMAGE;
    if (sgCreateVulkanImage(vk, &ici, &image) != SG_SUCCESS) {
        *error = sgGetLastErrorMessage(context);
        sgDestroyVulkanDevice(context, vk);
        return result;
    }

    VkCommandBufferAllocateInfo allocate{};
    allocate.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
    allocate.commandPool = gpu.pool;
    allocate.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    allocate.commandBufferCount = 1;
    VkCommandBuffer cmd = VK_NULL_HANDLE;
    vkAllocateCommandBuffers(gpu.device, &allocate, &cmd);
    VkFenceCreateInfo fenceInfo{};
    fenceInfo.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
    VkFence fence = VK_NULL_HANDLE;
    vkCreateFence(gpu.device, &fenceInfo, nullptr, &fence);

    std::vector<SgVulkanImageTarget> targets(count);
    SgGenerateInfo gi{};
    gi.sType = SG_STRUCTURE_TYPE_GENERATE_INFO;
    gi.count = count;
    gi.truncationPsi = 0.8f;
    gi.noiseStrength = 1.0f;
    gi.format = SG_FORMAT_R8G8B8A8_UNORM;
    gi.alphaMode = SG_ALPHA_MODE_PREMULTIPLIED;
    std::vector<double> frameMs, recordMs;
    const int frames = 1 + warmup + runs;
    for (int f = 0; f < frames && error->empty(); ++f) {
        for (uint32_t i = 0; i < count; ++i) {
            SgVulkanImageTarget& t = targets[i];
            t = SgVulkanImageTarget{};
            t.sType = SG_STRUCTURE_TYPE_VULKAN_IMAGE_TARGET;
            t.image = image.image;
            t.format = VK_FORMAT_R8G8B8A8_SRGB;
            t.imageExtent = {side, side};
            t.arrayLayer = i;
            t.oldLayout = f == 0 ? VK_IMAGE_LAYOUT_UNDEFINED : VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL;
            t.srcStageMask = VK_PIPELINE_STAGE_2_FRAGMENT_SHADER_BIT;
            t.newLayout = VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL;
            t.dstStageMask = VK_PIPELINE_STAGE_2_FRAGMENT_SHADER_BIT;
            t.dstAccessMask = VK_ACCESS_2_SHADER_SAMPLED_READ_BIT;
        }
        gi.firstSeed = uint64_t(f) * count;  // new textures every frame
        vkResetCommandBuffer(cmd, 0);
        VkCommandBufferBeginInfo begin{};
        begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
        begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
        vkBeginCommandBuffer(cmd, &begin);
        SgVulkanGenerateInfo vgi{};
        vgi.sType = SG_STRUCTURE_TYPE_VULKAN_GENERATE_INFO;
        vgi.model = model;
        vgi.pGenerateInfo = &gi;
        vgi.commandBuffer = cmd;
        vgi.targetCount = count;
        vgi.pTargets = targets.data();
        SgVulkanSubmitSync sync{};
        sync.sType = SG_STRUCTURE_TYPE_VULKAN_SUBMIT_SYNC;
        const auto start = std::chrono::steady_clock::now();
        if (sgCmdGenerateVulkanImages(vk, &vgi, &sync) != SG_SUCCESS) {
            *error = sgGetLastErrorMessage(context);
            vkEndCommandBuffer(cmd);
            break;
        }
        const double recorded = msSince(start);
        vkEndCommandBuffer(cmd);
        VkSemaphoreSubmitInfo wait{}, signal{};
        wait.sType = signal.sType = VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO;
        wait.semaphore = sync.waitSemaphore;
        wait.value = sync.waitValue;
        wait.stageMask = sync.waitStageMask;
        signal.semaphore = sync.signalSemaphore;
        signal.value = sync.signalValue;
        signal.stageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
        VkCommandBufferSubmitInfo commandInfo{};
        commandInfo.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_SUBMIT_INFO;
        commandInfo.commandBuffer = cmd;
        VkSubmitInfo2 submit{};
        submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO_2;
        submit.waitSemaphoreInfoCount = sync.waitSemaphore ? 1 : 0;
        submit.pWaitSemaphoreInfos = &wait;
        submit.commandBufferInfoCount = 1;
        submit.pCommandBufferInfos = &commandInfo;
        submit.signalSemaphoreInfoCount = 1;
        submit.pSignalSemaphoreInfos = &signal;
        vkQueueSubmit2(gpu.queue, 1, &submit, fence);
        vkWaitForFences(gpu.device, 1, &fence, VK_TRUE, UINT64_MAX);
        vkResetFences(gpu.device, 1, &fence);
        const double total = msSince(start);
        if (f > warmup) {  // frame 0 is the staged first use, then the warm-ups
            frameMs.push_back(total);
            recordMs.push_back(recorded);
            result.inPlaceFrames += sync.waitSemaphore ? 1 : 0;
        }
    }
    vkDeviceWaitIdle(gpu.device);
    vkDestroyFence(gpu.device, fence, nullptr);
    vkFreeCommandBuffers(gpu.device, gpu.pool, 1, &cmd);
    sgDestroyVulkanImage(vk, image.image);
    sgDestroyVulkanDevice(context, vk);
    result.frame = summarize(frameMs);
    result.record = summarize(recordMs);
    return result;
}

}  // namespace sgbenchgpu
