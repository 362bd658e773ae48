// classifier_test.cpp - the style classifier on tiny synthetic styles: it
// learns real styles, reaches only chance on shuffled labels, is reproducible,
// and its cache returns the same network.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "classifier.hpp"

namespace {

constexpr int kStyles = 4;
constexpr int kSize = 16;

// Style s: a colour of its own on a dark background, with a square of random
// size and place, so images of one style differ.
void addStyledImage(int style, sgeval::SplitMix64* rng, sgeval::ImageSet* set) {
    static const uint8_t kColours[kStyles][3] = {{220, 40, 40}, {40, 200, 60}, {50, 60, 230}, {230, 210, 40}};
    uint8_t* p = set->addImage();
    const int side = 6 + int(rng->below(6)), x0 = int(rng->below(uint64_t(kSize - side))),
              y0 = int(rng->below(uint64_t(kSize - side)));
    for (int ch = 0; ch < 3; ++ch)
        for (int y = 0; y < kSize; ++y)
            for (int x = 0; x < kSize; ++x) {
                const bool inside = x >= x0 && x < x0 + side && y >= y0 && y < y0 + side;
                p[(ch * kSize + y) * kSize + x] = inside ? kColours[style][ch] : uint8_t(20 + rng->below(20));
            }
}

struct Split {
    sgeval::ImageSet trainImages{kSize, 3}, heldOutImages{kSize, 3};
    std::vector<int> trainLabels, heldOutLabels;
};

// `perStyle` images of each style in each split; with `shuffle` every label is
// replaced by a random one, so the labels say nothing about the images.
Split makeSplit(int perStyle, bool shuffle, uint64_t seed) {
    Split s;
    sgeval::SplitMix64 rng{seed};
    for (int style = 0; style < kStyles; ++style)
        for (int i = 0; i < perStyle; ++i) {
            addStyledImage(style, &rng, &s.trainImages);
            s.trainLabels.push_back(shuffle ? int(rng.below(kStyles)) : style);
            addStyledImage(style, &rng, &s.heldOutImages);
            s.heldOutLabels.push_back(shuffle ? int(rng.below(kStyles)) : style);
        }
    return s;
}

sgeval::ClassifierOptions tinyOptions() {
    sgeval::ClassifierOptions o;
    o.epochs = 4;
    o.batch = 32;
    o.width = 8;
    return o;
}

double accuracy(sgeval::StyleClassifier& net, const sgeval::ImageSet& images, const std::vector<int>& labels) {
    const sgeval::Classification c = sgeval::classify(net, images);
    size_t right = 0;
    for (size_t i = 0; i < labels.size(); ++i)
        right += c.predicted[i] == labels[i];
    return double(right) / double(labels.size());
}

TEST(StyleClassifier, LearnsDistinctStyles) {
    Split s = makeSplit(60, false, 1);
    sgeval::StyleClassifier net = sgeval::trainClassifier(s.trainImages, s.trainLabels, kStyles, tinyOptions(), {});
    EXPECT_GT(accuracy(net, s.heldOutImages, s.heldOutLabels), 0.9);
}

TEST(StyleClassifier, ShuffledLabels_GiveChanceAccuracy) {
    Split s = makeSplit(100, true, 2);
    sgeval::StyleClassifier net = sgeval::trainClassifier(s.trainImages, s.trainLabels, kStyles, tinyOptions(), {});
    // 400 held-out labels drawn independently of the images: accuracy ~ Binomial(400, 1/4) / 400, sd 0.022.
    EXPECT_NEAR(accuracy(net, s.heldOutImages, s.heldOutLabels), 1.0 / kStyles, 0.1);
}

TEST(StyleClassifier, SameSeed_SameNetwork) {
    Split s = makeSplit(20, false, 3);
    sgeval::StyleClassifier a = sgeval::trainClassifier(s.trainImages, s.trainLabels, kStyles, tinyOptions(), {});
    sgeval::StyleClassifier b = sgeval::trainClassifier(s.trainImages, s.trainLabels, kStyles, tinyOptions(), {});
    const sgeval::Classification ca = sgeval::classify(a, s.heldOutImages);
    const sgeval::Classification cb = sgeval::classify(b, s.heldOutImages);
    EXPECT_EQ(ca.features.dim, size_t(a->featureDim()));
    EXPECT_EQ(ca.features.count(), s.heldOutImages.count());
    EXPECT_EQ(ca.features.values, cb.features.values);
    EXPECT_EQ(ca.predicted, cb.predicted);
}

TEST(StyleClassifier, Cache_ReturnsTheTrainedNetwork) {
    const std::filesystem::path dir = std::filesystem::path(testing::TempDir()) / "stylegen_eval_classifier_cache";
    std::filesystem::remove_all(dir);
    Split s = makeSplit(10, false, 4);
    bool fromCache = true;
    sgeval::StyleClassifier trained = sgeval::trainOrLoadClassifier(dir.string(), s.trainImages, s.trainLabels,
                                                                    kStyles, tinyOptions(), &fromCache, {});
    EXPECT_FALSE(fromCache);
    sgeval::StyleClassifier loaded = sgeval::trainOrLoadClassifier(dir.string(), s.trainImages, s.trainLabels,
                                                                   kStyles, tinyOptions(), &fromCache, {});
    EXPECT_TRUE(fromCache);
    EXPECT_EQ(sgeval::classify(trained, s.heldOutImages).features.values,
              sgeval::classify(loaded, s.heldOutImages).features.values);
    // Other labels are another classifier.
    std::reverse(s.trainLabels.begin(), s.trainLabels.end());
    sgeval::trainOrLoadClassifier(dir.string(), s.trainImages, s.trainLabels, kStyles, tinyOptions(), &fromCache, {});
    EXPECT_FALSE(fromCache);
    std::filesystem::remove_all(dir);
}

TEST(StyleClassifier, RejectsLabelsOutsideTheStyles) {
    Split s = makeSplit(2, false, 5);
    s.trainLabels[0] = kStyles;
    EXPECT_THROW(sgeval::trainClassifier(s.trainImages, s.trainLabels, kStyles, tinyOptions(), {}),
                 std::runtime_error);
}

}  // namespace
