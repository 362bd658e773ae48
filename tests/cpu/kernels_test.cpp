// kernels_test.cpp - the CPU backend's kernels and thread pool through their
// internal C++ interfaces (plugin/cpu), for every kernel set this CPU runs:
// the direct and Winograd 3x3 convolutions against a double-precision sum,
// the vectorised Philox normals against stylegen_philox.h, and the whole
// generator on models wide enough to take the Winograd path, against the
// reference generator and across thread counts.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "generator.hpp"
#include "kernels.hpp"
#include "reference_generator.hpp"
#include "stylegen_philox.h"
#include "test_model.hpp"
#include "thread_pool.hpp"

namespace sg::cpu {
// Test names and failure messages show the set's name rather than its address.
void PrintTo(const KernelSet* set, std::ostream* os) { *os << set->name; }
}  // namespace sg::cpu

namespace {

using namespace sg::cpu;

std::vector<float> philoxValues(size_t n, uint64_t seed, float scale) {
    std::vector<float> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = scale * sgPhiloxNormal(seed, 7, i);
    return v;
}

// [SECTION] 3x3 convolution kernels ---------------------------------------------------

// One layer's worth of inputs for the conv kernels, over `images` images.
struct ConvCase {
    uint32_t images, h, w, cin, cout;
    bool wrap, noise, scale;
};

struct ConvData {
    PlaneGeometry g;
    std::vector<float> planes, weight, demod, bias, scale, noise;
    size_t noiseFloats = 0;
    float noiseScale = 0.37f;

    explicit ConvData(const ConvCase& c) : g(planeGeometry(c.h, c.w)) {
        planes.assign(size_t(c.images) * c.cin * g.stride, 0.0f);
        const std::vector<float> values = philoxValues(planes.size(), 1, 1.0f);
        for (size_t p = 0; p < size_t(c.images) * c.cin; ++p) {
            float* plane = planes.data() + p * g.stride;
            for (uint32_t y = 0; y < c.h; ++y)
                for (uint32_t x = 0; x < c.w; ++x)
                    plane[(y + 1) * g.pitch + x + 1] = values[p * g.stride + y * c.w + x];
            fillHalo(g, c.wrap ? Halo::Wrap : Halo::Zero, plane);
        }
        weight = philoxValues(size_t(c.cout) * c.cin * 9, 2, 1.0f / std::sqrt(9.0f * c.cin));
        demod = philoxValues(size_t(c.images) * c.cout, 3, 0.5f);
        for (float& d : demod) d = 1.0f + std::fabs(d);
        bias = philoxValues(c.cout, 4, 0.1f);
        scale = philoxValues(size_t(c.images) * c.cout, 5, 1.0f);
        noiseFloats = noiseMapFloats(g);
        noise = philoxValues(size_t(c.images) * noiseFloats, 6, 1.0f);
    }

    // act(conv * demod + noise + bias) [* scale] in double, from the same padded planes.
    double expected(const ConvCase& c, uint32_t image, uint32_t co, uint32_t y, uint32_t x) const {
        double sum = 0;
        for (uint32_t ci = 0; ci < c.cin; ++ci) {
            const float* plane = planes.data() + (size_t(image) * c.cin + ci) * g.stride;
            for (uint32_t k = 0; k < 9; ++k)
                sum += double(weight[(size_t(co) * c.cin + ci) * 9 + k]) * plane[(y + k / 3) * g.pitch + x + k % 3];
        }
        double v = sum * demod[size_t(image) * c.cout + co] + bias[co];
        if (c.noise) v += double(noiseScale) * noise[image * noiseFloats + y * g.pitch + x];
        v = (v < 0 ? 0.2 * v : v) * std::sqrt(2.0);
        if (c.scale) v *= scale[size_t(image) * c.cout + co];
        return v;
    }

