/* stylegen.h - the stylegen C ABI, version 1.
 * Copyright (c) 2025 the stylegen authors. SPDX-License-Identifier: MIT
 *
 * stylegen generates style-varied game textures with a StyleGAN2-style
 * generator: RGBA character sprites in one of a model's named styles, and
 * seamless scene materials of any size. This header is the whole public C
 * interface of libstylegen (C99; no C++ types cross it). It follows Vulkan's
 * conventions: opaque handles, create/destroy pairs, one SgResult enum with
 * negative errors, extensible structs that open with sType + pNext.
 *
 * Usage (error handling shortened; every call returns an SgResult):
 *
 *   #include <stylegen/stylegen.h>
 *   #include <stdio.h>
 *   #include <stdlib.h>
 *
 *   int makeOrcs(void) {
 *       SgContextCreateInfo ci = {.sType = SG_STRUCTURE_TYPE_CONTEXT_CREATE_INFO};
 *       SgContext ctx = NULL;
 *       SgModel model = NULL;
 *       SgModelInfo mi = {.sType = SG_STRUCTURE_TYPE_MODEL_INFO};
 *       SgGenerateInfo gi = {.sType = SG_STRUCTURE_TYPE_GENERATE_INFO};
 *       SgImageBuffer out = {.sType = SG_STRUCTURE_TYPE_IMAGE_BUFFER};
 *       uint32_t orcs = 0;
 *       ci.apiVersion = SG_API_VERSION;
 *       if (sgCreateContext(&ci, NULL, &ctx) != SG_SUCCESS) return 1;
 *       if (sgLoadModelFromFile(ctx, "characters.sgm", &model) != SG_SUCCESS ||
 *           sgFindStyle(model, "orcs", &orcs) != SG_SUCCESS) {
 *           fprintf(stderr, "%s\n", sgGetLastErrorMessage(ctx));
 *           sgDestroyContext(ctx, NULL);
 *           return 1;
 *       }
 *       sgGetModelInfo(model, &mi);
 *       gi.count = 8;                       // eight variants ...
 *       gi.firstSeed = 1000;                // ... seeds 1000..1007
 *       gi.styleIndex = orcs;
 *       gi.truncationPsi = 0.7f;            // 1 = no truncation
 *       gi.noiseStrength = 1.0f;            // 1 = as trained
 *       gi.format = SG_FORMAT_R8G8B8A8_UNORM;
 *       out.size = (size_t)gi.count * mi.resolution * mi.resolution * 4;
 *       out.pData = malloc(out.size);
 *       SgResult result = sgGenerate(ctx, model, &gi, &out);
 *       if (result != SG_SUCCESS)
 *           fprintf(stderr, "%s\n", sgGetLastErrorMessage(ctx));
 *       // ... on success out.pData holds 8 straight-alpha RGBA8 images, one after the other ...
 *       free(out.pData);
 *       sgDestroyModel(ctx, model);
 *       sgDestroyContext(ctx, NULL);
 *       return result == SG_SUCCESS ? 0 : 1;
 *   }
 *
 * Conventions
 *   - Every function returns SgResult except getters of static strings and the
 *     destroy functions, which return void and accept NULL.
 *   - A failed call sets a message for sgGetLastErrorMessage(): per context and
 *     per thread, so threads do not read each other's messages. Successful calls
 *     leave the message unchanged (like errno).
 *   - Structs the caller fills in or receives open with sType and pNext. sType
 *     must be the struct's SG_STRUCTURE_TYPE_*; pNext must be NULL or point at a
 *     chain of structs; each struct says which chains it extends, and structs
 *     a call does not know are ignored.
 *     SG_STRUCTURE_TYPE_* values start at 1 so a zeroed struct is rejected.
 *   - New struct members are only ever added at the end; new behaviour that
 *     older callers must not see arrives through pNext.
 *   - Nothing passed in needs to stay alive after a call returns: the SDK copies
 *     what it keeps.
 *
 * Index
 *   [SECTION] Platform and version
 *   [SECTION] Handles
 *   [SECTION] Enums
 *   [SECTION] Limits
 *   [SECTION] Callbacks
 *   [SECTION] Structs
 *   [SECTION] Functions
 *   [SECTION] Function pointer types
 */
#ifndef STYLEGEN_H_
#define STYLEGEN_H_ 1

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* [SECTION] Platform and version -------------------------------------------- */

#if defined(_WIN32)
#if defined(SG_BUILDING_LIBRARY)
#define SG_API __declspec(dllexport)
#else
#define SG_API __declspec(dllimport)
#endif
#else
#define SG_API __attribute__((visibility("default")))
#endif

/* Versions pack major.minor.patch into 32 bits as Vulkan's do: 10.10.12 bits. */
#define SG_MAKE_VERSION(major, minor, patch) \
    ((((uint32_t)(major)) << 22U) | (((uint32_t)(minor)) << 12U) | ((uint32_t)(patch)))
#define SG_VERSION_MAJOR(version) ((uint32_t)(version) >> 22U)
#define SG_VERSION_MINOR(version) (((uint32_t)(version) >> 12U) & 0x3FFU)
#define SG_VERSION_PATCH(version) ((uint32_t)(version) & 0xFFFU)

