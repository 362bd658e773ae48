// kernels.hpp - the CPU backend's numeric kernels: dense layers, the modulated
// 3x3 convolution, the 1x1 toRGB, bilinear 2x upsampling and padding.
//
// Index
//   [SECTION] Activation
//   [SECTION] Dense layers
//   [SECTION] Padded planes
//   [SECTION] Modulated 3x3 convolution
//   [SECTION] toRGB (1x1)
//
// Determinism: every kernel computes each output value with one fixed
// sequence of float operations that depends only on the output's position,
// never on how the caller splits the work across threads. The one
// machine-dependent choice is conv3x3Tile's instruction set (kernels.cpp):
// on CPUs with AVX2+FMA its multiply-adds are fused (one rounding instead of
// two), so results differ in the last bits between such a CPU and one
// without, while staying bit-identical on any one machine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

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
// A 3x3 conv reads its input from planes of (h + 2) x (w + 2) floats: the
// image at (1, 1) and a one-pixel halo that holds zeros or the wrapped
// opposite edge. Each plane is followed by slack so the conv kernel may read
// a little past the last row (see conv3x3Tile) without a bounds check.

struct PlaneGeometry {
    uint32_t h = 0;
    uint32_t w = 0;
    size_t pitch = 0;   // w + 2
    size_t stride = 0;  // floats from one plane to the next, slack included
};

PlaneGeometry planeGeometry(uint32_t h, uint32_t w);

// Writes src (h x w, compact) times scale into the plane's interior.
void copyScaledToPlane(const float* src, float scale, const PlaneGeometry& g, float* plane);

// Writes up2x(src) times scale into the plane's interior; src is (h/2) x (w/2).
void upsampleScaledToPlane(const float* src, float scale, bool wrap, const PlaneGeometry& g, float* plane);

// Fills the halo: zeros, or (wrap) the opposite edge, corners included.
void fillHalo(const PlaneGeometry& g, bool wrap, float* plane);

// Bilinear 2x upsampling of a compact h x w plane into a compact 2h x 2w one.
void upsample2x(const float* src, uint32_t h, uint32_t w, bool wrap, float* dst);

// [SECTION] Modulated 3x3 convolution ---------------------------------------------
//
// The non-fused form of docs/generator.md's modconv: the input planes are
// already multiplied by the styles (copyScaledToPlane / upsampleScaledToPlane),
// all images share the unmodulated weights, and conv3x3Finish applies the
// demodulation, noise, bias and activation per output channel.
//
// Outputs are addressed by their flat position f = y * pitch + x in the plane
// grid, so one kernel call sweeps whole rows as a single contiguous range (the
// two columns per row that fall on the halo are computed and thrown away).

constexpr uint32_t kCoBlock = 4;     // output channels one kernel call computes
constexpr size_t kConvTile = 512;    // flat positions one kernel call computes, at most

// [cout][cin][3][3] -> per block of kCoBlock output channels [cin][9][kCoBlock],
// zero-padded to a whole number of blocks.
std::vector<float> packConv3x3Weights(const float* weight, uint32_t cout, uint32_t cin);

// tile[c * kConvTile + i] = conv of output channel (block's c) at flat position
// f0 + i, for i < len <= kConvTile and f0 + len <= h * pitch. `planes` is the
// image's first input plane, `packed` the block's packed weights.
void conv3x3Tile(const float* planes, const PlaneGeometry& g, const float* packed, uint32_t cin, size_t f0,
                 size_t len, float* tile);

// The instruction set conv3x3Tile runs on this machine: "avx2+fma" or "baseline".
const char* conv3x3KernelName();

struct Conv3x3Finish {
    const float* demod = nullptr;  // [coCount]
    const float* bias = nullptr;   // [coCount]
    const float* noise = nullptr;  // [h * w] noise map, or null when its strength is 0
    float noiseScale = 0.0f;       // P.noise_strength * the request's noise strength
    uint32_t coCount = 0;          // valid channels of the block (<= kCoBlock)
    float* dst = nullptr;          // compact [coCount][h * w]: the block's first output plane
};

// dst = act(tile * demod + noiseScale * noise + bias) for the valid positions
// of [f0, f0 + len).
void conv3x3Finish(const float* tile, const PlaneGeometry& g, size_t f0, size_t len, const Conv3x3Finish& f);

// [SECTION] toRGB (1x1) --------------------------------------------------------------

// For pixels [p0, p0 + len) of compact planes with `pixels` values each:
// img[co] (+)= sum_ci (weight[co][ci] * style[ci]) * x[ci] + bias[co].
// accumulate: add to img (the upsampled previous image); else overwrite.
void toRgbTile(const float* x, size_t pixels, const ModConv& conv, const float* style, size_t p0, size_t len,
               bool accumulate, float* img);

}  // namespace sg::cpu
