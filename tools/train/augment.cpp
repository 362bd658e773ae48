#include "augment.hpp"

namespace F = torch::nn::functional;

namespace sgt {

namespace {

torch::Tensor translate(const torch::Tensor& x, const AugmentOptions& o) {
    const int64_t n = x.size(0), h = x.size(2), w = x.size(3);
    const int64_t sy = std::max<int64_t>(1, int64_t(h * o.translateRatio + 0.5));
    const int64_t sx = std::max<int64_t>(1, int64_t(w * o.translateRatio + 0.5));
    auto dyT = torch::randint(-sy, sy + 1, {n}, torch::kInt64);
    auto dxT = torch::randint(-sx, sx + 1, {n}, torch::kInt64);
    auto dy = dyT.accessor<int64_t, 1>();
    auto dx = dxT.accessor<int64_t, 1>();
    std::vector<torch::Tensor> out;
    if (o.padding == Padding::Circular) {
        for (int64_t i = 0; i < n; ++i)
            out.push_back(torch::roll(x[i], {dy[i], dx[i]}, {1, 2}));
    } else {
        // -1 is "0" in [-1, 1]: transparent black, a valid premultiplied pixel.
        auto padded = F::pad(x, F::PadFuncOptions({sx, sx, sy, sy}).value(-1.0));
        for (int64_t i = 0; i < n; ++i)
            out.push_back(padded[i].narrow(1, sy - dy[i], h).narrow(2, sx - dx[i], w));
    }
    return torch::stack(out);
}

torch::Tensor color(const torch::Tensor& x) {
    const int64_t n = x.size(0);
    auto v = (x + 1) * 0.5;
    auto rgb = v.narrow(1, 0, 3);
    auto alpha = x.size(1) == 4 ? v.narrow(1, 3, 1) : torch::ones_like(v.narrow(1, 0, 1));
    auto r = [&] { return torch::rand({n, 1, 1, 1}, x.options()); };

    rgb = rgb * (0.75 + 0.5 * r());                        // brightness x[0.75, 1.25]
    auto grey = rgb.mean(1, true);
    rgb = grey + (rgb - grey) * (2.0 * r());               // saturation x[0, 2]
    // Contrast around the image's mean straight colour, scaled by alpha so that
    // transparent pixels stay (0, 0, 0, 0).
    auto mean = rgb.sum({1, 2, 3}, true) / (3.0 * alpha.sum({1, 2, 3}, true) + 1e-8);
    rgb = alpha * mean + (rgb - alpha * mean) * (0.5 + r());  // contrast x[0.5, 1.5]

    auto out = x.size(1) == 4 ? torch::cat({rgb, alpha}, 1) : rgb;
    return out * 2 - 1;
}

}  // namespace

torch::Tensor diffAugment(const torch::Tensor& x, const AugmentOptions& o) {
    auto y = x;
    if (o.color)
        y = color(y);
    if (o.translate)
        y = translate(y, o);
    return y;
}

}  // namespace sgt
