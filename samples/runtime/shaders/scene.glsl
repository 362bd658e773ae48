// scene.glsl - the per-frame data the C++ side writes (FrameData and
// CharacterInstance in scene.hpp, same layouts) and the textures
// stylegen generates; included by every shader of the sample.

// A uniform buffer, not a storage buffer: every fragment reads these, and
// drivers (lavapipe especially) keep uniform data in constant registers.
layout(std140, set = 0, binding = 0) uniform Frame {
    mat4 viewProjection;
    vec4 cameraPosition; // xyz
    vec4 cameraRight;    // xyz; sprites span cameraRight and cameraUp, so they face the camera
    vec4 cameraUp;       // xyz
    vec4 fogColor;       // rgb; also the clear colour
    vec4 floorParams;    // x: world units per floor-texture repeat, y: floor half-size,
                         // z: radius of the lit area around the crowd
    vec4 fogParams;      // x: distance where fog starts, y: where it is complete
} frame;

struct Character {
    vec2 feet;   // where the character stands on the floor (world x, z)
    float size;  // the sprite's side in world units
    uint layer;  // its layer in the character texture array
};
layout(std430, set = 0, binding = 3) readonly buffer Characters {
    Character characters[]; // sorted back to front
};

layout(set = 0, binding = 1) uniform sampler2D floorTexture;
layout(set = 0, binding = 2) uniform sampler2DArray characterTextures;

// Light falls off away from the crowd, so the floor's edge never shows.
float lightAt(vec2 xz) {
    float r = frame.floorParams.z;
    return mix(1.0, 0.3, smoothstep(0.7 * r, 1.6 * r, length(xz)));
}

float fogAt(vec3 world) {
    return smoothstep(frame.fogParams.x, frame.fogParams.y, distance(world, frame.cameraPosition.xyz));
}
