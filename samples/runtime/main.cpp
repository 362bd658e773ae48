// main.cpp - the runtime-variation sample: a crowd of characters, each with a
// texture stylegen generated for it, standing on a generated floor; R (or
// --reroll-every N) gives the whole crowd new textures while it runs.
//
//   stylegen-runtime                      a window; R re-roll, F next floor, arrows orbit, Esc quit
//   stylegen-runtime --headless --frames 60 --screenshot crowd.png
//
// run() is the whole program: initWindow, initVulkan, initTextures, initScene,
// initFrames, then mainLoop; cleanup mirrors it. generated_textures.cpp is the
// part that talks to stylegen.
#include <stb_image_write.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "generated_textures.hpp"
#include "gpu.hpp"
#include "renderer.hpp"
#include "scene.hpp"
#include "window.hpp"

namespace runtime {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kExitError = 1;
constexpr int kExitUsage = 2;
constexpr int kExitValidation = 3;
constexpr uint32_t kHeadlessDefaultFrames = 100;
constexpr double kStatsPeriodSeconds = 2.0;

struct Options {
    bool headless = false;
    uint32_t frames = 0;  // 0: until the window closes (headless: kHeadlessDefaultFrames)
    VkExtent2D size{1280, 720};
    uint32_t rerollEvery = 0;
    uint32_t floorEvery = 0;
    std::string screenshot;
    int64_t dumpCharacter = -1;
    std::string dumpPath;
    bool validation = false;
    TextureSettings textures;
};

void printUsage(FILE* out) {
    const std::string models = *STYLEGEN_RUNTIME_MODELS_DIR ? STYLEGEN_RUNTIME_MODELS_DIR : "(none in this build)";
    std::fprintf(out,
                 "usage: stylegen-runtime [options]\n"
                 "  A crowd whose every character wears a texture stylegen generated for it, on a\n"
                 "  generated floor, re-rolled while it runs. Keys: R re-roll the crowd, F next floor\n"
                 "  material, left/right orbit, up/down tilt, Esc quit.\n"
                 "\n"
                 "  --headless                render offscreen, no window or display needed\n"
                 "  --frames N                stop after N frames (headless default %u)\n"
                 "  --size WxH                render size (default 1280x720)\n"
                 "  --characters N            crowd size, one texture each (default 256)\n"
                 "  --reroll-every N          re-roll the crowd every N frames (default 0: only on R)\n"
                 "  --reroll-batch N          characters regenerated per frame during a re-roll\n"
                 "                            (default 64; 0: all in one frame)\n"
                 "  --floor-every N           the next floor material every N frames (default 0: only on F)\n"
                 "  --psi X                   truncation psi of every texture (default 0.7)\n"
                 "  --seed N                  first seed (default 1)\n"
                 "  --floor NAME              floor material of the terrain model (default stone_blocks)\n"
                 "  --characters-model PATH   character model (default %s/characters.sgm)\n"
                 "  --terrain-model PATH      scene model for the floor (default %s/terrain.sgm)\n"
                 "  --threads N               generation threads (default 0: one per core)\n"
                 "  --screenshot PATH         write the last frame to PATH (PNG)\n"
                 "  --dump-character I PATH   write character I's texture, read back from the GPU, to\n"
                 "                            PATH (PNG) and print the parameters that made it\n"
                 "  --validation              VK_LAYER_KHRONOS_validation with synchronization\n"
                 "                            validation; any message makes the exit status %d\n",
                 kHeadlessDefaultFrames, models.c_str(), models.c_str(), kExitValidation);
}

bool parseUnsigned(const char* text, uint64_t max, uint64_t* value) {
    char* end = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(text, &end, 10);
    if (errno || end == text || *end || text[0] == '-' || v > max) return false;
    *value = v;
    return true;
}

// Returns false (after saying why) on bad options; *help when --help was given.
bool parseOptions(int argc, char** argv, Options* o, bool* help) {
    const std::string modelsDir = STYLEGEN_RUNTIME_MODELS_DIR;
    if (!modelsDir.empty()) {
        o->textures.charactersModel = modelsDir + "/characters.sgm";
        o->textures.terrainModel = modelsDir + "/terrain.sgm";
    }
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&](int ahead = 1) -> const char* {
            if (i + ahead >= argc) return nullptr;
            return argv[i + ahead];
        };
        auto bad = [&](const char* what) {
            std::fprintf(stderr, "stylegen-runtime: %s %s\n", arg.c_str(), what);
            return false;
        };
        uint64_t n = 0;
        if (arg == "--help" || arg == "-h") {
            *help = true;
            return true;
        } else if (arg == "--headless") {
            o->headless = true;
        } else if (arg == "--validation") {
            o->validation = true;
        } else if (arg == "--frames" || arg == "--characters" || arg == "--reroll-every" || arg == "--reroll-batch" ||
                   arg == "--floor-every" || arg == "--threads") {
            if (!value() || !parseUnsigned(value(), UINT32_MAX, &n)) return bad("needs a whole number");
            if (arg == "--frames") {
                if (n == 0) return bad("must be at least 1");
                o->frames = uint32_t(n);
            } else if (arg == "--characters") {
                if (n == 0) return bad("must be at least 1");
                o->textures.characterCount = uint32_t(n);
            } else if (arg == "--reroll-every") {
                o->rerollEvery = uint32_t(n);
            } else if (arg == "--reroll-batch") {
                o->textures.rerollBatch = uint32_t(n);
            } else if (arg == "--floor-every") {
                o->floorEvery = uint32_t(n);
            } else {
                o->textures.threads = uint32_t(n);
            }
            ++i;
        } else if (arg == "--seed") {
            if (!value() || !parseUnsigned(value(), UINT64_MAX, &n)) return bad("needs a whole number");
            o->textures.firstSeed = n;
            ++i;
        } else if (arg == "--psi") {
            char* end = nullptr;
            const float psi = value() ? std::strtof(value(), &end) : NAN;
            if (!value() || *end || !std::isfinite(psi)) return bad("needs a number");
            o->textures.truncationPsi = psi;
            ++i;
        } else if (arg == "--size") {
            unsigned w = 0, h = 0;
            char tail = 0;
            if (!value() || std::sscanf(value(), "%ux%u%c", &w, &h, &tail) != 2 || w < 16 || h < 16 || w > 8192 ||
                h > 8192)
                return bad("needs WxH, each 16 to 8192");
            o->size = {w, h};
            ++i;
        } else if (arg == "--floor" || arg == "--characters-model" || arg == "--terrain-model" ||
                   arg == "--screenshot") {
            if (!value()) return bad("needs a value");
            if (arg == "--floor") o->textures.floorStyle = value();
            if (arg == "--characters-model") o->textures.charactersModel = value();
            if (arg == "--terrain-model") o->textures.terrainModel = value();
            if (arg == "--screenshot") o->screenshot = value();
            ++i;
        } else if (arg == "--dump-character") {
            if (!value(2) || !parseUnsigned(value(), UINT32_MAX, &n)) return bad("needs an index and a path");
            o->dumpCharacter = int64_t(n);
            o->dumpPath = value(2);
            i += 2;
        } else {
            std::fprintf(stderr, "stylegen-runtime: unknown option %s (--help lists them)\n", arg.c_str());
            return false;
        }
    }
    if (o->textures.charactersModel.empty() || o->textures.terrainModel.empty()) {
        std::fprintf(stderr,
                     "stylegen-runtime: this build has no default model folder; give --characters-model "
                     "and --terrain-model\n");
        return false;
    }
    if (o->dumpCharacter >= int64_t(o->textures.characterCount)) {
        std::fprintf(stderr, "stylegen-runtime: --dump-character %lld: the crowd has %u characters\n",
                     static_cast<long long>(o->dumpCharacter), o->textures.characterCount);
        return false;
    }
    if (o->headless && o->frames == 0) o->frames = kHeadlessDefaultFrames;
    return true;
}

