// bake_test.cpp - runs `stylegen bake` on tiny models: the manifest checks
// (every bad field), what it writes, incremental re-baking, determinism across
// --jobs, and atomic writes under SIGKILL.
//
// [SECTION] Fixture and helpers
// [SECTION] Manifest errors: one case per bad field
// [SECTION] What a bake writes
// [SECTION] Incremental
// [SECTION] Determinism and atomicity
// [SECTION] Command line and progress
#include <gtest/gtest.h>
#include <pty.h>
#include <signal.h>
#include <stb_image.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "process.hpp"
#include "tiny_model.hpp"

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// [SECTION] Fixture and helpers -------------------------------------------------

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

void writeFile(const fs::path& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

std::optional<Png> readPng(const fs::path& path) {
    Png png;
    int channels = 0;
    uint8_t* data = stbi_load(path.c_str(), &png.width, &png.height, &channels, 4);
    if (!data) return std::nullopt;
    png.rgba.assign(data, data + size_t(png.width) * png.height * 4);
    stbi_image_free(data);
    return png;
}

// A file as the test last saw it: a rewrite (temporary + rename) gets a new inode.
struct FileState {
    std::string bytes;
    ino_t inode = 0;
    int64_t mtimeNs = 0;
    bool operator==(const FileState& o) const { return bytes == o.bytes && inode == o.inode && mtimeNs == o.mtimeNs; }
};

// Every file under `folder`, by path relative to it.
std::map<std::string, FileState> snapshot(const fs::path& folder) {
    std::map<std::string, FileState> files;
    for (const auto& item : fs::recursive_directory_iterator(folder)) {
        if (!item.is_regular_file()) continue;
        struct stat st {};
        stat(item.path().c_str(), &st);
        files[fs::relative(item.path(), folder).string()] = {
            readFile(item.path()), st.st_ino, int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
    }
    return files;
}

std::map<std::string, std::string> contents(const fs::path& folder) {
    std::map<std::string, std::string> bytes;
    for (const auto& [path, state] : snapshot(folder)) bytes[path] = state.bytes;
    return bytes;
}

class BakeTest : public testing::Test {
protected:
    void SetUp() override {
        std::string pattern = testing::TempDir() + "stylegen_bake_XXXXXX";
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        root_ = pattern;
        sgtest::writeTinyModel(root_.string(), "character.sgm", sgtest::TinyKind::Character, 3, 7);
        sgtest::writeTinyModel(root_.string(), "scene.sgm", sgtest::TinyKind::Scene, 2, 7);
        writeFile(root_ / "garbage.sgm", "this is not a model");
    }
    void TearDown() override {
        std::error_code ignored;
        fs::remove_all(root_, ignored);
    }

    // A manifest of `entries` on the tiny character model.
    static Json manifest(Json entries) {
        return {{"stylegen_manifest", 1}, {"model", "character.sgm"}, {"entries", std::move(entries)}};
    }
    // A braced list of entries is a list also when it holds one: clang takes
    // a Json initialised from {entry} as a copy of the entry (DR 1467).
    static Json manifest(std::initializer_list<Json> entries) { return manifest(arrayOf(entries)); }
    static Json arrayOf(std::initializer_list<Json> entries) {
        Json array = Json::array();
        for (const Json& entry : entries) array.push_back(entry);
        return array;
    }
    void writeManifest(const Json& manifest) { writeFile(root_ / "manifest.json", manifest.dump(2)); }

    // Runs the CLI in root_, so messages name "manifest.json".
    sgtest::ProcessResult stylegen(std::vector<std::string> args) {
        args.insert(args.begin(), STYLEGEN_CLI_PATH);
        return sgtest::runProcess(args, {root_.string(), {}});
    }
    sgtest::ProcessResult bake(const std::vector<std::string>& extra = {}, const std::string& out = "out") {
        std::vector<std::string> args = {"bake", "manifest.json", "-o", out};
        args.insert(args.end(), extra.begin(), extra.end());
        return stylegen(args);
    }
    // Bakes `entries` into out/ and expects success.
    void bakeEntries(const Json& entries, const std::vector<std::string>& extra = {}) {
        writeManifest(manifest(entries));
        const sgtest::ProcessResult r = bake(extra);
        ASSERT_EQ(r.exitCode, 0) << r.err;
    }
    void bakeEntries(std::initializer_list<Json> entries, const std::vector<std::string>& extra = {}) {
        bakeEntries(arrayOf(entries), extra);
    }

    fs::path root_;
};

// [SECTION] Manifest errors: one case per bad field --------------------------------

struct ErrorCase {
    std::string name;
    Json patch;            // JSON merge patch (RFC 7386) on the manifest or on its one entry
    bool patchesEntry;     // true: on entries[0]; false: on the whole manifest
    std::string expected;  // in stderr; the manifest is "manifest.json"
    std::string rawText;   // instead of a patched manifest, when not empty
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

// The manifest every case starts from: valid, one entry named "e", two images.
const Json kBaseEntry = {{"name", "e"}, {"style", "style0"}, {"seeds", {1, 2}}};

ErrorCase top(std::string name, Json patch, std::string expected) {
    return {std::move(name), std::move(patch), false, std::move(expected), ""};
}
ErrorCase entry(std::string name, Json patch, std::string expected) {
    return {std::move(name), std::move(patch), true, std::move(expected), ""};
}

const std::string E = "manifest.json: entries[0] (\"e\"), field ";

std::vector<ErrorCase> errorCases() {
    const std::string u64 = "18446744073709551615";
    return {
        {"NotJson",
         {},
         false,
         "manifest.json: not valid JSON: parse error at line 1, column 25",
         "{\"stylegen_manifest\": 1,,}"},
        {"NotAnObject", {}, false, "manifest.json: expected a JSON object", "[1]"},
        top("VersionMissing", {{"stylegen_manifest", nullptr}}, "manifest.json: field \"stylegen_manifest\": missing"),
        top("VersionUnsupported", {{"stylegen_manifest", 2}},
            "manifest.json: field \"stylegen_manifest\": version 2 is not supported (this stylegen reads 1)"),
        top("UnknownTopLevelKey", {{"entrys", Json::array()}},
            "manifest.json: field \"entrys\": unknown key in the manifest (known keys: entries, model, "
            "stylegen_manifest)"),
        top("ModelNotAString", {{"model", 5}}, "manifest.json: field \"model\": expected a non-empty string, got 5"),
        top("EntriesMissing", {{"entries", nullptr}}, "manifest.json: field \"entries\": missing"),
        top("EntriesEmpty", {{"entries", Json::array()}},
            "manifest.json: field \"entries\": expected a non-empty list of entries, got []"),
        top("EntryNotAnObject", {{"entries", {7}}},
            "manifest.json: entries[0]: expected an object (one bake entry), got 7"),
        top("ModelNowhere", {{"model", nullptr}},
            E + "\"model\": missing: give \"model\" here or at the top level of the manifest"),
        top("DuplicateName", {{"entries", {kBaseEntry, kBaseEntry}}},
            "manifest.json: entries[1] (\"e\"), field \"name\": \"e\" is already the name of entries[0]"),
        top("TwoEntriesWriteOneFile",
            {{"entries", {kBaseEntry, {{"name", "f"}, {"style", "style0"}, {"seeds", {1}}, {"output", "e_1.png"}}}}},
            "manifest.json: entries[1] (\"f\"), field \"output\": would write \"e_1.png\", which entries[0] (\"e\") "
            "writes too"),

        entry("NameMissing", {{"name", nullptr}}, "manifest.json: entries[0], field \"name\": missing"),
        entry("NameNotAString", {{"name", 3}},
              "manifest.json: entries[0], field \"name\": expected a non-empty string, got 3"),
        entry("NameWithSlash", {{"name", "a/b"}},
              "manifest.json: entries[0], field \"name\": \"a/b\" may not hold '/'"),
        entry("NameHidden", {{"name", ".e"}},
              "manifest.json: entries[0], field \"name\": \".e\" may not start with '.'"),
        entry("UnknownEntryKey", {{"sead", 1}}, E + "\"sead\": unknown key in an entry"),
        entry("ModelEmpty", {{"model", ""}}, E + "\"model\": expected a non-empty string, got \"\""),
        entry("StyleAndBlend", {{"blend", {{"style0", 1}}}},
              E + "\"style\": give either \"style\" or \"blend\", not both"),
        entry("NoStyle", {{"style", nullptr}}, E + "\"style\": missing: give \"style\""),
        entry("StyleNotAString", {{"style", 1}}, E + "\"style\": expected a non-empty string, got 1"),
        entry("BlendNotAnObject", {{"style", nullptr}, {"blend", {1}}},
              E + "\"blend\": expected an object of style name"),
        entry("BlendEmpty", {{"style", nullptr}, {"blend", Json::object()}},
              E + "\"blend\": expected an object of style name"),
        entry("BlendNegativeWeight", {{"style", nullptr}, {"blend", {{"style0", -1}}}},
              E + "\"blend.style0\": expected a number from 0 to 1000000, got -1"),
        entry("BlendWeightNotANumber", {{"style", nullptr}, {"blend", {{"style0", "1"}}}},
              E + "\"blend.style0\": expected a number from 0 to 1000000, got \"1\""),
        entry("BlendAllZero", {{"style", nullptr}, {"blend", {{"style0", 0}, {"style1", 0}}}},
              E + "\"blend\": the weights add up to 0"),
        entry("SeedsAndCount", {{"count", 2}}, E + "\"count\": give either \"seeds\" (a list) or \"count\""),
        entry("NoSeeds", {{"seeds", nullptr}}, E + "\"seeds\": missing: give \"seeds\""),
        entry("SeedsNotAList", {{"seeds", 5}}, E + "\"seeds\": expected a list of 1 to 100000 seeds"),
        entry("SeedsEmpty", {{"seeds", Json::array()}}, E + "\"seeds\": expected a list of 1 to 100000 seeds"),
        entry("SeedNegative", {{"seeds", {1, -2}}},
              E + "\"seeds[1]\": expected a whole number from 0 to " + u64 + ", got -2"),
        entry("SeedFraction", {{"seeds", {1.5}}},
              E + "\"seeds[0]\": expected a whole number from 0 to " + u64 + ", got 1.5"),
        entry("SeedString", {{"seeds", {"1"}}}, E + "\"seeds[0]\": expected a whole number"),
        entry("SeedTooLarge", {{"seeds", {18446744073709551615.0 * 2}}}, E + "\"seeds[0]\": expected a whole number"),
        entry("CountZero", {{"seeds", nullptr}, {"count", 0}},
              E + "\"count\": expected a whole number from 1 to 100000, got 0"),
        entry("CountTooLarge", {{"seeds", nullptr}, {"count", 100001}},
              E + "\"count\": expected a whole number from 1 to 100000, got 100001"),
        entry("FirstSeedWithSeeds", {{"first_seed", 3}}, E + "\"first_seed\": goes with \"count\", not with \"seeds\""),
        entry("FirstSeedOverflows", {{"seeds", nullptr}, {"count", 2}, {"first_seed", UINT64_MAX}},
              E + "\"first_seed\": " + u64 + " + 2 images goes past the largest seed"),
        entry("PsiAboveOne", {{"psi", 1.5}}, E + "\"psi\": expected a number from 0 to 1, got 1.5"),
        entry("PsiString", {{"psi", "0.5"}}, E + "\"psi\": expected a number from 0 to 1, got \"0.5\""),
        entry("NoiseNegative", {{"noise", -1}}, E + "\"noise\": expected a number from 0 to 100, got -1"),
        entry("NoiseSeedsWrongLength", {{"noise_seeds", {1}}},
              E + "\"noise_seeds\": has 1 seed; the entry makes 2 images, one seed each"),
        entry("NoiseSeedsTwice", {{"noise_seeds", {1, 2}}, {"first_noise_seed", 3}},
              E + "\"first_noise_seed\": give either \"noise_seeds\" or \"first_noise_seed\", not both"),
        entry("FirstNoiseSeedNegative", {{"first_noise_seed", -3}},
              E + "\"first_noise_seed\": expected a whole number"),
        entry("MixNotAnObject", {{"mix", 3}}, E + "\"mix\": expected an object"),
        entry("MixUnknownKey", {{"mix", {{"first_seed", 1}, {"layr", 2}}}}, E + "\"mix.layr\": unknown key in \"mix\""),
        entry("MixWithoutSeeds", {{"mix", {{"layer", 2}}}}, E + "\"mix.seeds\": missing"),
        entry("MixSeedsTwice", {{"mix", {{"seeds", {1, 2}}, {"first_seed", 1}}}}, E + "\"mix.seeds\": give either"),
        entry("MixSeedsWrongLength", {{"mix", {{"seeds", {1}}}}},
              E + "\"mix.seeds\": has 1 seed; the entry makes 2 images"),
        entry("MixLayerNotANumber", {{"mix", {{"first_seed", 1}, {"layer", "4"}}}},
              E + "\"mix.layer\": expected a whole number from 0 to 1024, got \"4\""),
        entry("InterpolateNotAnObject", {{"interpolate", 0.5}}, E + "\"interpolate\": expected an object"),
        entry("InterpolateUnknownKey", {{"interpolate", {{"first_seed", 1}, {"amount", 0.5}, {"t", 1}}}},
              E + "\"interpolate.t\": unknown key in \"interpolate\""),
        entry("InterpolateWithoutTarget", {{"interpolate", {{"amount", 0.5}}}}, E + "\"interpolate.seeds\": missing"),
        entry("InterpolateWithoutAmount", {{"interpolate", {{"first_seed", 1}}}}, E + "\"interpolate.amount\": missing"),
        entry("InterpolateAmountAboveOne", {{"interpolate", {{"first_seed", 1}, {"amount", 1.5}}}},
              E + "\"interpolate.amount\": expected a number from 0 to 1, got 1.5"),
        entry("InterpolateAmountsWrongLength", {{"interpolate", {{"first_seed", 1}, {"amounts", {0.5}}}}},
              E + "\"interpolate.amounts\": expected a list of 2 numbers from 0 to 1"),
        entry("InterpolateAmountsItem", {{"interpolate", {{"seeds", {4, 5}}, {"amounts", {0.5, -1}}}}},
              E + "\"interpolate.amounts[1]\": expected a number from 0 to 1, got -1"),
        entry("WidthZero", {{"width", 0}}, E + "\"width\": expected a whole number from 1 to 16384, got 0"),
        entry("HeightTooLarge", {{"height", 16385}},
              E + "\"height\": expected a whole number from 1 to 16384, got 16385"),
        entry("AlphaUnknown", {{"alpha", "pre"}},
              E + "\"alpha\": expected \"straight\" or \"premultiplied\", got \"pre\""),
        entry("OutputNotAString", {{"output", 1}}, E + "\"output\": expected a non-empty string, got 1"),
        entry("OutputUnknownPlaceholder", {{"output", "{nam}.png"}},
              E + "\"output\": \"{nam}.png\" has an unknown placeholder \"{nam}\""),
        entry("OutputStrayBrace", {{"output", "a}{seed}.png"}},
              E + "\"output\": \"a}{seed}.png\" has a '}' without '{'"),
        entry("OutputNotPng", {{"output", "{seed}.jpg"}}, E + "\"output\": \"{seed}.jpg\" must end in \".png\""),
        entry("OutputAbsolute", {{"output", "/tmp/{seed}.png"}},
              E + "\"output\": \"/tmp/{seed}.png\" must be relative"),
        entry("OutputLeavesTheFolder", {{"output", "../{seed}.png"}},
              E + "\"output\": \"../{seed}.png\" has a file or folder name that starts with '.'"),
        entry("OutputEmptyFolderName", {{"output", "a//{seed}.png"}},
              E + "\"output\": \"a//{seed}.png\" has an empty folder name"),
        entry("OutputSameForEveryImage", {{"output", "e.png"}},
              E + "\"output\": \"e.png\" gives every image the same file name; put {seed} or {index} in it"),
        entry("SeedTwiceOneFile", {{"seeds", {1, 1}}}, E + "\"output\": would write \"e_1.png\" twice"),
        entry("AtlasNotAnObject", {{"atlas", "a.png"}}, E + "\"atlas\": expected an object"),
        entry("AtlasWithoutFile", {{"atlas", {{"columns", 2}}}}, E + "\"atlas.file\": missing"),
        entry("AtlasFileNotPng", {{"atlas", {{"file", "a.jpg"}}}},
              E + "\"atlas.file\": \"a.jpg\" must end in \".png\""),
        entry("AtlasFileOutside", {{"atlas", {{"file", "/a.png"}}}}, E + "\"atlas.file\": \"/a.png\" must be relative"),
        entry("AtlasColumnsZero", {{"atlas", {{"file", "a.png"}, {"columns", 0}}}},
              E + "\"atlas.columns\": expected a whole number from 1 to 100000, got 0"),
        entry("AtlasIndexUnknown", {{"atlas", {{"file", "a.png"}, {"index", "xml"}}}},
              E + "\"atlas.index\": expected \"json\" or \"csv\", got \"xml\""),
        entry("AtlasUnknownKey", {{"atlas", {{"file", "a.png"}, {"colums", 2}}}},
              E + "\"atlas.colums\": unknown key in \"atlas\""),
        entry("AtlasIndexIsTheProvenanceFile", {{"atlas", {{"file", "bake-provenance.png"}}}},
              E + "\"atlas.file\": would write \"bake-provenance.json\", which the bake keeps for itself"),

        // Checked once the model is loaded, in the same format.
        entry("UnknownStyle", {{"style", "orcs"}},
              E + "\"style\": unknown style 'orcs' at column 1 of \"orcs\"; model 'tiny-character' has: style0, "
                  "style1, style2"),
        entry("StylePromptBadWeight", {{"style", "style0:0.5 + style1:x"}},
              E + "\"style\": bad weight 'x' for 'style1' at column 21 of \"style0:0.5 + style1:x\""),
        entry("UnknownBlendStyle", {{"style", nullptr}, {"blend", {{"style0", 1}, {"orcs", 1}}}},
              E + "\"blend.orcs\": unknown style \"orcs\""),
        entry("CharacterOtherSize", {{"width", 32}},
              E + "\"width\": 32x16: character model 'tiny-character' only makes 16x16"),
        entry("SceneSizeOffTheBlock", {{"model", "scene.sgm"}, {"width", 18}},
              E + "\"width\": 18x16: width and height must be multiples of model 'tiny-scene''s block size 4"),
        entry("MixLayerBeyondTheModel", {{"mix", {{"first_seed", 1}, {"layer", 1000}}}},
              E + "\"mix.layer\": 1000: model 'tiny-character' has 6 w layers (crossover 0..6)"),
        entry("AtlasTooLarge",
              {{"model", "scene.sgm"}, {"width", 16384}, {"atlas", {{"file", "a.png"}, {"columns", 2}}}},
              E + "\"atlas.columns\": the atlas would be 32768x16 pixels; the largest is 16384 a side"),
        entry("ModelMissing", {{"model", "missing.sgm"}}, E + "\"model\": cannot load \"missing.sgm\""),
        entry("ModelNotAModel", {{"model", "garbage.sgm"}}, E + "\"model\": cannot load \"garbage.sgm\""),
    };
}

class BakeManifestErrors : public BakeTest, public testing::WithParamInterface<ErrorCase> {};

TEST_P(BakeManifestErrors, FailNamingFileEntryAndField) {
    const ErrorCase& c = GetParam();
    if (!c.rawText.empty()) {
        writeFile(root_ / "manifest.json", c.rawText);
    } else {
        Json m = manifest({kBaseEntry});
        (c.patchesEntry ? m["entries"][0] : m).merge_patch(c.patch);
        writeManifest(m);
    }
    const sgtest::ProcessResult r = bake();
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << "expected: " << c.expected << "\nstderr: " << r.err;
    EXPECT_FALSE(fs::exists(root_ / "out")) << "nothing is written when the manifest is bad";
}

INSTANTIATE_TEST_SUITE_P(EveryField, BakeManifestErrors, testing::ValuesIn(errorCases()),
                         [](const testing::TestParamInfo<ErrorCase>& info) { return info.param.name; });

TEST_F(BakeTest, EveryProblemOfAManifestIsListed) {
    writeManifest(manifest({{{"name", "a"}, {"style", "style0"}, {"seeds", {1}}, {"psi", 2}},
                            {{"name", "b"}, {"style", "nope"}, {"count", 0}}}));
    const sgtest::ProcessResult r = bake();
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("entries[0] (\"a\"), field \"psi\""), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("entries[1] (\"b\"), field \"count\""), std::string::npos) << r.err;
}

TEST_F(BakeTest, ModelErrorsOfEveryEntryAreListed) {
    writeManifest(manifest({{{"name", "a"}, {"style", "orcs"}, {"seeds", {1}}},
                            {{"name", "b"}, {"style", "style0"}, {"seeds", {1}}, {"width", 8}}}));
    const sgtest::ProcessResult r = bake();
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("entries[0] (\"a\"), field \"style\""), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("entries[1] (\"b\"), field \"width\""), std::string::npos) << r.err;
}

TEST_F(BakeTest, MissingManifestFailsWithTheReason) {
    const sgtest::ProcessResult r = bake();
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("cannot open manifest manifest.json: No such file or directory"), std::string::npos) << r.err;
}

