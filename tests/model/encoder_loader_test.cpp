// The optional encoder section of a .sgm (docs/generator.md, "Encoder";
// docs/model-format.md): the "encoder" header key and the encoder.* tensors,
// what a model with one reports, and every way the section can be wrong.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "stylegen/stylegen.h"
#include "tiny_model.hpp"

namespace {

using nlohmann::json;
using sgtest::TinyKind;
using sgtest::TinyModelParts;

TinyModelParts partsWithEncoder(TinyKind kind) {
    TinyModelParts parts = sgtest::makeTinyModelParts(kind, 3, 5);
    sgtest::addTinyEncoder(&parts, 9);
    return parts;
}

std::vector<std::string> encoderTensorNames(const TinyModelParts& parts) {
    std::vector<std::string> names;
    for (const sg::TensorRecord& t : parts.tensors)
        if (t.name.compare(0, 8, "encoder.") == 0) names.push_back(t.name);
    return names;
}

class EncoderLoader : public ::testing::Test {
protected:
    void SetUp() override {
        SgContextCreateInfo info{};
        info.sType = SG_STRUCTURE_TYPE_CONTEXT_CREATE_INFO;
        info.backendPreference = SG_BACKEND_PREFERENCE_CPU;
        info.threadCount = 1;
        ASSERT_EQ(sgCreateContext(&info, nullptr, &context), SG_SUCCESS);
    }
    void TearDown() override { sgDestroyContext(context, nullptr); }

    SgModel load(const TinyModelParts& parts) {
        const std::vector<uint8_t> bytes = sgtest::serializeTinyModel(parts);
        SgModel model = nullptr;
        EXPECT_EQ(sgLoadModelFromMemory(context, bytes.data(), bytes.size(), &model), SG_SUCCESS)
            << sgGetLastErrorMessage(context);
        return model;
    }

    // Expects SG_ERROR_BAD_MODEL_FILE; returns the message.
    std::string loadError(const TinyModelParts& parts) {
        const std::vector<uint8_t> bytes = sgtest::serializeTinyModel(parts);
        SgModel model = nullptr;
        EXPECT_EQ(sgLoadModelFromMemory(context, bytes.data(), bytes.size(), &model), SG_ERROR_BAD_MODEL_FILE);
        EXPECT_EQ(model, nullptr);
        return sgGetLastErrorMessage(context);
    }

    // SgModelRestyleInfo::restyleSupported, starting from `initial`.
    SgBool32 restyleSupported(SgModel model, SgBool32 initial = SG_FALSE) {
        SgModelRestyleInfo restyle{};
        restyle.sType = SG_STRUCTURE_TYPE_MODEL_RESTYLE_INFO;
        restyle.restyleSupported = initial;
        SgModelInfo info{};
        info.sType = SG_STRUCTURE_TYPE_MODEL_INFO;
        info.pNext = &restyle;
        EXPECT_EQ(sgGetModelInfo(model, &info), SG_SUCCESS) << sgGetLastErrorMessage(context);
        return restyle.restyleSupported;
    }

