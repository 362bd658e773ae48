// install_test.cpp - stylegen as an out-of-tree consumer sees it: `cmake
// --install` of this build into a scratch prefix, then a copy of samples/
// configured, built and run against that prefix alone (find_package, the
// stylegen_bake() build step, pkg-config), and the bake step's dependencies:
// it runs when the manifest or a model changes, and at no other time.
//
// The tests share one install and one build of the samples, made once in
// SetUpTestSuite, and run in the order written (CTest runs the executable as
// one test).
#include <gtest/gtest.h>
#include <stb_image.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "process.hpp"

namespace {

namespace fs = std::filesystem;

std::string readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

struct Png {
    int width = 0;
    int height = 0;
};

std::optional<Png> readPng(const fs::path& path) {
    Png png;
    int channels = 0;
    unsigned char* data = stbi_load(path.c_str(), &png.width, &png.height, &channels, 4);
    if (!data) return std::nullopt;
    stbi_image_free(data);
    return png;
}

std::string describe(const sgtest::ProcessResult& r) {
    return "exit " + std::to_string(r.exitCode) + "\n--- stdout\n" + r.out + "\n--- stderr\n" + r.err;
}

// Every file under folder (relative path -> bytes and modification time).
std::map<std::string, std::pair<std::string, fs::file_time_type>> snapshot(const fs::path& folder) {
    std::map<std::string, std::pair<std::string, fs::file_time_type>> files;
    for (const auto& item : fs::recursive_directory_iterator(folder)) {
        if (item.is_regular_file()) {
            files[fs::relative(item.path(), folder).string()] = {readFile(item.path()), fs::last_write_time(item)};
        }
    }
    return files;
}

// Sets a file's modification time to now, as saving it would. Not into the
// future: the build's stamp would then stay older than it, and every build
// would bake until that time came.
void touch(const fs::path& path) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    fs::last_write_time(path, fs::file_time_type::clock::now());
}

class InstalledTree : public testing::Test {
protected:
    static void SetUpTestSuite() {
        work_ = STYLEGEN_INSTALL_TEST_DIR;
        prefix_ = work_ / "prefix";
        samples_ = work_ / "samples";
        build_ = work_ / "build";
        fs::remove_all(work_);
        fs::create_directories(work_);
        install_ = sgtest::runProcess({CMAKE_COMMAND_PATH, "--install", STYLEGEN_BUILD_DIR, "--prefix", prefix_});
        if (install_.exitCode != 0) return;
        // A copy, so the tests can edit the bake sample's manifest.
        fs::copy(fs::path(STYLEGEN_SOURCE_DIR) / "samples", samples_, fs::copy_options::recursive);
        configure_ = sgtest::runProcess({CMAKE_COMMAND_PATH, "-S", samples_, "-B", build_, "-G", CMAKE_GENERATOR_NAME,
                                         "-DCMAKE_BUILD_TYPE=Release", "-DCMAKE_PREFIX_PATH=" + prefix_.string(),
                                         std::string("-DCMAKE_C_COMPILER=") + CMAKE_C_COMPILER_PATH,
                                         std::string("-DCMAKE_CXX_COMPILER=") + CMAKE_CXX_COMPILER_PATH,
                                         std::string("-DCMAKE_C_FLAGS=") + STYLEGEN_TEST_C_FLAGS,
                                         std::string("-DCMAKE_CXX_FLAGS=") + STYLEGEN_TEST_CXX_FLAGS,
                                         std::string("-DCMAKE_EXE_LINKER_FLAGS=") + STYLEGEN_TEST_EXE_LINKER_FLAGS});
        if (configure_.exitCode != 0) return;
        build_result_ = build();
    }

    void SetUp() override { ASSERT_EQ(install_.exitCode, 0) << "cmake --install failed: " << describe(install_); }

    static sgtest::ProcessResult build() {
        return sgtest::runProcess({CMAKE_COMMAND_PATH, "--build", build_, "-j", "2"});
    }
    void expectBuilt() const {
        ASSERT_EQ(configure_.exitCode, 0) << "configuring the samples failed: " << describe(configure_);
        ASSERT_EQ(build_result_.exitCode, 0) << "building the samples failed: " << describe(build_result_);
    }

    static fs::path work_, prefix_, samples_, build_;
    static sgtest::ProcessResult install_, configure_, build_result_;
};

fs::path InstalledTree::work_, InstalledTree::prefix_, InstalledTree::samples_, InstalledTree::build_;
sgtest::ProcessResult InstalledTree::install_, InstalledTree::configure_, InstalledTree::build_result_;

const fs::path kLibDir = STYLEGEN_INSTALL_LIBDIR;

