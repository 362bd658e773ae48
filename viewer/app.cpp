// app.cpp - stylegen-viewer's application object.
//
// [SECTION] Helpers: keys, jobs from recipes
// [SECTION] Set-up and teardown
// [SECTION] Models and pins
// [SECTION] Generation: planning jobs, submitting batches, restyling
// [SECTION] Panels' context and actions, exports
// [SECTION] The frame
// [SECTION] Scripted mode
#include "app.hpp"

#include <vulkan/vulkan.h>
// after vulkan.h: GLFW then declares glfwCreateWindowSurface
#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_vulkan.h>
#include <imgui.h>
#include <stylegen/stylegen_vulkan.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <chrono>
#include <cfloat>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "drawing.hpp"
#include "export.hpp"
#include "gpu.hpp"
#include "panels.hpp"
#include "png_file.hpp"  // tools/cli
#include "presenter.hpp"
#include "restyle.hpp"
#include "settings.hpp"
#include "state.hpp"
#include "textures.hpp"
#include "worker.hpp"

namespace sg::viewer {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// [SECTION] Helpers -----------------------------------------------------------

constexpr uint32_t kGridSlot = 0;
constexpr uint32_t kStripSlot = 1;
constexpr uint32_t kThumbnailSlot = 2;
constexpr uint32_t kPinSlotBase = 3;  // pin with id k: slot kPinSlotBase + k
constexpr uint32_t kDefaultSceneSize = 128;
constexpr uint32_t kMaxSceneSize = 1024;
constexpr size_t kFrameHistory = 120;
constexpr const char* kFontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";  // fonts-dejavu-core, optional
static_assert(kMaxRestyleRefinementSteps == SG_MAX_RESTYLE_REFINEMENT_STEPS, "the state file's limit is the SDK's");

// FNV-1a: identifies what a texture layer holds.
struct Hasher {
    uint64_t value = 1469598103934665603ull;
    void bytes(const void* data, size_t size) {
        for (size_t i = 0; i < size; ++i) {
            value ^= static_cast<const uint8_t*>(data)[i];
            value *= 1099511628211ull;
        }
    }
    template <typename T>
    void add(const T& v) {
        bytes(&v, sizeof(v));
    }
};

uint64_t itemKey(const GenerateJob& job, const GenerateItem& item) {
    Hasher h;
    h.bytes(job.model->info.contentHash, sizeof(job.model->info.contentHash));
    for (float w : job.styleWeights) h.add(w);
    if (job.styleWeights.empty()) h.add(item.styleIndex);
    h.add(job.psi);
    h.add(job.noise);
    h.add(job.width);
    h.add(job.height);
    h.add(item.seed);
    h.add(job.mixing);
    if (job.mixing) h.add(item.mixSeed), h.add(item.mixLayer);
    h.add(job.explicitNoise);
    if (job.explicitNoise) h.add(item.noiseSeed);
    h.add(job.interpolating);
    if (job.interpolating) h.add(item.lerpSeed), h.add(item.lerpAmount);
    return h.value == 0 ? 1 : h.value;
}

std::string styleList(const LoadedModel& model) {
    std::string list;
    for (const std::string& s : model.styles) list += (list.empty() ? "" : ", ") + s;
    return list;
}

// A recipe checked against its model: style names to indices, sizes resolved.
// False with *error naming what does not fit.
bool makeJob(const Recipe& recipe, const std::shared_ptr<const LoadedModel>& model, uint32_t slot, GenerateJob* job,
             uint32_t* styleIndex, std::string* error) {
    const LoadedModel& m = *model;
    job->slot = slot;
    job->model = model;
    auto find = [&](const std::string& name, uint32_t* index) {
        for (uint32_t i = 0; i < m.styles.size(); ++i)
            if (m.styles[i] == name) return *index = i, true;
        *error = "style \"" + name + "\" is not in " + m.name + " (styles: " + styleList(m) + ")";
        return false;
    };
    *styleIndex = 0;
    if (!recipe.blend.empty()) {
        job->styleWeights.assign(m.styles.size(), 0.0f);
        float sum = 0.0f;
        for (const auto& [name, weight] : recipe.blend) {
            uint32_t index = 0;
            if (!find(name, &index)) return false;
            job->styleWeights[index] = weight;
            sum += weight;
        }
        if (!(sum > 0.0f)) return *error = "the blend's weights are all 0", false;
    } else if (!recipe.style.empty() && !find(recipe.style, styleIndex)) {
        return false;
    }
    job->psi = recipe.psi;
    job->noise = recipe.noise;
    job->mixing = recipe.mix.has_value();
    job->explicitNoise = recipe.noiseSeed.has_value();
    if (recipe.mix && recipe.mix->layer > m.info.wLayerCount)
        return *error = "the crossover layer " + std::to_string(recipe.mix->layer) + " is above " + m.name + "'s " +
                        std::to_string(m.info.wLayerCount) + " w layers",
               false;
    job->width = recipe.width ? recipe.width : m.info.resolution;
    job->height = recipe.height ? recipe.height : m.info.resolution;
    if (m.info.kind == SG_MODEL_KIND_CHARACTER && (job->width != m.info.resolution || job->height != m.info.resolution))
        return *error = m.name + " is a character model: it makes " + std::to_string(m.info.resolution) + "x" +
                        std::to_string(m.info.resolution) + " images only",
               false;
    if (job->width % m.info.blockSize || job->height % m.info.blockSize || job->width > kMaxSceneSize ||
        job->height > kMaxSceneSize)
        return *error = "size " + std::to_string(job->width) + "x" + std::to_string(job->height) + " must be multiples of " +
                        std::to_string(m.info.blockSize) + " up to " + std::to_string(kMaxSceneSize),
               false;
    return true;
}

GenerateItem item(const Recipe& recipe, uint32_t layer, uint32_t styleIndex, uint64_t seed) {
    GenerateItem i;
    i.layer = layer;
    i.styleIndex = styleIndex;
    i.seed = seed;
    if (recipe.mix) i.mixSeed = recipe.mix->seed, i.mixLayer = recipe.mix->layer;
    if (recipe.noiseSeed) i.noiseSeed = *recipe.noiseSeed;
    return i;
}

void checkImGuiVk(VkResult result) {
    if (result < 0) throw VulkanError(std::string("Dear ImGui's Vulkan backend: ") + vkResultName(result));
}

// Ctrl+C or a SIGTERM ends the run like closing the window: settings are
// saved and everything is torn down (the idle wait wakes up at least 4 times a second).
volatile std::sig_atomic_t g_stopRequested = 0;
void requestStop(int) { g_stopRequested = 1; }

void logFromSdk(void* user, SgLogLevel level, const char* message) {
    if (level >= SG_LOG_LEVEL_WARNING) {
        std::fprintf(stderr, "stylegen-viewer: sdk %s: %s\n", level == SG_LOG_LEVEL_ERROR ? "error" : "warning",
                     message);
        ++*static_cast<std::atomic<size_t>*>(user);
    }
}

// [SECTION] The application ---------------------------------------------------

class App {
public:
    explicit App(const Options& options) : options_(options) {}
    ~App() { shutdown(); }
    int run();

private:
    struct PinSlot {
        uint32_t id = 0;
        std::shared_ptr<Texture> texture;
        uint64_t key = 0;   // what the pin should show
        std::string error;  // its recipe does not fit its model (reported once)
    };
    struct Posted {
        uint64_t textureId = 0;
        std::vector<uint64_t> keys;
    };
    enum class Script { Settling, Capture, Writing, Done };

    void setUp();
    void setUpImGui();
    void shutdown();
    // Models and pins.
    void openModel(const std::string& path);
    void activate(const std::shared_ptr<const LoadedModel>& model);
    std::shared_ptr<const LoadedModel> modelFor(const std::string& path);
    void togglePin(uint32_t cell);
    bool applyPrompt(const std::string& prompt, std::string* error);
    // Generation.
    void takeWorkerResults();
    void plan();
    void planSlot(uint32_t slot, std::shared_ptr<Texture>& texture, GenerateJob job, uint32_t layers,
                  std::vector<uint64_t>* desired);
    void drop(uint32_t slot);
    bool restyleWanted() const;
    void planRestyle();
    void takeRestyleResults();
    void reportRestyle(const std::string& problem);
    bool settled() const;
    // Panels.
    PanelContext panelContext();
    void apply(const PanelActions& actions);
    void exportPng(const std::string& path);
    void exportSheet(const std::string& path);
    void exportManifest(int scope, const std::string& path);
    void exportRestyle(const std::string& path);
    void saveState(const std::string& path);
    std::string exportPath(const std::string& suffix) const;
    void say(const std::string& text, bool error = false);
    // The frame.
    bool frame();  // false when no frame could be drawn (window minimised or resized)
    void writeReport();

