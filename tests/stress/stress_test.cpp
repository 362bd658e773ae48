// stress_test.cpp - the thread-safety promises of stylegen.h under load: eight
// threads generate from one shared model with different parameters for many
// rounds while another thread loads, uses and destroys other models on the
// same context; every result must equal the serial result for the same
// parameters, and every failure message must be the failing thread's own.
// Contexts created and destroyed on many threads at once stay independent.
//
// STYLEGEN_STRESS_ROUNDS sets the rounds per generating thread (default 2000;
// scripts/sanitizers.sh uses fewer under ThreadSanitizer). The test prints
// the totals it ran, which docs/reliability.md records.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "stylegen/stylegen.h"
#include "tiny_model.hpp"

namespace {

constexpr int kGeneratingThreads = 8;

int rounds() {
    const char* text = std::getenv("STYLEGEN_STRESS_ROUNDS");
    const int n = text ? std::atoi(text) : 0;
    return n > 0 ? n : 2000;
}

SgContext createContext(uint32_t threadCount) {
    SgContextCreateInfo info{};
    info.sType = SG_STRUCTURE_TYPE_CONTEXT_CREATE_INFO;
    info.apiVersion = SG_API_VERSION;
    info.threadCount = threadCount;
    info.backendPreference = SG_BACKEND_PREFERENCE_CPU;
    SgContext context = nullptr;
    EXPECT_EQ(sgCreateContext(&info, nullptr, &context), SG_SUCCESS) << sgGetLastErrorMessage(nullptr);
    return context;
}

// One request, with everything its pointers point at.
struct Request {
    SgGenerateInfo info{};
    SgLatentInterpolationInfo lerp{};
    std::vector<uint64_t> seeds, noiseSeeds;
    std::vector<float> weights;
    size_t rowPitch = 0;
    size_t bytes = 0;
    bool interpolate = false;

