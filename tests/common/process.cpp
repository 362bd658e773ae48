// process.cpp - see process.hpp.
#include "process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace sgtest {
namespace {

std::string readAll(std::FILE* file) {
    std::string text;
    std::rewind(file);
    char buffer[4096];
    for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, file)) > 0;) text.append(buffer, n);
    return text;
}

// Runs in the child after fork(): only async-signal-safe calls until exec.
[[noreturn]] void execChild(std::vector<char*>& argv, int outFd, int errFd, const ProcessOptions* options) {
    if (dup2(outFd, 1) < 0 || dup2(errFd, 2) < 0) _exit(126);
    if (options && !options->workingDir.empty() && chdir(options->workingDir.c_str()) != 0) _exit(126);
    if (options) {
        for (const std::string& assignment : options->env) putenv(const_cast<char*>(assignment.c_str()));
        if (options->fileSizeLimit) {
            signal(SIGXFSZ, SIG_IGN);  // stays ignored across exec
            const rlimit limit{rlim_t(options->fileSizeLimit), rlim_t(options->fileSizeLimit)};
            if (setrlimit(RLIMIT_FSIZE, &limit) != 0) _exit(126);
        }
    }
    execvp(argv[0], argv.data());
    _exit(127);
}

int statusToCode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

std::vector<char*> argvPointers(std::vector<std::string>& strings) {
    std::vector<char*> argv;
    for (std::string& s : strings) argv.push_back(s.data());
    argv.push_back(nullptr);
    return argv;
}

}  // namespace

ProcessResult runProcess(const std::vector<std::string>& argvIn, const ProcessOptions& options) {
    std::vector<std::string> strings = argvIn;
    std::vector<char*> argv = argvPointers(strings);
    std::FILE* out = std::tmpfile();
    std::FILE* err = std::tmpfile();
    if (!out || !err) throw std::runtime_error("runProcess: cannot create temporary files");
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid == 0) execChild(argv, fileno(out), fileno(err), &options);
    ProcessResult result;
    int status = 0;
    if (pid > 0 && waitpid(pid, &status, 0) == pid) result.exitCode = statusToCode(status);
    result.out = readAll(out);
    result.err = readAll(err);
    std::fclose(out);
    std::fclose(err);
    return result;
}

pid_t startProcess(const std::vector<std::string>& argvIn) {
    std::vector<std::string> strings = argvIn;
    std::vector<char*> argv = argvPointers(strings);
    const int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid == 0) execChild(argv, null, null, nullptr);
    close(null);
    if (pid < 0) throw std::runtime_error("startProcess: fork failed");
    return pid;
}

int waitProcess(pid_t pid) {
    int status = 0;
    return waitpid(pid, &status, 0) == pid ? statusToCode(status) : -1;
}

}  // namespace sgtest
