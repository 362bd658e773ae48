// style_prompt_test.cpp - sgParseStylePrompt: the prompt grammar ("orcs:0.7 +
// undead:0.3"), normalisation, and an error naming the problem and its column
// for every way a prompt can be wrong.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "stylegen/stylegen.h"
#include "stylegen/stylegen.hpp"
#include "tiny_model.hpp"

namespace {

class StylePrompt : public ::testing::Test {
protected:
    void SetUp() override {
        SgContextCreateInfo info{};
        info.sType = SG_STRUCTURE_TYPE_CONTEXT_CREATE_INFO;
        info.backendPreference = SG_BACKEND_PREFERENCE_CPU;
        info.threadCount = 1;
        ASSERT_EQ(sgCreateContext(&info, nullptr, &context), SG_SUCCESS);
        // Names as real models have them: '_' and '-' inside, one a prefix of another.
        sgtest::TinyModelParts parts = sgtest::makeTinyModelParts(sgtest::TinyKind::Character, 5, 3);
        nlohmann::json j = nlohmann::json::parse(parts.json);
        j["styles"] = {"orcs", "undead", "stone_blocks", "elves-wood", "orcs2"};
        parts.json = j.dump();
        const std::vector<uint8_t> bytes = sgtest::serializeTinyModel(parts);
        ASSERT_EQ(sgLoadModelFromMemory(context, bytes.data(), bytes.size(), &model), SG_SUCCESS)
            << sgGetLastErrorMessage(context);
    }
    void TearDown() override {
        sgDestroyModel(context, model);
        sgDestroyContext(context, nullptr);
    }

    std::vector<float> parse(const std::string& prompt) {
        std::vector<float> weights(5, -1.0f);
        EXPECT_EQ(sgParseStylePrompt(model, prompt.c_str(), 5, weights.data()), SG_SUCCESS)
            << prompt << ": " << sgGetLastErrorMessage(context);
        return weights;
    }

    // Expects the prompt to be rejected, the weights untouched; returns the message.
    std::string error(const std::string& prompt) {
        std::vector<float> weights(5, -1.0f);
        EXPECT_EQ(sgParseStylePrompt(model, prompt.c_str(), 5, weights.data()), SG_ERROR_INVALID_ARGUMENT) << prompt;
        EXPECT_EQ(weights, std::vector<float>(5, -1.0f)) << prompt;
        return sgGetLastErrorMessage(context);
    }

    SgContext context = nullptr;
    SgModel model = nullptr;
};

void expectWeights(const std::vector<float>& got, const std::vector<float>& want, const std::string& prompt) {
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-6f) << prompt << " [" << i << "]";
}

#define EXPECT_CONTAINS(text, part) EXPECT_NE((text).find(part), std::string::npos) << (text)

TEST_F(StylePrompt, ASingleNameHasWeightOne) { expectWeights(parse("undead"), {0, 1, 0, 0, 0}, "undead"); }

TEST_F(StylePrompt, WeightsAreNormalisedToSumOne) {
    expectWeights(parse("orcs:0.7 + undead:0.3"), {0.7f, 0.3f, 0, 0, 0}, "orcs:0.7 + undead:0.3");
    expectWeights(parse("orcs:3 + elves-wood:1"), {0.75f, 0, 0, 0.25f, 0}, "orcs:3 + elves-wood:1");
    expectWeights(parse("stone_blocks:5"), {0, 0, 1, 0, 0}, "stone_blocks:5");
}

TEST_F(StylePrompt, ANameWithoutAWeightCountsOneBesideWeightedOnes) {
    expectWeights(parse("orcs + undead:3"), {0.25f, 0.75f, 0, 0, 0}, "orcs + undead:3");
}

TEST_F(StylePrompt, WhitespaceAroundTokensIsIgnored) {
    expectWeights(parse("  orcs : 3\t+\nundead:1  "), {0.75f, 0.25f, 0, 0, 0}, "spaces");
    expectWeights(parse("stone_blocks:1+elves-wood:1"), {0, 0, 0.5f, 0.5f, 0}, "no spaces");
}

TEST_F(StylePrompt, NamesMatchExactly) {
    expectWeights(parse("orcs2"), {0, 0, 0, 0, 1}, "orcs2");
    EXPECT_CONTAINS(error("Orcs"), "unknown style 'Orcs'");
}

