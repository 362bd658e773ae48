// kernels.cu - see kernels.hpp.
#include "kernels.hpp"

#include <cuda_fp16.h>

#include "stylegen_philox.h"

namespace sg::cuda {
namespace {

// [SECTION] Helpers ------------------------------------------------------------------

// act(x) = lrelu(x, 0.2) * sqrt(2), as plugin/cpu computes it.
__device__ __forceinline__ float act(float v) {
    const float leak = 0.2f * v;
    return (v < leak ? leak : v) * 1.41421356237309504880f;
}

// A source index one step outside [0, n): clamped to the edge or wrapped around.
__device__ __forceinline__ int edge(int i, int n, bool wrap) {
    if (wrap) return i < 0 ? i + n : (i >= n ? i - n : i);
    return i < 0 ? 0 : (i >= n ? n - 1 : i);
}

// docs/generator.md's 2x upsampling at output (Y, X) of an h x w source plane:
// along x within the two nearest source rows, then blended along y (the CPU
// backend's order, so the roundings match where nothing else differs).
__device__ float upsampleAt(const float* src, int h, int w, int Y, int X, bool wrap) {
    const int i = Y >> 1, j = X >> 1;
    const int r0 = edge((Y & 1) ? i : i - 1, h, wrap), r1 = edge((Y & 1) ? i + 1 : i, h, wrap);
    const float a0 = (Y & 1) ? 0.75f : 0.25f, a1 = (Y & 1) ? 0.25f : 0.75f;
    const int c0 = edge((X & 1) ? j : j - 1, w, wrap), c1 = edge((X & 1) ? j + 1 : j, w, wrap);
    const float b0 = (X & 1) ? 0.75f : 0.25f, b1 = (X & 1) ? 0.25f : 0.75f;
    const float* s0 = src + size_t(r0) * w;
    const float* s1 = src + size_t(r1) * w;
    const float e0 = b0 * s0[c0] + b1 * s0[c1];
    const float e1 = b0 * s1[c0] + b1 * s1[c1];
    return a0 * e0 + a1 * e1;
}

constexpr int kMapThreads = 256;

// The sum of v over the block, the same in every thread (a fixed order).
__device__ float blockSum(float v, float* red) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xFFFFFFFFu, v, o);
    __syncthreads();  // red may still be read by the last call
    if ((threadIdx.x & 31) == 0) red[threadIdx.x >> 5] = v;
    __syncthreads();
    float total = 0.0f;
    for (int i = 0; i < kMapThreads / 32; ++i) total += red[i];
    return total;
}

// out = norm(v) = v / sqrt(mean(v^2) + 1e-8); out is shared memory.
__device__ void normalizeInto(const float* v, uint32_t n, float* out, float* red) {
    float sum = 0.0f;
    for (uint32_t i = threadIdx.x; i < n; i += kMapThreads) sum += v[i] * v[i];
    const float denom = sqrtf(blockSum(sum, red) / float(n) + 1e-8f);
    for (uint32_t i = threadIdx.x; i < n; i += kMapThreads) out[i] = v[i] / denom;
    __syncthreads();
}

__device__ __forceinline__ float warpSum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xFFFFFFFFu, v, o);
    return v;
}

uint32_t blocksFor(uint64_t items, uint32_t threads) { return uint32_t((items + threads - 1) / threads); }

// [SECTION] Mapping, styles, demodulation -------------------------------------------

