// vulkan_fixture.hpp - the interop tests' fixture: a validated Vulkan device
// (skipped with the reason when there is none), a CPU context with the tiny
// models, and an SgVulkanDevice on them. Any validation message recorded
// during a test, including at teardown, fails it.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "stylegen/stylegen_vulkan.h"
#include "tiny_model.hpp"
#include "vulkan_harness.hpp"

namespace sgtest {

inline SgGenerateInfo request(uint32_t count, uint64_t firstSeed, SgFormat format = SG_FORMAT_R8G8B8A8_UNORM) {
    SgGenerateInfo info{};
    info.sType = SG_STRUCTURE_TYPE_GENERATE_INFO;
    info.count = count;
    info.firstSeed = firstSeed;
    info.truncationPsi = 1.0f;
    info.noiseStrength = 1.0f;
    info.format = format;
    return info;
}

// A target covering a whole width x height image, from UNDEFINED to
// SHADER_READ_ONLY_OPTIMAL for sampling in fragment shaders.
inline SgVulkanImageTarget wholeImage(VkImage image, VkFormat format, uint32_t width = 16, uint32_t height = 16) {
    SgVulkanImageTarget target{};
    target.sType = SG_STRUCTURE_TYPE_VULKAN_IMAGE_TARGET;
    target.image = image;
    target.format = format;
    target.imageExtent = {width, height};
    target.oldLayout = VK_IMAGE_LAYOUT_UNDEFINED;
    target.newLayout = VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL;
    target.dstStageMask = VK_PIPELINE_STAGE_2_FRAGMENT_SHADER_BIT;
    target.dstAccessMask = VK_ACCESS_2_SHADER_SAMPLED_READ_BIT;
    return target;
}

inline std::string joined(const std::vector<std::string>& lines) {
    std::string text;
    for (const std::string& line : lines) text += line + "\n";
    return text;
}

class VulkanTest : public ::testing::Test {
protected:
    void SetUp() override {
        SgContextCreateInfo info{};
        info.sType = SG_STRUCTURE_TYPE_CONTEXT_CREATE_INFO;
        info.apiVersion = SG_API_VERSION;
        info.threadCount = 2;
        info.backendPreference = SG_BACKEND_PREFERENCE_CPU;
        info.pfnLog = &VulkanTest::onLog;
        info.pLogUserData = this;
        ASSERT_EQ(sgCreateContext(&info, nullptr, &context), SG_SUCCESS) << sgGetLastErrorMessage(nullptr);
        character = load(makeTinyModel(TinyKind::Character, 3, 11));
        scene = load(makeTinyModel(TinyKind::Scene, 4, 12));
        startVulkan(VulkanSetup{});
    }

    void TearDown() override {
        stopVulkan();
        sgDestroyModel(context, character);
        sgDestroyModel(context, scene);
        sgDestroyContext(context, nullptr);
    }

    // (Re)creates the Vulkan device with setup and the SgVulkanDevice on it
    // (stagingBudget 0: the default; getInstanceProcAddr, when given, is what
    // the SDK looks Vulkan up through, e.g. sgtest::Interposer's). Skips the
    // test when Vulkan cannot run it.
    void startVulkan(const VulkanSetup& setup, VkDeviceSize stagingBudget = 0,
                     PFN_vkGetInstanceProcAddr getInstanceProcAddr = nullptr) {
        stopVulkan();
        std::string why;
        vk = VulkanHarness::create(setup, &why);
        if (!vk) GTEST_SKIP() << "no usable Vulkan: " << why;
        SgVulkanDeviceCreateInfo info = vk->sdkDeviceInfo();
        info.stagingBudget = stagingBudget;
        if (getInstanceProcAddr) info.pfnGetInstanceProcAddr = getInstanceProcAddr;
        ASSERT_EQ(sgCreateVulkanDevice(context, &info, &device), SG_SUCCESS) << lastError();
    }

