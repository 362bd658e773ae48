// runtime_sample_test.cpp - runs the runtime sample (samples/runtime) headless
// under the validation layer: once re-rolling the crowd, once changing the
// floor, once doing neither. Checks the exit status, that the layer said
// nothing, the screenshots, and that a character texture read back from the
// GPU equals sgGenerate's for the parameters the sample printed.
#include <gtest/gtest.h>
#include <stb_image.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "stylegen/stylegen.h"

namespace {

namespace fs = std::filesystem;

constexpr int kWidth = 480;
constexpr int kHeight = 270;
constexpr uint32_t kDumpedCharacter = 37;

struct Png {
    int width = 0;
    int height = 0;
    std::vector<uint8_t> rgba;
};

std::optional<Png> readPng(const fs::path& path) {
    Png png;
    int channels = 0;
    uint8_t* data = stbi_load(path.c_str(), &png.width, &png.height, &channels, 4);
    if (!data) return std::nullopt;
    png.rgba.assign(data, data + size_t(png.width) * png.height * 4);
    stbi_image_free(data);
    return png;
}

struct SampleRun {
    int exitCode = -1;
    std::string output;  // stdout and stderr
    fs::path screenshot;
    fs::path character;  // kDumpedCharacter's texture
};

// Runs the sample with the test's models, size and outputs in folder/name.*.
SampleRun runSample(const fs::path& folder, const std::string& name, const std::string& extraArguments) {
    SampleRun run;
    run.screenshot = folder / (name + ".png");
    run.character = folder / (name + "-character.png");
    const std::string models = STYLEGEN_TEST_MODELS_DIR;
    const std::string command =
        std::string("'") + STYLEGEN_RUNTIME_SAMPLE_PATH + "' --headless --validation" + " --characters-model '" +
        models + "/characters.sgm' --terrain-model '" + models + "/terrain.sgm' --size " + std::to_string(kWidth) +
        "x" + std::to_string(kHeight) + " --screenshot '" + run.screenshot.string() + "' --dump-character " +
        std::to_string(kDumpedCharacter) + " '" + run.character.string() + "' " + extraArguments + " 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) return run;
    char buffer[4096];
    size_t n = 0;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) run.output.append(buffer, n);
    const int status = pclose(pipe);
    run.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
}

// Why Vulkan cannot run the sample here, or "" (the sample says so and exits 1).
std::string vulkanUnavailable(const SampleRun& run) {
    for (const char* reason : {"no Vulkan driver", "is not installed", "no Vulkan device"})
        if (run.exitCode == 1 && run.output.find(reason) != std::string::npos) return run.output;
    return "";
}

double lumaVariance(const Png& png, int y0, int y1) {
    double sum = 0, sumSquares = 0;
    size_t n = 0;
    for (int y = y0; y < y1; ++y)
        for (int x = 0; x < png.width; ++x) {
            const uint8_t* p = &png.rgba[(size_t(y) * png.width + x) * 4];
            const double luma = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
            sum += luma;
            sumSquares += luma * luma;
            ++n;
        }
    const double mean = sum / double(n);
    return sumSquares / double(n) - mean * mean;
}

// The parameters the sample printed for the dumped character.
struct CharacterParameters {
    std::string style;
    uint64_t seed = 0;
    float psi = 0.0f;
};

std::optional<CharacterParameters> parseCharacter(const std::string& output) {
    const std::regex line("character " + std::to_string(kDumpedCharacter) +
                          ": style=(\\S+) seed=(\\d+) psi=(\\S+) noise=1 alpha=premultiplied");
    std::smatch m;
    if (!std::regex_search(output, m, line)) return std::nullopt;
    return CharacterParameters{m[1].str(), std::stoull(m[2].str()), std::stof(m[3].str())};
}

