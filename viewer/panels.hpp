// panels.hpp - the viewer's Dear ImGui panels: functions over plain state.
//
// Each panel reads ViewerState (and edits it: that is what the controls are
// for), reads what the application has ready in a PanelContext (the model,
// textures, statistics), and asks the application for anything with side
// effects (open a model, export, pin) through PanelActions. Panels never call
// the SDK or Vulkan, so the same code serves the window and the scripted mode.
//
//   PanelActions actions;
//   drawPanels(state, ui, context, actions);
//   ... the application carries out actions ...
#pragma once

#include <imgui.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "drawing.hpp"
#include "file_browser.hpp"
#include "settings.hpp"
#include "state.hpp"
#include "worker.hpp"

namespace sg::viewer {

// One image the application has on the GPU.
struct TextureRef {
    const Texture* texture = nullptr;
    uint32_t layer = 0;
    bool current = false;  // shows what the state asks for (else: older content, or nothing yet)
};

struct PinView {
    TextureRef image;
    std::string label;          // "characters / orcs / seed 12"
    bool sceneModel = false;    // usable as the scene preview's floor
};

// Where the large view put the selection on screen in the last frame (for the
// scripted mode's report: tests compare those pixels with the SDK's).
struct ViewPlacement {
    bool valid = false;
    ImVec2 origin;              // screen position of texel (0, 0)
    float zoom = 1.0f;          // screen pixels per texel
    ImVec2 clipMin, clipMax;    // the visible part of the canvas
    bool nearest = true;
    bool checker = true;
};

// The Restyle view's images and what keeps it from showing them.
struct RestyleView {
    TextureRef before;          // the input image as read
    TextureRef after;           // sgRestyle's result
    std::string problem;        // why there is nothing to show: no encoder, an unreadable image, sgRestyle's error
    bool working = false;       // a restyle is running or waiting
    double milliseconds = 0.0;  // the last restyle took
};

struct PanelContext {
    Drawing* drawing = nullptr;
    const LoadedModel* model = nullptr;  // null while none is open
    std::string modelStatus;             // "loading ...", or why it failed
    uint32_t width = 0, height = 0;      // size of the generated images

    std::vector<TextureRef> grid;        // one per cell
    std::vector<TextureRef> thumbnails;  // one per style
    std::vector<TextureRef> strip;       // the interpolation sweep, wLayerCount + 1 frames
    std::vector<PinView> pins;           // as state.pins
    std::vector<bool> pinned;            // per grid cell: a pin with the same recipe and seed exists

    // Scene preview.
    TextureRef floor;                    // texture of a scene model, or none
    float floorTexelsPerUnit = 32.0f;    // the scene model's training size: texels per character width
    std::string floorLabel;
    std::vector<TextureRef> characters;
    int selectedCharacter = -1;

    // Performance.
    GenerationWorker::Status worker;
    std::string backend, path, device;
    uint32_t threads = 0;
    std::vector<float> frameMs;          // recent frame times, oldest first

    const Settings* settings = nullptr;
    std::string message;                 // the status line
    bool messageIsError = false;
    std::string manifestPreview;         // the last exported manifest
    bool scripted = false;               // no animation (screenshots must be reproducible)

    RestyleView restyle;

    ViewPlacement placement;             // written by the large view
    ViewPlacement restyleBefore, restyleAfter;  // written by the Restyle view (side by side)
};

// Requests for the application.
struct PanelActions {
    std::string openModel;        // a path to open
    bool exportPng = false;       // the selection
    bool exportSheet = false;     // the grid
    int exportManifest = -1;      // 0: the selection, 1: the grid, 2: the pins, 3: the interpolation's frames
    bool copyManifest = false;
    bool togglePin = false;       // pin / unpin the selection
    int pinCell = -1;             // pin / unpin another grid cell
    int removePin = -1;
    int restorePin = -1;
    bool saveState = false;
    bool exportRestyle = false;   // the restyled image as PNG
    std::optional<std::string> prompt;  // a style prompt to apply to the recipe
    std::optional<std::string> exportFolder;  // a new export folder ("": the current directory)
    bool quit = false;
};

// What the panels remember between frames but nobody else needs.
struct UiState {
    bool resetLayout = true;      // place the windows at their default spots (first frame, View > Reset)
    bool showHelp = false;
    bool showMetrics = false;
    FileBrowser browser;
    std::string modelPathField;
    std::string exportFolderField;
    std::string restyleImageField;  // the Restyle view's path field ...
    std::string restyleImageSynced; // ... last set from state.restyle.image
    std::string promptField;      // the Style panel's prompt: the recipe as a prompt unless being edited
    std::string promptSynced;     // the recipe's prompt when promptField was last set from it
    std::string promptError;      // why the last prompt did not apply (the SDK's message); set by the application
    bool promptActive = false;    // the prompt field had the keyboard last frame
    bool restyleSplit = false;    // Restyle view: one image split at restyleDivider instead of side by side
    float restyleDivider = 0.5f;  // 0..1 across the image: before on the left, after on the right
    int browserPurpose = 0;       // which request the file browser answers (panels.cpp)
    ViewTab shownTab = ViewTab::Selection;  // the view tab ImGui showed last frame
    float sceneYaw = 25.0f;       // degrees
    float sceneZoom = 1.0f;
};

void drawPanels(ViewerState& state, UiState& ui, PanelContext& context, PanelActions& actions);

// Shared by the large view and the tests of its arithmetic: the zoom that fits
// a width x height image into the canvas, an integer when it is 1 or more
// (pixel art stays crisp), else 1/2, 1/3, ...
float fitZoom(float canvasWidth, float canvasHeight, uint32_t width, uint32_t height);

}  // namespace sg::viewer
