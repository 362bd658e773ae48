// cli_test.cpp - runs the built `stylegen` executable on tiny models and checks
// what it prints, the files it writes and its exit codes.
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stb_image.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "process.hpp"
#include "tiny_model.hpp"

namespace {

namespace fs = std::filesystem;

constexpr uid_t kNobody = 65534;

struct RunResult {
    int exitCode = -1;
    std::string out;
    std::string err;
};

struct RunOptions {
    std::optional<rlim_t> fileSizeLimit;  // RLIMIT_FSIZE: a disk that fills up after this many bytes
    bool unprivileged = false;            // run as nobody when the tests run as root, so permissions apply
};

struct Png {
    int width = 0;
    int height = 0;
    std::vector<uint8_t> rgba;
    const uint8_t* at(int x, int y) const { return &rgba[(size_t(y) * width + x) * 4]; }
};

std::string readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::optional<Png> readPng(const fs::path& path) {
    Png png;
    int channels = 0;
    uint8_t* data = stbi_load(path.c_str(), &png.width, &png.height, &channels, 4);
    if (!data) return std::nullopt;
    png.rgba.assign(data, data + size_t(png.width) * png.height * 4);
    stbi_image_free(data);
    return png;
}

std::vector<std::string> listFolder(const fs::path& folder) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(folder)) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

class CliTest : public testing::Test {
protected:
    void SetUp() override {
        std::string pattern = testing::TempDir() + "stylegen_cli_XXXXXX";
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        root_ = pattern;
        // Readable by the unprivileged user some tests run the CLI as.
        fs::permissions(root_, fs::perms(0755));
        out_ = root_ / "out";
        fs::create_directory(out_);
        character_ = sgtest::writeTinyModel(root_.string(), "character.sgm", sgtest::TinyKind::Character, 3, 7);
        scene_ = sgtest::writeTinyModel(root_.string(), "scene.sgm", sgtest::TinyKind::Scene, 2, 7);
        for (const std::string& model : {character_, scene_}) fs::permissions(model, fs::perms(0644));
    }

    void TearDown() override {
        std::error_code ignored;
        for (const auto& entry : fs::recursive_directory_iterator(root_, ignored)) {
            if (entry.is_directory()) {
                fs::permissions(entry.path(), fs::perms::owner_all, fs::perm_options::add, ignored);
            }
        }
        fs::remove_all(root_, ignored);
    }

