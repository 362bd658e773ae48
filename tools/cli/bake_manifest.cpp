// bake_manifest.cpp - see bake_manifest.hpp. The schema is docs/bake.md.
#include "bake_manifest.hpp"

#include <stylegen/stylegen.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>

#include "file_system.hpp"

namespace sg::cli {
namespace {

using Json = nlohmann::json;

constexpr const char* kDefaultOutput = "{name}_{seed}.png";
constexpr size_t kMaxNameLength = 128;
constexpr double kMaxBlendWeight = 1e6;
constexpr double kMaxNoise = 100.0;

// Collects every problem instead of stopping at the first: one run of the
// bake shows the author all of them.
class Problems {
public:
    explicit Problems(const BakeManifest& manifest) : manifest_(manifest) {}

    void add(const BakeEntry* entry, const std::string& field, const std::string& message) {
        lines_.push_back(fieldWhere(manifest_, entry, field) + ": " + message);
    }
    void throwIfAny() const {
        if (lines_.empty()) return;
        std::string text;
        for (const std::string& line : lines_) text += (text.empty() ? "" : "\n") + line;
        throw ManifestError(text);
    }

private:
    const BakeManifest& manifest_;
    std::vector<std::string> lines_;
};

std::string describe(const Json& value) {
    std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
    if (text.size() > 40) text = text.substr(0, 37) + "...";
    return text;
}

std::string quoted(const std::string& text) { return "\"" + text + "\""; }

// Typed reads of the members of one JSON object (the manifest, an entry, or an
// entry's "mix" / "atlas"). A read of an absent key returns nothing and says
// nothing; a present key of the wrong type or range is reported and also
// returns nothing, so callers test has() to tell the two apart.
class Fields {
public:
    Fields(const Json& object, const BakeEntry* entry, std::string prefix, Problems& problems)
        : object_(object), entry_(entry), prefix_(std::move(prefix)), problems_(problems) {}

    bool has(const char* key) const { return object_.contains(key); }
    void fail(const std::string& key, const std::string& message) const {
        problems_.add(entry_, prefix_ + key, message);
    }

    void rejectUnknown(const std::set<std::string>& known, const std::string& where) const {
        for (const auto& item : object_.items()) {
            if (known.count(item.key())) continue;
            std::string list;
            for (const std::string& key : known) list += (list.empty() ? "" : ", ") + key;
            fail(item.key(), "unknown key in " + where + " (known keys: " + list + ")");
        }
    }

    std::optional<uint64_t> whole(const char* key, uint64_t min, uint64_t max) const {
        if (!has(key)) return std::nullopt;
        return wholeValue(object_.at(key), key, min, max);
    }

    std::optional<uint64_t> wholeValue(const Json& value, const std::string& key, uint64_t min, uint64_t max) const {
        if (value.is_number_unsigned() && value.get<uint64_t>() >= min && value.get<uint64_t>() <= max) {
            return value.get<uint64_t>();
        }
        fail(key, "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) + ", got " +
                      describe(value));
        return std::nullopt;
    }

    std::optional<double> number(const char* key, double min, double max) const {
        if (!has(key)) return std::nullopt;
        const Json& value = object_.at(key);
        if (value.is_number() && std::isfinite(value.get<double>()) && value.get<double>() >= min &&
            value.get<double>() <= max) {
            return value.get<double>();
        }
        char range[64];
        std::snprintf(range, sizeof range, "from %.10g to %.10g", min, max);
        fail(key, std::string("expected a number ") + range + ", got " + describe(value));
        return std::nullopt;
    }

    std::optional<std::string> string(const char* key) const {
        if (!has(key)) return std::nullopt;
        const Json& value = object_.at(key);
        if (value.is_string() && !value.get<std::string>().empty()) return value.get<std::string>();
        fail(key, "expected a non-empty string, got " + describe(value));
        return std::nullopt;
    }

    // One of `choices`, e.g. "json" | "csv".
    std::optional<std::string> choice(const char* key, const std::vector<std::string>& choices) const {
        if (!has(key)) return std::nullopt;
        const Json& value = object_.at(key);
        std::string list;
        for (const std::string& c : choices) {
            if (value.is_string() && value.get<std::string>() == c) return c;
            list += (list.empty() ? "" : " or ") + quoted(c);
        }
        fail(key, "expected " + list + ", got " + describe(value));
        return std::nullopt;
    }