    SgContext context = nullptr;
};

TEST_F(EncoderLoader, CharacterModelWithAnEncoderLoadsAndSupportsRestyle) {
    SgModel model = load(partsWithEncoder(TinyKind::Character));
    ASSERT_NE(model, nullptr);
    EXPECT_EQ(restyleSupported(model), SG_TRUE);
    sgDestroyModel(context, model);
}

TEST_F(EncoderLoader, SceneModelWithAnEncoderLoadsAndSupportsRestyle) {
    SgModel model = load(partsWithEncoder(TinyKind::Scene));
    ASSERT_NE(model, nullptr);
    EXPECT_EQ(restyleSupported(model), SG_TRUE);
    sgDestroyModel(context, model);
}

TEST_F(EncoderLoader, ModelWithoutAnEncoderStillLoadsAndSaysRestyleIsUnsupported) {
    SgModel model = load(sgtest::makeTinyModelParts(TinyKind::Character, 3, 5));
    ASSERT_NE(model, nullptr);
    EXPECT_EQ(restyleSupported(model, SG_TRUE), SG_FALSE);
    sgDestroyModel(context, model);
}

TEST_F(EncoderLoader, ModelInfoLeavesUnknownChainedStructsAlone) {
    SgModel model = load(partsWithEncoder(TinyKind::Character));
    ASSERT_NE(model, nullptr);
    SgModelRestyleInfo unknown{};
    unknown.sType = SgStructureType(0x7000);
    unknown.restyleSupported = 77;
    SgModelInfo info{};
    info.sType = SG_STRUCTURE_TYPE_MODEL_INFO;
    info.pNext = &unknown;
    EXPECT_EQ(sgGetModelInfo(model, &info), SG_SUCCESS);
    EXPECT_EQ(unknown.restyleSupported, 77u);
    sgDestroyModel(context, model);
}

TEST_F(EncoderLoader, EncoderTensorsWithoutTheHeaderKeyAreRejected) {
    TinyModelParts parts = partsWithEncoder(TinyKind::Character);
    json j = json::parse(parts.json);
    j.erase("encoder");
    parts.json = j.dump();
    const std::string message = loadError(parts);
    EXPECT_NE(message.find("'encoder.fromrgb.weight' belongs to an encoder"), std::string::npos) << message;
    EXPECT_NE(message.find("no \"encoder\" key"), std::string::npos) << message;
}

TEST_F(EncoderLoader, EveryMissingEncoderTensorIsNamed) {
    for (TinyKind kind : {TinyKind::Character, TinyKind::Scene}) {
        const TinyModelParts full = partsWithEncoder(kind);
        const std::vector<std::string> names = encoderTensorNames(full);
        ASSERT_EQ(names.size(), kind == TinyKind::Scene ? 14u : 12u);
        for (const std::string& name : names) {
            TinyModelParts parts = full;
            parts.tensors.erase(std::find_if(parts.tensors.begin(), parts.tensors.end(),
                                             [&](const sg::TensorRecord& t) { return t.name == name; }));
            const std::string message = loadError(parts);
            EXPECT_NE(message.find("required tensor '" + name + "' is missing"), std::string::npos) << message;
        }
    }
}

TEST_F(EncoderLoader, EveryMisShapedEncoderTensorIsNamedWithBothShapes) {
    for (TinyKind kind : {TinyKind::Character, TinyKind::Scene}) {
        const TinyModelParts full = partsWithEncoder(kind);
        for (const std::string& name : encoderTensorNames(full)) {
            TinyModelParts parts = full;
            for (sg::TensorRecord& t : parts.tensors) {
                if (t.name != name) continue;
                // One more output: same rank, a shape the architecture does not imply.
                const size_t perOutput = t.values.size() / t.shape[0];
                t.shape[0] += 1;
                t.values.resize(t.values.size() + perOutput, 0.5f);
            }
            const std::string message = loadError(parts);
            EXPECT_NE(message.find("tensor '" + name + "' has shape"), std::string::npos) << message;
            EXPECT_NE(message.find("the architecture needs"), std::string::npos) << message;
        }
    }
}

TEST_F(EncoderLoader, SpatialProjectionIsNotRequiredOfConstInputModels) {
    // A character model's encoder has no encoder.spatial; carrying one anyway is an ignored extra.
    TinyModelParts parts = partsWithEncoder(TinyKind::Character);
    parts.tensors.push_back({"encoder.spatial.weight", {4, 8, 1, 1}, std::vector<float>(32, 0.1f)});
    SgModel model = load(parts);
    EXPECT_NE(model, nullptr);
    sgDestroyModel(context, model);
}

TEST_F(EncoderLoader, BadEncoderHeaderKeysAreRejectedWithTheReason) {
    const struct {
        json value;
        const char* expected;
    } cases[] = {
        {json("stylegen-encoder-1"), "\"encoder\" must be an object"},
        {json{{"channels", {4, 6, 8}}}, "\"encoder.arch\" is missing"},
        {json{{"arch", "stylegen-encoder-2"}, {"channels", {4, 6, 8}}}, "\"encoder.arch\" is \"stylegen-encoder-2\""},
        {json{{"arch", "stylegen-encoder-1"}}, "\"encoder.channels\" must be a list of 3 integers"},
        {json{{"arch", "stylegen-encoder-1"}, {"channels", {4, 6}}}, "\"encoder.channels\" must be a list of 3"},
        {json{{"arch", "stylegen-encoder-1"}, {"channels", {4, 6, 8, 8}}}, "must be a list of 3"},
        {json{{"arch", "stylegen-encoder-1"}, {"channels", "4,6,8"}}, "must be a list of 3"},
        {json{{"arch", "stylegen-encoder-1"}, {"channels", {4, 0, 8}}}, "\"encoder.channels[1]\" is 0, expected 1..1024"},
        {json{{"arch", "stylegen-encoder-1"}, {"channels", {4, 6, 1025}}}, "\"encoder.channels[2]\" is 1025"},
        {json{{"arch", "stylegen-encoder-1"}, {"channels", {4, 6.5, 8}}}, "\"encoder.channels[1]\" must be an integer"},
        {json{{"arch", "stylegen-encoder-1"}, {"channels", {4, 6, 8}}, {"reconstruction_noise_seed", -1}},
         "\"encoder.reconstruction_noise_seed\" is -1, expected 0..4294967295"},
        {json{{"arch", "stylegen-encoder-1"}, {"channels", {4, 6, 8}}, {"reconstruction_noise_seed", 4294967296}},
         "\"encoder.reconstruction_noise_seed\" is 4294967296"},
        {json{{"arch", "stylegen-encoder-1"}, {"channels", {4, 6, 8}}, {"reconstruction_noise_seed", "7"}},
         "\"encoder.reconstruction_noise_seed\" must be an integer"},
    };
    for (const auto& c : cases) {
        TinyModelParts parts = partsWithEncoder(TinyKind::Character);
        json j = json::parse(parts.json);
        j["encoder"] = c.value;
        parts.json = j.dump();
        const std::string message = loadError(parts);
        EXPECT_NE(message.find(c.expected), std::string::npos) << c.value.dump() << ": " << message;
    }
}

TEST_F(EncoderLoader, ChannelsThatDisagreeWithTheTensorsAreRejected) {
    TinyModelParts parts = partsWithEncoder(TinyKind::Scene);
    json j = json::parse(parts.json);
    j["encoder"]["channels"] = {4, 6, 9};
    parts.json = j.dump();
    const std::string message = loadError(parts);
    EXPECT_NE(message.find("tensor 'encoder.s1.down.weight' has shape [8, 6, 3, 3], the architecture needs [9, 6, 3, 3]"),
              std::string::npos)
        << message;
}

TEST_F(EncoderLoader, NonFiniteEncoderWeightsAreRejected) {
    TinyModelParts parts = partsWithEncoder(TinyKind::Character);
    std::vector<uint8_t> bytes = sgtest::serializeTinyModel(parts);
    // The last tensor is encoder.wplus.bias, f32, at the very end of the file.
    const float nan = std::nanf("");
    std::memcpy(bytes.data() + bytes.size() - 4, &nan, 4);
    sgtest::resealModel(&bytes);
    SgModel model = nullptr;
    EXPECT_EQ(sgLoadModelFromMemory(context, bytes.data(), bytes.size(), &model), SG_ERROR_BAD_MODEL_FILE);
    const std::string message = sgGetLastErrorMessage(context);
    EXPECT_NE(message.find("'encoder.wplus.bias' value"), std::string::npos) << message;
    EXPECT_NE(message.find("not finite"), std::string::npos) << message;
}

}  // namespace
