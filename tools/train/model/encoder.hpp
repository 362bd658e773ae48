// encoder.hpp - the restyle encoder (docs/generator.md, "Encoder"): image ->
// w+ (one w per synthesis layer) and, for scene models, the spatial input grid.
//
//   Encoder e(generatorOptions, defaultEncoderChannels(generatorOptions));
//   auto code = e->forward(images);          // images [N, imgChannels, H, W] in [-1, 1]
//   SynthesisInputs in = philoxInputs(o, {reconstructionNoiseSeed}, h, w, 1.0f);  // fixed noise
//   in.spatial = code.spatial;                // scene models
//   auto rec = g->synthesis->forward(code.ws, in);
//
// Like pSp's encoder (Richardson et al. 2021, "Encoding in Style") a
// convolutional pyramid maps the image into StyleGAN's extended latent space
// W+; unlike pSp one linear map reads every w from the coarsest features, which
// keeps the network small enough for the CPU backends. It is fully
// convolutional up to that map, so a scene encoder reads any size: its w+
// comes from the features' mean over positions and its grid from each position.
// Layers use the equalized learning rate; effectiveTensors() gives the .sgm's
// effective weights.
#pragma once

#include "generator.hpp"

#include <string>
#include <utility>
#include <vector>

namespace sgt {

// E0 .. ES for S = blockCount - 1 stages: the generator's channels reversed,
// so stage s works at the width of the generator block of its resolution.
std::vector<int64_t> defaultEncoderChannels(const GeneratorOptions& generator);
// Empty when `channels` fits the generator, else the reason.
std::string validateEncoderChannels(const GeneratorOptions& generator, const std::vector<int64_t>& channels);

struct EncoderOutput {
    torch::Tensor ws;       // [N, numWs, wDim]
    torch::Tensor spatial;  // [N, spatialChannels, H / block, W / block]; undefined for const-input models
};

class EncoderStageImpl : public torch::nn::Module {
public:
    EncoderStageImpl(int64_t in, int64_t out, Padding padding);
    torch::Tensor forward(const torch::Tensor& x);  // [N, in, H, W] -> [N, out, H/2, W/2]

    EqualConv2d conv{nullptr}, down{nullptr};
};
TORCH_MODULE(EncoderStage);

class EncoderImpl : public torch::nn::Module {
public:
    // `meanW` [wDim]: every layer's w starts there (the wplus map starts at
    // zero), so the untrained encoder reconstructs every image as the average one.
    EncoderImpl(const GeneratorOptions& generator, const std::vector<int64_t>& channels, const torch::Tensor& meanW);
    EncoderOutput forward(const torch::Tensor& images);
    // The .sgm tensors "encoder.*" (docs/generator.md), effective weights, in table order.
    std::vector<std::pair<std::string, torch::Tensor>> effectiveTensors() const;

    GeneratorOptions generator;
    std::vector<int64_t> channels;
    EqualConv2d fromRgb{nullptr};
    std::vector<EncoderStage> stages;
    EqualLinear wplus{nullptr};
    EqualConv2d spatial{nullptr};  // scene models
};
TORCH_MODULE(Encoder);

}  // namespace sgt
