// restyle.cpp - the restyle thread: the input PNG and sgRestyle.
#include "restyle.hpp"

#include <chrono>

#include "png_file.hpp"  // tools/cli: readPng

namespace sg::viewer {

bool readInputImage(const std::string& path, sg::cli::Image* image, std::string* error) {
    sg::cli::Image read;
    if (!sg::cli::readPng(path, &read, error)) return false;
    if (read.width > kMaxRestyleInputSide || read.height > kMaxRestyleInputSide) {
        *error = path + " is " + std::to_string(read.width) + "x" + std::to_string(read.height) +
                 ": the viewer restyles images up to " + std::to_string(kMaxRestyleInputSide) + " pixels a side";
        return false;
    }
    *image = std::move(read);
    return true;
}

uint64_t RestyleWorker::inputKey(const std::string& path, uint64_t stamp) {
    uint64_t h = 1469598103934665603ull;  // FNV-1a
    for (char c : path) h = (h ^ uint8_t(c)) * 1099511628211ull;
    for (int i = 0; i < 8; ++i) h = (h ^ uint8_t(stamp >> (8 * i))) * 1099511628211ull;
    return h == 0 ? 1 : h;
}

RestyleWorker::RestyleWorker(SgContext context) : context_(context) {
    thread_ = std::thread([this] { loop(); });
}

RestyleWorker::~RestyleWorker() { stop(); }

void RestyleWorker::stop() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
        pending_.reset();
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void RestyleWorker::post(RestyleRequest request) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        pending_ = std::move(request);
    }
    wake_.notify_all();
}

std::vector<RestyleResult> RestyleWorker::takeResults() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<RestyleResult> out;
    out.swap(results_);
    return out;
}

bool RestyleWorker::busy() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return running_ || pending_.has_value() || !results_.empty();
}

void RestyleWorker::loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
        wake_.wait(lock, [this] { return stopping_ || pending_.has_value(); });
        if (stopping_) return;
        const RestyleRequest request = std::move(*pending_);
        pending_.reset();
        running_ = true;
        lock.unlock();
        RestyleResult result = run(request);
        lock.lock();
        running_ = false;
        results_.push_back(std::move(result));
    }
}

RestyleResult RestyleWorker::run(const RestyleRequest& request) {
    RestyleResult result;
    result.key = request.key;
    result.image = request.image;
    result.inputKey = inputKey(request.image, request.imageStamp);
    if (cachedKey_ != result.inputKey) {  // only this thread touches the cache
        cached_ = sg::cli::Image();
        cachedError_.clear();
        readInputImage(request.image, &cached_, &cachedError_);
        cachedKey_ = result.inputKey;
    }
    if (!cachedError_.empty()) {
        result.error = cachedError_;
        return result;
    }
    if (sentKey_ != result.inputKey) {  // the UI keeps the input it was sent: no copy per restyle
        result.input = cached_;
        sentKey_ = result.inputKey;
    }

    const LoadedModel& model = *request.model;
    auto sdkError = [&](const char* call, SgResult r) {
        return std::string(call) + ": " + sgResultString(r) + ": " + sgGetLastErrorMessage(context_);
    };
    uint32_t width = 0, height = 0;
    if (SgResult r = sgGetRestyleExtent(model.handle, cached_.width, cached_.height, &width, &height);
        r != SG_SUCCESS) {
        result.error = sdkError("sgGetRestyleExtent", r);
        return result;
    }
    SgRestyleInfo info{};
    info.sType = SG_STRUCTURE_TYPE_RESTYLE_INFO;
    info.pPixels = cached_.pixels.data();
    info.size = cached_.pixels.size();
    info.width = cached_.width;
    info.height = cached_.height;
    info.inputFormat = SG_FORMAT_R8G8B8A8_UNORM;
    info.inputAlphaMode = SG_ALPHA_MODE_STRAIGHT;  // what PNG stores
    info.styleIndex = request.styleIndex;
    info.styleWeightCount = uint32_t(request.styleWeights.size());
    info.pStyleWeights = request.styleWeights.empty() ? nullptr : request.styleWeights.data();
    info.sourceStyleIndex = request.sourceStyleIndex;
    info.strength = request.strength;
    info.refinementSteps = request.refinementSteps;
    info.format = SG_FORMAT_R8G8B8A8_UNORM;
    info.alphaMode = SG_ALPHA_MODE_STRAIGHT;  // as the generated textures: what PNG stores
    sg::cli::Image output(width, height);
    SgImageBuffer buffer{};
    buffer.sType = SG_STRUCTURE_TYPE_IMAGE_BUFFER;
    buffer.pData = output.pixels.data();
    buffer.size = output.pixels.size();
    const auto start = std::chrono::steady_clock::now();
    const SgResult r = sgRestyle(context_, model.handle, &info, &buffer);
    result.milliseconds = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (r != SG_SUCCESS) {
        result.error = sdkError("sgRestyle", r);
        return result;
    }
    result.output = std::move(output);
    return result;
}

}  // namespace sg::viewer
