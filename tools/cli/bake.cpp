// bake.cpp - `stylegen bake MANIFEST.json -o DIR`: every entry of a manifest
// (bake_manifest.hpp) generated into PNGs and atlases, deterministically,
// incrementally and atomically, with a provenance file beside the outputs.
//
// [SECTION] Options
// [SECTION] Planning: entries resolved against their models
// [SECTION] Provenance: what was baked from what, and what is up to date
// [SECTION] Output folder housekeeping
// [SECTION] Baking: tasks on --jobs threads
// [SECTION] The command
#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "bake_manifest.hpp"
#include "commands.hpp"
#include "file_system.hpp"
#include "image.hpp"
#include "options.hpp"
#include "png_file.hpp"
#include "progress.hpp"
#include "sdk_session.hpp"

namespace sg::cli {
namespace {

// Ordered: the provenance and index files keep the order they are written in.
using Json = nlohmann::ordered_json;

// [SECTION] Options -----------------------------------------------------------

constexpr const char* kHelp =
    "Usage: stylegen bake MANIFEST.json -o DIR [options]\n"
    "\n"
    "Generates every entry of a bake manifest (docs/bake.md) into DIR: one PNG per\n"
    "image and/or atlases with a JSON or CSV index. The same manifest and model\n"
    "always give the same bytes, with any --jobs. Only entries whose parameters,\n"
    "model content or output files changed since the last bake into DIR are\n"
    "generated again; DIR/bake-provenance.json records what each file was made\n"
    "from. Files are written atomically (temporary file + rename), so a killed\n"
    "bake leaves no partial PNG; run it again to finish.\n"
    "\n"
    "Options:\n"
    "  -o, --output DIR       output folder, created if missing (one folder per manifest)\n"
    "  -j, --jobs N           images generated and encoded at once, 0 = one per\n"
    "                         hardware thread (default 0)\n"
    "  --model-dir DIR        look here for a model given by bare name, e.g. \"characters\"\n"
    "                         (repeatable; then the installed models folder)\n"
    "  --force                bake every entry, even those that are up to date\n"
    "  --threads N            generator worker threads, 0 = one per hardware thread (default 0)\n"
    "  --backend auto|cpu     auto: a GPU plugin when one works, else the CPU (default auto)\n"
    "  -v, --verbose          print the backend in use and the SDK's log to stderr\n"
    "  -h, --help             this text\n"
    "\n"
    "Prints one line per entry baked and a summary; a progress bar on a terminal.\n"
    "Exit codes: 0 success; 1 a bad manifest (every problem is listed, with the file,\n"
    "entry and field), a model that does not load, a file that cannot be written;\n"
    "2 a bad command line.\n"
    "Example:\n"
    "  stylegen bake textures.json -o build/assets --jobs 2\n";

// Images per generator call: large enough to batch, small enough that the
// progress bar moves and --jobs has work to share.
constexpr size_t kImagesPerTask = 8;

struct BakeOptions {
    std::string manifestPath;
    std::string outputDir;
    unsigned jobs = 0;
    bool force = false;
    std::vector<std::string> modelDirs;
    ContextOptions context;
};

std::optional<BakeOptions> parseOptions(const std::vector<std::string>& args) {
    BakeOptions o;
    ArgScanner scanner(args);
    std::vector<std::string> positionals;
    std::string v;
    while (!scanner.done()) {
        if (scanner.flag("--help") || scanner.flag("-h")) {
            std::fputs(kHelp, stdout);
            return std::nullopt;
        }
        if (scanner.option("-o", &v) || scanner.option("--output", &v)) o.outputDir = v;
        else if (scanner.option("-j", &v) || scanner.option("--jobs", &v))
            o.jobs = unsigned(parseUnsigned("--jobs", v, 0, 256));
        else if (scanner.option("--model-dir", &v)) o.modelDirs.push_back(v);
        else if (scanner.flag("--force")) o.force = true;
        else if (scanContextOption(scanner, &o.context)) {}
        else if (scanner.positional(&v)) positionals.push_back(v);
        else scanner.rejectCurrent();
    }
    o.manifestPath = onlyPositional(positionals, "bake", "MANIFEST.json");
    if (o.outputDir.empty()) throw UsageError("bake needs an output folder: -o DIR");
    if (o.jobs == 0) o.jobs = std::max(1u, std::thread::hardware_concurrency());
    return o;
}

// [SECTION] Planning: entries resolved against their models -------------------

struct LoadedModel {
    std::string path;  // absolute, as resolved
    sg::Model model;
    SgModelInfo info;
    std::vector<std::string> styles;
    std::string hash;  // SHA-256 of the content, hex (SgModelInfo::contentHash)
};

// One entry, ready to generate: the SgGenerateInfo fields and the files.
struct EntryPlan {
    const BakeEntry* entry = nullptr;
    const LoadedModel* model = nullptr;
    uint32_t styleIndex = 0;
    std::vector<float> weights;  // empty: styleIndex alone
    uint32_t width = 0;
    uint32_t height = 0;
    uint32_t mixLayer = 0;
    Json record;  // its provenance record: name, model, parameters, files
    bool upToDate = false;
};

std::string styleList(const std::vector<std::string>& styles) {
    std::string list;
    for (const std::string& s : styles) list += (list.empty() ? "" : ", ") + s;
    return list;
}

// The entry's parameters after defaults and the model are applied: what its
// pixels and files are a function of (with the model's content hash).
Json resolvedParameters(const EntryPlan& plan) {
    const BakeEntry& e = *plan.entry;
    Json p = Json::object();
    if (e.style) p["style"] = *e.style;
    else p["blend"] = e.blend;
    p["seeds"] = e.seeds;
    p["psi"] = e.psi;
    p["noise"] = e.noise;
    if (e.noiseSeeds) p["noise_seeds"] = *e.noiseSeeds;
    if (e.mix) p["mix"] = {{"seeds", e.mix->seeds}, {"layer", plan.mixLayer}};
    if (e.interpolate) p["interpolate"] = {{"seeds", e.interpolate->targetSeeds}, {"amounts", e.interpolate->amounts}};
    p["width"] = plan.width;
    p["height"] = plan.height;
    p["alpha"] = e.premultiplied ? "premultiplied" : "straight";
    if (!e.imageFiles.empty()) p["output"] = e.output.value_or("{name}_{seed}.png");
    if (e.atlas) p["atlas"] = {{"file", e.atlas->file}, {"columns", e.atlas->columns}, {"index", e.atlas->indexKind}};
    return p;
}

// Loads each model once and checks what needs it (styles, sizes, the mixing
// layer, atlas size). Throws ManifestError listing every problem.
std::vector<EntryPlan> planEntries(const BakeManifest& manifest, const sg::Context& context,
                                   const std::vector<std::string>& modelDirs,
                                   std::vector<std::unique_ptr<LoadedModel>>* models) {
    std::vector<std::string> problems;
    auto fail = [&](const BakeEntry& entry, const std::string& field, const std::string& message) {
        problems.push_back(fieldWhere(manifest, &entry, field) + ": " + message);
    };
    std::vector<std::string> folders = modelDirs;
    folders.push_back(installedModelsFolder());
    std::map<std::string, const LoadedModel*> byPath;  // nullptr: failed to load

    std::vector<EntryPlan> plans;
    for (const BakeEntry& entry : manifest.entries) {
        const std::string path = absolutePath(findModelFile(entry.model, manifest.folder, folders));
        if (!byPath.count(path)) {
            try {
                sg::Model model = context.loadModel(path);
                auto loaded = std::make_unique<LoadedModel>(LoadedModel{path, std::move(model), {}, {}, {}});
                loaded->info = loaded->model.info();
                loaded->styles = loaded->model.styleNames();
                loaded->hash = hexString(loaded->info.contentHash, sizeof loaded->info.contentHash);
                byPath[path] = loaded.get();
                models->push_back(std::move(loaded));
            } catch (const sg::Error& e) {
                byPath[path] = nullptr;
                std::string where = path;
                if (e.result() == SG_ERROR_IO && entry.model.find('/') == std::string::npos) {
                    // A bare name: say everywhere it was looked for.
                    where = "not in " + manifest.folder;
                    for (const std::string& folder : folders) where += folder.empty() ? "" : ", " + folder;
                }
                fail(entry, "model", "cannot load \"" + entry.model + "\" (" + where + "): " + e.what());
            }
        }
        const LoadedModel* model = byPath[path];
        if (!model) continue;
        const SgModelInfo& info = model->info;

        EntryPlan plan;
        plan.entry = &entry;
        plan.model = model;
        auto findStyle = [&](const std::string& name, const std::string& field) -> std::optional<uint32_t> {
            const auto it = std::find(model->styles.begin(), model->styles.end(), name);
            if (it != model->styles.end()) return uint32_t(it - model->styles.begin());
            fail(entry, field, "unknown style \"" + name + "\" (model '" + info.pName + "' has " +
                                   styleList(model->styles) + ")");
            return std::nullopt;
        };
        if (entry.style) {
            // An exact style name, else a style prompt such as "orcs:0.7 + undead:0.3".
            const auto it = std::find(model->styles.begin(), model->styles.end(), *entry.style);
            std::string why;
            if (it != model->styles.end()) plan.styleIndex = uint32_t(it - model->styles.begin());
            else if (!parseStylePrompt(model->model, *entry.style, &plan.weights, &why)) fail(entry, "style", why);
        } else {
            plan.weights.assign(model->styles.size(), 0.0f);
            for (const auto& [name, weight] : entry.blend) {
                if (const auto index = findStyle(name, "blend." + name)) plan.weights[*index] = float(weight);
            }
        }

        plan.width = entry.width.value_or(info.resolution);
        plan.height = entry.height.value_or(info.resolution);
        const std::string size = std::to_string(plan.width) + "x" + std::to_string(plan.height);
        const std::string sizeField = entry.width ? "width" : "height";
        if (info.kind == SG_MODEL_KIND_CHARACTER && (plan.width != info.resolution || plan.height != info.resolution)) {
            fail(entry, sizeField, size + ": character model '" + info.pName + "' only makes " +
                                       std::to_string(info.resolution) + "x" + std::to_string(info.resolution));
        } else if (plan.width % info.blockSize != 0 || plan.height % info.blockSize != 0) {
            fail(entry, sizeField, size + ": width and height must be multiples of model '" + info.pName +
                                       "''s block size " + std::to_string(info.blockSize));
        } else {
            notePatternBreak(model->model, plan.width, plan.height, fieldWhere(manifest, &entry, sizeField));
        }

        plan.mixLayer = entry.mix && entry.mix->layer ? *entry.mix->layer : info.wLayerCount / 2;
        if (plan.mixLayer > info.wLayerCount) {
            fail(entry, "mix.layer", std::to_string(plan.mixLayer) + ": model '" + info.pName + "' has " +
                                         std::to_string(info.wLayerCount) + " w layers (crossover 0.." +
                                         std::to_string(info.wLayerCount) + ")");
        }
        if (entry.atlas) {
            const uint64_t columns = entry.atlas->columns;
            const uint64_t rows = (entry.seeds.size() + entry.atlas->columns - 1) / entry.atlas->columns;
            if (columns * plan.width > SG_MAX_IMAGE_EXTENT || rows * plan.height > SG_MAX_IMAGE_EXTENT) {
                fail(entry, "atlas.columns",
                     "the atlas would be " + std::to_string(columns * plan.width) + "x" +
                         std::to_string(rows * plan.height) + " pixels; the largest is " +
                         std::to_string(SG_MAX_IMAGE_EXTENT) + " a side (" + std::to_string(columns) +
                         " columns of " + std::to_string(plan.width) + " pixels)");
            }
        }

        plan.record = {{"name", entry.name},
                       {"model", {{"path", model->path}, {"name", info.pName}, {"content_hash", model->hash}}},
                       {"parameters", resolvedParameters(plan)},
                       {"files", entry.files()}};
        plans.push_back(std::move(plan));
    }
    if (!problems.empty()) {
        std::string text;
        for (const std::string& line : problems) text += (text.empty() ? "" : "\n") + line;
        throw ManifestError(text);
    }
    return plans;
}

// [SECTION] Provenance: what was baked from what, and what is up to date ------

std::string versionString() {
    const uint32_t version = sgGetVersion();
    return std::to_string(SG_VERSION_MAJOR(version)) + "." + std::to_string(SG_VERSION_MINOR(version)) + "." +
           std::to_string(SG_VERSION_PATCH(version));
}

// The previous bake's records by entry name; empty when there is no usable file.
std::map<std::string, Json> readProvenance(const std::string& path) {
    std::map<std::string, Json> records;
    std::ifstream in(path, std::ios::binary);
    if (!in.is_open()) return records;
    const Json root = Json::parse(std::string(std::istreambuf_iterator<char>(in), {}), nullptr, false);
    if (!root.is_object() || !root.contains("entries") || !root["entries"].is_array()) {
        std::fprintf(stderr, "stylegen: warning: %s is not a bake provenance file; baking every entry\n", path.c_str());
        return records;
    }
    for (const Json& record : root["entries"]) {
        if (record.is_object() && record.contains("name") && record["name"].is_string()) {
            records[record["name"].get<std::string>()] = record;
        }
    }
    return records;
}

bool isUpToDate(const EntryPlan& plan, const std::map<std::string, Json>& previous, const std::string& prefix) {
    const auto it = previous.find(plan.entry->name);
    if (it == previous.end()) return false;
    const Json& old = it->second;
    const Json& model = old.value("model", Json::object());
    if (!model.is_object() || model.value("content_hash", Json()) != plan.record["model"]["content_hash"] ||
        old.value("parameters", Json()) != plan.record["parameters"] ||
        old.value("files", Json()) != plan.record["files"]) {
        return false;
    }
    for (const std::string& file : plan.entry->files()) {
        if (!isRegularFile(prefix + file)) return false;
    }
    return true;
}

// The files a provenance record lists that are safe to delete: relative paths
// that stay inside the output folder (the file could have been edited).
std::vector<std::string> recordedFiles(const Json& record) {
    std::vector<std::string> files;
    const Json& list = record.value("files", Json::array());
    if (!list.is_array()) return files;
    for (const Json& file : list) {
        if (file.is_string() && isSafeRelativePath(file.get<std::string>())) files.push_back(file.get<std::string>());
    }
    return files;
}

// [SECTION] Output folder housekeeping ----------------------------------------

// Temporary files of a bake that was killed: they are hidden, but they would
// pile up. A live process's own (another bake running now) are left alone.
void removeStaleTemporaries(const std::string& folder) {
    DIR* dir = ::opendir(folder.c_str());
    if (!dir) return;
    std::vector<std::string> stale;
    while (const dirent* item = ::readdir(dir)) {
        long pid = 0;
        if (isTemporaryFileName(item->d_name, &pid) && pid != long(::getpid()) &&
            ::kill(pid_t(pid), 0) != 0 && errno == ESRCH) {
            stale.push_back(folder + "/" + item->d_name);
        }
    }
    ::closedir(dir);
    for (const std::string& path : stale) ::unlink(path.c_str());
}

// [SECTION] Baking: tasks on --jobs threads ------------------------------------

struct Task {
    size_t plan = 0;
    size_t first = 0;
    size_t count = 0;
};

class Baker {
public:
    Baker(const BakeOptions& options, const BakeManifest& manifest, std::vector<EntryPlan>& plans,
          std::map<std::string, Json> previous)
        : options_(options),
          manifest_(manifest),
          plans_(plans),
          previous_(std::move(previous)),
          prefix_(options.outputDir.back() == '/' ? options.outputDir : options.outputDir + "/"),
          remaining_(plans.size()),
          atlases_(plans.size()) {}

