/* Plugins that fail in the ways the loader must survive, one per build of this
 * file (see CMakeLists.txt):
 *   SG_TEST_PLUGIN_OLD_VERSION  reports another interface version
 *   SG_TEST_PLUGIN_NO_DEVICE    cannot create its backend (as a GPU plugin without a GPU)
 *   SG_TEST_PLUGIN_NO_SYMBOL    does not export sgpGetPluginTable
 *   SG_TEST_PLUGIN_NULL_TABLE   sgpGetPluginTable returns NULL
 *   SG_TEST_PLUGIN_INCOMPLETE   its table lacks generate */
#include <stdio.h>

#include "stylegen_plugin.h"

#if defined(SG_TEST_PLUGIN_NO_SYMBOL)

SGP_EXPORT int sgpSomethingElse(void) { return 1; }

#elif defined(SG_TEST_PLUGIN_NULL_TABLE)

SGP_EXPORT const SgpPluginTable* sgpGetPluginTable(void) { return NULL; }

#else

static SgpResult createBackend(const SgpBackendCreateInfo* pInfo, SgpBackend* pBackend, char* pError,
                               size_t errorSize) {
    (void)pInfo;
    *pBackend = NULL;
    if (pError) snprintf(pError, errorSize, "no test device");
    return SGP_ERROR_UNSUPPORTED;
}

/* Never reached: no backend is ever created. */
static void destroyBackend(SgpBackend backend) { (void)backend; }
static SgpResult prepareModel(SgpBackend backend, const SgpModelDesc* pDesc, SgpPreparedModel* pModel, char* pError,
                              size_t errorSize) {
    (void)backend, (void)pDesc, (void)pModel, (void)pError, (void)errorSize;
    return SGP_ERROR_INTERNAL;
}
static void destroyModel(SgpBackend backend, SgpPreparedModel model) { (void)backend, (void)model; }
static SgpResult generate(SgpBackend backend, SgpPreparedModel model, const SgpBatch* pBatch, float* pOut,
                          char* pError, size_t errorSize) {
    (void)backend, (void)model, (void)pBatch, (void)pOut, (void)pError, (void)errorSize;
    return SGP_ERROR_INTERNAL;
}

#if defined(SG_TEST_PLUGIN_OLD_VERSION)
#define TEST_INTERFACE_VERSION 999u
#define TEST_NAME "oldversion"
#elif defined(SG_TEST_PLUGIN_INCOMPLETE)
#define TEST_INTERFACE_VERSION SGP_PLUGIN_INTERFACE_VERSION
#define TEST_NAME "incomplete"
#else
#define TEST_INTERFACE_VERSION SGP_PLUGIN_INTERFACE_VERSION
#define TEST_NAME "nodevice"
#endif

SGP_EXPORT const SgpPluginTable* sgpGetPluginTable(void) {
#if defined(SG_TEST_PLUGIN_INCOMPLETE)
    static const SgpPluginTable table = {TEST_INTERFACE_VERSION, TEST_NAME, createBackend, destroyBackend,
                                         prepareModel,           destroyModel, NULL};
    (void)generate;
#else
    static const SgpPluginTable table = {TEST_INTERFACE_VERSION, TEST_NAME, createBackend, destroyBackend,
                                         prepareModel,           destroyModel, generate};
#endif
    return &table;
}

#endif
