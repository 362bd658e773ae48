// scene.cpp - crowd layout, camera, per-frame sorting.
#define GLM_FORCE_DEPTH_ZERO_TO_ONE  // Vulkan's clip space
#include "scene.hpp"

#include <algorithm>
#include <cmath>
#include <glm/gtc/matrix_transform.hpp>
#include <numeric>

namespace runtime {
namespace {

constexpr float kGoldenAngle = 2.39996323f;  // radians; Vogel's sunflower spiral
constexpr float kFloorRepeat = 4.0f;         // world units per floor-texture repeat (256 px: 64 px per unit)
constexpr float kFloorHalfSize = 150.0f;     // far beyond the fog

// A deterministic value in [-0.5, 0.5) from an integer (splitmix64), so the
// layout is the same on every run and platform.
float jitter(uint64_t n) {
    n += 0x9E3779B97F4A7C15ull;
    n = (n ^ (n >> 30)) * 0xBF58476D1CE4E5B9ull;
    n = (n ^ (n >> 27)) * 0x94D049BB133111EBull;
    n ^= n >> 31;
    return float(n >> 40) / float(1 << 24) - 0.5f;
}

// Point k of a sunflower spiral of the given spacing: evenly spread over a disc.
glm::vec2 spiral(uint32_t k, float spacing, float phase) {
    const float r = spacing * std::sqrt(float(k) + 0.5f);
    const float a = float(k) * kGoldenAngle + phase;
    return {r * std::cos(a), r * std::sin(a)};
}

}  // namespace

Crowd layoutCrowd(const std::vector<uint32_t>& styleOfCharacter, uint32_t styleCount) {
    Crowd crowd;
    const uint32_t n = uint32_t(styleOfCharacter.size());
    // Army centres on one spiral, the members of each on a smaller one around
    // it, nudged so no rank looks drawn with a ruler.
    const float memberSpacing = 0.62f;
    const uint32_t perArmy = (n + styleCount - 1) / std::max(styleCount, 1u);
    const float armyRadius = memberSpacing * std::sqrt(float(perArmy));
    std::vector<uint32_t> rank(styleCount, 0);
    crowd.feet.resize(n);
    for (uint32_t i = 0; i < n; ++i) {
        const uint32_t army = styleOfCharacter[i];
        const glm::vec2 centre = spiral(army, 1.3f * armyRadius, 0.0f);
        const uint32_t k = rank[army]++;
        const glm::vec2 wobble = glm::vec2(jitter(2 * i), jitter(2 * i + 1)) * (0.6f * memberSpacing);
        crowd.feet[i] = centre + spiral(k, memberSpacing, float(army)) + wobble;
    }
    // Centred on the origin, where the camera looks and the light falls.
    glm::vec2 centroid(0.0f);
    for (const glm::vec2& p : crowd.feet) centroid += p / float(n);
    for (glm::vec2& p : crowd.feet) {
        p -= centroid;
        crowd.radius = std::max(crowd.radius, glm::length(p));
    }
    return crowd;
}

Camera cameraFor(const Crowd& crowd, float aspect) {
    Camera camera;
    // Far enough that the crowd's circle fits the narrower field of view.
    const float halfFov = 0.5f * std::min(camera.fovY, 2.0f * std::atan(std::tan(0.5f * camera.fovY) * aspect));
    camera.distance = 0.7f * (crowd.radius + crowd.spriteSize) / std::sin(halfFov);
    return camera;
}

void buildFrame(const Crowd& crowd, const Camera& camera, VkExtent2D extent, FrameData* frame,
                std::vector<CharacterInstance>* sorted) {
    const glm::vec3 forward(std::sin(camera.yaw) * std::cos(camera.pitch), -std::sin(camera.pitch),
                            -std::cos(camera.yaw) * std::cos(camera.pitch));
    const glm::vec3 position = -forward * camera.distance;  // looking at the origin
    const glm::vec3 right = glm::normalize(glm::cross(forward, glm::vec3(0, 1, 0)));
    const glm::vec3 up = glm::cross(right, forward);
    glm::mat4 projection = glm::perspective(camera.fovY, float(extent.width) / float(extent.height), 0.5f, 500.0f);
    projection[1][1] *= -1.0f;  // Vulkan's y points down
    frame->viewProjection = projection * glm::lookAt(position, glm::vec3(0), glm::vec3(0, 1, 0));
    frame->cameraPosition = glm::vec4(position, 1);
    frame->cameraRight = glm::vec4(right, 0);
    frame->cameraUp = glm::vec4(up, 0);
    frame->fogColor = glm::vec4(kFogColor[0], kFogColor[1], kFogColor[2], 1);
    frame->floorParams = glm::vec4(kFloorRepeat, kFloorHalfSize, crowd.radius + 2.0f, 0);
    frame->fogParams = glm::vec4(camera.distance + 0.5f * crowd.radius, camera.distance + 3.0f * crowd.radius, 0, 0);

    const uint32_t n = uint32_t(crowd.feet.size());
    std::vector<float> depth(n);
    std::vector<uint32_t> order(n);
    for (uint32_t i = 0; i < n; ++i)
        depth[i] = glm::dot(glm::vec3(crowd.feet[i].x, 0, crowd.feet[i].y) - position, forward);
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return depth[a] > depth[b]; });
    sorted->resize(n);
    for (uint32_t k = 0; k < n; ++k) (*sorted)[k] = {crowd.feet[order[k]], crowd.spriteSize, order[k]};
}

}  // namespace runtime
