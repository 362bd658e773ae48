// process.hpp - runs programs for black-box tests (the CLI, cmake, samples):
// to completion with their output captured, or in the background to be killed.
//
//   sgtest::ProcessResult r = sgtest::runProcess({"cmake", "--version"});
//   EXPECT_EQ(r.exitCode, 0) << r.err;
//   pid_t pid = sgtest::startProcess({cli, "bake", manifest, "-o", out});
//   kill(pid, SIGKILL);
//   sgtest::waitProcess(pid);
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace sgtest {

struct ProcessResult {
    int exitCode = -1;  // the exit status, or 128 + the signal that ended it
    std::string out;
    std::string err;
};

struct ProcessOptions {
    std::string workingDir;        // "": the test's own
    std::vector<std::string> env;  // "NAME=VALUE" set (or replaced) for the child only
    // RLIMIT_FSIZE for the child, 0 for none: writing a file past this many
    // bytes fails with EFBIG (SIGXFSZ is ignored), as a full disk fails with ENOSPC.
    unsigned long long fileSizeLimit = 0;
};

// Runs argv[0] (looked up in PATH when it has no '/') to completion. stdout and
// stderr go through unlinked temporary files, so neither can fill a pipe.
ProcessResult runProcess(const std::vector<std::string>& argv, const ProcessOptions& options = {});

// Starts argv in the background with stdout and stderr discarded; returns its pid.
pid_t startProcess(const std::vector<std::string>& argv);

// Waits for a started process; returns what runProcess's exitCode would be.
int waitProcess(pid_t pid);

}  // namespace sgtest
