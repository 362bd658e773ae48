// viewer_data_test.cpp - what the viewer reads and writes without a GPU: the
// --state file, settings, bake manifest entries, grid sheets.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "export.hpp"
#include "settings.hpp"
#include "state.hpp"

namespace {

namespace fs = std::filesystem;
using sg::viewer::StateError;
using Json = nlohmann::json;

class ViewerData : public ::testing::Test {
protected:
    void SetUp() override {
        folder_ = fs::temp_directory_path() /
                  ("viewer_data_" + std::to_string(getpid()) + "_" +
                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(folder_);
    }
    void TearDown() override { fs::remove_all(folder_); }
    std::string write(const std::string& name, const std::string& text) {
        const fs::path path = folder_ / name;
        std::ofstream(path) << text;
        return path.string();
    }
    fs::path folder_;
};

TEST_F(ViewerData, StateFile_ReadsEveryKey) {
    const std::string path = write("state.json", R"({
        "model": "models/terrain.sgm", "blend": {"brick": 0.25, "lava": 0.75},
        "psi": 0.7, "noise": 0.5, "noise_seed": 9, "mix": {"seed": 7, "layer": 3}, "size": [96, 64],
        "seed": 100, "grid": [3, 2], "selected": 4, "lock_seed": true,
        "view": {"tab": "tiling", "zoom": 4, "pan": [1.5, -2], "filter": "linear", "checker": false, "seams": true},
        "interpolation": {"seed": 8, "playing": false, "position": 0.25, "speed": 1},
        "pins": [{"model": "models/characters.sgm", "style": "orcs", "seed": 5}],
        "floor_pin": 0, "window": [1280, 800]})");
    const sg::viewer::ViewerState state = sg::viewer::readStateFile(path);
    EXPECT_EQ(state.recipe.model, (folder_ / "models/terrain.sgm").string());  // relative to the file
    ASSERT_EQ(state.recipe.blend.size(), 2u);
    EXPECT_FLOAT_EQ(state.recipe.psi, 0.7f);
    EXPECT_FLOAT_EQ(state.recipe.noise, 0.5f);
    EXPECT_EQ(state.recipe.noiseSeed, 9u);
    ASSERT_TRUE(state.recipe.mix.has_value());
    EXPECT_EQ(state.recipe.mix->seed, 7u);
    EXPECT_EQ(state.recipe.mix->layer, 3u);
    EXPECT_EQ(state.recipe.width, 96u);
    EXPECT_EQ(state.recipe.height, 64u);
    EXPECT_EQ(state.seed, 100u);
    EXPECT_EQ(state.columns, 3u);
    EXPECT_EQ(state.rows, 2u);
    EXPECT_EQ(state.selectedSeed(), 104u);
    EXPECT_TRUE(state.lockSeed);
    EXPECT_EQ(state.tab, sg::viewer::ViewTab::Tiling);
    EXPECT_FLOAT_EQ(state.zoom, 4.0f);
    EXPECT_FLOAT_EQ(state.panX, 1.5f);
    EXPECT_TRUE(state.linear);
    EXPECT_FALSE(state.checker);
    EXPECT_TRUE(state.seams);
    EXPECT_EQ(state.interpolationSeed, 8u);
    EXPECT_FALSE(state.playing);
    ASSERT_EQ(state.pins.size(), 1u);
    EXPECT_EQ(state.pins[0].recipe.style, "orcs");
    EXPECT_EQ(state.pins[0].seed, 5u);
    EXPECT_EQ(state.floorPin, 0);
    EXPECT_EQ(state.windowWidth, 1280u);
}

TEST_F(ViewerData, StateFile_RejectsAnUnknownKeyByName) {
    const std::string path = write("state.json", R"({"model": "m.sgm", "view": {"zoom": 2, "zom": 3}})");
    try {
        sg::viewer::readStateFile(path);
        FAIL() << "a typo was accepted";
    } catch (const StateError& e) {
        EXPECT_NE(std::string(e.what()).find("\"zom\""), std::string::npos) << e.what();
    }
}

TEST_F(ViewerData, StateFile_RejectsBadValuesNamingTheKey) {
    const std::pair<const char*, const char*> cases[] = {
        {R"({"style": "orcs", "blend": {"orcs": 1}})", "blend"},
        {R"({"psi": "high"})", "psi"},
        {R"({"grid": [9, 1]})", "grid"},
        {R"({"grid": [2, 2], "selected": 4})", "selected"},
        {R"({"seed": -1})", "seed"},
        {R"({"blend": {"orcs": 0}})", "blend"},
        {R"({"view": {"tab": "sideways"}})", "tab"},
        {R"({"pins": [{"seed": 1}]})", "model"},
        {R"([1, 2])", "object"},
        {R"({"psi": )", "JSON"},
        {R"({"style": "orcs", "prompt": "undead"})", "prompt"},
        {R"({"prompt": ""})", "prompt"},
        {R"({"restyle": {"strength": 1.5}})", "strength"},
        {R"({"restyle": {"refine": 1001}})", "refine"},
        {R"({"restyle": {"source": ""}})", "source"},
        {R"({"restyle": {"image": 3}})", "image"},
        {R"({"restyle": {"strenght": 0.5}})", "strenght"},
    };
    for (const auto& [text, key] : cases) {
        const std::string path = write("state.json", text);
        try {
            sg::viewer::readStateFile(path);
            ADD_FAILURE() << "accepted " << text;
        } catch (const StateError& e) {
            EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << text << " -> " << e.what();
        }
    }
}

TEST_F(ViewerData, StateFile_ReadsTheRestyleViewAndAPrompt) {
    const std::string path = write("state.json", R"({
        "model": "m.sgm", "prompt": "orcs:0.7 + undead:0.3",
        "restyle": {"image": "art/hero.png", "strength": 0.25, "source": "elves", "refine": 40},
        "view": {"tab": "restyle"}})");
    const sg::viewer::ViewerState state = sg::viewer::readStateFile(path);
    EXPECT_EQ(state.prompt, "orcs:0.7 + undead:0.3");  // applied once the model is open
    EXPECT_TRUE(state.recipe.style.empty() && state.recipe.blend.empty());
    EXPECT_EQ(state.restyle.image, (folder_ / "art/hero.png").string());  // relative to the file
    EXPECT_FLOAT_EQ(state.restyle.strength, 0.25f);
    EXPECT_EQ(state.restyle.source, "elves");
    EXPECT_EQ(state.restyle.refinementSteps, 40u);
    EXPECT_EQ(state.tab, sg::viewer::ViewTab::Restyle);
    // Defaults: no image, half strength, the source found by the SDK, no refinement.
    const sg::viewer::ViewerState defaults =
        sg::viewer::readStateFile(write("defaults.json", R"({"restyle": {"source": "auto"}})"));
    EXPECT_TRUE(defaults.restyle.image.empty());
    EXPECT_FLOAT_EQ(defaults.restyle.strength, 0.5f);
    EXPECT_TRUE(defaults.restyle.source.empty());
    EXPECT_EQ(defaults.restyle.refinementSteps, 0u);
}

