// Resource limits (SgContextLimits): defaults, configuration, reading back,
// and every refusal happening before the memory it guards is allocated. The
// allocation callbacks record the largest block the SDK asked for, which
// proves what was not allocated.
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <thread>

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api_test_support.hpp"

namespace {

// The system allocator behind callbacks that remember the largest request.
class LargestAllocation {
public:
    SgAllocationCallbacks callbacks() {
        SgAllocationCallbacks c{};
        c.pUserData = this;
        c.pfnAllocation = [](void* self, size_t size, size_t alignment) -> void* {
            static_cast<LargestAllocation*>(self)->note(size);
            void* p = nullptr;
            return posix_memalign(&p, std::max(alignment, sizeof(void*)), size) == 0 ? p : nullptr;
        };
        c.pfnReallocation = [](void* self, void* p, size_t size, size_t alignment) -> void* {
            static_cast<LargestAllocation*>(self)->note(size);
            // The SDK only resizes blocks of alignment <= max_align_t (host_allocator.hpp).
            return alignment <= alignof(std::max_align_t) ? std::realloc(p, size) : nullptr;
        };
        c.pfnFree = [](void*, void* p) { std::free(p); };
        return c;
    }
    size_t largest() const { return largest_.load(); }
    void reset() { largest_ = 0; }

private:
    void note(size_t size) {
        size_t seen = largest_.load();
        while (size > seen && !largest_.compare_exchange_weak(seen, size)) {
        }
    }
    std::atomic<size_t> largest_{0};
};

class Limits : public ::testing::Test {
protected:
    void TearDown() override { sgDestroyContext(context, &callbacks); }

    // A CPU context with `limits` chained (members left 0 keep their defaults).
    SgResult create(const SgContextLimits& limits) {
        SgContextCreateInfo info = sgtest::cpuContextInfo();
        info.pNext = &limits;
        callbacks = tracker.callbacks();
        return sgCreateContext(&info, &callbacks, &context);
    }
    static SgContextLimits limits() {
        SgContextLimits l{};
        l.sType = SG_STRUCTURE_TYPE_CONTEXT_LIMITS;
        return l;
    }
    SgContextLimits readBack() const {
        SgContextLimits l = limits();
        SgContextInfo info{};
        info.sType = SG_STRUCTURE_TYPE_CONTEXT_INFO;
        info.pNext = &l;
        EXPECT_EQ(sgGetContextInfo(context, &info), SG_SUCCESS);
        return l;
    }
    SgModel load(const std::vector<uint8_t>& bytes) {
        SgModel model = nullptr;
        EXPECT_EQ(sgLoadModelFromMemory(context, bytes.data(), bytes.size(), &model), SG_SUCCESS)
            << sgGetLastErrorMessage(context);
        return model;
    }
    std::string lastError() const { return sgGetLastErrorMessage(context); }

