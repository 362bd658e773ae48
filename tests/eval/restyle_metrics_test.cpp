// restyle_metrics_test.cpp - the metrics of stylegen-eval --restyle on images
// whose answers are known: silhouette IoU, low-pass structure error, PSNR,
// and the colour-statistics transfer and nearest-real-image baselines.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "metrics.hpp"

namespace {

using sgeval::ImageSet;

constexpr int kSize = 32;

// RGBA, premultiplied: opaque inside [x0, x1) x [y0, y1), transparent outside.
void addBox(ImageSet* set, int x0, int y0, int x1, int y1, uint8_t alphaInside = 255) {
    uint8_t* p = set->addImage();
    const size_t plane = size_t(set->size) * size_t(set->size);
    for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x) {
            const size_t k = size_t(y) * size_t(set->size) + size_t(x);
            for (int ch = 0; ch < 3; ++ch)
                p[size_t(ch) * plane + k] = uint8_t(alphaInside * (ch + 1) / 4);
            p[3 * plane + k] = alphaInside;
        }
}

// An RGB scene with an off-centre bright bar and a darker square on a mid
// background, so moving or turning it changes where its structure is.
void addScene(ImageSet* set) {
    uint8_t* p = set->addImage();
    const size_t plane = size_t(kSize) * kSize;
    for (int y = 0; y < kSize; ++y)
        for (int x = 0; x < kSize; ++x) {
            const bool bar = x >= 3 && x < 11 && y >= 4 && y < 28;
            const bool square = x >= 18 && x < 28 && y >= 3 && y < 13;
            const uint8_t base[3] = {90, 110, 70};
            for (int ch = 0; ch < 3; ++ch)
                p[size_t(ch) * plane + size_t(y) * kSize + size_t(x)] =
                    uint8_t(bar ? base[ch] + 90 : square ? base[ch] - 50 : base[ch] + ((x * 7 + y * 3) % 9));
        }
}

TEST(SilhouetteIoU, IdenticalMasks_AreOne) {
    ImageSet set(kSize, 4);
    addBox(&set, 4, 4, 20, 28);
    addBox(&set, 4, 4, 20, 28);
    EXPECT_DOUBLE_EQ(sgeval::silhouetteIoU(set, 0, set, 1), 1.0);
}

TEST(SilhouetteIoU, DisjointMasks_AreZero) {
    ImageSet set(kSize, 4);
    addBox(&set, 0, 0, 10, 10);
    addBox(&set, 12, 12, 30, 30);
    EXPECT_DOUBLE_EQ(sgeval::silhouetteIoU(set, 0, set, 1), 0.0);
}

TEST(SilhouetteIoU, OverlapOverUnion) {
    ImageSet set(kSize, 4);
    addBox(&set, 0, 0, 10, 10);  // 100 pixels
    addBox(&set, 5, 0, 15, 10);  // 100 pixels, 50 shared
    EXPECT_DOUBLE_EQ(sgeval::silhouetteIoU(set, 0, set, 1), 50.0 / 150.0);
}

TEST(SilhouetteIoU, CountsAlphaAboveOneHalf) {
    ImageSet set(kSize, 4);
    addBox(&set, 0, 0, 10, 10, 128);  // just above 0.5: inside
    addBox(&set, 0, 0, 10, 10, 127);  // just below: outside, an empty silhouette
    addBox(&set, 0, 0, 10, 10, 255);
    EXPECT_DOUBLE_EQ(sgeval::silhouetteIoU(set, 0, set, 2), 1.0);
    EXPECT_DOUBLE_EQ(sgeval::silhouetteIoU(set, 1, set, 2), 0.0);
    EXPECT_DOUBLE_EQ(sgeval::silhouetteIoU(set, 1, set, 1), 1.0);  // two empty masks are the same mask
}

