// Parity: the CUDA backend and the built-in CPU backend load the same .sgm
// and must produce the same images, for character and scene models, several
// sizes, batches, blends, truncation, style mixing, latent interpolation and
// noise settings.
//
// Bound: max |cuda - cpu| <= 1e-3 on premultiplied RGBA in [0, 1] (a quarter
// of an 8-bit step). Both compute in f32; they differ in summation order (the
// conv is an implicit GEMM on the GPU, tiled loops on the CPU), in fused
// multiply-adds and in the Philox normals' double log/cos (libm against CUDA's
// device functions), each a few ulps per value. Expected: around 1e-5. Every
// case prints its measured error.
//
// The CUDA backend is also checked against itself: an image does not depend on
// the batch it is generated in, on CUDA graphs, or on the batch being split to
// fit the scratch budget (bit for bit).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "gpu_test_support.hpp"
#include "tiny_model.hpp"

namespace {

constexpr float kMaxAbsError = 1e-3f;

struct Request {
    uint32_t count = 1;
    uint64_t firstSeed = 1;
    uint32_t styleIndex = 0;
    std::vector<float> blend;  // empty: styleIndex
    float psi = 1.0f;
    float noise = 1.0f;
    bool mixing = false;
    uint32_t mixLayer = 0;
    bool explicitNoiseSeeds = false;
    uint32_t width = 0, height = 0;
    std::optional<sg::LatentInterpolationInfo> interpolation;  // chained when set
};

sg::GenerateInfo generateInfo(const Request& r) {
    sg::GenerateInfo gi;
    gi.count = r.count;
    gi.firstSeed = r.firstSeed;
    gi.styleIndex = r.styleIndex;
    gi.styleWeightCount = uint32_t(r.blend.size());
    gi.pStyleWeights = r.blend.empty() ? nullptr : r.blend.data();
    gi.truncationPsi = r.psi;
    gi.noiseStrength = r.noise;
    if (r.mixing) {
        gi.flags |= SG_GENERATE_STYLE_MIXING_BIT;
        gi.firstMixSeed = r.firstSeed + 7919;
        gi.mixLayer = r.mixLayer;
    }
    if (r.explicitNoiseSeeds) {
        gi.flags |= SG_GENERATE_EXPLICIT_NOISE_SEEDS_BIT;
        gi.firstNoiseSeed = r.firstSeed * 31 + 5;
    }
    gi.width = r.width;
    gi.height = r.height;
    gi.alphaMode = SG_ALPHA_MODE_PREMULTIPLIED;
    if (r.interpolation) gi.pNext = &*r.interpolation;
    return gi;
}

float maxAbsDifference(const std::vector<float>& a, const std::vector<float>& b) {
    EXPECT_EQ(a.size(), b.size());
    float worst = 0.0f;
    for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
        const float d = std::fabs(a[i] - b[i]);
        if (!(d <= worst)) worst = std::isnan(d) ? INFINITY : d;  // NaN counts as the worst
    }
    return worst;
}

int maxByteDifference(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
    EXPECT_EQ(a.size(), b.size());
    int worst = 0;
    for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) worst = std::max(worst, std::abs(int(a[i]) - int(b[i])));
    return worst;
}

class CudaParity : public ::testing::Test {
protected:
    void SetUp() override {
        SG_SKIP_WITHOUT_CUDA();
        cpu_ = std::make_unique<sg::Context>(sgtest::cpuContext());
        cuda_ = std::make_unique<sg::Context>(sgtest::cudaContext());
    }
    void TearDown() override { unsetenv("STYLEGEN_PLUGIN_PATH"); }

