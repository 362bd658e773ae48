// panels.cpp - menu bar, controls, grid, large view (selection, tiling,
// scene, interpolation, restyle), status bar, help; keyboard and mouse habits.
//
// [SECTION] Helpers
// [SECTION] Keyboard
// [SECTION] Menu bar
// [SECTION] Controls: model, style, latent, generator, output, pins, export, performance
// [SECTION] Grid
// [SECTION] Large view
// [SECTION] Status bar and help
// [SECTION] Entry point
#include "panels.hpp"

#include <GLFW/glfw3.h>  // key codes: the GLFW backend reports keys by them
#include <imgui_stdlib.h>

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>

#include "export.hpp"
#include "scene_preview.hpp"

namespace sg::viewer {
namespace {

// [SECTION] Helpers -----------------------------------------------------------

const ImVec4 kAccent(1.0f, 0.74f, 0.24f, 1.0f);
const ImVec4 kErrorColour(1.0f, 0.45f, 0.40f, 1.0f);
constexpr float kZoomLevels[] = {0.125f, 0.25f, 0.5f, 1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 48, 64};
enum BrowserPurpose { kBrowseModel = 1, kBrowseExportFolder = 2, kBrowseRestyleImage = 3 };

void tip(const char* text) {
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", text);
}

ImU32 colour(const ImVec4& c) { return ImGui::ColorConvertFloat4ToU32(c); }

// A texture drawn to fit a box (integer zoom when it fits at 1x or more).
// crop: the fraction of each side that may be cut off, so small thumbnails of
// sprites (which have transparent margins) show the figure, not the margin.
void drawFitted(Drawing& drawing, ImDrawList* list, const TextureRef& ref, ImVec2 boxMin, ImVec2 boxMax,
                float crop = 0.0f) {
    if (!ref.texture) return;
    const float keep = 1.0f - 2.0f * crop;
    const float z = fitZoom((boxMax.x - boxMin.x) / keep, (boxMax.y - boxMin.y) / keep, ref.texture->width,
                            ref.texture->height);
    const float w = float(ref.texture->width) * z, h = float(ref.texture->height) * z;
    ImageDraw draw;
    draw.texture = ref.texture;
    draw.layer = ref.layer;
    draw.origin = ImVec2(std::floor((boxMin.x + boxMax.x - w) * 0.5f), std::floor((boxMin.y + boxMax.y - h) * 0.5f));
    draw.rectMin = ImVec2(std::max(draw.origin.x, boxMin.x), std::max(draw.origin.y, boxMin.y));
    draw.rectMax = ImVec2(std::min(draw.origin.x + w, boxMax.x), std::min(draw.origin.y + h, boxMax.y));
    draw.zoom = z;
    draw.linear = z < 1.0f;  // shrinking with nearest filtering drops detail at random
    draw.checkerSize = std::max(4.0f, std::floor(std::min(w, h) / 8.0f));
    draw.dim = ref.current ? 0.0f : 0.55f;
    drawing.image(list, draw);
}

void sectionNote(const char* text) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    ImGui::TextWrapped("%s", text);
    ImGui::PopStyleColor();
}

// Moves the selection to `seed`, paging the grid when it leaves the page.
void selectSeed(ViewerState& state, uint64_t seed) {
    const uint64_t count = state.cellCount();
    if (seed >= state.seed && seed < state.seed + count) {
        state.selected = uint32_t(seed - state.seed);
        return;
    }
    const uint64_t index = seed < state.selected ? seed : state.selected;  // keep the cell if the page allows
    state.seed = seed - index;
    state.selected = uint32_t(index);
}

void stepSeed(ViewerState& state, int64_t delta) {
    if (state.lockSeed) return;
    const uint64_t seed = state.selectedSeed();
    if (delta < 0 && uint64_t(-delta) > seed) return;
    const uint64_t target = seed + uint64_t(delta);
    const uint64_t count = state.cellCount();
    if (target < state.seed) {
        state.seed = state.seed >= count ? state.seed - count : 0;
    } else if (target >= state.seed + count) {
        state.seed += count;
    }
    state.selected = uint32_t(target - state.seed);
}

void page(ViewerState& state, int direction) {
    if (state.lockSeed) return;
    const uint64_t count = state.cellCount();
    if (direction < 0) state.seed = state.seed >= count ? state.seed - count : 0;
    else state.seed += count;
}

void randomise(ViewerState& state) {
    if (state.lockSeed) return;
    std::random_device device;
    state.seed = (uint64_t(device()) << 16) % 1000000000ull;  // short enough to type back in
    state.selected = 0;
}

void setZoomAround(ViewerState& state, float current, float next, ImVec2 mouse, ImVec2 origin, ImVec2 centre,
                   uint32_t width, uint32_t height) {
    // Keep the texel under the mouse where it is.
    const ImVec2 texel((mouse.x - origin.x) / current, (mouse.y - origin.y) / current);
    const ImVec2 newOrigin(mouse.x - texel.x * next, mouse.y - texel.y * next);
    state.panX = (centre.x - newOrigin.x) / next - float(width) * 0.5f;
    state.panY = (centre.y - newOrigin.y) / next - float(height) * 0.5f;
    state.zoom = next;
}

float nextZoom(float zoom, int steps) {
    const float* begin = std::begin(kZoomLevels);
    const float* end = std::end(kZoomLevels);
    if (steps > 0) {
        const float* it = std::upper_bound(begin, end, zoom + 1e-4f);
        return it == end ? end[-1] : *it;
    }
    const float* it = std::lower_bound(begin, end, zoom - 1e-4f);
    return it == begin ? *begin : it[-1];
}

void placeWindow(const UiState& ui, ImVec2 position, ImVec2 size) {
    const ImGuiCond when = ui.resetLayout ? ImGuiCond_Always : ImGuiCond_FirstUseEver;
    ImGui::SetNextWindowPos(position, when);
    ImGui::SetNextWindowSize(size, when);
}

std::string modelFolder(const ViewerState& state) {
    return state.recipe.model.empty() ? "" : std::filesystem::path(state.recipe.model).parent_path().string();
}

// [SECTION] Keyboard ----------------------------------------------------------

void handleKeyboard(ViewerState& state, UiState& ui, PanelContext& context, PanelActions& actions) {
    const ImGuiIO& io = ImGui::GetIO();
    if (io.WantTextInput || ImGui::IsPopupOpen(nullptr, ImGuiPopupFlags_AnyPopupId)) return;
    const bool ctrl = io.KeyCtrl, shift = io.KeyShift;
    if (ctrl) {
        if (ImGui::IsKeyPressed(GLFW_KEY_S, false)) (shift ? actions.saveState : actions.exportPng) = true;
        if (ImGui::IsKeyPressed(GLFW_KEY_O, false)) {
            ui.browserPurpose = kBrowseModel;
            ui.browser.open("Open model", FileBrowser::Mode::OpenFile, modelFolder(state), ".sgm");
        }
        if (ImGui::IsKeyPressed(GLFW_KEY_Q, false)) actions.quit = true;
        const ViewTab tabs[] = {ViewTab::Selection, ViewTab::Tiling, ViewTab::Scene, ViewTab::Interpolation,
                                ViewTab::Restyle};
        for (int i = 0; i < 5; ++i)
            if (ImGui::IsKeyPressed(GLFW_KEY_1 + i, false)) state.tab = tabs[i];
        return;
    }
    if (!context.model) return;
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_LeftArrow))) stepSeed(state, -1);
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_RightArrow))) stepSeed(state, 1);
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_UpArrow))) stepSeed(state, -int64_t(state.columns));
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_DownArrow))) stepSeed(state, int64_t(state.columns));
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_PageUp))) page(state, -1);
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_PageDown))) page(state, 1);
    if (ImGui::IsKeyPressed(GLFW_KEY_R, false)) randomise(state);
    if (ImGui::IsKeyPressed(GLFW_KEY_P, false)) actions.togglePin = true;
    if (ImGui::IsKeyPressed(GLFW_KEY_F, false)) state.zoom = 0.0f, state.panX = state.panY = 0.0f;
    if (ImGui::IsKeyPressed(GLFW_KEY_SPACE, false)) state.playing = !state.playing;
    if (ImGui::IsKeyPressed(GLFW_KEY_L, false)) state.lockSeed = !state.lockSeed;
}

// [SECTION] Menu bar ----------------------------------------------------------

