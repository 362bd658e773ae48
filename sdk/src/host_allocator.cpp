// host_allocator.cpp - see host_allocator.hpp.
#include "host_allocator.hpp"

#include <cstdlib>

namespace sg {

HostAllocator::HostAllocator(const SgAllocationCallbacks* pCallbacks) {
    if (pCallbacks) {
        callbacks_ = *pCallbacks;
        usesCallbacks_ = true;
    }
}

void* HostAllocator::allocate(size_t size, size_t alignment) const noexcept {
    if (size == 0) size = 1;  // a unique, freeable pointer for empty buffers
    if (usesCallbacks_) return callbacks_.pfnAllocation(callbacks_.pUserData, size, alignment);
    if (alignment < sizeof(void*)) alignment = sizeof(void*);  // posix_memalign's minimum
    void* p = nullptr;
    return posix_memalign(&p, alignment, size) == 0 ? p : nullptr;
}

void* HostAllocator::reallocate(void* pOriginal, size_t size, size_t alignment) const noexcept {
    if (size == 0) size = 1;
    if (usesCallbacks_) return callbacks_.pfnReallocation(callbacks_.pUserData, pOriginal, size, alignment);
    return std::realloc(pOriginal, size);
}

void HostAllocator::free(void* pMemory) const noexcept {
    if (!pMemory) return;
    if (usesCallbacks_)
        callbacks_.pfnFree(callbacks_.pUserData, pMemory);
    else
        std::free(pMemory);
}

bool HostAllocator::matches(const SgAllocationCallbacks* pCallbacks) const {
    if (!pCallbacks) return !usesCallbacks_;
    return usesCallbacks_ && pCallbacks->pUserData == callbacks_.pUserData &&
           pCallbacks->pfnAllocation == callbacks_.pfnAllocation &&
           pCallbacks->pfnReallocation == callbacks_.pfnReallocation && pCallbacks->pfnFree == callbacks_.pfnFree;
}

HostBuffer::HostBuffer(const HostAllocator& allocator, size_t size, size_t alignment)
    : allocator_(&allocator), size_(size), alignment_(alignment) {
    data_ = allocator.allocate(size, alignment);
    if (!data_) throw std::bad_alloc();
}

HostBuffer::~HostBuffer() {
    if (allocator_) allocator_->free(data_);
}

bool HostBuffer::resize(size_t size) {
    void* p = allocator_->reallocate(data_, size, alignment_);
    if (!p) return false;
    data_ = p;
    size_ = size;
    return true;
}

}  // namespace sg