    // Bakes every plan that is not up to date; returns the images generated.
    size_t run() {
        std::vector<Task> tasks;
        size_t images = 0;
        for (size_t p = 0; p < plans_.size(); ++p) {
            const EntryPlan& plan = plans_[p];
            if (plan.upToDate) continue;
            const size_t n = plan.entry->seeds.size();
            remaining_[p] = n;
            images += n;
            if (const AtlasSpec* atlas = plan.entry->atlas ? &*plan.entry->atlas : nullptr) {
                const uint32_t rows = uint32_t((n + atlas->columns - 1) / atlas->columns);
                atlases_[p] = Image(atlas->columns * plan.width, rows * plan.height);
            }
            for (size_t first = 0; first < n; first += kImagesPerTask) {
                tasks.push_back({p, first, std::min(kImagesPerTask, n - first)});
            }
        }
        if (tasks.empty()) return 0;

        ProgressBar progress(images, "images");
        progress_ = &progress;
        std::atomic<size_t> next{0};
        auto worker = [&] {
            for (size_t t; !failed_.load() && (t = next.fetch_add(1)) < tasks.size();) {
                try {
                    runTask(tasks[t]);
                } catch (const std::exception& e) {
                    std::lock_guard<std::mutex> lock(mutex_);
                    if (!failed_.exchange(true)) error_ = e.what();
                }
            }
        };
        std::vector<std::thread> threads;
        for (unsigned j = 1; j < std::min<size_t>(options_.jobs, tasks.size()); ++j) threads.emplace_back(worker);
        worker();
        for (std::thread& thread : threads) thread.join();
        progress.finish();
        progress_ = nullptr;
        if (failed_) throw Failure(error_);
        return images;
    }