// [SECTION] What a bake writes --------------------------------------------------------

TEST_F(BakeTest, WritesOnePngPerImageNamedByThePattern) {
    bakeEntries({{{"name", "orc"}, {"style", "style1"}, {"count", 3}, {"first_seed", 10}},
                 {{"name", "tile"},
                  {"model", "scene.sgm"},
                  {"style", "style0"},
                  {"seeds", {5, 9}},
                  {"width", 24},
                  {"height", 8},
                  {"output", "floors/{name}-{index}-{seed}.png"}}});
    const std::vector<std::string> pngs = {"floors/tile-0-5.png", "floors/tile-1-9.png", "orc_10.png", "orc_11.png",
                                           "orc_12.png"};
    std::vector<std::string> found;
    for (const auto& [path, state] : snapshot(root_ / "out")) {
        if (path != "bake-provenance.json") found.push_back(path);
    }
    EXPECT_EQ(found, pngs);
    const std::optional<Png> orc = readPng(root_ / "out/orc_10.png");
    const std::optional<Png> tile = readPng(root_ / "out/floors/tile-1-9.png");
    ASSERT_TRUE(orc && tile);
    EXPECT_EQ(orc->width, 16);
    EXPECT_EQ(tile->width, 24);
    EXPECT_EQ(tile->height, 8);
}

