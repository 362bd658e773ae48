// external_path.cpp - see external_path.hpp.
#include "vulkan/external_path.hpp"

#include <cstring>

#include <unistd.h>

#include "model.hpp"

namespace sg::vk {
namespace {

constexpr size_t kErrorSize = 512;

SgpPixelEncoding encodingOf(VkFormat format) {
    switch (format) {
        case VK_FORMAT_R16G16B16A16_SFLOAT:
            return SGP_PIXEL_RGBA16_SFLOAT;
        case VK_FORMAT_R32G32B32A32_SFLOAT:
            return SGP_PIXEL_RGBA32_SFLOAT;
        default:
            return SGP_PIXEL_RGBA8_UNORM;
    }
}

std::string pluginMessage(const char* message) { return message[0] ? message : "no reason given"; }

// Closes a file descriptor when it goes out of scope (the backend imports duplicates).
struct FileDescriptor {
    int fd = -1;
    ~FileDescriptor() {
        if (fd >= 0) close(fd);
    }
};

}  // namespace

std::unique_ptr<ExternalPath> ExternalPath::create(const Functions& fn, VkDevice device,
                                                   VkPhysicalDevice physicalDevice,
                                                   const VkAllocationCallbacks* allocator, const Backend& backend,
                                                   std::string* why) {
    const SgpInteropTable& table = *backend.interop();
    VkPhysicalDeviceIDProperties id{};
    id.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES;
    VkPhysicalDeviceProperties2 properties{};
    properties.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2;
    properties.pNext = &id;
    fn.vkGetPhysicalDeviceProperties2(physicalDevice, &properties);
    const std::string deviceName = properties.properties.deviceName;
    const std::string backendName = "the context's " + backend.name() + " backend";

    char message[kErrorSize] = "";
    uint8_t uuid[VK_UUID_SIZE] = {};
    if (table.getDeviceUuid(backend.handle(), uuid, message, sizeof(message)) != SGP_SUCCESS) {
        *why = backendName + " cannot name its GPU: " + pluginMessage(message);
        return nullptr;
    }
    if (std::memcmp(uuid, id.deviceUUID, VK_UUID_SIZE) != 0) {
        *why = backendName + " runs on another GPU than " + deviceName + " (the device UUIDs differ)";
        return nullptr;
    }

    std::unique_ptr<ExternalPath> path(new ExternalPath(fn, device, allocator, backend));
    path->getMemoryFd_ = reinterpret_cast<PFN_vkGetMemoryFdKHR>(fn.vkGetDeviceProcAddr(device, "vkGetMemoryFdKHR"));
    path->getSemaphoreFd_ =
        reinterpret_cast<PFN_vkGetSemaphoreFdKHR>(fn.vkGetDeviceProcAddr(device, "vkGetSemaphoreFdKHR"));
    if (!path->getMemoryFd_ || !path->getSemaphoreFd_) {
        *why = "vkGetDeviceProcAddr returned NULL for vkGetMemoryFdKHR or vkGetSemaphoreFdKHR";
        return nullptr;
    }
    VkExportSemaphoreCreateInfo exportInfo{};
    exportInfo.sType = VK_STRUCTURE_TYPE_EXPORT_SEMAPHORE_CREATE_INFO;
    exportInfo.handleTypes = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT;
    VkSemaphoreTypeCreateInfo timeline{};
    timeline.sType = VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO;
    timeline.pNext = &exportInfo;
    timeline.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE;
    VkSemaphoreCreateInfo semaphoreInfo{};
    semaphoreInfo.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO;
    semaphoreInfo.pNext = &timeline;
    if (VkResult r = fn.vkCreateSemaphore(device, &semaphoreInfo, allocator, &path->semaphore_); r != VK_SUCCESS) {
        path->semaphore_ = VK_NULL_HANDLE;
        *why = "creating an exportable timeline semaphore failed with " + resultName(r);
        return nullptr;
    }
    FileDescriptor fd;
    VkSemaphoreGetFdInfoKHR fdInfo{};
    fdInfo.sType = VK_STRUCTURE_TYPE_SEMAPHORE_GET_FD_INFO_KHR;
    fdInfo.semaphore = path->semaphore_;
    fdInfo.handleType = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT;
    if (VkResult r = path->getSemaphoreFd_(device, &fdInfo, &fd.fd); r != VK_SUCCESS) {
        *why = "vkGetSemaphoreFdKHR failed with " + resultName(r);
        return nullptr;
    }
    if (table.importSemaphore(backend.handle(), fd.fd, &path->imported_, message, sizeof(message)) != SGP_SUCCESS) {
        path->imported_ = nullptr;
        *why = backendName + " cannot import a Vulkan timeline semaphore: " + pluginMessage(message);
        return nullptr;
    }
    return path;
}

ExternalPath::~ExternalPath() {
    const SgpInteropTable& table = *backend_.interop();
    for (const auto& entry : cached_) table.releaseImage(backend_.handle(), entry.second);
    if (imported_) table.releaseSemaphore(backend_.handle(), imported_);
    if (semaphore_) fn_.vkDestroySemaphore(device_, semaphore_, allocator_);
}

void ExternalPath::forget(VkImage image) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = cached_.find(image);
    if (it == cached_.end()) return;
    backend_.interop()->releaseImage(backend_.handle(), it->second);
    cached_.erase(it);
}

