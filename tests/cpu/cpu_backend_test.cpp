// cpu_backend_test.cpp - the CPU backend through its plugin table, on tiny
// random models: agreement with the reference generator, determinism across
// thread counts and calls, the generator's controls, scene tiling, concurrent
// use and error paths.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cpu_plugin.hpp"
#include "reference_generator.hpp"
#include "stylegen_plugin.h"
#include "test_model.hpp"

namespace {

using sgtest::TestModel;
using sgtest::cpu::Backend;
using sgtest::cpu::Prepared;
using sgtest::cpu::table;

struct Request {
    uint32_t width = 16, height = 16;
    std::vector<uint64_t> seeds{1}, noiseSeeds{101};
    std::vector<uint64_t> mixSeeds;  // empty: no mixing
    uint32_t mixLayer = 0;
    std::vector<float> styleWeights{1, 0, 0};
    float psi = 1.0f, noise = 1.0f;
    uint32_t periodicOffset = 0;

    SgpBatch batch() const {
        SgpBatch b{};
        b.count = uint32_t(seeds.size());
        b.width = width;
        b.height = height;
        b.pSeeds = seeds.data();
        b.pNoiseSeeds = noiseSeeds.data();
        b.pMixSeeds = mixSeeds.empty() ? nullptr : mixSeeds.data();
        b.mixLayer = mixLayer;
        b.pStyleWeights = styleWeights.data();
        b.truncationPsi = psi;
        b.noiseStrength = noise;
        b.periodicOffset = periodicOffset;
        return b;
    }
    size_t floats() const { return seeds.size() * width * height * 4; }
};

std::vector<float> generate(const Backend& backend, const Prepared& model, const Request& r) {
    std::vector<float> out(r.floats(), -1.0f);
    const SgpBatch b = r.batch();
    char error[256] = "";
    EXPECT_EQ(table().generate(backend.get(), model.get(), &b, out.data(), error, sizeof error), SGP_SUCCESS) << error;
    return out;
}

// Runs generate expecting `expected`, returns the error message.
std::string generateError(const Backend& backend, const Prepared& model, const SgpBatch& b, SgpResult expected) {
    std::vector<float> out(size_t(std::max(1u, b.count)) * std::max(1u, b.width) * std::max(1u, b.height) * 4);
    char error[256] = "";
    EXPECT_EQ(table().generate(backend.get(), model.get(), &b, out.data(), error, sizeof error), expected);
    return error;
}

// Prepares desc expecting SGP_ERROR_INVALID_ARGUMENT; returns the message.
std::string prepareError(const SgpModelDesc& desc) {
    Backend backend(1);
    SgpPreparedModel prepared = nullptr;
    char error[256] = "";
    EXPECT_EQ(table().prepareModel(backend.get(), &desc, &prepared, error, sizeof error), SGP_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(prepared, nullptr);
    return error;
}

std::string prepareError(TestModel& model) { return prepareError(model.desc()); }

float maxAbsDiff(const std::vector<float>& a, const std::vector<float>& b) {
    float m = 0;
    for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
    return m;
}

bool bitIdentical(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// Compares every image of the request with the reference generator.
void expectMatchesReference(TestModel& model, const Request& r) {
    Backend backend(2);
    Prepared prepared(backend, model);
    const std::vector<float> out = generate(backend, prepared, r);
    const SgpBatch b = r.batch();
    const size_t imageFloats = size_t(r.width) * r.height * 4;
    for (uint32_t i = 0; i < b.count; ++i) {
        const std::vector<float> ref = sgtest::referenceImage(model, b, i);
        const std::vector<float> got(out.begin() + i * imageFloats, out.begin() + (i + 1) * imageFloats);
        EXPECT_LT(maxAbsDiff(got, ref), 1e-4f) << "image " << i << " of " << r.width << "x" << r.height;
    }
}

// The controls the reference comparisons sweep, for a model of 3 styles.
std::vector<Request> controlSweep(uint32_t width, uint32_t height) {
    std::vector<Request> rs;
    Request r;
    r.width = width;
    r.height = height;
    r.seeds = {1, 2, 3};
    r.noiseSeeds = {11, 12, 13};
    rs.push_back(r);  // one style, no truncation, noise on
    r.styleWeights = {0.25f, 0.0f, 0.75f};
    r.psi = 0.7f;
    r.noise = 0.5f;
    rs.push_back(r);  // blend of two styles, truncation
    r.styleWeights = {0.5f, 0.3f, 0.2f};
    r.mixSeeds = {7, 8, 9};
    r.mixLayer = 3;
    r.noise = 2.0f;
    rs.push_back(r);  // blend of three, mixing, strong noise
    r.mixSeeds.clear();
    r.styleWeights = {0, 1, 0};
    r.psi = 0.0f;
    r.noise = 0.0f;
    rs.push_back(r);  // the style's mean, no noise
    return rs;
}

// Mean |difference| across the wrap seam over mean |difference| between
// interior neighbours, along x (columns) or y (rows), over the RGB of images.
double seamRatio(const std::vector<float>& rgba, uint32_t count, uint32_t w, uint32_t h, bool alongX) {
    double seam = 0, interior = 0;
    size_t seamCount = 0, interiorCount = 0;
    const uint32_t n = alongX ? w : h, m = alongX ? h : w;
    for (uint32_t image = 0; image < count; ++image) {
        const float* px = rgba.data() + size_t(image) * w * h * 4;
        auto at = [&](uint32_t i, uint32_t j, int c) {
            return double(alongX ? px[(size_t(j) * w + i) * 4 + c] : px[(size_t(i) * w + j) * 4 + c]);
        };
        for (uint32_t j = 0; j < m; ++j)
            for (uint32_t i = 0; i < n; ++i)
                for (int c = 0; c < 3; ++c) {
                    const uint32_t next = (i + 1) % n;
                    const double d = std::fabs(at(next, j, c) - at(i, j, c));
                    if (next == 0) {
                        seam += d;
                        ++seamCount;
                    } else {
                        interior += d;
                        ++interiorCount;
                    }
                }
    }
    return (seam / seamCount) / (interior / interiorCount);
}

// [SECTION] The plugin table ----------------------------------------------------------

TEST(CpuPluginTable, HasInterfaceVersionAndName) {
    EXPECT_EQ(table().interfaceVersion, SGP_PLUGIN_INTERFACE_VERSION);
    EXPECT_STREQ(table().name, "cpu");
}

TEST(CpuPluginTable, CreateBackend_LogsThreadCount) {
    std::vector<std::string> lines;
    SgpBackendCreateInfo info{};
    info.threadCount = 3;
    info.pUserData = &lines;
    info.pfnLog = [](void* user, int, const char* message) {
        static_cast<std::vector<std::string>*>(user)->push_back(message);
    };
    SgpBackend backend = nullptr;
    ASSERT_EQ(table().createBackend(&info, &backend, nullptr, 0), SGP_SUCCESS);
    table().destroyBackend(backend);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_NE(lines[0].find("3 thread"), std::string::npos) << lines[0];
}

TEST(CpuPluginTable, CreateBackend_ZeroThreadsMeansOnePerHardwareThread) {
    std::string line;
    SgpBackendCreateInfo info{};
    info.pUserData = &line;
    info.pfnLog = [](void* user, int, const char* message) { *static_cast<std::string*>(user) = message; };
    SgpBackend backend = nullptr;
    ASSERT_EQ(table().createBackend(&info, &backend, nullptr, 0), SGP_SUCCESS);
    table().destroyBackend(backend);
    const unsigned expected = std::max(1u, std::thread::hardware_concurrency());
    EXPECT_NE(line.find(std::to_string(expected) + " thread"), std::string::npos) << line;
}

TEST(CpuPluginTable, CreateBackend_RejectsNullInfo) {
    SgpBackend backend = nullptr;
    char error[128] = "";
    EXPECT_EQ(table().createBackend(nullptr, &backend, error, sizeof error), SGP_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(error).find("NULL"), std::string::npos);
}

TEST(CpuPluginTable, DestroyFunctions_AcceptNull) {
    table().destroyBackend(nullptr);
    Backend backend(1);
    table().destroyModel(backend.get(), nullptr);
}

TEST(CpuPluginTable, ErrorMessage_TruncatedToBufferSize) {
    char error[8];
    std::memset(error, 'x', sizeof error);
    SgpBackend backend = nullptr;
    EXPECT_EQ(table().createBackend(nullptr, &backend, error, 5), SGP_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(std::strlen(error), 4u);
    EXPECT_EQ(error[5], 'x');
}

// [SECTION] Agreement with docs/generator.md ----------------------------------------------

TEST(CpuGenerate, MatchesReference_Character16) {
    TestModel model(sgtest::characterArch(16), 1);
    for (const Request& r : controlSweep(16, 16)) expectMatchesReference(model, r);
}

TEST(CpuGenerate, MatchesReference_Character32) {
    TestModel model(sgtest::characterArch(32), 2);
    for (const Request& r : controlSweep(32, 32)) expectMatchesReference(model, r);
}

TEST(CpuGenerate, MatchesReference_SceneAtSeveralSizes) {
    TestModel model(sgtest::sceneArch(16), 3);
    for (auto [w, h] : {std::pair{16u, 16u}, {32u, 16u}, {48u, 80u}, {4u, 8u}})
        for (const Request& r : controlSweep(w, h)) expectMatchesReference(model, r);
}

// Period 3 so that sizes of 4 cells (16 px) are not whole periods; every offset.
TEST(CpuGenerate, MatchesReference_PeriodicSceneAtEveryOffset) {
    TestModel model(sgtest::withPeriodicInput(sgtest::sceneArch(16), 3), 5);
    for (uint32_t offset = 0; offset < 3; ++offset)
        for (auto [w, h] : {std::pair{16u, 16u}, {48u, 20u}})
            for (Request r : controlSweep(w, h)) {
                r.periodicOffset = offset;
                expectMatchesReference(model, r);
            }
}

// With whole periods and no noise, starting o cells into the periodic input
// gives the texture that starting at 0 gives from the grid moved o cells on,
// moved back by o blocks: the offset moves the pattern, nothing else.
TEST(CpuGenerate, PeriodicOffsetShiftsTheTexture) {
    const SgpArchitecture arch = sgtest::withPeriodicInput(sgtest::sceneArch(16), 4);
    TestModel model(arch, 6);
    Backend backend(2);
    Prepared prepared(backend, model);
    const uint32_t w = 32, h = 16, block = 4, gw = w / block, gh = h / block, sc = arch.spatialChannels, o = 1;
    std::vector<float> grid(size_t(sc) * gh * gw), rolled(grid.size());
    for (size_t i = 0; i < grid.size(); ++i) grid[i] = std::sin(0.7f * float(i));
    for (uint32_t c = 0; c < sc; ++c)
        for (uint32_t y = 0; y < gh; ++y)
            for (uint32_t x = 0; x < gw; ++x)
                rolled[(size_t(c) * gh + (y + o) % gh) * gw + (x + o) % gw] = grid[(size_t(c) * gh + y) * gw + x];
    auto run = [&](const std::vector<float>& input, uint32_t offset) {
        Request r;
        r.width = w;
        r.height = h;
        r.noise = 0.0f;
        r.periodicOffset = offset;
        SgpBatch b = r.batch();
        b.pSpatialInput = input.data();
        std::vector<float> out(r.floats());
        char error[256] = "";
        EXPECT_EQ(table().generate(backend.get(), prepared.get(), &b, out.data(), error, sizeof error), SGP_SUCCESS)
            << error;
        return out;
    };
    const std::vector<float> atOffset = run(grid, o), atZero = run(rolled, 0);
    float worst = 0.0f;
    for (uint32_t y = 0; y < h; ++y)
        for (uint32_t x = 0; x < w; ++x)
            for (uint32_t c = 0; c < 4; ++c) {
                const float a = atZero[(size_t((y + o * block) % h) * w + (x + o * block) % w) * 4 + c];
                worst = std::max(worst, std::fabs(a - atOffset[(size_t(y) * w + x) * 4 + c]));
            }
    EXPECT_LT(worst, 1e-5f);
    EXPECT_GT(maxAbsDiff(atOffset, run(grid, 0)), 1e-2f);  // and the offset does change the image
}

TEST(CpuGenerate, CharacterOutputIsPremultipliedRgba) {
    TestModel model(sgtest::characterArch(16), 4);
    Backend backend(2);
    Prepared prepared(backend, model);
    Request r;
    r.seeds = {1, 2, 3, 4};
    r.noiseSeeds = {1, 2, 3, 4};
    const std::vector<float> out = generate(backend, prepared, r);
    bool someTransparent = false, someOpaque = false;
    for (size_t p = 0; p < out.size(); p += 4) {
        const float a = out[p + 3];
        ASSERT_GE(a, 0.0f);
        ASSERT_LE(a, 1.0f);
        for (int c = 0; c < 3; ++c) {
            ASSERT_GE(out[p + c], 0.0f);
            ASSERT_LE(out[p + c], a);
        }
        someTransparent |= a < 1.0f;
        someOpaque |= a > 0.0f;
    }
    EXPECT_TRUE(someTransparent && someOpaque);
}

TEST(CpuGenerate, SceneOutputIsOpaque) {
    TestModel model(sgtest::sceneArch(16), 5);
    Backend backend(2);
    Prepared prepared(backend, model);
    Request r;
    r.width = 8;
    r.height = 12;
    const std::vector<float> out = generate(backend, prepared, r);
    for (size_t p = 0; p < out.size(); p += 4) ASSERT_EQ(out[p + 3], 1.0f);
}

// [SECTION] Determinism --------------------------------------------------------------------

TEST(CpuGenerate, BitIdenticalAcrossThreadCountsAndRuns) {
    TestModel character(sgtest::characterArch(32), 6);
    TestModel scene(sgtest::sceneArch(16), 7);
    Request rc = controlSweep(32, 32)[2];
    rc.seeds = {1, 2, 3, 4, 5};
    rc.noiseSeeds = {5, 4, 3, 2, 1};
    rc.mixSeeds = {9, 8, 7, 6, 5};
    Request rs = controlSweep(48, 80)[2];
    rs.seeds = {1, 2};
    rs.noiseSeeds = {3, 4};
    rs.mixSeeds = {5, 6};
    std::vector<float> firstC, firstS;
    for (uint32_t threads : {1u, 2u, 3u, 7u}) {
        Backend backend(threads);
        Prepared pc(backend, character), ps(backend, scene);
        for (int run = 0; run < 2; ++run) {
            const std::vector<float> c = generate(backend, pc, rc), s = generate(backend, ps, rs);
            if (firstC.empty()) {
                firstC = c;
                firstS = s;
            }
            EXPECT_TRUE(bitIdentical(c, firstC)) << threads << " threads, run " << run;
            EXPECT_TRUE(bitIdentical(s, firstS)) << threads << " threads, run " << run;
        }
    }
}

TEST(CpuGenerate, BatchEqualsOneImageAtATime) {
    // 160x160 is more than one chunk's worth of pixels, so the batch runs in several chunks.
    TestModel model(sgtest::sceneArch(16), 8);
    Backend backend(2);
    Prepared prepared(backend, model);
    Request batch = controlSweep(160, 160)[2];
    const std::vector<float> all = generate(backend, prepared, batch);
    const size_t imageFloats = size_t(160) * 160 * 4;
    for (size_t i = 0; i < batch.seeds.size(); ++i) {
        Request one = batch;
        one.seeds = {batch.seeds[i]};
        one.noiseSeeds = {batch.noiseSeeds[i]};
        one.mixSeeds = {batch.mixSeeds[i]};
        const std::vector<float> single = generate(backend, prepared, one);
        EXPECT_TRUE(bitIdentical(single, std::vector<float>(all.begin() + i * imageFloats,
                                                            all.begin() + (i + 1) * imageFloats)))
            << "image " << i;
    }
}

TEST(CpuGenerate, ConcurrentCallsMatchSerialResults) {
    TestModel model(sgtest::characterArch(32), 9);
    Backend backend(3);
    Prepared prepared(backend, model);
    std::vector<Request> requests = controlSweep(32, 32);
    std::vector<std::vector<float>> serial;
    for (const Request& r : requests) serial.push_back(generate(backend, prepared, r));
    std::vector<std::vector<std::vector<float>>> results(requests.size());
    std::vector<std::thread> threads;
    for (size_t t = 0; t < requests.size(); ++t)
        threads.emplace_back([&, t] {
            for (int run = 0; run < 3; ++run) results[t].push_back(generate(backend, prepared, requests[t]));
        });
    for (std::thread& t : threads) t.join();
    for (size_t t = 0; t < requests.size(); ++t)
        for (const std::vector<float>& r : results[t]) EXPECT_TRUE(bitIdentical(r, serial[t])) << "request " << t;
}

// [SECTION] Controls -----------------------------------------------------------------------

TEST(CpuGenerate, TruncationZeroWithoutNoiseGivesTheBlendMean) {
    TestModel model(sgtest::characterArch(16), 10);
    Backend backend(2);
    Prepared prepared(backend, model);
    Request a;
    a.styleWeights = {0.6f, 0.4f, 0.0f};
    a.noise = 0.0f;
    a.psi = 0.0f;
    Request b = a;
    b.seeds = {987654321};
    b.noiseSeeds = {55};
    EXPECT_TRUE(bitIdentical(generate(backend, prepared, a), generate(backend, prepared, b)));
    a.psi = b.psi = 1.0f;
    EXPECT_GT(maxAbsDiff(generate(backend, prepared, a), generate(backend, prepared, b)), 1e-3f);
}

TEST(CpuGenerate, MixLayerAtEndEqualsNoMixing) {
    TestModel model(sgtest::characterArch(16), 11);
    Backend backend(2);
    Prepared prepared(backend, model);
    Request plain;
    plain.seeds = {3, 4};
    plain.noiseSeeds = {5, 6};
    Request mixed = plain;
    mixed.mixSeeds = {77, 78};
    mixed.mixLayer = 2 * model.arch().blockCount;
    EXPECT_TRUE(bitIdentical(generate(backend, prepared, plain), generate(backend, prepared, mixed)));
}

TEST(CpuGenerate, MixLayerZeroEqualsMixSeedAsLatentSeed) {
    TestModel model(sgtest::characterArch(16), 12);
    Backend backend(2);
    Prepared prepared(backend, model);
    Request mixed;
    mixed.seeds = {3, 4};
    mixed.noiseSeeds = {5, 6};
    mixed.mixSeeds = {77, 78};
    mixed.mixLayer = 0;
    Request direct = mixed;
    direct.seeds = mixed.mixSeeds;
    direct.mixSeeds.clear();
    EXPECT_TRUE(bitIdentical(generate(backend, prepared, mixed), generate(backend, prepared, direct)));
}

TEST(CpuGenerate, MixingChangesTheImage) {
    TestModel model(sgtest::characterArch(16), 13);
    Backend backend(2);
    Prepared prepared(backend, model);
    Request plain;
    Request mixed = plain;
    mixed.mixSeeds = {77};
    mixed.mixLayer = 2;
    EXPECT_GT(maxAbsDiff(generate(backend, prepared, plain), generate(backend, prepared, mixed)), 1e-3f);
}

TEST(CpuGenerate, NoiseSeedChangesTheImageOnlyWithNoise) {
    TestModel model(sgtest::characterArch(16), 14);
    Backend backend(2);
    Prepared prepared(backend, model);
    Request a, b;
    b.noiseSeeds = {999};
    EXPECT_GT(maxAbsDiff(generate(backend, prepared, a), generate(backend, prepared, b)), 1e-3f);
    a.noise = b.noise = 0.0f;
    EXPECT_TRUE(bitIdentical(generate(backend, prepared, a), generate(backend, prepared, b)));
}

// [SECTION] Scene models ---------------------------------------------------------------------

TEST(CpuGenerate, SceneAcceptsAnyMultipleOfTheBlock) {
    TestModel model(sgtest::sceneArch(16), 15);
    Backend backend(2);
    Prepared prepared(backend, model);
    for (auto [w, h] : {std::pair{16u, 16u}, {32u, 16u}, {48u, 80u}, {4u, 4u}, {4u, 36u}}) {
        Request r;
        r.width = w;
        r.height = h;
        const std::vector<float> out = generate(backend, prepared, r);
        EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](float v) { return v >= 0.0f && v <= 1.0f; }))
            << w << "x" << h;
    }
}

// Seam ratios of 8 images of 64x48 from a scene model with the given padding.
std::pair<double, double> sceneSeamRatios(SgpPadding padding) {
    SgpArchitecture arch = sgtest::sceneArch(16);
    arch.padding = padding;
    TestModel model(arch, 16);
    Backend backend(2);
    Prepared prepared(backend, model);
    Request r;
    r.width = 64;
    r.height = 48;
    r.seeds = {1, 2, 3, 4, 5, 6, 7, 8};
    r.noiseSeeds = {11, 12, 13, 14, 15, 16, 17, 18};
    const std::vector<float> out = generate(backend, prepared, r);
    const uint32_t count = uint32_t(r.seeds.size());
    return {seamRatio(out, count, r.width, r.height, true), seamRatio(out, count, r.width, r.height, false)};
}

TEST(CpuGenerate, SceneTilesSeamlessly) {
    const auto [alongX, alongY] = sceneSeamRatios(SGP_PADDING_CIRCULAR);
    EXPECT_LT(alongX, 1.5);
    EXPECT_LT(alongY, 1.5);
}

// The control that shows the seam measure can fail: the same weights with
// zero padding do not wrap.
TEST(CpuGenerate, SceneWithZeroPaddingShowsSeams) {
    const auto [alongX, alongY] = sceneSeamRatios(SGP_PADDING_ZERO);
    EXPECT_GT(alongX, 1.5);
    EXPECT_GT(alongY, 1.5);
}

// [SECTION] Errors ----------------------------------------------------------------------------

TEST(CpuPrepareModel, RejectsMissingTensor) {
    TestModel model(sgtest::characterArch(16), 1);
    model.remove("synthesis.b8.conv0.noise_strength");
    EXPECT_NE(prepareError(model).find("synthesis.b8.conv0.noise_strength"), std::string::npos);
}

TEST(CpuPrepareModel, RejectsWrongShape) {
    TestModel model(sgtest::characterArch(16), 1);
    model.tensor("synthesis.b16.conv1.weight").dims = {5, 5, 1, 9};
    const std::string error = prepareError(model);
    EXPECT_NE(error.find("synthesis.b16.conv1.weight"), std::string::npos) << error;
    EXPECT_NE(error.find("[5, 5, 3, 3]"), std::string::npos) << error;
}

TEST(CpuPrepareModel, RejectsInputOfTheOtherKind) {
    TestModel model(sgtest::characterArch(16), 1);
    model.remove("synthesis.input.const");
    model.add({"synthesis.input.weight", {8, 5}, std::vector<float>(40, 0.1f)});
    EXPECT_NE(prepareError(model).find("synthesis.input.const"), std::string::npos);
}

TEST(CpuPrepareModel, RejectsAPeriodicInputOnAConstInput) {
    SgpArchitecture arch = sgtest::characterArch(16);
    TestModel model(arch, 1);
    SgpModelDesc desc = model.desc();
    desc.arch.inputPeriod = 4;
    const std::string error = prepareError(desc);
    EXPECT_NE(error.find("periodic input needs a spatial input"), std::string::npos) << error;
}

TEST(CpuPrepareModel, RejectsAPeriodicInputWithoutItsTensor) {
    TestModel model(sgtest::withPeriodicInput(sgtest::sceneArch(16), 4), 1);
    model.remove("synthesis.input.periodic");
    EXPECT_NE(prepareError(model).find("synthesis.input.periodic"), std::string::npos);
}

TEST(CpuPrepareModel, RejectsNonFiniteWeight) {
    TestModel model(sgtest::characterArch(16), 1);
    model.tensor("mapping.fc1.bias").values[3] = std::nanf("");
    EXPECT_NE(prepareError(model).find("non-finite"), std::string::npos);
}

TEST(CpuPrepareModel, RejectsInconsistentArchitecture) {
    SgpArchitecture arch = sgtest::characterArch(16);
    TestModel model(arch, 1);
    SgpModelDesc desc = model.desc();
    desc.arch.blockCount = 4;
    std::string error = prepareError(desc);
    EXPECT_NE(error.find("blockCount"), std::string::npos) << error;
    desc.arch.blockCount = 3;
    desc.arch.imgChannels = 2;
    error = prepareError(desc);
    EXPECT_NE(error.find("imgChannels"), std::string::npos) << error;
}

TEST(CpuPrepareModel, IgnoresExtraTensors) {
    TestModel model(sgtest::characterArch(16), 1);
    model.add({"encoder.fc0.weight", {3, 2}, std::vector<float>(6, 1.0f)});
    Backend backend(1);
    Prepared prepared(backend, model);
    EXPECT_NE(prepared.get(), nullptr);
}

TEST(CpuPrepareModel, DescMayBeReleasedAfterPrepare) {
    auto model = std::make_unique<TestModel>(sgtest::characterArch(16), 17);
    Backend backend(1);
    Request r;
    std::vector<float> before;
    SgpPreparedModel prepared = nullptr;
    ASSERT_EQ(table().prepareModel(backend.get(), &model->desc(), &prepared, nullptr, 0), SGP_SUCCESS);
    {
        Prepared reference(backend, *model);
        before = generate(backend, reference, r);
    }
    model.reset();
    std::vector<float> after(r.floats());
    const SgpBatch b = r.batch();
    EXPECT_EQ(table().generate(backend.get(), prepared, &b, after.data(), nullptr, 0), SGP_SUCCESS);
    EXPECT_TRUE(bitIdentical(before, after));
    table().destroyModel(backend.get(), prepared);
}

class CpuGenerateErrors : public ::testing::Test {
protected:
    TestModel character{sgtest::characterArch(16), 1};
    TestModel scene{sgtest::sceneArch(16), 1};
    Backend backend{1};
    Prepared characterModel{backend, character};
    Prepared sceneModel{backend, scene};
};

TEST_F(CpuGenerateErrors, RejectsCharacterSizeOtherThanResolution) {
    Request r;
    r.width = 32;
    EXPECT_NE(generateError(backend, characterModel, r.batch(), SGP_ERROR_INVALID_ARGUMENT).find("16x16"),
              std::string::npos);
}

TEST_F(CpuGenerateErrors, RejectsSceneSizeNotMultipleOfBlock) {
    Request r;
    r.width = 18;
    EXPECT_NE(generateError(backend, sceneModel, r.batch(), SGP_ERROR_INVALID_ARGUMENT).find("multiples of 4"),
              std::string::npos);
}

TEST_F(CpuGenerateErrors, RejectsAPeriodicOffsetOutsideThePeriod) {
    Request r;
    r.periodicOffset = 1;  // the scene model has no periodic input: 0 only
    EXPECT_NE(generateError(backend, sceneModel, r.batch(), SGP_ERROR_INVALID_ARGUMENT).find("periodicOffset"),
              std::string::npos);
}

TEST_F(CpuGenerateErrors, RejectsNullSeeds) {
    Request r;
    SgpBatch b = r.batch();
    b.pNoiseSeeds = nullptr;
    EXPECT_NE(generateError(backend, characterModel, b, SGP_ERROR_INVALID_ARGUMENT).find("NULL"), std::string::npos);
}

TEST_F(CpuGenerateErrors, RejectsStyleWeightsNotSummingToOne) {
    Request r;
    r.styleWeights = {0.5f, 0.2f, 0.0f};
    EXPECT_NE(generateError(backend, characterModel, r.batch(), SGP_ERROR_INVALID_ARGUMENT).find("sum to 1"),
              std::string::npos);
    r.styleWeights = {1.5f, -0.5f, 0.0f};
    EXPECT_NE(generateError(backend, characterModel, r.batch(), SGP_ERROR_INVALID_ARGUMENT).find("non-negative"),
              std::string::npos);
}

TEST_F(CpuGenerateErrors, RejectsMixLayerPastTheLastLayer) {
    Request r;
    r.mixSeeds = {2};
    r.mixLayer = 2 * character.arch().blockCount + 1;
    EXPECT_NE(generateError(backend, characterModel, r.batch(), SGP_ERROR_INVALID_ARGUMENT).find("mixLayer"),
              std::string::npos);
}

TEST_F(CpuGenerateErrors, RejectsNullBatchAndOutput) {
    std::vector<float> out(16 * 16 * 4);
    char error[128] = "";
    EXPECT_EQ(table().generate(backend.get(), characterModel.get(), nullptr, out.data(), error, sizeof error),
              SGP_ERROR_INVALID_ARGUMENT);
    Request r;
    const SgpBatch b = r.batch();
    EXPECT_EQ(table().generate(backend.get(), characterModel.get(), &b, nullptr, error, sizeof error),
              SGP_ERROR_INVALID_ARGUMENT);
}

TEST_F(CpuGenerateErrors, EmptyBatchSucceedsWithoutWriting) {
    Request r;
    r.seeds.clear();
    r.noiseSeeds.clear();
    const SgpBatch b = r.batch();
    EXPECT_EQ(table().generate(backend.get(), characterModel.get(), &b, nullptr, nullptr, 0), SGP_SUCCESS);
}

}  // namespace
