// Runs the real stylegen-train binary on a tiny synthetic folder data set.
#include <gtest/gtest.h>

#include <stylegen/stylegen.hpp>

#include "dataset.hpp"
#include "model_file.hpp"

#include <algorithm>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

// Two styles a network can tell apart: red discs and blue squares on transparency.
void writeSyntheticData(const fs::path& root) {
    for (int style = 0; style < 2; ++style) {
        fs::path dir = root / (style == 0 ? "discs" : "squares");
        fs::create_directories(dir);
        for (int i = 0; i < 6; ++i) {
            std::vector<uint8_t> rgba(16 * 16 * 4, 0);
            for (int y = 0; y < 16; ++y)
                for (int x = 0; x < 16; ++x) {
                    int dx = x - 8 + (i % 3) - 1, dy = y - 8 + (i / 3);
                    bool inside = style == 0 ? dx * dx + dy * dy < 20 + i * 3 : std::abs(dx) < 4 + i % 2 && std::abs(dy) < 5;
                    if (!inside)
                        continue;
                    uint8_t* p = &rgba[size_t(y * 16 + x) * 4];
                    p[0] = style == 0 ? 220 : 30;
                    p[1] = uint8_t(40 + 20 * i);
                    p[2] = style == 0 ? 30 : 220;
                    p[3] = 255;
                }
            std::string error;
            ASSERT_TRUE(sgdata::writePng((dir / ("img" + std::to_string(i) + ".png")).string(), 16, 16, 4, rgba.data(), &error))
                << error;
        }
    }
}

struct RunResult {
    int exitCode;
    std::string output;
};

RunResult runTrainer(const std::string& args) {
    std::string command = std::string(STYLEGEN_TRAIN_EXE) + " " + args + " 2>&1";
    RunResult r{-1, {}};
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe)
        return r;
    char buffer[4096];
    while (size_t n = fread(buffer, 1, sizeof buffer, pipe))
        r.output.append(buffer, n);
    int status = pclose(pipe);
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

class TrainerSmoke : public ::testing::Test {
protected:
    void SetUp() override {
        root = fs::temp_directory_path() / ("stylegen-train-test-" + std::to_string(getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(root);
        writeSyntheticData(root / "data");
    }
    void TearDown() override { fs::remove_all(root); }

    std::string commonArgs() const {
        return "--data " + (root / "data").string() + " --out " + (root / "run").string() +
               " --resolution 16 --channels 16,16,8 --z-dim 8 --embed-dim 4 --w-dim 16 --mapping-layers 2"
               " --batch 4 --threads 1 --sample-every 2 --name smoke";
    }
    fs::path root;
};

sg::ModelFileContents readModelFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    sg::ModelFileContents contents;
    std::string error;
    EXPECT_TRUE(sg::parseModelFile(bytes.data(), bytes.size(), &contents, &error)) << path << ": " << error;
    return contents;
}

const sg::TensorRecord* findTensor(const sg::ModelFileContents& contents, const std::string& name) {
    for (const auto& t : contents.tensors)
        if (t.name == name)
            return &t;
    return nullptr;
}

}  // namespace

TEST_F(TrainerSmoke, TrainsResumesAndExportsALoadableModel) {
    RunResult first = runTrainer(commonArgs() + " --steps 3");
    ASSERT_EQ(first.exitCode, 0) << first.output;
    EXPECT_TRUE(fs::exists(root / "run" / "checkpoint.pt"));
    EXPECT_TRUE(fs::exists(root / "run" / "config.json"));
    EXPECT_TRUE(fs::exists(root / "run" / "samples-000002.png"));
    EXPECT_NE(first.output.find("3 steps"), std::string::npos) << first.output;

    RunResult resumed = runTrainer("--resume --out " + (root / "run").string() + " --steps 5 --threads 1");
    ASSERT_EQ(resumed.exitCode, 0) << resumed.output;
    EXPECT_NE(resumed.output.find("resumed at step 3"), std::string::npos) << resumed.output;
    EXPECT_NE(resumed.output.find("5 steps"), std::string::npos) << resumed.output;

    // The exported model goes through the SDK's loader and generates.
    sg::Context context;
    sg::Model model = context.loadModel((root / "run" / "smoke.sgm").string());
    EXPECT_EQ(model.styleNames(), (std::vector<std::string>{"discs", "squares"}));
    SgModelInfo info = model.info();
    EXPECT_EQ(info.kind, SG_MODEL_KIND_CHARACTER);
    EXPECT_EQ(info.resolution, 16u);
    sg::GenerateInfo request;
    request.count = 2;
    request.styleIndex = 1;
    std::vector<uint8_t> pixels = model.generate(request);
    EXPECT_EQ(pixels.size(), size_t(2 * 16 * 16 * 4));
}