    // A non-empty array of seeds; `count` (when known) fixes its length.
    std::optional<std::vector<uint64_t>> seeds(const char* key, std::optional<size_t> count) const {
        if (!has(key)) return std::nullopt;
        const Json& value = object_.at(key);
        if (!value.is_array() || value.empty() || value.size() > kMaxImages) {
            fail(key, "expected a list of 1 to " + std::to_string(kMaxImages) + " seeds (whole numbers from 0 to " +
                          std::to_string(UINT64_MAX) + "), got " + describe(value));
            return std::nullopt;
        }
        std::vector<uint64_t> seeds;
        for (size_t i = 0; i < value.size(); ++i) {
            const std::optional<uint64_t> seed =
                wholeValue(value[i], std::string(key) + "[" + std::to_string(i) + "]", 0, UINT64_MAX);
            if (!seed) return std::nullopt;
            seeds.push_back(*seed);
        }
        if (count && seeds.size() != *count) {
            fail(key, "has " + std::to_string(seeds.size()) + " seed" + (seeds.size() == 1 ? "" : "s") +
                          "; the entry makes " + std::to_string(*count) + " image" + (*count == 1 ? "" : "s") +
                          ", one seed each");
            return std::nullopt;
        }
        return seeds;
    }

    // "first_X": seeds first, first + 1, ... for `count` images.
    std::optional<std::vector<uint64_t>> seedRange(const char* key, size_t count) const {
        const std::optional<uint64_t> first = whole(key, 0, UINT64_MAX);
        if (!first) return std::nullopt;
        if (count > 0 && *first > UINT64_MAX - (count - 1)) {
            fail(key, std::to_string(*first) + " + " + std::to_string(count) + " images goes past the largest seed " +
                          std::to_string(UINT64_MAX));
            return std::nullopt;
        }
        std::vector<uint64_t> seeds(count);
        for (size_t i = 0; i < count; ++i) seeds[i] = *first + i;
        return seeds;
    }