// The bake and `stylegen generate` are two front ends of one SDK call: the
// same parameters must give the same bytes (same encoder too).
TEST_F(BakeTest, PngsEqualGenerateForTheSameParameters) {
    bakeEntries({{{"name", "mixed"},
                  {"style", "style2"},
                  {"seeds", {3, 4}},
                  {"psi", 0.6},
                  {"noise", 0.5},
                  {"mix", {{"seeds", {9, 9}}, {"layer", 2}}}},
                 {{"name", "blend"},
                  {"blend", {{"style0", 0.25}, {"style1", 0.75}}},
                  {"seeds", {8}},
                  {"alpha", "premultiplied"}}});
    fs::create_directory(root_ / "gen");
    sgtest::ProcessResult r = stylegen({"generate", "character.sgm", "--style", "style2", "--seeds", "3,4", "--psi",
                                        "0.6", "--noise", "0.5", "--mix-seed", "9", "--mix-layer", "2", "-o", "gen"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    r = stylegen({"generate", "character.sgm", "--blend", "style0:0.25,style1:0.75", "--seeds", "8", "--premultiplied",
                  "-o", "gen"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(readFile(root_ / "out/mixed_3.png"), readFile(root_ / "gen/style2_seed3_mix9.png"));
    EXPECT_EQ(readFile(root_ / "out/mixed_4.png"), readFile(root_ / "gen/style2_seed4_mix9.png"));
    EXPECT_EQ(readFile(root_ / "out/blend_8.png"), readFile(root_ / "gen/blend-style0_0.25+style1_0.75_seed8.png"));
}

// "style" takes a style prompt too: the same blend as "blend" gives.
TEST_F(BakeTest, AStylePromptEqualsTheSameBlend) {
    bakeEntries({{{"name", "prompt"}, {"style", "style0:0.25 + style1:0.75"}, {"seeds", {8}}},
                 {{"name", "blend"}, {"blend", {{"style0", 0.25}, {"style1", 0.75}}}, {"seeds", {8}}},
                 {{"name", "one"}, {"style", "style1"}, {"seeds", {8}}}});
    EXPECT_EQ(readFile(root_ / "out/prompt_8.png"), readFile(root_ / "out/blend_8.png"));
    EXPECT_NE(readFile(root_ / "out/prompt_8.png"), readFile(root_ / "out/one_8.png"));
}

// Without explicit noise seeds each image's noise comes from its latent seed.
TEST_F(BakeTest, NoiseSeedsPickTheNoise) {
    bakeEntries({{{"name", "plain"}, {"style", "style0"}, {"seeds", {1, 2}}},
                 {{"name", "same"}, {"style", "style0"}, {"seeds", {1, 2}}, {"noise_seeds", {1, 2}}},
                 {{"name", "other"}, {"style", "style0"}, {"seeds", {1, 2}}, {"first_noise_seed", 50}}});
    const fs::path out = root_ / "out";
    EXPECT_EQ(readPng(out / "plain_1.png")->rgba, readPng(out / "same_1.png")->rgba);
    EXPECT_EQ(readPng(out / "plain_2.png")->rgba, readPng(out / "same_2.png")->rgba);
    EXPECT_NE(readPng(out / "plain_1.png")->rgba, readPng(out / "other_1.png")->rgba);
}

// Amount 0 is the image's own seed, 1 the target seed, with the noise kept.
TEST_F(BakeTest, InterpolationEndsAreTheTwoSeeds) {
    bakeEntries({{{"name", "ends"}, {"style", "style0"}, {"seeds", {1, 1}}, {"noise_seeds", {1, 1}},
                  {"interpolate", {{"seeds", {9, 9}}, {"amounts", {0.0, 1.0}}}}, {"output", "{name}_{index}.png"}},
                 {{"name", "middle"}, {"style", "style0"}, {"seeds", {1}}, {"noise_seeds", {1}},
                  {"interpolate", {{"seeds", {9}}, {"amount", 0.5}}}},
                 {{"name", "seed"}, {"style", "style0"}, {"seeds", {1, 9}}, {"noise_seeds", {1, 1}},
                  {"output", "{name}_{seed}.png"}}});
    const fs::path out = root_ / "out";
    EXPECT_EQ(readPng(out / "ends_0.png")->rgba, readPng(out / "seed_1.png")->rgba);
    EXPECT_EQ(readPng(out / "ends_1.png")->rgba, readPng(out / "seed_9.png")->rgba);
    EXPECT_NE(readPng(out / "middle_1.png")->rgba, readPng(out / "seed_1.png")->rgba);
    EXPECT_NE(readPng(out / "middle_1.png")->rgba, readPng(out / "seed_9.png")->rgba);
}

TEST_F(BakeTest, AtlasCellsAreTheImagesAndTheIndexSaysWhere) {
    bakeEntries({{{"name", "crowd"},
                  {"style", "style1"},
                  {"count", 5},
                  {"first_seed", 20},
                  {"output", "single/{name}_{seed}.png"},
                  {"atlas", {{"file", "atlases/crowd.png"}, {"columns", 2}, {"index", "json"}}}},
                 {{"name", "csv"},
                  {"style", "style0"},
                  {"seeds", {1, 2, 3}},
                  {"atlas", {{"file", "csv.png"}, {"index", "csv"}}}}});
    const fs::path out = root_ / "out";
    const std::optional<Png> atlas = readPng(out / "atlases/crowd.png");
    ASSERT_TRUE(atlas);
    EXPECT_EQ(atlas->width, 2 * 16);
    EXPECT_EQ(atlas->height, 3 * 16);
    const Json index = Json::parse(readFile(out / "atlases/crowd.json"));
    EXPECT_EQ(index.at("atlas"), "crowd.png");
    EXPECT_EQ(index.at("width"), 32);
    EXPECT_EQ(index.at("height"), 48);
    ASSERT_EQ(index.at("images").size(), 5u);
    for (int i = 0; i < 5; ++i) {
        const Json& cell = index.at("images")[i];
        EXPECT_EQ(cell.at("name"), "crowd_" + std::to_string(20 + i));
        EXPECT_EQ(cell.at("seed"), 20 + i);
        EXPECT_EQ(cell.at("x"), (i % 2) * 16);
        EXPECT_EQ(cell.at("y"), (i / 2) * 16);
        EXPECT_EQ(cell.at("w"), 16);
        EXPECT_EQ(cell.at("h"), 16);
        const std::optional<Png> single = readPng(out / ("single/crowd_" + std::to_string(20 + i) + ".png"));
        ASSERT_TRUE(single);
        for (int y = 0; y < 16; ++y) {
            ASSERT_EQ(0, std::memcmp(atlas->at(cell.at("x").get<int>(), cell.at("y").get<int>() + y), single->at(0, y),
                                     16 * 4))
                << "image " << i << " row " << y;
        }
    }
    // The unused sixth cell is transparent.
    for (int y = 32; y < 48; ++y) EXPECT_EQ(atlas->at(16, y)[3], 0);
    // Without "output" an atlas entry writes no single PNGs; columns default to a square.
    EXPECT_FALSE(fs::exists(out / "csv_1.png"));
    EXPECT_EQ(readFile(out / "csv.csv"),
              "name,seed,x,y,w,h\ncsv_1,1,0,0,16,16\ncsv_2,2,16,0,16,16\ncsv_3,3,0,16,16,16\n");
}

TEST_F(BakeTest, PremultipliedAlphaIsWhatItSays) {
    bakeEntries({{{"name", "p"}, {"style", "style0"}, {"seeds", {4}}, {"alpha", "premultiplied"}},
                 {{"name", "s"}, {"style", "style0"}, {"seeds", {4}}}});
    const std::optional<Png> p = readPng(root_ / "out/p_4.png");
    const std::optional<Png> s = readPng(root_ / "out/s_4.png");
    ASSERT_TRUE(p && s);
    EXPECT_NE(p->rgba, s->rgba);
    for (size_t i = 0; i < p->rgba.size(); i += 4) {
        for (int c = 0; c < 3; ++c) EXPECT_LE(p->rgba[i + c], p->rgba[i + 3]);
    }
}

TEST_F(BakeTest, ProvenanceRecordsModelHashAndResolvedParameters) {
    bakeEntries({{{"name", "e"},
                  {"style", "style1"},
                  {"count", 2},
                  {"first_seed", 7},
                  {"psi", 0.5},
                  {"mix", {{"first_seed", 3}}}}});
    const sgtest::ProcessResult inspect = stylegen({"inspect", "character.sgm", "--json"});
    ASSERT_EQ(inspect.exitCode, 0);
    const Json provenance = Json::parse(readFile(root_ / "out/bake-provenance.json"));
    EXPECT_EQ(provenance.at("manifest"), fs::canonical(root_ / "manifest.json").string());
    ASSERT_EQ(provenance.at("entries").size(), 1u);
    const Json& e = provenance.at("entries")[0];
    EXPECT_EQ(e.at("name"), "e");
    EXPECT_EQ(e.at("model").at("path"), fs::canonical(root_ / "character.sgm").string());
    EXPECT_EQ(e.at("model").at("content_hash"), Json::parse(inspect.out).at("content_hash"));
    const Json expected = {{"style", "style1"},
                           {"seeds", {7, 8}},
                           {"psi", 0.5},
                           {"noise", 1.0},
                           {"mix", {{"seeds", {3, 4}}, {"layer", 3}}},  // default layer: half of 6
                           {"width", 16},
                           {"height", 16},
                           {"alpha", "straight"},
                           {"output", "{name}_{seed}.png"}};
    EXPECT_EQ(e.at("parameters"), expected);
    EXPECT_EQ(e.at("files"), Json({"e_7.png", "e_8.png"}));
}

TEST_F(BakeTest, ModelByNameIsFoundInModelDirs) {
    fs::create_directory(root_ / "models");
    fs::copy_file(root_ / "scene.sgm", root_ / "models/terrain.sgm");
    Json m = manifest({{{"name", "t"}, {"style", "style1"}, {"seeds", {1}}}});
    m["model"] = "terrain";
    writeManifest(m);
    sgtest::ProcessResult r = bake();
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("field \"model\": cannot load \"terrain\""), std::string::npos) << r.err;
    r = bake({"--model-dir", "models"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_TRUE(readPng(root_ / "out/t_1.png"));
}

// A size that cuts a periodic model's pattern bakes, with a note naming the
// entry; a whole number of periods bakes without one.
TEST_F(BakeTest, ASizeThatBreaksTheModelsPatternIsNoted) {
    sgtest::TinyModelParts parts = sgtest::makeTinyModelParts(sgtest::TinyKind::Scene, 2, 7);
    sgtest::addTinyPeriodicInput(&parts);
    sgtest::writeTinyModelParts(root_.string(), "periodic.sgm", parts);
    Json m = manifest({{{"name", "cut"}, {"style", "style1"}, {"seeds", {1}}, {"width", 24}, {"height", 16}},
                       {{"name", "whole"}, {"style", "style1"}, {"seeds", {1}}, {"width", 32}, {"height", 16}}});
    m["model"] = "periodic.sgm";
    writeManifest(m);
    const sgtest::ProcessResult r = bake();
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.err.find("24x16 is not a multiple of model 'tiny-scene''s 16-pixel pattern"), std::string::npos)
        << r.err;
    EXPECT_EQ(r.err.find("32x16"), std::string::npos) << r.err;
    EXPECT_TRUE(readPng(root_ / "out/cut_1.png"));
    EXPECT_TRUE(readPng(root_ / "out/whole_1.png"));
}

TEST_F(BakeTest, CreatesTheOutputFolderAndItsParents) {
    writeManifest(manifest({kBaseEntry}));
    const sgtest::ProcessResult r = bake({}, "deep/er/out");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_TRUE(readPng(root_ / "deep/er/out/e_1.png"));
}

// [SECTION] Incremental -----------------------------------------------------------------

const Json kThreeEntries = {
    {{"name", "a"}, {"style", "style0"}, {"seeds", {1, 2}}},
    {{"name", "b"}, {"style", "style1"}, {"count", 3}, {"atlas", {{"file", "b.png"}}}},
    {{"name", "c"}, {"model", "scene.sgm"}, {"style", "style0"}, {"seeds", {4}}, {"width", 32}},
};

TEST_F(BakeTest, SecondBakeTouchesNothing) {
    bakeEntries(kThreeEntries);
    const auto before = snapshot(root_ / "out");
    const sgtest::ProcessResult r = bake();
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("0 entries baked (0 images), 3 up to date"), std::string::npos) << r.out;
    EXPECT_EQ(snapshot(root_ / "out"), before);
}

TEST_F(BakeTest, ChangingOneEntryRebakesOnlyIt) {
    bakeEntries(kThreeEntries);
    const auto before = snapshot(root_ / "out");
    Json entries = kThreeEntries;
    entries[1]["psi"] = 0.5;
    writeManifest(manifest(entries));
    const sgtest::ProcessResult r = bake();
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("1 entry baked (3 images), 2 up to date"), std::string::npos) << r.out;
    const auto after = snapshot(root_ / "out");
    for (const std::string& file : {"a_1.png", "a_2.png", "c_4.png"})
        EXPECT_EQ(after.at(file), before.at(file)) << file;
    EXPECT_NE(after.at("b.png").bytes, before.at("b.png").bytes);
    EXPECT_NE(after.at("b.json").inode, before.at("b.json").inode) << "the index is rewritten with the atlas";
}

// The state compares resolved parameters: a manifest written differently but
// meaning the same (defaults spelled out, count instead of a list) bakes nothing.
TEST_F(BakeTest, AnEquivalentManifestBakesNothing) {
    bakeEntries(kThreeEntries);
    const auto before = snapshot(root_ / "out");
    Json entries = kThreeEntries;
    entries[0]["psi"] = 1;
    entries[0]["alpha"] = "straight";
    entries[0]["output"] = "{name}_{seed}.png";
    entries[1]["seeds"] = {0, 1, 2};
    entries[1].erase("count");
    entries[2]["height"] = 16;
    writeManifest(manifest(entries));
    const sgtest::ProcessResult r = bake();
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("0 entries baked"), std::string::npos) << r.out;
    EXPECT_EQ(snapshot(root_ / "out"), before);
}

TEST_F(BakeTest, AMissingOutputRebakesItsEntry) {
    bakeEntries(kThreeEntries);
    fs::remove(root_ / "out/a_2.png");
    const auto before = snapshot(root_ / "out");
    const sgtest::ProcessResult r = bake();
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("baked a: 2 images"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("1 entry baked (2 images), 2 up to date"), std::string::npos) << r.out;
    const auto after = snapshot(root_ / "out");
    EXPECT_TRUE(after.count("a_2.png"));
    EXPECT_EQ(after.at("b.png"), before.at("b.png"));
}

TEST_F(BakeTest, NewModelContentRebakesTheEntriesThatUseIt) {
    bakeEntries(kThreeEntries);
    const auto before = snapshot(root_ / "out");
    // Same architecture and styles, other weights: a retrained scene model.
    sgtest::writeTinyModel(root_.string(), "scene.sgm", sgtest::TinyKind::Scene, 2, 8);
    const sgtest::ProcessResult r = bake();
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("1 entry baked (1 image), 2 up to date"), std::string::npos) << r.out;
    const auto after = snapshot(root_ / "out");
    EXPECT_NE(after.at("c_4.png").bytes, before.at("c_4.png").bytes);
    EXPECT_EQ(after.at("a_1.png"), before.at("a_1.png"));
}