    // The provenance file: the records of this manifest's entries in order.
    // While baking (final = false) entries not yet baked keep their previous
    // record, and so do entries gone from the manifest, so a killed bake still
    // knows which files it wrote.
    Json provenance(bool final) const {
        Json entries = Json::array();
        std::set<std::string> names;
        for (size_t p = 0; p < plans_.size(); ++p) {
            const EntryPlan& plan = plans_[p];
            names.insert(plan.entry->name);
            const auto old = previous_.find(plan.entry->name);
            if (final || plan.upToDate || done_.count(p)) entries.push_back(plan.record);
            else if (old != previous_.end()) entries.push_back(old->second);
        }
        if (!final) {
            for (const auto& [name, record] : previous_) {
                if (!names.count(name)) entries.push_back(record);
            }
        }
        return {{"stylegen_bake_provenance", 1},
                {"stylegen_version", versionString()},
                {"manifest", absolutePath(manifest_.path)},
                {"entries", entries}};
    }

    // Writes the provenance file unless it already holds exactly this.
    void writeProvenance(bool final) const {
        const std::string text = provenance(final).dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
        const std::string path = prefix_ + kProvenanceFileName;
        std::ifstream in(path, std::ios::binary);
        if (in.is_open() && std::string(std::istreambuf_iterator<char>(in), {}) == text) return;
        std::string error;
        if (!writeFileAtomically(path, std::vector<uint8_t>(text.begin(), text.end()), &error)) throw Failure(error);
    }

private:
    void runTask(const Task& task) {
        EntryPlan& plan = plans_[task.plan];
        const BakeEntry& e = *plan.entry;
        sg::GenerateInfo info;
        info.count = uint32_t(task.count);
        info.pSeeds = e.seeds.data() + task.first;
        info.styleIndex = plan.styleIndex;
        info.styleWeightCount = uint32_t(plan.weights.size());
        info.pStyleWeights = plan.weights.empty() ? nullptr : plan.weights.data();
        info.truncationPsi = float(e.psi);
        info.noiseStrength = float(e.noise);
        info.width = plan.width;
        info.height = plan.height;
        info.alphaMode = e.premultiplied ? SG_ALPHA_MODE_PREMULTIPLIED : SG_ALPHA_MODE_STRAIGHT;
        if (e.mix) {
            info.flags |= SG_GENERATE_STYLE_MIXING_BIT;
            info.pMixSeeds = e.mix->seeds.data() + task.first;
            info.mixLayer = plan.mixLayer;
        }
        if (e.noiseSeeds) {
            info.flags |= SG_GENERATE_EXPLICIT_NOISE_SEEDS_BIT;
            info.pNoiseSeeds = e.noiseSeeds->data() + task.first;
        }
        SgLatentInterpolationInfo interpolation{};
        if (e.interpolate) {
            interpolation.sType = SG_STRUCTURE_TYPE_LATENT_INTERPOLATION_INFO;
            interpolation.pTargetSeeds = e.interpolate->targetSeeds.data() + task.first;
            interpolation.pAmounts = e.interpolate->amounts.data() + task.first;
            info.pNext = &interpolation;
        }
        const size_t imageBytes = size_t(plan.width) * plan.height * 4;
        std::vector<uint8_t> pixels(task.count * imageBytes);
        try {
            plan.model->model.generateInto(info, pixels.data(), pixels.size());
        } catch (const sg::Error& err) {
            throw Failure(fieldWhere(manifest_, &e, "") + ": generation failed: " + err.what());
        }

        for (size_t i = 0; i < task.count; ++i) {
            const size_t index = task.first + i;
            Image image(plan.width, plan.height);
            std::memcpy(image.pixels.data(), pixels.data() + i * imageBytes, imageBytes);
            if (!e.imageFiles.empty()) {
                std::string error;
                if (!writePngAtomically(prefix_ + e.imageFiles[index], image, &error)) throw Failure(error);
            }
            if (e.atlas) {
                // Each image owns its cell, so tasks fill the atlas without a lock.
                Image& atlas = atlases_[task.plan];
                const uint32_t x = uint32_t(index % e.atlas->columns) * plan.width;
                const uint32_t y = uint32_t(index / e.atlas->columns) * plan.height;
                for (uint32_t row = 0; row < plan.height; ++row) {
                    std::memcpy(atlas.at(x, y + row), image.at(0, row), size_t(plan.width) * 4);
                }
            }
        }
        progress_->advance(task.count, e.name);
        if (remaining_[task.plan].fetch_sub(task.count) == task.count) finishEntry(task.plan);
    }

