// classifier.cpp - the style classifier: network, training, cache, inference.
#include "classifier.hpp"

#include "png_file.hpp"  // tools/cli: writeFileAtomically

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <stdexcept>

namespace sgeval {
namespace {

constexpr const char* kArchitecture = "stylegen-eval classifier v1";  // change when the net or training changes
constexpr int kStemResolution = 32;
constexpr int kFinalResolution = 8;
constexpr int64_t kInferenceBatch = 256;

// The images at `indices` as floats in [-1, 1].
torch::Tensor toInput(const ImageSet& set, const std::vector<int64_t>& indices) {
    auto batch = torch::empty({int64_t(indices.size()), set.channels, set.size, set.size}, torch::kUInt8);
    for (size_t i = 0; i < indices.size(); ++i)
        std::memcpy(batch[int64_t(i)].data_ptr<uint8_t>(), set.image(size_t(indices[i])), set.imageBytes());
    return batch.to(torch::kFloat32).mul_(2.0 / 255.0).sub_(1.0);
}

// Random mirror and translation by up to R/16 per sample: scenes wrap around
// (they tile), sprites move over a transparent background (-1 everywhere).
torch::Tensor augment(const torch::Tensor& batch) {
    const int64_t n = batch.size(0), r = batch.size(3), margin = std::max<int64_t>(1, r / 16);
    const bool scene = batch.size(1) == 3;
    const auto flips = torch::randint(2, {n}, torch::kInt64);
    const auto shifts = torch::randint(-margin, margin + 1, {n, 2}, torch::kInt64);
    auto padded = scene ? batch : torch::constant_pad_nd(batch, {margin, margin, margin, margin}, -1.0);
    auto out = torch::empty_like(batch);
    for (int64_t i = 0; i < n; ++i) {
        const int64_t dy = shifts[i][0].item<int64_t>(), dx = shifts[i][1].item<int64_t>();
        torch::Tensor moved = scene ? torch::roll(batch[i], {dy, dx}, {1, 2})
                                    : padded[i].narrow(1, margin + dy, r).narrow(2, margin + dx, r);
        out[i] = flips[i].item<int64_t>() ? moved.flip({2}) : moved;
    }
    return out;
}

uint64_t fnv1a(uint64_t hash, const void* data, size_t size) {
    const auto* bytes = static_cast<const uint8_t*>(data);
    for (size_t i = 0; i < size; ++i)
        hash = (hash ^ bytes[i]) * 0x100000001B3ull;
    return hash;
}

std::string cacheKey(const ImageSet& images, const std::vector<int>& labels, int styleCount,
                     const ClassifierOptions& o) {
    char settings[256];
    std::snprintf(settings, sizeof settings, "%s|epochs %d|batch %d|lr %.17g|width %d|seed %llu|styles %d|%dx%dx%d",
                  kArchitecture, o.epochs, o.batch, o.learningRate, o.width, (unsigned long long)o.seed, styleCount,
                  images.channels, images.size, images.size);
    uint64_t hash = fnv1a(0xCBF29CE484222325ull, settings, std::strlen(settings));
    hash = fnv1a(hash, labels.data(), labels.size() * sizeof(int));
    hash = fnv1a(hash, images.pixels.data(), images.pixels.size());
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", (unsigned long long)hash);
    return hex;
}

// One LibTorch thread: its pool spins while waiting for a descheduled peer,
// which made an epoch ten times slower on a busy two-core machine, and the net
// is too small to gain much from more. One thread also keeps the results
// independent of the machine's core count.
void useOneThread() { torch::set_num_threads(1); }

}  // namespace

StyleClassifierImpl::StyleClassifierImpl(int channels, int resolution, int styleCount, int width) {
    if (channels < 1 || resolution < kFinalResolution || styleCount < 1 || width < 1)
        throw std::invalid_argument("classifier: bad channels, resolution, style count or width");
    // Larger images are brought to kStemResolution by the stem's stride: the
    // 64x64 characters cost what 32x32 scenes do.
    const int stride = std::max(1, resolution / kStemResolution);
    stem = register_module(
        "stem", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, width, 3).stride(stride).padding(1)));
    stages = register_module("stages", torch::nn::Sequential());
    int64_t c = width;
    for (int r = resolution / stride; r > kFinalResolution; r /= 2) {
        stages->push_back(torch::nn::AvgPool2d(2));
        stages->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(c, 2 * c, 3).padding(1).bias(false)));
        stages->push_back(torch::nn::BatchNorm2d(2 * c));
        stages->push_back(torch::nn::ReLU());
        c *= 2;
    }
    featureDim_ = c;
    head = register_module("head", torch::nn::Linear(c, styleCount));
}

torch::Tensor StyleClassifierImpl::features(const torch::Tensor& images) {
    auto x = torch::relu(stem->forward(images));
    x = stages->forward(x);
    return x.mean({2, 3});
}

torch::Tensor StyleClassifierImpl::forward(const torch::Tensor& images) { return head->forward(features(images)); }

