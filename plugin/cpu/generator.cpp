// generator.cpp - see generator.hpp.
#include "generator.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels.hpp"
#include "stylegen_philox.h"
#include "thread_pool.hpp"

namespace sg::cpu {
namespace {

// Largest output side accepted; keeps every size product far from overflow.
constexpr uint32_t kMaxSide = 16384;
// Output pixels per chunk: 4 images of 64x64 go through the layers together,
// enough tasks for the small layers while the working set stays in cache.
constexpr size_t kChunkPixels = size_t(64) * 64 * 4;
// Larger scratch (huge scene textures) goes back to the system after the call.
constexpr size_t kMaxCachedScratchBytes = size_t(256) << 20;

// Grows v to at least n floats. Never shrinks, and never copies: the old
// contents are scratch. New memory is zeroed, so the plane slack the conv
// kernel reads past each plane always holds finite values.
void reserveFloats(std::vector<float>& v, size_t n) {
    if (v.size() >= n) return;
    v = std::vector<float>();
    v.resize(n);
}

// [SECTION] Request checks -------------------------------------------------------

std::string checkBatch(const PreparedModel& m, const SgpBatch& b, const float* out) {
    const SgpArchitecture& a = m.arch;
    if (!b.pSeeds || !b.pNoiseSeeds) return "pSeeds and pNoiseSeeds must not be NULL";
    if (!b.pStyleWeights) return "pStyleWeights must not be NULL";
    if (!out) return "output pointer must not be NULL";
    double sum = 0.0;
    for (uint32_t c = 0; c < a.styleCount; ++c) {
        const float v = b.pStyleWeights[c];
        if (!std::isfinite(v) || v < 0.0f) return "style weights must be finite and non-negative";
        sum += v;
    }
    if (std::fabs(sum - 1.0) > 1e-3) return "style weights must sum to 1";
    if (!std::isfinite(b.truncationPsi)) return "truncationPsi must be finite";
    if (!std::isfinite(b.noiseStrength)) return "noiseStrength must be finite";
    if (b.pMixSeeds && b.mixLayer > 2 * a.blockCount) return "mixLayer must be at most 2 * blockCount";
    if (b.width == 0 || b.height == 0 || b.width > kMaxSide || b.height > kMaxSide)
        return "width and height must be in 1.." + std::to_string(kMaxSide);
    // A const input is a 4x4 grid and a character model is made at its training size.
    if (a.input == SGP_INPUT_CONST || a.kind == SGP_MODEL_KIND_CHARACTER) {
        if (b.width != a.resolution || b.height != a.resolution)
            return "this model makes " + std::to_string(a.resolution) + "x" + std::to_string(a.resolution) + " images only";
    } else {
        const uint32_t block = a.resolution / 4;
        if (b.width % block != 0 || b.height % block != 0)
            return "width and height must be multiples of " + std::to_string(block);
    }
    return {};
}

// [SECTION] Mapping ------------------------------------------------------------------

// norm(v) = v / sqrt(mean(v^2) + 1e-8)
void normalize(const float* v, uint32_t n, float* out) {
    float sum = 0.0f;
    for (uint32_t i = 0; i < n; ++i) sum += v[i] * v[i];
    const float denom = std::sqrt(sum / float(n) + 1e-8f);
    for (uint32_t i = 0; i < n; ++i) out[i] = v[i] / denom;
}

// w for latent seed `seed`: mapped for every style with a non-zero weight,
// blended, then truncated toward the blend's mean.
void computeW(const PreparedModel& m, const SgpBatch& b, uint64_t seed, float* w) {
    const SgpArchitecture& a = m.arch;
    const uint32_t width = std::max(a.zDim + a.embedDim, a.wDim);
    std::vector<float> cur(width), next(width), z(a.zDim), avg(a.wDim, 0.0f);
    for (uint32_t k = 0; k < a.zDim; ++k) z[k] = sgPhiloxNormal(seed, SGP_STREAM_Z, k);
    std::fill(w, w + a.wDim, 0.0f);
    for (uint32_t c = 0; c < a.styleCount; ++c) {
        const float weight = b.pStyleWeights[c];
        if (weight == 0.0f) continue;
        normalize(z.data(), a.zDim, cur.data());
        normalize(m.embed.data() + size_t(c) * a.embedDim, a.embedDim, cur.data() + a.zDim);
        for (const DenseLayer& layer : m.mapping) {
            denseForward(layer, cur.data(), next.data());
            for (uint32_t o = 0; o < layer.out; ++o) next[o] = act(next[o]);
            std::swap(cur, next);
        }
        const float* avgC = m.wAvg.data() + size_t(c) * a.wDim;
        for (uint32_t o = 0; o < a.wDim; ++o) {
            w[o] += weight * cur[o];
            avg[o] += weight * avgC[o];
        }
    }
    for (uint32_t o = 0; o < a.wDim; ++o) w[o] = avg[o] + b.truncationPsi * (w[o] - avg[o]);
}

// [SECTION] Synthesis ------------------------------------------------------------------

// Runs a batch chunk by chunk: images [first, first + count) go through every
// layer together. Scratch is allocated once, for chunks of up to `capacity`.
class Synthesis {
public:
    Synthesis(ThreadPool& pool, Scratch& scratch, const PreparedModel& m, const SgpBatch& b, uint32_t gridH,
              uint32_t gridW, uint32_t capacity)
        : pool_(pool), m_(m), b_(b), a_(m.arch), gridH_(gridH), gridW_(gridW), n_(capacity),
          wrap_(m.arch.padding == SGP_PADDING_CIRCULAR),
          mixing_(b.pMixSeeds != nullptr && b.mixLayer < 2 * m.arch.blockCount), ws_(scratch.ws),
          styles_(scratch.styles), demod_(scratch.demod), x_(scratch.x), planes_(scratch.planes), img_(scratch.img),
          imgUp_(scratch.imgUp), noise_(scratch.noise) {
        // Every buffer is sized for its largest use over the layers.
        size_t xFloats = size_t(a_.channels[0]) * gridH * gridW;
        size_t planeFloats = 0;
        for (uint32_t bi = 0; bi < a_.blockCount; ++bi) {
            const Block& block = m_.blocks[bi];
            const size_t h = size_t(gridH) << bi, w = size_t(gridW) << bi;
            const size_t stride = planeGeometry(uint32_t(h), uint32_t(w)).stride;
            xFloats = std::max(xFloats, size_t(a_.channels[bi]) * h * w);
            planeFloats = std::max(planeFloats, size_t(block.conv1.cin) * stride);
            if (bi > 0) planeFloats = std::max(planeFloats, size_t(block.conv0.cin) * stride);
        }
        const size_t pixels = size_t(gridH << (a_.blockCount - 1)) * (gridW << (a_.blockCount - 1));
        reserveFloats(ws_, size_t(n_) * 2 * a_.wDim);
        reserveFloats(styles_, size_t(n_) * m_.styleFloats);
        reserveFloats(demod_, size_t(n_) * m_.demodFloats);
        reserveFloats(x_, n_ * xFloats);
        reserveFloats(planes_, n_ * planeFloats);
        reserveFloats(img_, n_ * a_.imgChannels * pixels);
        reserveFloats(imgUp_, n_ * a_.imgChannels * pixels);
        reserveFloats(noise_, n_ * pixels);
    }

