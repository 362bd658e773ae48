// generate.cpp - `stylegen generate MODEL.sgm ...`: images of one style, a
// blend, or every style, written one PNG per image or as one contact sheet.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>

#include "commands.hpp"
#include "contact_sheet.hpp"
#include "file_system.hpp"
#include "image.hpp"
#include "options.hpp"
#include "png_file.hpp"
#include "sdk_session.hpp"

namespace sg::cli {
namespace {

constexpr const char* kHelp =
    "Usage: stylegen generate MODEL.sgm [options] (-o DIR | --sheet FILE.png)\n"
    "\n"
    "Generates images and writes one PNG per image into DIR (named STYLE_seedN.png)\n"
    "or one contact sheet: a row per style, a column per seed, over a checkerboard\n"
    "so transparency shows. The same options always give the same pixels.\n"
    "\n"
    "Style (default: style 0):\n"
    "  --style STYLE          one style, by name or index (see 'stylegen inspect'), or a\n"
    "                         style prompt, e.g. \"orcs:0.7 + undead:0.3\"\n"
    "  --blend NAME:W,...     a weighted blend, e.g. \"orcs:0.7,elves-wood:0.3\"\n"
    "  --all-styles           every style of the model, one after the other\n"
    "Seeds (default: --count 1 --seed 0):\n"
    "  --seeds LIST           seeds and ranges, e.g. 1,2,5-9\n"
    "  --count N --seed S     N seeds from S: S, S+1, ..., S+N-1\n"
    "Generator controls:\n"
    "  --psi X                truncation toward the style's mean, 0..1 (default 1: none)\n"
    "  --mix-seed S           style mixing: w layers from --mix-layer on come from seed S\n"
    "  --mix-layer K          crossover layer, 0..w layers (default: half the w layers)\n"
    "  --noise X              noise strength, 0 = none, 1 = as trained (default 1)\n"
    "  --size WxH             output size; scene models: any multiple of the block size\n"
    "                         (default: the model's resolution)\n"
    "Output (exactly one of -o and --sheet):\n"
    "  -o, --output DIR       one PNG per image into the existing folder DIR\n"
    "  --sheet FILE.png       one contact sheet\n"
    "  --sheet-columns N      at most N images per sheet line (default: all seeds on one line)\n"
    "  --scale N              enlarge N times, nearest neighbour (default 1)\n"
    "  --tile CxR             repeat each texture C across and R down to show it tiles\n"
    "                         (tileable models only)\n"
    "  --premultiplied        -o only: write premultiplied alpha (default: straight, as PNG expects)\n"
    "Execution:\n"
    "  --threads N            worker threads, 0 = one per hardware thread (default 0)\n"
    "  --backend auto|cpu     auto: a GPU plugin when one works, else the CPU (default auto)\n"
    "  -v, --verbose          print the backend in use and the SDK's log to stderr\n"
    "  -h, --help             this text\n"
    "\n"
    "Prints every file written and the generation time (the generator calls only).\n"
    "Example:\n"
    "  stylegen generate models/characters.sgm --all-styles --count 8 --scale 2 --sheet out/characters.png\n";

constexpr uint32_t kMaxScale = 64;
constexpr uint32_t kMaxTile = 16;

struct GenerateOptions {
    std::string modelPath;
    std::optional<std::string> style;
    std::vector<BlendTerm> blend;
    bool allStyles = false;
    std::vector<uint64_t> seeds;
    float psi = 1.0f;
    std::optional<uint64_t> mixSeed;
    std::optional<uint32_t> mixLayer;
    float noise = 1.0f;
    std::optional<Extent> size;
    Extent tile{1, 1};
    uint32_t scale = 1;
    std::string outputDir;
    std::string sheetPath;
    uint32_t sheetColumns = 0;
    bool premultiplied = false;
    ContextOptions context;
};

// One style or blend: a sheet row, a file-name prefix.
struct StyleRow {
    std::string label;
    std::string fileStem;
    uint32_t styleIndex = 0;
    std::vector<float> weights;  // empty: styleIndex alone
};

std::optional<GenerateOptions> parseOptions(const std::vector<std::string>& args) {
    GenerateOptions o;
    ArgScanner scanner(args);
    std::vector<std::string> positionals;
    std::optional<uint64_t> count;
    std::optional<uint64_t> firstSeed;
    std::optional<std::string> seedList;
    std::optional<uint64_t> columns;
    std::string v;
    while (!scanner.done()) {
        if (scanner.flag("--help") || scanner.flag("-h")) {
            std::fputs(kHelp, stdout);
            return std::nullopt;
        }
        if (scanner.option("--style", &v)) o.style = v;
        else if (scanner.option("--blend", &v)) o.blend = parseBlend("--blend", v);
        else if (scanner.flag("--all-styles")) o.allStyles = true;
        else if (scanner.option("--seeds", &v)) seedList = v;
        else if (scanner.option("--count", &v)) count = parseUnsigned("--count", v, 1, kMaxImages);
        else if (scanner.option("--seed", &v)) firstSeed = parseUnsigned("--seed", v, 0, UINT64_MAX);
        else if (scanner.option("--psi", &v)) o.psi = parseFloat("--psi", v, 0.0f, 1.0f);
        else if (scanner.option("--mix-seed", &v)) o.mixSeed = parseUnsigned("--mix-seed", v, 0, UINT64_MAX);
        else if (scanner.option("--mix-layer", &v)) o.mixLayer = uint32_t(parseUnsigned("--mix-layer", v, 0, 1024));
        else if (scanner.option("--noise", &v)) o.noise = parseFloat("--noise", v, 0.0f, 100.0f);
        else if (scanner.option("--size", &v)) o.size = parseExtent("--size", v, SG_MAX_IMAGE_EXTENT);
        else if (scanner.option("--tile", &v)) o.tile = parseExtent("--tile", v, kMaxTile);
        else if (scanner.option("--scale", &v)) o.scale = uint32_t(parseUnsigned("--scale", v, 1, kMaxScale));
        else if (scanner.option("-o", &v) || scanner.option("--output", &v)) o.outputDir = v;
        else if (scanner.option("--sheet", &v)) o.sheetPath = v;
        else if (scanner.option("--sheet-columns", &v)) columns = parseUnsigned("--sheet-columns", v, 1, kMaxImages);
        else if (scanner.flag("--premultiplied")) o.premultiplied = true;
        else if (scanContextOption(scanner, &o.context)) {}
        else if (scanner.positional(&v)) positionals.push_back(v);
        else scanner.rejectCurrent();
    }

    o.modelPath = onlyPositional(positionals, "generate", "MODEL.sgm");
    if (int(o.style.has_value()) + int(!o.blend.empty()) + int(o.allStyles) > 1) {
        throw UsageError("--style, --blend and --all-styles exclude each other");
    }
    if (seedList && (count || firstSeed)) throw UsageError("--seeds excludes --count and --seed");
    if (seedList) {
        o.seeds = parseSeedList("--seeds", *seedList, kMaxImages);
    } else {
        const uint64_t n = count.value_or(1);
        const uint64_t first = firstSeed.value_or(0);
        if (first > UINT64_MAX - (n - 1)) throw UsageError("--seed " + std::to_string(first) + " + --count overflows");
        for (uint64_t i = 0; i < n; ++i) o.seeds.push_back(first + i);
    }
    if (o.mixLayer && !o.mixSeed) throw UsageError("--mix-layer needs --mix-seed");
    if (o.outputDir.empty() == o.sheetPath.empty()) {
        throw UsageError("give exactly one output: -o DIR (one PNG per image) or --sheet FILE.png");
    }
    if (columns && o.sheetPath.empty()) throw UsageError("--sheet-columns applies to --sheet only");
    if (o.premultiplied && !o.sheetPath.empty()) {
        throw UsageError("--premultiplied applies to -o only (a contact sheet is opaque)");
    }
    o.sheetColumns = uint32_t(columns.value_or(0));
    return o;
}

// Keeps file names portable and free of path separators.
std::string fileSafe(const std::string& text) {
    std::string safe;
    for (char c : text) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '_' || c == '+' || c == '.';
        safe += ok ? c : '_';
    }
    if (safe.empty() || safe[0] == '.') safe.insert(safe.begin(), '_');
    return safe;
}

std::string formatWeight(float weight) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", double(weight));
    return text;
}

