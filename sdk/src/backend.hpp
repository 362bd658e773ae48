// backend.hpp - the generation backend a context runs on: the built-in CPU
// backend, or a shared-object plugin (libstylegen_<name>.so) found on
// STYLEGEN_PLUGIN_PATH or next to libstylegen.so.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "stylegen/stylegen.h"
#include "stylegen_plugin.h"

namespace sg {

using LogFunction = std::function<void(SgLogLevel level, const std::string& message)>;

class Backend {
public:
    // Picks and creates a backend. With SG_BACKEND_PREFERENCE_AUTO every
    // plugin found is tried in turn; one that fails to load, has another
    // interface version or cannot create its backend is logged and skipped.
    // The built-in CPU backend is the fallback. Returns nullptr and sets
    // *error only if even the CPU backend fails.
    static std::unique_ptr<Backend> create(SgBackendPreference preference, uint32_t threadCount, const LogFunction& log,
                                           SgResult* result, std::string* error);
    // The built-in CPU backend alone; `why` goes into its description.
    static std::unique_ptr<Backend> createBuiltIn(uint32_t threadCount, const LogFunction& log, const std::string& why,
                                                  SgResult* result, std::string* error);
    Backend() = default;  // empty until create() fills it in
    ~Backend();
    Backend(const Backend&) = delete;
    Backend& operator=(const Backend&) = delete;

    const SgpPluginTable& table() const { return *table_; }
    SgpBackend handle() const { return handle_; }
    // The plugin's Vulkan interop table (sgpGetInteropTable), or nullptr when
    // it has none of SGP_INTEROP_INTERFACE_VERSION (the CPU backend never has).
    const SgpInteropTable* interop() const { return interop_; }
    const std::string& name() const { return name_; }
    const std::string& description() const { return description_; }

private:
    const SgpPluginTable* table_ = nullptr;
    const SgpInteropTable* interop_ = nullptr;
    SgpBackend handle_ = nullptr;
    void* library_ = nullptr;  // dlopen handle; nullptr for the built-in backend
    std::string name_;
    std::string description_;
    // Plugins log through this; it lives as long as the backend handle.
    std::unique_ptr<LogFunction> log_;
};

// SgpResult codes equal SgResult's; anything else a plugin returns is a bug in it.
SgResult fromPluginResult(SgpResult result);

}  // namespace sg
