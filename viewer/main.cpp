// main.cpp - stylegen-viewer: explore a model's styles live and hand the result
// to the build (docs/viewer.md).
#include <cstdio>
#include <string>
#include <vector>

#include "app.hpp"
#include "options.hpp"  // tools/cli: the command-line scanner the CLI uses

namespace {

constexpr const char* kHelp =
    "Usage: stylegen-viewer [MODEL.sgm] [options]\n"
    "\n"
    "A Dear ImGui + Vulkan tool to explore a stylegen model's styles: a grid of\n"
    "variants, a large view with zoom, a tiling preview, a scene preview, style\n"
    "blends and style prompts, truncation, noise, style mixing, an interpolation\n"
    "sweep, restyling your own images; exports PNGs, contact sheets and bake\n"
    "manifest entries. See docs/viewer.md.\n"
    "\n"
    "Options:\n"
    "  --model FILE          open this model (also the first positional argument)\n"
    "  --state FILE          start from a saved state (Ctrl+Shift+S writes one)\n"
    "  --window WxH          window size\n"
    "  --threads N           SDK generation threads (default: hardware threads - 1)\n"
    "  --config-dir DIR      settings folder (default: $XDG_CONFIG_HOME/stylegen)\n"
    "  --validation          Vulkan validation layer on; any message fails the run\n"
    "\n"
    "Scripted mode (renders until every image is generated, then --frames more,\n"
    "writes what is asked for and exits; settings are left alone unless\n"
    "--config-dir is given):\n"
    "  --screenshot FILE     the window's pixels as PNG\n"
    "  --frames N            frames to render once everything is generated (default 3)\n"
    "  --headless            render offscreen, no window or display needed\n"
    "  --report FILE         JSON: device, backend, path, timings, the large view's placement\n"
    "  --export-png FILE     the selection, read back from its GPU image\n"
    "  --export-sheet FILE   the grid as a contact sheet\n"
    "  --export-manifest FILE  a bake manifest entry that reproduces the selection\n"
    "  --export-animation FILE a bake manifest entry that reproduces the interpolation's frames\n"
    "  --export-restyle FILE the Restyle view's result (\"restyle\" in the state), read back\n"
    "                        from its GPU image\n"
    "  --save-state FILE     the state as the run ended\n"
    "  --timeout SECONDS     give up after this long (default 120)\n"
    "\n"
    "Exit codes: 0 success, 1 failure, 2 bad command line, 77 cannot run here (no\n"
    "display for a window, no Vulkan driver or device, no validation layer).\n";

}  // namespace

int main(int argc, char** argv) {
    sg::viewer::Options options;
    try {
        sg::cli::ArgScanner args(std::vector<std::string>(argv + 1, argv + argc));
        std::string value;
        while (!args.done()) {
            if (args.flag("--help") || args.flag("-h")) {
                std::fputs(kHelp, stdout);
                return sg::viewer::kExitOk;
            }
            if (args.flag("--headless")) options.headless = true;
            else if (args.flag("--validation")) options.validation = true;
            else if (args.option("--model", &options.model)) {}
            else if (args.option("--state", &options.state)) {}
            else if (args.option("--screenshot", &options.screenshot)) {}
            else if (args.option("--report", &options.report)) {}
            else if (args.option("--export-png", &options.exportPng)) {}
            else if (args.option("--export-sheet", &options.exportSheet)) {}
            else if (args.option("--export-manifest", &options.exportManifest)) {}
            else if (args.option("--export-animation", &options.exportAnimation)) {}
            else if (args.option("--export-restyle", &options.exportRestyle)) {}
            else if (args.option("--save-state", &options.saveState)) {}
            else if (args.option("--config-dir", &options.configDir)) {}
            else if (args.option("--frames", &value))
                options.frames = uint32_t(sg::cli::parseUnsigned("--frames", value, 1, 1000));
            else if (args.option("--threads", &value))
                options.threads = uint32_t(sg::cli::parseUnsigned("--threads", value, 1, 1024));
            else if (args.option("--timeout", &value))
                options.timeoutSeconds = sg::cli::parseFloat("--timeout", value, 1.0f, 86400.0f);
            else if (args.option("--window", &value)) {
                const sg::cli::Extent extent = sg::cli::parseExtent("--window", value, 8192);
                if (extent.width < 320 || extent.height < 320)
                    throw sg::cli::UsageError("--window " + value + ": each side must be at least 320");
                options.width = extent.width;
                options.height = extent.height;
            } else if (args.positional(&value)) {
                if (!options.model.empty()) throw sg::cli::UsageError("one model only (" + value + ")");
                options.model = value;
            } else {
                args.rejectCurrent();
            }
        }
    } catch (const sg::cli::UsageError& e) {
        std::fprintf(stderr, "stylegen-viewer: %s\n(stylegen-viewer --help lists the options)\n", e.what());
        return sg::viewer::kExitUsage;
    }
    return sg::viewer::runViewer(options);
}
