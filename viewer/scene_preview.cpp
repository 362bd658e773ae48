// scene_preview.cpp - camera, layout and quads of the scene preview.
#include "scene_preview.hpp"

#include <algorithm>
#include <cmath>

#include <glm/glm.hpp>
#include <glm/gtc/matrix_transform.hpp>

namespace sg::viewer {
namespace {

constexpr float kSpacing = 1.3f;         // between characters, world units (a character is 1 wide)
constexpr size_t kMaxCharacters = 24;    // more would be too small to judge
constexpr float kSpriteSize = 1.0f;      // a character's quad, world units
constexpr float kFeet = 0.08f;           // sprites have a little transparent margin below the feet
constexpr float kPitchDegrees = 33.0f;
constexpr float kFovDegrees = 38.0f;

// fogStart: the view distance where the fog begins (the camera's distance to
// the group: what lies behind the characters fades).
SceneQuad quad(const glm::mat4& viewProjection, const glm::vec3 corners[4], const Texture* texture, uint32_t layer,
               float texelsX, float texelsY, SceneMode mode, float fogStart) {
    SceneQuad q;
    q.fogStart = fogStart;
    q.texture = texture;
    q.layer = layer;
    q.texelsX = texelsX;
    q.texelsY = texelsY;
    q.mode = mode;
    for (int i = 0; i < 4; ++i) {
        const glm::vec4 clip = viewProjection * glm::vec4(corners[i], 1.0f);
        q.corners[size_t(i)] = {clip.x, clip.y, clip.z, clip.w};
    }
    return q;
}

}  // namespace

std::vector<SceneQuad> buildScene(const SceneInput& input) {
    std::vector<SceneQuad> quads;
    if (!input.anyTexture) return quads;

    // Rows of characters, centred, every other row shifted half a step; the
    // selected character takes the middle of the front row.
    const size_t count = std::min(input.characters.size(), kMaxCharacters);
    const size_t columns = std::max<size_t>(1, size_t(std::ceil(std::sqrt(double(count) * 1.6))));
    const size_t rows = count == 0 ? 0 : (count + columns - 1) / columns;
    std::vector<size_t> order(count);
    for (size_t i = 0; i < count; ++i) order[i] = i;
    if (count > 0 && input.selected >= 0 && size_t(input.selected) < count) {
        const size_t front = (rows - 1) * columns + std::min(columns, count - (rows - 1) * columns) / 2;
        std::swap(order[size_t(input.selected)], order[front]);
    }
    std::vector<glm::vec3> positions;
    float radius = 1.0f;  // of the group, for the framing
    for (size_t slot = 0; slot < count; ++slot) {
        const size_t row = slot / columns, column = slot % columns;
        const size_t inRow = std::min(columns, count - row * columns);
        const float x = (float(column) - float(inRow - 1) * 0.5f + (row % 2 ? 0.25f : -0.25f)) * kSpacing;
        const float z = (float(row) - float(rows - 1) * 0.5f) * kSpacing * 0.9f;
        positions.emplace_back(x, 0.0f, z);
        radius = std::max(radius, std::hypot(x, z) + kSpriteSize * 0.6f);
    }

    // The camera looks down at the group from kPitchDegrees, far enough that
    // the group fills the narrower side of the panel (zoom 1).
    const float fovY = glm::radians(kFovDegrees);
    const float fovX = 2.0f * std::atan(std::tan(fovY * 0.5f) * input.aspect);
    const float framed = radius / std::tan(std::min(fovX, fovY) * 0.5f) + radius * 0.5f;
    const float distance = std::max(2.5f, framed * 0.8f / std::max(input.zoom, 0.1f));
    const float yaw = glm::radians(input.yawDegrees), pitch = glm::radians(kPitchDegrees);
    const glm::vec3 target(0.0f, 0.45f, 0.0f);
    const glm::vec3 eye = target + distance * glm::vec3(std::sin(yaw) * std::cos(pitch), std::sin(pitch),
                                                        std::cos(yaw) * std::cos(pitch));
    const glm::mat4 view = glm::lookAt(eye, target, glm::vec3(0.0f, 1.0f, 0.0f));
    glm::mat4 projection = glm::perspectiveRH_ZO(fovY, input.aspect, 0.1f, 200.0f);
    projection[1][1] *= -1.0f;  // Vulkan's clip space has y down
    const glm::mat4 viewProjection = projection * view;

    SceneQuad backdrop;
    backdrop.texture = input.anyTexture;
    backdrop.mode = SceneMode::Backdrop;
    backdrop.corners = {{{-1.0f, -1.0f, 0.5f, 1.0f}, {1.0f, -1.0f, 0.5f, 1.0f}, {-1.0f, 1.0f, 0.5f, 1.0f},
                         {1.0f, 1.0f, 0.5f, 1.0f}}};
    quads.push_back(backdrop);

    // The floor reaches well into the fog, so its edge never shows.
    const float r = distance * 3.0f;
    const glm::vec3 floorCorners[4] = {{-r, 0.0f, -r}, {r, 0.0f, -r}, {-r, 0.0f, r}, {r, 0.0f, r}};
    if (input.floor.texture) {
        const float texels = 2.0f * r * input.floorTexelsPerUnit;
        quads.push_back(quad(viewProjection, floorCorners, input.floor.texture, input.floor.layer, texels, texels,
                             SceneMode::Floor, distance));
    } else {
        quads.push_back(quad(viewProjection, floorCorners, input.anyTexture, 0, 2.0f * r, 2.0f * r,
                             SceneMode::PlainFloor, distance));
    }
    if (count == 0) return quads;

    struct Placed {
        glm::vec3 position;
        size_t character;
        float depth;
    };
    std::vector<Placed> placed;
    for (size_t slot = 0; slot < count; ++slot)
        placed.push_back({positions[slot], order[slot], glm::length(eye - positions[slot])});
    std::sort(placed.begin(), placed.end(), [](const Placed& a, const Placed& b) { return a.depth > b.depth; });

    // Sprites face the camera around the vertical axis.
    const glm::vec3 right = glm::normalize(glm::vec3(std::cos(yaw), 0.0f, -std::sin(yaw)));
    for (const Placed& p : placed) {  // shadows first: no sprite should be covered by a shadow
        const glm::vec3 across = right * 0.42f, along = glm::vec3(-right.z, 0.0f, right.x) * 0.26f;
        const glm::vec3 c = p.position + glm::vec3(0.0f, 0.002f, 0.0f);
        const glm::vec3 corners[4] = {c - across - along, c + across - along, c - across + along, c + across + along};
        const bool selected = int(p.character) == input.selected;
        quads.push_back(quad(viewProjection, corners, input.anyTexture, 0, 1.0f, 1.0f,
                             selected ? SceneMode::SelectedShadow : SceneMode::Shadow, distance));
    }
    for (const Placed& p : placed) {
        const TextureRef& sprite = input.characters[p.character];
        if (!sprite.texture) continue;
        const glm::vec3 half = right * (kSpriteSize * 0.5f);
        const glm::vec3 bottom = p.position - glm::vec3(0.0f, kFeet, 0.0f), up(0.0f, kSpriteSize, 0.0f);
        const glm::vec3 corners[4] = {bottom - half + up, bottom + half + up, bottom - half, bottom + half};
        quads.push_back(quad(viewProjection, corners, sprite.texture, sprite.layer, float(sprite.texture->width),
                             float(sprite.texture->height), SceneMode::Sprite, distance));
    }
    return quads;
}

}  // namespace sg::viewer
