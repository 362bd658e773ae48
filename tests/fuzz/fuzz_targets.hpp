// fuzz_targets.hpp - the fuzzed parsers, one function per libFuzzer target.
//
// Each takes any bytes and must return 0 without crashing, hanging, leaking or
// tripping a sanitizer: errors are the expected outcome for almost every
// input. libfuzzer_main.cpp turns one of them into LLVMFuzzerTestOneInput
// (the stylegen_fuzz_* executables of the asan preset); the regression test
// runs all of them over the seeds and over every input a fuzzer ever found
// (regressions/<target>/), in every build.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sgfuzz {

// sgLoadModelFromMemory on the bytes with their content hash recomputed, so
// mutations reach the checks behind the hash; a model that loads is queried
// and generates one image.
int sgmMemory(const uint8_t* data, size_t size);
// sgLoadModelFromFile on the bytes as they are, written to a file.
int sgmFile(const uint8_t* data, size_t size);
// The bytes as the JSON header of a tiny model's container: the header and
// architecture checks, through sgLoadModelFromMemory.
int sgmHeader(const uint8_t* data, size_t size);
// The bake manifest parser (tools/cli/bake_manifest.hpp).
int bakeManifest(const uint8_t* data, size_t size);
// sgParseStylePrompt on a model with names like real ones.
int stylePrompt(const uint8_t* data, size_t size);

struct Target {
    const char* name;  // the folder under seeds/ and regressions/
    int (*run)(const uint8_t* data, size_t size);
};
const std::vector<Target>& targets();

// Seed inputs made from real files: tiny models written by the model writer
// (sgm_*), the JSON headers of the default models in modelsDir (sgm_header).
// Manifests and prompts are seeds/<target>/ in the source tree.
std::vector<std::pair<std::string, std::vector<uint8_t>>> generatedSeeds(const std::string& target,
                                                                         const std::string& modelsDir);

}  // namespace sgfuzz
