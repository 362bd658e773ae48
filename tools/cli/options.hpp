// options.hpp - command-line scanning and the value syntaxes the subcommands
// share (seed lists, sizes, blends). Every problem throws UsageError with a
// message that names the option and the bad value; main() turns it into exit
// code 2.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace sg::cli {

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Walks argv left to right. Options are "--name VALUE" or "--name=VALUE";
// anything not starting with '-' is positional.
//
//   ArgScanner args(argv);
//   while (!args.done()) {
//       if (args.flag("--json")) json = true;
//       else if (args.option("--style", &style)) {}
//       else if (args.positional(&path)) {}
//       else args.rejectCurrent();
//   }
class ArgScanner {
public:
    explicit ArgScanner(std::vector<std::string> args) : args_(std::move(args)) {}

    bool done() const { return next_ >= args_.size(); }
    // Consumes the current argument if it is `name` (a flag takes no value).
    bool flag(const std::string& name);
    // Consumes `name` and its value; a missing value throws.
    bool option(const std::string& name, std::string* value);
    // Consumes the current argument if it is not an option.
    bool positional(std::string* value);
    // Throws UsageError for the current argument ("unknown option ...").
    [[noreturn]] void rejectCurrent() const;

private:
    std::vector<std::string> args_;
    size_t next_ = 0;
};

// The one positional argument of `command` ("generate"), described as
// `what` ("MODEL.sgm"); UsageError when there are none or several.
const std::string& onlyPositional(const std::vector<std::string>& positionals, const std::string& command,
                                  const std::string& what);

struct Extent {
    uint32_t width = 0;
    uint32_t height = 0;
};

struct BlendTerm {
    std::string style;  // a style name or index, resolved against the model later
    float weight = 0.0f;
};

// Decimal integer in [min, max], digits only.
uint64_t parseUnsigned(const std::string& option, const std::string& text, uint64_t min, uint64_t max);
// Finite decimal number in [min, max].
float parseFloat(const std::string& option, const std::string& text, float min, float max);
// "1,2,5-9": comma-separated seeds and inclusive ranges, at most maxCount seeds.
std::vector<uint64_t> parseSeedList(const std::string& option, const std::string& text, size_t maxCount);
// "WxH", or "N" for N x N; each side in [1, max].
Extent parseExtent(const std::string& option, const std::string& text, uint32_t max);
// "name:0.7,name2:0.3": weights finite, >= 0, at least one > 0. A name may
// itself contain ':'; the weight follows the last one.
std::vector<BlendTerm> parseBlend(const std::string& option, const std::string& text);

}  // namespace sg::cli
