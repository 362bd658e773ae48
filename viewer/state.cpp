// state.cpp - the --state file: strict JSON reading and writing.
#include "state.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

namespace sg::viewer {
namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;
namespace fs = std::filesystem;

// Reads the keys of one JSON object; finish() rejects every key not read.
class ObjectReader {
public:
    ObjectReader(const Json& object, std::string where) : object_(object), where_(std::move(where)) {
        if (!object_.is_object()) throw StateError(where_ + " must be a JSON object");
    }

    const Json* find(const char* key) {
        seen_.insert(key);
        const auto it = object_.find(key);
        return it == object_.end() ? nullptr : &*it;
    }
    std::string at(const char* key) const { return where_ + "." + key; }

    uint64_t unsignedValue(const char* key, uint64_t fallback, uint64_t max = UINT64_MAX) {
        const Json* value = find(key);
        if (!value) return fallback;
        return unsignedOf(*value, at(key), max);
    }
    float number(const char* key, float fallback, float min, float max) {
        const Json* value = find(key);
        if (!value) return fallback;
        return numberOf(*value, at(key), min, max);
    }
    bool boolean(const char* key, bool fallback) {
        const Json* value = find(key);
        if (!value) return fallback;
        if (!value->is_boolean()) throw StateError(at(key) + " must be true or false");
        return value->get<bool>();
    }
    std::string string(const char* key, const std::string& fallback) {
        const Json* value = find(key);
        if (!value) return fallback;
        if (!value->is_string()) throw StateError(at(key) + " must be a string");
        return value->get<std::string>();
    }
    std::pair<uint64_t, uint64_t> pair(const char* key, std::pair<uint64_t, uint64_t> fallback, uint64_t min,
                                       uint64_t max) {
        const Json* value = find(key);
        if (!value) return fallback;
        if (!value->is_array() || value->size() != 2) throw StateError(at(key) + " must be [a, b]");
        const uint64_t a = unsignedOf((*value)[0], at(key) + "[0]", max);
        const uint64_t b = unsignedOf((*value)[1], at(key) + "[1]", max);
        if (a < min || b < min) throw StateError(at(key) + " values must be at least " + std::to_string(min));
        return {a, b};
    }

    void finish() const {
        for (auto it = object_.begin(); it != object_.end(); ++it)
            if (seen_.count(it.key()) == 0) throw StateError(where_ + " has an unknown key \"" + it.key() + "\"");
    }

    static uint64_t unsignedOf(const Json& value, const std::string& where, uint64_t max) {
        if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<int64_t>() >= 0))
            throw StateError(where + " must be a non-negative integer");
        const uint64_t v = value.get<uint64_t>();
        if (v > max) throw StateError(where + " must be at most " + std::to_string(max));
        return v;
    }
    static float numberOf(const Json& value, const std::string& where, float min, float max) {
        if (!value.is_number()) throw StateError(where + " must be a number");
        const double v = value.get<double>();
        if (!std::isfinite(v) || v < min || v > max) {
            std::ostringstream range;
            range << where << " must be in " << min << ".." << max;
            throw StateError(range.str());
        }
        return float(v);
    }

private:
    const Json& object_;
    std::string where_;
    std::set<std::string> seen_;
};

std::string resolvePath(const std::string& path, const fs::path& folder) {
    const fs::path p(path);
    return (p.is_absolute() ? p : folder / p).lexically_normal().string();
}

std::string displayPath(const std::string& path, const std::string& folder) {
    if (folder.empty() || path.empty()) return path;
    const fs::path relative = fs::path(path).lexically_relative(fs::path(folder));
    if (relative.empty()) return path;
    return relative.generic_string();
}

Recipe readRecipe(ObjectReader& reader, const fs::path& folder) {
    Recipe recipe;
    const std::string model = reader.string("model", "");
    if (!model.empty()) recipe.model = resolvePath(model, folder);
    const Json* blend = reader.find("blend");
    recipe.style = reader.string("style", "");
    if (blend) {
        if (!recipe.style.empty()) throw StateError(reader.at("blend") + ": give \"style\" or \"blend\", not both");
        if (!blend->is_object() || blend->empty())
            throw StateError(reader.at("blend") + " must be an object of style name -> weight");
        float sum = 0.0f;
        for (auto it = blend->begin(); it != blend->end(); ++it) {
            const float weight = ObjectReader::numberOf(*it, reader.at("blend") + "." + it.key(), 0.0f, 1e6f);
            recipe.blend.emplace_back(it.key(), weight);
            sum += weight;
        }
        if (!(sum > 0.0f)) throw StateError(reader.at("blend") + " weights must not all be 0");
    }
    recipe.psi = reader.number("psi", 1.0f, -4.0f, 4.0f);
    recipe.noise = reader.number("noise", 1.0f, 0.0f, 100.0f);
    if (const Json* noiseSeed = reader.find("noise_seed"); noiseSeed && !noiseSeed->is_null())
        recipe.noiseSeed = ObjectReader::unsignedOf(*noiseSeed, reader.at("noise_seed"), UINT64_MAX);
    if (const Json* mix = reader.find("mix"); mix && !mix->is_null()) {
        ObjectReader mixReader(*mix, reader.at("mix"));
        Mix m;
        m.seed = mixReader.unsignedValue("seed", 0);
        m.layer = uint32_t(mixReader.unsignedValue("layer", 0, 1024));
        mixReader.finish();
        recipe.mix = m;
    }
    const auto [width, height] = reader.pair("size", {0, 0}, 1, 16384);
    recipe.width = uint32_t(width);
    recipe.height = uint32_t(height);
    return recipe;
}

