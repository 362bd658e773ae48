// Runs the real stylegen-train binary on a tiny synthetic folder data set.
#include <gtest/gtest.h>

#include <stylegen/stylegen.hpp>

#include "dataset.hpp"
#include "model_file.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
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

using TensorShapes = std::vector<std::pair<std::string, std::vector<uint64_t>>>;

void expectTensorShapes(const sg::ModelFileContents& contents, const TensorShapes& shapes) {
    for (const auto& [name, shape] : shapes) {
        const auto* t = findTensor(contents, name);
        ASSERT_TRUE(t) << name;
        EXPECT_EQ(t->shape, shape) << name;
    }
}

// The SDK loads the model at `path` and says it can restyle.
sg::Model loadsWithRestyle(const sg::Context& context, const fs::path& path) {
    sg::Model model = context.loadModel(path.string());
    SgModelRestyleInfo restyle{};
    restyle.sType = SG_STRUCTURE_TYPE_MODEL_RESTYLE_INFO;
    SgModelInfo info{};
    info.sType = SG_STRUCTURE_TYPE_MODEL_INFO;
    info.pNext = &restyle;
    EXPECT_EQ(sgGetModelInfo(model.handle(), &info), SG_SUCCESS);
    EXPECT_EQ(restyle.restyleSupported, SG_TRUE) << path;
    return model;
}

std::string readBytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_F(TrainerSmoke, TrainsResumesAndExportsALoadableModel) {
    RunResult first = runTrainer(commonArgs() + " --steps 3");
    ASSERT_EQ(first.exitCode, 0) << first.output;
    EXPECT_TRUE(fs::exists(root / "run" / "checkpoint.pt"));
    EXPECT_TRUE(fs::exists(root / "run" / "config.json"));
    EXPECT_TRUE(fs::exists(root / "run" / "samples-000002.png"));
    EXPECT_NE(first.output.find("3 steps"), std::string::npos) << first.output;

    // What may change on --resume does, and is recorded: a lower learning
    // rate, another sampling interval.
    const fs::path discriminator = root / "run" / "smoke.discriminator.pt";  // f16, written by every export
    const std::string dAfter3 = readBytes(discriminator);
    RunResult resumed = runTrainer("--resume --out " + (root / "run").string() +
                                   " --steps 5 --threads 1 --lr 0.001 --sample-every 1");
    ASSERT_EQ(resumed.exitCode, 0) << resumed.output;
    EXPECT_NE(resumed.output.find("resumed at step 3"), std::string::npos) << resumed.output;
    EXPECT_NE(resumed.output.find("5 steps"), std::string::npos) << resumed.output;
    EXPECT_TRUE(fs::exists(root / "run" / "samples-000004.png"));
    std::ifstream configFile(root / "run" / "config.json");
    const auto config = nlohmann::json::parse(configFile);
    EXPECT_EQ(config["lr"], 0.001);
    EXPECT_EQ(config["sample_every"], 1);
    // The optimisers take the new rate, not the checkpoint's: two more steps
    // at 1e-12 leave the discriminator's f16 weights as they were, where two
    // steps at 0.001 changed them.
    const std::string dAfter5 = readBytes(discriminator);
    EXPECT_NE(dAfter5, dAfter3);
    RunResult still = runTrainer("--resume --out " + (root / "run").string() + " --steps 7 --threads 1 --lr 1e-12");
    ASSERT_EQ(still.exitCode, 0) << still.output;
    EXPECT_EQ(readBytes(discriminator), dAfter5);

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

// A disk that fills up (here: a file-size limit of 32 KiB, which the small
// config passes and the checkpoint does not) stops the run with the file and
// the reason, and leaves no partial checkpoint and no temporary file.
TEST_F(TrainerSmoke, AFullDiskStopsWithTheReasonAndNoPartialCheckpoint) {
    // dash counts ulimit -f in 512-byte blocks; SIGXFSZ ignored makes the write fail with EFBIG.
    const std::string command = "trap '' XFSZ; ulimit -f 64 && exec " + std::string(STYLEGEN_TRAIN_EXE) + " " +
                                commonArgs() + " --steps 2 --checkpoint-minutes 0 --sample-every 0 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string output;
    char buffer[4096];
    while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
    const int status = pclose(pipe);
    ASSERT_TRUE(WIFEXITED(status)) << "killed by a signal: " << output;
    EXPECT_NE(WEXITSTATUS(status), 0) << output;
    EXPECT_NE(output.find("checkpoint.pt"), std::string::npos) << output;
    EXPECT_NE(output.find("File too large"), std::string::npos) << output;
    EXPECT_FALSE(fs::exists(root / "run" / "checkpoint.pt"));
    for (const auto& entry : fs::directory_iterator(root / "run"))
        EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos)
            << entry.path() << " is a temporary file left behind";
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
    struct Case {
        std::string args;
        int exitCode;        // 2: rejected while parsing, 1: by the trainer
        std::string message;
    };
    const std::string run = " --out " + (root / "run").string();
    const Case cases[] = {
        {run, 2, "--data is required"},
        {commonArgs() + " --channels 16,16 --steps 1", 1, "one entry per block"},
        {commonArgs() + " --d-channels 16,16 --steps 1", 2, "--d-channels needs 3 positive widths"},
        {commonArgs() + " --d-channels 16,0,8 --steps 1", 2, "--d-channels needs 3 positive widths"},
        {commonArgs() + " --arch dcgan --d-channels 16,16,8 --steps 1", 2, "--arch dcgan has its own"},
        {commonArgs() + " --periodic-input --steps 1", 2, "character models have none"},
        {"--data " + (root / "nope").string() + run, 1, "nope"},
        {"--resume --out " + (root / "empty").string(), 2, "cannot resume"},
        {"--resume --out " + (root / "empty").string() + " --batch 8", 2, "--batch cannot change on --resume"},
        {commonArgs() + " --lr 0 --steps 1", 2, "--lr must be positive"},
        {commonArgs() + " --device gpu7 --steps 1", 1, "--device gpu7: not a device name"},
        {commonArgs() + " --device vulkan --steps 1", 1, "trains on cpu or cuda"},
        {commonArgs() + " --cpu-clock --wall-clock --steps 1", 2, "choose one"},
    };
    for (const Case& c : cases) {
        RunResult r = runTrainer(c.args);
        EXPECT_EQ(r.exitCode, c.exitCode) << c.args;
        EXPECT_NE(r.output.find(c.message), std::string::npos) << c.args << "\n" << r.output;
    }
    EXPECT_FALSE(fs::exists(root / "run" / "checkpoint.pt"));  // none of them started
}

