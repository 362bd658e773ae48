// The external-memory path on a real NVIDIA Vulkan device: the CUDA backend
// writes generated images into the images' exported memory, the submission
// acquires them once CUDA signals, and what Vulkan reads back equals what the
// staged path (and sgGenerate) gives. Runs under VK_LAYER_KHRONOS_validation
// with synchronization validation; any message fails the test. Skips with the
// reason without a CUDA device or without a Vulkan device for the same GPU.
#include <chrono>
#include <cstring>
#include <list>
#include <thread>

#include "gpu_test_support.hpp"
#include "tiny_model.hpp"
#include "vulkan_harness.hpp"

namespace {

constexpr uint32_t kSide = 16;  // the tiny character model's size

// An application image created exportable (VkExternalMemoryImageCreateInfo,
// dedicated exportable memory), with the create info the SDK is given.
struct AppImage {
    VkImage image = VK_NULL_HANDLE;
    VkDeviceMemory memory = VK_NULL_HANDLE;
    VkDeviceSize size = 0;
    VkExternalMemoryImageCreateInfo external{};
    VkImageCreateInfo info{};
    SgVulkanExternalImageInfo sdkInfo{};
};

uint32_t bytesPerPixel(VkFormat format) {
    return format == VK_FORMAT_R32G32B32A32_SFLOAT ? 16 : format == VK_FORMAT_R16G16B16A16_SFLOAT ? 8 : 4;
}

class CudaInterop : public ::testing::Test {
protected:
    void SetUp() override {
        SG_SKIP_WITHOUT_CUDA();
        cuda_ = std::make_unique<sg::Context>(sgtest::cudaContext(&log_));
        context = cuda_->handle();
        character_ = &load(sgtest::makeTinyModel(sgtest::TinyKind::Character, 3, 31));
        sgtest::VulkanSetup setup;
        setup.externalSemaphoreFd = true;
        setup.deviceUuid = sgtest::cudaDeviceUuid();
        std::string why;
        vk = sgtest::VulkanHarness::create(setup, &why);
        if (!vk) GTEST_SKIP() << "no Vulkan device for the CUDA GPU (NVIDIA's Vulkan driver): " << why;
        if (!vk->externalMemoryFd || !vk->externalSemaphoreFd)
            GTEST_SKIP() << "the Vulkan device lacks VK_KHR_external_memory_fd or VK_KHR_external_semaphore_fd";
        const SgVulkanDeviceCreateInfo info = vk->sdkDeviceInfo();
        ASSERT_EQ(sgCreateVulkanDevice(context, &info, &device), SG_SUCCESS) << sgGetLastErrorMessage(context);
    }

    void TearDown() override {
        if (vk) {
            vkDeviceWaitIdle(vk->device);
            sgDestroyVulkanDevice(context, device);
            for (const AppImage& image : appImages_) {
                vkDestroyImage(vk->device, image.image, nullptr);
                vkFreeMemory(vk->device, image.memory, nullptr);
            }
            for (VkSemaphore semaphore : semaphores_) vkDestroySemaphore(vk->device, semaphore, nullptr);
            const std::vector<std::string> messages = vk->shutdown();
            std::string text;
            for (const std::string& m : messages) text += m + "\n";
            EXPECT_TRUE(messages.empty()) << "validation messages:\n" << text;
        }
        models_.clear();
        cuda_.reset();
        unsetenv("STYLEGEN_PLUGIN_PATH");
    }

    const sg::Model& load(const std::vector<uint8_t>& bytes) {
        models_.push_back(cuda_->loadModelFromMemory(bytes.data(), bytes.size()));
        return models_.back();
    }

    SgVulkanImage sdkImage(VkFormat format, bool exportable, uint32_t side = kSide, uint32_t mipLevels = 1,
                           uint32_t layers = 1) {
        SgVulkanImageCreateInfo info{};
        info.sType = SG_STRUCTURE_TYPE_VULKAN_IMAGE_CREATE_INFO;
        info.format = format;
        info.width = info.height = side;
        info.mipLevels = mipLevels;
        info.arrayLayers = layers;
        info.usage = VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT;
        info.exportable = exportable ? SG_TRUE : SG_FALSE;
        SgVulkanImage image{};
        image.sType = SG_STRUCTURE_TYPE_VULKAN_IMAGE;
        EXPECT_EQ(sgCreateVulkanImage(device, &info, &image), SG_SUCCESS) << sgGetLastErrorMessage(context);
        return image;
    }