void drawMenuBar(ViewerState& state, UiState& ui, const PanelContext& context, PanelActions& actions) {
    if (!ImGui::BeginMainMenuBar()) return;
    if (ImGui::BeginMenu("File")) {
        if (ImGui::MenuItem("Open model...", "Ctrl+O")) {
            ui.browserPurpose = kBrowseModel;
            ui.browser.open("Open model", FileBrowser::Mode::OpenFile, modelFolder(state), ".sgm");
        }
        if (ImGui::BeginMenu("Recent models", context.settings && !context.settings->recentModels.empty())) {
            for (const std::string& recent : context.settings->recentModels)
                if (ImGui::MenuItem(recent.c_str())) actions.openModel = recent;
            ImGui::EndMenu();
        }
        ImGui::Separator();
        const bool ready = context.model != nullptr;
        if (ImGui::MenuItem("Export selection PNG", "Ctrl+S", false, ready)) actions.exportPng = true;
        if (ImGui::MenuItem("Export grid sheet", nullptr, false, ready)) actions.exportSheet = true;
        if (ImGui::MenuItem("Export restyled PNG", nullptr, false, ready && context.restyle.after.current))
            actions.exportRestyle = true;
        if (ImGui::BeginMenu("Export bake manifest", ready)) {
            if (ImGui::MenuItem("Selection")) actions.exportManifest = 0;
            if (ImGui::MenuItem("Grid")) actions.exportManifest = 1;
            if (ImGui::MenuItem("Pins", nullptr, false, !state.pins.empty())) actions.exportManifest = 2;
            if (ImGui::MenuItem("Animation frames")) actions.exportManifest = 3;
            ImGui::EndMenu();
        }
        if (ImGui::MenuItem("Save state", "Ctrl+Shift+S", false, ready)) actions.saveState = true;
        ImGui::Separator();
        if (ImGui::MenuItem("Quit", "Ctrl+Q")) actions.quit = true;
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu("View")) {
        if (ImGui::MenuItem("Selection", "Ctrl+1", state.tab == ViewTab::Selection)) state.tab = ViewTab::Selection;
        if (ImGui::MenuItem("Tiling", "Ctrl+2", state.tab == ViewTab::Tiling)) state.tab = ViewTab::Tiling;
        if (ImGui::MenuItem("Scene", "Ctrl+3", state.tab == ViewTab::Scene)) state.tab = ViewTab::Scene;
        if (ImGui::MenuItem("Interpolation", "Ctrl+4", state.tab == ViewTab::Interpolation))
            state.tab = ViewTab::Interpolation;
        if (ImGui::MenuItem("Restyle", "Ctrl+5", state.tab == ViewTab::Restyle)) state.tab = ViewTab::Restyle;
        ImGui::Separator();
        ImGui::MenuItem("Linear filtering", nullptr, &state.linear);
        ImGui::MenuItem("Checkerboard behind alpha", nullptr, &state.checker);
        ImGui::Separator();
        if (ImGui::MenuItem("Reset layout")) ui.resetLayout = true;
        ImGui::MenuItem("Dear ImGui metrics", nullptr, &ui.showMetrics);
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu("Help")) {
        if (ImGui::MenuItem("Keyboard and mouse", "F1")) ui.showHelp = true;
        ImGui::EndMenu();
    }
    ImGui::EndMainMenuBar();
}

// [SECTION] Controls ----------------------------------------------------------

void modelSection(ViewerState& state, UiState& ui, const PanelContext& context, PanelActions& actions) {
    if (!ImGui::CollapsingHeader("Model", ImGuiTreeNodeFlags_DefaultOpen)) return;
    ImGui::SetNextItemWidth(-ImGui::CalcTextSize("Open").x - ImGui::GetStyle().FramePadding.x * 2 -
                            ImGui::GetStyle().ItemSpacing.x);
    if (ImGui::InputText("##model", &ui.modelPathField, ImGuiInputTextFlags_EnterReturnsTrue))
        actions.openModel = ui.modelPathField;
    tip("Path of a .sgm model; Enter or Open loads it");
    ImGui::SameLine();
    if (ImGui::Button("Open")) actions.openModel = ui.modelPathField;
    tip("Load the model named in the field");
    if (ImGui::Button("Browse...")) {
        ui.browserPurpose = kBrowseModel;
        ui.browser.open("Open model", FileBrowser::Mode::OpenFile, modelFolder(state), ".sgm");
    }
    tip("Pick a .sgm file (Ctrl+O)");
    ImGui::SameLine();
    const bool anyRecent = context.settings && !context.settings->recentModels.empty();
    ImGui::SetNextItemWidth(-1.0f);
    if (ImGui::BeginCombo("##recent", anyRecent ? "Recent models" : "No recent models", ImGuiComboFlags_None)) {
        if (anyRecent)
            for (const std::string& recent : context.settings->recentModels)
                if (ImGui::Selectable(recent.c_str())) actions.openModel = recent;
        ImGui::EndCombo();
    }
    tip("Models opened before (remembered between runs)");

    if (!context.model) {
        if (!context.modelStatus.empty()) ImGui::TextWrapped("%s", context.modelStatus.c_str());
        else sectionNote("No model open. Open a .sgm file, e.g. models/characters.sgm or models/terrain.sgm.");
        return;
    }
    const SgModelInfo& info = context.model->info;
    if (ImGui::BeginTable("modelinfo", 2, ImGuiTableFlags_SizingFixedFit)) {
        auto row = [](const char* key, const std::string& value, const char* help) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextDisabled("%s", key);
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(value.c_str());
            tip(help);
        };
        char hash[17];
        for (int i = 0; i < 8; ++i) std::snprintf(hash + 2 * i, 3, "%02x", info.contentHash[i]);
        row("name", context.model->name, "The model's name (from its file)");
        row("kind",
            info.kind == SG_MODEL_KIND_SCENE ? "scene (tileable, any size)" : "character (RGBA sprites)",
            "Character models make RGBA sprites of one size; scene models make tileable materials of any size");
        row("resolution",
            std::to_string(info.resolution) + " px, blocks of " + std::to_string(info.blockSize),
            "Training size; scene sizes are multiples of the block size");
        row("styles", std::to_string(info.styleCount) + ", w layers " + std::to_string(info.wLayerCount),
            "Named styles, and per-layer style vectors (style-mixing crossovers are 0..w layers)");
        row("content", std::string(hash) + "...", "SHA-256 of the weights: identifies the model in manifests and bakes");
        if (context.model->patternPeriod)
            row("pattern", "every " + std::to_string(context.model->patternPeriod) + " px",
                "The model draws a pattern that repeats with this period (one training tile, e.g. one carved block); "
                "sizes that are multiples of it repeat whole tiles");
        row("restyle", context.model->restyleSupported ? "yes (has an encoder)" : "no (no encoder)",
            "Whether the Restyle view can redraw your images in this model's styles: it needs an encoder, "
            "trained with stylegen-train --encoder-for");
        ImGui::EndTable();
    }
}

// The recipe as a style prompt; typing one (Enter, or leaving the field)
// asks the application to apply it through sgParseStylePrompt.
void promptField(const ViewerState& state, UiState& ui, PanelActions& actions) {
    const std::string current = stylePrompt(state.recipe);
    if (!ui.promptActive && current != ui.promptSynced) {  // the recipe changed elsewhere: show it
        ui.promptField = current;
        ui.promptSynced = current;
        ui.promptError.clear();
    }
    ImGui::SetNextItemWidth(-1.0f);
    const bool entered = ImGui::InputTextWithHint("##prompt", "style prompt, e.g. orcs:0.7 + undead:0.3",
                                                  &ui.promptField, ImGuiInputTextFlags_EnterReturnsTrue);
    ui.promptActive = ImGui::IsItemActive();
    if (entered || ImGui::IsItemDeactivatedAfterEdit()) actions.prompt = ui.promptField;
    tip("The style or blend as a prompt: style names joined by '+', each with an optional ':weight' "
        "(\"orcs:0.7 + undead:0.3\"; weights are normalised to sum 1). Type one and press Enter to set the "
        "blend; the CLI's --style and a bake manifest's \"style\" take the same prompts");
    if (!ui.promptError.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, kErrorColour);
        ImGui::TextWrapped("%s", ui.promptError.c_str());
        ImGui::PopStyleColor();
    }
}

void styleSection(ViewerState& state, UiState& ui, const PanelContext& context, PanelActions& actions) {
    if (!context.model || !ImGui::CollapsingHeader("Style", ImGuiTreeNodeFlags_DefaultOpen)) return;
    Recipe& recipe = state.recipe;
    const std::vector<std::string>& styles = context.model->styles;
    bool blend = !recipe.blend.empty();
    if (ImGui::RadioButton("One style", !blend) && blend) {
        auto strongest = std::max_element(recipe.blend.begin(), recipe.blend.end(),
                                          [](const auto& a, const auto& b) { return a.second < b.second; });
        recipe.style = strongest->first;
        recipe.blend.clear();
        blend = false;
    }
    tip("Generate one named style");
    ImGui::SameLine();
    if (ImGui::RadioButton("Blend styles", blend) && !blend) {
        const std::string current = recipe.style.empty() ? styles.front() : recipe.style;
        for (const std::string& name : styles) recipe.blend.emplace_back(name, name == current ? 1.0f : 0.0f);
        recipe.style.clear();
        blend = true;
    }
    tip("Mix several styles with weights (normalised to sum 1); the thumbnails still show each style alone");
    promptField(state, ui, actions);

    Drawing& drawing = *context.drawing;
    const float thumb = std::floor(ImGui::GetFrameHeight() * 1.6f);
    ImGui::BeginChild("styles", ImVec2(0, std::min(float(styles.size()), 7.5f) * (thumb + ImGui::GetStyle().ItemSpacing.y)),
                      false);
    ImDrawList* list = ImGui::GetWindowDrawList();
    for (size_t i = 0; i < styles.size(); ++i) {
        ImGui::PushID(int(i));
        const ImVec2 at = ImGui::GetCursorScreenPos();
        const float textX = at.x + thumb + ImGui::GetStyle().ItemSpacing.x;
        if (!blend) {  // the whole row selects: thumbnail and name
            const bool selected = recipe.style == styles[i] || (recipe.style.empty() && i == 0);
            if (ImGui::Selectable("##row", selected, 0, ImVec2(0, thumb))) recipe.style = styles[i];
            tip("Generate this style (the thumbnail: this style at the selected seed)");
            list->AddText(ImVec2(textX, at.y + (thumb - ImGui::GetTextLineHeight()) * 0.5f),
                          ImGui::GetColorU32(ImGuiCol_Text), styles[i].c_str());
        } else {
            ImGui::Dummy(ImVec2(thumb, thumb));
            tip("This style alone at the selected seed");
            ImGui::SameLine();
            ImGui::SetCursorScreenPos(ImVec2(textX, at.y + (thumb - ImGui::GetFrameHeight()) * 0.5f));
            float* weight = nullptr;
            for (auto& [name, w] : recipe.blend)
                if (name == styles[i]) weight = &w;
            if (!weight) {
                recipe.blend.emplace_back(styles[i], 0.0f);
                weight = &recipe.blend.back().second;
            }
            ImGui::SetNextItemWidth(-1.0f);
            const std::string format = styles[i] + "  %.2f";
            ImGui::SliderFloat("##weight", weight, 0.0f, 1.0f, format.c_str());
            tip("Weight of this style in the blend (Ctrl+click to type a value)");
        }
        list->AddRectFilled(at, ImVec2(at.x + thumb, at.y + thumb), IM_COL32(40, 42, 48, 255));
        if (i < context.thumbnails.size())
            drawFitted(drawing, list, context.thumbnails[i], at, ImVec2(at.x + thumb, at.y + thumb), 0.125f);
        ImGui::SetCursorScreenPos(ImVec2(at.x, at.y + thumb + ImGui::GetStyle().ItemSpacing.y));
        ImGui::PopID();
    }
    ImGui::EndChild();
    if (blend) {
        float sum = 0.0f;
        for (const auto& [name, w] : recipe.blend) sum += w;
        if (!(sum > 0.0f)) ImGui::TextColored(kErrorColour, "All weights are 0: give one style some weight");
    }
}