void writePng(const std::string& path, uint32_t width, uint32_t height, const std::vector<uint8_t>& rgba) {
    if (!stbi_write_png(path.c_str(), int(width), int(height), 4, rgba.data(), int(width * 4)))
        throw std::runtime_error("cannot write " + path);
}

// Frame and generation times, per period and for the whole run.
struct Stats {
    struct Totals {
        uint32_t frames = 0;
        uint32_t generatingFrames = 0;  // frames that generated something
        double frameMs = 0.0;
        double quietFrameMs = 0.0;  // frames that did not
        double maxFrameMs = 0.0;
        uint32_t characters = 0;
        uint32_t floors = 0;
        double generationMs = 0.0;
    };
    Totals period, run;
    Clock::time_point periodStart = Clock::now();

    void add(double frameMs, const GenerationReport& g) {
        for (Totals* t : {&period, &run}) {
            ++t->frames;
            t->frameMs += frameMs;
            t->maxFrameMs = std::max(t->maxFrameMs, frameMs);
            if (g.characters || g.floors) {
                ++t->generatingFrames;
                t->characters += g.characters;
                t->floors += g.floors;
                t->generationMs += g.milliseconds;
            } else {
                t->quietFrameMs += frameMs;
            }
        }
    }
    static std::string describe(const Totals& t) {
        char text[512];
        const uint32_t quiet = t.frames - t.generatingFrames;
        int n = std::snprintf(text, sizeof text, "%u frames, %.1f ms/frame (max %.1f)", t.frames,
                              t.frameMs / std::max(t.frames, 1u), t.maxFrameMs);
        if (quiet)
            n += std::snprintf(text + n, sizeof text - n, ", %.1f ms without generation", t.quietFrameMs / quiet);
        if (t.characters || t.floors)
            std::snprintf(text + n, sizeof text - n,
                          " | generated %u characters + %u floors in %.1f ms (%.0f images/s)", t.characters, t.floors,
                          t.generationMs, 1000.0 * (t.characters + t.floors) / std::max(t.generationMs, 1e-9));
        return text;
    }
    void printPeriodically(uint32_t frame) {
        if (period.frames == 0 ||
            std::chrono::duration<double>(Clock::now() - periodStart).count() < kStatsPeriodSeconds)
            return;
        std::printf("frame %u: %s\n", frame, describe(period).c_str());
        std::fflush(stdout);
        period = Totals{};
        periodStart = Clock::now();
    }
};

