// inspect.cpp - `stylegen inspect MODEL.sgm`: what a model is and which styles
// it has, as text or JSON.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "options.hpp"
#include "sdk_session.hpp"

namespace sg::cli {
namespace {

constexpr const char* kHelp =
    "Usage: stylegen inspect MODEL.sgm [--json] [--verbose]\n"
    "\n"
    "Prints what a model file holds: kind, resolution, block size, channels,\n"
    "whether it tiles, its styles (index and name), the number of w layers\n"
    "(style-mixing crossovers are 0..w layers), the content hash and the name.\n"
    "The file is fully validated, as by any program that loads it.\n"
    "\n"
    "Options:\n"
    "  --json      machine-readable output (one JSON object)\n"
    "  --verbose   also print the SDK's log and backend to stderr\n"
    "  -h, --help  this text\n";

}  // namespace

int runInspect(const std::vector<std::string>& args) {
    ArgScanner scanner(args);
    std::vector<std::string> paths;
    bool json = false;
    ContextOptions contextOptions;
    // Inspecting needs no GPU: the built-in CPU backend avoids probing plugins.
    contextOptions.backend = SG_BACKEND_PREFERENCE_CPU;
    contextOptions.threadCount = 1;
    while (!scanner.done()) {
        std::string value;
        if (scanner.flag("--help") || scanner.flag("-h")) {
            std::fputs(kHelp, stdout);
            return kExitSuccess;
        }
        if (scanner.flag("--json")) json = true;
        else if (scanner.flag("--verbose") || scanner.flag("-v")) contextOptions.verbose = true;
        else if (scanner.positional(&value)) paths.push_back(value);
        else scanner.rejectCurrent();
    }
    if (paths.size() != 1) throw UsageError("inspect needs exactly one MODEL.sgm (see 'stylegen inspect --help')");

    const sg::Context context = createContext(contextOptions);
    const sg::Model model = loadModel(context, paths[0]);
    const SgModelInfo info = model.info();
    const SgModelPatternInfo pattern = model.pattern();
    const std::vector<std::string> styles = model.styleNames();
    const std::string hash = hexString(info.contentHash, sizeof info.contentHash);

    if (json) {
        nlohmann::json out = {
            {"path", paths[0]},
            {"name", info.pName},
            {"kind", modelKindName(info.kind)},
            {"resolution", info.resolution},
            {"block_size", info.blockSize},
            {"channels", info.channels},
            {"tileable", info.tileable == SG_TRUE},
            {"pattern_period", pattern.patternPeriod},
            {"generate_offset", pattern.generateOffset},
            {"w_layers", info.wLayerCount},
            {"content_hash", hash},
            {"styles", nlohmann::json::array()},
        };
        for (size_t i = 0; i < styles.size(); ++i) out["styles"].push_back({{"index", i}, {"name", styles[i]}});
        // Replace rather than throw on names that are not valid UTF-8.
        std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
        return kExitSuccess;
    }

    std::printf("model       %s\n", info.pName);
    std::printf("file        %s\n", paths[0].c_str());
    std::printf("kind        %s\n", modelKindName(info.kind));
    std::printf("resolution  %ux%u%s\n", info.resolution, info.resolution,
                info.kind == SG_MODEL_KIND_SCENE ? " (training size; any multiple of the block size)" : "");
    std::printf("block size  %u\n", info.blockSize);
    std::printf("channels    %u (%s)\n", info.channels, info.channels == 4 ? "RGBA" : "RGB");
    std::printf("tileable    %s\n", info.tileable ? "yes" : "no");
    if (pattern.patternPeriod)
        std::printf("pattern     every %u px (sizes that are multiples repeat whole tiles; textures start %u px in)\n",
                    pattern.patternPeriod, pattern.generateOffset);
    std::printf("w layers    %u\n", info.wLayerCount);
    std::printf("content     %s\n", hash.c_str());
    std::printf("styles      %zu\n", styles.size());
    for (size_t i = 0; i < styles.size(); ++i) std::printf("  %3zu  %s\n", i, styles[i].c_str());
    return kExitSuccess;
}

}  // namespace sg::cli
