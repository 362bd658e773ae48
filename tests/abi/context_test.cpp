// Contexts: backend info, allocation callbacks, the log, last-error messages
// per context and per thread.
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

#include "api_test_support.hpp"

namespace {

using sgtest::ApiTest;

// [SECTION] Info ------------------------------------------------------------------------------------

TEST_F(ApiTest, GetContextInfo_DescribesTheBuiltInCpuBackend) {
    SgContextInfo info{};
    info.sType = SG_STRUCTURE_TYPE_CONTEXT_INFO;
    ASSERT_EQ(sgGetContextInfo(context, &info), SG_SUCCESS);
    EXPECT_STREQ(info.pBackendName, "cpu");
    EXPECT_STREQ(info.pBackendDescription, "cpu: built-in (backend preference is cpu)");
    EXPECT_EQ(info.threadCount, 2u);
}

TEST(ContextInfo, ZeroThreadsMeansOnePerHardwareThread) {
    const SgContextCreateInfo createInfo = sgtest::cpuContextInfo(0);
    SgContext context = nullptr;
    ASSERT_EQ(sgCreateContext(&createInfo, nullptr, &context), SG_SUCCESS);
    SgContextInfo info{};
    info.sType = SG_STRUCTURE_TYPE_CONTEXT_INFO;
    ASSERT_EQ(sgGetContextInfo(context, &info), SG_SUCCESS);
    EXPECT_EQ(info.threadCount, std::max(1u, std::thread::hardware_concurrency()));
    sgDestroyContext(context, nullptr);
}

// [SECTION] Allocation callbacks -------------------------------------------------------------------

// Tracks every block; can be told to fail after a number of allocations.
class TrackingAllocator {
public:
    SgAllocationCallbacks callbacks() {
        SgAllocationCallbacks c{};
        c.pUserData = this;
        c.pfnAllocation = [](void* self, size_t size, size_t alignment) {
            return static_cast<TrackingAllocator*>(self)->allocate(size, alignment);
        };
        c.pfnReallocation = [](void* self, void* p, size_t size, size_t alignment) {
            auto* a = static_cast<TrackingAllocator*>(self);
            ++a->reallocations_;
            if (!p) return a->allocate(size, alignment);
            void* q = a->allocate(size, alignment);
            if (!q) return static_cast<void*>(nullptr);
            std::memcpy(q, p, std::min(size, a->sizeOf(p)));
            a->release(p);
            return q;
        };
        c.pfnFree = [](void* self, void* p) { static_cast<TrackingAllocator*>(self)->release(p); };
        return c;
    }

    void* allocate(size_t size, size_t alignment) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (failAfter_ >= 0 && allocations_ >= size_t(failAfter_)) return nullptr;
        void* p = nullptr;
        if (posix_memalign(&p, std::max(alignment, sizeof(void*)), size) != 0) return nullptr;
        if (reinterpret_cast<uintptr_t>(p) % alignment != 0) misaligned_ = true;
        live_[p] = size;
        ++allocations_;
        bytes_ += size;
        return p;
    }
    void release(void* p) {
        if (!p) return;
        std::lock_guard<std::mutex> lock(mutex_);
        if (live_.erase(p) != 1) foreignFree_ = true;
        free(p);
    }
    size_t sizeOf(void* p) {
        std::lock_guard<std::mutex> lock(mutex_);
        return live_.at(p);
    }

    void failAfter(long n) { failAfter_ = n; }
    size_t allocations() const { return allocations_; }
    size_t bytes() const { return bytes_; }
    size_t live() const { return live_.size(); }
    size_t reallocations() const { return reallocations_; }
    bool misaligned() const { return misaligned_; }
    bool foreignFree() const { return foreignFree_; }

private:
    std::mutex mutex_;
    std::map<void*, size_t> live_;
    long failAfter_ = -1;
    size_t allocations_ = 0;
    size_t bytes_ = 0;
    bool misaligned_ = false;
    bool foreignFree_ = false;
    std::atomic<size_t> reallocations_{0};
};

