// sdk_session.cpp - see sdk_session.hpp.
#include "sdk_session.hpp"

#include <limits.h>
#include <unistd.h>

#include <cstdio>

#include "commands.hpp"
#include "file_system.hpp"
#include "options.hpp"

namespace sg::cli {

bool scanContextOption(ArgScanner& scanner, ContextOptions* options) {
    std::string v;
    if (scanner.option("--threads", &v)) {
        options->threadCount = uint32_t(parseUnsigned("--threads", v, 0, SG_MAX_THREAD_COUNT));
    } else if (scanner.option("--backend", &v)) {
        if (v == "auto") options->backend = SG_BACKEND_PREFERENCE_AUTO;
        else if (v == "cpu") options->backend = SG_BACKEND_PREFERENCE_CPU;
        else throw UsageError("--backend '" + v + "': expected auto or cpu");
    } else if (scanner.flag("--verbose") || scanner.flag("-v")) {
        options->verbose = true;
    } else {
        return false;
    }
    return true;
}

namespace {

const char* levelName(SgLogLevel level) {
    switch (level) {
        case SG_LOG_LEVEL_DEBUG: return "debug";
        case SG_LOG_LEVEL_INFO: return "info";
        case SG_LOG_LEVEL_WARNING: return "warning";
        default: return "error";
    }
}

void printLog(SgLogLevel level, const char* pMessage) {
    std::fprintf(stderr, "stylegen: %s: %s\n", levelName(level), pMessage);
}

void logWarnings(void*, SgLogLevel level, const char* pMessage) {
    if (level >= SG_LOG_LEVEL_WARNING) printLog(level, pMessage);
}

void logEverything(void*, SgLogLevel level, const char* pMessage) { printLog(level, pMessage); }

}  // namespace

sg::Context createContext(const ContextOptions& options) {
    sg::ContextCreateInfo createInfo;
    createInfo.threadCount = options.threadCount;
    createInfo.backendPreference = options.backend;
    createInfo.pfnLog = options.verbose ? logEverything : logWarnings;
    try {
        sg::Context context(createInfo);
        if (options.verbose) {
            const SgContextInfo info = context.info();
            std::fprintf(stderr, "stylegen: backend %s (%s), %u threads\n", info.pBackendName,
                         info.pBackendDescription, info.threadCount);
        }
        return context;
    } catch (const sg::Error& e) {
        throw Failure(std::string("cannot create a stylegen context: ") + e.what());
    }
}

sg::Model loadModel(const sg::Context& context, const std::string& path) {
    const std::string file = findModelFile(path, ".", {installedModelsFolder()});
    try {
        return context.loadModel(file);
    } catch (const sg::Error& e) {
        throw Failure("cannot load model " + file + ": " + e.what());
    }
}

std::string findModelFile(const std::string& text, const std::string& base, const std::vector<std::string>& folders) {
    if (!text.empty() && text[0] == '/') return text;
    const std::string here = base == "." ? text : base + "/" + text;
    if (isRegularFile(here) || text.find('/') != std::string::npos) return here;
    for (const std::string& folder : folders) {
        if (folder.empty()) continue;
        for (const std::string& candidate : {folder + "/" + text, folder + "/" + text + ".sgm"}) {
            if (isRegularFile(candidate)) return candidate;
        }
    }
    return here;
}

std::string installedModelsFolder() {
    char exe[PATH_MAX];
    const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return "";
    exe[n] = '\0';
    const std::string self(exe);
    const std::string folder = self.substr(0, self.find_last_of('/')) + "/" + STYLEGEN_CLI_MODELS_RELATIVE;
    return isDirectory(folder) ? folder : "";
}

uint32_t resolveStyle(const std::vector<std::string>& styleNames, const std::string& text, const std::string& option) {
    for (size_t i = 0; i < styleNames.size(); ++i) {
        if (styleNames[i] == text) return uint32_t(i);
    }
    if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos && text.size() <= 9) {
        const unsigned long index = std::stoul(text);
        if (index < styleNames.size()) return uint32_t(index);
    }
    std::string known;
    for (size_t i = 0; i < styleNames.size(); ++i) known += (i ? ", " : "") + styleNames[i];
    throw UsageError(option + ": unknown style '" + text + "' (the model's styles: " + known + "; or an index 0-" +
                     std::to_string(styleNames.size() - 1) + ")");
}

bool parseStylePrompt(const sg::Model& model, const std::string& prompt, std::vector<float>* weights,
                      std::string* error) {
    std::vector<float> parsed(model.info().styleCount);
    if (sgParseStylePrompt(model.handle(), prompt.c_str(), uint32_t(parsed.size()), parsed.data()) == SG_SUCCESS) {
        *weights = std::move(parsed);
        return true;
    }
    // "sgParseStylePrompt: unknown style ..." - the function name means nothing on a command line.
    const std::string message = sgGetLastErrorMessage(model.context());
    const std::string prefix = "sgParseStylePrompt: ";
    *error = message.compare(0, prefix.size(), prefix) == 0 ? message.substr(prefix.size()) : message;
    return false;
}

uint32_t resolveStyleOrPrompt(const sg::Model& model, const std::vector<std::string>& styleNames,
                              const std::string& text, const std::string& option, std::vector<float>* weights) {
    weights->clear();
    for (size_t i = 0; i < styleNames.size(); ++i) {
        if (styleNames[i] == text) return uint32_t(i);
    }
    if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) {
        return resolveStyle(styleNames, text, option);  // an index, or the usage error listing the styles
    }
    std::string error;
    if (!parseStylePrompt(model, text, weights, &error)) throw UsageError(option + " '" + text + "': " + error);
    return 0;
}

void notePatternBreak(const sg::Model& model, uint32_t width, uint32_t height, const std::string& where) {
    const uint32_t period = model.pattern().patternPeriod;
    if (period == 0 || (width % period == 0 && height % period == 0)) return;
    std::fprintf(stderr,
                 "stylegen: note: %s: %ux%u is not a multiple of model '%s''s %u-pixel pattern; the texture still "
                 "wraps, but the pattern breaks once, at the wrap\n",
                 where.c_str(), width, height, model.info().pName, period);
}

const char* modelKindName(SgModelKind kind) { return kind == SG_MODEL_KIND_SCENE ? "scene" : "character"; }

std::string hexString(const uint8_t* data, size_t size) {
    static const char kDigits[] = "0123456789abcdef";
    std::string hex;
    for (size_t i = 0; i < size; ++i) {
        hex += kDigits[data[i] >> 4];
        hex += kDigits[data[i] & 15];
    }
    return hex;
}

}  // namespace sg::cli
