// device_model.cpp - see device_model.hpp.
#include "device_model.hpp"

#include <algorithm>
#include <atomic>
#include <functional>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include <cuda_runtime_api.h>

#include "kernels.hpp"

namespace sg::cuda {
namespace {

// Thrown inside this file only; create() turns it into a Status.
struct InvalidModel : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::string shapeText(std::initializer_list<uint64_t> shape) {
    std::string s = "[";
    for (const uint64_t d : shape) s += (s.size() > 1 ? ", " : "") + std::to_string(d);
    return s + "]";
}

// The desc's tensors by name, handed out only with the shape the architecture implies.
class Tensors {
public:
    explicit Tensors(const SgpModelDesc& desc) {
        for (uint32_t i = 0; i < desc.tensorCount; ++i)
            if (desc.pTensors && desc.pTensors[i].name) byName_[desc.pTensors[i].name] = &desc.pTensors[i];
    }

    const float* require(const std::string& name, std::initializer_list<uint64_t> shape) const {
        const auto it = byName_.find(name);
        if (it == byName_.end() || !it->second->data) throw InvalidModel("missing tensor '" + name + "'");
        const SgpTensor& t = *it->second;
        bool same = t.rank == shape.size();
        for (size_t i = 0; same && i < shape.size(); ++i) same = t.dims[i] == shape.begin()[i];
        if (!same) throw InvalidModel("tensor '" + name + "' does not have the shape " + shapeText(shape));
        return t.data;
    }

private:
    std::unordered_map<std::string, const SgpTensor*> byName_;
};

// Host staging of the device allocation: sections 256-byte aligned, each
// remembered with the field that must point at it once the memory exists.
class Arena {
public:
    template <class T>
    void add(const T** field, const T* data, size_t count) {
        const size_t offset = (bytes_.size() + 255) / 256 * 256;
        bytes_.resize(offset + count * sizeof(T));
        const auto* from = reinterpret_cast<const unsigned char*>(data);
        std::copy(from, from + count * sizeof(T), bytes_.begin() + std::ptrdiff_t(offset));
        fixups_.push_back([field, offset](unsigned char* base) { *field = reinterpret_cast<const T*>(base + offset); });
    }
    template <class T>
    void add(const T** field, const std::vector<T>& data) {
        add(field, data.data(), data.size());
    }

    size_t size() const { return bytes_.size(); }
    const unsigned char* data() const { return bytes_.data(); }
    void resolve(unsigned char* base) const {
        for (const auto& fixup : fixups_) fixup(base);
    }

private:
    std::vector<unsigned char> bytes_;
    std::vector<std::function<void(unsigned char*)>> fixups_;
};

void checkArchitecture(const SgpArchitecture& a) {
    auto inRange = [](const char* what, uint32_t v, uint32_t lo, uint32_t hi) {
        if (v < lo || v > hi)
            throw InvalidModel(std::string(what) + " is " + std::to_string(v) + ", expected " + std::to_string(lo) +
                               ".." + std::to_string(hi));
    };
    inRange("blockCount", a.blockCount, 1, SGP_MAX_BLOCKS);
    if (a.resolution != (4u << (a.blockCount - 1))) throw InvalidModel("resolution does not match blockCount");
    if (a.imgChannels != 3 && a.imgChannels != 4) throw InvalidModel("imgChannels must be 3 or 4");
    inRange("zDim", a.zDim, 1, 4096);
    inRange("embedDim", a.embedDim, 1, 4096);
    inRange("wDim", a.wDim, 1, 4096);
    inRange("mappingLayers", a.mappingLayers, 1, 16);
    inRange("styleCount", a.styleCount, 1, 4096);
    if (a.input == SGP_INPUT_SPATIAL) inRange("spatialChannels", a.spatialChannels, 1, 4096);
    if (a.inputPeriod != 0) {
        if (a.input != SGP_INPUT_SPATIAL) throw InvalidModel("a periodic input needs a spatial input");
        inRange("inputPeriod", a.inputPeriod, 1, 64);
    }
    for (uint32_t b = 0; b < a.blockCount; ++b) inRange("a block's channel count", a.channels[b], 1, kMaxToRgbInputs);
}

std::vector<float> transposed(const float* m, uint32_t rows, uint32_t columns) {
    std::vector<float> t(size_t(rows) * columns);
    for (uint32_t r = 0; r < rows; ++r)
        for (uint32_t c = 0; c < columns; ++c) t[size_t(c) * rows + r] = m[size_t(r) * columns + c];
    return t;
}

// The style and demodulation tables of every modulated conv, collected in layer order.
struct Tables {
    std::vector<float> styleWeight, styleBias;
    std::vector<uint8_t> styleLayer;
    std::vector<float> demodWeightSq;
    std::vector<uint32_t> demodRowOffset, demodRowInputs, demodStyleOffset;
};

class Builder {
public:
    Builder(const Tensors& t, DeviceModel& m, Arena& arena) : t_(t), m_(m), arena_(arena) {}

