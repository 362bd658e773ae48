// SgLatentInterpolationInfo: w moves from a seed towards a target seed;
// the ends are exact, the path is continuous, bad amounts are refused, and a
// plugin that cannot interpolate hands the request to the built-in CPU.
#include <cmath>
#include <cstdlib>

#include "api_test_support.hpp"

namespace {

using sgtest::ApiTest;
using sgtest::generateBytes;
using sgtest::generateFloats;
using sgtest::neutralGenerateInfo;

// Seed 1 towards seed 9 by `amount`, noise fixed to seed 1's, as an animation would.
SgLatentInterpolationInfo towards9(float amount) {
    SgLatentInterpolationInfo li{};
    li.sType = SG_STRUCTURE_TYPE_LATENT_INTERPOLATION_INFO;
    li.firstTargetSeed = 9;
    li.amount = amount;
    return li;
}

SgGenerateInfo fixedNoise(uint64_t seed) {
    SgGenerateInfo info = neutralGenerateInfo();
    info.firstSeed = seed;
    info.flags = SG_GENERATE_EXPLICIT_NOISE_SEEDS_BIT;
    info.firstNoiseSeed = 1;
    return info;
}

double meanAbsDifference(const std::vector<float>& a, const std::vector<float>& b) {
    EXPECT_EQ(a.size(), b.size());
    double sum = 0.0;
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) sum += std::fabs(double(a[i]) - double(b[i]));
    return a.empty() ? 0.0 : sum / double(a.size());
}

TEST_F(ApiTest, Interpolation_EndsAreExactlyTheTwoSeeds) {
    for (SgModel model : {character, scene}) {
        SgGenerateInfo info = fixedNoise(1);
        SgLatentInterpolationInfo li = towards9(0.0f);
        info.pNext = &li;
        EXPECT_EQ(generateBytes(context, model, info), generateBytes(context, model, fixedNoise(1)));
        li.amount = 1.0f;
        EXPECT_EQ(generateBytes(context, model, info), generateBytes(context, model, fixedNoise(9)));
        EXPECT_NE(generateBytes(context, model, fixedNoise(1)), generateBytes(context, model, fixedNoise(9)));
    }
}

TEST_F(ApiTest, Interpolation_IsContinuous) {
    // A step of 1/1000 changes the image by far less than the whole path does.
    SgGenerateInfo info = fixedNoise(1);
    const std::vector<float> start = generateFloats(context, character, info);
    const std::vector<float> end = generateFloats(context, character, fixedNoise(9));
    const double whole = meanAbsDifference(start, end);
    ASSERT_GT(whole, 1e-3);
    SgLatentInterpolationInfo li = towards9(0.5f);
    info.pNext = &li;
    const std::vector<float> middle = generateFloats(context, character, info);
    li.amount = 0.501f;
    const std::vector<float> next = generateFloats(context, character, info);
    const double step = meanAbsDifference(middle, next);
    EXPECT_LT(step, 0.02 * whole) << "step " << step << ", whole path " << whole;
    EXPECT_GT(meanAbsDifference(middle, start), 10 * step);
    EXPECT_GT(meanAbsDifference(middle, end), 10 * step);
}

TEST_F(ApiTest, Interpolation_PerImageAmountsAndTargetsEqualSingleCalls) {
    const uint64_t targets[3] = {9, 40, 7};
    const float amounts[3] = {0.25f, 0.5f, 1.0f};
    SgGenerateInfo info = fixedNoise(1);
    info.count = 3;
    info.firstNoiseSeed = 3;
    SgLatentInterpolationInfo li{};
    li.sType = SG_STRUCTURE_TYPE_LATENT_INTERPOLATION_INFO;
    li.pTargetSeeds = targets;
    li.pAmounts = amounts;
    info.pNext = &li;
    const std::vector<uint8_t> batch = generateBytes(context, character, info);
    for (uint32_t i = 0; i < 3; ++i) {
        SgGenerateInfo one = fixedNoise(1 + i);
        one.firstNoiseSeed = 3 + i;
        SgLatentInterpolationInfo single = towards9(amounts[i]);
        single.firstTargetSeed = targets[i];
        one.pNext = &single;
        const std::vector<uint8_t> alone = generateBytes(context, character, one);
        ASSERT_FALSE(alone.empty());
        EXPECT_TRUE(std::equal(alone.begin(), alone.end(), batch.begin() + i * alone.size())) << "image " << i;
    }
}

TEST_F(ApiTest, Interpolation_StaysInsideTheTruncation) {
    // psi = 0 collapses every w onto the style's mean, interpolated or not.
    SgGenerateInfo info = fixedNoise(1);
    info.truncationPsi = 0.0f;
    const std::vector<uint8_t> mean = generateBytes(context, character, info);
    SgLatentInterpolationInfo li = towards9(0.3f);
    info.pNext = &li;
    EXPECT_EQ(generateBytes(context, character, info), mean);
}