    const Json& at(const char* key) const { return object_.at(key); }

private:
    const Json& object_;
    const BakeEntry* entry_;
    std::string prefix_;
    Problems& problems_;
};

// Entry names become file names ({name}) and keys of the provenance file.
std::string nameProblem(const std::string& name) {
    if (name.size() > kMaxNameLength) return "longer than " + std::to_string(kMaxNameLength) + " bytes";
    if (name[0] == '.') return "may not start with '.'";
    for (char c : name) {
        if (c == '/' || c == '\\') return "may not hold '/' or '\\' (it is used in file names)";
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return "may not hold control characters";
    }
    return "";
}

// A path relative to the output folder that stays inside it.
std::string relativePathProblem(const std::string& path) {
    if (path[0] == '/') return "must be relative to the output folder, not absolute";
    if (path.find('\\') != std::string::npos) return "must use '/' between folders, not '\\'";
    size_t start = 0;
    while (true) {
        const size_t slash = path.find('/', start);
        const std::string part = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (part.empty()) return "has an empty folder name ('//' or a '/' at the end)";
        if (part[0] == '.') return "has a file or folder name that starts with '.' (\"" + part + "\")";
        if (slash == std::string::npos) return "";
        start = slash + 1;
    }
}

bool endsWithPng(const std::string& path) { return path.size() > 4 && path.compare(path.size() - 4, 4, ".png") == 0; }

// {name}, {seed} and {index}; the pattern must name a PNG inside the output folder.
std::string patternProblem(const std::string& pattern) {
    std::string sample;
    for (size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '}') return "has a '}' without '{' (placeholders: {name}, {seed}, {index})";
        if (pattern[i] != '{') {
            sample += pattern[i];
            continue;
        }
        const size_t close = pattern.find('}', i);
        const std::string placeholder =
            pattern.substr(i, close == std::string::npos ? std::string::npos : close - i + 1);
        if (placeholder != "{name}" && placeholder != "{seed}" && placeholder != "{index}") {
            return "has an unknown placeholder " + quoted(placeholder) + " (placeholders: {name}, {seed}, {index})";
        }
        sample += "x";
        i = close;
    }
    if (!endsWithPng(pattern)) return "must end in \".png\"";
    return relativePathProblem(sample);
}

std::string expand(const std::string& pattern, const std::string& name, uint64_t seed, size_t index) {
    std::string out;
    for (size_t i = 0; i < pattern.size(); ++i) {
        if (pattern.compare(i, 6, "{name}") == 0)
            out += name, i += 5;
        else if (pattern.compare(i, 6, "{seed}") == 0)
            out += std::to_string(seed), i += 5;
        else if (pattern.compare(i, 7, "{index}") == 0)
            out += std::to_string(index), i += 6;
        else
            out += pattern[i];
    }
    return out;
}

void readSeeds(const Fields& f, BakeEntry* e) {
    const bool hasSeeds = f.has("seeds"), hasCount = f.has("count");
    if (hasSeeds && hasCount) {
        f.fail("count", "give either \"seeds\" (a list) or \"count\" (with \"first_seed\"), not both");
    } else if (hasSeeds) {
        if (f.has("first_seed")) f.fail("first_seed", "goes with \"count\", not with \"seeds\"");
        if (auto seeds = f.seeds("seeds", std::nullopt)) e->seeds = *seeds;
    } else if (hasCount) {
        const std::optional<uint64_t> count = f.whole("count", 1, kMaxImages);
        if (!count) return;
        if (!f.has("first_seed")) {
            for (uint64_t i = 0; i < *count; ++i) e->seeds.push_back(i);
        } else if (auto seeds = f.seedRange("first_seed", size_t(*count))) {
            e->seeds = *seeds;
        }
    } else {
        f.fail("seeds", "missing: give \"seeds\" (a list of seeds) or \"count\" (with an optional \"first_seed\")");
    }
}

void readStyle(const Fields& f, Problems& problems, BakeEntry* e) {
    const bool hasStyle = f.has("style"), hasBlend = f.has("blend");
    if (hasStyle == hasBlend) {
        f.fail("style", hasStyle ? "give either \"style\" or \"blend\", not both"
                                 : "missing: give \"style\" (a style name) or \"blend\" (style name -> weight)");
        return;
    }
    if (hasStyle) {
        e->style = f.string("style");
        return;
    }
    const Json& blend = f.at("blend");
    if (!blend.is_object() || blend.empty()) {
        f.fail("blend", "expected an object of style name -> weight, e.g. {\"orcs\": 0.7, \"undead\": 0.3}, got " +
                            describe(blend));
        return;
    }
    const Fields weights(blend, e, "blend.", problems);
    double total = 0.0;
    bool ok = true;
    for (const auto& item : blend.items()) {
        const std::optional<double> weight = weights.number(item.key().c_str(), 0.0, kMaxBlendWeight);
        if (item.key().empty()) weights.fail("", "a style name may not be empty");
        if (!weight || item.key().empty()) {
            ok = false;
            continue;
        }
        e->blend[item.key()] = *weight;
        total += *weight;
    }
    if (ok && !(total > 0.0)) f.fail("blend", "the weights add up to 0; at least one must be above 0");
    if (!ok || !(total > 0.0)) e->blend.clear();
}

void readNoiseAndMix(const Fields& f, Problems& problems, BakeEntry* e) {
    const std::optional<size_t> count = e->seeds.empty() ? std::nullopt : std::optional<size_t>(e->seeds.size());
    if (f.has("noise_seeds") && f.has("first_noise_seed")) {
        f.fail("first_noise_seed", "give either \"noise_seeds\" or \"first_noise_seed\", not both");
    } else if (f.has("noise_seeds")) {
        e->noiseSeeds = f.seeds("noise_seeds", count);
    } else if (f.has("first_noise_seed")) {
        e->noiseSeeds = f.seedRange("first_noise_seed", count.value_or(0));
    }

    if (!f.has("mix")) return;
    const Json& mix = f.at("mix");
    if (!mix.is_object()) {
        f.fail("mix", "expected an object such as {\"first_seed\": 7, \"layer\": 4}, got " + describe(mix));
        return;
    }
    const Fields m(mix, e, "mix.", problems);
    m.rejectUnknown({"first_seed", "seeds", "layer"}, "\"mix\"");
    MixSpec spec;
    if (m.has("seeds") == m.has("first_seed")) {
        m.fail("seeds", m.has("seeds") ? "give either \"seeds\" or \"first_seed\", not both"
                                       : "missing: give \"seeds\" (one per image) or \"first_seed\"");
        return;
    }
    const std::optional<std::vector<uint64_t>> seeds =
        m.has("seeds") ? m.seeds("seeds", count) : m.seedRange("first_seed", count.value_or(0));
    // Crossovers run 0..w layers; the model's count is checked once it is loaded.
    spec.layer = m.whole("layer", 0, 1024);
    if (!seeds || (m.has("layer") && !spec.layer)) return;
    spec.seeds = *seeds;
    e->mix = spec;
}

void readInterpolate(const Fields& f, Problems& problems, BakeEntry* e) {
    if (!f.has("interpolate")) return;
    const Json& value = f.at("interpolate");
    if (!value.is_object()) {
        f.fail("interpolate", "expected an object such as {\"first_seed\": 7, \"amount\": 0.5}, got " + describe(value));
        return;
    }
    const size_t count = e->seeds.size();
    const Fields li(value, e, "interpolate.", problems);
    li.rejectUnknown({"first_seed", "seeds", "amount", "amounts"}, "\"interpolate\"");
    if (li.has("seeds") == li.has("first_seed")) {
        li.fail("seeds", li.has("seeds") ? "give either \"seeds\" or \"first_seed\", not both"
                                         : "missing: give \"seeds\" (one target seed per image) or \"first_seed\"");
        return;
    }
    const std::optional<std::vector<uint64_t>> targets =
        li.has("seeds") ? li.seeds("seeds", count ? std::optional<size_t>(count) : std::nullopt)
                        : li.seedRange("first_seed", count);
    if (li.has("amount") == li.has("amounts")) {
        li.fail("amount", li.has("amount") ? "give either \"amount\" or \"amounts\", not both"
                                           : "missing: give \"amount\" (0 = the seed, 1 = the target seed) or "
                                             "\"amounts\" (one per image)");
        return;
    }
    std::vector<float> amounts;
    if (li.has("amount")) {
        const std::optional<double> amount = li.number("amount", 0.0, 1.0);
        if (!amount) return;
        amounts.assign(count, float(*amount));
    } else {
        const Json& list = li.at("amounts");
        if (!list.is_array() || list.size() != count) {
            li.fail("amounts", "expected a list of " + std::to_string(count) + " numbers from 0 to 1 (one per image), got " +
                                   describe(list));
            return;
        }
        for (size_t i = 0; i < list.size(); ++i) {
            if (!list[i].is_number() || !(list[i].get<double>() >= 0.0 && list[i].get<double>() <= 1.0)) {
                li.fail("amounts[" + std::to_string(i) + "]", "expected a number from 0 to 1, got " + describe(list[i]));
                return;
            }
            amounts.push_back(float(list[i].get<double>()));
        }
    }
    if (!targets) return;
    e->interpolate = InterpolateSpec{*targets, amounts};
}

std::optional<AtlasSpec> readAtlas(const Fields& f, Problems& problems, const BakeEntry& e) {
    const Json& atlas = f.at("atlas");
    if (!atlas.is_object()) {
        f.fail("atlas",
               "expected an object such as {\"file\": \"orcs_atlas.png\", \"columns\": 4}, got " + describe(atlas));
        return std::nullopt;
    }
    const Fields a(atlas, &e, "atlas.", problems);
    a.rejectUnknown({"file", "columns", "index"}, "\"atlas\"");
    const std::optional<std::string> file = a.string("file");
    const std::optional<uint64_t> columns = a.whole("columns", 1, kMaxImages);
    const std::string index = a.choice("index", {"json", "csv"}).value_or("json");
    if (!file) {
        if (!a.has("file")) a.fail("file", "missing: the atlas PNG's path in the output folder");
        return std::nullopt;
    }
    const std::string problem = endsWithPng(*file) ? relativePathProblem(*file) : "must end in \".png\"";
    if (!problem.empty()) {
        a.fail("file", quoted(*file) + " " + problem);
        return std::nullopt;
    }
    // Default: as square as the image count allows.
    const double n = double(std::max<size_t>(1, e.seeds.size()));
    const uint64_t square = uint64_t(std::ceil(std::sqrt(n) - 1e-9));
    return AtlasSpec{*file, uint32_t(columns.value_or(square)), index, file->substr(0, file->size() - 4) + "." + index};
}

void readOutputs(const Fields& f, Problems& problems, BakeEntry* e) {
    if (const std::optional<std::string> output = f.string("output")) {
        const std::string problem = patternProblem(*output);
        if (problem.empty())
            e->output = *output;
        else
            f.fail("output", quoted(*output) + " " + problem);
    }
    if (f.has("atlas")) e->atlas = readAtlas(f, problems, *e);

    const std::string pattern = e->output.value_or(kDefaultOutput);
    const bool singleFiles = e->output || !f.has("atlas");
    if (singleFiles && e->seeds.size() > 1 && pattern.find("{seed}") == std::string::npos &&
        pattern.find("{index}") == std::string::npos) {
        f.fail("output", quoted(pattern) + " gives every image the same file name; put {seed} or {index} in it");
        return;
    }
    for (size_t i = 0; i < e->seeds.size(); ++i) {
        const std::string file = expand(pattern, e->name, e->seeds[i], i);
        const std::string base = file.substr(file.find_last_of('/') + 1);  // npos + 1 == 0
        e->imageNames.push_back(base.substr(0, base.size() - 4));
        if (singleFiles) e->imageFiles.push_back(file);
    }
}

BakeEntry readEntry(const Json& value, size_t position, const std::optional<std::string>& topModel,
                    Problems& problems) {
    BakeEntry e;
    e.position = position;
    if (!value.is_object()) {
        problems.add(&e, "", "expected an object (one bake entry), got " + describe(value));
        return e;
    }
    const Fields f(value, &e, "", problems);
    if (const std::optional<std::string> name = f.string("name")) {
        const std::string problem = nameProblem(*name);
        if (problem.empty())
            e.name = *name;
        else
            f.fail("name", quoted(*name) + " " + problem);
    } else if (!f.has("name")) {
        f.fail("name", "missing: every entry needs a name (it is {name} in file names)");
    }
    f.rejectUnknown({"name", "model", "style", "blend", "seeds", "count", "first_seed", "psi", "noise", "noise_seeds",
                     "first_noise_seed", "mix", "interpolate", "width", "height", "alpha", "output", "atlas"},
                    "an entry");

    if (const std::optional<std::string> model = f.string("model"))
        e.model = *model;
    else if (!f.has("model") && topModel)
        e.model = *topModel;
    else if (!f.has("model"))
        f.fail("model", "missing: give \"model\" here or at the top level of the manifest");

    readStyle(f, problems, &e);
    readSeeds(f, &e);
    e.psi = f.number("psi", 0.0, 1.0).value_or(1.0);
    e.noise = f.number("noise", 0.0, kMaxNoise).value_or(1.0);
    readNoiseAndMix(f, problems, &e);
    readInterpolate(f, problems, &e);
    if (auto width = f.whole("width", 1, SG_MAX_IMAGE_EXTENT)) e.width = uint32_t(*width);
    if (auto height = f.whole("height", 1, SG_MAX_IMAGE_EXTENT)) e.height = uint32_t(*height);
    e.premultiplied = f.choice("alpha", {"straight", "premultiplied"}).value_or("straight") == "premultiplied";
    readOutputs(f, problems, &e);
    return e;
}

// Two entries (or two images of one) may not write the same file.
void checkFileClashes(const BakeManifest& manifest, Problems& problems) {
    std::map<std::string, const BakeEntry*> owners;
    owners[kProvenanceFileName] = nullptr;
    for (const BakeEntry& entry : manifest.entries) {
        for (const std::string& file : entry.files()) {
            const auto [it, inserted] = owners.emplace(file, &entry);
            if (inserted) continue;
            const std::string field =
                entry.atlas && (file == entry.atlas->file || file == entry.atlas->indexFile) ? "atlas.file" : "output";
            if (!it->second) {
                problems.add(&entry, field, "would write " + quoted(file) + ", which the bake keeps for itself");
            } else if (it->second == &entry) {
                problems.add(
                    &entry, field,
                    "would write " + quoted(file) + " twice (a seed appears twice? put {index} in \"output\")");
            } else {
                problems.add(&entry, field,
                             "would write " + quoted(file) + ", which entries[" + std::to_string(it->second->position) +
                                 "] (" + quoted(it->second->name) + ") writes too");
            }
            break;
        }
    }
}

}  // namespace

