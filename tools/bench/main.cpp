// stylegen-bench: libstylegen's CPU backend against the LibTorch generator on
// the same .sgm weights, same thread count, same batch, in one run.
//
//   stylegen-bench models/characters.sgm models/terrain.sgm --json out/bench.json --plot out/bench.png
//
// Every case (model, size, batch, threads) is measured --reps times,
// interleaved: each repetition runs every case once, the SDK and LibTorch back
// to back (alternating which goes first), so a change of load on the machine
// hits both sides alike. Reported: the median over the repetitions and the
// spread (half the min-max range). Next to them: the CPU backend's GFLOP/s
// (direct-convolution-equivalent, workload.hpp) for the whole pass and for
// its 3x3 conv layers alone (cpu_profile.hpp), the measured FMA peak
// (peak_probe.hpp), peak resident memory per image, and a loop of
// --leak-images generations that must not grow the process.
#include <stylegen/stylegen.hpp>

#include <dlfcn.h>
#include <malloc.h>
#include <nlohmann/json.hpp>
#include <sys/utsname.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <thread>

#include "cpu_profile.hpp"
#include "model/sampling.hpp"
#include "model/sgm_io.hpp"
#include "peak_probe.hpp"
#include "plot.hpp"
#include "png_file.hpp"  // tools/cli: writeFileAtomically
#include "process_memory.hpp"
#include "stats.hpp"
#include "workload.hpp"

namespace {

using sgbench::Summary;
using Json = nlohmann::ordered_json;

const char* kUsage = R"(usage: stylegen-bench MODEL.sgm... [options]

Times libstylegen's CPU backend against the LibTorch generator on the same
weights (same threads, same batch), interleaved over repetitions, and prints
tables: speed, GFLOP/s against the measured FMA peak, where the CPU backend's
time goes, memory.

  --threads LIST      thread counts for both sides (default 1,2)
  --batches LIST      batch sizes (default 1,8,32)
  --scene-size WxH    also time scene models at this size (default 256x256; none: skip)
  --reps N            interleaved repetitions (default 5)
  --min-seconds S     shortest single measurement (default 0.3)
  --leak-images N     generate N textures one by one and check the process does
                      not grow (default 10000; 0: skip)
  --json PATH         write every sample and summary as JSON
  --plot PATH.png     draw speed-ups and GFLOP/s
)";

struct Options {
    std::vector<std::string> models;
    std::vector<uint32_t> threads = {1, 2};
    std::vector<uint32_t> batches = {1, 8, 32};
    uint32_t sceneWidth = 256, sceneHeight = 256;
    int reps = 5;
    double minSeconds = 0.3;
    uint32_t leakImages = 10000;
    std::string jsonPath, plotPath;
};

[[noreturn]] void usageError(const std::string& message) {
    std::fprintf(stderr, "stylegen-bench: %s\n", message.c_str());
    std::exit(2);
}

std::vector<uint32_t> parseList(const std::string& v) {
    std::vector<uint32_t> out;
    for (size_t p = 0; p < v.size();) {
        const size_t q = std::min(v.find(',', p), v.size());
        const unsigned long n = std::stoul(v.substr(p, q - p));
        if (n == 0 || n > 4096) usageError("list values must be in 1..4096, got '" + v + "'");
        out.push_back(uint32_t(n));
        p = q + 1;
    }
    if (out.empty()) usageError("empty list");
    return out;
}

