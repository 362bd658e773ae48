// reference_generator.cpp - see reference_generator.hpp.
#include "reference_generator.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "stylegen_philox.h"

namespace sgtest {
namespace {

using Vec = std::vector<double>;

// [channel][y][x]
struct Maps {
    uint32_t c = 0, h = 0, w = 0;
    Vec v;
    Maps(uint32_t c_, uint32_t h_, uint32_t w_) : c(c_), h(h_), w(w_), v(size_t(c_) * h_ * w_, 0.0) {}
    double& at(uint32_t ci, uint32_t y, uint32_t x) { return v[(size_t(ci) * h + y) * w + x]; }
    double at(uint32_t ci, uint32_t y, uint32_t x) const { return v[(size_t(ci) * h + y) * w + x]; }
};

double act(double x) { return (x >= 0 ? x : 0.2 * x) * std::sqrt(2.0); }

Vec norm(const Vec& v) {
    double meanSq = 0;
    for (double x : v) meanSq += x * x;
    meanSq /= double(v.size());
    Vec out(v.size());
    for (size_t i = 0; i < v.size(); ++i) out[i] = v[i] / std::sqrt(meanSq + 1e-8);
    return out;
}

class Reference {
public:
    Reference(const TestModel& model, const SgpBatch& batch) : m_(model), b_(batch), a_(model.arch()) {}

    std::vector<float> image(uint32_t index) {
        const uint32_t layers = 2 * a_.blockCount;
        std::vector<Vec> ws(layers);
        if (b_.pLatents) {
            // Explicit w+: used as given.
            for (uint32_t l = 0; l < layers; ++l) {
                const float* w = b_.pLatents + (size_t(index) * layers + l) * a_.wDim;
                ws[l].assign(w, w + a_.wDim);
            }
        } else {
            const Vec w = latent(b_.pSeeds[index]);
            ws.assign(layers, w);
            if (b_.pMixSeeds) {
                const Vec wm = latent(b_.pMixSeeds[index]);
                for (uint32_t l = b_.mixLayer; l < layers; ++l) ws[l] = wm;
            }
        }
        index_ = index;
        noiseSeed_ = b_.pNoiseSeeds[index];
        circular_ = a_.padding == SGP_PADDING_CIRCULAR;

        const uint32_t block = a_.resolution / 4;
        const uint32_t gh = b_.height / block, gw = b_.width / block;
        Maps x = input(gh, gw);
        Maps img(0, 0, 0);
        for (uint32_t b = 0; b < a_.blockCount; ++b) {
            const std::string p = "synthesis.b" + std::to_string(4u << b);
            if (b == 0) {
                x = modconv3x3(x, ws[0], p + ".conv1", 0);
                img = toRgb(x, ws[1], p + ".torgb");
            } else {
                x = modconv3x3(up(x), ws[2 * b - 1], p + ".conv0", 2 * b - 1);
                x = modconv3x3(x, ws[2 * b], p + ".conv1", 2 * b);
                Maps rgb = toRgb(x, ws[2 * b + 1], p + ".torgb");
                img = up(img);
                for (size_t i = 0; i < img.v.size(); ++i) img.v[i] += rgb.v[i];
            }
        }
        std::vector<float> out(size_t(img.h) * img.w * 4);
        for (uint32_t y = 0; y < img.h; ++y)
            for (uint32_t xx = 0; xx < img.w; ++xx) {
                double v[4] = {0, 0, 0, 1};
                for (uint32_t c = 0; c < a_.imgChannels; ++c)
                    v[c] = std::clamp((img.at(c, y, xx) + 1) / 2, 0.0, 1.0);
                if (a_.imgChannels == 4)
                    for (int c = 0; c < 3; ++c) v[c] = std::min(v[c], v[3]);
                for (int c = 0; c < 4; ++c) out[(size_t(y) * img.w + xx) * 4 + c] = float(v[c]);
            }
        return out;
    }

private:
    const float* t(const std::string& name) const { return m_.tensor(name).values.data(); }

    // out = W x + b, W [out][in]
    Vec dense(const std::string& weight, const std::string& bias, const Vec& x, uint32_t outCount) const {
        const float* W = t(weight);
        const float* B = t(bias);
        Vec y(outCount);
        for (uint32_t o = 0; o < outCount; ++o) {
            double s = 0;
            for (size_t i = 0; i < x.size(); ++i) s += double(W[o * x.size() + i]) * x[i];
            y[o] = s + B[o];
        }
        return y;
    }

