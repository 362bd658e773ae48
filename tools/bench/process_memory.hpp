// process_memory.hpp - this process's resident memory, from /proc/self/status
// (Linux). Other systems report zeros and resetPeakResident() returns false.
//
//   sgbench::resetPeakResident();          // VmHWM := VmRSS
//   run();
//   size_t peak = sgbench::readMemory().peakBytes;
#pragma once

#include <cstddef>

namespace sgbench {

struct ProcessMemory {
    size_t residentBytes = 0;  // VmRSS
    size_t peakBytes = 0;      // VmHWM: the most resident since start or the last reset
};

ProcessMemory readMemory();

// Starts the peak over at the current resident size (writes 5 to
// /proc/self/clear_refs). False where the kernel does not allow it.
bool resetPeakResident();

}  // namespace sgbench