void latentSection(ViewerState& state, const PanelContext& context) {
    if (!context.model || !ImGui::CollapsingHeader("Latent", ImGuiTreeNodeFlags_DefaultOpen)) return;
    const uint64_t one = 1, ten = 10;
    ImGui::BeginDisabled(state.lockSeed);
    uint64_t seed = state.selectedSeed();
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.55f);
    if (ImGui::InputScalar("Seed", ImGuiDataType_U64, &seed, &one, &ten)) selectSeed(state, seed);
    tip("Latent seed of the selected image; the grid shows the seeds around it (arrow keys step it)");
    if (ImGui::Button("Randomise")) randomise(state);
    tip("Jump to a random page of seeds (R)");
    ImGui::SameLine();
    if (ImGui::ArrowButton("previous", ImGuiDir_Left)) page(state, -1);
    tip("Previous page of seeds (Page Up)");
    ImGui::SameLine();
    if (ImGui::ArrowButton("next", ImGuiDir_Right)) page(state, 1);
    tip("Next page of seeds (Page Down)");
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::Checkbox("Lock", &state.lockSeed);
    tip("Keep the seeds: Randomise, paging and the arrow keys leave them alone while you tune everything else (L)");

    ImGui::Spacing();
    ImGui::TextDisabled("Interpolation to a second seed");
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.55f);
    ImGui::InputScalar("Second seed", ImGuiDataType_U64, &state.interpolationSeed, &one, &ten);
    tip("The animation moves the latent (w) from the selected seed to this one, smoothly");
    if (ImGui::Checkbox("Play", &state.playing) && state.playing) state.tab = ViewTab::Interpolation;
    tip("Animate back and forth between the two seeds (Space)");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(-1.0f);
    ImGui::SliderFloat("##speed", &state.interpolationSpeed, 0.05f, 2.0f, "%.2f passes/s");
    tip("Animation speed");
    ImGui::SetNextItemWidth(-1.0f);
    if (ImGui::SliderFloat("##position", &state.interpolationPosition, 0.0f, 1.0f, "position %.2f")) {
        state.playing = false;
        state.tab = ViewTab::Interpolation;
    }
    tip("0: the selected seed; 1: the second seed's latent; in between, w = (1 - t) w(first) + t w(second). "
        "The noise stays the selected seed's, so nothing flickers");
}

void generatorSection(ViewerState& state, const PanelContext& context) {
    if (!context.model || !ImGui::CollapsingHeader("Generator", ImGuiTreeNodeFlags_DefaultOpen)) return;
    Recipe& recipe = state.recipe;
    const uint64_t one = 1, ten = 10;
    const float width = ImGui::GetContentRegionAvail().x * 0.55f;
    ImGui::SetNextItemWidth(width);
    ImGui::SliderFloat("Truncation psi", &recipe.psi, 0.0f, 1.0f, "%.2f");
    tip("Pulls each latent toward the style's mean: 1 = none (most varied), lower = more typical (0.7 is a "
        "common choice). Ctrl+click to type a value");
    ImGui::SetNextItemWidth(width);
    ImGui::SliderFloat("Noise strength", &recipe.noise, 0.0f, 2.0f, "%.2f");
    tip("Scales the per-pixel noise: 1 = as trained, 0 = none (smoother), above 1 = grittier");
    bool fixedNoise = recipe.noiseSeed.has_value();
    if (ImGui::Checkbox("Fixed noise seed", &fixedNoise)) {
        if (fixedNoise) recipe.noiseSeed = state.selectedSeed();
        else recipe.noiseSeed.reset();
    }
    tip("Off: each image's noise comes from its own seed. On: every image uses this noise seed, so only the "
        "latent varies across the grid");
    if (recipe.noiseSeed) {
        ImGui::SameLine();
        ImGui::SetNextItemWidth(-1.0f);
        ImGui::InputScalar("##noiseseed", ImGuiDataType_U64, &*recipe.noiseSeed, &one, &ten);
        tip("The noise seed every image uses");
    }
    bool mixing = recipe.mix.has_value();
    if (ImGui::Checkbox("Style mixing", &mixing)) {
        if (mixing) recipe.mix = Mix{state.selectedSeed() + 1, context.model->info.wLayerCount / 2};
        else recipe.mix.reset();
    }
    tip("Take the w layers from the crossover on from a second seed: coarse shape from each image's own seed, "
        "fine detail from the mix seed (or more, with a lower crossover)");
    if (recipe.mix) {
        ImGui::SetNextItemWidth(width);
        ImGui::InputScalar("Mix seed", ImGuiDataType_U64, &recipe.mix->seed, &one, &ten);
        tip("The seed the later w layers come from (the same for every image)");
        int layer = int(recipe.mix->layer);
        ImGui::SetNextItemWidth(width);
        if (ImGui::SliderInt("Crossover", &layer, 0, int(context.model->info.wLayerCount)))
            recipe.mix->layer = uint32_t(layer);
        tip("w layers below this come from the image's seed, from here on from the mix seed. 0: all from the mix "
            "seed; the number of w layers: no mixing");
    }
}

void outputSection(ViewerState& state, const PanelContext& context) {
    if (!context.model || context.model->info.kind != SG_MODEL_KIND_SCENE) return;
    if (!ImGui::CollapsingHeader("Output size", ImGuiTreeNodeFlags_DefaultOpen)) return;
    const SgModelInfo& info = context.model->info;
    const int block = int(info.blockSize);
    int size[2] = {int(context.width), int(context.height)};
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.55f);
    if (ImGui::InputInt2("Width x height", size, ImGuiInputTextFlags_EnterReturnsTrue)) {
        for (int& s : size) s = std::clamp((s + block / 2) / block * block, block, 1024);
        state.recipe.width = uint32_t(size[0]);
        state.recipe.height = uint32_t(size[1]);
    }
    tip("Any multiple of the block size, up to 1024; rounded to the nearest (Enter applies)");
    for (int preset : {64, 128, 256, 512}) {
        if (preset % block != 0) continue;
        ImGui::PushID(preset);
        if (ImGui::Button((std::to_string(preset) + "##p").c_str())) {
            state.recipe.width = state.recipe.height = uint32_t(preset);
        }
        tip("A square texture of this size");
        ImGui::PopID();
        ImGui::SameLine();
    }
    ImGui::NewLine();
    sectionNote("Every size wraps seamlessly: see the Tiling tab. Larger textures take longer to generate.");
    const uint32_t period = context.model->patternPeriod;
    if (period && (context.width % period || context.height % period)) {
        const std::string note = "This model's pattern repeats every " + std::to_string(period) +
                                 " px: at this size it breaks once, at the wrap. Multiples of " +
                                 std::to_string(period) + " repeat whole tiles.";
        sectionNote(note.c_str());
    }
}

