// eval_cli_test.cpp - runs the built stylegen-eval (and `stylegen eval`) on
// tiny models and tiny PNG folder data sets, and checks the reports it writes,
// its reproducibility and its errors.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dataset.hpp"
#include "tiny_model.hpp"

namespace {

namespace fs = std::filesystem;

struct RunResult {
    int exitCode = -1;
    std::string out, err;
};

std::string readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

class EvalCliTest : public testing::Test {
protected:
    void SetUp() override {
        std::string pattern = testing::TempDir() + "stylegen_eval_XXXXXX";
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        root_ = pattern;
    }
    void TearDown() override { fs::remove_all(root_); }

    RunResult run(const std::string& executable, const std::vector<std::string>& args) {
        std::string command = "'" + executable + "'";
        for (const std::string& a : args)
            command += " '" + a + "'";
        command += " >'" + (root_ / "stdout").string() + "' 2>'" + (root_ / "stderr").string() + "'";
        const int status = std::system(command.c_str());
        RunResult r;
        r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        r.out = readFile(root_ / "stdout");
        r.err = readFile(root_ / "stderr");
        return r;
    }
    RunResult eval(const std::vector<std::string>& args) { return run(STYLEGEN_EVAL_PATH, args); }

    // <root>/<name>/style<s>/<i>.png: `perStyle` 16x16 images per style, each
    // style a colour of its own over a random background, alpha optional.
    std::string writeFolder(const std::string& name, int styles, int perStyle, int channels, uint64_t seed) {
        uint64_t state = seed;
        auto next = [&state] { return (state = state * 6364136223846793005ull + 1442695040888963407ull) >> 33; };
        for (int s = 0; s < styles; ++s) {
            fs::create_directories(root_ / name / ("style" + std::to_string(s)));
            for (int i = 0; i < perStyle; ++i) {
                std::vector<uint8_t> pixels(16 * 16 * size_t(channels));
                for (size_t p = 0; p < 16 * 16; ++p) {
                    const bool inside = (p % 16) > 3 && (p % 16) < 12 && (p / 16) > 2 + next() % 3;
                    for (int c = 0; c < channels; ++c) {
                        const uint8_t colour = uint8_t(c == s % 3 ? 220 : 40 + next() % 30);
                        pixels[p * size_t(channels) + size_t(c)] = c == 3 ? (inside ? 255 : 0) : colour;
                    }
                }
                std::string error;
                const std::string path =
                    (root_ / name / ("style" + std::to_string(s)) / (std::to_string(i) + ".png")).string();
                EXPECT_TRUE(sgdata::writePng(path, 16, 16, channels, pixels.data(), &error)) << error;
            }
        }
        return (root_ / name).string();
    }

