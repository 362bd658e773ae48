// fetchDebianPackage and the cache folder: name checks, reuse of a finished
// extraction, extraction of a .deb already in the cache (a tiny package built
// here with dpkg-deb), and the errors for broken packages and failed downloads.
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "temp_folder.hpp"

namespace {

bool haveDpkgDeb() {
    return std::system("command -v dpkg-deb > /dev/null 2>&1") == 0;
}

// Restores an environment variable when the test ends (tests may share a process).
class ScopedEnv {
public:
    ScopedEnv(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name))
            old_ = old, hadOld_ = true;
        value ? setenv(name, value, 1) : unsetenv(name);
    }
    ~ScopedEnv() { hadOld_ ? setenv(name_.c_str(), old_.c_str(), 1) : unsetenv(name_.c_str()); }

private:
    std::string name_, old_;
    bool hadOld_ = false;
};

// Builds <cache>/debs/<debName> holding usr/share/<package>/hello.txt.
void buildDeb(const TempFolder& dir, const std::string& package, const std::string& version,
              const std::string& debName) {
    const std::string tree = dir / ("tree-" + package);
    std::filesystem::create_directories(tree + "/DEBIAN");
    std::filesystem::create_directories(tree + "/usr/share/" + package);
    std::ofstream(tree + "/DEBIAN/control") << "Package: " << package << "\nVersion: " << version
                                            << "\nArchitecture: all\nMaintainer: test <test@example.org>\n"
                                               "Description: stylegen test package\n";
    std::ofstream(tree + "/usr/share/" + package + "/hello.txt") << "hello from " << package << "\n";
    std::filesystem::create_directories(dir / "cache/debs");
    const std::string command = "dpkg-deb --root-owner-group --build '" + tree + "' '" + (dir / "cache/debs/") +
                                debName + "' > /dev/null 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

std::string readAll(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(Fetch, ResolveCacheDir_PrefersOptionThenStylegenCacheThenXdgThenHome) {
    std::string dir, error;
    ScopedEnv cache("STYLEGEN_CACHE", "/from/stylegen"), xdg("XDG_CACHE_HOME", "/from/xdg"), home("HOME", "/home/u");
    sgdata::FetchOptions options;
    options.cacheDir = "/from/option";
    ASSERT_TRUE(sgdata::resolveCacheDir(options, &dir, &error));
    EXPECT_EQ(dir, "/from/option");
    options.cacheDir.clear();
    ASSERT_TRUE(sgdata::resolveCacheDir(options, &dir, &error));
    EXPECT_EQ(dir, "/from/stylegen");
    {
        ScopedEnv noCache("STYLEGEN_CACHE", nullptr);
        ASSERT_TRUE(sgdata::resolveCacheDir(options, &dir, &error));
        EXPECT_EQ(dir, "/from/xdg/stylegen");
        ScopedEnv noXdg("XDG_CACHE_HOME", nullptr);
        ASSERT_TRUE(sgdata::resolveCacheDir(options, &dir, &error));
        EXPECT_EQ(dir, "/home/u/.cache/stylegen");
        ScopedEnv noHome("HOME", nullptr);
        EXPECT_FALSE(sgdata::resolveCacheDir(options, &dir, &error));
        EXPECT_NE(error.find("STYLEGEN_CACHE"), std::string::npos) << error;
    }
}

TEST(Fetch, FetchDebianPackage_RejectsNamesThatAreNotDebianPackages) {
    TempFolder dir;
    sgdata::FetchOptions options;
    options.cacheDir = dir / "cache";
    for (const char* bad : {"", "a", "-o", "../etc", "Wesnoth", "pkg name", "pkg;rm"}) {
        std::string root, error;
        EXPECT_FALSE(sgdata::fetchDebianPackage(options, bad, &root, &error)) << bad;
        EXPECT_NE(error.find("not a Debian package name"), std::string::npos) << error;
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "cache"));
}

TEST(Fetch, FetchDebianPackage_ReusesFinishedExtractionWithoutRunningAnything) {
    TempFolder dir;
    dir.file("cache/root/some-package/.stylegen-deb", "some-package_1.0-2_all.deb\n");
    sgdata::FetchOptions options;
    options.cacheDir = dir / "cache";
    std::string root, error;
    ASSERT_TRUE(sgdata::fetchDebianPackage(options, "some-package", &root, &error)) << error;
    EXPECT_EQ(root, dir / "cache/root/some-package");
    EXPECT_FALSE(std::filesystem::exists(dir / "cache/debs"));  // no download was attempted
    EXPECT_EQ(sgdata::describeFetchedPackage(root), "some-package 1.0-2");
}

TEST(Fetch, FetchDebianPackage_ExtractsDebAlreadyInCache) {
    if (!haveDpkgDeb())
        GTEST_SKIP() << "dpkg-deb not installed";
    TempFolder dir;
    buildDeb(dir, "stylegen-test-pkg", "1:2.0-1", "stylegen-test-pkg_1%3a2.0-1_all.deb");
    sgdata::FetchOptions options;
    options.cacheDir = dir / "cache";
    std::string root, error;
    ASSERT_TRUE(sgdata::fetchDebianPackage(options, "stylegen-test-pkg", &root, &error)) << error;
    EXPECT_EQ(readAll(root + "/usr/share/stylegen-test-pkg/hello.txt"), "hello from stylegen-test-pkg\n");
    EXPECT_EQ(sgdata::describeFetchedPackage(root), "stylegen-test-pkg 1:2.0-1");

    // Idempotent: the extraction is reused, so even without the .deb it succeeds.
    std::filesystem::remove(dir / "cache/debs/stylegen-test-pkg_1%3a2.0-1_all.deb");
    std::string again;
    ASSERT_TRUE(sgdata::fetchDebianPackage(options, "stylegen-test-pkg", &again, &error)) << error;
    EXPECT_EQ(again, root);
}

TEST(Fetch, FetchDebianPackage_ReplacesUnfinishedExtraction) {
    if (!haveDpkgDeb())
        GTEST_SKIP() << "dpkg-deb not installed";
    TempFolder dir;
    buildDeb(dir, "stylegen-test-pkg", "3.1", "stylegen-test-pkg_3.1_all.deb");
    dir.file("cache/root/stylegen-test-pkg/leftover.txt", "from an interrupted run");  // no marker
    sgdata::FetchOptions options;
    options.cacheDir = dir / "cache";
    std::string root, error;
    ASSERT_TRUE(sgdata::fetchDebianPackage(options, "stylegen-test-pkg", &root, &error)) << error;
    EXPECT_FALSE(std::filesystem::exists(root + "/leftover.txt"));
    EXPECT_TRUE(std::filesystem::exists(root + "/usr/share/stylegen-test-pkg/hello.txt"));
}

TEST(Fetch, FetchDebianPackage_ReportsBrokenDebAndLeavesNoRoot) {
    if (!haveDpkgDeb())
        GTEST_SKIP() << "dpkg-deb not installed";
    TempFolder dir;
    dir.file("cache/debs/broken-pkg_1.0_all.deb", "this is not an ar archive");
    sgdata::FetchOptions options;
    options.cacheDir = dir / "cache";
    std::string root, error;
    EXPECT_FALSE(sgdata::fetchDebianPackage(options, "broken-pkg", &root, &error));
    EXPECT_NE(error.find("broken-pkg_1.0_all.deb"), std::string::npos) << error;
    EXPECT_FALSE(std::filesystem::exists(dir / "cache/root/broken-pkg"));
}

TEST(Fetch, FetchDebianPackage_ReportsFailedDownloadNamingThePackage) {
    // apt-get resolves names from its local lists, so an unknown package fails
    // without the network; without apt-get the error says so instead.
    TempFolder dir;
    sgdata::FetchOptions options;
    options.cacheDir = dir / "cache";
    std::string root, error;
    EXPECT_FALSE(sgdata::fetchDebianPackage(options, "stylegen-no-such-package", &root, &error));
    EXPECT_NE(error.find("cannot download Debian package stylegen-no-such-package"), std::string::npos) << error;
    EXPECT_FALSE(std::filesystem::exists(dir / "cache/root/stylegen-no-such-package"));
}

}  // namespace
