#include "trainer.hpp"

#include "augment.hpp"
#include "model/discriminator.hpp"
#include "model/sampling.hpp"
#include "model/sgm_io.hpp"
#include "output_files.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
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
        {"max_steps", maxSteps},
        {"seed", seed},
        {"sample_every", sampleEvery},
        {"half", half},
        {"command", command},
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
            .spatialChannels(j.at("spatial_channels"));
        c->batch = j.at("batch");
        c->lr = j.at("lr");
        c->r1Gamma = j.at("r1_gamma");
        c->r1Interval = j.at("r1_interval");
        c->mixProbability = j.at("mix_probability");
        c->augmentTranslate = j.value("augment_translate", true);
        c->augmentColor = j.value("augment_color", true);
        c->emaKimg = j.at("ema_kimg");
        c->minutes = j.at("minutes");
        c->maxSteps = j.at("max_steps");
        c->seed = j.at("seed");
        c->sampleEvery = j.at("sample_every");
        c->half = j.at("half");
        c->command = j.value("command", "");
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

// A batch of training images with their styles, each in a random team colour
// (when the set has them) and randomly mirrored.
struct BatchSampler {
    const sgdata::Dataset& data;
    const GeneratorOptions& options;
    std::mt19937_64 rng;

    std::pair<torch::Tensor, torch::Tensor> next(int64_t n) {
        const int64_t r = options.resolution(), ch = options.imgChannels();
        auto images = torch::empty({n, ch, r, r});
        auto styles = torch::empty({n}, torch::kInt64);
        std::uniform_int_distribution<size_t> pick(0, data.images.size() - 1);
        std::uniform_int_distribution<int> team(0, std::max<int>(0, int(data.teamColourPalettes.size()) - 1));
        for (int64_t i = 0; i < n; ++i) {
            size_t index = pick(rng);
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
        std::uniform_int_distribution<size_t> pick(0, data.images.size() - 1);
        for (int64_t i = 0; i < n; ++i)
            out[i] = int64_t(data.images[pick(rng)].style);
        return out;
    }
};

// --- Models --------------------------------------------------------------------

// What the discriminator sees of a generated image: the SDK's output (clamped
// to [-1, 1], rgb <= alpha for premultiplied RGBA) plus 1% of whatever lies
// beyond it. Real sprites have exactly transparent backgrounds; with the raw
// output the discriminator tells fakes apart by that alone and wins within a
// few hundred steps. A hard clamp would hide overshoot and let the output
// drift; the 1% leak keeps overshoot visible, and penalised, and keeps a
// gradient everywhere.
torch::Tensor asDecoded(const torch::Tensor& img) {
    auto y = img.clamp(-1, 1);
    if (y.size(1) == 4) {
        auto alpha = y.narrow(1, 3, 1);
        y = torch::cat({torch::min(y.narrow(1, 0, 3), alpha), alpha}, 1);
    }
    return y + 0.01 * (img - y);
}

// Starts the first toRGB bias at the data's mean colour. Sprites are mostly
// transparent (mean near -0.85 in [-1, 1]); a generator that starts at 0 is
// told apart by its mean alone and the discriminator wins before the
// generator has learnt anything.
void initOutputBias(Generator& g, const torch::Tensor& realBatch) {
    torch::NoGradGuard noGrad;
    g->synthesis->blocks[0]->torgb->bias.copy_(realBatch.mean({0, 2, 3}));
}

void setRequiresGrad(torch::nn::Module& m, bool on) {
    for (auto& p : m.parameters())
        p.set_requires_grad(on);
}

void copyParameters(torch::nn::Module& from, torch::nn::Module& to) {
    torch::NoGradGuard noGrad;
    auto src = from.named_parameters();
    for (auto& p : to.named_parameters())
        p.value().copy_(src[p.key()]);
}

struct Models {
    Generator g{nullptr}, gEma{nullptr};
    Discriminator d{nullptr};
    std::unique_ptr<torch::optim::Adam> optG, optD;
    int64_t step = 0;
    double nimg = 0;
    double seconds = 0;  // training time over all runs
};

Models makeModels(const TrainConfig& c) {
    Models m;
    m.g = Generator(c.generator);
    m.gEma = Generator(c.generator);
    copyParameters(*m.g, *m.gEma);
    setRequiresGrad(*m.gEma, false);
    m.d = Discriminator(c.generator);
    m.optG = std::make_unique<torch::optim::Adam>(
        m.g->parameters(), torch::optim::AdamOptions(c.lr).betas({0.0, 0.99}).eps(1e-8));
    // Lazy regularisation (StyleGAN2 Appendix B): D is regularised every
    // r1Interval steps, so its Adam settings are rescaled to match.
    double ratio = double(c.r1Interval) / double(c.r1Interval + 1);
    m.optD = std::make_unique<torch::optim::Adam>(
        m.d->parameters(),
        torch::optim::AdamOptions(c.lr * ratio).betas({0.0, std::pow(0.99, ratio)}).eps(1e-8));
    return m;
}

std::string checkpointPath(const TrainConfig& c) { return (fs::path(c.outDir) / "checkpoint.pt").string(); }

bool saveCheckpoint(const TrainConfig& c, Models& m, std::string* error) {
    torch::serialize::OutputArchive root, g, gEma, d, optG, optD;
    m.g->save(g);
    m.gEma->save(gEma);
    m.d->save(d);
    m.optG->save(optG);
    m.optD->save(optD);
    root.write("g", g);
    root.write("g_ema", gEma);
    root.write("d", d);
    root.write("opt_g", optG);
    root.write("opt_d", optD);
    root.write("progress", torch::tensor({double(m.step), m.nimg, m.seconds}, torch::kFloat64));
    std::string path = checkpointPath(c);
    return writeAtomically(path, [&](const std::string& tmp) { root.save_to(tmp); }, error);
}

bool loadCheckpoint(const TrainConfig& c, Models& m, std::string* error) {
    try {
        torch::serialize::InputArchive root, g, gEma, d, optG, optD;
        root.load_from(checkpointPath(c));
        root.read("g", g);
        root.read("g_ema", gEma);
        root.read("d", d);
        root.read("opt_g", optG);
        root.read("opt_d", optD);
        m.g->load(g);
        m.gEma->load(gEma);
        m.d->load(d);
        m.optG->load(optG);
        m.optD->load(optD);
        torch::Tensor progress;
        root.read("progress", progress);
        m.step = int64_t(progress[0].item<double>());
        m.nimg = progress[1].item<double>();
        m.seconds = progress[2].item<double>();
    } catch (const std::exception& e) {
        *error = "cannot resume from " + checkpointPath(c) + ": " + e.what();
        return false;
    }
    return true;
}

// Rows = styles, columns = fixed seeds: the same images at every snapshot, made
// the way the SDK makes them (Philox latents and noise).
bool writeSampleGrid(const TrainConfig& c, Models& m, const std::string& path, std::string* error) {
    const int64_t styles = c.generator.styleCount(), columns = 8;
    auto wAvg = styleMeans(m.gEma->mapping, 1024);
    std::vector<torch::Tensor> rows;
    for (int64_t s = 0; s < styles; ++s) {
        SampleRequest r;
        for (int64_t i = 0; i < columns; ++i)
            r.seeds.push_back(uint64_t(i + 1));
        r.styleWeights.assign(size_t(styles), 0.0f);
        r.styleWeights[size_t(s)] = 1.0f;
        rows.push_back(sample(m.gEma, wAvg, r));
    }
    auto grid = torch::stack(rows);  // [S, columns, 4, H, W]
    return writeImageGrid(path, grid, error);
}

// Ctrl+C / SIGTERM: finish the step, write the checkpoint, stop (resume later).
std::atomic<bool> gStopRequested{false};
extern "C" void requestStop(int) { gStopRequested = true; }

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
    sgdata::Dataset data;
    if (!loadData(c, &data, error))
        return false;
    if (data.images.empty()) {
        *error = "no training images in " + c.data;
        return false;
    }
    c.generator.styleCount(int64_t(data.styles.size()));
    if (auto reason = c.generator.validate(); !reason.empty()) {
        *error = "bad architecture: " + reason;
        return false;
    }
    if (c.name.empty())
        c.name = data.name;
    if (c.exportPath.empty())
        c.exportPath = (fs::path(c.outDir) / (c.name + ".sgm")).string();
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
    Models m = makeModels(c);
    if (resume && !loadCheckpoint(c, m, error))
        return false;
    BatchSampler sampler{data, c.generator, std::mt19937_64(c.seed + uint64_t(m.step) * 7919)};
    if (!resume) {
        initOutputBias(m.g, sampler.next(256).first);
        copyParameters(*m.g, *m.gEma);
    }
    torch::manual_seed(c.seed + uint64_t(m.step));  // a resumed run draws fresh batches