StyleClassifier trainClassifier(const ImageSet& images, const std::vector<int>& labels, int styleCount,
                                const ClassifierOptions& o, const LogFn& log) {
    const size_t n = images.count();
    if (n == 0 || labels.size() != n || o.epochs < 1 || o.batch < 1)
        throw std::runtime_error("classifier: no training images, labels that do not match them, or bad options");
    std::vector<double> perStyle(size_t(styleCount), 0.0);
    for (int label : labels) {
        if (label < 0 || label >= styleCount)
            throw std::runtime_error("classifier: label " + std::to_string(label) + " outside 0.." +
                                     std::to_string(styleCount - 1));
        perStyle[size_t(label)] += 1.0;
    }
    // Each style weighs as much as any other, however many images it has.
    auto weights = torch::zeros({styleCount});
    for (int s = 0; s < styleCount; ++s)
        if (perStyle[size_t(s)] > 0)
            weights[s] = double(n) / (double(styleCount) * perStyle[size_t(s)]);

    useOneThread();
    torch::manual_seed(o.seed);
    StyleClassifier net(images.channels, images.size, styleCount, o.width);
    net->train();
    torch::optim::Adam optimizer(net->parameters(), torch::optim::AdamOptions(o.learningRate));
    const auto target = torch::tensor(std::vector<int64_t>(labels.begin(), labels.end()), torch::kInt64);
    for (int epoch = 0; epoch < o.epochs; ++epoch) {
        // Cosine decay to zero over the run: the last epochs settle the weights.
        const double lr = o.learningRate * 0.5 * (1.0 + std::cos(M_PI * epoch / o.epochs));
        for (auto& group : optimizer.param_groups())
            static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
        const auto order = torch::randperm(int64_t(n), torch::kInt64);
        double lossSum = 0.0;
        int64_t batches = 0;
        for (int64_t first = 0; first < int64_t(n); first += o.batch) {
            const int64_t count = std::min<int64_t>(o.batch, int64_t(n) - first);
            const auto picked = order.narrow(0, first, count);
            const std::vector<int64_t> indices(picked.data_ptr<int64_t>(), picked.data_ptr<int64_t>() + count);
            const auto logits = net->forward(augment(toInput(images, indices)));
            const auto loss = torch::nn::functional::cross_entropy(
                logits, target.index_select(0, picked),
                torch::nn::functional::CrossEntropyFuncOptions().weight(weights));
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            lossSum += loss.item<double>();
            ++batches;
        }
        if (log)
            log("classifier epoch " + std::to_string(epoch + 1) + "/" + std::to_string(o.epochs) + ": loss " +
                std::to_string(lossSum / double(batches)));
    }
    net->eval();
    return net;
}

StyleClassifier trainOrLoadClassifier(const std::string& cacheDir, const ImageSet& images,
                                      const std::vector<int>& labels, int styleCount,
                                      const ClassifierOptions& o, bool* fromCache, const LogFn& log) {
    *fromCache = false;
    if (cacheDir.empty())
        return trainClassifier(images, labels, styleCount, o, log);
    const std::string path = cacheDir + "/classifier-" + cacheKey(images, labels, styleCount, o) + ".pt";
    if (std::filesystem::exists(path)) {
        StyleClassifier net(images.channels, images.size, styleCount, o.width);
        try {
            torch::load(net, path);
            net->eval();
            *fromCache = true;
            if (log)
                log("classifier loaded from " + path);
            return net;
        } catch (const c10::Error& e) {
            if (log)
                log("cannot load cached classifier " + path + " (retraining): " + e.what_without_backtrace());
        }
    }
    StyleClassifier net = trainClassifier(images, labels, styleCount, o, log);
    std::error_code ec;
    std::filesystem::create_directories(cacheDir, ec);
    // Serialised in memory, then temporary file + fsync + rename: a killed run
    // or a full disk never leaves a truncated classifier for the next run to load.
    std::string error;
    try {
        std::ostringstream bytes(std::ios::binary);
        torch::save(net, bytes);
        if (!sg::cli::writeFileAtomically(path, bytes.str(), &error)) throw std::runtime_error(error);
        if (log)
            log("classifier saved to " + path);
    } catch (const std::exception& e) {
        if (log)
            log("cannot cache the classifier in " + cacheDir + ": " + e.what());
    }
    return net;
}

Classification classify(StyleClassifier& net, const ImageSet& images) {
    useOneThread();
    torch::NoGradGuard noGrad;
    net->eval();
    Classification out;
    out.features.dim = size_t(net->featureDim());
    for (int64_t first = 0; first < int64_t(images.count()); first += kInferenceBatch) {
        const int64_t count = std::min<int64_t>(kInferenceBatch, int64_t(images.count()) - first);
        std::vector<int64_t> indices(static_cast<size_t>(count));
        for (int64_t i = 0; i < count; ++i)
            indices[size_t(i)] = first + i;
        const auto features = net->features(toInput(images, indices)).contiguous();
        const auto predicted = net->head->forward(features).argmax(1).contiguous();
        out.features.values.insert(out.features.values.end(), features.data_ptr<float>(),
                                   features.data_ptr<float>() + features.numel());
        for (int64_t i = 0; i < count; ++i)
            out.predicted.push_back(int(predicted[i].item<int64_t>()));
    }
    return out;
}

}  // namespace sgeval