TEST_F(InstalledTree, HasHeadersLibraryCliModelsAndPackageFiles) {
    for (const fs::path& file : std::vector<fs::path>{
             "include/stylegen/stylegen.h", "include/stylegen/stylegen.hpp", "bin/stylegen", kLibDir / "libstylegen.so",
             kLibDir / "libstylegen.so.0", kLibDir / "cmake/stylegen/stylegenConfig.cmake",
             kLibDir / "cmake/stylegen/stylegenConfigVersion.cmake", kLibDir / "cmake/stylegen/stylegenTargets.cmake",
             kLibDir / "cmake/stylegen/stylegenBake.cmake", kLibDir / "pkgconfig/stylegen.pc",
             "share/stylegen/models/characters.sgm", "share/stylegen/models/terrain.sgm",
             "share/stylegen/models/characters.md", "share/stylegen/models/terrain.md"}) {
        EXPECT_TRUE(fs::exists(prefix_ / file)) << file;
    }
#ifdef STYLEGEN_TEST_WITH_VULKAN
    EXPECT_TRUE(fs::exists(prefix_ / "include/stylegen/stylegen_vulkan.h"));
#endif
}

// Backend plugins go next to libstylegen, where plugin discovery looks.
TEST_F(InstalledTree, HasEveryBackendPluginNextToTheLibrary) {
    for (const auto& item : fs::recursive_directory_iterator(fs::path(STYLEGEN_BUILD_DIR) / "plugin")) {
        const std::string name = item.path().filename().string();
        if (item.is_regular_file() && name.rfind("libstylegen_", 0) == 0 && item.path().extension() == ".so") {
            EXPECT_TRUE(fs::exists(prefix_ / kLibDir / name)) << name;
        }
    }
}

TEST_F(InstalledTree, CliRunsAndFindsTheInstalledModelsByName) {
    const sgtest::ProcessResult r =
        sgtest::runProcess({(prefix_ / "bin/stylegen").string(), "inspect", "characters", "--json"});
    ASSERT_EQ(r.exitCode, 0) << describe(r);
    EXPECT_EQ(nlohmann::json::parse(r.out).at("name"), "characters");
}

// The C sample, compiled by hand the pkg-config way, in strict C99.
TEST_F(InstalledTree, PkgConfigBuildsTheCSampleAsStrictC99) {
    const fs::path out = work_ / "pkg-config";
    fs::create_directories(out);
    const std::string script =
        "set -e; flags=$(pkg-config --cflags --libs stylegen stb); models=$(pkg-config --variable=modelsdir stylegen);"
        " \"$CC\" $CFLAGS -std=c99 -pedantic -Werror -Wall -Wextra \"$SAMPLE\" $flags $LDFLAGS -Wl,-rpath,\"$LIBDIR\""
        " -o c_minimal;"
        " ./c_minimal \"$models/terrain.sgm\" .";
    const sgtest::ProcessResult r = sgtest::runProcess(
        {"sh", "-c", script},
        {out.string(),
         {"PKG_CONFIG_PATH=" + (prefix_ / kLibDir / "pkgconfig").string(), std::string("CC=") + CMAKE_C_COMPILER_PATH,
          "SAMPLE=" + (samples_ / "c_minimal/main.c").string(), "LIBDIR=" + (prefix_ / kLibDir).string(),
          std::string("CFLAGS=") + STYLEGEN_TEST_C_FLAGS, std::string("LDFLAGS=") + STYLEGEN_TEST_EXE_LINKER_FLAGS}});
    ASSERT_EQ(r.exitCode, 0) << describe(r);
    EXPECT_NE(r.out.find("model 'terrain'"), std::string::npos) << r.out;
    EXPECT_TRUE(readPng(out / "c_minimal_cobblestone_2024.png"));
}

TEST_F(InstalledTree, SamplesConfigureAndBuildWithFindPackage) {
    expectBuilt();
    EXPECT_TRUE(fs::exists(build_ / "c_minimal/c_minimal"));
    EXPECT_TRUE(fs::exists(build_ / "bake/bake_game"));
    if (fs::exists(samples_ / "runtime/CMakeLists.txt")) EXPECT_TRUE(fs::exists(build_ / "runtime/stylegen-runtime"));
}

TEST_F(InstalledTree, CSampleGeneratesFromTheInstalledModelAndReportsErrors) {
    expectBuilt();
    const fs::path out = work_ / "c_minimal";
    fs::create_directories(out);
    sgtest::ProcessResult r = sgtest::runProcess({(build_ / "c_minimal/c_minimal").string()}, {out.string(), {}});
    ASSERT_EQ(r.exitCode, 0) << describe(r);
    EXPECT_NE(r.out.find("model 'characters': character, 64x64, 11 styles"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("'orcs' is style"), std::string::npos) << r.out;
    size_t pngs = 0;
    for (const auto& item : fs::directory_iterator(out)) {
        const std::optional<Png> png = readPng(item.path());
        ASSERT_TRUE(png) << item.path();
        EXPECT_EQ(png->width, 64);
        ++pngs;
    }
    EXPECT_EQ(pngs, 12u);  // 3 styles x 4 seeds

    r = sgtest::runProcess({(build_ / "c_minimal/c_minimal").string(), (work_ / "missing.sgm").string()});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("sgLoadModelFromFile failed: SG_ERROR_IO"), std::string::npos) << r.err;
    r = sgtest::runProcess({(build_ / "c_minimal/c_minimal").string(), (samples_ / "bake/textures.json").string()});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("SG_ERROR_BAD_MODEL_FILE"), std::string::npos) << r.err;
}

