// Shared-object backends: found on STYLEGEN_PLUGIN_PATH, loaded, version
// checked; broken ones are logged and skipped and the CPU takes over.
#include <cstdlib>
#include <fstream>

#include <dirent.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api_test_support.hpp"
#include "stylegen_plugin.h"

namespace {

class PluginDiscovery : public ::testing::Test {
protected:
    void TearDown() override {
        unsetenv("STYLEGEN_PLUGIN_PATH");
        sgDestroyContext(context, nullptr);
    }

    // Creates a context with the given preference and plugin path; collects warnings.
    void create(SgBackendPreference preference, const std::string& pluginPath) {
        setenv("STYLEGEN_PLUGIN_PATH", pluginPath.c_str(), 1);
        SgContextCreateInfo info = sgtest::cpuContextInfo();
        info.backendPreference = preference;
        info.pLogUserData = this;
        info.pfnLog = [](void* self, SgLogLevel level, const char* message) {
            if (level == SG_LOG_LEVEL_WARNING) static_cast<PluginDiscovery*>(self)->warnings.push_back(message);
        };
        ASSERT_EQ(sgCreateContext(&info, nullptr, &context), SG_SUCCESS) << sgGetLastErrorMessage(nullptr);
        contextInfo.sType = SG_STRUCTURE_TYPE_CONTEXT_INFO;
        ASSERT_EQ(sgGetContextInfo(context, &contextInfo), SG_SUCCESS);
    }

    std::string description() const { return contextInfo.pBackendDescription; }

