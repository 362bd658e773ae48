// The C99 translation unit (abi_c99.c) driven from GoogleTest.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdio>
#include <fstream>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "abi_c99.h"
#include "tiny_model.hpp"

namespace {

TEST(AbiC99, CAndCppAgreeOnStructLayout) {
    SgAbiLayout c{};
    sgAbiC99Layout(&c);
    EXPECT_EQ(c.contextCreateInfoSize, sizeof(SgContextCreateInfo));
    EXPECT_EQ(c.contextCreateInfoPfnLog, offsetof(SgContextCreateInfo, pfnLog));
    EXPECT_EQ(c.contextCreateInfoLogUserData, offsetof(SgContextCreateInfo, pLogUserData));
    EXPECT_EQ(c.contextInfoSize, sizeof(SgContextInfo));
    EXPECT_EQ(c.contextInfoThreadCount, offsetof(SgContextInfo, threadCount));
    EXPECT_EQ(c.modelInfoSize, sizeof(SgModelInfo));
    EXPECT_EQ(c.modelInfoContentHash, offsetof(SgModelInfo, contentHash));
    EXPECT_EQ(c.modelInfoName, offsetof(SgModelInfo, pName));
    EXPECT_EQ(c.generateInfoSize, sizeof(SgGenerateInfo));
    EXPECT_EQ(c.generateInfoStyleWeights, offsetof(SgGenerateInfo, pStyleWeights));
    EXPECT_EQ(c.generateInfoTruncationPsi, offsetof(SgGenerateInfo, truncationPsi));
    EXPECT_EQ(c.generateInfoMixSeeds, offsetof(SgGenerateInfo, pMixSeeds));
    EXPECT_EQ(c.generateInfoNoiseSeeds, offsetof(SgGenerateInfo, pNoiseSeeds));
    EXPECT_EQ(c.generateInfoWidth, offsetof(SgGenerateInfo, width));
    EXPECT_EQ(c.generateInfoAlphaMode, offsetof(SgGenerateInfo, alphaMode));
    EXPECT_EQ(c.imageBufferSize, sizeof(SgImageBuffer));
    EXPECT_EQ(c.imageBufferRowPitch, offsetof(SgImageBuffer, rowPitch));
    EXPECT_EQ(c.allocationCallbacksSize, sizeof(SgAllocationCallbacks));
    EXPECT_EQ(c.allocationCallbacksFree, offsetof(SgAllocationCallbacks, pfnFree));
    EXPECT_EQ(c.enumSize, sizeof(SgResult));
}

TEST(AbiC99, RunsTheWholeApiFromCWithCallbacksAndFreesEverything) {
    const std::string path = sgtest::writeTinyModel(::testing::TempDir(),
                                                    "abi_c99_" + std::to_string(getpid()) + ".sgm",
                                                    sgtest::TinyKind::Character);
    const std::vector<uint8_t> bytes = sgtest::makeTinyModel(sgtest::TinyKind::Character);
    char error[512] = {};
    const size_t before = sgAbiC99AllocationCount();
    EXPECT_EQ(sgAbiC99FullCycle(path.c_str(), bytes.data(), bytes.size(), error, sizeof(error)), 0) << error;
    EXPECT_GT(sgAbiC99AllocationCount(), before) << "the SDK never used the application's allocator";
    EXPECT_EQ(sgAbiC99LiveAllocations(), 0u) << "allocations leaked";
    std::remove(path.c_str());
}

// Runs makeOrcs() from the header's usage block in a folder holding a
// characters.sgm that has an "orcs" style.
TEST(AbiC99, HeaderUsageExampleRunsAsWritten) {
    const std::string dir = ::testing::TempDir() + "/usage_" + std::to_string(getpid());
    ASSERT_EQ(system(("mkdir -p '" + dir + "'").c_str()), 0);
    sgtest::TinyModelParts parts = sgtest::makeTinyModelParts(sgtest::TinyKind::Character);
    nlohmann::json header = nlohmann::json::parse(parts.json);
    header["styles"] = {"humans", "elves", "orcs"};
    std::string error;
    ASSERT_TRUE(sg::writeModelFile(dir + "/characters.sgm", header.dump(), parts.tensors, sg::TensorDType::F32, &error))
        << error;
    char cwd[4096];
    ASSERT_NE(getcwd(cwd, sizeof(cwd)), nullptr);
    ASSERT_EQ(chdir(dir.c_str()), 0);
    const int result = makeOrcs();
    ASSERT_EQ(chdir(cwd), 0);
    EXPECT_EQ(result, 0);
    ASSERT_EQ(system(("rm -rf '" + dir + "'").c_str()), 0);
}

}  // namespace