/* The version of this header. A library accepts any apiVersion with the same
 * major version and a minor version not above its own. */
#define SG_API_VERSION_1_0 SG_MAKE_VERSION(1, 0, 0)
/* 1.1: latent interpolation, restyle, style prompts, context limits. */
#define SG_API_VERSION_1_1 SG_MAKE_VERSION(1, 1, 0)
/* 1.2: SgModelPatternInfo (the period of a scene model's pattern). */
#define SG_API_VERSION_1_2 SG_MAKE_VERSION(1, 2, 0)
#define SG_API_VERSION SG_API_VERSION_1_2

typedef uint32_t SgBool32;
#define SG_TRUE 1U
#define SG_FALSE 0U

/* [SECTION] Handles ----------------------------------------------------------- */

#define SG_DEFINE_HANDLE(object) typedef struct object##_T* object;

/* A context owns a generation backend (CPU, or a GPU plugin) and the models
 * loaded through it. */
SG_DEFINE_HANDLE(SgContext)
/* A loaded, validated generator; immutable once loaded. */
SG_DEFINE_HANDLE(SgModel)

/* [SECTION] Enums ------------------------------------------------------------- */

typedef enum SgResult {
    SG_SUCCESS = 0,
    SG_ERROR_INVALID_ARGUMENT = -1,     /* a parameter or struct member is invalid */
    SG_ERROR_OUT_OF_MEMORY = -2,        /* an allocation failed */
    SG_ERROR_BAD_MODEL_FILE = -3,       /* the .sgm is malformed, truncated or corrupt */
    SG_ERROR_UNSUPPORTED = -4,          /* valid, but not supported by this library or backend */
    SG_ERROR_DEVICE_LOST = -5,          /* the backend's device failed; recreate the context */
    SG_ERROR_IO = -6,                   /* a file could not be opened or read */
    SG_ERROR_INTERNAL = -7,             /* a bug in stylegen; the message says where */
    SG_ERROR_INCOMPATIBLE_VERSION = -8, /* the caller was built against a newer API */
    SG_RESULT_MAX_ENUM = 0x7FFFFFFF
} SgResult;

typedef enum SgStructureType {
    SG_STRUCTURE_TYPE_CONTEXT_CREATE_INFO = 1,
    SG_STRUCTURE_TYPE_CONTEXT_INFO = 2,
    SG_STRUCTURE_TYPE_MODEL_INFO = 3,
    SG_STRUCTURE_TYPE_GENERATE_INFO = 4,
    SG_STRUCTURE_TYPE_IMAGE_BUFFER = 5,
    SG_STRUCTURE_TYPE_LATENT_INTERPOLATION_INFO = 6, /* 1.1 */
    SG_STRUCTURE_TYPE_RESTYLE_INFO = 7,              /* 1.1 */
    SG_STRUCTURE_TYPE_CONTEXT_LIMITS = 8,            /* 1.1 */
    SG_STRUCTURE_TYPE_MODEL_RESTYLE_INFO = 9,        /* 1.1 */
    SG_STRUCTURE_TYPE_MODEL_PATTERN_INFO = 10,       /* 1.2 */
    /* Extensions number their structs from 1000000000 + 1000 * (extension - 1),
     * as Vulkan does, so extensions written apart never collide.
     * Extension 1: stylegen_vulkan.h. */
    SG_STRUCTURE_TYPE_VULKAN_DEVICE_CREATE_INFO = 1000000000,
    SG_STRUCTURE_TYPE_VULKAN_DEVICE_INFO = 1000000001,
    SG_STRUCTURE_TYPE_VULKAN_IMAGE_CREATE_INFO = 1000000002,
    SG_STRUCTURE_TYPE_VULKAN_IMAGE = 1000000003,
    SG_STRUCTURE_TYPE_VULKAN_IMAGE_TARGET = 1000000004,
    SG_STRUCTURE_TYPE_VULKAN_EXTERNAL_IMAGE_INFO = 1000000005,
    SG_STRUCTURE_TYPE_VULKAN_GENERATE_INFO = 1000000006,
    SG_STRUCTURE_TYPE_VULKAN_SUBMIT_SYNC = 1000000007,
    SG_STRUCTURE_TYPE_MAX_ENUM = 0x7FFFFFFF
} SgStructureType;

typedef enum SgLogLevel {
    SG_LOG_LEVEL_DEBUG = 0,
    SG_LOG_LEVEL_INFO = 1,
    SG_LOG_LEVEL_WARNING = 2,
    SG_LOG_LEVEL_ERROR = 3,
    SG_LOG_LEVEL_MAX_ENUM = 0x7FFFFFFF
} SgLogLevel;

typedef enum SgBackendPreference {
    /* The first GPU plugin that loads and finds a device, else the built-in CPU
     * backend. If the GPU backend later loses its device, the context logs it
     * and generates on the built-in CPU backend from then on. */
    SG_BACKEND_PREFERENCE_AUTO = 0,
    /* The built-in CPU backend; no plugin is looked for. */
    SG_BACKEND_PREFERENCE_CPU = 1,
    SG_BACKEND_PREFERENCE_MAX_ENUM = 0x7FFFFFFF
} SgBackendPreference;

