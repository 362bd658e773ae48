// kernels.hpp - the CPU backend's numeric kernels: dense layers, padded planes,
// bilinear 2x upsampling, the modulated 3x3 convolution with its fused output
// stage, the 1x1 toRGB, and the instruction-set dispatch.
//
// Index
//   [SECTION] Activation
//   [SECTION] Dense layers
//   [SECTION] Padded planes
//   [SECTION] Upsampling
//   [SECTION] Modulated 3x3 convolution
//   [SECTION] Winograd 3x3 convolution
//   [SECTION] toRGB (1x1)
//   [SECTION] Kernel sets
//
// Determinism: every kernel computes each output value with one fixed
// sequence of float operations that depends only on the output's position,
// never on how the caller splits the work across threads. The machine-
// dependent part is the kernel set (conv and noise, chosen once at run time):
// the AVX2 set fuses the convolution's multiply-adds (one rounding instead of
// two), so its results differ in the last bits from the baseline set's, while
// each is bit-identical for any thread count. Which convolution algorithm a
// layer uses (direct or Winograd) depends only on its channel counts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "noise.hpp"
#include "prepared_model.hpp"

namespace sg::cpu {

// [SECTION] Activation ---------------------------------------------------------

// act(x) = lrelu(x, 0.2) * sqrt(2), docs/generator.md. max(x, 0.2x) is the
// same lrelu, but branch-free: the compiler will not if-convert a ternary with
// a multiply in one arm (it may not speculate a float operation), so the
// loops around it would stay scalar.
inline float act(float v) {
    const float kGain = 1.41421356237309504880f;
    const float leak = 0.2f * v;
    return (v < leak ? leak : v) * kGain;
}

// [SECTION] Dense layers -------------------------------------------------------

// y = W x + b (no activation). y must not overlap x.
void denseForward(const DenseLayer& layer, const float* x, float* y);

// [SECTION] Padded planes --------------------------------------------------------
//
// Activations live in planes of (h + 2) x (w + 2) floats: the image at (1, 1)
// and a one-pixel halo. A conv input's halo holds zeros or the wrapped
// opposite edge (its padding); the halo of a block's output holds the
// clamped or wrapped edge, which is what the next block's upsampling reads
// beyond the border. Each plane is followed by slack, so the conv kernel may
// read and write a little past the last row without a bounds check.

struct PlaneGeometry {
    uint32_t h = 0;
    uint32_t w = 0;
    size_t pitch = 0;   // w + 2
    size_t stride = 0;  // floats from one plane to the next, slack included
};

PlaneGeometry planeGeometry(uint32_t h, uint32_t w);

// Floats of a noise map in a conv's output layout (y * pitch + x, slack included).
size_t noiseMapFloats(const PlaneGeometry& g);

// Writes src (h x w, compact) times scale into the plane's interior.
void copyScaledToPlane(const float* src, float scale, const PlaneGeometry& g, float* plane);

enum class Halo {
    Zero,   // conv input, zero padding
    Clamp,  // upsampling source, zero padding: the edge repeats
    Wrap,   // circular padding (both uses): the opposite edge
};

// Fills the halo, corners included.
void fillHalo(const PlaneGeometry& g, Halo halo, float* plane);

// [SECTION] Upsampling ------------------------------------------------------------
//
// docs/generator.md's bilinear 2x, per output row: along x within the two
// nearest source rows, then blended along y.

// Writes up2x(src) times scale into dst's interior. src is a plane of
// geometry (g.h / 2) x (g.w / 2) whose halo is filled (Clamp or Wrap).
void upsampleScaledToPlane(const float* src, float scale, const PlaneGeometry& g, float* dst);

// Bilinear 2x upsampling of a compact h x w plane into a compact 2h x 2w one.
void upsample2x(const float* src, uint32_t h, uint32_t w, bool wrap, float* dst);

// [SECTION] Modulated 3x3 convolution ---------------------------------------------
//
// The non-fused form of docs/generator.md's modconv: the input planes are
// already multiplied by the styles, all images share the unmodulated weights
// (one set of packed weights per layer, whatever the batch), and the kernel
// finishes each output in registers: demodulation, noise, bias, activation,
// and optionally the next conv's styles, then stores it into the output plane.
//
// Outputs are addressed by their flat position f = y * pitch + x, so one
// kernel call sweeps whole rows as a single contiguous range. The two columns
// per row that fall on the halo (x = w, w + 1) are computed too and land on
// the output plane's halo: fillHalo afterwards overwrites them.

constexpr uint32_t kCoBlock = 4;   // output channels one kernel call computes
constexpr size_t kConvTile = 512;  // flat positions one kernel call computes, at most

// [cout][cin][3][3] -> per block of kCoBlock output channels [cin][9][kCoBlock],
// zero-padded to a whole number of blocks.
std::vector<float> packConv3x3Weights(const float* weight, uint32_t cout, uint32_t cin);

struct Conv3x3Output {
    const float* demod = nullptr;  // [coCount]
    const float* bias = nullptr;   // [coCount]
    const float* scale = nullptr;  // [coCount] multiplies the activation, or null
    const float* noise = nullptr;  // noise map (noiseMapFloats), or null when its strength is 0
    float noiseScale = 0.0f;       // P.noise_strength * the request's noise strength
    uint32_t coCount = 0;          // valid channels of the block (<= kCoBlock)
    float* planes = nullptr;       // the block's first output plane (geometry g)
};

// For the flat positions [f0, f0 + len), len <= kConvTile and f0 + len <= h * pitch:
// out(co, f) = act(conv(co, f) * demod + noiseScale * noise[f] + bias) [* scale],
// stored at plane position f + pitch + 1. `planes` is the image's first input
// plane, `packed` the block's packed weights.
using Conv3x3Fn = void (*)(const float* planes, const PlaneGeometry& g, const float* packed, uint32_t cin, size_t f0,
                           size_t len, const Conv3x3Output& out);

// [SECTION] Winograd 3x3 convolution ----------------------------------------------
//
// F(2x2, 3x3) (Lavin and Gray, 2016): each 2x2 output tile comes from a 4x4
// input tile in a transformed space where the 3x3 convolution is 16
// independent products, 16 multiply-adds per input channel and output tile
// instead of 36. The batch shares the weights, so the 16 products are 16 GEMMs
// (tiles x cin times cin x cout), with the transforms around them. The input
// and output transforms only add and subtract, so results stay within a few
// float ulps of the direct sum (not bit-identical to the direct kernel, but
// like it the same for any thread count). The output stage is the direct
// kernel's (Conv3x3Output), per image.
//
// Layers with fewer than kWinogradMinCin input channels use the direct kernel:
// there the transforms cost more than the products save (docs/benchmarks.md).

constexpr uint32_t kWinogradMinCin = 32;
constexpr uint32_t kWinogradCoGroup = 16;   // output channels of one GEMM block
constexpr uint32_t kWinogradTileGroup = 6;  // a call's tile count is rounded up to this

inline bool useWinograd(uint32_t cin) { return cin >= kWinogradMinCin; }

// U = G g G^T of every (co, ci) filter, laid out [16][co group][cin][kWinogradCoGroup],
// zero-padded to whole groups.
std::vector<float> packWinogradWeights(const float* weight, uint32_t cout, uint32_t cin);

// One Winograd layer over a chunk of images. Tiles form a ceil(h/2) x
// ceil(w/2) grid per image; a call takes a run of them counted across the
// chunk's images (tile t is image t / tilesPerImage).
struct WinogradLayer {
    const float* planes = nullptr;  // the chunk's input planes, [image][cin][g.stride]
    uint32_t cin = 0, cout = 0;
    const float* weights = nullptr;  // packWinogradWeights
    const float* demod = nullptr;    // image i's: demod + i * demodStride
    size_t demodStride = 0;
    const float* bias = nullptr;     // [cout]
    const float* scale = nullptr;    // image i's: scale + i * scaleStride, or null
    size_t scaleStride = 0;
    const float* noise = nullptr;    // image i's map: noise + i * noiseStride, or null
    size_t noiseStride = 0;
    float noiseScale = 0.0f;
    float* out = nullptr;            // image i's first output plane: out + i * outStride
    size_t outStride = 0;
};

// Work space (floats) of one call over `tiles` tiles.
size_t winogradWorkFloats(uint32_t cin, size_t tiles);

// Computes output tiles [tile0, tile0 + tiles) for the output channel groups
// [group0, group1), stores them like the direct kernel (valid pixels only).
using Winograd3x3Fn = void (*)(const WinogradLayer& layer, const PlaneGeometry& g, size_t tile0, size_t tiles,
                               uint32_t group0, uint32_t group1, float* work);

// [SECTION] toRGB (1x1) --------------------------------------------------------------

// For pixels [x0, x0 + len) of row y of the planes x (geometry g, cin planes):
// img[co] (+)= sum_ci (weight[co][ci] * style[ci]) * x[ci] + bias[co], img compact.
// accumulate: add to img (the upsampled previous image); else overwrite.
void toRgbRow(const float* x, const PlaneGeometry& g, const ModConv& conv, const float* style, uint32_t y, uint32_t x0,
              uint32_t len, bool accumulate, float* img);

// [SECTION] Kernel sets --------------------------------------------------------------

struct KernelSet {
    const char* name;  // "avx512", "avx2+fma", "baseline"
    Conv3x3Fn conv3x3;
    Winograd3x3Fn winograd3x3;
    NormalRowFn normalRow;
};

// Every set this CPU can run, best first; tests run them all.
std::vector<const KernelSet*> supportedKernelSets();

// The first of supportedKernelSets(): what generation uses.
const KernelSet& bestKernelSet();

}  // namespace sg::cpu
