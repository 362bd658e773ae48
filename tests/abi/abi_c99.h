/* abi_c99.h - what the C99 translation unit (abi_c99.c) offers the C++ tests. */
#ifndef SG_TEST_ABI_C99_H_
#define SG_TEST_ABI_C99_H_

#include <stddef.h>

#include "stylegen/stylegen.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Sizes and member offsets as a C99 compiler lays the public structs out. */
typedef struct SgAbiLayout {
    size_t contextCreateInfoSize, contextCreateInfoPfnLog, contextCreateInfoLogUserData;
    size_t contextInfoSize, contextInfoThreadCount;
    size_t modelInfoSize, modelInfoContentHash, modelInfoName;
    size_t generateInfoSize, generateInfoStyleWeights, generateInfoTruncationPsi, generateInfoMixSeeds,
        generateInfoNoiseSeeds, generateInfoWidth, generateInfoAlphaMode;
    size_t imageBufferSize, imageBufferRowPitch;
    size_t allocationCallbacksSize, allocationCallbacksFree;
    size_t enumSize;
} SgAbiLayout;

void sgAbiC99Layout(SgAbiLayout* pLayout);

/* The whole API from C: context with allocation and log callbacks, load from
 * file and from memory, queries, RGBA8 and RGBA32F generation, destroy.
 * Returns 0 on success, else writes what failed to pError. */
int sgAbiC99FullCycle(const char* pModelPath, const void* pModelBytes, size_t modelSize, char* pError,
                      size_t errorSize);

/* Statistics of the C allocator used by sgAbiC99FullCycle. */
size_t sgAbiC99AllocationCount(void);
size_t sgAbiC99LiveAllocations(void);

/* The usage example at the top of stylegen.h, compiled as C99. */
int makeOrcs(void);

#ifdef __cplusplus
}
#endif

#endif /* SG_TEST_ABI_C99_H_ */
