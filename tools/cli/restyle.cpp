// restyle.cpp - `stylegen restyle INPUT.png --model MODEL --style STYLE -o OUTPUT.png`:
// an image redrawn in another style by a model that carries an encoder (sgRestyle).
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>

#include "commands.hpp"
#include "file_system.hpp"
#include "image.hpp"
#include "options.hpp"
#include "png_file.hpp"
#include "sdk_session.hpp"

namespace sg::cli {
namespace {

constexpr const char* kHelp =
    "Usage: stylegen restyle INPUT.png --model MODEL --style STYLE [options] -o OUTPUT.png\n"
    "\n"
    "Redraws an image in another style: the model's encoder maps it into the\n"
    "model's latent space, the finest layers (more with --strength) move from the\n"
    "image's style to the target style, and the generator draws the result.\n"
    "Needs a model exported with an encoder (stylegen-train --encoder-for).\n"
    "Character models take any image: fitted into their square keeping the aspect\n"
    "ratio (pixel art is enlarged without blur) on a transparent background. Scene\n"
    "models round its size to whole blocks. The same options give the same pixels.\n"
    "\n"
    "Options:\n"
    "  --model MODEL          the .sgm model (a path, or an installed model's name)\n"
    "  --style STYLE          the target: a style name or index, or a style prompt,\n"
    "                         e.g. \"orcs:0.7 + undead:0.3\"\n"
    "  --strength S           0..1 (default 0.5): 0 redraws the image as it is, small\n"
    "                         values change colour and texture, 1 shape too\n"
    "  --source STYLE         the image's own style, a name or index (default: the\n"
    "                         style nearest to the image, found automatically)\n"
    "  --refine N             0..1000 refinement steps that first fit the encoding to the\n"
    "                         image more closely (default 0; each costs about three\n"
    "                         generated images)\n"
    "  -o, --output FILE.png  where to write; the folder must exist\n"
    "  --premultiplied        write premultiplied alpha (default: straight, as PNG expects)\n"
    "  --threads N            worker threads, 0 = one per hardware thread (default 0)\n"
    "  --backend auto|cpu     auto: a GPU plugin when one works, else the CPU (default auto)\n"
    "  -v, --verbose          print the backend in use and the SDK's log to stderr\n"
    "  -h, --help             this text\n"
    "\n"
    "Example:\n"
    "  stylegen restyle hero.png --model characters --style \"undead:0.7 + orcs:0.3\" --strength 0.6 -o hero-undead.png\n";

struct RestyleOptions {
    std::string inputPath;
    std::string modelPath;
    std::string style;
    std::optional<std::string> source;
    float strength = 0.5f;
    uint32_t refinementSteps = 0;
    std::string outputPath;
    bool premultiplied = false;
    ContextOptions context;
};

std::optional<RestyleOptions> parseOptions(const std::vector<std::string>& args) {
    RestyleOptions o;
    ArgScanner scanner(args);
    std::vector<std::string> positionals;
    std::string v;
    while (!scanner.done()) {
        if (scanner.flag("--help") || scanner.flag("-h")) {
            std::fputs(kHelp, stdout);
            return std::nullopt;
        }
        if (scanner.option("--model", &v)) o.modelPath = v;
        else if (scanner.option("--style", &v)) o.style = v;
        else if (scanner.option("--strength", &v)) o.strength = parseFloat("--strength", v, 0.0f, 1.0f);
        else if (scanner.option("--source", &v)) o.source = v;
        else if (scanner.option("--refine", &v))
            o.refinementSteps = uint32_t(parseUnsigned("--refine", v, 0, SG_MAX_RESTYLE_REFINEMENT_STEPS));
        else if (scanner.option("-o", &v) || scanner.option("--output", &v)) o.outputPath = v;
        else if (scanner.flag("--premultiplied")) o.premultiplied = true;
        else if (scanContextOption(scanner, &o.context)) {}
        else if (scanner.positional(&v)) positionals.push_back(v);
        else scanner.rejectCurrent();
    }
    o.inputPath = onlyPositional(positionals, "restyle", "INPUT.png");
    if (o.modelPath.empty()) throw UsageError("restyle needs --model MODEL (a model with an encoder)");
    if (o.style.empty()) throw UsageError("restyle needs --style STYLE (a style name, index or prompt)");
    if (o.outputPath.empty()) throw UsageError("restyle needs -o OUTPUT.png");
    return o;
}

}  // namespace

int runRestyle(const std::vector<std::string>& args) {
    const std::optional<RestyleOptions> parsed = parseOptions(args);
    if (!parsed) return kExitSuccess;
    const RestyleOptions& o = *parsed;

    // Fail before loading anything if the output cannot be written.
    if (o.outputPath.back() == '/' || isDirectory(o.outputPath)) {
        throw UsageError("-o " + o.outputPath + " is a folder; give a file name such as out/restyled.png");
    }
    const std::string folder = parentFolder(o.outputPath);
    if (!isDirectory(folder)) throw Failure("output folder " + folder + " does not exist or is not a folder");
    Image input;
    std::string error;
    if (!readPng(o.inputPath, &input, &error)) throw Failure(error);

    const sg::Context context = createContext(o.context);
    const sg::Model model = loadModel(context, o.modelPath);
    const SgModelInfo info = model.info();
    if (!model.restyleSupported()) {
        throw Failure("model '" + std::string(info.pName) +
                      "' has no encoder, which restyle needs (a model exported with stylegen-train --encoder-for)");
    }
    const std::vector<std::string> styles = model.styleNames();
    sg::RestyleInfo request;
    std::vector<float> weights;
    request.styleIndex = resolveStyleOrPrompt(model, styles, o.style, "--style", &weights);
    request.styleWeightCount = uint32_t(weights.size());
    request.pStyleWeights = weights.empty() ? nullptr : weights.data();
    if (o.source) request.sourceStyleIndex = resolveStyle(styles, *o.source, "--source");
    request.strength = o.strength;
    request.refinementSteps = o.refinementSteps;
    request.pPixels = input.pixels.data();
    request.size = input.pixels.size();
    request.width = input.width;
    request.height = input.height;
    request.alphaMode = o.premultiplied ? SG_ALPHA_MODE_PREMULTIPLIED : SG_ALPHA_MODE_STRAIGHT;

    Image output;
    const auto start = std::chrono::steady_clock::now();
    try {
        const std::pair<uint32_t, uint32_t> extent = model.restyleExtent(input.width, input.height);
        output = Image(extent.first, extent.second);
        std::vector<uint8_t> pixels = model.restyle(request);
        std::memcpy(output.pixels.data(), pixels.data(), output.pixels.size());
    } catch (const sg::Error& e) {
        throw Failure(std::string("restyle failed: ") + e.what());
    }
    const double milliseconds =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!writePngAtomically(o.outputPath, output, &error)) throw Failure(error);
    std::printf("wrote %s (%ux%u)\n", o.outputPath.c_str(), output.width, output.height);
    std::printf("restyled %ux%u to %ux%u (strength %g, %u refinement step%s) in %.1f ms\n", input.width, input.height,
                output.width, output.height, double(o.strength), o.refinementSteps,
                o.refinementSteps == 1 ? "" : "s", milliseconds);
    return kExitSuccess;
}

}  // namespace sg::cli
