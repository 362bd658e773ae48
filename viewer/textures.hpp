// textures.hpp - the images generated textures live in, uploading pixels
// made on the host (restyled images) into them, and reading them back.
//
// A Texture is a 2D array image the SDK allocated (sgCreateVulkanImage,
// exportable where the device allows, so a GPU backend can write it in place),
// with a view and a descriptor set for the viewer's shaders. The generation
// worker writes its layers through sgCmdGenerateVulkanImages, or the UI thread
// uploads host pixels into them; the UI thread samples them. Every layer stays
// in SHADER_READ_ONLY_OPTIMAL between uses.
//
// Lifetimes: textures are shared (std::shared_ptr) between the UI thread,
// jobs on the worker and command buffers not yet submitted. Whoever drops the
// last reference, on any thread, hands the texture to a graveyard; the UI
// thread destroys it once the GPU has finished every submission made until then.
#pragma once

#include <stylegen/stylegen_vulkan.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "gpu.hpp"
#include "image.hpp"  // tools/cli: sg::cli::Image

namespace sg::viewer {

struct Texture {
    uint64_t id = 0;  // unique for the run: tells a new texture from an old one at the same address
    uint32_t width = 0;
    uint32_t height = 0;
    uint32_t layers = 0;
    VkImage image = VK_NULL_HANDLE;  // owned by the SDK (sgDestroyVulkanImage)
    VkImageView view = VK_NULL_HANDLE;
    VkDescriptorSet set = VK_NULL_HANDLE;
    // Per layer, the key of what it holds (0: nothing yet). UI thread only.
    std::vector<uint64_t> keys;
};

// Stages and accesses of every use of a texture layer outside generation:
// sampling, readback copies, uploads, the initial clear. Generation targets name
// them as the work to wait for and the work that waits.
constexpr VkPipelineStageFlags2 kTextureUseStages =
    VK_PIPELINE_STAGE_2_FRAGMENT_SHADER_BIT | VK_PIPELINE_STAGE_2_COPY_BIT | VK_PIPELINE_STAGE_2_CLEAR_BIT;
constexpr VkAccessFlags2 kTextureReadAccess = VK_ACCESS_2_SHADER_SAMPLED_READ_BIT | VK_ACCESS_2_TRANSFER_READ_BIT;

class Textures {
public:
    Textures(Gpu& gpu, SgVulkanDevice sdkDevice);
    ~Textures();
    Textures(const Textures&) = delete;
    Textures& operator=(const Textures&) = delete;

    // A width x height x layers RGBA8 texture, transparent black: the clear is
    // recorded by the next recordPending(), before anything can use it. Every
    // texture must be released before the Textures object is destroyed.
    std::shared_ptr<Texture> create(uint32_t width, uint32_t height, uint32_t layers);

    // Copies layers [first, first + count) to the host after the work submitted
    // so far; done receives one straight-alpha RGBA8 image per layer on the UI
    // thread (from collect()) once the copy has completed.
    using ReadbackDone = std::function<void(std::vector<sg::cli::Image>)>;
    void readback(std::shared_ptr<Texture> texture, uint32_t first, uint32_t count, ReadbackDone done);

    // Copies image (straight-alpha RGBA8 of the texture's size) into one layer:
    // the next recordPending() records the copy from a staging buffer, before
    // that frame's drawing and readbacks, and collect() frees the buffer once
    // the frame has completed.
    void upload(std::shared_ptr<Texture> texture, uint32_t layer, sg::cli::Image image);

    // Frame hooks, UI thread. recordPending goes into the frame's command
    // buffer before the render pass; frameValue is the timeline value that
    // frame's submission signals. collect runs after submitting, with the last
    // value submitted and the value the GPU has reached.
    void recordPending(VkCommandBuffer cmd, uint64_t frameValue);
    void collect(uint64_t submittedValue, uint64_t completedValue);
    bool readbacksPending() const { return !readbacks_.empty(); }

    VkDescriptorSetLayout setLayout() const { return setLayout_; }

private:
    struct Retired {
        Texture* texture = nullptr;
        uint64_t freeAt = 0;  // destroy once the GPU reached this timeline value
    };
    struct Readback {
        std::shared_ptr<Texture> texture;
        uint32_t first = 0;
        uint32_t count = 0;
        ReadbackDone done;
        VkBuffer buffer = VK_NULL_HANDLE;
        VkDeviceMemory memory = VK_NULL_HANDLE;
        void* mapped = nullptr;
        uint64_t readyAt = 0;  // 0: not recorded yet
    };
    struct Upload {
        std::shared_ptr<Texture> texture;
        uint32_t layer = 0;
        sg::cli::Image image;  // released once recorded
        VkBuffer buffer = VK_NULL_HANDLE;
        VkDeviceMemory memory = VK_NULL_HANDLE;
        uint64_t doneAt = 0;  // 0: not recorded yet
    };
    void destroy(Texture& texture);
    // A host-visible, coherent buffer of size bytes, mapped to *mapped.
    void createHostBuffer(VkDeviceSize size, VkBufferUsageFlags usage, VkBuffer* buffer, VkDeviceMemory* memory,
                          void** mapped);
    void recordReadback(VkCommandBuffer cmd, Readback& readback);
    void recordUpload(VkCommandBuffer cmd, Upload& upload);

    Gpu& gpu_;
    SgVulkanDevice sdkDevice_;
    VkDescriptorSetLayout setLayout_ = VK_NULL_HANDLE;
    VkDescriptorPool pool_ = VK_NULL_HANDLE;
    VkSampler sampler_ = VK_NULL_HANDLE;
    std::vector<std::shared_ptr<Texture>> uncleared_;
    std::mutex graveyardMutex_;
    std::vector<Texture*> graveyard_;  // released, on any thread, since the last collect()
    std::vector<Retired> retired_;
    std::vector<Readback> readbacks_;
    std::vector<Upload> uploads_;
    uint64_t nextId_ = 1;
};

}  // namespace sg::viewer
