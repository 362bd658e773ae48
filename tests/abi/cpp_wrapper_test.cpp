// stylegen.hpp: RAII, exceptions carrying SgResult + message, defaults.
#include <mutex>
#include <optional>

#include "stylegen/stylegen.hpp"
#include "tiny_model.hpp"

#include <gtest/gtest.h>

namespace {

sg::ContextCreateInfo cpuInfo() {
    sg::ContextCreateInfo info;
    info.backendPreference = SG_BACKEND_PREFERENCE_CPU;
    info.threadCount = 2;
    return info;
}

sg::Model loadTiny(const sg::Context& context, sgtest::TinyKind kind = sgtest::TinyKind::Character) {
    const std::vector<uint8_t> bytes = sgtest::makeTinyModel(kind);
    return context.loadModelFromMemory(bytes.data(), bytes.size());
}

TEST(CppWrapper, GeneratesWithTheDefaults) {
    sg::Context context(cpuInfo());
    const sg::Model model = loadTiny(context);
    sg::GenerateInfo info;
    info.count = 3;
    EXPECT_EQ(model.generate(info).size(), 3u * 16 * 16 * 4);
    EXPECT_EQ(model.generateFloat(info).size(), 3u * 16 * 16 * 4);
}

TEST(CppWrapper, GenerateEqualsTheCApi) {
    sg::Context context(cpuInfo());
    const sg::Model model = loadTiny(context);
    sg::GenerateInfo info;
    info.count = 2;
    info.firstSeed = 9;
    std::vector<uint8_t> viaC(2 * 16 * 16 * 4);
    SgImageBuffer buffer{};
    buffer.sType = SG_STRUCTURE_TYPE_IMAGE_BUFFER;
    buffer.pData = viaC.data();
    buffer.size = viaC.size();
    ASSERT_EQ(sgGenerate(context.handle(), model.handle(), &info, &buffer), SG_SUCCESS);
    EXPECT_EQ(model.generate(info), viaC);
}

TEST(CppWrapper, ThrowsErrorWithResultAndMessage) {
    sg::Context context(cpuInfo());
    try {
        context.loadModel("/nonexistent/model.sgm");
        FAIL() << "no exception";
    } catch (const sg::Error& e) {
        EXPECT_EQ(e.result(), SG_ERROR_IO);
        EXPECT_NE(std::string(e.what()).find("SG_ERROR_IO: sgLoadModelFromFile: cannot open '/nonexistent/model.sgm'"),
                  std::string::npos)
            << e.what();
    }
}

TEST(CppWrapper, ThrowsForAnInvalidGenerateRequest) {
    sg::Context context(cpuInfo());
    const sg::Model model = loadTiny(context);
    sg::GenerateInfo info;
    info.styleIndex = 42;
    try {
        model.generate(info);
        FAIL() << "no exception";
    } catch (const sg::Error& e) {
        EXPECT_EQ(e.result(), SG_ERROR_INVALID_ARGUMENT);
        EXPECT_NE(std::string(e.what()).find("styleIndex 42 is out of range"), std::string::npos) << e.what();
    }
}

TEST(CppWrapper, ReportsTheLimitForHugeRequests) {
    sg::Context context(cpuInfo());
    const sg::Model model = loadTiny(context, sgtest::TinyKind::Scene);
    sg::GenerateInfo info;
    info.width = info.height = SG_MAX_IMAGE_EXTENT;
    info.count = 100;
    EXPECT_THROW(model.generate(info), sg::Error);
}

TEST(CppWrapper, ThrowsWhenTheContextCannotBeCreated) {
    sg::ContextCreateInfo info = cpuInfo();
    info.apiVersion = SG_MAKE_VERSION(9, 0, 0);
    try {
        sg::Context context(info);
        FAIL() << "no exception";
    } catch (const sg::Error& e) {
        EXPECT_EQ(e.result(), SG_ERROR_INCOMPATIBLE_VERSION);
    }
}

TEST(CppWrapper, ListsAndFindsStyles) {
    sg::Context context(cpuInfo());
    const sg::Model model = loadTiny(context);
    EXPECT_EQ(model.styleNames(), (std::vector<std::string>{"style0", "style1", "style2"}));
    EXPECT_EQ(model.findStyle("style2"), 2u);
    EXPECT_THROW(model.findStyle("nope"), sg::Error);
    EXPECT_EQ(model.info().resolution, 16u);
    EXPECT_STREQ(context.info().pBackendName, "cpu");
}

TEST(CppWrapper, AModelKeepsItsContextAlive) {
    std::optional<sg::Model> model;
    {
        sg::Context context(cpuInfo());
        model.emplace(loadTiny(context));
    }
    sg::GenerateInfo info;
    EXPECT_EQ(model->generate(info).size(), 16u * 16 * 4);
}

// A context whose log tells whether any model was left for sgDestroyContext to clean up.
struct LeakWatch {
    std::mutex mutex;
    bool leaked = false;
    sg::ContextCreateInfo info() {
        sg::ContextCreateInfo i = cpuInfo();
        i.pLogUserData = this;
        i.pfnLog = [](void* self, SgLogLevel, const char* message) {
            auto* w = static_cast<LeakWatch*>(self);
            std::lock_guard<std::mutex> lock(w->mutex);
            if (std::string(message).find("not destroyed first") != std::string::npos) w->leaked = true;
        };
        return i;
    }
};

TEST(CppWrapper, MovingModelsDestroysEachExactlyOnce) {
    LeakWatch watch;
    {
        sg::Context context(watch.info());
        sg::Model a = loadTiny(context);
        sg::Model b = loadTiny(context, sgtest::TinyKind::Scene);
        sg::Model c = std::move(a);
        b = std::move(c);  // destroys b's scene model
        sg::GenerateInfo info;
        EXPECT_EQ(b.generate(info).size(), 16u * 16 * 4);
    }
    EXPECT_FALSE(watch.leaked);
}

}  // namespace
