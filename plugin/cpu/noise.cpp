// noise.cpp - see noise.hpp.
#include "noise.hpp"

#include <cmath>

#include "stylegen_philox.h"

#if defined(__GNUC__) && defined(__x86_64__)
#define SG_CPU_NOISE_AVX2 1
#include <immintrin.h>
#else
#define SG_CPU_NOISE_AVX2 0
#endif

namespace sg::cpu {
namespace {

void normalRowScalar(uint64_t seed, uint32_t stream, uint64_t firstIndex, size_t count, float* out) {
    for (size_t i = 0; i < count; ++i) out[i] = sgPhiloxNormal(seed, stream, firstIndex + i);
}

#if SG_CPU_NOISE_AVX2

#define SG_AVX2 __attribute__((target("avx2,fma")))

#if defined(SG_CPU_HAVE_LIBMVEC)
// glibc's AVX2 variants of log and cos (the vector function ABI names). Declared
// with the AVX2 target: clang refuses __m256d arguments without it.
extern "C" SG_AVX2 __m256d _ZGVdN4v_log(__m256d);
extern "C" SG_AVX2 __m256d _ZGVdN4v_cos(__m256d);
#endif

// lo and hi 32 bits of a * c, lane by lane.
SG_AVX2 inline void mulHiLo(__m256i a, __m256i c, __m256i& lo, __m256i& hi) {
    const __m256i even = _mm256_mul_epu32(a, c);
    const __m256i odd = _mm256_mul_epu32(a, _mm256_srli_epi64(c, 32));
    lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
    hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
}

// Unsigned 32-bit lanes to double, exactly.
SG_AVX2 inline __m256d toDouble(__m128i v) {
    const __m128i flipped = _mm_xor_si128(v, _mm_set1_epi32(int32_t(0x80000000u)));
    return _mm256_add_pd(_mm256_cvtepi32_pd(flipped), _mm256_set1_pd(2147483648.0));
}

// Box-Muller of four (v0, v1) pairs, as sgPhiloxNormal computes it.
SG_AVX2 inline __m128 boxMuller(__m128i v0, __m128i v1) {
    const __m256d kInv32 = _mm256_set1_pd(1.0 / 4294967296.0);
    const __m256d u1 = _mm256_mul_pd(_mm256_add_pd(toDouble(v0), _mm256_set1_pd(1.0)), kInv32);
    const __m256d u2 = _mm256_mul_pd(toDouble(v1), kInv32);
    const __m256d angle = _mm256_mul_pd(_mm256_set1_pd(6.283185307179586476925), u2);
#if defined(SG_CPU_HAVE_LIBMVEC)
    const __m256d logU1 = _ZGVdN4v_log(u1);
    const __m256d cosA = _ZGVdN4v_cos(angle);
#else
    alignas(32) double a[4], b[4];
    _mm256_store_pd(a, u1);
    _mm256_store_pd(b, angle);
    for (int i = 0; i < 4; ++i) {
        a[i] = std::log(a[i]);
        b[i] = std::cos(b[i]);
    }
    const __m256d logU1 = _mm256_load_pd(a);
    const __m256d cosA = _mm256_load_pd(b);
#endif
    const __m256d r = _mm256_sqrt_pd(_mm256_mul_pd(_mm256_set1_pd(-2.0), logU1));
    return _mm256_cvtpd_ps(_mm256_mul_pd(r, cosA));
}

SG_AVX2 void normalRowAvx2(uint64_t seed, uint32_t stream, uint64_t firstIndex, size_t count, float* out) {
    const __m256i kMul0 = _mm256_set1_epi32(int32_t(0xD2511F53u));
    const __m256i kMul1 = _mm256_set1_epi32(int32_t(0xCD9E8D57u));
    const __m256i kSign = _mm256_set1_epi32(int32_t(0x80000000u));
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        // Counter (index lo, index hi, stream, 0) for eight consecutive indices;
        // a lane whose low word wrapped carries into the high word.
        const uint64_t index = firstIndex + i;
        const __m256i base = _mm256_set1_epi32(int32_t(uint32_t(index)));
        __m256i c0 = _mm256_add_epi32(base, lanes);
        const __m256i wrapped = _mm256_cmpgt_epi32(_mm256_xor_si256(base, kSign), _mm256_xor_si256(c0, kSign));
        __m256i c1 = _mm256_sub_epi32(_mm256_set1_epi32(int32_t(uint32_t(index >> 32))), wrapped);
        __m256i c2 = _mm256_set1_epi32(int32_t(stream));
        __m256i c3 = _mm256_setzero_si256();
        uint32_t k0 = uint32_t(seed), k1 = uint32_t(seed >> 32);
        for (int round = 0; round < 10; ++round) {
            __m256i lo0, hi0, lo1, hi1;
            mulHiLo(kMul0, c0, lo0, hi0);
            mulHiLo(kMul1, c2, lo1, hi1);
            const __m256i n0 = _mm256_xor_si256(_mm256_xor_si256(hi1, c1), _mm256_set1_epi32(int32_t(k0)));
            const __m256i n2 = _mm256_xor_si256(_mm256_xor_si256(hi0, c3), _mm256_set1_epi32(int32_t(k1)));
            c0 = n0;
            c1 = lo1;
            c2 = n2;
            c3 = lo0;
            k0 += 0x9E3779B9u;
            k1 += 0xBB67AE85u;
        }
        _mm_storeu_ps(out + i, boxMuller(_mm256_castsi256_si128(c0), _mm256_castsi256_si128(c1)));
        _mm_storeu_ps(out + i + 4, boxMuller(_mm256_extracti128_si256(c0, 1), _mm256_extracti128_si256(c1, 1)));
    }
    normalRowScalar(seed, stream, firstIndex + i, count - i, out + i);
}

#endif  // SG_CPU_NOISE_AVX2

}  // namespace

NormalRowFn philoxNormalRowFn(bool avx2) {
#if SG_CPU_NOISE_AVX2
    if (avx2) return normalRowAvx2;
#else
    (void)avx2;
#endif
    return normalRowScalar;
}

}  // namespace sg::cpu
