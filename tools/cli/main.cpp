// main.cpp - `stylegen`: inspect models, generate and restyle textures, bake manifests
// from the command line. Dispatches to a subcommand and maps its failures to exit codes.
#include <stylegen/stylegen.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <climits>
#include <cstdio>
#include <cstring>
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
    "  stylegen restyle INPUT.png --model MODEL --style STYLE [options] -o OUTPUT.png\n"
    "  stylegen bake MANIFEST.json -o DIR [--jobs N]\n"
    "  stylegen eval --data SOURCE --model MODEL.sgm [options]   (quality metrics: runs stylegen-eval)\n"
    "  stylegen --version\n"
    "\n"
    "Run 'stylegen COMMAND --help' for the options of a command.\n"
    "A model may be given by name (\"characters\") to use an installed default model.\n"
    "Exit codes: 0 success, 1 failure (model, manifest, generation or file error), 2 bad command line.\n";

// `stylegen eval ...` runs the stylegen-eval beside this executable: the
// evaluator links LibTorch, which the CLI does not.
[[noreturn]] void runEvaluator(const std::vector<std::string>& args) {
    char self[PATH_MAX];
    const ssize_t length = readlink("/proc/self/exe", self, sizeof self - 1);
    if (length <= 0) throw sg::cli::Failure("cannot find the stylegen executable, so not stylegen-eval beside it");
    const std::string own(self, size_t(length));
    std::string path = own.substr(0, own.find_last_of('/') + 1) + "stylegen-eval";
    if (access(path.c_str(), X_OK) != 0) {
        throw sg::cli::Failure("'stylegen eval' runs " + path +
                               ", which is not there: it is built only with LibTorch (configure with "
                               "-DSTYLEGEN_WITH_TORCH=ON, then build the target stylegen_eval)");
    }
    std::vector<char*> argv{path.data()};
    for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    execv(path.c_str(), argv.data());
    throw sg::cli::Failure("cannot run " + path + ": " + std::strerror(errno));
}

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
    if (command == "restyle") return sg::cli::runRestyle(rest);
    if (command == "bake") return sg::cli::runBake(rest);
    if (command == "eval") runEvaluator(rest);
    throw sg::cli::UsageError("unknown command '" + command + "' (commands: inspect, generate, restyle, bake, eval)");
}

}  // namespace

int main(int argc, char** argv) {
    // Under a file-size limit (ulimit -f) a write then fails with EFBIG and the
    // file is named in the error, instead of SIGXFSZ ending the process.
    std::signal(SIGXFSZ, SIG_IGN);
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
