// stylegan_training.cpp - StyleGAN2 training (Karras et al. 2020): non-
// saturating logistic loss, lazy R1, style-mixing regularisation, DiffAugment,
// EMA generator; and fine-tuning an existing model with new styles.
#include "gan_training.hpp"

#include "augment.hpp"
#include "model/discriminator.hpp"
#include "model/sampling.hpp"
#include "model/sgm_io.hpp"
#include "output_files.hpp"

#include <cmath>
#include <filesystem>

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace sgt {

// Real sprites have exactly transparent backgrounds; with the raw output the
// discriminator tells fakes apart by that alone and wins within a few hundred
// steps. A hard clamp would hide overshoot and let the output drift; the 1%
// leak keeps overshoot visible, and penalised, and keeps a gradient everywhere.
torch::Tensor asDecoded(const torch::Tensor& img) {
    auto y = img.clamp(-1, 1);
    if (y.size(1) == 4) {
        auto alpha = y.narrow(1, 3, 1);
        y = torch::cat({torch::min(y.narrow(1, 0, 3), alpha), alpha}, 1);
    }
    return y + 0.01 * (img - y);
}

std::string discriminatorPathFor(const std::string& modelPath) {
    return (fs::path(modelPath).replace_extension(".discriminator.pt")).string();
}

namespace {

// Copies parameters by name. Style tables may have grown (fine-tuning adds
// styles): their existing rows are copied and new rows start at the mean of
// the old ones, i.e. at the "average" style.
void copyParameters(torch::nn::Module& from, torch::nn::Module& to) {
    torch::NoGradGuard noGrad;
    auto src = from.named_parameters();
    for (auto& p : to.named_parameters()) {
        const auto& s = src[p.key()];
        if (s.sizes() == p.value().sizes()) {
            p.value().copy_(s);
        } else {
            const int64_t old = s.size(0);
            p.value().narrow(0, 0, old).copy_(s);
            p.value().narrow(0, old, p.value().size(0) - old).copy_(s.mean(0, true).expand({p.value().size(0) - old, -1}));
        }
    }
}

// A parameter "a.b.weight" of a saved module: Module::save nests one archive
// per submodule.
torch::Tensor readNested(torch::serialize::InputArchive& archive, const std::string& key) {
    const auto dot = key.find('.');
    torch::Tensor out;
    if (dot == std::string::npos) {
        archive.read(key, out);
        return out;
    }
    torch::serialize::InputArchive sub;
    archive.read(key.substr(0, dot), sub);
    return readNested(sub, key.substr(dot + 1));
}

class StyleGanTraining final : public GanTraining {
public:
    explicit StyleGanTraining(const TrainConfig& c) : c_(c), device_(c.device) {
        g_ = Generator(c.generator);
        gEma_ = Generator(c.generator);
        copyParameters(*g_, *gEma_);
        setRequiresGrad(*gEma_, false);
        d_ = Discriminator(c.generator, c.discriminatorChannels);
        g_->to(device_);
        gEma_->to(device_);
        d_->to(device_);
        augment_.padding = c.generator.padding();
        augment_.translate = c.augmentTranslate;
        augment_.color = c.augmentColor;
    }

    // Fine-tuning: the model's weights, its discriminator, and a frozen copy of
    // the model that the old styles are held to.
    bool startFrom(const std::string& modelPath, const std::string& discriminatorPath, std::string* error) {
        LoadedModel base;
        if (!importModel(modelPath, &base, error))
            return false;
        oldStyleCount_ = int64_t(base.meta.styles.size());
        copyParameters(*base.generator, *g_);
        copyParameters(*base.generator, *gEma_);
        original_ = base.generator;
        original_->to(device_);
        setRequiresGrad(*original_, false);

        Discriminator baseD{nullptr};
        if (!loadDiscriminator(discriminatorPath, base.generator->options, &baseD, error))
            return false;
        // The base's widths; only the style projection grows.
        d_ = Discriminator(c_.generator, baseD->channels);
        d_->to(device_);
        copyParameters(*baseD, *d_);
        return true;
    }

    // Which parameters train. Fine-tuning keeps the mapping layers and the old
    // styles' embeddings fixed, so old styles keep their w exactly, and
    // freezes D's input layers (FreezeD, Mo et al. 2020): with a few dozen
    // images only the high-level layers of D can adapt without overfitting.
    void makeOptimisers() {
        std::vector<torch::Tensor> gParams, dParams;
        if (original_) {
            setRequiresGrad(*g_->mapping, false);
            g_->mapping->embed.set_requires_grad(true);
            setRequiresGrad(*d_->fromRgb, false);
            for (int64_t b = 0; b < std::min<int64_t>(c_.freezeD, int64_t(d_->blocks.size())); ++b)
                setRequiresGrad(*d_->blocks[size_t(b)], false);
        }
        for (auto& p : g_->parameters())
            if (p.requires_grad())
                gParams.push_back(p);
        for (auto& p : d_->parameters())
            if (p.requires_grad())
                dParams.push_back(p);
        optG_ = std::make_unique<torch::optim::Adam>(
            gParams, torch::optim::AdamOptions(c_.lr).betas({0.0, 0.99}).eps(1e-8));
        // Lazy regularisation (StyleGAN2 Appendix B): D is regularised every
        // r1Interval steps, so its Adam settings are rescaled to match.
        double ratio = double(c_.r1Interval) / double(c_.r1Interval + 1);
        optD_ = std::make_unique<torch::optim::Adam>(
            dParams, torch::optim::AdamOptions(c_.lr * ratio).betas({0.0, std::pow(0.99, ratio)}).eps(1e-8));
    }

    // Starts the first toRGB bias at the data's mean colour. Sprites are mostly
    // transparent (mean near -0.85 in [-1, 1]); a generator that starts at 0 is
    // told apart by its mean alone and the discriminator wins before the
    // generator has learnt anything. A fine-tuned model keeps its own.
    void begin(const torch::Tensor& realSample) override {
        if (original_)
            return;
        torch::NoGradGuard noGrad;
        g_->synthesis->blocks[0]->torgb->bias.copy_(realSample.mean({0, 2, 3}));
        copyParameters(*g_, *gEma_);
    }

    StepLosses step(int64_t step, const torch::Tensor& real, const torch::Tensor& realStyles,
                    const torch::Tensor& fakeStyles) override {
        const int64_t n = real.size(0), zDim = c_.generator.zDim();
        StepLosses losses;

        // Generator: non-saturating logistic loss with style mixing.
        setRequiresGrad(*d_, false);
        auto fake = g_->forward(torch::randn({n, zDim}, real.options()), fakeStyles, c_.mixProbability);
        auto gLoss = torch::softplus(-d_->forward(diffAugment(asDecoded(fake), augment_), fakeStyles)).mean();
        if (original_)
            gLoss = gLoss + c_.distill * oldStylesDrift(n);
        optG_->zero_grad();
        gLoss.backward();
        if (original_)  // old styles' embeddings stay exactly as they were
            g_->mapping->embed.mutable_grad().narrow(0, 0, oldStyleCount_).zero_();
        optG_->step();
        restoreDiscriminatorTraining();

        // Discriminator, with lazy R1 on the real images every r1Interval steps.
        const bool r1Step = step % c_.r1Interval == 0;
        torch::Tensor fakeDetached;
        {
            torch::NoGradGuard noGrad;
            fakeDetached = g_->forward(torch::randn({n, zDim}, real.options()), fakeStyles, c_.mixProbability);
        }
        auto realIn = real.detach().requires_grad_(r1Step);
        auto realLogits = d_->forward(diffAugment(realIn, augment_), realStyles);
        auto fakeLogits = d_->forward(diffAugment(asDecoded(fakeDetached), augment_), fakeStyles);
        auto dLoss = torch::softplus(fakeLogits).mean() + torch::softplus(-realLogits).mean();
        if (r1Step) {
            auto grad = torch::autograd::grad({realLogits.sum()}, {realIn}, {}, true, true)[0];
            auto r1 = grad.square().sum({1, 2, 3}).mean();
            dLoss = dLoss + r1 * (c_.r1Gamma * 0.5 * double(c_.r1Interval));
            losses.terms.emplace_back("R1", r1.item<double>());
        }
        optD_->zero_grad();
        dLoss.backward();
        optD_->step();

        // EMA of the generator weights: the exported model.
        nimg_ += double(n);
        {
            torch::NoGradGuard noGrad;
            double emaNimg = std::min(c_.emaKimg * 1000.0, nimg_ * c_.emaRampup);
            double beta = std::pow(0.5, double(n) / std::max(emaNimg, 1e-8));
            auto src = g_->parameters();
            auto dst = gEma_->parameters();
            for (size_t i = 0; i < src.size(); ++i)
                dst[i].copy_(src[i].lerp(dst[i], beta));
        }
        losses.terms.insert(losses.terms.begin(), {{"G", gLoss.item<double>()}, {"D", dLoss.item<double>()}});
        return losses;
    }

    void save(torch::serialize::OutputArchive& root) override {
        torch::serialize::OutputArchive g, gEma, d, optG, optD;
        g_->save(g);
        gEma_->save(gEma);
        d_->save(d);
        optG_->save(optG);
        optD_->save(optD);
        root.write("g", g);
        root.write("g_ema", gEma);
        root.write("d", d);
        root.write("opt_g", optG);
        root.write("opt_d", optD);
        root.write("ema_nimg", torch::tensor({nimg_}, torch::kFloat64));
    }

    void load(torch::serialize::InputArchive& root) override {
        torch::serialize::InputArchive g, gEma, d, optG, optD;
        root.read("g", g);
        root.read("g_ema", gEma);
        root.read("d", d);
        root.read("opt_g", optG);
        root.read("opt_d", optD);
        g_->load(g);
        gEma_->load(gEma);
        d_->load(d);
        optG_->load(optG);
        optD_->load(optD);
        torch::Tensor nimg;
        if (root.try_read("ema_nimg", nimg))
            nimg_ = nimg[0].item<double>();
        else  // checkpoints from before fine-tuning existed: the ramp-up is long over
            nimg_ = 1e12;
        restoreDiscriminatorTraining();
    }

    bool writeSampleGrid(const std::string& path, std::string* error) override {
        const int64_t styles = c_.generator.styleCount(), columns = 8;
        auto wAvg = styleMeans(gEma_->mapping, 1024);
        std::vector<torch::Tensor> rows;
        for (int64_t s = 0; s < styles; ++s) {
            SampleRequest r;
            for (int64_t i = 0; i < columns; ++i)
                r.seeds.push_back(uint64_t(i + 1));
            r.styleWeights.assign(size_t(styles), 0.0f);
            r.styleWeights[size_t(s)] = 1.0f;
            rows.push_back(sample(gEma_, wAvg, r));
        }
        return writeImageGrid(path, torch::stack(rows), error);
    }

    bool exportResult(const std::vector<std::string>& styles, const Json& training, std::string* error) override {
        ModelMetadata meta;
        meta.name = c_.name;
        meta.styles = styles;
        meta.training = training;
        auto wAvg = styleMeans(gEma_->mapping);
        if (original_) {
            LoadedModel base;
            if (!importModel(c_.finetune, &base, error))
                return false;
            meta.training["base_model"] = base.meta.training;
            // The old styles' latents are unchanged (frozen mapping and
            // embeddings): keep their truncation centres bit for bit rather
            // than re-estimate them with different rounding.
            wAvg.narrow(0, 0, oldStyleCount_).copy_(base.wAvg);
        }
        if (!exportModel(gEma_, wAvg, meta, c_.exportPath, c_.half, error))
            return false;
        // f16 halves the file; fine-tuning converts it back to f32.
        Discriminator half(c_.generator, d_->channels);
        copyParameters(*d_, *half);
        half->to(torch::kFloat16);
        torch::serialize::OutputArchive root, d;
        half->save(d);
        root.write("d", d);
        return writeAtomically(discriminatorPathFor(c_.exportPath), [&](std::ostream& out) { root.save_to(out); },
                               error);
    }

private:
    // Mean squared difference between the fine-tuned and the original model's
    // output for random old styles, same latents and noise: keeps the old
    // styles as they were without needing their training data.
    torch::Tensor oldStylesDrift(int64_t n) {
        auto styles = torch::randint(oldStyleCount_, {n}, torch::TensorOptions(torch::kInt64).device(device_));
        auto z = torch::randn({n, c_.generator.zDim()}, torch::TensorOptions().device(device_));
        auto inputs = SynthesisInputs::random(c_.generator, n, device_);
        torch::Tensor ws, target;
        {
            torch::NoGradGuard noGrad;
            ws = original_->mapping->forward(z, styles).unsqueeze(1).repeat({1, original_->numWs(), 1});
            target = asDecoded(original_->synthesis->forward(ws, inputs));
        }
        return (asDecoded(g_->synthesis->forward(ws, inputs)) - target).square().mean();
    }

    // setRequiresGrad(d, true) after the G step must not thaw FreezeD's layers.
    void restoreDiscriminatorTraining() {
        setRequiresGrad(*d_, true);
        if (original_) {
            setRequiresGrad(*d_->fromRgb, false);
            for (int64_t b = 0; b < std::min<int64_t>(c_.freezeD, int64_t(d_->blocks.size())); ++b)
                setRequiresGrad(*d_->blocks[size_t(b)], false);
        }
    }

    TrainConfig c_;
    torch::Device device_;
    Generator g_{nullptr}, gEma_{nullptr}, original_{nullptr};
    Discriminator d_{nullptr};
    std::unique_ptr<torch::optim::Adam> optG_, optD_;
    AugmentOptions augment_;
    int64_t oldStyleCount_ = 0;
    double nimg_ = 0;  // images seen by this run's EMA ramp-up
};

}  // namespace

bool loadDiscriminator(const std::string& path, const GeneratorOptions& o, Discriminator* out, std::string* error) {
    try {
        torch::serialize::InputArchive root, archive;
        root.load_from(path);
        root.read("d", archive);
        // Widths: fromRGB's output at R, then each block's output down to 4.
        const int64_t top = o.blockCount() - 1;
        std::vector<int64_t> widths(size_t(top + 1));
        widths[size_t(top)] = readNested(archive, "from_rgb.weight").size(0);
        for (int64_t b = top; b > 0; --b)
            widths[size_t(b - 1)] = readNested(archive, "b" + std::to_string(4 << b) + ".conv1.weight").size(0);
        Discriminator d(o, widths);
        // Tensor by tensor: the file may hold f16 (an export) or f32 (a
        // checkpoint), and Module::load would keep the file's type.
        torch::NoGradGuard noGrad;
        for (auto& p : d->named_parameters()) {
            torch::Tensor stored = readNested(archive, p.key());
            if (stored.sizes() != p.value().sizes())
                throw std::runtime_error("tensor " + p.key() + " has the wrong shape");
            p.value().copy_(stored.to(torch::kFloat32));
        }
        *out = d;
    } catch (const std::exception& e) {
        *error = "cannot read the discriminator " + path + ": " + e.what();
        return false;
    }
    return true;
}

std::unique_ptr<GanTraining> makeStyleGanTraining(const TrainConfig& c, std::string* error) {
    auto t = std::make_unique<StyleGanTraining>(c);
    if (!c.finetune.empty() &&
        !t->startFrom(c.finetune, c.discriminator.empty() ? discriminatorPathFor(c.finetune) : c.discriminator, error))
        return nullptr;
    t->makeOptimisers();
    return t;
}

}  // namespace sgt
