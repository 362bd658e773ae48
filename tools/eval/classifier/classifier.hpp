// classifier.hpp - the style classifier of stylegen-eval (LibTorch): a small
// conv net trained on the real training split, whose predictions give the
// style accuracy of generated images and whose penultimate layer is the
// feature space of the diversity and precision/recall metrics.
//
//     sgeval::ClassifierOptions options;            // fixed seed and epochs
//     bool fromCache = false;
//     sgeval::StyleClassifier net = sgeval::trainOrLoadClassifier(
//         "cache/eval", trainImages, trainLabels, styleCount, options, &fromCache, log);
//     sgeval::Classification c = sgeval::classify(net, generated);
//
// The input is what the metrics see: premultiplied RGBA (4 channels: alpha is
// part of a sprite's shape) or RGB, mapped to [-1, 1]. Everything runs on one
// LibTorch thread, so training is deterministic for a given seed and data.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "metrics.hpp"

namespace sgeval {

struct ClassifierOptions {
    int epochs = 10;
    int batch = 64;
    double learningRate = 2e-3;
    int width = 32;       // channels after the stem; doubled by every stage
    uint64_t seed = 1;
};

/// Stem conv3x3 -> ReLU (stride 2 for 64x64 and larger images: the stages start
/// at 32x32 at most), then stages of average-pool 2x,
/// conv3x3 (channels x2), batch norm, ReLU down to 8x8, then global average
/// pooling (the feature vector) and one linear layer to the style logits.
class StyleClassifierImpl : public torch::nn::Module {
public:
    StyleClassifierImpl(int channels, int resolution, int styleCount, int width);
    /// images [N, channels, R, R] in [-1, 1] -> logits [N, styles]
    torch::Tensor forward(const torch::Tensor& images);
    /// images -> penultimate features [N, featureDim()] (after ReLU and pooling)
    torch::Tensor features(const torch::Tensor& images);
    int64_t featureDim() const { return featureDim_; }

    torch::nn::Conv2d stem{nullptr};
    torch::nn::Sequential stages{nullptr};
    torch::nn::Linear head{nullptr};

private:
    int64_t featureDim_ = 0;
};
TORCH_MODULE(StyleClassifier);

/// Progress lines ("classifier epoch 3/12: loss 0.81").
using LogFn = std::function<void(const std::string&)>;

/// Trains a classifier on `images` with `labels` (each in [0, styleCount)):
/// Adam, class-weighted cross entropy (each style counts as much as any other),
/// random horizontal mirror and translation by up to R/16 pixels (wrapping
/// around for RGB scenes, transparent fill for RGBA). Throws std::runtime_error
/// on bad input.
StyleClassifier trainClassifier(const ImageSet& images, const std::vector<int>& labels, int styleCount,
                                const ClassifierOptions& options, const LogFn& log);

/// As trainClassifier, but first looks in `cacheDir` for a classifier trained
/// on the same images, labels, style count and options (file
/// classifier-<hash>.pt, the hash over all of these and the architecture), and
/// saves a newly trained one there (atomically; the folder is created). An
/// empty cacheDir never caches.
StyleClassifier trainOrLoadClassifier(const std::string& cacheDir, const ImageSet& images,
                                      const std::vector<int>& labels, int styleCount,
                                      const ClassifierOptions& options, bool* fromCache, const LogFn& log);

struct Classification {
    std::vector<int> predicted;  // per image, the most likely style
    FeatureSet features;         // per image, the penultimate features
};

Classification classify(StyleClassifier& net, const ImageSet& images);

}  // namespace sgeval