    // Runs the CLI with `args`; stdout and stderr go through files so neither
    // can fill a pipe and block.
    RunResult run(const std::vector<std::string>& args, const RunOptions& options = {}) {
        const fs::path outFile = root_ / "stdout.txt";
        const fs::path errFile = root_ / "stderr.txt";
        std::vector<std::string> argvStrings = {STYLEGEN_CLI_PATH};
        argvStrings.insert(argvStrings.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (std::string& s : argvStrings) argv.push_back(s.data());
        argv.push_back(nullptr);

        const pid_t pid = fork();
        if (pid == 0) {
            const int outFd = open(outFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
            const int errFd = open(errFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
            if (outFd < 0 || errFd < 0 || dup2(outFd, 1) < 0 || dup2(errFd, 2) < 0) _exit(126);
            if (options.fileSizeLimit) {
                // Ignored, SIGXFSZ makes write() fail with EFBIG as a full disk fails with ENOSPC.
                signal(SIGXFSZ, SIG_IGN);
                const rlimit limit{*options.fileSizeLimit, *options.fileSizeLimit};
                if (setrlimit(RLIMIT_FSIZE, &limit) != 0) _exit(126);
            }
            if (options.unprivileged && geteuid() == 0) {
                if (setgroups(0, nullptr) != 0 || setgid(kNobody) != 0 || setuid(kNobody) != 0) _exit(126);
            }
            execv(argv[0], argv.data());
            _exit(127);
        }
        RunResult result;
        int status = 0;
        if (pid > 0 && waitpid(pid, &status, 0) == pid) {
            result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        result.out = readFile(outFile);
        result.err = readFile(errFile);
        fs::remove(outFile);
        fs::remove(errFile);
        return result;
    }

    fs::path root_;
    fs::path out_;
    std::string character_;  // styles style0..style2, 16x16 RGBA, block size 4
    std::string scene_;      // styles style0..style1, tileable RGB, block size 4
};

using CliInspect = CliTest;
using CliGenerate = CliTest;
using CliSheet = CliTest;
using CliErrors = CliTest;

// [SECTION] inspect

TEST_F(CliInspect, ListsKindResolutionAndStyles) {
    const RunResult r = run({"inspect", character_});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("kind        character"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("resolution  16x16"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("block size  4"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("tileable    no"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("    0  style0\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("    2  style2\n"), std::string::npos) << r.out;
}

TEST_F(CliInspect, JsonParsesWithEveryField) {
    const RunResult r = run({"inspect", scene_, "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const nlohmann::json j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j.at("name"), "tiny-scene");
    EXPECT_EQ(j.at("kind"), "scene");
    EXPECT_EQ(j.at("resolution"), 16);
    EXPECT_EQ(j.at("block_size"), 4);
    EXPECT_EQ(j.at("channels"), 3);
    EXPECT_EQ(j.at("tileable"), true);
    EXPECT_EQ(j.at("w_layers"), 6);  // 2 per block, blocks at 4, 8, 16
    EXPECT_EQ(j.at("content_hash").get<std::string>().size(), 64u);
    ASSERT_EQ(j.at("styles").size(), 2u);
    EXPECT_EQ(j.at("styles")[1].at("index"), 1);
    EXPECT_EQ(j.at("styles")[1].at("name"), "style1");
}

// A scene model with a periodic input (4 cells of 4 px, starting 2 cells in):
// inspect shows its pattern; generate notes a size that breaks it, and not one
// that repeats it whole.
TEST_F(CliInspect, ShowsAPatternAndGenerateNotesSizesThatBreakIt) {
    sgtest::TinyModelParts parts = sgtest::makeTinyModelParts(sgtest::TinyKind::Scene, 2, 7);
    sgtest::addTinyPeriodicInput(&parts);
    const std::string periodic = sgtest::writeTinyModelParts(root_.string(), "periodic.sgm", parts);

    RunResult r = run({"inspect", periodic});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("pattern     every 16 px"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("textures start 8 px in"), std::string::npos) << r.out;
    r = run({"inspect", periodic, "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out).at("pattern_period"), 16);
    EXPECT_EQ(nlohmann::json::parse(r.out).at("generate_offset"), 8);
    r = run({"inspect", scene_});
    EXPECT_EQ(r.out.find("pattern"), std::string::npos) << r.out;

    r = run({"generate", periodic, "--size", "24x16", "-o", out_});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.err.find("24x16 is not a multiple of model 'tiny-scene''s 16-pixel pattern"), std::string::npos)
        << r.err;
    r = run({"generate", periodic, "--size", "32x16", "--seed", "1", "-o", out_});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(r.err.find("pattern"), std::string::npos) << r.err;
}

TEST_F(CliInspect, HelpExitsZeroAndDescribesJson) {
    const RunResult r = run({"inspect", "--help"});
    EXPECT_EQ(r.exitCode, 0);
    EXPECT_NE(r.out.find("--json"), std::string::npos);
}

// [SECTION] generate -o DIR

TEST_F(CliGenerate, WritesOnePngPerSeedNamedByStyleAndSeed) {
    const RunResult r = run({"generate", character_, "--style", "style1", "--seeds", "1,2,5-6", "-o", out_});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const std::vector<std::string> expected = {"style1_seed1.png", "style1_seed2.png", "style1_seed5.png",
                                               "style1_seed6.png"};
    ASSERT_EQ(listFolder(out_), expected);
    for (const std::string& name : expected) {
        const std::optional<Png> png = readPng(out_ / name);
        ASSERT_TRUE(png) << name;
        EXPECT_EQ(png->width, 16);
        EXPECT_EQ(png->height, 16);
    }
}

TEST_F(CliGenerate, PrintsWrittenPathsAndTiming) {
    const RunResult r = run({"generate", character_, "--count", "2", "--seed", "10", "-o", out_});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("wrote " + (out_ / "style0_seed10.png").string()), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("wrote " + (out_ / "style0_seed11.png").string()), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("generated 2 images"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("ms/image"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("images/s"), std::string::npos) << r.out;
}

TEST_F(CliGenerate, AllStylesWritesEveryStyleTimesEverySeed) {
    const RunResult r = run({"generate", character_, "--all-styles", "--count", "2", "-o", out_});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const std::vector<std::string> expected = {"style0_seed0.png", "style0_seed1.png", "style1_seed0.png",
                                               "style1_seed1.png", "style2_seed0.png", "style2_seed1.png"};
    EXPECT_EQ(listFolder(out_), expected);
}

TEST_F(CliGenerate, StyleByIndexMatchesStyleByName) {
    ASSERT_EQ(run({"generate", character_, "--style", "style2", "-o", out_}).exitCode, 0);
    const std::string byName = readFile(out_ / "style2_seed0.png");
    fs::remove(out_ / "style2_seed0.png");
    ASSERT_EQ(run({"generate", character_, "--style", "2", "-o", out_}).exitCode, 0);
    EXPECT_EQ(readFile(out_ / "style2_seed0.png"), byName);
}

TEST_F(CliGenerate, BlendWritesOneFileNamedAfterTheBlend) {
    const RunResult r = run({"generate", character_, "--blend", "style0:0.7,style2:0.3", "-o", out_});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(listFolder(out_), std::vector<std::string>{"blend-style0_0.7+style2_0.3_seed0.png"});
}

TEST_F(CliGenerate, SceneSizeTileAndScaleSetTheImageSize) {
    const RunResult r =
        run({"generate", scene_, "--size", "24x8", "--tile", "2x1", "--scale", "2", "-o", out_});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const std::optional<Png> png = readPng(out_ / "style0_seed0.png");
    ASSERT_TRUE(png);
    EXPECT_EQ(png->width, 24 * 2 * 2);
    EXPECT_EQ(png->height, 8 * 2);
}

TEST_F(CliGenerate, TileRepeatsTheTexture) {
    ASSERT_EQ(run({"generate", scene_, "--tile", "2x2", "-o", out_}).exitCode, 0);
    const std::optional<Png> png = readPng(out_ / "style0_seed0.png");
    ASSERT_TRUE(png);
    ASSERT_EQ(png->width, 32);
    for (int y = 0; y < 16; ++y) {
        for (int x = 0; x < 16; ++x) {
            ASSERT_EQ(std::memcmp(png->at(x, y), png->at(x + 16, y + 16), 4), 0) << x << "," << y;
        }
    }
}

TEST_F(CliGenerate, ScaleIsNearestNeighbour) {
    ASSERT_EQ(run({"generate", character_, "-o", out_}).exitCode, 0);
    const std::optional<Png> small = readPng(out_ / "style0_seed0.png");
    ASSERT_EQ(run({"generate", character_, "--scale", "3", "-o", out_}).exitCode, 0);
    const std::optional<Png> large = readPng(out_ / "style0_seed0.png");
    ASSERT_TRUE(small && large);
    ASSERT_EQ(large->width, 48);
    for (int y = 0; y < 48; ++y) {
        for (int x = 0; x < 48; ++x) ASSERT_EQ(std::memcmp(large->at(x, y), small->at(x / 3, y / 3), 4), 0);
    }
}

TEST_F(CliGenerate, PremultipliedColourNeverExceedsAlpha) {
    ASSERT_EQ(run({"generate", character_, "--count", "3", "--premultiplied", "-o", out_}).exitCode, 0);
    for (const std::string& name : listFolder(out_)) {
        const std::optional<Png> png = readPng(out_ / name);
        ASSERT_TRUE(png);
        for (size_t i = 0; i < png->rgba.size(); i += 4) {
            ASSERT_LE(std::max({png->rgba[i], png->rgba[i + 1], png->rgba[i + 2]}), png->rgba[i + 3]) << name;
        }
    }
}

TEST_F(CliGenerate, MixSeedChangesTheImage) {
    ASSERT_EQ(run({"generate", character_, "--seed", "3", "-o", out_}).exitCode, 0);
    ASSERT_EQ(run({"generate", character_, "--seed", "3", "--mix-seed", "99", "--mix-layer", "1", "-o", out_}).exitCode,
              0);
    const std::optional<Png> plain = readPng(out_ / "style0_seed3.png");
    const std::optional<Png> mixed = readPng(out_ / "style0_seed3_mix99.png");
    ASSERT_TRUE(plain && mixed);
    EXPECT_NE(plain->rgba, mixed->rgba);
}

TEST_F(CliGenerate, HelpListsTheOptions) {
    const RunResult r = run({"generate", "--help"});
    EXPECT_EQ(r.exitCode, 0);
    for (const char* option : {"--style", "--blend", "--seeds", "--count", "--psi", "--mix-seed", "--mix-layer",
                               "--noise", "--size", "--all-styles", "--threads", "--sheet", "--sheet-columns",
                               "--scale", "--tile", "--premultiplied", "--verbose"}) {
        EXPECT_NE(r.out.find(option), std::string::npos) << option;
    }
}

TEST_F(CliGenerate, VerbosePrintsTheBackend) {
    const RunResult r = run({"generate", character_, "--backend", "cpu", "--threads", "2", "--verbose", "-o", out_});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.err.find("backend cpu"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("2 threads"), std::string::npos) << r.err;
}

// [SECTION] generate --sheet

// Layout (docs/cli.md): margin 8, gap 4, labels 5x7 glyphs at 2x with 1 blank
// column, so "style0" is (6 * 6 - 1) * 2 = 70 pixels wide plus 8 to the cells.
TEST_F(CliSheet, HasOneRowPerStyleAndOneColumnPerSeed) {
    const fs::path sheet = out_ / "sheet.png";
    const RunResult r =
        run({"generate", character_, "--all-styles", "--count", "4", "--scale", "2", "--sheet", sheet});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("wrote " + sheet.string()), std::string::npos) << r.out;
    const std::optional<Png> png = readPng(sheet);
    ASSERT_TRUE(png);
    EXPECT_EQ(png->width, 8 + 70 + 8 + 4 * 32 + 3 * 4 + 8);
    EXPECT_EQ(png->height, 8 + 3 * 32 + 2 * 4 + 8);
}

TEST_F(CliSheet, ColumnsWrapARowOntoMoreLines) {
    const fs::path sheet = out_ / "sheet.png";
    ASSERT_EQ(run({"generate", character_, "--count", "5", "--sheet-columns", "2", "--sheet", sheet}).exitCode, 0);
    const std::optional<Png> png = readPng(sheet);
    ASSERT_TRUE(png);
    EXPECT_EQ(png->width, 8 + 70 + 8 + 2 * 16 + 4 + 8);
    EXPECT_EQ(png->height, 8 + 3 * 16 + 2 * 4 + 8);  // 5 cells on 3 lines
}

TEST_F(CliSheet, IsOpaqueWithLabelTextAtTheRowStart) {
    const fs::path sheet = out_ / "sheet.png";
    ASSERT_EQ(run({"generate", character_, "--all-styles", "--sheet", sheet}).exitCode, 0);
    const std::optional<Png> png = readPng(sheet);
    ASSERT_TRUE(png);
    for (size_t i = 3; i < png->rgba.size(); i += 4) ASSERT_EQ(png->rgba[i], 255);
    int labelPixels = 0;
    for (int y = 8; y < 8 + 16; ++y) {
        for (int x = 8; x < 8 + 70; ++x) labelPixels += png->at(x, y)[0] == 0xE8;
    }
    EXPECT_GT(labelPixels, 50);
}

TEST_F(CliSheet, SameArgumentsGiveIdenticalBytes) {
    const std::vector<std::string> args = {"generate", scene_, "--all-styles", "--count", "3", "--psi", "0.7",
                                           "--size", "16x8", "--tile", "2x2", "--sheet"};
    std::vector<std::string> first = args, second = args;
    first.push_back(out_ / "a.png");
    second.push_back(out_ / "b.png");
    second.insert(second.end(), {"--threads", "1"});
    ASSERT_EQ(run(first).exitCode, 0);
    ASSERT_EQ(run(second).exitCode, 0);
    const std::string a = readFile(out_ / "a.png");
    EXPECT_FALSE(a.empty());
    EXPECT_EQ(a, readFile(out_ / "b.png"));
}

TEST_F(CliSheet, DifferentSeedsGiveDifferentSheets) {
    ASSERT_EQ(run({"generate", character_, "--seeds", "1,2", "--sheet", out_ / "a.png"}).exitCode, 0);
    ASSERT_EQ(run({"generate", character_, "--seeds", "3,4", "--sheet", out_ / "b.png"}).exitCode, 0);
    EXPECT_NE(readFile(out_ / "a.png"), readFile(out_ / "b.png"));
}

// [SECTION] errors

void expectUsageError(const RunResult& r, const std::string& message) {
    EXPECT_EQ(r.exitCode, 2) << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
}

TEST_F(CliErrors, UnknownStyleIsAUsageErrorListingTheStyles) {
    const RunResult r = run({"generate", character_, "--style", "dragons", "-o", out_});
    expectUsageError(r, "unknown style 'dragons'");
    EXPECT_NE(r.err.find("style0, style1, style2"), std::string::npos) << r.err;
    EXPECT_TRUE(listFolder(out_).empty());
}

TEST_F(CliErrors, UnknownBlendStyleIsAUsageError) {
    expectUsageError(run({"generate", character_, "--blend", "style0:0.5,ogres:0.5", "-o", out_}),
                     "unknown style 'ogres'");
}

TEST_F(CliErrors, BadSeedListIsAUsageError) {
    expectUsageError(run({"generate", character_, "--seeds", "1,x", "-o", out_}), "--seeds '1,x': 'x'");
    expectUsageError(run({"generate", character_, "--seeds", "9-5", "-o", out_}), "range '9-5' goes backwards");
    expectUsageError(run({"generate", character_, "--seeds", "1,,2", "-o", out_}), "--seeds");
}

TEST_F(CliErrors, SizeNotAMultipleOfTheBlockIsAUsageError) {
    expectUsageError(run({"generate", scene_, "--size", "18x16", "-o", out_}), "multiples of the model's block size 4");
}

TEST_F(CliErrors, CharacterModelRejectsAnotherSize) {
    expectUsageError(run({"generate", character_, "--size", "32x32", "-o", out_}), "only generates 16x16");
}

TEST_F(CliErrors, TileOnACharacterModelIsAUsageError) {
    expectUsageError(run({"generate", character_, "--tile", "2x2", "-o", out_}), "is not tileable");
}

TEST_F(CliErrors, MixLayerBeyondTheModelIsAUsageError) {
    expectUsageError(run({"generate", character_, "--mix-seed", "1", "--mix-layer", "7", "-o", out_}),
                     "--mix-layer 7: the model has 6 w layers");
}

TEST_F(CliErrors, UnknownOptionAndBadValuesAreUsageErrors) {
    expectUsageError(run({"generate", character_, "--bogus", "-o", out_}), "unknown option --bogus");
    expectUsageError(run({"generate", character_, "--psi", "1.5", "-o", out_}), "--psi '1.5'");
    expectUsageError(run({"generate", character_, "--count", "0", "-o", out_}), "--count '0'");
    expectUsageError(run({"generate", character_, "--scale", "two", "-o", out_}), "--scale 'two'");
    expectUsageError(run({"generate", character_, "--style"}), "option --style needs a value");
    expectUsageError(run({"generate", character_, "--sheet", out_}), "is a folder");
    expectUsageError(run({"frobnicate"}), "unknown command 'frobnicate'");
}

TEST_F(CliErrors, ConflictingOptionsAreUsageErrors) {
    expectUsageError(run({"generate", character_}), "give exactly one output");
    expectUsageError(run({"generate", character_, "-o", out_, "--sheet", out_ / "s.png"}), "give exactly one output");
    expectUsageError(run({"generate", character_, "--style", "style0", "--all-styles", "-o", out_}),
                     "exclude each other");
    expectUsageError(run({"generate", character_, "--seeds", "1", "--count", "2", "-o", out_}), "--seeds excludes");
    expectUsageError(run({"generate", character_, "--premultiplied", "--sheet", out_ / "s.png"}), "--premultiplied");
}

TEST_F(CliErrors, MissingModelFileFailsWithTheReason) {
    const std::string missing = (root_ / "nope.sgm").string();
    for (const char* command : {"inspect", "generate"}) {
        const RunResult r = command == std::string("inspect") ? run({command, missing})
                                                               : run({command, missing, "-o", out_});
        EXPECT_EQ(r.exitCode, 1) << command;
        EXPECT_NE(r.err.find("cannot load model " + missing), std::string::npos) << r.err;
        EXPECT_NE(r.err.find("SG_ERROR_IO"), std::string::npos) << r.err;
    }
}

TEST_F(CliErrors, CorruptModelFileFailsWithTheReason) {
    std::string bytes = readFile(character_);
    bytes[bytes.size() - 5] ^= 0x40;  // a weight: only the content hash notices
    const fs::path corrupt = root_ / "corrupt.sgm";
    std::ofstream(corrupt, std::ios::binary) << bytes;
    const RunResult r = run({"inspect", corrupt});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("cannot load model " + corrupt.string()), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("SG_ERROR_BAD_MODEL_FILE"), std::string::npos) << r.err;
}

TEST_F(CliErrors, MissingOutputFolderFailsAndCreatesNothing) {
    const fs::path missing = root_ / "missing";
    RunResult r = run({"generate", character_, "-o", missing});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("output folder " + missing.string() + " does not exist"), std::string::npos) << r.err;
    r = run({"generate", character_, "--sheet", missing / "sheet.png"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find(missing.string()), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(missing));
}

TEST_F(CliErrors, ReadOnlyFolderFailsAndLeavesNoFile) {
    fs::permissions(out_, fs::perms(0555));
    const RunResult r = run({"generate", character_, "--sheet", out_ / "sheet.png"}, {std::nullopt, true});
    if (r.exitCode == 126 || r.exitCode == 127) GTEST_SKIP() << "cannot run the CLI as an unprivileged user here";
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("cannot create"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << r.err;
    EXPECT_TRUE(listFolder(out_).empty());
}

// The CLI ignores SIGXFSZ itself: under a shell's `ulimit -f` the write fails
// with a message instead of the signal killing the process.
TEST_F(CliErrors, AFileSizeLimitGivesAClearErrorNotASignal) {
    const std::string command = "ulimit -f 4 && exec '" + std::string(STYLEGEN_CLI_PATH) + "' generate '" + scene_ +
                                "' --count 4 --size 64x64 --sheet '" + (out_ / "sheet.png").string() + "'";
    const fs::path errFile = root_ / "ulimit-stderr.txt";
    const int status = std::system(("sh -c \"" + command + "\" 2> '" + errFile.string() + "'").c_str());
    ASSERT_TRUE(WIFEXITED(status)) << "killed by a signal";
    EXPECT_EQ(WEXITSTATUS(status), 1);
    const std::string err = readFile(errFile);
    fs::remove(errFile);
    EXPECT_NE(err.find("File too large"), std::string::npos) << err;
    EXPECT_TRUE(listFolder(out_).empty());
}

// `generate -o` killed at random moments: the PNGs present are whole, and a
// rerun writes exactly what an uninterrupted run writes.
TEST_F(CliGenerate, KilledAtRandomMomentsLeavesOnlyWholePngsAndARerunCompletes) {
    const std::vector<std::string> args = {"generate", scene_, "--count", "60", "--size", "32x32", "--threads", "1"};
    auto generate = [&](const fs::path& dir) {
        std::vector<std::string> a = args;
        a.insert(a.end(), {"-o", dir.string()});
        return a;
    };
    const fs::path clean = root_ / "clean";
    fs::create_directory(clean);
    const auto started = std::chrono::steady_clock::now();
    ASSERT_EQ(run(generate(clean)).exitCode, 0);
    const int64_t spanUs =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();

    const unsigned seed = unsigned(std::chrono::system_clock::now().time_since_epoch().count());
    SCOPED_TRACE("random seed " + std::to_string(seed));
    std::mt19937 random(seed);
    int killed = 0;
    for (int round = 0; round < 8; ++round) {
        std::vector<std::string> argv = generate(out_);
        argv.insert(argv.begin(), STYLEGEN_CLI_PATH);
        const pid_t pid = sgtest::startProcess(argv);
        std::this_thread::sleep_for(
            std::chrono::microseconds(std::uniform_int_distribution<int64_t>(0, spanUs)(random)));
        killed += kill(pid, SIGKILL) == 0 && sgtest::waitProcess(pid) == 128 + SIGKILL;
        for (const std::string& name : listFolder(out_)) {
            if (name[0] == '.') continue;  // the hidden temporary of the write the kill interrupted
            EXPECT_TRUE(readPng(out_ / name)) << name << " is not a whole PNG after kill " << round;
        }
    }
    EXPECT_GT(killed, 0) << "every run finished before its kill: the test checked nothing";
    ASSERT_EQ(run(generate(out_)).exitCode, 0);
    for (const std::string& name : listFolder(clean)) EXPECT_EQ(readFile(out_ / name), readFile(clean / name)) << name;
}

TEST_F(CliErrors, FullDiskFailsAndLeavesNoPartialFile) {
    // Noise-like scene textures do not compress: the sheet is far above 4 KiB.
    const RunResult r = run({"generate", scene_, "--count", "4", "--size", "64x64", "--sheet", out_ / "sheet.png"},
                            {rlim_t(4096), false});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("cannot write"), std::string::npos) << r.err;
    EXPECT_TRUE(listFolder(out_).empty());
}

}  // namespace