    Vec mapping(uint64_t seed, uint32_t style) const {
        Vec z(a_.zDim), e(a_.embedDim);
        for (uint32_t k = 0; k < a_.zDim; ++k) z[k] = sgPhiloxNormal(seed, SGP_STREAM_Z, k);
        for (uint32_t k = 0; k < a_.embedDim; ++k) e[k] = t("mapping.embed.weight")[style * a_.embedDim + k];
        Vec x = norm(z);
        const Vec ne = norm(e);
        x.insert(x.end(), ne.begin(), ne.end());
        for (uint32_t i = 0; i < a_.mappingLayers; ++i) {
            const std::string p = "mapping.fc" + std::to_string(i);
            x = dense(p + ".weight", p + ".bias", x, a_.wDim);
            for (double& v : x) v = act(v);
        }
        return x;
    }

    Vec latent(uint64_t seed) const {
        Vec w(a_.wDim, 0.0), avg(a_.wDim, 0.0);
        for (uint32_t c = 0; c < a_.styleCount; ++c) {
            const double ac = b_.pStyleWeights[c];
            if (ac == 0) continue;
            const Vec wc = mapping(seed, c);
            for (uint32_t i = 0; i < a_.wDim; ++i) {
                w[i] += ac * wc[i];
                avg[i] += ac * t("w_avg")[c * a_.wDim + i];
            }
        }
        for (uint32_t i = 0; i < a_.wDim; ++i) w[i] = avg[i] + b_.truncationPsi * (w[i] - avg[i]);
        return w;
    }

    Maps input(uint32_t gh, uint32_t gw) const {
        const uint32_t c0 = a_.channels[0];
        Maps x(c0, gh, gw);
        if (a_.input == SGP_INPUT_CONST) {
            for (size_t i = 0; i < x.v.size(); ++i) x.v[i] = t("synthesis.input.const")[i];
            return x;
        }
        const uint32_t sc = a_.spatialChannels;
        for (uint32_t y = 0; y < gh; ++y)
            for (uint32_t xx = 0; xx < gw; ++xx)
                for (uint32_t c = 0; c < c0; ++c) {
                    double s = 0;
                    for (uint32_t k = 0; k < sc; ++k) {
                        const uint64_t at = (uint64_t(k) * gh + y) * gw + xx;
                        const double g = b_.pSpatialInput ? b_.pSpatialInput[(uint64_t(index_) * sc * gh * gw) + at]
                                                          : sgPhiloxNormal(noiseSeed_, SGP_STREAM_SPATIAL, at);
                        s += double(t("synthesis.input.weight")[c * sc + k]) * g;
                    }
                    x.at(c, y, xx) = s + t("synthesis.input.bias")[c];
                    if (const uint32_t p = a_.inputPeriod)
                        x.at(c, y, xx) += t("synthesis.input.periodic")[(c * p + (y + b_.periodicOffset) % p) * p +
                                                                         (xx + b_.periodicOffset) % p];
                }
        return x;
    }

    // x[ci, y, x] with padding 1: zeros, or wrapped for circular models.
    double padded(const Maps& x, uint32_t ci, int64_t y, int64_t xx) const {
        if (circular_) {
            y = (y + x.h) % x.h;
            xx = (xx + x.w) % x.w;
        } else if (y < 0 || xx < 0 || y >= x.h || xx >= x.w) {
            return 0.0;
        }
        return x.at(ci, uint32_t(y), uint32_t(xx));
    }

