// generator.cpp - see generator.hpp.
#include "generator.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

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
// Transformed input one Winograd task works on (about 192 KiB, so it stays in
// L2 while the channel groups sweep it), and at most this many tiles: the
// measured best on a 512 KiB L2 (docs/benchmarks.md).
constexpr size_t kWinogradTaskFloats = size_t(48) << 10;
constexpr size_t kWinogradMaxTaskTiles = 48;

// Grows v to at least n floats and returns n. Never shrinks, and never
// copies: the old contents are scratch. New memory is zeroed, so the plane
// slack the conv kernel reads past each plane always holds finite values.
size_t reserveFloats(std::vector<float>& v, size_t n) {
    if (v.size() < n) {
        v = std::vector<float>();
        v.resize(n);
    }
    return n;
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
    if (!b.pLerpSeeds != !b.pLerpAmounts) return "pLerpSeeds and pLerpAmounts must both be set or both be NULL";
    for (uint32_t i = 0; b.pLerpAmounts && i < b.count; ++i)
        if (!(b.pLerpAmounts[i] >= 0.0f && b.pLerpAmounts[i] <= 1.0f)) return "interpolation amounts must be in [0, 1]";
    if (b.pSpatialInput && a.input != SGP_INPUT_SPATIAL) return "pSpatialInput is set but the model has a const input";
    if (b.periodicOffset >= (a.inputPeriod ? a.inputPeriod : 1))
        return "periodicOffset must be below the model's input period (0 without a periodic input)";
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

// Floats of work space computeW needs.
size_t mappingFloats(const SgpArchitecture& a) {
    return 2 * size_t(std::max(a.zDim + a.embedDim, a.wDim)) + a.zDim + a.wDim;
}

// Floats of work space one image's w needs: computeW's, and the target's w when interpolating.
size_t latentFloats(const SgpArchitecture& a) { return mappingFloats(a) + a.wDim; }

// w for latent seed `seed`: mapped for every style with a non-zero weight,
// blended, then truncated toward the blend's mean. `work` holds mappingFloats.
void computeW(const PreparedModel& m, const SgpBatch& b, const KernelSet& k, uint64_t seed, float* w, float* work) {
    const SgpArchitecture& a = m.arch;
    const uint32_t width = std::max(a.zDim + a.embedDim, a.wDim);
    float* cur = work;
    float* next = cur + width;
    float* z = next + width;
    float* avg = z + a.zDim;
    k.normalRow(seed, SGP_STREAM_Z, 0, a.zDim, z);
    std::fill(w, w + a.wDim, 0.0f);
    std::fill(avg, avg + a.wDim, 0.0f);
    for (uint32_t c = 0; c < a.styleCount; ++c) {
        const float weight = b.pStyleWeights[c];
        if (weight == 0.0f) continue;
        normalize(z, a.zDim, cur);
        normalize(m.embed.data() + size_t(c) * a.embedDim, a.embedDim, cur + a.zDim);
        for (const DenseLayer& layer : m.mapping) {
            denseForward(layer, cur, next);
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

// Tiles per Winograd task for cin input channels, a multiple of kWinogradTileGroup.
size_t winogradTaskTiles(uint32_t cin) {
    const size_t tiles = kWinogradTaskFloats / (16 * size_t(cin)) / kWinogradTileGroup * kWinogradTileGroup;
    return std::clamp<size_t>(tiles, kWinogradTileGroup, kWinogradMaxTaskTiles);
}

// [SECTION] Synthesis ------------------------------------------------------------------

// Runs a batch chunk by chunk: images [first, first + count) go through every
// layer together. Scratch is sized once, for chunks of up to `capacity`.
//
// Activations live in three sets of padded planes ([image][channel][stride]):
// A holds a block's upsampled, style-scaled input (conv0 reads it), B the
// first conv's output already scaled by the second conv's styles (conv1 reads
// it), C the block's output (toRGB and the next block's upsampling read it).
class Synthesis {
public:
    Synthesis(ThreadPool& pool, Scratch& scratch, const PreparedModel& m, const SgpBatch& b, const KernelSet& kernels,
              Profile* profile, uint32_t gridH, uint32_t gridW, uint32_t capacity)
        : pool_(pool), m_(m), b_(b), a_(m.arch), k_(kernels), profile_(profile), gridH_(gridH), gridW_(gridW),
          n_(capacity), wrap_(m.arch.padding == SGP_PADDING_CIRCULAR),
          mixing_(b.pMixSeeds != nullptr && b.mixLayer < 2 * m.arch.blockCount), s_(scratch) {
        // Every buffer is sized for its largest use over the layers.
        size_t floatsA = 0, floatsB = 0, floatsC = 0, noiseFloats = 0;
        for (const ModConv* conv : m_.modConvs)
            if (conv->winograd)
                winogradFloats_ = std::max(winogradFloats_, winogradWorkFloats(conv->cin, winogradTaskTiles(conv->cin)));
        for (uint32_t bi = 0; bi < a_.blockCount; ++bi) {
            const PlaneGeometry g = geometry(bi);
            const uint32_t cb = a_.channels[bi];
            if (bi > 0) floatsA = std::max(floatsA, size_t(a_.channels[bi - 1]) * g.stride);
            floatsB = std::max(floatsB, size_t(cb) * g.stride);
            floatsC = std::max(floatsC, size_t(cb) * g.stride);
            noiseFloats = std::max(noiseFloats, 2 * noiseMapFloats(g));
        }
        const PlaneGeometry last = geometry(a_.blockCount - 1);
        size_t floats = reserveFloats(s_.ws, size_t(n_) * 2 * a_.wDim);
        floats += reserveFloats(s_.mapping, size_t(n_) * 2 * latentFloats(a_));
        floats += reserveFloats(s_.styles, size_t(n_) * m_.styleFloats);
        floats += reserveFloats(s_.demod, size_t(n_) * m_.demodFloats);
        if (a_.input == SGP_INPUT_SPATIAL)
            floats += reserveFloats(s_.grid, size_t(n_) * (a_.spatialChannels + a_.channels[0]) * gridH * gridW);
        floats += reserveFloats(s_.planesA, n_ * floatsA);
        floats += reserveFloats(s_.planesB, n_ * floatsB);
        floats += reserveFloats(s_.planesC, n_ * floatsC);
        floats += reserveFloats(s_.img, n_ * a_.imgChannels * last.stride);
        floats += reserveFloats(s_.imgUp, n_ * a_.imgChannels * last.stride);
        floats += reserveFloats(s_.noise, n_ * noiseFloats);
        floats += reserveFloats(s_.winograd, pool.threadCount() * winogradFloats_);
        neededBytes_ = floats * sizeof(float);
    }

    // Scratch this call needs (the cached buffers may be larger, from earlier calls).
    size_t neededBytes() const { return neededBytes_; }

    void run(uint32_t first, uint32_t count, float* out) {
        first_ = first;
        n_ = count;
        if (!b_.pLatents) mapLatents();
        computeStyles();
        for (uint32_t bi = 0; bi < a_.blockCount; ++bi) {
            const Block& block = m_.blocks[bi];
            const PlaneGeometry g = geometry(bi);
            makeNoise(block, g);
            if (bi == 0) {
                makeInput(block.conv1, g);
            } else {
                upsampleInto(block.conv0, g);
                conv3x3(block.conv0, g, 0, s_.planesA.data(), s_.planesB.data(), &block.conv1);
                refreshHalo(block.conv1.cin, g, s_.planesB.data());
            }
            conv3x3(block.conv1, g, 1, s_.planesB.data(), s_.planesC.data(), nullptr);
            toRgb(block.toRgb, g, bi > 0);
        }
        decode(out);
    }

private:
    PlaneGeometry geometry(uint32_t block) const { return planeGeometry(gridH_ << block, gridW_ << block); }
    Halo convHalo() const { return wrap_ ? Halo::Wrap : Halo::Zero; }
    Halo upsampleHalo() const { return wrap_ ? Halo::Wrap : Halo::Clamp; }

    // One pool pass, timed into the profile when there is one.
    template <class Fn>
    void pass(Profile::Phase phase, size_t count, Fn&& fn) {
        if (!profile_) {
            pool_.parallelFor(count, fn);
            return;
        }
        const auto start = std::chrono::steady_clock::now();
        pool_.parallelFor(count, fn);
        profile_->seconds[phase] += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }

    const float* wFor(uint32_t image, uint32_t layer) const {
        if (b_.pLatents) return b_.pLatents + ((size_t(first_) + image) * 2 * a_.blockCount + layer) * a_.wDim;
        const bool fromMix = mixing_ && layer >= b_.mixLayer;
        return s_.ws.data() + (size_t(image) * 2 + (fromMix ? 1 : 0)) * a_.wDim;
    }
    const float* stylesFor(uint32_t image, const ModConv& conv) const {
        return s_.styles.data() + size_t(image) * m_.styleFloats + conv.styleOffset;
    }

    void mapLatents() {
        const uint32_t perImage = mixing_ ? 2 : 1;
        const size_t work = latentFloats(a_);
        pass(Profile::kMapping, size_t(n_) * perImage, [&](size_t i) {
            const size_t image = i / perImage, which = i % perImage;
            const uint64_t seed = which ? b_.pMixSeeds[first_ + image] : b_.pSeeds[first_ + image];
            float* w = s_.ws.data() + (image * 2 + which) * a_.wDim;
            float* space = s_.mapping.data() + i * work;
            computeW(m_, b_, k_, seed, w, space);
            if (which || !b_.pLerpSeeds) return;
            // (1 - t) w + t w', so that t = 0 and t = 1 give exactly the two seeds' w.
            float* target = space + mappingFloats(a_);
            computeW(m_, b_, k_, b_.pLerpSeeds[first_ + image], target, space);
            const float t = b_.pLerpAmounts[first_ + image];
            for (uint32_t o = 0; o < a_.wDim; ++o) w[o] = (1.0f - t) * w[o] + t * target[o];
        });
    }

    void computeStyles() {
        const size_t convs = m_.modConvs.size();
        pass(Profile::kMapping, size_t(n_) * convs, [&](size_t i) {
            const uint32_t image = uint32_t(i / convs);
            const ModConv& conv = *m_.modConvs[i % convs];
            float* st = s_.styles.data() + size_t(image) * m_.styleFloats + conv.styleOffset;
            denseForward(conv.affine, wFor(image, conv.wLayer), st);
            if (conv.kernel != 3) return;
            // d[co] = 1 / sqrt(sum_ci st[ci]^2 * sum_kk w[co,ci,kk]^2 + 1e-8)
            float* d = s_.demod.data() + size_t(image) * m_.demodFloats + conv.demodOffset;
            std::fill(d, d + conv.cout, 0.0f);
            for (uint32_t ci = 0; ci < conv.cin; ++ci) {
                const float s2 = st[ci] * st[ci];
                const float* row = conv.weightSqT.data() + size_t(ci) * conv.cout;
                for (uint32_t co = 0; co < conv.cout; ++co) d[co] += s2 * row[co];
            }
            for (uint32_t co = 0; co < conv.cout; ++co) d[co] = 1.0f / std::sqrt(d[co] + 1e-8f);
        });
    }

    // Block 0's input, scaled by its conv's styles into planes B.
    void makeInput(const ModConv& conv, const PlaneGeometry& g) {
        const uint32_t c0 = a_.channels[0];
        const size_t pixels = size_t(g.h) * g.w;
        const float* compact = m_.inputConst.data();  // const: one input for every image
        size_t imageFloats = 0;
        if (a_.input == SGP_INPUT_SPATIAL) {
            // A 1x1 projection of a Philox noise grid (or the caller's grid):
            // draw the grid rows, then project each input channel as a sum
            // over the grid channels.
            const uint32_t sc = a_.spatialChannels;
            imageFloats = size_t(sc + c0) * pixels;
            pass(Profile::kInput, size_t(n_) * sc * g.h, [&](size_t i) {
                const size_t image = i / (sc * g.h), row = i % (sc * g.h);  // row = c * h + y
                float* dst = s_.grid.data() + image * imageFloats + row * g.w;
                if (b_.pSpatialInput) {
                    const float* src = b_.pSpatialInput + ((first_ + image) * sc * g.h + row) * g.w;
                    std::copy(src, src + g.w, dst);
                    return;
                }
                k_.normalRow(b_.pNoiseSeeds[first_ + image], SGP_STREAM_SPATIAL, uint64_t(row) * g.w, g.w, dst);
            });
            pass(Profile::kInput, size_t(n_) * c0, [&](size_t i) {
                const size_t image = i / c0, c = i % c0;
                const float* grid = s_.grid.data() + image * imageFloats;
                float* x = s_.grid.data() + image * imageFloats + (sc + c) * pixels;
                std::fill(x, x + pixels, 0.0f);
                for (uint32_t j = 0; j < sc; ++j) {
                    const float wt = m_.inputSpatial.weightT[size_t(j) * c0 + c];
                    const float* gj = grid + j * pixels;
                    for (size_t p = 0; p < pixels; ++p) x[p] += wt * gj[p];
                }
                const float bias = m_.inputSpatial.bias[c];
                for (size_t p = 0; p < pixels; ++p) x[p] += bias;
                if (const uint32_t period = a_.inputPeriod) {
                    const float* periodic = m_.inputPeriodic.data() + size_t(c) * period * period;
                    const uint32_t offset = b_.periodicOffset;
                    for (uint32_t y = 0; y < g.h; ++y) {
                        const float* row = periodic + (y + offset) % period * period;
                        for (uint32_t xi = 0; xi < g.w; ++xi) x[size_t(y) * g.w + xi] += row[(xi + offset) % period];
                    }
                }
            });
            compact = s_.grid.data() + size_t(sc) * pixels;
        }
        pass(Profile::kInput, size_t(n_) * c0, [&](size_t i) {
            const size_t image = i / c0, c = i % c0;
            float* plane = s_.planesB.data() + i * g.stride;
            copyScaledToPlane(compact + image * imageFloats + c * pixels, stylesFor(uint32_t(image), conv)[c], g, plane);
            fillHalo(g, convHalo(), plane);
        });
    }

    // Both convs' noise maps of a block, in the conv output layout.
    void makeNoise(const Block& block, const PlaneGeometry& g) {
        const float strength0 = block.conv0.cin ? block.conv0.noiseStrength : 0.0f;
        noiseOn_[0] = strength0 * b_.noiseStrength != 0.0f;
        noiseOn_[1] = block.conv1.noiseStrength * b_.noiseStrength != 0.0f;
        const size_t mapFloats = noiseMapFloats(g);
        pass(Profile::kNoise, size_t(n_) * 2 * g.h, [&](size_t i) {
            const size_t image = i / (2 * g.h), which = i / g.h % 2, y = i % g.h;
            if (!noiseOn_[which]) return;
            const ModConv& conv = which ? block.conv1 : block.conv0;
            float* row = s_.noise.data() + (image * 2 + which) * mapFloats + y * g.pitch;
            k_.normalRow(b_.pNoiseSeeds[first_ + image], SGP_STREAM_NOISE_BASE + conv.noiseLayer, uint64_t(y) * g.w, g.w,
                         row);
        });
    }

    // Planes A = up(C) scaled by conv0's styles (C of the previous block).
    void upsampleInto(const ModConv& conv0, const PlaneGeometry& g) {
        const PlaneGeometry src = planeGeometry(g.h / 2, g.w / 2);
        pass(Profile::kUpsample, size_t(n_) * conv0.cin, [&](size_t i) {
            const size_t image = i / conv0.cin, c = i % conv0.cin;
            float* from = s_.planesC.data() + i * src.stride;
            float* to = s_.planesA.data() + i * g.stride;
            fillHalo(src, upsampleHalo(), from);
            upsampleScaledToPlane(from, stylesFor(uint32_t(image), conv0)[c], g, to);
            fillHalo(g, convHalo(), to);
        });
    }

    // One modulated 3x3 conv from `in` to `out` (planes, h x w). `next`: the
    // conv that reads `out`, whose styles the output is scaled by; null for
    // a block's second conv (its output is read unscaled).
    void conv3x3(const ModConv& conv, const PlaneGeometry& g, int which, const float* in, float* out,
                 const ModConv* next) {
        const float noiseScale = conv.noiseStrength * b_.noiseStrength;
        const size_t mapFloats = noiseMapFloats(g);
        if (conv.winograd) {
            WinogradLayer L;
            L.planes = in;
            L.cin = conv.cin;
            L.cout = conv.cout;
            L.weights = conv.weight.data();
            L.demod = s_.demod.data() + conv.demodOffset;
            L.demodStride = m_.demodFloats;
            L.bias = conv.bias.data();
            L.scale = next ? s_.styles.data() + next->styleOffset : nullptr;
            L.scaleStride = m_.styleFloats;
            L.noise = noiseOn_[which] ? s_.noise.data() + which * mapFloats : nullptr;
            L.noiseStride = 2 * mapFloats;
            L.noiseScale = noiseScale;
            L.out = out;
            L.outStride = conv.cout * g.stride;
            // Runs of tiles across the chunk's images. Where there are too few
            // runs to keep every thread busy, the channel groups are split too
            // (each split transforms its tiles' input again).
            const size_t tiles = size_t(n_) * ((g.h + 1) / 2) * ((g.w + 1) / 2);
            const size_t perTask = winogradTaskTiles(conv.cin);
            const size_t runs = (tiles + perTask - 1) / perTask;
            const size_t groups = (conv.cout + kWinogradCoGroup - 1) / kWinogradCoGroup;
            const size_t wanted = 4 * size_t(pool_.threadCount());
            const size_t splits = pool_.threadCount() == 1 ? 1 : std::clamp<size_t>((wanted + runs - 1) / runs, 1, groups);
            pass(Profile::kConv, runs * splits, [&](size_t i, unsigned slot) {
                const size_t run = i / splits, split = i % splits;
                const size_t t0 = run * perTask;
                k_.winograd3x3(L, g, t0, std::min(perTask, tiles - t0), uint32_t(split * groups / splits),
                               uint32_t((split + 1) * groups / splits), s_.winograd.data() + slot * winogradFloats_);
            });
            return;
        }
        const size_t flat = size_t(g.h) * g.pitch;
        const size_t tiles = (flat + kConvTile - 1) / kConvTile;
        const size_t coBlocks = (conv.cout + kCoBlock - 1) / kCoBlock;
        // Channel blocks vary fastest, so a tile's input rows stay in cache for all of them.
        pass(Profile::kConv, size_t(n_) * tiles * coBlocks, [&](size_t i) {
            const size_t cb = i % coBlocks, t = i / coBlocks % tiles, image = i / coBlocks / tiles;
            const size_t f0 = t * kConvTile, len = std::min(kConvTile, flat - f0);
            const size_t co = cb * kCoBlock;
            Conv3x3Output o;
            o.demod = s_.demod.data() + image * m_.demodFloats + conv.demodOffset + co;
            o.bias = conv.bias.data() + co;
            o.scale = next ? stylesFor(uint32_t(image), *next) + co : nullptr;
            o.noise = noiseOn_[which] ? s_.noise.data() + (image * 2 + which) * mapFloats : nullptr;
            o.noiseScale = noiseScale;
            o.coCount = uint32_t(std::min<size_t>(kCoBlock, conv.cout - co));
            o.planes = out + (image * conv.cout + co) * g.stride;
            k_.conv3x3(in + image * conv.cin * g.stride, g, conv.weight.data() + cb * conv.cin * 9 * kCoBlock,
                       conv.cin, f0, len, o);
        });
    }

    // The conv kernel wrote garbage onto the halo: restore the padding.
    void refreshHalo(uint32_t channels, const PlaneGeometry& g, float* planes) {
        pass(Profile::kHalo, size_t(n_) * channels, [&](size_t i) { fillHalo(g, convHalo(), planes + i * g.stride); });
    }

    // img = toRGB(C), or up(img) + toRGB(C) after the first block.
    void toRgb(const ModConv& conv, const PlaneGeometry& g, bool accumulate) {
        if (accumulate) {
            const PlaneGeometry src = planeGeometry(g.h / 2, g.w / 2);
            pass(Profile::kToRgb, size_t(n_) * conv.cout, [&](size_t i) {
                float* from = s_.img.data() + i * src.stride;
                fillHalo(src, upsampleHalo(), from);
                upsampleScaledToPlane(from, 1.0f, g, s_.imgUp.data() + i * g.stride);
            });
            std::swap(s_.img, s_.imgUp);
        }
        pass(Profile::kToRgb, size_t(n_) * g.h, [&](size_t i) {
            const size_t image = i / g.h;
            const uint32_t y = uint32_t(i % g.h);
            toRgbRow(s_.planesC.data() + image * conv.cin * g.stride, g, conv, stylesFor(uint32_t(image), conv), y, 0,
                     g.w, accumulate, s_.img.data() + image * conv.cout * g.stride);
        });
    }

    // RGBA floats: v = clamp((img + 1) / 2, 0, 1), premultiplied rgb <= a.
    void decode(float* out) {
        const PlaneGeometry g = geometry(a_.blockCount - 1);
        const size_t pixels = size_t(g.h) * g.w;
        const uint32_t channels = a_.imgChannels;
        pass(Profile::kOutput, size_t(n_) * g.h, [&](size_t i) {
            const size_t image = i / g.h, y = i % g.h;
            const float* planes = s_.img.data() + image * channels * g.stride + (y + 1) * g.pitch + 1;
            float* dst = out + ((first_ + image) * pixels + y * g.w) * 4;
            for (uint32_t x = 0; x < g.w; ++x) {
                float v[4] = {0.0f, 0.0f, 0.0f, 1.0f};
                for (uint32_t c = 0; c < channels; ++c)
                    v[c] = std::min(std::max((planes[c * g.stride + x] + 1.0f) / 2.0f, 0.0f), 1.0f);
                for (uint32_t c = 0; c < 3; ++c) dst[4 * x + c] = std::min(v[c], v[3]);
                dst[4 * x + 3] = v[3];
            }
        });
    }

    ThreadPool& pool_;
    const PreparedModel& m_;
    const SgpBatch& b_;
    const SgpArchitecture& a_;
    const KernelSet& k_;
    Profile* profile_;
    const uint32_t gridH_, gridW_;
    uint32_t first_ = 0, n_;  // the chunk being run
    const bool wrap_, mixing_;
    bool noiseOn_[2] = {false, false};  // the current block's conv0, conv1 have noise
    size_t winogradFloats_ = 0;         // Winograd work space per pool thread
    size_t neededBytes_ = 0;
    // ws [image][2][w_dim] (w of the seed, then of the mix seed); mapping:
    // computeW's work space per task; styles [image][styleFloats]; demod
    // [image][demodFloats]; grid: the spatial input's noise grid and its
    // projection; planesA/B/C: see above; img, imgUp: the RGB(A) skip path
    // and its upsampled copy, padded planes; noise [image][2][map];
    // winograd: the Winograd tasks' work space, one per pool thread (slot).
    Scratch& s_;
};

}  // namespace

const char* Profile::phaseName(Phase phase) {
    static const char* const kNames[kPhaseCount] = {"mapping", "input", "noise", "upsample",
                                                    "conv",    "halo",  "torgb", "output"};
    return phase < kPhaseCount ? kNames[phase] : "?";
}

size_t Scratch::bytes() const {
    size_t floats = 0;
    for (const std::vector<float>* v :
         {&ws, &mapping, &styles, &demod, &grid, &planesA, &planesB, &planesC, &img, &imgUp, &noise, &winograd})
        floats += v->size();
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
                         float* out, std::string* error, const KernelSet& kernels, Profile* profile) {
    if (batch.count == 0) return SGP_SUCCESS;
    *error = checkBatch(model, batch, out);
    if (!error->empty()) return SGP_ERROR_INVALID_ARGUMENT;
    const uint32_t block = model.arch.resolution / 4;
    const uint32_t gridH = batch.height / block, gridW = batch.width / block;
    const size_t pixels = size_t(batch.width) * batch.height;
    const uint32_t chunk = uint32_t(std::clamp<size_t>(kChunkPixels / pixels, 1, batch.count));
    std::unique_ptr<Scratch> scratch = cache.take();
    Synthesis synthesis(pool, *scratch, model, batch, kernels, profile, gridH, gridW, chunk);
    for (uint32_t first = 0; first < batch.count; first += chunk)
        synthesis.run(first, std::min(chunk, batch.count - first), out);
    if (profile) profile->scratchBytes = std::max(profile->scratchBytes, synthesis.neededBytes());
    cache.give(std::move(scratch));
    return SGP_SUCCESS;
}

}  // namespace sg::cpu
