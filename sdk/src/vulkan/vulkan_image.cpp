// vulkan_image.cpp - sgCreateVulkanImage / sgDestroyVulkanImage: images the
// SDK allocates for the application, optionally with exportable memory.
#include <algorithm>
#include <cstdio>

#include "context.hpp"
#include "vulkan/memory_types.hpp"
#include "vulkan/target_formats.hpp"
#include "vulkan/vulkan_device.hpp"

namespace {

uint32_t fullMipChain(uint32_t width, uint32_t height) {
    uint32_t levels = 1;
    for (uint32_t side = std::max(width, height); side > 1; side >>= 1) ++levels;
    return levels;
}

SgResult checkImageCreateInfo(const sg::ApiCall& call, const SgVulkanImageCreateInfo& info) {
    SG_CHECK(sg::vk::findTargetFormat(info.format) != nullptr, SG_ERROR_INVALID_ARGUMENT,
             "pCreateInfo->format " + std::to_string(int(info.format)) + " is not one of " + sg::vk::kTargetFormatList);
    SG_CHECK(
        info.width >= 1 && info.height >= 1 && info.width <= SG_MAX_IMAGE_EXTENT && info.height <= SG_MAX_IMAGE_EXTENT,
        SG_ERROR_INVALID_ARGUMENT,
        "pCreateInfo->width x height is " + std::to_string(info.width) + "x" + std::to_string(info.height) +
            "; each must be 1.." + std::to_string(SG_MAX_IMAGE_EXTENT));
    const uint32_t maxLevels = fullMipChain(info.width, info.height);
    SG_CHECK(info.mipLevels <= maxLevels, SG_ERROR_INVALID_ARGUMENT,
             "pCreateInfo->mipLevels is " + std::to_string(info.mipLevels) + "; a " + std::to_string(info.width) + "x" +
                 std::to_string(info.height) + " image has at most " + std::to_string(maxLevels));
    return SG_SUCCESS;
}

// Checks the device supports the image, with OPAQUE_FD export when asked.
SgResult checkSupport(const sg::ApiCall& call, SgVulkanDevice device, const VkImageCreateInfo& imageInfo,
                      bool exportable) {
    VkPhysicalDeviceExternalImageFormatInfo externalInfo{};
    externalInfo.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_IMAGE_FORMAT_INFO;
    externalInfo.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT;
    VkPhysicalDeviceImageFormatInfo2 formatInfo{};
    formatInfo.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_IMAGE_FORMAT_INFO_2;
    formatInfo.pNext = exportable ? &externalInfo : nullptr;
    formatInfo.format = imageInfo.format;
    formatInfo.type = imageInfo.imageType;
    formatInfo.tiling = imageInfo.tiling;
    formatInfo.usage = imageInfo.usage;
    formatInfo.flags = imageInfo.flags;
    VkExternalImageFormatProperties externalProperties{};
    externalProperties.sType = VK_STRUCTURE_TYPE_EXTERNAL_IMAGE_FORMAT_PROPERTIES;
    VkImageFormatProperties2 properties{};
    properties.sType = VK_STRUCTURE_TYPE_IMAGE_FORMAT_PROPERTIES_2;
    properties.pNext = exportable ? &externalProperties : nullptr;
    const VkResult result =
        device->fn.vkGetPhysicalDeviceImageFormatProperties2(device->physicalDevice, &formatInfo, &properties);
    char usage[16];
    std::snprintf(usage, sizeof(usage), "0x%x", unsigned(imageInfo.usage));
    const std::string what =
        sg::vk::findTargetFormat(imageInfo.format)->name + std::string(" images with usage ") + usage;
    SG_CHECK(result != VK_ERROR_FORMAT_NOT_SUPPORTED, SG_ERROR_UNSUPPORTED,
             device->caps.deviceName + " does not support " + what + (exportable ? " with OPAQUE_FD export" : ""));
    SG_VK_CHECK(result);
    const VkImageFormatProperties& limits = properties.imageFormatProperties;
    SG_CHECK(imageInfo.extent.width <= limits.maxExtent.width && imageInfo.extent.height <= limits.maxExtent.height &&
                 imageInfo.mipLevels <= limits.maxMipLevels && imageInfo.arrayLayers <= limits.maxArrayLayers,
             SG_ERROR_UNSUPPORTED,
             device->caps.deviceName + " supports " + what + " up to " + std::to_string(limits.maxExtent.width) + "x" +
                 std::to_string(limits.maxExtent.height) + ", " + std::to_string(limits.maxMipLevels) +
                 " mip levels and " + std::to_string(limits.maxArrayLayers) + " array layers");
    if (exportable)
        SG_CHECK(externalProperties.externalMemoryProperties.externalMemoryFeatures &
                     VK_EXTERNAL_MEMORY_FEATURE_EXPORTABLE_BIT,
                 SG_ERROR_UNSUPPORTED,
                 device->caps.deviceName + " cannot export the memory of " + what + " as OPAQUE_FD");
    return SG_SUCCESS;
}

SgResult createImage(const sg::ApiCall& call, SgVulkanDevice device, const SgVulkanImageCreateInfo& info,
                     sg::vk::OwnedImage* out) {
    const bool exportable = info.exportable != SG_FALSE;
    SG_CHECK(!exportable || device->caps.externalMemoryFdEnabled, SG_ERROR_UNSUPPORTED,
             "exportable images need " VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME " enabled on the device; it " +
                 std::string(device->caps.externalMemoryFdSupported ? "is supported by " : "is not supported by ") +
                 device->caps.deviceName + (device->caps.externalMemoryFdSupported ? " but not enabled" : ""));
    VkExternalMemoryImageCreateInfo externalInfo{};
    externalInfo.sType = VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_IMAGE_CREATE_INFO;
    externalInfo.handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT;
    VkImageCreateInfo imageInfo{};
    imageInfo.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO;
    imageInfo.pNext = exportable ? &externalInfo : nullptr;
    imageInfo.imageType = VK_IMAGE_TYPE_2D;
    imageInfo.format = info.format;
    imageInfo.extent = {info.width, info.height, 1};
    imageInfo.mipLevels = info.mipLevels ? info.mipLevels : 1;
    imageInfo.arrayLayers = info.arrayLayers ? info.arrayLayers : 1;
    imageInfo.samples = VK_SAMPLE_COUNT_1_BIT;
    imageInfo.tiling = VK_IMAGE_TILING_OPTIMAL;
    imageInfo.usage = info.usage | VK_IMAGE_USAGE_TRANSFER_DST_BIT;
    imageInfo.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    imageInfo.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
    if (SgResult r = checkSupport(call, device, imageInfo, exportable); r != SG_SUCCESS) return r;

    const sg::vk::Functions& fn = device->fn;
    sg::vk::OwnedImage image;
    image.format = info.format;
    image.width = info.width;
    image.height = info.height;
    image.mipLevels = imageInfo.mipLevels;
    image.arrayLayers = imageInfo.arrayLayers;
    image.usage = imageInfo.usage;
    image.exportable = exportable;
    // Destroys what was made so far if a later step fails.
    struct Cleanup {
        SgVulkanDevice device;
        sg::vk::OwnedImage* image;
        ~Cleanup() {
            if (image) device->destroyImage(*image);
        }
    } cleanup{device, &image};

    SG_VK_CHECK(fn.vkCreateImage(device->device, &imageInfo, device->vulkanAllocator, &image.image));
    VkMemoryRequirements requirements{};
    fn.vkGetImageMemoryRequirements(device->device, image.image, &requirements);
    const int32_t type = sg::vk::findMemoryType(device->caps.memory, requirements.memoryTypeBits,
                                                {VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 0});
    SG_CHECK(type >= 0, SG_ERROR_UNSUPPORTED, "the device reports no memory type for the image");
    // A dedicated allocation: what external-memory importers (CUDA) expect, and
    // the SDK is no sub-allocator.
    VkMemoryDedicatedAllocateInfo dedicated{};
    dedicated.sType = VK_STRUCTURE_TYPE_MEMORY_DEDICATED_ALLOCATE_INFO;
    dedicated.image = image.image;
    VkExportMemoryAllocateInfo exportInfo{};
    exportInfo.sType = VK_STRUCTURE_TYPE_EXPORT_MEMORY_ALLOCATE_INFO;
    exportInfo.handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT;
    if (exportable) dedicated.pNext = &exportInfo;
    VkMemoryAllocateInfo allocateInfo{};
    allocateInfo.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
    allocateInfo.pNext = &dedicated;
    allocateInfo.allocationSize = requirements.size;
    allocateInfo.memoryTypeIndex = uint32_t(type);
    SG_VK_CHECK(fn.vkAllocateMemory(device->device, &allocateInfo, device->vulkanAllocator, &image.memory));
    SG_VK_CHECK(fn.vkBindImageMemory(device->device, image.image, image.memory, 0));
    image.memorySize = requirements.size;
    *out = image;
    cleanup.image = nullptr;
    return SG_SUCCESS;
}

}  // namespace