// On a GPU machine (a CUDA LibTorch that sees a device) every architecture
// trains on it, and a checkpoint written there resumes on the CPU; elsewhere
// --device cuda stops at once and says why.
TEST_F(TrainerSmoke, DeviceCudaTrainsWhereLibTorchSeesAGpuElseSaysWhy) {
    RunResult gan = runTrainer(commonArgs() + " --steps 2 --device cuda");
    if (gan.exitCode == 1 && gan.output.find("LibTorch sees no CUDA device") != std::string::npos) {
        EXPECT_FALSE(fs::exists(root / "run" / "checkpoint.pt"));
        GTEST_SKIP() << "no CUDA device for LibTorch here: " << gan.output;
    }
    ASSERT_EQ(gan.exitCode, 0) << gan.output;
    EXPECT_NE(gan.output.find(" threads, cuda"), std::string::npos) << gan.output;
    RunResult onCpu = runTrainer("--resume --out " + (root / "run").string() + " --steps 3 --threads 1 --device cpu");
    ASSERT_EQ(onCpu.exitCode, 0) << onCpu.output;
    EXPECT_NE(onCpu.output.find("resumed at step 2"), std::string::npos) << onCpu.output;
    sg::Context context;
    EXPECT_EQ(context.loadModel((root / "run" / "smoke.sgm").string()).styleNames(),
              (std::vector<std::string>{"discs", "squares"}));

    RunResult dcgan = runTrainer("--data " + (root / "data").string() + " --out " + (root / "dcgan").string() +
                                 " --resolution 16 --arch dcgan --batch 4 --steps 2 --threads 1 --export-images 2"
                                 " --device cuda");
    ASSERT_EQ(dcgan.exitCode, 0) << dcgan.output;
    EXPECT_TRUE(fs::exists(root / "dcgan" / "images" / "squares" / "2.png"));

    RunResult encoder = runTrainer("--encoder-for " + (root / "run" / "smoke.sgm").string() + " --data " +
                                   (root / "data").string() + " --out " + (root / "enc").string() +
                                   " --batch 4 --steps 2 --threads 1 --sample-every 0 --device cuda");
    ASSERT_EQ(encoder.exitCode, 0) << encoder.output;
    loadsWithRestyle(context, root / "enc" / "smoke.sgm");
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

// A discriminator wider than the generator (--d-channels) is rebuilt from the
// run's config on resume and from its own tensors where the model is the
// start: fine-tuning and the encoder.
TEST_F(TrainerSmoke, WiderDiscriminatorResumesAndServesFinetuneAndEncoder) {
    RunResult base = runTrainer(commonArgs() + " --d-channels 24,32,16 --steps 2 --sample-every 0");
    ASSERT_EQ(base.exitCode, 0) << base.output;
    std::ifstream configFile(root / "run" / "config.json");
    EXPECT_EQ(nlohmann::json::parse(configFile)["d_channels"], nlohmann::json({24, 32, 16}));
    RunResult resumed = runTrainer("--resume --out " + (root / "run").string() + " --steps 3 --threads 1");
    ASSERT_EQ(resumed.exitCode, 0) << resumed.output;
    EXPECT_NE(resumed.output.find("resumed at step 2"), std::string::npos) << resumed.output;

    const std::string model = (root / "run" / "smoke.sgm").string();
    RunResult tuned = runTrainer("--finetune " + model + " --data " + (root / "data").string() + " --out " +
                                 (root / "tuned").string() + " --batch 4 --threads 1 --steps 1 --sample-every 0");
    ASSERT_EQ(tuned.exitCode, 0) << tuned.output;
    RunResult encoder = runTrainer("--encoder-for " + model + " --data " + (root / "data").string() + " --out " +
                                   (root / "enc").string() + " --batch 4 --threads 1 --steps 1 --sample-every 0");
    ASSERT_EQ(encoder.exitCode, 0) << encoder.output;

    RunResult widthsOfTheModel = runTrainer("--finetune " + model + " --d-channels 16,16,8 --data " +
                                            (root / "data").string() + " --out " + (root / "tuned2").string());
    EXPECT_EQ(widthsOfTheModel.exitCode, 2);
    EXPECT_NE(widthsOfTheModel.output.find("use the model's"), std::string::npos) << widthsOfTheModel.output;
}

// The periodic input is part of the architecture: it resumes, is exported
// (docs/generator.md "Input") and is kept by fine-tuning and the encoder.
TEST_F(TrainerSmoke, PeriodicInputResumesExportsAndServesFinetuneAndEncoder) {
    RunResult base = runTrainer(commonArgs() + " --kind scene --periodic-input --steps 2 --sample-every 0");
    ASSERT_EQ(base.exitCode, 0) << base.output;
    std::ifstream configFile(root / "run" / "config.json");
    EXPECT_EQ(nlohmann::json::parse(configFile)["periodic_input"], true);
    RunResult resumed = runTrainer("--resume --out " + (root / "run").string() + " --steps 3 --threads 1");
    ASSERT_EQ(resumed.exitCode, 0) << resumed.output;
    EXPECT_NE(resumed.output.find("resumed at step 2"), std::string::npos) << resumed.output;

    const std::string model = (root / "run" / "smoke.sgm").string();
    RunResult tuned = runTrainer("--finetune " + model + " --data " + (root / "data").string() + " --out " +
                                 (root / "tuned").string() + " --batch 4 --threads 1 --steps 1 --sample-every 0" +
                                 " --name tuned");
    ASSERT_EQ(tuned.exitCode, 0) << tuned.output;
    RunResult encoder = runTrainer("--encoder-for " + model + " --data " + (root / "data").string() + " --out " +
                                   (root / "enc").string() + " --batch 4 --threads 1 --steps 1 --sample-every 0");
    ASSERT_EQ(encoder.exitCode, 0) << encoder.output;

    sg::Context context;
    for (const fs::path& path :
         {root / "run" / "smoke.sgm", root / "tuned" / "tuned.sgm", root / "enc" / "smoke.sgm"}) {
        sg::ModelFileContents contents = readModelFile(path);
        const auto header = nlohmann::json::parse(contents.json);
        EXPECT_EQ(header["periodic_input"], nlohmann::json({{"period", 4}, {"offset", 2}})) << path;
        expectTensorShapes(contents, {{"synthesis.input.periodic", {16, 4, 4}}});
        EXPECT_EQ(context.loadModel(path.string()).info().kind, SG_MODEL_KIND_SCENE) << path;
    }
    loadsWithRestyle(context, root / "enc" / "smoke.sgm");
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

// --- Encoder (--encoder-for) ----------------------------------------------------

namespace {

// "step N: held-out reconstruction PSNR X dB" lines of a run's output, in order.
std::vector<double> heldOutPsnrs(const std::string& output) {
    std::vector<double> out;
    const std::string key = "held-out reconstruction PSNR ";
    for (size_t at = output.find(key); at != std::string::npos; at = output.find(key, at + 1))
        out.push_back(std::stod(output.substr(at + key.size())));
    return out;
}

}  // namespace

TEST_F(TrainerSmoke, EncoderTrainsResumesAndExportsTheModelWithItsEncoder) {
    RunResult base = runTrainer(commonArgs() + " --steps 2 --sample-every 0");
    ASSERT_EQ(base.exitCode, 0) << base.output;
    const fs::path model = root / "run" / "smoke.sgm";
    const std::string encoderArgs = "--encoder-for " + model.string() + " --data " + (root / "data").string() +
                                    " --out " + (root / "enc").string() + " --batch 4 --threads 1 --sample-every 2";
    RunResult first = runTrainer(encoderArgs + " --steps 3");
    ASSERT_EQ(first.exitCode, 0) << first.output;
    EXPECT_NE(first.output.find("encoder for " + model.string()), std::string::npos) << first.output;
    EXPECT_NE(first.output.find("rec "), std::string::npos) << first.output;
    EXPECT_EQ(heldOutPsnrs(first.output).size(), 3u) << first.output;  // start, step 2, end
    EXPECT_TRUE(fs::exists(root / "enc" / "samples-000002.png"));
    EXPECT_TRUE(fs::exists(root / "enc" / "samples-final.png"));

    RunResult resumed = runTrainer("--resume --out " + (root / "enc").string() + " --steps 5 --threads 1");
    ASSERT_EQ(resumed.exitCode, 0) << resumed.output;
    EXPECT_NE(resumed.output.find("resumed at step 3"), std::string::npos) << resumed.output;
    EXPECT_NE(resumed.output.find("5 steps"), std::string::npos) << resumed.output;

    // The export: the model as it was, plus the encoder's tensors and header keys.
    sg::ModelFileContents before = readModelFile(model);
    sg::ModelFileContents after = readModelFile(root / "enc" / "smoke.sgm");
    auto headerBefore = nlohmann::json::parse(before.json);
    auto header = nlohmann::json::parse(after.json);
    ASSERT_TRUE(header.contains("encoder")) << after.json;
    EXPECT_EQ(header["encoder"]["arch"], "stylegen-encoder-1");
    EXPECT_EQ(header["encoder"]["channels"], (std::vector<int64_t>{8, 16, 16}));  // --channels 16,16,8 reversed
    ASSERT_TRUE(header.contains("encoder_training"));
    EXPECT_NE(header["encoder_training"]["command"].get<std::string>().find("--encoder-for"), std::string::npos);
    EXPECT_NE(header["encoder_training"]["command"].get<std::string>().find("--resume"), std::string::npos);
    EXPECT_EQ(header["encoder_training"]["steps"], 5);
    EXPECT_TRUE(header["encoder_training"]["held_out_psnr_db"].is_number());
    header.erase("encoder");
    header.erase("encoder_training");
    EXPECT_EQ(header, headerBefore);
    for (const auto& t : before.tensors) {
        const auto* kept = findTensor(after, t.name);
        ASSERT_TRUE(kept) << t.name;
        EXPECT_EQ(kept->shape, t.shape) << t.name;
        EXPECT_EQ(kept->values, t.values) << t.name;  // w_avg and the generator bit for bit
    }
    EXPECT_EQ(after.storedTypes, std::vector<sg::TensorDType>(after.tensors.size(), sg::TensorDType::F16));

    // docs/generator.md "Encoder" for this 16x16 model: 3 blocks, 2 stages, L = 6, w_dim 16.
    const TensorShapes contract = {
        {"encoder.fromrgb.weight", {8, 4, 1, 1}},  {"encoder.fromrgb.bias", {8}},
        {"encoder.s0.conv.weight", {8, 8, 3, 3}},  {"encoder.s0.conv.bias", {8}},
        {"encoder.s0.down.weight", {16, 8, 3, 3}}, {"encoder.s0.down.bias", {16}},
        {"encoder.s1.conv.weight", {16, 16, 3, 3}}, {"encoder.s1.conv.bias", {16}},
        {"encoder.s1.down.weight", {16, 16, 3, 3}}, {"encoder.s1.down.bias", {16}},
        {"encoder.wplus.weight", {6 * 16, 16 * 16}}, {"encoder.wplus.bias", {6 * 16}},
    };
    EXPECT_EQ(after.tensors.size(), before.tensors.size() + contract.size());
    expectTensorShapes(after, contract);

    // The SDK loads it, sees the encoder, and still generates.
    sg::Context context;
    sg::Model loaded = loadsWithRestyle(context, root / "enc" / "smoke.sgm");
    sg::GenerateInfo request;
    request.count = 1;
    EXPECT_EQ(loaded.generate(request).size(), size_t(16 * 16 * 4));
}

TEST_F(TrainerSmoke, EncoderReconstructionImprovesOverAShortRun) {
    // A base model that has learnt the discs and squares a little, then an
    // encoder for it: its held-out reconstructions must beat the average image
    // the untrained encoder starts from.
    RunResult base = runTrainer(commonArgs() + " --steps 150 --sample-every 0");
    ASSERT_EQ(base.exitCode, 0) << base.output;
    RunResult enc = runTrainer("--encoder-for " + (root / "run" / "smoke.sgm").string() + " --data " +
                               (root / "data").string() + " --out " + (root / "enc").string() +
                               " --batch 8 --threads 1 --steps 150 --sample-every 0 --held-out-fraction 0.3");
    ASSERT_EQ(enc.exitCode, 0) << enc.output;
    auto psnr = heldOutPsnrs(enc.output);
    ASSERT_EQ(psnr.size(), 2u) << enc.output;  // the untrained encoder, the trained one
    EXPECT_GT(psnr[1], psnr[0] + 1.5) << enc.output;  // 10.3 -> 13.2 dB when written

    // The SDK reconstructs (sgRestyle, strength 0) the same held-out images
    // from the exported file as the trainer did: the same PSNR, up to the f16
    // storage of the encoder's weights.
    sgdata::Dataset data;
    std::string error;
    ASSERT_TRUE(sgdata::loadImageFolder((root / "data").string(), &data, &error)) << error;
    std::vector<size_t> train, heldOut;
    sgdata::splitHeldOut(data, 0.3, 1, &train, &heldOut);  // the trainer's split: --held-out-fraction, --seed 1
    ASSERT_FALSE(heldOut.empty());
    sg::Context context;
    sg::Model model = context.loadModel((root / "enc" / "smoke.sgm").string());
    double sum = 0;
    for (size_t index : heldOut) {
        std::vector<float> chw(4 * 16 * 16), input(16 * 16 * 4), output(16 * 16 * 4);
        ASSERT_TRUE(sgdata::renderImage(data, index, -1, false, 16, 4, chw.data()));
        for (int c = 0; c < 4; ++c)
            for (int p = 0; p < 16 * 16; ++p)
                input[size_t(p * 4 + c)] = (chw[size_t(c * 256 + p)] + 1.0f) * 0.5f;
        SgRestyleInfo restyle{};
        restyle.sType = SG_STRUCTURE_TYPE_RESTYLE_INFO;
        restyle.pPixels = input.data();
        restyle.size = input.size() * sizeof(float);
        restyle.width = restyle.height = 16;
        restyle.inputFormat = SG_FORMAT_R32G32B32A32_SFLOAT;
        restyle.inputAlphaMode = SG_ALPHA_MODE_PREMULTIPLIED;
        restyle.sourceStyleIndex = SG_STYLE_INDEX_AUTO;
        restyle.strength = 0.0f;
        restyle.format = SG_FORMAT_R32G32B32A32_SFLOAT;
        restyle.alphaMode = SG_ALPHA_MODE_PREMULTIPLIED;
        SgImageBuffer buffer{};
        buffer.sType = SG_STRUCTURE_TYPE_IMAGE_BUFFER;
        buffer.pData = output.data();
        buffer.size = output.size() * sizeof(float);
        ASSERT_EQ(sgRestyle(model.context(), model.handle(), &restyle, &buffer), SG_SUCCESS);
        double mse = 0;
        for (size_t i = 0; i < output.size(); ++i)
            mse += double(output[i] - input[i]) * double(output[i] - input[i]);
        sum += -10.0 * std::log10(std::max(mse / double(output.size()), 1e-10));
    }
    EXPECT_NEAR(sum / double(heldOut.size()), psnr[1], 0.05) << enc.output;
}

TEST_F(TrainerSmoke, SceneEncoderPredictsTheSpatialGrid) {
    RunResult base = runTrainer(commonArgs() + " --kind scene --spatial-channels 3 --steps 2 --sample-every 0");
    ASSERT_EQ(base.exitCode, 0) << base.output;
    RunResult enc = runTrainer("--encoder-for " + (root / "run" / "smoke.sgm").string() + " --data " +
                               (root / "data").string() + " --out " + (root / "enc").string() +
                               " --batch 4 --threads 1 --steps 2 --sample-every 0");
    ASSERT_EQ(enc.exitCode, 0) << enc.output;
    EXPECT_NE(enc.output.find("grid "), std::string::npos) << enc.output;  // the grid prior's loss term

    // Scene: w+ from the features' mean (P = ES), and the grid from each position.
    sg::ModelFileContents after = readModelFile(root / "enc" / "smoke.sgm");
    expectTensorShapes(after, {
        {"encoder.fromrgb.weight", {8, 3, 1, 1}},
        {"encoder.wplus.weight", {6 * 16, 16}},
        {"encoder.spatial.weight", {3, 16, 1, 1}},
        {"encoder.spatial.bias", {3}},
    });
    sg::Context context;
    EXPECT_EQ(loadsWithRestyle(context, root / "enc" / "smoke.sgm").info().kind, SG_MODEL_KIND_SCENE);
}

TEST_F(TrainerSmoke, EncoderErrorsAreClear) {
    RunResult base = runTrainer(commonArgs() + " --steps 1 --sample-every 0");
    ASSERT_EQ(base.exitCode, 0) << base.output;
    const std::string model = (root / "run" / "smoke.sgm").string();
    const std::string rest = " --data " + (root / "data").string() + " --out " + (root / "enc").string() + " --steps 1";

    RunResult dcgan = runTrainer("--arch dcgan --encoder-for " + model + rest);
    EXPECT_EQ(dcgan.exitCode, 2);
    EXPECT_NE(dcgan.output.find("--encoder-for"), std::string::npos) << dcgan.output;

    RunResult channels = runTrainer("--encoder-for " + model + rest + " --encoder-channels 8,16");
    EXPECT_EQ(channels.exitCode, 1);
    EXPECT_NE(channels.output.find("the encoder needs 3 channel counts"), std::string::npos) << channels.output;

    fs::remove(root / "run" / "smoke.discriminator.pt");
    RunResult noD = runTrainer("--encoder-for " + model + rest);
    EXPECT_EQ(noD.exitCode, 1);
    EXPECT_NE(noD.output.find("cannot read the discriminator"), std::string::npos) << noD.output;

    RunResult notAModel = runTrainer("--encoder-for " + (root / "data" / "discs" / "img0.png").string() + rest);
    EXPECT_EQ(notAModel.exitCode, 1);
    EXPECT_NE(notAModel.output.find("not a stylegen model"), std::string::npos) << notAModel.output;
}
