// staging_pool.hpp - host-visible buffers the cpu-staging path generates into,
// each with its own timeline semaphore that the application's submission
// signals. A buffer is handed out again only once its semaphore has reached
// the value of its last use, so the SDK never writes memory the GPU may still
// read, and never waits on the host for it.
//
// One semaphore per buffer, not one for the pool: a buffer has at most one
// submission pending, so its values are signalled in order whatever order the
// application submits different calls' command buffers in.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "vulkan/vulkan_functions.hpp"

namespace sg::vk {

struct StagingSlot {
    VkBuffer buffer = VK_NULL_HANDLE;
    VkDeviceMemory memory = VK_NULL_HANDLE;
    uint8_t* mapped = nullptr;
    VkDeviceSize size = 0;
    bool coherent = true;
    VkSemaphore semaphore = VK_NULL_HANDLE;  // timeline, starts at 0
    uint64_t issued = 0;                     // the value the last recorded use signals
    bool reserved = false;                   // a call is filling it
};

class StagingPool {
public:
    StagingPool(const Functions& fn, VkDevice device, const VkAllocationCallbacks* allocator,
                const VkPhysicalDeviceMemoryProperties& memory, VkDeviceSize nonCoherentAtomSize, VkDeviceSize budget);
    StagingPool(const StagingPool&) = delete;
    StagingPool& operator=(const StagingPool&) = delete;
    ~StagingPool();

    VkDeviceSize budget() const { return budget_; }

    // Reserves a slot of at least size bytes that no GPU work reads any more:
    // a free one, else a new one within the budget (free slots that are too
    // small are released to make room). Size 0 asks for a semaphore only (the
    // external-memory path's calls, which stage nothing). Fails with
    // SG_ERROR_OUT_OF_MEMORY when submissions still pending hold the budget,
    // SG_ERROR_DEVICE_LOST when the device is lost.
    SgResult acquire(const ApiCall& call, VkDeviceSize size, StagingSlot** slot);
    // Makes the host writes in [0, size) visible to the device (a no-op on coherent memory).
    SgResult flush(const ApiCall& call, const StagingSlot& slot, VkDeviceSize size) const;
    // The slot's contents were recorded into a command buffer: returns the
    // value its submission must signal on slot->semaphore.
    uint64_t commit(StagingSlot* slot);
    // Nothing was recorded: the slot is free again at once.
    void cancel(StagingSlot* slot);

    // Destroys every slot whose semaphore has reached its last value (or the
    // device is lost), waiting up to 100 ms in all for those not there yet.
    // Slots still pending then are left alive, since destroying them could
    // break work in flight; returns how many.
    size_t release();

private:
    // The semaphore has reached the last issued value; false also when the query fails.
    bool idle(const StagingSlot& slot, VkResult* result) const;
    // Waits up to timeoutNs for it; false on timeout or failure (*result says which).
    bool waitIdle(const StagingSlot& slot, uint64_t timeoutNs, VkResult* result) const;
    SgResult create(const ApiCall& call, VkDeviceSize size, std::unique_ptr<StagingSlot>* slot) const;
    void destroy(StagingSlot* slot) const;
    VkDeviceSize allocatedBytes() const;

    const Functions& fn_;
    const VkDevice device_;
    const VkAllocationCallbacks* const allocator_;
    const VkPhysicalDeviceMemoryProperties memory_;
    const VkDeviceSize atomSize_;
    const VkDeviceSize budget_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<StagingSlot>> slots_;
};

}  // namespace sg::vk
