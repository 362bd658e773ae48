// sgCmdGenerateVulkanImages on the cpu-staging path: what lands in the images
// (read back through Vulkan) is byte-identical to sgGenerate into host memory,
// for application and SDK images, every format, atlases, array layers and mip
// levels, with and without synchronization2; staging is reused only once the
// GPU is done with it; every run is free of validation messages.
#include <cmath>
#include <cstring>
#include <set>
#include <thread>

#include "vulkan_fixture.hpp"
#include "vulkan_interposer.hpp"

namespace {

using sgtest::request;
using sgtest::slice;
using sgtest::VulkanHarness;
using sgtest::VulkanSetup;
using sgtest::VulkanTest;
using sgtest::wholeImage;

constexpr size_t kRgba8Bytes = 16 * 16 * 4;
constexpr size_t kFloatBytes = 16 * 16 * 16;

// Every half in `halves` is the binary16 nearest to the float at the same
// place (ties to the even one): the SDK's documented rounding.
void expectNearestEvenHalves(const std::vector<uint8_t>& halves, const std::vector<uint8_t>& floats) {
    ASSERT_EQ(halves.size() * 2, floats.size());
    for (size_t i = 0; i < halves.size() / 2; ++i) {
        uint16_t h;
        float f;
        std::memcpy(&h, halves.data() + 2 * i, 2);
        std::memcpy(&f, floats.data() + 4 * i, 4);
        const float value = sgtest::halfToFloat(h);
        const float error = std::fabs(value - f);
        // The neighbours of h (values are in [0, 1], so h is finite and non-negative).
        const float below = h > 0 ? sgtest::halfToFloat(uint16_t(h - 1)) : -1.0f;
        const float above = sgtest::halfToFloat(uint16_t(h + 1));
        ASSERT_LE(error, std::fabs(below - f)) << "element " << i << ": " << f << " -> " << value;
        ASSERT_LE(error, std::fabs(above - f)) << "element " << i << ": " << f << " -> " << value;
        if (error == std::fabs(below - f) || error == std::fabs(above - f))
            ASSERT_EQ(h & 1, 0) << "element " << i << ": a tie must round to even";
    }
}

SgVulkanImage sdkImage(SgVulkanDevice device, VkFormat format, uint32_t width, uint32_t height, bool exportable) {
    SgVulkanImageCreateInfo info{};
    info.sType = SG_STRUCTURE_TYPE_VULKAN_IMAGE_CREATE_INFO;
    info.format = format;
    info.width = width;
    info.height = height;
    info.usage = VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT;
    info.exportable = exportable ? SG_TRUE : SG_FALSE;
    SgVulkanImage image{};
    image.sType = SG_STRUCTURE_TYPE_VULKAN_IMAGE;
    EXPECT_EQ(sgCreateVulkanImage(device, &info, &image), SG_SUCCESS);
    return image;
}

// [SECTION] Bytes identical to host generation -------------------------------------------------------

TEST_F(VulkanTest, CmdGenerate_Rgba8IntoApplicationImages_MatchesHostBytes) {
    const SgGenerateInfo info = request(3, 40);
    std::vector<SgVulkanImageTarget> targets;
    for (int i = 0; i < 3; ++i)
        targets.push_back(
            wholeImage(vk->createImage(VK_FORMAT_R8G8B8A8_UNORM, 16, 16).image, VK_FORMAT_R8G8B8A8_UNORM));
    const auto pixels = generateAndRead(character, info, targets);
    ASSERT_EQ(pixels.size(), targets.size());
    const std::vector<uint8_t> host = hostBytes(character, info);
    for (size_t i = 0; i < targets.size(); ++i) EXPECT_EQ(pixels[i], slice(host, i, kRgba8Bytes)) << "image " << i;
}

TEST_F(VulkanTest, CmdGenerate_FloatSceneIntoSdkImages_MatchesHostBytes) {
    // A request that uses every input: seed array, style blend, truncation,
    // mixing, explicit noise seeds, a non-square scene size, premultiplied alpha.
    const uint64_t seeds[2] = {900, 12345};
    const uint64_t noiseSeeds[2] = {3, 4};
    const float weights[4] = {0.5f, 0.0f, 2.0f, 1.0f};
    SgGenerateInfo info = request(2, 0, SG_FORMAT_R32G32B32A32_SFLOAT);
    info.pSeeds = seeds;
    info.styleWeightCount = 4;
    info.pStyleWeights = weights;
    info.truncationPsi = 0.6f;
    info.flags = SG_GENERATE_STYLE_MIXING_BIT | SG_GENERATE_EXPLICIT_NOISE_SEEDS_BIT;
    info.firstMixSeed = 77;
    info.mixLayer = 3;
    info.pNoiseSeeds = noiseSeeds;
    info.width = 32;
    info.height = 8;
    info.alphaMode = SG_ALPHA_MODE_PREMULTIPLIED;
    std::vector<SgVulkanImageTarget> targets;
    for (int i = 0; i < 2; ++i) {
        const SgVulkanImage image = sdkImage(device, VK_FORMAT_R32G32B32A32_SFLOAT, 32, 8, vk->externalMemoryFd);
        targets.push_back(wholeImage(image.image, VK_FORMAT_R32G32B32A32_SFLOAT, 32, 8));
    }
    const auto pixels = generateAndRead(scene, info, targets);
    ASSERT_EQ(pixels.size(), targets.size());
    const std::vector<uint8_t> host = hostBytes(scene, info);
    for (size_t i = 0; i < targets.size(); ++i) EXPECT_EQ(pixels[i], slice(host, i, 32 * 8 * 16)) << "image " << i;
    for (const SgVulkanImageTarget& target : targets) sgDestroyVulkanImage(device, target.image);
}

TEST_F(VulkanTest, CmdGenerate_UnormAndSrgbTargetsGetTheSameBytes) {
    const SgGenerateInfo info = request(2, 7);
    const std::vector<SgVulkanImageTarget> targets = {
        wholeImage(vk->createImage(VK_FORMAT_R8G8B8A8_UNORM, 16, 16).image, VK_FORMAT_R8G8B8A8_UNORM),
        wholeImage(sdkImage(device, VK_FORMAT_R8G8B8A8_SRGB, 16, 16, false).image, VK_FORMAT_R8G8B8A8_SRGB)};
    const auto pixels = generateAndRead(character, info, targets);
    ASSERT_EQ(pixels.size(), targets.size());
    const std::vector<uint8_t> host = hostBytes(character, info);
    EXPECT_EQ(pixels[0], slice(host, 0, kRgba8Bytes));
    EXPECT_EQ(pixels[1], slice(host, 1, kRgba8Bytes));
}

TEST_F(VulkanTest, CmdGenerate_HalfFloatTargets_AreTheFloatOutputRoundedToNearestEven) {
    const SgGenerateInfo info = request(3, 500, SG_FORMAT_R32G32B32A32_SFLOAT);
    const std::vector<SgVulkanImageTarget> targets = {
        wholeImage(vk->createImage(VK_FORMAT_R16G16B16A16_SFLOAT, 16, 16).image, VK_FORMAT_R16G16B16A16_SFLOAT),
        wholeImage(vk->createImage(VK_FORMAT_R32G32B32A32_SFLOAT, 16, 16).image, VK_FORMAT_R32G32B32A32_SFLOAT),
        wholeImage(sdkImage(device, VK_FORMAT_R16G16B16A16_SFLOAT, 16, 16, false).image,
                   VK_FORMAT_R16G16B16A16_SFLOAT)};
    const auto pixels = generateAndRead(character, info, targets);
    ASSERT_EQ(pixels.size(), targets.size());
    const std::vector<uint8_t> host = hostBytes(character, info);
    expectNearestEvenHalves(pixels[0], slice(host, 0, kFloatBytes));
    EXPECT_EQ(pixels[1], slice(host, 1, kFloatBytes));
    expectNearestEvenHalves(pixels[2], slice(host, 2, kFloatBytes));
}

// Half-float output is generated in chunks of float scratch; a request bigger
// than one chunk must still give each image the seeds of its place.
TEST_F(VulkanTest, CmdGenerate_HalfFloatRequestLargerThanOneScratchChunk_KeepsEverySeed) {
    constexpr uint32_t kCount = 17, kSide = 256;  // 17 x 1 MiB of float output, more than the 16 MiB chunk
    std::vector<uint64_t> seeds(kCount);
    for (uint32_t i = 0; i < kCount; ++i) seeds[i] = 1000 + 37 * i;
    SgGenerateInfo info = request(kCount, 0, SG_FORMAT_R32G32B32A32_SFLOAT);
    info.pSeeds = seeds.data();
    info.flags = SG_GENERATE_STYLE_MIXING_BIT | SG_GENERATE_EXPLICIT_NOISE_SEEDS_BIT;
    info.firstMixSeed = 50;
    info.mixLayer = 2;
    info.firstNoiseSeed = 9000;
    info.width = kSide;
    info.height = kSide;
    const sgtest::TestImage array = vk->createImage(VK_FORMAT_R16G16B16A16_SFLOAT, kSide, kSide, 1, kCount);
    std::vector<SgVulkanImageTarget> targets;
    for (uint32_t i = 0; i < kCount; ++i) {
        targets.push_back(wholeImage(array.image, VK_FORMAT_R16G16B16A16_SFLOAT, kSide, kSide));
        targets.back().arrayLayer = i;
    }
    const auto pixels = generateAndRead(scene, info, targets);
    ASSERT_EQ(pixels.size(), targets.size());
    const std::vector<uint8_t> host = hostBytes(scene, info);
    for (uint32_t i = 0; i < kCount; ++i) {
        SCOPED_TRACE("image " + std::to_string(i));
        expectNearestEvenHalves(pixels[i], slice(host, i, size_t(kSide) * kSide * 16));
    }
}

TEST_F(VulkanTest, CmdGenerate_ArrayLayersAtlasRegionsAndMipLevels_MatchHostBytes) {
    const sgtest::TestImage array = vk->createImage(VK_FORMAT_R8G8B8A8_UNORM, 16, 16, 1, 3);
    const sgtest::TestImage atlas = vk->createImage(VK_FORMAT_R8G8B8A8_UNORM, 32, 32);
    const sgtest::TestImage mipped = vk->createImage(VK_FORMAT_R8G8B8A8_UNORM, 32, 32, 2, 1);
    std::vector<SgVulkanImageTarget> targets;
    for (uint32_t layer = 0; layer < 3; ++layer) {
        targets.push_back(wholeImage(array.image, VK_FORMAT_R8G8B8A8_UNORM));
        targets.back().arrayLayer = layer;
    }
    for (int32_t y : {0, 16})
        for (int32_t x : {0, 16}) {
            targets.push_back(wholeImage(atlas.image, VK_FORMAT_R8G8B8A8_UNORM, 32, 32));
            targets.back().offset = {x, y};
        }
    targets.push_back(wholeImage(mipped.image, VK_FORMAT_R8G8B8A8_UNORM, 16, 16));
    targets.back().mipLevel = 1;
    const SgGenerateInfo info = request(uint32_t(targets.size()), 300);
    const auto pixels = generateAndRead(character, info, targets);
    ASSERT_EQ(pixels.size(), targets.size());
    const std::vector<uint8_t> host = hostBytes(character, info);
    for (size_t i = 0; i < targets.size(); ++i) EXPECT_EQ(pixels[i], slice(host, i, kRgba8Bytes)) << "target " << i;
}

TEST_F(VulkanTest, CmdGenerate_WithClassicBarriers_MatchesHostBytes) {
    VulkanSetup setup;
    setup.synchronization2 = false;
    startVulkan(setup);
    if (IsSkipped()) return;
    // Sync2-only masks (SHADER_SAMPLED_READ) must map to classic ones.
    const SgGenerateInfo bytes = request(2, 61);
    const std::vector<SgVulkanImageTarget> rgba = {
        wholeImage(vk->createImage(VK_FORMAT_R8G8B8A8_UNORM, 16, 16).image, VK_FORMAT_R8G8B8A8_UNORM),
        wholeImage(sdkImage(device, VK_FORMAT_R8G8B8A8_UNORM, 16, 16, false).image, VK_FORMAT_R8G8B8A8_UNORM)};
    const auto pixels = generateAndRead(character, bytes, rgba);
    ASSERT_EQ(pixels.size(), rgba.size());
    const std::vector<uint8_t> host = hostBytes(character, bytes);
    EXPECT_EQ(pixels[0], slice(host, 0, kRgba8Bytes));
    EXPECT_EQ(pixels[1], slice(host, 1, kRgba8Bytes));

    const SgGenerateInfo floats = request(1, 62, SG_FORMAT_R32G32B32A32_SFLOAT);
    SgVulkanImageTarget target =
        wholeImage(vk->createImage(VK_FORMAT_R32G32B32A32_SFLOAT, 16, 16).image, VK_FORMAT_R32G32B32A32_SFLOAT);
    target.dstStageMask = 0;  // the default: everything waits
    const auto floatPixels = generateAndRead(character, floats, {target});
    ASSERT_EQ(floatPixels.size(), 1u);
    EXPECT_EQ(floatPixels[0], hostBytes(character, floats));
}

// Two generations into the same images in one command buffer, each read back
// right after: the opening barrier of the second must wait for the first's
// readback (srcStageMask/srcAccessMask), its closing barrier must make the
// copy visible to the readback (dstStageMask/dstAccessMask). Synchronization
// validation checks both, with synchronization2 and with classic barriers.
TEST_F(VulkanTest, CmdGenerate_TwiceIntoTheSameImagesInOneCommandBuffer_IsOrderedByItsBarriers) {
    for (const bool sync2 : {true, false}) {
        SCOPED_TRACE(sync2 ? "synchronization2" : "classic barriers");
        VulkanSetup setup;
        setup.synchronization2 = sync2;
        startVulkan(setup);
        if (IsSkipped()) return;
        const sgtest::TestImage a = vk->createImage(VK_FORMAT_R8G8B8A8_UNORM, 16, 16);
        const sgtest::TestImage b = vk->createImage(VK_FORMAT_R32G32B32A32_SFLOAT, 16, 16);
        const VulkanHarness::HostBuffer readback =
            vk->createHostBuffer(2 * (kRgba8Bytes + kFloatBytes), VK_BUFFER_USAGE_TRANSFER_DST_BIT);
        const VkCommandBuffer cmd = vk->beginCommands();
        std::vector<SgVulkanSubmitSync> syncs(4);
        VkDeviceSize offset = 0;
        for (int round = 0; round < 2; ++round) {
            SgVulkanImageTarget ta = wholeImage(a.image, VK_FORMAT_R8G8B8A8_UNORM);
            SgVulkanImageTarget tb = wholeImage(b.image, VK_FORMAT_R32G32B32A32_SFLOAT);
            for (SgVulkanImageTarget* t : {&ta, &tb}) {
                if (round == 1) {
                    t->oldLayout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
                    t->srcStageMask = VK_PIPELINE_STAGE_2_TRANSFER_BIT;
                    t->srcAccessMask = 0;  // the readback only read
                }
                t->newLayout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
                t->dstStageMask = VK_PIPELINE_STAGE_2_TRANSFER_BIT;
                t->dstAccessMask = VK_ACCESS_2_TRANSFER_READ_BIT;
            }
            ASSERT_EQ(record(character, request(1, 70 + round), {ta}, cmd, &syncs[2 * round]), SG_SUCCESS)
                << lastError();
            ASSERT_EQ(
                record(scene, request(1, 80 + round, SG_FORMAT_R32G32B32A32_SFLOAT), {tb}, cmd, &syncs[2 * round + 1]),
                SG_SUCCESS)
                << lastError();
            vk->recordReadback(cmd, a.image, 0, 0, {0, 0}, {16, 16}, readback.buffer, offset);
            vk->recordReadback(cmd, b.image, 0, 0, {0, 0}, {16, 16}, readback.buffer, offset + kRgba8Bytes);
            offset += kRgba8Bytes + kFloatBytes;
        }
        vk->hostReadBarrier(cmd);
        vk->submitAndWait(cmd, syncs);
        const auto* bytes = static_cast<const uint8_t*>(readback.mapped);
        for (int round = 0; round < 2; ++round) {
            const uint8_t* base = bytes + round * (kRgba8Bytes + kFloatBytes);
            EXPECT_EQ(std::vector<uint8_t>(base, base + kRgba8Bytes), hostBytes(character, request(1, 70 + round)));
            EXPECT_EQ(std::vector<uint8_t>(base + kRgba8Bytes, base + kRgba8Bytes + kFloatBytes),
                      hostBytes(scene, request(1, 80 + round, SG_FORMAT_R32G32B32A32_SFLOAT)));
        }
    }
}

// With and without the image's create info; on the cpu-staging path both copy.
TEST_F(VulkanTest, CmdGenerate_AcceptsAnExternalImageInfoAndStillCopies) {
    if (!vk->externalMemoryFd) GTEST_SKIP() << "the device has no VK_KHR_external_memory_fd";
    const SgVulkanImage image = sdkImage(device, VK_FORMAT_R8G8B8A8_UNORM, 16, 16, true);
    VkExternalMemoryImageCreateInfo exportInfo{};
    exportInfo.sType = VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_IMAGE_CREATE_INFO;
    exportInfo.handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT;
    VkImageCreateInfo created{};  // how sgCreateVulkanImage made it
    created.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO;
    created.pNext = &exportInfo;
    created.imageType = VK_IMAGE_TYPE_2D;
    created.format = VK_FORMAT_R8G8B8A8_UNORM;
    created.extent = {16, 16, 1};
    created.mipLevels = 1;
    created.arrayLayers = 1;
    created.samples = VK_SAMPLE_COUNT_1_BIT;
    created.tiling = VK_IMAGE_TILING_OPTIMAL;
    created.usage = VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT;
    const VkImageCreateInfo* const createInfos[] = {nullptr, &created};
    for (const VkImageCreateInfo* createInfo : createInfos) {
        SgVulkanExternalImageInfo external{};
        external.sType = SG_STRUCTURE_TYPE_VULKAN_EXTERNAL_IMAGE_INFO;
        external.memory = image.memory;
        external.allocationSize = image.memorySize;
        external.dedicatedAllocation = SG_TRUE;
        external.pImageCreateInfo = createInfo;
        SgVulkanImageTarget target = wholeImage(image.image, VK_FORMAT_R8G8B8A8_UNORM);
        target.pNext = &external;
        const SgGenerateInfo info = request(1, createInfo ? 6 : 5);
        const auto pixels = generateAndRead(character, info, {target});
        ASSERT_EQ(pixels.size(), 1u);
        EXPECT_EQ(pixels[0], hostBytes(character, info));
    }
}

// [SECTION] Repeated frames and staging reuse -----------------------------------------------------------

// Two frames in flight, six frames, each generating into its frame's images
// (left in TRANSFER_SRC by the previous use) and reading them back in the same
// command buffer: correct every frame, validation-clean throughout.
TEST_F(VulkanTest, CmdGenerate_RepeatedFramesInFlight_StayCorrect) {
    constexpr uint32_t kFramesInFlight = 2, kFrames = 6, kImages = 3;
    std::vector<sgtest::TestImage> images[kFramesInFlight];
    sgtest::VulkanHarness::HostBuffer readback[kFramesInFlight];
    VkFence fences[kFramesInFlight];
    for (uint32_t f = 0; f < kFramesInFlight; ++f) {
        for (uint32_t i = 0; i < kImages; ++i) images[f].push_back(vk->createImage(VK_FORMAT_R8G8B8A8_UNORM, 16, 16));
        readback[f] = vk->createHostBuffer(kImages * kRgba8Bytes, VK_BUFFER_USAGE_TRANSFER_DST_BIT);
        fences[f] = vk->createFence();
    }
    const auto check = [&](uint32_t frame) {
        const SgGenerateInfo info = request(kImages, 1000 + 10 * frame);
        const auto* bytes = static_cast<const uint8_t*>(readback[frame % kFramesInFlight].mapped);
        EXPECT_EQ(std::vector<uint8_t>(bytes, bytes + kImages * kRgba8Bytes), hostBytes(character, info))
            << "frame " << frame;
    };
    for (uint32_t frame = 0; frame < kFrames; ++frame) {
        const uint32_t slot = frame % kFramesInFlight;
        if (frame >= kFramesInFlight) {
            vk->waitFence(fences[slot]);
            check(frame - kFramesInFlight);
        }
        std::vector<SgVulkanImageTarget> targets;
        for (const sgtest::TestImage& image : images[slot]) {
            SgVulkanImageTarget t = wholeImage(image.image, VK_FORMAT_R8G8B8A8_UNORM);
            if (frame >= kFramesInFlight) {
                t.oldLayout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;  // read back last time
                t.srcStageMask = VK_PIPELINE_STAGE_2_COPY_BIT;
                t.srcAccessMask = 0;  // that use only read
            }
            t.newLayout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
            t.dstStageMask = VK_PIPELINE_STAGE_2_COPY_BIT;
            t.dstAccessMask = VK_ACCESS_2_TRANSFER_READ_BIT;
            targets.push_back(t);
        }
        const VkCommandBuffer cmd = vk->beginCommands();
        SgVulkanSubmitSync sync{};
        ASSERT_EQ(record(character, request(kImages, 1000 + 10 * frame), targets, cmd, &sync), SG_SUCCESS)
            << lastError();
        for (uint32_t i = 0; i < kImages; ++i)
            vk->recordReadback(cmd, images[slot][i].image, 0, 0, {0, 0}, {16, 16}, readback[slot].buffer,
                               i * kRgba8Bytes);
        vk->hostReadBarrier(cmd);
        vk->submit(cmd, {sync}, fences[slot]);
    }
    for (uint32_t frame = kFrames - kFramesInFlight; frame < kFrames; ++frame) {
        vk->waitFence(fences[frame % kFramesInFlight]);
        check(frame);
    }
}

// A recording whose submission cannot run yet (it waits on a gate the test
// opens later) keeps its staging: the next call must get another buffer, or it
// would overwrite pixels the first copy has not read. Once both completed, a
// third call reuses one.
TEST_F(VulkanTest, CmdGenerate_DoesNotReuseStagingAPendingSubmissionReads) {
    const VkSemaphore gate = vk->createTimelineSemaphore();
    const SgVulkanImageTarget first =
        wholeImage(vk->createImage(VK_FORMAT_R8G8B8A8_UNORM, 16, 16).image, VK_FORMAT_R8G8B8A8_UNORM);
    const SgVulkanImageTarget second =
        wholeImage(vk->createImage(VK_FORMAT_R8G8B8A8_UNORM, 16, 16).image, VK_FORMAT_R8G8B8A8_UNORM);
    const VkFence fence1 = vk->createFence(), fence2 = vk->createFence();

    const VkCommandBuffer cmd1 = vk->beginCommands();
    SgVulkanSubmitSync sync1{};
    ASSERT_EQ(record(character, request(1, 11), {first}, cmd1, &sync1), SG_SUCCESS) << lastError();
    vk->submit(cmd1, {sync1}, fence1, gate, 1);  // blocked until the gate opens

    const VkCommandBuffer cmd2 = vk->beginCommands();
    SgVulkanSubmitSync sync2{};
    ASSERT_EQ(record(character, request(1, 22), {second}, cmd2, &sync2), SG_SUCCESS) << lastError();
    EXPECT_NE(sync2.signalSemaphore, sync1.signalSemaphore) << "staging of a pending submission was reused";
    vk->submit(cmd2, {sync2}, fence2);

    VkSemaphoreSignalInfo open{};
    open.sType = VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO;
    open.semaphore = gate;
    open.value = 1;
    ASSERT_EQ(vkSignalSemaphore(vk->device, &open), VK_SUCCESS);
    vk->waitFence(fence1);
    vk->waitFence(fence2);
    EXPECT_EQ(readTarget(first, 4), hostBytes(character, request(1, 11)));
    EXPECT_EQ(readTarget(second, 4), hostBytes(character, request(1, 22)));

    SgVulkanImageTarget again = first;
    again.oldLayout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
    again.srcStageMask = VK_PIPELINE_STAGE_2_TRANSFER_BIT;
    const VkCommandBuffer cmd3 = vk->beginCommands();
    SgVulkanSubmitSync sync3{};
    ASSERT_EQ(record(character, request(1, 33), {again}, cmd3, &sync3), SG_SUCCESS) << lastError();
    EXPECT_TRUE(sync3.signalSemaphore == sync1.signalSemaphore || sync3.signalSemaphore == sync2.signalSemaphore)
        << "completed staging is reused";
    EXPECT_EQ(sync3.signalValue, 2u) << "the buffer's second use signals 2";
    vk->submitAndWait(cmd3, {sync3});
    EXPECT_EQ(readTarget(again, 4), hostBytes(character, request(1, 33)));
}

// Two calls recorded into one command buffer: one signal each, both in one submission.
TEST_F(VulkanTest, CmdGenerate_TwoCallsInOneCommandBuffer_SignalBoth) {
    const SgVulkanImageTarget a =
        wholeImage(vk->createImage(VK_FORMAT_R8G8B8A8_UNORM, 16, 16).image, VK_FORMAT_R8G8B8A8_UNORM);
    const SgVulkanImageTarget b =
        wholeImage(vk->createImage(VK_FORMAT_R8G8B8A8_UNORM, 16, 16).image, VK_FORMAT_R8G8B8A8_UNORM);
    const VkCommandBuffer cmd = vk->beginCommands();
    SgVulkanSubmitSync syncA{}, syncB{};
    ASSERT_EQ(record(character, request(1, 1), {a}, cmd, &syncA), SG_SUCCESS) << lastError();
    ASSERT_EQ(record(scene, request(1, 2), {b}, cmd, &syncB), SG_SUCCESS) << lastError();
    EXPECT_NE(syncA.signalSemaphore, syncB.signalSemaphore);
    vk->submitAndWait(cmd, {syncA, syncB});
    EXPECT_EQ(readTarget(a, 4), hostBytes(character, request(1, 1)));
    EXPECT_EQ(readTarget(b, 4), hostBytes(scene, request(1, 2)));
}

// Threads record at once, each into its own command buffer (from its own
// pool): each call gets its own staging, and every image is right.
TEST_F(VulkanTest, CmdGenerate_FromSeveralThreadsAtOnce_KeepsEachCallApart) {
    constexpr int kThreads = 3, kCallsPerThread = 4;
    std::vector<SgVulkanImageTarget> targets[kThreads];
    VkCommandBuffer commands[kThreads];
    std::vector<SgVulkanSubmitSync> syncs[kThreads];
    SgResult results[kThreads][kCallsPerThread];
    for (int t = 0; t < kThreads; ++t) {
        for (int c = 0; c < kCallsPerThread; ++c)
            targets[t].push_back(
                wholeImage(vk->createImage(VK_FORMAT_R8G8B8A8_UNORM, 16, 16).image, VK_FORMAT_R8G8B8A8_UNORM));
        commands[t] = vk->beginCommands(vk->createCommandPool());
        syncs[t].resize(kCallsPerThread);
    }
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            for (int c = 0; c < kCallsPerThread; ++c)
                results[t][c] =
                    record(character, request(1, uint64_t(100 * t + c)), {targets[t][c]}, commands[t], &syncs[t][c]);
        });
    for (std::thread& thread : threads) thread.join();
    std::set<VkSemaphore> semaphores;
    for (int t = 0; t < kThreads; ++t) {
        for (int c = 0; c < kCallsPerThread; ++c) {
            ASSERT_EQ(results[t][c], SG_SUCCESS) << "thread " << t << " call " << c;
            semaphores.insert(syncs[t][c].signalSemaphore);
        }
        vk->submitAndWait(commands[t], syncs[t]);
    }
    EXPECT_EQ(semaphores.size(), size_t(kThreads * kCallsPerThread)) << "each pending call has its own staging";
    for (int t = 0; t < kThreads; ++t)
        for (int c = 0; c < kCallsPerThread; ++c)
            EXPECT_EQ(readTarget(targets[t][c], 4), hostBytes(character, request(1, uint64_t(100 * t + c))))
                << "thread " << t << " call " << c;
}

