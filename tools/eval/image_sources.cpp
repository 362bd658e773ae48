// image_sources.cpp - real renders and SDK generation into ImageSets.
#include "image_sources.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sgeval {
namespace {

constexpr uint32_t kImagesPerCall = 64;  // bounds the SDK's output buffer at any size

}  // namespace

ImageSet renderImages(const sgdata::Dataset& data, const std::vector<size_t>& indices, bool asTraining, int size,
                      int channels, int threads) {
    ImageSet set(size, channels);
    set.pixels.resize(indices.size() * set.imageBytes());
    parallelFor(indices.size(), threads, [&](size_t i) {
        const size_t index = indices[i];
        SplitMix64 rng{mixSeed(kRealRenderSeed, index)};
        const int teams = int(data.teamColourPalettes.size());
        const int team = asTraining && teams > 0 ? int(rng.below(uint64_t(teams))) : -1;
        const bool mirror = asTraining && (rng.next() & 1);
        std::vector<float> chw(set.imageBytes());
        if (!sgdata::renderImage(data, index, team, mirror, size, channels, chw.data()))
            throw std::runtime_error("cannot render " + data.images[index].source);
        uint8_t* out = set.pixels.data() + i * set.imageBytes();
        for (size_t k = 0; k < chw.size(); ++k)
            out[k] = uint8_t(std::lround(std::clamp((chw[k] + 1.0f) * 127.5f, 0.0f, 255.0f)));
    });
    return set;
}

ImageSet generateImages(const sg::Model& model, uint32_t style, uint32_t count, uint64_t firstSeed, float psi,
                        int size, int channels) {
    ImageSet set(size, channels);
    const size_t plane = size_t(size) * size_t(size);
    for (uint32_t first = 0; first < count; first += kImagesPerCall) {
        sg::GenerateInfo info;
        info.count = std::min(kImagesPerCall, count - first);
        info.firstSeed = firstSeed + first;
        info.styleIndex = style;
        info.truncationPsi = psi;
        info.width = uint32_t(size);
        info.height = uint32_t(size);
        info.alphaMode = SG_ALPHA_MODE_PREMULTIPLIED;
        const std::vector<uint8_t> rgba = model.generate(info);
        for (uint32_t i = 0; i < info.count; ++i) {
            const uint8_t* src = rgba.data() + size_t(i) * plane * 4;
            uint8_t* dst = set.addImage();
            for (int ch = 0; ch < channels; ++ch)
                for (size_t p = 0; p < plane; ++p)
                    dst[size_t(ch) * plane + p] = src[p * 4 + size_t(ch)];
        }
    }
    return set;
}

}  // namespace sgeval
