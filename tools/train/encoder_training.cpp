// encoder_training.cpp - the restyle encoder (docs/generator.md, "Encoder"),
// trained against a model's frozen generator and discriminator, in the spirit
// of pSp (Richardson et al. 2021) and e4e (Tov et al. 2021):
//
//   - real training images (translated a little) and generated images whose
//     true w+ and spatial grid are known go through encoder -> synthesis
//     with the reconstruction noise: strength 1 from one fixed noise seed, as
//     the SDK reconstructs. This generator paints its detail through the noise,
//     so a reconstruction without it is a smooth blob; fixed noise keeps it a
//     pure function of the image (pSp does the same);
//   - pixel loss: L2 on premultiplied RGBA in [-1, 1], alpha weighted as much
//     as the three colour planes together so the silhouette is kept (scenes: RGB);
//   - feature loss: L2 between the frozen discriminator's activations on the
//     input and on the reconstruction (a perceptual loss from a network that
//     knows these images);
//   - latent loss on generated images: their w+ and grid are free supervision;
//   - delta regularisation (e4e): the layers' w stay close to each other, and
//     for scene models the grid keeps N(0, 1) statistics per channel, so that
//     restyled codes stay where the generator was trained.
//
// The export is the model file with the encoder's tensors and the header keys
// `encoder` and `encoder_training` added; everything else is kept bit for bit.
#include "gan_training.hpp"

#include "augment.hpp"
#include "model/encoder.hpp"
#include "model/sampling.hpp"
#include "model/sgm_io.hpp"
#include "model_file.hpp"
#include "output_files.hpp"

#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <utility>

using Json = nlohmann::json;

namespace sgt {

namespace {

// What the SDK makes of a synthesis output, back in [-1, 1] with the model's
// planes: the image a caller would hand to the encoder.
torch::Tensor sdkImage(const torch::Tensor& img) { return decodeOutput(img).narrow(1, 0, img.size(1)) * 2 - 1; }

bool readModelFile(const std::string& path, sg::ModelFileContents* contents, std::string* error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        *error = "cannot open " + path;
        return false;
    }
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!sg::parseModelFile(bytes.data(), bytes.size(), contents, error)) {
        *error = path + ": " + *error;
        return false;
    }
    return true;
}

// `count` rows of `images` picked evenly (repeating when there are fewer).
torch::Tensor pickSpread(const torch::Tensor& images, int64_t count) {
    auto index = torch::empty({count}, torch::kInt64);
    for (int64_t i = 0; i < count; ++i)
        index[i] = i * images.size(0) / count;
    return images.index_select(0, index.to(images.device()));
}

// The noise seed reconstructions are synthesised from (docs/generator.md,
// "Encoder"); any fixed value would do, the export records it.
constexpr uint64_t kReconstructionNoiseSeed = 0;

struct Generated {
    torch::Tensor images;  // SDK output in [-1, 1]
    torch::Tensor ws;      // [N, numWs, wDim]
    torch::Tensor spatial; // scene models
};

class EncoderTraining final : public GanTraining {
public:
    EncoderTraining(const TrainConfig& c, const torch::Tensor& heldOut, const torch::Tensor& trainSample)
        : c_(c), device_(c.device), heldOut_(heldOut.to(device_)), trainSample_(trainSample.to(device_)) {}

