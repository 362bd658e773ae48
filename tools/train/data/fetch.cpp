// fetch.cpp - Debian packages into the cache: apt-get download, dpkg-deb -x.
//
// Layout of the cache folder:
//   <cache>/debs/<package>_<version>_<arch>.deb    what apt-get download wrote
//   <cache>/root/<package>/                        the extracted files
//   <cache>/root/<package>/.stylegen-deb           written last: names the .deb
// The marker is written inside a temporary folder that is then renamed into
// place, so a root with a marker is always a complete extraction.
#include "internal.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace sgdata {
namespace {

constexpr const char* kMarkerName = ".stylegen-deb";

// Debian policy 5.6.1: lower case letters, digits, '+', '-', '.'; at least two
// characters, starting alphanumeric. Also keeps names out of option syntax.
bool validPackageName(const std::string& name) {
    if (name.size() < 2 || !(std::islower((unsigned char)name[0]) || std::isdigit((unsigned char)name[0])))
        return false;
    return std::all_of(name.begin(), name.end(), [](unsigned char c) {
        return std::islower(c) || std::isdigit(c) || c == '+' || c == '-' || c == '.';
    });
}

// Runs argv[0] (searched on PATH) in `cwd` without a shell, stdout and stderr
// merged into *output. *exitStatus: the exit code, or 128 + signal.
bool runCommand(const std::vector<std::string>& argv, const std::string& cwd, int* exitStatus, std::string* output,
                std::string* error) {
    std::vector<char*> args;
    for (const std::string& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);

    int pipeFds[2];
    if (pipe(pipeFds) != 0) {
        *error = std::string("cannot create a pipe: ") + std::strerror(errno);
        return false;
    }
    const pid_t pid = fork();
    if (pid < 0) {
        *error = std::string("cannot start ") + argv[0] + ": " + std::strerror(errno);
        close(pipeFds[0]);
        close(pipeFds[1]);
        return false;
    }
    if (pid == 0) {
        // Child of a possibly multi-threaded parent: async-signal-safe calls only.
        close(pipeFds[0]);
        dup2(pipeFds[1], STDOUT_FILENO);
        dup2(pipeFds[1], STDERR_FILENO);
        close(pipeFds[1]);
        if (chdir(cwd.c_str()) != 0)
            _exit(126);
        execvp(args[0], args.data());
        _exit(127);
    }
    close(pipeFds[1]);
    output->clear();
    char buffer[4096];
    for (;;) {
        const ssize_t n = read(pipeFds[0], buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        output->append(buffer, size_t(n));
    }
    close(pipeFds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            *error = std::string("cannot wait for ") + argv[0] + ": " + std::strerror(errno);
            return false;
        }
    }
    *exitStatus = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return true;
}

std::string commandFailure(const std::vector<std::string>& argv, const std::string& cwd, int status,
                           const std::string& output) {
    std::string line;
    for (const std::string& a : argv)
        line += (line.empty() ? "" : " ") + a;
    std::string why = status == 127   ? " (" + argv[0] + " not found on PATH)"
                      : status == 126 ? " (cannot enter " + cwd + ")"
                                      : " (exit status " + std::to_string(status) + ")";
    constexpr size_t kTail = 2000;  // apt's progress output is long; its error is at the end
    std::string tail = output.size() > kTail ? "..." + output.substr(output.size() - kTail) : output;
    while (!tail.empty() && (tail.back() == '\n' || tail.back() == ' '))
        tail.pop_back();
    return "`" + line + "` in " + cwd + " failed" + why + (tail.empty() ? "" : ":\n" + tail);
}

// The .deb of `package` in `debs` with the greatest file name (one version is
// the normal case), or "" when there is none.
std::string findDeb(const std::string& debs, const std::string& package) {
    std::string best;
    std::error_code ec;
    for (fs::directory_iterator it(debs, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.size() > package.size() + 5 && name.compare(0, package.size() + 1, package + "_") == 0 &&
            name.compare(name.size() - 4, 4, ".deb") == 0 && name > best)
            best = name;
    }
    return best;
}

bool readMarker(const std::string& root, std::string* debName) {
    std::ifstream in(root + "/" + kMarkerName);
    return in && std::getline(in, *debName) && !debName->empty();
}

}  // namespace