// One block per (image, latent: seed, mix seed, lerp seed): z from Philox,
// mapped for every style of the blend, blended, truncated toward the blend's mean.
__global__ void __launch_bounds__(kMapThreads) mappingKernel(MappingArgs a) {
    extern __shared__ float shared[];
    const uint32_t width = max(a.zDim + a.embedDim, a.wDim);
    float* z = shared;
    float* cur = z + a.zDim;
    float* next = cur + width;
    float* wSum = next + width;
    float* avgSum = wSum + a.wDim;
    float* red = avgSum + a.wDim;
    const uint32_t image = blockIdx.x, which = blockIdx.y;
    const RequestScalars sc = *a.request.scalars;
    if ((which == 1 && !sc.mixing) || (which == 2 && !sc.lerping)) return;
    const uint64_t seed = which == 2 ? a.request.lerpSeeds[image]
                          : which    ? a.request.mixSeeds[image]
                                     : a.request.seeds[image];
    for (uint32_t k = threadIdx.x; k < a.zDim; k += kMapThreads) z[k] = sgPhiloxNormal(seed, SGP_STREAM_Z, k);
    for (uint32_t o = threadIdx.x; o < a.wDim; o += kMapThreads) wSum[o] = avgSum[o] = 0.0f;
    __syncthreads();
    for (uint32_t c = 0; c < a.styleCount; ++c) {
        const float weight = a.request.styleWeights[c];
        if (weight == 0.0f) continue;
        normalizeInto(z, a.zDim, cur, red);
        normalizeInto(a.embed + size_t(c) * a.embedDim, a.embedDim, cur + a.zDim, red);
        for (uint32_t l = 0; l < a.layers; ++l) {
            const uint32_t in = l == 0 ? a.zDim + a.embedDim : a.wDim;
            const float* wt = a.weightT[l];
            for (uint32_t o = threadIdx.x; o < a.wDim; o += kMapThreads) {
                float acc = 0.0f;
                for (uint32_t i = 0; i < in; ++i) acc += wt[size_t(i) * a.wDim + o] * cur[i];
                next[o] = act(acc + a.bias[l][o]);
            }
            __syncthreads();
            float* t = cur;
            cur = next;
            next = t;
        }
        const float* avg = a.wAvg + size_t(c) * a.wDim;
        for (uint32_t o = threadIdx.x; o < a.wDim; o += kMapThreads) {
            wSum[o] += weight * cur[o];
            avgSum[o] += weight * avg[o];
        }
        __syncthreads();
    }
    float* w = a.ws + (size_t(image) * 3 + which) * a.wDim;
    for (uint32_t o = threadIdx.x; o < a.wDim; o += kMapThreads)
        w[o] = avgSum[o] + sc.truncationPsi * (wSum[o] - avgSum[o]);
}

// One warp per (image, style row).
__global__ void stylesKernel(StyleArgs a, uint32_t n) {
    const uint64_t warp = (uint64_t(blockIdx.x) * blockDim.x + threadIdx.x) >> 5;
    if (warp >= uint64_t(n) * a.rows) return;
    const uint32_t image = uint32_t(warp / a.rows), row = uint32_t(warp % a.rows);
    const RequestScalars sc = *a.request.scalars;
    const bool fromMix = sc.mixing && a.wLayer[row] >= sc.mixLayer;
    const float* w = a.ws + (size_t(image) * 3 + (fromMix ? 1 : 0)) * a.wDim;
    const float* weight = a.weight + size_t(row) * a.wDim;
    float acc = 0.0f;
    if (sc.lerping && !fromMix) {
        // (1 - t) w + t w', as plugin/cpu: t = 0 and t = 1 give exactly the two seeds' w.
        const float t = a.request.lerpAmounts[image];
        const float* target = a.ws + (size_t(image) * 3 + 2) * a.wDim;
        for (uint32_t i = threadIdx.x & 31; i < a.wDim; i += 32)
            acc += weight[i] * __fadd_rn(__fmul_rn(1.0f - t, w[i]), __fmul_rn(t, target[i]));
    } else {
        for (uint32_t i = threadIdx.x & 31; i < a.wDim; i += 32) acc += weight[i] * w[i];
    }
    acc = warpSum(acc);
    if ((threadIdx.x & 31) == 0) a.styles[size_t(image) * a.rows + row] = acc + a.bias[row];
}

