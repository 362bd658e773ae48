// scene.hpp - where the crowd stands and where the camera looks from: CPU-side
// data that becomes each frame's FrameData and back-to-front character list.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <glm/glm.hpp>
#include <vector>

namespace runtime {

// The GPU's view of a frame: the same layouts as shaders/scene.glsl (std140, std430).
struct FrameData {
    glm::mat4 viewProjection;
    glm::vec4 cameraPosition;
    glm::vec4 cameraRight;
    glm::vec4 cameraUp;
    glm::vec4 fogColor;
    glm::vec4 floorParams;  // x: world units per floor-texture repeat, y: floor half-size, z: lit radius
    glm::vec4 fogParams;    // x: fog start distance, y: fog end distance
};
struct CharacterInstance {
    glm::vec2 feet;
    float size;
    uint32_t layer;
};
static_assert(sizeof(FrameData) == 160 && sizeof(CharacterInstance) == 16, "must match shaders/scene.glsl");

// Where each character stands: armies of one style each, in loose crowds,
// spread over the floor around the origin.
struct Crowd {
    std::vector<glm::vec2> feet;  // world x, z of character i
    float spriteSize = 1.6f;      // world units; the floor has 64 texels per unit
    float radius = 0.0f;          // of the circle the crowd covers
};
Crowd layoutCrowd(const std::vector<uint32_t>& styleOfCharacter, uint32_t styleCount);

// A camera orbiting the crowd, looking down at it.
struct Camera {
    float yaw = 0.0f;    // radians around the vertical axis; 0 looks along -z
    float pitch = 0.6f;  // radians below the horizon
    float distance = 30.0f;
    float fovY = 0.7f;  // radians
};
// A camera that frames the whole crowd.
Camera cameraFor(const Crowd& crowd, float aspect);

// The frame's uniforms and its characters sorted back to front (alpha
// blending needs the far ones drawn first).
void buildFrame(const Crowd& crowd, const Camera& camera, VkExtent2D extent, FrameData* frame,
                std::vector<CharacterInstance>* sortedCharacters);

// The clear colour, which the fog fades into.
constexpr float kFogColor[3] = {0.09f, 0.10f, 0.12f};

}  // namespace runtime