class App {
public:
    explicit App(const Options& options) : o_(options) {}
    void run();
    // Waits for the device and destroys everything, in reverse order of creation.
    void cleanup();
    uint32_t validationMessages() const { return gpu_.validationMessageCount(); }

private:
    void initWindow();
    void initVulkan();
    void initTextures();
    void initScene();
    void initFrames();
    void mainLoop();
    // Returns what the frame generated.
    GenerationReport drawFrame(uint32_t frame, bool last);
    void submit(uint32_t slot, const std::vector<SgVulkanSubmitSync>& syncs, uint32_t imageIndex);
    void saveOutputs();

    Options o_;
    std::vector<const char*> instanceExtensions_;
    std::unique_ptr<Window> window_;
    VkSurfaceKHR surface_ = VK_NULL_HANDLE;
    Gpu gpu_;
    GeneratedTextures textures_;
    Renderer renderer_;
    Crowd crowd_;
    Camera camera_;
    VkCommandPool commandPool_ = VK_NULL_HANDLE;
    VkCommandBuffer commands_[Renderer::kFramesInFlight]{};
    VkFence frameDone_[Renderer::kFramesInFlight]{};
    VkSemaphore imageAcquired_[Renderer::kFramesInFlight]{};
    HostBuffer dump_;
};

