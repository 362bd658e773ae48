// tiny_model.cpp - see tiny_model.hpp.
#include "tiny_model.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "stylegen_philox.h"

namespace sgtest {
namespace {

constexpr uint32_t kResolution = 16;
constexpr uint32_t kZDim = 8;
constexpr uint32_t kEmbedDim = 4;
constexpr uint32_t kWDim = 8;
constexpr uint32_t kMappingLayers = 2;
constexpr uint32_t kSpatialChannels = 4;
const std::vector<uint32_t> kChannels = {8, 8, 4};  // blocks at 4, 8, 16

// Draws each tensor from its own Philox stream so adding a tensor does not
// change the others.
class TensorMaker {
public:
    explicit TensorMaker(uint64_t seed) : seed_(seed) {}

    // values = offset + scale * N(0,1)
    void add(const std::string& name, std::vector<uint64_t> shape, float scale, float offset = 0.0f) {
        sg::TensorRecord t;
        t.name = name;
        t.shape = std::move(shape);
        uint64_t n = 1;
        for (uint64_t d : t.shape) n *= d;
        t.values.resize(n);
        const uint32_t stream = 1000u + static_cast<uint32_t>(tensors.size());
        for (uint64_t i = 0; i < n; ++i) t.values[i] = offset + scale * sgPhiloxNormal(seed_, stream, i);
        tensors.push_back(std::move(t));
    }

    // A modulated conv under prefix: affine, weight, bias (+ noise strength for 3x3).
    void addModConv(const std::string& prefix, uint32_t cin, uint32_t cout, uint32_t k) {
        add(prefix + ".affine.weight", {cin, kWDim}, 1.0f / std::sqrt(float(kWDim)));
        add(prefix + ".affine.bias", {cin}, 0.1f, 1.0f);  // styles start near 1, as StyleGAN2 initialises them
        add(prefix + ".weight", {cout, cin, k, k}, 1.0f / std::sqrt(float(cin * k * k)));
        add(prefix + ".bias", {cout}, 0.1f);
        if (k == 3) add(prefix + ".noise_strength", {1}, 0.02f, 0.1f);
    }