// What sgGenerate makes in host memory for those parameters.
std::vector<uint8_t> generateOnHost(const CharacterParameters& p) {
    SgContextCreateInfo contextInfo{};
    contextInfo.sType = SG_STRUCTURE_TYPE_CONTEXT_CREATE_INFO;
    contextInfo.backendPreference = SG_BACKEND_PREFERENCE_CPU;
    SgContext context = nullptr;
    EXPECT_EQ(sgCreateContext(&contextInfo, nullptr, &context), SG_SUCCESS);
    SgModel model = nullptr;
    const std::string path = std::string(STYLEGEN_TEST_MODELS_DIR) + "/characters.sgm";
    EXPECT_EQ(sgLoadModelFromFile(context, path.c_str(), &model), SG_SUCCESS) << sgGetLastErrorMessage(context);
    uint32_t style = 0;
    EXPECT_EQ(sgFindStyle(model, p.style.c_str(), &style), SG_SUCCESS) << sgGetLastErrorMessage(context);
    SgModelInfo info{};
    info.sType = SG_STRUCTURE_TYPE_MODEL_INFO;
    EXPECT_EQ(sgGetModelInfo(model, &info), SG_SUCCESS);
    SgGenerateInfo gi{};
    gi.sType = SG_STRUCTURE_TYPE_GENERATE_INFO;
    gi.count = 1;
    gi.firstSeed = p.seed;
    gi.styleIndex = style;
    gi.truncationPsi = p.psi;
    gi.noiseStrength = 1.0f;
    gi.format = SG_FORMAT_R8G8B8A8_UNORM;
    gi.alphaMode = SG_ALPHA_MODE_PREMULTIPLIED;
    std::vector<uint8_t> pixels(size_t(info.resolution) * info.resolution * 4);
    SgImageBuffer out{};
    out.sType = SG_STRUCTURE_TYPE_IMAGE_BUFFER;
    out.pData = pixels.data();
    out.size = pixels.size();
    EXPECT_EQ(sgGenerate(context, model, &gi, &out), SG_SUCCESS) << sgGetLastErrorMessage(context);
    sgDestroyModel(context, model);
    sgDestroyContext(context, nullptr);
    return pixels;
}

// Both runs are shared by the tests: each generates 256 textures or more.
class RuntimeSampleTest : public testing::Test {
protected:
    static void SetUpTestSuite() {
        std::string pattern = testing::TempDir() + "stylegen_runtime_XXXXXX";
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        folder_ = new fs::path(pattern);
        // Three frames: the load, a frame, and a re-roll of every character in the last.
        rerolled_ = new SampleRun(runSample(*folder_, "rerolled", "--frames 3 --reroll-every 2 --reroll-batch 0"));
        initial_ = new SampleRun(runSample(*folder_, "initial", "--frames 1"));
        // The floor regenerated (and its mips rebuilt) while earlier frames sample it.
        newFloor_ = new SampleRun(runSample(*folder_, "new-floor", "--frames 3 --floor-every 2"));
    }
    static void TearDownTestSuite() {
        fs::remove_all(*folder_);
        delete folder_;
        delete rerolled_;
        delete initial_;
        delete newFloor_;
    }
    void SetUp() override {
        const std::string why = vulkanUnavailable(*rerolled_);
        if (!why.empty()) GTEST_SKIP() << "Vulkan cannot run the sample here: " << why;
    }

    static fs::path* folder_;
    static SampleRun* rerolled_;
    static SampleRun* initial_;
    static SampleRun* newFloor_;
};
fs::path* RuntimeSampleTest::folder_ = nullptr;
SampleRun* RuntimeSampleTest::rerolled_ = nullptr;
SampleRun* RuntimeSampleTest::initial_ = nullptr;
SampleRun* RuntimeSampleTest::newFloor_ = nullptr;

TEST_F(RuntimeSampleTest, HeadlessRuns_ExitZeroWithoutValidationMessages) {
    for (const SampleRun* run : {rerolled_, initial_, newFloor_}) {
        EXPECT_EQ(run->exitCode, 0) << run->output;
        EXPECT_NE(run->output.find("validation: 0 messages"), std::string::npos) << run->output;
        EXPECT_NE(run->output.find("validation and synchronization validation on"), std::string::npos);
    }
}