    std::printf("stylegen-train: %s, %zu images, %zu styles, %s %lldx%lld, batch %lld, %d threads%s\n",
                data.name.c_str(), data.images.size(), data.styles.size(),
                c.generator.kind() == ModelKind::Scene ? "scene" : "character",
                (long long)c.generator.resolution(), (long long)c.generator.resolution(), (long long)c.batch,
                torch::get_num_threads(), resume ? (", resumed at step " + std::to_string(m.step)).c_str() : "");
    for (size_t s = 0; s < data.styles.size(); ++s) {
        size_t count = 0;
        for (const auto& im : data.images)
            count += im.style == int(s);
        std::printf("  style %2zu %-14s %5zu images\n", s, data.styles[s].c_str(), count);
    }
    std::fflush(stdout);

    AugmentOptions augment;
    augment.padding = c.generator.padding();
    augment.translate = c.augmentTranslate;
    augment.color = c.augmentColor;
    const bool tty = isatty(fileno(stdout));
    const auto runStart = std::chrono::steady_clock::now();
    const double secondsAtStart = m.seconds;
    auto lastCheckpoint = runStart;
    auto lastReport = runStart;
    double reportNimg = m.nimg;
    double lossG = 0, lossD = 0, lossR1 = 0;
    int64_t lossCount = 0;

