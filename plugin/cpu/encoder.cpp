// encoder.cpp - see encoder.hpp.
#include "encoder.hpp"

#include <algorithm>
#include <vector>

#include "kernels.hpp"
#include "thread_pool.hpp"

namespace sg::cpu {
namespace {

// Largest side accepted, as the generator's.
constexpr uint32_t kMaxSide = 16384;

std::string checkRequest(const PreparedModel& m, uint32_t count, uint32_t width, uint32_t height, const float* images,
                         const float* latents, const float* grid) {
    const SgpArchitecture& a = m.arch;
    if (count > 0 && (!images || !latents)) return "pImages and pLatents must not be NULL";
    if (a.input == SGP_INPUT_SPATIAL && count > 0 && !grid) return "pSpatialInput must not be NULL for a spatial-input model";
    if (a.input == SGP_INPUT_CONST && grid) return "pSpatialInput must be NULL for a const-input model";
    if (width == 0 || height == 0 || width > kMaxSide || height > kMaxSide)
        return "width and height must be in 1.." + std::to_string(kMaxSide);
    if (a.input == SGP_INPUT_CONST || a.kind == SGP_MODEL_KIND_CHARACTER) {
        if (width != a.resolution || height != a.resolution)
            return "this model encodes " + std::to_string(a.resolution) + "x" + std::to_string(a.resolution) +
                   " images only";
    } else {
        const uint32_t block = a.resolution / 4;
        if (width % block != 0 || height % block != 0)
            return "width and height must be multiples of " + std::to_string(block);
    }
    return {};
}

// One image through the encoder. Planes: two sets of padded planes, each
// sized for the largest layer; `in` holds a layer's input, `out` receives its
// output, then they swap.
class EncoderPass {
public:
    EncoderPass(ThreadPool& pool, const PreparedModel& m, uint32_t width, uint32_t height)
        : pool_(pool), m_(m), a_(m.arch), halo_(m.arch.padding == SGP_PADDING_CIRCULAR ? Halo::Wrap : Halo::Zero) {
        size_t floats = size_t(a_.imgChannels) * planeGeometry(height, width).stride;
        for (uint32_t s = 0; s <= a_.encoderStageCount; ++s) {
            const PlaneGeometry g = planeGeometry(height >> s, width >> s);
            floats = std::max(floats, size_t(a_.encoderChannels[s]) * g.stride);
        }
        in_.resize(floats);
        out_.resize(floats);
        g_ = planeGeometry(height, width);
    }

    void run(const float* rgba, float* latents, float* grid) {
        loadInput(rgba);
        const Encoder& e = m_.encoder;
        conv(e.fromRgb, 1, g_);
        for (uint32_t s = 0; s < a_.encoderStageCount; ++s) {
            conv(e.stages[2 * s], 1, g_);
            conv(e.stages[2 * s + 1], 2, planeGeometry(g_.h / 2, g_.w / 2));
        }
        poolIntoLatents(latents);
        if (grid) project(grid);
    }

private:
    // x = 2 v - 1 for the model's image channels, into `in`'s planes.
    void loadInput(const float* rgba) {
        const uint32_t channels = a_.imgChannels;
        pool_.parallelFor(channels, [&](size_t c) {
            float* plane = in_.data() + c * g_.stride;
            for (uint32_t y = 0; y < g_.h; ++y) {
                const float* src = rgba + size_t(y) * g_.w * 4 + c;
                float* dst = plane + (size_t(y) + 1) * g_.pitch + 1;
                for (uint32_t x = 0; x < g_.w; ++x) dst[x] = 2.0f * src[4 * x] - 1.0f;
            }
        });
    }

    // out = act(conv(in) + bias) from planes of geometry g_ to planes of
    // geometry go (g_ or half its size for stride 2); then out becomes in.
    void conv(const EncoderConv& c, uint32_t stride, const PlaneGeometry& go) {
        const size_t wanted = 8 * size_t(pool_.threadCount());
        const size_t bands = std::clamp<size_t>((wanted + c.cout - 1) / c.cout, 1, go.h);
        const size_t rowsPerBand = (go.h + bands - 1) / bands;
        const PlaneGeometry gi = g_;
        pool_.parallelFor(size_t(c.cout) * bands, [&](size_t task) {
            const uint32_t co = uint32_t(task / bands);
            const size_t y0 = task % bands * rowsPerBand, y1 = std::min<size_t>(go.h, y0 + rowsPerBand);
            float* plane = out_.data() + size_t(co) * go.stride;
            for (size_t y = y0; y < y1; ++y) {
                float* __restrict acc = plane + (y + 1) * go.pitch + 1;
                convRow(c, co, gi, stride, y, go.w, acc);
                for (uint32_t x = 0; x < go.w; ++x) acc[x] = act(acc[x]);
            }
        });
        pool_.parallelFor(c.cout, [&](size_t co) { fillHalo(go, halo_, out_.data() + co * go.stride); });
        std::swap(in_, out_);
        g_ = go;
    }

