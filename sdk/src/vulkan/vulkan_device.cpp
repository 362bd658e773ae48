// vulkan_device.cpp - sgCreateVulkanDevice / sgDestroyVulkanDevice /
// sgGetVulkanDeviceInfo: checking what the application's device can do and
// choosing the path.
#include "vulkan/vulkan_device.hpp"

#include <algorithm>
#include <set>
#include <vector>

#include "context.hpp"

namespace {

constexpr VkDeviceSize kDefaultStagingBudget = VkDeviceSize(256) << 20;

std::string versionText(uint32_t v) {
    return std::to_string(VK_API_VERSION_MAJOR(v)) + "." + std::to_string(VK_API_VERSION_MINOR(v));
}

uint32_t withoutPatch(uint32_t v) {
    return VK_MAKE_API_VERSION(VK_API_VERSION_VARIANT(v), VK_API_VERSION_MAJOR(v), VK_API_VERSION_MINOR(v), 0);
}

// What the application says it enabled in vkCreateDevice.
struct Enabled {
    std::set<std::string> extensions;
    std::set<uint32_t> queueFamilies;
    bool timelineSemaphore = false;
    bool synchronization2 = false;
};

// The feature member of the struct s points at (whose sType says it is a Features).
template <class Features>
bool on(const VkBaseInStructure* s, VkBool32 Features::*feature) {
    return reinterpret_cast<const Features*>(s)->*feature != VK_FALSE;
}

Enabled readDeviceCreateInfo(const VkDeviceCreateInfo& info, uint32_t apiVersion) {
    Enabled e;
    for (uint32_t i = 0; i < info.enabledExtensionCount; ++i)
        if (info.ppEnabledExtensionNames && info.ppEnabledExtensionNames[i])
            e.extensions.insert(info.ppEnabledExtensionNames[i]);
    for (uint32_t i = 0; i < info.queueCreateInfoCount; ++i)
        if (info.pQueueCreateInfos) e.queueFamilies.insert(info.pQueueCreateInfos[i].queueFamilyIndex);
    // The 1.2/1.3 feature structs only count on devices of that version; the
    // per-feature structs need their extension below that version.
    const bool v12 = apiVersion >= VK_API_VERSION_1_2, v13 = apiVersion >= VK_API_VERSION_1_3;
    const bool timelineExt = v12 || e.extensions.count(VK_KHR_TIMELINE_SEMAPHORE_EXTENSION_NAME);
    const bool sync2Ext = v13 || e.extensions.count(VK_KHR_SYNCHRONIZATION_2_EXTENSION_NAME);
    for (auto* s = static_cast<const VkBaseInStructure*>(info.pNext); s; s = s->pNext) {
        switch (s->sType) {
            case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES:
                e.timelineSemaphore |= v12 && on(s, &VkPhysicalDeviceVulkan12Features::timelineSemaphore);
                break;
            case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TIMELINE_SEMAPHORE_FEATURES:
                e.timelineSemaphore |=
                    timelineExt && on(s, &VkPhysicalDeviceTimelineSemaphoreFeatures::timelineSemaphore);
                break;
            case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES:
                e.synchronization2 |= v13 && on(s, &VkPhysicalDeviceVulkan13Features::synchronization2);
                break;
            case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SYNCHRONIZATION_2_FEATURES:
                e.synchronization2 |= sync2Ext && on(s, &VkPhysicalDeviceSynchronization2Features::synchronization2);
                break;
            default:
                break;
        }
    }
    return e;
}

std::set<std::string> supportedExtensions(const sg::vk::Functions& fn, VkPhysicalDevice physicalDevice) {
    std::set<std::string> names;
    uint32_t count = 0;
    if (fn.vkEnumerateDeviceExtensionProperties(physicalDevice, nullptr, &count, nullptr) != VK_SUCCESS) return names;
    std::vector<VkExtensionProperties> properties(count);
    if (fn.vkEnumerateDeviceExtensionProperties(physicalDevice, nullptr, &count, properties.data()) < VK_SUCCESS)
        return names;
    for (uint32_t i = 0; i < count && i < properties.size(); ++i) names.insert(properties[i].extensionName);
    return names;
}

bool timelineExportable(const sg::vk::Functions& fn, VkPhysicalDevice physicalDevice) {
    VkSemaphoreTypeCreateInfo type{};
    type.sType = VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO;
    type.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE;
    VkPhysicalDeviceExternalSemaphoreInfo info{};
    info.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_SEMAPHORE_INFO;
    info.pNext = &type;
    info.handleType = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT;
    VkExternalSemaphoreProperties properties{};
    properties.sType = VK_STRUCTURE_TYPE_EXTERNAL_SEMAPHORE_PROPERTIES;
    fn.vkGetPhysicalDeviceExternalSemaphoreProperties(physicalDevice, &info, &properties);
    return (properties.externalSemaphoreFeatures & VK_EXTERNAL_SEMAPHORE_FEATURE_EXPORTABLE_BIT) != 0;
}

// "VK_KHR_x is not supported by <device>" / "... is supported by <device> but not enabled".
std::string extensionProblem(const char* name, bool supported, const std::string& deviceName) {
    return std::string(name) +
           (supported ? " is supported by " + deviceName + " but not enabled" : " is not supported by " + deviceName);
}

// Every reason in the device's setup that the external-memory path cannot run.
std::vector<std::string> externalPathProblems(const sg::Backend& backend, const sg::vk::Capabilities& caps) {
    std::vector<std::string> reasons;
    if (backend.name() == "cpu")
        reasons.push_back("no CUDA plugin (the context's backend is cpu)");
    else if (!backend.interop())
        reasons.push_back("the context's " + backend.name() + " backend cannot write Vulkan memory");
    if (!caps.externalMemoryFdEnabled)
        reasons.push_back(extensionProblem(VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME, caps.externalMemoryFdSupported,
                                           caps.deviceName));
    if (!caps.externalSemaphoreFdEnabled)
        reasons.push_back(extensionProblem(VK_KHR_EXTERNAL_SEMAPHORE_FD_EXTENSION_NAME,
                                           caps.externalSemaphoreFdSupported, caps.deviceName));
    else if (!caps.timelineExport)
        reasons.push_back(caps.deviceName + " cannot export timeline semaphores as OPAQUE_FD");
    return reasons;
}

// Sets device->path (and device->external) and says why in pathDescription.
void choosePath(SgVulkanDevice device, const sg::Backend& backend) {
    std::vector<std::string> reasons = externalPathProblems(backend, device->caps);
    if (reasons.empty()) {
        std::string why;
        device->external = sg::vk::ExternalPath::create(device->fn, device->device, device->physicalDevice,
                                                        device->vulkanAllocator, backend, &why);
        if (!device->external) reasons.push_back(why);
    }
    if (device->external) {
        device->path = SG_VULKAN_PATH_EXTERNAL_MEMORY;
        device->pathDescription = "external-memory: the " + backend.name() + " backend writes " +
                                  device->caps.deviceName +
                                  "'s exportable images in place; calls with other targets, or with oldLayout "
                                  "UNDEFINED, are staged";
        return;
    }
    device->path = SG_VULKAN_PATH_CPU_STAGING;
    std::string text = "cpu-staging: ";
    for (size_t i = 0; i < reasons.size(); ++i) text += (i ? "; " : "") + reasons[i];
    device->pathDescription = text;
}

SgResult checkCreateInfo(const sg::ApiCall& call, const SgVulkanDeviceCreateInfo* info) {
    SG_CHECK(info != nullptr, SG_ERROR_INVALID_ARGUMENT, "pCreateInfo is NULL");
    SG_CHECK(info->sType == SG_STRUCTURE_TYPE_VULKAN_DEVICE_CREATE_INFO, SG_ERROR_INVALID_ARGUMENT,
             "pCreateInfo->sType is " + std::to_string(int(info->sType)) +
                 ", expected SG_STRUCTURE_TYPE_VULKAN_DEVICE_CREATE_INFO");
    SG_CHECK(info->instance != VK_NULL_HANDLE, SG_ERROR_INVALID_ARGUMENT, "pCreateInfo->instance is VK_NULL_HANDLE");
    SG_CHECK(info->physicalDevice != VK_NULL_HANDLE, SG_ERROR_INVALID_ARGUMENT,
             "pCreateInfo->physicalDevice is VK_NULL_HANDLE");
    SG_CHECK(info->device != VK_NULL_HANDLE, SG_ERROR_INVALID_ARGUMENT, "pCreateInfo->device is VK_NULL_HANDLE");
    SG_CHECK(info->pfnGetInstanceProcAddr != nullptr, SG_ERROR_INVALID_ARGUMENT,
             "pCreateInfo->pfnGetInstanceProcAddr is NULL; pass the loader's vkGetInstanceProcAddr");
    SG_CHECK(info->pDeviceCreateInfo != nullptr, SG_ERROR_INVALID_ARGUMENT,
             "pCreateInfo->pDeviceCreateInfo is NULL; pass the VkDeviceCreateInfo the device was created with");
    SG_CHECK(info->pDeviceCreateInfo->sType == VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO, SG_ERROR_INVALID_ARGUMENT,
             "pCreateInfo->pDeviceCreateInfo->sType is " + std::to_string(int(info->pDeviceCreateInfo->sType)) +
                 ", expected VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO");
    SG_CHECK(info->apiVersion >= VK_API_VERSION_1_1, SG_ERROR_UNSUPPORTED,
             "pCreateInfo->apiVersion is Vulkan " + versionText(info->apiVersion) +
                 "; the SDK needs an instance created for Vulkan 1.1 or later");
    return SG_SUCCESS;
}

SgResult checkQueueFamily(const sg::ApiCall& call, const sg::vk::Functions& fn, VkPhysicalDevice physicalDevice,
                          uint32_t index, const Enabled& enabled) {
    uint32_t count = 0;
    fn.vkGetPhysicalDeviceQueueFamilyProperties(physicalDevice, &count, nullptr);
    std::vector<VkQueueFamilyProperties> families(count);
    fn.vkGetPhysicalDeviceQueueFamilyProperties(physicalDevice, &count, families.data());
    SG_CHECK(index < count, SG_ERROR_INVALID_ARGUMENT,
             "pCreateInfo->queueFamilyIndex is " + std::to_string(index) + " but the physical device has " +
                 std::to_string(count) + " queue families");
    SG_CHECK(enabled.queueFamilies.count(index) == 1, SG_ERROR_INVALID_ARGUMENT,
             "pCreateInfo->queueFamilyIndex " + std::to_string(index) +
                 " is not among pDeviceCreateInfo->pQueueCreateInfos: the device has no queue of that family");
    const VkQueueFlags copyCapable = VK_QUEUE_GRAPHICS_BIT | VK_QUEUE_COMPUTE_BIT | VK_QUEUE_TRANSFER_BIT;
    SG_CHECK((families[index].queueFlags & copyCapable) != 0, SG_ERROR_INVALID_ARGUMENT,
             "queue family " + std::to_string(index) +
                 " supports neither graphics, compute nor transfer, so it cannot copy");
    return SG_SUCCESS;
}

}  // namespace

