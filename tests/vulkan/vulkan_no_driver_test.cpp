// Without a Vulkan driver: the suite's second ctest registration points
// VK_ICD_FILENAMES at a file that does not exist. Tests that need Vulkan skip
// with the reason; the SDK fails cleanly when given nothing usable.
#include <cstdlib>

#include "vulkan_fixture.hpp"

namespace {

bool runWithoutDriver() {
    const char* icd = std::getenv("VK_ICD_FILENAMES");
    return icd && std::string(icd).find("no-vulkan-driver.json") != std::string::npos;
}

TEST(VulkanNoDriver, HarnessSkipsWithTheLoadersReason) {
    if (!runWithoutDriver()) GTEST_SKIP() << "only meaningful in the no_driver. registration of this suite";
    std::string why;
    const auto vk = sgtest::VulkanHarness::create(sgtest::VulkanSetup{}, &why);
    EXPECT_EQ(vk, nullptr);
    EXPECT_NE(why.find("VK_ERROR_INCOMPATIBLE_DRIVER"), std::string::npos) << why;
}

// What an application gets when its own Vulkan setup failed and it passes on what it has.
TEST(VulkanNoDriver, CreateVulkanDevice_WithNoInstanceFailsCleanly) {
    SgContextCreateInfo contextInfo{};
    contextInfo.sType = SG_STRUCTURE_TYPE_CONTEXT_CREATE_INFO;
    contextInfo.backendPreference = SG_BACKEND_PREFERENCE_CPU;
    contextInfo.threadCount = 1;
    SgContext context = nullptr;
    ASSERT_EQ(sgCreateContext(&contextInfo, nullptr, &context), SG_SUCCESS);
    VkDeviceCreateInfo deviceCreateInfo{};
    deviceCreateInfo.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO;
    SgVulkanDeviceCreateInfo info{};
    info.sType = SG_STRUCTURE_TYPE_VULKAN_DEVICE_CREATE_INFO;
    info.pDeviceCreateInfo = &deviceCreateInfo;
    info.apiVersion = VK_API_VERSION_1_3;
    info.pfnGetInstanceProcAddr = vkGetInstanceProcAddr;
    SgVulkanDevice device = reinterpret_cast<SgVulkanDevice>(&info);  // must be overwritten with NULL
    EXPECT_EQ(sgCreateVulkanDevice(context, &info, &device), SG_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(device, nullptr);
    EXPECT_NE(std::string(sgGetLastErrorMessage(context)).find("pCreateInfo->instance is VK_NULL_HANDLE"),
              std::string::npos)
        << sgGetLastErrorMessage(context);
    sgDestroyContext(context, nullptr);
}

}  // namespace
