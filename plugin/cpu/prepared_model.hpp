// prepared_model.hpp - a model's weights in the CPU backend's own layout.
//
//   std::string error;
//   std::unique_ptr<PreparedModel> model = prepareModel(desc, &error);  // null + error if invalid
//
// prepareModel checks the architecture and every tensor docs/generator.md
// requires (name and exact shape), then copies the weights into layouts that
// let the kernels' inner loops run over contiguous memory (kernels.hpp). The
// result is immutable: generate() reads it from many threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "stylegen_plugin.h"

namespace sg::cpu {

// y = W x + b with W stored transposed ([in][out]) so the product is a chain of
// axpy updates over contiguous outputs (vectorises, fixed summation order).
struct DenseLayer {
    uint32_t in = 0;
    uint32_t out = 0;
    std::vector<float> weightT;  // [in][out]
    std::vector<float> bias;     // [out]
};

// One modulated convolution (3x3 conv or 1x1 toRGB) and where its inputs live.
struct ModConv {
    uint32_t cin = 0;
    uint32_t cout = 0;
    uint32_t kernel = 0;       // 3 or 1
    uint32_t wLayer = 0;       // which of the 2B w layers modulates it
    uint32_t noiseLayer = 0;   // conv layer index of the noise stream (3x3 only)
    uint32_t styleOffset = 0;  // of its styles in an image's style buffer (cin floats)
    uint32_t demodOffset = 0;  // of its demodulation coefficients (cout floats, 3x3 only)
    DenseLayer affine;         // w -> styles
    bool winograd = false;     // 3x3 computed by the Winograd kernel (kernels.hpp's useWinograd)
    // 3x3: packed by kernels.hpp's packWinogradWeights or packConv3x3Weights;
    // 1x1: [cout][cin] as in the file.
    std::vector<float> weight;
    std::vector<float> weightSqT;  // 3x3: [cin][cout], sum over the 9 taps of weight^2
    std::vector<float> bias;       // [cout]
    float noiseStrength = 0.0f;    // 3x3: the learned P.noise_strength
};

struct Block {
    ModConv conv0;       // b > 0 only (after the upsample); cin == 0 in block 0
    ModConv conv1;
    ModConv toRgb;
};

// A plain (unmodulated) convolution of the encoder: [cout][cin][kernel][kernel] as in the file.
struct EncoderConv {
    uint32_t cin = 0;
    uint32_t cout = 0;
    uint32_t kernel = 0;  // 3 or 1
    std::vector<float> weight;
    std::vector<float> bias;  // [cout]
};

// docs/generator.md, "Encoder": fromRGB, then per stage a 3x3 conv and a 3x3
// stride-2 conv, then w+ (and the spatial input grid) from the last activations.
struct Encoder {
    EncoderConv fromRgb;
    std::vector<EncoderConv> stages;  // [2 * stage] conv, [2 * stage + 1] down
    DenseLayer wPlus;                 // pooled activations -> [2 * blockCount][w_dim]
    EncoderConv spatial;              // spatial-input models only (cin == 0 otherwise)
};

struct PreparedModel {
    SgpArchitecture arch{};
    std::vector<float> embed;         // [S][embed_dim]
    std::vector<float> wAvg;          // [S][w_dim]
    std::vector<DenseLayer> mapping;  // mapping_layers
    std::vector<float> inputConst;    // const input: [C0][4][4]
    DenseLayer inputSpatial;          // spatial input: spatial_channels -> C0
    std::vector<float> inputPeriodic; // periodic input (arch.inputPeriod P > 0): [C0][P][P]
    std::vector<Block> blocks;
    std::vector<const ModConv*> modConvs;  // every modconv of blocks, in layer order
    uint32_t styleFloats = 0;  // per image: all modconvs' styles
    uint32_t demodFloats = 0;  // per image: all 3x3 convs' demodulation coefficients
    Encoder encoder;           // arch.encoderStageCount > 0 only
};

std::unique_ptr<PreparedModel> prepareModel(const SgpModelDesc& desc, std::string* error);

}  // namespace sg::cpu