    LargestAllocation tracker;
    SgAllocationCallbacks callbacks{};
    SgContext context = nullptr;
};

uint64_t halfThePhysicalMemory() { return uint64_t(sysconf(_SC_PHYS_PAGES)) * uint64_t(sysconf(_SC_PAGESIZE)) / 2; }

// [SECTION] Defaults, configuration, reading back ------------------------------------------------------------------

TEST_F(Limits, DefaultsAreTheDocumentedValues) {
    SgContextCreateInfo info = sgtest::cpuContextInfo();
    ASSERT_EQ(sgCreateContext(&info, nullptr, &context), SG_SUCCESS);
    const SgContextLimits l = readBack();
    EXPECT_EQ(l.maxImageExtent, SG_MAX_IMAGE_EXTENT);
    EXPECT_EQ(l.maxModelTensors, SG_MAX_MODEL_TENSORS);
    EXPECT_EQ(l.maxOutputBytesPerCall, uint64_t(SG_MAX_GENERATE_OUTPUT_BYTES));
    EXPECT_EQ(l.maxWorkingMemoryBytes, halfThePhysicalMemory());
    EXPECT_EQ(l.maxModelFileBytes, uint64_t(1) << 30);
    EXPECT_EQ(l.maxModelHeaderBytes, uint64_t(1) << 20);
    EXPECT_EQ(l.maxModelWeightBytes, uint64_t(2) << 30);
    EXPECT_EQ(l.sType, SG_STRUCTURE_TYPE_CONTEXT_LIMITS);
}

TEST_F(Limits, ChainedLimitsApplyAndZeroKeepsTheDefault) {
    SgContextLimits l = limits();
    l.maxImageExtent = 64;
    l.maxWorkingMemoryBytes = 12345678;
    l.maxModelFileBytes = 1000000;
    ASSERT_EQ(create(l), SG_SUCCESS) << sgGetLastErrorMessage(nullptr);
    const SgContextLimits back = readBack();
    EXPECT_EQ(back.maxImageExtent, 64u);
    EXPECT_EQ(back.maxWorkingMemoryBytes, 12345678u);
    EXPECT_EQ(back.maxModelFileBytes, 1000000u);
    EXPECT_EQ(back.maxModelTensors, SG_MAX_MODEL_TENSORS);
    EXPECT_EQ(back.maxOutputBytesPerCall, uint64_t(SG_MAX_GENERATE_OUTPUT_BYTES));
    EXPECT_EQ(back.maxModelHeaderBytes, uint64_t(1) << 20);
}

TEST_F(Limits, AValueAboveItsCeilingIsRejectedByName) {
    const std::pair<void (*)(SgContextLimits&), const char*> cases[] = {
        {[](SgContextLimits& l) { l.maxImageExtent = SG_MAX_IMAGE_EXTENT + 1; }, "maxImageExtent is 16385"},
        {[](SgContextLimits& l) { l.maxModelTensors = SG_MAX_MODEL_TENSORS + 1; }, "maxModelTensors is 4097"},
        {[](SgContextLimits& l) { l.maxOutputBytesPerCall = uint64_t(SG_MAX_GENERATE_OUTPUT_BYTES) + 1; },
         "maxOutputBytesPerCall is 2147483649, above its ceiling of 2147483648"},
    };
    for (const auto& [set, message] : cases) {
        SgContextLimits l = limits();
        set(l);
        EXPECT_EQ(create(l), SG_ERROR_INVALID_ARGUMENT);
        EXPECT_EQ(context, nullptr);
        EXPECT_NE(std::string(sgGetLastErrorMessage(nullptr)).find(message), std::string::npos)
            << sgGetLastErrorMessage(nullptr);
    }
}

TEST_F(Limits, TwoLimitStructsInOneChainAreAnError) {
    SgContextLimits first = limits(), second = limits();
    first.pNext = &second;
    EXPECT_EQ(create(first), SG_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(sgGetLastErrorMessage(nullptr)).find("two SgContextLimits"), std::string::npos);
}

// [SECTION] Generation ------------------------------------------------------------------------------------------------

// Nothing is ever written for a refused request, so the buffer may claim more
// than it has: the SDK must refuse before touching it.
SgImageBuffer claimedBuffer(void* small, size_t claimedSize) { return sgtest::imageBuffer(small, claimedSize); }

TEST_F(Limits, AnExtentAboveTheContextsLimitIsInvalid) {
    SgContextLimits l = limits();
    l.maxImageExtent = 32;
    ASSERT_EQ(create(l), SG_SUCCESS);
    SgModel scene = load(sgtest::makeTinyModel(sgtest::TinyKind::Scene));
    SgGenerateInfo gi = sgtest::neutralGenerateInfo();
    gi.width = 36;
    gi.height = 8;
    uint8_t pixel[16];
    const SgImageBuffer buffer = claimedBuffer(pixel, size_t(36) * 8 * 4);
    SG_EXPECT_FAILURE(sgGenerate(context, scene, &gi, &buffer), SG_ERROR_INVALID_ARGUMENT, context,
                      "width x height is 36x8, larger than the context's limit of 32 per side "
                      "(SgContextLimits::maxImageExtent)");
    gi.width = 32;
    std::vector<uint8_t> pixels(size_t(32) * 8 * 4);
    const SgImageBuffer enough = sgtest::imageBuffer(pixels.data(), pixels.size());
    EXPECT_EQ(sgGenerate(context, scene, &gi, &enough), SG_SUCCESS) << lastError();
    sgDestroyModel(context, scene);
}

TEST_F(Limits, OutputAboveTheContextsPerCallLimitIsInvalid) {
    SgContextLimits l = limits();
    l.maxOutputBytesPerCall = 4096;
    ASSERT_EQ(create(l), SG_SUCCESS);
    SgModel character = load(sgtest::makeTinyModel(sgtest::TinyKind::Character));
    SgGenerateInfo gi = sgtest::neutralGenerateInfo();
    gi.count = 5;  // 5 x 1 KiB
    uint8_t pixel[16];
    const SgImageBuffer buffer = claimedBuffer(pixel, size_t(5) * 16 * 16 * 4);
    SG_EXPECT_FAILURE(sgGenerate(context, character, &gi, &buffer), SG_ERROR_INVALID_ARGUMENT, context,
                      "5 images of 16x16 need 5120 bytes, more than the context's limit of 4096 bytes per call");
    gi.count = 4;
    EXPECT_FALSE(sgtest::generateBytes(context, character, gi).empty());
    // The largest count: refused before a seed array or scratch of that size exists.
    gi.count = UINT32_MAX;
    tracker.reset();
    const SgImageBuffer huge = claimedBuffer(pixel, SIZE_MAX);
    SG_EXPECT_FAILURE(sgGenerate(context, character, &gi, &huge), SG_ERROR_INVALID_ARGUMENT, context,
                      "4294967295 images of 16x16 need more than the limit of 2147483648 bytes per call");
    EXPECT_LT(tracker.largest(), size_t(1) << 20);
    sgDestroyModel(context, character);
}

TEST_F(Limits, AnImageNeedingTooMuchWorkingMemoryIsRefusedBeforeAllocating) {
    SgContextLimits l = limits();
    l.maxWorkingMemoryBytes = uint64_t(64) << 20;
    ASSERT_EQ(create(l), SG_SUCCESS);
    SgModel scene = load(sgtest::makeTinyModel(sgtest::TinyKind::Scene));
    SgGenerateInfo gi = sgtest::neutralGenerateInfo();
    gi.width = gi.height = 2048;  // about 340 MiB of activations for the tiny scene model
    gi.format = SG_FORMAT_R32G32B32A32_SFLOAT;
    alignas(16) uint8_t pixel[16];
    const SgImageBuffer buffer = claimedBuffer(pixel, size_t(2048) * 2048 * 16);
    tracker.reset();
    SG_EXPECT_FAILURE(sgGenerate(context, scene, &gi, &buffer), SG_ERROR_OUT_OF_MEMORY, context,
                      "one 2048x2048 image of model 'tiny-scene' needs about ");
    EXPECT_NE(lastError().find("more than the context's limit of 64.0 MiB (SgContextLimits::maxWorkingMemoryBytes)"),
              std::string::npos)
        << lastError();
    EXPECT_LT(tracker.largest(), size_t(1) << 20) << "the refusal came after a large allocation";

    // The same model at a size within the limit generates.
    gi.width = gi.height = 256;
    gi.format = SG_FORMAT_R8G8B8A8_UNORM;
    std::vector<uint8_t> pixels(size_t(256) * 256 * 4);
    const SgImageBuffer enough = sgtest::imageBuffer(pixels.data(), pixels.size());
    EXPECT_EQ(sgGenerate(context, scene, &gi, &enough), SG_SUCCESS) << lastError();
    sgDestroyModel(context, scene);
}

// The request that used to take a host process down: the largest scene the
// API allows, which needs tens of GiB of activations.
TEST_F(Limits, TheLargestSceneIsRefusedWithATypicalLimit) {
    SgContextLimits l = limits();
    l.maxWorkingMemoryBytes = uint64_t(8) << 30;
    ASSERT_EQ(create(l), SG_SUCCESS);
    SgModel scene = load(sgtest::makeTinyModel(sgtest::TinyKind::Scene));
    SgGenerateInfo gi = sgtest::neutralGenerateInfo();
    gi.width = gi.height = SG_MAX_IMAGE_EXTENT;
    uint8_t pixel[16];
    const SgImageBuffer buffer = claimedBuffer(pixel, size_t(SG_MAX_IMAGE_EXTENT) * SG_MAX_IMAGE_EXTENT * 4);
    tracker.reset();
    SG_EXPECT_FAILURE(sgGenerate(context, scene, &gi, &buffer), SG_ERROR_OUT_OF_MEMORY, context,
                      "(SgContextLimits::maxWorkingMemoryBytes)");
    EXPECT_LT(tracker.largest(), size_t(1) << 20);
    sgDestroyModel(context, scene);
}

// [SECTION] Model files ------------------------------------------------------------------------------------------------

TEST_F(Limits, AModelInMemoryAboveTheFileLimitIsRefusedBeforeAnyCopy) {
    const std::vector<uint8_t> bytes = sgtest::makeTinyModel(sgtest::TinyKind::Character);
    SgContextLimits l = limits();
    l.maxModelFileBytes = bytes.size() - 1;
    ASSERT_EQ(create(l), SG_SUCCESS);
    tracker.reset();
    SgModel model = nullptr;
    SG_EXPECT_FAILURE(sgLoadModelFromMemory(context, bytes.data(), bytes.size(), &model), SG_ERROR_OUT_OF_MEMORY,
                      context,
                      "model in memory is " + std::to_string(bytes.size()) + " bytes, more than the context's limit of " +
                          std::to_string(bytes.size() - 1) + " bytes (SgContextLimits::maxModelFileBytes)");
    EXPECT_EQ(model, nullptr);
    EXPECT_LT(tracker.largest(), bytes.size() / 4);
}

TEST_F(Limits, AHugeFileIsRefusedWithoutReadingIt) {
    ASSERT_EQ(create(limits()), SG_SUCCESS);  // the default limit: 1 GiB
    const std::string path = ::testing::TempDir() + "/limits_huge_" + std::to_string(getpid()) + ".sgm";
    const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(ftruncate(fd, off_t(4) << 30), 0);  // sparse: 4 GiB that take no disk space
    close(fd);
    tracker.reset();
    SgModel model = nullptr;
    SG_EXPECT_FAILURE(sgLoadModelFromFile(context, path.c_str(), &model), SG_ERROR_OUT_OF_MEMORY, context,
                      "is 4294967296 bytes, more than the context's limit of 1073741824 bytes");
    EXPECT_LT(tracker.largest(), size_t(1) << 20);
    unlink(path.c_str());
}

TEST_F(Limits, AnEndlessStreamIsCutOffAtTheLimit) {
    SgContextLimits l = limits();
    l.maxModelFileBytes = uint64_t(1) << 20;
    ASSERT_EQ(create(l), SG_SUCCESS);
    const std::string fifo = ::testing::TempDir() + "/limits_fifo_" + std::to_string(getpid());
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    std::atomic<bool> stop{false};
    std::thread writer([&] {
        // The reader gives up mid-stream: EPIPE, not a SIGPIPE that ends the test.
        sigset_t pipe;
        sigemptyset(&pipe);
        sigaddset(&pipe, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
        const int fd = open(fifo.c_str(), O_WRONLY);
        std::vector<uint8_t> chunk(1 << 16, 0xAB);
        while (fd >= 0 && !stop && write(fd, chunk.data(), chunk.size()) > 0) {
        }
        if (fd >= 0) close(fd);
    });
    tracker.reset();
    SgModel model = nullptr;
    SG_EXPECT_FAILURE(sgLoadModelFromFile(context, fifo.c_str(), &model), SG_ERROR_OUT_OF_MEMORY, context,
                      "is over 1048576 bytes, more than the context's limit of 1048576 bytes");
    stop = true;
    writer.join();
    unlink(fifo.c_str());
    EXPECT_LE(tracker.largest(), (size_t(1) << 20) + 1) << "read more than the limit into memory";
}

TEST_F(Limits, TensorCountHeaderAndWeightLimitsRefuseBeforeCopying) {
    const std::vector<uint8_t> bytes = sgtest::makeTinyModel(sgtest::TinyKind::Character);
    const struct {
        void (*set)(SgContextLimits&);
        const char* message;
    } cases[] = {
        {[](SgContextLimits& l) { l.maxModelTensors = 10; }, "exceeds the limit of 10 tensors (SgContextLimits::maxModelTensors)"},
        {[](SgContextLimits& l) { l.maxModelHeaderBytes = 100; },
         "bytes exceeds the limit of 100 bytes (SgContextLimits::maxModelHeaderBytes)"},
        {[](SgContextLimits& l) { l.maxModelWeightBytes = 1000; },
         "bytes as f32 exceed the limit of 1000 bytes (SgContextLimits::maxModelWeightBytes)"},
    };
    for (const auto& c : cases) {
        SgContextLimits l = limits();
        c.set(l);
        ASSERT_EQ(create(l), SG_SUCCESS);
        tracker.reset();
        SgModel model = nullptr;
        SG_EXPECT_FAILURE(sgLoadModelFromMemory(context, bytes.data(), bytes.size(), &model), SG_ERROR_OUT_OF_MEMORY,
                          context, c.message);
        EXPECT_LT(tracker.largest(), size_t(1000)) << c.message << ": the weights were allocated anyway";
        sgDestroyContext(context, &callbacks);
        context = nullptr;
    }
}

// A table entry claiming a giant tensor is a malformed file: refused from the
// table, before anything of its size exists.
TEST_F(Limits, AHeaderClaimingAGiantTensorIsRefusedBeforeAllocating) {
    ASSERT_EQ(create(limits()), SG_SUCCESS);
    std::vector<uint8_t> bytes = sgtest::makeTinyModel(sgtest::TinyKind::Character);
    // The first entry ("mapping.embed.weight", rank 2): 2^30 x 2^30 f32 values, 2^62 bytes.
    size_t table = 0;  // the table offset, u64 at byte 32 (docs/model-format.md)
    for (int i = 7; i >= 0; --i) table = table << 8 | bytes[32 + i];
    const uint32_t nameLength = bytes[table];
    const size_t dims = table + 4 + nameLength + 8;
    for (int d = 0; d < 2; ++d)
        for (int i = 0; i < 8; ++i) bytes[dims + 8 * d + i] = uint8_t((uint64_t(1) << 30) >> (8 * i));
    const uint64_t claimed = uint64_t(1) << 62;
    for (int i = 0; i < 8; ++i) bytes[dims + 16 + 8 + i] = uint8_t(claimed >> (8 * i));
    sgtest::resealModel(&bytes);
    tracker.reset();
    SgModel model = nullptr;
    SG_EXPECT_FAILURE(sgLoadModelFromMemory(context, bytes.data(), bytes.size(), &model), SG_ERROR_BAD_MODEL_FILE,
                      context, "lies outside the");
    EXPECT_LT(tracker.largest(), size_t(1) << 20);
}

}  // namespace
