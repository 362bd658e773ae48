// app.hpp - stylegen-viewer: the window, Vulkan, the SDK, Dear ImGui, the
// generation worker and the panels, tied together; the frame loop and the
// scripted mode (--screenshot and friends, for tests and documentation).
#pragma once

#include <cstdint>
#include <string>

namespace sg::viewer {

struct Options {
    std::string model;           // --model: open this model (overrides the state's)
    std::string state;           // --state: start from this state file
    std::string screenshot;      // --screenshot: write the window's pixels after settling
    std::string report;          // --report: JSON with the device, the path, timings, the large view's placement
    std::string exportPng;       // --export-png: the selection, read back from its GPU image
    std::string exportSheet;     // --export-sheet: the grid as a contact sheet
    std::string exportManifest;  // --export-manifest: a bake manifest of the selection
    std::string exportAnimation; // --export-animation: a bake manifest of the interpolation's frames
    std::string exportRestyle;   // --export-restyle: the Restyle view's result, read back from its GPU image
    std::string saveState;       // --save-state: the state as the viewer ended
    std::string configDir;       // --config-dir: settings folder (else $XDG_CONFIG_HOME/stylegen)
    uint32_t frames = 3;         // --frames: frames to render once everything is generated
    uint32_t width = 0;          // --window WxH (0: the state's or the settings')
    uint32_t height = 0;
    uint32_t threads = 0;        // --threads: SDK worker threads (0: hardware threads - 1, at least 1)
    double timeoutSeconds = 120.0;
    bool headless = false;       // --headless: render offscreen, no window
    bool validation = false;     // --validation: Vulkan validation layer; any message fails the run

    // True when the run renders, writes its outputs and exits on its own.
    bool scripted() const {
        return !screenshot.empty() || !report.empty() || !exportPng.empty() || !exportSheet.empty() ||
               !exportManifest.empty() || !exportAnimation.empty() || !exportRestyle.empty() || !saveState.empty() ||
               headless;
    }
};

// Exit codes of runViewer.
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;       // an error (message on stderr), or validation messages with --validation
constexpr int kExitUsage = 2;
constexpr int kExitUnavailable = 77;  // no display for a window, no Vulkan driver or device: tests skip

int runViewer(const Options& options);

}  // namespace sg::viewer