typedef enum SgModelKind {
    SG_MODEL_KIND_CHARACTER = 0, /* RGBA sprites, exactly resolution x resolution */
    SG_MODEL_KIND_SCENE = 1,     /* opaque tileable materials, any multiple of blockSize */
    SG_MODEL_KIND_MAX_ENUM = 0x7FFFFFFF
} SgModelKind;

/* Values equal to the VkFormat of the same name, for upload without a table. */
typedef enum SgFormat {
    SG_FORMAT_UNDEFINED = 0,
    SG_FORMAT_R8G8B8A8_UNORM = 37,      /* 4 bytes per pixel, round(clamp(v, 0, 1) * 255) */
    SG_FORMAT_R32G32B32A32_SFLOAT = 109, /* 16 bytes per pixel, values in [0, 1] */
    SG_FORMAT_MAX_ENUM = 0x7FFFFFFF
} SgFormat;

typedef enum SgAlphaMode {
    SG_ALPHA_MODE_STRAIGHT = 0,      /* rgb not multiplied by alpha (what PNG stores); rgb = 0 where alpha = 0 */
    SG_ALPHA_MODE_PREMULTIPLIED = 1, /* rgb already multiplied by alpha (what blending wants) */
    SG_ALPHA_MODE_MAX_ENUM = 0x7FFFFFFF
} SgAlphaMode;

typedef enum SgGenerateFlagBits {
    /* Layers >= mixLayer take their w from a second latent (pMixSeeds / firstMixSeed). */
    SG_GENERATE_STYLE_MIXING_BIT = 0x00000001,
    /* Noise comes from pNoiseSeeds / firstNoiseSeed instead of the latent seed. */
    SG_GENERATE_EXPLICIT_NOISE_SEEDS_BIT = 0x00000002,
    SG_GENERATE_FLAG_BITS_MAX_ENUM = 0x7FFFFFFF
} SgGenerateFlagBits;
typedef uint32_t SgGenerateFlags;

/* SgRestyleInfo::sourceStyleIndex: sgRestyle picks the style whose mean
 * latent is nearest to the input's (docs/generator.md, "Restyle"). */
#define SG_STYLE_INDEX_AUTO 0xFFFFFFFFU

/* [SECTION] Limits ------------------------------------------------------------ */

/* Largest width or height of one generated image. */
#define SG_MAX_IMAGE_EXTENT 16384U
/* Largest output (count * height * rowPitch bytes) of one sgGenerate call;
 * split bigger jobs into several calls. */
#define SG_MAX_GENERATE_OUTPUT_BYTES 0x80000000U
/* Largest SgContextCreateInfo::threadCount. */
#define SG_MAX_THREAD_COUNT 1024U
/* Largest SgRestyleInfo::refinementSteps (each costs about three syntheses). */
#define SG_MAX_RESTYLE_REFINEMENT_STEPS 1000U
/* Most tensors a .sgm file may hold (docs/model-format.md). */
#define SG_MAX_MODEL_TENSORS 4096U
/* The limits above are also the ceilings of the configurable per-context
 * limits of SgContextLimits, whose defaults are listed there. */

/* [SECTION] Callbacks --------------------------------------------------------- */

/* Returns memory of at least size bytes aligned to alignment (a power of two),
 * or NULL on failure. */
typedef void* (*PFN_sgAllocationFunction)(void* pUserData, size_t size, size_t alignment);
/* Resizes pOriginal (NULL: allocate) to size bytes with the same alignment,
 * keeping the contents; NULL on failure, pOriginal then stays valid. */
typedef void* (*PFN_sgReallocationFunction)(void* pUserData, void* pOriginal, size_t size, size_t alignment);
/* Frees memory from pfnAllocation/pfnReallocation; pMemory may be NULL. */
typedef void (*PFN_sgFreeFunction)(void* pUserData, void* pMemory);
/* Receives one log line (no trailing newline). The SDK calls it from whichever
 * thread made the call that logs, one call at a time (never concurrently). */
typedef void (*PFN_sgLogFunction)(void* pUserData, SgLogLevel level, const char* pMessage);
/* What sgGetProcAddr returns; cast to the PFN_sgX of the name asked for. */
typedef void (*PFN_sgVoidFunction)(void);

/* [SECTION] Structs ----------------------------------------------------------- */

/* Host memory callbacks. All three must be set. They must be thread-safe: the
 * SDK calls them from every thread that calls into it. The SDK uses them for
 * its own objects and large buffers (contexts, models and their weights, file
 * reads, generation scratch); backends allocate their working memory
 * themselves. */
typedef struct SgAllocationCallbacks {
    void* pUserData;
    PFN_sgAllocationFunction pfnAllocation;
    PFN_sgReallocationFunction pfnReallocation;
    PFN_sgFreeFunction pfnFree;
} SgAllocationCallbacks;

