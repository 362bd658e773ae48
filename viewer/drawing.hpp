// drawing.hpp - the viewer's own drawing inside Dear ImGui's render pass.
//
// Dear ImGui 1.86's Vulkan backend binds only its font texture: it ignores
// ImTextureID, and its descriptor set layout bakes in a linear sampler. So
// generated textures are drawn through ImDrawList callbacks that bind the
// viewer's pipelines (shaders/viewer/), draw, and then let ImGui restore its
// state (ImDrawCallback_ResetRenderState). Draws keep ImGui's order and clip
// rectangles, so windows overlap them correctly.
//
//   drawing.beginFrame();                      // each frame, before the UI
//   ImageDraw d; d.texture = t; ... drawing.image(ImGui::GetWindowDrawList(), d);
//   drawing.setTarget(cmd);                    // then ImGui_ImplVulkan_RenderDrawData(...)
#pragma once

#include <imgui.h>
#include <vulkan/vulkan.h>

#include <array>
#include <deque>
#include <vector>

#include "gpu.hpp"
#include "textures.hpp"

namespace sg::viewer {

// The checkerboard image.frag draws behind alpha (the CLI's contact-sheet greys).
constexpr uint8_t kCheckerLight = 0xC4, kCheckerDark = 0x94;

// One texture layer drawn into a screen rectangle (ImGui coordinates).
struct ImageDraw {
    const Texture* texture = nullptr;
    uint32_t layer = 0;
    ImVec2 rectMin, rectMax;  // where to draw; also clipped by the current ImGui clip rectangle
    ImVec2 origin;            // screen position of texel (0, 0)'s top-left corner
    float zoom = 1.0f;        // screen pixels per texel
    bool repeat = false;      // wrap: the texture tiles the whole rectangle
    bool linear = false;      // premultiplied bilinear instead of nearest
    bool checker = true;      // composite over a checkerboard, so alpha shows
    bool seams = false;       // with repeat: mark the wrap seams
    float checkerSize = 8.0f; // screen pixels per checker square
    float dim = 0.0f;         // 0..1 toward grey: a cell still being generated
};

// Scene preview quads, drawn in order (back to front) into a rectangle. Modes
// match scene.frag.
enum class SceneMode : int32_t { Backdrop = 0, Floor = 1, Shadow = 2, Sprite = 3, SelectedShadow = 4, PlainFloor = 5 };
struct SceneQuad {
    const Texture* texture = nullptr;  // any texture for Backdrop/Shadow (not sampled)
    uint32_t layer = 0;
    std::array<std::array<float, 4>, 4> corners{};  // clip space: top-left, top-right, bottom-left, bottom-right
    float texelsX = 1.0f, texelsY = 1.0f;             // texel coordinate at the bottom-right corner
    float fogStart = 8.0f;                            // view distance where the floor starts fading
    SceneMode mode = SceneMode::Sprite;
};

class Drawing {
public:
    Drawing(Gpu& gpu, VkRenderPass renderPass, VkDescriptorSetLayout setLayout);
    ~Drawing();
    Drawing(const Drawing&) = delete;
    Drawing& operator=(const Drawing&) = delete;

    // Forgets the previous frame's requests (its draw data has been rendered).
    void beginFrame();
    void image(ImDrawList* list, const ImageDraw& draw);
    void scene(ImDrawList* list, ImVec2 rectMin, ImVec2 rectMax, std::vector<SceneQuad> quads);
    // The command buffer the coming ImGui_ImplVulkan_RenderDrawData records into.
    void setTarget(VkCommandBuffer cmd) { cmd_ = cmd; }

private:
    struct ImageRequest {
        Drawing* owner;
        ImageDraw draw;
    };
    struct SceneRequest {
        Drawing* owner;
        ImVec2 rectMin, rectMax;
        std::vector<SceneQuad> quads;
    };
    static void drawImage(const ImDrawList* list, const ImDrawCmd* cmd);
    static void drawScene(const ImDrawList* list, const ImDrawCmd* cmd);
    // Scissor from ImGui's clip rectangle, in framebuffer pixels; false when empty.
    bool setScissor(const ImDrawCmd* cmd) const;
    VkPipeline createPipeline(VkRenderPass renderPass, const uint32_t* vertex, size_t vertexBytes,
                              const uint32_t* fragment, size_t fragmentBytes);

    Gpu& gpu_;
    VkPipelineLayout layout_ = VK_NULL_HANDLE;
    VkPipeline imagePipeline_ = VK_NULL_HANDLE;
    VkPipeline scenePipeline_ = VK_NULL_HANDLE;
    VkCommandBuffer cmd_ = VK_NULL_HANDLE;
    // Stable addresses: ImGui keeps pointers to them until the frame is rendered.
    std::deque<ImageRequest> images_;
    std::deque<SceneRequest> scenes_;
};

}  // namespace sg::viewer
