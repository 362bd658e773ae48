// A GPU backend that loses its device mid-run (the CUDA backend after a
// sticky CUDA error): the context says so in its log, and generation goes on,
// from that call on, on the built-in CPU backend. A fixture plugin stands in
// for the GPU (plugins/lost_device_plugin.cpp: the CPU backend whose device is
// lost after one generate call), so the images must equal a CPU context's.
#include <gtest/gtest.h>

#include <cstdlib>

#include <stylegen/stylegen.hpp>

#include "tiny_model.hpp"

namespace {

class DeviceLoss : public ::testing::Test {
protected:
    void SetUp() override {
        setenv("STYLEGEN_PLUGIN_PATH", SG_TEST_LOST_DEVICE_PLUGIN_DIR, 1);
        sg::ContextCreateInfo info;
        info.pLogUserData = &log;
        info.pfnLog = [](void* user, SgLogLevel level, const char* message) {
            if (level == SG_LOG_LEVEL_ERROR) static_cast<std::vector<std::string>*>(user)->push_back(message);
        };
        gpu = std::make_unique<sg::Context>(info);
        unsetenv("STYLEGEN_PLUGIN_PATH");
        ASSERT_STREQ(gpu->info().pBackendName, "lostdevice");
        sg::ContextCreateInfo cpuInfo;
        cpuInfo.backendPreference = SG_BACKEND_PREFERENCE_CPU;
        cpu = std::make_unique<sg::Context>(cpuInfo);
    }

    static sg::GenerateInfo request(uint64_t seed) {
        sg::GenerateInfo gi;
        gi.count = 3;
        gi.firstSeed = seed;
        gi.truncationPsi = 0.7f;
        return gi;
    }

    std::vector<std::string> log;
    std::unique_ptr<sg::Context> gpu, cpu;
};

TEST_F(DeviceLoss, GenerationMovesToTheCpuAndTheLogSaysWhy) {
    const std::vector<uint8_t> bytes = sgtest::makeTinyModel(sgtest::TinyKind::Character, 3, 41);
    sg::Model onGpu = gpu->loadModelFromMemory(bytes.data(), bytes.size());
    sg::Model onCpu = cpu->loadModelFromMemory(bytes.data(), bytes.size());
    EXPECT_EQ(onGpu.generate(request(1)), onCpu.generate(request(1)));  // still on the "GPU"
    EXPECT_TRUE(log.empty());
    EXPECT_EQ(onGpu.generate(request(2)), onCpu.generate(request(2)));  // lost during this call
    ASSERT_EQ(log.size(), 1u);
    EXPECT_NE(log[0].find("the lostdevice backend lost its device (lostdevice: the test device is lost)"),
              std::string::npos)
        << log[0];
    EXPECT_NE(log[0].find("generates on the built-in CPU backend from now on"), std::string::npos) << log[0];
    EXPECT_EQ(onGpu.generate(request(3)), onCpu.generate(request(3)));  // and later calls
    EXPECT_EQ(log.size(), 1u) << "the loss is logged once";
}

TEST_F(DeviceLoss, ModelsLoadedAfterTheLossRunOnTheCpu) {
    const std::vector<uint8_t> first = sgtest::makeTinyModel(sgtest::TinyKind::Character, 3, 42);
    sg::Model before = gpu->loadModelFromMemory(first.data(), first.size());
    before.generate(request(1));
    before.generate(request(2));  // the device is lost here
    const std::vector<uint8_t> bytes = sgtest::makeTinyModel(sgtest::TinyKind::Scene, 2, 43);
    sg::Model after = gpu->loadModelFromMemory(bytes.data(), bytes.size());
    sg::Model onCpu = cpu->loadModelFromMemory(bytes.data(), bytes.size());
    sg::GenerateInfo gi = request(9);
    gi.width = 8;
    gi.height = 12;
    EXPECT_EQ(after.generate(gi), onCpu.generate(gi));
}

}  // namespace
