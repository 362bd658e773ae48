// image.vert - a screen-space quad for one texture (array layer) drawn by the
// viewer inside Dear ImGui's render pass; image.frag does the sampling.
#version 450

layout(push_constant, std430) uniform Push {
    vec4 rect;       // the quad in framebuffer pixels: x0, y0, x1, y1
    vec4 mapping;    // xy: framebuffer position of texel (0, 0)'s corner; z: screen pixels per texel; w: checker square
    ivec4 texture;   // width, height, array layer, flags (image.frag)
    vec4 viewport;   // xy: framebuffer size; z: dim (0..1); w: unused
} pc;

void main() {
    // Two triangles: 0-1-2, 2-1-3 over the corners (x0,y0) (x1,y0) (x0,y1) (x1,y1).
    const int corners[6] = int[6](0, 1, 2, 2, 1, 3);
    const int corner = corners[gl_VertexIndex];
    const vec2 position = vec2((corner & 1) != 0 ? pc.rect.z : pc.rect.x, (corner & 2) != 0 ? pc.rect.w : pc.rect.y);
    gl_Position = vec4(position / pc.viewport.xy * 2.0 - 1.0, 0.0, 1.0);
}
