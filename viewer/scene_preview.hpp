// scene_preview.hpp - the scene preview: the textures in the setting they are
// made for. A floor of the scene texture repeated over a plane (grey tiles
// until there is one), the characters standing on it in rows with soft contact
// shadows, the selected one in front with a ring, seen from an orbiting
// camera that frames them. The result is a list of quads for Drawing::scene,
// back to front.
#pragma once

#include <vector>

#include "drawing.hpp"
#include "panels.hpp"

namespace sg::viewer {

struct SceneInput {
    TextureRef floor;                  // texture == nullptr: grey tiles
    float floorTexelsPerUnit = 32.0f;  // world unit = one character's width
    std::vector<TextureRef> characters;
    int selected = -1;                 // index in characters, or -1
    float yawDegrees = 25.0f;
    float zoom = 1.0f;                 // 1: the camera frames every character
    float aspect = 1.0f;               // width / height of the panel
    const Texture* anyTexture = nullptr;  // bound while drawing quads that sample nothing
};

std::vector<SceneQuad> buildScene(const SceneInput& input);

}  // namespace sg::viewer