    // Loads bytes (or the file at path) into both contexts and compares every request.
    void expectParity(const std::string& what, const std::vector<uint8_t>& bytes, const std::vector<Request>& requests,
                      const std::string& path = {}) {
        sg::Model onCpu = path.empty() ? cpu_->loadModelFromMemory(bytes.data(), bytes.size()) : cpu_->loadModel(path);
        sg::Model onCuda =
            path.empty() ? cuda_->loadModelFromMemory(bytes.data(), bytes.size()) : cuda_->loadModel(path);
        for (size_t i = 0; i < requests.size(); ++i) {
            const sg::GenerateInfo gi = generateInfo(requests[i]);
            const float error = maxAbsDifference(onCpu.generateFloat(gi), onCuda.generateFloat(gi));
            const int bytesOff = maxByteDifference(onCpu.generate(gi), onCuda.generate(gi));
            std::printf("[ parity   ] %s request %zu: max |cuda - cpu| = %.3g, RGBA8 max difference %d\n",
                        what.c_str(), i, double(error), bytesOff);
            RecordProperty(what + "_request" + std::to_string(i) + "_max_abs_error", std::to_string(error));
            EXPECT_LE(error, kMaxAbsError) << what << " request " << i;
            EXPECT_LE(bytesOff, 1) << what << " request " << i << " (premultiplied RGBA8)";
        }
    }

    std::unique_ptr<sg::Context> cpu_, cuda_;
};

std::vector<Request> characterRequests(uint32_t styles) {
    std::vector<Request> r(8);
    r[1].count = 5;
    r[1].firstSeed = 40;
    r[1].styleIndex = styles - 1;
    r[1].psi = 0.7f;
    r[2].count = 3;
    r[2].blend.assign(styles, 0.0f);
    r[2].blend[0] = 0.25f;
    r[2].blend[styles - 1] = 0.75f;
    r[3].count = 2;
    r[3].psi = 0.0f;
    r[3].noise = 0.0f;
    r[4].count = 4;
    r[4].mixing = true;
    r[4].mixLayer = 3;
    r[4].noise = 0.5f;
    r[5].count = 17;
    r[5].explicitNoiseSeeds = true;
    r[5].psi = 1.3f;
    r[6].count = 3;  // latent interpolation, computed by the CUDA mapping kernel
    r[6].explicitNoiseSeeds = true;
    r[6].interpolation.emplace(1000, 0.37f);
    r[7].count = 2;
    r[7].mixing = true;
    r[7].mixLayer = 2;
    r[7].psi = 0.8f;
    r[7].interpolation.emplace(77, 1.0f);
    return r;
}

TEST_F(CudaParity, TinyCharacterModel) {
    expectParity("tiny character", sgtest::makeTinyModel(sgtest::TinyKind::Character, 3, 21), characterRequests(3));
}

// characterRequests at scene sizes, among them sizes that are and are not
// whole periods of a tiny model's periodic input (4 cells of 4 px).
std::vector<Request> sceneRequests(uint32_t styles) {
    std::vector<Request> r = characterRequests(styles);
    const uint32_t sizes[][2] = {{16, 16}, {4, 4}, {24, 8}, {64, 32}, {12, 20}, {128, 128}};
    for (size_t i = 0; i < r.size(); ++i) {
        r[i].width = sizes[i % 6][0];
        r[i].height = sizes[i % 6][1];
    }
    return r;
}

TEST_F(CudaParity, TinySceneModelAtSeveralSizes) {
    expectParity("tiny scene", sgtest::makeTinyModel(sgtest::TinyKind::Scene, 4, 22), sceneRequests(4));
}

TEST_F(CudaParity, TinyPeriodicSceneModelAtSeveralSizes) {
    const std::vector<Request> r = sceneRequests(4);
    sgtest::TinyModelParts parts = sgtest::makeTinyModelParts(sgtest::TinyKind::Scene, 4, 26);
    sgtest::addTinyPeriodicInput(&parts, 26);
    expectParity("tiny periodic scene", sgtest::serializeTinyModel(parts), r);
}

TEST_F(CudaParity, DefaultCharacterModel) {
    const std::string path = std::string(STYLEGEN_MODELS_DIR) + "/characters.sgm";
    if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is not there";
    std::vector<Request> r = characterRequests(11);
    r[5].count = 64;  // a benchmark-sized batch
    expectParity("characters.sgm", {}, r, path);
}

