#version 450
// The character's own generated texture, premultiplied alpha (blended with
// ONE, ONE_MINUS_SRC_ALPHA), shaded and fogged like the floor beneath it.
#include "scene.glsl"

layout(location = 0) in vec3 inUvLayer;
layout(location = 1) in float inShade;
layout(location = 2) in float inFog;
layout(location = 0) out vec4 outColor;

void main() {
    vec4 texel = texture(characterTextures, inUvLayer);
    if (texel.a < 1.0 / 255.0) discard;
    vec3 color = mix(texel.rgb * inShade, frame.fogColor.rgb * texel.a, inFog);
    outColor = vec4(color, texel.a);
}
