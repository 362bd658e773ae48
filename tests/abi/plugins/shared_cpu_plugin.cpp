// libstylegen_sharedcpu.so: the CPU backend packaged as a shared-object
// plugin under its own name, so the discovery tests load a real, working plugin.
//
// Built with SG_TEST_PARTIAL_PLUGIN it is libstylegen_partialcpu.so, a plugin
// that refuses latent interpolation and, like the CUDA backend, explicit
// latents and encoding (restyle) with SGP_ERROR_UNSUPPORTED: the core must
// hand those requests to its built-in CPU backend.
#include <cstdio>

#include "stylegen_plugin.h"

namespace {

#if defined(SG_TEST_PARTIAL_PLUGIN)
constexpr const char* kName = "partialcpu";

SgpResult generatePartially(SgpBackend backend, SgpPreparedModel model, const SgpBatch* pBatch, float* pOut,
                            char* pError, size_t errorSize) {
    if (pBatch && (pBatch->pLerpSeeds || pBatch->pLatents || pBatch->pSpatialInput)) {
        if (pError && errorSize) std::snprintf(pError, errorSize, "partialcpu does not interpolate latents");
        return SGP_ERROR_UNSUPPORTED;
    }
    return sgpCpuPluginTable()->generate(backend, model, pBatch, pOut, pError, errorSize);
}

SgpResult refuseToEncode(SgpBackend, SgpPreparedModel, uint32_t, uint32_t, uint32_t, const float*, float*, float*,
                         char* pError, size_t errorSize) {
    if (pError && errorSize) std::snprintf(pError, errorSize, "partialcpu does not encode images");
    return SGP_ERROR_UNSUPPORTED;
}
#else
constexpr const char* kName = "sharedcpu";
#endif

}  // namespace

extern "C" SGP_EXPORT const SgpPluginTable* sgpGetPluginTable(void) {
    static const SgpPluginTable table = [] {
        SgpPluginTable t = *sgpCpuPluginTable();
        t.name = kName;
#if defined(SG_TEST_PARTIAL_PLUGIN)
        t.generate = generatePartially;
        t.encode = refuseToEncode;
#endif
        return t;
    }();
    return &table;
}
