// interop.hpp - Vulkan memory and timeline semaphores imported into CUDA
// (cudaImportExternalMemory / cudaImportExternalSemaphore, OPAQUE_FD), and
// their release once the work queued on them is done.
//
//   SgpInteropImage image;
//   Status s = importImage(desc, &image);              // the image's mip chain, a surface per level
//   ... writes queued on the interop stream ...
//   graveyard.bury(image, stream);                     // destroyed once those writes are done
//
// An image is mapped as the mipmapped array its VkImageCreateInfo describes,
// so CUDA addresses the texels where Vulkan's optimal tiling put them; each
// mip level gets a surface object the encode kernel writes through.
#pragma once

#include <mutex>
#include <vector>

#include "status.hpp"
#include "stylegen_plugin.h"

struct SgpInteropImage_T {
    cudaExternalMemory_t memory = nullptr;
    cudaMipmappedArray_t mipmap = nullptr;
    std::vector<cudaSurfaceObject_t> levels;  // one surface per mip level
    SgpPixelEncoding encoding = SGP_PIXEL_RGBA8_UNORM;
    uint32_t width = 0, height = 0, mipLevels = 0, arrayLayers = 0;
};

struct SgpInteropSemaphore_T {
    cudaExternalSemaphore_t semaphore = nullptr;
};

namespace sg::cuda {

// Takes ownership of desc.fd on success only.
Status importImage(const SgpInteropImageDesc& desc, SgpInteropImage* out);
// Takes ownership of fd on success only.
Status importSemaphore(int fd, SgpInteropSemaphore* out);

void destroyImage(SgpInteropImage image);
void destroySemaphore(SgpInteropSemaphore semaphore);

// Imported objects released while work queued on a stream may still use them:
// each waits for an event recorded on that stream at release time.
class Graveyard {
public:
    ~Graveyard() { destroyAll(); }
    void bury(SgpInteropImage image, SgpInteropSemaphore semaphore, cudaStream_t stream);
    // Destroys those whose work is done (or whose device was lost).
    void collect();
    // Destroys everything; the caller has synchronized the streams.
    void destroyAll();

private:
    struct Grave {
        cudaEvent_t done = nullptr;
        SgpInteropImage image = nullptr;
        SgpInteropSemaphore semaphore = nullptr;
    };
    std::mutex mutex_;
    std::vector<Grave> graves_;
};

}  // namespace sg::cuda