void App::run() {
    initWindow();
    initVulkan();
    initTextures();
    initScene();
    initFrames();
    mainLoop();
    saveOutputs();
}

void App::initWindow() {
    if (o_.headless) return;
    window_ = std::make_unique<Window>();
    instanceExtensions_ = window_->open(o_.size, "stylegen runtime sample");
}

void App::initVulkan() {
    gpu_.createInstance(o_.validation, instanceExtensions_);
    if (window_) surface_ = window_->createSurface(gpu_.instance);
    gpu_.createDevice(surface_);
    if (window_) window_->createSwapchain(gpu_);
    std::printf("device: %s, Vulkan %u.%u%s\n", gpu_.properties.deviceName,
                VK_API_VERSION_MAJOR(gpu_.properties.apiVersion), VK_API_VERSION_MINOR(gpu_.properties.apiVersion),
                o_.validation ? ", validation and synchronization validation on" : "");
}

void App::initTextures() {
    textures_.create(gpu_, o_.textures);
    std::printf("stylegen: %s\n", textures_.backendDescription().c_str());
    std::printf("stylegen vulkan path: %s\n", textures_.pathDescription().c_str());
    std::printf("crowd: %u characters, %u styles of %s, %ux%u each, psi %.2f; floor: %s, %ux%u of %s\n",
                textures_.characterCount(), textures_.styleCount(), o_.textures.charactersModel.c_str(),
                textures_.characterResolution(), textures_.characterResolution(), o_.textures.truncationPsi,
                textures_.floorName().c_str(), o_.textures.floorSize, o_.textures.floorSize,
                o_.textures.terrainModel.c_str());
}

void App::initScene() {
    std::vector<uint32_t> styles(textures_.characterCount());
    for (uint32_t i = 0; i < styles.size(); ++i) styles[i] = textures_.styleOf(i);
    crowd_ = layoutCrowd(styles, textures_.styleCount());
    camera_ = cameraFor(crowd_, float(o_.size.width) / float(o_.size.height));
    renderer_.create(gpu_, o_.size, textures_.characterCount(), textures_.floorView, textures_.characterView);
}

void App::initFrames() {
    VkCommandPoolCreateInfo poolInfo{};
    poolInfo.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
    poolInfo.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    poolInfo.queueFamilyIndex = gpu_.queueFamily;  // the family stylegen records for, too
    checkVk(vkCreateCommandPool(gpu_.device, &poolInfo, nullptr, &commandPool_), "vkCreateCommandPool");
    VkCommandBufferAllocateInfo allocateInfo{};
    allocateInfo.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
    allocateInfo.commandPool = commandPool_;
    allocateInfo.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    allocateInfo.commandBufferCount = Renderer::kFramesInFlight;
    checkVk(vkAllocateCommandBuffers(gpu_.device, &allocateInfo, commands_), "vkAllocateCommandBuffers");
    VkFenceCreateInfo fenceInfo{};
    fenceInfo.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
    fenceInfo.flags = VK_FENCE_CREATE_SIGNALED_BIT;  // the first wait on each slot returns at once
    VkSemaphoreCreateInfo semaphoreInfo{};
    semaphoreInfo.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO;
    for (uint32_t i = 0; i < Renderer::kFramesInFlight; ++i) {
        checkVk(vkCreateFence(gpu_.device, &fenceInfo, nullptr, &frameDone_[i]), "vkCreateFence");
        if (window_)
            checkVk(vkCreateSemaphore(gpu_.device, &semaphoreInfo, nullptr, &imageAcquired_[i]), "vkCreateSemaphore");
    }
    if (o_.dumpCharacter >= 0) {
        const VkDeviceSize side = textures_.characterResolution();
        dump_ = gpu_.createHostBuffer(side * side * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT);
    }
}

