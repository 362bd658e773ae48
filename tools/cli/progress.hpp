// progress.hpp - a progress bar for long commands, on stderr.
//
//   ProgressBar bar(imageCount, "images");
//   bar.advance(n, "orc_guards");   // from any thread
//   bar.finish();
//
// On a terminal it redraws one line in place ("[#####-----]  40/100 images
// orc_guards"), at most 20 times a second. When stderr is not a terminal (a
// build log, a pipe) it draws nothing: the command's own per-step lines are
// the record there, and a log full of carriage returns helps nobody.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace sg::cli {

class ProgressBar {
public:
    ProgressBar(uint64_t total, std::string unit);
    ~ProgressBar();  // finish()
    ProgressBar(const ProgressBar&) = delete;
    ProgressBar& operator=(const ProgressBar&) = delete;

    // `done` more units are finished; `label` says what is being worked on.
    void advance(uint64_t done, const std::string& label);
    // Clears the bar's line, so that what follows starts on a clean line.
    void finish();
    // Runs `print` (which writes whole lines) without the bar in the way.
    template <typename Print>
    void printAbove(Print print) {
        std::lock_guard<std::mutex> lock(mutex_);
        clearLine();
        print();
        draw();
    }

private:
    void draw();
    void clearLine();

    std::mutex mutex_;
    const uint64_t total_;
    const std::string unit_;
    const bool enabled_;
    uint64_t done_ = 0;
    std::string label_;
    bool finished_ = false;
    std::chrono::steady_clock::time_point lastDraw_{};
};

}  // namespace sg::cli
