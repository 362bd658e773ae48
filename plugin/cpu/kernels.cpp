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

// Widest strip conv3x3Tile computes at once; the plane slack covers it.
constexpr size_t kMaxStrip = 16;

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
    // The last strip of a plane reads up to kMaxStrip + 1 floats past its end.
    const size_t needed = (size_t(h) + 2) * g.pitch + kMaxStrip + 2;
    g.stride = (needed + 15) / 16 * 16;  // planes start 64-byte apart from each other
    return g;
}

void copyScaledToPlane(const float* src, float scale, const PlaneGeometry& g, float* plane) {
    for (uint32_t y = 0; y < g.h; ++y) {
        const float* s = src + size_t(y) * g.w;
        float* d = plane + (size_t(y) + 1) * g.pitch + 1;
        for (uint32_t x = 0; x < g.w; ++x) d[x] = s[x] * scale;
    }
}

// Sample index i of an axis with n samples, out-of-range clamped or wrapped
// (i is at most one step outside).
static inline uint32_t edgeIndex(int64_t i, uint32_t n, bool wrap) {
    if (i < 0) return wrap ? n - 1 : 0;
    if (i >= int64_t(n)) return wrap ? 0 : n - 1;
    return uint32_t(i);
}

// One output row of the 2x upsampling: the two source rows s0, s1 (w samples)
// are upsampled along x, then blended along y with weights a0, a1, then
// scaled. Rows first, then columns, as docs/generator.md orders it.
static inline void upsamplePair(const float* s0, float a0, const float* s1, float a1, size_t jl, size_t j,
                                size_t jr, float scale, float* out) {
    const float e0 = 0.25f * s0[jl] + 0.75f * s0[j];
    const float o0 = 0.75f * s0[j] + 0.25f * s0[jr];
    const float e1 = 0.25f * s1[jl] + 0.75f * s1[j];
    const float o1 = 0.75f * s1[j] + 0.25f * s1[jr];
    out[2 * j] = (a0 * e0 + a1 * e1) * scale;
    out[2 * j + 1] = (a0 * o0 + a1 * o1) * scale;
}

static void upsampleRow(const float* s0, float a0, const float* s1, float a1, uint32_t w, bool wrap, float scale,
                        float* out) {
    if (w == 1) {
        upsamplePair(s0, a0, s1, a1, 0, 0, 0, scale, out);
        return;
    }
    // The edges apart, so the interior loop has no index fix-ups and vectorises.
    upsamplePair(s0, a0, s1, a1, wrap ? w - 1 : 0, 0, 1, scale, out);
    for (size_t j = 1; j + 1 < w; ++j) upsamplePair(s0, a0, s1, a1, j - 1, j, j + 1, scale, out);
    upsamplePair(s0, a0, s1, a1, w - 2, w - 1, wrap ? 0 : w - 1, scale, out);
}

// Output rows 2i and 2i+1 of a source with sh rows of sw samples.
static void upsampleRowPair(const float* src, uint32_t sh, uint32_t sw, uint32_t i, bool wrap, float scale,
                            float* even, float* odd) {
    const float* above = src + size_t(edgeIndex(int64_t(i) - 1, sh, wrap)) * sw;
    const float* mid = src + size_t(i) * sw;
    const float* below = src + size_t(edgeIndex(int64_t(i) + 1, sh, wrap)) * sw;
    upsampleRow(above, 0.25f, mid, 0.75f, sw, wrap, scale, even);
    upsampleRow(mid, 0.75f, below, 0.25f, sw, wrap, scale, odd);
}

void upsampleScaledToPlane(const float* src, float scale, bool wrap, const PlaneGeometry& g, float* plane) {
    const uint32_t sh = g.h / 2, sw = g.w / 2;
    for (uint32_t i = 0; i < sh; ++i) {
        float* even = plane + (2 * size_t(i) + 1) * g.pitch + 1;
        upsampleRowPair(src, sh, sw, i, wrap, scale, even, even + g.pitch);
    }
}

void upsample2x(const float* src, uint32_t h, uint32_t w, bool wrap, float* dst) {
    const size_t outW = 2 * size_t(w);
    for (uint32_t i = 0; i < h; ++i) {
        float* even = dst + 2 * size_t(i) * outW;
        upsampleRowPair(src, h, w, i, wrap, 1.0f, even, even + outW);
    }
}

