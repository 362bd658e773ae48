// sgCreateVulkanDevice / sgGetVulkanDeviceInfo / sgDestroyVulkanDevice and the
// image helpers: path reporting, capability checks, missing functions, and a
// self-test that the validation layer the other tests rely on is really live.
#include <unistd.h>

#include "vulkan_fixture.hpp"
#include "vulkan_interposer.hpp"

namespace {

using sgtest::VulkanSetup;
using sgtest::VulkanTest;

// [SECTION] The harness itself -------------------------------------------------------------------------

// Two copies into one image with no barrier between them are a write-after-write
// hazard only synchronization validation reports: if this message does not
// arrive, the "no validation message" checks of every other test prove nothing.
TEST_F(VulkanTest, ValidationHarness_ReportsASynchronizationHazard) {
    const sgtest::TestImage image = vk->createImage(VK_FORMAT_R8G8B8A8_UNORM, 16, 16);
    const auto staging = vk->createHostBuffer(16 * 16 * 4, VK_BUFFER_USAGE_TRANSFER_SRC_BIT);
    const VkCommandBuffer cmd = vk->beginCommands();
    vk->imageBarrier(cmd, image.image, 0, 0, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                     VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT, 0, VK_PIPELINE_STAGE_2_TRANSFER_BIT,
                     VK_ACCESS_2_TRANSFER_WRITE_BIT);
    VkBufferImageCopy region{};
    region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    region.imageExtent = {16, 16, 1};
    vkCmdCopyBufferToImage(cmd, staging.buffer, image.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &region);
    vkCmdCopyBufferToImage(cmd, staging.buffer, image.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &region);
    vkEndCommandBuffer(cmd);
    const std::vector<std::string> messages = vk->takeMessages();
    ASSERT_FALSE(messages.empty()) << "synchronization validation is not active";
    EXPECT_NE(sgtest::joined(messages).find("SYNC-HAZARD-WRITE-AFTER-WRITE"), std::string::npos)
        << sgtest::joined(messages);
}

// [SECTION] Creation and path ---------------------------------------------------------------------------

TEST_F(VulkanTest, CreateVulkanDevice_ReportsCpuStagingPathAndWhy) {
    SgVulkanDeviceInfo info{};
    info.sType = SG_STRUCTURE_TYPE_VULKAN_DEVICE_INFO;
    ASSERT_EQ(sgGetVulkanDeviceInfo(device, &info), SG_SUCCESS) << lastError();
    EXPECT_EQ(info.path, SG_VULKAN_PATH_CPU_STAGING);
    const std::string why = info.pPathDescription;
    EXPECT_EQ(why.rfind("cpu-staging: ", 0), 0u) << why;
    EXPECT_NE(why.find("no CUDA plugin"), std::string::npos) << why;
    // Lavapipe has no external semaphore fds, and the harness never enables them.
    EXPECT_NE(why.find("VK_KHR_external_semaphore_fd"), std::string::npos) << why;
    EXPECT_TRUE(logged(why)) << "the path and its reason are logged at creation";
    EXPECT_EQ(info.synchronization2, SG_TRUE);
    EXPECT_EQ(info.exportableImages, vk->externalMemoryFd ? SG_TRUE : SG_FALSE);
    EXPECT_EQ(info.stagingBudget, VkDeviceSize(256) << 20);
}

TEST_F(VulkanTest, CreateVulkanDevice_WithoutSynchronization2_UsesClassicBarriers) {
    VulkanSetup setup;
    setup.synchronization2 = false;
    startVulkan(setup);
    if (IsSkipped()) return;
    SgVulkanDeviceInfo info{};
    info.sType = SG_STRUCTURE_TYPE_VULKAN_DEVICE_INFO;
    ASSERT_EQ(sgGetVulkanDeviceInfo(device, &info), SG_SUCCESS) << lastError();
    EXPECT_EQ(info.synchronization2, SG_FALSE);
}

TEST_F(VulkanTest, CreateVulkanDevice_ReadsPerFeatureStructsToo) {
    VulkanSetup setup;
    setup.perFeatureStructs = true;
    startVulkan(setup);
    if (IsSkipped()) return;
    SgVulkanDeviceInfo info{};
    info.sType = SG_STRUCTURE_TYPE_VULKAN_DEVICE_INFO;
    ASSERT_EQ(sgGetVulkanDeviceInfo(device, &info), SG_SUCCESS) << lastError();
    EXPECT_EQ(info.synchronization2, SG_TRUE);
}

TEST_F(VulkanTest, CreateVulkanDevice_RejectsNullHandles) {
    SgVulkanDevice other = nullptr;
    SgVulkanDeviceCreateInfo info = vk->sdkDeviceInfo();
    info.instance = VK_NULL_HANDLE;
    SG_EXPECT_VK_FAILURE(sgCreateVulkanDevice(context, &info, &other), SG_ERROR_INVALID_ARGUMENT, "instance");
    info = vk->sdkDeviceInfo();
    info.physicalDevice = VK_NULL_HANDLE;
    SG_EXPECT_VK_FAILURE(sgCreateVulkanDevice(context, &info, &other), SG_ERROR_INVALID_ARGUMENT, "physicalDevice");
    info = vk->sdkDeviceInfo();
    info.device = VK_NULL_HANDLE;
    SG_EXPECT_VK_FAILURE(sgCreateVulkanDevice(context, &info, &other), SG_ERROR_INVALID_ARGUMENT, "device");
    info = vk->sdkDeviceInfo();
    info.pDeviceCreateInfo = nullptr;
    SG_EXPECT_VK_FAILURE(sgCreateVulkanDevice(context, &info, &other), SG_ERROR_INVALID_ARGUMENT, "pDeviceCreateInfo");
    EXPECT_EQ(other, nullptr);
    info = vk->sdkDeviceInfo();
    EXPECT_EQ(sgCreateVulkanDevice(nullptr, &info, &other), SG_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(sgCreateVulkanDevice(context, nullptr, &other), SG_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(sgCreateVulkanDevice(context, &info, nullptr), SG_ERROR_INVALID_ARGUMENT);
}

TEST_F(VulkanTest, CreateVulkanDevice_RejectsWrongSType) {
    SgVulkanDevice other = nullptr;
    SgVulkanDeviceCreateInfo info = vk->sdkDeviceInfo();
    info.sType = SG_STRUCTURE_TYPE_CONTEXT_CREATE_INFO;
    SG_EXPECT_VK_FAILURE(sgCreateVulkanDevice(context, &info, &other), SG_ERROR_INVALID_ARGUMENT,
                         "expected SG_STRUCTURE_TYPE_VULKAN_DEVICE_CREATE_INFO");
    VkDeviceCreateInfo wrong = vk->deviceCreateInfo;
    wrong.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
    info = vk->sdkDeviceInfo();
    info.pDeviceCreateInfo = &wrong;
    SG_EXPECT_VK_FAILURE(sgCreateVulkanDevice(context, &info, &other), SG_ERROR_INVALID_ARGUMENT,
                         "expected VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO");
}

TEST_F(VulkanTest, CreateVulkanDevice_RejectsMissingGetInstanceProcAddr) {
    SgVulkanDevice other = nullptr;
    SgVulkanDeviceCreateInfo info = vk->sdkDeviceInfo();
    info.pfnGetInstanceProcAddr = nullptr;
    SG_EXPECT_VK_FAILURE(sgCreateVulkanDevice(context, &info, &other), SG_ERROR_INVALID_ARGUMENT,
                         "pfnGetInstanceProcAddr is NULL");
}

TEST_F(VulkanTest, CreateVulkanDevice_RejectsAQueueFamilyTheDeviceHasNoQueueOf) {
    SgVulkanDevice other = nullptr;
    SgVulkanDeviceCreateInfo info = vk->sdkDeviceInfo();
    info.queueFamilyIndex = vk->queueFamily + 7;
    SG_EXPECT_VK_FAILURE(sgCreateVulkanDevice(context, &info, &other), SG_ERROR_INVALID_ARGUMENT, "queueFamilyIndex");
}

TEST_F(VulkanTest, CreateVulkanDevice_NeedsTheTimelineSemaphoreFeature) {
    VulkanSetup setup;
    setup.timelineSemaphore = false;
    setup.synchronization2 = false;
    stopVulkan();
    std::string why;
    vk = sgtest::VulkanHarness::create(setup, &why);
    if (!vk) GTEST_SKIP() << why;
    const SgVulkanDeviceCreateInfo info = vk->sdkDeviceInfo();
    SG_EXPECT_VK_FAILURE(sgCreateVulkanDevice(context, &info, &device), SG_ERROR_UNSUPPORTED, "timelineSemaphore");
    EXPECT_EQ(device, nullptr);
}

// An instance made for Vulkan 1.0 cannot carry what the SDK needs: a clean error, nothing created.
TEST_F(VulkanTest, CreateVulkanDevice_OnAVulkan10InstanceFailsCleanly) {
    VulkanSetup setup;
    setup.apiVersion = VK_API_VERSION_1_0;
    setup.timelineSemaphore = false;
    setup.synchronization2 = false;
    setup.externalMemoryFd = false;
    stopVulkan();
    std::string why;
    vk = sgtest::VulkanHarness::create(setup, &why);
    if (!vk) GTEST_SKIP() << why;
    const SgVulkanDeviceCreateInfo info = vk->sdkDeviceInfo();
    SG_EXPECT_VK_FAILURE(sgCreateVulkanDevice(context, &info, &device), SG_ERROR_UNSUPPORTED, "Vulkan 1.1");
    EXPECT_EQ(device, nullptr);
}

TEST_F(VulkanTest, CreateVulkanDevice_NamesAnInstanceFunctionItCannotLoad) {
    sgtest::Interposer::hide("vkGetPhysicalDeviceImageFormatProperties2");
    SgVulkanDeviceCreateInfo info = vk->sdkDeviceInfo();
    info.pfnGetInstanceProcAddr = &sgtest::Interposer::getInstanceProcAddr;
    SgVulkanDevice other = nullptr;
    SG_EXPECT_VK_FAILURE(sgCreateVulkanDevice(context, &info, &other), SG_ERROR_UNSUPPORTED,
                         "pfnGetInstanceProcAddr returned NULL for vkGetPhysicalDeviceImageFormatProperties2");
    EXPECT_EQ(other, nullptr);
    sgtest::Interposer::reset();
}

TEST_F(VulkanTest, CreateVulkanDevice_NamesADeviceFunctionItCannotLoad) {
    sgtest::Interposer::hide("vkCmdCopyBufferToImage");
    SgVulkanDeviceCreateInfo info = vk->sdkDeviceInfo();
    info.pfnGetInstanceProcAddr = &sgtest::Interposer::getInstanceProcAddr;
    SgVulkanDevice other = nullptr;
    SG_EXPECT_VK_FAILURE(sgCreateVulkanDevice(context, &info, &other), SG_ERROR_UNSUPPORTED,
                         "vkGetDeviceProcAddr returned NULL for vkCmdCopyBufferToImage");
    EXPECT_EQ(other, nullptr);
    sgtest::Interposer::reset();
}

TEST_F(VulkanTest, CreateVulkanDevice_LoadsEveryFunctionThroughTheGivenPointer) {
    sgtest::Interposer::reset();
    SgVulkanDeviceCreateInfo info = vk->sdkDeviceInfo();
    info.pfnGetInstanceProcAddr = &sgtest::Interposer::getInstanceProcAddr;
    SgVulkanDevice other = nullptr;
    ASSERT_EQ(sgCreateVulkanDevice(context, &info, &other), SG_SUCCESS) << lastError();
    EXPECT_GT(sgtest::Interposer::instanceLookups(), 0);
    EXPECT_GT(sgtest::Interposer::deviceLookups(), 0);
    sgDestroyVulkanDevice(context, other);
}

TEST_F(VulkanTest, GetVulkanDeviceInfo_RejectsWrongSTypeAndNull) {
    SgVulkanDeviceInfo info{};
    info.sType = SG_STRUCTURE_TYPE_CONTEXT_INFO;
    SG_EXPECT_VK_FAILURE(sgGetVulkanDeviceInfo(device, &info), SG_ERROR_INVALID_ARGUMENT,
                         "expected SG_STRUCTURE_TYPE_VULKAN_DEVICE_INFO");
    SG_EXPECT_VK_FAILURE(sgGetVulkanDeviceInfo(device, nullptr), SG_ERROR_INVALID_ARGUMENT, "pInfo is NULL");
    EXPECT_EQ(sgGetVulkanDeviceInfo(nullptr, &info), SG_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(sgGetLastErrorMessage(nullptr)).find("device is NULL"), std::string::npos);
}

TEST_F(VulkanTest, DestroyVulkanDevice_AcceptsNull) {
    sgDestroyVulkanDevice(context, nullptr);
    sgDestroyVulkanDevice(nullptr, nullptr);
}

TEST_F(VulkanTest, DestroyVulkanDevice_OfAnotherContextLeavesItAlone) {
    SgContextCreateInfo info{};
    info.sType = SG_STRUCTURE_TYPE_CONTEXT_CREATE_INFO;
    info.backendPreference = SG_BACKEND_PREFERENCE_CPU;
    info.threadCount = 1;
    info.pfnLog = &VulkanTest::onLog;
    info.pLogUserData = this;
    SgContext other = nullptr;
    ASSERT_EQ(sgCreateContext(&info, nullptr, &other), SG_SUCCESS);
    sgDestroyVulkanDevice(other, device);
    EXPECT_TRUE(logged("belongs to another context"));
    sgDestroyContext(other, nullptr);
    SgVulkanDeviceInfo deviceInfo{};
    deviceInfo.sType = SG_STRUCTURE_TYPE_VULKAN_DEVICE_INFO;
    EXPECT_EQ(sgGetVulkanDeviceInfo(device, &deviceInfo), SG_SUCCESS) << "the device is still alive";
}

TEST_F(VulkanTest, GetProcAddr_FindsTheVulkanFunctions) {
    EXPECT_EQ(sgGetProcAddr("sgCreateVulkanDevice"), reinterpret_cast<PFN_sgVoidFunction>(&sgCreateVulkanDevice));
    EXPECT_EQ(sgGetProcAddr("sgDestroyVulkanDevice"), reinterpret_cast<PFN_sgVoidFunction>(&sgDestroyVulkanDevice));
    EXPECT_EQ(sgGetProcAddr("sgGetVulkanDeviceInfo"), reinterpret_cast<PFN_sgVoidFunction>(&sgGetVulkanDeviceInfo));
    EXPECT_EQ(sgGetProcAddr("sgCreateVulkanImage"), reinterpret_cast<PFN_sgVoidFunction>(&sgCreateVulkanImage));
    EXPECT_EQ(sgGetProcAddr("sgDestroyVulkanImage"), reinterpret_cast<PFN_sgVoidFunction>(&sgDestroyVulkanImage));
    EXPECT_EQ(sgGetProcAddr("sgCmdGenerateVulkanImages"),
              reinterpret_cast<PFN_sgVoidFunction>(&sgCmdGenerateVulkanImages));
}

// [SECTION] Images the SDK allocates -----------------------------------------------------------------------

SgVulkanImageCreateInfo imageInfo(VkFormat format, uint32_t width = 16, uint32_t height = 16) {
    SgVulkanImageCreateInfo info{};
    info.sType = SG_STRUCTURE_TYPE_VULKAN_IMAGE_CREATE_INFO;
    info.format = format;
    info.width = width;
    info.height = height;
    info.usage = VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT;
    return info;
}

TEST_F(VulkanTest, CreateVulkanImage_ExportableImageGivesAnOpaqueFd) {
    if (!vk->externalMemoryFd) GTEST_SKIP() << "the device has no VK_KHR_external_memory_fd";
    SgVulkanImageCreateInfo info = imageInfo(VK_FORMAT_R8G8B8A8_UNORM);
    info.exportable = SG_TRUE;
    SgVulkanImage image{};
    image.sType = SG_STRUCTURE_TYPE_VULKAN_IMAGE;
    ASSERT_EQ(sgCreateVulkanImage(device, &info, &image), SG_SUCCESS) << lastError();
    EXPECT_NE(image.image, VK_NULL_HANDLE);
    EXPECT_NE(image.memory, VK_NULL_HANDLE);
    EXPECT_GE(image.memorySize, VkDeviceSize(16 * 16 * 4));
    auto getMemoryFd = reinterpret_cast<PFN_vkGetMemoryFdKHR>(vkGetDeviceProcAddr(vk->device, "vkGetMemoryFdKHR"));
    ASSERT_NE(getMemoryFd, nullptr);
    VkMemoryGetFdInfoKHR fdInfo{};
    fdInfo.sType = VK_STRUCTURE_TYPE_MEMORY_GET_FD_INFO_KHR;
    fdInfo.memory = image.memory;
    fdInfo.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT;
    int fd = -1;
    EXPECT_EQ(getMemoryFd(vk->device, &fdInfo, &fd), VK_SUCCESS);
    EXPECT_GE(fd, 0);
    if (fd >= 0) close(fd);
    sgDestroyVulkanImage(device, image.image);
}

TEST_F(VulkanTest, CreateVulkanImage_ExportableWithoutExternalMemoryFdIsUnsupported) {
    VulkanSetup setup;
    setup.externalMemoryFd = false;
    startVulkan(setup);
    if (IsSkipped()) return;
    SgVulkanImageCreateInfo info = imageInfo(VK_FORMAT_R8G8B8A8_UNORM);
    info.exportable = SG_TRUE;
    SgVulkanImage image{};
    image.sType = SG_STRUCTURE_TYPE_VULKAN_IMAGE;
    SG_EXPECT_VK_FAILURE(sgCreateVulkanImage(device, &info, &image), SG_ERROR_UNSUPPORTED, "VK_KHR_external_memory_fd");
    EXPECT_EQ(image.image, VK_NULL_HANDLE);
    EXPECT_EQ(image.memory, VK_NULL_HANDLE);
}

TEST_F(VulkanTest, CreateVulkanImage_RejectsInvalidRequests) {
    SgVulkanImage image{};
    image.sType = SG_STRUCTURE_TYPE_VULKAN_IMAGE;
    SgVulkanImageCreateInfo info = imageInfo(VK_FORMAT_B8G8R8A8_UNORM);
    SG_EXPECT_VK_FAILURE(sgCreateVulkanImage(device, &info, &image), SG_ERROR_INVALID_ARGUMENT, "pCreateInfo->format");
    info = imageInfo(VK_FORMAT_R8G8B8A8_UNORM, 0, 16);
    SG_EXPECT_VK_FAILURE(sgCreateVulkanImage(device, &info, &image), SG_ERROR_INVALID_ARGUMENT, "width x height");
    info = imageInfo(VK_FORMAT_R8G8B8A8_UNORM);
    info.mipLevels = 6;  // 16x16 has 5
    SG_EXPECT_VK_FAILURE(sgCreateVulkanImage(device, &info, &image), SG_ERROR_INVALID_ARGUMENT, "mipLevels");
    info = imageInfo(VK_FORMAT_R8G8B8A8_UNORM);
    info.sType = SG_STRUCTURE_TYPE_VULKAN_IMAGE;
    SG_EXPECT_VK_FAILURE(sgCreateVulkanImage(device, &info, &image), SG_ERROR_INVALID_ARGUMENT,
                         "expected SG_STRUCTURE_TYPE_VULKAN_IMAGE_CREATE_INFO");
    info = imageInfo(VK_FORMAT_R8G8B8A8_UNORM);
    image.sType = SG_STRUCTURE_TYPE_VULKAN_IMAGE_CREATE_INFO;
    SG_EXPECT_VK_FAILURE(sgCreateVulkanImage(device, &info, &image), SG_ERROR_INVALID_ARGUMENT,
                         "expected SG_STRUCTURE_TYPE_VULKAN_IMAGE");
}

TEST_F(VulkanTest, DestroyVulkanImage_LeavesImagesItDidNotMakeAlone) {
    const sgtest::TestImage mine = vk->createImage(VK_FORMAT_R8G8B8A8_UNORM, 16, 16);
    sgDestroyVulkanImage(device, mine.image);
    EXPECT_TRUE(logged("not made by sgCreateVulkanImage"));
    sgDestroyVulkanImage(device, VK_NULL_HANDLE);
    sgDestroyVulkanImage(nullptr, mine.image);
    // The harness destroys the image at teardown; a double destroy would be a validation error.
}

TEST_F(VulkanTest, DestroyVulkanDevice_DestroysImagesLeftBehind) {
    SgVulkanImageCreateInfo info = imageInfo(VK_FORMAT_R32G32B32A32_SFLOAT);
    info.arrayLayers = 2;
    SgVulkanImage image{};
    image.sType = SG_STRUCTURE_TYPE_VULKAN_IMAGE;
    ASSERT_EQ(sgCreateVulkanImage(device, &info, &image), SG_SUCCESS) << lastError();
    sgDestroyVulkanDevice(context, device);
    device = nullptr;
    EXPECT_TRUE(logged("destroying 1 image(s)"));
    // Teardown's vkDestroyDevice would report the image and its memory if they had leaked.
}

}  // namespace
