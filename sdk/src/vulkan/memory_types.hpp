// memory_types.hpp - picking a memory type for a buffer or image.
#pragma once

#include <cstdint>
#include <initializer_list>

#include <vulkan/vulkan.h>

namespace sg::vk {

// The first memory type allowed by typeBits that has every property of the
// earliest entry in preferences any allowed type satisfies; -1 if none does.
inline int32_t findMemoryType(const VkPhysicalDeviceMemoryProperties& memory, uint32_t typeBits,
                              std::initializer_list<VkMemoryPropertyFlags> preferences) {
    for (const VkMemoryPropertyFlags wanted : preferences)
        for (uint32_t i = 0; i < memory.memoryTypeCount; ++i)
            if ((typeBits & (1u << i)) && (memory.memoryTypes[i].propertyFlags & wanted) == wanted) return int32_t(i);
    return -1;
}

}  // namespace sg::vk
