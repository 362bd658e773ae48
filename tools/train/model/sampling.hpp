// sampling.hpp - drive the LibTorch generator exactly the way the SDK does:
// latents and noise from the shared Philox streams, style blends in w space,
// truncation toward the blend's mean, style mixing, decoded output.
//
// This is the reference that the CPU and CUDA backends are checked against
// (tests/parity) and the LibTorch side of the benchmarks; the trainer uses it
// for its sample grids, so a grid shows what the SDK will produce.
#pragma once

#include "generator.hpp"

#include <cstdint>
#include <vector>

namespace sgt {

struct SampleRequest {
    std::vector<uint64_t> seeds;       // one image per seed
    std::vector<uint64_t> noiseSeeds;  // empty: the latent seeds
    std::vector<uint64_t> mixSeeds;    // empty: no style mixing
    int64_t mixLayer = 0;
    std::vector<float> styleWeights;   // one per style, non-negative, summing to 1
    float truncationPsi = 1.0f;
    float noiseStrength = 1.0f;
    int64_t width = 0, height = 0;     // 0: the model's resolution
};

// z [N, zDim] from SGP_STREAM_Z of each seed, computed on the CPU, placed on `device`.
torch::Tensor philoxLatents(const std::vector<uint64_t>& seeds, int64_t zDim, torch::Device device = torch::kCPU);
// Spatial input and per-layer noise for images of height x width, likewise.
SynthesisInputs philoxInputs(const GeneratorOptions& options, const std::vector<uint64_t>& noiseSeeds,
                             int64_t height, int64_t width, float noiseStrength, torch::Device device = torch::kCPU);

// The device a module's parameters are on (a module trains on one device).
torch::Device deviceOf(torch::nn::Module& module);

// Per-style mean of w over `samples` latents: the truncation centres, [S, wDim],
// on the mapping network's device.
torch::Tensor styleMeans(MappingNetwork& mapping, int64_t samples = 4096, uint64_t seed = 0x5747A11u);

// Premultiplied RGBA in [0, 1], [N, 4, H, W] (alpha = 1 for RGB models), on
// the generator's device.
torch::Tensor sample(Generator& generator, const torch::Tensor& wAvg, const SampleRequest& request);

// Network output in [-1, 1] -> premultiplied RGBA in [0, 1] (docs/generator.md "Output").
torch::Tensor decodeOutput(const torch::Tensor& img);

}  // namespace sgt
