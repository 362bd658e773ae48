// Loading through the public API: architecture validation, damaged files,
// file vs memory. Every rejection is SG_ERROR_BAD_MODEL_FILE (or IO) with a
// message that names the problem.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <thread>

#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "sgm_layout.hpp"
#include "stylegen/stylegen.h"
#include "tiny_model.hpp"

namespace {

using nlohmann::json;
using sgtest::TinyKind;

class Loader : public ::testing::Test {
protected:
    void SetUp() override {
        SgContextCreateInfo info{};
        info.sType = SG_STRUCTURE_TYPE_CONTEXT_CREATE_INFO;
        info.backendPreference = SG_BACKEND_PREFERENCE_CPU;
        info.threadCount = 1;
        ASSERT_EQ(sgCreateContext(&info, nullptr, &context), SG_SUCCESS);
    }
    void TearDown() override { sgDestroyContext(context, nullptr); }

    // Expects the load to fail with result; returns the message.
    std::string loadError(const std::vector<uint8_t>& bytes, SgResult result = SG_ERROR_BAD_MODEL_FILE) {
        SgModel model = reinterpret_cast<SgModel>(uintptr_t(1));
        EXPECT_EQ(sgLoadModelFromMemory(context, bytes.data(), bytes.size(), &model), result);
        EXPECT_EQ(model, nullptr);
        const std::string message = sgGetLastErrorMessage(context);
        EXPECT_FALSE(message.empty());
        return message;
    }

    SgModel loadOk(const std::vector<uint8_t>& bytes) {
        SgModel model = nullptr;
        EXPECT_EQ(sgLoadModelFromMemory(context, bytes.data(), bytes.size(), &model), SG_SUCCESS)
            << sgGetLastErrorMessage(context);
        return model;
    }

    std::vector<uint8_t> generate(SgModel model, SgFormat format = SG_FORMAT_R8G8B8A8_UNORM) {
        SgModelInfo info{};
        info.sType = SG_STRUCTURE_TYPE_MODEL_INFO;
        EXPECT_EQ(sgGetModelInfo(model, &info), SG_SUCCESS);
        SgGenerateInfo gi{};
        gi.sType = SG_STRUCTURE_TYPE_GENERATE_INFO;
        gi.count = 2;
        gi.firstSeed = 42;
        gi.truncationPsi = 1.0f;
        gi.noiseStrength = 1.0f;
        gi.format = format;
        const size_t pixelBytes = format == SG_FORMAT_R8G8B8A8_UNORM ? 4 : 16;
        std::vector<uint8_t> pixels(gi.count * info.resolution * info.resolution * pixelBytes);
        SgImageBuffer out{};
        out.sType = SG_STRUCTURE_TYPE_IMAGE_BUFFER;
        out.pData = pixels.data();
        out.size = pixels.size();
        EXPECT_EQ(sgGenerate(context, model, &gi, &out), SG_SUCCESS) << sgGetLastErrorMessage(context);
        return pixels;
    }

