// restyle.hpp - the Restyle view's work off the UI thread: reading the input
// image and sgRestyle (docs/viewer.md, "Restyle").
//
// sgRestyle writes host memory and takes as long as a few syntheses (more
// with refinement steps), so it runs on a thread of its own; the UI thread
// uploads the result into a texture (Textures::upload). Requests replace each
// other: while one runs, only the latest one waits (a slider being dragged
// restyles as fast as it can, each result shown until the next one lands).
//
//   RestyleWorker worker(context);
//   worker.post(request);                  // each time the settings change
//   for (RestyleResult& r : worker.takeResults()) ... upload r.input, r.output ...
#pragma once

#include <stylegen/stylegen.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "image.hpp"  // tools/cli: sg::cli::Image
#include "worker.hpp"

namespace sg::viewer {

// The largest input side the viewer shows and restyles (its textures, and a
// restyle that finishes in reasonable time on the CPU).
constexpr uint32_t kMaxRestyleInputSide = 4096;

// Reads a PNG as straight-alpha RGBA8 (sg::cli::readPng). False with *error
// saying why (missing file, not an image, larger than kMaxRestyleInputSide).
bool readInputImage(const std::string& path, sg::cli::Image* image, std::string* error);

struct RestyleRequest {
    uint64_t key = 0;  // what the result shows (the UI's bookkeeping)
    std::shared_ptr<const LoadedModel> model;
    std::string image;       // absolute path
    uint64_t imageStamp = 0; // changes when the file does: the worker reads it again
    std::vector<float> styleWeights;  // the target: a blend, one weight per style ...
    uint32_t styleIndex = 0;          // ... or one style
    uint32_t sourceStyleIndex = SG_STYLE_INDEX_AUTO;
    float strength = 0.5f;
    uint32_t refinementSteps = 0;
};

struct RestyleResult {
    uint64_t key = 0;
    std::string image;         // the request's path
    uint64_t inputKey = 0;     // path and stamp of the input it was made from
    sg::cli::Image input;      // the image as read, when it differs from the last result's; else empty
    sg::cli::Image output;     // sgRestyle's image; empty on failure
    std::string error;         // why there is no input or no output
    double milliseconds = 0.0; // in sgRestyle
};

class RestyleWorker {
public:
    explicit RestyleWorker(SgContext context);
    ~RestyleWorker();
    RestyleWorker(const RestyleWorker&) = delete;
    RestyleWorker& operator=(const RestyleWorker&) = delete;

    // Replaces the waiting request (a running one finishes first).
    void post(RestyleRequest request);
    std::vector<RestyleResult> takeResults();
    // Restyling, waiting, or holding results not taken.
    bool busy() const;
    // Stops the thread after the running restyle (the destructor does too).
    void stop();

    // A request's inputKey: path and stamp.
    static uint64_t inputKey(const std::string& path, uint64_t stamp);

private:
    void loop();
    RestyleResult run(const RestyleRequest& request);

    SgContext context_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    bool running_ = false;
    std::optional<RestyleRequest> pending_;
    std::vector<RestyleResult> results_;
    // The last image read, kept while only the other settings change.
    uint64_t cachedKey_ = 0;
    sg::cli::Image cached_;
    std::string cachedError_;
    uint64_t sentKey_ = 0;  // the input the last result carried
    std::thread thread_;
};

}  // namespace sg::viewer