    // Fixes up the pointers after the struct was copied or moved into place.
    void bind() {
        info.pSeeds = seeds.empty() ? nullptr : seeds.data();
        info.pNoiseSeeds = noiseSeeds.empty() ? nullptr : noiseSeeds.data();
        info.pStyleWeights = weights.empty() ? nullptr : weights.data();
        info.pNext = interpolate ? &lerp : nullptr;
    }
};

// Request k of a family that varies every parameter: count, seeds (first or
// listed), style or blend, truncation, noise, mixing, interpolation, size,
// format, alpha mode, row pitch.
Request makeRequest(int k, uint32_t styleCount, uint32_t wLayers, uint32_t block) {
    Request r;
    SgGenerateInfo& gi = r.info;
    gi.sType = SG_STRUCTURE_TYPE_GENERATE_INFO;
    gi.count = 1 + k % 3;
    gi.firstSeed = 1000 + 17 * uint64_t(k);
    if (k % 4 == 1)
        for (uint32_t i = 0; i < gi.count; ++i) r.seeds.push_back(uint64_t(k) * 7919 + i * 31);
    if (k % 3 == 2) {
        r.weights.assign(styleCount, 0.0f);
        r.weights[k % styleCount] = 0.75f;
        r.weights[(k + 1) % styleCount] = 0.25f;
        gi.styleWeightCount = styleCount;
    } else {
        gi.styleIndex = uint32_t(k) % styleCount;
    }
    gi.truncationPsi = 0.5f + 0.1f * float(k % 6);
    gi.noiseStrength = float(k % 3) * 0.5f;
    if (k % 5 == 3) {
        gi.flags |= SG_GENERATE_STYLE_MIXING_BIT;
        gi.firstMixSeed = 5 + uint64_t(k);
        gi.mixLayer = uint32_t(k) % (wLayers + 1);
    }
    if (k % 7 == 4) {
        gi.flags |= SG_GENERATE_EXPLICIT_NOISE_SEEDS_BIT;
        for (uint32_t i = 0; i < gi.count; ++i) r.noiseSeeds.push_back(99 + uint64_t(k) + i);
    }
    r.interpolate = k % 6 == 5;
    if (r.interpolate) {
        r.lerp.sType = SG_STRUCTURE_TYPE_LATENT_INTERPOLATION_INFO;
        r.lerp.firstTargetSeed = 4242 + uint64_t(k);
        r.lerp.amount = 0.25f * float(k % 5);
    }
    gi.width = block * (1 + uint32_t(k) % 4);
    gi.height = block * (1 + uint32_t(k / 4) % 3);
    gi.format = k % 2 ? SG_FORMAT_R32G32B32A32_SFLOAT : SG_FORMAT_R8G8B8A8_UNORM;
    gi.alphaMode = k % 8 < 4 ? SG_ALPHA_MODE_STRAIGHT : SG_ALPHA_MODE_PREMULTIPLIED;
    const size_t pixelBytes = gi.format == SG_FORMAT_R8G8B8A8_UNORM ? 4 : 16;
    r.rowPitch = gi.width * pixelBytes + (k % 3 == 1 ? 16 : 0);
    r.bytes = size_t(gi.count) * gi.height * r.rowPitch;
    r.bind();
    return r;
}

// Request k at the model's own 16x16 size in RGBA8, for the tiny models of either kind.
Request resolutionRequest(int k, uint32_t styleCount, uint32_t wLayers) {
    Request r = makeRequest(k, styleCount, wLayers, 4);
    r.info.width = r.info.height = 0;
    r.info.format = SG_FORMAT_R8G8B8A8_UNORM;
    r.rowPitch = 16 * 4;
    r.bytes = size_t(r.info.count) * 16 * r.rowPitch;
    r.interpolate = false;
    r.bind();
    return r;
}

std::vector<uint8_t> generate(SgContext context, SgModel model, const Request& r, SgResult* result) {
    // Padding bytes are never written: a fixed fill makes them comparable.
    std::vector<uint8_t> out(r.bytes, 0xA5);
    SgImageBuffer buffer{};
    buffer.sType = SG_STRUCTURE_TYPE_IMAGE_BUFFER;
    buffer.pData = out.data();
    buffer.size = out.size();
    buffer.rowPitch = r.rowPitch;
    *result = sgGenerate(context, model, &r.info, &buffer);
    return out;
}

SgModelInfo infoOf(SgModel model) {
    SgModelInfo info{};
    info.sType = SG_STRUCTURE_TYPE_MODEL_INFO;
    EXPECT_EQ(sgGetModelInfo(model, &info), SG_SUCCESS);
    return info;
}

TEST(Stress, EightThreadsShareAModelWhileAnotherLoadsAndDestroysModels) {
    SgContext context = createContext(2);
    ASSERT_NE(context, nullptr);
    const std::vector<uint8_t> sharedBytes = sgtest::makeTinyModel(sgtest::TinyKind::Scene, 4, 21);
    SgModel shared = nullptr;
    ASSERT_EQ(sgLoadModelFromMemory(context, sharedBytes.data(), sharedBytes.size(), &shared), SG_SUCCESS);
    const SgModelInfo mi = infoOf(shared);

    // The serial results, computed first on this thread.
    constexpr int kRequests = 48;
    std::vector<Request> requests;
    requests.reserve(kRequests);
    std::vector<std::vector<uint8_t>> expected;
    for (int k = 0; k < kRequests; ++k) {
        requests.push_back(makeRequest(k, mi.styleCount, mi.wLayerCount, mi.blockSize));
        requests.back().bind();
        SgResult result = SG_SUCCESS;
        expected.push_back(generate(context, shared, requests.back(), &result));
        ASSERT_EQ(result, SG_SUCCESS) << "request " << k << ": " << sgGetLastErrorMessage(context);
    }

    // The other models the loader thread cycles through, and what each makes.
    struct Other {
        std::vector<uint8_t> bytes;
        std::vector<uint8_t> image;
    };
    std::vector<Other> others;
    for (uint64_t seed = 1; seed <= 3; ++seed) {
        Other o;
        o.bytes = sgtest::makeTinyModel(seed % 2 ? sgtest::TinyKind::Character : sgtest::TinyKind::Scene, 2, 100 + seed);
        SgModel m = nullptr;
        EXPECT_EQ(sgLoadModelFromMemory(context, o.bytes.data(), o.bytes.size(), &m), SG_SUCCESS);
        const Request probe = resolutionRequest(int(seed), 2, infoOf(m).wLayerCount);
        SgResult result = SG_SUCCESS;
        o.image = generate(context, m, probe, &result);
        EXPECT_EQ(result, SG_SUCCESS) << sgGetLastErrorMessage(context);
        sgDestroyModel(context, m);
        others.push_back(std::move(o));
    }

    const int roundCount = rounds();
    std::atomic<bool> generatorsDone{false};
    std::atomic<int> mismatches{0}, failures{0}, wrongMessages{0}, loads{0}, generated{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kGeneratingThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int round = 0; round < roundCount; ++round) {
                // Each thread walks the requests in its own order and stride.
                const int k = (t * 7 + round * (2 * t + 1)) % kRequests;
                SgResult result = SG_SUCCESS;
                const std::vector<uint8_t> got = generate(context, shared, requests[k], &result);
                if (result != SG_SUCCESS)
                    ++failures;
                else if (got != expected[k])
                    ++mismatches;
                ++generated;
                // A failing call on this thread: the message read back is this thread's own.
                if (round % 10 == t) {
                    SgGenerateInfo bad = requests[k].info;
                    bad.styleWeightCount = 0;
                    bad.styleIndex = 1000 + uint32_t(t);
                    std::vector<uint8_t> sink(requests[k].bytes);
                    SgImageBuffer buffer{};
                    buffer.sType = SG_STRUCTURE_TYPE_IMAGE_BUFFER;
                    buffer.pData = sink.data();
                    buffer.size = sink.size();
                    buffer.rowPitch = requests[k].rowPitch;
                    const std::string mine = "styleIndex " + std::to_string(1000 + t) + " is out of range";
                    if (sgGenerate(context, shared, &bad, &buffer) != SG_ERROR_INVALID_ARGUMENT ||
                        std::string(sgGetLastErrorMessage(context)).find(mine) == std::string::npos)
                        ++wrongMessages;
                }
            }
        });
    }
    // Loads, generates from and destroys the other models until the generators finish.
    std::thread loader([&] {
        for (size_t i = 0; !generatorsDone; ++i) {
            const Other& o = others[i % others.size()];
            SgModel m = nullptr;
            if (sgLoadModelFromMemory(context, o.bytes.data(), o.bytes.size(), &m) != SG_SUCCESS) {
                ++failures;
                continue;
            }
            SgContextInfo ci{};
            ci.sType = SG_STRUCTURE_TYPE_CONTEXT_INFO;
            if (sgGetContextInfo(context, &ci) != SG_SUCCESS) ++failures;
            const Request probe = resolutionRequest(int(i % others.size()) + 1, 2, infoOf(m).wLayerCount);
            SgResult result = SG_SUCCESS;
            if (generate(context, m, probe, &result) != o.image || result != SG_SUCCESS) ++mismatches;
            sgDestroyModel(context, m);
            ++loads;
        }
    });
    for (std::thread& t : threads) t.join();
    generatorsDone = true;
    loader.join();

    EXPECT_EQ(generated.load(), kGeneratingThreads * roundCount);
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(mismatches.load(), 0) << "a result differed from the serial result for the same parameters";
    EXPECT_EQ(wrongMessages.load(), 0) << "a thread read another thread's error message";
    EXPECT_GT(loads.load(), 0) << "the loader never ran alongside the generators";
    std::printf("stress: %d threads x %d rounds = %d shared-model generations, %d model loads alongside\n",
                kGeneratingThreads, roundCount, generated.load(), loads.load());
    sgDestroyModel(context, shared);
    sgDestroyContext(context, nullptr);
}