    const Options options_;
    bool persistent_ = false;
    std::string configFolder_;
    Settings settings_;
    ViewerState state_;
    UiState ui_;

    GLFWwindow* window_ = nullptr;
    bool glfwStarted_ = false;
    std::unique_ptr<Gpu> gpu_;
    VkSurfaceKHR surface_ = VK_NULL_HANDLE;
    std::unique_ptr<Presenter> presenter_;
    SgContext context_ = nullptr;
    SgVulkanDevice sdkDevice_ = nullptr;
    std::atomic<size_t> sdkWarnings_{0};
    std::string backend_, path_;
    uint32_t threads_ = 0;
    VkSemaphore timeline_ = VK_NULL_HANDLE;
    std::atomic<uint64_t> submitted_{0};  // the last timeline value a submission signals (the worker reads it)
    bool inPlace_ = false;                // the SDK writes images on the GPU, outside our command buffers
    VkDescriptorPool imguiPool_ = VK_NULL_HANDLE;
    bool imguiVulkan_ = false, imguiGlfw_ = false;
    std::unique_ptr<Textures> textures_;
    std::unique_ptr<Drawing> drawing_;
    std::unique_ptr<GenerationWorker> worker_;
    std::unique_ptr<RestyleWorker> restyler_;

    std::map<std::string, std::shared_ptr<const LoadedModel>> models_;
    std::set<std::string> loading_;
    std::map<std::string, std::string> loadErrors_;
    std::string wantedModel_;  // the model the user asked for last
    std::shared_ptr<const LoadedModel> model_;

    std::shared_ptr<Texture> grid_, thumbnails_, strip_;
    std::vector<uint64_t> gridKeys_, thumbnailKeys_, stripKeys_;
    std::vector<PinSlot> pinSlots_;  // parallel to state_.pins
    uint32_t nextPinId_ = 0;
    std::map<uint32_t, Posted> posted_;

    // The Restyle view: the input as read and sgRestyle's result, one layer
    // each, keyed like the generated textures.
    std::shared_ptr<Texture> restyleInput_, restyleOutput_;
    uint64_t restyleKey_ = 0;       // what the state asks for now (0: nothing)
    uint64_t restyleInputKey_ = 0;  // the input it names (path and file stamp)
    uint64_t restylePosted_ = 0;    // the last request posted
    uint64_t restyleResultKey_ = 0; // the last result taken, and its error
    std::string restyleResultError_;
    std::string restyleProblem_;    // why the state cannot be restyled (no encoder, a style the model lacks)
    std::string restyleReported_;   // the last problem reported (each once)
    double restyleMs_ = 0.0;

    std::string message_;
    bool messageIsError_ = false;
    std::string manifestPreview_;
    std::deque<float> frameMs_;
    Clock::time_point lastFrame_ = Clock::now();
    struct FrameStats {
        uint64_t frames = 0;
        double totalMs = 0.0, worstMs = 0.0;
    };
    FrameStats generatingFrames_, idleFrames_;  // for --report: does generation slow the UI down?
    bool generating_ = false;                   // the worker was busy during the last frame
    bool quit_ = false;
    int failures_ = 0;  // scripted mode: errors that make the run fail
    PanelContext lastContext_;