// "NAME:W+NAME:W" of a blend's non-zero weights, in style order.
std::string blendLabel(const std::vector<std::string>& styles, const std::vector<float>& weights) {
    std::string label;
    for (size_t i = 0; i < styles.size(); ++i) {
        if (weights[i] > 0.0f) label += (label.empty() ? "" : "+") + styles[i] + ":" + formatWeight(weights[i]);
    }
    return label;
}

std::vector<StyleRow> resolveRows(const GenerateOptions& o, const sg::Model& model,
                                  const std::vector<std::string>& styles) {
    std::vector<StyleRow> rows;
    if (o.allStyles) {
        for (size_t i = 0; i < styles.size(); ++i) rows.push_back({styles[i], fileSafe(styles[i]), uint32_t(i), {}});
    } else if (!o.blend.empty()) {
        StyleRow row;
        row.weights.assign(styles.size(), 0.0f);
        for (const BlendTerm& term : o.blend) {
            row.weights[resolveStyle(styles, term.style, "--blend")] += term.weight;
            const std::string part = term.style + ":" + formatWeight(term.weight);
            row.label += (row.label.empty() ? "" : "+") + part;
        }
        row.fileStem = "blend-" + fileSafe(row.label);
        rows.push_back(row);
    } else {
        std::vector<float> weights;
        const uint32_t index = o.style ? resolveStyleOrPrompt(model, styles, *o.style, "--style", &weights) : 0;
        if (weights.empty()) {
            rows.push_back({styles[index], fileSafe(styles[index]), index, {}});
        } else {
            const std::string label = blendLabel(styles, weights);
            rows.push_back({label, "blend-" + fileSafe(label), 0, weights});
        }
    }
    return rows;
}

