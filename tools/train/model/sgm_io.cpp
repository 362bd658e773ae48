#include "sgm_io.hpp"

#include "model_file.hpp"

#include <fstream>
#include <iterator>
#include <map>

namespace sgt {

namespace {

using Json = nlohmann::json;

// Effective weights by .sgm tensor name, paired with the setter that loads them.
struct TensorBinding {
    std::string name;
    std::function<torch::Tensor()> get;
    std::function<void(const torch::Tensor&)> set;
};

void copyInto(torch::Tensor& param, const torch::Tensor& value) {
    torch::NoGradGuard noGrad;
    param.copy_(value.reshape(param.sizes()));
}

void bindModConv(std::vector<TensorBinding>& out, const std::string& prefix, ModulatedConv2d& conv) {
    auto* c = conv.get();
    out.push_back({prefix + ".affine.weight", [c] { return c->affine->effectiveWeight(); },
                   [c](const torch::Tensor& t) { c->affine->setEffective(t, c->affine->effectiveBias()); }});
    out.push_back({prefix + ".affine.bias", [c] { return c->affine->effectiveBias(); },
                   [c](const torch::Tensor& t) { c->affine->setEffective(c->affine->effectiveWeight(), t); }});
    // toRGB's style gain is folded into its weight: conv(x * s * g, W) = conv(x * s, W * g).
    out.push_back({prefix + ".weight", [c] { return c->weight * c->weightGain; },
                   [c](const torch::Tensor& t) { copyInto(c->weight, t / c->weightGain); }});
    out.push_back({prefix + ".bias", [c] { return c->bias; }, [c](const torch::Tensor& t) { copyInto(c->bias, t); }});
    if (!c->isToRgb())
        out.push_back({prefix + ".noise_strength", [c] { return c->noiseStrength; },
                       [c](const torch::Tensor& t) { copyInto(c->noiseStrength, t); }});
}

std::vector<TensorBinding> bindings(Generator& g) {
    std::vector<TensorBinding> out;
    auto* m = g->mapping.get();
    out.push_back({"mapping.embed.weight", [m] { return m->embed; }, [m](const torch::Tensor& t) { copyInto(m->embed, t); }});
    for (size_t i = 0; i < m->fc.size(); ++i) {
        auto* fc = m->fc[i].get();
        std::string p = "mapping.fc" + std::to_string(i);
        out.push_back({p + ".weight", [fc] { return fc->effectiveWeight(); },
                       [fc](const torch::Tensor& t) { fc->setEffective(t, fc->effectiveBias()); }});
        out.push_back({p + ".bias", [fc] { return fc->effectiveBias(); },
                       [fc](const torch::Tensor& t) { fc->setEffective(fc->effectiveWeight(), t); }});
    }
    auto* s = g->synthesis.get();
    if (g->options.spatialInput()) {
        out.push_back({"synthesis.input.weight", [s] { return s->inputWeight * s->inputGain; },
                       [s](const torch::Tensor& t) { copyInto(s->inputWeight, t / s->inputGain); }});
        out.push_back({"synthesis.input.bias", [s] { return s->inputBias; },
                       [s](const torch::Tensor& t) { copyInto(s->inputBias, t); }});
        if (g->options.periodicInput())
            out.push_back({"synthesis.input.periodic", [s] { return s->inputPeriodic; },
                           [s](const torch::Tensor& t) { copyInto(s->inputPeriodic, t); }});
    } else {
        out.push_back({"synthesis.input.const", [s] { return s->inputConst; },
                       [s](const torch::Tensor& t) { copyInto(s->inputConst, t); }});
    }
    for (size_t b = 0; b < s->blocks.size(); ++b) {
        auto& block = s->blocks[b];
        std::string p = "synthesis.b" + std::to_string(4 << b);
        if (!block->first)
            bindModConv(out, p + ".conv0", block->conv0);
        bindModConv(out, p + ".conv1", block->conv1);
        bindModConv(out, p + ".torgb", block->torgb);
    }
    return out;
}

sg::TensorRecord record(const std::string& name, const torch::Tensor& t) {
    auto c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    sg::TensorRecord r;
    r.name = name;
    for (auto d : c.sizes())
        r.shape.push_back(uint64_t(d));
    r.values.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    return r;
}

bool optionsFromJson(const Json& j, GeneratorOptions* o, std::string* error) {
    try {
        o->kind(j.at("kind").get<std::string>() == "scene" ? ModelKind::Scene : ModelKind::Character)
            .resolution(j.at("resolution").get<int64_t>())
            .imgChannels(j.at("img_channels").get<int64_t>())
            .zDim(j.at("z_dim").get<int64_t>())
            .embedDim(j.at("embed_dim").get<int64_t>())
            .wDim(j.at("w_dim").get<int64_t>())
            .mappingLayers(j.at("mapping_layers").get<int64_t>())
            .channels(j.at("channels").get<std::vector<int64_t>>())
            .styleCount(int64_t(j.at("styles").size()));
        if (o->spatialInput())
            o->spatialChannels(j.at("spatial_channels").get<int64_t>());
        if (j.contains("periodic_input")) {
            o->periodicInput(true);
            const auto& p = j.at("periodic_input");
            if (p.at("period").get<int64_t>() != o->inputPeriod() ||
                p.at("offset").get<int64_t>() != o->periodicOffset()) {
                *error = "bad model header: this trainer reads periodic inputs one training tile wide (period " +
                         std::to_string(o->inputPeriod()) + ", offset " + std::to_string(o->periodicOffset()) +
                         "), the file has " + p.dump();
                return false;
            }
        }
    } catch (const std::exception& e) {
        *error = std::string("bad model header: ") + e.what();
        return false;
    }
    *error = o->validate();
    return error->empty();
}

}  // namespace

Json headerJson(const GeneratorOptions& o, const ModelMetadata& meta) {
    const bool scene = o.kind() == ModelKind::Scene;
    Json j = {
        {"format", "stylegen-model"},
        {"arch", "stylegan2-sg"},
        {"name", meta.name},
        {"kind", scene ? "scene" : "character"},
        {"resolution", o.resolution()},
        {"img_channels", o.imgChannels()},
        {"z_dim", o.zDim()},
        {"embed_dim", o.embedDim()},
        {"w_dim", o.wDim()},
        {"mapping_layers", o.mappingLayers()},
        {"channels", o.channels()},
        {"input", scene ? "spatial" : "const"},
        {"padding", scene ? "circular" : "zero"},
        {"tileable", scene},
        {"styles", meta.styles},
        {"training", meta.training.is_null() ? Json::object() : meta.training},
    };
    if (scene)
        j["spatial_channels"] = o.spatialChannels();
    if (o.periodicInput())
        j["periodic_input"] = {{"period", o.inputPeriod()}, {"offset", o.periodicOffset()}};
    return j;
}

bool exportModel(Generator& g, const torch::Tensor& wAvg, const ModelMetadata& meta, const std::string& path,
                 bool half, std::string* error) {
    torch::NoGradGuard noGrad;
    std::vector<sg::TensorRecord> tensors;
    for (auto& b : bindings(g))
        tensors.push_back(record(b.name, b.get()));
    tensors.push_back(record("w_avg", wAvg));
    return sg::writeModelFile(path, headerJson(g->options, meta).dump(2), tensors,
                              half ? sg::TensorDType::F16 : sg::TensorDType::F32, error);
}

bool importModel(const std::string& path, LoadedModel* out, std::string* error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        *error = "cannot open " + path;
        return false;
    }
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    sg::ModelFileContents contents;
    if (!sg::parseModelFile(bytes.data(), bytes.size(), &contents, error)) {
        *error = path + ": " + *error;
        return false;
    }
    Json j = Json::parse(contents.json, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        *error = path + ": header is not a JSON object";
        return false;
    }
    GeneratorOptions o;
    if (!optionsFromJson(j, &o, error))
        return false;
    out->meta.name = j.value("name", "");
    out->meta.styles = j.at("styles").get<std::vector<std::string>>();
    out->meta.training = j.value("training", Json::object());
    out->generator = Generator(o);

    std::map<std::string, const sg::TensorRecord*> byName;
    for (const auto& t : contents.tensors)
        byName[t.name] = &t;
    auto tensorOf = [](const sg::TensorRecord& r) {
        std::vector<int64_t> shape(r.shape.begin(), r.shape.end());
        return torch::from_blob(const_cast<float*>(r.values.data()), shape, torch::kFloat32).clone();
    };
    for (auto& b : bindings(out->generator)) {
        auto it = byName.find(b.name);
        auto expected = b.get();
        if (it == byName.end() || int64_t(it->second->values.size()) != expected.numel()) {
            *error = path + ": tensor " + b.name + (it == byName.end() ? " is missing" : " has the wrong size");
            return false;
        }
        b.set(tensorOf(*it->second));
    }
    auto avg = byName.find("w_avg");
    if (avg == byName.end()) {
        *error = path + ": tensor w_avg is missing";
        return false;
    }
    out->wAvg = tensorOf(*avg->second);
    return true;
}

}  // namespace sgt