    void run(uint32_t first, uint32_t count, float* out) {
        first_ = first;
        n_ = count;
        mapLatents();
        computeStyles();
        makeInput();
        for (uint32_t bi = 0; bi < a_.blockCount; ++bi) {
            const Block& block = m_.blocks[bi];
            const uint32_t h = gridH_ << bi, w = gridW_ << bi;
            if (bi > 0) conv3x3(block.conv0, h, w, true);
            conv3x3(block.conv1, h, w, false);
            toRgb(block.toRgb, h, w, bi > 0);
        }
        decode(out);
    }

private:
    const float* wFor(uint32_t image, uint32_t layer) const {
        const bool fromMix = mixing_ && layer >= b_.mixLayer;
        return ws_.data() + (size_t(image) * 2 + (fromMix ? 1 : 0)) * a_.wDim;
    }

    void mapLatents() {
        const uint32_t perImage = mixing_ ? 2 : 1;
        pool_.parallelFor(size_t(n_) * perImage, [&](size_t i) {
            const size_t image = i / perImage, which = i % perImage;
            const uint64_t seed = which ? b_.pMixSeeds[first_ + image] : b_.pSeeds[first_ + image];
            computeW(m_, b_, seed, ws_.data() + (image * 2 + which) * a_.wDim);
        });
    }

