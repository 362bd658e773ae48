// restyle_cli_test.cpp - `stylegen restyle` end to end on tiny models with a
// random encoder, and style prompts in `stylegen generate --style`.
#include <stb_image.h>
#include <stb_image_write.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "process.hpp"
#include "stylegen_philox.h"
#include "tiny_model.hpp"

namespace {

namespace fs = std::filesystem;

std::string readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

class CliRestyle : public testing::Test {
protected:
    void SetUp() override {
        std::string pattern = testing::TempDir() + "stylegen_restyle_XXXXXX";
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        root_ = pattern;
        for (sgtest::TinyKind kind : {sgtest::TinyKind::Character, sgtest::TinyKind::Scene}) {
            sgtest::TinyModelParts parts = sgtest::makeTinyModelParts(kind, 3, 7);
            sgtest::addTinyEncoder(&parts, 2);
            sgtest::writeTinyModelParts(root_.string(), kind == sgtest::TinyKind::Scene ? "scene.sgm" : "character.sgm",
                                        parts);
        }
        sgtest::writeTinyModel(root_.string(), "plain.sgm", sgtest::TinyKind::Character, 3, 7);
        writeInput("wide.png", 20, 10);
        writeInput("odd.png", 18, 14);
    }
    void TearDown() override {
        std::error_code ignored;
        fs::remove_all(root_, ignored);
    }

    // A width x height RGBA PNG of Philox noise, some pixels transparent.
    void writeInput(const std::string& name, int width, int height) {
        std::vector<uint8_t> rgba(size_t(width) * height * 4);
        for (size_t i = 0; i < rgba.size(); ++i) rgba[i] = uint8_t(sgpPhiloxBlock(3, 9, i).v[0] & 0xFF);
        for (size_t p = 0; p < rgba.size() / 4; p += 5) rgba[4 * p + 3] = 0;
        ASSERT_TRUE(stbi_write_png((root_ / name).c_str(), width, height, 4, rgba.data(), width * 4));
    }

    // Runs the CLI in root_.
    sgtest::ProcessResult stylegen(std::vector<std::string> args) {
        args.insert(args.begin(), STYLEGEN_CLI_PATH);
        return sgtest::runProcess(args, {root_.string(), {}});
    }

    // Width and height of a PNG, {0, 0} if it cannot be read.
    std::pair<int, int> pngSize(const std::string& name) {
        int w = 0, h = 0, channels = 0;
        if (!stbi_info((root_ / name).c_str(), &w, &h, &channels)) return {0, 0};
        return {w, h};
    }

    void expectUsageError(const sgtest::ProcessResult& r, const std::string& text) {
        EXPECT_EQ(r.exitCode, 2) << r.err;
        EXPECT_NE(r.err.find(text), std::string::npos) << r.err;
    }