// Generation checks the request too; checking here first turns a bad value into
// a usage error that names the option, before any time is spent.
Extent checkedSize(const GenerateOptions& o, const SgModelInfo& info) {
    const Extent size = o.size.value_or(Extent{info.resolution, info.resolution});
    const std::string text = std::to_string(size.width) + "x" + std::to_string(size.height);
    if (info.kind == SG_MODEL_KIND_CHARACTER && (size.width != info.resolution || size.height != info.resolution)) {
        throw UsageError("--size " + text + ": character model '" + info.pName + "' only generates " +
                         std::to_string(info.resolution) + "x" + std::to_string(info.resolution));
    }
    if (size.width % info.blockSize != 0 || size.height % info.blockSize != 0) {
        throw UsageError("--size " + text + ": width and height must be multiples of the model's block size " +
                         std::to_string(info.blockSize));
    }
    return size;
}

struct Timing {
    double milliseconds = 0.0;
    size_t images = 0;
};

// Generates one row's images, premultiplied or straight, each already tiled
// and scaled for output. Splits the work to respect the per-call output limit.
std::vector<Image> generateRow(const sg::Model& model, const GenerateOptions& o, const StyleRow& row, Extent size,
                               uint32_t mixLayer, SgAlphaMode alphaMode, Timing* timing) {
    const size_t imageBytes = size_t(size.width) * size.height * 4;
    const size_t perCall = std::max<size_t>(1, SG_MAX_GENERATE_OUTPUT_BYTES / imageBytes);
    std::vector<Image> images;
    std::vector<uint8_t> pixels;
    for (size_t first = 0; first < o.seeds.size(); first += perCall) {
        const size_t count = std::min(perCall, o.seeds.size() - first);
        const std::vector<uint64_t> mixSeeds(count, o.mixSeed.value_or(0));
        sg::GenerateInfo info;
        info.count = uint32_t(count);
        info.pSeeds = o.seeds.data() + first;
        info.styleIndex = row.styleIndex;
        info.styleWeightCount = uint32_t(row.weights.size());
        info.pStyleWeights = row.weights.empty() ? nullptr : row.weights.data();
        info.truncationPsi = o.psi;
        info.noiseStrength = o.noise;
        info.width = size.width;
        info.height = size.height;
        info.alphaMode = alphaMode;
        if (o.mixSeed) {
            info.flags |= SG_GENERATE_STYLE_MIXING_BIT;
            info.pMixSeeds = mixSeeds.data();
            info.mixLayer = mixLayer;
        }
        pixels.resize(count * imageBytes);
        const auto start = std::chrono::steady_clock::now();
        try {
            model.generateInto(info, pixels.data(), pixels.size());
        } catch (const sg::Error& e) {
            throw Failure("generation failed (" + row.label + "): " + e.what());
        }
        const auto elapsed = std::chrono::steady_clock::now() - start;
        timing->milliseconds += std::chrono::duration<double, std::milli>(elapsed).count();
        timing->images += count;
        for (size_t i = 0; i < count; ++i) {
            Image image(size.width, size.height);
            std::memcpy(image.pixels.data(), pixels.data() + i * imageBytes, imageBytes);
            images.push_back(upscaleNearest(repeatTiled(image, o.tile.width, o.tile.height), o.scale));
        }
    }
    return images;
}

void writePng(const std::string& path, const Image& image) {
    std::string error;
    if (!writePngAtomically(path, image, &error)) throw Failure(error);
    std::printf("wrote %s (%ux%u)\n", path.c_str(), image.width, image.height);
}

}  // namespace