// [SECTION] Staging budget and lost devices ---------------------------------------------------------------

TEST_F(VulkanTest, CmdGenerate_StagingBudgetHeldByPendingWork_FailsUntilItIsReleased) {
    startVulkan(VulkanSetup{}, kRgba8Bytes);  // room for exactly one 16x16 RGBA8 image
    if (IsSkipped()) return;
    const SgVulkanImageTarget target =
        wholeImage(vk->createImage(VK_FORMAT_R8G8B8A8_UNORM, 16, 16).image, VK_FORMAT_R8G8B8A8_UNORM);
    // Recorded, then dropped without submitting.
    SgVulkanSubmitSync dropped{};
    ASSERT_EQ(record(character, request(1, 1), {target}, vk->beginCommands(), &dropped), SG_SUCCESS) << lastError();

    const VkCommandBuffer cmd = vk->beginCommands();
    SgVulkanSubmitSync sync{};
    SG_EXPECT_VK_FAILURE(record(character, request(1, 2), {target}, cmd, &sync), SG_ERROR_OUT_OF_MEMORY,
                         "staging budget");
    // What the header says to do with a command buffer that will never be submitted.
    VkSemaphoreSignalInfo signal{};
    signal.sType = VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO;
    signal.semaphore = dropped.signalSemaphore;
    signal.value = dropped.signalValue;
    ASSERT_EQ(vkSignalSemaphore(vk->device, &signal), VK_SUCCESS);
    ASSERT_EQ(record(character, request(1, 2), {target}, cmd, &sync), SG_SUCCESS) << lastError();
    EXPECT_EQ(sync.signalSemaphore, dropped.signalSemaphore);
    vk->submitAndWait(cmd, {sync});
    EXPECT_EQ(readTarget(target, 4), hostBytes(character, request(1, 2)));
}

