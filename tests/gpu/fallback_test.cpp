// The CUDA plugin where it cannot run: without a GPU or driver its backend
// fails to start with a clear reason, and a context asking for the automatic
// choice gets the CPU backend and says why. These run on every machine; where
// a CUDA device is present the no-device half skips.
#include <dlfcn.h>

#include "gpu_test_support.hpp"
#include "stylegen_plugin.h"
#include "tiny_model.hpp"

namespace {

class CudaPlugin : public ::testing::Test {
protected:
    void SetUp() override {
        library = dlopen(SG_TEST_CUDA_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
        ASSERT_NE(library, nullptr) << "libstylegen_cuda.so must load without CUDA: " << dlerror();
    }
    void TearDown() override {
        if (library) dlclose(library);
        unsetenv("STYLEGEN_PLUGIN_PATH");
    }

    const SgpPluginTable* table() const {
        auto get = reinterpret_cast<PFN_sgpGetPluginTable>(dlsym(library, "sgpGetPluginTable"));
        return get ? get() : nullptr;
    }

    void* library = nullptr;
};

TEST_F(CudaPlugin, ExportsBothTablesOfThisInterfaceVersion) {
    const SgpPluginTable* plugin = table();
    ASSERT_NE(plugin, nullptr);
    EXPECT_EQ(plugin->interfaceVersion, SGP_PLUGIN_INTERFACE_VERSION);
    EXPECT_STREQ(plugin->name, "cuda");
    auto getInterop = reinterpret_cast<PFN_sgpGetInteropTable>(dlsym(library, "sgpGetInteropTable"));
    ASSERT_NE(getInterop, nullptr);
    const SgpInteropTable* interop = getInterop();
    ASSERT_NE(interop, nullptr);
    EXPECT_EQ(interop->interfaceVersion, SGP_INTEROP_INTERFACE_VERSION);
}

TEST_F(CudaPlugin, WithoutADeviceCreateBackendFailsWithTheReason) {
    if (sgtest::cudaSkipReason().empty()) GTEST_SKIP() << "a CUDA device is present: nothing to fall back from";
    SgpBackendCreateInfo info{};
    SgpBackend backend = reinterpret_cast<SgpBackend>(&info);  // must be reset to NULL
    char message[512] = "";
    EXPECT_EQ(table()->createBackend(&info, &backend, message, sizeof(message)), SGP_ERROR_UNSUPPORTED);
    EXPECT_EQ(backend, nullptr);
    const std::string why = message;
    EXPECT_EQ(why.rfind("cuda backend: no usable CUDA device: ", 0), 0u) << why;
    EXPECT_NE(why.find("CUDA runtime 13."), std::string::npos) << why;
}

TEST_F(CudaPlugin, WithoutADeviceAutoFallsBackToTheCpuAndSaysWhy) {
    if (sgtest::cudaSkipReason().empty()) GTEST_SKIP() << "a CUDA device is present: nothing to fall back from";
    std::vector<std::string> log;
    sg::Context context = sgtest::pluginContext(SG_BACKEND_PREFERENCE_AUTO, &log);
    const SgContextInfo info = context.info();
    EXPECT_STREQ(info.pBackendName, "cpu");
    const std::string description = info.pBackendDescription;
    const std::string expected = "libstylegen_cuda.so skipped: createBackend failed: cuda backend: no usable CUDA device";
    EXPECT_NE(description.find(expected), std::string::npos) << description;
    bool warned = false;
    for (const std::string& line : log)
        warned |= line.find("libstylegen_cuda.so skipped: createBackend failed") != std::string::npos;
    EXPECT_TRUE(warned) << "the log says why the CUDA plugin was skipped";

    // And the context works: generation runs on the CPU.
    const std::vector<uint8_t> bytes = sgtest::makeTinyModel(sgtest::TinyKind::Character);
    sg::Model model = context.loadModelFromMemory(bytes.data(), bytes.size());
    sg::GenerateInfo gi;
    gi.count = 2;
    EXPECT_EQ(model.generate(gi).size(), size_t(2) * 16 * 16 * 4);
}

}  // namespace