void App::mainLoop() {
    Stats stats;
    Clock::time_point previous = Clock::now();
    for (uint32_t frame = 0; o_.frames == 0 || frame < o_.frames; ++frame) {
        Input input;
        if (window_) {
            input = window_->poll();
            if (input.quit) break;
            const float dt = std::min(std::chrono::duration<float>(Clock::now() - previous).count(), 0.1f);
            camera_.yaw += input.orbit * 0.8f * dt;
            camera_.pitch = std::clamp(camera_.pitch + input.tilt * 0.6f * dt, 0.25f, 1.35f);
        }
        if (input.reroll || (o_.rerollEvery && frame > 0 && frame % o_.rerollEvery == 0)) textures_.rerollCharacters();
        if (input.nextFloor || (o_.floorEvery && frame > 0 && frame % o_.floorEvery == 0)) {
            textures_.nextFloor();
            std::printf("floor: %s\n", textures_.floorName().c_str());
        }
        const GenerationReport report = drawFrame(frame, o_.frames != 0 && frame + 1 == o_.frames);
        // A frame's time runs from the end of the previous one, so it includes
        // waiting for the GPU to finish the frame before last.
        const Clock::time_point now = Clock::now();
        if (frame == 0)
            std::printf("load: %u characters and the floor generated in %.1f ms (%.0f images/s)\n", report.characters,
                        report.milliseconds, 1000.0 * (report.characters + report.floors) / report.milliseconds);
        else
            stats.add(std::chrono::duration<double, std::milli>(now - previous).count(), report);
        previous = now;
        stats.printPeriodically(frame);
    }
    checkVk(vkDeviceWaitIdle(gpu_.device), "vkDeviceWaitIdle");
    std::printf("summary (after the first frame): %s\n", Stats::describe(stats.run).c_str());
}

GenerationReport App::drawFrame(uint32_t frame, bool last) {
    const uint32_t slot = frame % Renderer::kFramesInFlight;
    const VkCommandBuffer cmd = commands_[slot];
    // The slot's previous submission is done: its command buffer, frame data
    // and the SDK staging memory it used are free.
    checkVk(vkWaitForFences(gpu_.device, 1, &frameDone_[slot], VK_TRUE, UINT64_MAX), "vkWaitForFences");
    const uint32_t imageIndex = window_ ? window_->acquire(imageAcquired_[slot]) : 0;
    checkVk(vkResetFences(gpu_.device, 1, &frameDone_[slot]), "vkResetFences");
    checkVk(vkResetCommandBuffer(cmd, 0), "vkResetCommandBuffer");
    VkCommandBufferBeginInfo begin{};
    begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    checkVk(vkBeginCommandBuffer(cmd, &begin), "vkBeginCommandBuffer");

    // 1. New textures, before anything samples them.
    std::vector<SgVulkanSubmitSync> syncs;
    const GenerationReport report = textures_.recordGeneration(cmd, &syncs);
    // 2. The scene.
    FrameData frameData{};
    std::vector<CharacterInstance> characters;
    buildFrame(crowd_, camera_, renderer_.extent, &frameData, &characters);
    renderer_.record(cmd, slot, frameData, characters);
    // 3. Copies out of it.
    if (last && !o_.screenshot.empty()) renderer_.recordScreenshot(cmd);
    if (last && o_.dumpCharacter >= 0) textures_.recordCharacterReadback(cmd, uint32_t(o_.dumpCharacter), dump_.buffer);
    if (window_) window_->recordBlit(cmd, renderer_.sceneImage, renderer_.extent, imageIndex);
    checkVk(vkEndCommandBuffer(cmd), "vkEndCommandBuffer");
    submit(slot, syncs, imageIndex);
    if (window_) window_->present(imageIndex);
    return report;
}