void pinsSection(ViewerState& state, const PanelContext& context, PanelActions& actions) {
    const std::string title = "Pins (" + std::to_string(state.pins.size()) + ")###pins";
    if (!ImGui::CollapsingHeader(title.c_str(), ImGuiTreeNodeFlags_DefaultOpen)) return;
    if (context.model) {
        const bool pinned = state.selected < context.pinned.size() && context.pinned[state.selected];
        if (ImGui::Button(pinned ? "Unpin selection" : "Pin selection")) actions.togglePin = true;
        tip("Keep the selected image, with everything that made it, across seeds, settings and models (P). Pins "
            "of a scene model can be the scene preview's floor; pinned characters stand in the scene");
    }
    if (state.pins.empty()) {
        sectionNote("Nothing pinned yet.");
        return;
    }
    const float thumb = std::floor(ImGui::GetFrameHeight() * 1.6f);
    for (size_t i = 0; i < state.pins.size() && i < context.pins.size(); ++i) {
        ImGui::PushID(int(i));
        const PinView& pin = context.pins[i];
        const ImVec2 at = ImGui::GetCursorScreenPos();
        ImGui::Dummy(ImVec2(thumb, thumb));
        ImGui::GetWindowDrawList()->AddRectFilled(at, ImVec2(at.x + thumb, at.y + thumb), IM_COL32(40, 42, 48, 255));
        drawFitted(*context.drawing, ImGui::GetWindowDrawList(), pin.image, at, ImVec2(at.x + thumb, at.y + thumb),
                   0.125f);
        ImGui::SameLine();
        ImGui::BeginGroup();
        ImGui::TextUnformatted(pin.label.c_str());
        if (ImGui::SmallButton("Restore")) actions.restorePin = int(i);
        tip("Open this pin's model and settings, with its seed selected");
        ImGui::SameLine();
        if (ImGui::SmallButton("Remove")) actions.removePin = int(i);
        tip("Unpin");
        if (pin.sceneModel) {
            ImGui::SameLine();
            const bool isFloor = state.floorPin == int(i);
            if (ImGui::RadioButton("Floor", isFloor)) state.floorPin = isFloor ? -1 : int(i);
            tip("Use this texture as the scene preview's floor (off: the latest scene pin)");
        }
        ImGui::EndGroup();
        ImGui::SetCursorScreenPos(ImVec2(at.x, std::max(ImGui::GetCursorScreenPos().y, at.y + thumb + 4.0f)));
        ImGui::PopID();
    }
}

void exportSection(ViewerState& state, UiState& ui, const PanelContext& context, PanelActions& actions) {
    if (!context.model || !ImGui::CollapsingHeader("Export", ImGuiTreeNodeFlags_DefaultOpen)) return;
    ImGui::SetNextItemWidth(-ImGui::CalcTextSize("...").x - ImGui::GetStyle().FramePadding.x * 2 -
                            ImGui::GetStyle().ItemSpacing.x);
    ImGui::InputTextWithHint("##folder", "export folder (default: the current directory)", &ui.exportFolderField);
    if (ImGui::IsItemDeactivatedAfterEdit()) actions.exportFolder = ui.exportFolderField;
    tip("Where exports go (remembered between runs)");
    ImGui::SameLine();
    if (ImGui::Button("...")) {
        ui.browserPurpose = kBrowseExportFolder;
        ui.browser.open("Export folder", FileBrowser::Mode::ChooseFolder, ui.exportFolderField, "");
    }
    tip("Pick the export folder");
    const float half = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x) * 0.5f;
    if (ImGui::Button("Selection PNG", ImVec2(half, 0))) actions.exportPng = true;
    tip("The selected image as a PNG, straight alpha, exactly the generated pixels (Ctrl+S)");
    ImGui::SameLine();
    if (ImGui::Button("Grid sheet", ImVec2(half, 0))) actions.exportSheet = true;
    tip("The whole grid as one contact sheet, labelled with its seeds");
    ImGui::TextDisabled("Bake manifest entry");
    tip("A manifest for `stylegen bake MANIFEST.json -o DIR` that writes exactly these textures, byte for byte");
    const float third = (ImGui::GetContentRegionAvail().x - 2 * ImGui::GetStyle().ItemSpacing.x) / 3.0f;
    if (ImGui::Button("Selection", ImVec2(third, 0))) actions.exportManifest = 0;
    tip("One image: the selection");
    ImGui::SameLine();
    if (ImGui::Button("Grid", ImVec2(third, 0))) actions.exportManifest = 1;
    tip("Every seed of the grid");
    ImGui::SameLine();
    ImGui::BeginDisabled(state.pins.empty());
    if (ImGui::Button("Pins", ImVec2(third, 0))) actions.exportManifest = 2;
    ImGui::EndDisabled();
    tip("One entry per pin (pins may come from different models and settings)");
    if (ImGui::Button("Animation frames", ImVec2(-1.0f, 0))) actions.exportManifest = 3;
    tip("The interpolation from the selected seed to the second seed: every frame, as the Interpolation view "
        "shows them");
    if (!context.manifestPreview.empty()) {
        std::string preview = context.manifestPreview;
        ImGui::InputTextMultiline("##manifest", &preview, ImVec2(-1.0f, ImGui::GetTextLineHeight() * 9),
                                  ImGuiInputTextFlags_ReadOnly);
        tip("The last manifest exported");
        if (ImGui::SmallButton("Copy to clipboard")) actions.copyManifest = true;
        tip("Paste it into your project's manifest");
    }
}

void performanceSection(const PanelContext& context) {
    if (!ImGui::CollapsingHeader("Performance", ImGuiTreeNodeFlags_DefaultOpen)) return;
    ImGui::TextWrapped("Backend: %s", context.backend.c_str());
    tip("The SDK's generation backend (sgGetContextInfo)");
    ImGui::TextWrapped("Path: %s", context.path.c_str());
    tip("How images reach the GPU (sgGetVulkanDeviceInfo): CUDA interop writes them in place; CPU staging "
        "copies from host memory in the frame's command buffer");
    ImGui::TextWrapped("Device: %s, SDK threads: %u", context.device.c_str(), context.threads);
    const GenerationWorker::Status& w = context.worker;
    if (w.msPerImage > 0.0) {
        ImGui::Text("%.1f ms per batch of %u, %.1f ms/image, %.0f images/s", w.msPerBatch, w.lastBatchImages,
                    w.msPerImage, 1000.0 / w.msPerImage);
        tip("Time inside sgCmdGenerateVulkanImages on the worker thread (running averages)");
    }
    if (!context.frameMs.empty()) {
        float sum = 0.0f, worst = 0.0f;
        for (float ms : context.frameMs) sum += ms, worst = std::max(worst, ms);
        const float mean = sum / float(context.frameMs.size());
        ImGui::Text("Frame %.1f ms (%.0f fps), worst %.1f ms", mean, 1000.0f / std::max(mean, 0.01f), worst);
        tip("UI frame time over the last frames: generation runs on a worker, so it stays interactive");
        ImGui::PlotLines("##frames", context.frameMs.data(), int(context.frameMs.size()), 0, nullptr, 0.0f,
                         std::max(33.0f, worst), ImVec2(-1.0f, 36.0f));
    }
}

void drawControls(ViewerState& state, UiState& ui, PanelContext& context, PanelActions& actions, ImVec2 position,
                  ImVec2 size) {
    placeWindow(ui, position, size);
    if (ImGui::Begin("Controls")) {
        modelSection(state, ui, context, actions);
        styleSection(state, ui, context, actions);
        latentSection(state, context);
        generatorSection(state, context);
        outputSection(state, context);
        pinsSection(state, context, actions);
        exportSection(state, ui, context, actions);
        performanceSection(context);
    }
    ImGui::End();
}

// [SECTION] Grid --------------------------------------------------------------

void drawStar(ImDrawList* list, ImVec2 centre, float radius, ImU32 fill) {
    ImVec2 points[10];  // even: tips, odd: the inner pentagon
    for (int i = 0; i < 10; ++i) {
        const float angle = -1.5707963f + float(i) * 3.14159265f / 5.0f;
        const float r = i % 2 == 0 ? radius : radius * 0.45f;
        points[i] = ImVec2(centre.x + std::cos(angle) * r, centre.y + std::sin(angle) * r);
    }
    const ImVec2 inner[5] = {points[1], points[3], points[5], points[7], points[9]};
    list->AddConvexPolyFilled(inner, 5, fill);
    for (int i = 0; i < 10; i += 2) list->AddTriangleFilled(points[(i + 9) % 10], points[i], points[i + 1], fill);
}

