// generated_textures.hpp - the part of the sample to copy into an engine: the
// textures stylegen generates, straight into Vulkan images, from the frame's
// own command buffer.
//
// Every character of the crowd has a texture of its own, one layer of a 64x64
// RGBA texture array; the floor is one tileable terrain material. Generation is
// recorded into the frame's command buffer with sgCmdGenerateVulkanImages. On
// a machine without a GPU backend the SDK computes the pixels during that call
// into staging memory of its own and records the copies (the cpu-staging path);
// with one it writes the images in place. Either way the frame's submission
// must wait on and signal what the SDK hands back, which is all the engine
// has to know:
//
//   GeneratedTextures textures;
//   textures.create(gpu, settings);        // context, models, SgVulkanDevice, images
//   // per frame, while recording, outside a render pass:
//   std::vector<SgVulkanSubmitSync> syncs;
//   textures.recordGeneration(cmd, &syncs); // what is due: the first frame's load, re-rolls
//   // ... render, sampling textures.characterView / floorView ...
//   // submit: wait on each sync's waitSemaphore (if set), signal each signalSemaphore
//   textures.rerollCharacters();            // new seeds for the whole crowd, spread over frames
//   // at exit, once the device is idle:
//   textures.destroy();
#pragma once

#include <stylegen/stylegen_vulkan.h>

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "gpu.hpp"

namespace runtime {

struct TextureSettings {
    std::string charactersModel;  // a character model (.sgm): one texture per character
    std::string terrainModel;     // a scene model (.sgm): the floor
    uint32_t characterCount = 256;
    std::string floorStyle = "stone_blocks";
    uint32_t floorSize = 256;    // the floor texture's side in pixels
    float truncationPsi = 0.7f;  // lower: closer to each style's typical look
    uint64_t firstSeed = 1;      // seeds are handed out in order from here
    uint32_t rerollBatch = 64;   // characters regenerated per frame during a re-roll; 0: all at once
    uint32_t threads = 0;        // generation threads; 0: one per core
};

// What one frame generated and how long the SDK took (on the cpu-staging path
// that is the generation itself; with a GPU backend, recording only).
struct GenerationReport {
    uint32_t characters = 0;
    uint32_t floors = 0;
    double milliseconds = 0.0;
};

class GeneratedTextures {
public:
    // Loads both models and creates the SDK's device and the two images; the
    // first recordGeneration generates every texture.
    void create(Gpu& gpu, const TextureSettings& settings);
    // Once no submitted work uses the images any more.
    void destroy();

    // Every character gets a new seed; the next frames regenerate them,
    // settings.rerollBatch a frame.
    void rerollCharacters();
    // The floor becomes the terrain model's next material, with a new seed.
    void nextFloor();
    // Records the generation that is due into cmd (recording, outside a render
    // pass) and appends what the submission of cmd must wait on and signal.
    GenerationReport recordGeneration(VkCommandBuffer cmd, std::vector<SgVulkanSubmitSync>* syncs);
    // Records a copy of character i's texture (64x64 RGBA8, as the GPU holds it)
    // into buffer, host-readable once the submission's fence signals.
    void recordCharacterReadback(VkCommandBuffer cmd, uint32_t character, VkBuffer buffer);

    uint32_t characterCount() const { return uint32_t(seeds_.size()); }
    uint32_t characterResolution() const { return characterResolution_; }
    uint32_t styleCount() const { return styleCount_; }
    // The crowd has every style of the model in turn: character i is style i % styleCount.
    uint32_t styleOf(uint32_t character) const { return character % styleCount_; }
    // "style=orcs seed=42 psi=0.7 ...": the parameters of character i's current texture.
    std::string describeCharacter(uint32_t character) const;
    std::string floorName() const;
    // Which path the SDK uses and why, e.g. "cpu-staging: no CUDA plugin ...".
    std::string pathDescription() const;
    std::string backendDescription() const;

    VkImageView characterView = VK_NULL_HANDLE;  // 2D array, one layer per character
    VkImageView floorView = VK_NULL_HANDLE;

private:
    SgVulkanImage createImage(uint32_t size, uint32_t mipLevels, uint32_t layers);
    void recordFloor(VkCommandBuffer cmd, std::vector<SgVulkanSubmitSync>* syncs);
    // Blits level 0 (TRANSFER_SRC_OPTIMAL) down the mip chain and leaves every level ready to sample.
    void recordFloorMips(VkCommandBuffer cmd);
    void recordCharacters(VkCommandBuffer cmd, uint32_t style, const std::vector<uint32_t>& characters,
                          std::vector<SgVulkanSubmitSync>* syncs);
    // Throws with the SDK's message unless r is SG_SUCCESS.
    void check(SgResult r, const std::string& what) const;

    Gpu* gpu_ = nullptr;
    TextureSettings settings_;
    SgContext context_ = nullptr;
    SgModel characterModel_ = nullptr;
    SgModel terrainModel_ = nullptr;
    SgVulkanDevice device_ = nullptr;
    SgVulkanImage characterImage_{};
    SgVulkanImage floorImage_{};
    uint32_t characterResolution_ = 0;
    uint32_t styleCount_ = 0;
    uint32_t floorStyleCount_ = 0;
    uint32_t floorMipLevels_ = 1;

    std::vector<uint64_t> seeds_;  // the seed of each character's current texture
    std::vector<bool> written_;    // has a texture yet (its layer is not UNDEFINED)
    std::vector<bool> queued_;
    std::deque<uint32_t> queue_;  // characters waiting for a new texture
    uint64_t nextSeed_ = 0;
    uint32_t floorStyle_ = 0;
    uint64_t floorSeed_ = 0;
    bool floorDue_ = false;
    bool floorWritten_ = false;
};

}  // namespace runtime