TEST(ViewerPrompt, StylePrompt_WritesTheRecipeAsSgParseStylePromptReadsIt) {
    sg::viewer::Recipe recipe;
    recipe.style = "orcs";
    EXPECT_EQ(sg::viewer::stylePrompt(recipe), "orcs");
    recipe.style.clear();
    recipe.blend = {{"orcs", 0.6f}, {"elves", 0.0f}, {"undead", 0.4f}};
    EXPECT_EQ(sg::viewer::stylePrompt(recipe), "orcs:0.6 + undead:0.4");  // weights of 0 left out, shortest form
    recipe.blend = {{"orcs", 1.0f / 3.0f}, {"undead", 2.0f}};
    const std::string prompt = sg::viewer::stylePrompt(recipe);
    EXPECT_EQ(prompt, "orcs:0.33333334 + undead:2");
    EXPECT_EQ(std::strtof(prompt.c_str() + 5, nullptr), 1.0f / 3.0f);  // reads back as the same float
}

TEST_F(ViewerData, StateFile_RoundTripsThroughItsJson) {
    sg::viewer::ViewerState state;
    state.recipe.model = (folder_ / "models" / "characters.sgm").string();
    state.recipe.style = "orcs";
    state.recipe.psi = 0.8f;
    state.recipe.mix = sg::viewer::Mix{12345678901234ull, 4};
    state.seed = 40;
    state.columns = 5;
    state.rows = 2;
    state.selected = 7;
    state.tab = sg::viewer::ViewTab::Interpolation;
    state.zoom = 6.0f;
    state.pins.push_back({state.recipe, 41});
    state.floorPin = 0;
    state.restyle.image = (folder_ / "art" / "hero.png").string();
    state.restyle.strength = 0.3f;
    state.restyle.refinementSteps = 25;
    const std::string path = write("state.json", sg::viewer::stateToJson(state, folder_.string()));
    const Json json = Json::parse(std::ifstream(path));
    EXPECT_EQ(json["model"], "models/characters.sgm");  // relative to the state file
    EXPECT_EQ(json["psi"].dump(), "0.8");                // not 0.800000011920929
    EXPECT_EQ(json["restyle"], Json({{"image", "art/hero.png"}, {"strength", 0.3}, {"source", "auto"}, {"refine", 25}}));
    const sg::viewer::ViewerState back = sg::viewer::readStateFile(path);
    EXPECT_TRUE(back.recipe == state.recipe);
    EXPECT_EQ(back.seed, state.seed);
    EXPECT_EQ(back.selected, state.selected);
    EXPECT_EQ(back.tab, state.tab);
    EXPECT_EQ(back.zoom, state.zoom);
    ASSERT_EQ(back.pins.size(), 1u);
    EXPECT_TRUE(back.pins[0].recipe == state.recipe);
    EXPECT_EQ(back.restyle.image, state.restyle.image);
    EXPECT_EQ(back.restyle.strength, state.restyle.strength);
    EXPECT_TRUE(back.restyle.source.empty());
    EXPECT_EQ(back.restyle.refinementSteps, 25u);
}

