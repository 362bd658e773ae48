// cpu_profile.cpp - see cpu_profile.hpp.
#include "cpu_profile.hpp"

#include <chrono>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <vector>

#include "model_file.hpp"  // sdk/src
#include "thread_pool.hpp"  // plugin/cpu

namespace sgbench {

struct CpuProfiler::Pool {
    explicit Pool(unsigned threads) : pool(threads) {}
    sg::cpu::ThreadPool pool;
    sg::cpu::ScratchCache scratch;
};

double PhaseTimes::convLayers() const {
    using P = sg::cpu::Profile;
    return seconds[P::kNoise] + seconds[P::kUpsample] + seconds[P::kConv] + seconds[P::kHalo];
}

std::unique_ptr<CpuProfiler> CpuProfiler::load(const std::string& path, const sgt::GeneratorOptions& o,
                                               std::string* error) {
    std::ifstream in(path, std::ios::binary);
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    sg::ModelFileContents contents;
    if (!in.good() && !in.eof()) {
        *error = "cannot read " + path;
        return nullptr;
    }
    if (!sg::parseModelFile(bytes.data(), bytes.size(), &contents, error)) return nullptr;

    SgpModelDesc desc{};
    SgpArchitecture& a = desc.arch;
    const bool scene = o.kind() == sgt::ModelKind::Scene;
    a.kind = scene ? SGP_MODEL_KIND_SCENE : SGP_MODEL_KIND_CHARACTER;
    a.input = o.spatialInput() ? SGP_INPUT_SPATIAL : SGP_INPUT_CONST;
    a.padding = scene ? SGP_PADDING_CIRCULAR : SGP_PADDING_ZERO;
    a.resolution = uint32_t(o.resolution());
    a.imgChannels = uint32_t(o.imgChannels());
    a.zDim = uint32_t(o.zDim());
    a.embedDim = uint32_t(o.embedDim());
    a.wDim = uint32_t(o.wDim());
    a.mappingLayers = uint32_t(o.mappingLayers());
    a.spatialChannels = uint32_t(o.spatialChannels());
    a.blockCount = uint32_t(o.blockCount());
    for (size_t b = 0; b < o.channels().size() && b < SGP_MAX_BLOCKS; ++b) a.channels[b] = uint32_t(o.channels()[b]);
    a.styleCount = uint32_t(o.styleCount());
    std::vector<SgpTensor> tensors;
    for (const sg::TensorRecord& t : contents.tensors) {
        SgpTensor v{};
        v.name = t.name.c_str();
        v.rank = uint32_t(t.shape.size() < 4 ? t.shape.size() : 4);
        for (uint32_t i = 0; i < v.rank; ++i) v.dims[i] = t.shape[i];
        v.data = t.values.data();
        tensors.push_back(v);
    }
    desc.tensorCount = uint32_t(tensors.size());
    desc.pTensors = tensors.data();

    auto profiler = std::unique_ptr<CpuProfiler>(new CpuProfiler());
    profiler->model_ = sg::cpu::prepareModel(desc, error);
    if (!profiler->model_) return nullptr;
    return profiler;
}

PhaseTimes CpuProfiler::run(unsigned threads, uint32_t width, uint32_t height, uint32_t batch, double minSeconds) {
    std::shared_ptr<Pool>& pool = pools_[threads];
    if (!pool) pool = std::make_shared<Pool>(threads);
    std::vector<uint64_t> seeds(batch), noiseSeeds(batch);
    for (uint32_t i = 0; i < batch; ++i) seeds[i] = noiseSeeds[i] = 1 + i;
    std::vector<float> styleWeights(model_->arch.styleCount, 0.0f);
    styleWeights[0] = 1.0f;
    SgpBatch b{};
    b.count = batch;
    b.width = width;
    b.height = height;
    b.pSeeds = seeds.data();
    b.pNoiseSeeds = noiseSeeds.data();
    b.pStyleWeights = styleWeights.data();
    b.truncationPsi = 0.7f;
    b.noiseStrength = 1.0f;
    std::vector<float> out(size_t(batch) * width * height * 4);

    sg::cpu::Profile profile;
    std::string error;
    size_t calls = 0;
    const auto start = std::chrono::steady_clock::now();
    double elapsed = 0;
    do {
        if (sg::cpu::generateImages(pool->pool, pool->scratch, *model_, b, out.data(), &error,
                                    sg::cpu::bestKernelSet(), &profile) != SGP_SUCCESS)
            throw std::runtime_error("cpu backend: " + error);
        ++calls;
        elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    } while (elapsed < minSeconds);
    PhaseTimes t;
    const double images = double(calls) * batch;
    for (int p = 0; p < sg::cpu::Profile::kPhaseCount; ++p) t.seconds[p] = profile.seconds[p] / images;
    t.total = elapsed / images;
    t.scratchBytes = double(profile.scratchBytes);
    return t;
}

const char* CpuProfiler::kernelSetName() { return sg::cpu::bestKernelSet().name; }

}  // namespace sgbench
