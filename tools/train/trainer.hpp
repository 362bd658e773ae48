// trainer.hpp - the training loop: data, time and step budgets, progress,
// atomic resumable checkpoints, sample grids, export. The architectures
// (gan_training.hpp): StyleGAN2 (non-saturating logistic loss, lazy R1,
// style-mixing regularisation, DiffAugment, EMA generator; exported to .sgm),
// fine-tuning of an existing .sgm with new styles, the DCGAN baseline, and the
// restyle encoder of an existing .sgm.
#pragma once

#include "data/dataset.hpp"
#include "model/generator.hpp"

#include <nlohmann/json.hpp>
#include <string>

namespace sgt {

enum class Architecture { StyleGan2, Dcgan };

struct TrainConfig {
    Architecture arch = Architecture::StyleGan2;
    std::string data;            // "wesnoth", "crawl" or a folder <root>/<style>/*.png
    std::string cacheDir;        // data cache ("" = default)
    std::vector<std::string> holdOut;  // styles left out of training (wesnoth)
    std::string outDir;          // checkpoint, config, sample grids, log
    std::string exportPath;      // .sgm written at the end ("" = <outDir>/<name>.sgm)
    std::string name;            // model name in the .sgm
    GeneratorOptions generator;  // styleCount is filled from the data
    std::vector<int64_t> discriminatorChannels;  // StyleGAN2 D widths per resolution 4..R (empty: the generator's)
    int64_t batch = 32;
    double lr = 0.0025;
    double r1Gamma = 0.05;
    int64_t r1Interval = 16;
    double mixProbability = 0.9;
    bool augmentTranslate = true;  // DiffAugment translation
    bool augmentColor = true;      // DiffAugment brightness/saturation/contrast
    double emaKimg = 10.0;       // EMA half-life in thousands of images (ramped up early)
    double emaRampup = 0.05;
    double minutes = 0;          // time budget over all runs (0 = no limit)
    // The budget's clock: false = wall clock; true = this process's CPU time,
    // for comparing runs made on a shared machine (one thread: CPU time is
    // the time the run would take alone).
    bool cpuClock = false;
    int64_t maxSteps = 0;        // 0 = no limit
    int64_t threads = 0;         // 0 = hardware threads
    std::string device = "cpu";  // where the networks train: "cpu", "cuda" or "cuda:N" (LibTorch device names)
    uint64_t seed = 1;
    int64_t sampleEvery = 500;   // steps between sample grids
    double checkpointMinutes = 5;
    bool half = true;            // f16 weights in the exported .sgm
    std::string command;         // the command line, recorded in the model's provenance
    // Fine-tuning (StyleGAN2): start from this .sgm; the data's styles are added
    // to the model's (or continue an existing style of the same name).
    std::string finetune;
    std::string discriminator;   // D to start from: a checkpoint.pt or the .discriminator.pt beside a model
    int64_t freezeD = 2;         // FreezeD: D's fromRGB and this many highest-resolution blocks stay frozen
    double distill = 100.0;      // weight of the old styles' output-matching loss against the original model
    // DCGAN: images per style written under exportPath for `stylegen eval --images`.
    int64_t exportImages = 256;
    // Encoder (docs/generator.md "Encoder"): trains one for this .sgm, whose
    // generator and discriminator (`discriminator`, default beside it) stay
    // frozen; exports the .sgm with the encoder added.
    std::string encoderFor;
    std::vector<int64_t> encoderChannels;  // empty: defaultEncoderChannels
    double featureWeight = 1.0;   // discriminator-feature (perceptual) loss
    double latentWeight = 1.0;    // w+ and grid of generated images against their true ones
    double deltaWeight = 0.01;    // e4e's delta regularisation: the layers' w stay close to each other
    double gridWeight = 0.1;      // scene models: the predicted grid keeps N(0, 1) statistics per channel
    double heldOutFraction = 0.1; // real images the encoder never trains on (PSNR, grid)

    nlohmann::json toJson() const;
    static bool fromJson(const nlohmann::json& j, TrainConfig* out, std::string* error);
};

// Trains from scratch, or resumes from <outDir>/checkpoint.pt when `resume`.
// Returns false + error on bad data, I/O failure or a bad checkpoint.
bool train(const TrainConfig& config, bool resume, std::string* error);

}  // namespace sgt
