// stats.hpp - median and spread of repeated measurements.
#pragma once

#include <algorithm>
#include <vector>

namespace sgbench {

struct Summary {
    double median = 0, min = 0, max = 0;
    // Half the range, relative to the median: the "+-" printed next to it.
    double spread() const { return median > 0 ? (max - min) / 2 / median : 0; }
};

inline Summary summarize(std::vector<double> samples) {
    Summary s;
    if (samples.empty()) return s;
    std::sort(samples.begin(), samples.end());
    const size_t n = samples.size();
    s.median = n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
    s.min = samples.front();
    s.max = samples.back();
    return s;
}

}  // namespace sgbench