    // Destroys the SgVulkanDevice and the harness; every validation message
    // recorded so far fails the test.
    void stopVulkan() {
        if (!vk) return;
        vkDeviceWaitIdle(vk->device);
        sgDestroyVulkanDevice(context, device);
        device = nullptr;
        const std::vector<std::string> messages = vk->shutdown();
        EXPECT_TRUE(messages.empty()) << "validation messages:\n" << joined(messages);
        vk.reset();
    }

    SgModel load(const std::vector<uint8_t>& bytes) {
        SgModel model = nullptr;
        EXPECT_EQ(sgLoadModelFromMemory(context, bytes.data(), bytes.size(), &model), SG_SUCCESS) << lastError();
        return model;
    }

    std::string lastError() const { return sgGetLastErrorMessage(context); }

    // sgGenerate into host memory, tightly packed.
    std::vector<uint8_t> hostBytes(SgModel model, const SgGenerateInfo& info) {
        const uint32_t w = info.width ? info.width : 16, h = info.height ? info.height : 16;
        std::vector<uint8_t> bytes(size_t(info.count) * w * h * (info.format == SG_FORMAT_R8G8B8A8_UNORM ? 4 : 16));
        SgImageBuffer buffer{};
        buffer.sType = SG_STRUCTURE_TYPE_IMAGE_BUFFER;
        buffer.pData = bytes.data();
        buffer.size = bytes.size();
        EXPECT_EQ(sgGenerate(context, model, &info, &buffer), SG_SUCCESS) << lastError();
        return bytes;
    }

    // Records the request into a new command buffer; the result is what
    // sgCmdGenerateVulkanImages returned, *sync what it filled.
    SgResult record(SgModel model, const SgGenerateInfo& info, const std::vector<SgVulkanImageTarget>& targets,
                    VkCommandBuffer cmd, SgVulkanSubmitSync* sync) {
        SgVulkanGenerateInfo generate{};
        generate.sType = SG_STRUCTURE_TYPE_VULKAN_GENERATE_INFO;
        generate.model = model;
        generate.pGenerateInfo = &info;
        generate.commandBuffer = cmd;
        generate.targetCount = uint32_t(targets.size());
        generate.pTargets = targets.data();
        sync->sType = SG_STRUCTURE_TYPE_VULKAN_SUBMIT_SYNC;
        return sgCmdGenerateVulkanImages(device, &generate, sync);
    }

    // Records, submits with the SDK's sync and waits; false if recording failed.
    bool generateAndWait(SgModel model, const SgGenerateInfo& info, const std::vector<SgVulkanImageTarget>& targets) {
        const VkCommandBuffer cmd = vk->beginCommands();
        SgVulkanSubmitSync sync{};
        const SgResult result = record(model, info, targets, cmd, &sync);
        EXPECT_EQ(result, SG_SUCCESS) << lastError();
        if (result != SG_SUCCESS) return false;
        EXPECT_EQ(sync.waitSemaphore, VK_NULL_HANDLE) << "the cpu-staging path has nothing to wait for";
        EXPECT_NE(sync.signalSemaphore, VK_NULL_HANDLE);
        vk->submitAndWait(cmd, {sync});
        return true;
    }