int runGenerate(const std::vector<std::string>& args) {
    const std::optional<GenerateOptions> parsed = parseOptions(args);
    if (!parsed) return kExitSuccess;
    const GenerateOptions& o = *parsed;

    // Fail before loading and generating if the output cannot be written.
    const std::string folder = o.sheetPath.empty() ? o.outputDir : parentFolder(o.sheetPath);
    if (!isDirectory(folder)) throw Failure("output folder " + folder + " does not exist or is not a folder");
    if (!o.sheetPath.empty() && (o.sheetPath.back() == '/' || isDirectory(o.sheetPath))) {
        throw UsageError("--sheet " + o.sheetPath + " is a folder; give a file name such as out/sheet.png");
    }

    const sg::Context context = createContext(o.context);
    const sg::Model model = loadModel(context, o.modelPath);
    const SgModelInfo info = model.info();
    const std::vector<std::string> styles = model.styleNames();
    const std::vector<StyleRow> rows = resolveRows(o, model, styles);

    const Extent size = checkedSize(o, info);
    notePatternBreak(model, size.width, size.height, "--size");
    if ((o.tile.width > 1 || o.tile.height > 1) && !info.tileable) {
        throw UsageError("--tile: model '" + std::string(info.pName) + "' is not tileable (a character model)");
    }
    const uint32_t mixLayer = o.mixLayer.value_or(info.wLayerCount / 2);
    if (mixLayer > info.wLayerCount) {
        throw UsageError("--mix-layer " + std::to_string(mixLayer) + ": the model has " +
                         std::to_string(info.wLayerCount) + " w layers (crossover 0.." +
                         std::to_string(info.wLayerCount) + ")");
    }
    if (rows.size() * o.seeds.size() > kMaxImages) {
        throw UsageError(std::to_string(rows.size()) + " styles x " + std::to_string(o.seeds.size()) +
                         " seeds is more than " + std::to_string(kMaxImages) + " images");
    }
    const uint64_t cellWidth = uint64_t(size.width) * o.tile.width * o.scale;
    const uint64_t cellHeight = uint64_t(size.height) * o.tile.height * o.scale;
    if (cellWidth > kMaxSheetSide || cellHeight > kMaxSheetSide) {
        throw UsageError("each output image would be " + std::to_string(cellWidth) + "x" + std::to_string(cellHeight) +
                         " pixels; the largest is " + std::to_string(kMaxSheetSide) +
                         " (reduce --size, --tile or --scale)");
    }

    Timing timing;
    if (!o.sheetPath.empty()) {
        std::vector<std::string> labels;
        for (const StyleRow& row : rows) labels.push_back(row.label);
        const SheetPlan plan = planContactSheet(labels, uint32_t(o.seeds.size()), uint32_t(cellWidth),
                                                uint32_t(cellHeight), o.sheetColumns);
        if (plan.width > kMaxSheetSide || plan.height > kMaxSheetSide) {
            throw UsageError("the sheet would be " + std::to_string(plan.width) + "x" + std::to_string(plan.height) +
                             " pixels; the largest is " + std::to_string(kMaxSheetSide) +
                             " (use fewer seeds or styles, --sheet-columns, or a smaller --scale)");
        }
        std::vector<SheetRow> sheetRows;
        for (const StyleRow& row : rows) {
            sheetRows.push_back(
                {row.label, generateRow(model, o, row, size, mixLayer, SG_ALPHA_MODE_PREMULTIPLIED, &timing)});
        }
        writePng(o.sheetPath, renderContactSheet(plan, sheetRows));
    } else {
        const SgAlphaMode alphaMode = o.premultiplied ? SG_ALPHA_MODE_PREMULTIPLIED : SG_ALPHA_MODE_STRAIGHT;
        const std::string prefix = o.outputDir.back() == '/' ? o.outputDir : o.outputDir + "/";
        for (const StyleRow& row : rows) {
            const std::vector<Image> images = generateRow(model, o, row, size, mixLayer, alphaMode, &timing);
            for (size_t i = 0; i < images.size(); ++i) {
                std::string name = row.fileStem + "_seed" + std::to_string(o.seeds[i]);
                if (o.mixSeed) name += "_mix" + std::to_string(*o.mixSeed);
                writePng(prefix + name + ".png", images[i]);
            }
        }
    }

    const double perImage = timing.milliseconds / double(timing.images);
    std::printf("generated %zu images of %ux%u (%zu style%s x %zu seed%s) in %.1f ms: %.2f ms/image, %.1f images/s\n",
                timing.images, size.width, size.height, rows.size(), rows.size() == 1 ? "" : "s", o.seeds.size(),
                o.seeds.size() == 1 ? "" : "s", timing.milliseconds, perImage,
                timing.milliseconds > 0.0 ? 1000.0 * double(timing.images) / timing.milliseconds : 0.0);
    return kExitSuccess;
}

}  // namespace sg::cli