    // Runs once per entry, on the thread that generated its last image.
    void finishEntry(size_t p) {
        const EntryPlan& plan = plans_[p];
        const BakeEntry& e = *plan.entry;
        if (e.atlas) {
            std::string error;
            if (!writePngAtomically(prefix_ + e.atlas->file, atlases_[p], &error)) throw Failure(error);
            atlases_[p] = Image();
            const std::vector<uint8_t> index = atlasIndex(plan);
            if (!writeFileAtomically(prefix_ + e.atlas->indexFile, index, &error)) throw Failure(error);
        }
        std::lock_guard<std::mutex> lock(mutex_);
        done_.insert(p);
        writeProvenance(false);
        const std::vector<std::string> files = e.files();
        progress_->printAbove([&] {
            std::printf("baked %s: %zu image%s -> %s%s\n", e.name.c_str(), e.seeds.size(),
                        e.seeds.size() == 1 ? "" : "s", (prefix_ + files.front()).c_str(),
                        files.size() > 1 ? (" and " + std::to_string(files.size() - 1) + " more").c_str() : "");
            std::fflush(stdout);
        });
    }

    std::vector<uint8_t> atlasIndex(const EntryPlan& plan) const {
        const BakeEntry& e = *plan.entry;
        const AtlasSpec& atlas = *e.atlas;
        std::string text;
        if (atlas.indexKind == "csv") {
            text = "name,seed,x,y,w,h\n";
            for (size_t i = 0; i < e.seeds.size(); ++i) {
                text += csvField(e.imageNames[i]) + "," + std::to_string(e.seeds[i]) + "," +
                        std::to_string((i % atlas.columns) * plan.width) + "," +
                        std::to_string((i / atlas.columns) * plan.height) + "," + std::to_string(plan.width) + "," +
                        std::to_string(plan.height) + "\n";
            }
        } else {
            Json images = Json::array();
            for (size_t i = 0; i < e.seeds.size(); ++i) {
                images.push_back({{"name", e.imageNames[i]},
                                  {"seed", e.seeds[i]},
                                  {"x", (i % atlas.columns) * plan.width},
                                  {"y", (i / atlas.columns) * plan.height},
                                  {"w", plan.width},
                                  {"h", plan.height}});
            }
            const std::string file = atlas.file.substr(atlas.file.find_last_of('/') + 1);
            const uint32_t rows = uint32_t((e.seeds.size() + atlas.columns - 1) / atlas.columns);
            const Json root = {{"atlas", file},
                               {"width", atlas.columns * plan.width},
                               {"height", rows * plan.height},
                               {"columns", atlas.columns},
                               {"images", images}};
            text = root.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
        }
        return std::vector<uint8_t>(text.begin(), text.end());
    }

