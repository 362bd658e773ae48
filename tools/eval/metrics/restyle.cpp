// restyle.cpp - what a restyled image keeps of its input (silhouette IoU,
// low-pass structure error, PSNR), the colour-statistics transfer baseline and
// the nearest-real-image baseline.
#include "metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace sgeval {
namespace {

constexpr int kOpaque = 128;  // alpha > 0.5 in 8 bits

void checkPair(const ImageSet& a, size_t i, const ImageSet& b, size_t j, const char* what) {
    if (a.size != b.size || a.channels != b.channels || a.size <= 0)
        throw std::invalid_argument(std::string(what) + ": the images differ in size or channels");
    if (i >= a.count() || j >= b.count())
        throw std::invalid_argument(std::string(what) + ": no such image in the set");
}

// scipy.ndimage 'mirror' (d c b | a b c d | c b a), as swd.cpp's.
int mirror(int i, int n) {
    if (n == 1)
        return 0;
    const int period = 2 * n - 2;
    i = std::abs(i) % period;
    return i < n ? i : period - i;
}

// The blurred luminance of one image with its mean removed (see structureError).
std::vector<double> lowPassLuminance(const ImageSet& set, size_t index) {
    const int n = set.size;
    const size_t plane = size_t(n) * size_t(n);
    const uint8_t* p = set.image(index);
    std::vector<double> luma(plane);
    for (size_t k = 0; k < plane; ++k)
        luma[k] = 0.299 * p[k] + 0.587 * p[plane + k] + 0.114 * p[2 * plane + k];

    const double sigma = double(n) / 8.0;
    const int radius = int(std::ceil(3.0 * sigma));
    std::vector<double> taps(size_t(2 * radius + 1));
    double sum = 0.0;
    for (int t = -radius; t <= radius; ++t)
        sum += taps[size_t(t + radius)] = std::exp(-0.5 * double(t * t) / (sigma * sigma));
    for (double& t : taps)
        t /= sum;
    std::vector<double> rows(plane), out(plane);
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x) {
            double v = 0.0;
            for (int t = -radius; t <= radius; ++t)
                v += taps[size_t(t + radius)] * luma[size_t(y) * size_t(n) + size_t(mirror(x + t, n))];
            rows[size_t(y) * size_t(n) + size_t(x)] = v;
        }
    double mean = 0.0;
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x) {
            double v = 0.0;
            for (int t = -radius; t <= radius; ++t)
                v += taps[size_t(t + radius)] * rows[size_t(mirror(y + t, n)) * size_t(n) + size_t(x)];
            out[size_t(y) * size_t(n) + size_t(x)] = v;
            mean += v;
        }
    mean /= double(plane);
    for (double& v : out)
        v -= mean;
    return out;
}

// Of two low-pass luminances of the same size: structureError.
double meanAbsoluteDifference(const std::vector<double>& a, const std::vector<double>& b) {
    double sum = 0.0;
    for (size_t k = 0; k < a.size(); ++k)
        sum += std::abs(a[k] - b[k]);
    return sum / double(a.size());
}

// Straight colour of a premultiplied value at alpha a (a > 0), 0..255.
double straight(uint8_t value, uint8_t alpha) { return std::min(255.0, double(value) * 255.0 / double(alpha)); }

}  // namespace

double silhouetteIoU(const ImageSet& a, size_t i, const ImageSet& b, size_t j) {
    checkPair(a, i, b, j, "silhouetteIoU");
    if (a.channels != 4)
        throw std::invalid_argument("silhouetteIoU: the images have no alpha channel");
    const size_t plane = size_t(a.size) * size_t(a.size);
    const uint8_t* alphaA = a.image(i) + 3 * plane;
    const uint8_t* alphaB = b.image(j) + 3 * plane;
    size_t both = 0, either = 0;
    for (size_t k = 0; k < plane; ++k) {
        const bool inA = alphaA[k] >= kOpaque, inB = alphaB[k] >= kOpaque;
        both += inA && inB;
        either += inA || inB;
    }
    return either == 0 ? 1.0 : double(both) / double(either);
}

double structureError(const ImageSet& a, size_t i, const ImageSet& b, size_t j) {
    checkPair(a, i, b, j, "structureError");
    if (a.channels < 3)
        throw std::invalid_argument("structureError: the images have no colour");
    return meanAbsoluteDifference(lowPassLuminance(a, i), lowPassLuminance(b, j));
}

double meanSquaredError(const ImageSet& a, const ImageSet& b) {
    if (a.size != b.size || a.channels != b.channels || a.count() != b.count() || a.count() == 0)
        throw std::invalid_argument("meanSquaredError: the sets differ in size, channels or count, or are empty");
    double sum = 0.0;
    for (size_t k = 0; k < a.pixels.size(); ++k) {
        const double d = double(a.pixels[k]) - double(b.pixels[k]);
        sum += d * d;
    }
    return sum / double(a.pixels.size());
}

