// backend.cpp - backend selection and shared-object plugin discovery.
#include "backend.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <set>
#include <vector>

#include <dirent.h>
#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sg {
namespace {

constexpr const char* kPluginPathVariable = "STYLEGEN_PLUGIN_PATH";
constexpr const char* kPluginPrefix = "libstylegen_";
constexpr const char* kPluginSuffix = ".so";
constexpr size_t kErrorSize = 512;

struct PluginFile {
    std::string name;  // "cuda" for libstylegen_cuda.so
    std::string path;
};

void logFromPlugin(void* pUserData, int level, const char* message) {
    const LogFunction& log = *static_cast<const LogFunction*>(pUserData);
    const int clamped = std::clamp(level, int(SG_LOG_LEVEL_DEBUG), int(SG_LOG_LEVEL_ERROR));
    log(SgLogLevel(clamped), message ? message : "");
}

std::string directoryOf(const std::string& path) {
    const size_t slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

// STYLEGEN_PLUGIN_PATH's folders first, then libstylegen.so's own folder.
std::vector<std::string> pluginDirectories() {
    std::vector<std::string> dirs;
    if (const char* env = std::getenv(kPluginPathVariable)) {
        std::string list = env;
        size_t start = 0;
        while (start <= list.size()) {
            const size_t end = std::min(list.find(':', start), list.size());
            if (end > start) dirs.push_back(list.substr(start, end - start));
            start = end + 1;
        }
    }
    Dl_info info{};
    if (dladdr(reinterpret_cast<void*>(&pluginDirectories), &info) != 0 && info.dli_fname) {
        // dli_fname is the path the library was loaded by, possibly relative to a since-changed folder.
        char* resolved = realpath(info.dli_fname, nullptr);
        dirs.push_back(directoryOf(resolved ? resolved : info.dli_fname));
        std::free(resolved);
    }
    return dirs;
}

// libstylegen_<name>.so files; a name found in an earlier folder hides later ones.
// Within a folder "cuda" comes first (the fast path), then the rest by name.
std::vector<PluginFile> findPlugins(const std::vector<std::string>& dirs) {
    std::vector<PluginFile> plugins;
    std::set<std::string> seen;
    const std::string prefix = kPluginPrefix, suffix = kPluginSuffix;
    for (const std::string& dir : dirs) {
        DIR* d = opendir(dir.c_str());
        if (!d) continue;
        std::vector<PluginFile> here;
        while (const dirent* entry = readdir(d)) {
            const std::string file = entry->d_name;
            if (file.size() <= prefix.size() + suffix.size() || file.compare(0, prefix.size(), prefix) != 0 ||
                file.compare(file.size() - suffix.size(), suffix.size(), suffix) != 0)
                continue;
            const std::string name = file.substr(prefix.size(), file.size() - prefix.size() - suffix.size());
            if (seen.insert(name).second) here.push_back({name, dir + "/" + file});
        }
        closedir(d);
        std::sort(here.begin(), here.end(), [](const PluginFile& a, const PluginFile& b) {
            return std::make_pair(a.name != "cuda", a.name) < std::make_pair(b.name != "cuda", b.name);
        });
        plugins.insert(plugins.end(), here.begin(), here.end());
    }
    return plugins;
}

// Why a plugin file must not even reach dlopen, or "" when it may: dlopen
// blocks forever on a FIFO, and a folder or an unreadable file is better
// reported as what it is than as dlerror's wording.
std::string unloadableReason(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::string("cannot load: ") + std::strerror(errno);
    if (!S_ISREG(st.st_mode)) return "cannot load: not a regular file";
    if (::access(path.c_str(), R_OK) != 0) return std::string("cannot load: ") + std::strerror(errno);
    return "";
}

bool tableComplete(const SgpPluginTable* t) {
    return t->name && t->createBackend && t->destroyBackend && t->prepareModel && t->destroyModel && t->generate;
}

// The plugin's interop table when it has a complete one of this version; why not otherwise.
const SgpInteropTable* interopTable(void* library, std::string* why) {
    auto get = reinterpret_cast<PFN_sgpGetInteropTable>(dlsym(library, "sgpGetInteropTable"));
    if (!get) return nullptr;
    const SgpInteropTable* t = get();
    if (!t || t->interfaceVersion != SGP_INTEROP_INTERFACE_VERSION || !t->getDeviceUuid || !t->importImage ||
        !t->releaseImage || !t->importSemaphore || !t->releaseSemaphore || !t->generateToImages) {
        *why = "its Vulkan interop table is incomplete or of another version than " +
               std::to_string(SGP_INTEROP_INTERFACE_VERSION);
        return nullptr;
    }
    return t;
}

std::string joinDirectories(const std::vector<std::string>& dirs) {
    std::string s;
    for (const std::string& d : dirs) s += (s.empty() ? "" : ", ") + d;
    return s.empty() ? "(none)" : s;
}

}  // namespace

SgResult fromPluginResult(SgpResult result) {
    switch (result) {
        case SGP_SUCCESS: return SG_SUCCESS;
        case SGP_ERROR_INVALID_ARGUMENT: return SG_ERROR_INVALID_ARGUMENT;
        case SGP_ERROR_OUT_OF_MEMORY: return SG_ERROR_OUT_OF_MEMORY;
        case SGP_ERROR_UNSUPPORTED: return SG_ERROR_UNSUPPORTED;
        case SGP_ERROR_DEVICE_LOST: return SG_ERROR_DEVICE_LOST;
        default: return SG_ERROR_INTERNAL;
    }
}

std::unique_ptr<Backend> Backend::create(SgBackendPreference preference, uint32_t threadCount, const LogFunction& log,
                                         SgResult* result, std::string* error) {
    auto backend = std::make_unique<Backend>();
    backend->log_ = std::make_unique<LogFunction>(log);
    const SgpBackendCreateInfo createInfo{threadCount, &logFromPlugin, backend->log_.get()};
    char message[kErrorSize];

    std::string why;
    if (preference == SG_BACKEND_PREFERENCE_CPU) {
        why = "backend preference is cpu";
    } else {
        const std::vector<std::string> dirs = pluginDirectories();
        const std::vector<PluginFile> plugins = findPlugins(dirs);
        if (plugins.empty()) why = "no backend plugin found in " + joinDirectories(dirs);
        for (const PluginFile& plugin : plugins) {
            std::string failure = unloadableReason(plugin.path);
            void* library = nullptr;
            const SgpPluginTable* table = nullptr;
            if (!failure.empty()) {
                // Never handed to dlopen (see unloadableReason).
            } else if (library = dlopen(plugin.path.c_str(), RTLD_NOW | RTLD_LOCAL); !library) {
                const char* reason = dlerror();
                failure = std::string("cannot load: ") + (reason ? reason : "unknown dlopen error");
            } else if (auto get = reinterpret_cast<PFN_sgpGetPluginTable>(dlsym(library, "sgpGetPluginTable")); !get) {
                failure = "no sgpGetPluginTable symbol";
            } else if (table = get(); !table) {
                failure = "sgpGetPluginTable returned NULL";
            } else if (table->interfaceVersion != SGP_PLUGIN_INTERFACE_VERSION) {
                failure = "plugin interface version " + std::to_string(table->interfaceVersion) + ", expected " +
                          std::to_string(SGP_PLUGIN_INTERFACE_VERSION);
            } else if (!tableComplete(table)) {
                failure = "plugin table has NULL entries";
            } else {
                message[0] = '\0';
                SgpBackend handle = nullptr;
                const SgpResult r = table->createBackend(&createInfo, &handle, message, sizeof(message));
                message[sizeof(message) - 1] = '\0';
                if (r == SGP_SUCCESS && handle) {
                    backend->table_ = table;
                    backend->handle_ = handle;
                    backend->library_ = library;
                    backend->name_ = table->name;
                    backend->description_ = backend->name_ + ": plugin " + plugin.path;
                    std::string interopProblem;
                    backend->interop_ = interopTable(library, &interopProblem);
                    if (!interopProblem.empty())
                        log(SG_LOG_LEVEL_WARNING, "backend plugin " + plugin.path + ": " + interopProblem +
                                                      "; Vulkan images go through host memory");
                    log(SG_LOG_LEVEL_INFO, "using backend " + backend->description_);
                    return backend;
                }
                failure = std::string("createBackend failed: ") + (message[0] ? message : "no reason given");
            }
            if (library) dlclose(library);
            const std::string note = "libstylegen_" + plugin.name + ".so skipped: " + failure;
            log(SG_LOG_LEVEL_WARNING, "backend plugin " + plugin.path + " skipped: " + failure);
            why += (why.empty() ? "" : "; ") + note;
        }
    }

    return createBuiltIn(threadCount, log, why, result, error);
}

std::unique_ptr<Backend> Backend::createBuiltIn(uint32_t threadCount, const LogFunction& log, const std::string& why,
                                                SgResult* result, std::string* error) {
    auto backend = std::make_unique<Backend>();
    backend->log_ = std::make_unique<LogFunction>(log);
    const SgpBackendCreateInfo createInfo{threadCount, &logFromPlugin, backend->log_.get()};
    char message[kErrorSize] = "";
    const SgpPluginTable* cpu = sgpCpuPluginTable();
    SgpBackend handle = nullptr;
    const SgpResult r = cpu->createBackend(&createInfo, &handle, message, sizeof(message));
    message[sizeof(message) - 1] = '\0';
    if (r != SGP_SUCCESS || !handle) {
        *result = r == SGP_SUCCESS ? SG_ERROR_INTERNAL : fromPluginResult(r);
        *error = std::string("the built-in cpu backend failed to start: ") + (message[0] ? message : "no reason given");
        return nullptr;
    }
    backend->table_ = cpu;
    backend->handle_ = handle;
    backend->name_ = cpu->name;
    backend->description_ = backend->name_ + ": built-in (" + why + ")";
    log(SG_LOG_LEVEL_INFO, "using backend " + backend->description_);
    return backend;
}

Backend::~Backend() {
    if (handle_) table_->destroyBackend(handle_);
    // Only after the backend is gone may its code be unmapped.
    if (library_) dlclose(library_);
}

}  // namespace sg