TEST_F(CudaParity, DefaultSceneModelUpTo1024) {
    const std::string path = std::string(STYLEGEN_MODELS_DIR) + "/terrain.sgm";
    if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is not there";
    std::vector<Request> r(4);
    r[0].width = r[0].height = 256;
    r[0].count = 2;
    r[1].width = r[1].height = 1024;
    r[1].styleIndex = 9;
    r[2].width = 96;
    r[2].height = 160;
    r[2].count = 3;
    r[2].mixing = true;
    r[2].mixLayer = 2;
    r[2].psi = 0.6f;
    r[3].width = r[3].height = 32;
    r[3].count = 8;
    r[3].blend.assign(15, 0.0f);
    r[3].blend[2] = r[3].blend[13] = 0.5f;
    expectParity("terrain.sgm", {}, r, path);
}

// [SECTION] The CUDA backend against itself ---------------------------------------------------------

class CudaSelf : public ::testing::Test {
protected:
    void SetUp() override { SG_SKIP_WITHOUT_CUDA(); }
    void TearDown() override {
        unsetenv("STYLEGEN_PLUGIN_PATH");
        unsetenv("STYLEGEN_CUDA_GRAPHS");
        unsetenv("STYLEGEN_CUDA_SCRATCH_MB");
    }
};

TEST_F(CudaSelf, AnImageDoesNotDependOnItsBatch) {
    sg::Context cuda = sgtest::cudaContext();
    const std::vector<uint8_t> bytes = sgtest::makeTinyModel(sgtest::TinyKind::Character, 3, 23);
    sg::Model model = cuda.loadModelFromMemory(bytes.data(), bytes.size());
    Request batch;
    batch.count = 7;
    batch.firstSeed = 300;
    const std::vector<float> together = model.generateFloat(generateInfo(batch));
    const size_t image = together.size() / 7;
    for (uint32_t i = 0; i < 7; ++i) {
        Request one = batch;
        one.count = 1;
        one.firstSeed = 300 + i;
        const std::vector<float> alone = model.generateFloat(generateInfo(one));
        EXPECT_TRUE(std::equal(alone.begin(), alone.end(), together.begin() + i * image)) << "image " << i;
    }
}

TEST_F(CudaSelf, GraphReplayMatchesDirectLaunches) {
    const std::vector<uint8_t> bytes = sgtest::makeTinyModel(sgtest::TinyKind::Scene, 4, 24);
    Request r;
    r.count = 3;
    r.width = 32;
    r.height = 48;
    r.mixing = true;
    r.mixLayer = 2;
    sg::Context graphs = sgtest::cudaContext();
    sg::Model viaGraph = graphs.loadModelFromMemory(bytes.data(), bytes.size());
    const std::vector<float> first = viaGraph.generateFloat(generateInfo(r));   // captures
    const std::vector<float> second = viaGraph.generateFloat(generateInfo(r));  // replays
    setenv("STYLEGEN_CUDA_GRAPHS", "0", 1);
    sg::Context direct = sgtest::cudaContext();
    sg::Model viaLaunches = direct.loadModelFromMemory(bytes.data(), bytes.size());
    EXPECT_EQ(first, second);
    EXPECT_EQ(first, viaLaunches.generateFloat(generateInfo(r)));
    // A replayed graph reads the new request, not the captured one.
    Request other = r;
    other.firstSeed = 99;
    other.psi = 0.5f;
    other.mixing = false;
    EXPECT_EQ(viaGraph.generateFloat(generateInfo(other)), viaLaunches.generateFloat(generateInfo(other)));
}

TEST_F(CudaSelf, ASplitBatchMatchesAWholeOne) {
    const std::vector<uint8_t> bytes = sgtest::makeTinyModel(sgtest::TinyKind::Scene, 4, 25);
    Request r;
    r.count = 3;
    r.width = r.height = 256;
    sg::Context whole = sgtest::cudaContext();
    sg::Model once = whole.loadModelFromMemory(bytes.data(), bytes.size());
    setenv("STYLEGEN_CUDA_SCRATCH_MB", "1", 1);  // one image per pass
    sg::Context split = sgtest::cudaContext();
    sg::Model inParts = split.loadModelFromMemory(bytes.data(), bytes.size());
    EXPECT_EQ(once.generateFloat(generateInfo(r)), inParts.generateFloat(generateInfo(r)));
}

}  // namespace