OrderedJson recipeToJson(const Recipe& recipe, const std::string& folder) {
    OrderedJson json;
    json["model"] = displayPath(recipe.model, folder);
    if (recipe.blend.empty()) {
        if (!recipe.style.empty()) json["style"] = recipe.style;
    } else {
        OrderedJson blend = OrderedJson::object();
        for (const auto& [name, weight] : recipe.blend) blend[name] = shortestDouble(weight);
        json["blend"] = blend;
    }
    json["psi"] = shortestDouble(recipe.psi);
    json["noise"] = shortestDouble(recipe.noise);
    if (recipe.noiseSeed) json["noise_seed"] = *recipe.noiseSeed;
    if (recipe.mix) json["mix"] = {{"seed", recipe.mix->seed}, {"layer", recipe.mix->layer}};
    if (recipe.width != 0) json["size"] = {recipe.width, recipe.height};
    return json;
}

}  // namespace

const char* viewTabName(ViewTab tab) {
    switch (tab) {
        case ViewTab::Selection:
            return "selection";
        case ViewTab::Tiling:
            return "tiling";
        case ViewTab::Scene:
            return "scene";
        case ViewTab::Interpolation:
            return "interpolation";
        case ViewTab::Restyle:
            return "restyle";
    }
    return "selection";
}

double shortestDouble(float value) {
    char text[32];
    for (int digits = 1; digits <= 9; ++digits) {
        std::snprintf(text, sizeof(text), "%.*g", digits, double(value));
        if (std::strtof(text, nullptr) == value) return std::strtod(text, nullptr);
    }
    return double(value);
}