TEST_F(VulkanTest, CmdGenerate_RequestLargerThanTheBudget_IsRejected) {
    startVulkan(VulkanSetup{}, kRgba8Bytes);
    if (IsSkipped()) return;
    const SgVulkanImageTarget a =
        wholeImage(vk->createImage(VK_FORMAT_R8G8B8A8_UNORM, 16, 16).image, VK_FORMAT_R8G8B8A8_UNORM);
    const SgVulkanImageTarget b =
        wholeImage(vk->createImage(VK_FORMAT_R8G8B8A8_UNORM, 16, 16).image, VK_FORMAT_R8G8B8A8_UNORM);
    SgVulkanSubmitSync sync{};
    SG_EXPECT_VK_FAILURE(record(character, request(2, 1), {a, b}, vk->beginCommands(), &sync),
                         SG_ERROR_INVALID_ARGUMENT, "more than the device's budget");
}

TEST_F(VulkanTest, CmdGenerate_ReportsALostDevice) {
    sgtest::Interposer::reset();
    startVulkan(VulkanSetup{}, 0, &sgtest::Interposer::getInstanceProcAddr);
    if (IsSkipped() || HasFatalFailure()) return;
    const SgVulkanImageTarget target =
        wholeImage(vk->createImage(VK_FORMAT_R8G8B8A8_UNORM, 16, 16).image, VK_FORMAT_R8G8B8A8_UNORM);
    ASSERT_TRUE(generateAndWait(character, request(1, 1), {target}));
    sgtest::Interposer::loseDevice(true);  // the driver now answers VK_ERROR_DEVICE_LOST
    SgVulkanImageTarget again = target;
    again.oldLayout = VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL;
    SgVulkanSubmitSync sync{};
    SG_EXPECT_VK_FAILURE(record(character, request(1, 2), {again}, vk->beginCommands(), &sync), SG_ERROR_DEVICE_LOST,
                         "VK_ERROR_DEVICE_LOST");
    EXPECT_EQ(sync.signalSemaphore, VK_NULL_HANDLE) << "pSync is unchanged on failure";
    sgtest::Interposer::reset();
}

// Right after the caller's fence, lavapipe's vkGetSemaphoreCounterValue could
// still read the old value (a CI run leaked the usage example's staging that
// way). Destroy then waits on the semaphore instead of calling it pending.
TEST_F(VulkanTest, Destroy_FreesStagingAfterTheFenceThoughTheCounterLags) {
    sgtest::Interposer::reset();
    startVulkan(VulkanSetup{}, 0, &sgtest::Interposer::getInstanceProcAddr);
    if (IsSkipped() || HasFatalFailure()) return;
    const SgVulkanImageTarget target =
        wholeImage(vk->createImage(VK_FORMAT_R8G8B8A8_UNORM, 16, 16).image, VK_FORMAT_R8G8B8A8_UNORM);
    ASSERT_TRUE(generateAndWait(character, request(1, 1), {target}));  // submitted, its fence waited for
    sgtest::Interposer::counterReadsZero(true);
    sgDestroyVulkanDevice(context, device);
    device = nullptr;
    sgtest::Interposer::reset();
    EXPECT_FALSE(logged("still used by submissions")) << "the staging was leaked";
    // TearDown's vkDestroyDevice would also name a leaked buffer, its memory and semaphore.
}

}  // namespace
