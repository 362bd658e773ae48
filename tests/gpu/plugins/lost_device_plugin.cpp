// libstylegen_lostdevice.so: the CPU backend as a plugin whose "device" is
// lost after its first generate call: every later generate or prepare fails
// with SGP_ERROR_DEVICE_LOST, as the CUDA backend does after a sticky CUDA
// error. Lets the core's fallback to the CPU be tested without a GPU.
#include <atomic>
#include <cstdio>
#include <new>

#include "stylegen_plugin.h"

namespace {

// What a backend handle of this plugin points at (the CPU backend's own type
// has another definition, so the handle is cast).
struct LostDevice {
    SgpBackend cpu = nullptr;
    std::atomic<int> generated{0};
};

LostDevice* self(SgpBackend backend) { return reinterpret_cast<LostDevice*>(backend); }
const SgpPluginTable& cpu() { return *sgpCpuPluginTable(); }

SgpResult lost(char* pError, size_t errorSize) {
    if (pError && errorSize) std::snprintf(pError, errorSize, "lostdevice: the test device is lost");
    return SGP_ERROR_DEVICE_LOST;
}

SgpResult createBackend(const SgpBackendCreateInfo* pInfo, SgpBackend* pBackend, char* pError, size_t errorSize) {
    auto* device = new (std::nothrow) LostDevice();
    if (!device) return SGP_ERROR_OUT_OF_MEMORY;
    const SgpResult r = cpu().createBackend(pInfo, &device->cpu, pError, errorSize);
    if (r != SGP_SUCCESS) {
        delete device;
        return r;
    }
    *pBackend = reinterpret_cast<SgpBackend>(device);
    return SGP_SUCCESS;
}

void destroyBackend(SgpBackend backend) {
    if (!backend) return;
    cpu().destroyBackend(self(backend)->cpu);
    delete self(backend);
}

SgpResult prepareModel(SgpBackend backend, const SgpModelDesc* pDesc, SgpPreparedModel* pModel, char* pError,
                       size_t errorSize) {
    if (self(backend)->generated.load() > 0) return lost(pError, errorSize);
    return cpu().prepareModel(self(backend)->cpu, pDesc, pModel, pError, errorSize);
}

void destroyModel(SgpBackend backend, SgpPreparedModel model) { cpu().destroyModel(self(backend)->cpu, model); }

SgpResult generate(SgpBackend backend, SgpPreparedModel model, const SgpBatch* pBatch, float* pOut, char* pError,
                   size_t errorSize) {
    if (self(backend)->generated.fetch_add(1) > 0) return lost(pError, errorSize);
    return cpu().generate(self(backend)->cpu, model, pBatch, pOut, pError, errorSize);
}

}  // namespace

extern "C" SGP_EXPORT const SgpPluginTable* sgpGetPluginTable(void) {
    static const SgpPluginTable table = {SGP_PLUGIN_INTERFACE_VERSION, "lostdevice", createBackend, destroyBackend,
                                         prepareModel, destroyModel, generate};
    return &table;
}
