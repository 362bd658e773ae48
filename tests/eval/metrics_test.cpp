// metrics_test.cpp - the metrics of stylegen-eval on synthetic images and
// features whose answers are known: SWD, seam score, precision/recall,
// pairwise distance, and the thread helper.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <stdexcept>

#include "metrics.hpp"

namespace {

using sgeval::FeatureSet;
using sgeval::ImageSet;

// Flat-coloured rectangles over a flat background, with a little noise: the
// structure of sprites and tiles (edges, flat areas).
void addRectanglesImage(ImageSet* set, sgeval::SplitMix64* rng) {
    uint8_t* p = set->addImage();
    const int n = set->size;
    const size_t plane = size_t(n) * size_t(n);
    for (int ch = 0; ch < set->channels; ++ch)
        std::fill_n(p + size_t(ch) * plane, plane, uint8_t(40 + rng->below(60)));
    for (int r = 0; r < 4; ++r) {
        const int w = 4 + int(rng->below(uint64_t(n / 2))), h = 4 + int(rng->below(uint64_t(n / 2)));
        const int x0 = int(rng->below(uint64_t(n - w))), y0 = int(rng->below(uint64_t(n - h)));
        for (int ch = 0; ch < set->channels; ++ch) {
            const uint8_t value = uint8_t(100 + rng->below(150));
            for (int y = y0; y < y0 + h; ++y)
                std::fill_n(p + size_t(ch) * plane + size_t(y) * size_t(n) + size_t(x0), size_t(w), value);
        }
    }
    for (size_t i = 0; i < set->imageBytes(); ++i)
        p[i] = uint8_t(std::min(255, int(p[i]) + int(rng->below(5))));
}

// Per-pixel noise: the same mean colour, entirely different structure.
void addNoiseImage(ImageSet* set, sgeval::SplitMix64* rng) {
    uint8_t* p = set->addImage();
    for (size_t i = 0; i < set->imageBytes(); ++i)
        p[i] = uint8_t(28 + rng->below(201));
}

ImageSet rectanglesSet(int count, uint64_t seed, int size = 32, int channels = 4) {
    ImageSet set(size, channels);
    sgeval::SplitMix64 rng{seed};
    for (int i = 0; i < count; ++i)
        addRectanglesImage(&set, &rng);
    return set;
}

sgeval::SwdSettings fastSwd() {
    sgeval::SwdSettings s;  // Progressive GAN's values, fewer directions: tests stay fast
    s.directionRepeats = 2;
    s.directionsPerRepeat = 32;
    return s;
}

TEST(SwdResolutions, HalveDownToSixteen) {
    EXPECT_EQ(sgeval::swdResolutions(64, 16), (std::vector<int>{64, 32, 16}));
    EXPECT_EQ(sgeval::swdResolutions(32, 16), (std::vector<int>{32, 16}));
    EXPECT_EQ(sgeval::swdResolutions(16, 16), (std::vector<int>{16}));
    EXPECT_TRUE(sgeval::swdResolutions(8, 16).empty());
}

TEST(LaplacianPyramid, ConstantImage_HasNoDetailAndKeepsTheLevel) {
    const std::vector<float> plane(32 * 32, 77.0f);
    const auto pyramid = sgeval::laplacianPyramid(plane.data(), 32, 2);
    ASSERT_EQ(pyramid.size(), 2u);
    ASSERT_EQ(pyramid[0].size(), 32u * 32u);
    ASSERT_EQ(pyramid[1].size(), 16u * 16u);
    for (float v : pyramid[0])
        EXPECT_NEAR(v, 0.0f, 1e-4f);  // mirrored borders: no edge effect either
    for (float v : pyramid[1])
        EXPECT_NEAR(v, 77.0f, 1e-4f);
}

TEST(Wasserstein1Sorted, EqualSizes_IsMeanAbsoluteDifference) {
    const float a[] = {0, 1, 2}, b[] = {1, 1, 5};
    EXPECT_DOUBLE_EQ(sgeval::wasserstein1Sorted(a, 3, b, 3), (1.0 + 0.0 + 3.0) / 3.0);
}

TEST(Wasserstein1Sorted, UnequalSizes_IntegratesTheQuantileFunctions) {
    // Quantiles of {0, 1}: 0 on (0, 1/2], 1 on (1/2, 1]; of {0, 1, 2}: 0, 1, 2 on thirds.
    // They differ by 1 on (1/3, 1/2] and on (2/3, 1]: 1/6 + 1/3.
    const float a[] = {0, 1}, b[] = {0, 1, 2};
    EXPECT_NEAR(sgeval::wasserstein1Sorted(a, 2, b, 3), 0.5, 1e-12);
    EXPECT_NEAR(sgeval::wasserstein1Sorted(b, 3, a, 2), 0.5, 1e-12);
    // A shift by c moves every quantile by c.
    const float shifted[] = {0.25f, 1.25f};
    const float one[] = {0.0f, 0.0f, 1.0f, 1.0f};
    EXPECT_NEAR(sgeval::wasserstein1Sorted(one, 4, shifted, 2), 0.25, 1e-7);
}

TEST(SlicedWasserstein, IdenticalSets_AreAtZero) {
    const ImageSet a = rectanglesSet(12, 1);
    const ImageSet copy = a;
    const auto r = sgeval::slicedWasserstein(a, {&copy}, fastSwd(), 2);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].resolutions, (std::vector<int>{32, 16}));
    ASSERT_EQ(r[0].perLevel.size(), 2u);
    EXPECT_NEAR(r[0].average, 0.0, 1e-9);
}