    SgContext context = nullptr;
    SgContextInfo contextInfo{};
    std::vector<std::string> warnings;
};

TEST_F(PluginDiscovery, AutoUsesAWorkingPluginFromThePluginPath) {
    create(SG_BACKEND_PREFERENCE_AUTO, SG_TEST_GOOD_PLUGIN_DIR);
    EXPECT_STREQ(contextInfo.pBackendName, "sharedcpu");
    EXPECT_EQ(description(), std::string("sharedcpu: plugin ") + SG_TEST_GOOD_PLUGIN_DIR + "/libstylegen_sharedcpu.so");
    EXPECT_TRUE(warnings.empty());
}

TEST_F(PluginDiscovery, APluginGeneratesTheSameImagesAsTheBuiltInBackend) {
    create(SG_BACKEND_PREFERENCE_AUTO, SG_TEST_GOOD_PLUGIN_DIR);
    ASSERT_STREQ(contextInfo.pBackendName, "sharedcpu");
    const SgContextCreateInfo builtInInfo = sgtest::cpuContextInfo();
    SgContext builtIn = nullptr;
    ASSERT_EQ(sgCreateContext(&builtInInfo, nullptr, &builtIn), SG_SUCCESS);

    const std::vector<uint8_t> bytes = sgtest::makeTinyModel(sgtest::TinyKind::Scene);
    SgModel viaPlugin = nullptr, viaBuiltIn = nullptr;
    ASSERT_EQ(sgLoadModelFromMemory(context, bytes.data(), bytes.size(), &viaPlugin), SG_SUCCESS);
    ASSERT_EQ(sgLoadModelFromMemory(builtIn, bytes.data(), bytes.size(), &viaBuiltIn), SG_SUCCESS);
    SgGenerateInfo gi = sgtest::neutralGenerateInfo();
    gi.count = 3;
    gi.width = 8;
    gi.height = 12;
    EXPECT_EQ(sgtest::generateBytes(context, viaPlugin, gi), sgtest::generateBytes(builtIn, viaBuiltIn, gi));
    sgDestroyModel(builtIn, viaBuiltIn);
    sgDestroyModel(context, viaPlugin);
    sgDestroyContext(builtIn, nullptr);
}

TEST_F(PluginDiscovery, BrokenPluginsAreLoggedSkippedAndTheCpuTakesOver) {
    create(SG_BACKEND_PREFERENCE_AUTO, SG_TEST_BROKEN_PLUGIN_DIR);
    EXPECT_STREQ(contextInfo.pBackendName, "cpu");
    const std::string d = description();
    EXPECT_EQ(d.rfind("cpu: built-in (", 0), 0u) << d;
    EXPECT_NE(d.find("libstylegen_oldversion.so skipped: plugin interface version 999, expected " +
                     std::to_string(SGP_PLUGIN_INTERFACE_VERSION)),
              std::string::npos)
        << d;
    EXPECT_NE(d.find("libstylegen_nodevice.so skipped: createBackend failed: no test device"), std::string::npos) << d;
    EXPECT_NE(d.find("libstylegen_nosymbol.so skipped: no sgpGetPluginTable symbol"), std::string::npos) << d;
    EXPECT_NE(d.find("libstylegen_garbage.so skipped: cannot load: "), std::string::npos) << d;
    EXPECT_NE(d.find("libstylegen_nulltable.so skipped: sgpGetPluginTable returned NULL"), std::string::npos) << d;
    EXPECT_NE(d.find("libstylegen_incomplete.so skipped: plugin table has NULL entries"), std::string::npos) << d;
    EXPECT_EQ(warnings.size(), 6u);
    for (const std::string& w : warnings) EXPECT_NE(w.find(SG_TEST_BROKEN_PLUGIN_DIR), std::string::npos) << w;
}

TEST_F(PluginDiscovery, AWorkingPluginIsFoundAfterBrokenOnes) {
    create(SG_BACKEND_PREFERENCE_AUTO, std::string(SG_TEST_BROKEN_PLUGIN_DIR) + ":" + SG_TEST_GOOD_PLUGIN_DIR);
    EXPECT_STREQ(contextInfo.pBackendName, "sharedcpu");
    EXPECT_EQ(warnings.size(), 6u);
}

TEST_F(PluginDiscovery, CpuPreferenceLooksForNoPlugin) {
    create(SG_BACKEND_PREFERENCE_CPU, SG_TEST_GOOD_PLUGIN_DIR);
    EXPECT_STREQ(contextInfo.pBackendName, "cpu");
    EXPECT_EQ(description(), "cpu: built-in (backend preference is cpu)");
}

// True if libstylegen.so's own folder holds a backend plugin (a build with CUDA, say).
bool pluginsNextToTheLibrary() {
    std::string dir = SG_TEST_LIBRARY_PATH;
    dir = dir.substr(0, dir.find_last_of('/'));
    DIR* d = opendir(dir.c_str());
    if (!d) return false;
    bool found = false;
    while (const dirent* e = readdir(d)) {
        const std::string name = e->d_name;
        if (name.rfind("libstylegen_", 0) == 0 && name.size() > 3 && name.compare(name.size() - 3, 3, ".so") == 0)
            found = true;
    }
    closedir(d);
    return found;
}

// A temporary folder of plugin files the tests below make unusable.
class PluginFolder {
public:
    PluginFolder() {
        std::string pattern = ::testing::TempDir() + "stylegen_plugins_XXXXXX";
        if (mkdtemp(pattern.data())) path_ = pattern;
        chmod(path_.c_str(), 0755);  // searchable by the unprivileged user one test runs as
    }
    ~PluginFolder() {
        for (const char* name :
             {"libstylegen_fifo.so", "libstylegen_dir.so", "libstylegen_dangling.so", "libstylegen_locked.so"}) {
            const std::string file = path_ + "/" + name;
            if (rmdir(file.c_str()) != 0) unlink(file.c_str());
        }
        rmdir(path_.c_str());
    }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// A FIFO would block dlopen forever; a folder and a dangling link are not
// libraries. Each is skipped with what it is, and the CPU takes over.
TEST_F(PluginDiscovery, FilesThatAreNoLibrariesAreSkippedWithoutHanging) {
    const PluginFolder folder;
    ASSERT_EQ(mkfifo((folder.path() + "/libstylegen_fifo.so").c_str(), 0644), 0);
    ASSERT_EQ(mkdir((folder.path() + "/libstylegen_dir.so").c_str(), 0755), 0);
    ASSERT_EQ(symlink("/nonexistent/libstylegen_x.so", (folder.path() + "/libstylegen_dangling.so").c_str()), 0);
    create(SG_BACKEND_PREFERENCE_AUTO, folder.path());
    const std::string d = description();
    EXPECT_NE(d.find("libstylegen_fifo.so skipped: cannot load: not a regular file"), std::string::npos) << d;
    EXPECT_NE(d.find("libstylegen_dir.so skipped: cannot load: not a regular file"), std::string::npos) << d;
    EXPECT_NE(d.find("libstylegen_dangling.so skipped: cannot load: No such file or directory"), std::string::npos)
        << d;
    EXPECT_EQ(warnings.size(), 3u);
    if (!pluginsNextToTheLibrary()) EXPECT_STREQ(contextInfo.pBackendName, "cpu");
}

// The backend description of a context created with STYLEGEN_PLUGIN_PATH =
// folder, in a child running as the unprivileged user when the tests run as
// root (root reads any file, so "unreadable" means something to others only).
std::string descriptionAsUnprivilegedUser(const std::string& folder) {
    int fds[2];
    if (pipe(fds) != 0) return "pipe failed";
    const pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        constexpr uid_t kNobody = 65534;
        if (geteuid() == 0 && (setgroups(0, nullptr) != 0 || setgid(kNobody) != 0 || setuid(kNobody) != 0)) _exit(2);
        setenv("STYLEGEN_PLUGIN_PATH", folder.c_str(), 1);
        SgContextCreateInfo info = sgtest::cpuContextInfo(1);
        info.backendPreference = SG_BACKEND_PREFERENCE_AUTO;
        SgContext context = nullptr;
        if (sgCreateContext(&info, nullptr, &context) != SG_SUCCESS) _exit(3);
        SgContextInfo contextInfo{};
        contextInfo.sType = SG_STRUCTURE_TYPE_CONTEXT_INFO;
        sgGetContextInfo(context, &contextInfo);
        const std::string text = contextInfo.pBackendDescription;
        const bool written = write(fds[1], text.data(), text.size()) == ssize_t(text.size());
        sgDestroyContext(context, nullptr);
        _exit(written ? 0 : 4);
    }
    close(fds[1]);
    std::string text;
    char buffer[512];
    for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;) text.append(buffer, size_t(n));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return "the child failed with status " + std::to_string(status) + ": " + text;
    return text;
}