    bool init(std::string* error) {
        sg::ModelFileContents contents;
        if (!readModelFile(c_.encoderFor, &contents, error))
            return false;
        modelHash_ = sg::toHex(contents.contentHash.data(), contents.contentHash.size());
        LoadedModel base;
        if (!importModel(c_.encoderFor, &base, error))
            return false;
        g_ = base.generator;
        g_->to(device_);
        setRequiresGrad(*g_, false);
        const auto& o = g_->options;
        discriminatorPath_ = c_.discriminator.empty() ? discriminatorPathFor(c_.encoderFor) : c_.discriminator;
        if (!loadDiscriminator(discriminatorPath_, o, &d_, error))
            return false;
        d_->to(device_);
        setRequiresGrad(*d_, false);

        channels_ = c_.encoderChannels.empty() ? defaultEncoderChannels(o) : c_.encoderChannels;
        if (auto reason = validateEncoderChannels(o, channels_); !reason.empty()) {
            *error = reason;
            return false;
        }
        encoder_ = Encoder(o, channels_, base.wAvg.mean(0));
        encoder_->to(device_);
        opt_ = std::make_unique<torch::optim::Adam>(encoder_->parameters(),
                                                    torch::optim::AdamOptions(c_.lr).betas({0.9, 0.99}));
        // Translation only, and half DiffAugment's range: the generator puts
        // sprites where the data has them, so a far-shifted sprite has no
        // reconstruction to learn.
        augment_.translate = c_.augmentTranslate;
        augment_.translateRatio = 0.0625;
        augment_.color = c_.augmentColor;
        augment_.padding = o.padding();

        // The grid's generated row: fixed seeds, styles in turn, as the SDK makes them.
        torch::NoGradGuard noGrad;
        std::vector<uint64_t> seeds;
        for (uint64_t i = 1; i <= 8; ++i)
            seeds.push_back(i);
        auto styles = torch::arange(8, torch::TensorOptions(torch::kInt64).device(device_)).remainder(o.styleCount());
        auto ws = g_->mapping->forward(philoxLatents(seeds, o.zDim(), device_), styles)
                      .unsqueeze(1)
                      .repeat({1, o.numWs(), 1});
        gridGenerated_ = sdkImage(
            g_->synthesis->forward(ws, philoxInputs(o, seeds, o.resolution(), o.resolution(), 1.0f, device_)));
        return true;
    }

    void begin(const torch::Tensor&) override {}

    StepLosses step(int64_t, const torch::Tensor& real, const torch::Tensor&, const torch::Tensor&) override {
        const int64_t n = real.size(0), nf = std::max<int64_t>(1, n / 2);
        const bool scene = g_->options.spatialInput();
        Generated fake = generate(nf);
        auto input = torch::cat({diffAugment(real, augment_), fake.images});
        auto code = encoder_->forward(input);
        auto rec = asDecoded(reconstruct(code, input));

        auto pixel = pixelLoss(rec, input);
        torch::Tensor feature = torch::zeros({}, real.options());
        {
            std::vector<torch::Tensor> target;
            {
                torch::NoGradGuard noGrad;
                target = d_->features(input);
            }
            auto mine = d_->features(rec);
            for (size_t k = 0; k < mine.size(); ++k)
                feature = feature + (mine[k] - target[k]).square().mean();
            feature = feature / double(mine.size());
        }
        auto latent = (code.ws.narrow(0, n, nf) - fake.ws).square().mean();
        if (scene)
            latent = latent + (code.spatial.narrow(0, n, nf) - fake.spatial).square().mean();
        auto delta = (code.ws - code.ws.mean(1, true)).square().mean();
        auto loss = pixel + c_.featureWeight * feature + c_.latentWeight * latent + c_.deltaWeight * delta;
        torch::Tensor grid;
        if (scene) {
            // Per channel over images and positions: mean 0, variance 1.
            auto g = code.spatial.transpose(0, 1).flatten(1);
            grid = (g.mean(1).square() + (g.var(1) - 1).square()).mean();
            loss = loss + c_.gridWeight * grid;
        }
        opt_->zero_grad();
        loss.backward();
        opt_->step();

        StepLosses losses;
        losses.terms = {{"rec", pixel.item<double>()},
                        {"feat", feature.item<double>()},
                        {"lat", latent.item<double>()},
                        {"delta", delta.item<double>()}};
        if (scene)
            losses.terms.emplace_back("grid", grid.item<double>());
        return losses;
    }

    void save(torch::serialize::OutputArchive& root) override {
        torch::serialize::OutputArchive e, opt;
        encoder_->save(e);
        opt_->save(opt);
        root.write("encoder", e);
        root.write("opt_encoder", opt);
        root.write("encoder_model_hash", hashTensor());
    }

