// kernels.hpp - the CUDA backend's kernels, as host functions that launch
// them on a stream. Each computes one step of docs/generator.md for a batch;
// forward.cpp strings them together.
//
// Index
//   [SECTION] Layouts
//   [SECTION] Request
//   [SECTION] Mapping, styles, demodulation
//   [SECTION] Noise and input
//   [SECTION] Synthesis layers
//   [SECTION] Output
//
// Activations are planes, [image][channel][y][x] without padding; the 3x3
// convolution reads across the border itself (zeros, or the opposite edge for
// circular padding). As in the CPU backend, a conv's input is already
// multiplied by its styles, so every image of the batch shares the layer's
// unmodulated weights and the convolution is one implicit GEMM for the batch;
// demodulation, noise, bias and activation are applied to its output. Every
// value is computed in f32.
#pragma once

#include <cstddef>
#include <cstdint>

#include <cuda_runtime_api.h>

#include "stylegen_plugin.h"

namespace sg::cuda {

// [SECTION] Layouts ----------------------------------------------------------------

constexpr uint32_t kMaxConvLayers = 2 * SGP_MAX_BLOCKS - 1;  // 3x3 conv layers: 2B - 1
constexpr uint32_t kMaxToRgbInputs = 1024;                    // a block's channels, at most

// Output channels one block of the conv kernel computes for a layer of `cout`
// channels; weights are zero-padded to a multiple of it.
inline uint32_t convChannelTile(uint32_t cout) { return cout >= 64 ? 64 : cout >= 32 ? 32 : 16; }
// Input channels per step of the conv kernel's reduction; weights are padded to a multiple.
constexpr uint32_t kConvInputStep = 4;

// [SECTION] Request -----------------------------------------------------------------

// What changes from call to call, uploaded before the kernels run: the kernels
// read it from device memory, so a captured CUDA graph serves every call of
// the same shape.
struct RequestScalars {
    float truncationPsi;
    float noiseStrength;
    uint32_t mixing;    // the second latent of each image is used
    uint32_t mixLayer;  // w layers >= mixLayer come from it
    uint32_t lerping;   // the first latent moves towards the third by lerpAmounts
    uint32_t periodicOffset;  // SgpBatch::periodicOffset
};

struct RequestView {
    const RequestScalars* scalars;
    const uint64_t* seeds;       // [n]
    const uint64_t* noiseSeeds;  // [n]
    const uint64_t* mixSeeds;    // [n]
    const uint64_t* lerpSeeds;   // [n]
    const float* lerpAmounts;    // [n]
    const float* styleWeights;   // [styleCount]
};

// [SECTION] Mapping, styles, demodulation -------------------------------------------

struct MappingArgs {
    uint32_t zDim, embedDim, wDim, layers, styleCount;
    const float* embed;                     // [S][embedDim]
    const float* wAvg;                      // [S][wDim]
    const float* weightT[16];               // per layer [in][wDim]
    const float* bias[16];                  // per layer [wDim]
    RequestView request;
    float* ws;                              // [n][3][wDim]: the seed's w, the mix seed's, the lerp seed's
};
size_t mappingSharedBytes(uint32_t zDim, uint32_t embedDim, uint32_t wDim);
// Raises the kernel's shared-memory limit when the model needs more than the default.
cudaError_t prepareMappingKernel(size_t sharedBytes);
void launchMapping(const MappingArgs& args, uint32_t n, size_t sharedBytes, cudaStream_t stream);

// Every modulated conv's styles: row j of the concatenated affine weights
// gives styles[image][j] from the w of its layer.
struct StyleArgs {
    uint32_t rows, wDim, wLayers;
    const float* weight;    // [rows][wDim]
    const float* bias;      // [rows]
    const uint8_t* wLayer;  // [rows]
    const float* ws;
    RequestView request;
    float* styles;          // [n][rows]
};
void launchStyles(const StyleArgs& args, uint32_t n, cudaStream_t stream);

// Every 3x3 conv's demodulation: d[image][k] = 1 / sqrt(sum_ci st[ci]^2 wsq[ci] + 1e-8).
struct DemodArgs {
    uint32_t rows, styleRows;
    const float* weightSq;        // rows of [cin]: sum over the taps of weight^2
    const uint32_t* rowOffset;    // [rows] into weightSq
    const uint32_t* rowInputs;    // [rows] cin
    const uint32_t* styleOffset;  // [rows] the conv's first style
    const float* styles;
    float* demod;                 // [n][rows]
};
void launchDemod(const DemodArgs& args, uint32_t n, cudaStream_t stream);

// [SECTION] Noise and input ------------------------------------------------------------

// Every conv layer's noise map, [image][layer's H x W, concatenated by layer].
struct NoiseArgs {
    uint32_t layers;
    uint32_t offset[kMaxConvLayers + 1];  // of each layer's map; offset[layers] = total
    float strength[kMaxConvLayers];       // the learned noise_strength of each layer
    RequestView request;
    float* noise;
};
void launchNoise(const NoiseArgs& args, uint32_t n, cudaStream_t stream);

// const input: out[image][c] = input[c] * styles[image][styleOffset + c] (4x4).
void launchConstInput(const float* input, uint32_t channels, const float* styles, uint32_t styleRows,
                      uint32_t styleOffset, float* out, uint32_t n, cudaStream_t stream);

// spatial input: the Philox grid, then its 1x1 projection scaled by the styles.
void launchSpatialGrid(RequestView request, uint32_t channels, uint32_t h, uint32_t w, float* grid, uint32_t n,
                       cudaStream_t stream);
struct ProjectArgs {
    uint32_t inChannels, outChannels, pixels, styleRows, styleOffset;
    uint32_t gridW, period;  // period 0: no periodic input
    const RequestScalars* scalars;  // its periodicOffset
    const float* weight;  // [out][in]
    const float* bias;    // [out]
    const float* periodic;  // [out][period][period] or null
    const float* grid;    // [n][in][pixels]
    const float* styles;
    float* out;           // [n][out][pixels]
};
void launchSpatialProject(const ProjectArgs& args, uint32_t n, cudaStream_t stream);

// [SECTION] Synthesis layers ----------------------------------------------------------

// out = up2x(in) * styles[image][styleOffset + c]; in is h x w, out 2h x 2w.
struct UpsampleArgs {
    uint32_t channels, h, w, wrap, styleRows, styleOffset;
    const float* in;
    const float* styles;
    float* out;
};
void launchUpsample(const UpsampleArgs& args, uint32_t n, cudaStream_t stream);

// out(co, p) = act(conv(co, p) * demod + noiseScale * noise[p] + bias) [* scale],
// noiseScale = noiseStrength * the request's noise strength.
struct ConvArgs {
    uint32_t cin, cout, coutPad, h, w, wrap;
    const float* in;          // [n][cin][h][w], already multiplied by the styles
    const float* weight;      // [cinPad * 9][coutPad], row k = ci * 9 + ky * 3 + kx
    const float* bias;        // [cout]
    const float* demod;       // image i at demod + i * demodRows
    uint32_t demodRows;
    const float* noise;       // image i's map at noise + i * noiseStride
    uint32_t noiseStride;
    float noiseStrength;
    const RequestScalars* scalars;
    const float* scale;       // the next conv's styles, image i at scale + i * styleRows; or null
    uint32_t styleRows;
    float* out;               // [n][cout][h][w]
};
void launchConv3x3(const ConvArgs& args, uint32_t n, cudaStream_t stream);

// img[co] = (up2x(prev) +) sum_ci (weight[co][ci] * st[ci]) * x[ci] + bias[co].
struct ToRgbArgs {
    uint32_t cin, channels, h, w, wrap, styleRows, styleOffset;
    const float* x;       // [n][cin][h][w]
    const float* weight;  // [channels][cin]
    const float* bias;    // [channels]
    const float* styles;
    const float* prev;    // [n][channels][h/2][w/2], or null in the first block
    float* img;           // [n][channels][h][w]
};
void launchToRgb(const ToRgbArgs& args, uint32_t n, cudaStream_t stream);

// [SECTION] Output ------------------------------------------------------------------------

// RGBA floats, [n][h][w][4]: v = clamp((img + 1) / 2, 0, 1), rgb <= a, a = 1 without alpha.
void launchDecode(const float* img, uint32_t channels, uint32_t pixels, float* out, uint32_t n, cudaStream_t stream);

// Image i of a batch written into its Vulkan image through a surface.
struct SurfaceTarget {
    cudaSurfaceObject_t surface;  // of the target's mip level
    uint32_t layered;             // the level is a layered array
    uint32_t layer;
    uint32_t x, y;                // top-left texel
    uint32_t encoding;            // SgpPixelEncoding
};
void launchEncodeToSurfaces(const float* rgba, const SurfaceTarget* targets, uint32_t h, uint32_t w,
                            bool straightAlpha, uint32_t n, cudaStream_t stream);

// A kernel that does nothing: launching it checks the device can run this build's code.
cudaError_t probeKernelImage();

}  // namespace sg::cuda
