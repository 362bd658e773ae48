// workload.cpp - see workload.hpp.
#include "workload.hpp"

namespace sgbench {

Workload countFlops(const sgt::GeneratorOptions& o, int64_t width, int64_t height) {
    const auto& ch = o.channels();
    const int64_t gh = height / o.blockSize(), gw = width / o.blockSize();
    double convMacs = 0, otherMacs = 0;
    // Styles (affine) of a modconv, and for a 3x3 its demodulation sums.
    auto modulation = [&](int64_t cin, int64_t cout, bool demod) {
        otherMacs += double(o.wDim() * cin) + (demod ? double(cin * cout) : 0.0);
    };
    for (int64_t b = 0; b < o.blockCount(); ++b) {
        const double pixels = double(gh << b) * double(gw << b);
        if (b > 0) {
            convMacs += pixels * 9.0 * double(ch[b - 1] * ch[b]);
            modulation(ch[b - 1], ch[b], true);
        }
        convMacs += pixels * 9.0 * double(ch[b] * ch[b]);
        modulation(ch[b], ch[b], true);
        otherMacs += pixels * double(ch[b] * o.imgChannels());
        modulation(ch[b], o.imgChannels(), false);
    }
    otherMacs += double((o.zDim() + o.embedDim()) * o.wDim() + (o.mappingLayers() - 1) * o.wDim() * o.wDim());
    if (o.spatialInput()) otherMacs += double(gh * gw) * double(o.spatialChannels() * ch[0]);
    Workload w;
    w.convFlops = 2 * convMacs;
    w.totalFlops = 2 * (convMacs + otherMacs);
    return w;
}

}  // namespace sgbench