    void load(torch::serialize::InputArchive& root) override {
        torch::serialize::InputArchive e, opt;
        torch::Tensor hash;
        root.read("encoder_model_hash", hash);
        if (!hash.cpu().equal(hashTensor()))
            throw std::runtime_error("the checkpoint's encoder was trained for another version of " + c_.encoderFor);
        root.read("encoder", e);
        root.read("opt_encoder", opt);
        encoder_->load(e);
        opt_->load(opt);
    }

    // Pairs of rows, inputs above their reconstructions: held-out real images
    // (two pairs), training images, generated images.
    bool writeSampleGrid(const std::string& path, std::string* error) override {
        torch::NoGradGuard noGrad;
        std::vector<torch::Tensor> rows;
        auto pair = [&](const torch::Tensor& images) {
            rows.push_back(decodeOutput(images));
            rows.push_back(decodeOutput(reconstruct(images)));
        };
        auto heldOut = pickSpread(heldOut_, 16);
        pair(heldOut.narrow(0, 0, 8));
        pair(heldOut.narrow(0, 8, 8));
        pair(pickSpread(trainSample_, 8));
        pair(gridGenerated_);
        return writeImageGrid(path, torch::stack(rows), error);
    }

    std::string report() override {
        char line[128];
        std::snprintf(line, sizeof line, "held-out reconstruction PSNR %.2f dB (%lld images)", heldOutPsnr(),
                      (long long)heldOut_.size(0));
        return line;
    }

    bool exportResult(const std::vector<std::string>&, const Json& training, std::string* error) override {
        sg::ModelFileContents contents;
        if (!readModelFile(c_.encoderFor, &contents, error))
            return false;
        if (sg::toHex(contents.contentHash.data(), contents.contentHash.size()) != modelHash_) {
            *error = c_.encoderFor + " changed while its encoder trained; train again for the new model";
            return false;
        }
        Json header = Json::parse(contents.json);
        header["encoder"] = {{"arch", "stylegen-encoder-1"},
                             {"channels", channels_},
                             {"reconstruction_noise_seed", kReconstructionNoiseSeed}};
        Json provenance = training;
        provenance["base_model_hash"] = modelHash_;
        provenance["discriminator"] = discriminatorPath_;
        provenance["held_out_psnr_db"] = heldOutPsnr();
        header["encoder_training"] = provenance;

        // The model's tensors as they are (an encoder trained before is
        // replaced), then the encoder's, stored as the model stores its own.
        std::vector<sg::TensorRecord> tensors;
        bool allHalf = true;
        for (size_t i = 0; i < contents.tensors.size(); ++i) {
            if (contents.tensors[i].name.rfind("encoder.", 0) == 0)
                continue;
            tensors.push_back(std::move(contents.tensors[i]));
            allHalf = allHalf && contents.storedTypes[i] == sg::TensorDType::F16;
        }
        torch::NoGradGuard noGrad;
        for (const auto& [name, value] : encoder_->effectiveTensors()) {
            auto t = value.detach().to(torch::kCPU, torch::kFloat32).contiguous();
            sg::TensorRecord r;
            r.name = name;
            for (auto d : t.sizes())
                r.shape.push_back(uint64_t(d));
            r.values.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
            tensors.push_back(std::move(r));
        }
        return sg::writeModelFile(c_.exportPath, header.dump(2), tensors,
                                  allHalf ? sg::TensorDType::F16 : sg::TensorDType::F32, error);
    }

private:
    // Images from random latents with style mixing, random noise and grid.
    Generated generate(int64_t n) {
        torch::NoGradGuard noGrad;
        const auto& o = g_->options;
        const int64_t L = o.numWs();
        const auto on = torch::TensorOptions().device(device_);
        auto styles = torch::randint(o.styleCount(), {n}, on.dtype(torch::kInt64));
        Generated out;
        out.ws = g_->mapping->forward(torch::randn({n, o.zDim()}, on), styles).unsqueeze(1).repeat({1, L, 1});
        if (torch::rand({1}).item<double>() < c_.mixProbability) {
            int64_t cutoff = torch::randint(1, L, {1}).item<int64_t>();
            auto w2 = g_->mapping->forward(torch::randn({n, o.zDim()}, on), styles).unsqueeze(1);
            out.ws = torch::cat({out.ws.narrow(1, 0, cutoff), w2.repeat({1, L - cutoff, 1})}, 1);
        }
        auto inputs = SynthesisInputs::random(o, n, device_);
        out.spatial = inputs.spatial;
        out.images = sdkImage(g_->synthesis->forward(out.ws, inputs));
        return out;
    }

