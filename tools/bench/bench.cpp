// stylegen-bench: images/s of libstylegen's CPU backend and of the LibTorch
// generator on the same .sgm weights, same threads, same batch, in one run.
//
//   stylegen-bench models/characters.sgm models/terrain.sgm --threads 2 --json out/bench.json
//
// Each (model, batch) is warmed up once, then timed over repeated batches for
// at least --seconds; the median batch time is reported.
#include <stylegen/stylegen.hpp>

#include "model/sampling.hpp"
#include "model/sgm_io.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <thread>

namespace {

const char* kUsage = R"(usage: stylegen-bench MODEL.sgm... [options]

Times libstylegen's CPU backend against the LibTorch generator on the same
weights (same threads, same batch) and prints a table.

  --threads N       threads for both (default: hardware threads)
  --batches 1,32    batch sizes (default 1,32)
  --size WxH        output size for scene models (default: the model's resolution)
  --seconds S       minimum timed seconds per measurement (default 3)
  --json PATH       also write the results as JSON
)";

// Median seconds of one call of fn, over at least minSeconds (and 3 calls).
double medianSeconds(const std::function<void()>& fn, double minSeconds) {
    fn();  // warm-up: first-touch allocations, caches, thread start
    std::vector<double> times;
    auto start = std::chrono::steady_clock::now();
    do {
        auto t0 = std::chrono::steady_clock::now();
        fn();
        times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    } while (times.size() < 3 || std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < minSeconds);
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

// Which BLAS LibTorch's process mapped (Debian switches it via alternatives).
std::string blasInUse() {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line)) {
        auto pos = line.find('/');
        if (pos == std::string::npos)
            continue;
        std::string path = line.substr(pos);
        if (path.find("libblas") != std::string::npos || path.find("openblas") != std::string::npos ||
            path.find("libmkl") != std::string::npos)
            return path;
    }
    return "none mapped";
}