TEST(SilhouetteIoU, RejectsImagesWithoutAlphaOrOfOtherSizes) {
    ImageSet rgb(kSize, 3), rgba(kSize, 4), small(16, 4);
    addScene(&rgb);
    addBox(&rgba, 0, 0, 4, 4);
    addBox(&small, 0, 0, 4, 4);
    EXPECT_THROW(sgeval::silhouetteIoU(rgb, 0, rgb, 0), std::invalid_argument);
    EXPECT_THROW(sgeval::silhouetteIoU(rgba, 0, small, 0), std::invalid_argument);
    EXPECT_THROW(sgeval::silhouetteIoU(rgba, 0, rgba, 1), std::invalid_argument);
}

TEST(StructureError, ColourShiftedCopy_IsAboutZero) {
    ImageSet set(kSize, 3);
    addScene(&set);
    set.pixels.resize(2 * set.imageBytes());
    const size_t plane = size_t(kSize) * kSize;
    const int shift[3] = {30, -20, 45};  // no value leaves 0..255
    for (int ch = 0; ch < 3; ++ch)
        for (size_t k = 0; k < plane; ++k)
            set.pixels[set.imageBytes() + size_t(ch) * plane + k] = uint8_t(set.pixels[size_t(ch) * plane + k] + shift[ch]);
    EXPECT_NEAR(sgeval::structureError(set, 0, set, 0), 0.0, 1e-12);
    EXPECT_LT(sgeval::structureError(set, 0, set, 1), 1e-9);
}

TEST(StructureError, MovedOrTurnedStructure_IsHigh) {
    ImageSet set(kSize, 3);
    addScene(&set);
    const std::vector<uint8_t> original(set.pixels);
    const size_t plane = size_t(kSize) * kSize;
    set.addImage();
    set.addImage();
    uint8_t* moved = set.pixels.data() + set.imageBytes();       // a quarter of the width to the right, wrapping
    uint8_t* turned = set.pixels.data() + 2 * set.imageBytes();  // 90 degrees
    for (int ch = 0; ch < 3; ++ch)
        for (int y = 0; y < kSize; ++y)
            for (int x = 0; x < kSize; ++x) {
                const uint8_t v = original[size_t(ch) * plane + size_t(y) * kSize + size_t(x)];
                moved[size_t(ch) * plane + size_t(y) * kSize + size_t((x + kSize / 4) % kSize)] = v;
                turned[size_t(ch) * plane + size_t(x) * kSize + size_t(kSize - 1 - y)] = v;
            }
    // The bar is 90 levels above its surroundings; blurred at sigma 4 its
    // structure still swings by tens of levels, so a misplaced copy differs by
    // several levels on average.
    EXPECT_GT(sgeval::structureError(set, 0, set, 1), 5.0);
    EXPECT_GT(sgeval::structureError(set, 0, set, 2), 5.0);
}

TEST(StructureError, RejectsMismatchedImages) {
    ImageSet rgb(kSize, 3), rgba(kSize, 4);
    addScene(&rgb);
    addBox(&rgba, 0, 0, 4, 4);
    EXPECT_THROW(sgeval::structureError(rgb, 0, rgba, 0), std::invalid_argument);
}

TEST(Psnr, IdenticalImages_AreInfinite) {
    ImageSet set(kSize, 3);
    addScene(&set);
    const double mse = sgeval::meanSquaredError(set, set);
    EXPECT_EQ(mse, 0.0);
    EXPECT_TRUE(std::isinf(sgeval::psnrFromMse(mse)));
    EXPECT_GT(sgeval::psnrFromMse(mse), 0.0);
}

TEST(Psnr, KnownDifferences) {
    ImageSet a(kSize, 3), b(kSize, 3);
    addScene(&a);
    b = a;
    for (uint8_t& v : b.pixels)
        v = uint8_t(v + 2);  // every value 2 levels higher: mse 4
    EXPECT_DOUBLE_EQ(sgeval::meanSquaredError(a, b), 4.0);
    EXPECT_NEAR(sgeval::psnrFromMse(4.0), 10.0 * std::log10(255.0 * 255.0 / 4.0), 1e-12);
    EXPECT_NEAR(sgeval::psnrFromMse(255.0 * 255.0), 0.0, 1e-12);
    ImageSet two = a;
    two.pixels.insert(two.pixels.end(), a.pixels.begin(), a.pixels.end());
    EXPECT_THROW(sgeval::meanSquaredError(a, two), std::invalid_argument);
}