TEST(AllocationCallbacks, CoverContextModelAndGenerationAndAreAllFreed) {
    TrackingAllocator tracker;
    const SgAllocationCallbacks callbacks = tracker.callbacks();
    const SgContextCreateInfo info = sgtest::cpuContextInfo();
    SgContext context = nullptr;
    ASSERT_EQ(sgCreateContext(&info, &callbacks, &context), SG_SUCCESS);
    const size_t afterContext = tracker.allocations();
    EXPECT_GE(afterContext, 1u);

    const std::vector<uint8_t> bytes = sgtest::makeTinyModel(sgtest::TinyKind::Character);
    SgModel model = nullptr;
    ASSERT_EQ(sgLoadModelFromMemory(context, bytes.data(), bytes.size(), &model), SG_SUCCESS);
    EXPECT_GT(tracker.allocations(), afterContext);
    EXPECT_GT(tracker.bytes(), bytes.size() / 2) << "the weights did not come from the callbacks";

    const size_t beforeGenerate = tracker.allocations();
    sgtest::generateBytes(context, model, sgtest::neutralGenerateInfo());
    EXPECT_GT(tracker.allocations(), beforeGenerate) << "generation scratch did not come from the callbacks";

    sgDestroyModel(context, model);
    sgDestroyContext(context, &callbacks);
    EXPECT_EQ(tracker.live(), 0u);
    EXPECT_FALSE(tracker.misaligned());
    EXPECT_FALSE(tracker.foreignFree());
}

TEST(AllocationCallbacks, ReadingAStreamGrowsItsBufferWithReallocation) {
    TrackingAllocator tracker;
    const SgAllocationCallbacks callbacks = tracker.callbacks();
    const SgContextCreateInfo info = sgtest::cpuContextInfo();
    SgContext context = nullptr;
    ASSERT_EQ(sgCreateContext(&info, &callbacks, &context), SG_SUCCESS);
    // A pipe has no size up front, and this model (with an unused 160 KB
    // tensor) is bigger than the first read buffer.
    sgtest::TinyModelParts parts = sgtest::makeTinyModelParts(sgtest::TinyKind::Scene);
    parts.tensors.push_back({"extra.unused", {40000}, std::vector<float>(40000, 0.5f)});
    std::vector<uint8_t> bytes;
    std::string error;
    ASSERT_TRUE(sg::serializeModelFile(parts.json, parts.tensors, sg::TensorDType::F32, &bytes, &error)) << error;
    const std::string fifo = ::testing::TempDir() + "/alloc_fifo_" + std::to_string(getpid());
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    std::thread writer([&] {
        std::ofstream out(fifo, std::ios::binary);
        out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    });
    SgModel model = nullptr;
    EXPECT_EQ(sgLoadModelFromFile(context, fifo.c_str(), &model), SG_SUCCESS) << sgGetLastErrorMessage(context);
    writer.join();
    unlink(fifo.c_str());
    EXPECT_GE(tracker.reallocations(), 1u);
    sgDestroyContext(context, &callbacks);  // also destroys the model
    EXPECT_EQ(tracker.live(), 0u);
}