    SgContext context = nullptr;
};

std::vector<uint8_t> serialize(const sgtest::TinyModelParts& parts) {
    std::vector<uint8_t> bytes;
    std::string error;
    if (!sg::serializeModelFile(parts.json, parts.tensors, sg::TensorDType::F32, &bytes, &error))
        throw std::runtime_error(error);
    return bytes;
}

// A tiny model whose JSON header was changed by edit.
std::vector<uint8_t> withHeader(TinyKind kind, const std::function<void(json&)>& edit) {
    sgtest::TinyModelParts parts = sgtest::makeTinyModelParts(kind);
    json header = json::parse(parts.json);
    edit(header);
    parts.json = header.dump();
    return serialize(parts);
}

std::string tempPath(const std::string& name) {
    return ::testing::TempDir() + "/sg_loader_" + std::to_string(getpid()) + "_" + name;
}

// [SECTION] Good files ---------------------------------------------------------------------

TEST_F(Loader, LoadFromMemoryMatchesLoadFromFile) {
    const std::string path = sgtest::writeTinyModel(::testing::TempDir(), "sg_loader_equal.sgm", TinyKind::Character);
    SgModel fromFile = nullptr;
    ASSERT_EQ(sgLoadModelFromFile(context, path.c_str(), &fromFile), SG_SUCCESS) << sgGetLastErrorMessage(context);
    SgModel fromMemory = loadOk(sgtest::makeTinyModel(TinyKind::Character));
    ASSERT_NE(fromMemory, nullptr);
    SgModelInfo a{}, b{};
    a.sType = b.sType = SG_STRUCTURE_TYPE_MODEL_INFO;
    ASSERT_EQ(sgGetModelInfo(fromFile, &a), SG_SUCCESS);
    ASSERT_EQ(sgGetModelInfo(fromMemory, &b), SG_SUCCESS);
    EXPECT_EQ(std::memcmp(a.contentHash, b.contentHash, 32), 0);
    EXPECT_EQ(generate(fromFile), generate(fromMemory));
    sgDestroyModel(context, fromFile);
    sgDestroyModel(context, fromMemory);
    std::remove(path.c_str());
}

TEST_F(Loader, LoadFromMemoryDoesNotKeepTheCallersBytes) {
    std::vector<uint8_t> bytes = sgtest::makeTinyModel(TinyKind::Scene);
    SgModel model = loadOk(bytes);
    const std::vector<uint8_t> before = generate(model);
    std::fill(bytes.begin(), bytes.end(), 0xAB);
    bytes.clear();
    bytes.shrink_to_fit();
    EXPECT_EQ(generate(model), before);
    sgDestroyModel(context, model);
}

TEST_F(Loader, ReportsTheHeaderInModelInfo) {
    SgModel model = loadOk(sgtest::makeTinyModel(TinyKind::Scene, 5));
    SgModelInfo info{};
    info.sType = SG_STRUCTURE_TYPE_MODEL_INFO;
    ASSERT_EQ(sgGetModelInfo(model, &info), SG_SUCCESS);
    EXPECT_EQ(info.kind, SG_MODEL_KIND_SCENE);
    EXPECT_EQ(info.resolution, 16u);
    EXPECT_EQ(info.blockSize, 4u);
    EXPECT_EQ(info.channels, 3u);
    EXPECT_EQ(info.styleCount, 5u);
    EXPECT_EQ(info.tileable, SG_TRUE);
    EXPECT_EQ(info.wLayerCount, 6u);  // 3 blocks
    EXPECT_STREQ(info.pName, "tiny-scene");
    const std::vector<uint8_t> bytes = sgtest::makeTinyModel(TinyKind::Scene, 5);
    EXPECT_TRUE(std::equal(info.contentHash, info.contentHash + 32, bytes.begin() + 64));
    sgDestroyModel(context, model);
}

TEST_F(Loader, AcceptsF16WeightsCloseToF32) {
    SgModel f32 = loadOk(sgtest::makeTinyModel(TinyKind::Character, 3, 1, sg::TensorDType::F32));
    SgModel f16 = loadOk(sgtest::makeTinyModel(TinyKind::Character, 3, 1, sg::TensorDType::F16));
    const std::vector<uint8_t> a = generate(f32, SG_FORMAT_R32G32B32A32_SFLOAT);
    const std::vector<uint8_t> b = generate(f16, SG_FORMAT_R32G32B32A32_SFLOAT);
    const float* fa = reinterpret_cast<const float*>(a.data());
    const float* fb = reinterpret_cast<const float*>(b.data());
    double sum = 0;
    const size_t n = a.size() / sizeof(float);
    for (size_t i = 0; i < n; ++i) sum += std::fabs(fa[i] - fb[i]);
    EXPECT_LT(sum / n, 0.01) << "mean absolute difference of f16 weights";
    sgDestroyModel(context, f32);
    sgDestroyModel(context, f16);
}

TEST_F(Loader, IgnoresExtraTensors) {
    sgtest::TinyModelParts parts = sgtest::makeTinyModelParts(TinyKind::Character);
    // (encoder.* tensors are not extras: encoder_loader_test.cpp.)
    parts.tensors.push_back({"extra.fc0.weight", {2, 2}, {1, 2, 3, 4}});
    sgDestroyModel(context, loadOk(serialize(parts)));
}

TEST_F(Loader, AcceptsSpatialChannelsZeroOnAConstInputModel) {
    sgDestroyModel(context, loadOk(withHeader(TinyKind::Character, [](json& h) { h["spatial_channels"] = 0; })));
}

// [SECTION] Files and I/O ---------------------------------------------------------------------

TEST_F(Loader, ReportsAMissingFileAsAnIoError) {
    SgModel model = nullptr;
    EXPECT_EQ(sgLoadModelFromFile(context, "/nonexistent/model.sgm", &model), SG_ERROR_IO);
    const std::string message = sgGetLastErrorMessage(context);
    EXPECT_NE(message.find("No such file or directory"), std::string::npos) << message;
    EXPECT_NE(message.find("/nonexistent/model.sgm"), std::string::npos) << message;
}

TEST_F(Loader, ReportsAFolderAsAnIoError) {
    SgModel model = nullptr;
    EXPECT_EQ(sgLoadModelFromFile(context, "/tmp", &model), SG_ERROR_IO);
    EXPECT_NE(std::string(sgGetLastErrorMessage(context)).find("is a directory"), std::string::npos);
}

TEST_F(Loader, ReadsAFileOfUnknownSizeFromAPipe) {
    const std::string fifo = tempPath("fifo");
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    const std::vector<uint8_t> bytes = sgtest::makeTinyModel(TinyKind::Scene);
    std::thread writer([&] {
        std::ofstream out(fifo, std::ios::binary);
        out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    });
    SgModel model = nullptr;
    EXPECT_EQ(sgLoadModelFromFile(context, fifo.c_str(), &model), SG_SUCCESS) << sgGetLastErrorMessage(context);
    writer.join();
    sgDestroyModel(context, model);
    unlink(fifo.c_str());
}

TEST_F(Loader, RejectsAnEmptyFile) {
    const std::string path = tempPath("empty.sgm");
    std::ofstream(path).close();
    SgModel model = nullptr;
    EXPECT_EQ(sgLoadModelFromFile(context, path.c_str(), &model), SG_ERROR_BAD_MODEL_FILE);
    EXPECT_NE(std::string(sgGetLastErrorMessage(context)).find("shorter than the 96-byte header"), std::string::npos);
    std::remove(path.c_str());
}

// [SECTION] Damaged files ---------------------------------------------------------------------

TEST_F(Loader, RejectsEveryTruncationWithoutCrashing) {
    const std::vector<uint8_t> bytes = sgtest::makeTinyModel(TinyKind::Scene);
    for (size_t length = 1; length < bytes.size(); ++length) {
        SgModel model = nullptr;
        ASSERT_EQ(sgLoadModelFromMemory(context, bytes.data(), length, &model), SG_ERROR_BAD_MODEL_FILE)
            << "length " << length;
        ASSERT_EQ(model, nullptr);
    }
}

TEST_F(Loader, RejectsBitFlipsAnywhereWithoutCrashing) {
    const std::vector<uint8_t> bytes = sgtest::makeTinyModel(TinyKind::Character);
    for (size_t position = 0; position < bytes.size(); position += 5) {
        std::vector<uint8_t> flipped = bytes;
        flipped[position] ^= uint8_t(0x80u >> (position % 8));
        SgModel model = nullptr;
        ASSERT_EQ(sgLoadModelFromMemory(context, flipped.data(), flipped.size(), &model), SG_ERROR_BAD_MODEL_FILE)
            << "byte " << position;
    }
}

TEST_F(Loader, RejectsAMisShapedTensorEvenWithAValidHash) {
    sgtest::TinyModelParts parts = sgtest::makeTinyModelParts(TinyKind::Character);
    for (sg::TensorRecord& t : parts.tensors)
        if (t.name == "synthesis.b8.conv0.weight") t.shape = {8, 72};
    const std::string message = loadError(serialize(parts));
    EXPECT_NE(message.find("tensor 'synthesis.b8.conv0.weight' has shape [8, 72], the architecture needs [8, 8, 3, 3]"),
              std::string::npos)
        << message;
}

TEST_F(Loader, RejectsAMissingTensor) {
    sgtest::TinyModelParts parts = sgtest::makeTinyModelParts(TinyKind::Scene);
    parts.tensors.erase(std::remove_if(parts.tensors.begin(), parts.tensors.end(),
                                       [](const sg::TensorRecord& t) { return t.name == "synthesis.b16.torgb.bias"; }),
                        parts.tensors.end());
    const std::string message = loadError(serialize(parts));
    EXPECT_NE(message.find("required tensor 'synthesis.b16.torgb.bias' is missing"), std::string::npos) << message;
}

TEST_F(Loader, LoadsAPeriodicInputAndRequiresItsTensor) {
    sgtest::TinyModelParts parts = sgtest::makeTinyModelParts(TinyKind::Scene);
    sgtest::addTinyPeriodicInput(&parts);
    SgModel model = loadOk(serialize(parts));
    ASSERT_NE(model, nullptr);
    sgDestroyModel(context, model);

    sgtest::TinyModelParts misShaped = parts;
    for (sg::TensorRecord& t : misShaped.tensors)
        if (t.name == "synthesis.input.periodic") t.shape = {8, 2, 8};
    std::string message = loadError(serialize(misShaped));
    EXPECT_NE(message.find("tensor 'synthesis.input.periodic' has shape [8, 2, 8], the architecture needs [8, 4, 4]"),
              std::string::npos)
        << message;

    parts.tensors.pop_back();  // addTinyPeriodicInput's tensor
    message = loadError(serialize(parts));
    EXPECT_NE(message.find("required tensor 'synthesis.input.periodic' is missing"), std::string::npos) << message;
}

// SgModelPatternInfo (1.2): the periodic input's period and generation
// offset in pixels (4 and 2 cells of 4 px for the tiny model); none without it.
// Filled wherever it sits in the pNext chain.
TEST_F(Loader, ReportsThePatternPeriodInPixels) {
    auto patternOf = [&](const sgtest::TinyModelParts& parts) {
        SgModel model = loadOk(serialize(parts));
        SgModelPatternInfo pattern{};
        pattern.sType = SG_STRUCTURE_TYPE_MODEL_PATTERN_INFO;
        pattern.patternPeriod = 99;
        pattern.generateOffset = 99;
        SgModelRestyleInfo restyle{};
        restyle.sType = SG_STRUCTURE_TYPE_MODEL_RESTYLE_INFO;
        restyle.pNext = &pattern;
        SgModelInfo info{};
        info.sType = SG_STRUCTURE_TYPE_MODEL_INFO;
        info.pNext = &restyle;
        EXPECT_EQ(sgGetModelInfo(model, &info), SG_SUCCESS) << sgGetLastErrorMessage(context);
        EXPECT_EQ(info.blockSize, 4u);
        EXPECT_EQ(pattern.pNext, nullptr);
        sgDestroyModel(context, model);
        return std::make_pair(pattern.patternPeriod, pattern.generateOffset);
    };
    sgtest::TinyModelParts parts = sgtest::makeTinyModelParts(TinyKind::Scene);
    EXPECT_EQ(patternOf(parts), std::make_pair(0u, 0u));
    sgtest::addTinyPeriodicInput(&parts);
    EXPECT_EQ(patternOf(parts), std::make_pair(16u, 8u));
}

TEST_F(Loader, RejectsStylesThatDisagreeWithTheEmbedding) {
    const std::string message = loadError(withHeader(TinyKind::Character, [](json& h) {
        h["styles"] = {"a", "b", "c", "d"};
    }));
    EXPECT_NE(message.find("'mapping.embed.weight' has shape [3, 4], the architecture needs [4, 4]"), std::string::npos)
        << message;
}

TEST_F(Loader, RejectsAWrongDtypeCode) {
    std::vector<uint8_t> bytes = sgtest::makeTinyModel(TinyKind::Character);
    sgtest::storeU32(&bytes, sgtest::tableEntries(bytes)[2].dtypeAt, 7);
    sgtest::resealModel(&bytes);
    EXPECT_NE(loadError(bytes).find("unknown dtype code 7"), std::string::npos);
}

TEST_F(Loader, RejectsDuplicateTensorNames) {
    std::vector<uint8_t> bytes = sgtest::makeTinyModel(TinyKind::Character);
    const auto entries = sgtest::tableEntries(bytes);
    const auto& e = sgtest::entryNamed(entries, "mapping.fc1.weight");
    bytes[e.nameAt + 10] = '0';
    sgtest::resealModel(&bytes);
    EXPECT_NE(loadError(bytes).find("duplicate tensor name 'mapping.fc0.weight'"), std::string::npos);
}

TEST_F(Loader, RejectsNaNWeights) {
    std::vector<uint8_t> bytes = sgtest::makeTinyModel(TinyKind::Scene);
    const auto entries = sgtest::tableEntries(bytes);
    const auto& e = sgtest::entryNamed(entries, "synthesis.input.bias");
    sgtest::storeU32(&bytes, size_t(sgtest::readHeader(bytes).payloadOffset + sgtest::loadU64(bytes, e.offsetAt)),
                     0x7FC00001u);
    sgtest::resealModel(&bytes);
    const std::string message = loadError(bytes);
    EXPECT_NE(message.find("'synthesis.input.bias' value 0 is not finite"), std::string::npos) << message;
}

TEST_F(Loader, RejectsJsonThatDoesNotParse) {
    sgtest::TinyModelParts parts = sgtest::makeTinyModelParts(TinyKind::Character);
    parts.json = "{\"format\": \"stylegen-model\", ";
    EXPECT_NE(loadError(serialize(parts)).find("JSON header does not parse"), std::string::npos);
}

TEST_F(Loader, RejectsInvalidUtf8InTheJson) {
    sgtest::TinyModelParts parts = sgtest::makeTinyModelParts(TinyKind::Character);
    parts.json = "{\"name\": \"\xff\xfe\"}";
    EXPECT_NE(loadError(serialize(parts)).find("JSON header does not parse"), std::string::npos);
}

TEST_F(Loader, RejectsDeeplyNestedJson) {
    sgtest::TinyModelParts parts = sgtest::makeTinyModelParts(TinyKind::Character);
    parts.json = std::string(100000, '[') + std::string(100000, ']');
    EXPECT_NE(loadError(serialize(parts)).find("nests deeper"), std::string::npos);
}

struct HeaderCase {
    const char* label;
    TinyKind kind;
    std::function<void(json&)> edit;
    const char* expected;  // part of the message
};

class LoaderHeader : public Loader, public ::testing::WithParamInterface<HeaderCase> {};

TEST_P(LoaderHeader, RejectsTheBadHeaderNamingTheProblem) {
    const HeaderCase& c = GetParam();
    const std::string message = loadError(withHeader(c.kind, c.edit));
    EXPECT_NE(message.find(c.expected), std::string::npos) << message;
}

const HeaderCase kHeaderCases[] = {
    {"NotAnObject", TinyKind::Character, [](json& h) { h = json::array({1, 2}); }, "JSON header is not an object"},
    {"WrongFormat", TinyKind::Character, [](json& h) { h["format"] = "png"; }, "\"format\" is \"png\""},
    {"UnknownArch", TinyKind::Character, [](json& h) { h["arch"] = "stylegan3"; }, "\"arch\" is \"stylegan3\""},
    {"MissingKind", TinyKind::Character, [](json& h) { h.erase("kind"); }, "lacks the required key \"kind\""},
    {"UnknownKind", TinyKind::Character, [](json& h) { h["kind"] = "monster"; }, "\"kind\" is \"monster\""},
    {"ResolutionNotPowerOfTwo", TinyKind::Character, [](json& h) { h["resolution"] = 24; }, "not a power of two"},
    {"ResolutionTooLarge", TinyKind::Character, [](json& h) { h["resolution"] = 2048; },
     "\"resolution\" is 2048, expected 8..1024"},
    {"ResolutionTooSmall", TinyKind::Character, [](json& h) { h["resolution"] = 4; }, "\"resolution\" is 4"},
    {"ResolutionAsString", TinyKind::Character, [](json& h) { h["resolution"] = "16"; },
     "\"resolution\" must be an integer"},
    {"ResolutionAsFloat", TinyKind::Character, [](json& h) { h["resolution"] = 16.5; },
     "\"resolution\" must be an integer"},
    {"NegativeZDim", TinyKind::Character, [](json& h) { h["z_dim"] = -8; }, "\"z_dim\" is -8"},
    {"ZeroWDim", TinyKind::Character, [](json& h) { h["w_dim"] = 0; }, "\"w_dim\" is 0"},
    {"HugeEmbedDim", TinyKind::Character, [](json& h) { h["embed_dim"] = 4096; }, "\"embed_dim\" is 4096"},
    {"TooManyMappingLayers", TinyKind::Character, [](json& h) { h["mapping_layers"] = 17; },
     "\"mapping_layers\" is 17"},
    {"FiveImageChannels", TinyKind::Character, [](json& h) { h["img_channels"] = 5; }, "\"img_channels\" is 5"},
    {"ChannelsWrongLength", TinyKind::Character, [](json& h) { h["channels"] = {8, 8}; },
     "\"channels\" must be a list of 3 integers"},
    {"ChannelZero", TinyKind::Character, [](json& h) { h["channels"] = {8, 0, 4}; }, "\"channels[1]\" is 0"},
    {"ChannelTooWide", TinyKind::Character, [](json& h) { h["channels"] = {8, 8, 1025}; }, "\"channels[2]\" is 1025"},
    {"NoStyles", TinyKind::Character, [](json& h) { h["styles"] = json::array(); }, "1..256 style names"},
    {"DuplicateStyles", TinyKind::Character, [](json& h) { h["styles"] = {"a", "b", "a"}; }, "names \"a\" twice"},
    {"EmptyStyleName", TinyKind::Character, [](json& h) { h["styles"] = {"a", "", "c"}; }, "not a non-empty string"},
    {"StyleNotAString", TinyKind::Character, [](json& h) { h["styles"] = {"a", 2, "c"}; }, "not a non-empty string"},
    {"UnknownInput", TinyKind::Character, [](json& h) { h["input"] = "image"; }, "\"input\" is \"image\""},
    {"UnknownPadding", TinyKind::Character, [](json& h) { h["padding"] = "reflect"; }, "\"padding\" is \"reflect\""},
    {"SceneWithConstInput", TinyKind::Scene, [](json& h) { h["input"] = "const"; }, "needs \"input\": \"spatial\""},
    {"SpatialWithoutChannels", TinyKind::Scene, [](json& h) { h.erase("spatial_channels"); },
     "lacks the required key \"spatial_channels\""},
    {"SpatialChannelsZero", TinyKind::Scene, [](json& h) { h["spatial_channels"] = 0; }, "\"spatial_channels\" is 0"},
    {"TileableWithZeroPadding", TinyKind::Character, [](json& h) { h["tileable"] = true; },
     "\"tileable\" is true but \"padding\" is \"zero\""},
    {"TileableNotBool", TinyKind::Scene, [](json& h) { h["tileable"] = 1; }, "\"tileable\" must be true or false"},
    {"PeriodicInputOnAConstInput", TinyKind::Character,
     [](json& h) { h["periodic_input"] = {{"period", 4}, {"offset", 2}}; },
     "\"periodic_input\" needs \"input\": \"spatial\""},
    {"PeriodicInputNotAnObject", TinyKind::Scene, [](json& h) { h["periodic_input"] = 4; },
     "\"periodic_input\" must be an object"},
    {"PeriodicInputWithoutOffset", TinyKind::Scene, [](json& h) { h["periodic_input"] = {{"period", 4}}; },
     "lacks the required key \"offset\""},
    {"PeriodZero", TinyKind::Scene, [](json& h) { h["periodic_input"] = {{"period", 0}, {"offset", 0}}; },
     "\"periodic_input.period\" is 0, expected 1..64"},
    {"PeriodTooLong", TinyKind::Scene, [](json& h) { h["periodic_input"] = {{"period", 65}, {"offset", 0}}; },
     "\"periodic_input.period\" is 65, expected 1..64"},
    {"OffsetNotInThePeriod", TinyKind::Scene, [](json& h) { h["periodic_input"] = {{"period", 4}, {"offset", 4}}; },
     "\"periodic_input.offset\" is 4, expected 0..3"},
    {"NameNotAString", TinyKind::Character, [](json& h) { h["name"] = 7; }, "\"name\" must be a string"},
    {"TrainingNotAnObject", TinyKind::Character, [](json& h) { h["training"] = "yesterday"; },
     "\"training\" must be an object"},
};

INSTANTIATE_TEST_SUITE_P(Header, LoaderHeader, ::testing::ValuesIn(kHeaderCases),
                         [](const ::testing::TestParamInfo<HeaderCase>& info) { return std::string(info.param.label); });

}  // namespace