TEST_F(ApiTest, Interpolation_RefusesBadAmountsAndTwoStructs) {
    std::vector<uint8_t> out(16 * 16 * 4);
    const SgImageBuffer buffer = sgtest::imageBuffer(out.data(), out.size());
    SgGenerateInfo info = fixedNoise(1);
    for (float bad : {-0.01f, 1.01f, NAN, INFINITY}) {
        SgLatentInterpolationInfo li = towards9(bad);
        info.pNext = &li;
        EXPECT_EQ(sgGenerate(context, character, &info, &buffer), SG_ERROR_INVALID_ARGUMENT) << bad;
        EXPECT_NE(std::string(sgGetLastErrorMessage(context)).find("SgLatentInterpolationInfo::amount"),
                  std::string::npos)
            << sgGetLastErrorMessage(context);
    }
    const float amounts[1] = {2.0f};
    SgLatentInterpolationInfo perImage = towards9(0.5f);
    perImage.pAmounts = amounts;
    info.pNext = &perImage;
    EXPECT_EQ(sgGenerate(context, character, &info, &buffer), SG_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(sgGetLastErrorMessage(context)).find("pAmounts[0]"), std::string::npos);

    SgLatentInterpolationInfo second = towards9(0.5f);
    SgLatentInterpolationInfo first = towards9(0.5f);
    first.pNext = &second;
    info.pNext = &first;
    EXPECT_EQ(sgGenerate(context, character, &info, &buffer), SG_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(sgGetLastErrorMessage(context)).find("two SgLatentInterpolationInfo"), std::string::npos);
}

TEST(InterpolationPlugin, APluginThatCannotInterpolateHandsTheRequestToTheBuiltInCpu) {
    ASSERT_EQ(setenv("STYLEGEN_PLUGIN_PATH", SG_TEST_PARTIAL_PLUGIN_DIR, 1), 0);
    std::vector<std::string> log;
    SgContextCreateInfo info = sgtest::cpuContextInfo();
    info.backendPreference = SG_BACKEND_PREFERENCE_AUTO;
    info.pLogUserData = &log;
    info.pfnLog = [](void* user, SgLogLevel, const char* message) {
        static_cast<std::vector<std::string>*>(user)->push_back(message);
    };
    SgContext partial = nullptr;
    ASSERT_EQ(sgCreateContext(&info, nullptr, &partial), SG_SUCCESS);
    unsetenv("STYLEGEN_PLUGIN_PATH");
    SgContextInfo ci{};
    ci.sType = SG_STRUCTURE_TYPE_CONTEXT_INFO;
    ASSERT_EQ(sgGetContextInfo(partial, &ci), SG_SUCCESS);
    ASSERT_STREQ(ci.pBackendName, "partialcpu");

    const SgContextCreateInfo cpuInfo = sgtest::cpuContextInfo();
    SgContext cpu = nullptr;
    ASSERT_EQ(sgCreateContext(&cpuInfo, nullptr, &cpu), SG_SUCCESS);
    const std::vector<uint8_t> bytes = sgtest::makeTinyModel(sgtest::TinyKind::Character, 3, 11);
    SgModel viaPlugin = nullptr, viaCpu = nullptr;
    ASSERT_EQ(sgLoadModelFromMemory(partial, bytes.data(), bytes.size(), &viaPlugin), SG_SUCCESS);
    ASSERT_EQ(sgLoadModelFromMemory(cpu, bytes.data(), bytes.size(), &viaCpu), SG_SUCCESS);

    SgGenerateInfo gi = fixedNoise(1);
    SgLatentInterpolationInfo li = towards9(0.4f);
    gi.pNext = &li;
    EXPECT_EQ(generateBytes(partial, viaPlugin, gi), generateBytes(cpu, viaCpu, gi));
    bool handedOver = false;
    for (const std::string& line : log)
        handedOver |= line.find("partialcpu does not interpolate latents") != std::string::npos;
    EXPECT_TRUE(handedOver);
    // Only that request moved: the context still generates on its plugin otherwise.
    ASSERT_EQ(sgGetContextInfo(partial, &ci), SG_SUCCESS);
    EXPECT_STREQ(ci.pBackendName, "partialcpu");
    EXPECT_EQ(generateBytes(partial, viaPlugin, fixedNoise(1)), generateBytes(cpu, viaCpu, fixedNoise(1)));

    sgDestroyModel(partial, viaPlugin);
    sgDestroyModel(cpu, viaCpu);
    sgDestroyContext(partial, nullptr);
    sgDestroyContext(cpu, nullptr);
}

}  // namespace