    Script script_ = Script::Settling;
    uint32_t settledFrames_ = 0;
    Clock::time_point start_ = Clock::now();
    int pendingWrites_ = 0;  // scripted exports waiting for readbacks
    uint64_t frames_ = 0;
};

// [SECTION] Set-up and teardown -----------------------------------------------

void App::setUp() {
    persistent_ = !options_.scripted() || !options_.configDir.empty();
    if (persistent_) {
        configFolder_ = configFolder(options_.configDir);
        std::string warning;
        settings_ = readSettings(configFolder_, &warning);
        if (!warning.empty()) std::fprintf(stderr, "stylegen-viewer: %s\n", warning.c_str());
    }
    if (!options_.state.empty()) state_ = readStateFile(options_.state);
    else if (settings_.windowWidth > 0) state_.windowWidth = settings_.windowWidth, state_.windowHeight = settings_.windowHeight;
    if (options_.width > 0) state_.windowWidth = options_.width, state_.windowHeight = options_.height;
    if (!options_.model.empty()) state_.recipe.model = fs::absolute(options_.model).lexically_normal().string();
    else if (state_.recipe.model.empty() && options_.state.empty()) state_.recipe.model = settings_.lastModel;
    ui_.exportFolderField = settings_.exportFolder;

    GpuSetup setup;
    setup.validation = options_.validation;
    if (!options_.headless) {
        glfwSetErrorCallback([](int code, const char* text) {
            std::fprintf(stderr, "stylegen-viewer: GLFW error %d: %s\n", code, text);
        });
        if (!glfwInit()) throw std::runtime_error("no display: GLFW cannot initialise (is DISPLAY set?)");
        glfwStarted_ = true;
        if (!glfwVulkanSupported()) throw VulkanError("GLFW finds no Vulkan loader with window-system support");
        uint32_t count = 0;
        const char** names = glfwGetRequiredInstanceExtensions(&count);
        for (uint32_t i = 0; i < count; ++i) setup.instanceExtensions.push_back(names[i]);
        setup.presentation = true;
        glfwWindowHint(GLFW_CLIENT_API, GLFW_NO_API);
        window_ = glfwCreateWindow(int(state_.windowWidth), int(state_.windowHeight), "stylegen viewer", nullptr,
                                   nullptr);
        if (!window_) throw std::runtime_error("no display: GLFW cannot open a window");
        glfwSetWindowUserPointer(window_, this);
        glfwSetDropCallback(window_, [](GLFWwindow* window, int count, const char** paths) {
            auto* app = static_cast<App*>(glfwGetWindowUserPointer(window));
            for (int i = 0; i < count; ++i) {
                const fs::path path(paths[i]);
                if (path.extension() == ".sgm") app->openModel(paths[i]);
                if (path.extension() == ".png") {  // an image to restyle
                    app->state_.restyle.image = fs::absolute(path).lexically_normal().string();
                    app->state_.tab = ViewTab::Restyle;
                }
            }
        });
    }
    if (options_.scripted() && state_.recipe.model.empty())
        throw std::runtime_error("the scripted mode needs a model: --model, or \"model\" in the --state file");
    gpu_ = std::make_unique<Gpu>(setup);
    if (window_) SG_VIEWER_VK(glfwCreateWindowSurface(gpu_->instance, window_, nullptr, &surface_));
    gpu_->createDevice(surface_);

    SgContextCreateInfo contextInfo{};
    contextInfo.sType = SG_STRUCTURE_TYPE_CONTEXT_CREATE_INFO;
    contextInfo.apiVersion = SG_API_VERSION;
    // Leave a core to the UI (and, on lavapipe, to rendering): generation on
    // every core makes frames stutter while it runs.
    const uint32_t hardware = std::max(1u, std::thread::hardware_concurrency());
    contextInfo.threadCount = options_.threads ? options_.threads : std::max(1u, hardware - 1);
    contextInfo.pfnLog = &logFromSdk;
    contextInfo.pLogUserData = &sdkWarnings_;
    if (SgResult r = sgCreateContext(&contextInfo, nullptr, &context_); r != SG_SUCCESS)
        throw std::runtime_error(std::string("sgCreateContext: ") + sgResultString(r) + ": " +
                                 sgGetLastErrorMessage(nullptr));
    SgContextInfo info{};
    info.sType = SG_STRUCTURE_TYPE_CONTEXT_INFO;
    sgGetContextInfo(context_, &info);
    backend_ = std::string(info.pBackendName) + " (" + info.pBackendDescription + ")";
    threads_ = info.threadCount;

    SgVulkanDeviceCreateInfo deviceInfo{};
    deviceInfo.sType = SG_STRUCTURE_TYPE_VULKAN_DEVICE_CREATE_INFO;
    deviceInfo.instance = gpu_->instance;
    deviceInfo.physicalDevice = gpu_->physicalDevice;
    deviceInfo.device = gpu_->device;
    deviceInfo.pDeviceCreateInfo = &gpu_->deviceCreateInfo;
    deviceInfo.apiVersion = Gpu::kApiVersion;
    deviceInfo.queueFamilyIndex = gpu_->queueFamily;
    deviceInfo.pfnGetInstanceProcAddr = vkGetInstanceProcAddr;
    if (SgResult r = sgCreateVulkanDevice(context_, &deviceInfo, &sdkDevice_); r != SG_SUCCESS)
        throw std::runtime_error(std::string("sgCreateVulkanDevice: ") + sgResultString(r) + ": " +
                                 sgGetLastErrorMessage(context_));
    SgVulkanDeviceInfo vulkanInfo{};
    vulkanInfo.sType = SG_STRUCTURE_TYPE_VULKAN_DEVICE_INFO;
    sgGetVulkanDeviceInfo(sdkDevice_, &vulkanInfo);
    std::string why = vulkanInfo.pPathDescription;
    if (const size_t colon = why.find(": "); colon != std::string::npos) why = why.substr(colon + 2);
    path_ = std::string(vulkanInfo.path == SG_VULKAN_PATH_EXTERNAL_MEMORY ? "CUDA interop (external memory)"
                                                                          : "CPU staging") +
            ": " + why;

    // The external-memory path waits for our earlier work through this
    // semaphore (imagesReadySemaphore), so it must be exportable there.
    inPlace_ = vulkanInfo.path == SG_VULKAN_PATH_EXTERNAL_MEMORY;
    VkExportSemaphoreCreateInfo exportInfo{};
    exportInfo.sType = VK_STRUCTURE_TYPE_EXPORT_SEMAPHORE_CREATE_INFO;
    exportInfo.handleTypes = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT;
    VkSemaphoreTypeCreateInfo type{};
    type.sType = VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO;
    type.pNext = inPlace_ ? &exportInfo : nullptr;
    type.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE;
    VkSemaphoreCreateInfo semaphoreInfo{};
    semaphoreInfo.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO;
    semaphoreInfo.pNext = &type;
    SG_VIEWER_VK(vkCreateSemaphore(gpu_->device, &semaphoreInfo, nullptr, &timeline_));

    VkExtent2D extent{state_.windowWidth, state_.windowHeight};
    if (window_) {
        int w = 0, h = 0;
        glfwGetFramebufferSize(window_, &w, &h);
        extent = {uint32_t(w), uint32_t(h)};
    }
    presenter_ = std::make_unique<Presenter>(*gpu_, surface_, extent);
    textures_ = std::make_unique<Textures>(*gpu_, sdkDevice_);
    drawing_ = std::make_unique<Drawing>(*gpu_, presenter_->renderPass(), textures_->setLayout());
    setUpImGui();
    worker_ = std::make_unique<GenerationWorker>(*gpu_, context_, sdkDevice_, timeline_, &submitted_, inPlace_);
    restyler_ = std::make_unique<RestyleWorker>(context_);

    for (size_t i = 0; i < state_.pins.size(); ++i) pinSlots_.push_back({nextPinId_++, nullptr, 0, ""});
    if (!state_.recipe.model.empty()) openModel(state_.recipe.model);
    else say("Open a model: File > Open model, or drop a .sgm file on the window");
}

void App::setUpImGui() {
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // written atomically by the viewer instead (settings.hpp)
    if (window_) io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;  // headless has no keys to map
    io.ConfigWindowsMoveFromTitleBarOnly = true;  // dragging inside the views pans, it must not move windows
    if (persistent_) {
        std::string ini;
        if (readTextFile(imguiIniPath(configFolder_), &ini)) {
            ImGui::LoadIniSettingsFromMemory(ini.data(), ini.size());
            ui_.resetLayout = false;  // the saved layout wins
        }
    }
    ImGui::StyleColorsDark();
    ImGuiStyle& style = ImGui::GetStyle();
    style.WindowRounding = 0.0f;
    style.FrameRounding = 3.0f;
    style.GrabRounding = 3.0f;
    style.TabRounding = 3.0f;
    style.WindowBorderSize = 1.0f;
    style.FramePadding = ImVec2(6.0f, 4.0f);
    style.ItemSpacing = ImVec2(8.0f, 5.0f);
    ImVec4* colours = style.Colors;
    colours[ImGuiCol_WindowBg] = ImVec4(0.105f, 0.11f, 0.125f, 1.0f);
    colours[ImGuiCol_Header] = ImVec4(0.22f, 0.24f, 0.29f, 1.0f);
    colours[ImGuiCol_HeaderHovered] = ImVec4(0.30f, 0.33f, 0.40f, 1.0f);
    colours[ImGuiCol_HeaderActive] = ImVec4(0.35f, 0.38f, 0.46f, 1.0f);
    colours[ImGuiCol_TitleBgActive] = ImVec4(0.16f, 0.17f, 0.20f, 1.0f);
    colours[ImGuiCol_TitleBg] = ImVec4(0.13f, 0.14f, 0.16f, 1.0f);
    colours[ImGuiCol_Tab] = ImVec4(0.18f, 0.19f, 0.23f, 1.0f);
    colours[ImGuiCol_TabActive] = ImVec4(0.34f, 0.37f, 0.46f, 1.0f);
    colours[ImGuiCol_TabHovered] = ImVec4(0.42f, 0.46f, 0.56f, 1.0f);
    colours[ImGuiCol_CheckMark] = ImVec4(1.0f, 0.74f, 0.24f, 1.0f);
    colours[ImGuiCol_SliderGrab] = ImVec4(1.0f, 0.74f, 0.24f, 0.85f);
    colours[ImGuiCol_SliderGrabActive] = ImVec4(1.0f, 0.80f, 0.35f, 1.0f);
    colours[ImGuiCol_PlotHistogram] = ImVec4(1.0f, 0.74f, 0.24f, 0.85f);
    std::error_code ec;
    if (fs::exists(kFontPath, ec)) io.Fonts->AddFontFromFileTTF(kFontPath, 15.0f);

    if (window_) {
        ImGui_ImplGlfw_InitForVulkan(window_, true);
        imguiGlfw_ = true;
    } else {
        io.DisplaySize = ImVec2(float(presenter_->extent().width), float(presenter_->extent().height));
        io.BackendPlatformName = "stylegen-viewer headless";
    }
    VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1};
    VkDescriptorPoolCreateInfo poolInfo{};
    poolInfo.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
    poolInfo.flags = VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT;
    poolInfo.maxSets = 1;  // the font; the viewer's textures have their own pool
    poolInfo.poolSizeCount = 1;
    poolInfo.pPoolSizes = &size;
    SG_VIEWER_VK(vkCreateDescriptorPool(gpu_->device, &poolInfo, nullptr, &imguiPool_));
    ImGui_ImplVulkan_InitInfo init{};
    init.Instance = gpu_->instance;
    init.PhysicalDevice = gpu_->physicalDevice;
    init.Device = gpu_->device;
    init.QueueFamily = gpu_->queueFamily;
    init.Queue = gpu_->queue;
    init.DescriptorPool = imguiPool_;
    init.MinImageCount = Presenter::kFramesInFlight;
    init.ImageCount = Presenter::kFramesInFlight + 1;  // its vertex buffers rotate; more than the frames in flight
    init.MSAASamples = VK_SAMPLE_COUNT_1_BIT;
    init.CheckVkResultFn = &checkImGuiVk;
    ImGui_ImplVulkan_Init(&init, presenter_->renderPass());
    imguiVulkan_ = true;

    // Upload the font atlas once, waiting for it: start-up only.
    VkCommandPoolCreateInfo poolCreate{};
    poolCreate.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
    poolCreate.queueFamilyIndex = gpu_->queueFamily;
    VkCommandPool pool = VK_NULL_HANDLE;
    SG_VIEWER_VK(vkCreateCommandPool(gpu_->device, &poolCreate, nullptr, &pool));
    VkCommandBufferAllocateInfo allocate{};
    allocate.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
    allocate.commandPool = pool;
    allocate.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    allocate.commandBufferCount = 1;
    VkCommandBuffer cmd = VK_NULL_HANDLE;
    SG_VIEWER_VK(vkAllocateCommandBuffers(gpu_->device, &allocate, &cmd));
    VkCommandBufferBeginInfo begin{};
    begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    SG_VIEWER_VK(vkBeginCommandBuffer(cmd, &begin));
    ImGui_ImplVulkan_CreateFontsTexture(cmd);
    SG_VIEWER_VK(vkEndCommandBuffer(cmd));
    VkSubmitInfo submit{};
    submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &cmd;
    SG_VIEWER_VK(vkQueueSubmit(gpu_->queue, 1, &submit, VK_NULL_HANDLE));
    SG_VIEWER_VK(vkQueueWaitIdle(gpu_->queue));
    ImGui_ImplVulkan_DestroyFontUploadObjects();
    vkDestroyCommandPool(gpu_->device, pool, nullptr);
}

