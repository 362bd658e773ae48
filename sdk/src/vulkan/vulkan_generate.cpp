// vulkan_generate.cpp - sgCmdGenerateVulkanImages: check the targets against
// the request, then either hand the call to the external-memory path (the GPU
// backend writes the images in place; the recorded commands are the acquires)
// or stage it: generate into a staging buffer with the same code as
// sgGenerate (so the bytes are identical) and record the copies.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <tuple>
#include <vector>

#include "context.hpp"
#include "generate.hpp"
#include "model.hpp"
#include "vulkan/copy_recorder.hpp"
#include "vulkan/half_float.hpp"
#include "vulkan/target_formats.hpp"
#include "vulkan/vulkan_device.hpp"

namespace {

// Generating for half-float targets goes through float scratch of at most
// this many bytes (or one image).
constexpr size_t kScratchBytes = size_t(16) << 20;
// Offsets of targets in the staging buffer: a multiple of every texel size.
constexpr VkDeviceSize kStagingAlignment = 16;

struct Size {
    uint32_t width = 0;
    uint32_t height = 0;
};

// A checked target: its format and where its pixels sit in the staging buffer.
struct Placement {
    const sg::vk::TargetFormat* format = nullptr;
    VkDeviceSize offset = 0;
};

std::string targetName(uint32_t i) { return "pInfo->pTargets[" + std::to_string(i) + "]"; }

std::string sizeText(uint64_t w, uint64_t h) { return std::to_string(w) + "x" + std::to_string(h); }

const char* sourceFormatName(SgFormat format) {
    return format == SG_FORMAT_R8G8B8A8_UNORM ? "SG_FORMAT_R8G8B8A8_UNORM" : "SG_FORMAT_R32G32B32A32_SFLOAT";
}

// Layouts a colour image written by a transfer can be in before and after.
bool colourLayout(VkImageLayout layout, bool synchronization2) {
    switch (layout) {
        case VK_IMAGE_LAYOUT_GENERAL:
        case VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL:
        case VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL:
        case VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL:
        case VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL:
        case VK_IMAGE_LAYOUT_PRESENT_SRC_KHR:
        case VK_IMAGE_LAYOUT_SHARED_PRESENT_KHR:
            return true;
        case VK_IMAGE_LAYOUT_READ_ONLY_OPTIMAL:
        case VK_IMAGE_LAYOUT_ATTACHMENT_OPTIMAL:
            return synchronization2;  // these two come with the synchronization2 feature
        default:
            return false;
    }
}

SgResult checkRequest(const sg::ApiCall& call, SgVulkanDevice device, const SgVulkanGenerateInfo* info,
                      const SgVulkanSubmitSync* sync) {
    SG_CHECK(info != nullptr, SG_ERROR_INVALID_ARGUMENT, "pInfo is NULL");
    SG_CHECK(
        info->sType == SG_STRUCTURE_TYPE_VULKAN_GENERATE_INFO, SG_ERROR_INVALID_ARGUMENT,
        "pInfo->sType is " + std::to_string(int(info->sType)) + ", expected SG_STRUCTURE_TYPE_VULKAN_GENERATE_INFO");
    SG_CHECK(sync != nullptr, SG_ERROR_INVALID_ARGUMENT, "pSync is NULL");
    SG_CHECK(sync->sType == SG_STRUCTURE_TYPE_VULKAN_SUBMIT_SYNC, SG_ERROR_INVALID_ARGUMENT,
             "pSync->sType is " + std::to_string(int(sync->sType)) + ", expected SG_STRUCTURE_TYPE_VULKAN_SUBMIT_SYNC");
    SG_CHECK(info->model != nullptr, SG_ERROR_INVALID_ARGUMENT, "pInfo->model is NULL");
    SG_CHECK(info->model->context == device->context, SG_ERROR_INVALID_ARGUMENT,
             "pInfo->model was loaded through another context than the device's");
    SG_CHECK(info->commandBuffer != VK_NULL_HANDLE, SG_ERROR_INVALID_ARGUMENT,
             "pInfo->commandBuffer is VK_NULL_HANDLE");
    const SgGenerateInfo* gi = info->pGenerateInfo;
    SG_CHECK(gi != nullptr, SG_ERROR_INVALID_ARGUMENT, "pInfo->pGenerateInfo is NULL");
    SG_CHECK(gi->sType == SG_STRUCTURE_TYPE_GENERATE_INFO, SG_ERROR_INVALID_ARGUMENT,
             "pInfo->pGenerateInfo->sType is " + std::to_string(int(gi->sType)) +
                 ", expected SG_STRUCTURE_TYPE_GENERATE_INFO");
    SG_CHECK(gi->count > 0, SG_ERROR_INVALID_ARGUMENT, "pGenerateInfo->count is 0");
    SG_CHECK(gi->format == SG_FORMAT_R8G8B8A8_UNORM || gi->format == SG_FORMAT_R32G32B32A32_SFLOAT,
             SG_ERROR_INVALID_ARGUMENT,
             "pGenerateInfo->format " + std::to_string(int(gi->format)) +
                 " is not SG_FORMAT_R8G8B8A8_UNORM or SG_FORMAT_R32G32B32A32_SFLOAT");
    SG_CHECK(info->targetCount == gi->count, SG_ERROR_INVALID_ARGUMENT,
             "pInfo->targetCount is " + std::to_string(info->targetCount) + " but pGenerateInfo->count is " +
                 std::to_string(gi->count) + "; give one target per image");
    SG_CHECK(info->pTargets != nullptr, SG_ERROR_INVALID_ARGUMENT, "pInfo->pTargets is NULL");
    return SG_SUCCESS;
}

// The SgVulkanExternalImageInfo chained to a target, or nullptr.
const SgVulkanExternalImageInfo* externalImageInfo(const SgVulkanImageTarget& t) {
    for (auto* s = static_cast<const SgVulkanExternalImageInfo*>(t.pNext); s;
         s = static_cast<const SgVulkanExternalImageInfo*>(s->pNext))
        if (s->sType == SG_STRUCTURE_TYPE_VULKAN_EXTERNAL_IMAGE_INFO) return s;  // unknown structs are ignored
    return nullptr;
}

bool exportsOpaqueFd(const VkImageCreateInfo& info) {
    for (auto* s = static_cast<const VkBaseInStructure*>(info.pNext); s; s = s->pNext)
        if (s->sType == VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_IMAGE_CREATE_INFO &&
            (reinterpret_cast<const VkExternalMemoryImageCreateInfo*>(s)->handleTypes &
             VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT))
            return true;
    return false;
}

SgResult checkExternalImageInfo(const sg::ApiCall& call, uint32_t i, const SgVulkanImageTarget& t) {
    const SgVulkanExternalImageInfo* s = externalImageInfo(t);
    if (!s) return SG_SUCCESS;
    const std::string what = targetName(i) + "'s SgVulkanExternalImageInfo";
    SG_CHECK(s->memory != VK_NULL_HANDLE, SG_ERROR_INVALID_ARGUMENT, what + "::memory is VK_NULL_HANDLE");
    SG_CHECK(s->memoryOffset < s->allocationSize, SG_ERROR_INVALID_ARGUMENT,
             what + "::memoryOffset " + std::to_string(s->memoryOffset) + " is not inside allocationSize " +
                 std::to_string(s->allocationSize));
    const VkImageCreateInfo* ci = s->pImageCreateInfo;
    if (!ci) return SG_SUCCESS;
    SG_CHECK(ci->sType == VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO, SG_ERROR_INVALID_ARGUMENT,
             what + "::pImageCreateInfo->sType is " + std::to_string(int(ci->sType)) +
                 ", expected VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO");
    SG_CHECK(ci->imageType == VK_IMAGE_TYPE_2D && ci->tiling == VK_IMAGE_TILING_OPTIMAL &&
                 ci->samples == VK_SAMPLE_COUNT_1_BIT,
             SG_ERROR_INVALID_ARGUMENT,
             what + "::pImageCreateInfo describes an image that is not 2D, optimal-tiling and single-sample");
    SG_CHECK(ci->format == t.format, SG_ERROR_INVALID_ARGUMENT,
             what + "::pImageCreateInfo->format " + std::to_string(int(ci->format)) + " is not the target's format");
    SG_CHECK(t.mipLevel < ci->mipLevels && t.arrayLayer < ci->arrayLayers, SG_ERROR_INVALID_ARGUMENT,
             targetName(i) + " names mip level " + std::to_string(t.mipLevel) + ", array layer " +
                 std::to_string(t.arrayLayer) + " but pImageCreateInfo has " + std::to_string(ci->mipLevels) +
                 " mip level(s) and " + std::to_string(ci->arrayLayers) + " layer(s)");
    const uint32_t w = std::max(1u, ci->extent.width >> t.mipLevel), h = std::max(1u, ci->extent.height >> t.mipLevel);
    SG_CHECK(t.imageExtent.width == w && t.imageExtent.height == h, SG_ERROR_INVALID_ARGUMENT,
             targetName(i) + ".imageExtent is " + sizeText(t.imageExtent.width, t.imageExtent.height) +
                 " but mip level " + std::to_string(t.mipLevel) + " of pImageCreateInfo's image is " + sizeText(w, h));
    SG_CHECK(exportsOpaqueFd(*ci), SG_ERROR_INVALID_ARGUMENT,
             what + "::pImageCreateInfo has no VkExternalMemoryImageCreateInfo with "
                    "VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT in its pNext chain");
    return SG_SUCCESS;
}

// The SDK knows how it made its own images: the target must describe one of them truthfully.
SgResult checkOwnedImage(const sg::ApiCall& call, uint32_t i, const SgVulkanImageTarget& t,
                         const sg::vk::OwnedImage& image) {
    SG_CHECK(t.format == image.format, SG_ERROR_INVALID_ARGUMENT,
             targetName(i) + ".format is " + sg::vk::findTargetFormat(t.format)->name +
                 " but sgCreateVulkanImage made the image as " + sg::vk::findTargetFormat(image.format)->name);
    SG_CHECK(t.mipLevel < image.mipLevels && t.arrayLayer < image.arrayLayers, SG_ERROR_INVALID_ARGUMENT,
             targetName(i) + " names mip level " + std::to_string(t.mipLevel) + ", array layer " +
                 std::to_string(t.arrayLayer) + " of an image with " + std::to_string(image.mipLevels) +
                 " mip level(s) and " + std::to_string(image.arrayLayers) + " layer(s)");
    const uint32_t w = std::max(1u, image.width >> t.mipLevel), h = std::max(1u, image.height >> t.mipLevel);
    SG_CHECK(t.imageExtent.width == w && t.imageExtent.height == h, SG_ERROR_INVALID_ARGUMENT,
             targetName(i) + ".imageExtent is " + sizeText(t.imageExtent.width, t.imageExtent.height) +
                 " but mip level " + std::to_string(t.mipLevel) + " of the image is " + sizeText(w, h));
    return SG_SUCCESS;
}

SgResult checkTarget(const sg::ApiCall& call, SgVulkanDevice device, uint32_t i, const SgVulkanImageTarget& t,
                     SgFormat source, Size size, const sg::vk::TargetFormat** format) {
    SG_CHECK(t.sType == SG_STRUCTURE_TYPE_VULKAN_IMAGE_TARGET, SG_ERROR_INVALID_ARGUMENT,
             targetName(i) + ".sType is " + std::to_string(int(t.sType)) +
                 ", expected SG_STRUCTURE_TYPE_VULKAN_IMAGE_TARGET");
    SG_CHECK(t.image != VK_NULL_HANDLE, SG_ERROR_INVALID_ARGUMENT, targetName(i) + ".image is VK_NULL_HANDLE");
    const sg::vk::TargetFormat* f = sg::vk::findTargetFormat(t.format);
    SG_CHECK(
        f != nullptr, SG_ERROR_INVALID_ARGUMENT,
        targetName(i) + ".format " + std::to_string(int(t.format)) + " is not one of " + sg::vk::kTargetFormatList);
    SG_CHECK(f->source == source, SG_ERROR_INVALID_ARGUMENT,
             targetName(i) + ".format " + f->name + " is filled from " + sourceFormatName(f->source) +
                 " output, but pGenerateInfo->format is " + sourceFormatName(source));
    SG_CHECK(t.offset.x >= 0 && t.offset.y >= 0 && uint64_t(t.offset.x) + size.width <= t.imageExtent.width &&
                 uint64_t(t.offset.y) + size.height <= t.imageExtent.height,
             SG_ERROR_INVALID_ARGUMENT,
             targetName(i) + ": the generated " + sizeText(size.width, size.height) + " image at offset (" +
                 std::to_string(t.offset.x) + ", " + std::to_string(t.offset.y) + ") does not fit its imageExtent " +
                 sizeText(t.imageExtent.width, t.imageExtent.height));
    const bool sync2 = device->caps.synchronization2;
    SG_CHECK(t.oldLayout == VK_IMAGE_LAYOUT_UNDEFINED || t.oldLayout == VK_IMAGE_LAYOUT_PREINITIALIZED ||
                 colourLayout(t.oldLayout, sync2),
             SG_ERROR_INVALID_ARGUMENT,
             targetName(i) + ".oldLayout " + std::to_string(int(t.oldLayout)) +
                 " is not a layout of a colour image the device can copy into" +
                 (sync2 ? "" : " (without synchronization2)"));
    SG_CHECK(colourLayout(t.newLayout, sync2), SG_ERROR_INVALID_ARGUMENT,
             targetName(i) + ".newLayout " + std::to_string(int(t.newLayout)) +
                 " is not a layout a colour image can be left in" + (sync2 ? "" : " (without synchronization2)") +
                 "; UNDEFINED and PREINITIALIZED never are");
    if (SgResult r = checkExternalImageInfo(call, i, t); r != SG_SUCCESS) return r;
    sg::vk::OwnedImage owned;
    if (device->findImage(t.image, &owned))
        if (SgResult r = checkOwnedImage(call, i, t, owned); r != SG_SUCCESS) return r;
    *format = f;
    return SG_SUCCESS;
}

sg::vk::Transition transitionOf(const SgVulkanImageTarget& t) {
    sg::vk::Transition transition;
    transition.image = t.image;
    transition.mipLevel = t.mipLevel;
    transition.arrayLayer = t.arrayLayer;
    transition.oldLayout = t.oldLayout;
    transition.newLayout = t.newLayout;
    transition.srcStageMask = t.srcStageMask ? t.srcStageMask : VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
    transition.srcAccessMask = t.srcStageMask ? t.srcAccessMask : VK_ACCESS_2_MEMORY_WRITE_BIT;
    transition.dstStageMask = t.dstStageMask ? t.dstStageMask : VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
    transition.dstAccessMask =
        t.dstStageMask ? t.dstAccessMask : VK_ACCESS_2_MEMORY_READ_BIT | VK_ACCESS_2_MEMORY_WRITE_BIT;
    return transition;
}

// One transition per distinct subresource; targets sharing one (an atlas)
// must agree on layouts, must not overlap, and have their masks combined.
SgResult planTransitions(const sg::ApiCall& call, const SgVulkanImageTarget* targets, uint32_t count, Size size,
                         std::vector<sg::vk::Transition>* transitions) {
    using Subresource = std::tuple<VkImage, uint32_t, uint32_t>;
    std::map<Subresource, size_t> indexOf;
    std::vector<uint32_t> firstTarget;
    // Regions are all width x height, so two overlap only if they sit in the
    // same or neighbouring cells of a grid of that size.
    using Cell = std::tuple<size_t, int64_t, int64_t>;
    std::map<Cell, std::vector<uint32_t>> cells;
    for (uint32_t i = 0; i < count; ++i) {
        const SgVulkanImageTarget& t = targets[i];
        const sg::vk::Transition mine = transitionOf(t);
        const auto [it, added] = indexOf.emplace(Subresource{t.image, t.mipLevel, t.arrayLayer}, transitions->size());
        if (added) {
            transitions->push_back(mine);
            firstTarget.push_back(i);
        } else {
            sg::vk::Transition& shared = (*transitions)[it->second];
            const uint32_t j = firstTarget[it->second];
            SG_CHECK(shared.oldLayout == mine.oldLayout && shared.newLayout == mine.newLayout,
                     SG_ERROR_INVALID_ARGUMENT,
                     targetName(i) + " and " + targetName(j) + " write the same image subresource (mip level " +
                         std::to_string(t.mipLevel) + ", array layer " + std::to_string(t.arrayLayer) +
                         ") but give different oldLayout/newLayout");
            shared.srcStageMask |= mine.srcStageMask;
            shared.srcAccessMask |= mine.srcAccessMask;
            shared.dstStageMask |= mine.dstStageMask;
            shared.dstAccessMask |= mine.dstAccessMask;
        }
        const int64_t cx = t.offset.x / int64_t(size.width), cy = t.offset.y / int64_t(size.height);
        for (int64_t dy = -1; dy <= 1; ++dy)
            for (int64_t dx = -1; dx <= 1; ++dx) {
                const auto cell = cells.find(Cell{it->second, cx + dx, cy + dy});
                if (cell == cells.end()) continue;
                for (const uint32_t j : cell->second) {
                    const SgVulkanImageTarget& o = targets[j];
                    const bool overlap = std::abs(int64_t(t.offset.x) - o.offset.x) < int64_t(size.width) &&
                                         std::abs(int64_t(t.offset.y) - o.offset.y) < int64_t(size.height);
                    SG_CHECK(!overlap, SG_ERROR_INVALID_ARGUMENT,
                             targetName(i) + " at (" + std::to_string(t.offset.x) + ", " + std::to_string(t.offset.y) +
                                 ") overlaps " + targetName(j) + " at (" + std::to_string(o.offset.x) + ", " +
                                 std::to_string(o.offset.y) + ") in the same image subresource");
                }
            }
        cells[Cell{it->second, cx, cy}].push_back(i);
    }
    return SG_SUCCESS;
}

// gi restricted to images [first, first + count): the seeds image first + k
// would get in the whole request (the SgGenerateInfo seed rules).
SgGenerateInfo part(const SgGenerateInfo& gi, uint32_t first, uint32_t count) {
    SgGenerateInfo p = gi;
    p.count = count;
    p.pSeeds = gi.pSeeds ? gi.pSeeds + first : nullptr;
    p.firstSeed = gi.firstSeed + first;
    p.pMixSeeds = gi.pMixSeeds ? gi.pMixSeeds + first : nullptr;
    p.firstMixSeed = gi.firstMixSeed + first;
    p.pNoiseSeeds = gi.pNoiseSeeds ? gi.pNoiseSeeds + first : nullptr;
    p.firstNoiseSeed = gi.firstNoiseSeed + first;
    return p;
}

// Generates float images into scratch, chunk by chunk, and stores each at its
// target's offset: copied for float targets, rounded for half-float ones.
SgResult generateConverted(const sg::ApiCall& call, SgContext context, SgModel model, const SgGenerateInfo& gi,
                           Size size, const std::vector<Placement>& placements, uint8_t* staging) {
    const size_t imageFloats = size_t(size.width) * size.height * 4;
    const size_t imageBytes = imageFloats * sizeof(float);
    const uint32_t chunk = uint32_t(std::min<size_t>(gi.count, std::max<size_t>(1, kScratchBytes / imageBytes)));
    sg::HostBuffer scratch;
    try {
        scratch = sg::HostBuffer(context->allocator, chunk * imageBytes, 64);
    } catch (const std::bad_alloc&) {
        return call.fail(SG_ERROR_OUT_OF_MEMORY, "out of host memory for " + std::to_string(chunk * imageBytes) +
                                                     " bytes of generation scratch");
    }
    const float* floats = static_cast<const float*>(scratch.data());
    for (uint32_t first = 0; first < gi.count; first += chunk) {
        const uint32_t n = std::min(chunk, gi.count - first);
        const SgGenerateInfo request = part(gi, first, n);
        SgImageBuffer buffer{};
        buffer.sType = SG_STRUCTURE_TYPE_IMAGE_BUFFER;
        buffer.pData = scratch.data();
        buffer.size = n * imageBytes;
        if (SgResult r = sg::generate(call, context, model, &request, &buffer); r != SG_SUCCESS) return r;
        for (uint32_t k = 0; k < n; ++k) {
            const Placement& placement = placements[first + k];
            const float* src = floats + k * imageFloats;
            uint8_t* dst = staging + placement.offset;
            if (!placement.format->halfFloat) {
                std::memcpy(dst, src, imageBytes);
                continue;
            }
            for (size_t e = 0; e < imageFloats; ++e) {
                const uint16_t half = sg::vk::floatToHalf(src[e]);
                std::memcpy(dst + 2 * e, &half, sizeof(half));
            }
        }
    }
    return SG_SUCCESS;
}

// Cancels the slot's reservation unless the call got as far as recording.
struct SlotReservation {
    sg::vk::StagingPool& pool;
    sg::vk::StagingSlot* slot;
    ~SlotReservation() {
        if (slot) pool.cancel(slot);
    }
    uint64_t commit() {
        const uint64_t value = pool.commit(slot);
        slot = nullptr;
        return value;
    }
};

// Each target's image as the external-memory path imports it, or why the
// call has to be staged.
std::string exportedImages(SgVulkanDevice device, const SgVulkanGenerateInfo& info,
                           std::vector<sg::vk::ExportedImage>* images) {
    images->resize(info.targetCount);
    for (uint32_t i = 0; i < info.targetCount; ++i) {
        const SgVulkanImageTarget& t = info.pTargets[i];
        if (t.oldLayout == VK_IMAGE_LAYOUT_UNDEFINED || t.oldLayout == VK_IMAGE_LAYOUT_PREINITIALIZED)
            return targetName(i) + ".oldLayout is UNDEFINED or PREINITIALIZED, and a transition from it would "
                                   "discard what the GPU wrote";
        sg::vk::ExportedImage& e = (*images)[i];
        e.image = t.image;
        sg::vk::OwnedImage owned;
        if (device->findImage(t.image, &owned)) {
            if (!owned.exportable) return targetName(i) + "'s image was made by sgCreateVulkanImage without exportable";
            e.memory = owned.memory;
            e.allocationSize = owned.memorySize;
            e.dedicated = true;
            e.ownedBySdk = true;
            e.format = owned.format;
            e.width = owned.width;
            e.height = owned.height;
            e.mipLevels = owned.mipLevels;
            e.arrayLayers = owned.arrayLayers;
            e.colorAttachment = (owned.usage & VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT) != 0;
            continue;
        }
        const SgVulkanExternalImageInfo* external = externalImageInfo(t);
        if (!external || !external->pImageCreateInfo)
            return targetName(i) + " is an application image without SgVulkanExternalImageInfo::pImageCreateInfo";
        const VkImageCreateInfo& ci = *external->pImageCreateInfo;
        e.memory = external->memory;
        e.memoryOffset = external->memoryOffset;
        e.allocationSize = external->allocationSize;
        e.dedicated = external->dedicatedAllocation != SG_FALSE;
        e.format = ci.format;
        e.width = ci.extent.width;
        e.height = ci.extent.height;
        e.mipLevels = ci.mipLevels;
        e.arrayLayers = ci.arrayLayers;
        e.colorAttachment = (ci.usage & VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT) != 0;
        e.concurrent = ci.sharingMode == VK_SHARING_MODE_CONCURRENT;
    }
    return {};
}

// The external-memory path: the backend writes the images on the GPU after
// imagesReady; the command buffer acquires them once it has (pSync's wait).
SgResult generateExternal(const sg::ApiCall& call, SgVulkanDevice device, const SgVulkanGenerateInfo& info,
                          const std::vector<sg::vk::ExportedImage>& images,
                          std::vector<sg::vk::Transition>& transitions, SgVulkanSubmitSync* pSync) {
    sg::GenerateRequest request;
    if (SgResult r = sg::checkGenerateInfo(call, info.model->data, info.pGenerateInfo, &request); r != SG_SUCCESS)
        return r;
    sg::vk::StagingSlot* slot = nullptr;
    if (SgResult r = device->staging.acquire(call, 0, &slot); r != SG_SUCCESS) return r;
    SlotReservation reservation{device->staging, slot};
    uint64_t written = 0;
    if (SgResult r = device->external->write(call, info.model, *info.pGenerateInfo, request, images, info, &written);
        r != SG_SUCCESS)
        return r;
    for (sg::vk::Transition& transition : transitions)
        for (const sg::vk::ExportedImage& image : images)
            if (image.image == transition.image) transition.concurrent = image.concurrent;
    sg::vk::recordAcquires(device->fn, device->caps.synchronization2, info.commandBuffer, device->queueFamilyIndex,
                           transitions);
    pSync->waitSemaphore = device->external->semaphore();
    pSync->waitValue = written;
    pSync->waitStageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
    pSync->signalSemaphore = slot->semaphore;
    pSync->signalValue = reservation.commit();
    return SG_SUCCESS;
}

}  // namespace