    // Records the request and, in the same command buffer, a readback of every
    // target (a barrier from its newLayout and dstStageMask into
    // TRANSFER_SRC_OPTIMAL, then a copy to host memory), submits and waits.
    // Reading back in the same command buffer lets synchronization validation
    // check the SDK's closing barriers against a real later use. Returns each
    // target's pixels; empty if recording failed.
    std::vector<std::vector<uint8_t>> generateAndRead(SgModel model, const SgGenerateInfo& info,
                                                      const std::vector<SgVulkanImageTarget>& targets) {
        const VkCommandBuffer cmd = vk->beginCommands();
        SgVulkanSubmitSync sync{};
        const SgResult result = record(model, info, targets, cmd, &sync);
        EXPECT_EQ(result, SG_SUCCESS) << lastError();
        if (result != SG_SUCCESS) return {};
        const uint32_t w = info.width ? info.width : 16, h = info.height ? info.height : 16;
        std::vector<VkDeviceSize> offsets;
        VkDeviceSize total = 0;
        for (const SgVulkanImageTarget& t : targets) {
            offsets.push_back(total);
            total += VkDeviceSize(w) * h * bytesPerPixel(t.format);
        }
        const VulkanHarness::HostBuffer readback = vk->createHostBuffer(total, VK_BUFFER_USAGE_TRANSFER_DST_BIT);
        std::set<std::tuple<VkImage, uint32_t, uint32_t>> moved;  // atlas tiles share one subresource
        for (const SgVulkanImageTarget& t : targets)
            if (moved.insert({t.image, t.mipLevel, t.arrayLayer}).second)
                vk->imageBarrier(cmd, t.image, t.mipLevel, t.arrayLayer, t.newLayout,
                                 VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                                 t.dstStageMask ? t.dstStageMask : VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT, 0,
                                 VK_PIPELINE_STAGE_2_TRANSFER_BIT, VK_ACCESS_2_TRANSFER_READ_BIT);
        for (size_t i = 0; i < targets.size(); ++i)
            vk->recordReadback(cmd, targets[i].image, targets[i].mipLevel, targets[i].arrayLayer, targets[i].offset,
                               {w, h}, readback.buffer, offsets[i]);
        vk->hostReadBarrier(cmd);
        vk->submitAndWait(cmd, {sync});
        std::vector<std::vector<uint8_t>> pixels;
        const auto* bytes = static_cast<const uint8_t*>(readback.mapped);
        for (size_t i = 0; i < targets.size(); ++i)
            pixels.emplace_back(bytes + offsets[i],
                                bytes + offsets[i] + VkDeviceSize(w) * h * bytesPerPixel(targets[i].format));
        return pixels;
    }

    static uint32_t bytesPerPixel(VkFormat format) {
        switch (format) {
            case VK_FORMAT_R16G16B16A16_SFLOAT:
                return 8;
            case VK_FORMAT_R32G32B32A32_SFLOAT:
                return 16;
            default:
                return 4;
        }
    }

    // Reads back what the target holds after a generateAndWait with the target's newLayout / dst masks.
    std::vector<uint8_t> readTarget(const SgVulkanImageTarget& target, uint32_t bytesPerPixel, uint32_t width = 16,
                                    uint32_t height = 16) {
        // Without synchronization2 the fragment-shader read maps to a classic stage the readback waits on.
        return vk->readImage(target.image, bytesPerPixel, target.mipLevel, target.arrayLayer, target.offset,
                             {width, height}, target.newLayout,
                             target.dstStageMask ? target.dstStageMask : VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT, 0);
    }

    static void onLog(void* user, SgLogLevel, const char* message) {
        static_cast<VulkanTest*>(user)->logLines.push_back(message);
    }
    bool logged(const std::string& text) const {
        for (const std::string& line : logLines)
            if (line.find(text) != std::string::npos) return true;
        return false;
    }

    SgContext context = nullptr;
    SgModel character = nullptr;
    SgModel scene = nullptr;
    std::unique_ptr<VulkanHarness> vk;
    SgVulkanDevice device = nullptr;
    std::vector<std::string> logLines;
};

inline std::vector<uint8_t> slice(const std::vector<uint8_t>& bytes, size_t index, size_t size) {
    return {bytes.begin() + index * size, bytes.begin() + (index + 1) * size};
}

}  // namespace sgtest

// The call returned `expected` and left a last-error message on context containing `text`.
#define SG_EXPECT_VK_FAILURE(call, expected, text)                                          \
    do {                                                                                    \
        const SgResult sgResult_ = (call);                                                  \
        EXPECT_EQ(sgResult_, (expected)) << #call;                                          \
        const std::string sgMessage_ = sgGetLastErrorMessage(context);                      \
        EXPECT_NE(sgMessage_.find(text), std::string::npos) << #call << ": " << sgMessage_; \
    } while (0)