    // Max |output - expected| over every output pixel of `out` ([image][cout][stride]).
    double maxError(const ConvCase& c, const std::vector<float>& out) const {
        double worst = 0;
        for (uint32_t image = 0; image < c.images; ++image)
            for (uint32_t co = 0; co < c.cout; ++co)
                for (uint32_t y = 0; y < c.h; ++y)
                    for (uint32_t x = 0; x < c.w; ++x) {
                        const float got = out[(size_t(image) * c.cout + co) * g.stride + (y + 1) * g.pitch + x + 1];
                        worst = std::max(worst, std::fabs(double(got) - expected(c, image, co, y, x)));
                    }
        return worst;
    }
};

std::vector<float> runDirect(const KernelSet& k, const ConvCase& c, const ConvData& d) {
    std::vector<float> out(size_t(c.images) * c.cout * d.g.stride, 0.0f);
    const std::vector<float> packed = packConv3x3Weights(d.weight.data(), c.cout, c.cin);
    const size_t flat = size_t(c.h) * d.g.pitch;
    for (uint32_t image = 0; image < c.images; ++image)
        for (uint32_t co = 0; co < c.cout; co += kCoBlock)
            for (size_t f0 = 0; f0 < flat; f0 += kConvTile) {
                Conv3x3Output o;
                o.demod = d.demod.data() + size_t(image) * c.cout + co;
                o.bias = d.bias.data() + co;
                o.scale = c.scale ? d.scale.data() + size_t(image) * c.cout + co : nullptr;
                o.noise = c.noise ? d.noise.data() + image * d.noiseFloats : nullptr;
                o.noiseScale = d.noiseScale;
                o.coCount = std::min(kCoBlock, c.cout - co);
                o.planes = out.data() + (size_t(image) * c.cout + co) * d.g.stride;
                k.conv3x3(d.planes.data() + size_t(image) * c.cin * d.g.stride, d.g,
                          packed.data() + size_t(co / kCoBlock) * c.cin * 9 * kCoBlock, c.cin, f0,
                          std::min(kConvTile, flat - f0), o);
            }
    return out;
}

// Winograd over the whole batch in runs of `run` tiles, the channel groups
// split in two calls where there are two or more.
std::vector<float> runWinograd(const KernelSet& k, const ConvCase& c, const ConvData& d, size_t run) {
    std::vector<float> out(size_t(c.images) * c.cout * d.g.stride, 0.0f);
    const std::vector<float> packed = packWinogradWeights(d.weight.data(), c.cout, c.cin);
    WinogradLayer L;
    L.planes = d.planes.data();
    L.cin = c.cin;
    L.cout = c.cout;
    L.weights = packed.data();
    L.demod = d.demod.data();
    L.demodStride = c.cout;
    L.bias = d.bias.data();
    L.scale = c.scale ? d.scale.data() : nullptr;
    L.scaleStride = c.cout;
    L.noise = c.noise ? d.noise.data() : nullptr;
    L.noiseStride = d.noiseFloats;
    L.noiseScale = d.noiseScale;
    L.out = out.data();
    L.outStride = size_t(c.cout) * d.g.stride;
    const size_t tiles = size_t(c.images) * ((c.h + 1) / 2) * ((c.w + 1) / 2);
    const uint32_t groups = (c.cout + kWinogradCoGroup - 1) / kWinogradCoGroup;
    const uint32_t split = groups / 2;
    std::vector<float> work(winogradWorkFloats(c.cin, run));
    for (size_t t0 = 0; t0 < tiles; t0 += run) {
        const size_t n = std::min(run, tiles - t0);
        if (split > 0) k.winograd3x3(L, d.g, t0, n, 0, split, work.data());
        k.winograd3x3(L, d.g, t0, n, split, groups, work.data());
    }
    return out;
}

const std::vector<ConvCase>& convCases() {
    static const std::vector<ConvCase> cases = {
        {2, 16, 24, 32, 16, false, true, false},  // whole vector runs, one channel group
        {3, 5, 7, 33, 20, true, true, true},      // odd sizes, a partial group, wrap, scaled
        {5, 1, 1, 40, 5, false, false, true},     // 1x1 images: one tile each, all halo
        {2, 2, 18, 32, 36, true, false, false},   // one tile row, runs cross images
        {1, 4, 4, 64, 4, false, true, true},
    };
    return cases;
}

class KernelSetTest : public ::testing::TestWithParam<const KernelSet*> {};

TEST_P(KernelSetTest, DirectConvMatchesDoubleSum) {
    for (const ConvCase& c : convCases()) {
        const ConvData d(c);
        EXPECT_LT(d.maxError(c, runDirect(*GetParam(), c, d)), 1e-4)
            << c.images << "x" << c.h << "x" << c.w << " " << c.cin << "->" << c.cout;
    }
}

TEST_P(KernelSetTest, WinogradConvMatchesDoubleSum) {
    for (const ConvCase& c : convCases())
        for (size_t run : {size_t(7), size_t(48)}) {
            const ConvData d(c);
            EXPECT_LT(d.maxError(c, runWinograd(*GetParam(), c, d, run)), 1e-4)
                << c.images << "x" << c.h << "x" << c.w << " " << c.cin << "->" << c.cout << ", runs of " << run;
        }
}

TEST_P(KernelSetTest, WinogradIsTheSameForAnyTaskSplit) {
    const ConvCase c = convCases()[1];
    const ConvData d(c);
    const std::vector<float> a = runWinograd(*GetParam(), c, d, 6), b = runWinograd(*GetParam(), c, d, 42);
    EXPECT_EQ(0, std::memcmp(a.data(), b.data(), a.size() * sizeof(float)));
}

TEST_P(KernelSetTest, NormalRowEqualsScalarPhilox) {
    const uint64_t seed = 0x0123456789ABCDEFull;
    // Counts with a tail, and a run across the 2^32 index boundary.
    for (auto [first, count] : {std::pair<uint64_t, size_t>{0, 1003}, {0xFFFFFFF0ull, 77}, {12345, 5}}) {
        std::vector<float> row(count);
        GetParam()->normalRow(seed, SGP_STREAM_NOISE_BASE + 3, first, count, row.data());
        for (size_t i = 0; i < count; ++i)
            ASSERT_EQ(row[i], sgPhiloxNormal(seed, SGP_STREAM_NOISE_BASE + 3, first + i)) << "index " << first + i;
    }
}

// [SECTION] The generator on Winograd-wide models ---------------------------------------

// A model whose 3x3 convs have enough input channels for the Winograd path
// (and a last block narrow enough for the direct one).
SgpArchitecture wideArch(SgpArchitecture a) {
    const uint32_t channels[] = {kWinogradMinCin + 3, kWinogradMinCin, 9};
    for (uint32_t b = 0; b < a.blockCount; ++b) a.channels[b] = channels[b];
    return a;
}

std::vector<float> generateWith(const KernelSet& k, unsigned threads, const PreparedModel& model,
                                const SgpBatch& batch) {
    ThreadPool pool(threads);
    ScratchCache cache;
    std::vector<float> out(size_t(batch.count) * batch.width * batch.height * 4);
    std::string error;
    EXPECT_EQ(generateImages(pool, cache, model, batch, out.data(), &error, k), SGP_SUCCESS) << error;
    return out;
}

void expectWideModelMatchesReference(const KernelSet& k, const SgpArchitecture& arch, uint32_t width,
                                     uint32_t height) {
    sgtest::TestModel model(arch, 21);
    std::string error;
    const std::unique_ptr<PreparedModel> prepared = prepareModel(model.desc(), &error);
    ASSERT_TRUE(prepared) << error;
    ASSERT_TRUE(prepared->blocks[1].conv1.winograd);
    ASSERT_FALSE(prepared->blocks[2].conv1.winograd);
    const std::vector<uint64_t> seeds = {1, 2, 3}, noiseSeeds = {4, 5, 6};
    const std::vector<float> styles = {0.2f, 0.0f, 0.8f};
    SgpBatch b{};
    b.count = uint32_t(seeds.size());
    b.width = width;
    b.height = height;
    b.pSeeds = seeds.data();
    b.pNoiseSeeds = noiseSeeds.data();
    b.pStyleWeights = styles.data();
    b.truncationPsi = 0.7f;
    b.noiseStrength = 1.0f;
    const std::vector<float> first = generateWith(k, 1, *prepared, b);
    const size_t imageFloats = size_t(width) * height * 4;
    for (uint32_t i = 0; i < b.count; ++i) {
        const std::vector<float> ref = sgtest::referenceImage(model, b, i);
        float worst = 0;
        for (size_t p = 0; p < imageFloats; ++p) worst = std::max(worst, std::fabs(first[i * imageFloats + p] - ref[p]));
        EXPECT_LT(worst, 1e-4f) << "image " << i << " of " << width << "x" << height;
    }
    for (unsigned threads : {2u, 3u}) {
        const std::vector<float> other = generateWith(k, threads, *prepared, b);
        EXPECT_EQ(0, std::memcmp(first.data(), other.data(), first.size() * sizeof(float))) << threads << " threads";
    }
}

TEST_P(KernelSetTest, WideCharacterMatchesReferenceAndThreadCounts) {
    expectWideModelMatchesReference(*GetParam(), wideArch(sgtest::characterArch(16)), 16, 16);
}

TEST_P(KernelSetTest, WideSceneMatchesReferenceAndThreadCounts) {
    // 20x12: odd tile grids at the first block (5x3), wrapping everywhere.
    expectWideModelMatchesReference(*GetParam(), wideArch(sgtest::sceneArch(16)), 20, 12);
}

// avx512 and avx2+fma fuse the same multiply-adds (the inner products, not
// the output stage), so a baking machine with either gives the same bytes.
// Only the portable baseline, without fused multiply-adds, differs.
TEST(KernelSets, VectorSetsGiveTheSameBits) {
    std::vector<const KernelSet*> vector;
    for (const KernelSet* k : supportedKernelSets())
        if (std::string(k->name) != "baseline") vector.push_back(k);
    if (vector.size() < 2) GTEST_SKIP() << "this CPU runs " << vector.size() << " vector kernel set(s)";
    for (const bool isScene : {false, true}) {
        const SgpArchitecture arch =
            isScene ? wideArch(sgtest::sceneArch(16)) : wideArch(sgtest::characterArch(16));
        sgtest::TestModel model(arch, 21);
        std::string error;
        const std::unique_ptr<PreparedModel> prepared = prepareModel(model.desc(), &error);
        ASSERT_TRUE(prepared) << error;
        const std::vector<uint64_t> seeds = {7, 8};
        const std::vector<float> styles = {0.5f, 0.5f, 0.0f};
        SgpBatch b{};
        b.count = uint32_t(seeds.size());
        b.width = isScene ? 20 : 16;
        b.height = isScene ? 12 : 16;
        b.pSeeds = seeds.data();
        b.pNoiseSeeds = seeds.data();
        b.pStyleWeights = styles.data();
        b.truncationPsi = 0.8f;
        b.noiseStrength = 1.0f;
        const std::vector<float> first = generateWith(*vector[0], 2, *prepared, b);
        for (size_t i = 1; i < vector.size(); ++i) {
            const std::vector<float> other = generateWith(*vector[i], 2, *prepared, b);
            EXPECT_EQ(0, std::memcmp(first.data(), other.data(), first.size() * sizeof(float)))
                << vector[0]->name << " against " << vector[i]->name << (isScene ? ", scene" : ", character");
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Supported, KernelSetTest, ::testing::ValuesIn(supportedKernelSets()),
                         [](const ::testing::TestParamInfo<const KernelSet*>& info) {
                             std::string name = info.param->name;
                             for (char& ch : name)
                                 if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                             return name;
                         });

TEST(KernelSets, BaselineIsAlwaysSupportedAndBestComesFirst) {
    const std::vector<const KernelSet*> sets = supportedKernelSets();
    ASSERT_FALSE(sets.empty());
    EXPECT_STREQ(sets.back()->name, "baseline");
    EXPECT_EQ(sets.front(), &bestKernelSet());
}

// [SECTION] Thread pool ------------------------------------------------------------------

TEST(ThreadPool, RunsEveryIndexOnceWithSlotsNoTwoThreadsShare) {
    ThreadPool pool(3);
    std::vector<std::atomic<int>> runs(5000);
    std::vector<std::atomic<int>> busy(pool.threadCount());
    std::atomic<bool> clash{false}, badSlot{false};
    pool.parallelFor(runs.size(), [&](size_t i, unsigned slot) {
        if (slot >= pool.threadCount()) {
            badSlot = true;
            return;
        }
        if (busy[slot].fetch_add(1) != 0) clash = true;
        runs[i].fetch_add(1);
        busy[slot].fetch_sub(1);
    });
    EXPECT_FALSE(badSlot);
    EXPECT_FALSE(clash);
    for (const auto& r : runs) ASSERT_EQ(r.load(), 1);
}

TEST(ThreadPool, RethrowsAfterRunningTheRest) {
    ThreadPool pool(2);
    std::atomic<int> ran{0};
    EXPECT_THROW(pool.parallelFor(100,
                                  [&](size_t i) {
                                      ran.fetch_add(1);
                                      if (i == 10) throw std::runtime_error("index 10");
                                  }),
                 std::runtime_error);
    EXPECT_EQ(ran.load(), 100);
}

// [SECTION] Memory --------------------------------------------------------------------------

// Resident set size from /proc (Linux); 0 elsewhere.
size_t residentBytes() {
    FILE* f = std::fopen("/proc/self/statm", "r");
    if (!f) return 0;
    unsigned long pages = 0, resident = 0;
    const int n = std::fscanf(f, "%lu %lu", &pages, &resident);
    std::fclose(f);
    return n == 2 ? size_t(resident) * 4096 : 0;
}

// AddressSanitizer keeps freed memory in quarantine and allocates for itself,
// so the resident set is no measure of the backend's memory there.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

TEST(CpuGenerateMemory, TenThousandTexturesDoNotGrowTheProcess) {
    if (residentBytes() == 0) GTEST_SKIP() << "no /proc/self/statm on this system";
    if (kAddressSanitizer) GTEST_SKIP() << "AddressSanitizer's allocator changes the resident set";
    sgtest::TestModel model(sgtest::sceneArch(16), 22);
    std::string error;
    const std::unique_ptr<PreparedModel> prepared = prepareModel(model.desc(), &error);
    ASSERT_TRUE(prepared) << error;
    ThreadPool pool(2);
    ScratchCache cache;
    const std::vector<float> styles = {1.0f, 0.0f, 0.0f};
    std::vector<float> out(16 * 16 * 4);
    auto generateOne = [&](uint64_t seed) {
        SgpBatch b{};
        b.count = 1;
        b.width = b.height = 16;
        b.pSeeds = &seed;
        b.pNoiseSeeds = &seed;
        b.pStyleWeights = styles.data();
        b.truncationPsi = 1.0f;
        b.noiseStrength = 1.0f;
        ASSERT_EQ(generateImages(pool, cache, *prepared, b, out.data(), &error), SGP_SUCCESS) << error;
    };
    for (uint64_t seed = 0; seed < 100; ++seed) generateOne(seed);
    const size_t before = residentBytes();
    for (uint64_t seed = 100; seed < 10000; ++seed) generateOne(seed);
    const size_t after = residentBytes();
    EXPECT_LT(after, before + (size_t(1) << 20)) << "resident " << before << " -> " << after << " bytes";
}

}  // namespace
