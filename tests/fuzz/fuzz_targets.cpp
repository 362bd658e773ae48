// fuzz_targets.cpp - the table of targets (see fuzz_targets.hpp).
#include "fuzz_targets.hpp"

namespace sgfuzz {

const std::vector<Target>& targets() {
    static const std::vector<Target> kTargets = {
        {"sgm_memory", sgmMemory},
        {"sgm_file", sgmFile},
        {"sgm_header", sgmHeader},
        {"bake_manifest", bakeManifest},
        {"style_prompt", stylePrompt},
    };
    return kTargets;
}

}  // namespace sgfuzz
