// prepared_model.cpp - see prepared_model.hpp.
#include "prepared_model.hpp"

#include <cmath>
#include <initializer_list>
#include <stdexcept>
#include <unordered_map>

#include "kernels.hpp"

namespace sg::cpu {
namespace {

// Thrown inside this file only; prepareModel turns it into an error string.
struct InvalidModel : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::string shapeString(const uint64_t* dims, size_t rank) {
    std::string s = "[";
    for (size_t i = 0; i < rank; ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
    return s + "]";
}

// The desc's tensors by name, handed out only with the shape the architecture implies.
class TensorSet {
public:
    explicit TensorSet(const SgpModelDesc& desc) {
        if (desc.tensorCount > 0 && !desc.pTensors) throw InvalidModel("tensor list is NULL");
        for (uint32_t i = 0; i < desc.tensorCount; ++i) {
            const SgpTensor& t = desc.pTensors[i];
            if (!t.name) throw InvalidModel("tensor " + std::to_string(i) + " has no name");
            if (!byName_.emplace(t.name, &t).second) throw InvalidModel(std::string("duplicate tensor '") + t.name + "'");
        }
    }

    const float* require(const std::string& name, std::initializer_list<uint64_t> shape) const {
        auto it = byName_.find(name);
        if (it == byName_.end()) throw InvalidModel("missing tensor '" + name + "'");
        const SgpTensor& t = *it->second;
        bool same = t.rank == shape.size();
        for (size_t i = 0; same && i < shape.size(); ++i) same = t.dims[i] == shape.begin()[i];
        if (!same) {
            throw InvalidModel("tensor '" + name + "' has shape " + shapeString(t.dims, t.rank > 4 ? 4 : t.rank) +
                               (t.rank > 4 ? " (rank " + std::to_string(t.rank) + ")" : "") + ", expected " +
                               shapeString(shape.begin(), shape.size()));
        }
        if (!t.data) throw InvalidModel("tensor '" + name + "' has no data");
        size_t count = 1;
        for (uint64_t d : shape) count *= size_t(d);
        for (size_t i = 0; i < count; ++i)
            if (!std::isfinite(t.data[i])) throw InvalidModel("tensor '" + name + "' holds a non-finite value");
        return t.data;
    }

private:
    std::unordered_map<std::string, const SgpTensor*> byName_;
};

// The ranges of docs/model-format.md; they also keep every size product far from overflow.
void checkArchitecture(const SgpArchitecture& a) {
    auto inRange = [](const char* what, uint32_t v, uint32_t lo, uint32_t hi) {
        if (v < lo || v > hi) {
            throw InvalidModel(std::string(what) + " is " + std::to_string(v) + ", expected " + std::to_string(lo) +
                               ".." + std::to_string(hi));
        }
    };
    if (a.kind != SGP_MODEL_KIND_CHARACTER && a.kind != SGP_MODEL_KIND_SCENE) throw InvalidModel("unknown model kind");
    if (a.input != SGP_INPUT_CONST && a.input != SGP_INPUT_SPATIAL) throw InvalidModel("unknown input kind");
    if (a.padding != SGP_PADDING_ZERO && a.padding != SGP_PADDING_CIRCULAR) throw InvalidModel("unknown padding");
    inRange("resolution", a.resolution, 8, 1024);
    if ((a.resolution & (a.resolution - 1)) != 0) throw InvalidModel("resolution must be a power of two");
    uint32_t log2r = 0;
    while ((1u << log2r) < a.resolution) ++log2r;
    if (a.blockCount != log2r - 1) {
        throw InvalidModel("blockCount is " + std::to_string(a.blockCount) + ", expected log2(resolution) - 1 = " +
                           std::to_string(log2r - 1));
    }
    if (a.imgChannels != 3 && a.imgChannels != 4) throw InvalidModel("imgChannels must be 3 or 4");
    inRange("zDim", a.zDim, 1, 2048);
    inRange("embedDim", a.embedDim, 1, 2048);
    inRange("wDim", a.wDim, 1, 2048);
    inRange("mappingLayers", a.mappingLayers, 1, 16);
    inRange("styleCount", a.styleCount, 1, 256);
    if (a.input == SGP_INPUT_SPATIAL) inRange("spatialChannels", a.spatialChannels, 1, 1024);
    if (a.inputPeriod != 0) {
        if (a.input != SGP_INPUT_SPATIAL) throw InvalidModel("a periodic input needs a spatial input");
        inRange("inputPeriod", a.inputPeriod, 1, 64);
    }
    for (uint32_t b = 0; b < a.blockCount; ++b) inRange("a block's channel count", a.channels[b], 1, 1024);
    if (a.encoderStageCount != 0 && a.encoderStageCount != a.blockCount - 1) {
        throw InvalidModel("encoderStageCount is " + std::to_string(a.encoderStageCount) +
                           ", expected 0 (no encoder) or blockCount - 1 = " + std::to_string(a.blockCount - 1));
    }
    for (uint32_t s = 0; a.encoderStageCount && s <= a.encoderStageCount; ++s)
        inRange("an encoder stage's channel count", a.encoderChannels[s], 1, 1024);
}

DenseLayer makeDense(const float* weight, const float* bias, uint32_t out, uint32_t in) {
    DenseLayer d;
    d.in = in;
    d.out = out;
    d.weightT.resize(size_t(in) * out);
    for (uint32_t o = 0; o < out; ++o)
        for (uint32_t i = 0; i < in; ++i) d.weightT[size_t(i) * out + o] = weight[size_t(o) * in + i];
    d.bias.assign(bias, bias + out);
    return d;
}

EncoderConv makeEncoderConv(const TensorSet& t, const std::string& prefix, uint32_t cin, uint32_t cout,
                            uint32_t kernel) {
    EncoderConv c;
    c.cin = cin;
    c.cout = cout;
    c.kernel = kernel;
    const float* weight = t.require(prefix + ".weight", {cout, cin, kernel, kernel});
    const float* bias = t.require(prefix + ".bias", {cout});
    c.weight.assign(weight, weight + size_t(cout) * cin * kernel * kernel);
    c.bias.assign(bias, bias + cout);
    return c;
}

// docs/generator.md, "Encoder (optional)".
void buildEncoder(const TensorSet& t, PreparedModel& m) {
    const SgpArchitecture& a = m.arch;
    const uint32_t* e = a.encoderChannels;
    const uint32_t stages = a.encoderStageCount;
    Encoder& enc = m.encoder;
    enc.fromRgb = makeEncoderConv(t, "encoder.fromrgb", a.imgChannels, e[0], 1);
    for (uint32_t s = 0; s < stages; ++s) {
        const std::string p = "encoder.s" + std::to_string(s);
        enc.stages.push_back(makeEncoderConv(t, p + ".conv", e[s], e[s], 3));
        enc.stages.push_back(makeEncoderConv(t, p + ".down", e[s], e[s + 1], 3));
    }
    const uint32_t latents = 2 * a.blockCount * a.wDim;
    const uint32_t pooled = a.input == SGP_INPUT_CONST ? 16 * e[stages] : e[stages];
    enc.wPlus = makeDense(t.require("encoder.wplus.weight", {latents, pooled}),
                          t.require("encoder.wplus.bias", {latents}), latents, pooled);
    if (a.input == SGP_INPUT_SPATIAL) enc.spatial = makeEncoderConv(t, "encoder.spatial", e[stages], a.spatialChannels, 1);
}

class Builder {
public:
    Builder(const TensorSet& tensors, PreparedModel& model) : t_(tensors), m_(model) {}