// Every allocation the SDK makes may fail: each failure point gives
// SG_ERROR_OUT_OF_MEMORY and leaks nothing.
TEST(AllocationCallbacks, EveryFailurePointReportsOutOfMemoryAndLeaksNothing) {
    const std::vector<uint8_t> bytes = sgtest::makeTinyModel(sgtest::TinyKind::Character);
    bool succeeded = false;
    int failedStages[3] = {0, 0, 0};  // create, load, generate
    for (long failAfter = 0; failAfter < 64 && !succeeded; ++failAfter) {
        TrackingAllocator tracker;
        tracker.failAfter(failAfter);
        const SgAllocationCallbacks callbacks = tracker.callbacks();
        const SgContextCreateInfo info = sgtest::cpuContextInfo();
        SgContext context = nullptr;
        SgResult result = sgCreateContext(&info, &callbacks, &context);
        if (result == SG_SUCCESS) {
            SgModel model = nullptr;
            result = sgLoadModelFromMemory(context, bytes.data(), bytes.size(), &model);
            if (result == SG_SUCCESS) {
                std::vector<uint8_t> pixels(16 * 16 * 4);
                const SgGenerateInfo gi = sgtest::neutralGenerateInfo();
                const SgImageBuffer buffer = sgtest::imageBuffer(pixels.data(), pixels.size());
                result = sgGenerate(context, model, &gi, &buffer);
                succeeded = result == SG_SUCCESS;
            }
            if (!succeeded) {
                ++failedStages[model ? 2 : 1];
                EXPECT_EQ(result, SG_ERROR_OUT_OF_MEMORY) << "fail after " << failAfter;
                EXPECT_NE(std::string(sgGetLastErrorMessage(context)).find("out of host memory"), std::string::npos)
                    << sgGetLastErrorMessage(context);
            }
            sgDestroyContext(context, &callbacks);
        } else {
            ++failedStages[0];
            EXPECT_EQ(result, SG_ERROR_OUT_OF_MEMORY);
            EXPECT_NE(std::string(sgGetLastErrorMessage(nullptr)).find("out of host memory"), std::string::npos);
        }
        EXPECT_EQ(tracker.live(), 0u) << "fail after " << failAfter;
    }
    EXPECT_TRUE(succeeded) << "never got through with 64 allocations";
    EXPECT_GT(failedStages[0], 0);
    EXPECT_GT(failedStages[1], 0);
    EXPECT_GT(failedStages[2], 0);
}

TEST(AllocationCallbacks, DestroyWithAnotherAllocatorWarnsAndFreesWithTheOriginal) {
    TrackingAllocator tracker;
    const SgAllocationCallbacks callbacks = tracker.callbacks();
    SgContextCreateInfo info = sgtest::cpuContextInfo();
    std::vector<std::string> warnings;
    info.pLogUserData = &warnings;
    info.pfnLog = [](void* user, SgLogLevel level, const char* message) {
        if (level == SG_LOG_LEVEL_WARNING) static_cast<std::vector<std::string>*>(user)->push_back(message);
    };
    SgContext context = nullptr;
    ASSERT_EQ(sgCreateContext(&info, &callbacks, &context), SG_SUCCESS);
    sgDestroyContext(context, nullptr);
    EXPECT_EQ(tracker.live(), 0u);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("pAllocator differs"), std::string::npos);
}

// [SECTION] Log ----------------------------------------------------------------------------------------

struct LogLines {
    std::mutex mutex;
    std::vector<std::pair<SgLogLevel, std::string>> lines;
    bool contains(SgLogLevel level, const std::string& text) {
        std::lock_guard<std::mutex> lock(mutex);
        for (const auto& [l, line] : lines)
            if (l == level && line.find(text) != std::string::npos) return true;
        return false;
    }
};

SgContext createLoggingContext(LogLines* log) {
    SgContextCreateInfo info = sgtest::cpuContextInfo();
    info.pLogUserData = log;
    info.pfnLog = [](void* user, SgLogLevel level, const char* message) {
        auto* l = static_cast<LogLines*>(user);
        std::lock_guard<std::mutex> lock(l->mutex);
        l->lines.emplace_back(level, message);
    };
    SgContext context = nullptr;
    EXPECT_EQ(sgCreateContext(&info, nullptr, &context), SG_SUCCESS);
    return context;
}

TEST(Log, ReportsTheBackendChoiceAndModelLoads) {
    LogLines log;
    SgContext context = createLoggingContext(&log);
    EXPECT_TRUE(log.contains(SG_LOG_LEVEL_INFO, "using backend cpu: built-in"));
    const std::vector<uint8_t> bytes = sgtest::makeTinyModel(sgtest::TinyKind::Scene);
    SgModel model = nullptr;
    ASSERT_EQ(sgLoadModelFromMemory(context, bytes.data(), bytes.size(), &model), SG_SUCCESS);
    EXPECT_TRUE(log.contains(SG_LOG_LEVEL_INFO, "loaded model 'tiny-scene'"));
    sgDestroyContext(context, nullptr);
}

