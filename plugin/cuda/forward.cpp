// forward.cpp - see forward.hpp.
#include "forward.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

namespace sg::cuda {
namespace {

// Largest output side accepted; keeps every size product far from overflow.
constexpr uint32_t kMaxSide = 16384;

size_t alignUp(size_t v) { return (v + 255) / 256 * 256; }

// Appends a region of bytes, 256-byte aligned; returns its offset.
size_t take(size_t* cursor, size_t bytes) {
    const size_t offset = alignUp(*cursor);
    *cursor = offset + bytes;
    return offset;
}

template <class T>
T* at(unsigned char* scratch, size_t offset) {
    return reinterpret_cast<T*>(scratch + offset);
}

}  // namespace

Plan Plan::make(const DeviceModel& model, uint32_t n, uint32_t width, uint32_t height) {
    const SgpArchitecture& a = model.arch;
    Plan p;
    p.n = n;
    p.width = width;
    p.height = height;
    const uint32_t block = a.resolution / 4;
    p.gridH = height / block;
    p.gridW = width / block;

    // Conv layer l works at block (l + 1) / 2.
    p.noiseLayers = 2 * a.blockCount - 1;
    uint32_t noiseFloats = 0;
    for (uint32_t l = 0; l < p.noiseLayers; ++l) {
        p.noiseOffset[l] = noiseFloats;
        const uint32_t b = (l + 1) / 2;
        noiseFloats += (p.gridH << b) * (p.gridW << b);
    }
    p.noiseOffset[p.noiseLayers] = noiseFloats;

    size_t floatsA = 0, floatsBC = 0;
    for (uint32_t b = 0; b < a.blockCount; ++b) {
        const size_t pixels = size_t(p.gridH << b) * (p.gridW << b);
        if (b > 0) floatsA = std::max(floatsA, size_t(a.channels[b - 1]) * pixels);
        floatsBC = std::max(floatsBC, size_t(a.channels[b]) * pixels);
    }
    const size_t pixels = size_t(width) * height;
    const size_t f = sizeof(float);

    size_t cursor = 0;
    p.scalars = take(&cursor, sizeof(RequestScalars));
    p.seeds = take(&cursor, n * sizeof(uint64_t));
    p.noiseSeeds = take(&cursor, n * sizeof(uint64_t));
    p.mixSeeds = take(&cursor, n * sizeof(uint64_t));
    p.lerpSeeds = take(&cursor, n * sizeof(uint64_t));
    p.lerpAmounts = take(&cursor, n * f);
    p.styleWeights = take(&cursor, a.styleCount * f);
    p.targets = take(&cursor, n * sizeof(SurfaceTarget));
    p.uploadBytes = cursor;
    p.ws = take(&cursor, n * 3 * size_t(a.wDim) * f);
    p.styles = take(&cursor, n * size_t(model.styleRows) * f);
    p.demod = take(&cursor, n * size_t(model.demodRows) * f);
    p.noise = take(&cursor, n * size_t(noiseFloats) * f);
    if (a.input == SGP_INPUT_SPATIAL) p.grid = take(&cursor, n * size_t(a.spatialChannels) * p.gridH * p.gridW * f);
    p.actA = take(&cursor, n * floatsA * f);
    p.actB = take(&cursor, n * floatsBC * f);
    p.actC = take(&cursor, n * floatsBC * f);
    p.img[0] = take(&cursor, n * a.imgChannels * pixels * f);
    p.img[1] = take(&cursor, n * a.imgChannels * pixels * f);
    p.output = take(&cursor, n * pixels * 4 * f);
    p.totalBytes = alignUp(cursor);
    return p;
}

std::string checkBatch(const SgpArchitecture& a, const SgpBatch& b) {
    if (!b.pSeeds || !b.pNoiseSeeds) return "pSeeds and pNoiseSeeds must not be NULL";
    if (!b.pStyleWeights) return "pStyleWeights must not be NULL";
    double sum = 0.0;
    for (uint32_t c = 0; c < a.styleCount; ++c) {
        const float v = b.pStyleWeights[c];
        if (!std::isfinite(v) || v < 0.0f) return "style weights must be finite and non-negative";
        sum += v;
    }
    if (std::fabs(sum - 1.0) > 1e-3) return "style weights must sum to 1";
    if (!std::isfinite(b.truncationPsi) || !std::isfinite(b.noiseStrength))
        return "truncationPsi and noiseStrength must be finite";
    if (b.pMixSeeds && b.mixLayer > 2 * a.blockCount) return "mixLayer must be at most 2 * blockCount";
    if (!b.pLerpSeeds != !b.pLerpAmounts) return "pLerpSeeds and pLerpAmounts must both be set or both be NULL";
    for (uint32_t i = 0; b.pLerpAmounts && i < b.count; ++i)
        if (!(b.pLerpAmounts[i] >= 0.0f && b.pLerpAmounts[i] <= 1.0f)) return "interpolation amounts must be in [0, 1]";
    if (b.periodicOffset >= (a.inputPeriod ? a.inputPeriod : 1))
        return "periodicOffset must be below the model's input period (0 without a periodic input)";
    if (b.width == 0 || b.height == 0 || b.width > kMaxSide || b.height > kMaxSide)
        return "width and height must be in 1.." + std::to_string(kMaxSide);
    if (a.input == SGP_INPUT_CONST || a.kind == SGP_MODEL_KIND_CHARACTER) {
        if (b.width != a.resolution || b.height != a.resolution)
            return "this model makes " + std::to_string(a.resolution) + "x" + std::to_string(a.resolution) +
                   " images only";
    } else {
        const uint32_t block = a.resolution / 4;
        if (b.width % block != 0 || b.height % block != 0)
            return "width and height must be multiples of " + std::to_string(block);
    }
    return {};
}

void writeRequest(const Plan& plan, const SgpArchitecture& arch, const SgpBatch& batch, uint32_t first,
                  const SurfaceTarget* targets, unsigned char* upload) {
    RequestScalars scalars{};
    scalars.truncationPsi = batch.truncationPsi;
    scalars.noiseStrength = batch.noiseStrength;
    // As in plugin/cpu: mixing with a crossover past the last layer is no mixing.
    scalars.mixing = batch.pMixSeeds != nullptr && batch.mixLayer < 2 * arch.blockCount ? 1u : 0u;
    scalars.mixLayer = batch.mixLayer;
    scalars.lerping = batch.pLerpSeeds != nullptr ? 1u : 0u;
    scalars.periodicOffset = batch.periodicOffset;
    std::memcpy(upload + plan.scalars, &scalars, sizeof(scalars));
    const size_t seedBytes = plan.n * sizeof(uint64_t);
    std::memcpy(upload + plan.seeds, batch.pSeeds + first, seedBytes);
    std::memcpy(upload + plan.noiseSeeds, batch.pNoiseSeeds + first, seedBytes);
    if (scalars.mixing)
        std::memcpy(upload + plan.mixSeeds, batch.pMixSeeds + first, seedBytes);
    else
        std::memset(upload + plan.mixSeeds, 0, seedBytes);
    if (scalars.lerping) {
        std::memcpy(upload + plan.lerpSeeds, batch.pLerpSeeds + first, seedBytes);
        std::memcpy(upload + plan.lerpAmounts, batch.pLerpAmounts + first, plan.n * sizeof(float));
    } else {
        std::memset(upload + plan.lerpSeeds, 0, seedBytes);
        std::memset(upload + plan.lerpAmounts, 0, plan.n * sizeof(float));
    }
    std::memcpy(upload + plan.styleWeights, batch.pStyleWeights, arch.styleCount * sizeof(float));
    if (targets)
        std::memcpy(upload + plan.targets, targets, plan.n * sizeof(SurfaceTarget));
    else
        std::memset(upload + plan.targets, 0, plan.n * sizeof(SurfaceTarget));
}

Status enqueueForward(const DeviceModel& m, const Plan& p, unsigned char* scratch, cudaStream_t stream) {
    const SgpArchitecture& a = m.arch;
    const uint32_t n = p.n;
    const bool wrap = a.padding == SGP_PADDING_CIRCULAR;
    RequestView request{};
    request.scalars = at<const RequestScalars>(scratch, p.scalars);
    request.seeds = at<const uint64_t>(scratch, p.seeds);
    request.noiseSeeds = at<const uint64_t>(scratch, p.noiseSeeds);
    request.mixSeeds = at<const uint64_t>(scratch, p.mixSeeds);
    request.lerpSeeds = at<const uint64_t>(scratch, p.lerpSeeds);
    request.lerpAmounts = at<const float>(scratch, p.lerpAmounts);
    request.styleWeights = at<const float>(scratch, p.styleWeights);
    float* styles = at<float>(scratch, p.styles);
    float* demod = at<float>(scratch, p.demod);
    float* noise = at<float>(scratch, p.noise);
    float* actA = at<float>(scratch, p.actA);
    float* actB = at<float>(scratch, p.actB);
    float* actC = at<float>(scratch, p.actC);

    MappingArgs mapping{};
    mapping.zDim = a.zDim;
    mapping.embedDim = a.embedDim;
    mapping.wDim = a.wDim;
    mapping.layers = a.mappingLayers;
    mapping.styleCount = a.styleCount;
    mapping.embed = m.embed;
    mapping.wAvg = m.wAvg;
    for (uint32_t l = 0; l < a.mappingLayers; ++l) {
        mapping.weightT[l] = m.mappingWeightT[l];
        mapping.bias[l] = m.mappingBias[l];
    }
    mapping.request = request;
    mapping.ws = at<float>(scratch, p.ws);
    launchMapping(mapping, n, m.mappingSharedBytes, stream);
    SG_CUDA_CHECK(cudaGetLastError());

    StyleArgs style{};
    style.rows = m.styleRows;
    style.wDim = a.wDim;
    style.weight = m.styleWeight;
    style.bias = m.styleBias;
    style.wLayer = m.styleLayer;
    style.ws = mapping.ws;
    style.request = request;
    style.styles = styles;
    launchStyles(style, n, stream);
    SG_CUDA_CHECK(cudaGetLastError());

    DemodArgs d{};
    d.rows = m.demodRows;
    d.styleRows = m.styleRows;
    d.weightSq = m.demodWeightSq;
    d.rowOffset = m.demodRowOffset;
    d.rowInputs = m.demodRowInputs;
    d.styleOffset = m.demodStyleOffset;
    d.styles = styles;
    d.demod = demod;
    launchDemod(d, n, stream);
    SG_CUDA_CHECK(cudaGetLastError());

    NoiseArgs noiseArgs{};
    noiseArgs.layers = p.noiseLayers;
    std::memcpy(noiseArgs.offset, p.noiseOffset, sizeof(p.noiseOffset));
    for (const DeviceBlock& block : m.blocks) {
        if (block.conv0.cin) noiseArgs.strength[block.conv0.noiseLayer] = block.conv0.noiseStrength;
        noiseArgs.strength[block.conv1.noiseLayer] = block.conv1.noiseStrength;
    }
    noiseArgs.request = request;
    noiseArgs.noise = noise;
    launchNoise(noiseArgs, n, stream);
    SG_CUDA_CHECK(cudaGetLastError());

    // Block 0's input, multiplied by its conv's styles, in B.
    const DeviceConv& first = m.blocks[0].conv1;
    if (a.input == SGP_INPUT_CONST) {
        launchConstInput(m.inputConst, a.channels[0], styles, m.styleRows, first.styleOffset, actB, n, stream);
    } else {
        float* grid = at<float>(scratch, p.grid);
        launchSpatialGrid(request, a.spatialChannels, p.gridH, p.gridW, grid, n, stream);
        SG_CUDA_CHECK(cudaGetLastError());
        ProjectArgs project{};
        project.inChannels = a.spatialChannels;
        project.outChannels = a.channels[0];
        project.pixels = p.gridH * p.gridW;
        project.gridW = p.gridW;
        project.period = a.inputPeriod;
        project.scalars = request.scalars;
        project.periodic = m.inputPeriodic;
        project.styleRows = m.styleRows;
        project.styleOffset = first.styleOffset;
        project.weight = m.inputWeight;
        project.bias = m.inputBias;
        project.grid = grid;
        project.styles = styles;
        project.out = actB;
        launchSpatialProject(project, n, stream);
    }
    SG_CUDA_CHECK(cudaGetLastError());

    auto conv = [&](const DeviceConv& c, uint32_t h, uint32_t w, const float* in, float* out,
                    const DeviceConv* next) -> Status {
        ConvArgs args{};
        args.cin = c.cin;
        args.cout = c.cout;
        args.coutPad = c.coutPad;
        args.h = h;
        args.w = w;
        args.wrap = wrap;
        args.in = in;
        args.weight = c.weight;
        args.bias = c.bias;
        args.demod = demod + c.demodOffset;
        args.demodRows = m.demodRows;
        args.noise = noise + p.noiseOffset[c.noiseLayer];
        args.noiseStride = p.noiseOffset[p.noiseLayers];
        args.noiseStrength = c.noiseStrength;
        args.scalars = request.scalars;
        args.scale = next ? styles + next->styleOffset : nullptr;
        args.styleRows = m.styleRows;
        args.out = out;
        launchConv3x3(args, n, stream);
        SG_CUDA_CHECK(cudaGetLastError());
        return {};
    };

    float* img[2] = {at<float>(scratch, p.img[0]), at<float>(scratch, p.img[1])};
    uint32_t current = 0;  // img[current] holds the last block's image
    for (uint32_t b = 0; b < a.blockCount; ++b) {
        const DeviceBlock& block = m.blocks[b];
        const uint32_t h = p.gridH << b, w = p.gridW << b;
        if (b > 0) {
            UpsampleArgs up{};
            up.channels = block.conv0.cin;
            up.h = h / 2;
            up.w = w / 2;
            up.wrap = wrap;
            up.styleRows = m.styleRows;
            up.styleOffset = block.conv0.styleOffset;
            up.in = actC;
            up.styles = styles;
            up.out = actA;
            launchUpsample(up, n, stream);
            SG_CUDA_CHECK(cudaGetLastError());
            SG_CUDA_TRY(conv(block.conv0, h, w, actA, actB, &block.conv1));
        }
        SG_CUDA_TRY(conv(block.conv1, h, w, actB, actC, nullptr));

        ToRgbArgs rgb{};
        rgb.cin = block.toRgb.cin;
        rgb.channels = a.imgChannels;
        rgb.h = h;
        rgb.w = w;
        rgb.wrap = wrap;
        rgb.styleRows = m.styleRows;
        rgb.styleOffset = block.toRgb.styleOffset;
        rgb.x = actC;
        rgb.weight = block.toRgb.weight;
        rgb.bias = block.toRgb.bias;
        rgb.styles = styles;
        rgb.prev = b > 0 ? img[current] : nullptr;
        const uint32_t target = b > 0 ? 1 - current : current;
        rgb.img = img[target];
        launchToRgb(rgb, n, stream);
        SG_CUDA_CHECK(cudaGetLastError());
        current = target;
    }
    launchDecode(img[current], a.imgChannels, p.width * p.height, at<float>(scratch, p.output), n, stream);
    SG_CUDA_CHECK(cudaGetLastError());
    return {};
}

}  // namespace sg::cuda