typedef struct SgContextCreateInfo {
    SgStructureType sType; /* SG_STRUCTURE_TYPE_CONTEXT_CREATE_INFO */
    const void* pNext;     /* NULL or SgContextLimits (1.1) */
    uint32_t apiVersion;   /* SG_API_VERSION the caller was built with; 0 means SG_API_VERSION_1_0 */
    uint32_t threadCount;  /* worker threads for CPU generation; 0 = one per hardware thread; <= SG_MAX_THREAD_COUNT */
    SgBackendPreference backendPreference;
    PFN_sgLogFunction pfnLog; /* NULL: no logging */
    void* pLogUserData;
} SgContextCreateInfo;

/* Filled by sgGetContextInfo. */
typedef struct SgContextInfo {
    SgStructureType sType; /* SG_STRUCTURE_TYPE_CONTEXT_INFO, set by the caller */
    void* pNext;           /* NULL or SgContextLimits (1.1), filled in */
    const char* pBackendName;        /* "cpu", "cuda", ... */
    const char* pBackendDescription; /* which path generates and why, e.g. "cpu: built-in (backend preference is cpu)" */
    uint32_t threadCount;            /* worker threads the context uses */
} SgContextInfo;

/* Resource limits of a context (API 1.1). Requests beyond them are refused
 * before anything is allocated for them, so a malformed file or an absurd
 * request fails with an error instead of exhausting the process's memory.
 *   - Chained into SgContextCreateInfo::pNext: sets the context's limits. A
 *     member of 0 keeps its default; a member above its ceiling makes
 *     sgCreateContext fail with SG_ERROR_INVALID_ARGUMENT.
 *   - Chained into SgContextInfo::pNext: sgGetContextInfo fills in the limits
 *     in force (sType set by the caller).
 * Requests the caller sizes directly (extent, output bytes) are refused with
 * SG_ERROR_INVALID_ARGUMENT; memory the SDK would need (working memory, model
 * files) with SG_ERROR_OUT_OF_MEMORY. The message names the limit. */
typedef struct SgContextLimits {
    SgStructureType sType; /* SG_STRUCTURE_TYPE_CONTEXT_LIMITS */
    void* pNext;
    /* Largest generated width or height. Default and ceiling SG_MAX_IMAGE_EXTENT. */
    uint32_t maxImageExtent;
    /* Most tensors a model file may hold. Default and ceiling SG_MAX_MODEL_TENSORS. */
    uint32_t maxModelTensors;
    /* Largest output (count * height * rowPitch bytes) of one call. Default and
     * ceiling SG_MAX_GENERATE_OUTPUT_BYTES. */
    uint64_t maxOutputBytesPerCall;
    /* Largest working memory one image may need while it is generated: the
     * generator's activations at the requested size (estimated as in
     * docs/api.md, "Limits"). Default: half the physical memory. */
    uint64_t maxWorkingMemoryBytes;
    /* Largest model file (or sgLoadModelFromMemory size). Default 1 GiB. */
    uint64_t maxModelFileBytes;
    /* Largest JSON header of a model file. Default 1 MiB. */
    uint64_t maxModelHeaderBytes;
    /* Largest total of a model's tensors once expanded to f32. Default 2 GiB. */
    uint64_t maxModelWeightBytes;
} SgContextLimits;

/* Filled by sgGetModelInfo. */
typedef struct SgModelInfo {
    SgStructureType sType; /* SG_STRUCTURE_TYPE_MODEL_INFO, set by the caller */
    void* pNext;           /* NULL, SgModelRestyleInfo (1.1) or SgModelPatternInfo (1.2), filled in */
    SgModelKind kind;
    uint32_t resolution;   /* training size; character models generate exactly this */
    uint32_t blockSize;    /* resolution / 4; scene sizes are multiples of it */
    uint32_t channels;     /* 4 (RGBA) or 3 (RGB; generated alpha is 1) */
    uint32_t styleCount;
    SgBool32 tileable;     /* SG_TRUE: output wraps seamlessly at any size */
    uint32_t wLayerCount;  /* style-mixing crossovers are 0..wLayerCount */
    uint8_t contentHash[32]; /* SHA-256 of the file from byte 96, identifies the weights */
    const char* pName;       /* the model's name, UTF-8 */
} SgModelInfo;

/* Chained into SgModelInfo::pNext (API 1.1), filled by sgGetModelInfo: what
 * sgRestyle can do with the model. A 1.0 library ignores it and leaves it as
 * the caller set it, so start restyleSupported at SG_FALSE. */
typedef struct SgModelRestyleInfo {
    SgStructureType sType;     /* SG_STRUCTURE_TYPE_MODEL_RESTYLE_INFO, set by the caller */
    void* pNext;
    SgBool32 restyleSupported; /* SG_TRUE: the model carries an encoder, sgRestyle works with it */
} SgModelRestyleInfo;

/* Chained into SgModelInfo::pNext (API 1.2), filled by sgGetModelInfo: the
 * pattern that repeats over a scene model's textures (a model with a periodic
 * input draws, say, one carved block per 32-pixel training tile). Sizes that
 * are multiples of patternPeriod repeat whole pattern tiles; other sizes still
 * wrap, but the pattern breaks once, at the wrap. A 1.1 library leaves the
 * struct as the caller set it, so start patternPeriod at 0. */