void App::shutdown() {
    if (gpu_ && gpu_->device) vkDeviceWaitIdle(gpu_->device);
    if (worker_) {
        worker_->stop();
        // Recorded but never submitted: release the SDK's staging memory from the host.
        for (Batch& batch : worker_->takeBatches())
            for (const SgVulkanSubmitSync& sync : batch.syncs) {
                VkSemaphoreSignalInfo signal{};
                signal.sType = VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO;
                signal.semaphore = sync.signalSemaphore;
                signal.value = sync.signalValue;
                vkSignalSemaphore(gpu_->device, &signal);
            }
        worker_.reset();
    }
    restyler_.reset();  // waits for a running restyle
    restyleInput_.reset();
    restyleOutput_.reset();
    grid_.reset();
    thumbnails_.reset();
    strip_.reset();
    pinSlots_.clear();
    model_.reset();
    models_.clear();
    if (textures_) textures_->collect(submitted_, UINT64_MAX);  // nothing is in flight any more
    textures_.reset();
    drawing_.reset();
    if (imguiVulkan_) ImGui_ImplVulkan_Shutdown();
    if (imguiGlfw_) ImGui_ImplGlfw_Shutdown();
    if (ImGui::GetCurrentContext()) ImGui::DestroyContext();
    imguiVulkan_ = imguiGlfw_ = false;
    if (imguiPool_) vkDestroyDescriptorPool(gpu_->device, imguiPool_, nullptr);
    imguiPool_ = VK_NULL_HANDLE;
    presenter_.reset();
    if (timeline_) vkDestroySemaphore(gpu_->device, timeline_, nullptr);
    timeline_ = VK_NULL_HANDLE;
    if (sdkDevice_) sgDestroyVulkanDevice(context_, sdkDevice_);
    sdkDevice_ = nullptr;
    if (context_) sgDestroyContext(context_, nullptr);
    context_ = nullptr;
    if (gpu_) {
        gpu_->destroyDevice();
        if (surface_) vkDestroySurfaceKHR(gpu_->instance, surface_, nullptr);
        surface_ = VK_NULL_HANDLE;
        gpu_->destroyInstance();
    }
    if (window_) glfwDestroyWindow(window_);
    window_ = nullptr;
    if (glfwStarted_) glfwTerminate();
    glfwStarted_ = false;
}

// [SECTION] Models and pins ---------------------------------------------------

void App::openModel(const std::string& path) {
    if (path.empty()) return;
    const std::string absolute = fs::absolute(path).lexically_normal().string();
    wantedModel_ = absolute;
    ui_.modelPathField = absolute;
    if (auto it = models_.find(absolute); it != models_.end()) return activate(it->second);
    loadErrors_.erase(absolute);
    if (loading_.insert(absolute).second) worker_->load(absolute);
    say("Loading " + absolute + " ...");
}

std::shared_ptr<const LoadedModel> App::modelFor(const std::string& path) {
    if (auto it = models_.find(path); it != models_.end()) return it->second;
    if (!loadErrors_.count(path) && loading_.insert(path).second) worker_->load(path);
    return nullptr;
}

void App::activate(const std::shared_ptr<const LoadedModel>& model) {
    const bool switching = model_ != model;
    const bool fromState = model_ == nullptr;  // the recipe came from a state file or the last run
    model_ = model;
    Recipe& recipe = state_.recipe;
    recipe.model = model->path;
    // Fit the recipe to the model: a state file or the previous model may not.
    std::string problem;
    bool reported = false;
    if (!state_.prompt.empty()) {  // a state file's prompt, now that the model can read it
        std::string error;
        if (!applyPrompt(state_.prompt, &error)) {
            say("\"prompt\": " + error + "; showing " + model->styles.front(), true);
            reported = true;
            if (options_.scripted()) ++failures_;
        }
        state_.prompt.clear();
    }
    GenerateJob probe;
    uint32_t styleIndex = 0;
    if (!recipe.style.empty() || !recipe.blend.empty())
        if (!makeJob(recipe, model, kGridSlot, &probe, &styleIndex, &problem) && problem.rfind("style", 0) == 0) {
            if (fromState) {  // a typo in a state file must not pass silently
                say(problem + "; showing " + model->styles.front(), true);
                reported = true;
                if (options_.scripted()) ++failures_;
            }
            recipe.style.clear();
            recipe.blend.clear();
        }
    if (recipe.style.empty() && recipe.blend.empty()) recipe.style = model->styles.front();
    std::string& source = state_.restyle.source;
    if (!source.empty() && std::find(model->styles.begin(), model->styles.end(), source) == model->styles.end()) {
        if (fromState) {
            say("the restyle source style \"" + source + "\" is not in " + model->name + " (styles: " + styleList(*model) +
                    "); using auto",
                true);
            reported = true;
            if (options_.scripted()) ++failures_;
        }
        source.clear();
    }
    if (recipe.mix) recipe.mix->layer = std::min(recipe.mix->layer, model->info.wLayerCount);
    if (model->info.kind == SG_MODEL_KIND_CHARACTER) {
        recipe.width = recipe.height = 0;
    } else if (recipe.width == 0) {
        recipe.width = recipe.height = std::max(kDefaultSceneSize / model->info.blockSize, 1u) * model->info.blockSize;
    }
    if (switching) ui_.modelPathField = model->path;
    settings_.rememberModel(model->path);
    if (persistent_) {
        std::string error;
        if (!writeSettings(configFolder_, settings_, &error)) say(error, true), reported = true;
    }
    if (!reported) say("Opened " + model->path);
}

void App::togglePin(uint32_t cell) {
    if (!model_) return;
    const uint64_t seed = state_.seed + cell;
    for (size_t i = 0; i < state_.pins.size(); ++i)
        if (state_.pins[i].seed == seed && state_.pins[i].recipe == state_.recipe) {
            state_.pins.erase(state_.pins.begin() + std::ptrdiff_t(i));
            drop(kPinSlotBase + pinSlots_[i].id);
            pinSlots_.erase(pinSlots_.begin() + std::ptrdiff_t(i));
            if (state_.floorPin == int(i)) state_.floorPin = -1;
            else if (state_.floorPin > int(i)) --state_.floorPin;
            say("Unpinned seed " + std::to_string(seed));
            return;
        }
    state_.pins.push_back({state_.recipe, seed});
    pinSlots_.push_back({nextPinId_++, nullptr, 0, ""});
    say("Pinned seed " + std::to_string(seed));
}

// Sets the recipe's style or blend from a style prompt ("orcs:0.7 + undead:0.3")
// through sgParseStylePrompt; one named style becomes that style. False with
// *error: the SDK's message (the recipe is left alone).
bool App::applyPrompt(const std::string& prompt, std::string* error) {
    std::vector<float> weights(model_->styles.size(), 0.0f);
    if (SgResult r = sgParseStylePrompt(model_->handle, prompt.c_str(), uint32_t(weights.size()), weights.data());
        r != SG_SUCCESS) {
        *error = sgGetLastErrorMessage(context_);
        return false;
    }
    Recipe& recipe = state_.recipe;
    const auto named = std::count_if(weights.begin(), weights.end(), [](float w) { return w > 0.0f; });
    recipe.style.clear();
    recipe.blend.clear();
    for (size_t i = 0; i < weights.size(); ++i) {
        if (named == 1 && weights[i] > 0.0f) recipe.style = model_->styles[i];
        if (named > 1) recipe.blend.emplace_back(model_->styles[i], weights[i]);  // every style: the panel's sliders
    }
    return true;
}

// [SECTION] Generation --------------------------------------------------------

