#include "sampling.hpp"

#include "stylegen_philox.h"

namespace sgt {

torch::Tensor philoxLatents(const std::vector<uint64_t>& seeds, int64_t zDim, torch::Device device) {
    auto z = torch::empty({int64_t(seeds.size()), zDim});
    auto a = z.accessor<float, 2>();
    for (size_t i = 0; i < seeds.size(); ++i)
        for (int64_t k = 0; k < zDim; ++k)
            a[i][k] = sgPhiloxNormal(seeds[i], SGP_STREAM_Z, uint64_t(k));
    return z.to(device);
}

namespace {
// [N, C, H, W] filled with sgPhiloxNormal(seed_n, stream, (c * H + y) * W + x).
torch::Tensor philoxPlanes(const std::vector<uint64_t>& seeds, uint32_t stream, int64_t c, int64_t h, int64_t w) {
    auto t = torch::empty({int64_t(seeds.size()), c, h, w});
    float* p = t.data_ptr<float>();
    const uint64_t plane = uint64_t(c * h * w);
    for (size_t n = 0; n < seeds.size(); ++n)
        for (uint64_t i = 0; i < plane; ++i)
            *p++ = sgPhiloxNormal(seeds[n], stream, i);
    return t;
}
}  // namespace

SynthesisInputs philoxInputs(const GeneratorOptions& o, const std::vector<uint64_t>& noiseSeeds, int64_t height,
                             int64_t width, float noiseStrength, torch::Device device) {
    SynthesisInputs in;
    in.periodicOffset = o.periodicOffset();
    const int64_t gh = height / o.blockSize(), gw = width / o.blockSize();
    if (o.spatialInput())
        in.spatial = philoxPlanes(noiseSeeds, SGP_STREAM_SPATIAL, o.spatialChannels(), gh, gw);
    in.noise.resize(convLayerCount(o));
    for (int64_t layer = 0; layer < convLayerCount(o); ++layer) {
        int64_t block = (layer + 1) / 2;  // layer 0: block 0; layers 2b-1, 2b: block b
        int64_t s = int64_t(1) << block;
        in.noise[layer] = philoxPlanes(noiseSeeds, SGP_STREAM_NOISE_BASE + uint32_t(layer), 1, gh * s, gw * s) *
                          noiseStrength;
    }
    return in.to(device);
}

torch::Device deviceOf(torch::nn::Module& module) {
    const auto parameters = module.parameters();
    return parameters.empty() ? torch::Device(torch::kCPU) : parameters.front().device();
}

torch::Tensor styleMeans(MappingNetwork& mapping, int64_t samples, uint64_t seed) {
    torch::NoGradGuard noGrad;
    const int64_t styles = mapping->options.styleCount();
    const torch::Device device = deviceOf(*mapping);
    auto gen = at::detail::createCPUGenerator(seed);
    auto z = at::randn({samples, mapping->options.zDim()}, gen).to(device);
    std::vector<torch::Tensor> means;
    for (int64_t s = 0; s < styles; ++s)
        means.push_back(
            mapping->forward(z, torch::full({samples}, s, torch::TensorOptions(torch::kInt64).device(device))).mean(0));
    return torch::stack(means);
}

namespace {
// w for every seed under the request's blend and truncation: [N, wDim].
torch::Tensor blendedW(MappingNetwork& mapping, const torch::Tensor& wAvg, const std::vector<uint64_t>& seeds,
                       const SampleRequest& r) {
    const torch::Device device = deviceOf(*mapping);
    const auto styleIndex = torch::TensorOptions(torch::kInt64).device(device);
    auto z = philoxLatents(seeds, mapping->options.zDim(), device);
    const int64_t n = z.size(0);
    torch::Tensor w, centre;
    for (size_t s = 0; s < r.styleWeights.size(); ++s) {
        float a = r.styleWeights[s];
        if (a == 0.0f)
            continue;
        auto ws = mapping->forward(z, torch::full({n}, int64_t(s), styleIndex)) * a;
        auto cs = wAvg[int64_t(s)].to(device) * a;
        w = w.defined() ? w + ws : ws;
        centre = centre.defined() ? centre + cs : cs;
    }
    return centre.unsqueeze(0) + r.truncationPsi * (w - centre.unsqueeze(0));
}
}  // namespace

torch::Tensor decodeOutput(const torch::Tensor& img) {
    auto v = ((img + 1) * 0.5).clamp(0, 1);
    if (v.size(1) == 4) {
        auto a = v.narrow(1, 3, 1);
        return torch::cat({torch::min(v.narrow(1, 0, 3), a), a}, 1);
    }
    return torch::cat({v, torch::ones_like(v.narrow(1, 0, 1))}, 1);
}

torch::Tensor sample(Generator& g, const torch::Tensor& wAvg, const SampleRequest& r) {
    torch::NoGradGuard noGrad;
    const auto& o = g->options;
    const int64_t height = r.height ? r.height : o.resolution(), width = r.width ? r.width : o.resolution();
    const int64_t L = o.numWs();
    auto w = blendedW(g->mapping, wAvg, r.seeds, r);
    auto ws = w.unsqueeze(1).repeat({1, L, 1});
    if (!r.mixSeeds.empty() && r.mixLayer < L) {
        auto w2 = blendedW(g->mapping, wAvg, r.mixSeeds, r).unsqueeze(1).repeat({1, L - r.mixLayer, 1});
        ws = torch::cat({ws.narrow(1, 0, r.mixLayer), w2}, 1);
    }
    const auto& noiseSeeds = r.noiseSeeds.empty() ? r.seeds : r.noiseSeeds;
    return decodeOutput(
        g->synthesis->forward(ws, philoxInputs(o, noiseSeeds, height, width, r.noiseStrength, ws.device())));
}

}  // namespace sgt
