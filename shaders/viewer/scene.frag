// scene.frag - the scene preview's materials: a backdrop gradient, the floor
// (a scene texture repeated, supersampled against shimmering, fading into fog;
// grey tiles until there is one),
// soft contact shadows and straight-alpha character sprites.
#version 450

layout(push_constant, std430) uniform Push {
    vec4 corners[4];
    vec4 uvScale;  // z: view distance where the fog starts
    ivec4 info;    // texture width, height, array layer, mode
} pc;

layout(set = 0, binding = 0) uniform sampler2DArray image;
layout(location = 0) in vec2 inTexel;
layout(location = 1) in float inDepth;
layout(location = 0) out vec4 outColor;  // premultiplied

const int kBackdrop = 0;
const int kFloor = 1;
const int kShadow = 2;
const int kSprite = 3;
const int kSelectedShadow = 4;  // a shadow with a ring: the selected character
const int kPlainFloor = 5;      // no scene texture yet: grey tiles, one per world unit

const vec3 kFog = vec3(0.10, 0.11, 0.13);

// Behind the characters the floor fades into the backdrop.
float fog() {
    return smoothstep(pc.uvScale.z * 1.1, pc.uvScale.z * 2.2, inDepth);
}

vec4 fetchWrapped(vec2 texel) {
    const ivec2 size = pc.info.xy;
    const vec2 t = texel - vec2(size) * floor(texel / vec2(size));  // GLSL's % is undefined below 0
    return texelFetch(image, ivec3(min(ivec2(t), size - 1), pc.info.z), 0);
}

void main() {
    const int mode = pc.info.w;
    if (mode == kBackdrop) {
        outColor = vec4(mix(vec3(0.07, 0.075, 0.09), kFog, sqrt(inTexel.y)), 1.0);
    } else if (mode == kFloor) {
        // Four nearest taps spread over the pixel's footprint: distant tiles
        // average instead of flickering, close ones stay crisp.
        const vec2 dx = dFdx(inTexel) * 0.25, dy = dFdy(inTexel) * 0.25;
        const vec3 c = (fetchWrapped(inTexel - dx - dy).rgb + fetchWrapped(inTexel + dx - dy).rgb +
                        fetchWrapped(inTexel - dx + dy).rgb + fetchWrapped(inTexel + dx + dy).rgb) * 0.25;
        outColor = vec4(mix(c, kFog, fog()), 1.0);
    } else if (mode == kPlainFloor) {
        const ivec2 tile = ivec2(floor(inTexel));
        const vec3 c = vec3(((tile.x + tile.y) & 1) == 0 ? 0.30 : 0.26);
        outColor = vec4(mix(c, kFog, fog()), 1.0);
    } else if (mode == kShadow || mode == kSelectedShadow) {
        const float r = length(inTexel * 2.0 - 1.0);
        float a = 0.45 * (1.0 - smoothstep(0.35, 1.0, r));
        vec3 rgb = vec3(0.0);
        if (mode == kSelectedShadow) {
            const float ring = 1.0 - smoothstep(0.06, 0.12, abs(r - 0.85));
            rgb = vec3(1.0, 0.78, 0.25) * ring;
            a = max(a, ring);
        }
        outColor = vec4(rgb, a);  // premultiplied: rgb is already scaled by the ring's coverage
    } else {
        const vec4 c = texelFetch(image, ivec3(clamp(ivec2(floor(inTexel)), ivec2(0), pc.info.xy - 1), pc.info.z), 0);
        outColor = vec4(c.rgb * c.a, c.a);
    }
}