    // The reconstruction of images [N, C, H, W] (raw synthesis output): their
    // encoding synthesised with the reconstruction noise, the same maps for
    // every image.
    torch::Tensor reconstruct(const torch::Tensor& images) { return reconstruct(encoder_->forward(images), images); }
    torch::Tensor reconstruct(const EncoderOutput& code, const torch::Tensor& images) {
        const int64_t n = images.size(0), h = images.size(2), w = images.size(3);
        auto cached = reconstructionNoise_.find({h, w});
        if (cached == reconstructionNoise_.end()) {
            const std::vector<uint64_t> seed{kReconstructionNoiseSeed};
            cached = reconstructionNoise_
                         .emplace(std::make_pair(h, w), philoxInputs(g_->options, seed, h, w, 1.0f, device_).noise)
                         .first;
        }
        SynthesisInputs in;
        in.spatial = code.spatial;
        for (const auto& map : cached->second)
            in.noise.push_back(map.expand({n, -1, -1, -1}));
        return g_->synthesis->forward(code.ws, in);
    }

    torch::Tensor pixelLoss(const torch::Tensor& rec, const torch::Tensor& target) {
        auto d2 = (rec - target).square();
        if (d2.size(1) == 4)
            return 0.5 * (d2.narrow(1, 0, 3).mean() + d2.narrow(1, 3, 1).mean());
        return d2.mean();
    }

    // Mean over the held-out images of each one's PSNR, on the SDK's output
    // against the input: premultiplied RGBA (scenes: RGB) in [0, 1].
    double heldOutPsnr() {
        torch::NoGradGuard noGrad;
        double sum = 0;
        const int64_t count = heldOut_.size(0);
        for (int64_t start = 0; start < count; start += 32) {
            auto images = heldOut_.narrow(0, start, std::min<int64_t>(32, count - start));
            auto rec = sdkImage(reconstruct(images));
            auto mse = ((rec - images) * 0.5).square().mean({1, 2, 3}).clamp_min(1e-10);
            sum += (-10.0 * torch::log10(mse)).sum().item<double>();
        }
        return sum / double(count);
    }

    torch::Tensor hashTensor() const {
        auto t = torch::empty({int64_t(modelHash_.size())}, torch::kUInt8);
        for (size_t i = 0; i < modelHash_.size(); ++i)
            t[int64_t(i)] = uint8_t(modelHash_[i]);
        return t;
    }

    TrainConfig c_;
    torch::Device device_;
    torch::Tensor heldOut_, trainSample_, gridGenerated_;
    std::string modelHash_, discriminatorPath_;
    Generator g_{nullptr};
    Discriminator d_{nullptr};
    Encoder encoder_{nullptr};
    std::vector<int64_t> channels_;
    std::unique_ptr<torch::optim::Adam> opt_;
    AugmentOptions augment_;
    std::map<std::pair<int64_t, int64_t>, std::vector<torch::Tensor>> reconstructionNoise_;  // by image size
};

}  // namespace

std::unique_ptr<GanTraining> makeEncoderTraining(const TrainConfig& c, const torch::Tensor& heldOut,
                                                 const torch::Tensor& trainSample, std::string* error) {
    auto t = std::make_unique<EncoderTraining>(c, heldOut, trainSample);
    if (!t->init(error))
        return nullptr;
    return t;
}

}  // namespace sgt