TEST_F(InstalledTree, BakeGameDrawsItsLevelFromTheBakedAssets) {
    expectBuilt();
    const fs::path assets = build_ / "bake/assets";
    for (const char* file :
         {"characters/orc_warband.png", "characters/orc_warband.csv", "characters/undead_horde.png",
          "characters/warlord.png", "terrain/grass_0.png", "terrain/grass_2.png", "terrain/road.png"}) {
        EXPECT_TRUE(fs::exists(assets / file)) << file;
    }
    const nlohmann::json provenance = nlohmann::json::parse(readFile(assets / "bake-provenance.json"));
    EXPECT_EQ(provenance.at("entries")[0].at("model").at("path"),
              fs::canonical(prefix_ / "share/stylegen/models/characters.sgm").string());
    const sgtest::ProcessResult r =
        sgtest::runProcess({(build_ / "bake/bake_game").string(), assets.string(), (work_ / "level.png").string()});
    ASSERT_EQ(r.exitCode, 0) << describe(r);
    const std::optional<Png> level = readPng(work_ / "level.png");
    ASSERT_TRUE(level);
    EXPECT_EQ(level->width, 640);
    EXPECT_EQ(level->height, 384);
}

TEST_F(InstalledTree, BakeStepRunsWhenTheManifestOrAModelChangesAndOnlyThen) {
    expectBuilt();
    const fs::path manifest = samples_ / "bake/textures.json";
    const fs::path assets = build_ / "bake/assets";
    const std::string kBakeStep = "Baking textures";
    auto bakes = [&](const sgtest::ProcessResult& r) { return r.out.find(kBakeStep) != std::string::npos; };
    auto withoutStamp = [&] {
        auto files = snapshot(assets);
        files.erase(".stylegen-bake-stamp");
        return files;
    };

    sgtest::ProcessResult r = build();
    ASSERT_EQ(r.exitCode, 0) << describe(r);
    EXPECT_FALSE(bakes(r)) << "nothing changed, yet:\n" << r.out;

    // Saved without changes: the step runs, the bake finds nothing to do.
    const auto before = withoutStamp();
    touch(manifest);
    r = build();
    ASSERT_EQ(r.exitCode, 0) << describe(r);
    EXPECT_TRUE(bakes(r)) << r.out;
    EXPECT_NE(r.out.find("0 entries baked (0 images), 5 up to date"), std::string::npos) << r.out;
    EXPECT_TRUE(withoutStamp() == before);

    // One entry edited: only it is generated again.
    std::string text = readFile(manifest);
    const size_t psi = text.find("\"psi\": 0.6");
    ASSERT_NE(psi, std::string::npos);
    text.replace(psi, 10, "\"psi\": 0.5");
    std::ofstream(manifest, std::ios::binary) << text;
    touch(manifest);
    r = build();
    ASSERT_EQ(r.exitCode, 0) << describe(r);
    EXPECT_NE(r.out.find("1 entry baked (1 image), 4 up to date"), std::string::npos) << r.out;
    const auto edited = withoutStamp();
    EXPECT_NE(edited.at("characters/warlord.png"), before.at("characters/warlord.png"));
    EXPECT_EQ(edited.at("characters/orc_warband.png"), before.at("characters/orc_warband.png"));

    r = build();
    EXPECT_FALSE(bakes(r)) << r.out;

    // A model replaced (here by the same bytes): the step runs again.
    const fs::path terrain = prefix_ / "share/stylegen/models/terrain.sgm";
    touch(terrain);
    r = build();
    ASSERT_EQ(r.exitCode, 0) << describe(r);
    EXPECT_TRUE(bakes(r)) << r.out;
    EXPECT_NE(r.out.find("0 entries baked"), std::string::npos) << r.out;

    // The output folder deleted: everything is baked again.
    fs::remove_all(assets);
    r = build();
    ASSERT_EQ(r.exitCode, 0) << describe(r);
    EXPECT_NE(r.out.find("5 entries baked (21 images)"), std::string::npos) << r.out;
    r = build();
    EXPECT_FALSE(bakes(r)) << r.out;
}

TEST_F(InstalledTree, RuntimeSampleRunsHeadless) {
    if (!fs::exists(samples_ / "runtime/CMakeLists.txt")) GTEST_SKIP() << "there is no samples/runtime";
    expectBuilt();
    const fs::path screenshot = work_ / "runtime.png";
    const sgtest::ProcessResult r =
        sgtest::runProcess({(build_ / "runtime/stylegen-runtime").string(), "--headless", "--frames", "1", "--size",
                            "320x180", "--screenshot", screenshot.string()});
    for (const char* reason : {"no Vulkan driver", "is not installed", "no Vulkan device"}) {
        if (r.exitCode == 1 && (r.out + r.err).find(reason) != std::string::npos) {
            GTEST_SKIP() << "Vulkan cannot run the sample here: " << r.err;
        }
    }
    ASSERT_EQ(r.exitCode, 0) << describe(r);
    const std::optional<Png> png = readPng(screenshot);
    ASSERT_TRUE(png);
    EXPECT_EQ(png->width, 320);
}

}  // namespace