bool resolveCacheDir(const FetchOptions& options, std::string* cacheDir, std::string* error) {
    if (!options.cacheDir.empty()) {
        *cacheDir = options.cacheDir;
        return true;
    }
    auto env = [](const char* name) {
        const char* value = std::getenv(name);
        return std::string(value ? value : "");
    };
    if (!env("STYLEGEN_CACHE").empty())
        *cacheDir = env("STYLEGEN_CACHE");
    else if (!env("XDG_CACHE_HOME").empty())
        *cacheDir = env("XDG_CACHE_HOME") + "/stylegen";
    else if (!env("HOME").empty())
        *cacheDir = env("HOME") + "/.cache/stylegen";
    else {
        *error = "no cache folder: set STYLEGEN_CACHE (or XDG_CACHE_HOME or HOME), or pass one";
        return false;
    }
    return true;
}

bool fetchDebianPackage(const FetchOptions& options, const std::string& package, std::string* extractedRoot,
                        std::string* error) {
    if (!validPackageName(package)) {
        *error = "'" + package + "' is not a Debian package name";
        return false;
    }
    std::string cache;
    if (!resolveCacheDir(options, &cache, error))
        return false;
    const std::string debs = cache + "/debs";
    const std::string root = cache + "/root/" + package;
    std::string debName;
    if (readMarker(root, &debName)) {
        *extractedRoot = root;
        return true;
    }

    std::error_code ec;
    fs::create_directories(debs, ec);
    if (ec) {
        *error = "cannot create cache folder " + debs + ": " + ec.message();
        return false;
    }
    debName = findDeb(debs, package);
    if (debName.empty()) {
        const std::vector<std::string> download = {"apt-get", "download", package};
        int status = 0;
        std::string output;
        if (!runCommand(download, debs, &status, &output, error))
            return false;
        if (status != 0) {
            *error = "cannot download Debian package " + package + ": " + commandFailure(download, debs, status, output);
            return false;
        }
        debName = findDeb(debs, package);
        if (debName.empty()) {
            *error = "apt-get download " + package + " succeeded but left no " + package + "_*.deb in " + debs;
            return false;
        }
    }

    // Extract beside the final place, then rename: an interrupted run leaves
    // only a stray temporary folder, never a root that looks complete.
    const std::string temporary = root + ".partial-" + std::to_string(getpid());
    fs::remove_all(temporary, ec);
    fs::remove_all(root, ec);
    fs::create_directories(temporary, ec);
    if (ec) {
        *error = "cannot create " + temporary + ": " + ec.message();
        return false;
    }
    const std::vector<std::string> extract = {"dpkg-deb", "-x", debs + "/" + debName, temporary};
    int status = 0;
    std::string output;
    if (!runCommand(extract, debs, &status, &output, error) || status != 0) {
        if (status != 0)
            *error = "cannot extract " + debs + "/" + debName + ": " + commandFailure(extract, debs, status, output);
        fs::remove_all(temporary, ec);
        return false;
    }
    {
        std::ofstream marker(temporary + "/" + kMarkerName);
        marker << debName << "\n";
        marker.close();  // a full disk shows up at the final flush
        if (!marker) {
            *error = "cannot write " + temporary + "/" + kMarkerName;
            fs::remove_all(temporary, ec);
            return false;
        }
    }
    fs::rename(temporary, root, ec);
    if (ec) {
        const std::string why = ec.message();
        fs::remove_all(temporary, ec);
        if (!readMarker(root, &debName)) {  // another process may have finished the same extraction first
            *error = "cannot move " + temporary + " to " + root + ": " + why;
            return false;
        }
    }
    *extractedRoot = root;
    return true;
}

std::string describeFetchedPackage(const std::string& extractedRoot) {
    std::string debName;
    if (!readMarker(extractedRoot, &debName))
        return extractedRoot;
    // <package>_<version>_<arch>.deb, where apt writes the epoch colon as %3a.
    const size_t first = debName.find('_');
    const size_t second = debName.find('_', first + 1);
    if (first == std::string::npos || second == std::string::npos)
        return debName;
    std::string version = debName.substr(first + 1, second - first - 1);
    for (size_t at; (at = version.find("%3a")) != std::string::npos;)
        version.replace(at, 3, ":");
    return debName.substr(0, first) + " " + version;
}

}  // namespace sgdata