TEST_F(StylePrompt, WeightsAreDecimalNumbers) {
    for (const char* prompt : {"orcs:.5 + undead:.5", "orcs:2 + undead:2", "orcs:1e-2 + undead:1E-2",
                               "orcs:1e+1 + undead:10", "orcs:1. + undead:1.0"})
        expectWeights(parse(prompt), {0.5f, 0.5f, 0, 0, 0}, prompt);
}

TEST_F(StylePrompt, AnUnknownStyleListsTheStylesAndSuggestsTheClosest) {
    const std::string message = error("orcs:0.5 + undaed:0.5");
    EXPECT_CONTAINS(message, "unknown style 'undaed'");
    EXPECT_CONTAINS(message, "; did you mean 'undead'?");
    EXPECT_CONTAINS(message, "orcs, undead, stone_blocks, elves-wood, orcs2");
    EXPECT_CONTAINS(message, "at column 12 of \"orcs:0.5 + undaed:0.5\"");
    EXPECT_CONTAINS(error("stone-blocks"), "did you mean 'stone_blocks'?");
}

TEST_F(StylePrompt, BadWeightsAreRejectedWithTheirColumn) {
    const struct {
        const char* prompt;
        const char* expected;
    } cases[] = {
        {"orcs:abc", "bad weight 'abc' for 'orcs'"},
        {"orcs:-1", "bad weight '-1'"},
        {"orcs:+1", "bad weight '+1'"},
        {"orcs:nan", "bad weight 'nan'"},
        {"orcs:inf", "bad weight 'inf'"},
        {"orcs:0x10", "bad weight '0x10'"},
        {"orcs:0.5x", "bad weight '0.5x'"},
        {"orcs:1e", "bad weight '1e'"},
        {"orcs:0.5:0.5", "bad weight '0.5:0.5'"},
        {"orcs:1e999", "bad weight '1e999'"},
        {"orcs:0", "weight 0 for 'orcs' is not above 0"},
        {"orcs:0.0e5", "is not above 0"},
        {"orcs:2e6", "weight 2e6 for 'orcs' is above the largest weight, 1e6"},
    };
    for (const auto& c : cases) {
        const std::string message = error(c.prompt);
        EXPECT_CONTAINS(message, c.expected);
        EXPECT_CONTAINS(message, "at column 6");
    }
}

TEST_F(StylePrompt, AMissingWeightIsRejected) {
    EXPECT_CONTAINS(error("orcs:"), "missing weight after 'orcs:'");
    const std::string message = error("orcs: + undead");
    EXPECT_CONTAINS(message, "missing weight after 'orcs:'");
    EXPECT_CONTAINS(message, "at column 7");
}

TEST_F(StylePrompt, AnEmptyPromptIsRejected) {
    EXPECT_CONTAINS(error(""), "the prompt is empty");
    EXPECT_CONTAINS(error(" \t\n"), "the prompt is empty");
}

TEST_F(StylePrompt, EmptyTermsAreRejected) {
    EXPECT_CONTAINS(error("orcs +"), "empty term at the end");
    EXPECT_CONTAINS(error("orcs + "), "at column 8");
    EXPECT_CONTAINS(error("+ orcs"), "empty term: a style name must come before this '+' at column 1");
    EXPECT_CONTAINS(error("orcs + + undead"), "empty term: a style name must come before this '+' at column 8");
    EXPECT_CONTAINS(error(":0.5"), "':' without a style name before it at column 1");
}

TEST_F(StylePrompt, AStyleNamedTwiceIsRejected) {
    const std::string message = error("orcs:1 + undead + orcs:2");
    EXPECT_CONTAINS(message, "style 'orcs' is named twice (first at column 1)");
    EXPECT_CONTAINS(message, "at column 19");
}

TEST_F(StylePrompt, TextAfterATermThatIsNotAPlusIsRejected) {
    const std::string message = error("orcs undead");
    EXPECT_CONTAINS(message, "unexpected 'undead' after the term 'orcs' at column 6");
    EXPECT_CONTAINS(message, "terms are joined with '+'");
    EXPECT_CONTAINS(error("orcs:0.5 0.5"), "unexpected '0.5' after the term 'orcs' at column 10");
}

