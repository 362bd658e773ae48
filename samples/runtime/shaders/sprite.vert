#version 450
// One character: a camera-facing quad standing on its feet, instanced, no
// vertex buffer. gl_InstanceIndex picks the character (the frame's list is
// already sorted back to front).
#include "scene.glsl"

layout(location = 0) out vec3 outUvLayer;
layout(location = 1) out float outShade;
layout(location = 2) out float outFog;

// Corners in sprite space: x left to right, y bottom to top.
const vec2 kCorners[6] = vec2[](vec2(0, 0), vec2(1, 0), vec2(1, 1), vec2(0, 0), vec2(1, 1), vec2(0, 1));
// How far up from the sprite's bottom edge the feet are: the generated units
// stand on a shadow a little below the centre, as their Wesnoth sources do.
const float kFeetHeight = 0.22;

void main() {
    Character c = characters[gl_InstanceIndex];
    vec2 corner = kCorners[gl_VertexIndex];
    vec3 feet = vec3(c.feet.x, 0.0, c.feet.y);
    vec3 world = feet + frame.cameraRight.xyz * ((corner.x - 0.5) * c.size) +
                 frame.cameraUp.xyz * ((corner.y - kFeetHeight) * c.size);
    outUvLayer = vec3(corner.x, 1.0 - corner.y, float(c.layer));
    outShade = lightAt(c.feet);
    outFog = fogAt(feet);
    gl_Position = frame.viewProjection * vec4(world, 1.0);
}