void App::submit(uint32_t slot, const std::vector<SgVulkanSubmitSync>& syncs, uint32_t imageIndex) {
    std::vector<VkSemaphoreSubmitInfo> waits, signals;
    auto semaphore = [](VkSemaphore s, uint64_t value, VkPipelineStageFlags2 stage) {
        VkSemaphoreSubmitInfo info{};
        info.sType = VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO;
        info.semaphore = s;
        info.value = value;  // ignored for binary semaphores
        info.stageMask = stage;
        return info;
    };
    // What stylegen asked for: wait where a GPU backend writes outside our
    // command buffer, always signal so it knows when its staging memory is free.
    for (const SgVulkanSubmitSync& sync : syncs) {
        if (sync.waitSemaphore) waits.push_back(semaphore(sync.waitSemaphore, sync.waitValue, sync.waitStageMask));
        signals.push_back(semaphore(sync.signalSemaphore, sync.signalValue, VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT));
    }
    if (window_) {
        waits.push_back(semaphore(imageAcquired_[slot], 0, VK_PIPELINE_STAGE_2_BLIT_BIT));
        signals.push_back(semaphore(window_->presentReady(imageIndex), 0, VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT));
    }
    VkCommandBufferSubmitInfo commandInfo{};
    commandInfo.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_SUBMIT_INFO;
    commandInfo.commandBuffer = commands_[slot];
    VkSubmitInfo2 info{};
    info.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO_2;
    info.waitSemaphoreInfoCount = uint32_t(waits.size());
    info.pWaitSemaphoreInfos = waits.data();
    info.commandBufferInfoCount = 1;
    info.pCommandBufferInfos = &commandInfo;
    info.signalSemaphoreInfoCount = uint32_t(signals.size());
    info.pSignalSemaphoreInfos = signals.data();
    checkVk(vkQueueSubmit2(gpu_.queue, 1, &info, frameDone_[slot]), "vkQueueSubmit2");
}

void App::saveOutputs() {
    if (!o_.screenshot.empty()) {
        writePng(o_.screenshot, renderer_.extent.width, renderer_.extent.height, renderer_.screenshotPixels());
        std::printf("screenshot: %s (%ux%u)\n", o_.screenshot.c_str(), renderer_.extent.width, renderer_.extent.height);
    }
    if (o_.dumpCharacter >= 0) {
        const uint32_t side = textures_.characterResolution();
        const auto* bytes = static_cast<const uint8_t*>(dump_.mapped);
        writePng(o_.dumpPath, side, side, std::vector<uint8_t>(bytes, bytes + dump_.size));
        std::printf("character %lld: %s -> %s\n", static_cast<long long>(o_.dumpCharacter),
                    textures_.describeCharacter(uint32_t(o_.dumpCharacter)).c_str(), o_.dumpPath.c_str());
    }
}

void App::cleanup() {
    if (gpu_.device) {
        vkDeviceWaitIdle(gpu_.device);
        gpu_.destroyHostBuffer(dump_);
        for (uint32_t i = 0; i < Renderer::kFramesInFlight; ++i) {
            vkDestroySemaphore(gpu_.device, imageAcquired_[i], nullptr);
            vkDestroyFence(gpu_.device, frameDone_[i], nullptr);
        }
        vkDestroyCommandPool(gpu_.device, commandPool_, nullptr);
        renderer_.destroy();
        textures_.destroy();
        if (window_) window_->destroy();  // swapchain before the device, surface before the instance
    } else if (window_) {
        window_->destroy();
    }
    gpu_.destroy();
}

}  // namespace
}  // namespace runtime

int main(int argc, char** argv) {
    using namespace runtime;
    Options options;
    bool help = false;
    if (!parseOptions(argc, argv, &options, &help)) return kExitUsage;
    if (help) {
        printUsage(stdout);
        return 0;
    }
    App app(options);
    int status = 0;
    try {
        app.run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "stylegen-runtime: %s\n", e.what());
        status = kExitError;
    }
    app.cleanup();
    if (options.validation) {
        const uint32_t messages = app.validationMessages();
        std::printf("validation: %u messages\n", messages);
        if (messages && status == 0) status = kExitValidation;
    }
    return status;
}
