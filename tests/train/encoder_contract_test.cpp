// The trainer's encoder against docs/generator.md "Encoder", computed here in
// plain loops from the tensors it exports: what an SDK backend implementing
// the text gets is what the trainer trained.
#include <gtest/gtest.h>

#include "model/encoder.hpp"

#include <cmath>
#include <map>

namespace {

struct Planes {
    int64_t c = 0, h = 0, w = 0;
    std::vector<float> v;  // [c][h][w]
    float at(int64_t ci, int64_t y, int64_t x) const { return v[size_t((ci * h + y) * w + x)]; }
};

std::map<std::string, torch::Tensor> exported(const sgt::Encoder& e) {
    std::map<std::string, torch::Tensor> out;
    for (const auto& [name, value] : e->effectiveTensors())
        out[name] = value.detach().contiguous();
    return out;
}

float act(float v) { return (v >= 0 ? v : 0.2f * v) * std::sqrt(2.0f); }

// The contract's conv: k = 1 (no padding) or 3 (pad 1, zeros or wrap), stride
// 1 or 2 reading in[s * i + k - 1].
Planes conv(const Planes& x, const torch::Tensor& weight, const torch::Tensor& bias, int64_t stride, bool circular,
            bool activate) {
    const int64_t co = weight.size(0), k = weight.size(2);
    Planes y{co, x.h / stride, x.w / stride, {}};
    y.v.assign(size_t(co * y.h * y.w), 0.0f);
    auto wa = weight.accessor<float, 4>();
    auto ba = bias.accessor<float, 1>();
    for (int64_t o = 0; o < co; ++o)
        for (int64_t i = 0; i < y.h; ++i)
            for (int64_t j = 0; j < y.w; ++j) {
                double sum = ba[o];
                for (int64_t ci = 0; ci < x.c; ++ci)
                    for (int64_t ky = 0; ky < k; ++ky)
                        for (int64_t kx = 0; kx < k; ++kx) {
                            int64_t sy = stride * i + (k == 3 ? ky - 1 : 0), sx = stride * j + (k == 3 ? kx - 1 : 0);
                            if (circular) {
                                sy = (sy + x.h) % x.h;
                                sx = (sx + x.w) % x.w;
                            } else if (sy < 0 || sy >= x.h || sx < 0 || sx >= x.w) {
                                continue;
                            }
                            sum += double(wa[o][ci][ky][kx]) * x.at(ci, sy, sx);
                        }
                y.v[size_t((o * y.h + i) * y.w + j)] = activate ? act(float(sum)) : float(sum);
            }
    return y;
}

// docs/generator.md "Encoder", step by step, for one image.
void contractForward(const sgt::GeneratorOptions& o, const std::vector<int64_t>& channels,
                     std::map<std::string, torch::Tensor>& t, const torch::Tensor& image, std::vector<float>* wplus,
                     Planes* grid) {
    const bool circular = o.padding() == sgt::Padding::Circular;
    Planes h{image.size(0), image.size(1), image.size(2), {}};
    auto img = image.contiguous();
    h.v.assign(img.data_ptr<float>(), img.data_ptr<float>() + img.numel());
    h = conv(h, t["encoder.fromrgb.weight"], t["encoder.fromrgb.bias"], 1, circular, true);
    for (size_t s = 0; s + 1 < channels.size(); ++s) {
        std::string p = "encoder.s" + std::to_string(s);
        h = conv(h, t[p + ".conv.weight"], t[p + ".conv.bias"], 1, circular, true);
        h = conv(h, t[p + ".down.weight"], t[p + ".down.bias"], 2, circular, true);
    }
    std::vector<float> p;
    if (o.spatialInput()) {
        for (int64_t c = 0; c < h.c; ++c) {
            double sum = 0;
            for (int64_t i = 0; i < h.h * h.w; ++i)
                sum += h.v[size_t(c * h.h * h.w + i)];
            p.push_back(float(sum / double(h.h * h.w)));
        }
        *grid = conv(h, t["encoder.spatial.weight"], t["encoder.spatial.bias"], 1, circular, false);
    } else {
        p = h.v;  // channel, row, column order
    }
    auto W = t["encoder.wplus.weight"].accessor<float, 2>();
    auto b = t["encoder.wplus.bias"].accessor<float, 1>();
    wplus->assign(size_t(o.numWs() * o.wDim()), 0.0f);
    for (int64_t r = 0; r < o.numWs() * o.wDim(); ++r) {
        double sum = b[r];
        for (size_t k = 0; k < p.size(); ++k)
            sum += double(W[r][int64_t(k)]) * p[k];
        (*wplus)[size_t(r)] = float(sum);
    }
}

// Randomises every parameter (the wplus map starts at zero) so each one matters.
void randomise(sgt::Encoder& e) {
    torch::NoGradGuard noGrad;
    for (auto& p : e->parameters())
        p.normal_(0.0, 0.5);
}

void expectMatchesContract(const sgt::GeneratorOptions& o, int64_t height, int64_t width) {
    torch::manual_seed(3);
    auto channels = sgt::defaultEncoderChannels(o);
    ASSERT_EQ(sgt::validateEncoderChannels(o, channels), "");
    sgt::Encoder e(o, channels, torch::randn({o.wDim()}));
    randomise(e);
    auto tensors = exported(e);
    auto images = torch::rand({2, o.imgChannels(), height, width}) * 2 - 1;
    auto code = e->forward(images);
    ASSERT_EQ(code.ws.sizes(), (std::vector<int64_t>{2, o.numWs(), o.wDim()}));
    for (int64_t n = 0; n < 2; ++n) {
        std::vector<float> wplus;
        Planes grid;
        contractForward(o, channels, tensors, images[n], &wplus, &grid);
        auto ws = code.ws[n].flatten().contiguous();  // layer-major
        for (size_t i = 0; i < wplus.size(); ++i)
            ASSERT_NEAR(ws[int64_t(i)].item<float>(), wplus[i], 1e-3f * (1.0f + std::fabs(wplus[i]))) << "w+ " << i;
        if (o.spatialInput()) {
            ASSERT_EQ(code.spatial.sizes(),
                      (std::vector<int64_t>{2, o.spatialChannels(), height / o.blockSize(), width / o.blockSize()}));
            auto g = code.spatial[n].flatten().contiguous();
            ASSERT_EQ(size_t(g.numel()), grid.v.size());
            for (size_t i = 0; i < grid.v.size(); ++i)
                ASSERT_NEAR(g[int64_t(i)].item<float>(), grid.v[i], 1e-3f * (1.0f + std::fabs(grid.v[i]))) << "g " << i;
        } else {
            EXPECT_FALSE(code.spatial.defined());
        }
    }
}

}  // namespace

