// host_allocator.hpp - the SDK's host memory: the application's
// SgAllocationCallbacks when it gave some, the C library otherwise.
#pragma once

#include <cstddef>
#include <new>
#include <utility>

#include "stylegen/stylegen.h"

namespace sg {

class HostAllocator {
public:
    // Copies the callbacks; NULL selects the system allocator.
    explicit HostAllocator(const SgAllocationCallbacks* pCallbacks);

    // nullptr on failure. alignment is a power of two.
    void* allocate(size_t size, size_t alignment) const noexcept;
    // Without application callbacks, alignment may be at most alignof(std::max_align_t):
    // the C library cannot resize over-aligned blocks.
    void* reallocate(void* pOriginal, size_t size, size_t alignment) const noexcept;
    void free(void* pMemory) const noexcept;

    bool usesCallbacks() const { return usesCallbacks_; }
    // True when pCallbacks names the same functions and user data (NULL matches the system allocator).
    bool matches(const SgAllocationCallbacks* pCallbacks) const;

    // Object lifetime in this allocator's memory; create throws std::bad_alloc.
    template <class T, class... Args>
    T* create(Args&&... args) const {
        void* p = allocate(sizeof(T), alignof(T));
        if (!p) throw std::bad_alloc();
        try {
            return new (p) T(std::forward<Args>(args)...);
        } catch (...) {
            free(p);
            throw;
        }
    }
    template <class T>
    void destroy(T* p) const noexcept {
        if (!p) return;
        p->~T();
        free(p);
    }

private:
    SgAllocationCallbacks callbacks_{};
    bool usesCallbacks_ = false;
};

// For std::unique_ptr of objects made with HostAllocator::create.
template <class T>
struct HostDeleter {
    const HostAllocator* allocator;
    void operator()(T* p) const noexcept { allocator->destroy(p); }
};

// A block of host memory owned through a HostAllocator (which must outlive it).
class HostBuffer {
public:
    HostBuffer() = default;
    // Throws std::bad_alloc.
    HostBuffer(const HostAllocator& allocator, size_t size, size_t alignment);
    HostBuffer(HostBuffer&& other) noexcept { swap(other); }
    HostBuffer& operator=(HostBuffer&& other) noexcept {
        HostBuffer(std::move(other)).swap(*this);
        return *this;
    }
    HostBuffer(const HostBuffer&) = delete;
    HostBuffer& operator=(const HostBuffer&) = delete;
    ~HostBuffer();

    // Grows or shrinks keeping the contents; false (buffer unchanged) on failure.
    bool resize(size_t size);

    void* data() const { return data_; }
    size_t size() const { return size_; }

private:
    void swap(HostBuffer& other) noexcept {
        std::swap(allocator_, other.allocator_);
        std::swap(data_, other.data_);
        std::swap(size_, other.size_);
        std::swap(alignment_, other.alignment_);
    }
    const HostAllocator* allocator_ = nullptr;
    void* data_ = nullptr;
    size_t size_ = 0;
    size_t alignment_ = 0;
};

}  // namespace sg