// Multiply-accumulates of one image's forward pass (convolutions, toRGB and
// the mapping network per style used), for GFLOP/s.
double macsPerImage(const sgt::GeneratorOptions& o, int64_t width, int64_t height) {
    double macs = 0;
    const auto& ch = o.channels();
    int64_t gh = height / o.blockSize(), gw = width / o.blockSize();
    for (int64_t b = 0; b < o.blockCount(); ++b) {
        double pixels = double(gh << b) * double(gw << b);
        int64_t in = b == 0 ? ch[0] : ch[b - 1];
        if (b > 0)
            macs += pixels * 9.0 * double(in * ch[b]);
        macs += pixels * 9.0 * double(ch[b] * ch[b]);
        macs += pixels * double(ch[b] * o.imgChannels());
    }
    macs += double((o.zDim() + o.embedDim()) * o.wDim() + (o.mappingLayers() - 1) * o.wDim() * o.wDim());
    return macs;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> models;
    std::vector<uint32_t> batches = {1, 32};
    uint32_t threads = std::max(1u, std::thread::hardware_concurrency());
    uint32_t sceneWidth = 0, sceneHeight = 0;
    double seconds = 3.0;
    std::string jsonPath;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "stylegen-bench: %s needs a value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "-h" || a == "--help") {
            std::fputs(kUsage, stdout);
            return 0;
        } else if (a == "--threads") threads = uint32_t(std::stoul(value()));
        else if (a == "--seconds") seconds = std::stod(value());
        else if (a == "--json") jsonPath = value();
        else if (a == "--size") {
            std::string v = value();
            if (std::sscanf(v.c_str(), "%ux%u", &sceneWidth, &sceneHeight) != 2) {
                std::fprintf(stderr, "stylegen-bench: --size wants WxH, got '%s'\n", v.c_str());
                return 2;
            }
        } else if (a == "--batches") {
            batches.clear();
            std::string v = value();
            for (size_t p = 0; p < v.size();) {
                size_t q = v.find(',', p);
                batches.push_back(uint32_t(std::stoul(v.substr(p, q - p))));
                p = q == std::string::npos ? v.size() : q + 1;
            }
        } else if (!a.empty() && a[0] == '-') {
            std::fprintf(stderr, "stylegen-bench: unknown option '%s'\n", a.c_str());
            return 2;
        } else
            models.push_back(a);
    }
    if (models.empty()) {
        std::fputs(kUsage, stderr);
        return 2;
    }

    torch::set_num_threads(int(threads));
    torch::NoGradGuard noGrad;
    sg::ContextCreateInfo createInfo;
    createInfo.threadCount = threads;
    createInfo.backendPreference = SG_BACKEND_PREFERENCE_CPU;
    sg::Context context(createInfo);

    nlohmann::json results = nlohmann::json::array();
    std::printf("threads %u, LibTorch %s, BLAS %s\n\n", threads, TORCH_VERSION, blasInUse().c_str());
    std::printf("%-12s %-9s %5s | %12s %10s %8s | %12s %10s %8s | %6s\n", "model", "size", "batch", "sdk ms/img",
                "sdk img/s", "GFLOP/s", "torch ms/img", "torch img/s", "GFLOP/s", "ratio");
    for (const auto& path : models) {
        sgt::LoadedModel torchModel;
        std::string error;
        if (!sgt::importModel(path, &torchModel, &error)) {
            std::fprintf(stderr, "stylegen-bench: %s\n", error.c_str());
            return 1;
        }
        sg::Model model = context.loadModel(path);
        SgModelInfo info = model.info();
        const bool scene = info.kind == SG_MODEL_KIND_SCENE;
        uint32_t width = scene && sceneWidth ? sceneWidth : info.resolution;
        uint32_t height = scene && sceneHeight ? sceneHeight : info.resolution;
        double gflop = 2.0 * macsPerImage(torchModel.generator->options, width, height) / 1e9;
        for (uint32_t batch : batches) {
            sg::GenerateInfo request;
            request.count = batch;
            request.firstSeed = 1;
            request.styleIndex = 0;
            request.truncationPsi = 0.7f;
            request.width = width;
            request.height = height;
            request.format = SG_FORMAT_R32G32B32A32_SFLOAT;
            double sdk = medianSeconds([&] { model.generateFloat(request); }, seconds) / batch;

            sgt::SampleRequest torchRequest;
            for (uint32_t i = 0; i < batch; ++i)
                torchRequest.seeds.push_back(1 + i);
            torchRequest.styleWeights.assign(info.styleCount, 0.0f);
            torchRequest.styleWeights[0] = 1.0f;
            torchRequest.truncationPsi = 0.7f;
            torchRequest.width = width;
            torchRequest.height = height;
            double lt = medianSeconds([&] { sgt::sample(torchModel.generator, torchModel.wAvg, torchRequest); }, seconds) /
                        batch;

            std::string name = torchModel.meta.name.empty() ? path : torchModel.meta.name;
            char size[32];
            std::snprintf(size, sizeof size, "%ux%u", width, height);
            std::printf("%-12s %-9s %5u | %12.2f %10.1f %8.1f | %12.2f %10.1f %8.1f | %5.2fx\n", name.c_str(), size, batch,
                        sdk * 1e3, 1.0 / sdk, gflop / sdk, lt * 1e3, 1.0 / lt, gflop / lt, lt / sdk);
            results.push_back({{"model", name}, {"width", width}, {"height", height}, {"batch", batch},
                               {"threads", threads}, {"sdk_ms_per_image", sdk * 1e3}, {"torch_ms_per_image", lt * 1e3},
                               {"sdk_images_per_s", 1.0 / sdk}, {"torch_images_per_s", 1.0 / lt},
                               {"gflop_per_image", gflop}, {"speedup", lt / sdk}});
        }
    }
    if (!jsonPath.empty()) {
        nlohmann::json doc = {{"threads", threads}, {"torch", TORCH_VERSION}, {"blas", blasInUse()}, {"results", results}};
        std::ofstream out(jsonPath);
        out << doc.dump(2) << "\n";
        if (!out) {
            std::fprintf(stderr, "stylegen-bench: cannot write %s\n", jsonPath.c_str());
            return 1;
        }
        std::printf("\nwrote %s\n", jsonPath.c_str());
    }
    return 0;
}