    AppImage& appImage(VkFormat format) {
        AppImage& a = appImages_.emplace_back();
        a.external.sType = VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_IMAGE_CREATE_INFO;
        a.external.handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT;
        a.info.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO;
        a.info.pNext = &a.external;
        a.info.imageType = VK_IMAGE_TYPE_2D;
        a.info.format = format;
        a.info.extent = {kSide, kSide, 1};
        a.info.mipLevels = 1;
        a.info.arrayLayers = 1;
        a.info.samples = VK_SAMPLE_COUNT_1_BIT;
        a.info.tiling = VK_IMAGE_TILING_OPTIMAL;
        a.info.usage = VK_IMAGE_USAGE_TRANSFER_DST_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_SAMPLED_BIT;
        a.info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
        EXPECT_EQ(vkCreateImage(vk->device, &a.info, nullptr, &a.image), VK_SUCCESS);
        VkMemoryRequirements requirements{};
        vkGetImageMemoryRequirements(vk->device, a.image, &requirements);
        VkPhysicalDeviceMemoryProperties memory{};
        vkGetPhysicalDeviceMemoryProperties(vk->physicalDevice, &memory);
        uint32_t type = 0;
        while (type < memory.memoryTypeCount &&
               !((requirements.memoryTypeBits & (1u << type)) &&
                 (memory.memoryTypes[type].propertyFlags & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT)))
            ++type;
        VkExportMemoryAllocateInfo exportInfo{};
        exportInfo.sType = VK_STRUCTURE_TYPE_EXPORT_MEMORY_ALLOCATE_INFO;
        exportInfo.handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT;
        VkMemoryDedicatedAllocateInfo dedicated{};
        dedicated.sType = VK_STRUCTURE_TYPE_MEMORY_DEDICATED_ALLOCATE_INFO;
        dedicated.pNext = &exportInfo;
        dedicated.image = a.image;
        VkMemoryAllocateInfo allocate{};
        allocate.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
        allocate.pNext = &dedicated;
        allocate.allocationSize = requirements.size;
        allocate.memoryTypeIndex = type;
        EXPECT_EQ(vkAllocateMemory(vk->device, &allocate, nullptr, &a.memory), VK_SUCCESS);
        EXPECT_EQ(vkBindImageMemory(vk->device, a.image, a.memory, 0), VK_SUCCESS);
        a.size = requirements.size;
        a.sdkInfo.sType = SG_STRUCTURE_TYPE_VULKAN_EXTERNAL_IMAGE_INFO;
        a.sdkInfo.memory = a.memory;
        a.sdkInfo.allocationSize = a.size;
        a.sdkInfo.dedicatedAllocation = SG_TRUE;
        a.sdkInfo.pImageCreateInfo = &a.info;
        return a;
    }

    // A timeline semaphore exportable as OPAQUE_FD, as imagesReadySemaphore must be.
    VkSemaphore exportableTimeline() {
        VkExportSemaphoreCreateInfo exportInfo{};
        exportInfo.sType = VK_STRUCTURE_TYPE_EXPORT_SEMAPHORE_CREATE_INFO;
        exportInfo.handleTypes = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT;
        VkSemaphoreTypeCreateInfo type{};
        type.sType = VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO;
        type.pNext = &exportInfo;
        type.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE;
        VkSemaphoreCreateInfo info{};
        info.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO;
        info.pNext = &type;
        VkSemaphore semaphore = VK_NULL_HANDLE;
        EXPECT_EQ(vkCreateSemaphore(vk->device, &info, nullptr, &semaphore), VK_SUCCESS);
        semaphores_.push_back(semaphore);
        return semaphore;
    }

