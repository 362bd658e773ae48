// drawing.cpp - pipelines for textures and the scene preview, and the ImGui
// draw callbacks that use them.
#include "drawing.hpp"

#include <algorithm>
#include <cmath>

namespace sg::viewer {
namespace {

const uint32_t kImageVert[] =
#include "viewer/image.vert.inc"
    ;
const uint32_t kImageFrag[] =
#include "viewer/image.frag.inc"
    ;
const uint32_t kSceneVert[] =
#include "viewer/scene.vert.inc"
    ;
const uint32_t kSceneFrag[] =
#include "viewer/scene.frag.inc"
    ;

// The push constant blocks of shaders/viewer/*.vert, byte for byte.
struct ImagePush {
    float rect[4];
    float mapping[4];
    int32_t texture[4];
    float viewport[4];
    float unused[8];  // both pipelines share one layout: every draw sets the whole range
};
struct ScenePush {
    float corners[4][4];
    float uvScale[4];
    int32_t info[4];
};
constexpr uint32_t kPushBytes = sizeof(ScenePush);
static_assert(sizeof(ImagePush) == kPushBytes && kPushBytes <= 128, "Vulkan guarantees 128 push-constant bytes");

// image.frag's flags.
constexpr int32_t kRepeat = 1, kLinear = 2, kChecker = 4, kSeams = 8;

ImVec2 toFramebuffer(ImVec2 p) {
    const ImDrawData* data = ImGui::GetDrawData();
    return ImVec2((p.x - data->DisplayPos.x) * data->FramebufferScale.x,
                  (p.y - data->DisplayPos.y) * data->FramebufferScale.y);
}

}  // namespace

Drawing::Drawing(Gpu& gpu, VkRenderPass renderPass, VkDescriptorSetLayout setLayout) : gpu_(gpu) {
    VkPushConstantRange push{VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT, 0, kPushBytes};
    VkPipelineLayoutCreateInfo layoutInfo{};
    layoutInfo.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
    layoutInfo.setLayoutCount = 1;
    layoutInfo.pSetLayouts = &setLayout;
    layoutInfo.pushConstantRangeCount = 1;
    layoutInfo.pPushConstantRanges = &push;
    SG_VIEWER_VK(vkCreatePipelineLayout(gpu_.device, &layoutInfo, nullptr, &layout_));
    imagePipeline_ = createPipeline(renderPass, kImageVert, sizeof(kImageVert), kImageFrag, sizeof(kImageFrag));
    scenePipeline_ = createPipeline(renderPass, kSceneVert, sizeof(kSceneVert), kSceneFrag, sizeof(kSceneFrag));
}

Drawing::~Drawing() {
    vkDestroyPipeline(gpu_.device, imagePipeline_, nullptr);
    vkDestroyPipeline(gpu_.device, scenePipeline_, nullptr);
    vkDestroyPipelineLayout(gpu_.device, layout_, nullptr);
}

VkPipeline Drawing::createPipeline(VkRenderPass renderPass, const uint32_t* vertex, size_t vertexBytes,
                                   const uint32_t* fragment, size_t fragmentBytes) {
    VkShaderModule modules[2] = {};
    const uint32_t* code[2] = {vertex, fragment};
    const size_t bytes[2] = {vertexBytes, fragmentBytes};
    for (int i = 0; i < 2; ++i) {
        VkShaderModuleCreateInfo info{};
        info.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO;
        info.codeSize = bytes[i];
        info.pCode = code[i];
        SG_VIEWER_VK(vkCreateShaderModule(gpu_.device, &info, nullptr, &modules[i]));
    }
    VkPipelineShaderStageCreateInfo stages[2] = {};
    for (int i = 0; i < 2; ++i) {
        stages[i].sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
        stages[i].stage = i == 0 ? VK_SHADER_STAGE_VERTEX_BIT : VK_SHADER_STAGE_FRAGMENT_BIT;
        stages[i].module = modules[i];
        stages[i].pName = "main";
    }
    VkPipelineVertexInputStateCreateInfo vertexInput{};
    vertexInput.sType = VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO;
    VkPipelineInputAssemblyStateCreateInfo assembly{};
    assembly.sType = VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO;
    assembly.topology = VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST;
    VkPipelineViewportStateCreateInfo viewport{};
    viewport.sType = VK_STRUCTURE_TYPE_PIPELINE_VIEWPORT_STATE_CREATE_INFO;
    viewport.viewportCount = 1;
    viewport.scissorCount = 1;
    VkPipelineRasterizationStateCreateInfo raster{};
    raster.sType = VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO;
    raster.polygonMode = VK_POLYGON_MODE_FILL;
    raster.cullMode = VK_CULL_MODE_NONE;
    raster.lineWidth = 1.0f;
    VkPipelineMultisampleStateCreateInfo multisample{};
    multisample.sType = VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO;
    multisample.rasterizationSamples = VK_SAMPLE_COUNT_1_BIT;
    // Premultiplied output: an opaque pixel replaces what is there exactly
    // (1 * src + 0 * dst), which keeps screenshots byte-exact.
    VkPipelineColorBlendAttachmentState blend{};
    blend.blendEnable = VK_TRUE;
    blend.srcColorBlendFactor = VK_BLEND_FACTOR_ONE;
    blend.dstColorBlendFactor = VK_BLEND_FACTOR_ONE_MINUS_SRC_ALPHA;
    blend.colorBlendOp = VK_BLEND_OP_ADD;
    blend.srcAlphaBlendFactor = VK_BLEND_FACTOR_ONE;
    blend.dstAlphaBlendFactor = VK_BLEND_FACTOR_ONE_MINUS_SRC_ALPHA;
    blend.alphaBlendOp = VK_BLEND_OP_ADD;
    blend.colorWriteMask = VK_COLOR_COMPONENT_R_BIT | VK_COLOR_COMPONENT_G_BIT | VK_COLOR_COMPONENT_B_BIT |
                           VK_COLOR_COMPONENT_A_BIT;
    VkPipelineColorBlendStateCreateInfo blendState{};
    blendState.sType = VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO;
    blendState.attachmentCount = 1;
    blendState.pAttachments = &blend;
    VkPipelineDepthStencilStateCreateInfo depth{};
    depth.sType = VK_STRUCTURE_TYPE_PIPELINE_DEPTH_STENCIL_STATE_CREATE_INFO;
    const VkDynamicState dynamicStates[2] = {VK_DYNAMIC_STATE_VIEWPORT, VK_DYNAMIC_STATE_SCISSOR};
    VkPipelineDynamicStateCreateInfo dynamic{};
    dynamic.sType = VK_STRUCTURE_TYPE_PIPELINE_DYNAMIC_STATE_CREATE_INFO;
    dynamic.dynamicStateCount = 2;
    dynamic.pDynamicStates = dynamicStates;
    VkGraphicsPipelineCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO;
    info.stageCount = 2;
    info.pStages = stages;
    info.pVertexInputState = &vertexInput;
    info.pInputAssemblyState = &assembly;
    info.pViewportState = &viewport;
    info.pRasterizationState = &raster;
    info.pMultisampleState = &multisample;
    info.pDepthStencilState = &depth;
    info.pColorBlendState = &blendState;
    info.pDynamicState = &dynamic;
    info.layout = layout_;
    info.renderPass = renderPass;
    VkPipeline pipeline = VK_NULL_HANDLE;
    const VkResult result = vkCreateGraphicsPipelines(gpu_.device, VK_NULL_HANDLE, 1, &info, nullptr, &pipeline);
    for (VkShaderModule module : modules) vkDestroyShaderModule(gpu_.device, module, nullptr);
    SG_VIEWER_VK(result);
    return pipeline;
}

void Drawing::beginFrame() {
    images_.clear();
    scenes_.clear();
}

void Drawing::image(ImDrawList* list, const ImageDraw& draw) {
    if (!draw.texture || draw.rectMax.x <= draw.rectMin.x || draw.rectMax.y <= draw.rectMin.y) return;
    images_.push_back({this, draw});
    list->AddCallback(&Drawing::drawImage, &images_.back());
    list->AddCallback(ImDrawCallback_ResetRenderState, nullptr);
}

void Drawing::scene(ImDrawList* list, ImVec2 rectMin, ImVec2 rectMax, std::vector<SceneQuad> quads) {
    if (quads.empty() || rectMax.x <= rectMin.x || rectMax.y <= rectMin.y) return;
    scenes_.push_back({this, rectMin, rectMax, std::move(quads)});
    list->AddCallback(&Drawing::drawScene, &scenes_.back());
    list->AddCallback(ImDrawCallback_ResetRenderState, nullptr);
}

bool Drawing::setScissor(const ImDrawCmd* cmd) const {
    const ImDrawData* data = ImGui::GetDrawData();
    const float width = data->DisplaySize.x * data->FramebufferScale.x;
    const float height = data->DisplaySize.y * data->FramebufferScale.y;
    const ImVec2 lo = toFramebuffer(ImVec2(cmd->ClipRect.x, cmd->ClipRect.y));
    const ImVec2 hi = toFramebuffer(ImVec2(cmd->ClipRect.z, cmd->ClipRect.w));
    const float x0 = std::clamp(lo.x, 0.0f, width), y0 = std::clamp(lo.y, 0.0f, height);
    const float x1 = std::clamp(hi.x, 0.0f, width), y1 = std::clamp(hi.y, 0.0f, height);
    if (x1 <= x0 || y1 <= y0) return false;
    VkRect2D scissor{{int32_t(x0), int32_t(y0)}, {uint32_t(x1 - float(int32_t(x0))), uint32_t(y1 - float(int32_t(y0)))}};
    vkCmdSetScissor(cmd_, 0, 1, &scissor);
    return true;
}

void Drawing::drawImage(const ImDrawList*, const ImDrawCmd* cmd) {
    const auto* request = static_cast<const ImageRequest*>(cmd->UserCallbackData);
    Drawing& self = *request->owner;
    const ImageDraw& draw = request->draw;
    if (!self.setScissor(cmd)) return;
    const ImDrawData* data = ImGui::GetDrawData();
    const float scale = data->FramebufferScale.x;
    VkViewport viewport{0.0f, 0.0f, data->DisplaySize.x * data->FramebufferScale.x,
                        data->DisplaySize.y * data->FramebufferScale.y, 0.0f, 1.0f};
    vkCmdSetViewport(self.cmd_, 0, 1, &viewport);
    const ImVec2 lo = toFramebuffer(draw.rectMin), hi = toFramebuffer(draw.rectMax);
    const ImVec2 origin = toFramebuffer(draw.origin);
    ImagePush push{};
    push.rect[0] = lo.x;
    push.rect[1] = lo.y;
    push.rect[2] = hi.x;
    push.rect[3] = hi.y;
    push.mapping[0] = origin.x;
    push.mapping[1] = origin.y;
    push.mapping[2] = draw.zoom * scale;
    push.mapping[3] = draw.checkerSize * scale;
    push.texture[0] = int32_t(draw.texture->width);
    push.texture[1] = int32_t(draw.texture->height);
    push.texture[2] = int32_t(draw.layer);
    push.texture[3] = (draw.repeat ? kRepeat : 0) | (draw.linear ? kLinear : 0) | (draw.checker ? kChecker : 0) |
                      (draw.seams ? kSeams : 0);
    push.viewport[0] = viewport.width;
    push.viewport[1] = viewport.height;
    push.viewport[2] = draw.dim;
    vkCmdBindPipeline(self.cmd_, VK_PIPELINE_BIND_POINT_GRAPHICS, self.imagePipeline_);
    vkCmdBindDescriptorSets(self.cmd_, VK_PIPELINE_BIND_POINT_GRAPHICS, self.layout_, 0, 1, &draw.texture->set, 0,
                            nullptr);
    vkCmdPushConstants(self.cmd_, self.layout_, VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT, 0,
                       sizeof(push), &push);
    vkCmdDraw(self.cmd_, 6, 1, 0, 0);
}

void Drawing::drawScene(const ImDrawList*, const ImDrawCmd* cmd) {
    const auto* request = static_cast<const SceneRequest*>(cmd->UserCallbackData);
    Drawing& self = *request->owner;
    if (!self.setScissor(cmd)) return;
    const ImVec2 lo = toFramebuffer(request->rectMin), hi = toFramebuffer(request->rectMax);
    VkViewport viewport{lo.x, lo.y, hi.x - lo.x, hi.y - lo.y, 0.0f, 1.0f};
    vkCmdSetViewport(self.cmd_, 0, 1, &viewport);
    vkCmdBindPipeline(self.cmd_, VK_PIPELINE_BIND_POINT_GRAPHICS, self.scenePipeline_);
    const Texture* bound = nullptr;
    for (const SceneQuad& quad : request->quads) {
        if (quad.texture != bound) {
            vkCmdBindDescriptorSets(self.cmd_, VK_PIPELINE_BIND_POINT_GRAPHICS, self.layout_, 0, 1,
                                    &quad.texture->set, 0, nullptr);
            bound = quad.texture;
        }
        ScenePush push{};
        for (int c = 0; c < 4; ++c)
            for (int k = 0; k < 4; ++k) push.corners[c][k] = quad.corners[size_t(c)][size_t(k)];
        push.uvScale[0] = quad.texelsX;
        push.uvScale[1] = quad.texelsY;
        push.uvScale[2] = quad.fogStart;
        push.info[0] = int32_t(quad.texture->width);
        push.info[1] = int32_t(quad.texture->height);
        push.info[2] = int32_t(quad.layer);
        push.info[3] = int32_t(quad.mode);
        vkCmdPushConstants(self.cmd_, self.layout_, VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT, 0,
                           sizeof(push), &push);
        vkCmdDraw(self.cmd_, 6, 1, 0, 0);
    }
}

}  // namespace sg::viewer
