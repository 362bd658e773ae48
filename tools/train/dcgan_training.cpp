// dcgan_training.cpp - the classic conditional DCGAN, trained by the same loop
// on the same data as the default models: the baseline of docs/quality.md.
// As in the paper: Adam (lr 2e-4, beta1 0.5), the non-saturating GAN loss, no
// regularisation, no weight averaging. DiffAugment is the one modern addition,
// given to both architectures alike so that neither wins by augmentation.
#include "gan_training.hpp"

#include "augment.hpp"
#include "model/dcgan.hpp"
#include "model/sampling.hpp"
#include "output_files.hpp"

#include <filesystem>

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace sgt {

namespace {

class DcganTraining final : public GanTraining {
public:
    explicit DcganTraining(const TrainConfig& c) : c_(c), device_(c.device) {
        options_.resolution(c.generator.resolution())
            .imgChannels(c.generator.imgChannels())
            .styleCount(c.generator.styleCount());
        g_ = DcganGenerator(options_);
        d_ = DcganDiscriminator(options_);
        g_->to(device_);
        d_->to(device_);
        optG_ = std::make_unique<torch::optim::Adam>(g_->parameters(),
                                                     torch::optim::AdamOptions(c.lr).betas({0.5, 0.999}));
        optD_ = std::make_unique<torch::optim::Adam>(d_->parameters(),
                                                     torch::optim::AdamOptions(c.lr).betas({0.5, 0.999}));
        augment_.padding = c.generator.padding();
        augment_.translate = c.augmentTranslate;
        augment_.color = c.augmentColor;
    }

    static std::string validate(const TrainConfig& c) {
        DcganOptions o;
        o.resolution(c.generator.resolution()).imgChannels(c.generator.imgChannels()).styleCount(c.generator.styleCount());
        return o.validate();
    }

    void begin(const torch::Tensor&) override {}

    StepLosses step(int64_t, const torch::Tensor& real, const torch::Tensor& realStyles,
                    const torch::Tensor& fakeStyles) override {
        const int64_t n = real.size(0);
        auto fake = g_->forward(torch::randn({n, options_.zDim()}, real.options()), fakeStyles);

        // D first, as in the paper's reference code: real and fake in separate
        // batches (batch norm statistics per batch).
        auto realLogits = d_->forward(diffAugment(real, augment_), realStyles);
        auto fakeLogits = d_->forward(diffAugment(fake.detach(), augment_), fakeStyles);
        auto dLoss = torch::softplus(-realLogits).mean() + torch::softplus(fakeLogits).mean();
        optD_->zero_grad();
        dLoss.backward();
        optD_->step();

        setRequiresGrad(*d_, false);
        auto gLoss = torch::softplus(-d_->forward(diffAugment(fake, augment_), fakeStyles)).mean();
        optG_->zero_grad();
        gLoss.backward();
        optG_->step();
        setRequiresGrad(*d_, true);
        return {{{"G", gLoss.item<double>()}, {"D", dLoss.item<double>()}}};
    }

    void save(torch::serialize::OutputArchive& root) override {
        torch::serialize::OutputArchive g, d, optG, optD;
        g_->save(g);
        d_->save(d);
        optG_->save(optG);
        optD_->save(optD);
        root.write("dcgan_g", g);
        root.write("dcgan_d", d);
        root.write("opt_g", optG);
        root.write("opt_d", optD);
    }

    void load(torch::serialize::InputArchive& root) override {
        torch::serialize::InputArchive g, d, optG, optD;
        root.read("dcgan_g", g);
        root.read("dcgan_d", d);
        root.read("opt_g", optG);
        root.read("opt_d", optD);
        g_->load(g);
        d_->load(d);
        optG_->load(optG);
        optD_->load(optD);
    }

    bool writeSampleGrid(const std::string& path, std::string* error) override {
        const int64_t styles = options_.styleCount(), columns = 8;
        std::vector<torch::Tensor> rows;
        for (int64_t s = 0; s < styles; ++s)
            rows.push_back(generate(s, columns, 1));
        return writeImageGrid(path, torch::stack(rows), error);
    }

    // <exportPath>/<style>/<seed>.png, seeds 1..exportImages per style.
    bool exportResult(const std::vector<std::string>& styles, const Json& training, std::string* error) override {
        const fs::path root = c_.exportPath;
        std::error_code ec;
        for (size_t s = 0; s < styles.size(); ++s) {
            fs::create_directories(root / styles[s], ec);
            if (ec) {
                *error = "cannot create " + (root / styles[s]).string() + ": " + ec.message();
                return false;
            }
            for (int64_t first = 1; first <= c_.exportImages; first += 64) {
                const int64_t count = std::min<int64_t>(64, c_.exportImages - first + 1);
                auto images = generate(int64_t(s), count, uint64_t(first));
                for (int64_t i = 0; i < count; ++i) {
                    auto path = root / styles[s] / (std::to_string(first + i) + ".png");
                    if (!writeImagePng(path.string(), images[i], error))
                        return false;
                }
            }
        }
        Json info = {{"architecture", "dcgan"}, {"styles", styles}, {"images_per_style", c_.exportImages},
                     {"training", training}};
        return writeTextAtomically((root / "provenance.json").string(), info.dump(2), error);
    }

private:
    // Premultiplied RGBA in [0, 1], [count, 4, R, R]. Inference uses batch
    // norm's running statistics, so an image depends only on its style and
    // seed (z from the SDK's Philox stream, as for the default models).
    torch::Tensor generate(int64_t style, int64_t count, uint64_t firstSeed) {
        torch::NoGradGuard noGrad;
        std::vector<uint64_t> seeds;
        for (int64_t i = 0; i < count; ++i)
            seeds.push_back(firstSeed + uint64_t(i));
        g_->eval();
        auto styles = torch::full({count}, style, torch::TensorOptions(torch::kInt64).device(device_));
        auto images = decodeOutput(g_->forward(philoxLatents(seeds, options_.zDim(), device_), styles));
        g_->train();
        return images;
    }

    TrainConfig c_;
    torch::Device device_;
    DcganOptions options_;
    DcganGenerator g_{nullptr};
    DcganDiscriminator d_{nullptr};
    std::unique_ptr<torch::optim::Adam> optG_, optD_;
    AugmentOptions augment_;
};

}  // namespace

std::unique_ptr<GanTraining> makeDcganTraining(const TrainConfig& c, std::string* error) {
    if (auto reason = DcganTraining::validate(c); !reason.empty()) {
        *error = "bad architecture: " + reason;
        return nullptr;
    }
    return std::make_unique<DcganTraining>(c);
}

}  // namespace sgt
