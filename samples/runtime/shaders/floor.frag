#version 450
// The generated terrain texture repeats across the ground: the terrain model
// makes tileable materials, so the repeats have no seams.
#include "scene.glsl"

layout(location = 0) in vec3 inWorld;
layout(location = 0) out vec4 outColor;

void main() {
    vec3 color = texture(floorTexture, inWorld.xz / frame.floorParams.x).rgb * lightAt(inWorld.xz);
    outColor = vec4(mix(color, frame.fogColor.rgb, fogAt(inWorld)), 1.0);
}