TEST(SlicedWasserstein, DifferentDistribution_IsFartherThanAnotherSampleOfTheSame) {
    const ImageSet reference = rectanglesSet(48, 1);
    const ImageSet sameKind = rectanglesSet(48, 2);
    ImageSet noise(32, 4);
    sgeval::SplitMix64 rng{3};
    for (int i = 0; i < 48; ++i)
        addNoiseImage(&noise, &rng);
    const auto r = sgeval::slicedWasserstein(reference, {&sameKind, &noise}, fastSwd(), 2);
    EXPECT_GT(r[0].average, 0.0);
    for (size_t level = 0; level < 2; ++level)
        EXPECT_GT(r[1].perLevel[level], 2.0 * r[0].perLevel[level]) << "level " << level;
}

TEST(SlicedWasserstein, SameResultOnAnyThreadCount) {
    const ImageSet reference = rectanglesSet(10, 1, 64, 3);
    const ImageSet other = rectanglesSet(7, 5, 64, 3);
    const auto one = sgeval::slicedWasserstein(reference, {&other}, fastSwd(), 1);
    const auto two = sgeval::slicedWasserstein(reference, {&other}, fastSwd(), 2);
    EXPECT_EQ(one[0].resolutions, (std::vector<int>{64, 32, 16}));
    EXPECT_EQ(one[0].perLevel, two[0].perLevel);
}

TEST(SlicedWasserstein, RejectsMismatchedOrTooSmallSets) {
    const ImageSet a = rectanglesSet(2, 1);
    const ImageSet rgb = rectanglesSet(2, 1, 32, 3);
    const ImageSet tiny = rectanglesSet(2, 1, 8, 4);
    const ImageSet empty(32, 4);
    EXPECT_THROW(sgeval::slicedWasserstein(a, {&rgb}, fastSwd(), 1), std::invalid_argument);
    EXPECT_THROW(sgeval::slicedWasserstein(tiny, {&tiny}, fastSwd(), 1), std::invalid_argument);
    EXPECT_THROW(sgeval::slicedWasserstein(a, {&empty}, fastSwd(), 1), std::invalid_argument);
}

TEST(SeamScore, PeriodicImages_AreAboutOne) {
    // Noise blurred around the torus: stationary with wrap-around, so pixel
    // pairs across the seams are like any other pairs.
    ImageSet set(32, 3);
    sgeval::SplitMix64 rng{4};
    for (int i = 0; i < 20; ++i) {
        std::vector<int> noise(32 * 32);
        uint8_t* p = set.addImage();
        for (int ch = 0; ch < 3; ++ch) {
            for (int& v : noise)
                v = int(rng.below(256));
            for (int y = 0; y < 32; ++y)
                for (int x = 0; x < 32; ++x) {
                    int sum = 0;
                    for (int dy = -1; dy <= 1; ++dy)
                        for (int dx = -1; dx <= 1; ++dx)
                            sum += noise[size_t((y + dy + 32) % 32) * 32 + size_t((x + dx + 32) % 32)];
                    p[(ch * 32 + y) * 32 + x] = uint8_t(sum / 9);
                }
        }
    }
    EXPECT_NEAR(sgeval::seamScore(set), 1.0, 0.1);
}

