// kernels.cpp - see kernels.hpp.
#include "kernels.hpp"

#include <algorithm>

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define SG_CPU_X86_DISPATCH 1
#else
#define SG_CPU_X86_DISPATCH 0
#endif

#if defined(__GNUC__)
#define SG_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define SG_ALWAYS_INLINE inline
#endif

namespace sg::cpu {

// Widest strip the conv kernel computes at once (AVX-512: 2 x 16 floats); the
// plane slack covers it.
constexpr size_t kMaxStrip = 32;

// [SECTION] Dense layers -------------------------------------------------------

void denseForward(const DenseLayer& layer, const float* x, float* y) {
    std::fill(y, y + layer.out, 0.0f);
    for (uint32_t i = 0; i < layer.in; ++i) {
        const float xi = x[i];
        const float* row = layer.weightT.data() + size_t(i) * layer.out;
        for (uint32_t o = 0; o < layer.out; ++o) y[o] += row[o] * xi;
    }
    for (uint32_t o = 0; o < layer.out; ++o) y[o] += layer.bias[o];
}

// [SECTION] Padded planes ------------------------------------------------------

PlaneGeometry planeGeometry(uint32_t h, uint32_t w) {
    PlaneGeometry g;
    g.h = h;
    g.w = w;
    g.pitch = size_t(w) + 2;
    // The last strip of a plane reads up to kMaxStrip + 1 floats past its end
    // and writes up to kMaxStrip past its last interior row; with an odd
    // height, the last row of Winograd tiles reads one row past the halo.
    const size_t needed = (size_t(h) + 2 + h % 2) * g.pitch + kMaxStrip + 2;
    g.stride = (needed + 15) / 16 * 16;  // planes start 64-byte apart from each other
    return g;
}

size_t noiseMapFloats(const PlaneGeometry& g) { return size_t(g.h) * g.pitch + kMaxStrip; }

void copyScaledToPlane(const float* src, float scale, const PlaneGeometry& g, float* plane) {
    for (uint32_t y = 0; y < g.h; ++y) {
        const float* s = src + size_t(y) * g.w;
        float* d = plane + (size_t(y) + 1) * g.pitch + 1;
        for (uint32_t x = 0; x < g.w; ++x) d[x] = s[x] * scale;
    }
}

void fillHalo(const PlaneGeometry& g, Halo halo, float* plane) {
    // Rows first, then whole columns, so the corners get the diagonal neighbour.
    float* top = plane;
    float* bottom = plane + (size_t(g.h) + 1) * g.pitch;
    const float* firstRow = plane + g.pitch;
    const float* lastRow = plane + size_t(g.h) * g.pitch;
    const float* aboveTop = halo == Halo::Wrap ? lastRow : firstRow;
    const float* belowBottom = halo == Halo::Wrap ? firstRow : lastRow;
    for (size_t x = 1; x <= g.w; ++x) {
        top[x] = halo == Halo::Zero ? 0.0f : aboveTop[x];
        bottom[x] = halo == Halo::Zero ? 0.0f : belowBottom[x];
    }
    const size_t left = halo == Halo::Wrap ? g.w : 1, right = halo == Halo::Wrap ? 1 : g.w;
    for (size_t y = 0; y < size_t(g.h) + 2; ++y) {
        float* row = plane + y * g.pitch;
        row[0] = halo == Halo::Zero ? 0.0f : row[left];
        row[g.w + 1] = halo == Halo::Zero ? 0.0f : row[right];
    }
}

// [SECTION] Upsampling -----------------------------------------------------------

// One output row: source rows s0, s1 (interior starts; their halo columns
// hold the neighbours past the edges) upsampled along x, blended along y with
// weights a0, a1, then scaled.
static void upsampleRow(const float* s0, float a0, const float* s1, float a1, uint32_t w, float scale, float* out) {
    // Signed: s0[j - 1] at j = 0 is the halo column, not a wrapped-around offset.
    for (ptrdiff_t j = 0; j < ptrdiff_t(w); ++j) {
        const float e0 = 0.25f * s0[j - 1] + 0.75f * s0[j];
        const float o0 = 0.75f * s0[j] + 0.25f * s0[j + 1];
        const float e1 = 0.25f * s1[j - 1] + 0.75f * s1[j];
        const float o1 = 0.75f * s1[j] + 0.25f * s1[j + 1];
        out[2 * j] = (a0 * e0 + a1 * e1) * scale;
        out[2 * j + 1] = (a0 * o0 + a1 * o1) * scale;
    }
}

void upsampleScaledToPlane(const float* src, float scale, const PlaneGeometry& g, float* dst) {
    const uint32_t sh = g.h / 2, sw = g.w / 2;
    const size_t srcPitch = size_t(sw) + 2;
    for (uint32_t i = 0; i < sh; ++i) {
        const float* above = src + size_t(i) * srcPitch + 1;  // padded row i: source row i - 1 or the halo
        const float* mid = above + srcPitch;
        const float* below = mid + srcPitch;
        float* even = dst + (2 * size_t(i) + 1) * g.pitch + 1;
        upsampleRow(above, 0.25f, mid, 0.75f, sw, scale, even);
        upsampleRow(mid, 0.75f, below, 0.25f, sw, scale, even + g.pitch);
    }
}

// [SECTION] Modulated 3x3 convolution ------------------------------------------

std::vector<float> packConv3x3Weights(const float* weight, uint32_t cout, uint32_t cin) {
    const size_t blocks = (cout + kCoBlock - 1) / kCoBlock;
    std::vector<float> packed(blocks * cin * 9 * kCoBlock, 0.0f);
    for (uint32_t co = 0; co < cout; ++co)
        for (uint32_t ci = 0; ci < cin; ++ci)
            for (uint32_t k = 0; k < 9; ++k)
                packed[((size_t(co / kCoBlock) * cin + ci) * 9 + k) * kCoBlock + co % kCoBlock] =
                    weight[(size_t(co) * cin + ci) * 9 + k];
    return packed;
}

// Vectors for the 3x3 kernel. GCC/Clang vector extensions, because plain
// loops over a fixed-size accumulator array get SLP-vectorised across
// channels with shuffles instead of along x; other compilers get scalars.
#if defined(__GNUC__)
typedef float Float4 __attribute__((vector_size(16)));
typedef float Float8 __attribute__((vector_size(32)));
typedef float Float16 __attribute__((vector_size(64)));
using BaselineVec = Float4;  // SSE2 on x86-64, NEON on arm64
constexpr size_t kBaselineVecs = 2;

// Unaligned loads and stores that do not take the accumulators' address
// (std::memcpy does, and then they live on the stack). References, not
// values: 32-byte vectors passed by value trip -Wpsabi.
template <class Vec>
static SG_ALWAYS_INLINE void loadUnaligned(Vec& v, const float* p) {
    typedef Vec Unaligned __attribute__((aligned(4), may_alias));
    v = *reinterpret_cast<const Unaligned*>(p);
}
template <class Vec>
static SG_ALWAYS_INLINE void storeUnaligned(float* p, const Vec& v) {
    typedef Vec Unaligned __attribute__((aligned(4), may_alias));
    *reinterpret_cast<Unaligned*>(p) = v;
}
// act() lane by lane: a vector select instead of a branch.
template <class Vec>
static SG_ALWAYS_INLINE void activate(Vec& v) {
    const Vec leak = 0.2f * v;
    v = (v < leak ? leak : v) * 1.41421356237309504880f;
}
#else
using BaselineVec = float;
constexpr size_t kBaselineVecs = 8;
static inline void loadUnaligned(float& v, const float* p) { v = *p; }
static inline void storeUnaligned(float* p, const float& v) { *p = v; }
static inline void activate(float& v) { v = act(v); }
#endif

// Ends v's computation here, so the product it holds is not fused into the
// addition that follows. Where GCC fuses the output stage's multiply-adds is
// its choice per target and per unrolled channel; fusing only the inner
// products, in every set, makes avx512 and avx2+fma give the same bits. GCC
// fuses across statements, so an empty asm hides the value from it; clang
// fuses within one expression only, and the callers end the expression.
template <class Vec>
static SG_ALWAYS_INLINE void keepRounded(Vec& v) {
#if SG_CPU_X86_DISPATCH && !defined(__clang__)
    __asm__("" : "+x"(v));
#else
    (void)v;
#endif
}

// A strip of consecutive flat positions times kCoBlock channels is
// accumulated in registers over every input channel and tap; each input load
// feeds kCoBlock multiply-adds. The sum runs in the same order (ci, then the 9
// taps) for every output, whatever strip or tile it falls in, and so does the
// output stage that follows it.
template <class Vec, size_t VecCount>
static SG_ALWAYS_INLINE void conv3x3Impl(const float* planes, const PlaneGeometry& g, const float* packed,
                                         uint32_t cin, size_t f0, size_t len, const Conv3x3Output& out) {
    constexpr size_t kLanes = sizeof(Vec) / sizeof(float);
    constexpr size_t kStrip = kLanes * VecCount;
    static_assert(kStrip <= kMaxStrip && kConvTile % kStrip == 0, "strips must tile kConvTile within the slack");
    size_t taps[9];
    for (size_t k = 0; k < 9; ++k) taps[k] = (k / 3) * g.pitch + k % 3;
    for (size_t s = 0; s < len; s += kStrip) {
        Vec acc[kCoBlock][VecCount] = {};
        const float* src = planes + f0 + s;
        const float* wc = packed;
        for (uint32_t ci = 0; ci < cin; ++ci, src += g.stride, wc += 9 * kCoBlock) {
            for (size_t k = 0; k < 9; ++k) {
                Vec in[VecCount];
                for (size_t v = 0; v < VecCount; ++v) loadUnaligned(in[v], src + taps[k] + v * kLanes);
                const float* wk = wc + k * kCoBlock;
                for (size_t c = 0; c < kCoBlock; ++c) {
                    const float wv = wk[c];
                    for (size_t v = 0; v < VecCount; ++v) acc[c][v] += wv * in[v];
                }
            }
        }
        const size_t f = f0 + s;
        Vec noise[VecCount] = {};
        if (out.noise) {
            for (size_t v = 0; v < VecCount; ++v) {
                loadUnaligned(noise[v], out.noise + f + v * kLanes);
                noise[v] = out.noiseScale * noise[v];
                keepRounded(noise[v]);
            }
        }
        for (size_t c = 0; c < out.coCount; ++c) {
            float* dst = out.planes + c * g.stride + g.pitch + 1 + f;
            for (size_t v = 0; v < VecCount; ++v) {
                Vec r = acc[c][v] * out.demod[c];
                keepRounded(r);
                r = out.noise ? r + noise[v] + out.bias[c] : r + out.bias[c];
                activate(r);
                if (out.scale) r = out.scale[c] * r;
                storeUnaligned(dst + v * kLanes, r);
            }
        }
    }
}

static void conv3x3Baseline(const float* planes, const PlaneGeometry& g, const float* packed, uint32_t cin, size_t f0,
                            size_t len, const Conv3x3Output& out) {
    conv3x3Impl<BaselineVec, kBaselineVecs>(planes, g, packed, cin, f0, len, out);
}

#if SG_CPU_X86_DISPATCH
// AVX2 + FMA: 8 accumulators of 8 floats.
__attribute__((target("avx2,fma"))) static void conv3x3Avx2(const float* planes, const PlaneGeometry& g,
                                                            const float* packed, uint32_t cin, size_t f0, size_t len,
                                                            const Conv3x3Output& out) {
    conv3x3Impl<Float8, 2>(planes, g, packed, cin, f0, len, out);
}

// AVX-512: 8 accumulators of 16 floats.
__attribute__((target("avx512f,avx2,fma"))) static void conv3x3Avx512(const float* planes, const PlaneGeometry& g,
                                                                     const float* packed, uint32_t cin, size_t f0,
                                                                     size_t len, const Conv3x3Output& out) {
    conv3x3Impl<Float16, 2>(planes, g, packed, cin, f0, len, out);
}
#endif

// [SECTION] Winograd 3x3 convolution -----------------------------------------------

std::vector<float> packWinogradWeights(const float* weight, uint32_t cout, uint32_t cin) {
    const size_t groups = (cout + kWinogradCoGroup - 1) / kWinogradCoGroup;
    std::vector<float> packed(16 * groups * cin * kWinogradCoGroup, 0.0f);
    // G = [[1, 0, 0], [1/2, 1/2, 1/2], [1/2, -1/2, 1/2], [0, 0, 1]], in double, rounded once.
    const double kG[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
    for (uint32_t co = 0; co < cout; ++co)
        for (uint32_t ci = 0; ci < cin; ++ci) {
            const float* g = weight + (size_t(co) * cin + ci) * 9;
            double gk[4][3];  // G g
            for (int i = 0; i < 4; ++i)
                for (int j = 0; j < 3; ++j) gk[i][j] = kG[i][0] * g[j] + kG[i][1] * g[3 + j] + kG[i][2] * g[6 + j];
            for (int i = 0; i < 4; ++i)
                for (int j = 0; j < 4; ++j) {
                    const double u = gk[i][0] * kG[j][0] + gk[i][1] * kG[j][1] + gk[i][2] * kG[j][2];
                    packed[((size_t(4 * i + j) * groups + co / kWinogradCoGroup) * cin + ci) * kWinogradCoGroup +
                           co % kWinogradCoGroup] = float(u);
                }
        }
    return packed;
}

static size_t winogradTilesRounded(size_t tiles) {
    return (tiles + kWinogradTileGroup - 1) / kWinogradTileGroup * kWinogradTileGroup;
}

// The transformed input V is [xi][ci][tp] (a point's products then stream
// through one contiguous block), each point padded so that the 16 blocks do
// not fall on the same cache sets; the products M are [xi][tp][co group].
static size_t winogradPointFloats(uint32_t cin, size_t tp) { return size_t(cin) * tp + 16; }

size_t winogradWorkFloats(uint32_t cin, size_t tiles) {
    const size_t tp = winogradTilesRounded(tiles);
    return 16 * winogradPointFloats(cin, tp) + 16 * tp * kWinogradCoGroup;
}

// even = lanes 0, 2, 4, ... and odd = lanes 1, 3, 5, ... of the 2 * lanes
// values a, b (a first).
#if defined(__GNUC__)
typedef int32_t Int4 __attribute__((vector_size(16)));
typedef int32_t Int8 __attribute__((vector_size(32)));
typedef int32_t Int16 __attribute__((vector_size(64)));
#if defined(__clang__)
#define SG_SHUFFLE2(a, b, Mask, ...) __builtin_shufflevector(a, b, __VA_ARGS__)
#else
#define SG_SHUFFLE2(a, b, Mask, ...) __builtin_shuffle(a, b, Mask{__VA_ARGS__})
#endif
static SG_ALWAYS_INLINE void deinterleave(const Float4& a, const Float4& b, Float4& even, Float4& odd) {
    even = SG_SHUFFLE2(a, b, Int4, 0, 2, 4, 6);
    odd = SG_SHUFFLE2(a, b, Int4, 1, 3, 5, 7);
}
static SG_ALWAYS_INLINE void deinterleave(const Float8& a, const Float8& b, Float8& even, Float8& odd) {
    even = SG_SHUFFLE2(a, b, Int8, 0, 2, 4, 6, 8, 10, 12, 14);
    odd = SG_SHUFFLE2(a, b, Int8, 1, 3, 5, 7, 9, 11, 13, 15);
}
static SG_ALWAYS_INLINE void deinterleave(const Float16& a, const Float16& b, Float16& even, Float16& odd) {
    even = SG_SHUFFLE2(a, b, Int16, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    odd = SG_SHUFFLE2(a, b, Int16, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
}
#endif
static SG_ALWAYS_INLINE void deinterleave(const float& a, const float& b, float& even, float& odd) {
    even = a;
    odd = b;
}

// V = B^T d B for `lanes` tiles side by side (tile j's 4x4 input starts at
// p + 2j), B^T = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]].
// Point xi of tile j goes to v[xi * pointStride + j]. Row i of B^T d combines two
// input rows over whole row segments; only then are the columns split into
// even and odd (a permutation, so the sums are the same), which keeps few
// vectors live at once.
template <class Vec>
static SG_ALWAYS_INLINE void winogradInputTiles(const float* p, size_t pitch, float* v, size_t pointStride) {
    constexpr size_t kLanes = sizeof(Vec) / sizeof(float);
    // Row i of B^T d = row first[i] + or - row second[i].
    static constexpr size_t kFirst[4] = {0, 1, 2, 1}, kSecond[4] = {2, 2, 1, 3};
    static constexpr bool kAdd[4] = {false, true, false, false};
    for (size_t i = 0; i < 4; ++i) {
        const float* x = p + kFirst[i] * pitch;
        const float* y = p + kSecond[i] * pitch;
        // Columns 2j, 2j + 1 (seg = 0) and 2j + 2, 2j + 3 (seg = 1) of tile j.
        Vec even[2], odd[2];
        for (size_t seg = 0; seg < 2; ++seg) {
            Vec x0, x1, y0, y1;
            loadUnaligned(x0, x + 2 * seg);
            loadUnaligned(x1, x + 2 * seg + kLanes);
            loadUnaligned(y0, y + 2 * seg);
            loadUnaligned(y1, y + 2 * seg + kLanes);
            const Vec t0 = kAdd[i] ? x0 + y0 : x0 - y0;
            const Vec t1 = kAdd[i] ? x1 + y1 : x1 - y1;
            deinterleave(t0, t1, even[seg], odd[seg]);
        }
        storeUnaligned(v + (4 * i + 0) * pointStride, even[0] - even[1]);
        storeUnaligned(v + (4 * i + 1) * pointStride, odd[0] + even[1]);
        storeUnaligned(v + (4 * i + 2) * pointStride, even[1] - odd[0]);
        storeUnaligned(v + (4 * i + 3) * pointStride, odd[0] - odd[1]);
    }
}

// The tile geometry of a layer.
struct WinogradGrid {
    size_t tilesX, tilesPerImage;
    explicit WinogradGrid(const PlaneGeometry& g)
        : tilesX((size_t(g.w) + 1) / 2), tilesPerImage(tilesX * ((size_t(g.h) + 1) / 2)) {}
};

// V[xi][ci][tp] for tiles [tile0, tile0 + tiles): runs of `lanes` tiles
// within one tile row take the vector path, the rest one tile at a time (the
// same additions either way, so the same bits).
template <class Vec>
static SG_ALWAYS_INLINE void winogradInput(const WinogradLayer& L, const PlaneGeometry& g, size_t tile0, size_t tiles,
                                           size_t tp, float* V) {
    constexpr size_t kLanes = sizeof(Vec) / sizeof(float);
    const WinogradGrid grid(g);
    const size_t pointStride = winogradPointFloats(L.cin, tp);
    for (uint32_t ci = 0; ci < L.cin; ++ci) {
        for (size_t t = tile0; t < tile0 + tiles;) {
            const size_t image = t / grid.tilesPerImage, inImage = t % grid.tilesPerImage;
            const size_t ty = inImage / grid.tilesX, tx = inImage % grid.tilesX;
            const float* p = L.planes + (image * L.cin + ci) * g.stride + 2 * ty * g.pitch + 2 * tx;
            float* v = V + size_t(ci) * tp + (t - tile0);
            if (tx + kLanes <= grid.tilesX && t + kLanes <= tile0 + tiles) {
                winogradInputTiles<Vec>(p, g.pitch, v, pointStride);
                t += kLanes;
            } else {
                winogradInputTiles<float>(p, g.pitch, v, pointStride);
                t += 1;
            }
        }
    }
}

// M[t][co] = sum_ci V[ci][t] * U[ci][co] for kTiles tiles and one group of
// kWinogradCoGroup channels, accumulated in registers over every ci.
template <class Vec, size_t kTiles>
static SG_ALWAYS_INLINE void winogradProducts(const float* V, size_t ciStride, const float* U, uint32_t cin,
                                              float* M) {
    constexpr size_t kLanes = sizeof(Vec) / sizeof(float);
    constexpr size_t kVecs = kWinogradCoGroup / kLanes;
    Vec acc[kTiles][kVecs] = {};
    for (uint32_t ci = 0; ci < cin; ++ci, V += ciStride, U += kWinogradCoGroup) {
        Vec u[kVecs];
        for (size_t k = 0; k < kVecs; ++k) loadUnaligned(u[k], U + k * kLanes);
        for (size_t t = 0; t < kTiles; ++t) {
            const float s = V[t];
            for (size_t k = 0; k < kVecs; ++k) acc[t][k] += s * u[k];
        }
    }
    for (size_t t = 0; t < kTiles; ++t)
        for (size_t k = 0; k < kVecs; ++k) storeUnaligned(M + t * kWinogradCoGroup + k * kLanes, acc[t][k]);
}

// kLanes floats from p, zeros past `valid`: a channel group may end past cout.
template <class Vec>
static SG_ALWAYS_INLINE void loadPartial(Vec& v, const float* p, size_t valid) {
    constexpr size_t kLanes = sizeof(Vec) / sizeof(float);
    if (valid >= kLanes) {
        loadUnaligned(v, p);
    } else {
        float buf[kLanes] = {};
        for (size_t i = 0; i < valid; ++i) buf[i] = p[i];
        loadUnaligned(v, buf);
    }
}

// Y = A^T M A per tile (A^T = [[1, 1, 1, 0], [0, 1, -1, -1]]), vectorised over
// channels, then the output stage, stored to the valid pixels. M is
// [xi][tp][kWinogradCoGroup]; tiles [tile0, tile0 + count) of `group`.
template <class Vec>
static SG_ALWAYS_INLINE void winogradOutput(const WinogradLayer& L, const PlaneGeometry& g, size_t tile0,
                                            size_t count, size_t tp, uint32_t group, const float* M) {
    constexpr size_t kLanes = sizeof(Vec) / sizeof(float);
    constexpr size_t kVecs = kWinogradCoGroup / kLanes;
    const WinogradGrid grid(g);
    for (size_t t = 0; t < count; ++t) {
        const size_t tile = tile0 + t;
        const size_t image = tile / grid.tilesPerImage, inImage = tile % grid.tilesPerImage;
        const size_t y0 = 2 * (inImage / grid.tilesX), x0 = 2 * (inImage % grid.tilesX);
        for (size_t k = 0; k < kVecs; ++k) {
            const size_t co = size_t(group) * kWinogradCoGroup + k * kLanes;
            if (co >= L.cout) break;
            const size_t valid = std::min(kLanes, L.cout - co);
            Vec q[16];
            for (size_t xi = 0; xi < 16; ++xi)
                loadUnaligned(q[xi], M + (xi * tp + t) * kWinogradCoGroup + k * kLanes);
            Vec r0[4], r1[4];
            for (size_t c = 0; c < 4; ++c) {
                r0[c] = q[c] + q[4 + c] + q[8 + c];
                r1[c] = q[4 + c] - q[8 + c] - q[12 + c];
            }
            const Vec out4[4] = {r0[0] + r0[1] + r0[2], r0[1] - r0[2] - r0[3], r1[0] + r1[1] + r1[2],
                                 r1[1] - r1[2] - r1[3]};
            Vec demod, bias, scale = {};
            loadPartial(demod, L.demod + image * L.demodStride + co, valid);
            loadPartial(bias, L.bias + co, valid);
            if (L.scale) loadPartial(scale, L.scale + image * L.scaleStride + co, valid);
            float* out = L.out + image * L.outStride + co * g.stride;
            for (size_t a = 0; a < 4; ++a) {
                const size_t y = y0 + a / 2, x = x0 + a % 2;
                if (y >= g.h || x >= g.w) continue;
                Vec r = out4[a] * demod;
                keepRounded(r);
                if (L.noise) {
                    const float noise = L.noiseScale * L.noise[image * L.noiseStride + y * g.pitch + x];
                    r = r + noise + bias;
                } else {
                    r = r + bias;
                }
                activate(r);
                if (L.scale) r = scale * r;
                float lanes[kLanes];
                storeUnaligned(lanes, r);
                float* o = out + (y + 1) * g.pitch + x + 1;
                for (size_t c = 0; c < valid; ++c) o[c * g.stride] = lanes[c];
            }
        }
    }
}

template <class Vec>
static SG_ALWAYS_INLINE void winogradImpl(const WinogradLayer& L, const PlaneGeometry& g, size_t tile0, size_t tiles,
                                          uint32_t group0, uint32_t group1, float* work) {
    constexpr size_t kLanes = sizeof(Vec) / sizeof(float);
    // Accumulators: tiles x vectors of a channel group (6 x 2 with AVX2). With
    // AVX-512 one vector holds the group; 12 tiles instead of 6 measured no
    // faster overall (small layers' tile counts round up further).
    constexpr size_t kTiles = kLanes >= 8 ? 6 : kLanes == 4 ? 3 : 1;
    static_assert(kWinogradTileGroup % kTiles == 0, "a call's rounded tile count must hold whole micro-tiles");
    const size_t tp = winogradTilesRounded(tiles);
    const size_t pointFloats = winogradPointFloats(L.cin, tp);
    float* V = work;
    float* M = work + 16 * pointFloats;
    winogradInput<Vec>(L, g, tile0, tiles, tp, V);
    const size_t groups = (L.cout + kWinogradCoGroup - 1) / kWinogradCoGroup;
    const size_t weightStride = groups * L.cin * kWinogradCoGroup;  // from U of one point to the next
    for (uint32_t group = group0; group < group1; ++group) {
        const float* U = L.weights + size_t(group) * L.cin * kWinogradCoGroup;
        // Point by point, so a point's V stays in L1 across the micro-tiles.
        for (size_t xi = 0; xi < 16; ++xi)
            for (size_t t = 0; t < tiles; t += kTiles)
                winogradProducts<Vec, kTiles>(V + xi * pointFloats + t, tp, U + xi * weightStride, L.cin,
                                              M + (xi * tp + t) * kWinogradCoGroup);
        winogradOutput<Vec>(L, g, tile0, tiles, tp, group, M);
    }
}

static void winogradBaseline(const WinogradLayer& layer, const PlaneGeometry& g, size_t tile0, size_t tiles,
                             uint32_t group0, uint32_t group1, float* work) {
    winogradImpl<BaselineVec>(layer, g, tile0, tiles, group0, group1, work);
}

#if SG_CPU_X86_DISPATCH
__attribute__((target("avx2,fma"))) static void winogradAvx2(const WinogradLayer& layer, const PlaneGeometry& g,
                                                             size_t tile0, size_t tiles, uint32_t group0,
                                                             uint32_t group1, float* work) {
    winogradImpl<Float8>(layer, g, tile0, tiles, group0, group1, work);
}

__attribute__((target("avx512f,avx2,fma"))) static void winogradAvx512(const WinogradLayer& layer,
                                                                      const PlaneGeometry& g, size_t tile0,
                                                                      size_t tiles, uint32_t group0, uint32_t group1,
                                                                      float* work) {
    winogradImpl<Float16>(layer, g, tile0, tiles, group0, group1, work);
}
#endif

// [SECTION] toRGB (1x1) -----------------------------------------------------------

void toRgbRow(const float* x, const PlaneGeometry& g, const ModConv& conv, const float* style, uint32_t y, uint32_t x0,
              uint32_t len, bool accumulate, float* img) {
    // Every output channel's sum over ci in one sweep, so each input row is read once.
    constexpr uint32_t kMaxOut = 4;  // imgChannels
    const size_t offset = (size_t(y) + 1) * g.pitch + 1 + x0;
    float acc[kMaxOut][kConvTile];
    for (uint32_t start = 0; start < len; start += uint32_t(kConvTile)) {
        const size_t n = std::min<size_t>(kConvTile, len - start);
        for (uint32_t co = 0; co < conv.cout; ++co) std::fill(acc[co], acc[co] + n, 0.0f);
        for (uint32_t ci = 0; ci < conv.cin; ++ci) {
            const float* xs = x + ci * g.stride + offset + start;
            for (uint32_t co = 0; co < conv.cout; ++co) {
                const float wm = conv.weight[size_t(co) * conv.cin + ci] * style[ci];
                float* a = acc[co];
                for (size_t p = 0; p < n; ++p) a[p] += wm * xs[p];
            }
        }
        for (uint32_t co = 0; co < conv.cout; ++co) {
            float* o = img + co * g.stride + offset + start;
            const float bias = conv.bias[co];
            for (size_t p = 0; p < n; ++p) {
                const float v = acc[co][p] + bias;
                o[p] = accumulate ? o[p] + v : v;
            }
        }
    }
}

// [SECTION] Kernel sets -------------------------------------------------------------

std::vector<const KernelSet*> supportedKernelSets() {
    static const KernelSet baseline = {"baseline", conv3x3Baseline, winogradBaseline, philoxNormalRowFn(false)};
    std::vector<const KernelSet*> sets;
#if SG_CPU_X86_DISPATCH
    static const KernelSet avx2 = {"avx2+fma", conv3x3Avx2, winogradAvx2, philoxNormalRowFn(true)};
    static const KernelSet avx512 = {"avx512", conv3x3Avx512, winogradAvx512, philoxNormalRowFn(true)};
    __builtin_cpu_init();
    const bool hasAvx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (hasAvx2 && __builtin_cpu_supports("avx512f")) sets.push_back(&avx512);
    if (hasAvx2) sets.push_back(&avx2);
#endif
    sets.push_back(&baseline);
    return sets;
}

const KernelSet& bestKernelSet() {
    static const KernelSet* best = supportedKernelSets().front();
    return *best;
}

}  // namespace sg::cpu
