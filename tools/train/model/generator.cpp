#include "generator.hpp"

#include <cmath>

namespace sgt {

int64_t GeneratorOptions::blockCount() const {
    int64_t n = 0;
    for (int64_t r = 4; r <= resolution(); r *= 2)
        ++n;
    return n;
}

std::string GeneratorOptions::validate() const {
    int64_t r = resolution();
    if (r < 8 || r > 1024 || (r & (r - 1)) != 0)
        return "resolution must be a power of two in 8..1024";
    if (int64_t(channels().size()) != blockCount())
        return "channels needs one entry per block (" + std::to_string(blockCount()) + " for resolution " +
               std::to_string(r) + ")";
    for (auto c : channels())
        if (c < 1 || c > 1024)
            return "channels must be in 1..1024";
    if (imgChannels() != 3 && imgChannels() != 4)
        return "imgChannels must be 3 or 4";
    if (styleCount() < 1 || styleCount() > 256)
        return "styleCount must be in 1..256";
    if (zDim() < 1 || embedDim() < 1 || wDim() < 1 || mappingLayers() < 1)
        return "zDim, embedDim, wDim and mappingLayers must be positive";
    if (periodicInput() && !spatialInput())
        return "a periodic input needs a spatial input (scene models)";
    return {};
}

// --- Mapping -----------------------------------------------------------------

MappingNetworkImpl::MappingNetworkImpl(const GeneratorOptions& o) : options(o) {
    embed = register_parameter("embed", torch::randn({o.styleCount(), o.embedDim()}));
    for (int64_t i = 0; i < o.mappingLayers(); ++i) {
        int64_t in = i == 0 ? o.zDim() + o.embedDim() : o.wDim();
        // lr 0.01: the mapping learns slowly, as in StyleGAN.
        fc.push_back(register_module("fc" + std::to_string(i),
                                     EqualLinear(EqualLinearOptions(in, o.wDim()).activation(true).lrMultiplier(0.01))));
    }
}

torch::Tensor MappingNetworkImpl::forward(const torch::Tensor& z, const torch::Tensor& styles) {
    auto x = torch::cat({normalize2ndMoment(z), normalize2ndMoment(embed.index_select(0, styles))}, 1);
    for (auto& layer : fc)
        x = layer->forward(x);
    return x;
}

// --- Synthesis ---------------------------------------------------------------

SynthesisInputs SynthesisInputs::random(const GeneratorOptions& o, int64_t n, torch::Device device, int64_t height,
                                        int64_t width) {
    if (height == 0)
        height = o.resolution();
    if (width == 0)
        width = o.resolution();
    SynthesisInputs in;
    int64_t gh = height / o.blockSize(), gw = width / o.blockSize();
    const auto on = torch::TensorOptions().device(device);
    if (o.spatialInput())
        in.spatial = torch::randn({n, o.spatialChannels(), gh, gw}, on);
    in.noise.resize(convLayerCount(o));
    for (int64_t b = 0; b < o.blockCount(); ++b) {
        int64_t s = int64_t(1) << b;
        if (b > 0)
            in.noise[conv0Layer(b)] = torch::randn({n, 1, gh * s, gw * s}, on);
        in.noise[conv1Layer(b)] = torch::randn({n, 1, gh * s, gw * s}, on);
    }
    return in;
}

SynthesisInputs SynthesisInputs::to(torch::Device device) const {
    SynthesisInputs out;
    out.periodicOffset = periodicOffset;
    if (spatial.defined())
        out.spatial = spatial.to(device);
    for (const auto& map : noise)
        out.noise.push_back(map.defined() ? map.to(device) : map);
    return out;
}

SynthesisBlockImpl::SynthesisBlockImpl(const GeneratorOptions& o, int64_t in, int64_t out, bool isFirst)
    : first(isFirst), padding(o.padding()) {
    if (!first)
        conv0 = register_module("conv0", ModulatedConv2d(ModulatedConv2dOptions(o.wDim(), in, out, 3).padding(padding)));
    conv1 = register_module("conv1", ModulatedConv2d(ModulatedConv2dOptions(o.wDim(), first ? in : out, out, 3).padding(padding)));
    torgb = register_module("torgb", ModulatedConv2d(ModulatedConv2dOptions(o.wDim(), out, o.imgChannels(), 1)));
}

void SynthesisBlockImpl::forward(torch::Tensor& x, torch::Tensor& img, const torch::Tensor& ws,
                                 const torch::Tensor& noise0, const torch::Tensor& noise1) {
    if (!first)
        x = conv0->forward(upsample2x(x, padding), ws.select(1, 0), noise0);
    x = conv1->forward(x, ws.select(1, 1), noise1);
    auto rgb = torgb->forward(x, ws.select(1, 2));
    img = img.defined() ? upsample2x(img, padding) + rgb : rgb;
}

SynthesisNetworkImpl::SynthesisNetworkImpl(const GeneratorOptions& o) : options(o) {
    const auto& ch = o.channels();
    if (o.spatialInput()) {
        inputWeight = register_parameter("input_weight", torch::randn({ch[0], o.spatialChannels()}));
        inputBias = register_parameter("input_bias", torch::zeros({ch[0]}));
        inputGain = 1.0 / std::sqrt(double(o.spatialChannels()));
        if (o.periodicInput())
            inputPeriodic =
                register_parameter("input_periodic", torch::randn({ch[0], o.inputPeriod(), o.inputPeriod()}));
    } else {
        inputConst = register_parameter("input_const", torch::randn({ch[0], 4, 4}));
    }
    for (int64_t b = 0; b < o.blockCount(); ++b) {
        int64_t in = b == 0 ? ch[0] : ch[b - 1];
        blocks.push_back(register_module("b" + std::to_string(4 << b), SynthesisBlock(o, in, ch[b], b == 0)));
    }
}

torch::Tensor SynthesisNetworkImpl::forward(const torch::Tensor& ws, const SynthesisInputs& in) {
    const int64_t n = ws.size(0);
    torch::Tensor x;
    if (options.spatialInput()) {
        x = torch::einsum("cs,nshw->nchw", {inputWeight * inputGain, in.spatial}) + inputBias.view({1, -1, 1, 1});
        if (inputPeriodic.defined()) {
            // Cell (y, x) adds inputPeriodic[:, (y + offset) % P, (x + offset) % P].
            const int64_t p = inputPeriodic.size(1), h = x.size(2), w = x.size(3);
            auto tile = inputPeriodic.roll({-in.periodicOffset, -in.periodicOffset}, {1, 2});
            x = x + tile.repeat({1, (h + p - 1) / p, (w + p - 1) / p}).narrow(1, 0, h).narrow(2, 0, w).unsqueeze(0);
        }
    } else {
        x = inputConst.unsqueeze(0).expand({n, -1, -1, -1});
    }
    auto noiseAt = [&](int64_t layer) { return in.noise.empty() ? torch::Tensor() : in.noise[layer]; };

    torch::Tensor img;
    for (int64_t b = 0; b < int64_t(blocks.size()); ++b) {
        // Block b uses ws[2b-1] (conv0), ws[2b] (conv1) and ws[2b+1] (toRGB);
        // block 0 has no conv0 and reads ws[0], ws[1].
        int64_t first = b == 0 ? 0 : 2 * b - 1;
        auto blockWs = b == 0 ? torch::cat({ws.narrow(1, 0, 1), ws.narrow(1, 0, 2)}, 1) : ws.narrow(1, first, 3);
        blocks[b]->forward(x, img, blockWs, b == 0 ? torch::Tensor() : noiseAt(conv0Layer(b)), noiseAt(conv1Layer(b)));
    }
    return img;
}

// --- Generator ---------------------------------------------------------------

GeneratorImpl::GeneratorImpl(const GeneratorOptions& o) : options(o) {
    mapping = register_module("mapping", MappingNetwork(o));
    synthesis = register_module("synthesis", SynthesisNetwork(o));
}

torch::Tensor GeneratorImpl::forward(const torch::Tensor& z, const torch::Tensor& styles, double mixProbability) {
    const int64_t n = z.size(0), L = numWs();
    auto ws = mapping->forward(z, styles).unsqueeze(1).repeat({1, L, 1});
    if (mixProbability > 0 && torch::rand({1}).item<double>() < mixProbability) {
        int64_t cutoff = torch::randint(1, L, {1}).item<int64_t>();
        auto w2 = mapping->forward(torch::randn_like(z), styles).unsqueeze(1).repeat({1, L - cutoff, 1});
        ws = torch::cat({ws.narrow(1, 0, cutoff), w2}, 1);
    }
    return synthesis->forward(ws, SynthesisInputs::random(options, n, z.device()));
}

}  // namespace sgt