    std::signal(SIGINT, requestStop);
    std::signal(SIGTERM, requestStop);
    auto budgetLeft = [&] {
        if (gStopRequested)
            return false;
        if (c.maxSteps > 0 && m.step >= c.maxSteps)
            return false;
        return c.minutes <= 0 || m.seconds < c.minutes * 60.0;
    };

    while (budgetLeft()) {
        const int64_t n = c.batch;
        auto [real, realStyles] = sampler.next(n);
        auto fakeStyles = sampler.styles(n);

        // Generator: non-saturating logistic loss with style mixing.
        setRequiresGrad(*m.d, false);
        auto fake = m.g->forward(torch::randn({n, c.generator.zDim()}), fakeStyles, c.mixProbability);
        auto gLoss = torch::softplus(-m.d->forward(diffAugment(asDecoded(fake), augment), fakeStyles)).mean();
        m.optG->zero_grad();
        gLoss.backward();
        m.optG->step();
        setRequiresGrad(*m.d, true);

        // Discriminator, with lazy R1 on the real images every r1Interval steps.
        const bool r1Step = m.step % c.r1Interval == 0;
        torch::Tensor fakeDetached;
        {
            torch::NoGradGuard noGrad;
            fakeDetached = m.g->forward(torch::randn({n, c.generator.zDim()}), fakeStyles, c.mixProbability);
        }
        auto realIn = real.detach().requires_grad_(r1Step);
        auto realLogits = m.d->forward(diffAugment(realIn, augment), realStyles);
        auto fakeLogits = m.d->forward(diffAugment(asDecoded(fakeDetached), augment), fakeStyles);
        auto dLoss = torch::softplus(fakeLogits).mean() + torch::softplus(-realLogits).mean();
        torch::Tensor r1;
        if (r1Step) {
            auto grad = torch::autograd::grad({realLogits.sum()}, {realIn}, {}, true, true)[0];
            r1 = grad.square().sum({1, 2, 3}).mean();
            dLoss = dLoss + r1 * (c.r1Gamma * 0.5 * double(c.r1Interval));
        }
        m.optD->zero_grad();
        dLoss.backward();
        m.optD->step();

        // EMA of the generator weights: the exported model.
        m.nimg += double(n);
        {
            torch::NoGradGuard noGrad;
            double emaNimg = std::min(c.emaKimg * 1000.0, m.nimg * c.emaRampup);
            double beta = std::pow(0.5, double(n) / std::max(emaNimg, 1e-8));
            auto src = m.g->parameters();
            auto dst = m.gEma->parameters();
            for (size_t i = 0; i < src.size(); ++i)
                dst[i].copy_(src[i].lerp(dst[i], beta));
        }
        ++m.step;

        lossG += gLoss.item<double>();
        lossD += dLoss.item<double>();
        if (r1.defined())
            lossR1 += r1.item<double>() / double(c.r1Interval);
        ++lossCount;
        auto now = std::chrono::steady_clock::now();
        m.seconds = secondsAtStart + std::chrono::duration<double>(now - runStart).count();

        double sinceReport = std::chrono::duration<double>(now - lastReport).count();
        if (sinceReport >= (tty ? 1.0 : 30.0) || !budgetLeft()) {
            double ips = (m.nimg - reportNimg) / std::max(sinceReport, 1e-9);
            double fraction = c.minutes > 0 ? m.seconds / (c.minutes * 60.0)
                              : c.maxSteps > 0 ? double(m.step) / double(c.maxSteps) : 0.0;
            fraction = std::min(fraction, 1.0);
            char bar[21];
            for (int i = 0; i < 20; ++i)
                bar[i] = i < int(fraction * 20) ? '#' : '.';
            bar[20] = 0;
            double eta = fraction > 0 ? m.seconds / fraction - m.seconds : 0;
            std::printf("%s[%s] %3d%% step %lld kimg %.1f | G %.3f D %.3f R1 %.3f | %.1f img/s | %s ETA %s%s",
                        tty ? "\r" : "", bar, int(fraction * 100), (long long)m.step, m.nimg / 1000.0,
                        lossG / lossCount, lossD / lossCount, lossR1 / lossCount, ips,
                        formatDuration(m.seconds).c_str(), formatDuration(eta).c_str(), tty ? "   " : "\n");
            std::fflush(stdout);
            lastReport = now;
            reportNimg = m.nimg;
            lossG = lossD = lossR1 = 0;
            lossCount = 0;
        }
        if (c.sampleEvery > 0 && m.step % c.sampleEvery == 0) {
            char name[64];
            std::snprintf(name, sizeof name, "samples-%06lld.png", (long long)m.step);
            if (!writeSampleGrid(c, m, (fs::path(c.outDir) / name).string(), error))
                return false;
        }
        if (std::chrono::duration<double>(now - lastCheckpoint).count() >= c.checkpointMinutes * 60.0) {
            if (!saveCheckpoint(c, m, error))
                return false;
            lastCheckpoint = now;
        }
    }
    if (tty)
        std::printf("\n");
    if (gStopRequested) {
        if (!saveCheckpoint(c, m, error))
            return false;
        std::printf("stylegen-train: stopped at step %lld; checkpoint written, continue with --resume --out %s\n",
                    (long long)m.step, c.outDir.c_str());
        return true;
    }
    if (!saveCheckpoint(c, m, error) ||
        !writeSampleGrid(c, m, (fs::path(c.outDir) / "samples-final.png").string(), error))
        return false;

    ModelMetadata meta;
    meta.name = c.name;
    meta.styles = data.styles;
    meta.training = {
        {"data", data.name},
        {"data_provenance", data.provenance},
        {"data_licence", data.licence},
        {"images", data.images.size()},
        {"hold_out", c.holdOut},
        {"steps", m.step},
        {"kimg", m.nimg / 1000.0},
        {"seconds", m.seconds},
        {"batch", c.batch},
        {"threads", torch::get_num_threads()},
        {"command", c.command},
    };
    auto wAvg = styleMeans(m.gEma->mapping);
    if (!exportModel(m.gEma, wAvg, meta, c.exportPath, c.half, error))
        return false;
    std::printf("stylegen-train: %lld steps, %.1f kimg in %s; exported %s\n", (long long)m.step, m.nimg / 1000.0,
                formatDuration(m.seconds).c_str(), c.exportPath.c_str());
    return true;
}

}  // namespace sgt
