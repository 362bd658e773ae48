// model.cpp - the JSON header and the architecture checks of a .sgm
// (docs/model-format.md "Validation", docs/generator.md "Tensor list").
#include "model.hpp"

#include <cstdint>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "model_file.hpp"

namespace sg {
namespace {

using nlohmann::json;

constexpr uint32_t kMaxJsonDepth = 64;
constexpr size_t kTensorAlignment = 64;

// nlohmann's parser is iterative, but a pathologically deep document still
// costs memory and recursion elsewhere; no valid header nests beyond a few levels.
bool nestingWithin(const std::string& text, uint32_t limit) {
    uint32_t depth = 0;
    bool inString = false, escaped = false;
    for (char c : text) {
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
        } else if (c == '[' || c == '{') {
            if (++depth > limit) return false;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return true;
}

// Reads typed keys from the header object; every failure names the key.
class HeaderReader {
public:
    HeaderReader(const json& object, std::string* error) : object_(object), error_(error) {}

    const json* find(const char* key) const {
        const auto it = object_.find(key);
        return it == object_.end() ? nullptr : &*it;
    }

    bool require(const char* key, const json** value) {
        *value = find(key);
        if (*value) return true;
        *error_ = std::string("JSON header lacks the required key \"") + key + "\"";
        return false;
    }

    bool string(const char* key, std::string* out) {
        const json* v = nullptr;
        if (!require(key, &v)) return false;
        return stringValue(key, *v, out);
    }

    bool optionalString(const char* key, std::string* out) {
        const json* v = find(key);
        return !v || stringValue(key, *v, out);
    }

    // One of the listed spellings; *out is its index.
    bool choice(const char* key, std::initializer_list<const char*> options, uint32_t* out) {
        std::string s;
        if (!string(key, &s)) return false;
        uint32_t i = 0;
        std::string list;
        for (const char* option : options) {
            if (s == option) {
                *out = i;
                return true;
            }
            list += (i++ ? ", \"" : "\"") + std::string(option) + "\"";
        }
        *error_ = std::string("JSON header key \"") + key + "\" is \"" + s + "\", expected one of " + list;
        return false;
    }

    bool integer(const char* key, uint32_t lo, uint32_t hi, uint32_t* out) {
        const json* v = nullptr;
        if (!require(key, &v)) return false;
        return integerValue(key, *v, lo, hi, out);
    }

    bool optionalInteger(const char* key, uint32_t lo, uint32_t hi, uint32_t* out) {
        const json* v = find(key);
        return !v || integerValue(key, *v, lo, hi, out);
    }

    bool integerValue(const std::string& key, const json& v, uint32_t lo, uint32_t hi, uint32_t* out) {
        bool inRange = false;
        if (v.is_number_unsigned()) {
            const uint64_t n = v.get<uint64_t>();
            inRange = n >= lo && n <= hi;
            *out = uint32_t(n);
        } else if (v.is_number_integer()) {
            const int64_t n = v.get<int64_t>();
            inRange = n >= int64_t(lo) && n <= int64_t(hi);
            *out = uint32_t(n);
        } else {
            *error_ = "JSON header key \"" + key + "\" must be an integer";
            return false;
        }
        if (!inRange) {
            *error_ = "JSON header key \"" + key + "\" is " + v.dump() + ", expected " + std::to_string(lo) + ".." +
                      std::to_string(hi);
            return false;
        }
        return true;
    }

    bool optionalBool(const char* key, bool* out) {
        const json* v = find(key);
        if (!v) return true;
        if (!v->is_boolean()) {
            *error_ = std::string("JSON header key \"") + key + "\" must be true or false";
            return false;
        }
        *out = v->get<bool>();
        return true;
    }

private:
    bool stringValue(const char* key, const json& v, std::string* out) {
        if (!v.is_string()) {
            *error_ = std::string("JSON header key \"") + key + "\" must be a string";
            return false;
        }
        *out = v.get<std::string>();
        return true;
    }

    const json& object_;
    std::string* error_;
};

bool isPowerOfTwo(uint32_t v) { return v && (v & (v - 1)) == 0; }

uint32_t log2u(uint32_t v) {
    uint32_t n = 0;
    while (v >>= 1) ++n;
    return n;
}

// The optional "encoder" key (docs/generator.md, "Encoder"): its stage channels
// and reconstruction noise, or none.
bool readEncoder(const json& header, ModelData* model, std::string* error) {
    SgpArchitecture& a = model->arch;
    a.encoderStageCount = 0;
    const auto it = header.find("encoder");
    if (it == header.end()) return true;
    if (!it->is_object()) {
        *error = "JSON header \"encoder\" must be an object {\"arch\": \"stylegen-encoder-1\", \"channels\": [...]}";
        return false;
    }
    HeaderReader r(*it, error);
    const json* archValue = r.find("arch");
    if (!archValue || !archValue->is_string() || archValue->get<std::string>() != "stylegen-encoder-1") {
        *error = "JSON header \"encoder.arch\" is " + (archValue ? archValue->dump() : std::string("missing")) +
                 "; this library runs \"stylegen-encoder-1\" only";
        return false;
    }
    const uint32_t stages = a.blockCount - 1;
    const json* channels = r.find("channels");
    if (!channels || !channels->is_array() || channels->size() != stages + 1) {
        *error = "JSON header \"encoder.channels\" must be a list of " + std::to_string(stages + 1) +
                 " integers: E0 and one per encoder stage (" + std::to_string(stages) + " stages for " +
                 std::to_string(a.blockCount) + " generator blocks)";
        return false;
    }
    for (uint32_t s = 0; s <= stages; ++s) {
        if (!r.integerValue("encoder.channels[" + std::to_string(s) + "]", (*channels)[s], 1, 1024,
                            &a.encoderChannels[s]))
            return false;
    }
    uint32_t noiseSeed = 0;
    if (const json* seed = r.find("reconstruction_noise_seed")) {
        if (!r.integerValue("encoder.reconstruction_noise_seed", *seed, 0, UINT32_MAX, &noiseSeed)) return false;
        model->encoderNoise = {noiseSeed, 1.0f};
    }
    a.encoderStageCount = stages;
    return true;
}

// The optional "periodic_input" key of spatial-input models (docs/generator.md,
// "Input"): the period of the learned periodic input and where generation
// starts in it, or none.
bool readPeriodicInput(const json& header, ModelData* model, std::string* error) {
    SgpArchitecture& a = model->arch;
    a.inputPeriod = 0;
    model->periodicOffset = 0;
    const auto it = header.find("periodic_input");
    if (it == header.end()) return true;
    if (a.input != SGP_INPUT_SPATIAL) {
        *error = "JSON header \"periodic_input\" needs \"input\": \"spatial\"";
        return false;
    }
    if (!it->is_object()) {
        *error = "JSON header \"periodic_input\" must be an object {\"period\": P, \"offset\": O}";
        return false;
    }
    HeaderReader r(*it, error);
    const json* period = nullptr;
    const json* offset = nullptr;
    if (!r.require("period", &period) || !r.integerValue("periodic_input.period", *period, 1, 64, &a.inputPeriod) ||
        !r.require("offset", &offset) ||
        !r.integerValue("periodic_input.offset", *offset, 0, a.inputPeriod - 1, &model->periodicOffset))
        return false;
    return true;
}

bool readArchitecture(const json& header, ModelData* model, std::string* error) {
    if (!header.is_object()) {
        *error = "JSON header is not an object";
        return false;
    }
    HeaderReader r(header, error);
    SgpArchitecture& a = model->arch;

    std::string format, arch;
    if (!r.string("format", &format)) return false;
    if (format != "stylegen-model") {
        *error = "JSON header \"format\" is \"" + format + "\", expected \"stylegen-model\"";
        return false;
    }
    if (!r.string("arch", &arch)) return false;
    if (arch != "stylegan2-sg") {
        *error = "JSON header \"arch\" is \"" + arch + "\"; this library runs \"stylegan2-sg\" only";
        return false;
    }
    if (!r.optionalString("name", &model->name)) return false;

    uint32_t kind = 0, input = 0, padding = 0;
    if (!r.choice("kind", {"character", "scene"}, &kind)) return false;
    if (!r.integer("resolution", 8, 1024, &a.resolution)) return false;
    if (!isPowerOfTwo(a.resolution)) {
        *error = "JSON header \"resolution\" is " + std::to_string(a.resolution) + ", not a power of two";
        return false;
    }
    if (!r.integer("img_channels", 3, 4, &a.imgChannels)) return false;
    if (!r.integer("z_dim", 1, 2048, &a.zDim) || !r.integer("embed_dim", 1, 2048, &a.embedDim) ||
        !r.integer("w_dim", 1, 2048, &a.wDim) || !r.integer("mapping_layers", 1, 16, &a.mappingLayers))
        return false;
    if (!r.choice("input", {"const", "spatial"}, &input)) return false;
    if (!r.choice("padding", {"zero", "circular"}, &padding)) return false;
    a.kind = SgpModelKind(kind);
    a.input = SgpInputKind(input);
    a.padding = SgpPadding(padding);
    // A const input is a fixed 4x4 grid: only spatial-input models can change size.
    if (a.kind == SGP_MODEL_KIND_SCENE && a.input != SGP_INPUT_SPATIAL) {
        *error = "JSON header: a \"scene\" model needs \"input\": \"spatial\"";
        return false;
    }
    if (a.input == SGP_INPUT_SPATIAL) {
        if (!r.integer("spatial_channels", 1, 1024, &a.spatialChannels)) return false;
    } else {
        uint32_t unused = 0;  // meaningless for a const input, but must still be well-formed
        if (!r.optionalInteger("spatial_channels", 0, 1024, &unused)) return false;
        a.spatialChannels = 0;
    }

    a.blockCount = log2u(a.resolution) - 1;
    const json* channels = nullptr;
    if (!r.require("channels", &channels)) return false;
    if (!channels->is_array() || channels->size() != a.blockCount) {
        *error = "JSON header \"channels\" must be a list of " + std::to_string(a.blockCount) +
                 " integers, one per block of a " + std::to_string(a.resolution) + "-pixel model";
        return false;
    }
    for (uint32_t b = 0; b < a.blockCount; ++b) {
        if (!r.integerValue("channels[" + std::to_string(b) + "]", (*channels)[b], 1, 1024, &a.channels[b]))
            return false;
    }

    const json* styles = nullptr;
    if (!r.require("styles", &styles)) return false;
    if (!styles->is_array() || styles->empty() || styles->size() > 256) {
        *error = "JSON header \"styles\" must be a list of 1..256 style names";
        return false;
    }
    std::unordered_set<std::string> seen;
    for (const json& s : *styles) {
        if (!s.is_string() || s.get<std::string>().empty()) {
            *error = "JSON header \"styles\" holds a style name that is not a non-empty string";
            return false;
        }
        if (!seen.insert(s.get<std::string>()).second) {
            *error = "JSON header \"styles\" names \"" + s.get<std::string>() + "\" twice";
            return false;
        }
        model->styles.push_back(s.get<std::string>());
    }
    a.styleCount = uint32_t(model->styles.size());

    bool tileable = a.padding == SGP_PADDING_CIRCULAR;
    if (!r.optionalBool("tileable", &tileable)) return false;
    if (tileable != (a.padding == SGP_PADDING_CIRCULAR)) {
        *error = std::string("JSON header \"tileable\" is ") + (tileable ? "true" : "false") +
                 " but \"padding\" is \"" + (a.padding == SGP_PADDING_CIRCULAR ? "circular" : "zero") +
                 "\" (only circular padding tiles)";
        return false;
    }
    const json* training = r.find("training");
    if (training && !training->is_object()) {
        *error = "JSON header \"training\" must be an object";
        return false;
    }
    return readPeriodicInput(header, model, error) && readEncoder(header, model, error);
}

struct RequiredTensor {
    std::string name;
    std::vector<uint64_t> shape;
};

// docs/generator.md "Tensor list".
std::vector<RequiredTensor> requiredTensors(const SgpArchitecture& a) {
    std::vector<RequiredTensor> list;
    auto add = [&](std::string name, std::vector<uint64_t> shape) { list.push_back({std::move(name), std::move(shape)}); };
    auto modConv = [&](const std::string& p, uint64_t cin, uint64_t cout, uint64_t k) {
        add(p + ".affine.weight", {cin, a.wDim});
        add(p + ".affine.bias", {cin});
        add(p + ".weight", {cout, cin, k, k});
        add(p + ".bias", {cout});
        if (k == 3) add(p + ".noise_strength", {1});
    };
    add("mapping.embed.weight", {a.styleCount, a.embedDim});
    for (uint32_t i = 0; i < a.mappingLayers; ++i) {
        const uint64_t in = i == 0 ? a.zDim + a.embedDim : a.wDim;
        add("mapping.fc" + std::to_string(i) + ".weight", {a.wDim, in});
        add("mapping.fc" + std::to_string(i) + ".bias", {a.wDim});
    }
    add("w_avg", {a.styleCount, a.wDim});
    if (a.input == SGP_INPUT_CONST) {
        add("synthesis.input.const", {a.channels[0], 4, 4});
    } else {
        add("synthesis.input.weight", {a.channels[0], a.spatialChannels});
        add("synthesis.input.bias", {a.channels[0]});
        if (a.inputPeriod) add("synthesis.input.periodic", {a.channels[0], a.inputPeriod, a.inputPeriod});
    }
    for (uint32_t b = 0; b < a.blockCount; ++b) {
        const std::string p = "synthesis.b" + std::to_string(4u << b);
        if (b > 0) modConv(p + ".conv0", a.channels[b - 1], a.channels[b], 3);
        modConv(p + ".conv1", a.channels[b], a.channels[b], 3);
        modConv(p + ".torgb", a.channels[b], a.imgChannels, 1);
    }
    if (a.encoderStageCount == 0) return list;
    // docs/generator.md, "Encoder": S stages, then w+ (and the spatial grid) from the last.
    const uint32_t stages = a.encoderStageCount;
    const uint64_t last = a.encoderChannels[stages];
    auto conv = [&](const std::string& p, uint64_t cin, uint64_t cout, uint64_t k) {
        add(p + ".weight", {cout, cin, k, k});
        add(p + ".bias", {cout});
    };
    conv("encoder.fromrgb", a.imgChannels, a.encoderChannels[0], 1);
    for (uint32_t s = 0; s < stages; ++s) {
        const std::string p = "encoder.s" + std::to_string(s);
        conv(p + ".conv", a.encoderChannels[s], a.encoderChannels[s], 3);
        conv(p + ".down", a.encoderChannels[s], a.encoderChannels[s + 1], 3);
    }
    const uint64_t latents = uint64_t(2) * a.blockCount * a.wDim;
    const uint64_t pooled = a.input == SGP_INPUT_CONST ? 16 * last : last;
    add("encoder.wplus.weight", {latents, pooled});
    add("encoder.wplus.bias", {latents});
    if (a.input == SGP_INPUT_SPATIAL) conv("encoder.spatial", last, a.spatialChannels, 1);
    return list;
}

std::string shapeText(const std::vector<uint64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

size_t alignUp(size_t v) { return (v + kTensorAlignment - 1) / kTensorAlignment * kTensorAlignment; }

}  // namespace

SgResult loadModelData(const uint8_t* data, size_t size, const HostAllocator& allocator, ModelData* out,
                       std::string* error, const ModelFileLimits& limits) {
    ModelFileContents file;
    bool overLimit = false;
    if (!parseModelFile(data, size, &file, error, limits, &overLimit))
        return overLimit ? SG_ERROR_OUT_OF_MEMORY : SG_ERROR_BAD_MODEL_FILE;

    if (!nestingWithin(file.json, kMaxJsonDepth)) {
        *error = "JSON header nests deeper than " + std::to_string(kMaxJsonDepth) + " levels";
        return SG_ERROR_BAD_MODEL_FILE;
    }
    json header;
    try {
        header = json::parse(file.json);
    } catch (const json::exception& e) {
        *error = std::string("JSON header does not parse: ") + e.what();
        return SG_ERROR_BAD_MODEL_FILE;
    }
    if (!readArchitecture(header, out, error)) return SG_ERROR_BAD_MODEL_FILE;
    out->contentHash = file.contentHash;

    std::unordered_map<std::string, const TensorRecord*> byName;
    for (const TensorRecord& t : file.tensors) {
        byName[t.name] = &t;
        // Encoder weights without their description cannot be checked, so cannot be trusted.
        if (out->arch.encoderStageCount == 0 && t.name.compare(0, 8, "encoder.") == 0) {
            *error = "tensor '" + t.name + "' belongs to an encoder, but the JSON header has no \"encoder\" key";
            return SG_ERROR_BAD_MODEL_FILE;
        }
    }
    const std::vector<RequiredTensor> required = requiredTensors(out->arch);
    std::vector<const TensorRecord*> found;
    size_t bytes = 0;
    for (const RequiredTensor& want : required) {
        const auto it = byName.find(want.name);
        if (it == byName.end()) {
            *error = "required tensor '" + want.name + "' is missing";
            return SG_ERROR_BAD_MODEL_FILE;
        }
        if (it->second->shape != want.shape) {
            *error = "tensor '" + want.name + "' has shape " + shapeText(it->second->shape) + ", the architecture needs " +
                     shapeText(want.shape);
            return SG_ERROR_BAD_MODEL_FILE;
        }
        found.push_back(it->second);
        bytes += alignUp(it->second->values.size() * sizeof(float));
    }

    try {
        out->weights = HostBuffer(allocator, bytes, kTensorAlignment);
    } catch (const std::bad_alloc&) {
        *error = "out of host memory for " + std::to_string(bytes) + " bytes of weights";
        return SG_ERROR_OUT_OF_MEMORY;
    }
    out->tensorNames.reserve(found.size());
    out->tensors.reserve(found.size());
    uint8_t* dst = static_cast<uint8_t*>(out->weights.data());
    for (const TensorRecord* t : found) {
        out->tensorNames.push_back(t->name);
        SgpTensor tensor{};
        tensor.rank = uint32_t(t->shape.size());
        for (uint32_t d = 0; d < tensor.rank; ++d) tensor.dims[d] = t->shape[d];
        std::memcpy(dst, t->values.data(), t->values.size() * sizeof(float));
        tensor.data = reinterpret_cast<const float*>(dst);
        dst += alignUp(t->values.size() * sizeof(float));
        out->tensors.push_back(tensor);
    }
    // Names point into tensorNames only now that it will not reallocate.
    for (size_t i = 0; i < out->tensors.size(); ++i) out->tensors[i].name = out->tensorNames[i].c_str();
    return SG_SUCCESS;
}

}  // namespace sg
