/* abi_c99.c - the public header and API used from strict C99
 * (-std=c99 -pedantic -Wall -Wextra -Werror): layout pinned at compile time,
 * and a full create/load/query/generate/destroy cycle. */
#include "abi_c99.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stylegen/stylegen.h"

/* [SECTION] Layout, pinned for LP64 (x86-64, AArch64 Linux) --------------------- */

#define SG_ABI_CHECK(name, condition) typedef char sgAbiCheck_##name[(condition) ? 1 : -1]

#if UINTPTR_MAX == 0xFFFFFFFFFFFFFFFFu
SG_ABI_CHECK(enum_size, sizeof(SgResult) == 4 && sizeof(SgStructureType) == 4 && sizeof(SgFormat) == 4);
SG_ABI_CHECK(create_info_size, sizeof(SgContextCreateInfo) == 48);
SG_ABI_CHECK(create_info_pnext, offsetof(SgContextCreateInfo, pNext) == 8);
SG_ABI_CHECK(create_info_api_version, offsetof(SgContextCreateInfo, apiVersion) == 16);
SG_ABI_CHECK(create_info_pfn_log, offsetof(SgContextCreateInfo, pfnLog) == 32);
SG_ABI_CHECK(context_info_size, sizeof(SgContextInfo) == 40);
SG_ABI_CHECK(context_info_thread_count, offsetof(SgContextInfo, threadCount) == 32);
SG_ABI_CHECK(model_info_size, sizeof(SgModelInfo) == 88);
SG_ABI_CHECK(model_info_hash, offsetof(SgModelInfo, contentHash) == 44);
SG_ABI_CHECK(model_info_name, offsetof(SgModelInfo, pName) == 80);
SG_ABI_CHECK(generate_info_size, sizeof(SgGenerateInfo) == 120);
SG_ABI_CHECK(generate_info_seeds, offsetof(SgGenerateInfo, pSeeds) == 24);
SG_ABI_CHECK(generate_info_weights, offsetof(SgGenerateInfo, pStyleWeights) == 48);
SG_ABI_CHECK(generate_info_psi, offsetof(SgGenerateInfo, truncationPsi) == 56);
SG_ABI_CHECK(generate_info_mix_seeds, offsetof(SgGenerateInfo, pMixSeeds) == 64);
SG_ABI_CHECK(generate_info_noise_seeds, offsetof(SgGenerateInfo, pNoiseSeeds) == 88);
SG_ABI_CHECK(generate_info_width, offsetof(SgGenerateInfo, width) == 104);
SG_ABI_CHECK(generate_info_alpha, offsetof(SgGenerateInfo, alphaMode) == 116);
SG_ABI_CHECK(image_buffer_size, sizeof(SgImageBuffer) == 40);
SG_ABI_CHECK(image_buffer_pitch, offsetof(SgImageBuffer, rowPitch) == 32);
SG_ABI_CHECK(allocation_callbacks_size, sizeof(SgAllocationCallbacks) == 32);
SG_ABI_CHECK(restyle_info_size, sizeof(SgRestyleInfo) == 96);
SG_ABI_CHECK(restyle_info_width, offsetof(SgRestyleInfo, width) == 32);
SG_ABI_CHECK(restyle_info_weights, offsetof(SgRestyleInfo, pStyleWeights) == 64);
SG_ABI_CHECK(restyle_info_alpha, offsetof(SgRestyleInfo, alphaMode) == 88);
SG_ABI_CHECK(model_restyle_info_size, sizeof(SgModelRestyleInfo) == 24);
SG_ABI_CHECK(model_pattern_info_size, sizeof(SgModelPatternInfo) == 24);
SG_ABI_CHECK(model_pattern_info_offset, offsetof(SgModelPatternInfo, generateOffset) == 20);
SG_ABI_CHECK(context_limits_size, sizeof(SgContextLimits) == 64);
SG_ABI_CHECK(context_limits_output, offsetof(SgContextLimits, maxOutputBytesPerCall) == 24);
SG_ABI_CHECK(context_limits_weights, offsetof(SgContextLimits, maxModelWeightBytes) == 56);
#endif
/* Every extensible struct opens with sType then pNext, on every platform. */
SG_ABI_CHECK(stype_first, offsetof(SgGenerateInfo, sType) == 0 && offsetof(SgImageBuffer, sType) == 0 &&
                              offsetof(SgModelInfo, sType) == 0 && offsetof(SgContextInfo, sType) == 0 &&
                              offsetof(SgContextCreateInfo, sType) == 0);