// One warp per (image, output channel of a 3x3 conv).
__global__ void demodKernel(DemodArgs a, uint32_t n) {
    const uint64_t warp = (uint64_t(blockIdx.x) * blockDim.x + threadIdx.x) >> 5;
    if (warp >= uint64_t(n) * a.rows) return;
    const uint32_t image = uint32_t(warp / a.rows), row = uint32_t(warp % a.rows);
    const float* st = a.styles + size_t(image) * a.styleRows + a.styleOffset[row];
    const float* sq = a.weightSq + a.rowOffset[row];
    float acc = 0.0f;
    for (uint32_t ci = threadIdx.x & 31; ci < a.rowInputs[row]; ci += 32) acc += st[ci] * st[ci] * sq[ci];
    acc = warpSum(acc);
    if ((threadIdx.x & 31) == 0) a.demod[size_t(image) * a.rows + row] = 1.0f / sqrtf(acc + 1e-8f);
}

// [SECTION] Noise and input ------------------------------------------------------------

__global__ void noiseKernel(NoiseArgs a, uint32_t n) {
    const uint32_t perImage = a.offset[a.layers];
    const uint64_t index = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    if (index >= uint64_t(n) * perImage) return;
    const uint32_t image = uint32_t(index / perImage), q = uint32_t(index % perImage);
    uint32_t layer = 0;
    while (layer + 1 < a.layers && a.offset[layer + 1] <= q) ++layer;
    // A layer whose noise is scaled to zero gets none: the conv skips it too.
    if (a.strength[layer] * a.request.scalars->noiseStrength == 0.0f) return;
    a.noise[index] =
        sgPhiloxNormal(a.request.noiseSeeds[image], SGP_STREAM_NOISE_BASE + layer, q - a.offset[layer]);
}

__global__ void constInputKernel(const float* input, uint32_t channels, const float* styles, uint32_t styleRows,
                                 uint32_t styleOffset, float* out, uint32_t n) {
    const uint32_t index = blockIdx.x * blockDim.x + threadIdx.x;
    if (index >= n * channels * 16) return;
    const uint32_t image = index / (channels * 16), c = index / 16 % channels;
    out[index] = input[index % (channels * 16)] * styles[size_t(image) * styleRows + styleOffset + c];
}

__global__ void spatialGridKernel(RequestView request, uint32_t perImage, float* grid, uint32_t n) {
    const uint64_t index = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    if (index >= uint64_t(n) * perImage) return;
    const uint32_t image = uint32_t(index / perImage);
    grid[index] = sgPhiloxNormal(request.noiseSeeds[image], SGP_STREAM_SPATIAL, index % perImage);
}

__global__ void spatialProjectKernel(ProjectArgs a, uint32_t n) {
    const uint64_t index = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    const uint64_t perImage = uint64_t(a.outChannels) * a.pixels;
    if (index >= n * perImage) return;
    const uint32_t image = uint32_t(index / perImage), c = uint32_t(index % perImage / a.pixels);
    const uint32_t p = uint32_t(index % a.pixels);
    const float* g = a.grid + size_t(image) * a.inChannels * a.pixels + p;
    const float* weight = a.weight + size_t(c) * a.inChannels;
    float acc = 0.0f;
    for (uint32_t j = 0; j < a.inChannels; ++j) acc += weight[j] * g[size_t(j) * a.pixels];
    acc += a.bias[c];
    if (a.period) {
        const uint32_t offset = a.scalars->periodicOffset;
        const uint32_t y = (p / a.gridW + offset) % a.period, x = (p % a.gridW + offset) % a.period;
        acc += a.periodic[(size_t(c) * a.period + y) * a.period + x];
    }
    a.out[index] = acc * a.styles[size_t(image) * a.styleRows + a.styleOffset + c];
}

// [SECTION] Synthesis layers ----------------------------------------------------------

__global__ void upsampleKernel(UpsampleArgs a, uint32_t n) {
    const uint32_t H = 2 * a.h, W = 2 * a.w;
    const uint64_t index = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    const uint64_t plane = uint64_t(H) * W;
    if (index >= uint64_t(n) * a.channels * plane) return;
    const uint64_t p = index / plane;  // image * channels + c
    const uint32_t image = uint32_t(p / a.channels), c = uint32_t(p % a.channels);
    const uint32_t Y = uint32_t(index % plane / W), X = uint32_t(index % W);
    const float v = upsampleAt(a.in + p * a.h * a.w, int(a.h), int(a.w), int(Y), int(X), a.wrap != 0);
    a.out[index] = v * a.styles[size_t(image) * a.styleRows + a.styleOffset + c];
}

