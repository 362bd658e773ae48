// worker.cpp - the generation thread: model loads, batches recorded with
// sgCmdGenerateVulkanImages, command buffer reuse.
#include "worker.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace sg::viewer {
namespace {

constexpr uint32_t kMaxImagesPerBatch = 16;

std::string sdkError(SgContext context, SgResult result) {
    return std::string(sgResultString(result)) + ": " + sgGetLastErrorMessage(context);
}

}  // namespace

GenerationWorker::GenerationWorker(Gpu& gpu, SgContext context, SgVulkanDevice device, VkSemaphore timeline,
                                   const std::atomic<uint64_t>* submitted, bool inPlace)
    : gpu_(gpu), context_(context), device_(device), timeline_(timeline), submitted_(submitted), inPlace_(inPlace) {
    VkCommandPoolCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
    info.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    info.queueFamilyIndex = gpu_.queueFamily;
    SG_VIEWER_VK(vkCreateCommandPool(gpu_.device, &info, nullptr, &pool_));
    thread_ = std::thread([this] { run(); });
}

GenerationWorker::~GenerationWorker() {
    stop();
    // The pool's command buffers go with it; the caller has waited for the device.
    vkDestroyCommandPool(gpu_.device, pool_, nullptr);
}

void GenerationWorker::stop() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
        pending_.clear();
        loads_.clear();
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void GenerationWorker::load(const std::string& path) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        loads_.push_back(path);
    }
    wake_.notify_all();
}

void GenerationWorker::post(GenerateJob job) {
    if (job.items.empty()) return cancel(job.slot);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        pending_[job.slot] = std::move(job);
    }
    wake_.notify_all();
}

void GenerationWorker::cancel(uint32_t slot) {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_.erase(slot);
    // A running job of this slot sees an empty job as newer and stops.
    if (runningSlot_ == slot) pending_[slot].slot = slot;
}

std::vector<Batch> GenerationWorker::takeBatches() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<Batch> out;
    out.swap(batches_);
    return out;
}

std::vector<ModelLoad> GenerationWorker::takeLoads() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<ModelLoad> out;
    out.swap(loaded_);
    return out;
}

void GenerationWorker::recycle(VkCommandBuffer cmd, uint64_t readyAt) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        for (CommandBuffer& entry : commandBuffers_)
            if (entry.cmd == cmd) {
                entry.out = false;
                entry.readyAt = readyAt;
            }
    }
    wake_.notify_all();
}

GenerationWorker::Status GenerationWorker::status() const {
    std::lock_guard<std::mutex> lock(mutex_);
    Status status;
    status.jobImages = runningSlot_ != UINT32_MAX ? runningImages_ : 0;
    status.jobImagesDone = runningSlot_ != UINT32_MAX ? runningDone_ : 0;
    for (const auto& [slot, job] : pending_) status.jobImages += uint32_t(job.items.size());
    status.busy = !loads_.empty() || !pending_.empty() || runningSlot_ != UINT32_MAX || !batches_.empty() ||
                  !loaded_.empty();
    status.msPerBatch = msPerBatch_;
    status.msPerImage = msPerImage_;
    status.lastBatchImages = lastBatchImages_;
    status.failure = failure_;
    return status;
}

void GenerationWorker::run() {
    try {
        loop();
    } catch (const std::exception& e) {  // a Vulkan call failed (out of memory, device lost)
        std::lock_guard<std::mutex> lock(mutex_);
        failure_ = e.what();
        runningSlot_ = UINT32_MAX;
    }
}

void GenerationWorker::loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
        wake_.wait(lock, [this] { return stopping_ || !loads_.empty() || !pending_.empty(); });
        if (stopping_) return;
        if (!loads_.empty()) {
            ModelLoad result;
            result.path = loads_.front();
            loads_.pop_front();
            lock.unlock();
            SgModel handle = nullptr;
            const SgResult r = sgLoadModelFromFile(context_, result.path.c_str(), &handle);
            if (r != SG_SUCCESS) {
                result.error = sdkError(context_, r);
            } else {
                auto model = std::shared_ptr<LoadedModel>(new LoadedModel, [context = context_](LoadedModel* m) {
                    sgDestroyModel(context, m->handle);
                    delete m;
                });
                model->path = result.path;
                model->handle = handle;
                SgModelPatternInfo pattern{};
                pattern.sType = SG_STRUCTURE_TYPE_MODEL_PATTERN_INFO;
                SgModelRestyleInfo restyle{};
                restyle.sType = SG_STRUCTURE_TYPE_MODEL_RESTYLE_INFO;
                restyle.pNext = &pattern;
                restyle.restyleSupported = SG_FALSE;
                model->info.sType = SG_STRUCTURE_TYPE_MODEL_INFO;
                model->info.pNext = &restyle;
                sgGetModelInfo(handle, &model->info);
                model->info.pNext = nullptr;  // restyle and pattern live on this stack only
                model->restyleSupported = restyle.restyleSupported == SG_TRUE;
                model->patternPeriod = pattern.patternPeriod;
                model->name = model->info.pName ? model->info.pName : "";
                for (uint32_t i = 0; i < model->info.styleCount; ++i) {
                    const char* name = nullptr;
                    sgGetStyleName(handle, i, &name);
                    model->styles.push_back(name ? name : "");
                }
                result.model = std::move(model);
            }
            lock.lock();
            loaded_.push_back(std::move(result));
            continue;
        }
        GenerateJob job = std::move(pending_.begin()->second);
        pending_.erase(pending_.begin());
        runJob(job, lock);
    }
}

