/* stylegen_plugin.h - the internal interface between the stylegen core and its
 * generator backends (plugin/cpu, plugin/cuda, plugin/torch).
 *
 * Not part of the public ABI: the core and its plugins are built together and
 * checked against SGP_PLUGIN_INTERFACE_VERSION at load time. A backend sees the
 * model only as an SgpModelDesc (architecture + named f32 tensors, already
 * validated by the core) and a generation request only as an SgpBatch (already
 * validated and normalised by the core). The generator it must compute is
 * specified in docs/generator.md.
 *
 * A shared-object plugin exports exactly one symbol:
 *
 *   SGP_EXPORT const SgpPluginTable* sgpGetPluginTable(void);
 *
 * The CPU backend is linked into the core and reached through sgpCpuPluginTable().
 * A plugin that can write Vulkan images in place (CUDA) also exports
 *
 *   SGP_EXPORT const SgpInteropTable* sgpGetInteropTable(void);
 *
 * which the core looks up only after the plugin's backend was created.
 *
 * Index
 *   [SECTION] Version and result codes
 *   [SECTION] Model description
 *   [SECTION] Generation batch
 *   [SECTION] Plugin table
 *   [SECTION] Vulkan interop (optional)
 */
#ifndef STYLEGEN_PLUGIN_H_
#define STYLEGEN_PLUGIN_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define SGP_EXPORT __declspec(dllexport)
#else
#define SGP_EXPORT __attribute__((visibility("default")))
#endif

/* [SECTION] Version and result codes ---------------------------------------- */

/* Bump whenever the plugin table or what it takes changes (the Vulkan interop
 * table at the end has a version of its own). */
#define SGP_PLUGIN_INTERFACE_VERSION 3u

/* Same numeric values as the public SgResult, so the core passes them through. */
typedef int32_t SgpResult;
#define SGP_SUCCESS 0
#define SGP_ERROR_INVALID_ARGUMENT (-1)
#define SGP_ERROR_OUT_OF_MEMORY (-2)
#define SGP_ERROR_UNSUPPORTED (-4)
#define SGP_ERROR_DEVICE_LOST (-5)
#define SGP_ERROR_INTERNAL (-7)

/* [SECTION] Model description ------------------------------------------------ */

typedef enum SgpModelKind { SGP_MODEL_KIND_CHARACTER = 0, SGP_MODEL_KIND_SCENE = 1 } SgpModelKind;
typedef enum SgpInputKind { SGP_INPUT_CONST = 0, SGP_INPUT_SPATIAL = 1 } SgpInputKind;
typedef enum SgpPadding { SGP_PADDING_ZERO = 0, SGP_PADDING_CIRCULAR = 1 } SgpPadding;

#define SGP_MAX_BLOCKS 10

/* One tensor, f32, row-major, dims[0] outermost. Owned by the core; valid from
 * prepare() until destroyModel() of the prepared model returns. */
typedef struct SgpTensor {
    const char* name;
    uint32_t rank;
    uint64_t dims[4];
    const float* data;
} SgpTensor;

/* Architecture hyper-parameters (docs/generator.md). */
typedef struct SgpArchitecture {
    SgpModelKind kind;
    SgpInputKind input;
    SgpPadding padding;
    uint32_t resolution;      /* training resolution, a power of two >= 8 */
    uint32_t imgChannels;     /* 4 (RGBA, premultiplied) or 3 (RGB, alpha = 1) */
    uint32_t zDim;
    uint32_t embedDim;
    uint32_t wDim;
    uint32_t mappingLayers;
    uint32_t spatialChannels; /* SGP_INPUT_SPATIAL only */
    /* SGP_INPUT_SPATIAL only: 0, or the period P in grid cells of the learned
     * periodic input (tensor synthesis.input.periodic [C0, P, P]) added to the
     * projected grid; see SgpBatch::periodicOffset. */
    uint32_t inputPeriod;
    uint32_t blockCount;      /* log2(resolution) - 1: blocks at 4, 8, ..., resolution */
    uint32_t channels[SGP_MAX_BLOCKS];
    uint32_t styleCount;
    /* The optional encoder (restyle): 0 when the model has none, else
     * blockCount - 1 stages with encoderChannels[0 .. encoderStageCount]. */
    uint32_t encoderStageCount;
    uint32_t encoderChannels[SGP_MAX_BLOCKS];
} SgpArchitecture;

typedef struct SgpModelDesc {
    SgpArchitecture arch;
    uint32_t tensorCount;
    const SgpTensor* pTensors;
} SgpModelDesc;

/* [SECTION] Generation batch ------------------------------------------------- */

/* Everything is validated by the core before a backend sees it: style weights
 * are non-negative and sum to 1, width/height are multiples of the model's block
 * (== resolution for character models), mixLayer <= 2 * blockCount. */