TEST_F(PluginDiscovery, AnUnreadablePluginIsSkippedWithTheReason) {
    const PluginFolder folder;
    const std::string locked = folder.path() + "/libstylegen_locked.so";
    {
        std::ifstream in(SG_TEST_GOOD_PLUGIN, std::ios::binary);
        std::ofstream out(locked, std::ios::binary);
        out << in.rdbuf();
    }
    ASSERT_EQ(chmod(locked.c_str(), 0), 0);
    const std::string d = descriptionAsUnprivilegedUser(folder.path());
    EXPECT_EQ(d.rfind("cpu: built-in (", 0), 0u) << d;
    EXPECT_NE(d.find("libstylegen_locked.so skipped: cannot load: Permission denied"), std::string::npos) << d;
}

// Whatever STYLEGEN_PLUGIN_PATH holds, a context is created, on the CPU.
TEST_F(PluginDiscovery, AGarbagePluginPathFallsBackToTheCpu) {
    const std::string garbage[] = {
        SG_TEST_LIBRARY_PATH,             // a file, not a folder
        std::string(5000, 'a'),           // longer than any path
        "\x01\xff\xfe not UTF-8 \x7f",    // bytes no file system has
        ":::::",                          // empty entries only
        "relative/plugins:../..:.",       // relative folders
        "/proc/self/fd:/dev:/",           // odd but real folders
    };
    for (const std::string& value : garbage) {
        SCOPED_TRACE(value.substr(0, 60));
        create(SG_BACKEND_PREFERENCE_AUTO, value);
        if (!pluginsNextToTheLibrary()) EXPECT_STREQ(contextInfo.pBackendName, "cpu");
        EXPECT_FALSE(description().empty());
        sgDestroyContext(context, nullptr);
        context = nullptr;
    }
}

TEST_F(PluginDiscovery, SaysWhereItLookedWhenNoPluginIsFound) {
    if (pluginsNextToTheLibrary()) GTEST_SKIP() << "this build has a plugin next to libstylegen.so";
    create(SG_BACKEND_PREFERENCE_AUTO, "/nonexistent/plugins::");
    EXPECT_STREQ(contextInfo.pBackendName, "cpu");
    const std::string d = description();
    EXPECT_NE(d.find("no backend plugin found in /nonexistent/plugins, "), std::string::npos) << d;
    EXPECT_TRUE(warnings.empty());
}

}  // namespace
