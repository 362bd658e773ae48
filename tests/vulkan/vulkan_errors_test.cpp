// sgCmdGenerateVulkanImages' error paths: every invalid argument gives
// SG_ERROR_INVALID_ARGUMENT and a message naming it, records nothing and
// leaves the staging buffer free for the next call.
#include "vulkan_fixture.hpp"

namespace {

using sgtest::request;
using sgtest::VulkanSetup;
using sgtest::VulkanTest;
using sgtest::wholeImage;

class VulkanErrorsTest : public VulkanTest {
protected:
    void SetUp() override {
        VulkanTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        image = vk->createImage(VK_FORMAT_R8G8B8A8_UNORM, 16, 16).image;
        cmd = vk->beginCommands();
    }

    // Expects the call to fail with SG_ERROR_INVALID_ARGUMENT naming `text`, leaving sync unchanged.
    void expectRejected(const SgGenerateInfo& info, const std::vector<SgVulkanImageTarget>& targets,
                        const std::string& text, SgModel model = nullptr) {
        SgVulkanSubmitSync sync{};
        SG_EXPECT_VK_FAILURE(record(model ? model : character, info, targets, cmd, &sync), SG_ERROR_INVALID_ARGUMENT,
                             text);
        EXPECT_EQ(sync.signalSemaphore, VK_NULL_HANDLE);
    }

    SgVulkanImageTarget target() const { return wholeImage(image, VK_FORMAT_R8G8B8A8_UNORM); }