void App::takeWorkerResults() {
    for (ModelLoad& load : worker_->takeLoads()) {
        loading_.erase(load.path);
        if (!load.model) {
            loadErrors_[load.path] = load.error;
            say("Cannot open " + load.path + ": " + load.error, true);
            if (options_.scripted()) ++failures_;
            continue;
        }
        models_[load.path] = load.model;
        if (load.path == wantedModel_) activate(load.model);
    }
    const GenerationWorker::Status status = worker_->status();
    if (!status.failure.empty()) throw VulkanError("generation worker: " + status.failure);

    std::vector<Batch> batches = worker_->takeBatches();
    std::vector<VkSubmitInfo2> submits;
    std::vector<VkCommandBufferSubmitInfo> commands;
    std::vector<std::vector<VkSemaphoreSubmitInfo>> waits, signals;
    commands.reserve(batches.size());
    waits.reserve(batches.size());
    signals.reserve(batches.size());
    std::vector<Batch*> submitted;
    for (Batch& batch : batches) {
        if (!batch.error.empty()) {
            say("Generation failed: " + batch.error, true);
            if (options_.scripted()) ++failures_;
        }
        if (!batch.cmd) continue;
        bool live = batch.target == grid_ || batch.target == thumbnails_ || batch.target == strip_;
        for (const PinSlot& pin : pinSlots_) live = live || batch.target == pin.texture;
        if (!live) {  // its texture was replaced meanwhile: never submit, release the staging from the host
            for (const SgVulkanSubmitSync& sync : batch.syncs) {
                VkSemaphoreSignalInfo signal{};
                signal.sType = VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO;
                signal.semaphore = sync.signalSemaphore;
                signal.value = sync.signalValue;
                SG_VIEWER_VK(vkSignalSemaphore(gpu_->device, &signal));
            }
            worker_->recycle(batch.cmd, 0);
            continue;
        }
        std::vector<VkSemaphoreSubmitInfo>& w = waits.emplace_back();
        std::vector<VkSemaphoreSubmitInfo>& s = signals.emplace_back();
        for (const SgVulkanSubmitSync& sync : batch.syncs) {
            if (sync.waitSemaphore) {
                VkSemaphoreSubmitInfo info{};
                info.sType = VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO;
                info.semaphore = sync.waitSemaphore;
                info.value = sync.waitValue;
                info.stageMask = sync.waitStageMask;
                w.push_back(info);
            }
            VkSemaphoreSubmitInfo info{};
            info.sType = VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO;
            info.semaphore = sync.signalSemaphore;
            info.value = sync.signalValue;
            info.stageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
            s.push_back(info);
        }
        VkSemaphoreSubmitInfo mine{};
        mine.sType = VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO;
        mine.semaphore = timeline_;
        mine.value = ++submitted_;
        mine.stageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
        s.push_back(mine);
        VkCommandBufferSubmitInfo& command = commands.emplace_back();
        command = {};
        command.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_SUBMIT_INFO;
        command.commandBuffer = batch.cmd;
        VkSubmitInfo2 submit{};
        submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO_2;
        submit.waitSemaphoreInfoCount = uint32_t(w.size());
        submit.pWaitSemaphoreInfos = w.data();
        submit.commandBufferInfoCount = 1;
        submit.pCommandBufferInfos = &command;
        submit.signalSemaphoreInfoCount = uint32_t(s.size());
        submit.pSignalSemaphoreInfos = s.data();
        submits.push_back(submit);
        submitted.push_back(&batch);
    }
    if (submits.empty()) return;
    SG_VIEWER_VK(vkQueueSubmit2(gpu_->queue, uint32_t(submits.size()), submits.data(), VK_NULL_HANDLE));
    // Later frames are submitted after these, so they sample the new pixels.
    const uint64_t first = submitted_ - submits.size() + 1;
    for (size_t i = 0; i < submitted.size(); ++i) {
        Batch& batch = *submitted[i];
        worker_->recycle(batch.cmd, first + i);
        for (const GenerateItem& item : batch.items) batch.target->keys[item.layer] = item.key;
    }
}

void App::drop(uint32_t slot) {
    if (posted_.erase(slot)) worker_->cancel(slot);
}

void App::planSlot(uint32_t slot, std::shared_ptr<Texture>& texture, GenerateJob job, uint32_t layers,
                   std::vector<uint64_t>* desired) {
    if (!texture || texture->width != job.width || texture->height != job.height || texture->layers != layers)
        texture = textures_->create(job.width, job.height, layers);
    job.target = texture;
    desired->assign(layers, 0);
    for (GenerateItem& i : job.items) (*desired)[i.layer] = i.key = itemKey(job, i);
    Posted& posted = posted_[slot];
    if (posted.textureId == texture->id && posted.keys == *desired) return;  // already asked for
    posted.textureId = texture->id;
    posted.keys = *desired;
    job.items.erase(std::remove_if(job.items.begin(), job.items.end(),
                                   [&](const GenerateItem& i) { return texture->keys[i.layer] == i.key; }),
                    job.items.end());
    worker_->post(std::move(job));
}

void App::plan() {
    // Pins first: they may need their model loaded.
    for (size_t p = 0; p < state_.pins.size(); ++p) {
        const Pin& pin = state_.pins[p];
        PinSlot& slot = pinSlots_[p];
        const std::shared_ptr<const LoadedModel> model = modelFor(pin.recipe.model);
        if (!model) continue;
        GenerateJob job;
        uint32_t styleIndex = 0;
        std::string error;
        if (!makeJob(pin.recipe, model, kPinSlotBase + slot.id, &job, &styleIndex, &error)) {
            if (slot.error.empty()) {
                say("Pin of seed " + std::to_string(pin.seed) + ": " + error, true);
                if (options_.scripted()) ++failures_;
            }
            slot.error = error;
            continue;
        }
        slot.error.clear();
        job.items.push_back(item(pin.recipe, 0, styleIndex, pin.seed));
        std::vector<uint64_t> desired;
        planSlot(kPinSlotBase + slot.id, slot.texture, std::move(job), 1, &desired);
        slot.key = desired[0];
    }

    if (!model_) return;
    planRestyle();
    GenerateJob base;
    uint32_t styleIndex = 0;
    std::string error;
    if (!makeJob(state_.recipe, model_, kGridSlot, &base, &styleIndex, &error)) {
        if (message_ != error) say(error, true);
        return;
    }
    // The grid, the selection first.
    GenerateJob grid = base;
    const uint32_t cells = state_.cellCount();
    state_.selected = std::min(state_.selected, cells - 1);
    grid.items.push_back(item(state_.recipe, state_.selected, styleIndex, state_.selectedSeed()));
    for (uint32_t i = 0; i < cells; ++i)
        if (i != state_.selected) grid.items.push_back(item(state_.recipe, i, styleIndex, state_.seed + i));
    planSlot(kGridSlot, grid_, std::move(grid), cells, &gridKeys_);

    // Each style alone at the selected seed, small.
    GenerateJob thumbs = base;
    thumbs.slot = kThumbnailSlot;
    thumbs.styleWeights.clear();
    if (model_->info.kind == SG_MODEL_KIND_SCENE) {
        const uint32_t side = std::max(64u / model_->info.blockSize, 1u) * model_->info.blockSize;
        thumbs.width = thumbs.height = side;
    }
    for (uint32_t s = 0; s < model_->styles.size(); ++s)
        thumbs.items.push_back(item(state_.recipe, s, s, state_.selectedSeed()));
    planSlot(kThumbnailSlot, thumbnails_, std::move(thumbs), uint32_t(model_->styles.size()), &thumbnailKeys_);

    // The interpolation's frames, only while they are shown: w moves from the
    // selected seed to the second one; the noise stays the selection's, so the
    // first frame is the selected image and nothing flickers on the way.
    if (state_.tab == ViewTab::Interpolation) {
        GenerateJob strip = base;
        strip.slot = kStripSlot;
        strip.explicitNoise = true;
        strip.interpolating = true;
        for (uint32_t k = 0; k <= kInterpolationSteps; ++k) {
            GenerateItem i = item(state_.recipe, k, styleIndex, state_.selectedSeed());
            i.noiseSeed = state_.recipe.noiseSeed.value_or(state_.selectedSeed());
            i.lerpSeed = state_.interpolationSeed;
            i.lerpAmount = float(k) / float(kInterpolationSteps);
            strip.items.push_back(i);
        }
        planSlot(kStripSlot, strip_, std::move(strip), kInterpolationSteps + 1, &stripKeys_);
    } else {
        drop(kStripSlot);
    }
}

bool App::restyleWanted() const {
    return model_ && (state_.tab == ViewTab::Restyle || !options_.exportRestyle.empty());
}

// The Restyle view's request from the state, posted when it changed: only
// while the view is shown (or a scripted export asks for it), as restyling
// costs a few generations.
void App::planRestyle() {
    restyleKey_ = restyleInputKey_ = 0;
    restyleProblem_.clear();
    if (!restyleWanted()) return;
    const LoadedModel& m = *model_;
    if (!m.restyleSupported) {
        reportRestyle(m.name + " has no restyle encoder, so it cannot restyle images. Open a model that has one, or "
                               "train one for it: stylegen-train --encoder-for " +
                      fs::path(m.path).filename().string() + " (docs/training.md)");
        return;
    }
    const RestyleSettings& settings = state_.restyle;
    if (settings.image.empty()) {
        if (!options_.exportRestyle.empty())
            reportRestyle("--export-restyle needs an image: \"restyle\": {\"image\": \"FILE.png\"} in the state file");
        return;
    }
    RestyleRequest request;
    GenerateJob target;
    std::string error;
    if (!makeJob(state_.recipe, model_, kGridSlot, &target, &request.styleIndex, &error)) return;  // plan() says why
    // activate() keeps the source one of the model's styles ("": auto).
    const auto source = std::find(m.styles.begin(), m.styles.end(), settings.source);
    request.sourceStyleIndex = source == m.styles.end() ? SG_STYLE_INDEX_AUTO : uint32_t(source - m.styles.begin());
    // The file's time and size: an image saved again from a paint program is read again.
    std::error_code ec;
    uint64_t stamp = 0;
    const auto written = fs::last_write_time(settings.image, ec);
    if (!ec) stamp = uint64_t(written.time_since_epoch().count()) * 31 + uint64_t(fs::file_size(settings.image, ec));
    request.model = model_;
    request.image = settings.image;
    request.imageStamp = stamp;
    request.styleWeights = target.styleWeights;
    request.strength = settings.strength;
    request.refinementSteps = settings.refinementSteps;
    restyleInputKey_ = RestyleWorker::inputKey(settings.image, stamp);
    Hasher h;
    h.bytes(m.info.contentHash, sizeof(m.info.contentHash));
    h.add(restyleInputKey_);
    for (float w : request.styleWeights) h.add(w);
    if (request.styleWeights.empty()) h.add(request.styleIndex);
    h.add(request.sourceStyleIndex);
    h.add(request.strength);
    h.add(request.refinementSteps);
    restyleKey_ = request.key = h.value == 0 ? 1 : h.value;
    if (restyleResultKey_ == restyleKey_ && !restyleResultError_.empty()) reportRestyle(restyleResultError_);
    else restyleReported_.clear();  // a problem that comes back is said again
    if (restylePosted_ == restyleKey_) return;
    restylePosted_ = restyleKey_;
    restyler_->post(std::move(request));
}

