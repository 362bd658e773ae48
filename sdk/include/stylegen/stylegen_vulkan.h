/* stylegen_vulkan.h - the Vulkan extension of the stylegen C ABI, version 1.
 * Copyright (c) 2025 the stylegen authors. SPDX-License-Identifier: MIT
 *
 * Generates textures straight into the application's VkImages. The application
 * owns the VkInstance, VkPhysicalDevice, VkDevice, its queues and command
 * buffers; the SDK records its work into a command buffer the application
 * gives it and tells the application which semaphores that submission must
 * wait on and signal. libstylegen never links the Vulkan loader: it loads every
 * Vulkan function through the vkGetInstanceProcAddr the application passes.
 *
 * Two paths, one application code (sgGetVulkanDeviceInfo says which is active
 * and why):
 *   - cpu-staging: the context's backend writes the pixels into a host-visible
 *     staging buffer owned by the SDK, and the SDK records barriers and
 *     vkCmdCopyBufferToImage into the application's command buffer. The pixels
 *     are byte-identical to sgGenerate into host memory for the same request.
 *   - external-memory (a GPU plugin with Vulkan interop: CUDA): the backend
 *     writes the images through their exported memory (OPAQUE_FD) on the GPU
 *     and signals a timeline semaphore the submission waits on; the commands
 *     the SDK records are then only the acquire from VK_QUEUE_FAMILY_EXTERNAL
 *     and the layout transitions. A call whose targets cannot be written in
 *     place (not exportable, or oldLayout UNDEFINED) is staged instead.
 * The CUDA part of external-memory is untested on hardware in this version.
 *
 * Usage (error handling shortened; `gpu` is the application's own state):
 *
 *   #include <stylegen/stylegen_vulkan.h>
 *
 *   typedef struct AppGpu {
 *       VkInstance instance;
 *       VkPhysicalDevice physicalDevice;
 *       VkDevice device;
 *       const VkDeviceCreateInfo* pDeviceCreateInfo; // what vkCreateDevice got
 *       uint32_t queueFamily;
 *       VkQueue queue;
 *       VkCommandBuffer cmd;                         // in the recording state
 *       VkFence fence;
 *       VkImage textures[4];                         // 16x16 R8G8B8A8_UNORM, TRANSFER_DST usage
 *   } AppGpu;
 *
 *   SgResult makeTextures(SgContext ctx, SgModel model, const AppGpu* gpu) {
 *       SgVulkanDeviceCreateInfo dci = {.sType = SG_STRUCTURE_TYPE_VULKAN_DEVICE_CREATE_INFO};
 *       SgVulkanDevice vk = NULL;
 *       SgGenerateInfo gi = {.sType = SG_STRUCTURE_TYPE_GENERATE_INFO};
 *       SgVulkanImageTarget targets[4];
 *       SgVulkanGenerateInfo vgi = {.sType = SG_STRUCTURE_TYPE_VULKAN_GENERATE_INFO};
 *       SgVulkanSubmitSync sync = {.sType = SG_STRUCTURE_TYPE_VULKAN_SUBMIT_SYNC};
 *       dci.instance = gpu->instance;
 *       dci.physicalDevice = gpu->physicalDevice;
 *       dci.device = gpu->device;
 *       dci.pDeviceCreateInfo = gpu->pDeviceCreateInfo;
 *       dci.apiVersion = VK_API_VERSION_1_3;      // the instance's VkApplicationInfo::apiVersion
 *       dci.queueFamilyIndex = gpu->queueFamily;
 *       dci.pfnGetInstanceProcAddr = vkGetInstanceProcAddr;
 *       SgResult result = sgCreateVulkanDevice(ctx, &dci, &vk);
 *       if (result != SG_SUCCESS) return result;  // sgGetLastErrorMessage(ctx) says why
 *
 *       gi.count = 4;
 *       gi.firstSeed = 7;
 *       gi.truncationPsi = 1.0f;
 *       gi.noiseStrength = 1.0f;
 *       gi.format = SG_FORMAT_R8G8B8A8_UNORM;
 *       for (uint32_t i = 0; i < 4; ++i) {
 *           SgVulkanImageTarget t = {.sType = SG_STRUCTURE_TYPE_VULKAN_IMAGE_TARGET};
 *           t.image = gpu->textures[i];
 *           t.format = VK_FORMAT_R8G8B8A8_UNORM;
 *           t.imageExtent.width = 16;
 *           t.imageExtent.height = 16;
 *           t.oldLayout = VK_IMAGE_LAYOUT_UNDEFINED;                  // previous contents are discarded
 *           t.newLayout = VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL;
 *           t.dstStageMask = VK_PIPELINE_STAGE_2_FRAGMENT_SHADER_BIT; // then sampled
 *           t.dstAccessMask = VK_ACCESS_2_SHADER_SAMPLED_READ_BIT;
 *           targets[i] = t;
 *       }
 *       vgi.model = model;
 *       vgi.pGenerateInfo = &gi;
 *       vgi.commandBuffer = gpu->cmd;
 *       vgi.targetCount = 4;
 *       vgi.pTargets = targets;
 *       result = sgCmdGenerateVulkanImages(vk, &vgi, &sync);
 *       if (result == SG_SUCCESS) {
 *           // The same submission code serves both paths: wait on sync.waitSemaphore
 *           // if it is set, always signal sync.signalSemaphore.
 *           VkSemaphoreSubmitInfo wait = {.sType = VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO};
 *           VkSemaphoreSubmitInfo signal = {.sType = VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO};
 *           VkCommandBufferSubmitInfo cbi = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_SUBMIT_INFO};
 *           VkSubmitInfo2 submit = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO_2};
 *           wait.semaphore = sync.waitSemaphore;
 *           wait.value = sync.waitValue;
 *           wait.stageMask = sync.waitStageMask;
 *           signal.semaphore = sync.signalSemaphore;
 *           signal.value = sync.signalValue;
 *           signal.stageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
 *           cbi.commandBuffer = gpu->cmd;
 *           submit.waitSemaphoreInfoCount = sync.waitSemaphore != VK_NULL_HANDLE ? 1 : 0;
 *           submit.pWaitSemaphoreInfos = &wait;
 *           submit.commandBufferInfoCount = 1;
 *           submit.pCommandBufferInfos = &cbi;
 *           submit.signalSemaphoreInfoCount = 1;
 *           submit.pSignalSemaphoreInfos = &signal;
 *           vkEndCommandBuffer(gpu->cmd);
 *           vkQueueSubmit2(gpu->queue, 1, &submit, gpu->fence);
 *           vkWaitForFences(gpu->device, 1, &gpu->fence, VK_TRUE, UINT64_MAX);
 *       }
 *       sgDestroyVulkanDevice(ctx, vk); // only once the GPU is done with what it recorded
 *       return result;
 *   }
 *
 * Contract in short (docs/vulkan.md has the long form)
 *   - Who owns what: the application owns its instance, device, queues,
 *     command buffers and images, and keeps them alive while the SDK uses
 *     them. The SDK owns its staging buffers, their memory and their timeline
 *     semaphores, and the images made with sgCreateVulkanImage; the
 *     application destroys those with sgDestroyVulkanImage/sgDestroyVulkanDevice.
 *   - Queue: commandBuffer is submitted to a queue of the queueFamilyIndex
 *     given at sgCreateVulkanDevice. The recorded commands contain no queue
 *     family ownership transfer: target images must be usable on that family
 *     (VK_SHARING_MODE_CONCURRENT including it, or EXCLUSIVE and owned by it).
 *   - Order on the GPU: the recorded commands open with an image barrier per
 *     target from (srcStageMask, srcAccessMask, oldLayout) and close with one to
 *     (dstStageMask, dstAccessMask, newLayout), so they are ordered against the
 *     application's earlier and later commands on the same queue.
 *   - Who waits on what: the submission that executes the recorded commands
 *     waits on waitSemaphore >= waitValue when that is not VK_NULL_HANDLE
 *     (external-memory path: the backend has finished writing), and signals
 *     signalSemaphore = signalValue (a timeline semaphore). The SDK reuses that
 *     call's staging memory once it sees that value reached, and not before;
 *     it never waits on the host.
 *   - Host threads: every function may be called from any thread; functions
 *     on one SgVulkanDevice may run concurrently with each other, except
 *     sgDestroyVulkanDevice. Vulkan's external-synchronisation rules still hold
 *     for what the application passes in (one thread records into a command
 *     buffer at a time).
 *   - Errors: as in stylegen.h, an SgResult plus sgGetLastErrorMessage(context)
 *     of the context the SgVulkanDevice was created from.
 *
 * Index
 *   [SECTION] Handles
 *   [SECTION] Enums
 *   [SECTION] Structs
 *   [SECTION] Functions
 *   [SECTION] Function pointer types
 */
