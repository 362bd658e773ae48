#version 450
// The ground: one square at y = 0, two triangles, no vertex buffer.
#include "scene.glsl"

layout(location = 0) out vec3 outWorld;

const vec2 kCorners[6] = vec2[](vec2(-1, -1), vec2(1, -1), vec2(1, 1), vec2(-1, -1), vec2(1, 1), vec2(-1, 1));

void main() {
    vec2 xz = kCorners[gl_VertexIndex] * frame.floorParams.y;
    outWorld = vec3(xz.x, 0.0, xz.y);
    gl_Position = frame.viewProjection * vec4(outWorld, 1.0);
}