TEST_F(BakeTest, TheSameModelBytesWrittenAgainBakeNothing) {
    bakeEntries(kThreeEntries);
    const auto before = snapshot(root_ / "out");
    sgtest::writeTinyModel(root_.string(), "scene.sgm", sgtest::TinyKind::Scene, 2, 7);  // new mtime, same content
    const sgtest::ProcessResult r = bake();
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(snapshot(root_ / "out"), before);
}

TEST_F(BakeTest, FilesNoEntryWritesAnyMoreAreRemoved) {
    bakeEntries(kThreeEntries);
    fs::create_directory(root_ / "out/mine");
    writeFile(root_ / "out/mine/notes.txt", "not the bake's");
    Json entries = kThreeEntries;
    entries.erase(1);                             // b's atlas and index go
    entries[0]["output"] = "renamed_{seed}.png";  // a's old names go
    writeManifest(manifest(entries));
    const sgtest::ProcessResult r = bake();
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("4 stale files removed"), std::string::npos) << r.out;
    std::vector<std::string> files;
    for (const auto& [path, state] : snapshot(root_ / "out")) files.push_back(path);
    EXPECT_EQ(files, (std::vector<std::string>{"bake-provenance.json", "c_4.png", "mine/notes.txt", "renamed_1.png",
                                               "renamed_2.png"}));
}

