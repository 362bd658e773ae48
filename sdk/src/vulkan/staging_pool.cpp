// staging_pool.cpp - staging buffers and their timeline semaphores.
#include "vulkan/staging_pool.hpp"

#include <algorithm>
#include <chrono>

#include "vulkan/memory_types.hpp"

namespace sg::vk {
namespace {

// Buffers are sized in these steps, so frames whose requests differ a little
// reuse the same buffers instead of reallocating.
constexpr VkDeviceSize kGranularity = VkDeviceSize(64) << 10;

VkDeviceSize roundUp(VkDeviceSize value, VkDeviceSize step) { return (value + step - 1) / step * step; }

}  // namespace

StagingPool::StagingPool(const Functions& fn, VkDevice device, const VkAllocationCallbacks* allocator,
                         const VkPhysicalDeviceMemoryProperties& memory, VkDeviceSize nonCoherentAtomSize,
                         VkDeviceSize budget)
    : fn_(fn),
      device_(device),
      allocator_(allocator),
      memory_(memory),
      atomSize_(std::max<VkDeviceSize>(1, nonCoherentAtomSize)),
      budget_(budget) {}

StagingPool::~StagingPool() { release(); }

bool StagingPool::idle(const StagingSlot& slot, VkResult* result) const {
    *result = VK_SUCCESS;
    if (slot.issued == 0) return true;
    uint64_t value = 0;
    *result = fn_.vkGetSemaphoreCounterValue(device_, slot.semaphore, &value);
    return *result == VK_SUCCESS && value >= slot.issued;
}

VkDeviceSize StagingPool::allocatedBytes() const {
    VkDeviceSize total = 0;
    for (const auto& slot : slots_) total += slot->size;
    return total;
}

SgResult StagingPool::acquire(const ApiCall& call, VkDeviceSize size, StagingSlot** out) {
    SG_CHECK(size <= budget_, SG_ERROR_INVALID_ARGUMENT,
             "the request needs " + std::to_string(size) +
                 " bytes of staging memory, more than the device's budget of " + std::to_string(budget_) +
                 "; split it into smaller requests or raise SgVulkanDeviceCreateInfo::stagingBudget");
    std::lock_guard<std::mutex> lock(mutex_);
    StagingSlot* best = nullptr;
    std::vector<size_t> idleSlots;
    for (size_t i = 0; i < slots_.size(); ++i) {
        StagingSlot& slot = *slots_[i];
        if (slot.reserved) continue;
        VkResult result = VK_SUCCESS;
        if (!idle(slot, &result)) {
            if (result != VK_SUCCESS) return fail(call, result, "vkGetSemaphoreCounterValue");
            continue;
        }
        idleSlots.push_back(i);
        if (slot.size >= size && (!best || slot.size < best->size)) best = &slot;
    }
    if (!best) {
        const VkDeviceSize wanted = std::max(size, std::min(roundUp(size, kGranularity), budget_));
        // Every idle slot is too small for this request: give their memory back, newest first.
        for (auto it = idleSlots.rbegin(); it != idleSlots.rend() && allocatedBytes() + wanted > budget_; ++it) {
            destroy(slots_[*it].get());
            slots_.erase(slots_.begin() + std::ptrdiff_t(*it));
        }
        const VkDeviceSize held = allocatedBytes();
        SG_CHECK(held + wanted <= budget_, SG_ERROR_OUT_OF_MEMORY,
                 "the staging budget of " + std::to_string(budget_) + " bytes is held by " +
                     std::to_string(slots_.size()) + " earlier call(s) whose submissions have not completed (" +
                     std::to_string(held) + " bytes) and this call needs " + std::to_string(size) +
                     "; let earlier submissions finish (each must signal its signalSemaphore to signalValue, "
                     "vkSignalSemaphore for command buffers never submitted) or raise "
                     "SgVulkanDeviceCreateInfo::stagingBudget");
        std::unique_ptr<StagingSlot> slot;
        if (SgResult r = create(call, wanted, &slot); r != SG_SUCCESS) return r;
        best = slot.get();
        slots_.push_back(std::move(slot));
    }
    best->reserved = true;
    *out = best;
    return SG_SUCCESS;
}

SgResult StagingPool::flush(const ApiCall& call, const StagingSlot& slot, VkDeviceSize size) const {
    if (slot.coherent) return SG_SUCCESS;
    VkMappedMemoryRange range{};
    range.sType = VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE;
    range.memory = slot.memory;
    range.offset = 0;
    // A multiple of the atom size, or up to the end of the allocation.
    range.size = roundUp(size, atomSize_) < slot.size ? roundUp(size, atomSize_) : VK_WHOLE_SIZE;
    SG_VK_CHECK(fn_.vkFlushMappedMemoryRanges(device_, 1, &range));
    return SG_SUCCESS;
}

uint64_t StagingPool::commit(StagingSlot* slot) {
    std::lock_guard<std::mutex> lock(mutex_);
    slot->reserved = false;
    return ++slot->issued;
}

void StagingPool::cancel(StagingSlot* slot) {
    std::lock_guard<std::mutex> lock(mutex_);
    slot->reserved = false;
}

bool StagingPool::waitIdle(const StagingSlot& slot, uint64_t timeoutNs, VkResult* result) const {
    VkSemaphoreWaitInfo wait{};
    wait.sType = VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO;
    wait.semaphoreCount = 1;
    wait.pSemaphores = &slot.semaphore;
    wait.pValues = &slot.issued;
    *result = fn_.vkWaitSemaphores(device_, &wait, timeoutNs);
    return *result == VK_SUCCESS;
}

size_t StagingPool::release() {
    std::lock_guard<std::mutex> lock(mutex_);
    // A submission the caller has waited for (its fence, vkQueueWaitIdle) has
    // signalled the slot's semaphore, yet the value vkGetSemaphoreCounterValue
    // reads can lag behind the fence (lavapipe, once, under load in CI). So a
    // slot not yet idle gets a wait on its semaphore before it counts as
    // pending: 100 ms in all, which only a caller who did not wait pays.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
    size_t pending = 0;
    for (auto& slot : slots_) {
        VkResult result = VK_SUCCESS;
        bool done = idle(*slot, &result);
        if (!done && result == VK_SUCCESS) {
            const auto left = std::max(std::chrono::steady_clock::duration::zero(),
                                       deadline - std::chrono::steady_clock::now());
            done = waitIdle(*slot, uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(left).count()),
                            &result);
        }
        if (done || result == VK_ERROR_DEVICE_LOST)
            destroy(slot.get());
        else
            ++pending;  // its handles are forgotten: the GPU may still read them
    }
    slots_.clear();
    return pending;
}

