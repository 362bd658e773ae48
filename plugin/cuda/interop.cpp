// interop.cpp - see interop.hpp.
#include "interop.hpp"

#include <memory>

#include <cuda_runtime.h>
#include <unistd.h>

namespace sg::cuda {
namespace {

cudaChannelFormatDesc channelFormat(SgpPixelEncoding encoding) {
    switch (encoding) {
        case SGP_PIXEL_RGBA16_SFLOAT:
            return cudaCreateChannelDesc(16, 16, 16, 16, cudaChannelFormatKindFloat);
        case SGP_PIXEL_RGBA32_SFLOAT:
            return cudaCreateChannelDesc(32, 32, 32, 32, cudaChannelFormatKindFloat);
        default:
            return cudaCreateChannelDesc(8, 8, 8, 8, cudaChannelFormatKindUnsigned);
    }
}

struct ImageDeleter {
    void operator()(SgpInteropImage image) const { destroyImage(image); }
};

}  // namespace

Status importImage(const SgpInteropImageDesc& d, SgpInteropImage* out) {
    if (d.fd < 0 || d.width == 0 || d.height == 0 || d.mipLevels == 0 || d.arrayLayers == 0 ||
        d.encoding > SGP_PIXEL_RGBA32_SFLOAT || d.memoryOffset >= d.allocationSize)
        return failure(SGP_ERROR_INVALID_ARGUMENT, "importImage: invalid image description");
    // CUDA owns the descriptor it imports; a duplicate leaves the caller's own.
    const int fd = dup(d.fd);
    if (fd < 0) return failure(SGP_ERROR_INTERNAL, "importImage: cannot duplicate the memory's file descriptor");
    std::unique_ptr<SgpInteropImage_T, ImageDeleter> image(new SgpInteropImage_T());
    cudaExternalMemoryHandleDesc memory{};
    memory.type = cudaExternalMemoryHandleTypeOpaqueFd;
    memory.handle.fd = fd;
    memory.size = d.allocationSize;
    memory.flags = d.dedicated ? cudaExternalMemoryDedicated : 0;
    const cudaError_t imported = cudaImportExternalMemory(&image->memory, &memory);
    if (imported != cudaSuccess) {
        close(fd);
        image->memory = nullptr;
        SG_CUDA_CHECK(imported);
    }
    image->encoding = d.encoding;
    image->width = d.width;
    image->height = d.height;
    image->mipLevels = d.mipLevels;
    image->arrayLayers = d.arrayLayers;
    // Vulkan's mip chain as CUDA describes it: a layered array only for more than one layer.
    const bool layered = d.arrayLayers > 1;
    cudaExternalMemoryMipmappedArrayDesc array{};
    array.offset = d.memoryOffset;
    array.formatDesc = channelFormat(d.encoding);
    array.extent = make_cudaExtent(d.width, d.height, layered ? d.arrayLayers : 0);
    array.flags = cudaArraySurfaceLoadStore | (layered ? cudaArrayLayered : 0u) |
                  (d.colorAttachment ? cudaArrayColorAttachment : 0u);
    array.numLevels = d.mipLevels;
    SG_CUDA_CHECK(cudaExternalMemoryGetMappedMipmappedArray(&image->mipmap, image->memory, &array));
    for (uint32_t level = 0; level < d.mipLevels; ++level) {
        cudaArray_t levelArray = nullptr;
        SG_CUDA_CHECK(cudaGetMipmappedArrayLevel(&levelArray, image->mipmap, level));
        cudaResourceDesc resource{};
        resource.resType = cudaResourceTypeArray;
        resource.res.array.array = levelArray;
        cudaSurfaceObject_t surface = 0;
        SG_CUDA_CHECK(cudaCreateSurfaceObject(&surface, &resource));
        image->levels.push_back(surface);
    }
    *out = image.release();
    return {};
}

Status importSemaphore(int fd, SgpInteropSemaphore* out) {
    if (fd < 0) return failure(SGP_ERROR_INVALID_ARGUMENT, "importSemaphore: invalid file descriptor");
    const int own = dup(fd);
    if (own < 0) return failure(SGP_ERROR_INTERNAL, "importSemaphore: cannot duplicate the file descriptor");
    cudaExternalSemaphoreHandleDesc desc{};
    desc.type = cudaExternalSemaphoreHandleTypeTimelineSemaphoreFd;
    desc.handle.fd = own;
    auto semaphore = std::make_unique<SgpInteropSemaphore_T>();
    const cudaError_t imported = cudaImportExternalSemaphore(&semaphore->semaphore, &desc);
    if (imported != cudaSuccess) {
        close(own);
        SG_CUDA_CHECK(imported);
    }
    *out = semaphore.release();
    return {};
}

void destroyImage(SgpInteropImage image) {
    if (!image) return;
    for (const cudaSurfaceObject_t surface : image->levels) cudaDestroySurfaceObject(surface);
    if (image->mipmap) cudaFreeMipmappedArray(image->mipmap);
    if (image->memory) cudaDestroyExternalMemory(image->memory);
    delete image;
}

void destroySemaphore(SgpInteropSemaphore semaphore) {
    if (!semaphore) return;
    if (semaphore->semaphore) cudaDestroyExternalSemaphore(semaphore->semaphore);
    delete semaphore;
}

void Graveyard::bury(SgpInteropImage image, SgpInteropSemaphore semaphore, cudaStream_t stream) {
    Grave grave;
    grave.image = image;
    grave.semaphore = semaphore;
    // Without an event (the device is gone, say) nothing can still use them.
    if (cudaEventCreateWithFlags(&grave.done, cudaEventDisableTiming) != cudaSuccess ||
        cudaEventRecord(grave.done, stream) != cudaSuccess) {
        if (grave.done) cudaEventDestroy(grave.done);
        destroyImage(image);
        destroySemaphore(semaphore);
        return;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    graves_.push_back(grave);
}

void Graveyard::collect() {
    std::vector<Grave> due;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        for (auto it = graves_.begin(); it != graves_.end();) {
            if (cudaEventQuery(it->done) == cudaErrorNotReady) {
                ++it;
            } else {
                due.push_back(*it);
                it = graves_.erase(it);
            }
        }
    }
    for (const Grave& grave : due) {
        cudaEventDestroy(grave.done);
        destroyImage(grave.image);
        destroySemaphore(grave.semaphore);
    }
}

void Graveyard::destroyAll() {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const Grave& grave : graves_) {
        cudaEventDestroy(grave.done);
        destroyImage(grave.image);
        destroySemaphore(grave.semaphore);
    }
    graves_.clear();
}

}  // namespace sg::cuda