    // Appends the conv's styles; returns their offset in an image's style rows.
    uint32_t styles(const std::string& prefix, uint32_t cin, uint32_t wLayer) {
        const uint32_t wDim = m_.arch.wDim;
        const float* weight = t_.require(prefix + ".affine.weight", {cin, wDim});
        const float* bias = t_.require(prefix + ".affine.bias", {cin});
        const uint32_t offset = uint32_t(tables_.styleBias.size());
        tables_.styleWeight.insert(tables_.styleWeight.end(), weight, weight + size_t(cin) * wDim);
        tables_.styleBias.insert(tables_.styleBias.end(), bias, bias + cin);
        tables_.styleLayer.insert(tables_.styleLayer.end(), cin, uint8_t(wLayer));
        return offset;
    }

    // Fills c in place: the arena remembers the addresses of its pointer fields.
    void conv(DeviceConv& c, const std::string& prefix, uint32_t cin, uint32_t cout, uint32_t layer) {
        c.cin = cin;
        c.cout = cout;
        c.noiseLayer = layer;
        c.styleOffset = styles(prefix, cin, layer);
        const float* weight = t_.require(prefix + ".weight", {cout, cin, 3, 3});
        arena_.add(&c.bias, t_.require(prefix + ".bias", {cout}), cout);
        c.noiseStrength = *t_.require(prefix + ".noise_strength", {1});
        // [cout][cin][9] -> [cinPad * 9][coutPad], zero-padded for the kernel's tiles.
        const uint32_t cinPad = (cin + kConvInputStep - 1) / kConvInputStep * kConvInputStep;
        const uint32_t tile = convChannelTile(cout);
        c.coutPad = (cout + tile - 1) / tile * tile;
        std::vector<float> packed(size_t(cinPad) * 9 * c.coutPad, 0.0f);
        c.demodOffset = uint32_t(tables_.demodRowOffset.size());
        for (uint32_t co = 0; co < cout; ++co) {
            tables_.demodRowOffset.push_back(uint32_t(tables_.demodWeightSq.size()));
            tables_.demodRowInputs.push_back(cin);
            tables_.demodStyleOffset.push_back(c.styleOffset);
            for (uint32_t ci = 0; ci < cin; ++ci) {
                float sum = 0.0f;
                for (uint32_t k = 0; k < 9; ++k) {
                    const float v = weight[(size_t(co) * cin + ci) * 9 + k];
                    packed[(size_t(ci) * 9 + k) * c.coutPad + co] = v;
                    sum += v * v;
                }
                tables_.demodWeightSq.push_back(sum);
            }
        }
        arena_.add(&c.weight, packed);
    }

    void toRgb(DeviceToRgb& r, const std::string& prefix, uint32_t cin, uint32_t layer) {
        const uint32_t channels = m_.arch.imgChannels;
        r.cin = cin;
        r.styleOffset = styles(prefix, cin, layer);
        arena_.add(&r.weight, t_.require(prefix + ".weight", {channels, cin, 1, 1}), size_t(channels) * cin);
        arena_.add(&r.bias, t_.require(prefix + ".bias", {channels}), channels);
    }