ViewerState readStateFile(const std::string& path) {
    std::ifstream file(path);
    if (!file) throw StateError("cannot open state file " + path);
    Json json;
    try {
        json = Json::parse(file);
    } catch (const Json::exception& e) {
        throw StateError(path + " is not valid JSON: " + e.what());
    }
    const fs::path folder = fs::absolute(fs::path(path)).parent_path();
    ObjectReader reader(json, path);
    ViewerState state;
    state.recipe = readRecipe(reader, folder);
    if (reader.find("prompt")) {
        state.prompt = reader.string("prompt", "");
        if (state.prompt.empty()) throw StateError(reader.at("prompt") + " must not be empty");
        if (!state.recipe.style.empty() || !state.recipe.blend.empty())
            throw StateError(reader.at("prompt") + ": give \"style\", \"blend\" or \"prompt\", only one");
    }
    state.seed = reader.unsignedValue("seed", 0);
    const auto [columns, rows] = reader.pair("grid", {state.columns, state.rows}, 1, kMaxGridSide);
    state.columns = uint32_t(columns);
    state.rows = uint32_t(rows);
    state.selected = uint32_t(reader.unsignedValue("selected", 0, state.cellCount() - 1));
    state.lockSeed = reader.boolean("lock_seed", false);

    if (const Json* view = reader.find("view")) {
        ObjectReader viewReader(*view, reader.at("view"));
        const std::string tab = viewReader.string("tab", "selection");
        bool known = false;
        for (ViewTab t : {ViewTab::Selection, ViewTab::Tiling, ViewTab::Scene, ViewTab::Interpolation, ViewTab::Restyle})
            if (tab == viewTabName(t)) {
                state.tab = t;
                known = true;
            }
        if (!known)
            throw StateError(viewReader.at("tab") +
                             " must be \"selection\", \"tiling\", \"scene\", \"interpolation\" or \"restyle\"");
        state.zoom = viewReader.number("zoom", 0.0f, 0.0f, 64.0f);
        if (const Json* pan = viewReader.find("pan")) {
            if (!pan->is_array() || pan->size() != 2) throw StateError(viewReader.at("pan") + " must be [x, y]");
            state.panX = ObjectReader::numberOf((*pan)[0], viewReader.at("pan") + "[0]", -16384.0f, 16384.0f);
            state.panY = ObjectReader::numberOf((*pan)[1], viewReader.at("pan") + "[1]", -16384.0f, 16384.0f);
        }
        const std::string filter = viewReader.string("filter", "nearest");
        if (filter != "nearest" && filter != "linear")
            throw StateError(viewReader.at("filter") + " must be \"nearest\" or \"linear\"");
        state.linear = filter == "linear";
        state.checker = viewReader.boolean("checker", true);
        state.seams = viewReader.boolean("seams", false);
        viewReader.finish();
    }
    if (const Json* interpolation = reader.find("interpolation")) {
        ObjectReader r(*interpolation, reader.at("interpolation"));
        state.interpolationSeed = r.unsignedValue("seed", 1);
        state.playing = r.boolean("playing", true);
        state.interpolationPosition = r.number("position", 0.0f, 0.0f, 1.0f);
        state.interpolationSpeed = r.number("speed", 0.5f, 0.01f, 10.0f);
        r.finish();
    }
    if (const Json* restyle = reader.find("restyle")) {
        ObjectReader r(*restyle, reader.at("restyle"));
        const std::string image = r.string("image", "");
        if (!image.empty()) state.restyle.image = resolvePath(image, folder);
        state.restyle.strength = r.number("strength", 0.5f, 0.0f, 1.0f);
        const std::string source = r.string("source", "auto");
        if (source.empty()) throw StateError(r.at("source") + " must be a style name or \"auto\"");
        state.restyle.source = source == "auto" ? "" : source;
        state.restyle.refinementSteps = uint32_t(r.unsignedValue("refine", 0, kMaxRestyleRefinementSteps));
        r.finish();
    }
    if (const Json* pins = reader.find("pins")) {
        if (!pins->is_array()) throw StateError(reader.at("pins") + " must be an array");
        for (size_t i = 0; i < pins->size(); ++i) {
            ObjectReader pinReader((*pins)[i], reader.at("pins") + "[" + std::to_string(i) + "]");
            Pin pin;
            pin.recipe = readRecipe(pinReader, folder);
            if (pin.recipe.model.empty()) throw StateError(pinReader.at("model") + " is missing");
            pin.seed = pinReader.unsignedValue("seed", 0);
            pinReader.finish();
            state.pins.push_back(std::move(pin));
        }
    }
    const uint64_t floorPin = reader.unsignedValue("floor_pin", UINT64_MAX);
    if (floorPin != UINT64_MAX) {
        if (floorPin >= state.pins.size()) throw StateError(reader.at("floor_pin") + " is not the index of a pin");
        state.floorPin = int(floorPin);
    }
    const auto [width, height] = reader.pair("window", {state.windowWidth, state.windowHeight}, 320, kMaxWindowSide);
    state.windowWidth = uint32_t(width);
    state.windowHeight = uint32_t(height);
    reader.finish();
    return state;
}

std::string stateToJson(const ViewerState& state, const std::string& folder) {
    OrderedJson json = recipeToJson(state.recipe, folder);
    json["seed"] = state.seed;
    json["grid"] = {state.columns, state.rows};
    json["selected"] = state.selected;
    json["lock_seed"] = state.lockSeed;
    json["view"] = {{"tab", viewTabName(state.tab)},
                    {"zoom", shortestDouble(state.zoom)},
                    {"pan", {shortestDouble(state.panX), shortestDouble(state.panY)}},
                    {"filter", state.linear ? "linear" : "nearest"},
                    {"checker", state.checker},
                    {"seams", state.seams}};
    json["interpolation"] = {{"seed", state.interpolationSeed},
                             {"playing", state.playing},
                             {"position", shortestDouble(state.interpolationPosition)},
                             {"speed", shortestDouble(state.interpolationSpeed)}};
    json["restyle"] = {{"image", displayPath(state.restyle.image, folder)},
                       {"strength", shortestDouble(state.restyle.strength)},
                       {"source", state.restyle.source.empty() ? "auto" : state.restyle.source},
                       {"refine", state.restyle.refinementSteps}};
    OrderedJson pins = OrderedJson::array();
    for (const Pin& pin : state.pins) {
        OrderedJson p = recipeToJson(pin.recipe, folder);
        p["seed"] = pin.seed;
        pins.push_back(p);
    }
    json["pins"] = pins;
    if (state.floorPin >= 0) json["floor_pin"] = state.floorPin;
    json["window"] = {state.windowWidth, state.windowHeight};
    return json.dump(2) + "\n";
}

}  // namespace sg::viewer
