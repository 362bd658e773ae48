// external_path.hpp - the external-memory path: the context's GPU backend
// (a plugin with an SgpInteropTable, i.e. CUDA) writes generated images
// straight into the targets' exported memory and signals a timeline
// semaphore the application's submission waits on.
//
//   std::string why;
//   auto path = ExternalPath::create(fn, device, physicalDevice, allocator, backend, &why);
//   // null: cpu-staging, and why says why
//   uint64_t value;
//   path->write(call, model, generateInfo, request, images, info, &value);  // queued on the GPU, not waited for
//   // the submission waits on path->semaphore() >= value
//
// Images sgCreateVulkanImage made are imported into the backend once and kept
// until they are destroyed; application images (SgVulkanExternalImageInfo
// with pImageCreateInfo) are imported for each call, since the SDK cannot
// know when the application frees them. The application's imagesReady
// semaphore is imported for each call too. Every import is released once the
// backend's queued work no longer needs it.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "backend.hpp"
#include "generate.hpp"
#include "stylegen/stylegen_vulkan.h"
#include "vulkan/vulkan_functions.hpp"

namespace sg::vk {

// How a target's image was created, as far as importing it needs.
struct ExportedImage {
    VkImage image = VK_NULL_HANDLE;
    VkDeviceMemory memory = VK_NULL_HANDLE;
    VkDeviceSize memoryOffset = 0;
    VkDeviceSize allocationSize = 0;
    bool dedicated = false;
    bool ownedBySdk = false;  // made by sgCreateVulkanImage: imported once and cached
    VkFormat format = VK_FORMAT_UNDEFINED;
    uint32_t width = 0, height = 0, mipLevels = 1, arrayLayers = 1;
    bool colorAttachment = false;
    bool concurrent = false;  // VK_SHARING_MODE_CONCURRENT
};

class ExternalPath {
public:
    // The path on this device, or nullptr with *why (each reason it cannot be
    // used, "; "-separated) when the backend has no Vulkan interop, runs on
    // another GPU, or the timeline semaphore cannot be shared with it.
    static std::unique_ptr<ExternalPath> create(const Functions& fn, VkDevice device, VkPhysicalDevice physicalDevice,
                                                const VkAllocationCallbacks* allocator, const Backend& backend,
                                                std::string* why);
    // Releases every import and destroys the semaphore.
    ~ExternalPath();
    ExternalPath(const ExternalPath&) = delete;
    ExternalPath& operator=(const ExternalPath&) = delete;

    // The timeline semaphore the backend signals when a call's images are written.
    VkSemaphore semaphore() const { return semaphore_; }

    // Queues the generation of request's images into images[i] at targets[i]
    // (mip level, layer, offset), after waiting for imagesReady when set, and
    // returns the value semaphore() reaches once they are written. Calls are
    // serialised, so the values increase in the order the backend executes them.
    SgResult write(const ApiCall& call, SgModel model, const SgGenerateInfo& info, const GenerateRequest& request,
                   const std::vector<ExportedImage>& images, const SgVulkanGenerateInfo& vulkanInfo,
                   uint64_t* value);

    // An image sgCreateVulkanImage made is about to be destroyed: release its import.
    void forget(VkImage image);

private:
    ExternalPath(const Functions& fn, VkDevice device, const VkAllocationCallbacks* allocator, const Backend& backend)
        : fn_(fn), device_(device), allocator_(allocator), backend_(backend) {}
    SgResult importImage(const ApiCall& call, const ExportedImage& image, SgpInteropImage* out);
    SgResult importSemaphore(const ApiCall& call, VkSemaphore semaphore, SgpInteropSemaphore* out);

    const Functions& fn_;
    const VkDevice device_;
    const VkAllocationCallbacks* const allocator_;
    const Backend& backend_;
    PFN_vkGetMemoryFdKHR getMemoryFd_ = nullptr;
    PFN_vkGetSemaphoreFdKHR getSemaphoreFd_ = nullptr;
    VkSemaphore semaphore_ = VK_NULL_HANDLE;
    SgpInteropSemaphore imported_ = nullptr;

    std::mutex mutex_;  // everything below; write() runs one call at a time
    uint64_t lastValue_ = 0;
    std::unordered_map<VkImage, SgpInteropImage> cached_;
};

}  // namespace sg::vk
