// stylegen-bench-conv: the CPU backend's 3x3 convolution kernels against the
// libraries it could have used instead, layer by layer, on one core: im2col +
// sgemm from the BLAS that libblas.so.3 resolves to (OpenBLAS with Debian's
// libopenblas0-pthread), and oneDNN's convolution (Debian's libdnnl-dev).
// The record of why plugin/cpu has its own kernels: docs/benchmarks.md.
//
//   stylegen-bench-conv            # the layers of the default models
//
// Every side computes the same layer with weights shared by the batch (the
// CPU backend's form of modconv). Each gets its best case: oneDNN runs in
// the blocked layouts it picks, with no reorders timed; im2col is timed with
// the sgemm; the CPU backend's time includes its output stage (demodulation,
// noise, bias, activation), which the others do not do. GFLOP/s count 2
// FLOPs per multiply-add of the direct convolution, from process CPU time
// (so other load on the machine does not count), best of 5 samples.
#include <cblas.h>
#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <functional>
#include <vector>

#include "kernels.hpp"  // plugin/cpu
#include "stylegen_philox.h"

extern "C" void openblas_set_num_threads(int) __attribute__((weak));

namespace {

using namespace sg::cpu;

double cpuSeconds() {
    timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

// Seconds per call of fn: the best of 5 samples, each repeating fn for at
// least 50 ms of CPU time (tiny layers take microseconds).
double best(const std::function<void()>& fn) {
    fn();
    double fastest = 1e30;
    for (int sample = 0; sample < 5; ++sample) {
        const double start = cpuSeconds();
        int calls = 0;
        double elapsed = 0;
        do {
            fn();
            ++calls;
            elapsed = cpuSeconds() - start;
        } while (elapsed < 0.05);
        fastest = std::min(fastest, elapsed / calls);
    }
    return fastest;
}

std::vector<float> values(size_t n, uint32_t stream, float scale) {
    std::vector<float> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = scale * sgPhiloxNormal(1, stream, i);
    return v;
}

struct Layer {
    const char* model;
    uint32_t size, cin, cout, images;
};

// The 3x3 conv layers of models/characters.sgm at batch 8 and of models/terrain.sgm at 256x256.
const Layer kLayers[] = {
    {"characters", 4, 128, 128, 8},  {"characters", 8, 128, 128, 8}, {"characters", 16, 128, 64, 8},
    {"characters", 16, 64, 64, 8},   {"characters", 32, 64, 32, 8},  {"characters", 32, 32, 32, 8},
    {"characters", 64, 32, 16, 8},   {"characters", 64, 16, 16, 8},  {"terrain", 32, 128, 128, 1},
    {"terrain", 64, 128, 64, 1},     {"terrain", 64, 64, 64, 1},     {"terrain", 128, 64, 32, 1},
    {"terrain", 128, 32, 32, 1},     {"terrain", 256, 32, 16, 1},    {"terrain", 256, 16, 16, 1},
};

}  // namespace

int main() {
    if (openblas_set_num_threads) openblas_set_num_threads(1);
    omp_set_num_threads(1);
    const KernelSet& k = bestKernelSet();
    const dnnl_version_t* v = dnnl_version();
    std::printf("one core, process CPU time, GFLOP/s (direct-convolution FLOPs); CPU backend kernels %s, oneDNN %d.%d.%d\n\n",
                k.name, v->major, v->minor, v->patch);
    std::printf("%-11s %-8s %9s | %8s %8s %8s | %8s %8s  %s\n", "model", "size", "cin->cout", "direct", "winograd",
                "backend", "im2col", "oneDNN", "oneDNN implementation");
    dnnl::engine engine(dnnl::engine::kind::cpu, 0);
    dnnl::stream stream(engine);
    for (const Layer& l : kLayers) {
        const uint32_t n = l.images, s = l.size;
        const PlaneGeometry g = planeGeometry(s, s);
        std::vector<float> planes = values(size_t(n) * l.cin * g.stride, 1, 1.0f);
        for (size_t p = 0; p < size_t(n) * l.cin; ++p) fillHalo(g, Halo::Zero, planes.data() + p * g.stride);
        const std::vector<float> weight = values(size_t(l.cout) * l.cin * 9, 2, 0.05f);
        const std::vector<float> demod(size_t(n) * l.cout, 1.0f), bias(l.cout, 0.1f);
        const std::vector<float> noise = values(size_t(n) * noiseMapFloats(g), 3, 1.0f);
        std::vector<float> out(size_t(n) * l.cout * g.stride);
        const double flops = 2.0 * n * s * s * 9.0 * l.cin * l.cout;

        // The CPU backend: the direct kernel, tile by tile as the generator runs it.
        const std::vector<float> packed = packConv3x3Weights(weight.data(), l.cout, l.cin);
        const size_t flat = size_t(s) * g.pitch;
        const double direct = best([&] {
            for (uint32_t image = 0; image < n; ++image)
                for (size_t f0 = 0; f0 < flat; f0 += kConvTile)
                    for (uint32_t co = 0; co < l.cout; co += kCoBlock) {
                        Conv3x3Output o;
                        o.demod = demod.data() + size_t(image) * l.cout + co;
                        o.bias = bias.data() + co;
                        o.noise = noise.data() + image * noiseMapFloats(g);
                        o.noiseScale = 0.1f;
                        o.coCount = std::min(kCoBlock, l.cout - co);
                        o.planes = out.data() + (size_t(image) * l.cout + co) * g.stride;
                        k.conv3x3(planes.data() + size_t(image) * l.cin * g.stride, g,
                                  packed.data() + size_t(co / kCoBlock) * l.cin * 9 * kCoBlock, l.cin, f0,
                                  std::min(kConvTile, flat - f0), o);
                    }
        });
        // ... and the Winograd kernel, in runs of 24 tiles over all channel groups.
        const std::vector<float> transformed = packWinogradWeights(weight.data(), l.cout, l.cin);
        WinogradLayer w;
        w.planes = planes.data();
        w.cin = l.cin;
        w.cout = l.cout;
        w.weights = transformed.data();
        w.demod = demod.data();
        w.demodStride = l.cout;
        w.bias = bias.data();
        w.noise = noise.data();
        w.noiseStride = noiseMapFloats(g);
        w.noiseScale = 0.1f;
        w.out = out.data();
        w.outStride = size_t(l.cout) * g.stride;
        const size_t tiles = size_t(n) * ((s + 1) / 2) * ((s + 1) / 2), run = 24;
        std::vector<float> work(winogradWorkFloats(l.cin, run));
        const uint32_t groups = (l.cout + kWinogradCoGroup - 1) / kWinogradCoGroup;
        const double winograd = best([&] {
            for (size_t t0 = 0; t0 < tiles; t0 += run)
                k.winograd3x3(w, g, t0, std::min(run, tiles - t0), 0, groups, work.data());
        });

        // im2col over the batch, then one sgemm: [cout][9 cin] x [9 cin][n s s].
        const size_t columns = size_t(n) * s * s;
        std::vector<float> col(size_t(l.cin) * 9 * columns), result(size_t(l.cout) * columns);
        const double im2col = best([&] {
            for (uint32_t ci = 0; ci < l.cin; ++ci)
                for (uint32_t tap = 0; tap < 9; ++tap) {
                    float* d = col.data() + (size_t(ci) * 9 + tap) * columns;
                    for (uint32_t image = 0; image < n; ++image) {
                        const float* p = planes.data() + (size_t(image) * l.cin + ci) * g.stride + (tap / 3) * g.pitch +
                                         tap % 3;
                        for (uint32_t y = 0; y < s; ++y, d += s) std::copy(p + y * g.pitch, p + y * g.pitch + s, d);
                    }
                }
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(l.cout), int(columns), int(l.cin * 9), 1.0f,
                        weight.data(), int(l.cin * 9), col.data(), int(columns), 0.0f, result.data(), int(columns));
        });

        // oneDNN, in the layouts it prefers.
        using tag = dnnl::memory::format_tag;
        using dt = dnnl::memory::data_type;
        const dnnl::memory::dim N = n, C = l.cin, O = l.cout, S = s;
        const dnnl::memory::desc src({N, C, S, S}, dt::f32, tag::any), wei({O, C, 3, 3}, dt::f32, tag::any),
            dst({N, O, S, S}, dt::f32, tag::any);
        const dnnl::convolution_forward::primitive_desc pd(
            dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                            src, wei, dst, {1, 1}, {1, 1}, {1, 1}),
            engine);
        dnnl::memory srcMem(pd.src_desc(), engine), weiMem(pd.weights_desc(), engine), dstMem(pd.dst_desc(), engine);
        std::fill_n(static_cast<float*>(srcMem.get_data_handle()), pd.src_desc().get_size() / sizeof(float), 0.5f);
        std::fill_n(static_cast<float*>(weiMem.get_data_handle()), pd.weights_desc().get_size() / sizeof(float), 0.01f);
        const dnnl::convolution_forward conv(pd);
        const double onednn = best([&] {
            conv.execute(stream, {{DNNL_ARG_SRC, srcMem}, {DNNL_ARG_WEIGHTS, weiMem}, {DNNL_ARG_DST, dstMem}});
            stream.wait();
        });

        char size[16], channels[16];
        std::snprintf(size, sizeof size, "%ux%u", s, s);
        std::snprintf(channels, sizeof channels, "%u->%u", l.cin, l.cout);
        const double backend = useWinograd(l.cin) ? winograd : direct;
        std::printf("%-11s %-8s %9s | %8.1f %8.1f %8.1f | %8.1f %8.1f  %s\n", l.model, size, channels,
                    flops / direct / 1e9, flops / winograd / 1e9, flops / backend / 1e9, flops / im2col / 1e9,
                    flops / onednn / 1e9, pd.impl_info_str());
    }
    return 0;
}
