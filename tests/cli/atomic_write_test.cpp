// atomic_write_test.cpp - writeFileAtomically (tools/cli/png_file.hpp), the
// one writer behind every file the tools write: a reader sees the previous
// file or the complete new one, whatever happens mid-write. A writer process
// is SIGKILLed at random moments, and a full disk (RLIMIT_FSIZE) must give a
// clear error, keep the previous file and leave no temporary behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "png_file.hpp"

namespace {

namespace fs = std::filesystem;

std::string readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// Names in the folder that are not hidden temporaries (isTemporaryFileName).
std::vector<std::string> visibleFiles(const fs::path& folder) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(folder)) {
        long pid = 0;
        const std::string name = entry.path().filename().string();
        if (!sg::cli::isTemporaryFileName(name, &pid)) names.push_back(name);
    }
    return names;
}

class AtomicWrite : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = ::testing::TempDir() + "stylegen_atomic_XXXXXX";
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        folder_ = pattern;
        path_ = folder_ / "data.bin";
    }
    void TearDown() override {
        std::error_code ignored;
        fs::remove_all(folder_, ignored);
    }
    fs::path folder_, path_;
};

TEST_F(AtomicWrite, ReplacesTheFileWhole) {
    std::string error;
    ASSERT_TRUE(sg::cli::writeFileAtomically(path_.string(), std::string("first"), &error)) << error;
    ASSERT_TRUE(sg::cli::writeFileAtomically(path_.string(), std::string("second, longer"), &error)) << error;
    EXPECT_EQ(readFile(path_), "second, longer");
    EXPECT_EQ(std::distance(fs::directory_iterator(folder_), fs::directory_iterator()), 1);
}

// The write runs in a child with RLIMIT_FSIZE, the per-process form of a full
// disk; the child reports the result and message through a pipe.
TEST_F(AtomicWrite, AFullDiskKeepsThePreviousFileAndSaysWhy) {
    std::string error;
    ASSERT_TRUE(sg::cli::writeFileAtomically(path_.string(), std::string("previous"), &error)) << error;
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        signal(SIGXFSZ, SIG_IGN);
        const rlimit limit{4096, 4096};
        setrlimit(RLIMIT_FSIZE, &limit);
        std::string message;
        const bool ok = sg::cli::writeFileAtomically(path_.string(), std::string(1 << 20, 'x'), &message);
        message = (ok ? "1" : "0") + message;
        const ssize_t written = write(fds[1], message.data(), message.size());
        _exit(written == ssize_t(message.size()) ? 0 : 1);
    }
    close(fds[1]);
    std::string report;
    char buffer[512];
    for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;) report.append(buffer, size_t(n));
    close(fds[0]);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ASSERT_FALSE(report.empty());
    EXPECT_EQ(report[0], '0') << "the write succeeded past the limit";
    EXPECT_NE(report.find("cannot write"), std::string::npos) << report;
    EXPECT_NE(report.find("File too large"), std::string::npos) << report;
    EXPECT_NE(report.find(".data.bin.tmp"), std::string::npos) << "the message names the file: " << report;
    EXPECT_EQ(readFile(path_), "previous");
    EXPECT_EQ(std::distance(fs::directory_iterator(folder_), fs::directory_iterator()), 1)
        << "a temporary file was left behind";
}

// A child rewrites the file with two alternating contents as fast as it can
// and is killed at random moments: the file is always one of them, whole.
TEST_F(AtomicWrite, KilledAtRandomMomentsLeavesTheOldOrTheNewContent) {
    const std::string a(3 << 20, 'a'), b(2 << 20, 'b');
    std::string error;
    ASSERT_TRUE(sg::cli::writeFileAtomically(path_.string(), a, &error)) << error;
    const unsigned seed = unsigned(std::chrono::steady_clock::now().time_since_epoch().count());
    std::mt19937 random(seed);
    SCOPED_TRACE("random seed " + std::to_string(seed));
    int killedMidWrite = 0;
    for (int round = 0; round < 12; ++round) {
        const pid_t pid = fork();
        if (pid == 0) {
            std::string ignored;
            for (int i = 0;; ++i) sg::cli::writeFileAtomically(path_.string(), i % 2 ? a : b, &ignored);
        }
        ASSERT_GT(pid, 0);
        std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 30000)(random)));
        ASSERT_EQ(kill(pid, SIGKILL), 0);
        int status = 0;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        const std::string now = readFile(path_);
        EXPECT_TRUE(now == a || now == b) << "round " << round << ": " << now.size() << " bytes, neither version";
        EXPECT_EQ(visibleFiles(folder_), std::vector<std::string>{"data.bin"});
        // A kill between create and rename leaves the hidden temporary: count those.
        for (const auto& entry : fs::directory_iterator(folder_)) {
            if (entry.path() == path_) continue;
            ++killedMidWrite;
            fs::remove(entry.path());
        }
    }
    EXPECT_GT(killedMidWrite, 0) << "no kill landed inside a write: the test checked little";
}

}  // namespace
