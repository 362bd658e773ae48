// fuzz_regression_test.cpp - every fuzz target over its seeds and over every
// input a fuzzer has found (regressions/<target>/, one file per finding), in
// every build: a fixed bug stays fixed, and under the asan preset a memory
// error in any of them fails the suite.
#include <dirent.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_targets.hpp"
#include "stylegen/stylegen.h"

namespace {

struct Input {
    std::string name;
    std::vector<uint8_t> bytes;
};

// The files of a folder, by name; none when it does not exist.
std::vector<Input> filesIn(const std::string& dir) {
    std::vector<Input> inputs;
    DIR* d = opendir(dir.c_str());
    if (!d) return inputs;
    while (const dirent* entry = readdir(d)) {
        const std::string name = entry->d_name;
        if (name == "." || name == ".." || name == "README.md") continue;
        std::ifstream in(dir + "/" + name, std::ios::binary);
        inputs.push_back({dir + "/" + name, std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), {})});
    }
    closedir(d);
    std::sort(inputs.begin(), inputs.end(), [](const Input& a, const Input& b) { return a.name < b.name; });
    return inputs;
}

std::vector<Input> seedsOf(const std::string& target) {
    std::vector<Input> inputs = filesIn(std::string(SG_FUZZ_SOURCE_DIR) + "/seeds/" + target);
    for (auto& [name, bytes] : sgfuzz::generatedSeeds(target, SG_FUZZ_MODELS_DIR))
        inputs.push_back({"generated " + name, std::move(bytes)});
    return inputs;
}

class FuzzTarget : public ::testing::TestWithParam<sgfuzz::Target> {};

TEST_P(FuzzTarget, SurvivesItsSeeds) {
    const std::vector<Input> inputs = seedsOf(GetParam().name);
    ASSERT_FALSE(inputs.empty()) << "no seeds for " << GetParam().name;
    for (const Input& input : inputs) {
        SCOPED_TRACE(input.name);
        EXPECT_EQ(GetParam().run(input.bytes.data(), input.bytes.size()), 0);
    }
}

TEST_P(FuzzTarget, SurvivesEveryInputAFuzzerFound) {
    for (const Input& input : filesIn(std::string(SG_FUZZ_SOURCE_DIR) + "/regressions/" + GetParam().name)) {
        SCOPED_TRACE(input.name);
        EXPECT_EQ(GetParam().run(input.bytes.data(), input.bytes.size()), 0);
    }
}

INSTANTIATE_TEST_SUITE_P(Fuzz, FuzzTarget, ::testing::ValuesIn(sgfuzz::targets()),
                         [](const ::testing::TestParamInfo<sgfuzz::Target>& info) { return std::string(info.param.name); });

// The seeds are only useful if they reach past the checks: every generated
// model seed loads.
TEST(FuzzSeeds, GeneratedModelSeedsAreValidModels) {
    SgContextCreateInfo info{};
    info.sType = SG_STRUCTURE_TYPE_CONTEXT_CREATE_INFO;
    info.threadCount = 1;
    info.backendPreference = SG_BACKEND_PREFERENCE_CPU;
    SgContext context = nullptr;
    ASSERT_EQ(sgCreateContext(&info, nullptr, &context), SG_SUCCESS);
    const auto seeds = sgfuzz::generatedSeeds("sgm_memory", SG_FUZZ_MODELS_DIR);
    EXPECT_GE(seeds.size(), 4u);
    for (const auto& [name, bytes] : seeds) {
        SgModel model = nullptr;
        EXPECT_EQ(sgLoadModelFromMemory(context, bytes.data(), bytes.size(), &model), SG_SUCCESS)
            << name << ": " << sgGetLastErrorMessage(context);
        sgDestroyModel(context, model);
    }
    sgDestroyContext(context, nullptr);
}

TEST(FuzzSeeds, HeaderSeedsIncludeTheShippedModels) {
    const auto seeds = sgfuzz::generatedSeeds("sgm_header", SG_FUZZ_MODELS_DIR);
    EXPECT_TRUE(std::any_of(seeds.begin(), seeds.end(), [](const auto& s) { return s.first == "characters.json"; }));
}

}  // namespace