void drawGrid(ViewerState& state, UiState& ui, PanelContext& context, PanelActions& actions, ImVec2 position,
              ImVec2 size) {
    placeWindow(ui, position, size);
    if (!ImGui::Begin("Grid")) {
        ImGui::End();
        return;
    }
    int columns = int(state.columns), rows = int(state.rows);
    ImGui::SetNextItemWidth(100.0f);
    if (ImGui::SliderInt("##columns", &columns, 1, int(kMaxGridSide), "%d columns")) state.columns = uint32_t(columns);
    tip("Seeds per row");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(100.0f);
    if (ImGui::SliderInt("##rows", &rows, 1, int(kMaxGridSide), "%d rows")) state.rows = uint32_t(rows);
    tip("Rows of seeds");
    state.selected = std::min(state.selected, state.cellCount() - 1);
    ImGui::SameLine();
    ImGui::TextDisabled("seeds %" PRIu64 "-%" PRIu64, state.seed, state.seed + state.cellCount() - 1);

    if (!context.model) {
        sectionNote(context.modelStatus.empty() ? "Open a model to see its variants here." : context.modelStatus.c_str());
        ImGui::End();
        return;
    }
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float gap = 6.0f;
    const float cell = std::floor(std::max(
        16.0f, std::min((avail.x - gap * float(state.columns - 1)) / float(state.columns),
                        (avail.y - gap * float(state.rows - 1)) / float(state.rows))));
    const ImVec2 start = ImGui::GetCursorScreenPos();
    ImDrawList* list = ImGui::GetWindowDrawList();
    for (uint32_t i = 0; i < state.cellCount(); ++i) {
        const uint32_t row = i / state.columns, column = i % state.columns;
        const ImVec2 at(start.x + float(column) * (cell + gap), start.y + float(row) * (cell + gap));
        const ImVec2 end(at.x + cell, at.y + cell);
        ImGui::SetCursorScreenPos(at);
        ImGui::PushID(int(i));
        ImGui::InvisibleButton("cell", ImVec2(cell, cell), ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
        const uint64_t seed = state.seed + i;
        if (ImGui::IsItemClicked(ImGuiMouseButton_Left)) state.selected = i;
        if (ImGui::IsItemHovered() && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) {
            state.tab = context.model->info.kind == SG_MODEL_KIND_SCENE ? ViewTab::Tiling : ViewTab::Selection;
            state.zoom = 0.0f;
            state.panX = state.panY = 0.0f;
        }
        if (ImGui::BeginPopupContextItem("cellmenu")) {
            ImGui::TextDisabled("seed %" PRIu64, seed);
            const bool pinned = i < context.pinned.size() && context.pinned[i];
            if (ImGui::MenuItem(pinned ? "Unpin" : "Pin")) actions.pinCell = int(i);
            if (ImGui::MenuItem("Select and export PNG")) {
                state.selected = i;
                actions.exportPng = true;
            }
            if (ImGui::MenuItem("Copy seed")) ImGui::SetClipboardText(std::to_string(seed).c_str());
            ImGui::EndPopup();
        }
        if (ImGui::IsItemHovered() && !ImGui::IsPopupOpen("cellmenu"))
            ImGui::SetTooltip("seed %" PRIu64 "\nclick: select, double-click: zoom in, right-click: pin, export",
                              seed);
        list->AddRectFilled(at, end, IM_COL32(34, 36, 41, 255), 3.0f);
        if (i < context.grid.size())
            drawFitted(*context.drawing, list, context.grid[i], ImVec2(at.x + 2, at.y + 2), ImVec2(end.x - 2, end.y - 2),
                       0.12f);
        if (cell >= 56.0f) {
            const std::string label = std::to_string(seed);
            const ImVec2 textAt(at.x + 5.0f, end.y - ImGui::GetTextLineHeight() - 3.0f);
            list->AddText(ImVec2(textAt.x + 1, textAt.y + 1), IM_COL32(0, 0, 0, 200), label.c_str());
            list->AddText(textAt, IM_COL32(235, 235, 235, 230), label.c_str());
        }
        if (i < context.pinned.size() && context.pinned[i])
            drawStar(list, ImVec2(end.x - 11.0f, at.y + 11.0f), 8.0f, colour(kAccent));
        if (i < context.grid.size() && !context.grid[i].current)
            list->AddText(ImVec2(at.x + 6.0f, at.y + 4.0f), IM_COL32(230, 230, 230, 200), "...");
        if (i == state.selected) list->AddRect(at, end, colour(kAccent), 3.0f, 0, 3.0f);
        else if (ImGui::IsItemHovered()) list->AddRect(at, end, IM_COL32(200, 200, 200, 160), 3.0f, 0, 1.5f);
        ImGui::PopID();
    }
    ImGui::SetCursorScreenPos(ImVec2(start.x, start.y + float(state.rows) * (cell + gap)));
    ImGui::End();
}

// [SECTION] Large view --------------------------------------------------------

struct Canvas {
    ImVec2 min, max;
    bool hovered = false;
};

// The interactive area below a view's toolbar: scroll zooms around the mouse,
// dragging pans, double-click fits. Returns the zoom in use (fit when state.zoom is 0).
float imageCanvas(ViewerState& state, Canvas* canvas, uint32_t contentWidth, uint32_t contentHeight,
                  uint32_t imageWidth, uint32_t imageHeight, float reserveBottom, float width = 0.0f) {
    ImVec2 avail = ImGui::GetContentRegionAvail();
    avail.y -= reserveBottom;
    if (width > 0.0f) avail.x = width;  // one of several canvases side by side
    avail.x = std::max(avail.x, 32.0f);
    avail.y = std::max(avail.y, 32.0f);
    canvas->min = ImGui::GetCursorScreenPos();
    canvas->min = ImVec2(std::floor(canvas->min.x), std::floor(canvas->min.y));
    canvas->max = ImVec2(canvas->min.x + std::floor(avail.x), canvas->min.y + std::floor(avail.y));
    ImGui::InvisibleButton("canvas", avail, ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonMiddle);
    canvas->hovered = ImGui::IsItemHovered();
    tip("Scroll: zoom around the mouse. Drag: pan. Double-click: fit");
    const float fit = fitZoom(avail.x, avail.y, contentWidth, contentHeight);
    const float zoom = state.zoom > 0.0f ? state.zoom : fit;
    const ImVec2 centre(std::floor((canvas->min.x + canvas->max.x) * 0.5f), std::floor((canvas->min.y + canvas->max.y) * 0.5f));
    const ImVec2 origin(centre.x - (float(imageWidth) * 0.5f + state.panX) * zoom,
                        centre.y - (float(imageHeight) * 0.5f + state.panY) * zoom);
    const ImGuiIO& io = ImGui::GetIO();
    if (canvas->hovered && io.MouseWheel != 0.0f) {
        const float next = nextZoom(zoom, io.MouseWheel > 0.0f ? 1 : -1);
        setZoomAround(state, zoom, next, io.MousePos, origin, centre, imageWidth, imageHeight);
    }
    if (ImGui::IsItemActive() && (ImGui::IsMouseDragging(ImGuiMouseButton_Left, 1.0f) ||
                                  ImGui::IsMouseDragging(ImGuiMouseButton_Middle, 1.0f))) {
        if (state.zoom == 0.0f) state.zoom = zoom;
        state.panX -= io.MouseDelta.x / zoom;
        state.panY -= io.MouseDelta.y / zoom;
    }
    if (canvas->hovered && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) {
        state.zoom = 0.0f;
        state.panX = state.panY = 0.0f;
    }
    return state.zoom > 0.0f ? state.zoom : fit;
}

ImVec2 imageOrigin(const ViewerState& state, const Canvas& canvas, float zoom, uint32_t width, uint32_t height) {
    const ImVec2 centre(std::floor((canvas.min.x + canvas.max.x) * 0.5f), std::floor((canvas.min.y + canvas.max.y) * 0.5f));
    // Whole screen pixels: at an integer zoom every texel covers exactly zoom x zoom pixels.
    return ImVec2(std::round(centre.x - (float(width) * 0.5f + state.panX) * zoom),
                  std::round(centre.y - (float(height) * 0.5f + state.panY) * zoom));
}

void viewToolbar(ViewerState& state, bool seams) {
    if (ImGui::Button("Fit")) state.zoom = 0.0f, state.panX = state.panY = 0.0f;
    tip("Fit the image to the panel (F, or double-click the image)");
    ImGui::SameLine();
    if (ImGui::Button("1:1")) state.zoom = 1.0f;
    tip("One texel per screen pixel");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(110.0f);
    int filter = state.linear ? 1 : 0;
    if (ImGui::Combo("##filter", &filter, "Nearest\0Linear\0")) state.linear = filter == 1;
    tip("Nearest keeps pixel art crisp and shows the exact bytes; linear smooths (on premultiplied colours)");
    ImGui::SameLine();
    ImGui::Checkbox("Checker", &state.checker);
    tip("A checkerboard behind transparent pixels");
    if (seams) {
        ImGui::SameLine();
        ImGui::Checkbox("Seams", &state.seams);
        tip("Mark where the copies meet: a seamless texture shows no break there");
    }
}

std::string zoomText(const ViewerState& state, float zoom) {
    char text[48];
    if (zoom >= 1.0f) std::snprintf(text, sizeof(text), "zoom %gx%s", zoom, state.zoom == 0.0f ? " (fit)" : "");
    else std::snprintf(text, sizeof(text), "zoom 1/%gx%s", 1.0f / zoom, state.zoom == 0.0f ? " (fit)" : "");
    return text;
}

void drawCanvasImage(PanelContext& context, const ViewerState& state, const Canvas& canvas, const TextureRef& ref,
                     ImVec2 origin, float zoom, bool tiled) {
    ImDrawList* list = ImGui::GetWindowDrawList();
    list->AddRectFilled(canvas.min, canvas.max, IM_COL32(24, 25, 29, 255));
    if (!ref.texture) return;
    const float w = float(ref.texture->width) * zoom, h = float(ref.texture->height) * zoom;
    ImageDraw draw;
    draw.texture = ref.texture;
    draw.layer = ref.layer;
    draw.origin = origin;
    draw.zoom = zoom;
    draw.rectMin = tiled ? ImVec2(origin.x - w, origin.y - h) : origin;
    draw.rectMax = tiled ? ImVec2(origin.x + 2 * w, origin.y + 2 * h) : ImVec2(origin.x + w, origin.y + h);
    draw.repeat = tiled;
    draw.linear = state.linear;
    draw.checker = state.checker;
    draw.seams = tiled && state.seams;
    draw.dim = ref.current ? 0.0f : 0.35f;
    list->PushClipRect(canvas.min, canvas.max, true);
    context.drawing->image(list, draw);
    list->PopClipRect();
}

void canvasCaption(const Canvas& canvas, const std::string& text) {
    ImDrawList* list = ImGui::GetWindowDrawList();
    const ImVec2 size = ImGui::CalcTextSize(text.c_str());
    const ImVec2 at(canvas.min.x + 8.0f, canvas.max.y - size.y - 8.0f);
    list->AddRectFilled(ImVec2(at.x - 4, at.y - 2), ImVec2(at.x + size.x + 4, at.y + size.y + 2), IM_COL32(0, 0, 0, 150), 3.0f);
    list->AddText(at, IM_COL32(230, 230, 230, 255), text.c_str());
}

std::string imageCaption(const ViewerState& state, const PanelContext& context, float zoom) {
    const std::string style = styleLabel(state.recipe);
    return "seed " + std::to_string(state.selectedSeed()) + "   " +
           (style.empty() ? context.model->styles.front() : style) + "   " + std::to_string(context.width) + "x" +
           std::to_string(context.height) + "   " + zoomText(state, zoom);
}

void selectionTab(ViewerState& state, PanelContext& context) {
    if (!context.model) return;
    viewToolbar(state, false);
    Canvas canvas;
    const float zoom = imageCanvas(state, &canvas, context.width, context.height, context.width, context.height, 0.0f);
    const ImVec2 origin = imageOrigin(state, canvas, zoom, context.width, context.height);
    const TextureRef ref = state.selected < context.grid.size() ? context.grid[state.selected] : TextureRef{};
    drawCanvasImage(context, state, canvas, ref, origin, zoom, false);
    canvasCaption(canvas, imageCaption(state, context, zoom));
    context.placement.valid = ref.texture && ref.current;
    context.placement.origin = origin;
    context.placement.zoom = zoom;
    context.placement.clipMin = canvas.min;
    context.placement.clipMax = canvas.max;
    context.placement.nearest = !state.linear;
    context.placement.checker = state.checker;
}

void tilingTab(ViewerState& state, PanelContext& context) {
    if (!context.model) return;
    viewToolbar(state, true);
    Canvas canvas;
    const float zoom =
        imageCanvas(state, &canvas, context.width * 3, context.height * 3, context.width, context.height, 0.0f);
    const ImVec2 origin = imageOrigin(state, canvas, zoom, context.width, context.height);
    const TextureRef ref = state.selected < context.grid.size() ? context.grid[state.selected] : TextureRef{};
    drawCanvasImage(context, state, canvas, ref, origin, zoom, true);
    canvasCaption(canvas, "3x3 tiling   " + imageCaption(state, context, zoom));
}

void interpolationTab(ViewerState& state, PanelContext& context) {
    if (!context.model) return;
    const uint32_t steps = kInterpolationSteps;
    // Ping-pong: position runs 0..2 and shows 0 -> 1 -> 0, one pass per 1/speed seconds.
    if (state.playing && !context.scripted)
        state.interpolationPosition = std::fmod(
            state.interpolationPosition + ImGui::GetIO().DeltaTime * state.interpolationSpeed, 2.0f);
    const float phase = state.interpolationPosition > 1.0f ? 2.0f - state.interpolationPosition
                                                           : state.interpolationPosition;
    const uint32_t frame = uint32_t(std::lround(phase * float(steps)));
    // The filmstrip shows every kStripEvery-th frame; its thumbnails fit the
    // panel's width, at most 2.2 lines high.
    constexpr uint32_t kStripEvery = 4;
    const uint32_t thumbs = steps / kStripEvery + 1;
    const float thumb = std::max(8.0f, std::floor(std::min(ImGui::GetFrameHeight() * 2.2f,
                                                           (ImGui::GetContentRegionAvail().x - 3.0f * float(thumbs)) /
                                                               float(thumbs))));
    const float stripHeight = thumb + ImGui::GetStyle().ItemSpacing.y * 2.0f + 4.0f;
    viewToolbar(state, false);
    Canvas canvas;
    const float zoom =
        imageCanvas(state, &canvas, context.width, context.height, context.width, context.height, stripHeight);
    const ImVec2 origin = imageOrigin(state, canvas, zoom, context.width, context.height);
    const TextureRef ref = frame < context.strip.size() ? context.strip[frame] : TextureRef{};
    drawCanvasImage(context, state, canvas, ref, origin, zoom, false);
    char amount[32];
    std::snprintf(amount, sizeof amount, "t = %.2f", double(frame) / double(steps));
    canvasCaption(canvas, "seed " + std::to_string(state.selectedSeed()) + " -> " +
                              std::to_string(state.interpolationSeed) + ":  " + amount +
                              "  (noise of seed " + std::to_string(state.recipe.noiseSeed.value_or(state.selectedSeed())) +
                              ")");

    // Every kStripEvery-th frame as a filmstrip; click one to stop there.
    ImDrawList* list = ImGui::GetWindowDrawList();
    for (uint32_t t = 0; t < thumbs; ++t) {
        const uint32_t i = t * kStripEvery;
        if (i >= context.strip.size()) break;
        ImGui::PushID(int(i));
        const ImVec2 at = ImGui::GetCursorScreenPos();
        if (ImGui::InvisibleButton("frame", ImVec2(thumb, thumb))) {
            state.interpolationPosition = float(i) / float(steps);
            state.playing = false;
        }
        tip("Show this frame and stop the animation");
        list->AddRectFilled(at, ImVec2(at.x + thumb, at.y + thumb), IM_COL32(34, 36, 41, 255));
        drawFitted(*context.drawing, list, context.strip[i], at, ImVec2(at.x + thumb, at.y + thumb), 0.125f);
        const bool nearest = frame + kStripEvery / 2 >= i && frame < i + (kStripEvery + 1) / 2;
        if (nearest) list->AddRect(at, ImVec2(at.x + thumb, at.y + thumb), colour(kAccent), 2.0f, 0, 2.0f);
        ImGui::PopID();
        if (t + 1 < thumbs) ImGui::SameLine(0.0f, 3.0f);
    }
}

// A message in the middle of a canvas (no image to show, and why).
void canvasMessage(ImVec2 min, ImVec2 max, const std::string& text, bool error) {
    ImDrawList* list = ImGui::GetWindowDrawList();
    const float wrap = std::max(120.0f, std::min(max.x - min.x - 48.0f, 560.0f));
    const ImVec2 size = ImGui::CalcTextSize(text.c_str(), nullptr, false, wrap);
    const ImVec2 at(std::floor((min.x + max.x - size.x) * 0.5f), std::floor((min.y + max.y - size.y) * 0.5f));
    list->AddRectFilled(ImVec2(at.x - 12, at.y - 10), ImVec2(at.x + size.x + 12, at.y + size.y + 10),
                        IM_COL32(0, 0, 0, 170), 4.0f);
    list->AddText(ImGui::GetFont(), ImGui::GetFontSize(), at,
                  error ? colour(kErrorColour) : IM_COL32(230, 230, 230, 255), text.c_str(), nullptr, wrap);
}

std::string restyleFolder(const ViewerState& state) {
    if (!state.restyle.image.empty()) return std::filesystem::path(state.restyle.image).parent_path().string();
    return modelFolder(state);
}

void placement(ViewPlacement* p, const TextureRef& ref, const Canvas& canvas, ImVec2 origin, float zoom,
               const ViewerState& state) {
    p->valid = ref.texture && ref.current;
    p->origin = origin;
    p->zoom = zoom;
    p->clipMin = canvas.min;
    p->clipMax = canvas.max;
    p->nearest = !state.linear;
    p->checker = state.checker;
}

// The input: a path field, Browse..., recent images; then the restyle's
// settings. The target is the Style panel's style or blend.
void restyleControls(ViewerState& state, UiState& ui, const PanelContext& context, PanelActions& actions) {
    RestyleSettings& restyle = state.restyle;
    const ImGuiStyle& style = ImGui::GetStyle();
    if (ui.restyleImageSynced != restyle.image) ui.restyleImageField = ui.restyleImageSynced = restyle.image;
    const float browseWidth = ImGui::CalcTextSize("Browse...").x + style.FramePadding.x * 2;
    ImGui::SetNextItemWidth(-(browseWidth + ImGui::GetFrameHeight() + style.ItemSpacing.x * 2));
    if (ImGui::InputTextWithHint("##restyleimage", "image to restyle (PNG): a path, Browse... or a recent one",
                                 &ui.restyleImageField, ImGuiInputTextFlags_EnterReturnsTrue))
        restyle.image = ui.restyleImageField.empty()
                            ? ""
                            : std::filesystem::absolute(ui.restyleImageField).lexically_normal().string();
    tip("The image to restyle, a PNG: a sprite of your own, a texture to match the model's styles. Enter reads it; "
        "it is read again whenever the file changes");
    ImGui::SameLine();
    if (ImGui::Button("Browse...##image")) {
        ui.browserPurpose = kBrowseRestyleImage;
        ui.browser.open("Open image to restyle", FileBrowser::Mode::OpenFile, restyleFolder(state), ".png");
    }
    tip("Pick a PNG");
    ImGui::SameLine();
    const bool anyRecent = context.settings && !context.settings->recentImages.empty();
    if (ImGui::BeginCombo("##recentimages", nullptr, ImGuiComboFlags_NoPreview | ImGuiComboFlags_PopupAlignLeft)) {
        if (!anyRecent) ImGui::TextDisabled("No recent images");
        else
            for (const std::string& recent : context.settings->recentImages)
                if (ImGui::Selectable(recent.c_str())) restyle.image = recent;
        ImGui::EndCombo();
    }
    tip("Images restyled before (remembered between runs)");

    const std::vector<std::string>& styles = context.model->styles;
    ImGui::SetNextItemWidth(std::floor(ImGui::GetFontSize() * 9.0f));
    const std::string source = "from: " + (restyle.source.empty() ? std::string("auto") : restyle.source);
    if (ImGui::BeginCombo("##source", source.c_str())) {
        if (ImGui::Selectable("auto", restyle.source.empty())) restyle.source.clear();
        for (const std::string& name : styles)
            if (ImGui::Selectable(name.c_str(), restyle.source == name)) restyle.source = name;
        ImGui::EndCombo();
    }
    tip("The style the image is in now: its mean is moved to the target's. Auto: the style whose mean latent is "
        "nearest to the image's");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(std::floor(ImGui::GetFontSize() * 11.0f));
    ImGui::SliderFloat("##strength", &restyle.strength, 0.0f, 1.0f, "strength %.2f", ImGuiSliderFlags_AlwaysClamp);
    tip("How much changes: 0 redraws the image as the model reads it, small values change colour and texture "
        "(the fine w layers), 1 moves every layer, shape too. Ctrl+click to type a value");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(std::floor(ImGui::GetFontSize() * 7.0f));
    const uint32_t ten = 10, hundred = 100;
    if (ImGui::InputScalar("refine", ImGuiDataType_U32, &restyle.refinementSteps, &ten, &hundred))
        restyle.refinementSteps = std::min(restyle.refinementSteps, kMaxRestyleRefinementSteps);
    tip("Refinement steps (0..1000) that first fit the encoding to the image more closely: the result keeps more of "
        "its detail. Each costs about three generated images; 0: the encoder alone");

    ImGui::TextDisabled("to:");
    ImGui::SameLine();
    const std::string target = stylePrompt(state.recipe);
    ImGui::TextUnformatted(target.empty() ? styles.front().c_str() : target.c_str());
    tip("The target is the Style panel's style or blend (or its prompt): pick it there");
    const float exportWidth = ImGui::CalcTextSize("Export PNG").x + style.FramePadding.x * 2;
    const float textEnd = ImGui::GetItemRectMax().x - ImGui::GetWindowPos().x + style.ItemSpacing.x;
    ImGui::SameLine(std::max(textEnd, ImGui::GetWindowContentRegionMax().x - exportWidth));
    ImGui::BeginDisabled(!context.restyle.after.current);
    if (ImGui::Button("Export PNG")) actions.exportRestyle = true;
    ImGui::EndDisabled();
    tip("The restyled image as a PNG, straight alpha, exactly sgRestyle's pixels (read back from the GPU), into the "
        "export folder");
}

void restyleTab(ViewerState& state, UiState& ui, PanelContext& context, PanelActions& actions) {
    if (!context.model) return;
    restyleControls(state, ui, context, actions);
    const RestyleView& view = context.restyle;
    const TextureRef& before = view.before;
    const TextureRef& after = view.after;
    const uint32_t resolution = context.model->info.resolution;
    const uint32_t bw = before.texture ? before.texture->width : resolution;
    const uint32_t bh = before.texture ? before.texture->height : resolution;
    const uint32_t aw = after.texture ? after.texture->width : resolution;
    const uint32_t ah = after.texture ? after.texture->height : resolution;
    const bool sameSize = before.texture && after.texture && bw == aw && bh == ah;

    viewToolbar(state, false);
    ImGui::SameLine();
    ImGui::BeginDisabled(!sameSize);
    ImGui::Checkbox("Split", &ui.restyleSplit);
    tip(sameSize ? "One image, before on the left of the divider and after on its right, instead of side by side"
                 : "Needs the input and the result at the same size (the model resizes this input)");
    if (ui.restyleSplit && sameSize) {
        ImGui::SameLine();
        ImGui::SetNextItemWidth(-1.0f);
        ImGui::SliderFloat("##divider", &ui.restyleDivider, 0.0f, 1.0f, "divider %.2f", ImGuiSliderFlags_AlwaysClamp);
        tip("Where after starts: 0 shows only the result, 1 only the input");
    }
    ImGui::EndDisabled();

    const uint32_t cw = std::max(bw, aw), ch = std::max(bh, ah);
    // Two-line captions, clipped to their canvas: the halves are narrow.
    auto caption = [](const Canvas& canvas, const std::string& text) {
        ImGui::GetWindowDrawList()->PushClipRect(canvas.min, canvas.max, true);
        canvasCaption(canvas, text);
        ImGui::GetWindowDrawList()->PopClipRect();
    };
    const std::string name = std::filesystem::path(state.restyle.image).filename().string();
    const std::string target = stylePrompt(state.recipe);
    char numbers[64];
    std::snprintf(numbers, sizeof(numbers), "strength %.2f   %ux%u   %.0f ms", double(state.restyle.strength), aw, ah,
                  view.milliseconds);
    const std::string afterCaption =
        std::string(view.working ? "restyling... " : "") + "after   " + target + "\n" + numbers;
    ImVec2 areaMin, areaMax;
    Canvas afterCanvas;
    if (ui.restyleSplit && sameSize) {
        Canvas canvas;
        const float zoom = imageCanvas(state, &canvas, cw, ch, bw, bh, 0.0f);
        const ImVec2 origin = imageOrigin(state, canvas, zoom, bw, bh);
        drawCanvasImage(context, state, canvas, before, origin, zoom, false);
        const float w = float(bw) * zoom, h = float(bh) * zoom;
        const float divider = std::round(origin.x + ui.restyleDivider * w);
        ImageDraw draw;
        draw.texture = after.texture;
        draw.layer = after.layer;
        draw.origin = origin;
        draw.zoom = zoom;
        draw.rectMin = ImVec2(std::max(divider, origin.x), origin.y);
        draw.rectMax = ImVec2(origin.x + w, origin.y + h);
        draw.linear = state.linear;
        draw.checker = state.checker;
        draw.dim = after.current ? 0.0f : 0.35f;
        ImDrawList* list = ImGui::GetWindowDrawList();
        list->PushClipRect(canvas.min, canvas.max, true);
        if (draw.rectMin.x < draw.rectMax.x) context.drawing->image(list, draw);
        list->AddLine(ImVec2(divider, std::max(origin.y, canvas.min.y)), ImVec2(divider, std::min(origin.y + h, canvas.max.y)),
                      colour(kAccent), 2.0f);
        list->PopClipRect();
        caption(canvas, "before | " + afterCaption + "   " + zoomText(state, zoom));
        placement(&context.restyleBefore, before, canvas, origin, zoom, state);
        placement(&context.restyleAfter, after, canvas, origin, zoom, state);
        areaMin = canvas.min;
        areaMax = canvas.max;
        afterCanvas = canvas;
    } else {
        const float gap = 6.0f;
        const float half = std::floor((ImGui::GetContentRegionAvail().x - gap) * 0.5f);
        Canvas left;
        ImGui::PushID("before");
        imageCanvas(state, &left, cw, ch, bw, bh, 0.0f, half);
        ImGui::PopID();
        ImGui::SameLine(0.0f, gap);
        ImGui::PushID("after");
        const float zoom = imageCanvas(state, &afterCanvas, cw, ch, aw, ah, 0.0f, half);  // the zoom both now use
        ImGui::PopID();
        const ImVec2 beforeOrigin = imageOrigin(state, left, zoom, bw, bh);
        const ImVec2 afterOrigin = imageOrigin(state, afterCanvas, zoom, aw, ah);
        drawCanvasImage(context, state, left, before, beforeOrigin, zoom, false);
        drawCanvasImage(context, state, afterCanvas, after, afterOrigin, zoom, false);
        if (before.current)
            caption(left, "before   " + name + "\n" + std::to_string(bw) + "x" + std::to_string(bh) + "   " +
                              zoomText(state, zoom));
        if (after.texture || view.working) caption(afterCanvas, afterCaption);
        placement(&context.restyleBefore, before, left, beforeOrigin, zoom, state);
        placement(&context.restyleAfter, after, afterCanvas, afterOrigin, zoom, state);
        areaMin = left.min;
        areaMax = afterCanvas.max;
    }

    // Why there is nothing (new) to show: over everything when there is no
    // input, over the result when only it is missing.
    if (!view.problem.empty())
        canvasMessage(before.current ? afterCanvas.min : areaMin, before.current ? afterCanvas.max : areaMax,
                      view.problem, true);
    else if (state.restyle.image.empty())
        canvasMessage(areaMin, areaMax,
                      "Open an image to restyle: type its path above, Browse..., or pick a recent one. It is "
                      "redrawn in the Style panel's style or blend, keeping its shape.",
                      false);
}

void sceneTab(UiState& ui, PanelContext& context) {
    ImGui::SetNextItemWidth(140.0f);
    ImGui::SliderFloat("Orbit", &ui.sceneYaw, -180.0f, 180.0f, "%.0f deg");
    tip("Turn the camera around the scene (or drag in the scene)");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(120.0f);
    ImGui::SliderFloat("Zoom", &ui.sceneZoom, 0.5f, 3.0f, "%.2fx");
    tip("1: the camera frames every character (or scroll in the scene)");
    ImGui::SameLine();
    ImGui::TextDisabled("floor: %s", context.floorLabel.c_str());

    ImVec2 avail = ImGui::GetContentRegionAvail();
    avail.x = std::max(avail.x, 32.0f);
    avail.y = std::max(avail.y, 32.0f);
    const ImVec2 min = ImGui::GetCursorScreenPos();
    const ImVec2 max(min.x + avail.x, min.y + avail.y);
    ImGui::InvisibleButton("scene", avail);
    if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 1.0f))
        ui.sceneYaw = std::remainder(ui.sceneYaw - ImGui::GetIO().MouseDelta.x * 0.4f, 360.0f);
    if (ImGui::IsItemHovered() && ImGui::GetIO().MouseWheel != 0.0f)
        ui.sceneZoom = std::clamp(ui.sceneZoom * (ImGui::GetIO().MouseWheel > 0.0f ? 1.15f : 1.0f / 1.15f), 0.5f, 3.0f);

    SceneInput input;
    input.floor = context.floor;
    input.floorTexelsPerUnit = context.floorTexelsPerUnit;
    input.characters = context.characters;
    input.selected = context.selectedCharacter;
    input.yawDegrees = ui.sceneYaw;
    input.zoom = ui.sceneZoom;
    input.aspect = avail.x / avail.y;
    input.anyTexture = context.floor.texture;
    for (const TextureRef& c : context.characters)
        if (!input.anyTexture) input.anyTexture = c.texture;
    ImDrawList* list = ImGui::GetWindowDrawList();
    list->AddRectFilled(min, max, IM_COL32(26, 28, 33, 255));
    list->PushClipRect(min, max, true);
    if (input.anyTexture) context.drawing->scene(list, min, max, buildScene(input));
    list->PopClipRect();

    std::string hint;
    if (!context.floor.texture)
        hint = "Floor: grey tiles. Pin a texture of a scene model (e.g. models/terrain.sgm) to walk on it.";
    if (context.characters.empty())
        hint += std::string(hint.empty() ? "" : "\n") +
                "No characters: open a character model (e.g. models/characters.sgm) or pin some.";
    if (!input.anyTexture) hint = "Nothing to show yet: open a model, or pin textures from a scene and a character model.";
    if (!hint.empty()) {
        Canvas canvas{min, max};
        canvasCaption(canvas, hint);
    }
}