TEST_F(BakeTest, ForceRebakesEverythingToTheSameBytes) {
    bakeEntries(kThreeEntries);
    const auto before = snapshot(root_ / "out");
    const sgtest::ProcessResult r = bake({"--force"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("3 entries baked (6 images), 0 up to date"), std::string::npos) << r.out;
    const auto after = snapshot(root_ / "out");
    ASSERT_EQ(after.size(), before.size());
    for (const auto& [path, state] : before) {
        if (path != "bake-provenance.json")
            EXPECT_NE(after.at(path).inode, state.inode) << path << " was not rewritten";
        EXPECT_EQ(after.at(path).bytes, state.bytes) << path;
    }
}

TEST_F(BakeTest, AnUnreadableProvenanceFileRebakesEverything) {
    bakeEntries(kThreeEntries);
    writeFile(root_ / "out/bake-provenance.json", "{ garbage");
    const sgtest::ProcessResult r = bake();
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.err.find("is not a bake provenance file"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("3 entries baked"), std::string::npos) << r.out;
    EXPECT_NO_THROW(Json::parse(readFile(root_ / "out/bake-provenance.json")));
}

// [SECTION] Determinism and atomicity ----------------------------------------------------

TEST_F(BakeTest, EveryJobsCountWritesTheSameBytes) {
    Json entries = kThreeEntries;
    entries.push_back({{"name", "many"},
                       {"style", "style2"},
                       {"count", 40},
                       {"psi", 0.7},
                       {"atlas", {{"file", "many.png"}, {"index", "csv"}}},
                       {"output", "many/{index}.png"}});
    writeManifest(manifest(entries));
    std::map<std::string, std::string> reference;
    for (const std::string jobs : {"1", "2", "7"}) {
        const sgtest::ProcessResult r = bake({"--jobs", jobs, "--threads", jobs == "1" ? "1" : "2"}, "out" + jobs);
        ASSERT_EQ(r.exitCode, 0) << r.err;
        const auto bytes = contents(root_ / ("out" + jobs));
        EXPECT_EQ(bytes.size(), 48u);  // 2 + 2 + 1 + 40 + 2 + provenance
        if (reference.empty())
            reference = bytes;
        else
            EXPECT_TRUE(bytes == reference) << "--jobs " << jobs << " wrote other bytes than --jobs 1";
    }
}

// Ten entries of fifteen 32x32 scene PNGs, one of them an atlas too: a bake
// long enough to be interrupted.
Json longBakeEntries() {
    Json entries = Json::array();
    for (int e = 0; e < 10; ++e) {
        entries.push_back({{"name", "e" + std::to_string(e)},
                           {"model", "scene.sgm"},
                           {"style", "style1"},
                           {"count", 15},
                           {"first_seed", 100 * e},
                           {"width", 32},
                           {"height", 32}});
    }
    entries[3]["atlas"] = {{"file", "atlas3.png"}};
    return entries;
}

// What an interrupted bake may leave: PNGs (other than hidden temporaries)
// that decode whole, and a provenance file that parses.
void expectOnlyWholeFiles(const fs::path& out, const std::string& when) {
    std::error_code ignored;
    for (const auto& item : fs::recursive_directory_iterator(out, ignored)) {
        const std::string name = item.path().filename().string();
        if (name.size() > 4 && name.compare(name.size() - 4, 4, ".png") == 0 && name[0] != '.') {
            EXPECT_TRUE(readPng(item.path())) << name << " is not a whole PNG " << when;
        }
    }
    if (fs::exists(out / "bake-provenance.json")) {
        EXPECT_NO_THROW((void)Json::parse(readFile(out / "bake-provenance.json"))) << when;
    }
}

// Kills bakes at a few points (SIGKILL: no clean-up runs) and checks that
// every PNG present is whole, then that a rerun finishes the job to exactly
// the bytes of an uninterrupted bake.
TEST_F(BakeTest, KilledBakesLeaveWholeFilesAndTheRerunMatchesACleanBake) {
    writeManifest(manifest(longBakeEntries()));
    const sgtest::ProcessResult clean = bake({"--jobs", "2"}, "clean");
    ASSERT_EQ(clean.exitCode, 0) << clean.err;
    const auto expected = contents(root_ / "clean");

    const fs::path out = root_ / "out";
    auto pngCount = [&] {
        size_t n = 0;
        std::error_code ignored;
        for (const auto& item : fs::directory_iterator(out, ignored)) n += item.path().extension() == ".png";
        return n;
    };
    int killedMidway = 0;
    for (const size_t killAt : {15, 60, 110}) {
        const pid_t pid = sgtest::startProcess({STYLEGEN_CLI_PATH, "bake", (root_ / "manifest.json").string(), "-o",
                                                out.string(), "--jobs", "2", "--threads", "1"});
        ASSERT_GT(pid, 0);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (pngCount() < killAt && waitpid(pid, nullptr, WNOHANG) == 0 &&
               std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
        killedMidway += kill(pid, SIGKILL) == 0;
        sgtest::waitProcess(pid);
        expectOnlyWholeFiles(out, "after a kill at " + std::to_string(killAt) + " PNGs");
    }
    EXPECT_GT(killedMidway, 0) << "no bake was still running when killed: the test checked nothing";

    const sgtest::ProcessResult rerun = bake({"--jobs", "2"});
    ASSERT_EQ(rerun.exitCode, 0) << rerun.err;
    const auto bytes = contents(out);
    EXPECT_EQ(bytes.size(), expected.size()) << "the rerun leaves no temporary files behind";
    EXPECT_TRUE(bytes == expected) << "the finished bake differs from an uninterrupted one";
}

// The same at random moments of the whole bake, from before the first file to
// the provenance at the end (the seed is printed, to replay a failure).
TEST_F(BakeTest, KilledAtRandomMomentsLeavesWholeFilesAndTheRerunMatchesACleanBake) {
    writeManifest(manifest(longBakeEntries()));
    const auto started = std::chrono::steady_clock::now();
    const sgtest::ProcessResult clean = bake({"--jobs", "2"}, "clean");
    const auto cleanTime = std::chrono::steady_clock::now() - started;
    ASSERT_EQ(clean.exitCode, 0) << clean.err;
    const auto expected = contents(root_ / "clean");

    const unsigned seed = unsigned(std::chrono::system_clock::now().time_since_epoch().count());
    SCOPED_TRACE("random seed " + std::to_string(seed));
    std::mt19937 random(seed);
    const int64_t spanUs = std::chrono::duration_cast<std::chrono::microseconds>(cleanTime).count();
    const fs::path out = root_ / "out";
    int killed = 0;
    for (int round = 0; round < 8; ++round) {
        const int64_t delayUs = std::uniform_int_distribution<int64_t>(0, spanUs)(random);
        const pid_t pid = sgtest::startProcess({STYLEGEN_CLI_PATH, "bake", (root_ / "manifest.json").string(), "-o",
                                                out.string(), "--jobs", "2", "--threads", "1"});
        ASSERT_GT(pid, 0);
        std::this_thread::sleep_for(std::chrono::microseconds(delayUs));
        const bool killedThisRound = kill(pid, SIGKILL) == 0 && sgtest::waitProcess(pid) == 128 + SIGKILL;
        expectOnlyWholeFiles(out, "after a kill at " + std::to_string(delayUs) + " us");
        killed += killedThisRound;
        // A bake that finished first leaves nothing to do for the next rounds,
        // which would then end before any kill: start them over.
        if (!killedThisRound) fs::remove_all(out);
    }
    EXPECT_GT(killed, 0) << "every bake finished before its kill: the test checked nothing";

    const sgtest::ProcessResult rerun = bake({"--jobs", "2"});
    ASSERT_EQ(rerun.exitCode, 0) << rerun.err;
    EXPECT_TRUE(contents(out) == expected) << "the finished bake differs from an uninterrupted one";
}

// Entries of small character PNGs, then an atlas of noisy scene images far
// larger than any of them: a disk that fills up in the middle of the bake.
Json fullDiskEntries() {
    return Json::array({{{"name", "small"}, {"style", "style0"}, {"count", 6}},
                        {{"name", "big"},
                         {"model", "scene.sgm"},
                         {"style", "style1"},
                         {"count", 16},
                         {"width", 64},
                         {"height", 64},
                         {"atlas", {{"file", "big_atlas.png"}, {"columns", 4}}}}});
}

// RLIMIT_FSIZE: every file above the limit fails with EFBIG, as on a full disk.
TEST_F(BakeTest, AFileTooLargeForTheDiskFailsClearlyWithNoPartialFileAndARerunCompletes) {
    writeManifest(manifest(fullDiskEntries()));
    const sgtest::ProcessResult clean = bake({}, "clean");
    ASSERT_EQ(clean.exitCode, 0) << clean.err;
    ASSERT_GT(fs::file_size(root_ / "clean/big_atlas.png"), 16384u) << "the atlas must exceed the limit";

    sgtest::ProcessOptions limited{root_.string(), {}};
    limited.fileSizeLimit = 16384;
    const sgtest::ProcessResult full =
        sgtest::runProcess({STYLEGEN_CLI_PATH, "bake", "manifest.json", "-o", "out"}, limited);
    EXPECT_EQ(full.exitCode, 1) << full.err;
    EXPECT_NE(full.err.find("cannot write"), std::string::npos) << full.err;
    EXPECT_NE(full.err.find("big_atlas.png"), std::string::npos) << full.err;
    EXPECT_NE(full.err.find("File too large"), std::string::npos) << full.err;
    EXPECT_FALSE(fs::exists(root_ / "out/big_atlas.png"));
    for (const auto& item : fs::directory_iterator(root_ / "out"))
        EXPECT_NE(item.path().filename().string()[0], '.') << item.path() << " is a temporary left behind";
    expectOnlyWholeFiles(root_ / "out", "after the disk filled up");

    const sgtest::ProcessResult rerun = bake();
    ASSERT_EQ(rerun.exitCode, 0) << rerun.err;
    EXPECT_TRUE(contents(root_ / "out") == contents(root_ / "clean"));
}

// A real full disk: a 64 KiB tmpfs mounted in a user and mount namespace
// (unshare -rm), where the bake runs; what it left is copied out before the
// namespace and its file system go away. Skips where namespaces are not allowed.
TEST_F(BakeTest, ARealFullDiskFailsWithNoSpaceLeftAndNoPartialFile) {
    writeManifest(manifest(fullDiskEntries()));
    fs::create_directory(root_ / "disk");
    const std::string script =
        "mount -t tmpfs -o size=64k stylegen-test \"$1\" || exit 77\n"
        "\"$2\" bake manifest.json -o \"$1/out\" > stdout.txt 2> stderr.txt\n"
        "code=$?\n"
        "cp -a \"$1/out\" left\n"
        "exit $code\n";
    const sgtest::ProcessResult r = sgtest::runProcess(
        {"unshare", "-rm", "sh", "-c", script, "sh", (root_ / "disk").string(), STYLEGEN_CLI_PATH},
        {root_.string(), {}});
    if (r.exitCode == 77 || r.exitCode == 127 || !fs::exists(root_ / "left"))
        GTEST_SKIP() << "cannot mount a tmpfs in a user namespace here: " << r.err;
    const std::string err = readFile(root_ / "stderr.txt");
    EXPECT_EQ(r.exitCode, 1) << err;
    EXPECT_NE(err.find("No space left on device"), std::string::npos) << err;
    for (const auto& item : fs::directory_iterator(root_ / "left"))
        EXPECT_NE(item.path().filename().string()[0], '.') << item.path() << " is a temporary left behind";
    expectOnlyWholeFiles(root_ / "left", "after the disk filled up");

    const sgtest::ProcessResult rerun = bake({}, "left");
    ASSERT_EQ(rerun.exitCode, 0) << rerun.err;
    const sgtest::ProcessResult clean = bake({}, "clean");
    ASSERT_EQ(clean.exitCode, 0) << clean.err;
    EXPECT_TRUE(contents(root_ / "left") == contents(root_ / "clean"));
}

// [SECTION] Command line and progress --------------------------------------------------

TEST_F(BakeTest, BadCommandLinesAreUsageErrors) {
    writeManifest(manifest({kBaseEntry}));
    for (const std::vector<std::string>& args : {std::vector<std::string>{"bake", "manifest.json"},
                                                 {"bake", "-o", "out"},
                                                 {"bake", "manifest.json", "manifest.json", "-o", "out"},
                                                 {"bake", "manifest.json", "-o", "out", "--jobs", "x"},
                                                 {"bake", "manifest.json", "-o", "out", "--frobnicate"}}) {
        const sgtest::ProcessResult r = stylegen(args);
        EXPECT_EQ(r.exitCode, 2) << args.back();
        EXPECT_NE(r.err.find("stylegen: error: "), std::string::npos) << r.err;
    }
}

TEST_F(BakeTest, HelpDescribesTheOptions) {
    const sgtest::ProcessResult r = stylegen({"bake", "--help"});
    EXPECT_EQ(r.exitCode, 0);
    for (const char* option : {"--jobs", "--model-dir", "--force", "bake-provenance.json"}) {
        EXPECT_NE(r.out.find(option), std::string::npos) << option;
    }
}

TEST_F(BakeTest, PrintsOneLinePerEntryAndNoProgressBarIntoALog) {
    bakeEntries(kThreeEntries);
    const sgtest::ProcessResult r = bake({"--force"});
    EXPECT_NE(r.out.find("baked a: 2 images -> out/a_1.png and 1 more\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("baked b: 3 images -> out/b.png and 1 more\n"), std::string::npos) << r.out;
    EXPECT_EQ(r.err.find('\r'), std::string::npos) << "a progress bar went into a file: " << r.err;
}

TEST_F(BakeTest, DrawsAProgressBarOnATerminal) {
    writeManifest(manifest({{{"name", "a"}, {"style", "style0"}, {"count", 20}}}));
    int terminal = -1;
    const pid_t pid = forkpty(&terminal, nullptr, nullptr, nullptr);
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        if (chdir(root_.c_str()) != 0) _exit(126);
        execl(STYLEGEN_CLI_PATH, STYLEGEN_CLI_PATH, "bake", "manifest.json", "-o", "out", static_cast<char*>(nullptr));
        _exit(127);
    }
    std::string screen;
    char buffer[4096];
    for (ssize_t n; (n = read(terminal, buffer, sizeof buffer)) > 0;) screen.append(buffer, size_t(n));
    close(terminal);
    EXPECT_EQ(sgtest::waitProcess(pid), 0) << screen;
    EXPECT_NE(screen.find("\r["), std::string::npos) << screen;
    EXPECT_NE(screen.find("] 20/20 images"), std::string::npos) << screen;
    EXPECT_NE(screen.find("1 entry baked (20 images)"), std::string::npos) << screen;
}

}  // namespace
