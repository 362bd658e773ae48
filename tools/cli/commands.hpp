// commands.hpp - the subcommands of the stylegen CLI and how they report
// failure: UsageError (options.hpp) for bad command lines, exit code 2;
// Failure for everything else (an SDK call, a file), exit code 1.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace sg::cli {

constexpr int kExitSuccess = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// Upper bound on the images of one run (generate) or one bake entry: a typo
// such as --seeds 1-1000000000 fails fast.
constexpr size_t kMaxImages = 100000;

struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Each takes the arguments after its name and returns the exit code.
int runInspect(const std::vector<std::string>& args);
int runGenerate(const std::vector<std::string>& args);
int runRestyle(const std::vector<std::string>& args);
int runBake(const std::vector<std::string>& args);

}  // namespace sg::cli