    void computeStyles() {
        std::vector<const ModConv*> convs;
        for (const Block& block : m_.blocks) {
            if (block.conv0.cin) convs.push_back(&block.conv0);
            convs.push_back(&block.conv1);
            convs.push_back(&block.toRgb);
        }
        pool_.parallelFor(size_t(n_) * convs.size(), [&](size_t i) {
            const uint32_t image = uint32_t(i / convs.size());
            const ModConv& conv = *convs[i % convs.size()];
            float* st = styles_.data() + size_t(image) * m_.styleFloats + conv.styleOffset;
            denseForward(conv.affine, wFor(image, conv.wLayer), st);
            if (conv.kernel != 3) return;
            // d[co] = 1 / sqrt(sum_ci st[ci]^2 * sum_kk w[co,ci,kk]^2 + 1e-8)
            float* d = demod_.data() + size_t(image) * m_.demodFloats + conv.demodOffset;
            std::fill(d, d + conv.cout, 0.0f);
            for (uint32_t ci = 0; ci < conv.cin; ++ci) {
                const float s2 = st[ci] * st[ci];
                const float* row = conv.weightSqT.data() + size_t(ci) * conv.cout;
                for (uint32_t co = 0; co < conv.cout; ++co) d[co] += s2 * row[co];
            }
            for (uint32_t co = 0; co < conv.cout; ++co) d[co] = 1.0f / std::sqrt(d[co] + 1e-8f);
        });
    }

    void makeInput() {
        const uint32_t c0 = a_.channels[0];
        const size_t gridPixels = size_t(gridH_) * gridW_;
        if (a_.input == SGP_INPUT_CONST) {
            for (uint32_t image = 0; image < n_; ++image)
                std::copy(m_.inputConst.begin(), m_.inputConst.end(), x_.begin() + image * c0 * gridPixels);
            return;
        }
        // Spatial: a 1x1 projection of a Philox noise grid, one task per grid row.
        pool_.parallelFor(size_t(n_) * gridH_, [&](size_t i) {
            const uint32_t image = uint32_t(i / gridH_), y = uint32_t(i % gridH_);
            const uint64_t seed = b_.pNoiseSeeds[first_ + image];
            std::vector<float> g(a_.spatialChannels), v(c0);
            float* dst = x_.data() + image * c0 * gridPixels;
            for (uint32_t x = 0; x < gridW_; ++x) {
                for (uint32_t c = 0; c < a_.spatialChannels; ++c)
                    g[c] = sgPhiloxNormal(seed, SGP_STREAM_SPATIAL, (uint64_t(c) * gridH_ + y) * gridW_ + x);
                denseForward(m_.inputSpatial, g.data(), v.data());
                for (uint32_t c = 0; c < c0; ++c) dst[c * gridPixels + size_t(y) * gridW_ + x] = v[c];
            }
        });
    }