SG_ABI_CHECK(pnext_second, offsetof(SgGenerateInfo, pNext) == sizeof(void*) &&
                               offsetof(SgImageBuffer, pNext) == sizeof(void*));
SG_ABI_CHECK(version_packing, SG_VERSION_MAJOR(SG_MAKE_VERSION(1, 2, 3)) == 1 &&
                                  SG_VERSION_MINOR(SG_MAKE_VERSION(1, 2, 3)) == 2 &&
                                  SG_VERSION_PATCH(SG_MAKE_VERSION(1, 2, 3)) == 3);
SG_ABI_CHECK(result_codes, SG_SUCCESS == 0 && SG_ERROR_INVALID_ARGUMENT == -1 && SG_ERROR_OUT_OF_MEMORY == -2 &&
                               SG_ERROR_BAD_MODEL_FILE == -3 && SG_ERROR_UNSUPPORTED == -4 &&
                               SG_ERROR_DEVICE_LOST == -5 && SG_ERROR_IO == -6 && SG_ERROR_INTERNAL == -7 &&
                               SG_ERROR_INCOMPATIBLE_VERSION == -8);

void sgAbiC99Layout(SgAbiLayout* pLayout) {
    pLayout->contextCreateInfoSize = sizeof(SgContextCreateInfo);
    pLayout->contextCreateInfoPfnLog = offsetof(SgContextCreateInfo, pfnLog);
    pLayout->contextCreateInfoLogUserData = offsetof(SgContextCreateInfo, pLogUserData);
    pLayout->contextInfoSize = sizeof(SgContextInfo);
    pLayout->contextInfoThreadCount = offsetof(SgContextInfo, threadCount);
    pLayout->modelInfoSize = sizeof(SgModelInfo);
    pLayout->modelInfoContentHash = offsetof(SgModelInfo, contentHash);
    pLayout->modelInfoName = offsetof(SgModelInfo, pName);
    pLayout->generateInfoSize = sizeof(SgGenerateInfo);
    pLayout->generateInfoStyleWeights = offsetof(SgGenerateInfo, pStyleWeights);
    pLayout->generateInfoTruncationPsi = offsetof(SgGenerateInfo, truncationPsi);
    pLayout->generateInfoMixSeeds = offsetof(SgGenerateInfo, pMixSeeds);
    pLayout->generateInfoNoiseSeeds = offsetof(SgGenerateInfo, pNoiseSeeds);
    pLayout->generateInfoWidth = offsetof(SgGenerateInfo, width);
    pLayout->generateInfoAlphaMode = offsetof(SgGenerateInfo, alphaMode);
    pLayout->imageBufferSize = sizeof(SgImageBuffer);
    pLayout->imageBufferRowPitch = offsetof(SgImageBuffer, rowPitch);
    pLayout->allocationCallbacksSize = sizeof(SgAllocationCallbacks);
    pLayout->allocationCallbacksFree = offsetof(SgAllocationCallbacks, pfnFree);
    pLayout->enumSize = sizeof(SgResult);
}

/* [SECTION] An aligned allocator in plain C99 ------------------------------------ */

/* Each block remembers where malloc put it and how big it is, just before the
 * aligned address handed out. */
typedef struct BlockHeader {
    void* base;
    size_t size;
} BlockHeader;

static size_t gAllocations = 0;
static size_t gLive = 0;

static void* allocate(void* pUserData, size_t size, size_t alignment) {
    unsigned char* base;
    uintptr_t aligned;
    BlockHeader header;
    (void)pUserData;
    if (alignment < sizeof(BlockHeader)) alignment = sizeof(BlockHeader);
    base = (unsigned char*)malloc(size + alignment + sizeof(BlockHeader));
    if (!base) return NULL;
    aligned = ((uintptr_t)(base + sizeof(BlockHeader)) + alignment - 1) & ~(uintptr_t)(alignment - 1);
    header.base = base;
    header.size = size;
    memcpy((void*)(aligned - sizeof(BlockHeader)), &header, sizeof(header));
    ++gAllocations;
    ++gLive;
    return (void*)aligned;
}

