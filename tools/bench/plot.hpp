// plot.hpp - the benchmark's chart for docs/benchmarks.md: speed-up over
// LibTorch per case, and GFLOP/s against the measured FMA peak. Drawn with
// the CLI's bitmap font and written with its atomic PNG writer.
#pragma once

#include <string>
#include <vector>

namespace sgbench {

struct PlotRow {
    std::string label;                          // "characters 64x64 b8 t2"
    double speedup = 0, speedupMin = 0, speedupMax = 0;
    double sdkGflops = 0;    // whole forward pass
    double convGflops = 0;   // the 3x3 conv layers alone
    double torchGflops = 0;  // LibTorch, whole forward pass
    double peakGflops = 0;   // FMA peak at this case's thread count
};

// False + *error when the file cannot be written.
bool writePlot(const std::string& path, const std::string& title, const std::vector<PlotRow>& rows,
               std::string* error);

}  // namespace sgbench