    fs::path root_;
};

bool isFraction(const nlohmann::json& v) { return v.is_number() && v.get<double>() >= 0.0 && v.get<double>() <= 1.0; }

TEST_F(EvalCliTest, CharacterModelAndFolder_WriteReproducibleReports) {
    const std::string data = writeFolder("real", 2, 20, 4, 1);
    const std::string generated = writeFolder("generated", 2, 6, 4, 2);
    const std::string model = sgtest::writeTinyModel(root_.string(), "tiny.sgm", sgtest::TinyKind::Character, 2);
    const std::vector<std::string> args = {
        "--data", data, "--model", model, "--images", generated, "--label", "tiny,pngs", "--count", "6",
        "--classifier-epochs", "1", "--classifier-cache", (root_ / "classifiers").string(), "--threads", "2",
        "--json", (root_ / "r.json").string(), "--markdown", (root_ / "r.md").string(),
        "--sheet", (root_ / "r.png").string()};
    const RunResult first = eval(args);
    ASSERT_EQ(first.exitCode, 0) << first.err;

    const nlohmann::json j = nlohmann::json::parse(readFile(root_ / "r.json"));
    EXPECT_EQ(j["command"].get<std::string>().rfind("stylegen-eval --data ", 0), 0u);
    EXPECT_EQ(j["data"]["styles"], (nlohmann::json{"style0", "style1"}));
    EXPECT_EQ(j["resolution"], 16);
    EXPECT_EQ(j["swd"]["resolutions"], (nlohmann::json{16}));
    EXPECT_FALSE(j["classifier"]["from_cache"].get<bool>());
    ASSERT_EQ(j["rows"].size(), 3u);
    EXPECT_EQ(j["rows"][0]["label"], "real held-out");
    EXPECT_EQ(j["rows"][1]["label"], "tiny");
    EXPECT_EQ(j["rows"][2]["label"], "pngs");
    for (const auto& row : j["rows"]) {
        for (const auto& m : {row["overall"], row["styles"]["style0"], row["styles"]["style1"]}) {
            EXPECT_GE(m["swd"].get<double>(), 0.0);
            EXPECT_TRUE(isFraction(m["style_accuracy"]));
            EXPECT_TRUE(isFraction(m["precision"]));
            EXPECT_TRUE(isFraction(m["recall"]));
            EXPECT_FALSE(m.contains("seam_score"));  // characters
        }
    }
    EXPECT_EQ(j["rows"][1]["styles"]["style0"]["images"], 6);

    const std::string markdown = readFile(root_ / "r.md");
    EXPECT_EQ(markdown.rfind("### Quality: real, 16x16 RGBA", 0), 0u);
    EXPECT_NE(markdown.find("\n" + j["command"].get<std::string>() + "\n"), std::string::npos);
    EXPECT_NE(markdown.find("| tiny |"), std::string::npos);
    EXPECT_EQ(first.out, markdown);
    int width = 0, height = 0;
    std::vector<uint8_t> sheet;
    std::string error;
    ASSERT_TRUE(sgdata::loadPng((root_ / "r.png").string(), &width, &height, &sheet, &error)) << error;
    EXPECT_GT(width, 3 * 4 * 16);  // three groups of four images per style
    EXPECT_GT(height, 2 * 16);

    // Again: the cached classifier, the same numbers.
    const RunResult second = eval(args);
    ASSERT_EQ(second.exitCode, 0) << second.err;
    nlohmann::json again = nlohmann::json::parse(readFile(root_ / "r.json"));
    EXPECT_TRUE(again["classifier"]["from_cache"].get<bool>());
    EXPECT_EQ(again["rows"], j["rows"]);
}

TEST_F(EvalCliTest, SceneModel_ReportsSeamScores) {
    const std::string data = writeFolder("tiles", 2, 20, 3, 3);
    const std::string model = sgtest::writeTinyModel(root_.string(), "scene.sgm", sgtest::TinyKind::Scene, 2);
    const RunResult r = eval({"--data", data, "--model", model, "--count", "4", "--seam-size", "32",
                              "--seam-count", "2", "--classifier-epochs", "1",
                              "--classifier-cache", (root_ / "classifiers").string(),
                              "--json", (root_ / "s.json").string()});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const nlohmann::json j = nlohmann::json::parse(readFile(root_ / "s.json"));
    EXPECT_TRUE(j["scene"].get<bool>());
    EXPECT_EQ(j["channels"], 3);
    for (const auto& row : j["rows"])
        EXPECT_GT(row["overall"]["seam_score"].get<double>(), 0.0);
    EXPECT_NE(r.out.find("**Seam score**"), std::string::npos);
}

TEST_F(EvalCliTest, BadInput_FailsWithAMessage) {
    const std::string data = writeFolder("real", 2, 10, 4, 1);
    const std::string model = sgtest::writeTinyModel(root_.string(), "tiny.sgm", sgtest::TinyKind::Character, 2);
    RunResult r = eval({"--model", model});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("--data is required"), std::string::npos) << r.err;
    r = eval({"--data", data, "--model", model, "--label", "a,b"});
    EXPECT_EQ(r.exitCode, 2);
    r = eval({"--data", data, "--model", model, "--styles", "style7"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("'style7' is not a style of real"), std::string::npos) << r.err;
    r = eval({"--data", data, "--model", model, "--json", (root_ / "no" / "such" / "r.json").string()});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
    r = eval({"--data", data, "--model", (root_ / "missing.sgm").string()});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("cannot load model"), std::string::npos) << r.err;
    r = eval({"--data", data, "--model", model, "--hold-out", "style0"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("--hold-out leaves styles out of --data wesnoth only"), std::string::npos) << r.err;
}

std::string writeEncoderModel(const std::string& dir, const std::string& name, sgtest::TinyKind kind) {
    sgtest::TinyModelParts parts = sgtest::makeTinyModelParts(kind, 3, 5);
    sgtest::addTinyEncoder(&parts, 6);
    return sgtest::writeTinyModelParts(dir, name, parts);
}

TEST_F(EvalCliTest, Restyle_CharacterModelWithEncoder_WritesReproducibleReports) {
    const std::string data = writeFolder("real", 3, 20, 4, 1);
    const std::string model = writeEncoderModel(root_.string(), "enc.sgm", sgtest::TinyKind::Character);
    const std::vector<std::string> args = {
        "--restyle", "--data", data, "--model", model, "--count", "3", "--strength", "0,1",
        "--classifier-epochs", "1", "--classifier-cache", (root_ / "classifiers").string(), "--threads", "2",
        "--json", (root_ / "r.json").string(), "--markdown", (root_ / "r.md").string(),
        "--sheet", (root_ / "r.png").string()};
    const RunResult first = eval(args);
    ASSERT_EQ(first.exitCode, 0) << first.err;

    const nlohmann::json j = nlohmann::json::parse(readFile(root_ / "r.json"));
    EXPECT_EQ(j["command"].get<std::string>().rfind("stylegen-eval --restyle --data ", 0), 0u);
    EXPECT_EQ(j["mode"], "restyle");
    EXPECT_EQ(j["shape_metric"], "silhouette_iou");
    EXPECT_EQ(j["data"]["styles"], (nlohmann::json{"style0", "style1", "style2"}));
    EXPECT_EQ(j["data"]["inputs"], (nlohmann::json{2, 2, 2}));  // 2 of 20 held out: fewer than --count
    ASSERT_EQ(j["methods"].size(), 5u);  // two strengths, colour transfer, random sample, nearest real image
    EXPECT_EQ(j["methods"][0]["strength"], 0.0);
    EXPECT_EQ(j["methods"][1]["strength"], 1.0);
    EXPECT_EQ(j["methods"][2]["method"], "colour_transfer");
    EXPECT_EQ(j["methods"][3]["method"], "random_sample");
    EXPECT_EQ(j["methods"][4]["method"], "nearest_real");
    for (const auto& m : j["methods"]) {
        EXPECT_TRUE(isFraction(m["overall"]["style_accuracy"])) << m["label"];
        EXPECT_TRUE(isFraction(m["overall"]["silhouette_iou"])) << m["label"];
        EXPECT_EQ(m["overall"]["images"], 3 * 2 * 2);  // 6 pairs of 2 inputs
        ASSERT_EQ(m["pairs"]["style0"].size(), 2u);
        EXPECT_FALSE(m["pairs"]["style0"].contains("style0"));
        for (const auto& [source, targets] : m["pairs"].items())
            for (const auto& [target, pair] : targets.items()) {
                EXPECT_TRUE(isFraction(pair["style_accuracy"])) << source << " -> " << target;
                // The colour transfer keeps alpha: the very same silhouettes.
                if (m["method"] == "colour_transfer") {
                    EXPECT_EQ(pair["silhouette_iou"], 1.0) << source << " -> " << target;
                }
            }
    }
    // At strength 0 the target does not matter: every pair is the reconstruction.
    for (const std::string style : {"style0", "style1", "style2"}) {
        const auto& rebuilt = j["reconstruction"]["styles"][style];
        EXPECT_TRUE(rebuilt["psnr"].is_number() || rebuilt["psnr"] == "inf");
        EXPECT_GE(rebuilt["swd"].get<double>(), 0.0);
        EXPECT_DOUBLE_EQ(j["methods"][0]["by_source"][style]["silhouette_iou"].get<double>(),
                         rebuilt["silhouette_iou"].get<double>())
            << style;
    }

    const std::string markdown = readFile(root_ / "r.md");
    EXPECT_EQ(markdown.rfind("### Restyle: real, 16x16 RGBA, enc", 0), 0u) << markdown.substr(0, 80);
    EXPECT_NE(markdown.find("\n" + j["command"].get<std::string>() + "\n"), std::string::npos);
    EXPECT_NE(markdown.find("| restyle, strength 1 |"), std::string::npos);
    EXPECT_NE(markdown.find("| colour transfer (AdaIN) |"), std::string::npos);
    EXPECT_NE(markdown.find("| nearest real image of the target |"), std::string::npos);
    EXPECT_EQ(first.out, markdown);
    int width = 0, height = 0;
    std::vector<uint8_t> sheet;
    std::string error;
    ASSERT_TRUE(sgdata::loadPng((root_ / "r.png").string(), &width, &height, &sheet, &error)) << error;
    EXPECT_GT(width, 8 * 64);   // input, reconstruction, 3 restyles, 3 colour transfers, 16x16 shown 4x
    EXPECT_GT(height, 6 * 64);  // two inputs per style

    const RunResult second = eval(args);
    ASSERT_EQ(second.exitCode, 0) << second.err;
    const nlohmann::json again = nlohmann::json::parse(readFile(root_ / "r.json"));
    EXPECT_TRUE(again["classifier"]["from_cache"].get<bool>());
    EXPECT_EQ(again["methods"], j["methods"]);
    EXPECT_EQ(again["reconstruction"], j["reconstruction"]);
}

TEST_F(EvalCliTest, Restyle_SceneModel_ReportsStructureError) {
    const std::string data = writeFolder("tiles", 2, 20, 3, 3);
    const std::string model = writeEncoderModel(root_.string(), "scene.sgm", sgtest::TinyKind::Scene);
    const RunResult r = eval({"--restyle", "--data", data, "--model", model, "--styles", "style0,style1",
                              "--classifier-epochs", "1", "--classifier-cache", (root_ / "classifiers").string(),
                              "--json", (root_ / "s.json").string()});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const nlohmann::json j = nlohmann::json::parse(readFile(root_ / "s.json"));
    EXPECT_TRUE(j["scene"].get<bool>());
    EXPECT_EQ(j["shape_metric"], "structure_error");
    for (const auto& m : j["methods"])
        EXPECT_GE(m["overall"]["structure_error"].get<double>(), 0.0) << m["label"];
    EXPECT_NE(r.out.find("| method | style accuracy | of real | structure error |"), std::string::npos) << r.out;
}

TEST_F(EvalCliTest, Restyle_BadInput_FailsWithAMessage) {
    const std::string data = writeFolder("real", 2, 10, 4, 1);
    const std::string plain = sgtest::writeTinyModel(root_.string(), "plain.sgm", sgtest::TinyKind::Character, 2);
    const std::string model = writeEncoderModel(root_.string(), "enc.sgm", sgtest::TinyKind::Character);
    RunResult r = eval({"--restyle", "--data", data, "--model", plain, "--classifier-epochs", "1",
                        "--classifier-cache", (root_ / "classifiers").string()});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("has no encoder"), std::string::npos) << r.err;
    r = eval({"--restyle", "--data", data, "--model", model, "--model", model});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("--restyle measures one model"), std::string::npos) << r.err;
    r = eval({"--restyle", "--data", data, "--images", data});
    EXPECT_EQ(r.exitCode, 2);
    r = eval({"--data", data, "--model", model, "--strength", "0.5"});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("options of --restyle"), std::string::npos) << r.err;
    r = eval({"--restyle", "--data", data, "--model", model, "--strength", "0.5,1.5"});
    EXPECT_EQ(r.exitCode, 2);
    r = eval({"--restyle", "--data", data, "--model", model, "--styles", "style0"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("two styles or more"), std::string::npos) << r.err;
}

TEST_F(EvalCliTest, StylegenEval_RunsTheEvaluatorBesideIt) {
    const RunResult r = run(STYLEGEN_CLI_PATH, {"eval", "--help"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("usage: stylegen-eval"), std::string::npos);
}

TEST_F(EvalCliTest, StylegenEval_WithoutTheEvaluator_SaysHowToBuildIt) {
    const fs::path lonely = root_ / "bin" / "stylegen";
    fs::create_directories(lonely.parent_path());
    fs::copy_file(STYLEGEN_CLI_PATH, lonely);
    const RunResult r = run(lonely.string(), {"eval", "--help"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("STYLEGEN_WITH_TORCH=ON"), std::string::npos) << r.err;
}

}  // namespace
