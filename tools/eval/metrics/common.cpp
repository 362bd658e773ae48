// common.cpp - image and feature sets, the thread helper and seeded random numbers.
#include "metrics.hpp"

#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <thread>

namespace sgeval {

uint8_t* ImageSet::addImage() {
    pixels.resize(pixels.size() + imageBytes(), 0);
    return pixels.data() + pixels.size() - imageBytes();
}

ImageSet ImageSet::slice(size_t first, size_t n) const {
    ImageSet out(size, channels);
    out.pixels.assign(image(first), image(first) + n * imageBytes());
    return out;
}

FeatureSet FeatureSet::slice(size_t first, size_t n) const {
    FeatureSet out;
    out.dim = dim;
    out.values.assign(row(first), row(first) + n * dim);
    return out;
}

void parallelFor(size_t count, int threads, const std::function<void(size_t)>& body) {
    size_t workers = threads > 0 ? size_t(threads) : std::max(1u, std::thread::hardware_concurrency());
    workers = std::min(workers, count);
    if (workers <= 1) {
        for (size_t i = 0; i < count; ++i)
            body(i);
        return;
    }
    std::atomic<size_t> next{0};
    std::exception_ptr failure;
    std::mutex failureMutex;
    auto work = [&] {
        for (size_t i = next++; i < count; i = next++) {
            try {
                body(i);
            } catch (...) {
                std::lock_guard<std::mutex> lock(failureMutex);
                if (!failure)
                    failure = std::current_exception();
                next = count;  // stop handing out work
            }
        }
    };
    std::vector<std::thread> pool;
    for (size_t t = 1; t < workers; ++t)
        pool.emplace_back(work);
    work();
    for (std::thread& t : pool)
        t.join();
    if (failure)
        std::rethrow_exception(failure);
}

uint64_t SplitMix64::next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double SplitMix64::normal() {
    const double u1 = 1.0 - uniform();  // (0, 1]: log stays finite
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

uint64_t mixSeed(uint64_t a, uint64_t b) {
    SplitMix64 rng{a ^ (b * 0xD1B54A32D192ED03ull + 0x2545F4914F6CDD1Dull)};
    return rng.next();
}

}  // namespace sgeval
