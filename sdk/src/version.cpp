// version.cpp - the entry points that need no object: version, result names,
// and the name-to-function table for applications that dlopen the library.
#include <cstring>

#include "stylegen/stylegen.h"
#ifdef SG_WITH_VULKAN
#include "stylegen/stylegen_vulkan.h"
#endif

extern "C" {

SG_API uint32_t sgGetVersion(void) { return SG_API_VERSION; }

SG_API const char* sgResultString(SgResult result) {
    switch (result) {
        case SG_SUCCESS: return "SG_SUCCESS";
        case SG_ERROR_INVALID_ARGUMENT: return "SG_ERROR_INVALID_ARGUMENT";
        case SG_ERROR_OUT_OF_MEMORY: return "SG_ERROR_OUT_OF_MEMORY";
        case SG_ERROR_BAD_MODEL_FILE: return "SG_ERROR_BAD_MODEL_FILE";
        case SG_ERROR_UNSUPPORTED: return "SG_ERROR_UNSUPPORTED";
        case SG_ERROR_DEVICE_LOST: return "SG_ERROR_DEVICE_LOST";
        case SG_ERROR_IO: return "SG_ERROR_IO";
        case SG_ERROR_INTERNAL: return "SG_ERROR_INTERNAL";
        case SG_ERROR_INCOMPATIBLE_VERSION: return "SG_ERROR_INCOMPATIBLE_VERSION";
        case SG_RESULT_MAX_ENUM: break;
    }
    return "SG_RESULT_UNKNOWN";
}

SG_API PFN_sgVoidFunction sgGetProcAddr(const char* pName) {
    if (!pName) return nullptr;
#define SG_PROC(name) {#name, reinterpret_cast<PFN_sgVoidFunction>(&name)}
    static const struct {
        const char* name;
        PFN_sgVoidFunction function;
    } kProcs[] = {
        SG_PROC(sgGetVersion),         SG_PROC(sgResultString),        SG_PROC(sgGetProcAddr),
        SG_PROC(sgCreateContext),      SG_PROC(sgDestroyContext),      SG_PROC(sgGetLastErrorMessage),
        SG_PROC(sgGetContextInfo),     SG_PROC(sgLoadModelFromFile),   SG_PROC(sgLoadModelFromMemory),
        SG_PROC(sgDestroyModel),       SG_PROC(sgGetModelInfo),        SG_PROC(sgGetStyleName),
        SG_PROC(sgFindStyle),          SG_PROC(sgGenerate),            SG_PROC(sgParseStylePrompt),
        SG_PROC(sgGetRestyleExtent),   SG_PROC(sgRestyle),
#ifdef SG_WITH_VULKAN
        SG_PROC(sgCreateVulkanDevice), SG_PROC(sgDestroyVulkanDevice), SG_PROC(sgGetVulkanDeviceInfo),
        SG_PROC(sgCreateVulkanImage),  SG_PROC(sgDestroyVulkanImage),  SG_PROC(sgCmdGenerateVulkanImages),
#endif
    };
#undef SG_PROC
    for (const auto& proc : kProcs)
        if (std::strcmp(proc.name, pName) == 0) return proc.function;
    return nullptr;
}

}  // extern "C"