static void release(void* pUserData, void* pMemory) {
    BlockHeader header;
    (void)pUserData;
    if (!pMemory) return;
    memcpy(&header, (unsigned char*)pMemory - sizeof(BlockHeader), sizeof(header));
    free(header.base);
    --gLive;
}

static void* reallocate(void* pUserData, void* pOriginal, size_t size, size_t alignment) {
    BlockHeader header;
    void* p;
    if (!pOriginal) return allocate(pUserData, size, alignment);
    memcpy(&header, (unsigned char*)pOriginal - sizeof(BlockHeader), sizeof(header));
    p = allocate(pUserData, size, alignment);
    if (!p) return NULL;
    memcpy(p, pOriginal, header.size < size ? header.size : size);
    release(pUserData, pOriginal);
    return p;
}

size_t sgAbiC99AllocationCount(void) { return gAllocations; }
size_t sgAbiC99LiveAllocations(void) { return gLive; }

/* [SECTION] The full cycle --------------------------------------------------------- */

typedef struct LogState {
    int messages;
} LogState;

static void onLog(void* pUserData, SgLogLevel level, const char* pMessage) {
    LogState* state = (LogState*)pUserData;
    (void)level;
    if (pMessage && pMessage[0]) ++state->messages;
}

#define EXPECT(condition, ...)                                  \
    do {                                                        \
        if (!(condition)) {                                     \
            snprintf(pError, errorSize, __VA_ARGS__);           \
            goto done;                                          \
        }                                                       \
    } while (0)