typedef struct SgpBatch {
    uint32_t count;
    uint32_t width;
    uint32_t height;
    const uint64_t* pSeeds;       /* [count] latent seeds */
    const uint64_t* pNoiseSeeds;  /* [count] per-layer noise (and spatial input) seeds */
    const uint64_t* pMixSeeds;    /* [count] second latent for style mixing; NULL: no mixing */
    uint32_t mixLayer;            /* w layers >= mixLayer come from the mix seed */
    const float* pStyleWeights;   /* [arch.styleCount], the blend shared by the batch */
    float truncationPsi;          /* 1: none, 0: the blend's mean */
    float noiseStrength;          /* multiplies every layer's learned noise strength */
    /* Latent interpolation (docs/generator.md, "Interpolation"): NULL, or [count]
     * seeds that image i's w moves towards by pLerpAmounts[i] in [0, 1]. Both
     * are NULL or both are set. Layers taken from a mix seed are not interpolated. */
    const uint64_t* pLerpSeeds;
    const float* pLerpAmounts;
    /* Explicit latents (restyle): NULL, or [count][2 * blockCount][wDim] w+
     * used as given: seeds, blend, truncation, mixing and interpolation are
     * then ignored for w (pNoiseSeeds still drive the noise). */
    const float* pLatents;
    /* Spatial-input models only: NULL (the Philox grid of the noise seed), or
     * [count][spatialChannels][Hg][Wg] values used as the input grid. */
    const float* pSpatialInput;
    /* Models with arch.inputPeriod > 0: grid cell (y, x) adds the periodic
     * input's cell ((y + periodicOffset) % P, (x + periodicOffset) % P).
     * Below arch.inputPeriod; 0 otherwise. */
    uint32_t periodicOffset;
} SgpBatch;

/* [SECTION] Plugin table ----------------------------------------------------- */

typedef struct SgpBackend_T* SgpBackend;
typedef struct SgpPreparedModel_T* SgpPreparedModel;

typedef struct SgpBackendCreateInfo {
    uint32_t threadCount;                  /* 0: one per hardware thread */
    void (*pfnLog)(void* pUserData, int level, const char* message); /* may be NULL */
    void* pUserData;
} SgpBackendCreateInfo;

typedef struct SgpPluginTable {
    uint32_t interfaceVersion; /* SGP_PLUGIN_INTERFACE_VERSION */
    const char* name;          /* "cpu", "cuda", "torch" */

    /* Errors are written to pError (NUL-terminated, errorSize bytes) when non-NULL. */
    SgpResult (*createBackend)(const SgpBackendCreateInfo* pInfo, SgpBackend* pBackend,
                               char* pError, size_t errorSize);
    void (*destroyBackend)(SgpBackend backend);

    /* Converts the weights into the backend's own layout. The desc's memory may be
     * released once this returns. Thread-safe against other prepare/generate calls. */
    SgpResult (*prepareModel)(SgpBackend backend, const SgpModelDesc* pDesc, SgpPreparedModel* pModel,
                              char* pError, size_t errorSize);
    void (*destroyModel)(SgpBackend backend, SgpPreparedModel model);

    /* Writes count images, each height x width x 4 floats (RGBA, row-major,
     * premultiplied alpha in [0,1]; alpha = 1 for 3-channel models) to pOut.
     * May be called from many threads at once on the same prepared model. */
    SgpResult (*generate)(SgpBackend backend, SgpPreparedModel model, const SgpBatch* pBatch, float* pOut,
                          char* pError, size_t errorSize);

    /* Runs the model's encoder (docs/generator.md, "Encoder") on count images
     * of height x width x 4 floats (RGBA, premultiplied, [0,1]; the core has
     * checked the size against the model). Writes [count][2 * blockCount][wDim]
     * floats to pLatents and, for spatial-input models, [count][spatialChannels]
     * [Hg][Wg] to pSpatialInput (NULL otherwise). SGP_ERROR_UNSUPPORTED when the
     * model has no encoder or the backend cannot run it: the core then encodes
     * on the built-in CPU backend (a NULL entry counts as SGP_ERROR_UNSUPPORTED).
     * Same threading rules as generate. */
    SgpResult (*encode)(SgpBackend backend, SgpPreparedModel model, uint32_t count, uint32_t width, uint32_t height,
                        const float* pImages, float* pLatents, float* pSpatialInput, char* pError, size_t errorSize);
} SgpPluginTable;

typedef const SgpPluginTable* (*PFN_sgpGetPluginTable)(void);

/* The CPU backend, linked into the core. */
const SgpPluginTable* sgpCpuPluginTable(void);