TEST(Log, ReportsFailedCallsAsErrors) {
    LogLines log;
    SgContext context = createLoggingContext(&log);
    SgModel model = nullptr;
    EXPECT_EQ(sgLoadModelFromFile(context, "/nonexistent.sgm", &model), SG_ERROR_IO);
    EXPECT_TRUE(log.contains(SG_LOG_LEVEL_ERROR, "sgLoadModelFromFile: cannot open '/nonexistent.sgm'"));
    sgDestroyContext(context, nullptr);
}

TEST(Log, WarnsAboutModelsLeftAtDestroyAndFreesThem) {
    LogLines log;
    SgContext context = createLoggingContext(&log);
    const std::vector<uint8_t> bytes = sgtest::makeTinyModel(sgtest::TinyKind::Character);
    SgModel a = nullptr, b = nullptr;
    ASSERT_EQ(sgLoadModelFromMemory(context, bytes.data(), bytes.size(), &a), SG_SUCCESS);
    ASSERT_EQ(sgLoadModelFromMemory(context, bytes.data(), bytes.size(), &b), SG_SUCCESS);
    sgDestroyModel(context, a);
    sgDestroyContext(context, nullptr);
    EXPECT_TRUE(log.contains(SG_LOG_LEVEL_WARNING, "destroying 1 model(s) that were not destroyed first"));
}

// [SECTION] Last error ----------------------------------------------------------------------------------

TEST_F(ApiTest, LastError_IsEmptyBeforeAnyFailure) { EXPECT_STREQ(sgGetLastErrorMessage(context), ""); }

TEST_F(ApiTest, LastError_SurvivesLaterSuccessfulCalls) {
    const char* name = nullptr;
    EXPECT_EQ(sgGetStyleName(character, 9, &name), SG_ERROR_INVALID_ARGUMENT);
    const std::string message = sgGetLastErrorMessage(context);
    EXPECT_EQ(sgGetStyleName(character, 0, &name), SG_SUCCESS);
    EXPECT_EQ(sgGetLastErrorMessage(context), message);
}

TEST_F(ApiTest, LastError_NamesTheFunction) {
    const char* name = nullptr;
    EXPECT_EQ(sgGetStyleName(character, 9, &name), SG_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(std::string(sgGetLastErrorMessage(context)).rfind("sgGetStyleName: ", 0), 0u);
}

TEST_F(ApiTest, LastError_IsPerContext) {
    const SgContextCreateInfo info = sgtest::cpuContextInfo();
    SgContext other = nullptr;
    ASSERT_EQ(sgCreateContext(&info, nullptr, &other), SG_SUCCESS);
    const char* name = nullptr;
    EXPECT_EQ(sgGetStyleName(character, 9, &name), SG_ERROR_INVALID_ARGUMENT);
    EXPECT_STREQ(sgGetLastErrorMessage(other), "");
    sgDestroyContext(other, nullptr);
}

TEST_F(ApiTest, LastError_IsPerThread) {
    // Two threads fail differently on the same context at the same time, many
    // times; each must only ever read its own message.
    std::atomic<bool> mixedUp{false};
    auto worker = [&](uint32_t badIndex) {
        const std::string expected = "style index " + std::to_string(badIndex) + " is out of range";
        for (int i = 0; i < 2000; ++i) {
            const char* name = nullptr;
            sgGetStyleName(character, badIndex, &name);
            if (std::string(sgGetLastErrorMessage(context)).find(expected) == std::string::npos) mixedUp = true;
        }
    };
    std::thread a(worker, 10), b(worker, 20);
    a.join();
    b.join();
    EXPECT_FALSE(mixedUp);
    EXPECT_STREQ(sgGetLastErrorMessage(context), "") << "the main thread saw another thread's message";
}

TEST(LastError, NullContextHoldsTheFailedCreateContextMessageOfThisThreadOnly) {
    SgContextCreateInfo info = sgtest::cpuContextInfo();
    info.threadCount = 5000;
    SgContext context = nullptr;
    EXPECT_EQ(sgCreateContext(&info, nullptr, &context), SG_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(sgGetLastErrorMessage(nullptr)).find("threadCount 5000"), std::string::npos);
    std::string otherThread = "unset";
    std::thread([&] { otherThread = sgGetLastErrorMessage(nullptr); }).join();
    EXPECT_EQ(otherThread, "");
}

}  // namespace