    fs::path root_;
};

TEST_F(CliRestyle, WritesAPngOfTheModelsSizeAndSaysWhatItDid) {
    const sgtest::ProcessResult r =
        stylegen({"restyle", "wide.png", "--model", "character.sgm", "--style", "style2", "-o", "out.png"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(pngSize("out.png"), std::make_pair(16, 16));
    EXPECT_NE(r.out.find("wrote out.png (16x16)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("restyled 20x10 to 16x16 (strength 0.5, 0 refinement steps)"), std::string::npos) << r.out;
}

TEST_F(CliRestyle, SceneSizesAreRoundedToWholeBlocks) {
    const sgtest::ProcessResult r =
        stylegen({"restyle", "odd.png", "--model", "scene.sgm", "--style", "style1", "-o", "out.png"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(pngSize("out.png"), std::make_pair(20, 16));
}

TEST_F(CliRestyle, SameArgumentsGiveIdenticalBytesOnAnyThreadCount) {
    const std::vector<std::string> args = {"restyle", "odd.png", "--model", "scene.sgm", "--style",
                                           "style0:0.3 + style2:0.7", "--strength", "0.8", "--refine", "3",
                                           "--source", "style1"};
    std::vector<std::string> files;
    for (const char* threads : {"1", "3", "3"}) {
        const std::string file = "out" + std::to_string(files.size()) + ".png";
        std::vector<std::string> a = args;
        a.insert(a.end(), {"--threads", threads, "-o", file});
        const sgtest::ProcessResult r = stylegen(a);
        ASSERT_EQ(r.exitCode, 0) << r.err;
        files.push_back(file);
    }
    EXPECT_EQ(readFile(root_ / files[0]), readFile(root_ / files[1]));
    EXPECT_EQ(readFile(root_ / files[1]), readFile(root_ / files[2]));
}

TEST_F(CliRestyle, StrengthZeroRedrawsTheImageWhateverTheTarget) {
    for (const char* style : {"style0", "style2"}) {
        const sgtest::ProcessResult r = stylegen({"restyle", "wide.png", "--model", "character.sgm", "--style", style,
                                                  "--strength", "0", "-o", std::string(style) + ".png"});
        ASSERT_EQ(r.exitCode, 0) << r.err;
    }
    EXPECT_EQ(readFile(root_ / "style0.png"), readFile(root_ / "style2.png"));
    const sgtest::ProcessResult r = stylegen({"restyle", "wide.png", "--model", "character.sgm", "--style", "style2",
                                              "--source", "style0", "--strength", "1", "-o", "moved.png"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(readFile(root_ / "style0.png"), readFile(root_ / "moved.png"));
}

TEST_F(CliRestyle, AModelWithoutAnEncoderFails) {
    const sgtest::ProcessResult r =
        stylegen({"restyle", "wide.png", "--model", "plain.sgm", "--style", "style0", "-o", "out.png"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("model 'tiny-character' has no encoder"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(root_ / "out.png"));
}

TEST_F(CliRestyle, BadCommandLinesAreUsageErrors) {
    const std::vector<std::string> base = {"restyle", "wide.png", "--model", "character.sgm", "--style", "style0",
                                           "-o", "out.png"};
    auto with = [&](std::vector<std::string> extra) {
        std::vector<std::string> a = base;
        a.insert(a.end(), extra.begin(), extra.end());
        return stylegen(a);
    };
    expectUsageError(stylegen({"restyle", "wide.png", "--style", "style0", "-o", "out.png"}), "needs --model");
    expectUsageError(stylegen({"restyle", "wide.png", "--model", "character.sgm", "-o", "out.png"}), "needs --style");
    expectUsageError(stylegen({"restyle", "wide.png", "--model", "character.sgm", "--style", "style0"}),
                     "needs -o OUTPUT.png");
    expectUsageError(stylegen({"restyle", "--model", "character.sgm", "--style", "style0", "-o", "out.png"}),
                     "exactly one INPUT.png");
    expectUsageError(with({"--strength", "1.5"}), "--strength '1.5': expected a number from 0 to 1");
    expectUsageError(with({"--refine", "1001"}), "--refine '1001': expected a whole number from 0 to 1000");
    expectUsageError(with({"--source", "dragons"}), "--source: unknown style 'dragons'");
    expectUsageError(stylegen({"restyle", "wide.png", "--model", "character.sgm", "--style", "style0:0.5 + dragons",
                               "-o", "out.png"}),
                     "--style 'style0:0.5 + dragons': unknown style 'dragons' at column 14");
    EXPECT_FALSE(fs::exists(root_ / "out.png"));
}

TEST_F(CliRestyle, UnreadableInputAndMissingOutputFolderFail) {
    sgtest::ProcessResult r =
        stylegen({"restyle", "missing.png", "--model", "character.sgm", "--style", "style0", "-o", "out.png"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("cannot read missing.png: No such file or directory"), std::string::npos) << r.err;
    std::ofstream(root_ / "text.png") << "not an image";
    r = stylegen({"restyle", "text.png", "--model", "character.sgm", "--style", "style0", "-o", "out.png"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("cannot decode text.png"), std::string::npos) << r.err;
    r = stylegen({"restyle", "wide.png", "--model", "character.sgm", "--style", "style0", "-o", "no/out.png"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("output folder no does not exist"), std::string::npos) << r.err;
}

TEST_F(CliRestyle, GenerateTakesAStylePrompt) {
    fs::create_directory(root_ / "prompt");
    fs::create_directory(root_ / "blend");
    sgtest::ProcessResult r = stylegen({"generate", "character.sgm", "--style", "style0:1 + style1:3", "--seeds", "4",
                                        "-o", "prompt"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    r = stylegen({"generate", "character.sgm", "--blend", "style0:0.25,style1:0.75", "--seeds", "4", "-o", "blend"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    // Named after the normalised weights, with the pixels of the same --blend.
    const std::string name = "blend-style0_0.25+style1_0.75_seed4.png";
    const std::string prompted = readFile(root_ / "prompt" / name);
    EXPECT_FALSE(prompted.empty());
    EXPECT_EQ(prompted, readFile(root_ / "blend" / name));
    expectUsageError(stylegen({"generate", "character.sgm", "--style", "style0:-1", "-o", "prompt"}),
                     "--style 'style0:-1': bad weight '-1' for 'style0' at column 8");
}

}  // namespace
