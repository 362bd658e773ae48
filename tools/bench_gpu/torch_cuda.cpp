// torch_cuda.cpp - see torch_cuda.hpp.
#include "torch_cuda.hpp"

#include <torch/cuda.h>
#include <torch/torch.h>

#include "model/sampling.hpp"
#include "model/sgm_io.hpp"

namespace sgbenchgpu {

struct TorchCuda::State {
    sgt::LoadedModel model;
    torch::Device device{torch::kCUDA};
};

TorchCuda::TorchCuda() : state_(std::make_unique<State>()) {}
TorchCuda::~TorchCuda() = default;

std::string TorchCuda::unavailableReason() {
    if (!torch::cuda::is_available()) return "this LibTorch sees no CUDA device (a CPU build, or no driver)";
    return {};
}

bool TorchCuda::convolutionTf32() { return at::globalContext().allowTF32CuDNN(); }

bool TorchCuda::load(const std::string& path, std::string* error) {
    if (!sgt::importModel(path, &state_->model, error)) return false;
    state_->model.generator->to(state_->device);
    state_->model.generator->eval();
    state_->model.wAvg = state_->model.wAvg.to(state_->device);
    return true;
}

Timing TorchCuda::time(int count, int width, int height, int warmup, int runs, bool toHost) {
    torch::NoGradGuard noGrad;
    sgt::Generator& g = state_->model.generator;
    std::vector<uint64_t> seeds(count);
    for (int i = 0; i < count; ++i) seeds[i] = uint64_t(i) + 1;
    const torch::Tensor z = sgt::philoxLatents(seeds, g->options.zDim(), state_->device);
    const torch::Tensor styles =
        torch::zeros({count}, torch::TensorOptions().dtype(torch::kInt64).device(state_->device));
    const sgt::SynthesisInputs inputs = sgt::philoxInputs(g->options, seeds, height, width, 1.0f, state_->device);
    const int64_t layers = g->options.numWs();
    return measure(warmup, runs, [&] {
        const torch::Tensor w = g->mapping->forward(z, styles);
        const torch::Tensor ws = w.unsqueeze(1).repeat({1, layers, 1});
        torch::Tensor images = sgt::decodeOutput(g->synthesis->forward(ws, inputs));
        if (toHost) images = images.permute({0, 2, 3, 1}).contiguous().cpu();
        torch::cuda::synchronize();
    });
}

}  // namespace sgbenchgpu