    static SgVulkanImageTarget target(VkImage image, VkFormat format, VkImageLayout oldLayout,
                                      uint32_t extent = kSide) {
        SgVulkanImageTarget t{};
        t.sType = SG_STRUCTURE_TYPE_VULKAN_IMAGE_TARGET;
        t.image = image;
        t.format = format;
        t.imageExtent = {extent, extent};
        t.oldLayout = oldLayout;
        t.srcStageMask = oldLayout == VK_IMAGE_LAYOUT_UNDEFINED ? 0 : VK_PIPELINE_STAGE_2_TRANSFER_BIT;
        t.newLayout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;  // read back right after
        t.dstStageMask = VK_PIPELINE_STAGE_2_TRANSFER_BIT;
        t.dstAccessMask = VK_ACCESS_2_TRANSFER_READ_BIT;
        return t;
    }

    static sg::GenerateInfo request(uint32_t count, uint64_t seed, SgFormat format) {
        sg::GenerateInfo gi;
        gi.count = count;
        gi.firstSeed = seed;
        gi.truncationPsi = 0.8f;
        gi.format = format;
        gi.alphaMode = SG_ALPHA_MODE_PREMULTIPLIED;
        return gi;
    }

    SgResult record(const sg::Model& model, const SgGenerateInfo& gi, const std::vector<SgVulkanImageTarget>& targets,
                    VkCommandBuffer cmd, SgVulkanSubmitSync* sync, VkSemaphore ready = VK_NULL_HANDLE,
                    uint64_t readyValue = 0) {
        SgVulkanGenerateInfo info{};
        info.sType = SG_STRUCTURE_TYPE_VULKAN_GENERATE_INFO;
        info.model = model.handle();
        info.pGenerateInfo = &gi;
        info.commandBuffer = cmd;
        info.targetCount = uint32_t(targets.size());
        info.pTargets = targets.data();
        info.imagesReadySemaphore = ready;
        info.imagesReadyValue = readyValue;
        sync->sType = SG_STRUCTURE_TYPE_VULKAN_SUBMIT_SYNC;
        return sgCmdGenerateVulkanImages(device, &info, sync);
    }

    // Records the request and a readback of every target into one command
    // buffer, submits it with the SDK's sync, waits; returns each target's
    // bytes and whether the call went through external memory.
    std::vector<std::vector<uint8_t>> generateAndRead(const sg::Model& model, const SgGenerateInfo& gi,
                                                      const std::vector<SgVulkanImageTarget>& targets,
                                                      bool* external) {
        const VkCommandBuffer cmd = vk->beginCommands();
        SgVulkanSubmitSync sync{};
        EXPECT_EQ(record(model, gi, targets, cmd, &sync), SG_SUCCESS) << sgGetLastErrorMessage(context);
        *external = sync.waitSemaphore != VK_NULL_HANDLE;
        std::vector<VkDeviceSize> offsets;
        VkDeviceSize total = 0;
        for (const SgVulkanImageTarget& t : targets) {
            offsets.push_back(total);
            total += VkDeviceSize(kSide) * kSide * bytesPerPixel(t.format);
        }
        const auto readback = vk->createHostBuffer(total, VK_BUFFER_USAGE_TRANSFER_DST_BIT);
        for (size_t i = 0; i < targets.size(); ++i)
            vk->recordReadback(cmd, targets[i].image, targets[i].mipLevel, targets[i].arrayLayer, targets[i].offset,
                               {kSide, kSide}, readback.buffer, offsets[i]);
        vk->hostReadBarrier(cmd);
        vk->submitAndWait(cmd, {sync});
        std::vector<std::vector<uint8_t>> pixels;
        const auto* bytes = static_cast<const uint8_t*>(readback.mapped);
        for (size_t i = 0; i < targets.size(); ++i)
            pixels.emplace_back(bytes + offsets[i],
                                bytes + offsets[i] + VkDeviceSize(kSide) * kSide * bytesPerPixel(targets[i].format));
        return pixels;
    }

    std::vector<uint8_t> hostBytes(const sg::Model& model, const sg::GenerateInfo& gi) const {
        std::vector<uint8_t> bytes(size_t(gi.count) * kSide * kSide * (gi.format == SG_FORMAT_R8G8B8A8_UNORM ? 4 : 16));
        model.generateInto(gi, bytes.data(), bytes.size());
        return bytes;
    }

