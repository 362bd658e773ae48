// Error paths of every entry point: the right SgResult and a last-error
// message that names the problem, never a crash.
#include <cmath>
#include <algorithm>
#include <cctype>
#include <limits>

#include "api_test_support.hpp"
#include "stylegen_plugin.h"

namespace {

using sgtest::ApiTest;
using sgtest::imageBuffer;
using sgtest::neutralGenerateInfo;

// [SECTION] Results and versions -------------------------------------------------------------

TEST(ResultString, NamesEveryResultCode) {
    EXPECT_STREQ(sgResultString(SG_SUCCESS), "SG_SUCCESS");
    EXPECT_STREQ(sgResultString(SG_ERROR_INVALID_ARGUMENT), "SG_ERROR_INVALID_ARGUMENT");
    EXPECT_STREQ(sgResultString(SG_ERROR_OUT_OF_MEMORY), "SG_ERROR_OUT_OF_MEMORY");
    EXPECT_STREQ(sgResultString(SG_ERROR_BAD_MODEL_FILE), "SG_ERROR_BAD_MODEL_FILE");
    EXPECT_STREQ(sgResultString(SG_ERROR_UNSUPPORTED), "SG_ERROR_UNSUPPORTED");
    EXPECT_STREQ(sgResultString(SG_ERROR_DEVICE_LOST), "SG_ERROR_DEVICE_LOST");
    EXPECT_STREQ(sgResultString(SG_ERROR_IO), "SG_ERROR_IO");
    EXPECT_STREQ(sgResultString(SG_ERROR_INTERNAL), "SG_ERROR_INTERNAL");
    EXPECT_STREQ(sgResultString(SG_ERROR_INCOMPATIBLE_VERSION), "SG_ERROR_INCOMPATIBLE_VERSION");
}

TEST(ResultString, NamesUnknownValuesAsUnknown) {
    EXPECT_STREQ(sgResultString(SgResult(-100)), "SG_RESULT_UNKNOWN");
    EXPECT_STREQ(sgResultString(SgResult(5)), "SG_RESULT_UNKNOWN");
    EXPECT_STREQ(sgResultString(SG_RESULT_MAX_ENUM), "SG_RESULT_UNKNOWN");
}

TEST(ResultCodes, MatchThePluginInterface) {
    EXPECT_EQ(SG_ERROR_INVALID_ARGUMENT, SGP_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(SG_ERROR_OUT_OF_MEMORY, SGP_ERROR_OUT_OF_MEMORY);
    EXPECT_EQ(SG_ERROR_UNSUPPORTED, SGP_ERROR_UNSUPPORTED);
    EXPECT_EQ(SG_ERROR_DEVICE_LOST, SGP_ERROR_DEVICE_LOST);
    EXPECT_EQ(SG_ERROR_INTERNAL, SGP_ERROR_INTERNAL);
}

TEST(Version, ReportsTheHeaderVersion) { EXPECT_EQ(sgGetVersion(), SG_API_VERSION); }

TEST(GetProcAddr, ReturnsEveryExportedFunction) {
    EXPECT_EQ(sgGetProcAddr("sgGenerate"), reinterpret_cast<PFN_sgVoidFunction>(&sgGenerate));
    EXPECT_EQ(sgGetProcAddr("sgCreateContext"), reinterpret_cast<PFN_sgVoidFunction>(&sgCreateContext));
    EXPECT_EQ(sgGetProcAddr("sgGetProcAddr"), reinterpret_cast<PFN_sgVoidFunction>(&sgGetProcAddr));
    const auto version = reinterpret_cast<PFN_sgGetVersion>(sgGetProcAddr("sgGetVersion"));
    ASSERT_NE(version, nullptr);
    EXPECT_EQ(version(), SG_API_VERSION);
    for (const char* name : {"sgGetVersion", "sgResultString", "sgCreateContext", "sgDestroyContext",
                             "sgGetLastErrorMessage", "sgGetContextInfo", "sgLoadModelFromFile",
                             "sgLoadModelFromMemory", "sgDestroyModel", "sgGetModelInfo", "sgGetStyleName",
                             "sgFindStyle", "sgGenerate"})
        EXPECT_NE(sgGetProcAddr(name), nullptr) << name;
}

TEST(GetProcAddr, ReturnsNullForUnknownNames) {
    EXPECT_EQ(sgGetProcAddr("sgNoSuchFunction"), nullptr);
    EXPECT_EQ(sgGetProcAddr(""), nullptr);
    EXPECT_EQ(sgGetProcAddr(nullptr), nullptr);
}

// [SECTION] sgCreateContext / sgDestroyContext / sgGetContextInfo ------------------------------

TEST(CreateContext, RejectsNullOutput) {
    const SgContextCreateInfo info = sgtest::cpuContextInfo();
    SG_EXPECT_FAILURE(sgCreateContext(&info, nullptr, nullptr), SG_ERROR_INVALID_ARGUMENT, nullptr, "pContext is NULL");
}

TEST(CreateContext, RejectsNullCreateInfo) {
    SgContext context = reinterpret_cast<SgContext>(uintptr_t(1));
    SG_EXPECT_FAILURE(sgCreateContext(nullptr, nullptr, &context), SG_ERROR_INVALID_ARGUMENT, nullptr,
                      "pCreateInfo is NULL");
    EXPECT_EQ(context, nullptr);
}

TEST(CreateContext, RejectsWrongSType) {
    SgContextCreateInfo info = sgtest::cpuContextInfo();
    info.sType = SG_STRUCTURE_TYPE_GENERATE_INFO;
    SgContext context = nullptr;
    SG_EXPECT_FAILURE(sgCreateContext(&info, nullptr, &context), SG_ERROR_INVALID_ARGUMENT, nullptr,
                      "expected SG_STRUCTURE_TYPE_CONTEXT_CREATE_INFO");
}

TEST(CreateContext, RejectsAZeroedCreateInfo) {
    SgContextCreateInfo info{};
    SgContext context = nullptr;
    SG_EXPECT_FAILURE(sgCreateContext(&info, nullptr, &context), SG_ERROR_INVALID_ARGUMENT, nullptr, "sType is 0");
}

TEST(CreateContext, RejectsANewerMajorVersion) {
    SgContextCreateInfo info = sgtest::cpuContextInfo();
    info.apiVersion = SG_MAKE_VERSION(2, 0, 0);
    SgContext context = nullptr;
    SG_EXPECT_FAILURE(sgCreateContext(&info, nullptr, &context), SG_ERROR_INCOMPATIBLE_VERSION, nullptr,
                      "apiVersion is 2.0.0");
}

TEST(CreateContext, RejectsANewerMinorVersion) {
    SgContextCreateInfo info = sgtest::cpuContextInfo();
    info.apiVersion = SG_MAKE_VERSION(1, 3, 0);
    SgContext context = nullptr;
    SG_EXPECT_FAILURE(sgCreateContext(&info, nullptr, &context), SG_ERROR_INCOMPATIBLE_VERSION, nullptr,
                      "this library implements 1.2.0");
}

TEST(CreateContext, AcceptsZeroOlderMinorsAndOtherPatches) {
    for (uint32_t version :
         {0u, SG_MAKE_VERSION(1, 0, 7), SG_API_VERSION_1_0, SG_MAKE_VERSION(1, 1, 3), SG_API_VERSION_1_2}) {
        SgContextCreateInfo info = sgtest::cpuContextInfo();
        info.apiVersion = version;
        SgContext context = nullptr;
        EXPECT_EQ(sgCreateContext(&info, nullptr, &context), SG_SUCCESS) << sgGetLastErrorMessage(nullptr);
        sgDestroyContext(context, nullptr);
    }
}

TEST(CreateContext, RejectsAnUnknownBackendPreference) {
    SgContextCreateInfo info = sgtest::cpuContextInfo();
    info.backendPreference = SgBackendPreference(7);
    SgContext context = nullptr;
    SG_EXPECT_FAILURE(sgCreateContext(&info, nullptr, &context), SG_ERROR_INVALID_ARGUMENT, nullptr,
                      "backendPreference 7");
}

TEST(CreateContext, RejectsTooManyThreads) {
    SgContextCreateInfo info = sgtest::cpuContextInfo(SG_MAX_THREAD_COUNT + 1);
    SgContext context = nullptr;
    SG_EXPECT_FAILURE(sgCreateContext(&info, nullptr, &context), SG_ERROR_INVALID_ARGUMENT, nullptr,
                      "threadCount 1025");
}

TEST(CreateContext, RejectsIncompleteAllocationCallbacks) {
    const SgContextCreateInfo info = sgtest::cpuContextInfo();
    SgAllocationCallbacks callbacks{};
    callbacks.pfnAllocation = [](void*, size_t, size_t) -> void* { return nullptr; };
    SgContext context = nullptr;
    SG_EXPECT_FAILURE(sgCreateContext(&info, &callbacks, &context), SG_ERROR_INVALID_ARGUMENT, nullptr,
                      "pAllocator must set pfnAllocation, pfnReallocation and pfnFree");
}

TEST(DestroyContext, AcceptsNull) { sgDestroyContext(nullptr, nullptr); }

TEST(GetContextInfo, RejectsNullContext) {
    SgContextInfo info{};
    info.sType = SG_STRUCTURE_TYPE_CONTEXT_INFO;
    SG_EXPECT_FAILURE(sgGetContextInfo(nullptr, &info), SG_ERROR_INVALID_ARGUMENT, nullptr, "context is NULL");
}

TEST_F(ApiTest, GetContextInfo_RejectsNullInfo) {
    SG_EXPECT_FAILURE(sgGetContextInfo(context, nullptr), SG_ERROR_INVALID_ARGUMENT, context, "pInfo is NULL");
}

TEST_F(ApiTest, GetContextInfo_RejectsWrongSType) {
    SgContextInfo info{};
    info.sType = SG_STRUCTURE_TYPE_MODEL_INFO;
    SG_EXPECT_FAILURE(sgGetContextInfo(context, &info), SG_ERROR_INVALID_ARGUMENT, context,
                      "expected SG_STRUCTURE_TYPE_CONTEXT_INFO");
}

// [SECTION] Loading and destroying models ---------------------------------------------------------

TEST(LoadModelFromFile, RejectsNullContext) {
    SgModel model = nullptr;
    SG_EXPECT_FAILURE(sgLoadModelFromFile(nullptr, "x.sgm", &model), SG_ERROR_INVALID_ARGUMENT, nullptr,
                      "context is NULL");
}

TEST_F(ApiTest, LoadModelFromFile_RejectsNullPath) {
    SgModel model = nullptr;
    SG_EXPECT_FAILURE(sgLoadModelFromFile(context, nullptr, &model), SG_ERROR_INVALID_ARGUMENT, context,
                      "pPath is NULL");
}

TEST_F(ApiTest, LoadModelFromFile_RejectsEmptyPath) {
    SgModel model = nullptr;
    SG_EXPECT_FAILURE(sgLoadModelFromFile(context, "", &model), SG_ERROR_INVALID_ARGUMENT, context, "pPath is empty");
}

TEST_F(ApiTest, LoadModelFromFile_RejectsNullOutput) {
    SG_EXPECT_FAILURE(sgLoadModelFromFile(context, "x.sgm", nullptr), SG_ERROR_INVALID_ARGUMENT, context,
                      "pModel is NULL");
}

TEST(LoadModelFromMemory, RejectsNullContext) {
    const std::vector<uint8_t> bytes = sgtest::makeTinyModel(sgtest::TinyKind::Character);
    SgModel model = nullptr;
    SG_EXPECT_FAILURE(sgLoadModelFromMemory(nullptr, bytes.data(), bytes.size(), &model), SG_ERROR_INVALID_ARGUMENT,
                      nullptr, "context is NULL");
}

TEST_F(ApiTest, LoadModelFromMemory_RejectsNullData) {
    SgModel model = nullptr;
    SG_EXPECT_FAILURE(sgLoadModelFromMemory(context, nullptr, 100, &model), SG_ERROR_INVALID_ARGUMENT, context,
                      "pData is NULL");
}

TEST_F(ApiTest, LoadModelFromMemory_RejectsZeroSize) {
    const uint8_t byte = 0;
    SgModel model = nullptr;
    SG_EXPECT_FAILURE(sgLoadModelFromMemory(context, &byte, 0, &model), SG_ERROR_INVALID_ARGUMENT, context,
                      "size is 0");
}

TEST_F(ApiTest, LoadModelFromMemory_RejectsNullOutput) {
    const uint8_t byte = 0;
    SG_EXPECT_FAILURE(sgLoadModelFromMemory(context, &byte, 1, nullptr), SG_ERROR_INVALID_ARGUMENT, context,
                      "pModel is NULL");
}

TEST_F(ApiTest, DestroyModel_AcceptsNull) { sgDestroyModel(context, nullptr); }

TEST_F(ApiTest, DestroyModel_WithNullContextLeavesTheModelAlone) {
    sgDestroyModel(nullptr, character);
    EXPECT_NE(std::string(sgGetLastErrorMessage(nullptr)).find("context is NULL"), std::string::npos);
    sgtest::generateBytes(context, character, neutralGenerateInfo());  // still alive
}

TEST_F(ApiTest, DestroyModel_OfAnotherContextLeavesTheModelAlone) {
    const SgContextCreateInfo info = sgtest::cpuContextInfo();
    SgContext other = nullptr;
    ASSERT_EQ(sgCreateContext(&info, nullptr, &other), SG_SUCCESS);
    sgDestroyModel(other, character);
    EXPECT_NE(std::string(sgGetLastErrorMessage(other)).find("not a live model of this context"), std::string::npos);
    sgDestroyContext(other, nullptr);
    sgtest::generateBytes(context, character, neutralGenerateInfo());
}

// [SECTION] Model queries -----------------------------------------------------------------------------

TEST(GetModelInfo, RejectsNullModel) {
    SgModelInfo info{};
    info.sType = SG_STRUCTURE_TYPE_MODEL_INFO;
    SG_EXPECT_FAILURE(sgGetModelInfo(nullptr, &info), SG_ERROR_INVALID_ARGUMENT, nullptr, "model is NULL");
}

TEST_F(ApiTest, GetModelInfo_RejectsNullInfo) {
    SG_EXPECT_FAILURE(sgGetModelInfo(character, nullptr), SG_ERROR_INVALID_ARGUMENT, context, "pInfo is NULL");
}

TEST_F(ApiTest, GetModelInfo_RejectsWrongSType) {
    SgModelInfo info{};
    info.sType = SG_STRUCTURE_TYPE_CONTEXT_INFO;
    SG_EXPECT_FAILURE(sgGetModelInfo(character, &info), SG_ERROR_INVALID_ARGUMENT, context,
                      "expected SG_STRUCTURE_TYPE_MODEL_INFO");
}

TEST(GetStyleName, RejectsNullModel) {
    const char* name = nullptr;
    SG_EXPECT_FAILURE(sgGetStyleName(nullptr, 0, &name), SG_ERROR_INVALID_ARGUMENT, nullptr, "model is NULL");
}

TEST_F(ApiTest, GetStyleName_RejectsAnIndexOutOfRange) {
    const char* name = nullptr;
    SG_EXPECT_FAILURE(sgGetStyleName(character, 3, &name), SG_ERROR_INVALID_ARGUMENT, context,
                      "style index 3 is out of range: the model has 3 styles");
}

TEST_F(ApiTest, GetStyleName_RejectsNullOutput) {
    SG_EXPECT_FAILURE(sgGetStyleName(character, 0, nullptr), SG_ERROR_INVALID_ARGUMENT, context, "ppName is NULL");
}

TEST(FindStyle, RejectsNullModel) {
    uint32_t index = 0;
    SG_EXPECT_FAILURE(sgFindStyle(nullptr, "a", &index), SG_ERROR_INVALID_ARGUMENT, nullptr, "model is NULL");
}

TEST_F(ApiTest, FindStyle_RejectsNullName) {
    uint32_t index = 0;
    SG_EXPECT_FAILURE(sgFindStyle(character, nullptr, &index), SG_ERROR_INVALID_ARGUMENT, context, "pName is NULL");
}

TEST_F(ApiTest, FindStyle_RejectsNullOutput) {
    SG_EXPECT_FAILURE(sgFindStyle(character, "style0", nullptr), SG_ERROR_INVALID_ARGUMENT, context,
                      "pIndex is NULL");
}

TEST_F(ApiTest, FindStyle_ListsTheStylesWhenTheNameIsUnknown) {
    uint32_t index = 0;
    SG_EXPECT_FAILURE(sgFindStyle(character, "dragons", &index), SG_ERROR_INVALID_ARGUMENT, context,
                      "no style named 'dragons' in model 'tiny-character'; its styles are: style0, style1, style2");
}

// [SECTION] sgGenerate ------------------------------------------------------------------------------------

class GenerateErrors : public ApiTest {
protected:
    void SetUp() override {
        ApiTest::SetUp();
        pixels.assign(16 * 16 * 4 * 4, 0);
        buffer = imageBuffer(pixels.data(), pixels.size());
        info = neutralGenerateInfo();
    }
    SgResult run(SgModel model) { return sgGenerate(context, model, &info, &buffer); }

    std::vector<uint8_t> pixels;
    SgImageBuffer buffer{};
    SgGenerateInfo info{};
};

TEST_F(GenerateErrors, AcceptsTheBaseRequest) { EXPECT_EQ(run(character), SG_SUCCESS) << lastError(); }

TEST_F(GenerateErrors, RejectsNullContext) {
    SG_EXPECT_FAILURE(sgGenerate(nullptr, character, &info, &buffer), SG_ERROR_INVALID_ARGUMENT, nullptr,
                      "context is NULL");
}

TEST_F(GenerateErrors, RejectsNullModel) {
    SG_EXPECT_FAILURE(run(nullptr), SG_ERROR_INVALID_ARGUMENT, context, "model is NULL");
}

TEST_F(GenerateErrors, RejectsAModelOfAnotherContext) {
    const SgContextCreateInfo createInfo = sgtest::cpuContextInfo();
    SgContext other = nullptr;
    ASSERT_EQ(sgCreateContext(&createInfo, nullptr, &other), SG_SUCCESS);
    SG_EXPECT_FAILURE(sgGenerate(other, character, &info, &buffer), SG_ERROR_INVALID_ARGUMENT, other,
                      "model was loaded through another context");
    sgDestroyContext(other, nullptr);
}

TEST_F(GenerateErrors, RejectsNullGenerateInfo) {
    SG_EXPECT_FAILURE(sgGenerate(context, character, nullptr, &buffer), SG_ERROR_INVALID_ARGUMENT, context,
                      "pGenerateInfo is NULL");
}

TEST_F(GenerateErrors, RejectsWrongGenerateInfoSType) {
    info.sType = SG_STRUCTURE_TYPE_IMAGE_BUFFER;
    SG_EXPECT_FAILURE(run(character), SG_ERROR_INVALID_ARGUMENT, context, "expected SG_STRUCTURE_TYPE_GENERATE_INFO");
}

TEST_F(GenerateErrors, RejectsNullImageBuffer) {
    SG_EXPECT_FAILURE(sgGenerate(context, character, &info, nullptr), SG_ERROR_INVALID_ARGUMENT, context,
                      "pImageBuffer is NULL");
}

TEST_F(GenerateErrors, RejectsWrongImageBufferSType) {
    buffer.sType = SG_STRUCTURE_TYPE_GENERATE_INFO;
    SG_EXPECT_FAILURE(run(character), SG_ERROR_INVALID_ARGUMENT, context, "expected SG_STRUCTURE_TYPE_IMAGE_BUFFER");
}

TEST_F(GenerateErrors, RejectsZeroCount) {
    info.count = 0;
    SG_EXPECT_FAILURE(run(character), SG_ERROR_INVALID_ARGUMENT, context, "count is 0");
}

TEST_F(GenerateErrors, RejectsUnknownFlags) {
    info.flags = 0x100;
    SG_EXPECT_FAILURE(run(character), SG_ERROR_INVALID_ARGUMENT, context, "flags has unknown bits 256");
}

TEST_F(GenerateErrors, RejectsAStyleIndexOutOfRange) {
    info.styleIndex = 3;
    SG_EXPECT_FAILURE(run(character), SG_ERROR_INVALID_ARGUMENT, context,
                      "styleIndex 3 is out of range: model 'tiny-character' has 3 styles");
}

TEST_F(GenerateErrors, RejectsAWeightCountOtherThanTheStyleCount) {
    const float weights[2] = {1, 1};
    info.styleWeightCount = 2;
    info.pStyleWeights = weights;
    SG_EXPECT_FAILURE(run(character), SG_ERROR_INVALID_ARGUMENT, context,
                      "styleWeightCount is 2, expected 0 (use styleIndex) or the model's style count 3");
}

TEST_F(GenerateErrors, RejectsNullWeights) {
    info.styleWeightCount = 3;
    SG_EXPECT_FAILURE(run(character), SG_ERROR_INVALID_ARGUMENT, context, "pStyleWeights is NULL");
}

TEST_F(GenerateErrors, RejectsANegativeWeight) {
    const float weights[3] = {1, -0.5f, 1};
    info.styleWeightCount = 3;
    info.pStyleWeights = weights;
    SG_EXPECT_FAILURE(run(character), SG_ERROR_INVALID_ARGUMENT, context, "pStyleWeights[1] is -0.5");
}

TEST_F(GenerateErrors, RejectsANaNWeight) {
    const float weights[3] = {1, 1, std::nanf("")};
    info.styleWeightCount = 3;
    info.pStyleWeights = weights;
    SG_EXPECT_FAILURE(run(character), SG_ERROR_INVALID_ARGUMENT, context, "pStyleWeights[2]");
}

TEST_F(GenerateErrors, RejectsAnInfiniteWeight) {
    const float weights[3] = {INFINITY, 0, 0};
    info.styleWeightCount = 3;
    info.pStyleWeights = weights;
    SG_EXPECT_FAILURE(run(character), SG_ERROR_INVALID_ARGUMENT, context, "must be finite and non-negative");
}

TEST_F(GenerateErrors, RejectsAllZeroWeights) {
    const float weights[3] = {0, 0, 0};
    info.styleWeightCount = 3;
    info.pStyleWeights = weights;
    SG_EXPECT_FAILURE(run(character), SG_ERROR_INVALID_ARGUMENT, context, "pStyleWeights are all zero");
}

TEST_F(GenerateErrors, RejectsANonFiniteTruncationPsi) {
    info.truncationPsi = std::nanf("");
    SG_EXPECT_FAILURE(run(character), SG_ERROR_INVALID_ARGUMENT, context, "truncationPsi is not finite");
    info.truncationPsi = INFINITY;
    SG_EXPECT_FAILURE(run(character), SG_ERROR_INVALID_ARGUMENT, context, "truncationPsi is not finite");
}

TEST_F(GenerateErrors, RejectsANegativeOrNaNNoiseStrength) {
    info.noiseStrength = -1.0f;
    SG_EXPECT_FAILURE(run(character), SG_ERROR_INVALID_ARGUMENT, context, "noiseStrength is -1");
    info.noiseStrength = std::nanf("");
    SG_EXPECT_FAILURE(run(character), SG_ERROR_INVALID_ARGUMENT, context, "noiseStrength is nan");
}

TEST_F(GenerateErrors, RejectsAMixLayerBeyondTheWLayers) {
    info.flags = SG_GENERATE_STYLE_MIXING_BIT;
    info.mixLayer = 7;  // the tiny models have 6 w layers
    SG_EXPECT_FAILURE(run(character), SG_ERROR_INVALID_ARGUMENT, context,
                      "mixLayer 7 is out of range: model 'tiny-character' has 6 w layers (crossovers 0..6)");
}

TEST_F(GenerateErrors, IgnoresMixLayerWithoutTheMixingFlag) {
    info.mixLayer = 100;
    EXPECT_EQ(run(character), SG_SUCCESS) << lastError();
}

TEST_F(GenerateErrors, RejectsACharacterSizeOtherThanItsResolution) {
    info.width = 32;
    info.height = 32;
    SG_EXPECT_FAILURE(run(character), SG_ERROR_INVALID_ARGUMENT, context,
                      "width x height is 32x32, but character model 'tiny-character' only generates 16x16");
    info.width = 0;
    info.height = 8;
    SG_EXPECT_FAILURE(run(character), SG_ERROR_INVALID_ARGUMENT, context, "width x height is 16x8");
}

TEST_F(GenerateErrors, RejectsASceneSizeThatIsNotAMultipleOfTheBlock) {
    info.width = 10;
    info.height = 8;
    SG_EXPECT_FAILURE(run(scene), SG_ERROR_INVALID_ARGUMENT, context,
                      "width x height is 10x8, not a multiple of scene model 'tiny-scene''s block size 4");
}

TEST_F(GenerateErrors, RejectsASceneLargerThanTheLimit) {
    info.width = SG_MAX_IMAGE_EXTENT + 4;
    info.height = 4;
    SG_EXPECT_FAILURE(run(scene), SG_ERROR_INVALID_ARGUMENT, context, "larger than the limit of 16384 per side");
}

TEST_F(GenerateErrors, RejectsOutputBeyondThePerCallLimit) {
    info.width = SG_MAX_IMAGE_EXTENT;
    info.height = SG_MAX_IMAGE_EXTENT;
    info.format = SG_FORMAT_R32G32B32A32_SFLOAT;  // 4 GiB for one image
    SG_EXPECT_FAILURE(run(scene), SG_ERROR_INVALID_ARGUMENT, context, "bytes per call; split the request");
}

TEST_F(GenerateErrors, RejectsACountWhoseSizeOverflows) {
    info.count = std::numeric_limits<uint32_t>::max();
    info.width = SG_MAX_IMAGE_EXTENT;
    info.height = SG_MAX_IMAGE_EXTENT;
    SG_EXPECT_FAILURE(run(scene), SG_ERROR_INVALID_ARGUMENT, context, "bytes per call; split the request");
}

TEST_F(GenerateErrors, RejectsAnUnknownFormat) {
    info.format = SgFormat(44);
    SG_EXPECT_FAILURE(run(character), SG_ERROR_INVALID_ARGUMENT, context, "format 44 is not");
}

TEST_F(GenerateErrors, RejectsAnUnknownAlphaMode) {
    info.alphaMode = SgAlphaMode(2);
    SG_EXPECT_FAILURE(run(character), SG_ERROR_INVALID_ARGUMENT, context, "alphaMode 2 is not an SgAlphaMode");
}

TEST_F(GenerateErrors, RejectsARowPitchBelowTheRowSize) {
    buffer.rowPitch = 60;
    SG_EXPECT_FAILURE(run(character), SG_ERROR_INVALID_ARGUMENT, context, "rowPitch 60 must be 0 or a multiple of 4 >= 64");
}

TEST_F(GenerateErrors, RejectsARowPitchThatIsNotAMultipleOfFour) {
    buffer.rowPitch = 66;
    SG_EXPECT_FAILURE(run(character), SG_ERROR_INVALID_ARGUMENT, context, "rowPitch 66");
}

TEST_F(GenerateErrors, RejectsATooSmallBufferNamingTheSizeNeeded) {
    info.count = 2;
    buffer.size = 2 * 16 * 16 * 4 - 1;
    SG_EXPECT_FAILURE(run(character), SG_ERROR_INVALID_ARGUMENT, context,
                      "pImageBuffer->size is 2047 bytes, too small: 2 images of 16x16 need 2048 bytes");
}

TEST_F(GenerateErrors, CountsRowPitchInTheSizeNeeded) {
    buffer.rowPitch = 128;
    buffer.size = 16 * 128 - 1;
    SG_EXPECT_FAILURE(run(character), SG_ERROR_INVALID_ARGUMENT, context, "need 2048 bytes");
}

TEST_F(GenerateErrors, RejectsNullData) {
    buffer.pData = nullptr;
    SG_EXPECT_FAILURE(run(character), SG_ERROR_INVALID_ARGUMENT, context, "pData is NULL");
}

TEST_F(GenerateErrors, RejectsAMisalignedFloatBuffer) {
    info.format = SG_FORMAT_R32G32B32A32_SFLOAT;
    std::vector<uint8_t> big(16 * 16 * 16 + 4);
    buffer.pData = big.data() + 1;
    buffer.size = big.size() - 1;
    SG_EXPECT_FAILURE(run(character), SG_ERROR_INVALID_ARGUMENT, context, "must be 4-byte aligned");
}

TEST_F(GenerateErrors, LeavesTheBufferUntouchedWhenTheRequestIsInvalid) {
    std::fill(pixels.begin(), pixels.end(), 0xCD);
    info.styleIndex = 99;
    EXPECT_EQ(run(character), SG_ERROR_INVALID_ARGUMENT);
    EXPECT_TRUE(std::all_of(pixels.begin(), pixels.end(), [](uint8_t b) { return b == 0xCD; }));
}

}  // namespace
