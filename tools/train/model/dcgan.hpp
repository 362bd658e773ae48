// dcgan.hpp - the classic conditional DCGAN (Radford, Metz & Chintala 2015),
// the baseline the StyleGAN2-style generator is measured against
// (docs/quality.md).
//
//   DcganGenerator g(DcganOptions().resolution(64).imgChannels(4).styleCount(11));
//   auto img = g->forward(torch::randn({n, 100}), styles);  // [n, 4, 64, 64] in [-1, 1]
//   DcganDiscriminator d(g->options);
//   auto logits = d->forward(img, styles);                   // [n]
//
// As in the paper: transposed 4x4 convolutions with stride 2, batch norm in
// both networks (not on G's output nor D's input), ReLU in G, LeakyReLU 0.2
// in D, tanh output. Conditioning as in conditional GANs of that time (Mirza &
// Osindero 2014): a one-hot style concatenated to z, and one-hot style planes
// concatenated to D's input image.
#pragma once

#include <torch/torch.h>

namespace sgt {

struct DcganOptions {
    TORCH_ARG(int64_t, resolution) = 64;  // a power of two >= 8
    TORCH_ARG(int64_t, imgChannels) = 4;
    TORCH_ARG(int64_t, styleCount) = 1;
    TORCH_ARG(int64_t, zDim) = 100;
    TORCH_ARG(int64_t, width) = 64;  // ngf = ndf: channels of the highest-resolution layer

public:
    int64_t upsamplings() const;    // log2(resolution) - 2: 4x4 -> resolution
    std::string validate() const;   // empty when valid, else the reason
};

class DcganGeneratorImpl : public torch::nn::Module {
public:
    explicit DcganGeneratorImpl(const DcganOptions& options);
    // z [N, zDim], styles [N] int64 -> images [N, imgChannels, R, R] in [-1, 1]
    torch::Tensor forward(const torch::Tensor& z, const torch::Tensor& styles);

    DcganOptions options;
    torch::nn::Sequential net{nullptr};
};
TORCH_MODULE(DcganGenerator);

class DcganDiscriminatorImpl : public torch::nn::Module {
public:
    explicit DcganDiscriminatorImpl(const DcganOptions& options);
    // images [N, imgChannels, R, R] in [-1, 1], styles [N] int64 -> logits [N]
    torch::Tensor forward(const torch::Tensor& images, const torch::Tensor& styles);

    DcganOptions options;
    torch::nn::Sequential net{nullptr};
};
TORCH_MODULE(DcganDiscriminator);

// The paper's initialisation: conv weights N(0, 0.02), batch-norm scales
// N(1, 0.02), biases 0.
void dcganInit(torch::nn::Module& module);

}  // namespace sgt
