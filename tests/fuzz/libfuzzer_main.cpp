// libfuzzer_main.cpp - one fuzz target as libFuzzer's entry point; built once
// per target with SG_FUZZ_FUNCTION naming it (tests/fuzz/CMakeLists.txt).
#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { return SG_FUZZ_FUNCTION(data, size); }