SgResult StagingPool::create(const ApiCall& call, VkDeviceSize size, std::unique_ptr<StagingSlot>* out) const {
    auto slot = std::make_unique<StagingSlot>();
    // Destroys what was made so far if a later step fails.
    struct Cleanup {
        const StagingPool* pool;
        std::unique_ptr<StagingSlot>* slot;
        ~Cleanup() {
            if (*slot) pool->destroy(slot->get());
        }
    } cleanup{this, &slot};

    // Size 0: the semaphore alone, for calls that write no staging memory.
    if (size > 0) {
        VkBufferCreateInfo bufferInfo{};

        bufferInfo.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
        bufferInfo.size = size;
        bufferInfo.usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT;
        bufferInfo.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
        SG_VK_CHECK(fn_.vkCreateBuffer(device_, &bufferInfo, allocator_, &slot->buffer));
        VkMemoryRequirements requirements{};
        fn_.vkGetBufferMemoryRequirements(device_, slot->buffer, &requirements);
        // Cached memory first: sgGenerate's float path reads back what it wrote,
        // which is very slow from write-combined memory.
        const VkMemoryPropertyFlags visible = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT;
        const VkMemoryPropertyFlags coherent = VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
        const VkMemoryPropertyFlags cached = VK_MEMORY_PROPERTY_HOST_CACHED_BIT;
        const int32_t type = findMemoryType(memory_, requirements.memoryTypeBits,
                                            {visible | coherent | cached, visible | coherent, visible | cached, visible});
        SG_CHECK(type >= 0, SG_ERROR_UNSUPPORTED, "the device has no host-visible memory type for a staging buffer");
        VkMemoryAllocateInfo allocateInfo{};
        allocateInfo.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
        allocateInfo.allocationSize = requirements.size;
        allocateInfo.memoryTypeIndex = uint32_t(type);
        SG_VK_CHECK(fn_.vkAllocateMemory(device_, &allocateInfo, allocator_, &slot->memory));
        SG_VK_CHECK(fn_.vkBindBufferMemory(device_, slot->buffer, slot->memory, 0));
        void* mapped = nullptr;
        SG_VK_CHECK(fn_.vkMapMemory(device_, slot->memory, 0, VK_WHOLE_SIZE, 0, &mapped));
        slot->mapped = static_cast<uint8_t*>(mapped);
        slot->size = size;
        slot->coherent = (memory_.memoryTypes[type].propertyFlags & coherent) != 0;
    }

    VkSemaphoreTypeCreateInfo timeline{};

    timeline.sType = VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO;
    timeline.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE;
    timeline.initialValue = 0;
    VkSemaphoreCreateInfo semaphoreInfo{};
    semaphoreInfo.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO;
    semaphoreInfo.pNext = &timeline;
    SG_VK_CHECK(fn_.vkCreateSemaphore(device_, &semaphoreInfo, allocator_, &slot->semaphore));
    *out = std::move(slot);
    return SG_SUCCESS;
}

void StagingPool::destroy(StagingSlot* slot) const {
    if (slot->mapped) fn_.vkUnmapMemory(device_, slot->memory);
    if (slot->buffer) fn_.vkDestroyBuffer(device_, slot->buffer, allocator_);
    if (slot->memory) fn_.vkFreeMemory(device_, slot->memory, allocator_);
    if (slot->semaphore) fn_.vkDestroySemaphore(device_, slot->semaphore, allocator_);
    *slot = StagingSlot{};
}

}  // namespace sg::vk
