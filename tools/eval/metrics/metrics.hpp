// metrics.hpp - the image-quality metrics of stylegen-eval, plain C++17 (no
// LibTorch): sliced Wasserstein distance on Laplacian-pyramid patches, the seam
// score of tileable images, and k-NN precision/recall and mean pairwise
// distance of feature vectors. docs/quality.md defines each one as coded here.
//
//     sgeval::ImageSet real(64, 4), fake(64, 4);
//     std::copy(chw, chw + real.imageBytes(), real.addImage());  // ... for each image
//     sgeval::SwdSettings settings;                  // Progressive GAN's procedure
//     std::vector<sgeval::SwdResult> swd = sgeval::slicedWasserstein(real, {&fake}, settings, 2);
//     std::printf("SWD x1e3: %.1f\n", swd[0].average);
//
// Every result is a pure function of the inputs and settings (seeded random
// numbers, fixed summation order): the thread count never changes a value.
// (CPUs with and without AVX2 + FMA round SWD's projections differently.)
// Thread safety: the functions only read their inputs; any number may run at once.
//
// Index
// [SECTION] Image and feature sets
// [SECTION] Sliced Wasserstein distance
// [SECTION] Seam score
// [SECTION] Feature-space metrics
// [SECTION] Restyle metrics
// [SECTION] Helpers
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace sgeval {

//-----------------------------------------------------------------------------
// [SECTION] Image and feature sets
//-----------------------------------------------------------------------------

/// Square 8-bit images of one size and channel count, planar (CHW) one after
/// the other. Colour is premultiplied by alpha for 4 channels, as the SDK and
/// the trainer see it: a transparent pixel is 0 in every channel.
struct ImageSet {
    int size = 0;      // width = height
    int channels = 0;  // 3 (RGB) or 4 (RGBA)
    std::vector<uint8_t> pixels;

    ImageSet() = default;
    ImageSet(int size_, int channels_) : size(size_), channels(channels_) {}

    size_t imageBytes() const { return size_t(channels) * size_t(size) * size_t(size); }
    size_t count() const { return imageBytes() ? pixels.size() / imageBytes() : 0; }
    const uint8_t* image(size_t i) const { return pixels.data() + i * imageBytes(); }
    /// Appends a black image and returns its first byte (valid until the next append).
    uint8_t* addImage();
    /// Images [first, first + count) as a set of their own.
    ImageSet slice(size_t first, size_t count) const;
};

/// `count` feature vectors of `dim` floats, one after the other.
struct FeatureSet {
    size_t dim = 0;
    std::vector<float> values;

    size_t count() const { return dim ? values.size() / dim : 0; }
    const float* row(size_t i) const { return values.data() + i * dim; }
    FeatureSet slice(size_t first, size_t count) const;
};

//-----------------------------------------------------------------------------
// [SECTION] Sliced Wasserstein distance
//
// Progressive GAN (Karras et al. 2018, metrics/sliced_wasserstein.py): each
// image becomes a Laplacian pyramid (5x5 binomial filter, borders mirrored as
// scipy's 'mirror' mode) from its size down to 16x16; every level gives
// `patchesPerImage` patches of patchSize x patchSize x channels at random
// centres at least patchSize/2 pixels from the border. Per set and level the
// descriptors are normalised per channel (mean 0, standard deviation 1 over
// all patches and positions of that set), then projected on
// directionRepeats x directionsPerRepeat random unit directions; the distance
// is the mean over directions of the 1-D Wasserstein-1 distance between the two
// sets' projections, times 1000.
//-----------------------------------------------------------------------------

struct SwdSettings {
    int patchSize = 7;
    int patchesPerImage = 128;
    int directionRepeats = 4;
    int directionsPerRepeat = 128;
    int minResolution = 16;  // the pyramid's coarsest level
    uint64_t seed = 1;       // patch positions and directions
};

struct SwdResult {
    std::vector<int> resolutions;  // one per level, finest first (64, 32, 16)
    std::vector<double> perLevel;  // x1e3
    double average = 0.0;          // mean of perLevel
};

/// The pyramid levels of `size`: size, size/2, ... while >= minResolution
/// (halving only even sizes). Empty when size < minResolution.
std::vector<int> swdResolutions(int size, int minResolution);

/// The SWD of each candidate set against `reference` (same size and channels,
/// each set at least one image, size >= max(minResolution, patchSize)). The
/// sets may differ in size: the 1-D distance is then the integral of
/// |Qa(t) - Qb(t)| over the two empirical quantile functions, which is the
/// usual mean |sorted a - sorted b| when the sizes agree. Patch positions
/// depend on the seed, the level and the image's index in its set, and the
/// directions on the seed and level: every set is measured the same way, and
/// identical sets are at distance 0. Work is spread over
/// `threads` threads (0: all hardware threads).
std::vector<SwdResult> slicedWasserstein(const ImageSet& reference, const std::vector<const ImageSet*>& candidates,
                                         const SwdSettings& settings, int threads);

/// The Laplacian pyramid SWD describes, exposed for tests: `plane` (size x
/// size floats) decomposed into `levels` levels, finest first; level i has
/// size >> i pixels a side; the last level is the blurred, subsampled image itself.
std::vector<std::vector<float>> laplacianPyramid(const float* plane, int size, int levels);

/// 1-D Wasserstein-1 distance between two sorted samples (any sizes >= 1).
double wasserstein1Sorted(const float* a, size_t m, const float* b, size_t n);

//-----------------------------------------------------------------------------
// [SECTION] Seam score
//-----------------------------------------------------------------------------

/// For tileable images: the mean absolute difference between neighbouring
/// pixels across the wrap seams (last column to first, last row to first)
/// divided by the mean absolute difference between neighbours inside the image
/// (horizontal and vertical pairs, every channel), pooled over the set. About
/// 1 when the seam looks like any other pixel boundary; large for a visible
/// edge. NaN when the set has no interior variation (flat images).
double seamScore(const ImageSet& images);

//-----------------------------------------------------------------------------
// [SECTION] Feature-space metrics
//-----------------------------------------------------------------------------

struct PrecisionRecall {
    double precision = 0.0;  // share of generated samples inside the real manifold
    double recall = 0.0;     // share of real samples inside the generated manifold
};

/// Improved precision and recall (Kynkaanniemi et al. 2019): a set's manifold
/// is the union of balls around its samples, each with the radius to the
/// sample's k-th nearest neighbour in the same set (Euclidean). A set of
/// n <= k samples uses its (n-1)-th neighbour; a single sample has radius 0.
/// Both sets must have the same dim and at least one sample.
PrecisionRecall precisionRecall(const FeatureSet& real, const FeatureSet& generated, int k, int threads);

/// Mean Euclidean distance over all pairs of distinct samples; NaN for fewer than two.
double meanPairwiseDistance(const FeatureSet& features);

//-----------------------------------------------------------------------------
// [SECTION] Restyle metrics
//
// What a restyled image keeps of its input, and the colour-statistics
// transfer it is compared with (docs/quality.md, "Restyle"). One image of a
// set is named by the set and its index. Mismatched sizes or channel counts
// throw std::invalid_argument.
//-----------------------------------------------------------------------------

/// Intersection over union of two RGBA images' silhouettes, the pixels with
/// alpha > 0.5 (>= 128 of 255). Two empty silhouettes are identical: 1.
double silhouetteIoU(const ImageSet& a, size_t i, const ImageSet& b, size_t j);

/// Low-pass structure error of two images (3 or 4 channels): each image's
/// luminance (Rec. 601: 0.299 R + 0.587 G + 0.114 B of the stored, for RGBA
/// premultiplied, colour, 0..255) blurred by a Gaussian of sigma = size / 8
/// (taps out to 3 sigma, borders mirrored), minus its own mean; the result is
/// the mean absolute difference of the two, in 8-bit luminance levels. A
/// global colour shift only moves the mean and costs nothing; moved, turned or
/// different shapes cost. (A change of contrast costs in proportion.)
double structureError(const ImageSet& a, size_t i, const ImageSet& b, size_t j);

/// Mean squared difference over every value (all channels) of two sets of
/// the same size, channels and count (at least one image).
double meanSquaredError(const ImageSet& a, const ImageSet& b);

/// Peak signal-to-noise ratio of 8-bit values in dB, 10 log10(255^2 / mse);
/// +infinity when mse is 0 (identical images).
double psnrFromMse(double mse);

/// Per colour channel (R, G, B): mean and standard deviation of the straight
/// (un-premultiplied) colour, 0..255, pooled over the opaque pixels (alpha >=
/// 128) of images [first, first + count) of a set; every pixel for RGB.
struct ColourStats {
    double mean[3] = {0.0, 0.0, 0.0};
    double deviation[3] = {0.0, 0.0, 0.0};
    size_t pixels = 0;  // pooled; 0: no opaque pixel, mean and deviation 0
};
ColourStats colourStats(const ImageSet& set, size_t first, size_t count);

/// The AdaIN-style baseline of restyle: per image and colour channel, the
/// straight colour c of every pixel with alpha > 0 becomes
/// (c - mean) * target.deviation / deviation + target.mean (the image's own
/// colourStats), clamped to 0..255 and premultiplied again by the unchanged
/// alpha. A channel without spread (deviation 0) becomes target.mean; an image
/// without opaque pixels is copied as it is.
ImageSet colourTransfer(const ImageSet& inputs, const ColourStats& target);

/// The "nearest real image" baseline of restyle: for each input, the image
/// among candidates [first, first + count) whose shape is closest to it: the
/// highest silhouetteIoU for RGBA, the lowest structureError for RGB (the
/// first of equals). Given a target style's training images, it tells how
/// much of an input's shape a real image of the target keeps at best.
ImageSet nearestByShape(const ImageSet& inputs, const ImageSet& candidates, size_t first, size_t count);

//-----------------------------------------------------------------------------
// [SECTION] Helpers
//-----------------------------------------------------------------------------

/// Runs body(0) .. body(count - 1) on `threads` threads (0: all hardware
/// threads), each index once, and returns when all are done. The first
/// exception a body throws is rethrown here after the others finish.
void parallelFor(size_t count, int threads, const std::function<void(size_t)>& body);

/// splitmix64 (Steele, Lea, Flood 2014): the same stream on every platform,
/// unlike the standard library's distributions.
struct SplitMix64 {
    uint64_t state;
    uint64_t next();
    uint64_t below(uint64_t bound) { return next() % bound; }  // bias < bound / 2^64
    double uniform() { return double(next() >> 11) * 0x1.0p-53; }  // [0, 1)
    double normal();                                               // Box-Muller, one of the pair
};

/// Mixes values into one seed (for per-image and per-level streams).
uint64_t mixSeed(uint64_t a, uint64_t b);

}  // namespace sgeval
