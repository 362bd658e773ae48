#include "dcgan.hpp"

namespace sgt {

namespace nn = torch::nn;

int64_t DcganOptions::upsamplings() const {
    int64_t n = 0;
    while ((int64_t(4) << n) < resolution())
        ++n;
    return n;
}

std::string DcganOptions::validate() const {
    if (resolution() < 8 || (resolution() & (resolution() - 1)) != 0)
        return "DCGAN resolution must be a power of two >= 8";
    if (imgChannels() != 3 && imgChannels() != 4)
        return "image channels must be 3 or 4";
    if (styleCount() < 1 || zDim() < 1 || width() < 1)
        return "style count, z size and width must be positive";
    return {};
}

namespace {
torch::Tensor oneHot(const torch::Tensor& styles, int64_t count) {
    return torch::one_hot(styles, count).to(torch::kFloat32);
}
}  // namespace

// Channels halve at each upsampling, ending at `width` before the output layer:
// for 64x64, (z + styles) -> 512 @4 -> 256 @8 -> 128 @16 -> 64 @32 -> C @64.
DcganGeneratorImpl::DcganGeneratorImpl(const DcganOptions& o) : options(o) {
    const int64_t n = o.upsamplings();
    int64_t channels = o.width() << (n - 1);
    net = nn::Sequential(
        nn::ConvTranspose2d(nn::ConvTranspose2dOptions(o.zDim() + o.styleCount(), channels, 4).bias(false)),
        nn::BatchNorm2d(channels), nn::ReLU(true));
    for (int64_t i = 1; i < n; ++i) {
        net->push_back(nn::ConvTranspose2d(
            nn::ConvTranspose2dOptions(channels, channels / 2, 4).stride(2).padding(1).bias(false)));
        channels /= 2;
        net->push_back(nn::BatchNorm2d(channels));
        net->push_back(nn::ReLU(true));
    }
    net->push_back(nn::ConvTranspose2d(nn::ConvTranspose2dOptions(channels, o.imgChannels(), 4).stride(2).padding(1)));
    net->push_back(nn::Tanh());
    register_module("net", net);
    dcganInit(*this);
}

torch::Tensor DcganGeneratorImpl::forward(const torch::Tensor& z, const torch::Tensor& styles) {
    auto input = torch::cat({z, oneHot(styles, options.styleCount())}, 1);
    return net->forward(input.view({input.size(0), input.size(1), 1, 1}));
}

// The generator mirrored: C + styles @R -> width @R/2 -> ... -> 8*width @4 -> logit.
DcganDiscriminatorImpl::DcganDiscriminatorImpl(const DcganOptions& o) : options(o) {
    const int64_t n = o.upsamplings();
    int64_t channels = o.width();
    net = nn::Sequential(
        nn::Conv2d(nn::Conv2dOptions(o.imgChannels() + o.styleCount(), channels, 4).stride(2).padding(1).bias(false)),
        nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2).inplace(true)));
    for (int64_t i = 1; i < n; ++i) {
        net->push_back(nn::Conv2d(nn::Conv2dOptions(channels, channels * 2, 4).stride(2).padding(1).bias(false)));
        channels *= 2;
        net->push_back(nn::BatchNorm2d(channels));
        net->push_back(nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2).inplace(true)));
    }
    net->push_back(nn::Conv2d(nn::Conv2dOptions(channels, 1, 4)));
    register_module("net", net);
    dcganInit(*this);
}

torch::Tensor DcganDiscriminatorImpl::forward(const torch::Tensor& images, const torch::Tensor& styles) {
    const int64_t r = images.size(2);
    auto planes = oneHot(styles, options.styleCount()).view({images.size(0), -1, 1, 1}).expand({-1, -1, r, r});
    return net->forward(torch::cat({images, planes}, 1)).view({-1});
}

void dcganInit(torch::nn::Module& module) {
    torch::NoGradGuard noGrad;
    for (auto& m : module.modules(/*include_self=*/false)) {
        if (auto* bn = m->as<nn::BatchNorm2d>()) {
            bn->weight.normal_(1.0, 0.02);
            bn->bias.zero_();
        } else if (auto* conv = m->as<nn::Conv2d>()) {
            conv->weight.normal_(0.0, 0.02);
            if (conv->bias.defined())
                conv->bias.zero_();
        } else if (auto* convT = m->as<nn::ConvTranspose2d>()) {
            convT->weight.normal_(0.0, 0.02);
            if (convT->bias.defined())
                convT->bias.zero_();
        }
    }
}

}  // namespace sgt