    // x = modconv(x or up(x), conv), h x w the output size.
    void conv3x3(const ModConv& conv, uint32_t h, uint32_t w, bool upsample) {
        const PlaneGeometry g = planeGeometry(h, w);
        const size_t pixels = size_t(h) * w;
        const size_t srcPixels = upsample ? pixels / 4 : pixels;
        // Scale each input channel by its style while padding (x_ is [image][cin][pixels]).
        pool_.parallelFor(size_t(n_) * conv.cin, [&](size_t i) {
            const size_t image = i / conv.cin, ci = i % conv.cin;
            const float scale = styles_[image * m_.styleFloats + conv.styleOffset + ci];
            float* plane = planes_.data() + i * g.stride;
            if (upsample)
                upsampleScaledToPlane(x_.data() + i * srcPixels, scale, wrap_, g, plane);
            else
                copyScaledToPlane(x_.data() + i * srcPixels, scale, g, plane);
            fillHalo(g, wrap_, plane);
        });

        const float noiseScale = conv.noiseStrength * b_.noiseStrength;
        if (noiseScale != 0.0f) {
            const uint32_t stream = SGP_STREAM_NOISE_BASE + conv.noiseLayer;
            pool_.parallelFor(size_t(n_) * h, [&](size_t i) {
                const size_t image = i / h, y = i % h;
                const uint64_t seed = b_.pNoiseSeeds[first_ + image];
                float* row = noise_.data() + image * pixels + y * w;
                for (uint32_t x = 0; x < w; ++x) row[x] = sgPhiloxNormal(seed, stream, uint64_t(y) * w + x);
            });
        }

        const size_t flat = size_t(h) * g.pitch;
        const size_t tiles = (flat + kConvTile - 1) / kConvTile;
        const size_t coBlocks = (conv.cout + kCoBlock - 1) / kCoBlock;
        pool_.parallelFor(size_t(n_) * coBlocks * tiles, [&](size_t i) {
            const size_t t = i % tiles, cb = i / tiles % coBlocks, image = i / tiles / coBlocks;
            const size_t f0 = t * kConvTile, len = std::min(kConvTile, flat - f0);
            float tile[kCoBlock * kConvTile];
            conv3x3Tile(planes_.data() + image * conv.cin * g.stride, g,
                        conv.weight.data() + cb * conv.cin * 9 * kCoBlock, conv.cin, f0, len, tile);
            Conv3x3Finish f;
            f.demod = demod_.data() + image * m_.demodFloats + conv.demodOffset + cb * kCoBlock;
            f.bias = conv.bias.data() + cb * kCoBlock;
            f.noise = noiseScale != 0.0f ? noise_.data() + image * pixels : nullptr;
            f.noiseScale = noiseScale;
            f.coCount = uint32_t(std::min<size_t>(kCoBlock, conv.cout - cb * kCoBlock));
            f.dst = x_.data() + (image * conv.cout + cb * kCoBlock) * pixels;
            conv3x3Finish(tile, g, f0, len, f);
        });
    }

    // img = toRGB(x), or up(img) + toRGB(x) after the first block.
    void toRgb(const ModConv& conv, uint32_t h, uint32_t w, bool accumulate) {
        const size_t pixels = size_t(h) * w;
        if (accumulate) {
            pool_.parallelFor(size_t(n_) * conv.cout, [&](size_t i) {
                upsample2x(img_.data() + i * (pixels / 4), h / 2, w / 2, wrap_, imgUp_.data() + i * pixels);
            });
            std::swap(img_, imgUp_);
        }
        const size_t tiles = (pixels + kConvTile - 1) / kConvTile;
        pool_.parallelFor(size_t(n_) * tiles, [&](size_t i) {
            const size_t image = i / tiles, p0 = i % tiles * kConvTile;
            toRgbTile(x_.data() + image * conv.cin * pixels, pixels, conv,
                      styles_.data() + image * m_.styleFloats + conv.styleOffset, p0, std::min(kConvTile, pixels - p0),
                      accumulate, img_.data() + image * conv.cout * pixels);
        });
    }