TEST_F(StylePrompt, LongPromptsAreCutInMessages) {
    const std::string prompt = "orcs + " + std::string(300, 'x');
    const std::string message = error(prompt);
    EXPECT_CONTAINS(message, "unknown style");
    EXPECT_LT(message.size(), 900u);
}

TEST_F(StylePrompt, BadArgumentsAreRejected) {
    std::vector<float> weights(5);
    EXPECT_EQ(sgParseStylePrompt(nullptr, "orcs", 5, weights.data()), SG_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(sgParseStylePrompt(model, nullptr, 5, weights.data()), SG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONTAINS(std::string(sgGetLastErrorMessage(context)), "pPrompt is NULL");
    EXPECT_EQ(sgParseStylePrompt(model, "orcs", 5, nullptr), SG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONTAINS(std::string(sgGetLastErrorMessage(context)), "pWeights is NULL");
    EXPECT_EQ(sgParseStylePrompt(model, "orcs", 4, weights.data()), SG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONTAINS(std::string(sgGetLastErrorMessage(context)), "weightCount is 4, expected the style count");
}

TEST_F(StylePrompt, TheWeightsDriveGenerationAsABlend) {
    std::vector<float> weights = parse("orcs:1 + undead:3");
    SgGenerateInfo gi{};
    gi.sType = SG_STRUCTURE_TYPE_GENERATE_INFO;
    gi.count = 1;
    gi.styleWeightCount = 5;
    gi.pStyleWeights = weights.data();
    gi.truncationPsi = 1.0f;
    gi.noiseStrength = 1.0f;
    gi.format = SG_FORMAT_R8G8B8A8_UNORM;
    std::vector<uint8_t> fromPrompt(16 * 16 * 4), fromWeights(16 * 16 * 4);
    SgImageBuffer buffer{};
    buffer.sType = SG_STRUCTURE_TYPE_IMAGE_BUFFER;
    buffer.pData = fromPrompt.data();
    buffer.size = fromPrompt.size();
    ASSERT_EQ(sgGenerate(context, model, &gi, &buffer), SG_SUCCESS) << sgGetLastErrorMessage(context);
    const float raw[5] = {1, 3, 0, 0, 0};
    gi.pStyleWeights = raw;
    buffer.pData = fromWeights.data();
    ASSERT_EQ(sgGenerate(context, model, &gi, &buffer), SG_SUCCESS) << sgGetLastErrorMessage(context);
    EXPECT_EQ(fromPrompt, fromWeights);
}

TEST(StylePromptProcs, GetProcAddrReturnsTheNewFunctions) {
    EXPECT_EQ(sgGetProcAddr("sgParseStylePrompt"), reinterpret_cast<PFN_sgVoidFunction>(&sgParseStylePrompt));
    EXPECT_EQ(sgGetProcAddr("sgRestyle"), reinterpret_cast<PFN_sgVoidFunction>(&sgRestyle));
    EXPECT_EQ(sgGetProcAddr("sgGetRestyleExtent"), reinterpret_cast<PFN_sgVoidFunction>(&sgGetRestyleExtent));
}

TEST(StylePromptWrapper, ParsesAndThrowsTheLibraryMessage) {
    sg::ContextCreateInfo ci;
    ci.backendPreference = SG_BACKEND_PREFERENCE_CPU;
    ci.threadCount = 1;
    const sg::Context context(ci);
    const std::vector<uint8_t> bytes = sgtest::makeTinyModel(sgtest::TinyKind::Scene, 3, 2);
    const sg::Model model = context.loadModelFromMemory(bytes.data(), bytes.size());
    const std::vector<float> weights = model.parseStylePrompt("style2:1 + style0:1");
    ASSERT_EQ(weights.size(), 3u);
    EXPECT_FLOAT_EQ(weights[0], 0.5f);
    EXPECT_FLOAT_EQ(weights[2], 0.5f);
    try {
        model.parseStylePrompt("style9");
        ADD_FAILURE() << "an unknown style did not throw";
    } catch (const sg::Error& e) {
        EXPECT_EQ(e.result(), SG_ERROR_INVALID_ARGUMENT);
        EXPECT_NE(std::string(e.what()).find("unknown style 'style9'"), std::string::npos) << e.what();
    }
}

}  // namespace