SgVulkanDevice_T::SgVulkanDevice_T(SgContext owner, const SgVulkanDeviceCreateInfo& info,
                                   const sg::vk::Functions& functions, const sg::vk::Capabilities& capabilities,
                                   VkDeviceSize stagingBudget)
    : context(owner),
      instance(info.instance),
      physicalDevice(info.physicalDevice),
      device(info.device),
      queueFamilyIndex(info.queueFamilyIndex),
      vulkanAllocator(info.pVulkanAllocator),
      fn(functions),
      caps(capabilities),
      staging(fn, info.device, info.pVulkanAllocator, caps.memory, caps.nonCoherentAtomSize, stagingBudget) {}

SgVulkanDevice_T::~SgVulkanDevice_T() {
    external.reset();  // its imports of the images below go first
    std::unordered_map<VkImage, sg::vk::OwnedImage> images;
    {
        std::lock_guard<std::mutex> lock(imagesMutex_);
        images.swap(images_);
    }
    if (!images.empty())
        context->log(SG_LOG_LEVEL_WARNING, "sgDestroyVulkanDevice: destroying " + std::to_string(images.size()) +
                                               " image(s) from sgCreateVulkanImage that were not destroyed first");
    for (const auto& entry : images) destroyImage(entry.second);
    if (const size_t pending = staging.release())
        context->log(SG_LOG_LEVEL_ERROR,
                     "sgDestroyVulkanDevice: " + std::to_string(pending) +
                         " staging buffer(s) are still used by submissions that have not completed (their "
                         "signalSemaphore has not reached signalValue); they are leaked rather than destroyed "
                         "under the GPU. Wait for the queue before destroying the device.");
}

