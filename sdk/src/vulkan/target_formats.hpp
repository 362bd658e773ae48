// target_formats.hpp - the VkFormats generated images can be written to, and
// which SgGenerateInfo::format feeds each.
#pragma once

#include <cstdint>

#include <vulkan/vulkan.h>

#include "stylegen/stylegen.h"

namespace sg::vk {

struct TargetFormat {
    VkFormat format;
    SgFormat source;  // the SgGenerateInfo::format this format is filled from
    uint32_t bytesPerPixel;
    bool halfFloat;  // the SDK rounds the source floats to half
    const char* name;
};

// nullptr for formats targets do not accept.
inline const TargetFormat* findTargetFormat(VkFormat format) {
    static const TargetFormat kFormats[] = {
        {VK_FORMAT_R8G8B8A8_UNORM, SG_FORMAT_R8G8B8A8_UNORM, 4, false, "VK_FORMAT_R8G8B8A8_UNORM"},
        {VK_FORMAT_R8G8B8A8_SRGB, SG_FORMAT_R8G8B8A8_UNORM, 4, false, "VK_FORMAT_R8G8B8A8_SRGB"},
        {VK_FORMAT_R16G16B16A16_SFLOAT, SG_FORMAT_R32G32B32A32_SFLOAT, 8, true, "VK_FORMAT_R16G16B16A16_SFLOAT"},
        {VK_FORMAT_R32G32B32A32_SFLOAT, SG_FORMAT_R32G32B32A32_SFLOAT, 16, false, "VK_FORMAT_R32G32B32A32_SFLOAT"},
    };
    for (const TargetFormat& f : kFormats)
        if (f.format == format) return &f;
    return nullptr;
}

inline constexpr const char* kTargetFormatList =
    "VK_FORMAT_R8G8B8A8_UNORM, VK_FORMAT_R8G8B8A8_SRGB, VK_FORMAT_R16G16B16A16_SFLOAT or VK_FORMAT_R32G32B32A32_SFLOAT";

}  // namespace sg::vk