// Shown in the view; said once in the status bar (on stderr in scripted mode,
// where it fails the run: the state cannot be shown as asked).
void App::reportRestyle(const std::string& problem) {
    restyleProblem_ = problem;
    if (problem == restyleReported_) return;
    restyleReported_ = problem;
    say(problem, true);
    if (options_.scripted()) ++failures_;
}

void App::takeRestyleResults() {
    auto place = [this](std::shared_ptr<Texture>& texture, uint64_t key, sg::cli::Image image) {
        if (!texture || texture->width != image.width || texture->height != image.height)
            texture = textures_->create(image.width, image.height, 1);
        texture->keys[0] = key;  // the upload lands in this frame, before anything draws it
        textures_->upload(texture, 0, std::move(image));
    };
    for (RestyleResult& result : restyler_->takeResults()) {
        if (!result.input.pixels.empty() && (!restyleInput_ || restyleInput_->keys[0] != result.inputKey)) {
            place(restyleInput_, result.inputKey, std::move(result.input));
            if (settings_.recentImages.empty() || settings_.recentImages.front() != result.image) {
                settings_.rememberImage(result.image);
                std::string error;
                if (persistent_ && !writeSettings(configFolder_, settings_, &error)) say(error, true);
            }
        }
        if (!result.output.pixels.empty()) {
            place(restyleOutput_, result.key, std::move(result.output));
            restyleMs_ = result.milliseconds;
        }
        restyleResultKey_ = result.key;
        restyleResultError_ = result.error;
    }
}

bool App::settled() const {
    if (!model_ || !loading_.empty() || worker_->status().busy || textures_->readbacksPending()) return false;
    auto current = [](const std::shared_ptr<Texture>& t, const std::vector<uint64_t>& keys) {
        return t && t->keys == keys;
    };
    if (!current(grid_, gridKeys_) || !current(thumbnails_, thumbnailKeys_)) return false;
    if (state_.tab == ViewTab::Interpolation && !current(strip_, stripKeys_)) return false;
    if (restyleWanted() && restyleKey_ != 0) {
        if (restyler_->busy()) return false;
        const bool shown = restyleOutput_ && restyleOutput_->keys[0] == restyleKey_;
        if (!shown && restyleResultKey_ != restyleKey_) return false;  // not restyled yet (an error also settles)
    }
    for (size_t p = 0; p < pinSlots_.size(); ++p)
        if (!loadErrors_.count(state_.pins[p].recipe.model) && pinSlots_[p].error.empty() &&
            (!pinSlots_[p].texture || pinSlots_[p].texture->keys[0] != pinSlots_[p].key))
            return false;
    return ui_.shownTab == state_.tab;
}

// [SECTION] Panels' context and actions, exports -------------------------------

PanelContext App::panelContext() {
    PanelContext c;
    c.drawing = drawing_.get();
    c.model = model_.get();
    if (!wantedModel_.empty() && (!model_ || model_->path != wantedModel_)) {
        if (loading_.count(wantedModel_)) c.modelStatus = "Loading " + wantedModel_ + " ...";
        else if (auto it = loadErrors_.find(wantedModel_); it != loadErrors_.end())
            c.modelStatus = "Cannot open " + wantedModel_ + ": " + it->second;
    }
    auto refs = [](const std::shared_ptr<Texture>& texture, const std::vector<uint64_t>& keys) {
        std::vector<TextureRef> out;
        if (!texture) return out;
        for (uint32_t i = 0; i < texture->layers; ++i)
            out.push_back({texture.get(), i, i < keys.size() && texture->keys[i] == keys[i]});
        return out;
    };
    if (model_) {
        c.width = grid_ ? grid_->width : model_->info.resolution;
        c.height = grid_ ? grid_->height : model_->info.resolution;
        c.grid = refs(grid_, gridKeys_);
        c.thumbnails = refs(thumbnails_, thumbnailKeys_);
        if (state_.tab == ViewTab::Interpolation) c.strip = refs(strip_, stripKeys_);
        if (restyleInput_)
            c.restyle.before = {restyleInput_.get(), 0, restyleInputKey_ != 0 && restyleInput_->keys[0] == restyleInputKey_};
        if (restyleOutput_)
            c.restyle.after = {restyleOutput_.get(), 0, restyleKey_ != 0 && restyleOutput_->keys[0] == restyleKey_};
        c.restyle.problem = !restyleProblem_.empty() ? restyleProblem_
                            : restyleKey_ != 0 && restyleResultKey_ == restyleKey_ ? restyleResultError_
                                                                                   : "";
        c.restyle.working = restyler_->busy();
        c.restyle.milliseconds = restyleMs_;
        c.pinned.assign(state_.cellCount(), false);
        for (const Pin& pin : state_.pins)
            if (pin.recipe == state_.recipe && pin.seed >= state_.seed && pin.seed < state_.seed + state_.cellCount())
                c.pinned[pin.seed - state_.seed] = true;
    }
    int latestScenePin = -1;
    for (size_t p = 0; p < state_.pins.size(); ++p) {
        const Pin& pin = state_.pins[p];
        const PinSlot& slot = pinSlots_[p];
        PinView view;
        const auto model = models_.find(pin.recipe.model);
        const std::string modelName = model != models_.end() ? model->second->name : fs::path(pin.recipe.model).stem().string();
        view.label = modelName + " / " + styleLabel(pin.recipe) + " / " + std::to_string(pin.seed);
        if (slot.texture) view.image = {slot.texture.get(), 0, slot.texture->keys[0] == slot.key};
        view.sceneModel = model != models_.end() && model->second->info.kind == SG_MODEL_KIND_SCENE;
        if (view.sceneModel) latestScenePin = int(p);
        if (model != models_.end() && model->second->info.kind == SG_MODEL_KIND_CHARACTER && slot.texture)
            c.characters.push_back(view.image);
        c.pins.push_back(view);
    }
    // Scene preview: the open model's images where they fit, pins otherwise.
    if (model_ && model_->info.kind == SG_MODEL_KIND_CHARACTER) {
        std::vector<TextureRef> characters = c.grid;
        c.selectedCharacter = int(state_.selected);
        characters.insert(characters.end(), c.characters.begin(), c.characters.end());
        c.characters = characters;
    }
    if (model_ && model_->info.kind == SG_MODEL_KIND_SCENE && state_.selected < c.grid.size()) {
        c.floor = c.grid[state_.selected];
        c.floorTexelsPerUnit = float(model_->info.resolution);
        c.floorLabel = "the selection";
    } else {
        const int floor = state_.floorPin >= 0 && size_t(state_.floorPin) < c.pins.size() && c.pins[size_t(state_.floorPin)].sceneModel
                              ? state_.floorPin
                              : latestScenePin;
        if (floor >= 0) {
            c.floor = c.pins[size_t(floor)].image;
            c.floorTexelsPerUnit = float(models_.at(state_.pins[size_t(floor)].recipe.model)->info.resolution);
            c.floorLabel = "pin " + c.pins[size_t(floor)].label;
        } else {
            c.floorLabel = "none pinned";
        }
    }
    c.worker = worker_->status();
    c.backend = backend_;
    c.path = path_;
    c.device = gpu_->deviceName;
    c.threads = threads_;
    c.frameMs.assign(frameMs_.begin(), frameMs_.end());
    c.settings = &settings_;
    c.message = message_;
    c.messageIsError = messageIsError_;
    c.manifestPreview = manifestPreview_;
    c.scripted = options_.scripted();
    return c;
}

void App::say(const std::string& text, bool error) {
    message_ = text;
    messageIsError_ = error;
    if (error && options_.scripted()) std::fprintf(stderr, "stylegen-viewer: %s\n", text.c_str());
}