#ifndef STYLEGEN_VULKAN_H_
#define STYLEGEN_VULKAN_H_ 1

#include <vulkan/vulkan.h>

#include "stylegen.h"

#ifdef __cplusplus
extern "C" {
#endif

/* [SECTION] Handles ----------------------------------------------------------- */

/* The SDK's view of one application VkDevice: loaded functions, capabilities,
 * staging buffers, images it allocated. Belongs to the SgContext it was made from. */
SG_DEFINE_HANDLE(SgVulkanDevice)

/* [SECTION] Enums ------------------------------------------------------------- */

typedef enum SgVulkanPath {
    /* The backend writes host memory; the SDK records a copy from its staging buffer. */
    SG_VULKAN_PATH_CPU_STAGING = 0,
    /* The backend writes the images' exported memory on the GPU (CUDA plugin). */
    SG_VULKAN_PATH_EXTERNAL_MEMORY = 1,
    SG_VULKAN_PATH_MAX_ENUM = 0x7FFFFFFF
} SgVulkanPath;

/* [SECTION] Structs ----------------------------------------------------------- */

/* Describes the application's device to sgCreateVulkanDevice. */
typedef struct SgVulkanDeviceCreateInfo {
    SgStructureType sType; /* SG_STRUCTURE_TYPE_VULKAN_DEVICE_CREATE_INFO */
    const void* pNext;
    VkInstance instance;
    VkPhysicalDevice physicalDevice; /* the one device was created from */
    VkDevice device;
    /* The VkDeviceCreateInfo device was created with, read during the call
     * only: the SDK uses just the extensions and features it names as enabled
     * (ppEnabledExtensionNames; VkPhysicalDeviceVulkan12Features/13Features,
     * VkPhysicalDeviceTimelineSemaphoreFeatures,
     * VkPhysicalDeviceSynchronization2Features in its pNext chain). Needed:
     * Vulkan 1.2 or VK_KHR_timeline_semaphore, with the timelineSemaphore
     * feature. Used when enabled: synchronization2 (else classic barriers),
     * VK_KHR_external_memory_fd (exportable images), VK_KHR_external_semaphore_fd. */
    const VkDeviceCreateInfo* pDeviceCreateInfo;
    /* VkApplicationInfo::apiVersion of the instance, >= VK_API_VERSION_1_1. The
     * SDK uses core functions up to the lower of this and the physical device's version. */
    uint32_t apiVersion;
    /* Family of the queues the application submits the SDK's commands on; one
     * of pDeviceCreateInfo's queue families, with graphics, compute or transfer. */
    uint32_t queueFamilyIndex;
    /* Every Vulkan function the SDK calls is loaded through this (and the
     * vkGetDeviceProcAddr it returns), so layers and custom loaders see them. */
    PFN_vkGetInstanceProcAddr pfnGetInstanceProcAddr;
    /* NULL, or used for every Vulkan object the SDK creates; must remain live
     * until sgDestroyVulkanDevice returns. */
    const VkAllocationCallbacks* pVulkanAllocator;
    /* Most bytes of staging memory the SDK keeps at once (free and in flight);
     * 0 means 256 MiB. A call that would need more fails with
     * SG_ERROR_OUT_OF_MEMORY instead of waiting. */
    VkDeviceSize stagingBudget;
} SgVulkanDeviceCreateInfo;

/* Filled by sgGetVulkanDeviceInfo. */
typedef struct SgVulkanDeviceInfo {
    SgStructureType sType; /* SG_STRUCTURE_TYPE_VULKAN_DEVICE_INFO, set by the caller */
    void* pNext;
    SgVulkanPath path;
    /* Which path and why, e.g. "cpu-staging: no CUDA plugin (the context's
     * backend is cpu); VK_KHR_external_semaphore_fd is not supported by llvmpipe". */
    const char* pPathDescription;
    SgBool32 synchronization2;  /* SG_TRUE: recorded barriers use vkCmdPipelineBarrier2 */
    SgBool32 exportableImages;  /* SG_TRUE: sgCreateVulkanImage can make OPAQUE_FD-exportable images */
    VkDeviceSize stagingBudget; /* the effective budget */
} SgVulkanDeviceInfo;

/* An image for the SDK to allocate (sgCreateVulkanImage): 2D, optimal tiling,
 * exclusive sharing, one sample, device-local memory of its own. */
typedef struct SgVulkanImageCreateInfo {
    SgStructureType sType; /* SG_STRUCTURE_TYPE_VULKAN_IMAGE_CREATE_INFO */
    const void* pNext;
    VkFormat format;         /* a format SgVulkanImageTarget accepts */
    uint32_t width;          /* 1 .. SG_MAX_IMAGE_EXTENT */
    uint32_t height;         /* 1 .. SG_MAX_IMAGE_EXTENT */
    uint32_t mipLevels;      /* 0 means 1 */
    uint32_t arrayLayers;    /* 0 means 1 */
    VkImageUsageFlags usage; /* how the application uses it; TRANSFER_DST is always added */
    /* SG_TRUE: created with VkExternalMemoryImageCreateInfo and its memory
     * with VkExportMemoryAllocateInfo (OPAQUE_FD), so vkGetMemoryFdKHR works on
     * it. Needs VK_KHR_external_memory_fd enabled and the format exportable. */
    SgBool32 exportable;
} SgVulkanImageCreateInfo;

/* Filled by sgCreateVulkanImage. */
typedef struct SgVulkanImage {
    SgStructureType sType; /* SG_STRUCTURE_TYPE_VULKAN_IMAGE, set by the caller */
    void* pNext;
    VkImage image;         /* in VK_IMAGE_LAYOUT_UNDEFINED; exclusive sharing */
    VkDeviceMemory memory; /* a dedicated allocation bound at offset 0 */
    VkDeviceSize memorySize;
} SgVulkanImage;

/* One generated image's destination: a width x height region (the request's
 * size) at offset in one mip level and array layer of a color image.
 *
 * image must have been created with VK_IMAGE_USAGE_TRANSFER_DST_BIT. Formats
 * and the SgGenerateInfo::format they take:
 *   VK_FORMAT_R8G8B8A8_UNORM, VK_FORMAT_R8G8B8A8_SRGB  <- SG_FORMAT_R8G8B8A8_UNORM
 *     (the same bytes; the model's colours are sRGB-encoded, so _SRGB gives
 *     correct linear values when sampled)
 *   VK_FORMAT_R32G32B32A32_SFLOAT                      <- SG_FORMAT_R32G32B32A32_SFLOAT
 *   VK_FORMAT_R16G16B16A16_SFLOAT                      <- SG_FORMAT_R32G32B32A32_SFLOAT,
 *     rounded to nearest even by the SDK
 * Several targets may share one subresource (an atlas) if their regions do not
 * overlap and they give the same layouts; their masks are combined. */
typedef struct SgVulkanImageTarget {
    SgStructureType sType; /* SG_STRUCTURE_TYPE_VULKAN_IMAGE_TARGET */
    const void* pNext;
    VkImage image;
    VkFormat format;        /* the format image was created with */
    VkExtent2D imageExtent; /* image's extent at mipLevel; the region must lie inside it */
    uint32_t mipLevel;
    uint32_t arrayLayer;
    VkOffset2D offset;      /* the region's top-left texel, >= 0 */
    /* The layout the subresource is in when the recorded commands execute;
     * VK_IMAGE_LAYOUT_UNDEFINED discards its contents (all of them, also
     * outside the region). */
    VkImageLayout oldLayout;
    /* The layout it is left in; not UNDEFINED or PREINITIALIZED. */
    VkImageLayout newLayout;
    /* The application's earlier use of the image that the write must wait for.
     * srcStageMask 0: wait for everything (ALL_COMMANDS, MEMORY_WRITE) and
     * srcAccessMask is ignored. Otherwise both are used as given (srcAccessMask
     * 0 is right after a read-only use). */
    VkPipelineStageFlags2 srcStageMask;
    VkAccessFlags2 srcAccessMask;
    /* The application's later use that must wait for the write. dstStageMask
     * 0: everything (ALL_COMMANDS, MEMORY_READ | MEMORY_WRITE) and
     * dstAccessMask is ignored. Without synchronization2 the flags are mapped
     * to their classic equivalents. */
    VkPipelineStageFlags2 dstStageMask;
    VkAccessFlags2 dstAccessMask;
} SgVulkanImageTarget;

/* Chained to an SgVulkanImageTarget's pNext for an application image created
 * with VkExternalMemoryImageCreateInfo (OPAQUE_FD) whose memory was allocated
 * with VkExportMemoryAllocateInfo: the external-memory path then writes it in
 * place, which needs pImageCreateInfo (the backend maps the memory as the
 * image's whole mip chain). The cpu-staging path checks it and copies as
 * usual. Images from sgCreateVulkanImage with exportable = SG_TRUE need no
 * such struct. */
typedef struct SgVulkanExternalImageInfo {
    SgStructureType sType; /* SG_STRUCTURE_TYPE_VULKAN_EXTERNAL_IMAGE_INFO */
    const void* pNext;
    VkDeviceMemory memory;       /* bound to the target's image */
    VkDeviceSize memoryOffset;   /* the image's offset in it */
    VkDeviceSize allocationSize; /* VkMemoryAllocateInfo::allocationSize of memory */
    SgBool32 dedicatedAllocation; /* memory was allocated with VkMemoryDedicatedAllocateInfo for this image */
    /* NULL (the image is staged), or the VkImageCreateInfo the image was
     * created with, read during the call only: a 2D, optimal-tiling,
     * single-sample image of the target's format whose pNext chain has
     * VkExternalMemoryImageCreateInfo with OPAQUE_FD; checked against the
     * target. The backend imports the memory for each call that writes it. */
    const VkImageCreateInfo* pImageCreateInfo;
} SgVulkanExternalImageInfo;

/* One generation into Vulkan images (sgCmdGenerateVulkanImages). */
typedef struct SgVulkanGenerateInfo {
    SgStructureType sType; /* SG_STRUCTURE_TYPE_VULKAN_GENERATE_INFO */
    const void* pNext;
    SgModel model;                        /* loaded through the device's context */
    const SgGenerateInfo* pGenerateInfo;  /* as for sgGenerate; image i goes to pTargets[i] */
    /* Primary or secondary, in the recording state, outside a render pass,
     * allocated from a pool of the device's queueFamilyIndex. */
    VkCommandBuffer commandBuffer;
    uint32_t targetCount;                 /* == pGenerateInfo->count */
    const SgVulkanImageTarget* pTargets;
    /* When the targets may still be used by GPU work the application submitted
     * earlier: a timeline semaphore and the value that work signals. Paths that
     * write the images outside commandBuffer (external-memory) wait for it on
     * the GPU before writing, so there it must have been created exportable
     * (VkExportSemaphoreCreateInfo with OPAQUE_FD). The cpu-staging path writes
     * only inside commandBuffer, ordered by the barriers, and does not need it.
     * VK_NULL_HANDLE: no earlier work uses the targets. */
    VkSemaphore imagesReadySemaphore;
    uint64_t imagesReadyValue;
} SgVulkanGenerateInfo;

/* What the submission that executes the recorded commands must do, filled by
 * sgCmdGenerateVulkanImages. Several calls recorded into one command buffer
 * give one signal each; the submission signals them all. */
typedef struct SgVulkanSubmitSync {
    SgStructureType sType; /* SG_STRUCTURE_TYPE_VULKAN_SUBMIT_SYNC, set by the caller */
    void* pNext;
    /* Wait for this timeline semaphore to reach waitValue at waitStageMask
     * (external-memory: the backend has written the images). VK_NULL_HANDLE
     * (a staged call): nothing to wait for. The semaphore belongs to the SDK. */
    VkSemaphore waitSemaphore;
    uint64_t waitValue;
    VkPipelineStageFlags2 waitStageMask;
    /* Signal this timeline semaphore to signalValue once the commands have
     * executed (signal stage ALL_COMMANDS, or at least COPY). Always set. The
     * semaphore belongs to the SDK: do not destroy it or signal it otherwise. */
    VkSemaphore signalSemaphore;
    uint64_t signalValue;
} SgVulkanSubmitSync;

/* [SECTION] Functions --------------------------------------------------------- */

/// Creates the SDK's view of an application VkDevice: loads the Vulkan
/// functions it needs through pfnGetInstanceProcAddr, checks the device's
/// enabled version, extensions and features, and picks the path (see
/// SgVulkanPath; the choice and its reason are logged and reported by
/// sgGetVulkanDeviceInfo).
///   context: generation runs on its backend; errors are recorded on it.
///   pCreateInfo: sType SG_STRUCTURE_TYPE_VULKAN_DEVICE_CREATE_INFO; copied
///     (pDeviceCreateInfo is only read during the call; pVulkanAllocator must
///     remain live).
///   pDevice: receives the handle; set to NULL on failure.
/// Result: SG_SUCCESS; SG_ERROR_INVALID_ARGUMENT (a NULL handle, wrong sType,
///   queueFamilyIndex not among the device's queues); SG_ERROR_UNSUPPORTED (the
///   message names what is missing: Vulkan version, timelineSemaphore feature,
///   a function pfnGetInstanceProcAddr does not return); SG_ERROR_OUT_OF_MEMORY.
/// Lifetime: until sgDestroyVulkanDevice, which must come before vkDestroyDevice
///   and before sgDestroyContext of context.
/// Thread safety: any thread; concurrently with other calls on context.
SG_API SgResult sgCreateVulkanDevice(SgContext context, const SgVulkanDeviceCreateInfo* pCreateInfo,
                                     SgVulkanDevice* pDevice);

/// Destroys the SDK's staging buffers and semaphores and every image made with
/// sgCreateVulkanImage on device that was not destroyed yet (with a warning in
/// the log). NULL does nothing; a device of another context is left alone and
/// an error is logged.
/// Before calling: every submission that executes commands the SDK recorded
/// with device has completed (e.g. vkQueueWaitIdle). A staging buffer whose
/// signalSemaphore has not reached its signalValue within 100 ms (a wait on
/// the semaphore, since drivers may report its value a little after the
/// fence) is logged as an error and leaked, not destroyed under work that may
/// still read it.
/// Thread safety: no other call may use device at the same time or afterwards.
SG_API void sgDestroyVulkanDevice(SgContext context, SgVulkanDevice device);

/// Describes device: the active path and why, the barriers used, image export.
///   pInfo: sType SG_STRUCTURE_TYPE_VULKAN_DEVICE_INFO; its strings live as long as device.
/// Result: SG_SUCCESS, SG_ERROR_INVALID_ARGUMENT.
/// Thread safety: any thread, concurrently with any call but sgDestroyVulkanDevice.
SG_API SgResult sgGetVulkanDeviceInfo(SgVulkanDevice device, SgVulkanDeviceInfo* pInfo);

/// Allocates a 2D image with its own device-local memory, for use as a target
/// (or anything else pCreateInfo->usage allows).
///   pCreateInfo: sType SG_STRUCTURE_TYPE_VULKAN_IMAGE_CREATE_INFO.
///   pImage: sType SG_STRUCTURE_TYPE_VULKAN_IMAGE; receives the VkImage (layout
///     VK_IMAGE_LAYOUT_UNDEFINED) and its VkDeviceMemory, both owned by the SDK:
///     do not destroy or free them, use sgDestroyVulkanImage. On failure its
///     handles are VK_NULL_HANDLE.
/// Result: SG_SUCCESS; SG_ERROR_INVALID_ARGUMENT; SG_ERROR_UNSUPPORTED (the
///   format/usage combination, or exportable without VK_KHR_external_memory_fd
///   or without OPAQUE_FD export for this format; the message says which);
///   SG_ERROR_OUT_OF_MEMORY (host or device memory).
/// Lifetime: until sgDestroyVulkanImage or sgDestroyVulkanDevice.
/// Thread safety: any thread; concurrently with other calls on device but
///   sgDestroyVulkanDevice.
SG_API SgResult sgCreateVulkanImage(SgVulkanDevice device, const SgVulkanImageCreateInfo* pCreateInfo,
                                    SgVulkanImage* pImage);

/// Destroys an image made by sgCreateVulkanImage on device and frees its
/// memory. VK_NULL_HANDLE does nothing; an image the SDK did not make on device
/// is left alone and an error is logged.
/// Before calling: no pending GPU work uses the image.
/// Thread safety: any thread; concurrently with other calls on device but
///   sgDestroyVulkanDevice, and not concurrently with a call that uses image.
SG_API void sgDestroyVulkanImage(SgVulkanDevice device, VkImage image);

/// Generates pInfo->pGenerateInfo->count images and records into
/// pInfo->commandBuffer what puts image i into pInfo->pTargets[i] and leaves
/// each target subresource in its newLayout. Staged (cpu-staging path, or a
/// call the external-memory path cannot write in place), the pixels are
/// computed during this call (it takes as long as sgGenerate) into SDK staging
/// memory and the recorded commands copy them: identical, byte for byte, to
/// what sgGenerate writes to host memory for the same request
/// (R16G16B16A16_SFLOAT: that float output rounded to nearest even). On the
/// external-memory path the call only queues the generation on the GPU, which
/// writes the same conversion of the backend's output into the images; every
/// target is then exportable (an exportable sgCreateVulkanImage image, or an
/// SgVulkanExternalImageInfo with pImageCreateInfo) and none has oldLayout
/// UNDEFINED or PREINITIALIZED (a transition from those would discard what the
/// GPU wrote, so an image's first call is staged).
///   pInfo: sType SG_STRUCTURE_TYPE_VULKAN_GENERATE_INFO; read during the call
///     only. Targets made by sgCreateVulkanImage are checked against how they
///     were made.
///   pSync: sType SG_STRUCTURE_TYPE_VULKAN_SUBMIT_SYNC; receives what the
///     submission must wait on and signal. The application submits
///     commandBuffer exactly once, with that wait and that signal. A command
///     buffer that is never submitted keeps its staging memory in use until
///     the application signals signalSemaphore to signalValue itself
///     (vkSignalSemaphore).
/// Result: SG_SUCCESS; SG_ERROR_INVALID_ARGUMENT (any invalid member, including
///   targets whose format, extent or count does not fit the request; the
///   message names it); SG_ERROR_OUT_OF_MEMORY (host or device memory, or the
///   staging budget is used up by submissions not yet complete);
///   SG_ERROR_DEVICE_LOST; SG_ERROR_INTERNAL. On failure nothing was recorded
///   and pSync is unchanged.
/// Thread safety: any thread; many threads may call it at once on one device,
///   each with its own command buffer.
SG_API SgResult sgCmdGenerateVulkanImages(SgVulkanDevice device, const SgVulkanGenerateInfo* pInfo,
                                          SgVulkanSubmitSync* pSync);

/* [SECTION] Function pointer types -------------------------------------------- */

typedef SgResult (*PFN_sgCreateVulkanDevice)(SgContext context, const SgVulkanDeviceCreateInfo* pCreateInfo,
                                             SgVulkanDevice* pDevice);
typedef void (*PFN_sgDestroyVulkanDevice)(SgContext context, SgVulkanDevice device);
typedef SgResult (*PFN_sgGetVulkanDeviceInfo)(SgVulkanDevice device, SgVulkanDeviceInfo* pInfo);
typedef SgResult (*PFN_sgCreateVulkanImage)(SgVulkanDevice device, const SgVulkanImageCreateInfo* pCreateInfo,
                                            SgVulkanImage* pImage);
typedef void (*PFN_sgDestroyVulkanImage)(SgVulkanDevice device, VkImage image);
typedef SgResult (*PFN_sgCmdGenerateVulkanImages)(SgVulkanDevice device, const SgVulkanGenerateInfo* pInfo,
                                                  SgVulkanSubmitSync* pSync);

#ifdef __cplusplus
}
#endif

#endif /* STYLEGEN_VULKAN_H_ */