    void finish() {
        m_.styleRows = uint32_t(tables_.styleBias.size());
        m_.demodRows = uint32_t(tables_.demodRowOffset.size());
        arena_.add(&m_.styleWeight, tables_.styleWeight);
        arena_.add(&m_.styleBias, tables_.styleBias);
        arena_.add(&m_.styleLayer, tables_.styleLayer);
        arena_.add(&m_.demodWeightSq, tables_.demodWeightSq);
        arena_.add(&m_.demodRowOffset, tables_.demodRowOffset);
        arena_.add(&m_.demodRowInputs, tables_.demodRowInputs);
        arena_.add(&m_.demodStyleOffset, tables_.demodStyleOffset);
    }

private:
    const Tensors& t_;
    DeviceModel& m_;
    Arena& arena_;
    Tables tables_;
};

// The arena fixes up pointer fields by address: m.blocks and the mapping
// vectors get their final sizes before anything is added to them.
void build(const SgpModelDesc& desc, DeviceModel& m, Arena& arena) {
    const SgpArchitecture& a = desc.arch;
    checkArchitecture(a);
    m.arch = a;
    const Tensors t(desc);
    arena.add(&m.embed, t.require("mapping.embed.weight", {a.styleCount, a.embedDim}),
              size_t(a.styleCount) * a.embedDim);
    arena.add(&m.wAvg, t.require("w_avg", {a.styleCount, a.wDim}), size_t(a.styleCount) * a.wDim);
    m.mappingWeightT.resize(a.mappingLayers);
    m.mappingBias.resize(a.mappingLayers);
    for (uint32_t i = 0; i < a.mappingLayers; ++i) {
        const std::string p = "mapping.fc" + std::to_string(i);
        const uint32_t in = i == 0 ? a.zDim + a.embedDim : a.wDim;
        arena.add(&m.mappingWeightT[i], transposed(t.require(p + ".weight", {a.wDim, in}), a.wDim, in));
        arena.add(&m.mappingBias[i], t.require(p + ".bias", {a.wDim}), a.wDim);
    }
    m.mappingSharedBytes = mappingSharedBytes(a.zDim, a.embedDim, a.wDim);

    const uint32_t c0 = a.channels[0];
    if (a.input == SGP_INPUT_CONST) {
        arena.add(&m.inputConst, t.require("synthesis.input.const", {c0, 4, 4}), size_t(c0) * 16);
    } else {
        arena.add(&m.inputWeight, t.require("synthesis.input.weight", {c0, a.spatialChannels}),
                  size_t(c0) * a.spatialChannels);
        arena.add(&m.inputBias, t.require("synthesis.input.bias", {c0}), c0);
        if (const uint32_t period = a.inputPeriod)
            arena.add(&m.inputPeriodic, t.require("synthesis.input.periodic", {c0, period, period}),
                      size_t(c0) * period * period);
    }

    m.blocks.resize(a.blockCount);
    Builder builder(t, m, arena);
    for (uint32_t b = 0; b < a.blockCount; ++b) {
        DeviceBlock& block = m.blocks[b];
        const std::string p = "synthesis.b" + std::to_string(4u << b);
        const uint32_t cb = a.channels[b];
        if (b == 0) {
            builder.conv(block.conv1, p + ".conv1", cb, cb, 0);
        } else {
            builder.conv(block.conv0, p + ".conv0", a.channels[b - 1], cb, 2 * b - 1);
            builder.conv(block.conv1, p + ".conv1", cb, cb, 2 * b);
        }
        builder.toRgb(block.toRgb, p + ".torgb", cb, 2 * b + 1);
    }
    builder.finish();
}

std::atomic<uint64_t> nextModelId{1};

}  // namespace

Status DeviceModel::create(const SgpModelDesc& desc, std::unique_ptr<DeviceModel>* out) {
    std::unique_ptr<DeviceModel> m(new DeviceModel());
    Arena arena;
    try {
        build(desc, *m, arena);
    } catch (const InvalidModel& e) {
        return failure(SGP_ERROR_INVALID_ARGUMENT, e.what());
    }
    SG_CUDA_CHECK(cudaMalloc(&m->memory_, arena.size()));
    SG_CUDA_CHECK(cudaMemcpy(m->memory_, arena.data(), arena.size(), cudaMemcpyHostToDevice));
    arena.resolve(static_cast<unsigned char*>(m->memory_));
    m->id = nextModelId++;
    *out = std::move(m);
    return {};
}

DeviceModel::~DeviceModel() {
    if (memory_) cudaFree(memory_);
}

}  // namespace sg::cuda
