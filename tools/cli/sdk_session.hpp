// sdk_session.hpp - how the CLI opens the SDK: a context from the command
// line's settings, a model with an error that names the file, style lookup by
// name or index. Failures throw sg::cli::Failure or UsageError.
#pragma once

#include <stylegen/stylegen.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace sg::cli {

struct ContextOptions {
    uint32_t threadCount = 0;  // 0: one per hardware thread
    SgBackendPreference backend = SG_BACKEND_PREFERENCE_AUTO;
    bool verbose = false;      // SDK info/debug log and the backend in use, on stderr
};

class ArgScanner;

// Consumes one context option at the scanner's position into *options:
// --threads N (0..SG_MAX_THREAD_COUNT), --backend auto|cpu, --verbose / -v.
// Returns false, consuming nothing, for any other argument.
bool scanContextOption(ArgScanner& scanner, ContextOptions* options);

// SDK warnings and errors always reach stderr; with verbose, so do its info
// and debug lines and a description of the backend (sgGetContextInfo).
sg::Context createContext(const ContextOptions& options);

// Loads `path`, or, when no such file exists and it is a bare name such as
// "characters", that model from the installed models folder (findModelFile).
sg::Model loadModel(const sg::Context& context, const std::string& path);

// Where a model given as `text` is: `text` itself when absolute; else
// base/text when that file exists or `text` holds a '/'; else the first of
// folder/text and folder/text.sgm that exists, for each of `folders` in order;
// else base/text (so that loading it reports why it is missing).
std::string findModelFile(const std::string& text, const std::string& base, const std::vector<std::string>& folders);

// The installed default models (<prefix>/share/stylegen/models), found from
// this executable's own location; "" when there is no such folder (a build tree).
std::string installedModelsFolder();

// The index of a style given by exact name, or else by index; UsageError
// listing the model's styles when neither matches. `option` names the flag.
uint32_t resolveStyle(const std::vector<std::string>& styleNames, const std::string& text, const std::string& option);

// The blend a style prompt asks for ("orcs:0.7 + undead:0.3", one weight per
// style, sgParseStylePrompt). False with *error (the SDK's message: the
// problem and its column) when the prompt does not parse.
bool parseStylePrompt(const sg::Model& model, const std::string& prompt, std::vector<float>* weights,
                      std::string* error);

// A style given on the command line: an exact name or an index (one style,
// *weights left empty, the index returned), else a style prompt (*weights
// filled). UsageError naming `option` when it is none of these.
uint32_t resolveStyleOrPrompt(const sg::Model& model, const std::vector<std::string>& styleNames,
                              const std::string& text, const std::string& option, std::vector<float>* weights);

// A note on stderr when a width x height texture cuts the model's repeating
// pattern (SgModelPatternInfo): it still wraps, but the pattern breaks once,
// at the wrap. `where` says where the size came from ("--size").
void notePatternBreak(const sg::Model& model, uint32_t width, uint32_t height, const std::string& where);

const char* modelKindName(SgModelKind kind);
std::string hexString(const uint8_t* data, size_t size);

}  // namespace sg::cli