    ModConv conv(const std::string& prefix, uint32_t cin, uint32_t cout, uint32_t kernel, uint32_t wLayer,
                 uint32_t noiseLayer) {
        const uint32_t wDim = m_.arch.wDim;
        ModConv c;
        c.cin = cin;
        c.cout = cout;
        c.kernel = kernel;
        c.wLayer = wLayer;
        c.noiseLayer = noiseLayer;
        c.affine = makeDense(t_.require(prefix + ".affine.weight", {cin, wDim}),
                             t_.require(prefix + ".affine.bias", {cin}), cin, wDim);
        const float* weight = t_.require(prefix + ".weight", {cout, cin, kernel, kernel});
        const float* bias = t_.require(prefix + ".bias", {cout});
        c.bias.assign(bias, bias + cout);
        c.styleOffset = m_.styleFloats;
        m_.styleFloats += cin;
        if (kernel == 3) {
            c.winograd = useWinograd(cin);
            c.weight = c.winograd ? packWinogradWeights(weight, cout, cin) : packConv3x3Weights(weight, cout, cin);
            // Demodulation needs sum_kk (w * s)^2 = s^2 * sum_kk w^2: keep the tap sums.
            c.weightSqT.assign(size_t(cin) * cout, 0.0f);
            for (uint32_t co = 0; co < cout; ++co)
                for (uint32_t ci = 0; ci < cin; ++ci) {
                    float sum = 0.0f;
                    for (uint32_t k = 0; k < 9; ++k) {
                        const float v = weight[(size_t(co) * cin + ci) * 9 + k];
                        sum += v * v;
                    }
                    c.weightSqT[size_t(ci) * cout + co] = sum;
                }
            c.noiseStrength = *t_.require(prefix + ".noise_strength", {1});
            c.demodOffset = m_.demodFloats;
            m_.demodFloats += cout;
        } else {
            c.weight.assign(weight, weight + size_t(cout) * cin);
        }
        return c;
    }

private:
    const TensorSet& t_;
    PreparedModel& m_;
};

void build(const SgpModelDesc& desc, PreparedModel& m) {
    const SgpArchitecture& a = desc.arch;
    checkArchitecture(a);
    m.arch = a;
    const TensorSet t(desc);

    const float* embed = t.require("mapping.embed.weight", {a.styleCount, a.embedDim});
    m.embed.assign(embed, embed + size_t(a.styleCount) * a.embedDim);
    const float* wAvg = t.require("w_avg", {a.styleCount, a.wDim});
    m.wAvg.assign(wAvg, wAvg + size_t(a.styleCount) * a.wDim);
    for (uint32_t i = 0; i < a.mappingLayers; ++i) {
        const std::string p = "mapping.fc" + std::to_string(i);
        const uint32_t in = i == 0 ? a.zDim + a.embedDim : a.wDim;
        m.mapping.push_back(
            makeDense(t.require(p + ".weight", {a.wDim, in}), t.require(p + ".bias", {a.wDim}), a.wDim, in));
    }

    const uint32_t c0 = a.channels[0];
    if (a.input == SGP_INPUT_CONST) {
        const float* input = t.require("synthesis.input.const", {c0, 4, 4});
        m.inputConst.assign(input, input + size_t(c0) * 16);
    } else {
        m.inputSpatial = makeDense(t.require("synthesis.input.weight", {c0, a.spatialChannels}),
                                   t.require("synthesis.input.bias", {c0}), c0, a.spatialChannels);
        if (const uint32_t period = a.inputPeriod) {
            const float* periodic = t.require("synthesis.input.periodic", {c0, period, period});
            m.inputPeriodic.assign(periodic, periodic + size_t(c0) * period * period);
        }
    }

    Builder builder(t, m);
    for (uint32_t b = 0; b < a.blockCount; ++b) {
        Block block;
        const std::string p = "synthesis.b" + std::to_string(4u << b);  // the block's training resolution
        const uint32_t cb = a.channels[b];
        if (b == 0) {
            block.conv1 = builder.conv(p + ".conv1", cb, cb, 3, 0, 0);
        } else {
            const uint32_t cprev = a.channels[b - 1];
            block.conv0 = builder.conv(p + ".conv0", cprev, cb, 3, 2 * b - 1, 2 * b - 1);
            block.conv1 = builder.conv(p + ".conv1", cb, cb, 3, 2 * b, 2 * b);
        }
        block.toRgb = builder.conv(p + ".torgb", cb, a.imgChannels, 1, 2 * b + 1, 0);
        m.blocks.push_back(std::move(block));
    }
    for (const Block& block : m.blocks) {
        if (block.conv0.cin) m.modConvs.push_back(&block.conv0);
        m.modConvs.push_back(&block.conv1);
        m.modConvs.push_back(&block.toRgb);
    }
    if (a.encoderStageCount) buildEncoder(t, m);
}

}  // namespace

std::unique_ptr<PreparedModel> prepareModel(const SgpModelDesc& desc, std::string* error) {
    auto model = std::make_unique<PreparedModel>();
    try {
        build(desc, *model);
    } catch (const InvalidModel& e) {
        *error = e.what();
        return nullptr;
    }
    return model;
}

}  // namespace sg::cpu