std::vector<std::string> BakeEntry::files() const {
    std::vector<std::string> all = imageFiles;
    if (atlas) {
        all.push_back(atlas->file);
        all.push_back(atlas->indexFile);
    }
    return all;
}

bool isSafeRelativePath(const std::string& path) { return !path.empty() && relativePathProblem(path).empty(); }

std::string fieldWhere(const BakeManifest& manifest, const BakeEntry* entry, const std::string& field) {
    std::string where = manifest.path;
    if (entry) {
        where += ": entries[" + std::to_string(entry->position) + "]";
        if (!entry->name.empty()) where += " (" + quoted(entry->name) + ")";
    }
    if (!field.empty()) where += (entry ? ", field " : ": field ") + quoted(field);
    return where;
}

BakeManifest readManifest(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in.is_open()) throw Failure("cannot open manifest " + path + ": " + std::strerror(errno));
    const std::string text(std::istreambuf_iterator<char>(in), {});
    if (in.bad()) throw Failure("cannot read manifest " + path + ": " + std::strerror(errno));
    return parseManifest(path, text);
}

BakeManifest parseManifest(const std::string& path, const std::string& text) {
    BakeManifest manifest;
    manifest.path = path;
    manifest.folder = parentFolder(path);
    Json root;
    try {
        root = Json::parse(text);
    } catch (const Json::exception& e) {  // parse_error, and out_of_range for a number such as 1e4444
        std::string what = e.what();
        const size_t bracket = what.find("] ");
        if (what.rfind("[json.exception", 0) == 0 && bracket != std::string::npos) what = what.substr(bracket + 2);
        throw ManifestError(path + ": not valid JSON: " + what);
    }

    Problems problems(manifest);
    if (!root.is_object()) {
        problems.add(nullptr, "", "expected a JSON object with \"stylegen_manifest\", \"model\" and \"entries\"");
        problems.throwIfAny();
    }
    const Fields top(root, nullptr, "", problems);
    top.rejectUnknown({"stylegen_manifest", "model", "entries"}, "the manifest");
    if (!top.has("stylegen_manifest")) {
        top.fail("stylegen_manifest", "missing: a manifest starts with \"stylegen_manifest\": 1");
    } else if (const Json& version = top.at("stylegen_manifest"); version != Json(kManifestVersion)) {
        top.fail("stylegen_manifest", "version " + describe(version) + " is not supported (this stylegen reads " +
                                          std::to_string(kManifestVersion) + ")");
    }
    const std::optional<std::string> model = top.string("model");
    if (!top.has("entries")) {
        top.fail("entries", "missing: the list of things to bake");
    } else if (const Json& entries = top.at("entries"); !entries.is_array() || entries.empty()) {
        top.fail("entries", "expected a non-empty list of entries, got " + describe(entries));
    } else {
        std::map<std::string, size_t> names;
        for (size_t i = 0; i < entries.size(); ++i) {
            manifest.entries.push_back(readEntry(entries[i], i, model, problems));
            const BakeEntry& entry = manifest.entries.back();
            if (entry.name.empty()) continue;
            if (const auto [it, inserted] = names.emplace(entry.name, i); !inserted) {
                problems.add(
                    &entry, "name",
                    quoted(entry.name) + " is already the name of entries[" + std::to_string(it->second) + "]");
            }
        }
    }
    checkFileClashes(manifest, problems);
    problems.throwIfAny();
    return manifest;
}

}  // namespace sg::cli