void fillHalo(const PlaneGeometry& g, bool wrap, float* plane) {
    // Rows first, then whole columns, so the corners get the diagonal opposite.
    float* top = plane;
    float* bottom = plane + (size_t(g.h) + 1) * g.pitch;
    const float* lastRow = plane + size_t(g.h) * g.pitch;
    const float* firstRow = plane + g.pitch;
    for (size_t x = 1; x <= g.w; ++x) {
        top[x] = wrap ? lastRow[x] : 0.0f;
        bottom[x] = wrap ? firstRow[x] : 0.0f;
    }
    for (size_t y = 0; y < size_t(g.h) + 2; ++y) {
        float* row = plane + y * g.pitch;
        row[0] = wrap ? row[g.w] : 0.0f;
        row[g.w + 1] = wrap ? row[1] : 0.0f;
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
#else
using BaselineVec = float;
constexpr size_t kBaselineVecs = 8;
static inline void loadUnaligned(float& v, const float* p) { v = *p; }
static inline void storeUnaligned(float* p, const float& v) { *p = v; }
#endif

// A strip of consecutive flat positions times kCoBlock channels is
// accumulated in registers over every input channel and tap; each input load
// feeds kCoBlock multiply-adds. The sum runs in the same order (ci, then the 9
// taps) for every output, whatever strip or tile it falls in.
template <class Vec, size_t VecCount>
static SG_ALWAYS_INLINE void conv3x3TileImpl(const float* planes, const PlaneGeometry& g, const float* packed,
                                             uint32_t cin, size_t f0, size_t len, float* tile) {
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
        for (size_t c = 0; c < kCoBlock; ++c)
            for (size_t v = 0; v < VecCount; ++v)
                storeUnaligned(tile + c * kConvTile + s + v * kLanes, acc[c][v]);
    }
}

using Conv3x3TileFn = void (*)(const float*, const PlaneGeometry&, const float*, uint32_t, size_t, size_t, float*);

static void conv3x3TileBaseline(const float* planes, const PlaneGeometry& g, const float* packed, uint32_t cin,
                                size_t f0, size_t len, float* tile) {
    conv3x3TileImpl<BaselineVec, kBaselineVecs>(planes, g, packed, cin, f0, len, tile);
}

#if SG_CPU_X86_DISPATCH
// AVX2 + FMA: 8 accumulators of 8 floats.
__attribute__((target("avx2,fma"))) static void conv3x3TileAvx2(const float* planes, const PlaneGeometry& g,
                                                                const float* packed, uint32_t cin, size_t f0,
                                                                size_t len, float* tile) {
    conv3x3TileImpl<Float8, 2>(planes, g, packed, cin, f0, len, tile);
}
#endif

struct Conv3x3Kernel {
    Conv3x3TileFn fn;
    const char* name;
};

static Conv3x3Kernel selectConv3x3Kernel() {
#if SG_CPU_X86_DISPATCH
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return {conv3x3TileAvx2, "avx2+fma"};
#endif
    return {conv3x3TileBaseline, "baseline"};
}

static const Conv3x3Kernel& conv3x3Kernel() {
    static const Conv3x3Kernel kernel = selectConv3x3Kernel();
    return kernel;
}

const char* conv3x3KernelName() { return conv3x3Kernel().name; }

void conv3x3Tile(const float* planes, const PlaneGeometry& g, const float* packed, uint32_t cin, size_t f0,
                 size_t len, float* tile) {
    conv3x3Kernel().fn(planes, g, packed, cin, f0, len, tile);
}

void conv3x3Finish(const float* tile, const PlaneGeometry& g, size_t f0, size_t len, const Conv3x3Finish& f) {
    const size_t planeSize = size_t(g.h) * g.w;
    const size_t end = f0 + len;
    // Walk the range row by row; positions on the halo columns are dropped.
    for (size_t pos = f0; pos < end;) {
        const size_t y = pos / g.pitch;
        const size_t rowStart = y * g.pitch;
        const size_t rowEnd = std::min(end, rowStart + g.pitch);
        const size_t x0 = pos - rowStart;
        const size_t x1 = std::min(rowEnd - rowStart, size_t(g.w));
        for (uint32_t c = 0; c < f.coCount; ++c) {
            const float* t = tile + c * kConvTile + (rowStart - f0);  // indexed by x
            float* d = f.dst + c * planeSize + y * g.w;
            const float demod = f.demod[c], bias = f.bias[c];
            if (f.noise) {
                const float* n = f.noise + y * g.w;
                for (size_t x = x0; x < x1; ++x) d[x] = act(t[x] * demod + f.noiseScale * n[x] + bias);
            } else {
                for (size_t x = x0; x < x1; ++x) d[x] = act(t[x] * demod + bias);
            }
        }
        pos = rowEnd;
    }
}

// [SECTION] toRGB (1x1) -----------------------------------------------------------

void toRgbTile(const float* x, size_t pixels, const ModConv& conv, const float* style, size_t p0, size_t len,
               bool accumulate, float* img) {
    float acc[kConvTile];
    for (uint32_t co = 0; co < conv.cout; ++co) {
        std::fill(acc, acc + len, 0.0f);
        for (uint32_t ci = 0; ci < conv.cin; ++ci) {
            const float wm = conv.weight[size_t(co) * conv.cin + ci] * style[ci];
            const float* xs = x + ci * pixels + p0;
            for (size_t p = 0; p < len; ++p) acc[p] += wm * xs[p];
        }
        float* out = img + co * pixels + p0;
        const float bias = conv.bias[co];
        for (size_t p = 0; p < len; ++p) {
            const float v = acc[p] + bias;
            out[p] = accumulate ? out[p] + v : v;
        }
    }
}

}  // namespace sg::cpu
