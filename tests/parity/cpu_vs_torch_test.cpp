// Parity: libstylegen's CPU backend and the trainer's LibTorch generator
// (tools/train/model, driven by sgt::sample exactly as docs/generator.md says)
// load the same .sgm and must produce the same images.
//
// Bound: max |cpu - torch| <= 2e-4 on premultiplied RGBA in [0, 1] (about 1/20
// of an 8-bit step). Both compute in f32 with different summation orders;
// measured on 2026-11-22: about 2e-6 on the tiny models, 1.2e-5 on
// models/characters.sgm, 2.4e-7 on models/terrain.sgm (periodic input).
#include <gtest/gtest.h>

#include <stylegen/stylegen.hpp>

#include "model/sampling.hpp"
#include "model/sgm_io.hpp"
#include "tiny_model.hpp"

#include <cstdio>
#include <filesystem>

namespace fs = std::filesystem;

namespace {

constexpr float kMaxAbsError = 2e-4f;

struct Case {
    std::vector<uint64_t> seeds;
    std::vector<float> weights;  // one per style
    float psi = 1.0f;
    float noise = 1.0f;
    bool mixing = false;
    uint64_t mixSeed = 0;
    uint32_t mixLayer = 0;
    uint32_t width = 0, height = 0;
};

// Max |difference| between the SDK and LibTorch for one request.
float maxAbsDifference(const std::string& path, const Case& c) {
    sgt::LoadedModel torchModel;
    std::string error;
    EXPECT_TRUE(sgt::importModel(path, &torchModel, &error)) << error;
    sgt::SampleRequest request;
    request.seeds = c.seeds;
    request.styleWeights = c.weights;
    request.truncationPsi = c.psi;
    request.noiseStrength = c.noise;
    request.width = c.width;
    request.height = c.height;
    if (c.mixing) {
        for (size_t i = 0; i < c.seeds.size(); ++i)
            request.mixSeeds.push_back(c.mixSeed + i);
        request.mixLayer = c.mixLayer;
    }
    torch::Tensor expected = sgt::sample(torchModel.generator, torchModel.wAvg, request)  // [N, 4, H, W]
                                 .permute({0, 2, 3, 1})
                                 .contiguous();

    sg::ContextCreateInfo createInfo;
    createInfo.backendPreference = SG_BACKEND_PREFERENCE_CPU;
    sg::Context context(createInfo);
    sg::Model model = context.loadModel(path);
    sg::GenerateInfo info;
    info.count = uint32_t(c.seeds.size());
    info.pSeeds = c.seeds.data();
    info.styleWeightCount = uint32_t(c.weights.size());
    info.pStyleWeights = c.weights.data();
    info.truncationPsi = c.psi;
    info.noiseStrength = c.noise;
    info.width = c.width;
    info.height = c.height;
    if (c.mixing) {
        info.flags |= SG_GENERATE_STYLE_MIXING_BIT;
        info.firstMixSeed = c.mixSeed;
        info.mixLayer = c.mixLayer;
    }
    info.format = SG_FORMAT_R32G32B32A32_SFLOAT;
    info.alphaMode = SG_ALPHA_MODE_PREMULTIPLIED;
    std::vector<float> actual = model.generateFloat(info);

    EXPECT_EQ(int64_t(actual.size()), expected.numel());
    if (int64_t(actual.size()) != expected.numel())
        return 1e9f;
    auto got = torch::from_blob(actual.data(), expected.sizes(), torch::kFloat32);
    float difference = (got - expected).abs().max().item<float>();
    std::printf("  %s, %zu images: max |cpu - torch| = %.3g\n", fs::path(path).filename().c_str(), c.seeds.size(),
                double(difference));
    return difference;
}

std::vector<float> oneHot(size_t count, size_t index) {
    std::vector<float> w(count, 0.0f);
    w[index] = 1.0f;
    return w;
}

class Parity : public ::testing::Test {
protected:
    void SetUp() override {
        dir = fs::temp_directory_path() / ("stylegen-parity-" + std::to_string(::getpid()));
        fs::create_directories(dir);
    }
    void TearDown() override { fs::remove_all(dir); }
    fs::path dir;
};

}  // namespace

TEST_F(Parity, TinyCharacterModelMatchesLibTorch) {
    std::string path = sgtest::writeTinyModel(dir.string(), "c.sgm", sgtest::TinyKind::Character, 3, 11);
    EXPECT_LE(maxAbsDifference(path, {{1, 2, 3}, oneHot(3, 1)}), kMaxAbsError);
    EXPECT_LE(maxAbsDifference(path, {{7, 8}, {0.25f, 0.0f, 0.75f}, 0.6f, 0.5f}), kMaxAbsError);
    Case mixed{{4, 5}, oneHot(3, 2), 0.8f, 1.0f, true, 100, 3};
    EXPECT_LE(maxAbsDifference(path, mixed), kMaxAbsError);
}

TEST_F(Parity, TinySceneModelMatchesLibTorchAtOtherSizes) {
    std::string path = sgtest::writeTinyModel(dir.string(), "s.sgm", sgtest::TinyKind::Scene, 2, 5);
    EXPECT_LE(maxAbsDifference(path, {{1, 2}, oneHot(2, 0)}), kMaxAbsError);
    Case wide{{3}, {0.5f, 0.5f}, 0.7f, 1.0f, false, 0, 0, 48, 20};
    EXPECT_LE(maxAbsDifference(path, wide), kMaxAbsError);
}

// The periodic input starts half a period in when generating (sgt::philoxInputs
// and the SDK); 48 x 20 has a height that is not a whole number of periods.
TEST_F(Parity, TinyPeriodicSceneModelMatchesLibTorch) {
    sgtest::TinyModelParts parts = sgtest::makeTinyModelParts(sgtest::TinyKind::Scene, 2, 9);
    sgtest::addTinyPeriodicInput(&parts, 9);
    std::string path = sgtest::writeTinyModelParts(dir.string(), "p.sgm", parts);
    EXPECT_LE(maxAbsDifference(path, {{1, 2}, oneHot(2, 1)}), kMaxAbsError);
    Case wide{{3}, {0.5f, 0.5f}, 0.7f, 1.0f, false, 0, 0, 48, 20};
    EXPECT_LE(maxAbsDifference(path, wide), kMaxAbsError);
}

TEST(ParityDefaultModels, DefaultModelsMatchLibTorch) {
    int checked = 0;
    for (const char* name : {"characters.sgm", "terrain.sgm"}) {
        fs::path path = fs::path(STYLEGEN_MODELS_DIR) / name;
        if (!fs::exists(path))
            continue;
        ++checked;
        sgt::LoadedModel m;
        std::string error;
        ASSERT_TRUE(sgt::importModel(path.string(), &m, &error)) << error;
        size_t styles = m.meta.styles.size();
        Case c{{11, 12}, oneHot(styles, styles - 1), 0.7f};
        if (m.generator->options.kind() == sgt::ModelKind::Scene) {
            c.width = 64;
            c.height = 96;
        }
        EXPECT_LE(maxAbsDifference(path.string(), c), kMaxAbsError) << name;
    }
    if (checked == 0)
        GTEST_SKIP() << "no default model in " << STYLEGEN_MODELS_DIR;
}
