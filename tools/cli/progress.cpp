// progress.cpp - see progress.hpp.
#include "progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace sg::cli {
namespace {

constexpr int kBarWidth = 30;
constexpr size_t kMaxLabel = 32;
constexpr auto kRedrawInterval = std::chrono::milliseconds(50);

}  // namespace

ProgressBar::ProgressBar(uint64_t total, std::string unit)
    : total_(total), unit_(std::move(unit)), enabled_(total > 0 && ::isatty(STDERR_FILENO) == 1) {
    std::lock_guard<std::mutex> lock(mutex_);
    draw();
}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::advance(uint64_t done, const std::string& label) {
    std::lock_guard<std::mutex> lock(mutex_);
    done_ += done;
    label_ = label;
    const auto now = std::chrono::steady_clock::now();
    if (done_ == total_ || now - lastDraw_ >= kRedrawInterval) draw();
}

void ProgressBar::finish() {
    std::lock_guard<std::mutex> lock(mutex_);
    clearLine();
    finished_ = true;
}

void ProgressBar::draw() {
    if (!enabled_ || finished_) return;
    lastDraw_ = std::chrono::steady_clock::now();
    const int filled = int(done_ * kBarWidth / total_);
    const std::string label = label_.size() > kMaxLabel ? label_.substr(0, kMaxLabel - 2) + ".." : label_;
    std::fprintf(stderr, "\r[%s%s] %llu/%llu %s  %s\033[K", std::string(size_t(filled), '#').c_str(),
                 std::string(size_t(kBarWidth - filled), '-').c_str(), static_cast<unsigned long long>(done_),
                 static_cast<unsigned long long>(total_), unit_.c_str(), label.c_str());
    std::fflush(stderr);
}

void ProgressBar::clearLine() {
    if (!enabled_ || finished_) return;
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
}

}  // namespace sg::cli