Options parseOptions(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usageError(a + " needs a value");
            return argv[++i];
        };
        try {
            if (a == "-h" || a == "--help") {
                std::fputs(kUsage, stdout);
                std::exit(0);
            } else if (a == "--threads") {
                o.threads = parseList(value());
            } else if (a == "--batches") {
                o.batches = parseList(value());
            } else if (a == "--scene-size") {
                const std::string v = value();
                if (v == "none") {
                    o.sceneWidth = o.sceneHeight = 0;
                } else if (std::sscanf(v.c_str(), "%ux%u", &o.sceneWidth, &o.sceneHeight) != 2 || !o.sceneWidth ||
                           !o.sceneHeight) {
                    usageError("--scene-size wants WxH or none, got '" + v + "'");
                }
            } else if (a == "--reps") {
                o.reps = std::stoi(value());
                if (o.reps < 1) usageError("--reps must be at least 1");
            } else if (a == "--min-seconds") {
                o.minSeconds = std::stod(value());
            } else if (a == "--leak-images") {
                o.leakImages = uint32_t(std::stoul(value()));
            } else if (a == "--json") {
                o.jsonPath = value();
            } else if (a == "--plot") {
                o.plotPath = value();
            } else if (!a.empty() && a[0] == '-') {
                usageError("unknown option '" + a + "'");
            } else {
                o.models.push_back(a);
            }
        } catch (const std::logic_error&) {  // stoi, stoul, stod
            usageError("bad value for " + a);
        }
    }
    if (o.models.empty()) {
        std::fputs(kUsage, stderr);
        std::exit(2);
    }
    return o;
}

// [SECTION] Machine and conditions ------------------------------------------------

std::string firstLineWith(const char* path, const std::string& key) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(key, 0) == 0) {
            const size_t colon = line.find(':');
            return colon == std::string::npos ? line : line.substr(colon + 2);
        }
    return "unknown";
}

std::string loadAverage() {
    std::ifstream in("/proc/loadavg");
    double one = 0, five = 0, fifteen = 0;
    in >> one >> five >> fifteen;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f %.2f %.2f", one, five, fifteen);
    return buf;
}

std::string utcNow() {
    const std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
}

// Which BLAS LibTorch's process mapped (Debian switches it via alternatives).
std::string blasInUse() {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line)) {
        const size_t pos = line.find('/');
        if (pos == std::string::npos) continue;
        const std::string path = line.substr(pos);
        if (path.find("libblas") != std::string::npos || path.find("openblas") != std::string::npos ||
            path.find("libmkl") != std::string::npos)
            return path;
    }
    return "none mapped";
}

// OpenBLAS has its own threads, which torch::set_num_threads does not set.
using SetBlasThreads = void (*)(int);
SetBlasThreads openblasSetThreads() {
    return reinterpret_cast<SetBlasThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
}

double secondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double processCpuSeconds() {
    timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

// Seconds per image of fn (one batch per call), over calls lasting at least
// minSeconds; *cpuPerImage receives the process CPU time per image.
double timePerImage(const std::function<void()>& fn, uint32_t batch, double minSeconds, double* cpuPerImage) {
    size_t calls = 0;
    const double cpuStart = processCpuSeconds();
    const auto start = std::chrono::steady_clock::now();
    double elapsed = 0;
    do {
        fn();
        ++calls;
        elapsed = secondsSince(start);
    } while (elapsed < minSeconds);
    *cpuPerImage = (processCpuSeconds() - cpuStart) / double(calls * batch);
    return elapsed / double(calls * batch);
}

// [SECTION] The cases -----------------------------------------------------------------

struct Model {
    std::string path, name;
    sgt::LoadedModel torch;
    std::unique_ptr<sgbench::CpuProfiler> profiler;
    std::map<uint32_t, sg::Model> sdk;  // by thread count (one context each)
    bool scene = false;
};

struct Case {
    Model* model = nullptr;
    uint32_t width = 0, height = 0, batch = 0, threads = 0;
    sgbench::Workload work;
    std::vector<double> sdk, torch, ratio;  // seconds per image; torch / sdk of the same repetition
    std::vector<double> sdkCpu;             // process CPU seconds per image of the SDK measurements
    std::vector<sgbench::PhaseTimes> phases;
    double sdkPeakBytes = 0, torchPeakBytes = 0;  // extra resident memory of one call
    std::vector<float> sdkOut;
    sgt::SampleRequest torchRequest;
    sg::GenerateInfo sdkRequest;

    std::string label() const {
        return model->name + " " + std::to_string(width) + "x" + std::to_string(height) + " b" +
               std::to_string(batch) + " t" + std::to_string(threads);
    }
};

void prepareRequests(Case& c) {
    const uint32_t styles = uint32_t(c.model->torch.meta.styles.size());
    c.sdkRequest.count = c.batch;
    c.sdkRequest.firstSeed = 1;
    c.sdkRequest.firstNoiseSeed = 1;
    c.sdkRequest.styleIndex = 0;
    c.sdkRequest.truncationPsi = 0.7f;
    c.sdkRequest.width = c.width;
    c.sdkRequest.height = c.height;
    c.sdkRequest.format = SG_FORMAT_R32G32B32A32_SFLOAT;
    c.sdkRequest.alphaMode = SG_ALPHA_MODE_PREMULTIPLIED;
    c.sdkOut.resize(size_t(c.batch) * c.width * c.height * 4);
    for (uint32_t i = 0; i < c.batch; ++i) c.torchRequest.seeds.push_back(1 + i);
    c.torchRequest.styleWeights.assign(std::max(styles, 1u), 0.0f);
    c.torchRequest.styleWeights[0] = 1.0f;
    c.torchRequest.truncationPsi = 0.7f;
    c.torchRequest.width = c.width;
    c.torchRequest.height = c.height;
}

struct Runner {
    SetBlasThreads setBlasThreads = openblasSetThreads();

    void sdkOnce(Case& c) {
        c.model->sdk.at(c.threads).generateInto(c.sdkRequest, c.sdkOut.data(), c.sdkOut.size() * sizeof(float));
    }
    void torchOnce(Case& c) {
        torch::set_num_threads(int(c.threads));
        if (setBlasThreads) setBlasThreads(int(c.threads));
        sgt::sample(c.model->torch.generator, c.model->torch.wAvg, c.torchRequest);
    }
    double sdkTime(Case& c, double minSeconds) {
        double cpu = 0;
        const double t = timePerImage([&] { sdkOnce(c); }, c.batch, minSeconds, &cpu);
        c.sdkCpu.push_back(cpu);
        return t;
    }
    double torchTime(Case& c, double minSeconds) {
        double cpu = 0;
        const double t = timePerImage([&] { torchOnce(c); }, c.batch, minSeconds, &cpu);
        // OpenBLAS and OpenMP threads spin for a while after their last task:
        // let them go to sleep before the next measurement starts.
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        return t;
    }
};

// Extra resident bytes while fn runs once. Free heap pages go back to the
// system first, so that what fn allocates shows as new resident memory.
double peakDuring(const std::function<void()>& fn) {
    malloc_trim(0);
    const size_t before = sgbench::readMemory().residentBytes;
    if (!sgbench::resetPeakResident()) return 0;
    fn();
    const size_t peak = sgbench::readMemory().peakBytes;
    return peak > before ? double(peak - before) : 0.0;
}

Json summaryJson(const Summary& s, double scale) {
    return Json{{"median", s.median * scale}, {"min", s.min * scale}, {"max", s.max * scale}};
}

Json samplesJson(const std::vector<double>& v, double scale) {
    Json a = Json::array();
    for (double x : v) a.push_back(x * scale);
    return a;
}

}  // namespace

