// scene.vert - one quad of the scene preview (backdrop, floor, shadow or
// character sprite), its corners already projected to clip space on the CPU.
#version 450

layout(push_constant, std430) uniform Push {
    vec4 corners[4];  // clip space: top-left, top-right, bottom-left, bottom-right
    vec4 uvScale;     // xy: texel coordinates at the bottom-right corner (top-left is 0, 0); z: fog start
    ivec4 info;       // texture width, height, array layer, mode (scene.frag)
} pc;

layout(location = 0) out vec2 outTexel;
layout(location = 1) out float outDepth;

void main() {
    const int corners[6] = int[6](0, 1, 2, 2, 1, 3);
    const int corner = corners[gl_VertexIndex];
    const vec4 position = pc.corners[corner];
    outTexel = vec2((corner & 1) != 0 ? pc.uvScale.x : 0.0, (corner & 2) != 0 ? pc.uvScale.y : 0.0);
    outDepth = position.w;  // view distance, for the fog
    gl_Position = position;
}