void drawView(ViewerState& state, UiState& ui, PanelContext& context, PanelActions& actions, ImVec2 position,
              ImVec2 size) {
    placeWindow(ui, position, size);
    if (!ImGui::Begin("View")) {
        ImGui::End();
        return;
    }
    const bool tileable = context.model && context.model->info.tileable;
    if (state.tab == ViewTab::Tiling && !tileable && context.model) state.tab = ViewTab::Selection;
    // state.tab changed by a key, a menu or a state file: select that tab (ImGui
    // shows it from the next frame on); otherwise a tab that opens was clicked.
    const bool switching = state.tab != ui.shownTab;
    if (ImGui::BeginTabBar("tabs")) {
        auto tab = [&](const char* label, ViewTab which, const char* help) {
            const ImGuiTabItemFlags flags = switching && state.tab == which ? ImGuiTabItemFlags_SetSelected : 0;
            const bool open = ImGui::BeginTabItem(label, nullptr, flags);
            tip(help);
            if (open) {
                if (!switching) state.tab = which;
                ui.shownTab = which;
            }
            return open;
        };
        if (tab("Selection", ViewTab::Selection, "The selected image, large (Ctrl+1)")) {
            selectionTab(state, context);
            ImGui::EndTabItem();
        }
        if (tileable && tab("Tiling", ViewTab::Tiling, "The texture repeated 3x3, to judge the seams (Ctrl+2)")) {
            tilingTab(state, context);
            ImGui::EndTabItem();
        }
        if (tab("Scene", ViewTab::Scene, "The textures in a small scene: a tiled floor, characters on it (Ctrl+3)")) {
            sceneTab(ui, context);
            ImGui::EndTabItem();
        }
        if (tab("Interpolation", ViewTab::Interpolation,
                "From the selected seed to a second one, one w layer at a time (Ctrl+4)")) {
            interpolationTab(state, context);
            ImGui::EndTabItem();
        }
        if (tab("Restyle", ViewTab::Restyle,
                "An image of yours redrawn in the Style panel's style or blend, before and after (Ctrl+5)")) {
            restyleTab(state, ui, context, actions);
            ImGui::EndTabItem();
        }
        ImGui::EndTabBar();
    }
    ImGui::End();
}