TEST(Stress, ContextsCreatedAndDestroyedOnManyThreadsAreIndependent) {
    const std::vector<uint8_t> bytes = sgtest::makeTinyModel(sgtest::TinyKind::Character, 3, 5);
    SgContext reference = createContext(1);
    SgModel model = nullptr;
    ASSERT_EQ(sgLoadModelFromMemory(reference, bytes.data(), bytes.size(), &model), SG_SUCCESS);
    const Request character = resolutionRequest(5, 3, infoOf(model).wLayerCount);
    SgResult result = SG_SUCCESS;
    const std::vector<uint8_t> expected = generate(reference, model, character, &result);
    ASSERT_EQ(result, SG_SUCCESS);
    sgDestroyModel(reference, model);
    sgDestroyContext(reference, nullptr);

    const int cycles = std::max(4, rounds() / 10);
    std::atomic<int> problems{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kGeneratingThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int c = 0; c < cycles; ++c) {
                SgContext context = createContext(1 + uint32_t(t + c) % 3);
                SgModel m = nullptr;
                SgResult r = SG_SUCCESS;
                if (!context || sgLoadModelFromMemory(context, bytes.data(), bytes.size(), &m) != SG_SUCCESS ||
                    generate(context, m, character, &r) != expected || r != SG_SUCCESS)
                    ++problems;
                // Left for sgDestroyContext on odd cycles: it destroys what is left.
                if (c % 2 == 0) sgDestroyModel(context, m);
                sgDestroyContext(context, nullptr);
            }
        });
    }
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(problems.load(), 0);
}

}  // namespace
