// leak_test.cpp - `stylegen generate` and the C99 sample leak nothing. Built
// with AddressSanitizer (the asan preset) they run as they are and
// LeakSanitizer checks them at exit; otherwise they run under
// valgrind --leak-check=full (skipped where valgrind is not installed).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "process.hpp"
#include "tiny_model.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define SG_LEAK_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SG_LEAK_TEST_ASAN 1
#endif
#endif

namespace {

namespace fs = std::filesystem;

class LeakCheck : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = ::testing::TempDir() + "stylegen_leaks_XXXXXX";
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        folder_ = pattern;
    }
    void TearDown() override {
        std::error_code ignored;
        fs::remove_all(folder_, ignored);
    }

    // Runs argv under the leak checker this build has; expects a clean exit
    // and no leak report.
    void expectNoLeaks(std::vector<std::string> argv) {
#if defined(SG_LEAK_TEST_ASAN)
        const sgtest::ProcessResult r =
            sgtest::runProcess(argv, {folder_.string(), {"ASAN_OPTIONS=detect_leaks=1:abort_on_error=0"}});
        EXPECT_EQ(r.exitCode, 0) << r.err;
        EXPECT_EQ(r.err.find("LeakSanitizer"), std::string::npos) << r.err;
#else
        if (sgtest::runProcess({"valgrind", "--version"}).exitCode != 0) GTEST_SKIP() << "valgrind is not installed";
        // Leaks of every kind but "still reachable" (libraries' own caches) fail.
        argv.insert(argv.begin(), {"valgrind", "--leak-check=full", "--show-leak-kinds=definite,indirect,possible",
                                   "--errors-for-leak-kinds=definite,indirect,possible", "--error-exitcode=99"});
        const sgtest::ProcessResult r = sgtest::runProcess(argv, {folder_.string(), {}});
        EXPECT_EQ(r.exitCode, 0) << r.err;
        EXPECT_NE(r.err.find("ERROR SUMMARY: 0 errors"), std::string::npos) << r.err;
#endif
    }

    fs::path folder_;
};

TEST_F(LeakCheck, CliGenerateLeaksNothing) {
    const std::string model =
        sgtest::writeTinyModel(folder_.string(), "scene.sgm", sgtest::TinyKind::Scene, 2, 3);
    expectNoLeaks({STYLEGEN_CLI_PATH, "generate", model, "--count", "3", "--size", "32x16", "--all-styles", "-o",
                   folder_.string()});
    EXPECT_TRUE(fs::exists(folder_ / "style1_seed2.png"));
}

TEST_F(LeakCheck, CSampleLeaksNothing) {
    // A tiny model keeps valgrind's run short; the sample's calls are the same.
    const std::string model =
        sgtest::writeTinyModel(folder_.string(), "character.sgm", sgtest::TinyKind::Character, 3, 5);
    expectNoLeaks({STYLEGEN_C_MINIMAL_PATH, model, folder_.string()});
    size_t pngs = 0;
    for (const auto& entry : fs::directory_iterator(folder_)) pngs += entry.path().extension() == ".png";
    EXPECT_EQ(pngs, 12u);
}

}  // namespace
