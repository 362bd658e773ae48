// viewer_end_to_end_test.cpp - stylegen-viewer run as a program, as tests and
// docs use it: a state file in, --validation on (any Vulkan validation
// message or SDK warning fails the run, including objects left alive at
// vkDestroyDevice/vkDestroyInstance), screenshots, readbacks and manifests out.
// Pixels are compared byte for byte with sgGenerate, and the exported manifest
// is baked by `stylegen bake`.
//
// Skips (with the viewer's reason) where the viewer cannot run: no X display
// for the window tests, no Vulkan driver, no validation layer (exit code 77).
#include <gtest/gtest.h>
#include <stb_image.h>
#include <stylegen/stylegen.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "png_file.hpp"   // tools/cli: writePngAtomically
#include "tiny_model.hpp" // tests/common

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr int kUnavailable = 77;
const std::string kModels = STYLEGEN_TEST_MODELS_DIR;

struct Result {
    int code = -1;
    std::string out, err;
};

std::string quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

std::string readFile(const fs::path& path) {
    std::ifstream file(path, std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

struct Rgba {
    int width = 0, height = 0;
    std::vector<uint8_t> pixels;
};

Rgba readPng(const fs::path& path) {
    Rgba image;
    int channels = 0;
    unsigned char* data = stbi_load(path.c_str(), &image.width, &image.height, &channels, 4);
    if (!data) return image;
    image.pixels.assign(data, data + size_t(image.width) * size_t(image.height) * 4);
    stbi_image_free(data);
    return image;
}

class Viewer : public ::testing::Test {
protected:
    void SetUp() override {
        folder_ = fs::temp_directory_path() /
                  ("viewer_e2e_" + std::to_string(getpid()) + "_" +
                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(folder_);
        fs::create_directories(folder_);
    }
    void TearDown() override {
        if (!HasFailure()) fs::remove_all(folder_);
    }

    Result launch(const std::string& program, const std::vector<std::string>& args) {
        std::string command = quote(program);
        for (const std::string& a : args) command += " " + quote(a);
        const fs::path out = folder_ / "stdout.txt", err = folder_ / "stderr.txt";
        command += " > " + quote(out.string()) + " 2> " + quote(err.string());
        const int status = std::system(command.c_str());
        Result r;
        r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        r.out = readFile(out);
        r.err = readFile(err);
        return r;
    }
    // The viewer with validation; true when it ran (false: skipped, reason set).
    bool viewer(const std::vector<std::string>& args, Result* result) {
        std::vector<std::string> all = {"--validation", "--timeout", "200"};
        all.insert(all.end(), args.begin(), args.end());
        *result = launch(STYLEGEN_VIEWER_EXE, all);
        return result->code != kUnavailable;
    }
    // `stylegen bake` of the one-entry manifest the viewer exported, into
    // bakedFolder(); *name is the entry's name.
    void bakeExported(const fs::path& manifest, std::string* name) {
        const Json json = Json::parse(readFile(manifest));
        ASSERT_EQ(json["entries"].size(), 1u);
        *name = json["entries"][0]["name"];
        const Result bake = launch(STYLEGEN_CLI_EXE, {"bake", manifest.string(), "-o", bakedFolder().string()});
        ASSERT_EQ(bake.code, 0) << "stylegen bake failed:\n" << bake.err << "\nmanifest:\n" << readFile(manifest);
    }
    fs::path bakedFolder() const { return folder_ / "baked"; }
    std::string write(const std::string& name, const Json& json) {
        const fs::path path = folder_ / name;
        std::ofstream(path) << json.dump(2);
        return path.string();
    }
    fs::path folder_;
};

#define RUN_VIEWER(args, result)                                                                  \
    do {                                                                                          \
        if (!viewer(args, &result)) GTEST_SKIP() << "the viewer cannot run here: " << result.err;  \
        ASSERT_EQ(result.code, 0) << result.err;                                                   \
    } while (0)

// What sgGenerate makes for one image, straight alpha RGBA8.
std::vector<uint8_t> sdkImage(const std::string& model, const std::function<void(sg::GenerateInfo&, const sg::Model&)>& setUp) {
    sg::ContextCreateInfo contextInfo;
    contextInfo.backendPreference = SG_BACKEND_PREFERENCE_CPU;
    sg::Context context(contextInfo);
    sg::Model loaded = context.loadModel(model);
    sg::GenerateInfo info;
    setUp(info, loaded);
    return loaded.generate(info);
}

TEST_F(Viewer, Window_ScreenshotAndSelectionReadbackEqualTheSdk) {
    if (!std::getenv("DISPLAY"))
        GTEST_SKIP() << "no X display (DISPLAY is unset): run under xvfb-run, as scripts/test.sh does";
    const std::string state = write("state.json", {{"model", kModels + "/characters.sgm"},
                                                   {"style", "orcs"},
                                                   {"psi", 0.8},
                                                   {"seed", 40},
                                                   {"grid", {2, 2}},
                                                   {"selected", 1},
                                                   {"view", {{"tab", "selection"}, {"zoom", 4}}},
                                                   {"window", {960, 640}}});
    const fs::path shot = folder_ / "shot.png", selection = folder_ / "selection.png", report = folder_ / "report.json";
    Result r;
    RUN_VIEWER(std::vector<std::string>({"--state", state, "--screenshot", shot.string(), "--export-png",
                                         selection.string(), "--report", report.string()}),
               r);

    const std::vector<uint8_t> expected = sdkImage(kModels + "/characters.sgm", [](sg::GenerateInfo& i, const sg::Model& m) {
        i.styleIndex = m.findStyle("orcs");
        i.firstSeed = 41;
        i.truncationPsi = 0.8f;
    });
    // The selection's GPU image, read back: byte for byte what sgGenerate makes.
    const Rgba readback = readPng(selection);
    ASSERT_EQ(readback.width, 64);
    ASSERT_EQ(readback.height, 64);
    EXPECT_TRUE(readback.pixels == expected) << "the generated GPU image differs from sgGenerate";

    // The large view on screen: nearest at 4x over the checkerboard, exactly.
    const Json placement = Json::parse(readFile(report))["large_view"];
    ASSERT_TRUE(placement.is_object()) << readFile(report);
    const Rgba screen = readPng(shot);
    ASSERT_EQ(screen.width, 960);
    ASSERT_EQ(screen.height, 640);
    const int zoom = int(placement["zoom"].get<double>());
    ASSERT_EQ(zoom, 4);
    const int ox = int(placement["origin"][0].get<double>()), oy = int(placement["origin"][1].get<double>());
    const int square = placement["checker_square"], light = placement["checker_colours"][0],
              dark = placement["checker_colours"][1];
    const int clip[4] = {int(placement["clip"][0].get<double>()), int(placement["clip"][1].get<double>()),
                         int(placement["clip"][2].get<double>()), int(placement["clip"][3].get<double>())};
    ASSERT_TRUE(ox >= clip[0] && oy >= clip[1] && ox + 64 * zoom <= clip[2] && oy + 64 * zoom <= clip[3])
        << "the whole sprite must be visible at 4x";
    int compared = 0, different = 0;
    for (int y = oy; y < oy + 64 * zoom; ++y)
        for (int x = ox; x < ox + 64 * zoom; ++x) {
            const uint8_t* texel = &expected[(size_t((y - oy) / zoom) * 64 + size_t((x - ox) / zoom)) * 4];
            const int background = (((x - ox) / square + (y - oy) / square) % 2 == 0) ? light : dark;
            const uint8_t* pixel = &screen.pixels[(size_t(y) * 960 + size_t(x)) * 4];
            for (int c = 0; c < 3; ++c) {
                const int want = (texel[c] * texel[3] + background * (255 - texel[3]) + 127) / 255;
                different += pixel[c] != want;
            }
            ++compared;
        }
    EXPECT_EQ(compared, 64 * 64 * zoom * zoom);
    EXPECT_EQ(different, 0) << "screen pixels differ from the SDK's image over the checkerboard";
}

TEST_F(Viewer, Headless_SceneModelAtAnySizeEqualsTheSdk) {
    const std::string state = write(
        "state.json", {{"model", kModels + "/terrain.sgm"},
                       {"blend", {{"brick", 0.25}, {"lava", 0.75}}},
                       {"psi", 0.7},
                       {"noise", 0.5},
                       {"noise_seed", 9},
                       {"mix", {{"seed", 77}, {"layer", 3}}},
                       {"size", {96, 64}},
                       {"seed", 10},
                       {"grid", {2, 1}},
                       {"selected", 1},
                       {"view", {{"tab", "tiling"}, {"seams", true}}},
                       {"window", {900, 600}}});
    const fs::path selection = folder_ / "selection.png", shot = folder_ / "shot.png";
    Result r;
    RUN_VIEWER(std::vector<std::string>({"--headless", "--state", state, "--export-png", selection.string(),
                                         "--screenshot", shot.string()}),
               r);
    const std::vector<uint8_t> expected = sdkImage(kModels + "/terrain.sgm", [](sg::GenerateInfo& i, const sg::Model& m) {
        static std::vector<float> weights;
        weights.assign(m.info().styleCount, 0.0f);
        weights[m.findStyle("brick")] = 0.25f;
        weights[m.findStyle("lava")] = 0.75f;
        i.styleWeightCount = uint32_t(weights.size());
        i.pStyleWeights = weights.data();
        i.firstSeed = 11;
        i.truncationPsi = 0.7f;
        i.noiseStrength = 0.5f;
        i.flags = SG_GENERATE_EXPLICIT_NOISE_SEEDS_BIT | SG_GENERATE_STYLE_MIXING_BIT;
        i.firstNoiseSeed = 9;
        i.firstMixSeed = 77;
        i.mixLayer = 3;
        i.width = 96;
        i.height = 64;
    });
    const Rgba readback = readPng(selection);
    ASSERT_EQ(readback.width, 96);
    ASSERT_EQ(readback.height, 64);
    EXPECT_TRUE(readback.pixels == expected) << "the generated GPU image differs from sgGenerate";
    EXPECT_EQ(readPng(shot).width, 900);
}

TEST_F(Viewer, ExportedManifestEntry_BakesToTheSamePixels) {
    const std::string state = write("state.json", {{"model", kModels + "/characters.sgm"},
                                                   {"blend", {{"orcs", 0.6}, {"undead", 0.4}}},
                                                   {"psi", 0.75},
                                                   {"noise_seed", 3},
                                                   {"mix", {{"seed", 500}, {"layer", 6}}},
                                                   {"seed", 200},
                                                   {"grid", {1, 1}},
                                                   {"window", {800, 600}}});
    const fs::path manifest = folder_ / "manifest.json", selection = folder_ / "selection.png";
    Result r;
    RUN_VIEWER(std::vector<std::string>({"--headless", "--state", state, "--export-manifest", manifest.string(),
                                         "--export-png", selection.string()}),
               r);
    std::string name;
    ASSERT_NO_FATAL_FAILURE(bakeExported(manifest, &name));
    const fs::path out = bakedFolder();
    const Rgba baked = readPng(out / (name + "_200.png"));
    const Rgba viewed = readPng(selection);
    ASSERT_EQ(baked.width, 64) << "no " << (out / (name + "_200.png"));
    EXPECT_TRUE(baked.pixels == viewed.pixels) << "the bake differs from what the viewer showed";
}

TEST_F(Viewer, ExportedAnimation_BakesToTheInterpolationFrames) {
    const std::string state = write("state.json", {{"model", kModels + "/characters.sgm"},
                                                   {"style", "drakes"},
                                                   {"psi", 0.8},
                                                   {"seed", 40},
                                                   {"grid", {1, 1}},
                                                   {"view", {{"tab", "interpolation"}}},
                                                   {"interpolation", {{"seed", 41}, {"playing", false}, {"position", 0.5}}},
                                                   {"window", {800, 600}}});
    const fs::path manifest = folder_ / "animation.json", selection = folder_ / "selection.png";
    Result r;
    RUN_VIEWER(std::vector<std::string>({"--headless", "--state", state, "--export-animation", manifest.string(),
                                         "--export-png", selection.string()}),
               r);
    std::string name;
    ASSERT_NO_FATAL_FAILURE(bakeExported(manifest, &name));
    const fs::path out = bakedFolder();
    // Frame 0 is the selection itself; the middle frame is the SDK's interpolation halfway to seed 41.
    EXPECT_TRUE(readPng(out / (name + "_0.png")).pixels == readPng(selection).pixels);
    const std::vector<uint8_t> halfway = sdkImage(kModels + "/characters.sgm", [](sg::GenerateInfo& i, const sg::Model& m) {
        static sg::LatentInterpolationInfo towards41(41, 0.5f);
        i.styleIndex = m.findStyle("drakes");
        i.firstSeed = 40;
        i.truncationPsi = 0.8f;
        i.flags = SG_GENERATE_EXPLICIT_NOISE_SEEDS_BIT;
        i.firstNoiseSeed = 40;
        i.pNext = &towards41;
    });
    const Rgba middle = readPng(out / (name + "_16.png"));
    ASSERT_EQ(middle.width, 64) << "no " << (out / (name + "_16.png"));
    EXPECT_TRUE(middle.pixels == halfway) << "frame 16 differs from sgGenerate at t = 0.5";
    EXPECT_FALSE(readPng(out / (name + "_32.png")).pixels == readPng(selection).pixels);
    EXPECT_TRUE(fs::exists(out / (name + "_32.png")) && !fs::exists(out / (name + "_33.png")));
}

// Every screen pixel of an image drawn at an integer zoom with nearest
// filtering over the checkerboard (a --report placement) against the image's
// straight-alpha RGBA8 bytes: the count of channels that differ.
int compositeDifferences(const Rgba& screen, const Json& placement, const std::vector<uint8_t>& image, int width,
                         int height) {
    const int zoom = int(placement["zoom"].get<double>());
    const int ox = int(placement["origin"][0].get<double>()), oy = int(placement["origin"][1].get<double>());
    const int square = placement["checker_square"], light = placement["checker_colours"][0],
              dark = placement["checker_colours"][1];
    int different = 0;
    for (int y = oy; y < oy + height * zoom; ++y)
        for (int x = ox; x < ox + width * zoom; ++x) {
            const uint8_t* texel = &image[(size_t((y - oy) / zoom) * size_t(width) + size_t((x - ox) / zoom)) * 4];
            const int background = (((x - ox) / square + (y - oy) / square) % 2 == 0) ? light : dark;
            const uint8_t* pixel = &screen.pixels[(size_t(y) * size_t(screen.width) + size_t(x)) * 4];
            for (int c = 0; c < 3; ++c)
                different += pixel[c] != (texel[c] * texel[3] + background * (255 - texel[3]) + 127) / 255;
        }
    return different;
}

// A tiny character model (16x16 RGBA, styles style0..style2), with a restyle
// encoder or without.
std::string tinyModel(const fs::path& folder, bool encoder) {
    sgtest::TinyModelParts parts = sgtest::makeTinyModelParts(sgtest::TinyKind::Character, 3, 7);
    if (encoder) sgtest::addTinyEncoder(&parts, 7);
    return sgtest::writeTinyModelParts(folder.string(), encoder ? "tiny-encoder.sgm" : "tiny.sgm", parts);
}

// The restyle input: what the model makes for style0, seed 5, as a PNG.
std::vector<uint8_t> writeInput(const std::string& model, const fs::path& path) {
    const std::vector<uint8_t> pixels = sdkImage(model, [](sg::GenerateInfo& i, const sg::Model& m) {
        i.styleIndex = m.findStyle("style0");
        i.firstSeed = 5;
    });
    sg::cli::Image image(16, 16);
    image.pixels = pixels;
    std::string error;
    EXPECT_TRUE(sg::cli::writePngAtomically(path.string(), image, &error)) << error;
    return pixels;
}

TEST_F(Viewer, Headless_RestyleEqualsTheSdkAndShowsBeforeAndAfter) {
    const std::string model = tinyModel(folder_, true);
    const std::vector<uint8_t> input = writeInput(model, folder_ / "input.png");
    // The target through a prompt: the state's "prompt" sets the blend.
    const std::string state = write("state.json", {{"model", model},
                                                   {"prompt", "style1:0.7 + style2:0.3"},
                                                   {"grid", {2, 1}},
                                                   {"restyle", {{"image", "input.png"},
                                                                {"strength", 0.75},
                                                                {"source", "style0"},
                                                                {"refine", 3}}},
                                                   {"view", {{"tab", "restyle"}, {"zoom", 8}}},
                                                   {"window", {900, 600}}});
    const fs::path restyled = folder_ / "restyled.png", shot = folder_ / "shot.png", report = folder_ / "report.json",
                   end = folder_ / "end.json", config = folder_ / "config";
    Result r;
    RUN_VIEWER(std::vector<std::string>({"--headless", "--state", state, "--export-restyle", restyled.string(),
                                         "--screenshot", shot.string(), "--report", report.string(), "--save-state",
                                         end.string(), "--config-dir", config.string()}),
               r);

    sg::ContextCreateInfo contextInfo;
    contextInfo.backendPreference = SG_BACKEND_PREFERENCE_CPU;
    sg::Context context(contextInfo);
    sg::Model loaded = context.loadModel(model);
    const std::vector<float> weights = loaded.parseStylePrompt("style1:0.7 + style2:0.3");
    sg::RestyleInfo info;
    info.pPixels = input.data();
    info.size = input.size();
    info.width = info.height = 16;
    info.styleWeightCount = uint32_t(weights.size());
    info.pStyleWeights = weights.data();
    info.sourceStyleIndex = loaded.findStyle("style0");
    info.strength = 0.75f;
    info.refinementSteps = 3;
    const std::vector<uint8_t> expected = loaded.restyle(info);
    ASSERT_NE(expected, input) << "the restyle must change the image for this test to mean anything";

    // The result's GPU image, read back: byte for byte what sgRestyle makes.
    const Rgba exported = readPng(restyled);
    ASSERT_EQ(exported.width, 16);
    ASSERT_EQ(exported.height, 16);
    EXPECT_TRUE(exported.pixels == expected) << "the restyled GPU image differs from sgRestyle";
    // The build gets the same image from the CLI with the same settings.
    const fs::path cli = folder_ / "cli.png";
    const Result restyle = launch(STYLEGEN_CLI_EXE, {"restyle", (folder_ / "input.png").string(), "--model", model,
                                                     "--style", "style1:0.7 + style2:0.3", "--source", "style0",
                                                     "--strength", "0.75", "--refine", "3", "-o", cli.string()});
    ASSERT_EQ(restyle.code, 0) << restyle.err;
    EXPECT_TRUE(readPng(cli).pixels == exported.pixels) << "stylegen restyle differs from the viewer's export";

    // On screen: before | after at 8x, nearest, over the checkerboard, every pixel.
    const Json placements = Json::parse(readFile(report))["restyle"];
    ASSERT_TRUE(placements.contains("before") && placements.contains("after")) << readFile(report);
    const Rgba screen = readPng(shot);
    ASSERT_EQ(screen.width, 900);
    for (const char* side : {"before", "after"}) {
        const Json& p = placements[side];
        ASSERT_EQ(int(p["zoom"].get<double>()), 8) << side;
        const float x = p["origin"][0], y = p["origin"][1];
        ASSERT_TRUE(x >= p["clip"][0].get<float>() && y >= p["clip"][1].get<float>() &&
                    x + 128 <= p["clip"][2].get<float>() && y + 128 <= p["clip"][3].get<float>())
            << side << " must be wholly visible at 8x: " << p.dump();
    }
    EXPECT_LT(placements["before"]["origin"][0].get<float>() + 128, placements["after"]["origin"][0].get<float>())
        << "before is left of after";
    EXPECT_EQ(compositeDifferences(screen, placements["before"], input, 16, 16), 0) << "the input on screen";
    EXPECT_EQ(compositeDifferences(screen, placements["after"], expected, 16, 16), 0) << "the result on screen";

    // The state as saved: the prompt became the blend; the restyle settings persist.
    const Json saved = Json::parse(readFile(end));
    EXPECT_EQ(float(saved["blend"]["style1"].get<double>()), weights[1]) << saved.dump();
    EXPECT_EQ(float(saved["blend"]["style2"].get<double>()), weights[2]) << saved.dump();
    EXPECT_EQ(saved["restyle"], Json({{"image", "input.png"}, {"strength", 0.75}, {"source", "style0"}, {"refine", 3}}));
    EXPECT_EQ(saved["view"]["tab"], "restyle");
    // The image joins the recent ones.
    EXPECT_EQ(Json::parse(readFile(config / "viewer.json"))["recent_images"],
              Json({(folder_ / "input.png").lexically_normal().string()}));
}

TEST_F(Viewer, Restyle_AModelWithoutEncoderOrAnUnreadableImageSaysSo) {
    const std::string plain = tinyModel(folder_, false);
    writeInput(plain, folder_ / "input.png");
    const fs::path out = folder_ / "restyled.png";
    const std::string noEncoder = write("plain.json", {{"model", plain},
                                                       {"restyle", {{"image", "input.png"}}},
                                                       {"view", {{"tab", "restyle"}}},
                                                       {"window", {800, 600}}});
    Result r;
    if (!viewer({"--headless", "--state", noEncoder, "--export-restyle", out.string()}, &r))
        GTEST_SKIP() << "the viewer cannot run here: " << r.err;
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("has no restyle encoder"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out));

    const std::string encoder = tinyModel(folder_, true);
    std::ofstream(folder_ / "broken.png") << "not a PNG";
    for (const char* image : {"missing.png", "broken.png"}) {
        const std::string state = write("bad.json", {{"model", encoder},
                                                     {"restyle", {{"image", image}}},
                                                     {"view", {{"tab", "restyle"}}},
                                                     {"window", {800, 600}}});
        ASSERT_TRUE(viewer({"--headless", "--state", state, "--screenshot", (folder_ / "shot.png").string()}, &r));
        EXPECT_EQ(r.code, 1) << image;
        EXPECT_NE(r.err.find((folder_ / image).string() + ": "), std::string::npos) << image << ": " << r.err;
    }
    // A source style the model lacks is a state file typo, as a style is.
    const std::string source = write("source.json", {{"model", encoder},
                                                     {"restyle", {{"image", "input.png"}, {"source", "style9"}}},
                                                     {"view", {{"tab", "restyle"}}}});
    ASSERT_TRUE(viewer({"--headless", "--state", source, "--export-restyle", out.string()}, &r));
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("\"style9\""), std::string::npos) << r.err;
}

TEST_F(Viewer, Prompt_InTheStateFileSetsTheBlendOrNamesTheProblem) {
    const std::string model = tinyModel(folder_, false);
    const std::string state = write("state.json", {{"model", model},
                                                   {"prompt", "style2:3 + style0:1"},
                                                   {"seed", 30},
                                                   {"grid", {1, 1}},
                                                   {"window", {800, 600}}});
    const fs::path selection = folder_ / "selection.png";
    Result r;
    RUN_VIEWER(std::vector<std::string>({"--headless", "--state", state, "--export-png", selection.string()}), r);
    const std::vector<uint8_t> expected = sdkImage(model, [](sg::GenerateInfo& i, const sg::Model& m) {
        static std::vector<float> weights;
        weights = m.parseStylePrompt("style2:3 + style0:1");
        i.styleWeightCount = uint32_t(weights.size());
        i.pStyleWeights = weights.data();
        i.firstSeed = 30;
    });
    EXPECT_TRUE(readPng(selection).pixels == expected) << "the prompt's blend differs from sgGenerate's";

    // A style the model lacks: the SDK's message, exit code 1.
    const std::string typo = write("typo.json", {{"model", model}, {"prompt", "style1:0.5 + stlye2"}});
    Result bad;
    ASSERT_TRUE(viewer({"--headless", "--state", typo, "--report", (folder_ / "r.json").string()}, &bad));
    EXPECT_EQ(bad.code, 1);
    EXPECT_NE(bad.err.find("\"prompt\": sgParseStylePrompt"), std::string::npos) << bad.err;
    EXPECT_NE(bad.err.find("stlye2"), std::string::npos) << bad.err;
}

TEST_F(Viewer, Settings_LastModelAndLayoutPersistBetweenRuns) {
    const fs::path config = folder_ / "config";
    const fs::path report = folder_ / "report.json";
    Result first;
    RUN_VIEWER(std::vector<std::string>({"--headless", "--config-dir", config.string(), "--model",
                                         kModels + "/characters.sgm", "--window", "800x600", "--report",
                                         report.string()}),
               first);
    const Json settings = Json::parse(readFile(config / "viewer.json"));
    EXPECT_EQ(settings["last_model"], fs::path(kModels + "/characters.sgm").lexically_normal().string());
    EXPECT_FALSE(readFile(config / "viewer-imgui.ini").empty()) << "the window layout was not saved";
    // A second run without --model opens the last one.
    Result second;
    RUN_VIEWER(std::vector<std::string>({"--headless", "--config-dir", config.string(), "--window", "800x600",
                                         "--report", report.string()}),
               second);
    EXPECT_EQ(Json::parse(readFile(report))["model"], settings["last_model"]);
}

TEST_F(Viewer, Headless_ScenePreviewAndInterpolationRenderCleanly) {
    // Pins from both models: a terrain floor, orcs standing on it; then the
    // interpolation frames. Validation (synchronization included) must stay silent.
    const Json pins = {{{"model", kModels + "/terrain.sgm"}, {"style", "grass"}, {"size", {64, 64}}, {"seed", 4}},
                       {{"model", kModels + "/characters.sgm"}, {"style", "drakes"}, {"seed", 8}}};
    const std::string scene = write("scene.json", {{"model", kModels + "/characters.sgm"},
                                                   {"style", "orcs"},
                                                   {"grid", {2, 1}},
                                                   {"pins", pins},
                                                   {"view", {{"tab", "scene"}}},
                                                   {"window", {800, 600}}});
    const fs::path shot = folder_ / "scene.png";
    Result r;
    RUN_VIEWER(std::vector<std::string>({"--headless", "--state", scene, "--screenshot", shot.string()}), r);
    const Rgba image = readPng(shot);
    ASSERT_EQ(image.width, 800);
    const std::string sweep = write("sweep.json", {{"model", kModels + "/characters.sgm"},
                                                   {"style", "elves"},
                                                   {"grid", {1, 1}},
                                                   {"view", {{"tab", "interpolation"}}},
                                                   {"interpolation", {{"seed", 9}, {"position", 0.5}}},
                                                   {"window", {800, 600}}});
    RUN_VIEWER(std::vector<std::string>({"--headless", "--state", sweep, "--screenshot", shot.string()}), r);
}

// No display at all (DISPLAY and WAYLAND_DISPLAY unset): the window mode says
// so and exits with the "cannot run here" code, no crash, no window; the
// headless mode needs no display.
TEST_F(Viewer, NoDisplay_GivesAClearErrorAndExitCode) {
    const std::string state = write("state.json", {{"model", kModels + "/characters.sgm"}, {"style", "orcs"}});
    const Result r = launch("env", {"-u", "DISPLAY", "-u", "WAYLAND_DISPLAY", STYLEGEN_VIEWER_EXE, "--state", state,
                                    "--timeout", "60"});
    EXPECT_EQ(r.code, kUnavailable) << r.err;
    EXPECT_NE(r.err.find("no display"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("Segmentation"), std::string::npos) << r.err;
}

TEST_F(Viewer, BadInput_GetsAClearErrorNotACrash) {
    // A state file with a typo: refused before any window opens, naming the key.
    const std::string typo = write("typo.json", {{"model", kModels + "/characters.sgm"}, {"sede", 3}});
    Result r = launch(STYLEGEN_VIEWER_EXE, {"--headless", "--state", typo, "--report", (folder_ / "r.json").string()});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("\"sede\""), std::string::npos) << r.err;
    // A bad command line: exit code 2.
    r = launch(STYLEGEN_VIEWER_EXE, {"--frames", "lots"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("--frames"), std::string::npos) << r.err;
    // A model file that is not one: the SDK's reason, exit code 1.
    std::ofstream(folder_ / "bad.sgm") << "not a model";
    Result bad;
    if (!viewer({"--headless", "--model", (folder_ / "bad.sgm").string(), "--report", (folder_ / "r.json").string()},
                &bad))
        GTEST_SKIP() << "the viewer cannot run here: " << bad.err;
    EXPECT_EQ(bad.code, 1);
    EXPECT_NE(bad.err.find("SG_ERROR_BAD_MODEL_FILE"), std::string::npos) << bad.err;
    // A style the model does not have.
    const std::string style = write("style.json", {{"model", kModels + "/characters.sgm"}, {"style", "robots"}});
    Result missing;
    ASSERT_TRUE(viewer({"--headless", "--state", style, "--report", (folder_ / "r.json").string()}, &missing));
    EXPECT_EQ(missing.code, 1);
    EXPECT_NE(missing.err.find("robots"), std::string::npos) << missing.err;
}

}  // namespace
