/* stylegen_philox.h - counter-based random numbers shared by every backend.
 *
 * Latents and noise are drawn from Philox 4x32-10 (Salmon et al. 2011, "Parallel
 * random numbers: as easy as 1, 2, 3") keyed by the image's seed and addressed by
 * (stream, index). Any backend computes any element on its own, in any order, on
 * any thread, and gets the same number: that is what makes CPU output identical
 * across thread counts and lets CUDA match CPU.
 *
 *   float z0 = sgPhiloxNormal(seed, SGP_STREAM_Z, 0);
 *
 * Streams (see docs/generator.md):
 *   SGP_STREAM_Z                  latent z, index = element of z
 *   SGP_STREAM_SPATIAL            scene models' spatial input, index = (c*H + y)*W + x
 *   SGP_STREAM_NOISE_BASE + l     per-layer noise of modulated conv l, index = y*W + x
 *
 * The normal is Box-Muller on the first two 32-bit words, computed in double and
 * rounded to float once, so libm differences rarely reach the float result.
 * Header-only, C99 and C++; under CUDA every function is __host__ __device__.
 */
#ifndef STYLEGEN_PHILOX_H_
#define STYLEGEN_PHILOX_H_

#include <stdint.h>
#include <math.h>

#if defined(__CUDACC__)
#define SGP_HOST_DEVICE __host__ __device__
#else
#define SGP_HOST_DEVICE
#endif

#ifdef __cplusplus
extern "C" {
#endif

enum {
    SGP_STREAM_Z = 0,
    SGP_STREAM_SPATIAL = 1,
    SGP_STREAM_NOISE_BASE = 16
};

typedef struct SgpPhiloxBlock { uint32_t v[4]; } SgpPhiloxBlock;

static inline SGP_HOST_DEVICE uint32_t sgpMulHiLo(uint32_t a, uint32_t b, uint32_t* hi) {
    uint64_t p = (uint64_t)a * (uint64_t)b;
    *hi = (uint32_t)(p >> 32);
    return (uint32_t)p;
}

/* Philox 4x32 with 10 rounds; constants from Random123. */
static inline SGP_HOST_DEVICE SgpPhiloxBlock sgpPhilox4x32(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
                                                           uint32_t k0, uint32_t k1) {
    int round;
    for (round = 0; round < 10; ++round) {
        uint32_t hi0, hi1;
        uint32_t lo0 = sgpMulHiLo(0xD2511F53u, c0, &hi0);
        uint32_t lo1 = sgpMulHiLo(0xCD9E8D57u, c2, &hi1);
        uint32_t n0 = hi1 ^ c1 ^ k0;
        uint32_t n1 = lo1;
        uint32_t n2 = hi0 ^ c3 ^ k1;
        uint32_t n3 = lo0;
        c0 = n0; c1 = n1; c2 = n2; c3 = n3;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    {
        SgpPhiloxBlock out;
        out.v[0] = c0; out.v[1] = c1; out.v[2] = c2; out.v[3] = c3;
        return out;
    }
}

/* Raw 4x32 block for (seed, stream, index). */
static inline SGP_HOST_DEVICE SgpPhiloxBlock sgpPhiloxBlock(uint64_t seed, uint32_t stream, uint64_t index) {
    return sgpPhilox4x32((uint32_t)index, (uint32_t)(index >> 32), stream, 0u,
                         (uint32_t)seed, (uint32_t)(seed >> 32));
}

/* Standard normal N(0,1) for (seed, stream, index). */
static inline SGP_HOST_DEVICE float sgPhiloxNormal(uint64_t seed, uint32_t stream, uint64_t index) {
    SgpPhiloxBlock b = sgpPhiloxBlock(seed, stream, index);
    /* u1 in (0,1]: never 0, so log() is finite. */
    double u1 = ((double)b.v[0] + 1.0) * (1.0 / 4294967296.0);
    double u2 = (double)b.v[1] * (1.0 / 4294967296.0);
    double r = sqrt(-2.0 * log(u1));
    return (float)(r * cos(6.283185307179586476925 * u2));
}

#ifdef __cplusplus
}
#endif

#endif /* STYLEGEN_PHILOX_H_ */