TEST_F(TrainerSmoke, ResumesAfterBeingKilledMidRun) {
    // Checkpoint every step, then SIGKILL while it trains: the checkpoint on
    // disk must be complete, so the run resumes.
    std::string command = std::string(STYLEGEN_TRAIN_EXE) + " " + commonArgs() +
                          " --steps 100000 --checkpoint-minutes 0 --sample-every 0 > /dev/null 2>&1";
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", ("exec " + command).c_str(), (char*)nullptr);
        _exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (!fs::exists(root / "run" / "checkpoint.pt") && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // land somewhere inside later steps
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(fs::exists(root / "run" / "checkpoint.pt"));

    RunResult resumed = runTrainer("--resume --out " + (root / "run").string() + " --steps 1 --threads 1");
    // --steps 1 is already reached: the run resumes, trains nothing more and exports.
    ASSERT_EQ(resumed.exitCode, 0) << resumed.output;
    EXPECT_NE(resumed.output.find("resumed at step"), std::string::npos) << resumed.output;
    EXPECT_TRUE(fs::exists(root / "run" / "smoke.sgm"));
}

TEST_F(TrainerSmoke, StopsCleanlyOnSigtermWithACheckpoint) {
    std::string command = std::string(STYLEGEN_TRAIN_EXE) + " " + commonArgs() + " --steps 100000 --sample-every 0";
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", ("exec " + command + " > " + (root / "log.txt").string() + " 2>&1").c_str(),
              (char*)nullptr);
        _exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (!fs::exists(root / "run" / "config.json") && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    kill(pid, SIGTERM);
    int status = 0;
    waitpid(pid, &status, 0);
    std::ifstream log(root / "log.txt");
    std::string output((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    ASSERT_TRUE(WIFEXITED(status)) << output;
    EXPECT_EQ(WEXITSTATUS(status), 0) << output;
    EXPECT_NE(output.find("checkpoint written"), std::string::npos) << output;
    EXPECT_TRUE(fs::exists(root / "run" / "checkpoint.pt"));
    EXPECT_FALSE(fs::exists(root / "run" / "smoke.sgm"));  // stopped, not finished: nothing exported
}

TEST_F(TrainerSmoke, RejectsBadArgumentsWithAMessage) {
    RunResult noData = runTrainer("--out " + (root / "run").string());
    EXPECT_EQ(noData.exitCode, 2);
    EXPECT_NE(noData.output.find("--data is required"), std::string::npos) << noData.output;

    RunResult badChannels = runTrainer(commonArgs() + " --channels 16,16 --steps 1");
    EXPECT_EQ(badChannels.exitCode, 1);
    EXPECT_NE(badChannels.output.find("one entry per block"), std::string::npos) << badChannels.output;

    RunResult missing = runTrainer("--data " + (root / "nope").string() + " --out " + (root / "run").string());
    EXPECT_EQ(missing.exitCode, 1);
    EXPECT_NE(missing.output.find("nope"), std::string::npos) << missing.output;

    RunResult noCheckpoint = runTrainer("--resume --out " + (root / "empty").string());
    EXPECT_EQ(noCheckpoint.exitCode, 2);
    EXPECT_NE(noCheckpoint.output.find("cannot resume"), std::string::npos) << noCheckpoint.output;
}

TEST_F(TrainerSmoke, DcganBaselineTrainsResumesAndExportsImagesPerStyle) {
    RunResult first = runTrainer(commonArgs() + " --arch dcgan --batch 4 --steps 2 --export-images 3");
    ASSERT_EQ(first.exitCode, 0) << first.output;
    EXPECT_NE(first.output.find("DCGAN baseline"), std::string::npos) << first.output;
    RunResult resumed =
        runTrainer("--resume --out " + (root / "run").string() + " --steps 3 --threads 1 --cpu-clock");
    ASSERT_EQ(resumed.exitCode, 0) << resumed.output;
    EXPECT_NE(resumed.output.find("resumed at step 2"), std::string::npos) << resumed.output;

    // What `stylegen eval --images` reads: <style>/<seed>.png, 16x16 RGBA.
    for (const char* style : {"discs", "squares"})
        for (int seed = 1; seed <= 3; ++seed)
            EXPECT_TRUE(fs::exists(root / "run" / "images" / style / (std::to_string(seed) + ".png")));
    EXPECT_FALSE(fs::exists(root / "run" / "images" / "discs" / "4.png"));
    EXPECT_TRUE(fs::exists(root / "run" / "images" / "provenance.json"));
    sgdata::Dataset exported;
    std::string error;
    ASSERT_TRUE(sgdata::loadImageFolder((root / "run" / "images").string(), &exported, &error)) << error;
    EXPECT_EQ(exported.styles, (std::vector<std::string>{"discs", "squares"}));
    ASSERT_EQ(exported.images.size(), 6u);
    EXPECT_EQ(exported.images[0].width, 16);
    EXPECT_EQ(exported.images[0].height, 16);
}

TEST_F(TrainerSmoke, FinetuneAddsAStyleAndKeepsTheOldStylesLatents) {
    RunResult base = runTrainer(commonArgs() + " --steps 2");
    ASSERT_EQ(base.exitCode, 0) << base.output;
    ASSERT_TRUE(fs::exists(root / "run" / "smoke.discriminator.pt"));

    // A new style from a few images: the discs again, under a new name.
    fs::create_directories(root / "new");
    fs::copy(root / "data" / "discs", root / "new" / "rings");
    RunResult tuned = runTrainer("--finetune " + (root / "run" / "smoke.sgm").string() + " --data " +
                                 (root / "new").string() + " --out " + (root / "tuned").string() +
                                 " --batch 4 --threads 1 --steps 2 --sample-every 0 --name tuned");
    ASSERT_EQ(tuned.exitCode, 0) << tuned.output;
    EXPECT_NE(tuned.output.find("fine-tuning"), std::string::npos) << tuned.output;

    // The mapping and the old styles' embeddings are frozen: old styles keep
    // exactly their latents and truncation centres (only synthesis adapts,
    // held to its old output by distillation); the new style has its own.
    sg::ModelFileContents before = readModelFile(root / "run" / "smoke.sgm");
    sg::ModelFileContents after = readModelFile(root / "tuned" / "tuned.sgm");
    const auto* embedBefore = findTensor(before, "mapping.embed.weight");
    const auto* embedAfter = findTensor(after, "mapping.embed.weight");
    ASSERT_TRUE(embedBefore && embedAfter);
    ASSERT_EQ(embedAfter->shape, (std::vector<uint64_t>{3, embedBefore->shape[1]}));
    const size_t oldValues = embedBefore->values.size();
    EXPECT_TRUE(std::equal(embedBefore->values.begin(), embedBefore->values.end(), embedAfter->values.begin()));
    EXPECT_FALSE(std::equal(embedAfter->values.begin() + long(oldValues) / 2, embedAfter->values.begin() + long(oldValues),
                            embedAfter->values.begin() + long(oldValues)));  // the new row is not a copy of the last
    EXPECT_EQ(findTensor(before, "mapping.fc0.weight")->values, findTensor(after, "mapping.fc0.weight")->values);
    const auto* avgBefore = findTensor(before, "w_avg");
    const auto* avgAfter = findTensor(after, "w_avg");
    EXPECT_TRUE(std::equal(avgBefore->values.begin(), avgBefore->values.end(), avgAfter->values.begin()));

    sg::Context context;
    sg::Model model = context.loadModel((root / "tuned" / "tuned.sgm").string());
    EXPECT_EQ(model.styleNames(), (std::vector<std::string>{"discs", "squares", "rings"}));
    sg::GenerateInfo request;
    request.count = 2;
    request.styleIndex = 2;
    EXPECT_EQ(model.generate(request).size(), size_t(2 * 16 * 16 * 4));
}

TEST_F(TrainerSmoke, FinetuneErrorsAreClear) {
    RunResult base = runTrainer(commonArgs() + " --steps 1");
    ASSERT_EQ(base.exitCode, 0) << base.output;
    fs::remove(root / "run" / "smoke.discriminator.pt");
    RunResult noD = runTrainer("--finetune " + (root / "run" / "smoke.sgm").string() + " --data " +
                               (root / "data").string() + " --out " + (root / "tuned").string() + " --steps 1");
    EXPECT_EQ(noD.exitCode, 1);
    EXPECT_NE(noD.output.find("discriminator"), std::string::npos) << noD.output;

    RunResult dcgan = runTrainer("--arch dcgan --finetune " + (root / "run" / "smoke.sgm").string() + " --data " +
                                 (root / "data").string() + " --out " + (root / "tuned").string());
    EXPECT_EQ(dcgan.exitCode, 2);
    EXPECT_NE(dcgan.output.find("--finetune works with --arch stylegan2 only"), std::string::npos) << dcgan.output;

    RunResult notAModel = runTrainer("--finetune " + (root / "data" / "discs" / "img0.png").string() + " --data " +
                                     (root / "data").string() + " --out " + (root / "tuned").string());
    EXPECT_EQ(notAModel.exitCode, 1);
    EXPECT_NE(notAModel.output.find("img0.png: not a stylegen model"), std::string::npos) << notAModel.output;
}
