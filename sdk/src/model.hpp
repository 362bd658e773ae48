// model.hpp - a loaded generator: the .sgm's JSON header checked against
// docs/model-format.md and docs/generator.md, and its required tensors in f32.
// Immutable once built, so any number of threads may read it at once.
#pragma once

#include <array>
#include <mutex>
#include <string>
#include <vector>

#include "host_allocator.hpp"
#include "model_file.hpp"
#include "stylegen/stylegen.h"
#include "stylegen_plugin.h"

namespace sg {

struct ModelData {
    SgpArchitecture arch{};
    std::string name;
    std::vector<std::string> styles;
    std::array<uint8_t, 32> contentHash{};
    HostBuffer weights;                  // the required tensors, f32, each 64-byte aligned
    std::vector<std::string> tensorNames;
    std::vector<SgpTensor> tensors;      // point into weights and tensorNames
    // The noise reconstructions are synthesised with (docs/generator.md,
    // "Encoder"): the header's encoder.reconstruction_noise_seed at strength
    // 1, or none for encoders trained before that key.
    struct EncoderNoise {
        uint32_t seed = 0;
        float strength = 0.0f;
    } encoderNoise;
    // Periodic-input models: where generation starts in the periodic input
    // (the header's periodic_input.offset). Restyle starts at 0, the training
    // tiles' alignment, which is how textures a team already has are aligned.
    uint32_t periodicOffset = 0;

    SgpModelDesc desc() const { return {arch, uint32_t(tensors.size()), tensors.data()}; }
    uint32_t blockSize() const { return arch.resolution / 4; }
    uint32_t wLayerCount() const { return 2 * arch.blockCount; }
};

// Parses and validates a whole .sgm in [data, data + size) into *out (which
// must be empty; its tensors are allocated with allocator). Returns
// SG_SUCCESS, SG_ERROR_BAD_MODEL_FILE or SG_ERROR_OUT_OF_MEMORY (also for a
// file beyond `limits`, before its contents are copied) with *error naming
// the problem.
SgResult loadModelData(const uint8_t* data, size_t size, const HostAllocator& allocator, ModelData* out,
                       std::string* error, const ModelFileLimits& limits);

}  // namespace sg

// What an SgModel handle points at: the data, the context it was loaded
// through, and its copy prepared by that context's backend.
struct SgModel_T {
    explicit SgModel_T(SgContext owner) : context(owner) {}
    ~SgModel_T();
    SgModel_T(const SgModel_T&) = delete;
    SgModel_T& operator=(const SgModel_T&) = delete;

    const SgContext context;
    sg::ModelData data;
    SgpPreparedModel prepared = nullptr;  // by the context's backend; null if it lost its device first
    // For the context's built-in CPU backend beside a GPU one (SgContext_T::startCpuBackend), made on first use.
    std::mutex cpuPrepareMutex;
    SgpPreparedModel cpuPrepared = nullptr;
};