std::string App::exportPath(const std::string& suffix) const {
    const std::string style = fileNamePart(styleLabel(state_.recipe));
    const std::string name = fileNamePart(model_->name) + "_" + style + "_" + suffix;
    const std::string folder = settings_.exportFolder.empty() ? "." : settings_.exportFolder;
    return (fs::path(folder) / name).string();
}

void App::exportPng(const std::string& path) {
    if (!grid_ || state_.selected >= gridKeys_.size() || grid_->keys[state_.selected] != gridKeys_[state_.selected]) {
        say("The selection is still being generated: export again in a moment", true);
        return;
    }
    ++pendingWrites_;
    textures_->readback(grid_, state_.selected, 1, [this, path](std::vector<sg::cli::Image> images) {
        --pendingWrites_;
        std::string error;
        if (sg::cli::writePngAtomically(path, images.front(), &error)) say("Wrote " + path);
        else say(error, true), ++failures_;
    });
}

void App::exportRestyle(const std::string& path) {
    if (restyleKey_ == 0 || !restyleOutput_ || restyleOutput_->keys[0] != restyleKey_) {
        say("Nothing restyled to export yet: open an image in the Restyle view and wait for the result", true);
        if (options_.scripted()) ++failures_;
        return;
    }
    ++pendingWrites_;
    textures_->readback(restyleOutput_, 0, 1, [this, path](std::vector<sg::cli::Image> images) {
        --pendingWrites_;
        std::string error;
        if (sg::cli::writePngAtomically(path, images.front(), &error)) say("Wrote " + path);
        else say(error, true), ++failures_;
    });
}

void App::exportSheet(const std::string& path) {
    if (!grid_ || grid_->keys != gridKeys_) {
        say("The grid is still being generated: export again in a moment", true);
        return;
    }
    ++pendingWrites_;
    const uint32_t columns = state_.columns;
    const uint64_t first = state_.seed;
    textures_->readback(grid_, 0, grid_->layers, [this, path, columns, first](std::vector<sg::cli::Image> images) {
        --pendingWrites_;
        std::string error;
        if (sg::cli::writePngAtomically(path, gridSheet(images, columns, first), &error)) say("Wrote " + path);
        else say(error, true), ++failures_;
    });
}

void App::exportManifest(int scope, const std::string& path) {
    std::vector<ManifestEntry> entries;
    const std::string style = fileNamePart(styleLabel(state_.recipe));
    if (scope == 0) {
        entries.push_back(
            {style + "_" + std::to_string(state_.selectedSeed()), state_.recipe, {state_.selectedSeed()}, std::nullopt});
    } else if (scope == 1) {
        ManifestEntry entry{style + "_" + std::to_string(state_.seed), state_.recipe, {}, std::nullopt};
        for (uint32_t i = 0; i < state_.cellCount(); ++i) entry.seeds.push_back(state_.seed + i);
        entries.push_back(entry);
    } else if (scope == 3) {
        const uint64_t seed = state_.selectedSeed();
        ManifestEntry entry{style + "_" + std::to_string(seed) + "_to_" + std::to_string(state_.interpolationSeed),
                            state_.recipe, std::vector<uint64_t>(kInterpolationSteps + 1, seed), ManifestInterpolation{}};
        entry.interpolation->targetSeed = state_.interpolationSeed;
        entry.interpolation->noiseSeed = state_.recipe.noiseSeed.value_or(seed);
        for (uint32_t k = 0; k <= kInterpolationSteps; ++k)
            entry.interpolation->amounts.push_back(float(k) / float(kInterpolationSteps));
        entries.push_back(entry);
    } else {
        for (size_t p = 0; p < state_.pins.size(); ++p) {
            const Pin& pin = state_.pins[p];
            entries.push_back({"pin" + std::to_string(p) + "_" + fileNamePart(styleLabel(pin.recipe)), pin.recipe,
                               {pin.seed}, std::nullopt});
        }
        if (entries.empty()) return say("Nothing is pinned", true);
    }
    const std::string folder = fs::absolute(path).parent_path().string();
    manifestPreview_ = bakeManifest(entries, folder);
    std::string error;
    if (writeTextFileAtomically(path, manifestPreview_, &error))
        say("Wrote " + path + ": bake it with `stylegen bake " + path + " -o DIR`");
    else
        say(error, true), ++failures_;
}

void App::saveState(const std::string& path) {
    if (window_) {
        int w = 0, h = 0;
        glfwGetWindowSize(window_, &w, &h);
        state_.windowWidth = uint32_t(std::max(w, 320));
        state_.windowHeight = uint32_t(std::max(h, 320));
    }
    std::string error;
    const std::string folder = fs::absolute(path).parent_path().string();
    if (writeTextFileAtomically(path, stateToJson(state_, folder), &error)) say("Wrote " + path);
    else say(error, true), ++failures_;
}

void App::apply(const PanelActions& actions) {
    if (!actions.openModel.empty()) openModel(actions.openModel);
    if (actions.exportFolder) {
        settings_.exportFolder = *actions.exportFolder;
        if (persistent_) {
            std::string error;
            if (!writeSettings(configFolder_, settings_, &error)) say(error, true);
        }
    }
    if (actions.quit) quit_ = true;
    if (actions.restorePin >= 0 && size_t(actions.restorePin) < state_.pins.size()) {
        const Pin pin = state_.pins[size_t(actions.restorePin)];
        state_.recipe = pin.recipe;
        state_.seed = pin.seed - std::min<uint64_t>(pin.seed, state_.selected);
        state_.selected = uint32_t(pin.seed - state_.seed);
        openModel(pin.recipe.model);
    }
    if (actions.removePin >= 0 && size_t(actions.removePin) < state_.pins.size()) {
        const size_t i = size_t(actions.removePin);
        state_.pins.erase(state_.pins.begin() + std::ptrdiff_t(i));
        drop(kPinSlotBase + pinSlots_[i].id);
        pinSlots_.erase(pinSlots_.begin() + std::ptrdiff_t(i));
        if (state_.floorPin == int(i)) state_.floorPin = -1;
        else if (state_.floorPin > int(i)) --state_.floorPin;
    }
    if (!model_) return;
    if (actions.prompt) {
        std::string error;
        if (applyPrompt(*actions.prompt, &error)) {
            ui_.promptError.clear();
            ui_.promptSynced.clear();  // the field shows the recipe as the viewer writes it
            say("Style: " + stylePrompt(state_.recipe));
        } else {
            ui_.promptError = error;
        }
    }
    if (actions.exportRestyle) {
        const std::string stem = fs::path(state_.restyle.image).stem().string();
        exportRestyle(exportPath("restyled-" + fileNamePart(stem) + ".png"));
    }
    if (actions.togglePin) togglePin(state_.selected);
    if (actions.pinCell >= 0) togglePin(uint32_t(actions.pinCell));
    if (actions.exportPng) exportPng(exportPath(std::to_string(state_.selectedSeed()) + ".png"));
    if (actions.exportSheet)
        exportSheet(exportPath("seeds" + std::to_string(state_.seed) + "-" +
                               std::to_string(state_.seed + state_.cellCount() - 1) + ".png"));
    if (actions.exportManifest >= 0) {
        const char* scopes[] = {"selection", "grid", "pins", "animation"};
        exportManifest(actions.exportManifest,
                       exportPath(std::to_string(state_.selectedSeed()) + "." + scopes[actions.exportManifest] +
                                  ".manifest.json"));
    }
    if (actions.copyManifest) {
        ImGui::SetClipboardText(manifestPreview_.c_str());
        say("Copied the manifest to the clipboard");
    }
    if (actions.saveState) saveState(exportPath(std::to_string(state_.selectedSeed()) + ".state.json"));
}

// [SECTION] The frame ---------------------------------------------------------