typedef struct SgModelPatternInfo {
    SgStructureType sType;   /* SG_STRUCTURE_TYPE_MODEL_PATTERN_INFO, set by the caller */
    void* pNext;
    uint32_t patternPeriod;  /* pixels; 0: no fixed pattern (character models, most scene models) */
    uint32_t generateOffset; /* pixels into the pattern where sgGenerate's textures start (the
                                wrap seam then runs through the pattern, not along its edges);
                                sgRestyle reads its input at offset 0, as training tiles are cut */
} SgModelPatternInfo;

/* What to generate. Every image i of the call uses:
 *   latent seed  pSeeds ? pSeeds[i] : firstSeed + i
 *   mix seed     pMixSeeds ? pMixSeeds[i] : firstMixSeed + i     (with SG_GENERATE_STYLE_MIXING_BIT)
 *   noise seed   pNoiseSeeds ? pNoiseSeeds[i] : firstNoiseSeed + i (with SG_GENERATE_EXPLICIT_NOISE_SEEDS_BIT),
 *                else its latent seed
 * Output is a pure function of these inputs and the model: the same request
 * gives the same pixels on every run and thread count. */
typedef struct SgGenerateInfo {
    SgStructureType sType; /* SG_STRUCTURE_TYPE_GENERATE_INFO */
    const void* pNext;
    uint32_t count;            /* images, >= 1 */
    const uint64_t* pSeeds;    /* [count] or NULL */
    uint64_t firstSeed;
    /* One style (styleWeightCount = 0) or a blend: styleWeightCount = the
     * model's styleCount weights, non-negative, finite, sum > 0; normalised to
     * sum 1 by the SDK. */
    uint32_t styleIndex;
    uint32_t styleWeightCount;
    const float* pStyleWeights;
    float truncationPsi;       /* 1 = none, 0 = the style's mean, finite */
    SgGenerateFlags flags;
    const uint64_t* pMixSeeds; /* [count] or NULL */
    uint64_t firstMixSeed;
    uint32_t mixLayer;         /* w layers < mixLayer from the latent seed, >= from the mix seed; <= wLayerCount */
    float noiseStrength;       /* scales the learned noise: 1 = as trained, 0 = none; finite, >= 0 */
    const uint64_t* pNoiseSeeds; /* [count] or NULL */
    uint64_t firstNoiseSeed;
    uint32_t width;            /* 0 = the model's resolution; scene models: a multiple of blockSize */
    uint32_t height;           /* 0 = the model's resolution; character models: only the resolution */
    SgFormat format;           /* SG_FORMAT_R8G8B8A8_UNORM or SG_FORMAT_R32G32B32A32_SFLOAT */
    SgAlphaMode alphaMode;     /* SG_ALPHA_MODE_STRAIGHT (0) or SG_ALPHA_MODE_PREMULTIPLIED */
} SgGenerateInfo;

/* Chained into SgGenerateInfo::pNext (API 1.1): image i's latent moves from
 * its seed towards a target seed, w = (1 - t) w(seed) + t w(target), before
 * truncation (docs/generator.md, "Interpolation"). t = 0 gives exactly the
 * seed's image, t = 1 exactly the target's; in between the image changes
 * smoothly. Noise follows the noise seed, not the latent: to animate, keep the
 * noise seed fixed (SG_GENERATE_EXPLICIT_NOISE_SEEDS_BIT). Layers taken from a
 * mix seed are not interpolated.
 *   target seed  pTargetSeeds ? pTargetSeeds[i] : firstTargetSeed + i
 *   amount t     pAmounts ? pAmounts[i] : amount; finite, in [0, 1] */
typedef struct SgLatentInterpolationInfo {
    SgStructureType sType; /* SG_STRUCTURE_TYPE_LATENT_INTERPOLATION_INFO */
    const void* pNext;
    const uint64_t* pTargetSeeds; /* [count] or NULL */
    uint64_t firstTargetSeed;
    const float* pAmounts;        /* [count] or NULL */
    float amount;
} SgLatentInterpolationInfo;

/* Where sgGenerate writes. Images follow one another: image i starts at byte
 * i * height * rowPitch; within an image rows go top to bottom, pixels left to
 * right, RGBA. Needed size: count * height * rowPitch bytes. */
typedef struct SgImageBuffer {
    SgStructureType sType; /* SG_STRUCTURE_TYPE_IMAGE_BUFFER */
    const void* pNext;
    void* pData;     /* aligned to 4 bytes for SG_FORMAT_R32G32B32A32_SFLOAT */
    size_t size;     /* bytes available at pData */
    size_t rowPitch; /* bytes from one row to the next; 0 = width * bytes per pixel;
                        else at least that and a multiple of 4 */
} SgImageBuffer;