TEST_F(RuntimeSampleTest, Screenshot_HasTheSizeAndShowsATexturedFloor) {
    const std::optional<Png> png = readPng(rerolled_->screenshot);
    ASSERT_TRUE(png) << rerolled_->output;
    EXPECT_EQ(png->width, kWidth);
    EXPECT_EQ(png->height, kHeight);
    // The bottom tenth is floor in front of the crowd: the tiled terrain
    // texture, not a flat colour.
    EXPECT_GT(lumaVariance(*png, kHeight * 9 / 10, kHeight), 20.0);
    EXPECT_GT(lumaVariance(*png, 0, kHeight), 100.0);
}

TEST_F(RuntimeSampleTest, Reroll_ChangesCharacterPixelsButNotTheWholeScene) {
    const std::optional<Png> rerolled = readPng(rerolled_->screenshot);
    const std::optional<Png> initial = readPng(initial_->screenshot);
    ASSERT_TRUE(rerolled && initial) << rerolled_->output << initial_->output;
    ASSERT_EQ(rerolled->rgba.size(), initial->rgba.size());
    // Same camera, same floor: only the characters' new textures differ.
    size_t changed = 0;
    for (size_t i = 0; i < rerolled->rgba.size(); i += 4)
        if (std::memcmp(&rerolled->rgba[i], &initial->rgba[i], 3) != 0) ++changed;
    const size_t pixels = size_t(kWidth) * kHeight;
    EXPECT_GT(changed, pixels / 50) << changed << " of " << pixels << " pixels changed";
    EXPECT_LT(changed, pixels / 2) << changed << " of " << pixels << " pixels changed";
    // The bottom rows are floor only, and identical.
    const size_t bottom = size_t(kWidth) * 4 * (kHeight - 4);
    EXPECT_TRUE(std::equal(rerolled->rgba.begin() + bottom, rerolled->rgba.end(), initial->rgba.begin() + bottom));
}

TEST_F(RuntimeSampleTest, NextFloor_ChangesTheFloor) {
    const std::optional<Png> newFloor = readPng(newFloor_->screenshot);
    const std::optional<Png> initial = readPng(initial_->screenshot);
    ASSERT_TRUE(newFloor && initial) << newFloor_->output << initial_->output;
    ASSERT_EQ(newFloor->rgba.size(), initial->rgba.size());
    EXPECT_NE(newFloor_->output.find("floor: "), std::string::npos) << newFloor_->output;
    // The bottom rows are floor only: another material there.
    const size_t bottom = size_t(kWidth) * 4 * (kHeight - 4);
    EXPECT_FALSE(std::equal(newFloor->rgba.begin() + bottom, newFloor->rgba.end(), initial->rgba.begin() + bottom));
}

TEST_F(RuntimeSampleTest, CharacterTextureOnTheGpu_EqualsSgGenerate) {
    for (const SampleRun* run : {rerolled_, initial_}) {
        const std::optional<CharacterParameters> parameters = parseCharacter(run->output);
        ASSERT_TRUE(parameters) << run->output;
        const std::optional<Png> gpu = readPng(run->character);
        ASSERT_TRUE(gpu) << run->output;
        const std::vector<uint8_t> host = generateOnHost(*parameters);
        ASSERT_EQ(gpu->rgba.size(), host.size());
        EXPECT_TRUE(gpu->rgba == host) << "character " << kDumpedCharacter << " (" << parameters->style << ", seed "
                                       << parameters->seed << ") differs from sgGenerate";
        // Not an empty sprite: some texels are opaque.
        size_t opaque = 0;
        for (size_t i = 3; i < host.size(); i += 4) opaque += host[i] == 255;
        EXPECT_GT(opaque, 50u);
    }
    // The re-roll gave the character a new seed.
    EXPECT_NE(parseCharacter(rerolled_->output)->seed, parseCharacter(initial_->output)->seed);
}

}  // namespace
