// stylegen-train: trains a style-conditional StyleGAN2 generator and exports it as .sgm.
//
//   stylegen-train --data wesnoth --out runs/characters --name characters \
//                  --hold-out dunefolk --minutes 120 --export models/characters.sgm
//   stylegen-train --resume --out runs/characters --minutes 150
//   stylegen-train --encoder-for models/characters.sgm --data wesnoth --hold-out dunefolk \
//                  --out runs/enc-chars --minutes 35
#include "trainer.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace {

const char* kUsage = R"(usage: stylegen-train --data SOURCE --out DIR [options]
       stylegen-train --encoder-for M.sgm --data SOURCE --out DIR [options]
       stylegen-train --resume --out DIR [--minutes M] [--steps N] [--threads N] [--device D]
                      [--augment LIST] [--lr X] [--cpu-clock | --wall-clock]
                      [--export PATH] [--sample-every N] [--checkpoint-minutes M]

Trains a style-conditional StyleGAN2 generator and exports it as a .sgm model,
or the restyle encoder of a trained model.

data:
  --data SOURCE         wesnoth (Wesnoth unit sprites, style = race), crawl (Dungeon
                        Crawl floor/wall tiles, style = material), or a folder
                        <root>/<style>/*.png
  --cache DIR           where Debian packages are downloaded and unpacked
                        (default $STYLEGEN_CACHE or ~/.cache/stylegen)
  --hold-out A,B        styles left out of training
output:
  --out DIR             checkpoint, config, sample grids (required)
  --name NAME           model name (default: the data set's name)
  --export PATH         the .sgm written at the end (default DIR/NAME.sgm)
  --f32                 store f32 weights (default f16)
architecture (defaults: wesnoth/folders 64x64 RGBA character, crawl 32x32 tileable scene):
  --kind character|scene  --resolution R  --channels C4,C8,...  --z-dim N
  --embed-dim N  --w-dim N  --mapping-layers N  --spatial-channels N
  --d-channels C4,C8,...  discriminator widths (default: the same as --channels)
  --periodic-input      scene models: add a learned input one training tile wide,
                        repeated over the grid, for patterns locked to the tile
                        (one carved block per tile, as in Crawl's walls)
architecture choice:
  --arch stylegan2|dcgan  stylegan2 (default): the SDK's generator, exported as .sgm;
                        dcgan: the classic conditional DCGAN baseline (Adam 2e-4,
                        batch 64 unless given), exported as PNGs per style
                        (--export DIR, default DIR/images) for `stylegen eval --images`
  --export-images N     DCGAN images per style (256)
fine-tuning (transfer learning to new styles from a few images):
  --finetune M.sgm      start from model M: its architecture, weights and styles;
                        the data's styles are added to the model's
  --discriminator P     its discriminator (default: M's .discriminator.pt beside it,
                        written by every export; or a run's checkpoint.pt)
  --freeze-d N          D's fromRGB and N highest-resolution blocks stay frozen (2)
  --distill X           weight of keeping the old styles' outputs unchanged (100)
encoder (image -> w+ for restyle; exports DIR/NAME.sgm: M with the encoder added):
  --encoder-for M.sgm   train the encoder of model M, whose generator and
                        discriminator (--discriminator, default beside M) stay frozen;
                        defaults --batch 8 (+ 4 generated) --lr 0.002 --mix-prob 0.5
                        --augment translate
  --encoder-channels E0,...,ES  widths per stage (default: M's channels reversed)
  --feature-weight X    discriminator-feature (perceptual) loss (1)
  --latent-weight X     w+ and grid of generated images against their true ones (1)
  --delta-weight X      keeps the layers' w close to each other (0.01)
  --grid-weight X       scene models: keeps the grid's statistics N(0, 1) (0.1)
  --held-out-fraction X real images measured (PSNR) and never trained on (0.1)
training:
  --batch N (32)  --lr X (0.0025)  --r1-gamma X (0.05)  --mix-prob X (0.9)  --ema-kimg X (10)
  --augment LIST        DiffAugment operations: translate,color (default), or none
  --minutes M           time budget over all runs, then export
  --cpu-clock           count --minutes in this process's CPU time instead of wall
                        time: equal budgets on a shared machine (use with --threads 1;
                        on --resume it replaces the run's wall clock)
  --wall-clock          count --minutes in wall time (the default; on --resume it
                        replaces the run's --cpu-clock, e.g. to continue on a GPU)
  --steps N             step budget, then export
  --threads N           LibTorch threads (default: all hardware threads)
  --device D            cpu (default), cuda or cuda:N: where the networks train (a
                        CUDA build of LibTorch); data and files stay on the CPU.
                        On --resume it may differ from the run's first device
  --seed N (1)  --sample-every N (500 steps)  --checkpoint-minutes M (5)
  --resume              continue the run in --out from its checkpoint; only the options
                        of the --resume usage line may change (--lr: e.g. lower it late)
)";

bool parseInt64List(const std::string& s, std::vector<int64_t>* out) {
    out->clear();
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ',')) {
        char* end = nullptr;
        long long v = std::strtoll(item.c_str(), &end, 10);
        if (item.empty() || *end != 0)
            return false;
        out->push_back(v);
    }
    return !out->empty();
}

std::vector<std::string> splitList(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ','))
        if (!item.empty())
            out.push_back(item);
    return out;
}

int fail(const std::string& message) {
    std::fprintf(stderr, "stylegen-train: %s\n", message.c_str());
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    sgt::TrainConfig c;
    bool resume = false;
    std::string resolutionArg, channelsArg;
    int64_t threads = 0;
    std::string augmentArg, deviceArg;
    bool wallClock = false, cpuClock = false;
    double minutes = -1;
    std::vector<std::string> given;  // every option, for --resume's check
    int64_t steps = -1;
    for (int i = 1; i < argc; ++i)
        c.command += std::string(i > 1 ? " " : "") + argv[i];
    c.command = "stylegen-train " + c.command;

    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        given.push_back(a);
        auto value = [&]() -> const char* {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "stylegen-train: %s needs a value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        auto number = [&]() {
            const char* v = value();
            char* end = nullptr;
            double d = std::strtod(v, &end);
            if (*v == 0 || *end != 0) {
                std::fprintf(stderr, "stylegen-train: %s: '%s' is not a number\n", a.c_str(), v);
                std::exit(2);
            }
            return d;
        };
        if (a == "-h" || a == "--help") {
            std::fputs(kUsage, stdout);
            return 0;
        } else if (a == "--data") c.data = value();
        else if (a == "--cache") c.cacheDir = value();
        else if (a == "--hold-out") c.holdOut = splitList(value());
        else if (a == "--out") c.outDir = value();
        else if (a == "--name") c.name = value();
        else if (a == "--export") c.exportPath = value();
        else if (a == "--f32") c.half = false;
        else if (a == "--kind") {
            std::string k = value();
            if (k != "character" && k != "scene")
                return fail("--kind must be character or scene");
            c.generator.kind(k == "scene" ? sgt::ModelKind::Scene : sgt::ModelKind::Character);
        } else if (a == "--resolution") resolutionArg = value();
        else if (a == "--channels") channelsArg = value();
        else if (a == "--d-channels") {
            if (!parseInt64List(value(), &c.discriminatorChannels))
                return fail("--d-channels must be a comma-separated list of integers");
        }
        else if (a == "--periodic-input") c.generator.periodicInput(true);
        else if (a == "--z-dim") c.generator.zDim(int64_t(number()));
        else if (a == "--embed-dim") c.generator.embedDim(int64_t(number()));
        else if (a == "--w-dim") c.generator.wDim(int64_t(number()));
        else if (a == "--mapping-layers") c.generator.mappingLayers(int64_t(number()));
        else if (a == "--spatial-channels") c.generator.spatialChannels(int64_t(number()));
        else if (a == "--batch") c.batch = int64_t(number());
        else if (a == "--lr") {
            c.lr = number();
            if (!(c.lr > 0))
                return fail("--lr must be positive");
        }
        else if (a == "--r1-gamma") c.r1Gamma = number();
        else if (a == "--mix-prob") c.mixProbability = number();
        else if (a == "--ema-kimg") c.emaKimg = number();
        else if (a == "--minutes") minutes = number();
        else if (a == "--steps") steps = int64_t(number());
        else if (a == "--threads") threads = int64_t(number());
        else if (a == "--seed") c.seed = uint64_t(number());
        else if (a == "--sample-every") c.sampleEvery = int64_t(number());
        else if (a == "--checkpoint-minutes") c.checkpointMinutes = number();
        else if (a == "--augment") augmentArg = value();
        else if (a == "--resume") resume = true;
        else if (a == "--cpu-clock") cpuClock = true;
        else if (a == "--wall-clock") wallClock = true;
        else if (a == "--device") deviceArg = value();
        else if (a == "--arch") {
            std::string arch = value();
            if (arch != "stylegan2" && arch != "dcgan")
                return fail("--arch must be stylegan2 or dcgan");
            c.arch = arch == "dcgan" ? sgt::Architecture::Dcgan : sgt::Architecture::StyleGan2;
        } else if (a == "--export-images") c.exportImages = int64_t(number());
        else if (a == "--finetune") c.finetune = value();
        else if (a == "--discriminator") c.discriminator = value();
        else if (a == "--freeze-d") c.freezeD = int64_t(number());
        else if (a == "--distill") c.distill = number();
        else if (a == "--encoder-for") c.encoderFor = value();
        else if (a == "--encoder-channels") {
            if (!parseInt64List(value(), &c.encoderChannels))
                return fail("--encoder-channels must be a comma-separated list of integers");
        } else if (a == "--feature-weight") c.featureWeight = number();
        else if (a == "--latent-weight") c.latentWeight = number();
        else if (a == "--delta-weight") c.deltaWeight = number();
        else if (a == "--grid-weight") c.gridWeight = number();
        else if (a == "--held-out-fraction") {
            c.heldOutFraction = number();
            if (!(c.heldOutFraction > 0 && c.heldOutFraction < 1))
                return fail("--held-out-fraction must lie between 0 and 1");
        }
        else
            return fail("unknown option '" + a + "' (see --help)");
    }
    if (c.outDir.empty())
        return fail("--out is required (see --help)");

    auto has = [&](const char* option) { return std::find(given.begin(), given.end(), option) != given.end(); };
    if (cpuClock && wallClock)
        return fail("--cpu-clock and --wall-clock: choose one");
    if (resume) {
        // The run's config.json fixes everything else; an option that would be
        // ignored is refused instead.
        static const std::vector<std::string> kResumeOptions = {
            "--resume", "--out",   "--cache",     "--minutes",    "--steps",  "--threads",      "--device",
            "--augment", "--lr",   "--cpu-clock", "--wall-clock", "--export", "--sample-every", "--checkpoint-minutes"};
        for (const std::string& a : given)
            if (a.rfind("--", 0) == 0 &&
                std::find(kResumeOptions.begin(), kResumeOptions.end(), a) == kResumeOptions.end()) {
                std::string allowed;
                for (const std::string& o : kResumeOptions)
                    allowed += (allowed.empty() ? "" : ", ") + o;
                return fail(a + " cannot change on --resume: the run's config.json fixes it (allowed: " + allowed +
                            ")");
            }
        const sgt::TrainConfig asGiven = c;
        std::ifstream in(c.outDir + "/config.json");
        auto j = nlohmann::json::parse(in, nullptr, false);
        std::string error;
        if (j.is_discarded() || !sgt::TrainConfig::fromJson(j, &c, &error))
            return fail("cannot resume: " + c.outDir + "/config.json is missing or invalid " + error);
        c.cacheDir = asGiven.cacheDir;
        const std::string resumeCommand = asGiven.command;
        if (has("--export"))
            c.exportPath = asGiven.exportPath;
        if (has("--sample-every"))
            c.sampleEvery = asGiven.sampleEvery;
        if (has("--checkpoint-minutes"))
            c.checkpointMinutes = asGiven.checkpointMinutes;
        if (has("--lr"))  // e.g. lowered late in training
            c.lr = asGiven.lr;
        c.command += " && " + resumeCommand;  // the model's provenance lists every run
    } else {
        if (c.data.empty())
            return fail("--data is required (see --help)");
        if (!has("--kind") && c.data == "crawl")
            c.generator.kind(sgt::ModelKind::Scene);
        const bool scene = c.generator.kind() == sgt::ModelKind::Scene;
        c.generator.imgChannels(scene ? 3 : 4);
        c.generator.resolution(resolutionArg.empty() ? (scene ? 32 : 64) : std::atoll(resolutionArg.c_str()));
        std::vector<int64_t> channels;
        if (!channelsArg.empty()) {
            if (!parseInt64List(channelsArg, &channels))
                return fail("--channels must be a comma-separated list of integers");
        } else {
            // Widths that train to a recognisable result in about two hours on two CPU cores.
            const int64_t widths[] = {128, 128, 64, 32, 16, 16, 16, 16, 16};
            for (int64_t r = 4, b = 0; r <= c.generator.resolution(); r *= 2, ++b)
                channels.push_back(scene ? std::max<int64_t>(16, 128 >> b) : widths[b]);
        }
        c.generator.channels(channels);
        if (!c.discriminatorChannels.empty()) {
            if (c.arch == sgt::Architecture::Dcgan || !c.finetune.empty() || !c.encoderFor.empty())
                return fail("--d-channels sets the widths of a new StyleGAN2 discriminator: --arch dcgan has its own, "
                            "and --finetune and --encoder-for use the model's");
            const bool positive = std::all_of(c.discriminatorChannels.begin(), c.discriminatorChannels.end(),
                                              [](int64_t v) { return v > 0; });
            if (c.discriminatorChannels.size() != channels.size() || !positive)
                return fail("--d-channels needs " + std::to_string(channels.size()) +
                            " positive widths, one per resolution from 4 to " +
                            std::to_string(c.generator.resolution()));
        }
        if (c.generator.periodicInput()) {
            if (!scene || c.arch == sgt::Architecture::Dcgan || !c.finetune.empty() || !c.encoderFor.empty())
                return fail("--periodic-input is part of a new StyleGAN2 scene model's architecture: --arch dcgan and "
                            "character models have none, and --finetune and --encoder-for use the model's");
        }
        if (scene && c.r1Gamma == 0.05)
            c.r1Gamma = 0.02;
        if (c.arch == sgt::Architecture::Dcgan) {  // the paper's settings
            if (!has("--lr"))
                c.lr = 0.0002;
            if (!has("--batch"))
                c.batch = 64;
        }
        if (!c.finetune.empty() && c.arch == sgt::Architecture::Dcgan)
            return fail("--finetune works with --arch stylegan2 only");
        if (!c.encoderFor.empty()) {
            if (c.arch == sgt::Architecture::Dcgan || !c.finetune.empty())
                return fail("--encoder-for trains an encoder for a StyleGAN2 model; it takes neither --arch dcgan "
                            "nor --finetune");
            if (!has("--batch"))
                c.batch = 8;
            if (!has("--lr"))
                c.lr = 0.002;
            if (!has("--mix-prob"))
                c.mixProbability = 0.5;
            c.augmentColor = false;  // colour is what restyle changes: the encoder must see it as it is
        }
    }
    // Allowed on --resume too: augmentation may change during a run.
    if (!augmentArg.empty()) {
        auto ops = splitList(augmentArg);
        c.augmentTranslate = std::find(ops.begin(), ops.end(), "translate") != ops.end();
        c.augmentColor = std::find(ops.begin(), ops.end(), "color") != ops.end();
        for (const auto& op : ops)
            if (op != "translate" && op != "color" && op != "none")
                return fail("--augment: unknown operation '" + op + "' (translate, color, none)");
    }
    // Allowed on --resume too: a run may move to another machine (the minutes
    // so far stay counted).
    if (cpuClock)
        c.cpuClock = true;
    if (wallClock)
        c.cpuClock = false;
    if (!deviceArg.empty())
        c.device = deviceArg;
    if (minutes >= 0)
        c.minutes = minutes;
    if (steps >= 0)
        c.maxSteps = steps;

    // LibTorch from Debian starts with one thread; use the machine.
    torch::set_num_threads(int(threads > 0 ? threads : std::max(1u, std::thread::hardware_concurrency())));

    std::string error;
    bool ok = false;
    try {
        ok = sgt::train(c, resume, &error);
    } catch (const std::exception& e) {
        error = e.what();
    }
    if (!ok) {
        std::fprintf(stderr, "stylegen-train: %s\n", error.c_str());
        return 1;
    }
    return 0;
}