/* What sgRestyle does (API 1.1; docs/generator.md, "Restyle"): encodes the
 * input image into the model's latent space (w+, and for scene models the
 * spatial input grid), optionally refines that encoding towards the input,
 * moves the `strength` finest part of it from the source style to the target
 * style, and synthesises the result with the noise the model's encoder was
 * trained with (docs/generator.md, "Encoder"). The result is a
 * pure function of the inputs and the model, on every run and thread count.
 *
 * Input size. Character models take resolution x resolution as it is; any
 * other size is scaled to fit that square keeping its aspect ratio (area
 * average when shrinking, nearest neighbour when enlarging, so pixel art stays
 * crisp) and centred on transparent pixels. Scene models take any size: each
 * side is rounded to the nearest multiple of blockSize (halves up, at least
 * one block), and the image is resampled bilinearly to that size when it is
 * not one already. The output is resolution x resolution (characters) or that
 * rounded size (scenes): sgGetRestyleExtent says which.
 * Pixels are read as SgImageBuffer lays them out (rows top to bottom, RGBA).
 * Float values outside [0, 1] (and NaN) are clamped; premultiplied colour
 * above its alpha is clamped to it. 3-channel models see every pixel opaque,
 * with its straight colour. */
typedef struct SgRestyleInfo {
    SgStructureType sType;      /* SG_STRUCTURE_TYPE_RESTYLE_INFO */
    const void* pNext;
    const void* pPixels;        /* the input image; 4-byte aligned for float input */
    size_t size;                /* bytes available at pPixels: at least (height - 1) * rowPitch +
                                   width * bytes per pixel */
    uint32_t width;             /* 1 .. the context's maxImageExtent */
    uint32_t height;
    size_t rowPitch;            /* bytes from one row to the next; 0 = width * bytes per pixel;
                                   else at least that and a multiple of 4 */
    SgFormat inputFormat;       /* SG_FORMAT_R8G8B8A8_UNORM or SG_FORMAT_R32G32B32A32_SFLOAT */
    SgAlphaMode inputAlphaMode; /* SG_ALPHA_MODE_STRAIGHT (0: what PNG stores) or _PREMULTIPLIED */
    /* The target: one style (styleWeightCount = 0) or a blend, as SgGenerateInfo's. */
    uint32_t styleIndex;
    uint32_t styleWeightCount;
    const float* pStyleWeights;
    uint32_t sourceStyleIndex;  /* the style the input is in, or SG_STYLE_INDEX_AUTO */
    float strength;             /* in [0, 1]: 0 = the reconstruction, small = colour and texture, 1 = shape too */
    uint32_t refinementSteps;   /* 0 = none, at most SG_MAX_RESTYLE_REFINEMENT_STEPS (docs/api.md) */
    SgFormat format;            /* of the output: SG_FORMAT_R8G8B8A8_UNORM or SG_FORMAT_R32G32B32A32_SFLOAT */
    SgAlphaMode alphaMode;      /* of the output */
} SgRestyleInfo;

/* [SECTION] Functions --------------------------------------------------------- */

/// Returns the API version this library implements (SG_MAKE_VERSION packed).
/// Thread safety: any thread, any time.
SG_API uint32_t sgGetVersion(void);

/// Returns the name of a result code, e.g. "SG_ERROR_BAD_MODEL_FILE"; an
/// unknown value gives "SG_RESULT_UNKNOWN".
/// Lifetime: the string is static. Thread safety: any thread, any time.
SG_API const char* sgResultString(SgResult result);

/// Returns an exported function by name ("sgGenerate"), or NULL if there is no
/// such function; for callers that dlopen the library.
/// Thread safety: any thread, any time.
SG_API PFN_sgVoidFunction sgGetProcAddr(const char* pName);

/// Creates a context: picks and starts a backend (see SgBackendPreference; a
/// GPU plugin that fails to load falls back to the CPU and says so in the log
/// and in sgGetContextInfo).
///   pCreateInfo: sType SG_STRUCTURE_TYPE_CONTEXT_CREATE_INFO; copied.
///   pAllocator: NULL (system allocator) or callbacks used for everything the
///     context allocates, until sgDestroyContext returns.
///   pContext: receives the handle; set to NULL on failure.
/// Result: SG_SUCCESS, SG_ERROR_INVALID_ARGUMENT, SG_ERROR_INCOMPATIBLE_VERSION
///   (apiVersion has another major version or a newer minor version),
///   SG_ERROR_OUT_OF_MEMORY, SG_ERROR_INTERNAL. On failure the message is read
///   with sgGetLastErrorMessage(NULL) on the same thread.
/// Lifetime: until sgDestroyContext.
/// Thread safety: any thread; contexts are independent of each other.
SG_API SgResult sgCreateContext(const SgContextCreateInfo* pCreateInfo, const SgAllocationCallbacks* pAllocator,
                                SgContext* pContext);

/// Destroys a context, its backend, and any model of it not yet destroyed
/// (with a warning in the log: destroy models first). NULL does nothing.
///   pAllocator: compatible with the one given to sgCreateContext (NULL if that
///     was NULL).
/// Thread safety: no other call may use the context, or any of its models, at
/// the same time or afterwards.
SG_API void sgDestroyContext(SgContext context, const SgAllocationCallbacks* pAllocator);

/// Returns the message of the last failed call made on this thread with this
/// context (functions taking only a model count as calls on its context), or
/// "" if there was none. With context NULL: the last failed call on this
/// thread that had no valid context (a failed sgCreateContext, a NULL handle).
/// Lifetime: valid until the next call on this thread with the same context.
/// Thread safety: any thread; each thread sees only its own messages.
SG_API const char* sgGetLastErrorMessage(SgContext context);