    // RGBA floats: v = clamp((img + 1) / 2, 0, 1), premultiplied rgb <= a.
    void decode(float* out) {
        const uint32_t h = gridH_ << (a_.blockCount - 1), w = gridW_ << (a_.blockCount - 1);
        const size_t pixels = size_t(h) * w;
        const uint32_t channels = a_.imgChannels;
        pool_.parallelFor(size_t(n_) * h, [&](size_t i) {
            const size_t image = i / h, y = i % h;
            const float* planes = img_.data() + image * channels * pixels + y * w;
            float* dst = out + ((first_ + image) * pixels + y * w) * 4;
            for (uint32_t x = 0; x < w; ++x) {
                float v[4] = {0.0f, 0.0f, 0.0f, 1.0f};
                for (uint32_t c = 0; c < channels; ++c)
                    v[c] = std::min(std::max((planes[c * pixels + x] + 1.0f) / 2.0f, 0.0f), 1.0f);
                for (uint32_t c = 0; c < 3; ++c) dst[4 * x + c] = std::min(v[c], v[3]);
                dst[4 * x + 3] = v[3];
            }
        });
    }

    ThreadPool& pool_;
    const PreparedModel& m_;
    const SgpBatch& b_;
    const SgpArchitecture& a_;
    const uint32_t gridH_, gridW_;
    uint32_t first_ = 0, n_;  // the chunk being run
    const bool wrap_, mixing_;
    std::vector<float>& ws_;      // [image][2][w_dim]: w of the seed, then of the mix seed
    std::vector<float>& styles_;  // [image][styleFloats]
    std::vector<float>& demod_;   // [image][demodFloats]
    std::vector<float>& x_;       // activations, [image][channel][h * w]
    std::vector<float>& planes_;  // padded, style-scaled conv input, [image][channel][plane stride]
    std::vector<float>& img_;     // RGB(A) skip path, [image][channel][h * w]
    std::vector<float>& imgUp_;   // its upsampled copy (swapped with img_)
    std::vector<float>& noise_;   // one layer's noise maps, [image][h * w]
};

}  // namespace

size_t Scratch::bytes() const {
    size_t floats = 0;
    for (const std::vector<float>* v : {&ws, &styles, &demod, &x, &planes, &img, &imgUp, &noise}) floats += v->size();
    return floats * sizeof(float);
}

std::unique_ptr<Scratch> ScratchCache::take() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!free_.empty()) {
            std::unique_ptr<Scratch> s = std::move(free_.back());
            free_.pop_back();
            return s;
        }
    }
    return std::make_unique<Scratch>();
}

void ScratchCache::give(std::unique_ptr<Scratch> scratch) {
    if (scratch->bytes() > kMaxCachedScratchBytes) return;
    std::lock_guard<std::mutex> lock(mutex_);
    free_.push_back(std::move(scratch));
}

SgpResult generateImages(ThreadPool& pool, ScratchCache& cache, const PreparedModel& model, const SgpBatch& batch,
                         float* out, std::string* error) {
    if (batch.count == 0) return SGP_SUCCESS;
    *error = checkBatch(model, batch, out);
    if (!error->empty()) return SGP_ERROR_INVALID_ARGUMENT;
    const uint32_t block = model.arch.resolution / 4;
    const uint32_t gridH = batch.height / block, gridW = batch.width / block;
    const size_t pixels = size_t(batch.width) * batch.height;
    const uint32_t chunk = uint32_t(std::clamp<size_t>(kChunkPixels / pixels, 1, batch.count));
    std::unique_ptr<Scratch> scratch = cache.take();
    Synthesis synthesis(pool, *scratch, model, batch, gridH, gridW, chunk);
    for (uint32_t first = 0; first < batch.count; first += chunk)
        synthesis.run(first, std::min(chunk, batch.count - first), out);
    cache.give(std::move(scratch));
    return SGP_SUCCESS;
}

}  // namespace sg::cpu