    static std::vector<uint8_t> slice(const std::vector<uint8_t>& bytes, size_t index, size_t size) {
        return {bytes.begin() + index * size, bytes.begin() + (index + 1) * size};
    }

    std::vector<std::string> log_;
    std::unique_ptr<sg::Context> cuda_;
    std::list<sg::Model> models_;
    const sg::Model* character_ = nullptr;
    SgContext context = nullptr;
    std::unique_ptr<sgtest::VulkanHarness> vk;
    SgVulkanDevice device = nullptr;
    std::list<AppImage> appImages_;
    std::vector<VkSemaphore> semaphores_;
};

TEST_F(CudaInterop, TheDeviceOfTheCudaGpuTakesTheExternalMemoryPath) {
    SgVulkanDeviceInfo info{};
    info.sType = SG_STRUCTURE_TYPE_VULKAN_DEVICE_INFO;
    ASSERT_EQ(sgGetVulkanDeviceInfo(device, &info), SG_SUCCESS);
    EXPECT_EQ(info.path, SG_VULKAN_PATH_EXTERNAL_MEMORY) << info.pPathDescription;
    EXPECT_EQ(std::string(info.pPathDescription).rfind("external-memory: the cuda backend", 0), 0u)
        << info.pPathDescription;
}

// Per format: an exportable SDK image (staged on first use, then written in
// place) and a non-exportable one (always staged) get the same bytes.
TEST_F(CudaInterop, InPlaceWritesEqualStagedCopiesInEveryFormat) {
    const VkFormat formats[] = {VK_FORMAT_R8G8B8A8_UNORM, VK_FORMAT_R8G8B8A8_SRGB, VK_FORMAT_R16G16B16A16_SFLOAT,
                                VK_FORMAT_R32G32B32A32_SFLOAT};
    for (const VkFormat format : formats) {
        const SgFormat source = format == VK_FORMAT_R16G16B16A16_SFLOAT || format == VK_FORMAT_R32G32B32A32_SFLOAT
                                    ? SG_FORMAT_R32G32B32A32_SFLOAT
                                    : SG_FORMAT_R8G8B8A8_UNORM;
        const SgVulkanImage inPlace = sdkImage(format, true), staged = sdkImage(format, false);
        bool external = true;
        generateAndRead(*character_, request(2, 1, source),
                        {target(inPlace.image, format, VK_IMAGE_LAYOUT_UNDEFINED),
                         target(staged.image, format, VK_IMAGE_LAYOUT_UNDEFINED)},
                        &external);
        EXPECT_FALSE(external) << "a first use (oldLayout UNDEFINED) is staged";
        const sg::GenerateInfo gi = request(1, 77, source);
        const auto written = generateAndRead(*character_, gi,
                                             {target(inPlace.image, format, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL)},
                                             &external);
        EXPECT_TRUE(external) << "format " << format;
        const auto copied = generateAndRead(*character_, gi,
                                            {target(staged.image, format, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL)},
                                            &external);
        EXPECT_FALSE(external);
        ASSERT_EQ(written.size(), 1u);
        ASSERT_EQ(copied.size(), 1u);
        EXPECT_EQ(written[0], copied[0]) << "format " << format;
        if (format != VK_FORMAT_R16G16B16A16_SFLOAT) EXPECT_EQ(written[0], hostBytes(*character_, gi));
    }
}

TEST_F(CudaInterop, WritesAtlasTilesArrayLayersAndMipLevels) {
    const VkFormat format = VK_FORMAT_R8G8B8A8_UNORM;
    const SgVulkanImage image = sdkImage(format, true, 4 * kSide, 3, 4);
    std::vector<SgVulkanImageTarget> targets;
    auto add = [&](uint32_t mip, uint32_t layer, int32_t x, int32_t y, VkImageLayout oldLayout) {
        SgVulkanImageTarget t = target(image.image, format, oldLayout, (4 * kSide) >> mip);
        t.mipLevel = mip;
        t.arrayLayer = layer;
        t.offset = {x, y};
        targets.push_back(t);
    };
    for (VkImageLayout oldLayout : {VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL}) {
        targets.clear();
        add(0, 1, 16, 0, oldLayout);
        add(0, 1, 0, 32, oldLayout);
        add(1, 3, 16, 16, oldLayout);
        add(2, 0, 0, 0, oldLayout);
        const sg::GenerateInfo gi = request(4, oldLayout == VK_IMAGE_LAYOUT_UNDEFINED ? 500 : 600,
                                            SG_FORMAT_R8G8B8A8_UNORM);
        bool external = false;
        const auto pixels = generateAndRead(*character_, gi, targets, &external);
        EXPECT_EQ(external, oldLayout != VK_IMAGE_LAYOUT_UNDEFINED);
        const std::vector<uint8_t> expected = hostBytes(*character_, gi);
        ASSERT_EQ(pixels.size(), 4u);
        for (size_t i = 0; i < 4; ++i)
            EXPECT_EQ(pixels[i], slice(expected, i, kSide * kSide * 4)) << "target " << i << ", external " << external;
    }
}

TEST_F(CudaInterop, WritesApplicationImagesDescribedByTheirCreateInfo) {
    const VkFormat format = VK_FORMAT_R8G8B8A8_UNORM;
    AppImage& image = appImage(format);
    bool external = true;
    SgVulkanImageTarget first = target(image.image, format, VK_IMAGE_LAYOUT_UNDEFINED);
    first.pNext = &image.sdkInfo;
    generateAndRead(*character_, request(1, 3, SG_FORMAT_R8G8B8A8_UNORM), {first}, &external);
    EXPECT_FALSE(external);
    SgVulkanImageTarget again = target(image.image, format, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
    again.pNext = &image.sdkInfo;
    const sg::GenerateInfo gi = request(1, 4, SG_FORMAT_R8G8B8A8_UNORM);
    const auto pixels = generateAndRead(*character_, gi, {again}, &external);
    EXPECT_TRUE(external);
    ASSERT_EQ(pixels.size(), 1u);
    EXPECT_EQ(pixels[0], hostBytes(*character_, gi));
}

// CUDA must not write before imagesReadySemaphore reaches its value.
TEST_F(CudaInterop, WritesWaitForImagesReady) {
    const VkFormat format = VK_FORMAT_R8G8B8A8_UNORM;
    const SgVulkanImage image = sdkImage(format, true);
    bool external = true;
    generateAndRead(*character_, request(1, 10, SG_FORMAT_R8G8B8A8_UNORM),
                    {target(image.image, format, VK_IMAGE_LAYOUT_UNDEFINED)}, &external);
    const VkSemaphore ready = exportableTimeline();
    const VkCommandBuffer cmd = vk->beginCommands();
    SgVulkanSubmitSync sync{};
    const sg::GenerateInfo gi = request(1, 11, SG_FORMAT_R8G8B8A8_UNORM);
    ASSERT_EQ(record(*character_, gi, {target(image.image, format, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL)}, cmd, &sync,
                     ready, 1),
              SG_SUCCESS)
        << sgGetLastErrorMessage(context);
    ASSERT_NE(sync.waitSemaphore, VK_NULL_HANDLE);
    const auto readback = vk->createHostBuffer(kSide * kSide * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT);
    vk->recordReadback(cmd, image.image, 0, 0, {0, 0}, {kSide, kSide}, readback.buffer, 0);
    vk->hostReadBarrier(cmd);
    const VkFence fence = vk->createFence();
    vk->submit(cmd, {sync}, fence);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    uint64_t done = 0;
    ASSERT_EQ(vkGetSemaphoreCounterValue(vk->device, sync.waitSemaphore, &done), VK_SUCCESS);
    EXPECT_LT(done, sync.waitValue) << "CUDA signalled before imagesReadySemaphore reached its value";
    VkSemaphoreSignalInfo signal{};
    signal.sType = VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO;
    signal.semaphore = ready;
    signal.value = 1;
    ASSERT_EQ(vkSignalSemaphore(vk->device, &signal), VK_SUCCESS);
    vk->waitFence(fence);
    ASSERT_EQ(vkGetSemaphoreCounterValue(vk->device, sync.waitSemaphore, &done), VK_SUCCESS);
    EXPECT_GE(done, sync.waitValue);
    const auto* bytes = static_cast<const uint8_t*>(readback.mapped);
    EXPECT_EQ(std::vector<uint8_t>(bytes, bytes + kSide * kSide * 4), hostBytes(*character_, gi));
}

// Two frames in flight over eight frames: frame f writes image set f % 2 once
// frame f - 2's readback of it is done (imagesReady = the frame semaphore at
// f - 1), reads it back in the same command buffer and signals f + 1. A write
// that did not wait would show up in frame f - 2's readback.
TEST_F(CudaInterop, RepeatedFramesStayOrderedBySemaphores) {
    constexpr uint32_t kInFlight = 2, kFrames = 8, kImages = 3;
    const VkFormat format = VK_FORMAT_R8G8B8A8_UNORM;
    const VkSemaphore frameDone = exportableTimeline();
    std::vector<SgVulkanImage> images[kInFlight];
    sgtest::VulkanHarness::HostBuffer readback[kInFlight];
    VkFence fences[kInFlight] = {};
    for (uint32_t s = 0; s < kInFlight; ++s) {
        for (uint32_t i = 0; i < kImages; ++i) images[s].push_back(sdkImage(format, true));
        readback[s] = vk->createHostBuffer(kImages * kSide * kSide * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT);
    }
    const size_t imageBytes = kSide * kSide * 4;
    uint32_t inPlace = 0;
    for (uint32_t f = 0; f < kFrames + kInFlight; ++f) {
        const uint32_t s = f % kInFlight;
        if (f >= kInFlight) {  // check frame f - 2, which used this set
            vk->waitFence(fences[s]);
            const auto* bytes = static_cast<const uint8_t*>(readback[s].mapped);
            const std::vector<uint8_t> expected =
                hostBytes(*character_, request(kImages, 1000 * (f - kInFlight), SG_FORMAT_R8G8B8A8_UNORM));
            EXPECT_EQ(std::vector<uint8_t>(bytes, bytes + kImages * imageBytes), expected) << "frame " << f - kInFlight;
        }
        if (f >= kFrames) continue;
        std::vector<SgVulkanImageTarget> targets;
        for (const SgVulkanImage& image : images[s])
            targets.push_back(target(image.image, format,
                                     f < kInFlight ? VK_IMAGE_LAYOUT_UNDEFINED : VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL));
        const VkCommandBuffer cmd = vk->beginCommands();
        SgVulkanSubmitSync sync{};
        ASSERT_EQ(record(*character_, request(kImages, 1000 * f, SG_FORMAT_R8G8B8A8_UNORM), targets, cmd, &sync,
                         f >= kInFlight ? frameDone : VK_NULL_HANDLE, f >= kInFlight ? f - 1 : 0),
                  SG_SUCCESS)
            << sgGetLastErrorMessage(context);
        inPlace += sync.waitSemaphore != VK_NULL_HANDLE ? 1 : 0;
        for (uint32_t i = 0; i < kImages; ++i)
            vk->recordReadback(cmd, images[s][i].image, 0, 0, {0, 0}, {kSide, kSide}, readback[s].buffer,
                               i * imageBytes);
        vk->hostReadBarrier(cmd);
        fences[s] = vk->createFence();
        vk->submit(cmd, {sync}, fences[s]);
        // The frame's semaphore, signalled after everything submitted before it.
        VkSemaphoreSubmitInfo signal{};
        signal.sType = VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO;
        signal.semaphore = frameDone;
        signal.value = f + 1;
        signal.stageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
        VkSubmitInfo2 submit{};
        submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO_2;
        submit.signalSemaphoreInfoCount = 1;
        submit.pSignalSemaphoreInfos = &signal;
        ASSERT_EQ(vkQueueSubmit2(vk->queue, 1, &submit, VK_NULL_HANDLE), VK_SUCCESS);
    }
    EXPECT_EQ(inPlace, kFrames - kInFlight) << "every frame after the first use of its images writes in place";
}

}  // namespace