bool GenerationWorker::preempted(const GenerateJob& job) const {
    return !pending_.empty() && pending_.begin()->first <= job.slot;
}

VkCommandBuffer GenerationWorker::acquireCommandBuffer(std::unique_lock<std::mutex>& lock) {
    while (!stopping_) {
        uint64_t reached = 0;
        vkGetSemaphoreCounterValue(gpu_.device, timeline_, &reached);
        for (CommandBuffer& entry : commandBuffers_)
            if (!entry.out && entry.readyAt <= reached) {
                entry.out = true;
                vkResetCommandBuffer(entry.cmd, 0);
                return entry.cmd;
            }
        if (commandBuffers_.size() < kMaxBatchesInFlight) {
            VkCommandBufferAllocateInfo allocate{};
            allocate.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
            allocate.commandPool = pool_;
            allocate.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
            allocate.commandBufferCount = 1;
            CommandBuffer entry;
            SG_VIEWER_VK(vkAllocateCommandBuffers(gpu_.device, &allocate, &entry.cmd));
            entry.out = true;
            commandBuffers_.push_back(entry);
            return entry.cmd;
        }
        // Everything is in flight: the GPU (or the UI thread) is behind. Completion
        // on the GPU does not notify, hence the short timeout.
        wake_.wait_for(lock, std::chrono::milliseconds(5));
    }
    return VK_NULL_HANDLE;
}