// The modulated 3x3 conv as an implicit GEMM: C[co][p] = sum_k W[k][co] B[k][p],
// k = ci * 9 + tap, p running over the batch's pixels (every image's, one
// after the other). A block computes BM output channels x 128 pixels; each
// thread TM channels x 4 consecutive pixels. Per step of kConvInputStep input
// channels, the block stages the weights (A, [36][BM]) and the im2col'd input
// (B, [36][128]) in shared memory: each thread loads one column of B, whose
// nine neighbour offsets (with the padding) it works out once.
template <int BM, int TM>
__global__ void __launch_bounds__((BM / TM) * 32) conv3x3Kernel(ConvArgs a, uint32_t n) {
    constexpr int kThreads = (BM / TM) * 32;
    constexpr int kColumns = 128;
    constexpr int kRows = int(kConvInputStep) * 9;
    constexpr int kGroups = kThreads / kColumns;  // threads sharing a column split its channels
    constexpr int kGroupChannels = int(kConvInputStep) / kGroups;
    static_assert(kThreads % kColumns == 0 && int(kConvInputStep) % kGroups == 0, "tile shape");
    __shared__ __align__(16) float As[kRows][BM];
    __shared__ __align__(16) float Bs[kRows][kColumns];

    const int tid = threadIdx.x;
    const uint32_t hw = a.h * a.w;
    const uint64_t total = uint64_t(n) * hw;
    const uint64_t tileStart = uint64_t(blockIdx.x) * kColumns;
    const uint32_t coTile = blockIdx.y * BM;

    const int column = tid % kColumns, group = tid / kColumns;
    const uint64_t position = tileStart + column;
    const float* planes = a.in;
    int tap[9];
    if (position < total) {
        const uint32_t image = uint32_t(position / hw), rem = uint32_t(position % hw);
        const int y = int(rem / a.w), x = int(rem % a.w), h = int(a.h), w = int(a.w);
        planes = a.in + size_t(image) * a.cin * hw;
#pragma unroll
        for (int t = 0; t < 9; ++t) {
            int yy = y + t / 3 - 1, xx = x + t % 3 - 1;
            if (a.wrap) {
                yy = edge(yy, h, true);
                xx = edge(xx, w, true);
                tap[t] = yy * w + xx;
            } else {
                tap[t] = (yy < 0 || yy >= h || xx < 0 || xx >= w) ? -1 : yy * w + xx;
            }
        }
    } else {
#pragma unroll
        for (int t = 0; t < 9; ++t) tap[t] = -1;
    }

    const int pg = tid & 31, cg = tid >> 5;  // a warp shares its channels: A reads are broadcasts
    float acc[TM][4];
#pragma unroll
    for (int m = 0; m < TM; ++m)
#pragma unroll
        for (int q = 0; q < 4; ++q) acc[m][q] = 0.0f;

    for (uint32_t c0 = 0; c0 < a.cin; c0 += kConvInputStep) {
#pragma unroll
        for (int lc = 0; lc < kGroupChannels; ++lc) {
            const int local = group * kGroupChannels + lc;
            const uint32_t ci = c0 + uint32_t(local);
            const float* plane = planes + size_t(ci) * hw;
            const bool present = ci < a.cin;
#pragma unroll
            for (int t = 0; t < 9; ++t) Bs[local * 9 + t][column] = present && tap[t] >= 0 ? plane[tap[t]] : 0.0f;
        }
        const float* rows = a.weight + size_t(c0) * 9 * a.coutPad + coTile;
#pragma unroll
        for (int j = 0; j < (kRows * BM + kThreads - 1) / kThreads; ++j) {
            const int e = tid + j * kThreads;
            if (e < kRows * BM) As[e / BM][e % BM] = rows[size_t(e / BM) * a.coutPad + e % BM];
        }
        __syncthreads();
#pragma unroll
        for (int k = 0; k < kRows; ++k) {
            float av[TM];
#pragma unroll
            for (int m = 0; m < TM; m += 4) {
                const float4 v = *reinterpret_cast<const float4*>(&As[k][cg * TM + m]);
                av[m] = v.x;
                av[m + 1] = v.y;
                av[m + 2] = v.z;
                av[m + 3] = v.w;
            }
            const float4 bv = *reinterpret_cast<const float4*>(&Bs[k][pg * 4]);
#pragma unroll
            for (int m = 0; m < TM; ++m) {
                acc[m][0] += av[m] * bv.x;
                acc[m][1] += av[m] * bv.y;
                acc[m][2] += av[m] * bv.z;
                acc[m][3] += av[m] * bv.w;
            }
        }
        __syncthreads();
    }

    const float noiseScale = a.noiseStrength * a.scalars->noiseStrength;
#pragma unroll
    for (int q = 0; q < 4; ++q) {
        const uint64_t p = tileStart + uint64_t(pg) * 4 + q;
        if (p >= total) break;
        const uint32_t image = uint32_t(p / hw), rem = uint32_t(p % hw);
        const float noise = noiseScale != 0.0f ? noiseScale * a.noise[size_t(image) * a.noiseStride + rem] : 0.0f;
#pragma unroll
        for (int m = 0; m < TM; ++m) {
            const uint32_t co = coTile + uint32_t(cg * TM + m);
            if (co >= a.cout) break;
            float v = acc[m][q] * a.demod[size_t(image) * a.demodRows + co];
            if (noiseScale != 0.0f) v += noise;
            v = act(v + a.bias[co]);
            if (a.scale) v *= a.scale[size_t(image) * a.styleRows + co];
            a.out[(size_t(image) * a.cout + co) * hw + rem] = v;
        }
    }
}