/* [SECTION] Vulkan interop (optional) ---------------------------------------- */

/* Versioned on its own: a plugin without it, or with another version, is used
 * for host generation only and the core stages Vulkan images through host memory. */
#define SGP_INTEROP_INTERFACE_VERSION 1u

/* Device memory of one VkImage, imported into the backend (OPAQUE_FD). */
typedef struct SgpInteropImage_T* SgpInteropImage;
/* A Vulkan timeline semaphore, imported into the backend (OPAQUE_FD). */
typedef struct SgpInteropSemaphore_T* SgpInteropSemaphore;

/* How a target image stores a pixel; the bytes equal what the host path gives
 * for the same pixel (sgGenerate's conversion, stylegen_vulkan.h's half rounding). */
typedef enum SgpPixelEncoding {
    SGP_PIXEL_RGBA8_UNORM = 0,   /* round(clamp(v, 0, 1) * 255) per channel */
    SGP_PIXEL_RGBA16_SFLOAT = 1, /* the float, rounded to the nearest half, ties to even */
    SGP_PIXEL_RGBA32_SFLOAT = 2
} SgpPixelEncoding;

/* A 2D, optimal-tiling, single-sample VkImage as vkCreateImage made it. */
typedef struct SgpInteropImageDesc {
    int fd;                    /* vkGetMemoryFdKHR(OPAQUE_FD) of its memory; the backend imports a
                                  duplicate, the caller keeps fd and closes it */
    uint64_t allocationSize;   /* of the VkDeviceMemory */
    uint64_t memoryOffset;     /* where the image is bound in it */
    uint32_t dedicated;        /* non-zero: a dedicated allocation for this image */
    SgpPixelEncoding encoding; /* from the image's format */
    uint32_t width;            /* mip level 0 */
    uint32_t height;
    uint32_t mipLevels;
    uint32_t arrayLayers;
    uint32_t colorAttachment;  /* non-zero: created with VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT */
} SgpInteropImageDesc;

/* Where image i of a batch goes: a width x height region at (x, y) of one mip level and layer. */
typedef struct SgpInteropTarget {
    SgpInteropImage image;
    uint32_t mipLevel;
    uint32_t arrayLayer;
    uint32_t x;
    uint32_t y;
} SgpInteropTarget;

typedef struct SgpInteropWrite {
    const SgpInteropTarget* pTargets;    /* [batch count], checked by the core to lie inside their images */
    uint32_t straightAlpha;              /* non-zero: un-premultiplied, as SG_ALPHA_MODE_STRAIGHT */
    SgpInteropSemaphore waitSemaphore;   /* NULL, or the writes wait until it reaches waitValue */
    uint64_t waitValue;
    SgpInteropSemaphore signalSemaphore; /* set to signalValue once every image is written */
    uint64_t signalValue;
} SgpInteropWrite;

typedef struct SgpInteropTable {
    uint32_t interfaceVersion; /* SGP_INTEROP_INTERFACE_VERSION */

    /* The UUID of the backend's device, to compare with VkPhysicalDeviceIDProperties::deviceUUID. */
    SgpResult (*getDeviceUuid)(SgpBackend backend, uint8_t pUuid[16], char* pError, size_t errorSize);

    SgpResult (*importImage)(SgpBackend backend, const SgpInteropImageDesc* pDesc, SgpInteropImage* pImage,
                             char* pError, size_t errorSize);
    /* May be called while queued writes still use the image: it is released once they are done. */
    void (*releaseImage)(SgpBackend backend, SgpInteropImage image);

    /* fd: vkGetSemaphoreFdKHR(OPAQUE_FD) of a timeline semaphore; the backend
     * imports a duplicate, the caller keeps fd and closes it. */
    SgpResult (*importSemaphore)(SgpBackend backend, int fd, SgpInteropSemaphore* pSemaphore, char* pError,
                                 size_t errorSize);
    /* May be called while queued work still waits on or signals it. */
    void (*releaseSemaphore)(SgpBackend backend, SgpInteropSemaphore semaphore);

    /* Queues, on the backend's device and without waiting for it: the wait,
     * the batch's generation, every image written to its target, the signal.
     * Calls on one backend execute in the order they were made, so a caller
     * that signals one semaphore must make its calls with increasing values,
     * one at a time. Thread-safe against every other call. */
    SgpResult (*generateToImages)(SgpBackend backend, SgpPreparedModel model, const SgpBatch* pBatch,
                                  const SgpInteropWrite* pWrite, char* pError, size_t errorSize);
} SgpInteropTable;

typedef const SgpInteropTable* (*PFN_sgpGetInteropTable)(void);

#ifdef __cplusplus
}
#endif

#endif /* STYLEGEN_PLUGIN_H_ */