int sgAbiC99FullCycle(const char* pModelPath, const void* pModelBytes, size_t modelSize, char* pError,
                      size_t errorSize) {
    int failed = 1;
    LogState log = {0};
    SgAllocationCallbacks allocator;
    SgContextCreateInfo createInfo;
    SgContextInfo contextInfo;
    SgModelInfo modelInfo, memoryInfo;
    SgGenerateInfo generateInfo;
    SgImageBuffer buffer;
    SgContext context = NULL;
    SgModel fromFile = NULL, fromMemory = NULL;
    unsigned char* pixels = NULL;
    unsigned char* pixelsFromMemory = NULL;
    float* floats = NULL;
    const char* styleName = NULL;
    uint32_t styleIndex = 0;
    size_t imageBytes, i;
    SgResult result;

    allocator.pUserData = NULL;
    allocator.pfnAllocation = allocate;
    allocator.pfnReallocation = reallocate;
    allocator.pfnFree = release;

    memset(&createInfo, 0, sizeof(createInfo));
    createInfo.sType = SG_STRUCTURE_TYPE_CONTEXT_CREATE_INFO;
    createInfo.apiVersion = SG_API_VERSION;
    createInfo.threadCount = 2;
    createInfo.backendPreference = SG_BACKEND_PREFERENCE_CPU;
    createInfo.pfnLog = onLog;
    createInfo.pLogUserData = &log;
    result = sgCreateContext(&createInfo, &allocator, &context);
    EXPECT(result == SG_SUCCESS, "sgCreateContext: %s %s", sgResultString(result), sgGetLastErrorMessage(NULL));
    EXPECT(log.messages > 0, "the log callback was never called");

    memset(&contextInfo, 0, sizeof(contextInfo));
    contextInfo.sType = SG_STRUCTURE_TYPE_CONTEXT_INFO;
    EXPECT(sgGetContextInfo(context, &contextInfo) == SG_SUCCESS, "sgGetContextInfo failed");
    EXPECT(strcmp(contextInfo.pBackendName, "cpu") == 0, "backend is %s", contextInfo.pBackendName);
    EXPECT(contextInfo.threadCount == 2, "threadCount is %u", (unsigned)contextInfo.threadCount);

    result = sgLoadModelFromFile(context, pModelPath, &fromFile);
    EXPECT(result == SG_SUCCESS, "sgLoadModelFromFile: %s", sgGetLastErrorMessage(context));
    result = sgLoadModelFromMemory(context, pModelBytes, modelSize, &fromMemory);
    EXPECT(result == SG_SUCCESS, "sgLoadModelFromMemory: %s", sgGetLastErrorMessage(context));

    memset(&modelInfo, 0, sizeof(modelInfo));
    modelInfo.sType = SG_STRUCTURE_TYPE_MODEL_INFO;
    memoryInfo = modelInfo;
    EXPECT(sgGetModelInfo(fromFile, &modelInfo) == SG_SUCCESS, "sgGetModelInfo: %s", sgGetLastErrorMessage(context));
    EXPECT(sgGetModelInfo(fromMemory, &memoryInfo) == SG_SUCCESS, "sgGetModelInfo failed");
    EXPECT(memcmp(modelInfo.contentHash, memoryInfo.contentHash, 32) == 0, "file and memory hashes differ");
    EXPECT(modelInfo.kind == SG_MODEL_KIND_CHARACTER && modelInfo.resolution == 16 && modelInfo.channels == 4,
           "unexpected model info");

    EXPECT(sgGetStyleName(fromFile, modelInfo.styleCount - 1, &styleName) == SG_SUCCESS, "sgGetStyleName failed");
    EXPECT(sgFindStyle(fromFile, styleName, &styleIndex) == SG_SUCCESS, "sgFindStyle failed");
    EXPECT(styleIndex == modelInfo.styleCount - 1, "sgFindStyle found %u", (unsigned)styleIndex);

    memset(&generateInfo, 0, sizeof(generateInfo));
    generateInfo.sType = SG_STRUCTURE_TYPE_GENERATE_INFO;
    generateInfo.count = 3;
    generateInfo.firstSeed = 7;
    generateInfo.styleIndex = styleIndex;
    generateInfo.truncationPsi = 0.8f;
    generateInfo.noiseStrength = 1.0f;
    generateInfo.format = SG_FORMAT_R8G8B8A8_UNORM;
    imageBytes = (size_t)modelInfo.resolution * modelInfo.resolution * 4;
    pixels = (unsigned char*)malloc(generateInfo.count * imageBytes);
    pixelsFromMemory = (unsigned char*)malloc(generateInfo.count * imageBytes);
    floats = (float*)malloc(generateInfo.count * imageBytes * 4);
    EXPECT(pixels && pixelsFromMemory && floats, "out of memory in the test");

    memset(&buffer, 0, sizeof(buffer));
    buffer.sType = SG_STRUCTURE_TYPE_IMAGE_BUFFER;
    buffer.pData = pixels;
    buffer.size = generateInfo.count * imageBytes;
    result = sgGenerate(context, fromFile, &generateInfo, &buffer);
    EXPECT(result == SG_SUCCESS, "sgGenerate RGBA8: %s", sgGetLastErrorMessage(context));
    buffer.pData = pixelsFromMemory;
    EXPECT(sgGenerate(context, fromMemory, &generateInfo, &buffer) == SG_SUCCESS, "sgGenerate from memory failed");
    EXPECT(memcmp(pixels, pixelsFromMemory, generateInfo.count * imageBytes) == 0,
           "file and memory models generate different pixels");

    generateInfo.format = SG_FORMAT_R32G32B32A32_SFLOAT;
    buffer.pData = floats;
    buffer.size = generateInfo.count * imageBytes * 4;
    result = sgGenerate(context, fromFile, &generateInfo, &buffer);
    EXPECT(result == SG_SUCCESS, "sgGenerate RGBA32F: %s", sgGetLastErrorMessage(context));
    for (i = 0; i < generateInfo.count * imageBytes; ++i) {
        const float v = floats[i];
        EXPECT(v >= 0.0f && v <= 1.0f, "float value %g outside [0, 1]", (double)v);
        EXPECT((unsigned char)(v * 255.0f + 0.5f) == pixels[i], "RGBA8 and RGBA32F disagree at %lu",
               (unsigned long)i);
    }
    failed = 0;

done:
    sgDestroyModel(context, fromMemory);
    sgDestroyModel(context, fromFile);
    sgDestroyContext(context, &allocator);
    free(pixels);
    free(pixelsFromMemory);
    free(floats);
    return failed;
}