TEST(ColourStats, PoolsTheStraightColourOfOpaquePixels) {
    ImageSet set(kSize, 4);
    uint8_t* p = set.addImage();
    const size_t plane = size_t(kSize) * kSize;
    for (size_t k = 0; k < plane; ++k) {
        const bool left = k % kSize < kSize / 2;
        const uint8_t alpha = left ? 255 : 100;  // the right half is below 0.5: left out
        p[k] = left ? 200 : 20;
        p[plane + k] = uint8_t(k % 2 ? 100 : 60);  // mean 80, deviation 20 on the left
        p[2 * plane + k] = 0;
        p[3 * plane + k] = alpha;
    }
    const sgeval::ColourStats s = sgeval::colourStats(set, 0, 1);
    EXPECT_EQ(s.pixels, plane / 2);
    EXPECT_NEAR(s.mean[0], 200.0, 1e-9);
    EXPECT_NEAR(s.deviation[0], 0.0, 1e-6);
    EXPECT_NEAR(s.mean[1], 80.0, 1e-9);
    EXPECT_NEAR(s.deviation[1], 20.0, 1e-9);

    // Premultiplied colour is divided by alpha: 64 at alpha 128 is 127.5.
    ImageSet half(kSize, 4);
    addBox(&half, 0, 0, 4, 4, 128);
    EXPECT_NEAR(sgeval::colourStats(half, 0, 1).mean[0], (128 / 4) * 255.0 / 128.0, 1e-9);
}

TEST(ColourTransfer, MatchesTheTargetMeanAndDeviationAndKeepsAlpha) {
    ImageSet inputs(kSize, 4);
    sgeval::SplitMix64 rng{7};
    const size_t plane = size_t(kSize) * kSize;
    for (int image = 0; image < 3; ++image) {
        uint8_t* p = inputs.addImage();
        for (size_t k = 0; k < plane; ++k) {
            const uint8_t alpha = k % 5 == 0 ? 0 : k % 7 == 0 ? 90 : 255;  // transparent, half, opaque
            for (int ch = 0; ch < 3; ++ch)
                p[size_t(ch) * plane + k] = uint8_t((40 + rng.below(160)) * alpha / 255);
            p[3 * plane + k] = alpha;
        }
    }
    sgeval::ColourStats target;
    const double mean[3] = {100.0, 150.0, 60.0}, deviation[3] = {30.0, 20.0, 10.0};
    for (int ch = 0; ch < 3; ++ch) {
        target.mean[ch] = mean[ch];
        target.deviation[ch] = deviation[ch];
    }
    const ImageSet out = sgeval::colourTransfer(inputs, target);
    ASSERT_EQ(out.count(), 3u);
    for (size_t i = 0; i < 3; ++i) {
        const sgeval::ColourStats s = sgeval::colourStats(out, i, 1);
        for (int ch = 0; ch < 3; ++ch) {
            EXPECT_NEAR(s.mean[ch], mean[ch], 0.5) << "image " << i << " channel " << ch;  // 8-bit rounding
            EXPECT_NEAR(s.deviation[ch], deviation[ch], 0.5) << "image " << i << " channel " << ch;
        }
        for (size_t k = 0; k < plane; ++k) {
            EXPECT_EQ(out.image(i)[3 * plane + k], inputs.image(i)[3 * plane + k]);
            if (inputs.image(i)[3 * plane + k] == 0) {
                EXPECT_EQ(out.image(i)[k], 0);  // still premultiplied
            }
        }
    }
}

TEST(ColourTransfer, FlatChannelBecomesTheTargetMean_EmptyImageStaysAsItIs) {
    ImageSet inputs(kSize, 4);
    addBox(&inputs, 2, 2, 20, 20);  // every channel flat
    inputs.addImage();              // fully transparent
    sgeval::ColourStats target;
    target.mean[0] = 10.0;
    target.mean[1] = 20.0;
    target.mean[2] = 250.0;
    target.deviation[0] = target.deviation[1] = target.deviation[2] = 40.0;
    const ImageSet out = sgeval::colourTransfer(inputs, target);
    const sgeval::ColourStats s = sgeval::colourStats(out, 0, 1);
    EXPECT_NEAR(s.mean[0], 10.0, 1e-9);
    EXPECT_NEAR(s.mean[2], 250.0, 1e-9);
    EXPECT_NEAR(s.deviation[1], 0.0, 1e-6);
    EXPECT_EQ(std::vector<uint8_t>(out.image(1), out.image(1) + out.imageBytes()),
              std::vector<uint8_t>(inputs.image(1), inputs.image(1) + inputs.imageBytes()));
}

