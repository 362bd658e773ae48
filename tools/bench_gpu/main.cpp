// stylegen-bench-gpu - the CUDA backend on the GPU machine, side by side in one run:
//
//   1. generation into host memory: the CUDA backend (CUDA graphs on and off)
//      against the trainer's LibTorch generator on CUDA, same weights, same
//      batch: both default models, batch 1 and 64, scene textures of 256x256
//      and 1024x1024;
//   2. generation into Vulkan images: zero-copy (the external-memory path,
//      CUDA writes the images) against the staging round trip (CUDA -> host
//      -> Vulkan upload), 1, 64 and 256 character textures per frame; the
//      target is 256 unique 64x64 textures in at most 2 ms on one H100.
//
//   stylegen-bench-gpu [--models DIR] [--json FILE] [--runs N]
//
// Prints a table and writes JSON (scripts/gpu_check.sh keeps it). A benchmark,
// not a test: it checks nothing but that the backends ran.
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include <cuda_runtime_api.h>
#include <nlohmann/json.hpp>
#include <stylegen/stylegen.hpp>

#include "png_file.hpp"  // tools/cli: writeFileAtomically
#include "timing.hpp"
#include "vulkan_bench.hpp"
#if SG_BENCH_WITH_TORCH
#include "torch_cuda.hpp"
#endif