double psnrFromMse(double mse) {
    if (mse <= 0.0)
        return std::numeric_limits<double>::infinity();
    return 10.0 * std::log10(255.0 * 255.0 / mse);
}

ColourStats colourStats(const ImageSet& set, size_t first, size_t count) {
    if (set.channels < 3 || first + count > set.count())
        throw std::invalid_argument("colourStats: no colour channels, or images beyond the set");
    const size_t plane = size_t(set.size) * size_t(set.size);
    double sum[3] = {0, 0, 0}, squares[3] = {0, 0, 0};
    ColourStats stats;
    for (size_t i = first; i < first + count; ++i) {
        const uint8_t* p = set.image(i);
        for (size_t k = 0; k < plane; ++k) {
            const uint8_t alpha = set.channels == 4 ? p[3 * plane + k] : 255;
            if (alpha < kOpaque)
                continue;
            ++stats.pixels;
            for (int ch = 0; ch < 3; ++ch) {
                const double c = straight(p[size_t(ch) * plane + k], alpha);
                sum[ch] += c;
                squares[ch] += c * c;
            }
        }
    }
    if (stats.pixels == 0)
        return stats;
    for (int ch = 0; ch < 3; ++ch) {
        stats.mean[ch] = sum[ch] / double(stats.pixels);
        stats.deviation[ch] = std::sqrt(std::max(0.0, squares[ch] / double(stats.pixels) - stats.mean[ch] * stats.mean[ch]));
    }
    return stats;
}

ImageSet colourTransfer(const ImageSet& inputs, const ColourStats& target) {
    ImageSet out = inputs;
    if (inputs.channels < 3)
        throw std::invalid_argument("colourTransfer: the images have no colour");
    const size_t plane = size_t(inputs.size) * size_t(inputs.size);
    for (size_t i = 0; i < inputs.count(); ++i) {
        const ColourStats own = colourStats(inputs, i, 1);
        if (own.pixels == 0)
            continue;
        const uint8_t* in = inputs.image(i);
        uint8_t* p = out.pixels.data() + i * out.imageBytes();
        for (int ch = 0; ch < 3; ++ch) {
            // A 1e-9 spread is a flat channel: scaling it would amplify rounding.
            const double gain = own.deviation[ch] > 1e-9 ? target.deviation[ch] / own.deviation[ch] : 0.0;
            for (size_t k = 0; k < plane; ++k) {
                const uint8_t alpha = inputs.channels == 4 ? in[3 * plane + k] : 255;
                if (alpha == 0)
                    continue;
                const double c = std::clamp((straight(in[size_t(ch) * plane + k], alpha) - own.mean[ch]) * gain +
                                                target.mean[ch],
                                            0.0, 255.0);
                p[size_t(ch) * plane + k] = uint8_t(std::lround(c * double(alpha) / 255.0));
            }
        }
    }
    return out;
}

ImageSet nearestByShape(const ImageSet& inputs, const ImageSet& candidates, size_t first, size_t count) {
    if (inputs.size != candidates.size || inputs.channels != candidates.channels || inputs.channels < 3)
        throw std::invalid_argument(
            "nearestByShape: the inputs and candidates differ in size or channels, or have no colour");
    if (count == 0 || first + count > candidates.count())
        throw std::invalid_argument("nearestByShape: no candidates, or candidates beyond the set");
    const bool silhouette = inputs.channels == 4;
    // Scenes: each candidate's low-pass luminance once, not once per input.
    std::vector<std::vector<double>> candidateLuma;
    if (!silhouette)
        for (size_t c = first; c < first + count; ++c)
            candidateLuma.push_back(lowPassLuminance(candidates, c));
    ImageSet out(inputs.size, inputs.channels);
    for (size_t i = 0; i < inputs.count(); ++i) {
        const std::vector<double> luma = silhouette ? std::vector<double>() : lowPassLuminance(inputs, i);
        size_t best = first;
        double bestScore = -std::numeric_limits<double>::infinity();
        for (size_t c = first; c < first + count; ++c) {
            double score;  // higher is closer
            if (silhouette) {
                score = silhouetteIoU(inputs, i, candidates, c);
            } else {
                score = -meanAbsoluteDifference(luma, candidateLuma[c - first]);  // structureError, negated
            }
            if (score > bestScore) {
                bestScore = score;
                best = c;
            }
        }
        std::copy(candidates.image(best), candidates.image(best) + candidates.imageBytes(), out.addImage());
    }
    return out;
}

}  // namespace sgeval
