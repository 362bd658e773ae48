#include "encoder.hpp"

namespace sgt {

std::vector<int64_t> defaultEncoderChannels(const GeneratorOptions& g) {
    return std::vector<int64_t>(g.channels().rbegin(), g.channels().rend());
}

std::string validateEncoderChannels(const GeneratorOptions& g, const std::vector<int64_t>& channels) {
    if (int64_t(channels.size()) != g.blockCount())
        return "the encoder needs " + std::to_string(g.blockCount()) + " channel counts (one per stage and one for " +
               "the last features) for a " + std::to_string(g.blockCount()) + "-block generator";
    for (auto c : channels)
        if (c < 1 || c > 1024)
            return "encoder channels must be in 1..1024";
    return {};
}

EncoderStageImpl::EncoderStageImpl(int64_t in, int64_t out, Padding padding) {
    conv = register_module("conv", EqualConv2d(EqualConv2dOptions(in, in, 3).padding(padding)));
    down = register_module("down", EqualConv2d(EqualConv2dOptions(in, out, 3).stride(2).padding(padding)));
}

torch::Tensor EncoderStageImpl::forward(const torch::Tensor& x) { return down->forward(conv->forward(x)); }

EncoderImpl::EncoderImpl(const GeneratorOptions& o, const std::vector<int64_t>& ch, const torch::Tensor& meanW)
    : generator(o), channels(ch) {
    fromRgb = register_module("fromrgb", EqualConv2d(EqualConv2dOptions(o.imgChannels(), ch[0], 1)));
    for (size_t s = 0; s + 1 < ch.size(); ++s)
        stages.push_back(register_module("s" + std::to_string(s), EncoderStage(ch[s], ch[s + 1], o.padding())));
    const int64_t features = o.spatialInput() ? ch.back() : ch.back() * 16;
    wplus = register_module("wplus", EqualLinear(EqualLinearOptions(features, o.numWs() * o.wDim())));
    if (o.spatialInput())
        spatial = register_module(
            "spatial", EqualConv2d(EqualConv2dOptions(ch.back(), o.spatialChannels(), 1).activation(false)));
    torch::NoGradGuard noGrad;
    wplus->weight.zero_();
    wplus->bias.copy_(meanW.reshape({1, o.wDim()}).repeat({o.numWs(), 1}).flatten() / wplus->biasGain);
}

EncoderOutput EncoderImpl::forward(const torch::Tensor& images) {
    auto h = fromRgb->forward(images);
    for (auto& stage : stages)
        h = stage->forward(h);
    EncoderOutput out;
    auto p = generator.spatialInput() ? h.mean({2, 3}) : h.flatten(1);
    out.ws = wplus->forward(p).view({-1, generator.numWs(), generator.wDim()});
    if (generator.spatialInput())
        out.spatial = spatial->forward(h);
    return out;
}

std::vector<std::pair<std::string, torch::Tensor>> EncoderImpl::effectiveTensors() const {
    std::vector<std::pair<std::string, torch::Tensor>> out;
    auto conv = [&out](const std::string& name, const EqualConv2d& c) {
        out.emplace_back(name + ".weight", c->effectiveWeight());
        out.emplace_back(name + ".bias", c->bias);
    };
    conv("encoder.fromrgb", fromRgb);
    for (size_t s = 0; s < stages.size(); ++s) {
        conv("encoder.s" + std::to_string(s) + ".conv", stages[s]->conv);
        conv("encoder.s" + std::to_string(s) + ".down", stages[s]->down);
    }
    out.emplace_back("encoder.wplus.weight", wplus->effectiveWeight());
    out.emplace_back("encoder.wplus.bias", wplus->effectiveBias());
    if (generator.spatialInput())
        conv("encoder.spatial", spatial);
    return out;
}

}  // namespace sgt