    VkImage image = VK_NULL_HANDLE;
    VkCommandBuffer cmd = VK_NULL_HANDLE;
};

TEST_F(VulkanErrorsTest, CmdGenerate_RejectsNullArguments) {
    SgVulkanSubmitSync sync{};
    sync.sType = SG_STRUCTURE_TYPE_VULKAN_SUBMIT_SYNC;
    EXPECT_EQ(sgCmdGenerateVulkanImages(nullptr, nullptr, &sync), SG_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(sgGetLastErrorMessage(nullptr)).find("device is NULL"), std::string::npos);
    SG_EXPECT_VK_FAILURE(sgCmdGenerateVulkanImages(device, nullptr, &sync), SG_ERROR_INVALID_ARGUMENT, "pInfo is NULL");
    SgVulkanGenerateInfo info{};
    info.sType = SG_STRUCTURE_TYPE_VULKAN_GENERATE_INFO;
    SG_EXPECT_VK_FAILURE(sgCmdGenerateVulkanImages(device, &info, nullptr), SG_ERROR_INVALID_ARGUMENT, "pSync is NULL");
}

TEST_F(VulkanErrorsTest, CmdGenerate_RejectsWrongSTypes) {
    const SgGenerateInfo info = request(1, 1);
    SgVulkanGenerateInfo generate{};
    generate.sType = SG_STRUCTURE_TYPE_GENERATE_INFO;
    SgVulkanSubmitSync sync{};
    sync.sType = SG_STRUCTURE_TYPE_VULKAN_SUBMIT_SYNC;
    SG_EXPECT_VK_FAILURE(sgCmdGenerateVulkanImages(device, &generate, &sync), SG_ERROR_INVALID_ARGUMENT,
                         "expected SG_STRUCTURE_TYPE_VULKAN_GENERATE_INFO");
    generate.sType = SG_STRUCTURE_TYPE_VULKAN_GENERATE_INFO;
    sync.sType = SG_STRUCTURE_TYPE_VULKAN_GENERATE_INFO;
    SG_EXPECT_VK_FAILURE(sgCmdGenerateVulkanImages(device, &generate, &sync), SG_ERROR_INVALID_ARGUMENT,
                         "expected SG_STRUCTURE_TYPE_VULKAN_SUBMIT_SYNC");
    SgVulkanImageTarget t = target();
    t.sType = SG_STRUCTURE_TYPE_VULKAN_GENERATE_INFO;
    expectRejected(info, {t}, "expected SG_STRUCTURE_TYPE_VULKAN_IMAGE_TARGET");
    SgGenerateInfo wrong = info;
    wrong.sType = SG_STRUCTURE_TYPE_IMAGE_BUFFER;
    expectRejected(wrong, {target()}, "expected SG_STRUCTURE_TYPE_GENERATE_INFO");
}

TEST_F(VulkanErrorsTest, CmdGenerate_RejectsNullHandlesInTheRequest) {
    SgVulkanSubmitSync sync{};
    const SgGenerateInfo info = request(1, 1);
    const std::vector<SgVulkanImageTarget> targets = {target()};
    SG_EXPECT_VK_FAILURE(record(character, info, targets, VK_NULL_HANDLE, &sync), SG_ERROR_INVALID_ARGUMENT,
                         "pInfo->commandBuffer is VK_NULL_HANDLE");
    SgVulkanImageTarget t = target();
    t.image = VK_NULL_HANDLE;
    expectRejected(info, {t}, "pInfo->pTargets[0].image is VK_NULL_HANDLE");
    SgVulkanGenerateInfo generate{};
    generate.sType = SG_STRUCTURE_TYPE_VULKAN_GENERATE_INFO;
    generate.pGenerateInfo = &info;
    generate.commandBuffer = cmd;
    generate.targetCount = 1;
    generate.pTargets = targets.data();
    sync.sType = SG_STRUCTURE_TYPE_VULKAN_SUBMIT_SYNC;
    SG_EXPECT_VK_FAILURE(sgCmdGenerateVulkanImages(device, &generate, &sync), SG_ERROR_INVALID_ARGUMENT,
                         "pInfo->model is NULL");
}

TEST_F(VulkanErrorsTest, CmdGenerate_RejectsATargetCountOtherThanTheImageCount) {
    expectRejected(request(2, 1), {target()}, "pInfo->targetCount is 1 but pGenerateInfo->count is 2");
}

TEST_F(VulkanErrorsTest, CmdGenerate_RejectsATargetFormatTheRequestDoesNotFill) {
    expectRejected(request(1, 1, SG_FORMAT_R32G32B32A32_SFLOAT), {target()},
                   "VK_FORMAT_R8G8B8A8_UNORM is filled from SG_FORMAT_R8G8B8A8_UNORM output");
    SgVulkanImageTarget half =
        wholeImage(vk->createImage(VK_FORMAT_R16G16B16A16_SFLOAT, 16, 16).image, VK_FORMAT_R16G16B16A16_SFLOAT);
    expectRejected(request(1, 1), {half}, "but pGenerateInfo->format is SG_FORMAT_R8G8B8A8_UNORM");
}

TEST_F(VulkanErrorsTest, CmdGenerate_RejectsFormatsItCannotWrite) {
    SgVulkanImageTarget t =
        wholeImage(vk->createImage(VK_FORMAT_B8G8R8A8_UNORM, 16, 16).image, VK_FORMAT_B8G8R8A8_UNORM);
    expectRejected(request(1, 1), {t}, "is not one of VK_FORMAT_R8G8B8A8_UNORM");
}

TEST_F(VulkanErrorsTest, CmdGenerate_RejectsATargetSmallerThanTheImage) {
    SgVulkanImageTarget t = target();
    t.imageExtent = {8, 8};
    expectRejected(request(1, 1), {t}, "the generated 16x16 image at offset (0, 0) does not fit its imageExtent 8x8");
    SgGenerateInfo wide = request(1, 1);
    wide.width = 32;
    expectRejected(wide, {target()}, "pTargets[0]: the generated 32x16 image", scene);
}

TEST_F(VulkanErrorsTest, CmdGenerate_RejectsARegionOutsideTheImage) {
    SgVulkanImageTarget t = target();
    t.offset = {-1, 0};
    expectRejected(request(1, 1), {t}, "at offset (-1, 0) does not fit");
    t.offset = {1, 0};
    expectRejected(request(1, 1), {t}, "at offset (1, 0) does not fit its imageExtent 16x16");
}

TEST_F(VulkanErrorsTest, CmdGenerate_RejectsLayoutsAColourCopyCannotUse) {
    SgVulkanImageTarget t = target();
    t.newLayout = VK_IMAGE_LAYOUT_UNDEFINED;
    expectRejected(request(1, 1), {t}, "newLayout 0 is not a layout");
    t = target();
    t.oldLayout = VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL;
    expectRejected(request(1, 1), {t}, "oldLayout 3 is not a layout");
}

TEST_F(VulkanErrorsTest, CmdGenerate_RejectsSync2LayoutsOnAClassicDevice) {
    VulkanSetup setup;
    setup.synchronization2 = false;
    startVulkan(setup);
    if (IsSkipped()) return;
    SgVulkanImageTarget t =
        wholeImage(vk->createImage(VK_FORMAT_R8G8B8A8_UNORM, 16, 16).image, VK_FORMAT_R8G8B8A8_UNORM);
    t.newLayout = VK_IMAGE_LAYOUT_READ_ONLY_OPTIMAL;
    SgVulkanSubmitSync sync{};
    SG_EXPECT_VK_FAILURE(record(character, request(1, 1), {t}, vk->beginCommands(), &sync), SG_ERROR_INVALID_ARGUMENT,
                         "(without synchronization2)");
}

TEST_F(VulkanErrorsTest, CmdGenerate_RejectsOverlappingTargets) {
    const VkImage atlas = vk->createImage(VK_FORMAT_R8G8B8A8_UNORM, 32, 32).image;
    SgVulkanImageTarget a = wholeImage(atlas, VK_FORMAT_R8G8B8A8_UNORM, 32, 32);
    SgVulkanImageTarget b = a;
    b.offset = {8, 15};
    expectRejected(request(2, 1), {a, b}, "pInfo->pTargets[1] at (8, 15) overlaps pInfo->pTargets[0] at (0, 0)");
}

TEST_F(VulkanErrorsTest, CmdGenerate_RejectsDifferentLayoutsForOneSubresource) {
    const VkImage atlas = vk->createImage(VK_FORMAT_R8G8B8A8_UNORM, 32, 32).image;
    SgVulkanImageTarget a = wholeImage(atlas, VK_FORMAT_R8G8B8A8_UNORM, 32, 32);
    SgVulkanImageTarget b = a;
    b.offset = {16, 0};
    b.newLayout = VK_IMAGE_LAYOUT_GENERAL;
    expectRejected(request(2, 1), {a, b}, "give different oldLayout/newLayout");
}

TEST_F(VulkanErrorsTest, CmdGenerate_ChecksSdkImagesAgainstHowTheyWereMade) {
    SgVulkanImageCreateInfo info{};
    info.sType = SG_STRUCTURE_TYPE_VULKAN_IMAGE_CREATE_INFO;
    info.format = VK_FORMAT_R8G8B8A8_UNORM;
    info.width = 32;
    info.height = 32;
    info.mipLevels = 2;
    SgVulkanImage made{};
    made.sType = SG_STRUCTURE_TYPE_VULKAN_IMAGE;
    ASSERT_EQ(sgCreateVulkanImage(device, &info, &made), SG_SUCCESS) << lastError();
    SgVulkanImageTarget t = wholeImage(made.image, VK_FORMAT_R8G8B8A8_SRGB, 32, 32);
    expectRejected(request(1, 1), {t}, "made the image as VK_FORMAT_R8G8B8A8_UNORM");
    t = wholeImage(made.image, VK_FORMAT_R8G8B8A8_UNORM, 32, 32);
    t.mipLevel = 1;  // which is 16x16, not 32x32
    expectRejected(request(1, 1), {t}, "mip level 1 of the image is 16x16");
    t = wholeImage(made.image, VK_FORMAT_R8G8B8A8_UNORM, 32, 32);
    t.arrayLayer = 1;
    expectRejected(request(1, 1), {t}, "of an image with 2 mip level(s) and 1 layer(s)");
    sgDestroyVulkanImage(device, made.image);
}

TEST_F(VulkanErrorsTest, CmdGenerate_RejectsAModelOfAnotherContext) {
    SgContextCreateInfo info{};
    info.sType = SG_STRUCTURE_TYPE_CONTEXT_CREATE_INFO;
    info.backendPreference = SG_BACKEND_PREFERENCE_CPU;
    info.threadCount = 1;
    SgContext other = nullptr;
    ASSERT_EQ(sgCreateContext(&info, nullptr, &other), SG_SUCCESS);
    const std::vector<uint8_t> bytes = sgtest::makeTinyModel(sgtest::TinyKind::Character, 3, 11);
    SgModel foreign = nullptr;
    ASSERT_EQ(sgLoadModelFromMemory(other, bytes.data(), bytes.size(), &foreign), SG_SUCCESS);
    expectRejected(request(1, 1), {target()}, "another context", foreign);
    sgDestroyModel(other, foreign);
    sgDestroyContext(other, nullptr);
}

TEST_F(VulkanErrorsTest, CmdGenerate_RejectsAnExternalImageInfoWithoutMemory) {
    SgVulkanExternalImageInfo external{};
    external.sType = SG_STRUCTURE_TYPE_VULKAN_EXTERNAL_IMAGE_INFO;
    SgVulkanImageTarget t = target();
    t.pNext = &external;
    expectRejected(request(1, 1), {t}, "SgVulkanExternalImageInfo::memory is VK_NULL_HANDLE");
}

TEST_F(VulkanErrorsTest, CmdGenerate_RejectsAnExternalImageCreateInfoThatDoesNotFitTheTarget) {
    VkExternalMemoryImageCreateInfo exportInfo{};
    exportInfo.sType = VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_IMAGE_CREATE_INFO;
    exportInfo.handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT;
    VkImageCreateInfo created{};
    created.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO;
    created.pNext = &exportInfo;
    created.imageType = VK_IMAGE_TYPE_2D;
    created.format = VK_FORMAT_R8G8B8A8_UNORM;
    created.extent = {16, 16, 1};
    created.mipLevels = 1;
    created.arrayLayers = 1;
    created.samples = VK_SAMPLE_COUNT_1_BIT;
    created.tiling = VK_IMAGE_TILING_OPTIMAL;
    SgVulkanExternalImageInfo external{};
    external.sType = SG_STRUCTURE_TYPE_VULKAN_EXTERNAL_IMAGE_INFO;
    external.memory = reinterpret_cast<VkDeviceMemory>(uintptr_t(1));  // never used: the checks come first
    external.allocationSize = 4096;
    external.pImageCreateInfo = &created;
    SgVulkanImageTarget t = target();
    t.pNext = &external;
    created.format = VK_FORMAT_R32G32B32A32_SFLOAT;
    expectRejected(request(1, 1), {t}, "is not the target's format");
    created.format = VK_FORMAT_R8G8B8A8_UNORM;
    created.extent = {32, 16, 1};
    expectRejected(request(1, 1), {t}, "of pImageCreateInfo's image is 32x16");
    created.extent = {16, 16, 1};
    created.pNext = nullptr;
    expectRejected(request(1, 1), {t}, "has no VkExternalMemoryImageCreateInfo");
}

// A request sgGenerate would reject fails the same way, records nothing, and
// gives its staging back: with room for one image, the next call still fits,
// and the command buffer that saw both calls submits validation-clean.
TEST_F(VulkanErrorsTest, CmdGenerate_InvalidRequestRecordsNothingAndFreesItsStaging) {
    startVulkan(VulkanSetup{}, 16 * 16 * 4);
    if (IsSkipped()) return;
    const SgVulkanImageTarget t =
        wholeImage(vk->createImage(VK_FORMAT_R8G8B8A8_UNORM, 16, 16).image, VK_FORMAT_R8G8B8A8_UNORM);
    const VkCommandBuffer both = vk->beginCommands();
    SgGenerateInfo bad = request(1, 1);
    bad.styleIndex = 99;
    SgVulkanSubmitSync sync{};
    SG_EXPECT_VK_FAILURE(record(character, bad, {t}, both, &sync), SG_ERROR_INVALID_ARGUMENT,
                         "pGenerateInfo->styleIndex 99 is out of range");
    ASSERT_EQ(record(character, request(1, 1), {t}, both, &sync), SG_SUCCESS) << lastError();
    vk->submitAndWait(both, {sync});
    EXPECT_EQ(readTarget(t, 4), hostBytes(character, request(1, 1)));
}

}  // namespace