namespace sgbenchgpu {
namespace {

using nlohmann::json;

struct Options {
    std::string models = STYLEGEN_MODELS_DIR;
    std::string jsonPath = "bench-gpu.json";
    int runs = 20;
};

struct Workload {
    const char* model;  // file in the models folder
    uint32_t side;
    uint32_t batch;
};

// Both default models at batch 1 and 64, and the scene textures of 256 and 1024.
const Workload kWorkloads[] = {
    {"characters.sgm", 64, 1},  {"characters.sgm", 64, 64}, {"terrain.sgm", 128, 1},  {"terrain.sgm", 128, 64},
    {"terrain.sgm", 256, 1},    {"terrain.sgm", 256, 64},   {"terrain.sgm", 1024, 1}, {"terrain.sgm", 1024, 8},
};

const uint32_t kFrameCounts[] = {1, 64, 256};
constexpr double kTargetMs = 2.0;  // 256 unique 64x64 textures into Vulkan images, one H100

json timingJson(const Timing& t, uint32_t images) {
    return {{"median_ms", t.medianMs},
            {"min_ms", t.minMs},
            {"mean_ms", t.meanMs},
            {"runs", t.runs},
            {"ms_per_image", t.medianMs / images},
            {"images_per_s", t.medianMs > 0 ? 1000.0 * images / t.medianMs : 0.0}};
}

std::string today() {
    char text[32];
    const std::time_t now = std::time(nullptr);
    std::strftime(text, sizeof(text), "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
    return text;
}

// A context on the CUDA plugin; graphs off when asked (STYLEGEN_CUDA_GRAPHS=0 while it starts).
sg::Context cudaContext(bool graphs) {
    if (!std::getenv("STYLEGEN_PLUGIN_PATH")) setenv("STYLEGEN_PLUGIN_PATH", SG_BENCH_CUDA_PLUGIN_DIR, 1);
    if (!graphs) setenv("STYLEGEN_CUDA_GRAPHS", "0", 1);
    sg::Context context;
    unsetenv("STYLEGEN_CUDA_GRAPHS");
    return context;
}

Timing timeHost(const sg::Model& model, const Workload& w, int runs) {
    sg::GenerateInfo gi;
    gi.count = w.batch;
    gi.width = gi.height = w.side;
    gi.format = SG_FORMAT_R32G32B32A32_SFLOAT;
    gi.alphaMode = SG_ALPHA_MODE_PREMULTIPLIED;
    std::vector<float> out(size_t(w.batch) * w.side * w.side * 4);
    return measure(3, runs, [&] { model.generateInto(gi, out.data(), out.size() * sizeof(float)); });
}

int run(const Options& o, int argc, char** argv) {
    json report;
    std::string command;
    for (int i = 0; i < argc; ++i) command += (i ? " " : "") + std::string(argv[i]);
    report["command"] = command;
    report["date"] = today();

    int devices = 0;
    if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
        std::fprintf(stderr, "stylegen-bench-gpu: no CUDA device; nothing to measure\n");
        return 2;
    }
    cudaDeviceProp props{};
    cudaGetDeviceProperties(&props, 0);
    report["gpu"] = props.name;
    const std::vector<uint8_t> uuid(props.uuid.bytes, props.uuid.bytes + sizeof(props.uuid.bytes));

    sg::Context cuda = cudaContext(true);
    sg::Context cudaNoGraphs = cudaContext(false);
    const SgContextInfo info = cuda.info();
    report["cuda_backend"] = info.pBackendDescription;
    if (std::string(info.pBackendName) != "cuda") {
        std::fprintf(stderr, "stylegen-bench-gpu: the context runs on %s\n", info.pBackendDescription);
        return 2;
    }
    std::printf("GPU: %s\nbackend: %s\n\n", props.name, info.pBackendDescription);

#if SG_BENCH_WITH_TORCH
    const std::string torchWhy = TorchCuda::unavailableReason();
    report["torch"] = {{"available", torchWhy.empty()}, {"reason", torchWhy}};
    if (torchWhy.empty()) report["torch"]["cudnn_tf32"] = TorchCuda::convolutionTf32();
#else
    const std::string torchWhy = "built without LibTorch (STYLEGEN_WITH_TORCH=OFF or a LibTorch without CUDA)";
    report["torch"] = {{"available", false}, {"reason", torchWhy}};
#endif

    // [SECTION] Generation into host memory
    std::printf("%-16s %6s %6s | %12s %12s %12s | %12s %12s\n", "model", "size", "batch", "cuda ms", "no-graph ms",
                "cuda img/s", "torch dev ms", "torch host");
    json generation = json::array();
    for (const Workload& w : kWorkloads) {
        const std::string path = o.models + "/" + w.model;
        sg::Model model = cuda.loadModel(path);
        sg::Model plain = cudaNoGraphs.loadModel(path);
        const int runs = w.side >= 1024 ? std::max(3, o.runs / 4) : o.runs;
        const Timing withGraphs = timeHost(model, w, runs);
        const Timing without = timeHost(plain, w, runs);
        json row = {{"model", w.model},
                    {"width", w.side},
                    {"height", w.side},
                    {"batch", w.batch},
                    {"cuda_host", timingJson(withGraphs, w.batch)},
                    {"cuda_host_no_graphs", timingJson(without, w.batch)}};
        double torchDevice = -1, torchHost = -1;
#if SG_BENCH_WITH_TORCH
        if (torchWhy.empty()) {
            TorchCuda torch;
            std::string error;
            if (torch.load(path, &error)) {
                const Timing device = torch.time(int(w.batch), int(w.side), int(w.side), 3, runs, false);
                const Timing host = torch.time(int(w.batch), int(w.side), int(w.side), 3, runs, true);
                row["torch_device"] = timingJson(device, w.batch);
                row["torch_host"] = timingJson(host, w.batch);
                torchDevice = device.medianMs;
                torchHost = host.medianMs;
            } else {
                row["torch_error"] = error;
            }
        }
#endif
        generation.push_back(row);
        std::printf("%-16s %6u %6u | %12.3f %12.3f %12.1f | %12.3f %12.3f\n", w.model, w.side, w.batch,
                    withGraphs.medianMs, without.medianMs, 1000.0 * w.batch / withGraphs.medianMs, torchDevice,
                    torchHost);
    }
    report["generation"] = generation;

    // [SECTION] Generation into Vulkan images
    std::string why;
    std::unique_ptr<VulkanGpu> gpu = VulkanGpu::create(uuid, &why);
    json vulkan;
    if (!gpu) {
        vulkan["skipped"] = why;
        std::printf("\nVulkan: skipped: %s\n", why.c_str());
    } else {
        vulkan["device"] = gpu->deviceName;
        sg::Model characters = cuda.loadModel(o.models + "/characters.sgm");
        json frames = json::array();
        std::printf("\nVulkan (%s): 64x64 character textures per frame, record to fence\n", gpu->deviceName.c_str());
        std::printf("%8s | %14s %14s %10s | %14s\n", "images", "zero-copy ms", "record ms", "in place", "staged ms");
        for (const uint32_t count : kFrameCounts) {
            std::string error;
            const FrameTiming inPlace =
                measureFrames(*gpu, cuda.handle(), characters.handle(), count, true, 3, o.runs, &error);
            const FrameTiming staged =
                measureFrames(*gpu, cuda.handle(), characters.handle(), count, false, 3, o.runs, &error);
            if (!error.empty()) {
                vulkan["error"] = error;
                std::printf("Vulkan: %s\n", error.c_str());
                break;
            }
            vulkan["path"] = inPlace.path;
            frames.push_back({{"images", count},
                              {"zero_copy", timingJson(inPlace.frame, count)},
                              {"zero_copy_record", timingJson(inPlace.record, count)},
                              {"zero_copy_frames_in_place", inPlace.inPlaceFrames},
                              {"staging_round_trip", timingJson(staged.frame, count)}});
            std::printf("%8u | %14.3f %14.3f %10d | %14.3f\n", count, inPlace.frame.medianMs,
                        inPlace.record.medianMs, inPlace.inPlaceFrames, staged.frame.medianMs);
            if (count == 256)
                report["target"] = {{"what", "256 unique 64x64 character textures into Vulkan images"},
                                    {"limit_ms", kTargetMs},
                                    {"measured_median_ms", inPlace.frame.medianMs},
                                    {"met", inPlace.inPlaceFrames > 0 && inPlace.frame.medianMs <= kTargetMs}};
        }
        vulkan["frames"] = frames;
    }
    report["vulkan"] = vulkan;

    std::string error;
    if (!sg::cli::writeFileAtomically(o.jsonPath, report.dump(2) + "\n", &error)) {
        std::fprintf(stderr, "stylegen-bench-gpu: %s\n", error.c_str());
        return 1;
    }
    std::printf("\nwrote %s\n", o.jsonPath.c_str());
    return 0;
}

}  // namespace
}  // namespace sgbenchgpu

int main(int argc, char** argv) {
    sgbenchgpu::Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--models" && i + 1 < argc) {
            o.models = argv[++i];
        } else if (a == "--json" && i + 1 < argc) {
            o.jsonPath = argv[++i];
        } else if (a == "--runs" && i + 1 < argc) {
            o.runs = std::max(1, std::atoi(argv[++i]));
        } else {
            std::fprintf(stderr, "usage: stylegen-bench-gpu [--models DIR] [--json FILE] [--runs N]\n");
            return a == "--help" || a == "-h" ? 0 : 1;
        }
    }
    try {
        return sgbenchgpu::run(o, argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "stylegen-bench-gpu: %s\n", e.what());
        return 1;
    }
}