// [SECTION] Status bar and help -----------------------------------------------

void drawStatusBar(const PanelContext& context, ImVec2 position, ImVec2 size) {
    ImGui::SetNextWindowPos(position);
    ImGui::SetNextWindowSize(size);
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoFocusOnAppearing |
                                   ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoNav;
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(8.0f, 3.0f));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, 0.0f);
    if (ImGui::Begin("##status", nullptr, flags)) {
        const GenerationWorker::Status& w = context.worker;
        std::string right = context.path.substr(0, context.path.find(':'));
        if (w.msPerImage > 0.0) {
            char text[64];
            std::snprintf(text, sizeof(text), "  |  %.1f ms/image", w.msPerImage);
            right += text;
        }
        if (!context.frameMs.empty()) {
            char text[64];
            std::snprintf(text, sizeof(text), "  |  frame %.1f ms", context.frameMs.back());
            right += text;
        }
        const float rightWidth = ImGui::CalcTextSize(right.c_str()).x;
        const float progressWidth = 180.0f;
        if (w.jobImages > 0) {
            char label[64];
            std::snprintf(label, sizeof(label), "generating %u/%u", w.jobImagesDone, w.jobImages);
            ImGui::ProgressBar(float(w.jobImagesDone) / float(w.jobImages), ImVec2(progressWidth, 0.0f), label);
            ImGui::SameLine();
        }
        ImGui::PushTextWrapPos(ImGui::GetWindowWidth() - rightWidth - 24.0f);
        if (context.messageIsError) ImGui::TextColored(kErrorColour, "%s", context.message.c_str());
        else ImGui::TextUnformatted(context.message.c_str());
        ImGui::PopTextWrapPos();
        ImGui::SameLine(ImGui::GetWindowWidth() - rightWidth - 8.0f);
        ImGui::TextDisabled("%s", right.c_str());
    }
    ImGui::End();
    ImGui::PopStyleVar(2);
}