/// Describes the context's backend.
///   pInfo: sType SG_STRUCTURE_TYPE_CONTEXT_INFO; its strings live as long as
///     the context.
/// Result: SG_SUCCESS, SG_ERROR_INVALID_ARGUMENT.
/// Thread safety: any thread, concurrently with any call but sgDestroyContext.
SG_API SgResult sgGetContextInfo(SgContext context, SgContextInfo* pInfo);

/// Loads and validates a .sgm model file (docs/model-format.md) and prepares it
/// for the context's backend. Nothing in the file is executed; every offset,
/// size, shape and value is checked first.
///   pPath: UTF-8 path.
///   pModel: receives the handle; set to NULL on failure.
/// Result: SG_SUCCESS, SG_ERROR_INVALID_ARGUMENT, SG_ERROR_IO (cannot open or
///   read; the message has the OS reason), SG_ERROR_BAD_MODEL_FILE (the message
///   names the problem), SG_ERROR_OUT_OF_MEMORY (also: the file exceeds one of
///   the context's SgContextLimits, checked before it is read or expanded),
///   SG_ERROR_UNSUPPORTED (the backend cannot run this model), SG_ERROR_DEVICE_LOST.
/// Lifetime: until sgDestroyModel or sgDestroyContext of the context.
/// Thread safety: any thread, concurrently with other loads and generation on
/// the same context.
SG_API SgResult sgLoadModelFromFile(SgContext context, const char* pPath, SgModel* pModel);

/// As sgLoadModelFromFile, from size bytes at pData.
///   pData: the whole .sgm file; not retained, so it may be freed when the call returns.
/// Result: as sgLoadModelFromFile, without SG_ERROR_IO.
/// Lifetime: until sgDestroyModel or sgDestroyContext of the context.
/// Thread safety: any thread, concurrently with other loads and generation on
/// the same context.
SG_API SgResult sgLoadModelFromMemory(SgContext context, const void* pData, size_t size, SgModel* pModel);

/// Destroys a model loaded through context. NULL does nothing; a model of
/// another context is left alone and an error is logged.
/// Thread safety: no other call may use the model at the same time or afterwards.
SG_API void sgDestroyModel(SgContext context, SgModel model);

/// Describes a model.
///   pInfo: sType SG_STRUCTURE_TYPE_MODEL_INFO; pInfo->pName lives as long as
///     the model.
/// Result: SG_SUCCESS, SG_ERROR_INVALID_ARGUMENT.
/// Thread safety: any thread, concurrently with any call but sgDestroyModel.
SG_API SgResult sgGetModelInfo(SgModel model, SgModelInfo* pInfo);

/// Gets the name of style index (0 .. styleCount-1).
///   ppName: receives a UTF-8 string that lives as long as the model.
/// Result: SG_SUCCESS, SG_ERROR_INVALID_ARGUMENT (index out of range).
/// Thread safety: any thread, concurrently with any call but sgDestroyModel.
SG_API SgResult sgGetStyleName(SgModel model, uint32_t index, const char** ppName);

/// Finds a style by exact name.
///   pIndex: receives the index.
/// Result: SG_SUCCESS, SG_ERROR_INVALID_ARGUMENT (no such style; the message
///   lists the model's styles).
/// Thread safety: any thread, concurrently with any call but sgDestroyModel.
SG_API SgResult sgFindStyle(SgModel model, const char* pName, uint32_t* pIndex);

/// Parses a style prompt (API 1.1) into the weights of a blend, as
/// SgGenerateInfo::pStyleWeights and SgRestyleInfo::pStyleWeights take them:
///   "orcs:0.7 + undead:0.3"   70 % orcs, 30 % undead
///   "elves"                   one style, weight 1
/// Terms are joined by '+'; a term is a style name, optionally followed by
/// ':' and a weight. Whitespace around names, ':', weights and '+' is
/// ignored. A name is a run of any characters but whitespace, ':' and '+',
/// matched exactly against the model's style names (styles whose names hold
/// those characters cannot be named in a prompt). A weight is a decimal number
/// ("0.7", "2", ".5", "1e-2"), finite, above 0 and at most 1e6. Each style may
/// appear once. The weights are normalised to sum 1.
///   weightCount: the model's styleCount.
///   pWeights: receives weightCount floats (0 for styles not named); written
///     only on success.
/// Result: SG_SUCCESS; SG_ERROR_INVALID_ARGUMENT for a NULL pointer, a wrong
///   weightCount, or a prompt that does not parse: the message names the
///   problem and its column (1-based, in bytes) - an empty prompt or term, an
///   unknown style (with the model's styles, and the closest name when it is a
///   near miss), a missing or bad weight, a style named twice, or text after a
///   term that is not '+'.
/// Thread safety: any thread, concurrently with any call but sgDestroyModel.
SG_API SgResult sgParseStylePrompt(SgModel model, const char* pPrompt, uint32_t weightCount, float* pWeights);