constexpr int kToRgbThreads = 256;

__global__ void __launch_bounds__(kToRgbThreads) toRgbKernel(ToRgbArgs a) {
    __shared__ float modulated[4][kMaxToRgbInputs];
    const uint32_t image = blockIdx.y;
    const float* st = a.styles + size_t(image) * a.styleRows + a.styleOffset;
    for (uint32_t e = threadIdx.x; e < a.channels * a.cin; e += kToRgbThreads)
        modulated[e / a.cin][e % a.cin] = a.weight[e] * st[e % a.cin];
    __syncthreads();
    const uint32_t hw = a.h * a.w;
    const uint32_t p = blockIdx.x * kToRgbThreads + threadIdx.x;
    if (p >= hw) return;
    const float* x = a.x + size_t(image) * a.cin * hw + p;
    float acc[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    for (uint32_t ci = 0; ci < a.cin; ++ci) {
        const float v = x[size_t(ci) * hw];
#pragma unroll
        for (int co = 0; co < 4; ++co)
            if (co < int(a.channels)) acc[co] += modulated[co][ci] * v;
    }
    const int Y = int(p / a.w), X = int(p % a.w);
#pragma unroll
    for (int co = 0; co < 4; ++co) {
        if (co >= int(a.channels)) break;
        float v = acc[co] + a.bias[co];
        if (a.prev) {
            const float* prev = a.prev + (size_t(image) * a.channels + co) * (a.h / 2) * (a.w / 2);
            v = upsampleAt(prev, int(a.h / 2), int(a.w / 2), Y, X, a.wrap != 0) + v;
        }
        a.img[(size_t(image) * a.channels + co) * hw + p] = v;
    }
}

// [SECTION] Output ------------------------------------------------------------------------

__global__ void decodeKernel(const float* img, uint32_t channels, uint32_t pixels, float* out, uint32_t n) {
    const uint64_t index = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    if (index >= uint64_t(n) * pixels) return;
    const uint64_t image = index / pixels, p = index % pixels;
    float v[4] = {0.0f, 0.0f, 0.0f, 1.0f};
#pragma unroll
    for (uint32_t c = 0; c < 4; ++c)
        if (c < channels) v[c] = fminf(fmaxf((img[(image * channels + c) * pixels + p] + 1.0f) / 2.0f, 0.0f), 1.0f);
    float4 o;
    o.x = fminf(v[0], v[3]);
    o.y = fminf(v[1], v[3]);
    o.z = fminf(v[2], v[3]);
    o.w = v[3];
    reinterpret_cast<float4*>(out)[index] = o;
}

// NaN lands on 0, as in the host conversion.
__device__ __forceinline__ float unitClamp(float v) { return v > 0.0f ? (v < 1.0f ? v : 1.0f) : 0.0f; }

// round(v * 255), with the host's separate multiply and add (no fused multiply-add).
__device__ __forceinline__ unsigned char toUnorm8(float v) {
    return (unsigned char)(__fadd_rn(__fmul_rn(v, 255.0f), 0.5f));
}

__global__ void encodeKernel(const float4* rgba, const SurfaceTarget* targets, uint32_t h, uint32_t w,
                             bool straightAlpha, uint32_t n) {
    const uint64_t index = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    const uint64_t pixels = uint64_t(h) * w;
    if (index >= n * pixels) return;
    const SurfaceTarget t = targets[index / pixels];
    const uint32_t y = uint32_t(index % pixels / w), x = uint32_t(index % w);
    const float4 in = rgba[index];
    float p[4] = {in.x, in.y, in.z, unitClamp(in.w)};
    if (straightAlpha) {
        const float inv = p[3] > 0.0f ? 1.0f / p[3] : 0.0f;
        for (int c = 0; c < 3; ++c) p[c] = __fmul_rn(p[c], inv);
    }
    for (int c = 0; c < 3; ++c) p[c] = unitClamp(p[c]);
    const int row = int(t.y + y);
    switch (t.encoding) {
        case SGP_PIXEL_RGBA8_UNORM: {
            const uchar4 v = make_uchar4(toUnorm8(p[0]), toUnorm8(p[1]), toUnorm8(p[2]), toUnorm8(p[3]));
            const int column = int(t.x + x) * int(sizeof(uchar4));
            if (t.layered) surf2DLayeredwrite(v, t.surface, column, row, int(t.layer));
            else surf2Dwrite(v, t.surface, column, row);
            break;
        }
        case SGP_PIXEL_RGBA16_SFLOAT: {
            unsigned short h[4];
            for (int c = 0; c < 4; ++c) h[c] = __half_as_ushort(__float2half_rn(p[c]));
            const ushort4 v = make_ushort4(h[0], h[1], h[2], h[3]);
            const int column = int(t.x + x) * int(sizeof(ushort4));
            if (t.layered) surf2DLayeredwrite(v, t.surface, column, row, int(t.layer));
            else surf2Dwrite(v, t.surface, column, row);
            break;
        }
        default: {
            const float4 v = make_float4(p[0], p[1], p[2], p[3]);
            const int column = int(t.x + x) * int(sizeof(float4));
            if (t.layered) surf2DLayeredwrite(v, t.surface, column, row, int(t.layer));
            else surf2Dwrite(v, t.surface, column, row);
            break;
        }
    }
}

__global__ void probeKernel() {}

}  // namespace