TEST(ViewerNumbers, ShortestDouble_IsShortAndReadsBackAsTheSameFloat) {
    EXPECT_EQ(sg::viewer::shortestDouble(0.8f), 0.8);
    EXPECT_EQ(sg::viewer::shortestDouble(1.0f), 1.0);
    std::mt19937 random(7);
    std::uniform_real_distribution<float> any(-4.0f, 4.0f);
    for (int i = 0; i < 10000; ++i) {
        const float value = any(random);
        EXPECT_EQ(float(sg::viewer::shortestDouble(value)), value);
    }
}

TEST_F(ViewerData, BakeManifest_FollowsTheSchemaAndKeepsEveryValue) {
    sg::viewer::Recipe scene;
    scene.model = (folder_ / "models" / "terrain.sgm").string();
    scene.blend = {{"brick", 0.3f}, {"lava", 0.7f}, {"ice", 0.0f}};
    scene.psi = 0.65f;
    scene.noise = 0.9f;
    scene.noiseSeed = 11;
    scene.mix = sg::viewer::Mix{5, 2};
    scene.width = 96;
    scene.height = 64;
    sg::viewer::Recipe character;
    character.model = (folder_ / "other" / "characters.sgm").string();
    character.style = "orcs";
    const std::string text = sg::viewer::bakeManifest(
        {{"terrain_a", scene, {3, 4}}, {"orcs_b", character, {9}}}, (folder_ / "out").string());
    const Json json = Json::parse(text);
    EXPECT_EQ(json["stylegen_manifest"], 1);
    EXPECT_EQ(json["model"], "../models/terrain.sgm");
    ASSERT_EQ(json["entries"].size(), 2u);
    const Json& a = json["entries"][0];
    EXPECT_FALSE(a.contains("model"));  // the top-level one
    EXPECT_FALSE(a.contains("style"));
    EXPECT_EQ(a["blend"], Json({{"brick", 0.3}, {"lava", 0.7}}));  // a 0 weight is left out
    EXPECT_EQ(a["seeds"], Json({3, 4}));
    EXPECT_EQ(float(a["psi"].get<double>()), 0.65f);
    EXPECT_EQ(a["psi"].dump(), "0.65");
    EXPECT_EQ(a["noise_seeds"], Json({11, 11}));
    EXPECT_EQ(a["mix"], Json({{"seeds", {5, 5}}, {"layer", 2}}));
    EXPECT_EQ(a["width"], 96);
    EXPECT_EQ(a["height"], 64);
    EXPECT_EQ(a["alpha"], "straight");
    EXPECT_EQ(a["output"], "{name}_{seed}.png");
    const Json& b = json["entries"][1];
    EXPECT_EQ(b["model"], "../other/characters.sgm");
    EXPECT_EQ(b["style"], "orcs");
    EXPECT_FALSE(b.contains("width"));  // the model's resolution
    EXPECT_FALSE(b.contains("mix"));
    EXPECT_FALSE(b.contains("noise_seeds"));
}