void GenerationWorker::runJob(GenerateJob& job, std::unique_lock<std::mutex>& lock) {
    runningSlot_ = job.slot;
    runningImages_ = uint32_t(job.items.size());
    runningDone_ = 0;
    size_t next = 0;
    while (next < job.items.size() && !stopping_) {
        if (preempted(job)) {
            // A newer job of this slot replaces the rest; a more urgent slot goes
            // first and this job continues after it.
            if (pending_.count(job.slot) == 0) {
                job.items.erase(job.items.begin(), job.items.begin() + std::ptrdiff_t(next));
                pending_[job.slot] = std::move(job);
            }
            break;
        }
        size_t count = msPerImage_ > 0.0 ? size_t(std::lround(kTargetBatchMs / msPerImage_)) : 1;
        count = std::clamp<size_t>(count, 1, std::min<size_t>(kMaxImagesPerBatch, job.items.size() - next));
        for (size_t i = 1; i < count; ++i) {  // one call has one style and one crossover
            const GenerateItem &a = job.items[next], &b = job.items[next + i];
            if (b.mixLayer != a.mixLayer || b.styleIndex != a.styleIndex) {
                count = i;
                break;
            }
        }
        const VkCommandBuffer cmd = acquireCommandBuffer(lock);
        if (!cmd) break;
        lock.unlock();

        Batch batch;
        batch.slot = job.slot;
        batch.target = job.target;
        batch.items.assign(job.items.begin() + std::ptrdiff_t(next), job.items.begin() + std::ptrdiff_t(next + count));
        std::vector<uint64_t> seeds, mixSeeds, noiseSeeds, lerpSeeds;
        std::vector<float> lerpAmounts;
        std::vector<SgVulkanImageTarget> targets;
        for (const GenerateItem& item : batch.items) {
            seeds.push_back(item.seed);
            mixSeeds.push_back(item.mixSeed);
            noiseSeeds.push_back(item.noiseSeed);
            lerpSeeds.push_back(item.lerpSeed);
            lerpAmounts.push_back(item.lerpAmount);
            SgVulkanImageTarget target{};
            target.sType = SG_STRUCTURE_TYPE_VULKAN_IMAGE_TARGET;
            target.image = job.target->image;
            target.format = VK_FORMAT_R8G8B8A8_UNORM;
            target.imageExtent = {job.target->width, job.target->height};
            target.arrayLayer = item.layer;
            target.oldLayout = VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL;
            target.newLayout = VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL;
            target.srcStageMask = kTextureUseStages;  // earlier sampling, readback and clear ...
            target.srcAccessMask = 0;                 // ... of which only the clear wrote, and its barrier made that available
            target.dstStageMask = kTextureUseStages;
            target.dstAccessMask = kTextureReadAccess;
            targets.push_back(target);
        }
        SgGenerateInfo info{};
        info.sType = SG_STRUCTURE_TYPE_GENERATE_INFO;
        info.count = uint32_t(count);
        info.pSeeds = seeds.data();
        info.styleIndex = batch.items.front().styleIndex;
        info.styleWeightCount = uint32_t(job.styleWeights.size());
        info.pStyleWeights = job.styleWeights.empty() ? nullptr : job.styleWeights.data();
        info.truncationPsi = job.psi;
        info.noiseStrength = job.noise;
        if (job.mixing) {
            info.flags |= SG_GENERATE_STYLE_MIXING_BIT;
            info.pMixSeeds = mixSeeds.data();
            info.mixLayer = batch.items.front().mixLayer;
        }
        if (job.explicitNoise) {
            info.flags |= SG_GENERATE_EXPLICIT_NOISE_SEEDS_BIT;
            info.pNoiseSeeds = noiseSeeds.data();
        }
        SgLatentInterpolationInfo interpolation{};
        if (job.interpolating) {
            interpolation.sType = SG_STRUCTURE_TYPE_LATENT_INTERPOLATION_INFO;
            interpolation.pTargetSeeds = lerpSeeds.data();
            interpolation.pAmounts = lerpAmounts.data();
            info.pNext = &interpolation;
        }
        info.width = job.width;
        info.height = job.height;
        info.format = SG_FORMAT_R8G8B8A8_UNORM;
        info.alphaMode = SG_ALPHA_MODE_STRAIGHT;  // what PNG stores and the bake tool writes
        SgVulkanGenerateInfo vulkanInfo{};
        vulkanInfo.sType = SG_STRUCTURE_TYPE_VULKAN_GENERATE_INFO;
        vulkanInfo.model = job.model->handle;
        vulkanInfo.pGenerateInfo = &info;
        vulkanInfo.commandBuffer = cmd;
        vulkanInfo.targetCount = uint32_t(count);
        vulkanInfo.pTargets = targets.data();
        if (inPlace_) {
            // The GPU backend writes outside this command buffer: first let
            // everything submitted so far (frames sampling, readbacks) finish.
            // A frame submitted between now and this batch may still sample
            // the image while it is written: one frame may show a partial
            // update; the batch's own wait orders every later frame.
            vulkanInfo.imagesReadySemaphore = timeline_;
            vulkanInfo.imagesReadyValue = submitted_->load();
        }
        SgVulkanSubmitSync sync{};
        sync.sType = SG_STRUCTURE_TYPE_VULKAN_SUBMIT_SYNC;

        VkCommandBufferBeginInfo begin{};
        begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
        begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
        SG_VIEWER_VK(vkBeginCommandBuffer(cmd, &begin));
        const auto start = std::chrono::steady_clock::now();
        const SgResult result = sgCmdGenerateVulkanImages(device_, &vulkanInfo, &sync);
        batch.milliseconds = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        SG_VIEWER_VK(vkEndCommandBuffer(cmd));
        if (result == SG_SUCCESS) {
            batch.cmd = cmd;
            batch.syncs.push_back(sync);
        } else {
            batch.error = sdkError(context_, result);
        }

        lock.lock();
        if (!batch.cmd) {
            for (CommandBuffer& entry : commandBuffers_)
                if (entry.cmd == cmd) entry.out = false;  // nothing was recorded: free at once
        } else {
            // Running averages over roughly the last eight batches.
            const double perImage = batch.milliseconds / double(count);
            msPerImage_ = msPerImage_ == 0.0 ? perImage : msPerImage_ + (perImage - msPerImage_) / 8.0;
            msPerBatch_ = msPerBatch_ == 0.0 ? batch.milliseconds : msPerBatch_ + (batch.milliseconds - msPerBatch_) / 8.0;
            lastBatchImages_ = uint32_t(count);
        }
        const bool failed = !batch.cmd;
        batches_.push_back(std::move(batch));
        runningDone_ += uint32_t(count);
        next += count;
        if (failed) break;  // the UI shows the error; the same request would fail again
    }
    runningSlot_ = UINT32_MAX;
}

}  // namespace sg::viewer
