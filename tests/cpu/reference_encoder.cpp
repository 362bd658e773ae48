// reference_encoder.cpp - see reference_encoder.hpp.
#include "reference_encoder.hpp"

#include <cmath>
#include <string>

namespace sgtest {
namespace {

// [channel][y][x]
struct Maps {
    uint32_t c = 0, h = 0, w = 0;
    std::vector<double> v;
    Maps(uint32_t c_, uint32_t h_, uint32_t w_) : c(c_), h(h_), w(w_), v(size_t(c_) * h_ * w_, 0.0) {}
    double& at(uint32_t ci, uint32_t y, uint32_t x) { return v[(size_t(ci) * h + y) * w + x]; }
    double at(uint32_t ci, uint32_t y, uint32_t x) const { return v[(size_t(ci) * h + y) * w + x]; }
};

double act(double x) { return (x >= 0 ? x : 0.2 * x) * std::sqrt(2.0); }

class Reference {
public:
    explicit Reference(const TestModel& model) : m_(model), a_(model.arch()) {}

    Encoded encode(const float* rgba, uint32_t width, uint32_t height) const {
        Maps x(a_.imgChannels, height, width);
        for (uint32_t c = 0; c < a_.imgChannels; ++c)
            for (uint32_t y = 0; y < height; ++y)
                for (uint32_t xx = 0; xx < width; ++xx) x.at(c, y, xx) = 2.0 * rgba[(size_t(y) * width + xx) * 4 + c] - 1.0;
        Maps h = conv(x, "encoder.fromrgb", 1, 1, true);
        for (uint32_t s = 0; s < a_.encoderStageCount; ++s) {
            const std::string p = "encoder.s" + std::to_string(s);
            h = conv(h, p + ".conv", 3, 1, true);
            h = conv(h, p + ".down", 3, 2, true);
        }
        std::vector<double> pooled;
        if (a_.input == SGP_INPUT_CONST) {
            pooled = h.v;  // channel, row, column
        } else {
            for (uint32_t c = 0; c < h.c; ++c) {
                double sum = 0;
                for (uint32_t y = 0; y < h.h; ++y)
                    for (uint32_t xx = 0; xx < h.w; ++xx) sum += h.at(c, y, xx);
                pooled.push_back(sum / (double(h.h) * h.w));
            }
        }
        Encoded e;
        const uint32_t outs = 2 * a_.blockCount * a_.wDim;
        const float* W = t("encoder.wplus.weight");
        const float* B = t("encoder.wplus.bias");
        for (uint32_t o = 0; o < outs; ++o) {
            double s = B[o];
            for (size_t i = 0; i < pooled.size(); ++i) s += double(W[o * pooled.size() + i]) * pooled[i];
            e.latents.push_back(s);
        }
        if (a_.input == SGP_INPUT_SPATIAL) e.grid = conv(h, "encoder.spatial", 1, 1, false).v;
        return e;
    }

private:
    const float* t(const std::string& name) const { return m_.tensor(name).values.data(); }

    // in[ci, y, x] with padding 1: zeros, or wrapped for circular models.
    double padded(const Maps& in, uint32_t ci, int64_t y, int64_t x) const {
        if (a_.padding == SGP_PADDING_CIRCULAR) {
            y = (y + in.h) % in.h;
            x = (x + in.w) % in.w;
        } else if (y < 0 || x < 0 || y >= in.h || x >= in.w) {
            return 0.0;
        }
        return in.at(ci, uint32_t(y), uint32_t(x));
    }

    // k x k conv with the given stride; a 3x3 one reads in[stride * i + k - 1].
    Maps conv(const Maps& in, const std::string& p, uint32_t k, uint32_t stride, bool activate) const {
        const uint32_t cout = uint32_t(m_.tensor(p + ".weight").dims[0]);
        const float* W = t(p + ".weight");
        const float* B = t(p + ".bias");
        Maps out(cout, in.h / stride, in.w / stride);
        const int64_t offset = k == 3 ? 1 : 0;
        for (uint32_t co = 0; co < cout; ++co)
            for (uint32_t y = 0; y < out.h; ++y)
                for (uint32_t x = 0; x < out.w; ++x) {
                    double s = B[co];
                    for (uint32_t ci = 0; ci < in.c; ++ci)
                        for (uint32_t ky = 0; ky < k; ++ky)
                            for (uint32_t kx = 0; kx < k; ++kx)
                                s += double(W[((size_t(co) * in.c + ci) * k + ky) * k + kx]) *
                                     padded(in, ci, int64_t(stride) * y + ky - offset, int64_t(stride) * x + kx - offset);
                    out.at(co, y, x) = activate ? act(s) : s;
                }
        return out;
    }

    const TestModel& m_;
    const SgpArchitecture& a_;
};

}  // namespace

Encoded referenceEncode(const TestModel& model, const float* rgba, uint32_t width, uint32_t height) {
    return Reference(model).encode(rgba, width, height);
}

}  // namespace sgtest
