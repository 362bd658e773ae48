// generator.hpp - the StyleGAN2-style conditional generator (docs/generator.md).
//
//   Generator g(GeneratorOptions().styleCount(11));
//   auto w   = g->mapping->forward(z, styles);              // [N, wDim]
//   auto ws  = w.unsqueeze(1).repeat({1, g->numWs(), 1});   // w+ : one w per layer
//   auto img = g->synthesis->forward(ws, SynthesisInputs::random(g->options, n, ws.device()));
//
// Module and parameter names are the .sgm tensor names (sgm_io.cpp).
#pragma once

#include "layers.hpp"

#include <string>
#include <vector>

namespace sgt {

enum class ModelKind { Character, Scene };

struct GeneratorOptions {
    TORCH_ARG(ModelKind, kind) = ModelKind::Character;
    TORCH_ARG(int64_t, resolution) = 64;
    TORCH_ARG(int64_t, imgChannels) = 4;
    TORCH_ARG(int64_t, zDim) = 64;
    TORCH_ARG(int64_t, embedDim) = 64;
    TORCH_ARG(int64_t, wDim) = 128;
    TORCH_ARG(int64_t, mappingLayers) = 4;
    TORCH_ARG(std::vector<int64_t>, channels) = std::vector<int64_t>{128, 128, 64, 32, 16};
    TORCH_ARG(int64_t, spatialChannels) = 8;  // scene models only
    // Scene models: add a learned input one training tile wide, repeated over
    // the grid (docs/generator.md "Input"), so the generator can draw a
    // pattern that is locked to the tile, like one carved block per tile.
    TORCH_ARG(bool, periodicInput) = false;
    TORCH_ARG(int64_t, styleCount) = 1;

public:  // TORCH_ARG leaves the section private
    bool spatialInput() const { return kind() == ModelKind::Scene; }
    Padding padding() const { return kind() == ModelKind::Scene ? Padding::Circular : Padding::Zero; }
    int64_t blockCount() const;  // log2(resolution) - 1
    int64_t numWs() const { return 2 * blockCount(); }
    int64_t blockSize() const { return resolution() / 4; }
    int64_t inputPeriod() const { return periodicInput() ? resolution() / blockSize() : 0; }  // grid cells
    // Where generated images start in the periodic input: half a period, so the
    // wrap seam runs through the middle of the tile-locked pattern instead of
    // along its borders. Training and restyle use 0, the training tiles' alignment.
    int64_t periodicOffset() const { return inputPeriod() / 2; }
    std::string validate() const;  // empty when valid, else the reason
};

/// Mapping network: (z, style) -> w. The style enters through a learned
/// embedding, normalised like z (StyleGAN2-ADA's conditioning).
class MappingNetworkImpl : public torch::nn::Module {
public:
    explicit MappingNetworkImpl(const GeneratorOptions& options);
    // z [N, zDim], styles [N] int64 -> w [N, wDim]
    torch::Tensor forward(const torch::Tensor& z, const torch::Tensor& styles);

    GeneratorOptions options;
    torch::Tensor embed;  // [styleCount, embedDim], tensor "mapping.embed.weight"
    std::vector<EqualLinear> fc;
};
TORCH_MODULE(MappingNetwork);

/// Noise and spatial input for one synthesis pass; undefined tensors mean "none".
struct SynthesisInputs {
    torch::Tensor spatial;             // [N, spatialChannels, H/block, W/block], scene models
    std::vector<torch::Tensor> noise;  // per conv layer [N, 1, H_l, W_l]; empty: no noise
    int64_t periodicOffset = 0;        // periodic-input models: grid cell (0, 0) takes the periodic cell (o, o)
    // Fresh N(0,1) noise and spatial input on `device` for an image of height x width (0: resolution).
    static SynthesisInputs random(const GeneratorOptions& options, int64_t n, torch::Device device, int64_t height = 0,
                                  int64_t width = 0);
    SynthesisInputs to(torch::Device device) const;
};

class SynthesisBlockImpl : public torch::nn::Module {
public:
    SynthesisBlockImpl(const GeneratorOptions& options, int64_t inChannels, int64_t outChannels, bool first);
    // ws [N, 3, wDim]: w for conv0 (unused by the first block), conv1, toRGB.
    void forward(torch::Tensor& x, torch::Tensor& img, const torch::Tensor& ws, const torch::Tensor& noise0,
                 const torch::Tensor& noise1);

    bool first;
    Padding padding;
    ModulatedConv2d conv0{nullptr}, conv1{nullptr}, torgb{nullptr};
};
TORCH_MODULE(SynthesisBlock);

/// Synthesis network: w+ [N, numWs, wDim] -> image [N, imgChannels, H, W] in [-1, 1].
class SynthesisNetworkImpl : public torch::nn::Module {
public:
    explicit SynthesisNetworkImpl(const GeneratorOptions& options);
    torch::Tensor forward(const torch::Tensor& ws, const SynthesisInputs& inputs);

    GeneratorOptions options;
    torch::Tensor inputConst;                                  // const input: [C0, 4, 4]
    torch::Tensor inputWeight, inputBias;                      // spatial input: [C0, S], [C0]
    torch::Tensor inputPeriodic;                               // periodic input: [C0, P, P]
    double inputGain = 1.0;
    std::vector<SynthesisBlock> blocks;
};
TORCH_MODULE(SynthesisNetwork);

class GeneratorImpl : public torch::nn::Module {
public:
    explicit GeneratorImpl(const GeneratorOptions& options);
    // One w per image broadcast to every layer; with `mixProbability`, a second
    // latent takes over from a random layer (style-mixing regularisation).
    torch::Tensor forward(const torch::Tensor& z, const torch::Tensor& styles, double mixProbability = 0.0);
    int64_t numWs() const { return options.numWs(); }

    GeneratorOptions options;
    MappingNetwork mapping{nullptr};
    SynthesisNetwork synthesis{nullptr};
};
TORCH_MODULE(Generator);

// Conv layer index (noise stream, docs/generator.md) of block b's conv0 / conv1.
inline int64_t conv0Layer(int64_t block) { return 2 * block - 1; }
inline int64_t conv1Layer(int64_t block) { return block == 0 ? 0 : 2 * block; }
// Number of modulated 3x3 conv layers.
inline int64_t convLayerCount(const GeneratorOptions& o) { return 2 * o.blockCount() - 1; }

}  // namespace sgt
