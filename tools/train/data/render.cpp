// render.cpp - images to training tensors (renderImage) and the held-out split.
#include "dataset.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

namespace sgdata {
namespace {

constexpr int kMaxRenderSize = 4096;

// One output sample's share of the source pixels along an axis.
struct Tap {
    int source;
    double weight;
};

// Exact box filter from `from` to `to` samples: output o covers source
// interval [o*from/to, (o+1)*from/to); each source pixel weighs its overlap.
// Coordinates are scaled by `to` so the overlaps are integers.
std::vector<std::vector<Tap>> areaTaps(int from, int to) {
    std::vector<std::vector<Tap>> taps(static_cast<size_t>(to));
    for (int o = 0; o < to; ++o) {
        const int64_t begin = int64_t(o) * from, end = int64_t(o + 1) * from;
        for (int64_t s = begin / to; s < from && s * to < end; ++s) {
            const int64_t overlap = std::min(end, (s + 1) * to) - std::max(begin, s * to);
            if (overlap > 0)
                taps[size_t(o)].push_back({int(s), double(overlap) / double(from)});
        }
    }
    return taps;
}

// splitmix64 (Steele, Lea, Flood 2014): small, fast and the same everywhere,
// unlike std::shuffle whose sequence the standard leaves to the library.
struct SplitMix64 {
    uint64_t state;
    uint64_t next() {
        uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    uint64_t below(uint64_t bound) { return next() % bound; }  // bias < bound / 2^64: negligible
};

}  // namespace

bool renderImage(const Dataset& data, size_t index, int team, bool mirror, int size, int channels, float* out) {
    if (!out || index >= data.images.size() || size < 1 || size > kMaxRenderSize || (channels != 3 && channels != 4) ||
        team < -1 || team >= int(data.teamColourPalettes.size()))
        return false;
    const Image& image = data.images[index];
    const int w = image.width, h = image.height;
    if (w <= 0 || h <= 0 || image.rgba.size() != size_t(w) * size_t(h) * 4)
        return false;
    const bool recolour = team >= 0 && !image.teamColourIndex.empty();
    if (recolour && image.teamColourIndex.size() != size_t(w) * size_t(h))
        return false;
    const std::vector<Rgb>* palette = recolour ? &data.teamColourPalettes[size_t(team)] : nullptr;

    // The square the output shows, in image coordinates: characters keep the
    // whole sprite (transparent padding), scene tiles fill the frame (crop).
    const int side = channels == 4 ? std::max(w, h) : std::min(w, h);
    const int left = (w - side) / 2, top = (h - side) / 2;

    auto premultiplied = [&](int row, int column, double rgba[4]) {
        const int x = left + (mirror ? side - 1 - column : column), y = top + row;
        if (x < 0 || y < 0 || x >= w || y >= h) {
            rgba[0] = rgba[1] = rgba[2] = rgba[3] = 0.0;
            return;
        }
        const size_t p = size_t(y) * size_t(w) + size_t(x);
        const uint8_t* px = &image.rgba[p * 4];
        Rgb rgb = {px[0], px[1], px[2]};
        if (palette) {
            const int8_t teamIndex = image.teamColourIndex[p];
            if (teamIndex >= 0 && size_t(teamIndex) < palette->size())
                rgb = (*palette)[size_t(teamIndex)];
        }
        const double alpha = px[3] / 255.0;
        for (int k = 0; k < 3; ++k)
            rgba[k] = rgb[size_t(k)] / 255.0 * alpha;
        rgba[3] = alpha;
    };

    const std::vector<std::vector<Tap>> taps = areaTaps(side, size);
    const size_t plane = size_t(size) * size_t(size);
    std::vector<double> row(size_t(size) * 4), sum(size_t(size) * 4);
    for (int oy = 0; oy < size; ++oy) {
        std::fill(sum.begin(), sum.end(), 0.0);
        for (const Tap& vertical : taps[size_t(oy)]) {
            std::fill(row.begin(), row.end(), 0.0);
            for (int ox = 0; ox < size; ++ox) {
                for (const Tap& horizontal : taps[size_t(ox)]) {
                    double px[4];
                    premultiplied(vertical.source, horizontal.source, px);
                    for (int k = 0; k < 4; ++k)
                        row[size_t(ox) * 4 + size_t(k)] += horizontal.weight * px[k];
                }
            }
            for (size_t i = 0; i < sum.size(); ++i)
                sum[i] += vertical.weight * row[i];
        }
        for (int ox = 0; ox < size; ++ox)
            for (int k = 0; k < channels; ++k)
                out[size_t(k) * plane + size_t(oy) * size_t(size) + size_t(ox)] =
                    float(2.0 * std::clamp(sum[size_t(ox) * 4 + size_t(k)], 0.0, 1.0) - 1.0);
    }
    return true;
}

void splitHeldOut(const Dataset& data, double fraction, uint64_t seed, std::vector<size_t>* train,
                  std::vector<size_t>* heldOut) {
    train->clear();
    heldOut->clear();
    // Per style, its groups by name (ordered, so the shuffle below starts from
    // the same list every run); an image without a group is a group of its own.
    std::vector<std::map<std::pair<bool, std::string>, std::vector<size_t>>> groups(data.styles.size());
    for (size_t i = 0; i < data.images.size(); ++i) {
        const Image& image = data.images[i];
        if (image.style < 0 || size_t(image.style) >= groups.size())
            continue;
        const auto key = image.group.empty() ? std::make_pair(true, image.source + "#" + std::to_string(i))
                                             : std::make_pair(false, image.group);
        groups[size_t(image.style)][key].push_back(i);
    }
    const bool split = fraction > 0.0;  // also false for NaN
    for (size_t style = 0; style < groups.size(); ++style) {
        std::vector<const std::vector<size_t>*> order;
        size_t images = 0;
        for (const auto& entry : groups[style]) {
            order.push_back(&entry.second);
            images += entry.second.size();
        }
        SplitMix64 rng{seed ^ (0xD1B54A32D192ED03ull * (style + 1))};
        for (size_t i = order.size(); i > 1; --i)
            std::swap(order[i - 1], order[size_t(rng.below(i))]);

        // Greedy: take a group when that brings the held-out count closer to
        // the target; a group too big to fit is passed over for smaller ones.
        const double target = split ? std::min(fraction, 1.0) * double(images) : 0.0;
        std::vector<bool> held(order.size(), false);
        size_t heldImages = 0, heldGroups = 0, lastHeld = 0;
        for (size_t g = 0; g < order.size(); ++g) {
            const double after = double(heldImages + order[g]->size());
            if (std::abs(after - target) < std::abs(double(heldImages) - target)) {
                held[g] = true;
                heldImages += order[g]->size();
                ++heldGroups;
                lastHeld = g;
            }
        }
        if (split && fraction < 1.0 && order.size() >= 2) {
            if (heldGroups == 0)
                held[0] = true;
            else if (heldGroups == order.size())
                held[lastHeld] = false;
        }
        for (size_t g = 0; g < order.size(); ++g)
            for (size_t i : *order[g])
                (held[g] ? heldOut : train)->push_back(i);
    }
    std::sort(train->begin(), train->end());
    std::sort(heldOut->begin(), heldOut->end());
}

}  // namespace sgdata
