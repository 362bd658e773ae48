// main.cpp - `stylegen`: inspect models and generate textures from the command
// line. Dispatches to a subcommand and maps its failures to exit codes.
#include <stylegen/stylegen.h>

#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "commands.hpp"
#include "options.hpp"

namespace {

constexpr const char* kUsage =
    "stylegen - generate style-varied game textures from a .sgm model\n"
    "\n"
    "Usage:\n"
    "  stylegen inspect MODEL.sgm [--json]\n"
    "  stylegen generate MODEL.sgm [options] (-o DIR | --sheet FILE.png)\n"
    "  stylegen --version\n"
    "\n"
    "Run 'stylegen COMMAND --help' for the options of a command.\n"
    "Exit codes: 0 success, 1 failure (model, generation or file error), 2 bad command line.\n";

int dispatch(const std::vector<std::string>& args) {
    if (args.empty()) {
        std::fputs(kUsage, stderr);
        return sg::cli::kExitUsage;
    }
    const std::string& command = args[0];
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (command == "--help" || command == "-h" || command == "help") {
        std::fputs(kUsage, stdout);
        return sg::cli::kExitSuccess;
    }
    if (command == "--version") {
        const uint32_t version = sgGetVersion();
        std::printf("stylegen %u.%u.%u\n", SG_VERSION_MAJOR(version), SG_VERSION_MINOR(version),
                    SG_VERSION_PATCH(version));
        return sg::cli::kExitSuccess;
    }
    if (command == "inspect") return sg::cli::runInspect(rest);
    if (command == "generate") return sg::cli::runGenerate(rest);
    throw sg::cli::UsageError("unknown command '" + command + "' (commands: inspect, generate)");
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return dispatch(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const sg::cli::UsageError& e) {
        std::fprintf(stderr, "stylegen: error: %s\nRun 'stylegen --help' for usage.\n", e.what());
        return sg::cli::kExitUsage;
    } catch (const sg::cli::Failure& e) {
        std::fprintf(stderr, "stylegen: error: %s\n", e.what());
        return sg::cli::kExitFailure;
    } catch (const std::bad_alloc&) {
        std::fputs("stylegen: error: out of memory\n", stderr);
        return sg::cli::kExitFailure;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "stylegen: error: %s\n", e.what());
        return sg::cli::kExitFailure;
    }
}
