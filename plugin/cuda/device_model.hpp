// device_model.hpp - a model's weights on the GPU, in the layouts the kernels
// read (kernels.hpp), uploaded once by prepareModel and immutable afterwards.
//
//   Status s = DeviceModel::create(desc, &model);   // checks the tensors, uploads
//
// Everything lives in one device allocation; the host keeps the layout (the
// offsets) and what the forward pass needs to plan its launches.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "status.hpp"
#include "stylegen_plugin.h"

namespace sg::cuda {

// One modulated 3x3 conv.
struct DeviceConv {
    uint32_t cin = 0, cout = 0, coutPad = 0;
    uint32_t styleOffset = 0;  // its styles in an image's style rows
    uint32_t demodOffset = 0;  // its demodulation coefficients in an image's demod rows
    uint32_t noiseLayer = 0;   // conv layer index l (noise stream SGP_STREAM_NOISE_BASE + l)
    float noiseStrength = 0.0f;
    const float* weight = nullptr;  // [cinPad * 9][coutPad]
    const float* bias = nullptr;    // [cout]
};

// A block's toRGB (1x1, no demodulation).
struct DeviceToRgb {
    uint32_t cin = 0;
    uint32_t styleOffset = 0;
    const float* weight = nullptr;  // [imgChannels][cin]
    const float* bias = nullptr;    // [imgChannels]
};

struct DeviceBlock {
    DeviceConv conv0;  // block > 0 only; cin == 0 in block 0
    DeviceConv conv1;
    DeviceToRgb toRgb;
};

class DeviceModel {
public:
    // Checks that every tensor docs/generator.md requires is present with its
    // shape (SGP_ERROR_INVALID_ARGUMENT names the first that is not), then
    // uploads the weights on the current device.
    static Status create(const SgpModelDesc& desc, std::unique_ptr<DeviceModel>* out);
    ~DeviceModel();
    DeviceModel(const DeviceModel&) = delete;
    DeviceModel& operator=(const DeviceModel&) = delete;

    SgpArchitecture arch{};
    uint64_t id = 0;  // unique per process: keys the graph caches
    // Mapping.
    const float* embed = nullptr;
    const float* wAvg = nullptr;
    std::vector<const float*> mappingWeightT;  // per layer [in][wDim]
    std::vector<const float*> mappingBias;
    size_t mappingSharedBytes = 0;
    // Styles of every modulated conv, and the 3x3 convs' demodulation tables.
    uint32_t styleRows = 0;
    const float* styleWeight = nullptr;  // [styleRows][wDim]
    const float* styleBias = nullptr;
    const uint8_t* styleLayer = nullptr;
    uint32_t demodRows = 0;
    const float* demodWeightSq = nullptr;
    const uint32_t* demodRowOffset = nullptr;
    const uint32_t* demodRowInputs = nullptr;
    const uint32_t* demodStyleOffset = nullptr;
    // Input.
    const float* inputConst = nullptr;     // [C0][16]
    const float* inputWeight = nullptr;    // [C0][spatialChannels]
    const float* inputBias = nullptr;      // [C0]
    const float* inputPeriodic = nullptr;  // [C0][P][P], arch.inputPeriod P > 0 only
    std::vector<DeviceBlock> blocks;

private:
    DeviceModel() = default;
    void* memory_ = nullptr;
};

}  // namespace sg::cuda