/// Generates pGenerateInfo->count images into pImageBuffer (layout: see
/// SgImageBuffer). Deterministic: the same inputs give the same pixels.
///   model: loaded through context.
/// Result: SG_SUCCESS; SG_ERROR_INVALID_ARGUMENT for any invalid member (the
///   message names it; a buffer too small gives the size needed) and for a
///   size above the context's maxImageExtent or maxOutputBytesPerCall;
///   SG_ERROR_OUT_OF_MEMORY (also: one image would need more working memory
///   than the context's maxWorkingMemoryBytes, refused before allocating);
///   SG_ERROR_DEVICE_LOST; SG_ERROR_INTERNAL. On failure the buffer's
///   contents are unspecified.
/// Thread safety: any thread; many threads may generate at once with the same
/// context and the same model.
SG_API SgResult sgGenerate(SgContext context, SgModel model, const SgGenerateInfo* pGenerateInfo,
                           const SgImageBuffer* pImageBuffer);

/// The size sgRestyle makes from an input of inputWidth x inputHeight (API
/// 1.1; the size rules are on SgRestyleInfo): resolution x resolution for a
/// character model, the input rounded to multiples of blockSize for a scene
/// model. Works for models without an encoder too.
///   pWidth, pHeight: receive the output size.
/// Result: SG_SUCCESS; SG_ERROR_INVALID_ARGUMENT (NULL pointers, an input side
///   of 0 or above the context's maxImageExtent, or a scene output above it).
/// Thread safety: any thread, concurrently with any call but sgDestroyModel.
SG_API SgResult sgGetRestyleExtent(SgModel model, uint32_t inputWidth, uint32_t inputHeight, uint32_t* pWidth,
                                   uint32_t* pHeight);

/// Restyles one image (API 1.1): see SgRestyleInfo for what it does and the
/// size rules, docs/api.md for the refinement procedure and its cost. Writes
/// one image of sgGetRestyleExtent's size into pImageBuffer (layout: see
/// SgImageBuffer, with count 1). Deterministic: the same inputs give the same
/// pixels. On a backend that cannot encode or take explicit latents (CUDA,
/// for now) the context runs the restyle on its built-in CPU backend.
///   model: loaded through context.
/// Result: SG_SUCCESS; SG_ERROR_UNSUPPORTED (the model has no encoder: see
///   SgModelRestyleInfo); SG_ERROR_INVALID_ARGUMENT for any invalid member (the
///   message names it); SG_ERROR_OUT_OF_MEMORY (also: the restyle would need
///   more working memory than the context's maxWorkingMemoryBytes);
///   SG_ERROR_DEVICE_LOST; SG_ERROR_INTERNAL. On failure the buffer's contents
///   are unspecified.
/// Thread safety: any thread; many threads may restyle and generate at once
/// with the same context and model.
SG_API SgResult sgRestyle(SgContext context, SgModel model, const SgRestyleInfo* pRestyleInfo,
                          const SgImageBuffer* pImageBuffer);

/* [SECTION] Function pointer types -------------------------------------------- */

typedef uint32_t (*PFN_sgGetVersion)(void);
typedef const char* (*PFN_sgResultString)(SgResult result);
typedef PFN_sgVoidFunction (*PFN_sgGetProcAddr)(const char* pName);
typedef SgResult (*PFN_sgCreateContext)(const SgContextCreateInfo* pCreateInfo,
                                        const SgAllocationCallbacks* pAllocator, SgContext* pContext);
typedef void (*PFN_sgDestroyContext)(SgContext context, const SgAllocationCallbacks* pAllocator);
typedef const char* (*PFN_sgGetLastErrorMessage)(SgContext context);
typedef SgResult (*PFN_sgGetContextInfo)(SgContext context, SgContextInfo* pInfo);
typedef SgResult (*PFN_sgLoadModelFromFile)(SgContext context, const char* pPath, SgModel* pModel);
typedef SgResult (*PFN_sgLoadModelFromMemory)(SgContext context, const void* pData, size_t size, SgModel* pModel);
typedef void (*PFN_sgDestroyModel)(SgContext context, SgModel model);
typedef SgResult (*PFN_sgGetModelInfo)(SgModel model, SgModelInfo* pInfo);
typedef SgResult (*PFN_sgGetStyleName)(SgModel model, uint32_t index, const char** ppName);
typedef SgResult (*PFN_sgFindStyle)(SgModel model, const char* pName, uint32_t* pIndex);
typedef SgResult (*PFN_sgParseStylePrompt)(SgModel model, const char* pPrompt, uint32_t weightCount, float* pWeights);
typedef SgResult (*PFN_sgGenerate)(SgContext context, SgModel model, const SgGenerateInfo* pGenerateInfo,
                                   const SgImageBuffer* pImageBuffer);
typedef SgResult (*PFN_sgGetRestyleExtent)(SgModel model, uint32_t inputWidth, uint32_t inputHeight,
                                           uint32_t* pWidth, uint32_t* pHeight);
typedef SgResult (*PFN_sgRestyle)(SgContext context, SgModel model, const SgRestyleInfo* pRestyleInfo,
                                  const SgImageBuffer* pImageBuffer);

#ifdef __cplusplus
}
#endif

#endif /* STYLEGEN_H_ */
