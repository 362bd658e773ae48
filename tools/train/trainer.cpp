#include "trainer.hpp"

#include "gan_training.hpp"
#include "model/sgm_io.hpp"
#include "output_files.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <random>
#include <sys/resource.h>
#include <unistd.h>

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace sgt {

// --- Config --------------------------------------------------------------------

Json TrainConfig::toJson() const {
    const auto& g = generator;
    return Json{
        {"data", data},
        {"hold_out", holdOut},
        {"name", name},
        {"export", exportPath},
        {"kind", g.kind() == ModelKind::Scene ? "scene" : "character"},
        {"resolution", g.resolution()},
        {"img_channels", g.imgChannels()},
        {"z_dim", g.zDim()},
        {"embed_dim", g.embedDim()},
        {"w_dim", g.wDim()},
        {"mapping_layers", g.mappingLayers()},
        {"channels", g.channels()},
        {"d_channels", discriminatorChannels},
        {"periodic_input", g.periodicInput()},
        {"spatial_channels", g.spatialChannels()},
        {"batch", batch},
        {"lr", lr},
        {"r1_gamma", r1Gamma},
        {"r1_interval", r1Interval},
        {"mix_probability", mixProbability},
        {"augment_translate", augmentTranslate},
        {"augment_color", augmentColor},
        {"ema_kimg", emaKimg},
        {"minutes", minutes},
        {"clock", cpuClock ? "cpu" : "wall"},
        {"max_steps", maxSteps},
        {"seed", seed},
        {"device", device},
        {"sample_every", sampleEvery},
        {"half", half},
        {"command", command},
        {"arch", arch == Architecture::Dcgan ? "dcgan" : "stylegan2"},
        {"finetune", finetune},
        {"discriminator", discriminator},
        {"freeze_d", freezeD},
        {"distill", distill},
        {"export_images", exportImages},
        {"encoder_for", encoderFor},
        {"encoder_channels", encoderChannels},
        {"feature_weight", featureWeight},
        {"latent_weight", latentWeight},
        {"delta_weight", deltaWeight},
        {"grid_weight", gridWeight},
        {"held_out_fraction", heldOutFraction},
    };
}

bool TrainConfig::fromJson(const Json& j, TrainConfig* c, std::string* error) {
    try {
        c->data = j.at("data");
        c->holdOut = j.at("hold_out").get<std::vector<std::string>>();
        c->name = j.at("name");
        c->exportPath = j.at("export");
        c->generator.kind(j.at("kind") == "scene" ? ModelKind::Scene : ModelKind::Character)
            .resolution(j.at("resolution"))
            .imgChannels(j.at("img_channels"))
            .zDim(j.at("z_dim"))
            .embedDim(j.at("embed_dim"))
            .wDim(j.at("w_dim"))
            .mappingLayers(j.at("mapping_layers"))
            .channels(j.at("channels").get<std::vector<int64_t>>())
            .spatialChannels(j.at("spatial_channels"))
            .periodicInput(j.value("periodic_input", false));
        c->discriminatorChannels = j.value("d_channels", std::vector<int64_t>{});
        c->batch = j.at("batch");
        c->lr = j.at("lr");
        c->r1Gamma = j.at("r1_gamma");
        c->r1Interval = j.at("r1_interval");
        c->mixProbability = j.at("mix_probability");
        c->augmentTranslate = j.value("augment_translate", true);
        c->augmentColor = j.value("augment_color", true);
        c->emaKimg = j.at("ema_kimg");
        c->minutes = j.at("minutes");
        c->cpuClock = j.value("clock", "wall") == "cpu";
        c->maxSteps = j.at("max_steps");
        c->seed = j.at("seed");
        c->device = j.value("device", "cpu");
        c->sampleEvery = j.at("sample_every");
        c->half = j.at("half");
        c->command = j.value("command", "");
        c->arch = j.value("arch", "stylegan2") == "dcgan" ? Architecture::Dcgan : Architecture::StyleGan2;
        c->finetune = j.value("finetune", "");
        c->discriminator = j.value("discriminator", "");
        c->freezeD = j.value("freeze_d", int64_t(2));
        c->distill = j.value("distill", 100.0);
        c->exportImages = j.value("export_images", int64_t(256));
        c->encoderFor = j.value("encoder_for", "");
        c->encoderChannels = j.value("encoder_channels", std::vector<int64_t>{});
        c->featureWeight = j.value("feature_weight", 1.0);
        c->latentWeight = j.value("latent_weight", 1.0);
        c->deltaWeight = j.value("delta_weight", 0.01);
        c->gridWeight = j.value("grid_weight", 0.1);
        c->heldOutFraction = j.value("held_out_fraction", 0.1);
    } catch (const std::exception& e) {
        *error = std::string("bad training config: ") + e.what();
        return false;
    }
    return true;
}

namespace {

// --- Data ----------------------------------------------------------------------

bool loadData(const TrainConfig& c, sgdata::Dataset* data, std::string* error) {
    sgdata::FetchOptions fetch;
    fetch.cacheDir = c.cacheDir;
    if (c.data == "wesnoth")
        return sgdata::loadWesnothUnits(fetch, c.holdOut, data, error);
    if (c.data == "crawl")
        return sgdata::loadCrawlTiles(fetch, data, error);
    return sgdata::loadImageFolder(c.data, data, error);
}

// A batch of training images (data.images[pool[...]]) with their styles, each
// in a random team colour (when the set has them) and randomly mirrored.
struct BatchSampler {
    const sgdata::Dataset& data;
    const std::vector<size_t>& pool;
    const GeneratorOptions& options;
    std::mt19937_64 rng;

    std::pair<torch::Tensor, torch::Tensor> next(int64_t n) {
        const int64_t r = options.resolution(), ch = options.imgChannels();
        auto images = torch::empty({n, ch, r, r});
        auto styles = torch::empty({n}, torch::kInt64);
        std::uniform_int_distribution<size_t> pick(0, pool.size() - 1);
        std::uniform_int_distribution<int> team(0, std::max<int>(0, int(data.teamColourPalettes.size()) - 1));
        for (int64_t i = 0; i < n; ++i) {
            size_t index = pool[pick(rng)];
            int t = data.teamColourPalettes.empty() ? -1 : team(rng);
            if (!sgdata::renderImage(data, index, t, rng() & 1, int(r), int(ch), images[i].data_ptr<float>()))
                throw std::runtime_error("cannot render training image " + data.images[index].source);
            styles[i] = int64_t(data.images[index].style);
        }
        return {images, styles};
    }

    // Styles of n random training images, without rendering them: the
    // generator's conditioning follows the data's style distribution.
    torch::Tensor styles(int64_t n) {
        auto out = torch::empty({n}, torch::kInt64);
        std::uniform_int_distribution<size_t> pick(0, pool.size() - 1);
        for (int64_t i = 0; i < n; ++i)
            out[i] = int64_t(data.images[pool[pick(rng)]].style);
        return out;
    }
};

// `count` of `indices` (all when fewer), evenly spread so that every style
// shows, rendered as they are: first team colour, not mirrored.
torch::Tensor renderSpread(const sgdata::Dataset& data, const std::vector<size_t>& indices, size_t count,
                           const GeneratorOptions& options) {
    const int64_t r = options.resolution(), ch = options.imgChannels();
    count = std::min(count, indices.size());
    auto images = torch::empty({int64_t(count), ch, r, r});
    for (size_t i = 0; i < count; ++i) {
        size_t index = indices[i * indices.size() / count];
        if (!sgdata::renderImage(data, index, data.teamColourPalettes.empty() ? -1 : 0, false, int(r), int(ch),
                                 images[int64_t(i)].data_ptr<float>()))
            throw std::runtime_error("cannot render image " + data.images[index].source);
    }
    return images;
}

// --- Checkpoints -----------------------------------------------------------------

struct Progress {
    int64_t step = 0;
    double nimg = 0;
    double seconds = 0;  // training time over all runs
};

std::string checkpointPath(const TrainConfig& c) { return (fs::path(c.outDir) / "checkpoint.pt").string(); }

bool saveCheckpoint(const TrainConfig& c, GanTraining& gan, const Progress& p, std::string* error) {
    torch::serialize::OutputArchive root;
    gan.save(root);
    root.write("progress", torch::tensor({double(p.step), p.nimg, p.seconds}, torch::kFloat64));
    return writeAtomically(checkpointPath(c), [&](std::ostream& out) { root.save_to(out); }, error);
}

bool loadCheckpoint(const TrainConfig& c, GanTraining& gan, Progress* p, std::string* error) {
    try {
        torch::serialize::InputArchive root;
        // Onto the run's device, optimiser state included, whichever device wrote it.
        root.load_from(checkpointPath(c), torch::Device(c.device));
        gan.load(root);
        torch::Tensor progress;
        root.read("progress", progress);
        p->step = int64_t(progress[0].item<double>());
        p->nimg = progress[1].item<double>();
        p->seconds = progress[2].item<double>();
    } catch (const std::exception& e) {
        *error = "cannot resume from " + checkpointPath(c) + ": " + e.what();
        return false;
    }
    return true;
}

// Fine-tuning: the model's architecture, and its styles first, in its order;
// the data's styles join them (a data style with the name of a model style
// continues it).
bool adoptBaseModel(const std::string& modelPath, GeneratorOptions* options, sgdata::Dataset* data,
                    std::string* error) {
    LoadedModel base;
    if (!importModel(modelPath, &base, error))
        return false;
    *options = base.generator->options;
    std::vector<std::string> styles = base.meta.styles;
    std::vector<int> remap;
    for (const auto& name : data->styles) {
        auto it = std::find(styles.begin(), styles.end(), name);
        remap.push_back(int(it - styles.begin()));
        if (it == styles.end())
            styles.push_back(name);
    }
    for (auto& image : data->images)
        image.style = remap[size_t(image.style)];
    data->styles = styles;
    return true;
}

// --device, parsed: one this LibTorch and this machine can train on; nullopt + error otherwise.
std::optional<torch::Device> trainingDevice(const TrainConfig& c, std::string* error) {
    std::optional<torch::Device> device;
    try {
        device = torch::Device(c.device);
    } catch (const std::exception&) {
        *error = "--device " + c.device + ": not a device name (cpu, cuda or cuda:N)";
        return std::nullopt;
    }
    if (device->is_cpu())
        return device;
    if (!device->is_cuda()) {
        *error = "--device " + c.device + ": stylegen-train trains on cpu or cuda";
        return std::nullopt;
    }
    if (!torch::cuda::is_available()) {
        *error = "--device " + c.device +
                 ": LibTorch sees no CUDA device (this LibTorch is CPU-only, or the machine has no GPU or driver)";
        return std::nullopt;
    }
    if (device->has_index() && size_t(device->index()) >= torch::cuda::device_count()) {
        *error = "--device " + c.device + ": LibTorch sees " + std::to_string(torch::cuda::device_count()) +
                 " CUDA device(s)";
        return std::nullopt;
    }
    if (c.cpuClock) {
        *error = "--cpu-clock counts this process's CPU time, which says nothing of the GPU's work: use the wall "
                 "clock with --device " + c.device;
        return std::nullopt;
    }
    return device;
}

// Ctrl+C / SIGTERM: finish the step, write the checkpoint, stop (resume later).
std::atomic<bool> gStopRequested{false};
extern "C" void requestStop(int) { gStopRequested = true; }

// User + system CPU time of this process, all threads.
double processCpuSeconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           1e-6 * double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

std::string formatDuration(double seconds) {
    char buf[32];
    int s = int(seconds);
    std::snprintf(buf, sizeof buf, "%dh%02dm%02ds", s / 3600, (s / 60) % 60, s % 60);
    return buf;
}

}  // namespace

// --- Training loop -------------------------------------------------------------

bool train(const TrainConfig& configIn, bool resume, std::string* error) {
    TrainConfig c = configIn;
    const std::optional<torch::Device> parsedDevice = trainingDevice(c, error);
    if (!parsedDevice)
        return false;
    const torch::Device device = *parsedDevice;
    sgdata::Dataset data;
    if (!loadData(c, &data, error))
        return false;
    if (data.images.empty()) {
        *error = "no training images in " + c.data;
        return false;
    }
    const bool dcgan = c.arch == Architecture::Dcgan, encoder = !c.encoderFor.empty();
    if (encoder) {
        // The model's architecture and styles; the data's style labels are
        // not used (the encoder reads images only).
        LoadedModel base;
        if (!importModel(c.encoderFor, &base, error))
            return false;
        c.generator = base.generator->options;
        if (c.name.empty())
            c.name = base.meta.name;
    } else {
        if (!c.finetune.empty() && !adoptBaseModel(c.finetune, &c.generator, &data, error))
            return false;
        c.generator.styleCount(int64_t(data.styles.size()));
    }
    if (auto reason = c.generator.validate(); !reason.empty()) {
        *error = "bad architecture: " + reason;
        return false;
    }
    if (c.name.empty())
        c.name = data.name;
    // The encoder trains on the training split and is measured on the rest.
    std::vector<size_t> pool, heldOut;
    if (encoder) {
        sgdata::splitHeldOut(data, c.heldOutFraction, c.seed, &pool, &heldOut);
        if (pool.empty() || heldOut.empty()) {
            *error = "the encoder needs real images to train on and others to measure it on: " + c.data +
                     " splits into " + std::to_string(pool.size()) + " training and " + std::to_string(heldOut.size()) +
                     " held-out images (--held-out-fraction, or more image groups per style)";
            return false;
        }
    } else {
        for (size_t i = 0; i < data.images.size(); ++i)
            pool.push_back(i);
    }
    if (c.exportPath.empty())
        c.exportPath = (fs::path(c.outDir) / (dcgan ? "images" : c.name + ".sgm")).string();
    std::error_code ec;
    fs::create_directories(c.outDir, ec);
    if (ec) {
        *error = "cannot create " + c.outDir + ": " + ec.message();
        return false;
    }
    // Rewritten on resume too, so it holds the settings and commands in force.
    if (!writeTextAtomically((fs::path(c.outDir) / "config.json").string(), c.toJson().dump(2), error))
        return false;

    torch::manual_seed(c.seed);
    std::unique_ptr<GanTraining> gan;
    if (encoder)
        gan = makeEncoderTraining(c, renderSpread(data, heldOut, 256, c.generator),
                                  renderSpread(data, pool, 8, c.generator), error);
    else
        gan = dcgan ? makeDcganTraining(c, error) : makeStyleGanTraining(c, error);
    if (!gan)
        return false;
    Progress progress;
    if (resume && !loadCheckpoint(c, *gan, &progress, error))
        return false;
    BatchSampler sampler{data, pool, c.generator, std::mt19937_64(c.seed + uint64_t(progress.step) * 7919)};
    if (!resume)
        gan->begin(sampler.next(256).first);
    torch::manual_seed(c.seed + uint64_t(progress.step));  // a resumed run draws fresh batches

    std::string what = dcgan                    ? "DCGAN baseline, "
                       : encoder                ? "encoder for " + c.encoderFor + ", "
                       : !c.finetune.empty()    ? "fine-tuning " + c.finetune + ", "
                                                : "";
    std::string images = std::to_string(data.images.size()) + " images";
    if (encoder)
        images += " (" + std::to_string(pool.size()) + " training, " + std::to_string(heldOut.size()) + " held out)";
    std::printf("stylegen-train: %s%s, %s, %zu styles, %s %lldx%lld, batch %lld, %d threads, %s%s\n", what.c_str(),
                data.name.c_str(), images.c_str(), data.styles.size(),
                c.generator.kind() == ModelKind::Scene ? "scene" : "character",
                (long long)c.generator.resolution(), (long long)c.generator.resolution(), (long long)c.batch,
                torch::get_num_threads(), device.str().c_str(),
                resume ? (", resumed at step " + std::to_string(progress.step)).c_str() : "");
    for (size_t s = 0; s < data.styles.size(); ++s) {
        size_t count = 0;
        for (const auto& im : data.images)
            count += im.style == int(s);
        std::printf("  style %2zu %-14s %5zu images\n", s, data.styles[s].c_str(), count);
    }
    const bool tty = isatty(fileno(stdout));
    auto printReport = [&] {
        std::string line = gan->report();
        if (!line.empty())
            std::printf("%sstep %lld: %s\n", tty ? "\n" : "", (long long)progress.step, line.c_str());
        std::fflush(stdout);
    };
    printReport();

    const auto runStart = std::chrono::steady_clock::now();
    const double cpuAtStart = processCpuSeconds();
    const double secondsAtStart = progress.seconds;
    auto lastCheckpoint = runStart;
    auto lastReport = runStart;
    double reportNimg = progress.nimg;
    std::vector<std::pair<std::string, std::pair<double, int64_t>>> lossSums;  // term -> (sum, steps)

    std::signal(SIGINT, requestStop);
    std::signal(SIGTERM, requestStop);
    auto budgetLeft = [&] {
        if (gStopRequested)
            return false;
        if (c.maxSteps > 0 && progress.step >= c.maxSteps)
            return false;
        return c.minutes <= 0 || progress.seconds < c.minutes * 60.0;
    };

    while (budgetLeft()) {
        auto [real, realStyles] = sampler.next(c.batch);  // rendered on the CPU
        auto losses =
            gan->step(progress.step, real.to(device), realStyles.to(device), sampler.styles(c.batch).to(device));
        progress.nimg += double(c.batch);
        ++progress.step;

        for (const auto& [name, value] : losses.terms) {
            auto it = std::find_if(lossSums.begin(), lossSums.end(), [&](const auto& t) { return t.first == name; });
            if (it == lossSums.end())
                lossSums.push_back({name, {value, 1}});
            else
                it->second = {it->second.first + value, it->second.second + 1};
        }
        auto now = std::chrono::steady_clock::now();
        progress.seconds = secondsAtStart + (c.cpuClock ? processCpuSeconds() - cpuAtStart
                                                        : std::chrono::duration<double>(now - runStart).count());

        double sinceReport = std::chrono::duration<double>(now - lastReport).count();
        if (sinceReport >= (tty ? 1.0 : 30.0) || !budgetLeft()) {
            double ips = (progress.nimg - reportNimg) / std::max(sinceReport, 1e-9);
            double fraction = c.minutes > 0 ? progress.seconds / (c.minutes * 60.0)
                              : c.maxSteps > 0 ? double(progress.step) / double(c.maxSteps) : 0.0;
            fraction = std::min(fraction, 1.0);
            char bar[21];
            for (int i = 0; i < 20; ++i)
                bar[i] = i < int(fraction * 20) ? '#' : '.';
            bar[20] = 0;
            std::string terms;
            for (const auto& [name, sum] : lossSums) {
                char term[64];
                std::snprintf(term, sizeof term, " %s %.4g", name.c_str(), sum.first / double(sum.second));
                terms += term;
            }
            double eta = fraction > 0 ? progress.seconds / fraction - progress.seconds : 0;
            std::printf("%s[%s] %3d%% step %lld kimg %.1f |%s | %.1f img/s | %s ETA %s%s", tty ? "\r" : "", bar,
                        int(fraction * 100), (long long)progress.step, progress.nimg / 1000.0, terms.c_str(), ips,
                        formatDuration(progress.seconds).c_str(), formatDuration(eta).c_str(), tty ? "   " : "\n");
            std::fflush(stdout);
            lastReport = now;
            reportNimg = progress.nimg;
            lossSums.clear();
        }
        if (c.sampleEvery > 0 && progress.step % c.sampleEvery == 0) {
            char name[64];
            std::snprintf(name, sizeof name, "samples-%06lld.png", (long long)progress.step);
            if (!gan->writeSampleGrid((fs::path(c.outDir) / name).string(), error))
                return false;
            printReport();
        }
        if (std::chrono::duration<double>(now - lastCheckpoint).count() >= c.checkpointMinutes * 60.0) {
            if (!saveCheckpoint(c, *gan, progress, error))
                return false;
            lastCheckpoint = now;
        }
    }
    if (tty)
        std::printf("\n");
    if (gStopRequested) {
        if (!saveCheckpoint(c, *gan, progress, error))
            return false;
        std::printf("stylegen-train: stopped at step %lld; checkpoint written, continue with --resume --out %s\n",
                    (long long)progress.step, c.outDir.c_str());
        return true;
    }
    if (!saveCheckpoint(c, *gan, progress, error) ||
        !gan->writeSampleGrid((fs::path(c.outDir) / "samples-final.png").string(), error))
        return false;
    if (c.sampleEvery <= 0 || progress.step % c.sampleEvery != 0)  // else the last grid has just reported
        printReport();

    Json training = {
        {"architecture", dcgan ? "dcgan" : encoder ? "stylegen-encoder-1" : "stylegan2"},
        {"data", data.name},
        {"data_provenance", data.provenance},
        {"data_licence", data.licence},
        {"images", data.images.size()},
        {"hold_out", c.holdOut},
        {"steps", progress.step},
        {"kimg", progress.nimg / 1000.0},
        {"seconds", progress.seconds},
        {"clock", c.cpuClock ? "cpu" : "wall"},
        {"batch", c.batch},
        {"threads", torch::get_num_threads()},
        {"device", c.device},
        {"command", c.command},
    };
    if (encoder) {
        training["encoder_for"] = c.encoderFor;
        training["held_out_images"] = heldOut.size();
    }
    if (!gan->exportResult(data.styles, training, error))
        return false;
    std::printf("stylegen-train: %lld steps, %.1f kimg in %s; exported %s\n", (long long)progress.step,
                progress.nimg / 1000.0, formatDuration(progress.seconds).c_str(), c.exportPath.c_str());
    return true;
}

}  // namespace sgt
