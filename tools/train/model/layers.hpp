// layers.hpp - the building blocks of the StyleGAN2 generator and discriminator.
//
// Every trainable layer uses the equalized learning rate of Karras et al.
// (ProGAN/StyleGAN): parameters are stored at unit scale and multiplied by a
// constant gain at run time. effectiveWeight()/effectiveBias() give the product,
// which is what the .sgm file stores (docs/generator.md), and
// setEffective() is its inverse for loading.
#pragma once

#include <torch/torch.h>

namespace sgt {

enum class Padding { Zero, Circular };

// act(x) = lrelu(x, 0.2) * sqrt(2): keeps unit variance through the network.
torch::Tensor lreluGain(const torch::Tensor& x);

// Pads H and W by one sample on each side, replicate (Zero models) or wrap.
torch::Tensor padEdges(const torch::Tensor& x, Padding padding);

// 2x bilinear upsampling (align_corners = false) whose border clamps or wraps;
// docs/generator.md "2x upsampling".
torch::Tensor upsample2x(const torch::Tensor& x, Padding padding);

// Per-sample second-moment normalisation over dim 1.
torch::Tensor normalize2ndMoment(const torch::Tensor& x);

// --- Fully connected ------------------------------------------------------

struct EqualLinearOptions {
    EqualLinearOptions(int64_t in, int64_t out) : in_(in), out_(out) {}
    TORCH_ARG(int64_t, in);
    TORCH_ARG(int64_t, out);
    TORCH_ARG(bool, bias) = true;
    TORCH_ARG(double, biasInit) = 0.0;
    TORCH_ARG(double, lrMultiplier) = 1.0;
    TORCH_ARG(bool, activation) = false;  // lreluGain after the bias
};

/// EqualLinear fc(EqualLinearOptions(64, 128).activation(true).lrMultiplier(0.01));
class EqualLinearImpl : public torch::nn::Module {
public:
    explicit EqualLinearImpl(const EqualLinearOptions& options);
    torch::Tensor forward(const torch::Tensor& x);
    torch::Tensor effectiveWeight() const;
    torch::Tensor effectiveBias() const;
    void setEffective(const torch::Tensor& weight, const torch::Tensor& bias);

    EqualLinearOptions options;
    torch::Tensor weight, bias;
    double weightGain, biasGain;
};
TORCH_MODULE(EqualLinear);

// --- Plain convolution (discriminator, encoder) ------------------------------

struct EqualConv2dOptions {
    EqualConv2dOptions(int64_t in, int64_t out, int64_t kernel) : in_(in), out_(out), kernel_(kernel) {}
    TORCH_ARG(int64_t, in);
    TORCH_ARG(int64_t, out);
    TORCH_ARG(int64_t, kernel);
    TORCH_ARG(int64_t, stride) = 1;  // 2 (3x3 only): out[i] reads in[2i + k - 1], k = 0, 1, 2
    TORCH_ARG(bool, bias) = true;
    TORCH_ARG(bool, activation) = true;
    TORCH_ARG(Padding, padding) = Padding::Zero;  // 3x3: zeros or wrap; 1x1 never pads
};

class EqualConv2dImpl : public torch::nn::Module {
public:
    explicit EqualConv2dImpl(const EqualConv2dOptions& options);
    torch::Tensor forward(const torch::Tensor& x);
    torch::Tensor effectiveWeight() const { return weight * weightGain; }

    EqualConv2dOptions options;
    torch::Tensor weight, bias;
    double weightGain;
};
TORCH_MODULE(EqualConv2d);

// --- Modulated convolution (generator) --------------------------------------

struct ModulatedConv2dOptions {
    ModulatedConv2dOptions(int64_t wDim, int64_t in, int64_t out, int64_t kernel)
        : wDim_(wDim), in_(in), out_(out), kernel_(kernel) {}
    TORCH_ARG(int64_t, wDim);
    TORCH_ARG(int64_t, in);
    TORCH_ARG(int64_t, out);
    TORCH_ARG(int64_t, kernel);   // 3: conv layer (demodulated, noise, act); 1: toRGB (linear)
    TORCH_ARG(Padding, padding) = Padding::Zero;
};

/// StyleGAN2's modulated convolution: the style st = affine(w) scales the input
/// channels, the shared weight convolves, demodulation rescales each output
/// channel to unit expected variance; then noise, bias and activation. Computed
/// in the non-fused form (one ordinary batched conv), which is identical in
/// value and much faster on CPUs than a grouped conv.
class ModulatedConv2dImpl : public torch::nn::Module {
public:
    explicit ModulatedConv2dImpl(const ModulatedConv2dOptions& options);
    // x [N, in, H, W], w [N, wDim], noise [N, 1, H, W] or undefined (no noise).
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& noise = {});
    bool isToRgb() const { return options.kernel() == 1; }

    ModulatedConv2dOptions options;
    EqualLinear affine{nullptr};
    torch::Tensor weight, bias, noiseStrength;
    double weightGain;  // toRGB only: applied to the styles (baked into the exported weight)
};
TORCH_MODULE(ModulatedConv2d);

}  // namespace sgt
