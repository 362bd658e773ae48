// image.frag - draws a generated texture the way an artist needs to judge it:
// nearest filtering that keeps pixel art crisp (texelFetch, exact bytes) or a
// bilinear filter on premultiplied colours, a checkerboard behind alpha,
// optional 3x3-style repetition with the wrap seams marked.
//
// With nearest filtering and the checkerboard the output is computed in
// integers, (rgb * a + checker * (255 - a) + 127) / 255, so a screenshot can be
// compared byte for byte with the SDK's pixels (tests/viewer does).
#version 450

layout(push_constant, std430) uniform Push {
    vec4 rect;
    vec4 mapping;    // xy: framebuffer position of texel (0, 0); z: screen pixels per texel; w: checker square (pixels)
    ivec4 texture;   // width, height, array layer, flags
    vec4 viewport;   // xy: framebuffer size; z: dim toward grey (pending cells); w: unused
} pc;

layout(set = 0, binding = 0) uniform sampler2DArray image;
layout(location = 0) out vec4 outColor;  // premultiplied; the pipeline blends ONE, ONE_MINUS_SRC_ALPHA

const int kRepeat = 1;   // wrap texel coordinates: tiling preview
const int kLinear = 2;   // bilinear instead of nearest
const int kChecker = 4;  // composite over a checkerboard (opaque output)
const int kSeams = 8;    // mark the texture's wrap seams (with kRepeat)

const uint kCheckerLight = 0xC4u;  // as kCheckerLight/kCheckerDark in viewer/drawing.hpp
const uint kCheckerDark = 0x94u;

ivec2 wrapOrClamp(ivec2 texel, ivec2 size, bool repeat) {
    // GLSL leaves % of negative numbers undefined, hence floor division.
    return repeat ? texel - size * ivec2(floor(vec2(texel) / vec2(size))) : clamp(texel, ivec2(0), size - 1);
}

vec4 fetch(ivec2 texel) {
    return texelFetch(image, ivec3(texel, pc.texture.z), 0);
}

void main() {
    const ivec2 size = pc.texture.xy;
    const int flags = pc.texture.w;
    const bool repeat = (flags & kRepeat) != 0;
    const vec2 local = gl_FragCoord.xy - pc.mapping.xy;  // pixel centre, relative to texel (0, 0)
    const vec2 texel = local / pc.mapping.z;
    if (!repeat && (any(lessThan(texel, vec2(0.0))) || any(greaterThanEqual(texel, vec2(size))))) {
        outColor = vec4(0.0);  // outside the image: whatever ImGui drew behind shows
        return;
    }

    const ivec2 square = ivec2(floor(local / pc.mapping.w));
    const uint checker = ((square.x + square.y) & 1) == 0 ? kCheckerLight : kCheckerDark;
    vec4 color;
    if ((flags & kLinear) == 0) {
        const uvec4 c = uvec4(round(fetch(wrapOrClamp(ivec2(floor(texel)), size, repeat)) * 255.0));
        if ((flags & kChecker) != 0) {
            const uvec3 rgb = (c.rgb * c.a + uvec3(checker * (255u - c.a)) + 127u) / 255u;
            color = vec4(vec3(rgb) / 255.0, 1.0);
        } else {
            color = vec4(vec3(c.rgb) / 255.0 * (float(c.a) / 255.0), float(c.a) / 255.0);
        }
    } else {
        // Filter premultiplied colours: straight-alpha filtering bleeds the
        // black of transparent pixels into the edges.
        const vec2 s = texel - 0.5;
        const ivec2 i0 = ivec2(floor(s));
        const vec2 f = s - floor(s);
        vec4 p[4];
        for (int k = 0; k < 4; ++k) {
            const vec4 t = fetch(wrapOrClamp(i0 + ivec2(k & 1, k >> 1), size, repeat));
            p[k] = vec4(t.rgb * t.a, t.a);
        }
        color = mix(mix(p[0], p[1], f.x), mix(p[2], p[3], f.x), f.y);
        if ((flags & kChecker) != 0) color = vec4(color.rgb + vec3(float(checker) / 255.0) * (1.0 - color.a), 1.0);
    }

    if ((flags & kSeams) != 0 && repeat) {
        // Distance in screen pixels to the nearest multiple of the texture size:
        // the pixels on either side of a seam (pixel centres are half a pixel off it).
        const vec2 toSeam = abs(texel - round(texel / vec2(size)) * vec2(size)) * pc.mapping.z;
        // Dashed black and white: visible on any material.
        const bool white = mod(gl_FragCoord.x + gl_FragCoord.y, 8.0) < 4.0;
        if (min(toSeam.x, toSeam.y) < 1.0) color = mix(color, vec4(vec3(white ? 1.0 : 0.0), 1.0), 0.75);
    }
    color.rgb = mix(color.rgb, vec3(0.16) * color.a, pc.viewport.z);
    outColor = color;
}