SgResult ExternalPath::importImage(const ApiCall& call, const ExportedImage& image, SgpInteropImage* out) {
    FileDescriptor fd;
    VkMemoryGetFdInfoKHR fdInfo{};
    fdInfo.sType = VK_STRUCTURE_TYPE_MEMORY_GET_FD_INFO_KHR;
    fdInfo.memory = image.memory;
    fdInfo.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT;
    SG_VK_CHECK(getMemoryFd_(device_, &fdInfo, &fd.fd));
    SgpInteropImageDesc desc{};
    desc.fd = fd.fd;
    desc.allocationSize = image.allocationSize;
    desc.memoryOffset = image.memoryOffset;
    desc.dedicated = image.dedicated ? 1u : 0u;
    desc.encoding = encodingOf(image.format);
    desc.width = image.width;
    desc.height = image.height;
    desc.mipLevels = image.mipLevels;
    desc.arrayLayers = image.arrayLayers;
    desc.colorAttachment = image.colorAttachment ? 1u : 0u;
    char message[kErrorSize] = "";
    const SgpResult r = backend_.interop()->importImage(backend_.handle(), &desc, out, message, sizeof(message));
    if (r != SGP_SUCCESS)
        return call.fail(fromPluginResult(r), "the " + backend_.name() + " backend cannot import an image's memory: " +
                                                  pluginMessage(message));
    return SG_SUCCESS;
}

SgResult ExternalPath::importSemaphore(const ApiCall& call, VkSemaphore semaphore, SgpInteropSemaphore* out) {
    FileDescriptor fd;
    VkSemaphoreGetFdInfoKHR fdInfo{};
    fdInfo.sType = VK_STRUCTURE_TYPE_SEMAPHORE_GET_FD_INFO_KHR;
    fdInfo.semaphore = semaphore;
    fdInfo.handleType = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT;
    SG_VK_CHECK(getSemaphoreFd_(device_, &fdInfo, &fd.fd));
    char message[kErrorSize] = "";
    const SgpResult r = backend_.interop()->importSemaphore(backend_.handle(), fd.fd, out, message, sizeof(message));
    if (r != SGP_SUCCESS)
        return call.fail(fromPluginResult(r), "the " + backend_.name() +
                                                  " backend cannot import pInfo->imagesReadySemaphore: " +
                                                  pluginMessage(message));
    return SG_SUCCESS;
}

SgResult ExternalPath::write(const ApiCall& call, SgModel model, const SgGenerateInfo& info,
                             const GenerateRequest& request, const std::vector<ExportedImage>& images,
                             const SgVulkanGenerateInfo& vulkanInfo, uint64_t* value) {
    const SgpInteropTable& table = *backend_.interop();
    std::lock_guard<std::mutex> lock(mutex_);
    // Imports made for this call only; released when it returns (the backend
    // keeps them until the work it queued is done).
    struct CallImports {
        const SgpInteropTable& table;
        SgpBackend backend;
        std::vector<SgpInteropImage> images;
        SgpInteropSemaphore wait = nullptr;
        ~CallImports() {
            for (SgpInteropImage image : images) table.releaseImage(backend, image);
            if (wait) table.releaseSemaphore(backend, wait);
        }
    } imports{table, backend_.handle(), {}, nullptr};

    std::unordered_map<VkImage, SgpInteropImage> forCall;
    for (const ExportedImage& image : images) {
        if (forCall.count(image.image)) continue;
        SgpInteropImage imported = nullptr;
        if (const auto it = cached_.find(image.image); image.ownedBySdk && it != cached_.end()) {
            imported = it->second;
        } else {
            if (SgResult r = importImage(call, image, &imported); r != SG_SUCCESS) return r;
            if (image.ownedBySdk)
                cached_[image.image] = imported;
            else
                imports.images.push_back(imported);
        }
        forCall[image.image] = imported;
    }
    if (vulkanInfo.imagesReadySemaphore != VK_NULL_HANDLE)
        if (SgResult r = importSemaphore(call, vulkanInfo.imagesReadySemaphore, &imports.wait); r != SG_SUCCESS)
            return r;

    std::vector<SgpInteropTarget> targets(info.count);
    for (uint32_t i = 0; i < info.count; ++i) {
        const SgVulkanImageTarget& t = vulkanInfo.pTargets[i];
        targets[i].image = forCall.at(images[i].image);
        targets[i].mipLevel = t.mipLevel;
        targets[i].arrayLayer = t.arrayLayer;
        targets[i].x = uint32_t(t.offset.x);
        targets[i].y = uint32_t(t.offset.y);
    }
    BatchSeeds seeds;
    const SgpBatch batch = makeBatch(model->data, info, request, 0, info.count, &seeds);
    SgpInteropWrite write{};
    write.pTargets = targets.data();
    write.straightAlpha = info.alphaMode == SG_ALPHA_MODE_STRAIGHT ? 1u : 0u;
    write.waitSemaphore = imports.wait;
    write.waitValue = vulkanInfo.imagesReadyValue;
    write.signalSemaphore = imported_;
    // A value is used once even if the call fails: a later, larger one satisfies any wait.
    write.signalValue = ++lastValue_;
    char message[kErrorSize] = "";
    const SgpResult r =
        table.generateToImages(backend_.handle(), model->prepared, &batch, &write, message, sizeof(message));
    if (r != SGP_SUCCESS)
        return call.fail(fromPluginResult(r), "the " + backend_.name() + " backend failed: " + pluginMessage(message));
    *value = write.signalValue;
    return SG_SUCCESS;
}

}  // namespace sg::vk