bool SgVulkanDevice_T::findImage(VkImage image, sg::vk::OwnedImage* out) {
    std::lock_guard<std::mutex> lock(imagesMutex_);
    const auto it = images_.find(image);
    if (it == images_.end()) return false;
    *out = it->second;
    return true;
}

void SgVulkanDevice_T::addImage(const sg::vk::OwnedImage& image) {
    std::lock_guard<std::mutex> lock(imagesMutex_);
    images_[image.image] = image;
}

bool SgVulkanDevice_T::takeImage(VkImage image, sg::vk::OwnedImage* out) {
    std::lock_guard<std::mutex> lock(imagesMutex_);
    const auto it = images_.find(image);
    if (it == images_.end()) return false;
    *out = it->second;
    images_.erase(it);
    return true;
}

void SgVulkanDevice_T::destroyImage(const sg::vk::OwnedImage& image) const {
    if (image.image) fn.vkDestroyImage(device, image.image, vulkanAllocator);
    if (image.memory) fn.vkFreeMemory(device, image.memory, vulkanAllocator);
}

extern "C" {

SG_API SgResult sgCreateVulkanDevice(SgContext context, const SgVulkanDeviceCreateInfo* pCreateInfo,
                                     SgVulkanDevice* pDevice) {
    return sg::guard(context, "sgCreateVulkanDevice", [&](const sg::ApiCall& call) {
        SG_CHECK(context != nullptr, SG_ERROR_INVALID_ARGUMENT, "context is NULL");
        SG_CHECK(pDevice != nullptr, SG_ERROR_INVALID_ARGUMENT, "pDevice is NULL");
        *pDevice = nullptr;
        if (SgResult r = checkCreateInfo(call, pCreateInfo); r != SG_SUCCESS) return r;
        const SgVulkanDeviceCreateInfo& info = *pCreateInfo;

        sg::vk::Functions fn;
        if (SgResult r = sg::vk::loadInstanceFunctions(call, info.pfnGetInstanceProcAddr, info.instance, &fn);
            r != SG_SUCCESS)
            return r;
        VkPhysicalDeviceProperties properties{};
        fn.vkGetPhysicalDeviceProperties(info.physicalDevice, &properties);
        sg::vk::Capabilities caps;
        caps.deviceName = properties.deviceName;
        caps.apiVersion = std::min(withoutPatch(info.apiVersion), withoutPatch(properties.apiVersion));
        SG_CHECK(caps.apiVersion >= VK_API_VERSION_1_1, SG_ERROR_UNSUPPORTED,
                 caps.deviceName + " supports Vulkan " + versionText(properties.apiVersion) +
                     "; the SDK needs Vulkan 1.1 or later");
        const Enabled enabled = readDeviceCreateInfo(*info.pDeviceCreateInfo, caps.apiVersion);
        if (SgResult r = checkQueueFamily(call, fn, info.physicalDevice, info.queueFamilyIndex, enabled);
            r != SG_SUCCESS)
            return r;
        SG_CHECK(enabled.timelineSemaphore, SG_ERROR_UNSUPPORTED,
                 "the timelineSemaphore feature is not enabled on the device (VkPhysicalDeviceVulkan12Features or "
                 "VkPhysicalDeviceTimelineSemaphoreFeatures in pDeviceCreateInfo's pNext chain); the SDK's "
                 "submissions signal timeline semaphores");
        caps.synchronization2 = enabled.synchronization2;
        const std::set<std::string> supported = supportedExtensions(fn, info.physicalDevice);
        caps.externalMemoryFdSupported = supported.count(VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME) == 1;
        caps.externalMemoryFdEnabled = enabled.extensions.count(VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME) == 1;
        caps.externalSemaphoreFdSupported = supported.count(VK_KHR_EXTERNAL_SEMAPHORE_FD_EXTENSION_NAME) == 1;
        caps.externalSemaphoreFdEnabled = enabled.extensions.count(VK_KHR_EXTERNAL_SEMAPHORE_FD_EXTENSION_NAME) == 1;
        caps.timelineExport = caps.externalSemaphoreFdEnabled && timelineExportable(fn, info.physicalDevice);
        fn.vkGetPhysicalDeviceMemoryProperties(info.physicalDevice, &caps.memory);
        caps.nonCoherentAtomSize = properties.limits.nonCoherentAtomSize;
        if (SgResult r = sg::vk::loadDeviceFunctions(call, info.device, caps.apiVersion, caps.synchronization2, &fn);
            r != SG_SUCCESS)
            return r;

        const VkDeviceSize budget = info.stagingBudget ? info.stagingBudget : kDefaultStagingBudget;
        SgVulkanDevice device = nullptr;
        try {
            device = context->allocator.create<SgVulkanDevice_T>(context, info, fn, caps, budget);
        } catch (const std::bad_alloc&) {
            return call.fail(SG_ERROR_OUT_OF_MEMORY, "out of host memory for the Vulkan device");
        }
        try {
            choosePath(device, *context->backend);
        } catch (...) {
            context->allocator.destroy(device);
            throw;
        }
        context->log(SG_LOG_LEVEL_INFO, "Vulkan device " + caps.deviceName + " (Vulkan " +
                                            versionText(caps.apiVersion) + ", " +
                                            (caps.synchronization2 ? "synchronization2" : "classic barriers") +
                                            "): " + device->pathDescription);
        *pDevice = device;
        return SG_SUCCESS;
    });
}

SG_API void sgDestroyVulkanDevice(SgContext context, SgVulkanDevice device) {
    if (!device) return;
    sg::guardVoid(context, "sgDestroyVulkanDevice", [&](const sg::ApiCall&) {
        if (device->context != context) {
            if (context)
                context->log(SG_LOG_LEVEL_ERROR,
                             "sgDestroyVulkanDevice: the device belongs to another context; it was left alone");
            return;
        }
        context->allocator.destroy(device);
    });
}

SG_API SgResult sgGetVulkanDeviceInfo(SgVulkanDevice device, SgVulkanDeviceInfo* pInfo) {
    return sg::guard(device ? device->context : nullptr, "sgGetVulkanDeviceInfo", [&](const sg::ApiCall& call) {
        SG_CHECK(device != nullptr, SG_ERROR_INVALID_ARGUMENT, "device is NULL");
        SG_CHECK(pInfo != nullptr, SG_ERROR_INVALID_ARGUMENT, "pInfo is NULL");
        SG_CHECK(
            pInfo->sType == SG_STRUCTURE_TYPE_VULKAN_DEVICE_INFO, SG_ERROR_INVALID_ARGUMENT,
            "pInfo->sType is " + std::to_string(int(pInfo->sType)) + ", expected SG_STRUCTURE_TYPE_VULKAN_DEVICE_INFO");
        pInfo->path = device->path;
        pInfo->pPathDescription = device->pathDescription.c_str();
        pInfo->synchronization2 = device->caps.synchronization2 ? SG_TRUE : SG_FALSE;
        pInfo->exportableImages = device->caps.externalMemoryFdEnabled ? SG_TRUE : SG_FALSE;
        pInfo->stagingBudget = device->staging.budget();
        return SG_SUCCESS;
    });
}

}  // extern "C"
