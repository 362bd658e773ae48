// gan_training.hpp - what the training loop (trainer.cpp) needs from an
// architecture: one optimisation step, checkpoint state, sample grids and the
// final export. Two implementations: StyleGAN2, the SDK's generator (also
// fine-tuned from an existing .sgm), and DCGAN, the baseline it is measured
// against.
#pragma once

#include "trainer.hpp"

#include <memory>

namespace sgt {

struct StepLosses {
    double g = 0, d = 0;
    double r1 = -1;  // < 0: not computed this step
};

class GanTraining {
public:
    virtual ~GanTraining() = default;
    // A fresh run (not a resume): initialise from a sample of real images.
    virtual void begin(const torch::Tensor& realSample) = 0;
    // One generator step then one discriminator step.
    virtual StepLosses step(int64_t step, const torch::Tensor& real, const torch::Tensor& realStyles,
                            const torch::Tensor& fakeStyles) = 0;
    virtual void save(torch::serialize::OutputArchive& root) = 0;
    virtual void load(torch::serialize::InputArchive& root) = 0;
    // Rows = styles, columns = fixed seeds: the same images at every snapshot.
    virtual bool writeSampleGrid(const std::string& path, std::string* error) = 0;
    // The trained result at c.exportPath: a .sgm (StyleGAN2) or a folder of
    // PNGs per style for `stylegen eval --images` (DCGAN). `training` is the
    // provenance recorded with it.
    virtual bool exportResult(const std::vector<std::string>& styles, const nlohmann::json& training,
                              std::string* error) = 0;
};

// StyleGAN2 with lazy R1, style mixing, EMA. With c.finetune: starts from that
// model (and c.discriminator), keeps its styles by distillation.
std::unique_ptr<GanTraining> makeStyleGanTraining(const TrainConfig& c, std::string* error);
std::unique_ptr<GanTraining> makeDcganTraining(const TrainConfig& c, std::string* error);

inline void setRequiresGrad(torch::nn::Module& m, bool on) {
    for (auto& p : m.parameters())
        p.set_requires_grad(on);
}

}  // namespace sgt