int main(int argc, char** argv) {
    const Options opt = parseOptions(argc, argv);
    std::string command;
    for (int i = 0; i < argc; ++i) command += (i ? " " : "") + std::string(argv[i]);
    const std::string date = utcNow(), loadAtStart = loadAverage();
    torch::NoGradGuard noGrad;

    // Models: LibTorch, the SDK (one context per thread count) and the in-process profiler.
    std::map<uint32_t, sg::Context> contexts;
    for (uint32_t t : opt.threads) {
        sg::ContextCreateInfo info;
        info.threadCount = t;
        info.backendPreference = SG_BACKEND_PREFERENCE_CPU;
        contexts.emplace(t, sg::Context(info));
    }
    std::vector<std::unique_ptr<Model>> models;
    for (const std::string& path : opt.models) {
        auto m = std::make_unique<Model>();
        m->path = path;
        std::string error;
        if (!sgt::importModel(path, &m->torch, &error)) {
            std::fprintf(stderr, "stylegen-bench: %s\n", error.c_str());
            return 1;
        }
        m->profiler = sgbench::CpuProfiler::load(path, m->torch.generator->options, &error);
        if (!m->profiler) {
            std::fprintf(stderr, "stylegen-bench: %s: %s\n", path.c_str(), error.c_str());
            return 1;
        }
        try {
            for (auto& [t, context] : contexts) m->sdk.emplace(t, context.loadModel(path));
        } catch (const sg::Error& e) {
            std::fprintf(stderr, "stylegen-bench: %s: %s\n", path.c_str(), e.what());
            return 1;
        }
        m->name = m->torch.meta.name.empty() ? path : m->torch.meta.name;
        m->scene = m->torch.generator->options.kind() == sgt::ModelKind::Scene;
        models.push_back(std::move(m));
    }

    std::vector<Case> cases;
    for (auto& m : models) {
        const auto& o = m->torch.generator->options;
        std::vector<std::pair<uint32_t, uint32_t>> sizes = {{uint32_t(o.resolution()), uint32_t(o.resolution())}};
        if (m->scene && opt.sceneWidth && (opt.sceneWidth != sizes[0].first || opt.sceneHeight != sizes[0].second))
            sizes.push_back({opt.sceneWidth, opt.sceneHeight});
        for (auto [w, h] : sizes)
            for (uint32_t b : opt.batches)
                for (uint32_t t : opt.threads) {
                    Case c;
                    c.model = m.get();
                    c.width = w;
                    c.height = h;
                    c.batch = b;
                    c.threads = t;
                    c.work = sgbench::countFlops(o, w, h);
                    prepareRequests(c);
                    cases.push_back(std::move(c));
                }
    }

    Runner runner;
    const std::string blas = blasInUse();
    std::printf("stylegen-bench %s, %s (%u logical CPUs), load %s\n", date.c_str(),
                firstLineWith("/proc/cpuinfo", "model name").c_str(), std::thread::hardware_concurrency(),
                loadAtStart.c_str());
    std::printf("CPU backend kernels %s; FMA peak probe %s; LibTorch %s, BLAS %s%s\n",
                sgbench::CpuProfiler::kernelSetName(), sgbench::fmaPeakIsa(), TORCH_VERSION, blas.c_str(),
                runner.setBlasThreads ? " (threads set per case)" : "");
    std::printf("%zu cases x %d repetitions, interleaved\n", cases.size(), opt.reps);
    std::fflush(stdout);

    // Warm-up: first-touch allocations, thread start, caches.
    for (Case& c : cases) {
        runner.sdkOnce(c);
        runner.torchOnce(c);
        c.model->profiler->run(c.threads, c.width, c.height, c.batch, 0.0);
    }

    std::map<uint32_t, std::vector<double>> peakSamples;
    for (int rep = 0; rep < opt.reps; ++rep) {
        for (uint32_t t : opt.threads) peakSamples[t].push_back(sgbench::measureFmaPeak(t, 0.2));
        for (Case& c : cases) {
            double sdk = 0, lt = 0;
            if (rep % 2 == 0) {
                sdk = runner.sdkTime(c, opt.minSeconds);
                lt = runner.torchTime(c, opt.minSeconds);
            } else {
                lt = runner.torchTime(c, opt.minSeconds);
                sdk = runner.sdkTime(c, opt.minSeconds);
            }
            c.sdk.push_back(sdk);
            c.torch.push_back(lt);
            c.ratio.push_back(lt / sdk);
            c.phases.push_back(c.model->profiler->run(c.threads, c.width, c.height, c.batch, opt.minSeconds));
        }
        std::printf("repetition %d of %d done, load %s\n", rep + 1, opt.reps, loadAverage().c_str());
        std::fflush(stdout);
    }

    // Memory: what one call adds to the resident set, in a fresh context, at
    // the largest thread count (the SDK allocates per call, not per thread).
    const size_t processPeakBeforeReset = sgbench::readMemory().peakBytes;
    size_t processPeak = processPeakBeforeReset;
    for (Case& c : cases) {
        if (c.threads != opt.threads.back()) continue;
        sg::ContextCreateInfo info;
        info.threadCount = c.threads;
        info.backendPreference = SG_BACKEND_PREFERENCE_CPU;
        sg::Context fresh(info);
        sg::Model model = fresh.loadModel(c.model->path);
        std::vector<float> out(c.sdkOut.size());
        processPeak = std::max(processPeak, sgbench::readMemory().peakBytes);
        c.sdkPeakBytes = peakDuring([&] { model.generateInto(c.sdkRequest, out.data(), out.size() * sizeof(float)); });
        processPeak = std::max(processPeak, sgbench::readMemory().peakBytes);
        c.torchPeakBytes = peakDuring([&] { runner.torchOnce(c); });
        processPeak = std::max(processPeak, sgbench::readMemory().peakBytes);
    }

    // Leak check: many single textures through one context; the resident set
    // must settle after the first calls.
    Json leak;
    if (opt.leakImages > 0) {
        // A scene model's textures if there is one.
        const auto scene = std::find_if(models.begin(), models.end(), [](const auto& x) { return x->scene; });
        Model& m = scene != models.end() ? **scene : *models.front();
        sg::Model& model = m.sdk.at(opt.threads.back());
        sg::GenerateInfo info;
        info.format = SG_FORMAT_R8G8B8A8_UNORM;
        std::vector<uint8_t> out(size_t(model.info().resolution) * model.info().resolution * 4);
        const uint32_t step = std::max(1u, opt.leakImages / 10);
        Json samples = Json::array();
        const auto start = std::chrono::steady_clock::now();
        for (uint32_t i = 0; i < opt.leakImages; ++i) {
            info.firstSeed = info.firstNoiseSeed = 1000000 + i;
            info.styleIndex = i % model.info().styleCount;
            model.generateInto(info, out.data(), out.size());
            if ((i + 1) % step == 0)
                samples.push_back({{"images", i + 1}, {"resident_bytes", sgbench::readMemory().residentBytes}});
        }
        const double seconds = secondsSince(start);
        const double first = samples.front()["resident_bytes"].get<double>();
        const double last = samples.back()["resident_bytes"].get<double>();
        leak = {{"model", m.name}, {"images", opt.leakImages}, {"seconds", seconds}, {"samples", samples},
                {"growth_after_first_tenth_bytes", last - first}};
        std::printf("\nleak check: %u %s textures one by one in %.1f s; resident %.1f MiB after %u, %.1f MiB after "
                    "%u (%+.2f MiB)\n",
                    opt.leakImages, m.name.c_str(), seconds, first / 1048576, step, last / 1048576, opt.leakImages,
                    (last - first) / 1048576);
        processPeak = std::max(processPeak, sgbench::readMemory().peakBytes);
    }

    // [SECTION] Report --------------------------------------------------------------
    std::map<uint32_t, Summary> peak;
    for (auto& [t, v] : peakSamples) peak[t] = sgbench::summarize(v);
    std::printf("\nFMA peak (%s): ", sgbench::fmaPeakIsa());
    for (auto& [t, s] : peak) std::printf("%u thread(s) %.1f GFLOP/s (+-%.0f%%)  ", t, s.median, 100 * s.spread());
    std::printf("\n\n%-26s | %8s %5s %7s %7s %7s %5s | %8s %5s %7s %7s | %6s %5s\n", "case", "sdk ms", "+-%",
                "img/s", "GFLOP/s", "conv GF", "%peak", "torch ms", "+-%", "img/s", "GFLOP/s", "ratio", "+-%");

    using P = sg::cpu::Profile;
    Json jsonCases = Json::array();
    std::vector<sgbench::PlotRow> plotRows;
    for (const Case& c : cases) {
        const Summary sdk = sgbench::summarize(c.sdk), lt = sgbench::summarize(c.torch);
        const Summary ratio = sgbench::summarize(c.ratio);
        std::vector<double> convLayer, convKernel, phaseTotal;
        std::vector<double> phase[P::kPhaseCount];
        for (const sgbench::PhaseTimes& t : c.phases) {
            convLayer.push_back(t.convLayers());
            convKernel.push_back(t.seconds[P::kConv]);
            phaseTotal.push_back(t.total);
            for (int p = 0; p < P::kPhaseCount; ++p) phase[p].push_back(t.seconds[p]);
        }
        const double convGflops = c.work.convFlops / sgbench::summarize(convLayer).median / 1e9;
        const double kernelGflops = c.work.convFlops / sgbench::summarize(convKernel).median / 1e9;
        const double peakT = peak[c.threads].median;
        std::printf("%-26s | %8.3f %5.1f %7.1f %7.1f %7.1f %5.1f | %8.3f %5.1f %7.1f %7.1f | %5.2fx %5.1f\n",
                    c.label().c_str(), sdk.median * 1e3, 100 * sdk.spread(), 1 / sdk.median,
                    c.work.totalFlops / sdk.median / 1e9, convGflops, 100 * convGflops / peakT, lt.median * 1e3,
                    100 * lt.spread(), 1 / lt.median, c.work.totalFlops / lt.median / 1e9, ratio.median,
                    100 * ratio.spread());

        Json phases;
        for (int p = 0; p < P::kPhaseCount; ++p)
            phases[P::phaseName(P::Phase(p))] = sgbench::summarize(phase[p]).median * 1e3;
        jsonCases.push_back(
            {{"model", c.model->name}, {"width", c.width}, {"height", c.height}, {"batch", c.batch},
             {"threads", c.threads}, {"gflop_per_image", c.work.totalFlops / 1e9},
             {"conv_gflop_per_image", c.work.convFlops / 1e9},
             {"sdk",
              {{"ms_per_image", summaryJson(sdk, 1e3)}, {"images_per_s", 1 / sdk.median},
               {"gflops", c.work.totalFlops / sdk.median / 1e9}, {"conv_layer_gflops", convGflops},
               {"conv_kernel_gflops", kernelGflops}, {"conv_layer_percent_of_peak", 100 * convGflops / peakT},
               {"cpu_ms_per_image", sgbench::summarize(c.sdkCpu).median * 1e3},
               {"profiled_ms_per_image", sgbench::summarize(phaseTotal).median * 1e3},
               {"phase_ms_per_image", phases}, {"samples_ms", samplesJson(c.sdk, 1e3)}}},
             {"torch",
              {{"ms_per_image", summaryJson(lt, 1e3)}, {"images_per_s", 1 / lt.median},
               {"gflops", c.work.totalFlops / lt.median / 1e9}, {"samples_ms", samplesJson(c.torch, 1e3)}}},
             {"speedup", {{"median_of_paired", ratio.median}, {"min", ratio.min}, {"max", ratio.max},
                          {"ratio_of_medians", lt.median / sdk.median}}},
             {"memory",
              c.threads == opt.threads.back()
                  ? Json{{"sdk_scratch_bytes_per_image", c.phases.back().scratchBytes / c.batch},
                         {"sdk_call_peak_bytes", c.sdkPeakBytes},
                         {"sdk_peak_bytes_per_image", c.sdkPeakBytes / c.batch},
                         {"torch_call_peak_bytes", c.torchPeakBytes},
                         {"torch_peak_bytes_per_image", c.torchPeakBytes / c.batch}}
                  : Json()}});

        sgbench::PlotRow row;
        row.label = c.label();
        row.speedup = ratio.median;
        row.speedupMin = ratio.min;
        row.speedupMax = ratio.max;
        row.sdkGflops = c.work.totalFlops / sdk.median / 1e9;
        row.convGflops = convGflops;
        row.torchGflops = c.work.totalFlops / lt.median / 1e9;
        row.peakGflops = peakT;
        plotRows.push_back(row);
    }

    std::printf("\nCPU backend, ms per image by phase (in-process profile; conv layers = noise + upsample + conv + "
                "halo), the SDK's process CPU ms per image, GFLOP/s of the conv passes alone\n%-26s |",
                "case");
    for (int p = 0; p < P::kPhaseCount; ++p) std::printf(" %8s", P::phaseName(P::Phase(p)));
    std::printf(" | %8s %8s %9s\n", "total", "sdk cpu", "kernel GF");
    for (size_t i = 0; i < cases.size(); ++i) {
        const Json& phases = jsonCases[i]["sdk"]["phase_ms_per_image"];
        std::printf("%-26s |", cases[i].label().c_str());
        for (int p = 0; p < P::kPhaseCount; ++p) std::printf(" %8.3f", phases[P::phaseName(P::Phase(p))].get<double>());
        std::printf(" | %8.3f %8.3f %9.1f\n", jsonCases[i]["sdk"]["profiled_ms_per_image"].get<double>(),
                    jsonCases[i]["sdk"]["cpu_ms_per_image"].get<double>(),
                    jsonCases[i]["sdk"]["conv_kernel_gflops"].get<double>());
    }

    std::printf("\nmemory per image, MiB: CPU backend working memory (scratch / batch); peak resident memory added by "
                "one call in a fresh context (%u threads): sdk, torch\n",
                opt.threads.back());
    for (const Case& c : cases)
        if (c.threads == opt.threads.back())
            std::printf("  %-26s %8.2f | %8.2f %8.2f\n", c.label().c_str(),
                        c.phases.back().scratchBytes / c.batch / 1048576, c.sdkPeakBytes / c.batch / 1048576,
                        c.torchPeakBytes / c.batch / 1048576);
    std::printf("process peak resident: %.1f MiB\n", double(processPeak) / 1048576);

    const std::string loadAtEnd = loadAverage();
    if (!opt.jsonPath.empty()) {
        Json peakJson;
        for (auto& [t, s] : peak)
            peakJson[std::to_string(t)] = {{"gflops", summaryJson(s, 1)}, {"samples", samplesJson(peakSamples[t], 1)}};
        struct utsname un {};
        uname(&un);
        Json doc = {{"command", command},
                    {"date", date},
                    {"machine",
                     {{"cpu", firstLineWith("/proc/cpuinfo", "model name")},
                      {"logical_cpus", std::thread::hardware_concurrency()},
                      {"kernel", std::string(un.sysname) + " " + un.release}}},
                    {"load_average", {{"start", loadAtStart}, {"end", loadAtEnd}}},
                    {"cpu_backend_kernels", sgbench::CpuProfiler::kernelSetName()},
                    {"torch", TORCH_VERSION},
                    {"blas", blas},
                    {"blas_threads_set", runner.setBlasThreads != nullptr},
                    {"reps", opt.reps},
                    {"min_seconds", opt.minSeconds},
                    {"fma_peak", {{"isa", sgbench::fmaPeakIsa()}, {"threads", peakJson}}},
                    {"process_peak_resident_bytes", processPeak},
                    {"leak_check", leak},
                    {"cases", jsonCases}};
        std::string error;
        if (!sg::cli::writeFileAtomically(opt.jsonPath, doc.dump(2) + "\n", &error)) {
            std::fprintf(stderr, "stylegen-bench: %s\n", error.c_str());
            return 1;
        }
        std::printf("wrote %s\n", opt.jsonPath.c_str());
    }
    if (!opt.plotPath.empty()) {
        std::string error;
        const std::string title = "stylegen CPU backend vs LibTorch (" + blas.substr(blas.find_last_of('/') + 1) +
                                  "), " + date.substr(0, 10) + ", " + sgbench::CpuProfiler::kernelSetName() +
                                  " kernels, load " + loadAtStart;
        if (!sgbench::writePlot(opt.plotPath, title, plotRows, &error)) {
            std::fprintf(stderr, "stylegen-bench: %s\n", error.c_str());
            return 1;
        }
        std::printf("wrote %s\n", opt.plotPath.c_str());
    }
    return 0;
}
