// gan_training.hpp - what the training loop (trainer.cpp) needs from an
// architecture: one optimisation step, checkpoint state, sample grids and the
// final export. Three implementations: StyleGAN2, the SDK's generator (also
// fine-tuned from an existing .sgm); DCGAN, the baseline it is measured
// against; and the restyle encoder, trained against a frozen .sgm.
#pragma once

#include "model/discriminator.hpp"
#include "trainer.hpp"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sgt {

// The loss terms of one step by name, in the order the progress line shows
// them ("G", "D", "R1"). A term a step does not compute (lazy R1) is left out;
// the progress line averages each term over the steps that have it.
struct StepLosses {
    std::vector<std::pair<std::string, double>> terms;
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
    // The same images at every snapshot (GANs: rows = styles, columns = fixed
    // seeds; the encoder: inputs above their reconstructions).
    virtual bool writeSampleGrid(const std::string& path, std::string* error) = 0;
    // A line for the log at the start, with every sample grid and before the
    // export (the encoder's held-out PSNR); empty: nothing to report.
    virtual std::string report() { return {}; }
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
// The restyle encoder for c.encoderFor (frozen generator, discriminator for the
// feature loss). heldOut: real images the encoder never trains on, for the
// PSNR report and the grid; trainSample: training images for the grid.
std::unique_ptr<GanTraining> makeEncoderTraining(const TrainConfig& c, const torch::Tensor& heldOut,
                                                 const torch::Tensor& trainSample, std::string* error);

// What the discriminator sees of a generated image: the SDK's output (clamped
// to [-1, 1], rgb <= alpha for premultiplied RGBA) plus 1% of whatever lies
// beyond it (stylegan_training.cpp says why).
torch::Tensor asDecoded(const torch::Tensor& img);

// The discriminator travels beside an exported model so the model can be
// fine-tuned (FreezeD needs the trained D): "characters.sgm" ->
// "characters.discriminator.pt".
std::string discriminatorPathFor(const std::string& modelPath);
// Reads the discriminator saved by an export (f16) or a run's checkpoint.pt
// (f32) into a new `*d` for the model with options `o`, with the widths it
// was trained with (read from its tensors' shapes).
bool loadDiscriminator(const std::string& path, const GeneratorOptions& o, Discriminator* d, std::string* error);

inline void setRequiresGrad(torch::nn::Module& m, bool on) {
    for (auto& p : m.parameters())
        p.set_requires_grad(on);
}

}  // namespace sgt