TEST(NearestByShape, Characters_PicksTheCandidateOfHighestSilhouetteIoU) {
    ImageSet inputs(kSize, 4), candidates(kSize, 4);
    addBox(&inputs, 4, 4, 20, 28);   // tall
    addBox(&inputs, 2, 10, 30, 22);  // wide
    addBox(&candidates, 0, 0, 1, 1);     // unrelated
    addBox(&candidates, 3, 11, 30, 21);  // nearly the wide one
    addBox(&candidates, 5, 4, 20, 27);   // nearly the tall one
    addBox(&candidates, 4, 4, 20, 28);   // the tall one exactly, but outside the range below
    const ImageSet nearest = sgeval::nearestByShape(inputs, candidates, 0, 3);
    ASSERT_EQ(nearest.count(), 2u);
    EXPECT_TRUE(std::equal(nearest.image(0), nearest.image(0) + nearest.imageBytes(), candidates.image(2)));
    EXPECT_TRUE(std::equal(nearest.image(1), nearest.image(1) + nearest.imageBytes(), candidates.image(1)));
    // Within [3, 4) only the exact copy is left.
    const ImageSet exact = sgeval::nearestByShape(inputs, candidates, 3, 1);
    EXPECT_DOUBLE_EQ(sgeval::silhouetteIoU(inputs, 0, exact, 0), 1.0);
}

TEST(NearestByShape, Scenes_PicksTheCandidateOfLowestStructureError) {
    ImageSet inputs(kSize, 3);
    addScene(&inputs);
    // Candidates: the scene turned, the scene colour-shifted (structure error
    // about 0), the scene moved.
    ImageSet candidates(kSize, 3);
    const size_t plane = size_t(kSize) * kSize;
    const uint8_t* original = inputs.image(0);
    for (int k = 0; k < 3; ++k)
        candidates.addImage();  // before taking pointers: adding moves the pixels
    uint8_t* turned = candidates.pixels.data();
    uint8_t* shifted = turned + candidates.imageBytes();
    uint8_t* moved = shifted + candidates.imageBytes();
    for (int ch = 0; ch < 3; ++ch)
        for (int y = 0; y < kSize; ++y)
            for (int x = 0; x < kSize; ++x) {
                const uint8_t v = original[size_t(ch) * plane + size_t(y) * kSize + size_t(x)];
                turned[size_t(ch) * plane + size_t(x) * kSize + size_t(kSize - 1 - y)] = v;
                shifted[size_t(ch) * plane + size_t(y) * kSize + size_t(x)] = uint8_t(v + 20);
                moved[size_t(ch) * plane + size_t(y) * kSize + size_t((x + kSize / 4) % kSize)] = v;
            }
    const ImageSet nearest = sgeval::nearestByShape(inputs, candidates, 0, 3);
    ASSERT_EQ(nearest.count(), 1u);
    EXPECT_TRUE(std::equal(nearest.image(0), nearest.image(0) + nearest.imageBytes(), candidates.image(1)));
}

TEST(NearestByShape, RejectsMismatchedSetsAndEmptyRanges) {
    ImageSet rgba(kSize, 4), rgb(kSize, 3);
    addBox(&rgba, 0, 0, 4, 4);
    addScene(&rgb);
    EXPECT_THROW(sgeval::nearestByShape(rgba, rgb, 0, 1), std::invalid_argument);
    EXPECT_THROW(sgeval::nearestByShape(rgba, rgba, 0, 0), std::invalid_argument);
    EXPECT_THROW(sgeval::nearestByShape(rgba, rgba, 1, 1), std::invalid_argument);
}

}  // namespace
