// process_memory.cpp - see process_memory.hpp.
#include "process_memory.hpp"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

namespace sgbench {

ProcessMemory readMemory() {
    ProcessMemory m;
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        unsigned long long kib = 0;
        if (std::sscanf(line.c_str(), "VmRSS: %llu kB", &kib) == 1) m.residentBytes = size_t(kib) * 1024;
        if (std::sscanf(line.c_str(), "VmHWM: %llu kB", &kib) == 1) m.peakBytes = size_t(kib) * 1024;
    }
    return m;
}

bool resetPeakResident() {
    std::FILE* f = std::fopen("/proc/self/clear_refs", "w");
    if (!f) return false;
    const bool ok = std::fputs("5", f) >= 0;
    return std::fclose(f) == 0 && ok;
}

}  // namespace sgbench
