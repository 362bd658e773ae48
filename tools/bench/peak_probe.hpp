// peak_probe.hpp - the machine's measured FP32 multiply-add peak, the
// yardstick for the CPU backend's GFLOP/s.
//
//   double gflops = sgbench::measureFmaPeak(2, 0.2);  // 2 threads, ~0.2 s each
//
// Each thread runs independent multiply-add chains held in registers (12
// chains of 8 floats with AVX2+FMA: enough in flight to cover the FMA latency
// on both pipes), nothing else in the loop but the counter. docs/benchmarks.md
// shows the generated loop.
#pragma once

namespace sgbench {

// The widest instruction set the probe uses on this CPU: "avx512f", "avx2+fma"
// or "sse2" (separate multiply and add: no FMA).
const char* fmaPeakIsa();

// GFLOP/s (2 per multiply-add) of `threads` threads running the probe at
// once for about `seconds`, wall clock.
double measureFmaPeak(unsigned threads, double seconds);

}  // namespace sgbench
