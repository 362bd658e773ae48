// discriminator.hpp - residual StyleGAN2 discriminator with minibatch standard
// deviation and projection conditioning on the style (Miyato & Koyama 2018).
//
//   Discriminator d(generatorOptions);           // or (generatorOptions, widths)
//   auto logits = d->forward(images, styles);   // [N]
//
// Its channel widths mirror the generator's unless given (--d-channels);
// scene models pad circularly so the discriminator sees across the wrap seam
// and punishes visible seams.
#pragma once

#include "generator.hpp"

namespace sgt {

class DiscriminatorBlockImpl : public torch::nn::Module {
public:
    DiscriminatorBlockImpl(int64_t in, int64_t out, Padding padding);
    torch::Tensor forward(const torch::Tensor& x);

    EqualConv2d conv0{nullptr}, conv1{nullptr}, skip{nullptr};
};
TORCH_MODULE(DiscriminatorBlock);

class DiscriminatorImpl : public torch::nn::Module {
public:
    // channels: widths per resolution 4, 8, ..., R (empty: the generator's)
    explicit DiscriminatorImpl(const GeneratorOptions& options, std::vector<int64_t> channels = {});
    // images [N, imgChannels, R, R] in [-1, 1], styles [N] int64 -> logits [N]
    torch::Tensor forward(const torch::Tensor& images, const torch::Tensor& styles);
    // The activations before the epilogue: fromRGB's at R, then each block's
    // at R/2 .. 4. The encoder's perceptual loss compares them.
    std::vector<torch::Tensor> features(const torch::Tensor& images);

    GeneratorOptions options;
    std::vector<int64_t> channels;
    EqualConv2d fromRgb{nullptr};
    std::vector<DiscriminatorBlock> blocks;  // resolution R down to 8
    EqualConv2d epilogueConv{nullptr};
    EqualLinear epilogueFc{nullptr}, out{nullptr};
    torch::Tensor styleEmbed;  // [styleCount, C0]: the projection
};
TORCH_MODULE(Discriminator);

// Minibatch standard deviation (ProGAN): one extra feature map holding the
// spread of features across a group of samples, so the discriminator can see
// a lack of variety.
torch::Tensor minibatchStddev(const torch::Tensor& x, int64_t groupSize = 4);

}  // namespace sgt