extern "C" {

SG_API SgResult sgCreateVulkanImage(SgVulkanDevice device, const SgVulkanImageCreateInfo* pCreateInfo,
                                    SgVulkanImage* pImage) {
    return sg::guard(device ? device->context : nullptr, "sgCreateVulkanImage", [&](const sg::ApiCall& call) {
        SG_CHECK(device != nullptr, SG_ERROR_INVALID_ARGUMENT, "device is NULL");
        SG_CHECK(pImage != nullptr, SG_ERROR_INVALID_ARGUMENT, "pImage is NULL");
        SG_CHECK(
            pImage->sType == SG_STRUCTURE_TYPE_VULKAN_IMAGE, SG_ERROR_INVALID_ARGUMENT,
            "pImage->sType is " + std::to_string(int(pImage->sType)) + ", expected SG_STRUCTURE_TYPE_VULKAN_IMAGE");
        pImage->image = VK_NULL_HANDLE;
        pImage->memory = VK_NULL_HANDLE;
        pImage->memorySize = 0;
        SG_CHECK(pCreateInfo != nullptr, SG_ERROR_INVALID_ARGUMENT, "pCreateInfo is NULL");
        SG_CHECK(pCreateInfo->sType == SG_STRUCTURE_TYPE_VULKAN_IMAGE_CREATE_INFO, SG_ERROR_INVALID_ARGUMENT,
                 "pCreateInfo->sType is " + std::to_string(int(pCreateInfo->sType)) +
                     ", expected SG_STRUCTURE_TYPE_VULKAN_IMAGE_CREATE_INFO");
        if (SgResult r = checkImageCreateInfo(call, *pCreateInfo); r != SG_SUCCESS) return r;
        sg::vk::OwnedImage image;
        if (SgResult r = createImage(call, device, *pCreateInfo, &image); r != SG_SUCCESS) return r;
        try {
            device->addImage(image);
        } catch (...) {
            device->destroyImage(image);
            throw;
        }
        pImage->image = image.image;
        pImage->memory = image.memory;
        pImage->memorySize = image.memorySize;
        return SG_SUCCESS;
    });
}

SG_API void sgDestroyVulkanImage(SgVulkanDevice device, VkImage image) {
    if (!device || image == VK_NULL_HANDLE) return;
    sg::guardVoid(device->context, "sgDestroyVulkanImage", [&](const sg::ApiCall&) {
        sg::vk::OwnedImage owned;
        if (!device->takeImage(image, &owned)) {
            device->context->log(SG_LOG_LEVEL_ERROR,
                                 "sgDestroyVulkanImage: the image was not made by sgCreateVulkanImage on this "
                                 "device; it was left alone");
            return;
        }
        if (device->external) device->external->forget(image);
        device->destroyImage(owned);
    });
}

}  // extern "C"
