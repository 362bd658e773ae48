// torch_cuda.hpp - the trainer's LibTorch generator (tools/train/model) on a
// CUDA device, on the same .sgm weights as the SDK: the baseline the CUDA
// backend is compared with. Built only against a LibTorch with CUDA.
//
//   TorchCuda torch;
//   if (torch.load("characters.sgm", &why)) Timing t = torch.time(64, 64, 64, warmup, runs, true);
#pragma once

#include <memory>
#include <string>

#include "timing.hpp"

namespace sgbenchgpu {

class TorchCuda {
public:
    TorchCuda();
    ~TorchCuda();
    // "" when LibTorch sees a CUDA device, else why not.
    static std::string unavailableReason();
    bool load(const std::string& path, std::string* error);
    // Times one batch of count images of width x height: mapping, synthesis,
    // decoding, with latents and noise already on the device (drawn once from
    // the same Philox streams); toHost adds the copy of the images to host memory.
    Timing time(int count, int width, int height, int warmup, int runs, bool toHost);
    // What LibTorch's convolutions are allowed to use (cuDNN TF32), for the report.
    static bool convolutionTf32();

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace sgbenchgpu