    // One output row of channel co: bias + sum over input channels and taps.
    // A 3x3 tap (ky, kx) of output x reads the padded input at
    // (stride * y + ky, stride * x + kx): padding 1, in[stride * i + k - 1].
    void convRow(const EncoderConv& c, uint32_t co, const PlaneGeometry& gi, uint32_t stride, size_t y, uint32_t w,
                 float* __restrict acc) const {
        std::fill(acc, acc + w, c.bias[co]);
        const uint32_t k = c.kernel, taps = k * k;
        // A 1x1 conv reads the interior: shifted by the halo.
        const size_t origin = k == 1 ? gi.pitch + 1 : 0;
        for (uint32_t ci = 0; ci < c.cin; ++ci) {
            const float* weights = c.weight.data() + (size_t(co) * c.cin + ci) * taps;
            const float* planeIn = in_.data() + size_t(ci) * gi.stride + origin;
            for (uint32_t ky = 0; ky < k; ++ky) {
                const float* rowIn = planeIn + (stride * y + ky) * gi.pitch;
                for (uint32_t kx = 0; kx < k; ++kx) {
                    const float wt = weights[ky * k + kx];
                    const float* __restrict r = rowIn + kx;
                    if (stride == 1) {
                        for (uint32_t x = 0; x < w; ++x) acc[x] += wt * r[x];
                    } else {
                        for (uint32_t x = 0; x < w; ++x) acc[x] += wt * r[2 * x];
                    }
                }
            }
        }
    }

    // w+ from the last activations: flattened (const input) or their mean over
    // positions (spatial input), through the wplus layer.
    void poolIntoLatents(float* latents) const {
        const uint32_t channels = a_.encoderChannels[a_.encoderStageCount];
        std::vector<float> pooled;
        if (a_.input == SGP_INPUT_CONST) {
            pooled.resize(size_t(channels) * 16);
            for (uint32_t c = 0; c < channels; ++c)
                for (uint32_t y = 0; y < 4; ++y)
                    for (uint32_t x = 0; x < 4; ++x)
                        pooled[(size_t(c) * 4 + y) * 4 + x] = in_[c * g_.stride + (y + 1) * g_.pitch + x + 1];
        } else {
            pooled.resize(channels);
            for (uint32_t c = 0; c < channels; ++c) {
                double sum = 0.0;
                for (uint32_t y = 0; y < g_.h; ++y)
                    for (uint32_t x = 0; x < g_.w; ++x) sum += in_[c * g_.stride + (y + 1) * g_.pitch + x + 1];
                pooled[c] = float(sum / (double(g_.h) * g_.w));
            }
        }
        denseForward(m_.encoder.wPlus, pooled.data(), latents);
    }

    // The spatial input grid: a linear 1x1 conv of the last activations, compact.
    void project(float* grid) const {
        const EncoderConv& c = m_.encoder.spatial;
        const size_t pixels = size_t(g_.h) * g_.w;
        pool_.parallelFor(c.cout, [&](size_t co) {
            float* out = grid + co * pixels;
            for (uint32_t y = 0; y < g_.h; ++y) convRow(c, uint32_t(co), g_, 1, y, g_.w, out + size_t(y) * g_.w);
        });
    }

    ThreadPool& pool_;
    const PreparedModel& m_;
    const SgpArchitecture& a_;
    const Halo halo_;
    PlaneGeometry g_;  // of the planes in in_
    std::vector<float> in_, out_;
};

}  // namespace

SgpResult encodeImages(ThreadPool& pool, const PreparedModel& model, uint32_t count, uint32_t width, uint32_t height,
                       const float* images, float* latents, float* grid, std::string* error) {
    const SgpArchitecture& a = model.arch;
    if (a.encoderStageCount == 0) {
        *error = "the model has no encoder";
        return SGP_ERROR_UNSUPPORTED;
    }
    *error = checkRequest(model, count, width, height, images, latents, grid);
    if (!error->empty()) return SGP_ERROR_INVALID_ARGUMENT;
    const size_t imageFloats = size_t(width) * height * 4;
    const size_t latentFloats = size_t(2) * a.blockCount * a.wDim;
    const uint32_t block = a.resolution / 4;
    const size_t gridFloats = size_t(a.spatialChannels) * (height / block) * (width / block);
    for (uint32_t i = 0; i < count; ++i) {
        EncoderPass pass(pool, model, width, height);
        pass.run(images + i * imageFloats, latents + i * latentFloats, grid ? grid + i * gridFloats : nullptr);
    }
    return SGP_SUCCESS;
}

}  // namespace sg::cpu