    Maps modconv3x3(const Maps& x, const Vec& w, const std::string& p, uint32_t layer) const {
        const uint32_t cin = x.c;
        const uint32_t cout = uint32_t(m_.tensor(p + ".weight").dims[0]);
        const Vec st = dense(p + ".affine.weight", p + ".affine.bias", w, cin);
        const float* W = t(p + ".weight");
        auto weight = [&](uint32_t co, uint32_t ci, int ky, int kx) { return double(W[((co * cin + ci) * 3 + ky) * 3 + kx]); };
        const double strength = double(t(p + ".noise_strength")[0]) * b_.noiseStrength;
        Maps y(cout, x.h, x.w);
        for (uint32_t co = 0; co < cout; ++co) {
            double d = 0;
            for (uint32_t ci = 0; ci < cin; ++ci)
                for (int ky = 0; ky < 3; ++ky)
                    for (int kx = 0; kx < 3; ++kx) d += std::pow(weight(co, ci, ky, kx) * st[ci], 2);
            d = 1 / std::sqrt(d + 1e-8);
            for (uint32_t yy = 0; yy < x.h; ++yy)
                for (uint32_t xx = 0; xx < x.w; ++xx) {
                    double s = 0;
                    for (uint32_t ci = 0; ci < cin; ++ci)
                        for (int ky = 0; ky < 3; ++ky)
                            for (int kx = 0; kx < 3; ++kx)
                                s += weight(co, ci, ky, kx) * st[ci] * padded(x, ci, int64_t(yy) + ky - 1, int64_t(xx) + kx - 1);
                    const double n =
                        sgPhiloxNormal(noiseSeed_, SGP_STREAM_NOISE_BASE + layer, uint64_t(yy) * x.w + xx);
                    y.at(co, yy, xx) = act(s * d + strength * n + t(p + ".bias")[co]);
                }
        }
        return y;
    }

    Maps toRgb(const Maps& x, const Vec& w, const std::string& p) const {
        const Vec st = dense(p + ".affine.weight", p + ".affine.bias", w, x.c);
        const float* W = t(p + ".weight");
        Maps y(a_.imgChannels, x.h, x.w);
        for (uint32_t co = 0; co < y.c; ++co)
            for (uint32_t yy = 0; yy < x.h; ++yy)
                for (uint32_t xx = 0; xx < x.w; ++xx) {
                    double s = 0;
                    for (uint32_t ci = 0; ci < x.c; ++ci) s += double(W[co * x.c + ci]) * st[ci] * x.at(ci, yy, xx);
                    y.at(co, yy, xx) = s + t(p + ".bias")[co];
                }
        return y;
    }

    // in[i] of an axis of n samples, clamped (zero padding) or wrapped (circular).
    int64_t edge(int64_t i, int64_t n) const {
        if (circular_) return (i + n) % n;
        return std::clamp<int64_t>(i, 0, n - 1);
    }

    // Bilinear 2x, align_corners = false: along rows (x), then along columns (y).
    Maps up(const Maps& x) const {
        Maps rows(x.c, x.h, 2 * x.w);
        for (uint32_t c = 0; c < x.c; ++c)
            for (uint32_t y = 0; y < x.h; ++y)
                for (int64_t i = 0; i < x.w; ++i) {
                    rows.at(c, y, uint32_t(2 * i)) = 0.25 * x.at(c, y, uint32_t(edge(i - 1, x.w))) + 0.75 * x.at(c, y, uint32_t(i));
                    rows.at(c, y, uint32_t(2 * i + 1)) = 0.75 * x.at(c, y, uint32_t(i)) + 0.25 * x.at(c, y, uint32_t(edge(i + 1, x.w)));
                }
        Maps out(x.c, 2 * x.h, 2 * x.w);
        for (uint32_t c = 0; c < x.c; ++c)
            for (int64_t i = 0; i < x.h; ++i)
                for (uint32_t xx = 0; xx < out.w; ++xx) {
                    out.at(c, uint32_t(2 * i), xx) = 0.25 * rows.at(c, uint32_t(edge(i - 1, x.h)), xx) + 0.75 * rows.at(c, uint32_t(i), xx);
                    out.at(c, uint32_t(2 * i + 1), xx) = 0.75 * rows.at(c, uint32_t(i), xx) + 0.25 * rows.at(c, uint32_t(edge(i + 1, x.h)), xx);
                }
        return out;
    }

    const TestModel& m_;
    const SgpBatch& b_;
    const SgpArchitecture& a_;
    uint32_t index_ = 0;  // of the image being made
    uint64_t noiseSeed_ = 0;
    bool circular_ = false;
};

}  // namespace

std::vector<float> referenceImage(const TestModel& model, const SgpBatch& batch, uint32_t index) {
    return Reference(model, batch).image(index);
}

}  // namespace sgtest