extern "C" {

SG_API SgResult sgCmdGenerateVulkanImages(SgVulkanDevice device, const SgVulkanGenerateInfo* pInfo,
                                          SgVulkanSubmitSync* pSync) {
    return sg::guard(device ? device->context : nullptr, "sgCmdGenerateVulkanImages", [&](const sg::ApiCall& call) {
        SG_CHECK(device != nullptr, SG_ERROR_INVALID_ARGUMENT, "device is NULL");
        if (SgResult r = checkRequest(call, device, pInfo, pSync); r != SG_SUCCESS) return r;
        const SgVulkanGenerateInfo& info = *pInfo;
        const SgGenerateInfo& gi = *info.pGenerateInfo;
        const uint32_t resolution = info.model->data.arch.resolution;
        const Size size{gi.width ? gi.width : resolution, gi.height ? gi.height : resolution};
        SG_CHECK(size.width <= SG_MAX_IMAGE_EXTENT && size.height <= SG_MAX_IMAGE_EXTENT, SG_ERROR_INVALID_ARGUMENT,
                 "pGenerateInfo->width x height is " + sizeText(size.width, size.height) +
                     ", larger than the limit of " + std::to_string(SG_MAX_IMAGE_EXTENT) + " per side");

        std::vector<Placement> placements(gi.count);
        bool convert = false;
        VkDeviceSize stagingBytes = 0;
        for (uint32_t i = 0; i < gi.count; ++i) {
            if (SgResult r = checkTarget(call, device, i, info.pTargets[i], gi.format, size, &placements[i].format);
                r != SG_SUCCESS)
                return r;
            convert |= placements[i].format->halfFloat;
        }
        for (Placement& placement : placements) {
            // Tightly packed when every target takes sgGenerate's bytes as they are.
            if (convert) stagingBytes = (stagingBytes + kStagingAlignment - 1) / kStagingAlignment * kStagingAlignment;
            placement.offset = stagingBytes;
            stagingBytes += VkDeviceSize(size.width) * size.height * placement.format->bytesPerPixel;
        }
        uint64_t sourceBytes = 0;
        const uint64_t sourceImageBytes =
            uint64_t(size.width) * size.height * (gi.format == SG_FORMAT_R8G8B8A8_UNORM ? 4 : 16);
        SG_CHECK(!__builtin_mul_overflow(sourceImageBytes, uint64_t(gi.count), &sourceBytes) &&
                     sourceBytes <= SG_MAX_GENERATE_OUTPUT_BYTES,
                 SG_ERROR_INVALID_ARGUMENT,
                 std::to_string(gi.count) + " images of " + sizeText(size.width, size.height) +
                     " need more than the limit of " + std::to_string(SG_MAX_GENERATE_OUTPUT_BYTES) +
                     " bytes per call; split the request");
        if (SgResult r = sg::checkGenerateLimits(call, device->context->limits, info.model->data.arch,
                                                 info.model->data.name, size.width, size.height, gi.count, sourceBytes);
            r != SG_SUCCESS)
            return r;
        std::vector<sg::vk::Transition> transitions;
        if (SgResult r = planTransitions(call, info.pTargets, gi.count, size, &transitions); r != SG_SUCCESS) return r;
        // After a device loss the context generates on the CPU, so every call is staged.
        if (device->external && !device->context->cpuFallback()) {
            std::vector<sg::vk::ExportedImage> images;
            const std::string staged = exportedImages(device, info, &images);
            if (staged.empty()) {
                // A request the GPU backend cannot compute (say, latent interpolation) is staged from the CPU.
                const SgResult r = generateExternal(call, device, info, images, transitions, pSync);
                if (r != SG_ERROR_DEVICE_LOST && r != SG_ERROR_UNSUPPORTED) return r;
            } else {
                device->context->log(SG_LOG_LEVEL_DEBUG, "sgCmdGenerateVulkanImages: staged, since " + staged);
            }
        }

        sg::vk::StagingSlot* slot = nullptr;
        if (SgResult r = device->staging.acquire(call, stagingBytes, &slot); r != SG_SUCCESS) return r;
        SlotReservation reservation{device->staging, slot};
        if (convert) {
            if (SgResult r = generateConverted(call, device->context, info.model, gi, size, placements, slot->mapped);
                r != SG_SUCCESS)
                return r;
        } else {
            SgImageBuffer buffer{};
            buffer.sType = SG_STRUCTURE_TYPE_IMAGE_BUFFER;
            buffer.pData = slot->mapped;
            buffer.size = size_t(stagingBytes);
            if (SgResult r = sg::generate(call, device->context, info.model, &gi, &buffer); r != SG_SUCCESS) return r;
        }
        if (SgResult r = device->staging.flush(call, *slot, stagingBytes); r != SG_SUCCESS) return r;

        std::vector<sg::vk::Copy> copies(gi.count);
        for (uint32_t i = 0; i < gi.count; ++i) {
            const SgVulkanImageTarget& t = info.pTargets[i];
            sg::vk::Copy& copy = copies[i];
            copy.image = t.image;
            copy.region.bufferOffset = placements[i].offset;
            copy.region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, t.mipLevel, t.arrayLayer, 1};
            copy.region.imageOffset = {t.offset.x, t.offset.y, 0};
            copy.region.imageExtent = {size.width, size.height, 1};
        }
        sg::vk::recordCopies(device->fn, device->caps.synchronization2, info.commandBuffer, slot->buffer, transitions,
                             copies);
        pSync->waitSemaphore = VK_NULL_HANDLE;
        pSync->waitValue = 0;
        pSync->waitStageMask = 0;
        pSync->signalSemaphore = slot->semaphore;
        pSync->signalValue = reservation.commit();
        return SG_SUCCESS;
    });
}

}  // extern "C"