// [SECTION] Launchers -------------------------------------------------------------------

size_t mappingSharedBytes(uint32_t zDim, uint32_t embedDim, uint32_t wDim) {
    const uint32_t width = zDim + embedDim > wDim ? zDim + embedDim : wDim;
    return (size_t(zDim) + 2 * width + 2 * size_t(wDim) + kMapThreads / 32) * sizeof(float);
}

cudaError_t prepareMappingKernel(size_t sharedBytes) {
    return cudaFuncSetAttribute(mappingKernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(sharedBytes));
}

void launchMapping(const MappingArgs& args, uint32_t n, size_t sharedBytes, cudaStream_t stream) {
    mappingKernel<<<dim3(n, 3), kMapThreads, sharedBytes, stream>>>(args);
}

void launchStyles(const StyleArgs& args, uint32_t n, cudaStream_t stream) {
    stylesKernel<<<blocksFor(uint64_t(n) * args.rows * 32, 256), 256, 0, stream>>>(args, n);
}

void launchDemod(const DemodArgs& args, uint32_t n, cudaStream_t stream) {
    demodKernel<<<blocksFor(uint64_t(n) * args.rows * 32, 256), 256, 0, stream>>>(args, n);
}

void launchNoise(const NoiseArgs& args, uint32_t n, cudaStream_t stream) {
    noiseKernel<<<blocksFor(uint64_t(n) * args.offset[args.layers], 256), 256, 0, stream>>>(args, n);
}

