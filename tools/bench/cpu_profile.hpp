// cpu_profile.hpp - where the CPU backend's time goes: the same generator
// libstylegen runs (plugin/cpu, linked in through its internal C++ API), on
// the same .sgm weights, with its per-phase timer on.
//
//   auto profiler = sgbench::CpuProfiler::load("models/characters.sgm", options, &error);
//   sgbench::PhaseTimes t = profiler->run(2, 64, 64, 8, 0.25);  // seconds per image, by phase
#pragma once

#include <map>
#include <memory>
#include <string>

#include "generator.hpp"  // plugin/cpu
#include "model/generator.hpp"

namespace sgbench {

struct PhaseTimes {
    double seconds[sg::cpu::Profile::kPhaseCount] = {};  // per image
    double total = 0;                                    // per image, wall clock of the calls
    double scratchBytes = 0;                             // the CPU backend's working memory per call
    // The 3x3 conv layers: noise maps, upsampling into the planes, the convs, padding.
    double convLayers() const;
};

class CpuProfiler {
public:
    // Reads the .sgm and prepares it for the CPU backend. Null + *error on failure.
    static std::unique_ptr<CpuProfiler> load(const std::string& path, const sgt::GeneratorOptions& options,
                                             std::string* error);

    // Generates batches of `batch` images (style 0, psi 0.7) for at least
    // minSeconds on a pool of `threads`, and returns the time per image.
    PhaseTimes run(unsigned threads, uint32_t width, uint32_t height, uint32_t batch, double minSeconds);

    // The kernel set the backend runs on this machine ("avx2+fma", ...).
    static const char* kernelSetName();

private:
    struct Pool;
    std::unique_ptr<sg::cpu::PreparedModel> model_;
    std::map<unsigned, std::shared_ptr<Pool>> pools_;  // by thread count
};

}  // namespace sgbench
