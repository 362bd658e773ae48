// libstylegen_sharedcpu.so: the CPU backend packaged as a shared-object
// plugin under its own name, so the discovery tests load a real, working plugin.
#include "stylegen_plugin.h"

extern "C" SGP_EXPORT const SgpPluginTable* sgpGetPluginTable(void) {
    static const SgpPluginTable table = [] {
        SgpPluginTable t = *sgpCpuPluginTable();
        t.name = "sharedcpu";
        return t;
    }();
    return &table;
}
