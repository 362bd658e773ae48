// worker.hpp - model loading and generation off the UI thread.
//
// On the cpu-staging path sgCmdGenerateVulkanImages computes the pixels during
// the call (it takes as long as sgGenerate), so the UI thread must not make it.
// The worker makes it instead, recording into command buffers from its own
// pool, and hands each recorded command buffer with the SDK's SgVulkanSubmitSync
// to the UI thread, which submits it on the queue (the only thread that touches
// the queue). The UI thread never waits for the worker: it picks up whatever
// is ready at the start of a frame.
//
// Jobs are split into small batches (about kTargetBatchMs each), so a newer
// job for the same slot (the user dragged a slider) or a job of a more urgent
// slot (the grid before the style thumbnails) takes over within one batch.
#pragma once

#include <stylegen/stylegen_vulkan.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gpu.hpp"
#include "textures.hpp"

namespace sg::viewer {

// A model loaded through the viewer's context; immutable, shared by jobs.
struct LoadedModel {
    std::string path;  // absolute
    SgModel handle = nullptr;
    SgModelInfo info{};
    std::string name;
    std::vector<std::string> styles;
    bool restyleSupported = false;  // it carries an encoder (SgModelRestyleInfo)
    uint32_t patternPeriod = 0;     // pixels; 0: no repeating pattern (SgModelPatternInfo)
};

// One image of a job: its style and seeds, and the texture layer it goes to.
struct GenerateItem {
    uint32_t layer = 0;
    uint32_t styleIndex = 0;  // when the job has no styleWeights
    uint64_t seed = 0;
    uint64_t mixSeed = 0;
    uint32_t mixLayer = 0;
    uint64_t noiseSeed = 0;
    uint64_t lerpSeed = 0;   // the latent moves towards this seed ...
    float lerpAmount = 0.0f;  // ... by this much (SgLatentInterpolationInfo)
    uint64_t key = 0;  // what the layer shows once written (the UI's bookkeeping)
};

// Images that share every setting but their seeds, for one slot (the grid, the
// style thumbnails, ...). Lower slots are more urgent.
struct GenerateJob {
    uint32_t slot = 0;
    std::shared_ptr<const LoadedModel> model;
    std::shared_ptr<Texture> target;
    std::vector<float> styleWeights;  // a blend, one weight per style; empty: each item's styleIndex
    float psi = 1.0f;
    float noise = 1.0f;
    bool mixing = false;         // items' mixSeed and mixLayer apply
    bool explicitNoise = false;  // items' noiseSeed applies
    bool interpolating = false;  // items' lerpSeed and lerpAmount apply
    uint32_t width = 0;          // 0: the model's resolution
    uint32_t height = 0;
    std::vector<GenerateItem> items;  // in the order to generate them
};

// Recorded work for the UI thread to submit.
struct Batch {
    uint32_t slot = 0;
    VkCommandBuffer cmd = VK_NULL_HANDLE;  // ended; VK_NULL_HANDLE when generation failed
    std::vector<SgVulkanSubmitSync> syncs;  // one per sgCmdGenerateVulkanImages call in cmd
    std::shared_ptr<Texture> target;
    std::vector<GenerateItem> items;        // written by cmd
    double milliseconds = 0.0;              // spent in sgCmdGenerateVulkanImages
    std::string error;
};

struct ModelLoad {
    std::string path;
    std::shared_ptr<const LoadedModel> model;  // null on failure
    std::string error;
};

class GenerationWorker {
public:
    static constexpr double kTargetBatchMs = 60.0;
    static constexpr uint32_t kMaxBatchesInFlight = 8;  // recorded but not yet completed on the GPU

    // timeline: the UI thread's submission counter (a timeline semaphore);
    // command buffers are reused once it reaches their recycle value.
    // submitted: the last value a submission made so far signals. inPlace: the
    // SDK writes targets outside the command buffer (external-memory path), so
    // each call waits for timeline to reach submitted (timeline is exportable).
    GenerationWorker(Gpu& gpu, SgContext context, SgVulkanDevice device, VkSemaphore timeline,
                     const std::atomic<uint64_t>* submitted, bool inPlace);
    // Stops the thread. Batches not taken yet stay in takeBatches().
    ~GenerationWorker();
    GenerationWorker(const GenerationWorker&) = delete;
    GenerationWorker& operator=(const GenerationWorker&) = delete;

    void load(const std::string& path);
    // Replaces the slot's pending or running job (the running one stops after its current batch).
    void post(GenerateJob job);
    void cancel(uint32_t slot);
    std::vector<Batch> takeBatches();
    std::vector<ModelLoad> takeLoads();
    // Gives back a batch's command buffer: submitted with its timeline signal
    // at readyAt, or never submitted (readyAt 0; its SDK semaphores must have
    // been signalled from the host).
    void recycle(VkCommandBuffer cmd, uint64_t readyAt);
    // Stops the thread now (the destructor does too); for an orderly teardown.
    void stop();

    struct Status {
        bool busy = false;          // loading, generating, or holding batches not taken
        uint32_t jobImages = 0;     // images of the running and pending jobs ...
        uint32_t jobImagesDone = 0; // ... and how many of them are done
        double msPerBatch = 0.0;    // running averages
        double msPerImage = 0.0;
        uint32_t lastBatchImages = 0;
        std::string failure;        // the thread stopped on this Vulkan error
    };
    Status status() const;

private:
    struct CommandBuffer {
        VkCommandBuffer cmd = VK_NULL_HANDLE;
        uint64_t readyAt = 0;
        bool out = false;  // handed to the UI thread, not recycled yet
    };
    void run();
    void loop();
    void runJob(GenerateJob& job, std::unique_lock<std::mutex>& lock);
    VkCommandBuffer acquireCommandBuffer(std::unique_lock<std::mutex>& lock);
    bool preempted(const GenerateJob& job) const;  // lock held

    Gpu& gpu_;
    SgContext context_;
    SgVulkanDevice device_;
    VkSemaphore timeline_;
    const std::atomic<uint64_t>* submitted_;
    bool inPlace_;
    VkCommandPool pool_ = VK_NULL_HANDLE;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::deque<std::string> loads_;
    std::map<uint32_t, GenerateJob> pending_;  // by slot
    uint32_t runningSlot_ = UINT32_MAX;
    uint32_t runningImages_ = 0, runningDone_ = 0;
    std::vector<Batch> batches_;
    std::vector<ModelLoad> loaded_;
    std::vector<CommandBuffer> commandBuffers_;
    double msPerBatch_ = 0.0, msPerImage_ = 0.0;
    uint32_t lastBatchImages_ = 0;
    std::string failure_;
    std::thread thread_;
};

}  // namespace sg::viewer
