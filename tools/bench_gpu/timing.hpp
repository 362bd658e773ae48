// timing.hpp - wall-clock statistics of a repeated measurement.
//
//   Timing t = measure(3, 20, [&] { model.generateInto(info, data, size); });   // 3 warm-ups, 20 timed runs
//   printf("%.3f ms\n", t.medianMs);
#pragma once

#include <algorithm>
#include <chrono>
#include <vector>

namespace sgbenchgpu {

struct Timing {
    double medianMs = 0, minMs = 0, meanMs = 0;
    int runs = 0;
};

inline Timing summarize(std::vector<double> ms) {
    Timing t;
    if (ms.empty()) return t;
    std::sort(ms.begin(), ms.end());
    t.runs = int(ms.size());
    t.minMs = ms.front();
    t.medianMs = ms.size() % 2 ? ms[ms.size() / 2] : 0.5 * (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]);
    double sum = 0;
    for (double v : ms) sum += v;
    t.meanMs = sum / double(ms.size());
    return t;
}

// Runs fn warmup times untimed, then runs times timed; fn must return only once its work is done.
template <class Fn>
Timing measure(int warmup, int runs, Fn&& fn) {
    for (int i = 0; i < warmup; ++i) fn();
    std::vector<double> ms;
    for (int i = 0; i < runs; ++i) {
        const auto start = std::chrono::steady_clock::now();
        fn();
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    return summarize(std::move(ms));
}

}  // namespace sgbenchgpu