bool App::frame() {
    const Clock::time_point now = Clock::now();
    const float ms = std::chrono::duration<float, std::milli>(now - lastFrame_).count();
    lastFrame_ = now;
    if (frames_++ > 0) {
        frameMs_.push_back(ms);
        if (frameMs_.size() > kFrameHistory) frameMs_.pop_front();
        FrameStats& stats = generating_ ? generatingFrames_ : idleFrames_;
        ++stats.frames;
        stats.totalMs += ms;
        stats.worstMs = std::max(stats.worstMs, double(ms));
    }
    generating_ = worker_->status().busy;

    takeWorkerResults();
    takeRestyleResults();
    ImGui_ImplVulkan_NewFrame();
    if (window_) {
        ImGui_ImplGlfw_NewFrame();
        if (options_.scripted()) {  // screenshots show no hover or tooltip from wherever the pointer is
            ImGuiIO& io = ImGui::GetIO();
            io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
            for (bool& down : io.MouseDown) down = false;
            io.MouseWheel = io.MouseWheelH = 0.0f;
        }
    } else {
        ImGuiIO& io = ImGui::GetIO();
        io.DeltaTime = 1.0f / 60.0f;
        io.DisplaySize = ImVec2(float(presenter_->extent().width), float(presenter_->extent().height));
    }
    ImGui::NewFrame();
    drawing_->beginFrame();
    PanelContext context = panelContext();
    PanelActions actions;
    drawPanels(state_, ui_, context, actions);
    lastContext_ = context;
    apply(actions);
    plan();
    ImGui::Render();

    VkExtent2D windowExtent = presenter_->extent();
    if (window_) {
        int w = 0, h = 0;
        glfwGetFramebufferSize(window_, &w, &h);
        windowExtent = {uint32_t(std::max(w, 0)), uint32_t(std::max(h, 0))};
    }
    if (!presenter_->beginFrame(windowExtent)) return false;
    VkCommandBuffer cmd = presenter_->commandBuffer();
    textures_->recordPending(cmd, submitted_ + 1);
    const float clear[4] = {0.08f, 0.085f, 0.095f, 1.0f};
    presenter_->beginRenderPass(clear);
    drawing_->setTarget(cmd);
    ImGui_ImplVulkan_RenderDrawData(ImGui::GetDrawData(), cmd);
    presenter_->endRenderPass();
    const bool capture = script_ == Script::Capture && !options_.screenshot.empty();
    if (capture) presenter_->captureFrame();
    presenter_->endFrame(timeline_, ++submitted_);
    if (capture) {
        std::string error;
        if (sg::cli::writePngAtomically(options_.screenshot, presenter_->takeCapture(), &error))
            std::fprintf(stderr, "stylegen-viewer: wrote %s\n", options_.screenshot.c_str());
        else
            std::fprintf(stderr, "stylegen-viewer: %s\n", error.c_str()), ++failures_;
    }
    uint64_t completed = 0;
    SG_VIEWER_VK(vkGetSemaphoreCounterValue(gpu_->device, timeline_, &completed));
    textures_->collect(submitted_, completed);

    if (persistent_ && ImGui::GetIO().WantSaveIniSettings) {
        size_t size = 0;
        const char* ini = ImGui::SaveIniSettingsToMemory(&size);
        std::string error;
        std::error_code ec;
        fs::create_directories(configFolder_, ec);
        if (writeTextFileAtomically(imguiIniPath(configFolder_), std::string(ini, size), &error))
            ImGui::GetIO().WantSaveIniSettings = false;
    }
    return true;
}

// [SECTION] Scripted mode -----------------------------------------------------

void App::writeReport() {
    nlohmann::ordered_json report;
    report["device"] = gpu_->deviceName;
    report["backend"] = backend_;
    report["path"] = path_;
    report["model"] = model_ ? model_->path : "";
    report["selected_seed"] = state_.selectedSeed();
    report["texture"] = {lastContext_.width, lastContext_.height};
    auto placement = [](const ViewPlacement& p) {
        return nlohmann::ordered_json{{"origin", {p.origin.x, p.origin.y}},
                                      {"zoom", p.zoom},
                                      {"clip", {p.clipMin.x, p.clipMin.y, p.clipMax.x, p.clipMax.y}},
                                      {"filter", p.nearest ? "nearest" : "linear"},
                                      {"checker", p.checker},
                                      {"checker_square", 8},
                                      {"checker_colours", {kCheckerLight, kCheckerDark}}};
    };
    if (lastContext_.placement.valid) report["large_view"] = placement(lastContext_.placement);
    if (restyleWanted()) {  // the Restyle view: where the input and the result were drawn
        nlohmann::ordered_json restyle;
        restyle["image"] = state_.restyle.image;
        restyle["ms"] = restyleMs_;
        if (lastContext_.restyleBefore.valid) restyle["before"] = placement(lastContext_.restyleBefore);
        if (lastContext_.restyleAfter.valid) restyle["after"] = placement(lastContext_.restyleAfter);
        report["restyle"] = restyle;
    }
    const GenerationWorker::Status status = worker_->status();
    report["ms_per_image"] = status.msPerImage;
    report["ms_per_batch"] = status.msPerBatch;
    report["frames"] = frames_;
    for (const auto& [name, stats] : {std::make_pair("frames_while_generating", generatingFrames_),
                                      std::make_pair("frames_while_idle", idleFrames_)})
        report[name] = {{"count", stats.frames},
                        {"ms_mean", stats.frames ? stats.totalMs / double(stats.frames) : 0.0},
                        {"ms_worst", stats.worstMs}};
    report["seconds"] = std::chrono::duration<double>(Clock::now() - start_).count();
    std::string error;
    if (!writeTextFileAtomically(options_.report, report.dump(2) + "\n", &error))
        std::fprintf(stderr, "stylegen-viewer: %s\n", error.c_str()), ++failures_;
}

int App::run() {
    setUp();
    std::signal(SIGINT, requestStop);
    std::signal(SIGTERM, requestStop);
    while (!quit_ && !g_stopRequested && !(window_ && glfwWindowShouldClose(window_))) {
        const bool animating = state_.playing && state_.tab == ViewTab::Interpolation;
        const bool busy =
            worker_->status().busy || restyler_->busy() || textures_->readbacksPending() || !settled();
        if (window_) {
            // Idle: sleep until input (or a quarter second), sparing the CPU for others.
            if (options_.scripted() || busy || animating) glfwPollEvents();
            else glfwWaitEventsTimeout(0.25);
        }
        const bool drawn = frame();
        if (!options_.scripted()) continue;

        if (failures_ > 0 && script_ == Script::Settling) break;
        if (std::chrono::duration<double>(Clock::now() - start_).count() > options_.timeoutSeconds) {
            std::fprintf(stderr, "stylegen-viewer: timed out after %.0f s waiting for generation\n",
                         options_.timeoutSeconds);
            ++failures_;
            break;
        }
        switch (script_) {
            case Script::Settling:
                settledFrames_ = settled() ? settledFrames_ + 1 : 0;
                if (settledFrames_ >= std::max(1u, options_.frames)) script_ = Script::Capture;
                break;
            case Script::Capture:  // the frame just rendered was captured
                if (!drawn) break;
                if (!options_.exportPng.empty()) exportPng(options_.exportPng);
                if (!options_.exportSheet.empty()) exportSheet(options_.exportSheet);
                if (!options_.exportManifest.empty()) exportManifest(0, options_.exportManifest);
                if (!options_.exportAnimation.empty()) exportManifest(3, options_.exportAnimation);
                if (!options_.exportRestyle.empty()) exportRestyle(options_.exportRestyle);
                if (!options_.saveState.empty()) saveState(options_.saveState);
                if (!options_.report.empty()) writeReport();
                script_ = Script::Writing;
                break;
            case Script::Writing:
                if (pendingWrites_ == 0) script_ = Script::Done;
                break;
            case Script::Done:
                break;
        }
        if (script_ == Script::Done) break;
    }
    if (persistent_) {
        if (window_) {
            int w = 0, h = 0;
            glfwGetWindowSize(window_, &w, &h);
            settings_.windowWidth = uint32_t(std::max(w, 320));
            settings_.windowHeight = uint32_t(std::max(h, 320));
        }
        std::string error;
        if (!writeSettings(configFolder_, settings_, &error)) std::fprintf(stderr, "stylegen-viewer: %s\n", error.c_str());
        size_t size = 0;
        const char* ini = ImGui::SaveIniSettingsToMemory(&size);
        if (!writeTextFileAtomically(imguiIniPath(configFolder_), std::string(ini, size), &error))
            std::fprintf(stderr, "stylegen-viewer: %s\n", error.c_str());
    }
    shutdown();
    int result = failures_ > 0 ? kExitFailure : kExitOk;
    if (options_.validation) {
        const size_t messages = gpu_->validationMessages() + sdkWarnings_.load();
        if (messages > 0) {
            std::fprintf(stderr, "stylegen-viewer: %zu validation or SDK warning message(s): failing the run\n", messages);
            result = kExitFailure;
        }
    }
    return result;
}

}  // namespace

int runViewer(const Options& options) {
    App app(options);
    try {
        return app.run();
    } catch (const VulkanUnavailable& e) {
        std::fprintf(stderr, "stylegen-viewer: cannot run here: %s\n", e.what());
        return kExitUnavailable;
    } catch (const std::exception& e) {
        const std::string what = e.what();
        std::fprintf(stderr, "stylegen-viewer: %s\n", what.c_str());
        return what.rfind("no display", 0) == 0 ? kExitUnavailable : kExitFailure;
    }
}

}  // namespace sg::viewer