TEST(EncoderContract, CharacterEncoderComputesWhatTheDocumentSays) {
    sgt::GeneratorOptions o;
    o.resolution(16).channels({16, 16, 8}).wDim(16).imgChannels(4);
    expectMatchesContract(o, 16, 16);
}

TEST(EncoderContract, SceneEncoderWrapsAndReadsAnySize) {
    sgt::GeneratorOptions o;
    o.kind(sgt::ModelKind::Scene).resolution(16).channels({16, 8, 8}).wDim(12).imgChannels(3).spatialChannels(3);
    expectMatchesContract(o, 12, 8);  // 3 x 2 blocks, not square, not the training size
}

TEST(EncoderContract, ExportsTheDocumentedTensorsAndStartsAtTheMeanW) {
    sgt::GeneratorOptions o;
    o.resolution(32).channels({32, 16, 16, 8}).wDim(8).imgChannels(4);
    auto channels = sgt::defaultEncoderChannels(o);
    EXPECT_EQ(channels, (std::vector<int64_t>{8, 16, 16, 32}));
    auto meanW = torch::randn({o.wDim()});
    sgt::Encoder e(o, channels, meanW);
    std::vector<std::pair<std::string, std::vector<int64_t>>> expected = {
        {"encoder.fromrgb.weight", {8, 4, 1, 1}}, {"encoder.fromrgb.bias", {8}},
        {"encoder.s0.conv.weight", {8, 8, 3, 3}}, {"encoder.s0.conv.bias", {8}},
        {"encoder.s0.down.weight", {16, 8, 3, 3}}, {"encoder.s0.down.bias", {16}},
        {"encoder.s1.conv.weight", {16, 16, 3, 3}}, {"encoder.s1.conv.bias", {16}},
        {"encoder.s1.down.weight", {16, 16, 3, 3}}, {"encoder.s1.down.bias", {16}},
        {"encoder.s2.conv.weight", {16, 16, 3, 3}}, {"encoder.s2.conv.bias", {16}},
        {"encoder.s2.down.weight", {32, 16, 3, 3}}, {"encoder.s2.down.bias", {32}},
        {"encoder.wplus.weight", {8 * 8, 32 * 16}}, {"encoder.wplus.bias", {8 * 8}},
    };
    auto tensors = e->effectiveTensors();
    ASSERT_EQ(tensors.size(), expected.size());
    for (size_t i = 0; i < tensors.size(); ++i) {
        EXPECT_EQ(tensors[i].first, expected[i].first);
        EXPECT_EQ(tensors[i].second.sizes().vec(), expected[i].second) << expected[i].first;
    }
    // Untrained: every image encodes to the mean w on every layer.
    auto code = e->forward(torch::rand({3, 4, 32, 32}) * 2 - 1);
    EXPECT_TRUE(torch::allclose(code.ws, meanW.view({1, 1, -1}).expand({3, o.numWs(), -1})));

    EXPECT_NE(sgt::validateEncoderChannels(o, {8, 16, 16}), "");
    EXPECT_NE(sgt::validateEncoderChannels(o, {8, 16, 16, 2000}), "");
}