    std::vector<sg::TensorRecord> tensors;

private:
    uint64_t seed_;
};

}  // namespace

TinyModelParts makeTinyModelParts(TinyKind kind, uint32_t styleCount, uint64_t seed) {
    const bool scene = kind == TinyKind::Scene;
    const uint32_t imgChannels = scene ? 3 : 4;

    nlohmann::json styles = nlohmann::json::array();
    for (uint32_t s = 0; s < styleCount; ++s) styles.push_back("style" + std::to_string(s));
    nlohmann::json j = {
        {"format", "stylegen-model"},
        {"arch", "stylegan2-sg"},
        {"name", scene ? "tiny-scene" : "tiny-character"},
        {"kind", scene ? "scene" : "character"},
        {"resolution", kResolution},
        {"img_channels", imgChannels},
        {"z_dim", kZDim},
        {"embed_dim", kEmbedDim},
        {"w_dim", kWDim},
        {"mapping_layers", kMappingLayers},
        {"channels", kChannels},
        {"input", scene ? "spatial" : "const"},
        {"padding", scene ? "circular" : "zero"},
        {"tileable", scene},
        {"styles", styles},
        {"training", {{"note", "tiny synthetic test model"}, {"seed", seed}}},
    };
    if (scene) j["spatial_channels"] = kSpatialChannels;

    TensorMaker m(seed);
    m.add("mapping.embed.weight", {styleCount, kEmbedDim}, 1.0f);
    for (uint32_t i = 0; i < kMappingLayers; ++i) {
        const uint32_t in = i == 0 ? kZDim + kEmbedDim : kWDim;
        m.add("mapping.fc" + std::to_string(i) + ".weight", {kWDim, in}, 1.0f / std::sqrt(float(in)));
        m.add("mapping.fc" + std::to_string(i) + ".bias", {kWDim}, 0.1f);
    }
    m.add("w_avg", {styleCount, kWDim}, 0.1f, 0.3f);  // mapping outputs pass act(), so their mean is positive
    if (scene) {
        m.add("synthesis.input.weight", {kChannels[0], kSpatialChannels}, 1.0f / std::sqrt(float(kSpatialChannels)));
        m.add("synthesis.input.bias", {kChannels[0]}, 0.1f);
    } else {
        m.add("synthesis.input.const", {kChannels[0], 4, 4}, 1.0f);
    }
    for (size_t b = 0; b < kChannels.size(); ++b) {
        const std::string prefix = "synthesis.b" + std::to_string(4u << b);
        if (b > 0) m.addModConv(prefix + ".conv0", kChannels[b - 1], kChannels[b], 3);
        m.addModConv(prefix + ".conv1", kChannels[b], kChannels[b], 3);
        m.addModConv(prefix + ".torgb", kChannels[b], imgChannels, 1);
    }
    return {j.dump(), std::move(m.tensors)};
}

void addTinyEncoder(TinyModelParts* parts, uint64_t seed, std::optional<uint32_t> reconstructionNoiseSeed) {
    nlohmann::json j = nlohmann::json::parse(parts->json);
    const std::vector<uint32_t> channels = {4, 6, 8};  // E0, E1, E2: two stages for three blocks
    j["encoder"] = {{"arch", "stylegen-encoder-1"}, {"channels", channels}};
    if (reconstructionNoiseSeed) j["encoder"]["reconstruction_noise_seed"] = *reconstructionNoiseSeed;
    parts->json = j.dump();
    const uint32_t imgChannels = j["img_channels"].get<uint32_t>();
    const bool spatial = j["input"] == "spatial";
    const uint32_t last = channels.back();
    const uint32_t pooled = spatial ? last : 16 * last;
    const uint32_t latents = 2 * uint32_t(kChannels.size()) * kWDim;
    // Its own key, so the generator's tensors stay what they were.
    TensorMaker m(seed ^ 0x454E434F44455221ull);
    auto conv = [&](const std::string& p, uint32_t cin, uint32_t cout, uint32_t k) {
        m.add(p + ".weight", {cout, cin, k, k}, 1.0f / std::sqrt(float(cin * k * k)));
        m.add(p + ".bias", {cout}, 0.1f);
    };
    conv("encoder.fromrgb", imgChannels, channels[0], 1);
    for (size_t s = 0; s + 1 < channels.size(); ++s) {
        conv("encoder.s" + std::to_string(s) + ".conv", channels[s], channels[s], 3);
        conv("encoder.s" + std::to_string(s) + ".down", channels[s], channels[s + 1], 3);
    }
    // w+ near w_avg (mean 0.3), varying with the image.
    m.add("encoder.wplus.weight", {latents, pooled}, 0.3f / std::sqrt(float(pooled)));
    m.add("encoder.wplus.bias", {latents}, 0.1f, 0.3f);
    if (spatial) conv("encoder.spatial", last, kSpatialChannels, 1);
    for (sg::TensorRecord& t : m.tensors) parts->tensors.push_back(std::move(t));
}

void addTinyPeriodicInput(TinyModelParts* parts, uint64_t seed) {
    nlohmann::json j = nlohmann::json::parse(parts->json);
    const uint32_t period = kResolution / (kResolution / 4);
    j["periodic_input"] = {{"period", period}, {"offset", period / 2}};
    parts->json = j.dump();
    TensorMaker m(seed ^ 0x504552494F444943ull);  // its own key, as addTinyEncoder's
    m.add("synthesis.input.periodic", {kChannels[0], period, period}, 1.0f);
    parts->tensors.push_back(std::move(m.tensors.front()));
}

std::vector<uint8_t> serializeTinyModel(const TinyModelParts& parts) {
    std::vector<uint8_t> bytes;
    std::string error;
    if (!sg::serializeModelFile(parts.json, parts.tensors, sg::TensorDType::F32, &bytes, &error))
        throw std::runtime_error("serializeTinyModel: " + error);
    return bytes;
}

std::string writeTinyModelParts(const std::string& dir, const std::string& fileName, const TinyModelParts& parts) {
    const std::string path = dir + "/" + fileName;
    std::string error;
    if (!sg::writeModelFile(path, parts.json, parts.tensors, sg::TensorDType::F32, &error))
        throw std::runtime_error("writeTinyModelParts: " + error);
    return path;
}

std::vector<uint8_t> makeTinyModel(TinyKind kind, uint32_t styleCount, uint64_t seed, sg::TensorDType storage) {
    const TinyModelParts parts = makeTinyModelParts(kind, styleCount, seed);
    std::vector<uint8_t> bytes;
    std::string error;
    if (!sg::serializeModelFile(parts.json, parts.tensors, storage, &bytes, &error))
        throw std::runtime_error("makeTinyModel: " + error);
    return bytes;
}

void resealModel(std::vector<uint8_t>* bytes) {
    constexpr size_t kHeaderSize = 96, kHashOffset = 64;
    if (bytes->size() < kHeaderSize) throw std::runtime_error("resealModel: shorter than the header");
    const std::array<uint8_t, 32> hash = sg::sha256(bytes->data() + kHeaderSize, bytes->size() - kHeaderSize);
    std::copy(hash.begin(), hash.end(), bytes->begin() + kHashOffset);
}

std::string writeTinyModel(const std::string& dir, const std::string& fileName, TinyKind kind, uint32_t styleCount,
                           uint64_t seed) {
    const TinyModelParts parts = makeTinyModelParts(kind, styleCount, seed);
    const std::string path = dir + "/" + fileName;
    std::string error;
    if (!sg::writeModelFile(path, parts.json, parts.tensors, sg::TensorDType::F32, &error))
        throw std::runtime_error("writeTinyModel: " + error);
    return path;
}

}  // namespace sgtest