void drawHelp(UiState& ui) {
    if (ImGui::IsKeyPressed(GLFW_KEY_F1, false)) ui.showHelp = !ui.showHelp;
    if (!ui.showHelp) return;
    ImGui::SetNextWindowSize(ImVec2(460, 0), ImGuiCond_Appearing);
    if (ImGui::Begin("Keyboard and mouse", &ui.showHelp, ImGuiWindowFlags_NoSavedSettings)) {
        const char* rows[][2] = {
            {"Left / Right", "previous / next seed"},
            {"Up / Down", "a row of seeds back / forward"},
            {"Page Up / Page Down", "previous / next page of seeds"},
            {"R", "random page of seeds"},
            {"L", "lock / unlock the seeds"},
            {"P", "pin / unpin the selection"},
            {"F", "fit the large view"},
            {"Space", "play / pause the interpolation"},
            {"Ctrl+S", "export the selection as PNG"},
            {"Ctrl+Shift+S", "save the viewer state (a --state file)"},
            {"Ctrl+O", "open a model"},
            {"Ctrl+1..5", "selection, tiling, scene, interpolation, restyle"},
            {"scroll (large view)", "zoom around the mouse"},
            {"drag (large view)", "pan; in the scene: orbit"},
            {"double-click", "fit (large view), zoom in (grid cell)"},
            {"right-click (grid cell)", "pin, export, copy seed"},
        };
        if (ImGui::BeginTable("keys", 2, ImGuiTableFlags_RowBg)) {
            for (const auto& row : rows) {
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(row[0]);
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(row[1]);
            }
            ImGui::EndTable();
        }
    }
    ImGui::End();
}

}  // namespace

// [SECTION] Entry point -------------------------------------------------------

float fitZoom(float canvasWidth, float canvasHeight, uint32_t width, uint32_t height) {
    if (width == 0 || height == 0) return 1.0f;
    const float exact = std::min(canvasWidth / float(width), canvasHeight / float(height));
    if (exact >= 1.0f) return std::floor(exact);
    return 1.0f / std::ceil(1.0f / std::max(exact, 1e-3f));
}

void drawPanels(ViewerState& state, UiState& ui, PanelContext& context, PanelActions& actions) {
    handleKeyboard(state, ui, context, actions);
    drawMenuBar(state, ui, context, actions);

    const ImVec2 display = ImGui::GetIO().DisplaySize;
    const float top = ImGui::GetFrameHeight();  // the main menu bar
    const float statusHeight = ImGui::GetFrameHeight() + 6.0f;
    const float height = std::max(100.0f, display.y - top - statusHeight);
    const float controlsWidth = std::clamp(std::floor(display.x * 0.25f), 300.0f, 400.0f);
    const float gridWidth = std::floor((display.x - controlsWidth) * 0.46f);
    drawControls(state, ui, context, actions, ImVec2(0.0f, top), ImVec2(controlsWidth, height));
    drawGrid(state, ui, context, actions, ImVec2(controlsWidth, top), ImVec2(gridWidth, height));
    drawView(state, ui, context, actions, ImVec2(controlsWidth + gridWidth, top),
             ImVec2(display.x - controlsWidth - gridWidth, height));
    drawStatusBar(context, ImVec2(0.0f, display.y - statusHeight), ImVec2(display.x, statusHeight));
    drawHelp(ui);
    if (ui.showMetrics) ImGui::ShowMetricsWindow(&ui.showMetrics);

    std::string chosen;
    if (ui.browser.draw(&chosen)) {
        if (ui.browserPurpose == kBrowseModel) actions.openModel = chosen;
        if (ui.browserPurpose == kBrowseExportFolder) {
            ui.exportFolderField = chosen;
            actions.exportFolder = chosen;
        }
        if (ui.browserPurpose == kBrowseRestyleImage) {
            state.restyle.image = std::filesystem::absolute(chosen).lexically_normal().string();
            state.tab = ViewTab::Restyle;
        }
    }
    ui.resetLayout = false;
}

}  // namespace sg::viewer