void launchConstInput(const float* input, uint32_t channels, const float* styles, uint32_t styleRows,
                      uint32_t styleOffset, float* out, uint32_t n, cudaStream_t stream) {
    constInputKernel<<<blocksFor(uint64_t(n) * channels * 16, 256), 256, 0, stream>>>(input, channels, styles,
                                                                                      styleRows, styleOffset, out, n);
}

void launchSpatialGrid(RequestView request, uint32_t channels, uint32_t h, uint32_t w, float* grid, uint32_t n,
                       cudaStream_t stream) {
    const uint32_t perImage = channels * h * w;
    spatialGridKernel<<<blocksFor(uint64_t(n) * perImage, 256), 256, 0, stream>>>(request, perImage, grid, n);
}

void launchSpatialProject(const ProjectArgs& args, uint32_t n, cudaStream_t stream) {
    spatialProjectKernel<<<blocksFor(uint64_t(n) * args.outChannels * args.pixels, 256), 256, 0, stream>>>(args, n);
}

void launchUpsample(const UpsampleArgs& args, uint32_t n, cudaStream_t stream) {
    const uint64_t items = uint64_t(n) * args.channels * 4 * args.h * args.w;
    upsampleKernel<<<blocksFor(items, 256), 256, 0, stream>>>(args, n);
}

void launchConv3x3(const ConvArgs& args, uint32_t n, cudaStream_t stream) {
    const uint32_t tile = convChannelTile(args.cout);
    const dim3 grid(blocksFor(uint64_t(n) * args.h * args.w, 128), args.coutPad / tile);
    if (tile == 64)
        conv3x3Kernel<64, 8><<<grid, 256, 0, stream>>>(args, n);
    else if (tile == 32)
        conv3x3Kernel<32, 8><<<grid, 128, 0, stream>>>(args, n);
    else
        conv3x3Kernel<16, 4><<<grid, 128, 0, stream>>>(args, n);
}

void launchToRgb(const ToRgbArgs& args, uint32_t n, cudaStream_t stream) {
    toRgbKernel<<<dim3(blocksFor(uint64_t(args.h) * args.w, kToRgbThreads), n), kToRgbThreads, 0, stream>>>(args);
}

void launchDecode(const float* img, uint32_t channels, uint32_t pixels, float* out, uint32_t n, cudaStream_t stream) {
    decodeKernel<<<blocksFor(uint64_t(n) * pixels, 256), 256, 0, stream>>>(img, channels, pixels, out, n);
}

void launchEncodeToSurfaces(const float* rgba, const SurfaceTarget* targets, uint32_t h, uint32_t w,
                            bool straightAlpha, uint32_t n, cudaStream_t stream) {
    encodeKernel<<<blocksFor(uint64_t(n) * h * w, 256), 256, 0, stream>>>(reinterpret_cast<const float4*>(rgba),
                                                                         targets, h, w, straightAlpha, n);
}

cudaError_t probeKernelImage() {
    probeKernel<<<1, 1>>>();
    const cudaError_t launched = cudaGetLastError();
    return launched != cudaSuccess ? launched : cudaDeviceSynchronize();
}

}  // namespace sg::cuda