    static std::string csvField(const std::string& text) {
        if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
        std::string quoted = "\"";
        for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
        return quoted + "\"";
    }

    const BakeOptions& options_;
    const BakeManifest& manifest_;
    std::vector<EntryPlan>& plans_;
    const std::map<std::string, Json> previous_;
    const std::string prefix_;
    std::vector<std::atomic<size_t>> remaining_;
    std::vector<Image> atlases_;
    ProgressBar* progress_ = nullptr;
    std::mutex mutex_;  // done_, error_, the provenance file, stdout
    std::set<size_t> done_;
    std::atomic<bool> failed_{false};
    std::string error_;
};

}  // namespace

// [SECTION] The command ----------------------------------------------------------

int runBake(const std::vector<std::string>& args) {
    const std::optional<BakeOptions> parsed = parseOptions(args);
    if (!parsed) return kExitSuccess;
    const BakeOptions& o = *parsed;
    const auto start = std::chrono::steady_clock::now();

    const BakeManifest manifest = readManifest(o.manifestPath);
    const sg::Context context = createContext(o.context);
    std::vector<std::unique_ptr<LoadedModel>> models;
    std::vector<EntryPlan> plans = planEntries(manifest, context, o.modelDirs, &models);

    const std::string prefix = o.outputDir.back() == '/' ? o.outputDir : o.outputDir + "/";
    makeFolders(o.outputDir);
    std::set<std::string> folders = {o.outputDir};
    std::set<std::string> files;
    for (const EntryPlan& plan : plans) {
        for (const std::string& file : plan.entry->files()) {
            files.insert(file);
            if (file.find('/') != std::string::npos) folders.insert(prefix + parentFolder(file));
        }
    }
    for (const std::string& folder : folders) {
        makeFolders(folder);
        removeStaleTemporaries(folder);
    }

    std::map<std::string, Json> previous = readProvenance(prefix + kProvenanceFileName);
    size_t upToDate = 0;
    for (EntryPlan& plan : plans) {
        plan.upToDate = !o.force && isUpToDate(plan, previous, prefix);
        upToDate += plan.upToDate;
    }
    // Files an earlier bake wrote that no entry writes now (an entry removed
    // or renamed, an output pattern changed): deleted once the bake succeeds.
    std::set<std::string> stale;
    for (const auto& [name, record] : previous) {
        for (const std::string& file : recordedFiles(record)) {
            if (!files.count(file)) stale.insert(file);
        }
    }

    Baker baker(o, manifest, plans, std::move(previous));
    const size_t images = baker.run();
    size_t removed = 0;
    for (const std::string& file : stale) removed += ::unlink((prefix + file).c_str()) == 0;
    baker.writeProvenance(true);

    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const size_t baked = plans.size() - upToDate;
    std::printf("bake %s: %zu entr%s baked (%zu image%s), %zu up to date", manifest.path.c_str(), baked,
                baked == 1 ? "y" : "ies", images, images == 1 ? "" : "s", upToDate);
    if (removed) std::printf(", %zu stale file%s removed", removed, removed == 1 ? "" : "s");
    std::printf(" in %.2f s\n", seconds);
    return kExitSuccess;
}

}  // namespace sg::cli