TEST(SeamScore, HardEdge_IsHigh) {
    ImageSet set(32, 3);
    uint8_t* p = set.addImage();
    for (int ch = 0; ch < 3; ++ch)
        for (int y = 0; y < 32; ++y)
            for (int x = 0; x < 32; ++x)  // a ramp: black at the left edge, white at the right
                p[(ch * 32 + y) * 32 + x] = uint8_t(x * 255 / 31);
    // Seams: 255 across the vertical one, 0 across the horizontal one; inside:
    // about 8 horizontally, 0 vertically.
    EXPECT_GT(sgeval::seamScore(set), 20.0);
}

TEST(SeamScore, FlatImage_HasNoScore) {
    ImageSet set(16, 3);
    std::fill_n(set.addImage(), set.imageBytes(), uint8_t(90));
    EXPECT_TRUE(std::isnan(sgeval::seamScore(set)));
}

FeatureSet gaussianFeatures(size_t count, size_t dim, double centre, double spread, uint64_t seed) {
    FeatureSet f;
    f.dim = dim;
    sgeval::SplitMix64 rng{seed};
    for (size_t i = 0; i < count * dim; ++i)
        f.values.push_back(float(centre + spread * rng.normal()));
    return f;
}

TEST(PrecisionRecall, IdenticalSets_AreOne) {
    const FeatureSet a = gaussianFeatures(60, 8, 0.0, 1.0, 1);
    const sgeval::PrecisionRecall pr = sgeval::precisionRecall(a, a, 3, 2);
    EXPECT_DOUBLE_EQ(pr.precision, 1.0);
    EXPECT_DOUBLE_EQ(pr.recall, 1.0);
}

TEST(PrecisionRecall, DisjointSets_AreZero) {
    const FeatureSet real = gaussianFeatures(60, 8, 0.0, 1.0, 1);
    const FeatureSet far = gaussianFeatures(60, 8, 50.0, 1.0, 2);
    const sgeval::PrecisionRecall pr = sgeval::precisionRecall(real, far, 3, 2);
    EXPECT_DOUBLE_EQ(pr.precision, 0.0);
    EXPECT_DOUBLE_EQ(pr.recall, 0.0);
}

TEST(PrecisionRecall, CollapsedGenerator_KeepsPrecisionButLosesRecall) {
    const FeatureSet real = gaussianFeatures(200, 4, 0.0, 1.0, 1);
    // Every generated sample sits on or near one real sample.
    FeatureSet collapsed;
    collapsed.dim = 4;
    sgeval::SplitMix64 rng{2};
    for (int i = 0; i < 200; ++i)
        for (size_t k = 0; k < 4; ++k)
            collapsed.values.push_back(real.values[k] + float(0.001 * rng.normal()));
    const sgeval::PrecisionRecall pr = sgeval::precisionRecall(real, collapsed, 3, 2);
    EXPECT_DOUBLE_EQ(pr.precision, 1.0);
    EXPECT_LT(pr.recall, 0.1);
}

TEST(PrecisionRecall, RejectsEmptySetsAndBadK) {
    const FeatureSet a = gaussianFeatures(5, 2, 0.0, 1.0, 1);
    FeatureSet empty;
    empty.dim = 2;
    EXPECT_THROW(sgeval::precisionRecall(a, empty, 3, 1), std::invalid_argument);
    EXPECT_THROW(sgeval::precisionRecall(a, a, 0, 1), std::invalid_argument);
}

TEST(MeanPairwiseDistance, AveragesEveryPair) {
    FeatureSet f;
    f.dim = 2;
    f.values = {0, 0, 3, 4, 0, 4};  // pairs: 5, 4, 3
    EXPECT_DOUBLE_EQ(sgeval::meanPairwiseDistance(f), 4.0);
    f.values.resize(2);
    EXPECT_TRUE(std::isnan(sgeval::meanPairwiseDistance(f)));
}

TEST(ParallelFor, RunsEveryIndexOnceAndRethrows) {
    std::vector<std::atomic<int>> hits(1000);
    sgeval::parallelFor(hits.size(), 3, [&](size_t i) { ++hits[i]; });
    for (const auto& h : hits)
        EXPECT_EQ(h.load(), 1);
    EXPECT_THROW(sgeval::parallelFor(50, 2,
                                     [](size_t i) {
                                         if (i == 17)
                                             throw std::runtime_error("body failed");
                                     }),
                 std::runtime_error);
}

}  // namespace