TEST_F(ViewerData, Settings_WriteReadAndRememberModels) {
    sg::viewer::Settings settings;
    for (int i = 0; i < 12; ++i) settings.rememberModel("m" + std::to_string(i) + ".sgm");
    settings.rememberModel("m5.sgm");
    for (int i = 0; i < 12; ++i) settings.rememberImage("i" + std::to_string(i % 11) + ".png");
    EXPECT_EQ(settings.lastModel, "m5.sgm");
    ASSERT_EQ(settings.recentImages.size(), sg::viewer::Settings::kMaxRecent);
    EXPECT_EQ(settings.recentImages[0], "i0.png");  // moved to the front, not listed twice
    EXPECT_EQ(settings.recentImages[1], "i10.png");
    ASSERT_EQ(settings.recentModels.size(), sg::viewer::Settings::kMaxRecent);
    EXPECT_EQ(settings.recentModels[0], "m5.sgm");
    EXPECT_EQ(settings.recentModels[1], "m11.sgm");
    settings.exportFolder = "/tmp/exports";
    settings.windowWidth = 1000;
    settings.windowHeight = 700;
    const std::string config = (folder_ / "config" / "stylegen").string();
    std::string error, warning;
    ASSERT_TRUE(sg::viewer::writeSettings(config, settings, &error)) << error;
    const sg::viewer::Settings back = sg::viewer::readSettings(config, &warning);
    EXPECT_TRUE(warning.empty()) << warning;
    EXPECT_EQ(back.lastModel, settings.lastModel);
    EXPECT_EQ(back.recentModels, settings.recentModels);
    EXPECT_EQ(back.recentImages, settings.recentImages);
    EXPECT_EQ(back.exportFolder, settings.exportFolder);
    EXPECT_EQ(back.windowWidth, 1000u);
    for (const auto& entry : fs::directory_iterator(config))  // nothing but the file: no temporaries left
        EXPECT_EQ(entry.path().filename(), "viewer.json");
}

TEST_F(ViewerData, Settings_AnUnreadableFileGivesDefaultsAndSaysWhy) {
    write("viewer.json", "{\"last_model\": 5}");
    std::string warning;
    const sg::viewer::Settings settings = sg::viewer::readSettings(folder_.string(), &warning);
    EXPECT_TRUE(settings.lastModel.empty());
    EXPECT_NE(warning.find("viewer.json"), std::string::npos) << warning;
}

TEST(ViewerConfig, ConfigFolder_FollowsXdgThenHome) {
    const char* xdg = std::getenv("XDG_CONFIG_HOME");
    const std::string saved = xdg ? xdg : "";
    setenv("XDG_CONFIG_HOME", "/x/config", 1);
    EXPECT_EQ(sg::viewer::configFolder(""), "/x/config/stylegen");
    EXPECT_EQ(sg::viewer::configFolder("/override"), "/override");
    unsetenv("XDG_CONFIG_HOME");
    setenv("HOME", std::getenv("HOME") ? std::getenv("HOME") : "/home/u", 1);
    EXPECT_EQ(sg::viewer::configFolder(""), (fs::path(std::getenv("HOME")) / ".config" / "stylegen").string());
    if (xdg) setenv("XDG_CONFIG_HOME", saved.c_str(), 1);
}

TEST(ViewerSheet, GridSheet_LaysOutOneLinePerGridRow) {
    std::vector<sg::cli::Image> images(6, sg::cli::Image(64, 64));
    const sg::cli::Image two = sg::viewer::gridSheet(images, 3, 10);
    const sg::cli::Image three = sg::viewer::gridSheet(images, 2, 10);
    EXPECT_GT(two.width, three.width);    // 3 columns are wider than 2 ...
    EXPECT_LT(two.height, three.height);  // ... and 2 lines lower than 3
    for (size_t i = 3; i < two.pixels.size(); i += 4) ASSERT_EQ(two.pixels[i], 255);  // opaque
}

}  // namespace
