// libstylegen.so exports the sg* API and nothing else: no CPU backend
// internals, no nlohmann-json or libstdc++ template instances.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <set>
#include <sstream>
#include <string>

namespace {

std::set<std::string> exportedSymbols() {
    const std::string command = std::string("nm -D --defined-only '") + SG_TEST_LIBRARY_PATH + "' 2>&1";
    std::set<std::string> symbols;
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) return symbols;
    char line[1024];
    while (fgets(line, sizeof(line), pipe)) {
        std::istringstream fields(line);
        std::string address, type, name;
        if (fields >> address >> type >> name) symbols.insert(name);
    }
    EXPECT_EQ(pclose(pipe), 0) << command;
    return symbols;
}

TEST(Visibility, OnlySgFunctionsAreExported) {
    const std::set<std::string> symbols = exportedSymbols();
    ASSERT_FALSE(symbols.empty()) << "nm found no symbols in " << SG_TEST_LIBRARY_PATH;
    for (const std::string& name : symbols) {
        const bool isApi = name.size() > 2 && name.compare(0, 2, "sg") == 0 && std::isupper(name[2]);
        EXPECT_TRUE(isApi) << "exported: " << name;
    }
}

TEST(Visibility, ExportsTheWholeApi) {
    std::set<std::string> expected = {
        "sgGetVersion",       "sgResultString",      "sgGetProcAddr",         "sgCreateContext",
        "sgDestroyContext",   "sgGetLastErrorMessage", "sgGetContextInfo",    "sgLoadModelFromFile",
        "sgLoadModelFromMemory", "sgDestroyModel",   "sgGetModelInfo",        "sgGetStyleName",
        "sgFindStyle",        "sgGenerate",
        "sgParseStylePrompt", "sgGetRestyleExtent",  "sgRestyle"};  // 1.1
#ifdef SG_TEST_WITH_VULKAN
    expected.insert({"sgCreateVulkanDevice", "sgDestroyVulkanDevice", "sgGetVulkanDeviceInfo", "sgCreateVulkanImage",
                     "sgDestroyVulkanImage", "sgCmdGenerateVulkanImages"});  // stylegen_vulkan.h
#endif
    EXPECT_EQ(exportedSymbols(), expected);
}

}  // namespace
