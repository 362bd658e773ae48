// features.cpp - k-NN precision/recall and mean pairwise distance of feature vectors.
#include "metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace sgeval {
namespace {

double distance(const float* a, const float* b, size_t dim) {
    double sum = 0.0;
    for (size_t k = 0; k < dim; ++k) {
        const double d = double(a[k]) - double(b[k]);
        sum += d * d;
    }
    return std::sqrt(sum);
}

// Per sample: the distance to its k-th nearest other sample of the same set.
std::vector<double> kthNeighbourRadii(const FeatureSet& set, int k, int threads) {
    const size_t n = set.count();
    std::vector<double> radii(n, 0.0);
    if (n < 2)
        return radii;
    const size_t kth = std::min(size_t(k), n - 1);
    parallelFor(n, threads, [&](size_t i) {
        std::vector<double> d;
        d.reserve(n - 1);
        for (size_t j = 0; j < n; ++j)
            if (j != i)
                d.push_back(distance(set.row(i), set.row(j), set.dim));
        std::nth_element(d.begin(), d.begin() + std::ptrdiff_t(kth - 1), d.end());
        radii[i] = d[kth - 1];
    });
    return radii;
}

// Share of `queries` within radius of some sample of `manifold`.
double coverage(const FeatureSet& queries, const FeatureSet& manifold, const std::vector<double>& radii, int threads) {
    std::vector<char> inside(queries.count(), 0);
    parallelFor(queries.count(), threads, [&](size_t q) {
        for (size_t j = 0; j < manifold.count() && !inside[q]; ++j)
            inside[q] = distance(queries.row(q), manifold.row(j), queries.dim) <= radii[j];
    });
    return double(std::count(inside.begin(), inside.end(), 1)) / double(queries.count());
}

}  // namespace

PrecisionRecall precisionRecall(const FeatureSet& real, const FeatureSet& generated, int k, int threads) {
    if (real.count() == 0 || generated.count() == 0 || real.dim != generated.dim || k < 1)
        throw std::invalid_argument("precision/recall: empty sets, different dims or k < 1");
    PrecisionRecall pr;
    pr.precision = coverage(generated, real, kthNeighbourRadii(real, k, threads), threads);
    pr.recall = coverage(real, generated, kthNeighbourRadii(generated, k, threads), threads);
    return pr;
}

double meanPairwiseDistance(const FeatureSet& features) {
    const size_t n = features.count();
    if (n < 2)
        return std::numeric_limits<double>::quiet_NaN();
    double sum = 0.0;
    for (size_t i = 0; i < n; ++i)
        for (size_t j = i + 1; j < n; ++j)
            sum += distance(features.row(i), features.row(j), features.dim);
    return sum / (double(n) * double(n - 1) / 2.0);
}

}  // namespace sgeval
