#include "layers.hpp"

#include <cmath>

namespace F = torch::nn::functional;

namespace sgt {

torch::Tensor lreluGain(const torch::Tensor& x) {
    return torch::leaky_relu(x, 0.2) * std::sqrt(2.0);
}

torch::Tensor padEdges(const torch::Tensor& x, Padding padding) {
    F::PadFuncOptions options({1, 1, 1, 1});
    if (padding == Padding::Circular)
        options.mode(torch::kCircular);
    else
        options.mode(torch::kReplicate);
    return F::pad(x, options);
}

namespace {
// Upsamples dim `dim` (2 = H, 3 = W) of an input already padded by one sample
// on both sides of that dim: out[2i] = .25 in[i-1] + .75 in[i], out[2i+1] = .75 in[i] + .25 in[i+1].
torch::Tensor upsampleAxis(const torch::Tensor& padded, int64_t dim) {
    int64_t n = padded.size(dim) - 2;
    auto prev = padded.narrow(dim, 0, n);
    auto mid = padded.narrow(dim, 1, n);
    auto next = padded.narrow(dim, 2, n);
    auto even = 0.25 * prev + 0.75 * mid;
    auto odd = 0.75 * mid + 0.25 * next;
    auto sizes = padded.sizes().vec();
    sizes[dim] = 2 * n;
    return torch::stack({even, odd}, dim + 1).reshape(sizes);
}
}  // namespace

torch::Tensor upsample2x(const torch::Tensor& x, Padding padding) {
    // Rows first, using the row padding; then the columns, still padded.
    auto rows = upsampleAxis(padEdges(x, padding), 2);  // [N, C, 2H, W + 2]
    return upsampleAxis(rows, 3);                       // [N, C, 2H, 2W]
}

torch::Tensor normalize2ndMoment(const torch::Tensor& x) {
    return x * torch::rsqrt(x.square().mean(1, true) + 1e-8);
}

// --- EqualLinear -------------------------------------------------------------

EqualLinearImpl::EqualLinearImpl(const EqualLinearOptions& o) : options(o) {
    weight = register_parameter("weight", torch::randn({o.out(), o.in()}) / o.lrMultiplier());
    weightGain = o.lrMultiplier() / std::sqrt(double(o.in()));
    biasGain = o.lrMultiplier();
    if (o.bias())
        bias = register_parameter("bias", torch::full({o.out()}, o.biasInit() / o.lrMultiplier()));
}

torch::Tensor EqualLinearImpl::forward(const torch::Tensor& x) {
    auto y = torch::linear(x, weight * weightGain, bias.defined() ? bias * biasGain : torch::Tensor());
    return options.activation() ? lreluGain(y) : y;
}

torch::Tensor EqualLinearImpl::effectiveWeight() const { return weight * weightGain; }
torch::Tensor EqualLinearImpl::effectiveBias() const { return bias * biasGain; }

void EqualLinearImpl::setEffective(const torch::Tensor& w, const torch::Tensor& b) {
    torch::NoGradGuard noGrad;
    weight.copy_(w / weightGain);
    bias.copy_(b / biasGain);
}

// --- EqualConv2d -------------------------------------------------------------

EqualConv2dImpl::EqualConv2dImpl(const EqualConv2dOptions& o) : options(o) {
    weight = register_parameter("weight", torch::randn({o.out(), o.in(), o.kernel(), o.kernel()}));
    weightGain = 1.0 / std::sqrt(double(o.in() * o.kernel() * o.kernel()));
    if (o.bias())
        bias = register_parameter("bias", torch::zeros({o.out()}));
}

torch::Tensor EqualConv2dImpl::forward(const torch::Tensor& x) {
    auto in = options.kernel() == 3 && options.padding() == Padding::Circular
                  ? F::pad(x, F::PadFuncOptions({1, 1, 1, 1}).mode(torch::kCircular))
                  : x;
    int64_t pad = options.kernel() == 3 && options.padding() == Padding::Zero ? 1 : 0;
    auto y = torch::conv2d(in, weight * weightGain, bias, options.stride(), pad);
    return options.activation() ? lreluGain(y) : y;
}

// --- ModulatedConv2d ---------------------------------------------------------

ModulatedConv2dImpl::ModulatedConv2dImpl(const ModulatedConv2dOptions& o) : options(o) {
    affine = register_module("affine", EqualLinear(EqualLinearOptions(o.wDim(), o.in()).biasInit(1.0)));
    weight = register_parameter("weight", torch::randn({o.out(), o.in(), o.kernel(), o.kernel()}));
    bias = register_parameter("bias", torch::zeros({o.out()}));
    if (!isToRgb())
        noiseStrength = register_parameter("noise_strength", torch::zeros({1}));
    weightGain = isToRgb() ? 1.0 / std::sqrt(double(o.in())) : 1.0;
}

torch::Tensor ModulatedConv2dImpl::forward(const torch::Tensor& x, const torch::Tensor& w,
                                           const torch::Tensor& noise) {
    const int64_t n = x.size(0);
    auto styles = affine->forward(w) * weightGain;  // [N, in]
    auto y = x * styles.view({n, -1, 1, 1});
    if (isToRgb())
        return torch::conv2d(y, weight, bias);

    if (options.padding() == Padding::Circular)
        y = torch::conv2d(F::pad(y, F::PadFuncOptions({1, 1, 1, 1}).mode(torch::kCircular)), weight);
    else
        y = torch::conv2d(y, weight, {}, 1, 1);
    // d[n, co] = 1 / sqrt(sum_ci st[n, ci]^2 * sum_k weight[co, ci, k]^2 + eps)
    auto demod = torch::rsqrt(torch::matmul(styles.square(), weight.square().sum({2, 3}).t()) + 1e-8);
    y = y * demod.view({n, -1, 1, 1});
    if (noise.defined())
        y = y + noise * noiseStrength;
    return lreluGain(y + bias.view({1, -1, 1, 1}));
}

}  // namespace sgt
