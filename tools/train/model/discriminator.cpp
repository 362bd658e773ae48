#include "discriminator.hpp"

#include <cmath>
#include <utility>

namespace sgt {

torch::Tensor minibatchStddev(const torch::Tensor& x, int64_t groupSize) {
    const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
    int64_t g = std::min(groupSize, n);
    while (n % g != 0)
        --g;
    auto y = x.reshape({g, n / g, c, h, w});
    y = (y - y.mean(0)).square().mean(0);           // variance over the group
    y = (y + 1e-8).sqrt().mean({1, 2, 3});          // [n/g]
    y = y.reshape({-1, 1, 1, 1}).repeat({g, 1, h, w});
    return torch::cat({x, y}, 1);
}

DiscriminatorBlockImpl::DiscriminatorBlockImpl(int64_t in, int64_t out, Padding padding) {
    conv0 = register_module("conv0", EqualConv2d(EqualConv2dOptions(in, in, 3).padding(padding)));
    conv1 = register_module("conv1", EqualConv2d(EqualConv2dOptions(in, out, 3).padding(padding)));
    skip = register_module("skip", EqualConv2d(EqualConv2dOptions(in, out, 1).bias(false).activation(false)));
}

torch::Tensor DiscriminatorBlockImpl::forward(const torch::Tensor& x) {
    auto y = torch::avg_pool2d(conv1->forward(conv0->forward(x)), 2);
    auto s = skip->forward(torch::avg_pool2d(x, 2));
    return (y + s) * std::sqrt(0.5);
}

DiscriminatorImpl::DiscriminatorImpl(const GeneratorOptions& o, std::vector<int64_t> widths)
    : options(o), channels(widths.empty() ? o.channels() : std::move(widths)) {
    const auto& ch = channels;
    const int64_t top = o.blockCount() - 1;
    fromRgb = register_module("from_rgb", EqualConv2d(EqualConv2dOptions(o.imgChannels(), ch[top], 1)));
    for (int64_t b = top; b > 0; --b)
        blocks.push_back(register_module("b" + std::to_string(4 << b), DiscriminatorBlock(ch[b], ch[b - 1], o.padding())));
    epilogueConv = register_module("epilogue_conv", EqualConv2d(EqualConv2dOptions(ch[0] + 1, ch[0], 3).padding(o.padding())));
    epilogueFc = register_module("epilogue_fc", EqualLinear(EqualLinearOptions(ch[0] * 16, ch[0]).activation(true)));
    out = register_module("out", EqualLinear(EqualLinearOptions(ch[0], 1)));
    styleEmbed = register_parameter("style_embed", torch::randn({o.styleCount(), ch[0]}));
}

std::vector<torch::Tensor> DiscriminatorImpl::features(const torch::Tensor& images) {
    std::vector<torch::Tensor> out{fromRgb->forward(images)};
    for (auto& block : blocks)
        out.push_back(block->forward(out.back()));
    return out;
}

torch::Tensor DiscriminatorImpl::forward(const torch::Tensor& images, const torch::Tensor& styles) {
    auto x = features(images).back();
    x = epilogueConv->forward(minibatchStddev(x));
    auto h = epilogueFc->forward(x.flatten(1));                                // [N, C0]
    auto projection = (h * styleEmbed.index_select(0, styles)).sum(1) / std::sqrt(double(h.size(1)));
    return out->forward(h).squeeze(1) + projection;
}

}  // namespace sgt
