// Shared-object backends: found on STYLEGEN_PLUGIN_PATH, loaded, version
// checked; broken ones are logged and skipped and the CPU takes over.
#include <cstdlib>

#include <dirent.h>

#include "api_test_support.hpp"

namespace {

class PluginDiscovery : public ::testing::Test {
protected:
    void TearDown() override {
        unsetenv("STYLEGEN_PLUGIN_PATH");
        sgDestroyContext(context, nullptr);
    }

    // Creates a context with the given preference and plugin path; collects warnings.
    void create(SgBackendPreference preference, const std::string& pluginPath) {
        setenv("STYLEGEN_PLUGIN_PATH", pluginPath.c_str(), 1);
        SgContextCreateInfo info = sgtest::cpuContextInfo();
        info.backendPreference = preference;
        info.pLogUserData = this;
        info.pfnLog = [](void* self, SgLogLevel level, const char* message) {
            if (level == SG_LOG_LEVEL_WARNING) static_cast<PluginDiscovery*>(self)->warnings.push_back(message);
        };
        ASSERT_EQ(sgCreateContext(&info, nullptr, &context), SG_SUCCESS) << sgGetLastErrorMessage(nullptr);
        contextInfo.sType = SG_STRUCTURE_TYPE_CONTEXT_INFO;
        ASSERT_EQ(sgGetContextInfo(context, &contextInfo), SG_SUCCESS);
    }

    std::string description() const { return contextInfo.pBackendDescription; }

    SgContext context = nullptr;
    SgContextInfo contextInfo{};
    std::vector<std::string> warnings;
};

TEST_F(PluginDiscovery, AutoUsesAWorkingPluginFromThePluginPath) {
    create(SG_BACKEND_PREFERENCE_AUTO, SG_TEST_GOOD_PLUGIN_DIR);
    EXPECT_STREQ(contextInfo.pBackendName, "sharedcpu");
    EXPECT_EQ(description(), std::string("sharedcpu: plugin ") + SG_TEST_GOOD_PLUGIN_DIR + "/libstylegen_sharedcpu.so");
    EXPECT_TRUE(warnings.empty());
}

TEST_F(PluginDiscovery, APluginGeneratesTheSameImagesAsTheBuiltInBackend) {
    create(SG_BACKEND_PREFERENCE_AUTO, SG_TEST_GOOD_PLUGIN_DIR);
    ASSERT_STREQ(contextInfo.pBackendName, "sharedcpu");
    const SgContextCreateInfo builtInInfo = sgtest::cpuContextInfo();
    SgContext builtIn = nullptr;
    ASSERT_EQ(sgCreateContext(&builtInInfo, nullptr, &builtIn), SG_SUCCESS);

    const std::vector<uint8_t> bytes = sgtest::makeTinyModel(sgtest::TinyKind::Scene);
    SgModel viaPlugin = nullptr, viaBuiltIn = nullptr;
    ASSERT_EQ(sgLoadModelFromMemory(context, bytes.data(), bytes.size(), &viaPlugin), SG_SUCCESS);
    ASSERT_EQ(sgLoadModelFromMemory(builtIn, bytes.data(), bytes.size(), &viaBuiltIn), SG_SUCCESS);
    SgGenerateInfo gi = sgtest::neutralGenerateInfo();
    gi.count = 3;
    gi.width = 8;
    gi.height = 12;
    EXPECT_EQ(sgtest::generateBytes(context, viaPlugin, gi), sgtest::generateBytes(builtIn, viaBuiltIn, gi));
    sgDestroyModel(builtIn, viaBuiltIn);
    sgDestroyModel(context, viaPlugin);
    sgDestroyContext(builtIn, nullptr);
}

TEST_F(PluginDiscovery, BrokenPluginsAreLoggedSkippedAndTheCpuTakesOver) {
    create(SG_BACKEND_PREFERENCE_AUTO, SG_TEST_BROKEN_PLUGIN_DIR);
    EXPECT_STREQ(contextInfo.pBackendName, "cpu");
    const std::string d = description();
    EXPECT_EQ(d.rfind("cpu: built-in (", 0), 0u) << d;
    EXPECT_NE(d.find("libstylegen_oldversion.so skipped: plugin interface version 999, expected 1"), std::string::npos)
        << d;
    EXPECT_NE(d.find("libstylegen_nodevice.so skipped: createBackend failed: no test device"), std::string::npos) << d;
    EXPECT_NE(d.find("libstylegen_nosymbol.so skipped: no sgpGetPluginTable symbol"), std::string::npos) << d;
    EXPECT_NE(d.find("libstylegen_garbage.so skipped: cannot load: "), std::string::npos) << d;
    EXPECT_EQ(warnings.size(), 4u);
    for (const std::string& w : warnings) EXPECT_NE(w.find(SG_TEST_BROKEN_PLUGIN_DIR), std::string::npos) << w;
}

TEST_F(PluginDiscovery, AWorkingPluginIsFoundAfterBrokenOnes) {
    create(SG_BACKEND_PREFERENCE_AUTO, std::string(SG_TEST_BROKEN_PLUGIN_DIR) + ":" + SG_TEST_GOOD_PLUGIN_DIR);
    EXPECT_STREQ(contextInfo.pBackendName, "sharedcpu");
    EXPECT_EQ(warnings.size(), 4u);
}

TEST_F(PluginDiscovery, CpuPreferenceLooksForNoPlugin) {
    create(SG_BACKEND_PREFERENCE_CPU, SG_TEST_GOOD_PLUGIN_DIR);
    EXPECT_STREQ(contextInfo.pBackendName, "cpu");
    EXPECT_EQ(description(), "cpu: built-in (backend preference is cpu)");
}

// True if libstylegen.so's own folder holds a backend plugin (a build with CUDA, say).
bool pluginsNextToTheLibrary() {
    std::string dir = SG_TEST_LIBRARY_PATH;
    dir = dir.substr(0, dir.find_last_of('/'));
    DIR* d = opendir(dir.c_str());
    if (!d) return false;
    bool found = false;
    while (const dirent* e = readdir(d)) {
        const std::string name = e->d_name;
        if (name.rfind("libstylegen_", 0) == 0 && name.size() > 3 && name.compare(name.size() - 3, 3, ".so") == 0)
            found = true;
    }
    closedir(d);
    return found;
}

TEST_F(PluginDiscovery, SaysWhereItLookedWhenNoPluginIsFound) {
    if (pluginsNextToTheLibrary()) GTEST_SKIP() << "this build has a plugin next to libstylegen.so";
    create(SG_BACKEND_PREFERENCE_AUTO, "/nonexistent/plugins::");
    EXPECT_STREQ(contextInfo.pBackendName, "cpu");
    const std::string d = description();
    EXPECT_NE(d.find("no backend plugin found in /nonexistent/plugins, "), std::string::npos) << d;
    EXPECT_TRUE(warnings.empty());
}

}  // namespace
