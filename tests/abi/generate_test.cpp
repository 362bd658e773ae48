// sgGenerate's contract: seeds, styles, truncation, mixing, noise, sizes,
// formats, alpha modes, row pitch, chunking and concurrent use.
#include <algorithm>
#include <thread>

#include "api_test_support.hpp"

namespace {

using sgtest::ApiTest;
using sgtest::generateBytes;
using sgtest::generateFloats;
using sgtest::neutralGenerateInfo;

constexpr size_t kImageBytes = 16 * 16 * 4;

std::vector<uint8_t> imageAt(const std::vector<uint8_t>& pixels, size_t index, size_t imageBytes = kImageBytes) {
    return {pixels.begin() + index * imageBytes, pixels.begin() + (index + 1) * imageBytes};
}

// [SECTION] Seeds --------------------------------------------------------------------------------------

TEST_F(ApiTest, Generate_IsDeterministic) {
    SgGenerateInfo info = neutralGenerateInfo();
    info.count = 4;
    EXPECT_EQ(generateBytes(context, character, info), generateBytes(context, character, info));
}

TEST_F(ApiTest, Generate_IsTheSameForEveryThreadCount) {
    const std::vector<uint8_t> bytes = sgtest::makeTinyModel(sgtest::TinyKind::Scene, 4, 12);
    const SgContextCreateInfo oneThread = sgtest::cpuContextInfo(1);
    SgContext single = nullptr;
    ASSERT_EQ(sgCreateContext(&oneThread, nullptr, &single), SG_SUCCESS);
    SgModel model = nullptr;
    ASSERT_EQ(sgLoadModelFromMemory(single, bytes.data(), bytes.size(), &model), SG_SUCCESS);
    SgGenerateInfo info = neutralGenerateInfo();
    info.count = 3;
    info.width = 24;
    info.height = 8;
    EXPECT_EQ(generateBytes(single, model, info), generateBytes(context, scene, info));
    sgDestroyContext(single, nullptr);
}

TEST_F(ApiTest, Generate_FirstSeedPlusIndexEqualsASeedArray) {
    SgGenerateInfo info = neutralGenerateInfo();
    info.count = 3;
    info.firstSeed = 100;
    const std::vector<uint8_t> consecutive = generateBytes(context, character, info);
    const uint64_t seeds[3] = {100, 101, 102};
    info.firstSeed = 0;
    info.pSeeds = seeds;
    EXPECT_EQ(generateBytes(context, character, info), consecutive);
}

TEST_F(ApiTest, Generate_EachImageDependsOnlyOnItsOwnSeed) {
    const uint64_t seeds[3] = {5, 77, 9};
    SgGenerateInfo info = neutralGenerateInfo();
    info.count = 3;
    info.pSeeds = seeds;
    const std::vector<uint8_t> batch = generateBytes(context, character, info);
    SgGenerateInfo single = neutralGenerateInfo();
    single.firstSeed = 77;
    EXPECT_EQ(imageAt(batch, 1), generateBytes(context, character, single));
    EXPECT_NE(imageAt(batch, 0), imageAt(batch, 1));
}

TEST_F(ApiTest, Generate_FirstSeedWrapsAround) {
    SgGenerateInfo info = neutralGenerateInfo();
    info.count = 2;
    info.firstSeed = UINT64_MAX;
    const std::vector<uint8_t> wrapped = generateBytes(context, character, info);
    SgGenerateInfo zero = neutralGenerateInfo();
    zero.firstSeed = 0;
    EXPECT_EQ(imageAt(wrapped, 1), generateBytes(context, character, zero));
}

TEST_F(ApiTest, Generate_SplitsLargeCountsWithoutChangingImages) {
    // More images than one backend call takes (4096): the last ones must
    // still be the images of their seeds.
    SgGenerateInfo info = neutralGenerateInfo();
    info.count = 4100;
    info.firstSeed = 1;
    const std::vector<uint8_t> all = generateBytes(context, character, info);
    ASSERT_EQ(all.size(), 4100 * kImageBytes);
    SgGenerateInfo tail = neutralGenerateInfo();
    tail.count = 6;
    tail.firstSeed = 1 + 4094;
    const std::vector<uint8_t> expected = generateBytes(context, character, tail);
    EXPECT_TRUE(std::equal(expected.begin(), expected.end(), all.begin() + 4094 * kImageBytes));
}

// [SECTION] Noise ------------------------------------------------------------------------------------------

TEST_F(ApiTest, Generate_NoiseSeedDefaultsToTheLatentSeed) {
    SgGenerateInfo info = neutralGenerateInfo();
    info.count = 2;
    info.firstSeed = 30;
    const std::vector<uint8_t> implicit = generateBytes(context, scene, info);
    info.flags = SG_GENERATE_EXPLICIT_NOISE_SEEDS_BIT;
    info.firstNoiseSeed = 30;
    EXPECT_EQ(generateBytes(context, scene, info), implicit);
    info.firstNoiseSeed = 31;
    EXPECT_NE(generateBytes(context, scene, info), implicit);
}

TEST_F(ApiTest, Generate_NoiseSeedArrayEqualsFirstNoiseSeedPlusIndex) {
    SgGenerateInfo info = neutralGenerateInfo();
    info.count = 2;
    info.flags = SG_GENERATE_EXPLICIT_NOISE_SEEDS_BIT;
    info.firstNoiseSeed = 500;
    const std::vector<uint8_t> consecutive = generateBytes(context, character, info);
    const uint64_t noiseSeeds[2] = {500, 501};
    info.firstNoiseSeed = 0;
    info.pNoiseSeeds = noiseSeeds;
    EXPECT_EQ(generateBytes(context, character, info), consecutive);
}

TEST_F(ApiTest, Generate_ZeroNoiseStrengthMakesTheNoiseSeedIrrelevantForConstInput) {
    SgGenerateInfo info = neutralGenerateInfo();
    info.noiseStrength = 0.0f;
    info.flags = SG_GENERATE_EXPLICIT_NOISE_SEEDS_BIT;
    info.firstNoiseSeed = 1;
    const std::vector<uint8_t> a = generateBytes(context, character, info);
    info.firstNoiseSeed = 2;
    EXPECT_EQ(generateBytes(context, character, info), a);
}

// [SECTION] Styles and truncation --------------------------------------------------------------------------

TEST_F(ApiTest, Generate_DifferentStylesGiveDifferentImages) {
    SgGenerateInfo info = neutralGenerateInfo();
    const std::vector<uint8_t> style0 = generateBytes(context, character, info);
    info.styleIndex = 2;
    EXPECT_NE(generateBytes(context, character, info), style0);
}

TEST_F(ApiTest, Generate_AOneHotBlendEqualsTheStyleIndex) {
    SgGenerateInfo info = neutralGenerateInfo();
    info.count = 2;
    info.styleIndex = 1;
    info.truncationPsi = 0.6f;
    const std::vector<uint8_t> indexed = generateBytes(context, character, info);
    const float weights[3] = {0, 1, 0};
    info.styleIndex = 0;
    info.styleWeightCount = 3;
    info.pStyleWeights = weights;
    EXPECT_EQ(generateBytes(context, character, info), indexed);
}

TEST_F(ApiTest, Generate_NormalisesBlendWeights) {
    SgGenerateInfo info = neutralGenerateInfo();
    info.styleWeightCount = 3;
    const float half[3] = {0.5f, 0, 0.5f};
    info.pStyleWeights = half;
    const std::vector<uint8_t> normalised = generateBytes(context, character, info);
    const float scaled[3] = {4, 0, 4};
    info.pStyleWeights = scaled;
    EXPECT_EQ(generateBytes(context, character, info), normalised);
    const float oneHot[3] = {1, 0, 0};
    info.pStyleWeights = oneHot;
    EXPECT_NE(generateBytes(context, character, info), normalised);
}

TEST_F(ApiTest, Generate_TruncationZeroWithoutNoiseGivesOneImagePerStyle) {
    SgGenerateInfo info = neutralGenerateInfo();
    info.count = 3;
    info.truncationPsi = 0.0f;
    info.noiseStrength = 0.0f;
    const std::vector<uint8_t> pixels = generateBytes(context, character, info);
    EXPECT_EQ(imageAt(pixels, 0), imageAt(pixels, 1));
    EXPECT_EQ(imageAt(pixels, 0), imageAt(pixels, 2));
    info.truncationPsi = 1.0f;
    const std::vector<uint8_t> varied = generateBytes(context, character, info);
    EXPECT_NE(imageAt(varied, 0), imageAt(varied, 1));
}

// [SECTION] Style mixing --------------------------------------------------------------------------------------

TEST_F(ApiTest, Generate_MixingAtTheLastLayerChangesNothing) {
    SgGenerateInfo info = neutralGenerateInfo();
    info.count = 2;
    const std::vector<uint8_t> plain = generateBytes(context, character, info);
    info.flags = SG_GENERATE_STYLE_MIXING_BIT;
    info.firstMixSeed = 900;
    info.mixLayer = 6;
    EXPECT_EQ(generateBytes(context, character, info), plain);
}

TEST_F(ApiTest, Generate_MixingAtLayerZeroTakesEveryLayerFromTheMixSeed) {
    // Latent seed 1 mixed from layer 0 with seed 900: all w from 900, noise
    // still from 1 -- the same as seed 900 with noise seed 1.
    SgGenerateInfo mixed = neutralGenerateInfo();
    mixed.flags = SG_GENERATE_STYLE_MIXING_BIT;
    mixed.firstMixSeed = 900;
    mixed.mixLayer = 0;
    SgGenerateInfo direct = neutralGenerateInfo();
    direct.firstSeed = 900;
    direct.flags = SG_GENERATE_EXPLICIT_NOISE_SEEDS_BIT;
    direct.firstNoiseSeed = 1;
    EXPECT_EQ(generateBytes(context, character, mixed), generateBytes(context, character, direct));
}

TEST_F(ApiTest, Generate_MixingInTheMiddleGivesANewImage) {
    SgGenerateInfo info = neutralGenerateInfo();
    const std::vector<uint8_t> a = generateBytes(context, character, info);
    info.firstSeed = 900;
    const std::vector<uint8_t> b = generateBytes(context, character, info);
    info.firstSeed = 1;
    info.flags = SG_GENERATE_STYLE_MIXING_BIT;
    info.firstMixSeed = 900;
    info.mixLayer = 3;
    const std::vector<uint8_t> mixed = generateBytes(context, character, info);
    EXPECT_NE(mixed, a);
    EXPECT_NE(mixed, b);
    const uint64_t mixSeeds[1] = {900};
    info.firstMixSeed = 0;
    info.pMixSeeds = mixSeeds;
    EXPECT_EQ(generateBytes(context, character, info), mixed);
}

// [SECTION] Sizes --------------------------------------------------------------------------------------------

TEST_F(ApiTest, Generate_ZeroSizeMeansTheModelResolution) {
    SgGenerateInfo info = neutralGenerateInfo();
    const std::vector<uint8_t> implicit = generateBytes(context, character, info);
    info.width = 16;
    info.height = 16;
    EXPECT_EQ(generateBytes(context, character, info), implicit);
}

TEST_F(ApiTest, Generate_SceneModelsMakeAnyMultipleOfTheBlockSize) {
    for (const auto& [w, h] : std::vector<std::pair<uint32_t, uint32_t>>{{4, 4}, {8, 12}, {36, 4}, {16, 16}}) {
        SgGenerateInfo info = neutralGenerateInfo();
        info.width = w;
        info.height = h;
        info.format = SG_FORMAT_R32G32B32A32_SFLOAT;
        const std::vector<float> f = generateFloats(context, scene, info);
        ASSERT_EQ(f.size(), size_t(w) * h * 4) << w << "x" << h;
        for (size_t i = 3; i < f.size(); i += 4) ASSERT_EQ(f[i], 1.0f) << "scene alpha must be opaque";
    }
}

// [SECTION] Formats, alpha and row pitch -------------------------------------------------------------------------

TEST_F(ApiTest, Generate_Rgba8IsTheRoundedFloatOutput) {
    for (SgAlphaMode mode : {SG_ALPHA_MODE_STRAIGHT, SG_ALPHA_MODE_PREMULTIPLIED}) {
        SgGenerateInfo info = neutralGenerateInfo();
        info.count = 2;
        info.alphaMode = mode;
        const std::vector<uint8_t> bytes = generateBytes(context, character, info);
        const std::vector<float> floats = generateFloats(context, character, info);
        ASSERT_EQ(bytes.size(), floats.size());
        for (size_t i = 0; i < bytes.size(); ++i) {
            ASSERT_GE(floats[i], 0.0f);
            ASSERT_LE(floats[i], 1.0f);
            ASSERT_EQ(bytes[i], uint8_t(floats[i] * 255.0f + 0.5f)) << "index " << i;  // round half up
        }
    }
}

TEST_F(ApiTest, Generate_StraightAlphaIsPremultipliedDividedByAlpha) {
    SgGenerateInfo info = neutralGenerateInfo();
    info.count = 4;
    info.alphaMode = SG_ALPHA_MODE_PREMULTIPLIED;
    const std::vector<float> premultiplied = generateFloats(context, character, info);
    info.alphaMode = SG_ALPHA_MODE_STRAIGHT;
    const std::vector<float> straight = generateFloats(context, character, info);
    size_t transparent = 0, partial = 0;
    for (size_t p = 0; p < premultiplied.size(); p += 4) {
        const float a = premultiplied[p + 3];
        ASSERT_EQ(straight[p + 3], a);
        for (int c = 0; c < 3; ++c) {
            ASSERT_LE(premultiplied[p + c], a + 1e-6f) << "premultiplied colour above alpha";
            if (a == 0.0f)
                ASSERT_EQ(straight[p + c], 0.0f);
            else
                ASSERT_NEAR(straight[p + c] * a, premultiplied[p + c], 1e-5f);
        }
        transparent += a == 0.0f;
        partial += a > 0.0f && a < 1.0f;
    }
    EXPECT_GT(partial + transparent, 0u) << "the tiny character model should produce some transparency";
}

TEST_F(ApiTest, Generate_RowPitchPadsRowsAndLeavesThePaddingAlone) {
    SgGenerateInfo info = neutralGenerateInfo();
    info.count = 2;
    const std::vector<uint8_t> tight = generateBytes(context, character, info);
    constexpr size_t kPitch = 16 * 4 + 12;
    std::vector<uint8_t> padded(2 * 16 * kPitch, 0xCD);
    const SgImageBuffer buffer = sgtest::imageBuffer(padded.data(), padded.size(), kPitch);
    ASSERT_EQ(sgGenerate(context, character, &info, &buffer), SG_SUCCESS) << lastError();
    for (size_t row = 0; row < 2 * 16; ++row) {
        const uint8_t* line = padded.data() + row * kPitch;
        ASSERT_TRUE(std::equal(line, line + 64, tight.begin() + row * 64)) << "row " << row;
        ASSERT_TRUE(std::all_of(line + 64, line + kPitch, [](uint8_t b) { return b == 0xCD; })) << "row " << row;
    }
}

TEST_F(ApiTest, Generate_FloatRowPitchMatchesTightFloats) {
    SgGenerateInfo info = neutralGenerateInfo();
    info.format = SG_FORMAT_R32G32B32A32_SFLOAT;
    const std::vector<float> tight = generateFloats(context, character, info);
    constexpr size_t kPitch = 16 * 16 + 32;
    std::vector<uint8_t> padded(16 * kPitch);
    const SgImageBuffer buffer = sgtest::imageBuffer(padded.data(), padded.size(), kPitch);
    ASSERT_EQ(sgGenerate(context, character, &info, &buffer), SG_SUCCESS) << lastError();
    for (size_t row = 0; row < 16; ++row)
        ASSERT_EQ(std::memcmp(padded.data() + row * kPitch, tight.data() + row * 64, 256), 0) << "row " << row;
}

TEST_F(ApiTest, Generate_AcceptsALargerBufferThanNeeded) {
    SgGenerateInfo info = neutralGenerateInfo();
    std::vector<uint8_t> big(kImageBytes + 100, 0xEE);
    const SgImageBuffer buffer = sgtest::imageBuffer(big.data(), big.size());
    ASSERT_EQ(sgGenerate(context, character, &info, &buffer), SG_SUCCESS);
    EXPECT_EQ(imageAt(big, 0), generateBytes(context, character, info));
    EXPECT_TRUE(std::all_of(big.begin() + kImageBytes, big.end(), [](uint8_t b) { return b == 0xEE; }));
}

// [SECTION] Threads --------------------------------------------------------------------------------------------

TEST_F(ApiTest, Generate_ManyThreadsOnOneContextAndModelGetTheSerialResults) {
    constexpr int kThreads = 4, kRounds = 5;
    std::vector<std::vector<uint8_t>> expected(kThreads);
    for (int t = 0; t < kThreads; ++t) {
        SgGenerateInfo info = neutralGenerateInfo();
        info.count = 3;
        info.firstSeed = uint64_t(t) * 10;
        info.width = 12;
        info.height = 20;
        expected[t] = generateBytes(context, scene, info);
    }
    std::vector<int> mismatches(kThreads, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int r = 0; r < kRounds; ++r) {
                SgGenerateInfo info = neutralGenerateInfo();
                info.count = 3;
                info.firstSeed = uint64_t(t) * 10;
                info.width = 12;
                info.height = 20;
                std::vector<uint8_t> out(3 * 12 * 20 * 4);
                const SgImageBuffer buffer = sgtest::imageBuffer(out.data(), out.size());
                if (sgGenerate(context, scene, &info, &buffer) != SG_SUCCESS || out != expected[t]) ++mismatches[t];
            }
        });
    }
    for (std::thread& t : threads) t.join();
    for (int t = 0; t < kThreads; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

}  // namespace
