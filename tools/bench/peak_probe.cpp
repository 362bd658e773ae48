// peak_probe.cpp - see peak_probe.hpp.
#include "peak_probe.hpp"

#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define SGBENCH_X86 1
#else
#define SGBENCH_X86 0
#endif

namespace sgbench {
namespace {

// One probe: runs `iterations` rounds and returns a value that depends on
// every chain (so none is optimised away). kFlops: FLOPs per round.
struct Probe {
    const char* isa;
    double flopsPerRound;
    float (*run)(uint64_t iterations);
};

#if SGBENCH_X86
// acc = acc * m + c on 12 chains: 12 vfmadd231ps per round, registers only.
__attribute__((target("avx2,fma"), noinline)) float probeAvx2(uint64_t iterations) {
    const __m256 m = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-6f);
    __m256 a0 = _mm256_set1_ps(0.0f), a1 = _mm256_set1_ps(0.1f), a2 = _mm256_set1_ps(0.2f),
           a3 = _mm256_set1_ps(0.3f), a4 = _mm256_set1_ps(0.4f), a5 = _mm256_set1_ps(0.5f),
           a6 = _mm256_set1_ps(0.6f), a7 = _mm256_set1_ps(0.7f), a8 = _mm256_set1_ps(0.8f),
           a9 = _mm256_set1_ps(0.9f), a10 = _mm256_set1_ps(1.0f), a11 = _mm256_set1_ps(1.1f);
    for (uint64_t i = 0; i < iterations; ++i) {
        a0 = _mm256_fmadd_ps(a0, m, c);
        a1 = _mm256_fmadd_ps(a1, m, c);
        a2 = _mm256_fmadd_ps(a2, m, c);
        a3 = _mm256_fmadd_ps(a3, m, c);
        a4 = _mm256_fmadd_ps(a4, m, c);
        a5 = _mm256_fmadd_ps(a5, m, c);
        a6 = _mm256_fmadd_ps(a6, m, c);
        a7 = _mm256_fmadd_ps(a7, m, c);
        a8 = _mm256_fmadd_ps(a8, m, c);
        a9 = _mm256_fmadd_ps(a9, m, c);
        a10 = _mm256_fmadd_ps(a10, m, c);
        a11 = _mm256_fmadd_ps(a11, m, c);
    }
    const __m256 s = _mm256_add_ps(
        _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
                      _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7))),
        _mm256_add_ps(_mm256_add_ps(a8, a9), _mm256_add_ps(a10, a11)));
    return _mm256_cvtss_f32(s);
}

// The same with 24 chains of 16 floats (AVX-512 has 32 registers).
__attribute__((target("avx512f"), noinline)) float probeAvx512(uint64_t iterations) {
    const __m512 m = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-6f);
    __m512 a[24];
    for (int k = 0; k < 24; ++k) a[k] = _mm512_set1_ps(0.05f * float(k));
    for (uint64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 24
        for (int k = 0; k < 24; ++k) a[k] = _mm512_fmadd_ps(a[k], m, c);
    }
    __m512 s = a[0];
    for (int k = 1; k < 24; ++k) s = _mm512_add_ps(s, a[k]);
    alignas(64) float lanes[16];
    _mm512_store_ps(lanes, s);
    return lanes[0] + lanes[15];
}
#endif

// Without FMA: a multiply and an add per chain, 8 chains of 4 floats (SSE2 or NEON).
#if defined(__GNUC__)
typedef float Float4 __attribute__((vector_size(16)));
__attribute__((noinline)) float probeBaseline(uint64_t iterations) {
    const Float4 m = {0.999999f, 0.999999f, 0.999999f, 0.999999f}, c = {1e-6f, 1e-6f, 1e-6f, 1e-6f};
    Float4 a[8];
    for (int k = 0; k < 8; ++k) a[k] = Float4{} + 0.1f * float(k);
    for (uint64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 8
        for (int k = 0; k < 8; ++k) a[k] = a[k] * m + c;
    }
    Float4 s = {};
    for (int k = 0; k < 8; ++k) s += a[k];
    return s[0] + s[1] + s[2] + s[3];
}
constexpr double kBaselineFlops = 8 * 4 * 2;
#else
__attribute__((noinline)) float probeBaseline(uint64_t iterations) {
    float a[8];
    for (int k = 0; k < 8; ++k) a[k] = 0.1f * float(k);
    for (uint64_t i = 0; i < iterations; ++i)
        for (int k = 0; k < 8; ++k) a[k] = a[k] * 0.999999f + 1e-6f;
    return a[0] + a[7];
}
constexpr double kBaselineFlops = 8 * 2;
#endif

Probe selectProbe() {
#if SGBENCH_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return {"avx512f", 24 * 16 * 2, probeAvx512};
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return {"avx2+fma", 12 * 8 * 2, probeAvx2};
#endif
    return {"sse2", kBaselineFlops, probeBaseline};
}

const Probe& probe() {
    static const Probe p = selectProbe();
    return p;
}

double secondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

const char* fmaPeakIsa() { return probe().isa; }

double measureFmaPeak(unsigned threads, double seconds) {
    const Probe& p = probe();
    // Rounds for about `seconds` on one thread, from a short calibration run.
    uint64_t rounds = 1 << 16;
    for (;;) {
        const auto start = std::chrono::steady_clock::now();
        volatile float sink = p.run(rounds);
        (void)sink;
        const double took = secondsSince(start);
        if (took > 0.02) {
            rounds = uint64_t(double(rounds) * seconds / took) + 1;
            break;
        }
        rounds *= 4;
    }
    std::vector<std::thread> pool;
    const auto start = std::chrono::steady_clock::now();
    for (unsigned t = 0; t < threads; ++t)
        pool.emplace_back([&] {
            volatile float sink = p.run(rounds);
            (void)sink;
        });
    for (std::thread& t : pool) t.join();
    return double(threads) * double(rounds) * p.flopsPerRound / secondsSince(start) / 1e9;
}

}  // namespace sgbench
