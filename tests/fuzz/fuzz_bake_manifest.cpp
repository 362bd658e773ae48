// fuzz_bake_manifest.cpp - the bake manifest parser: any text gives a checked
// manifest or a ManifestError listing the problems, nothing else.
#include <string>

#include "bake_manifest.hpp"
#include "fuzz_targets.hpp"

namespace sgfuzz {

int bakeManifest(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const sg::cli::BakeManifest manifest = sg::cli::parseManifest("fuzz/manifest.json", text);
        // What the bake does next with a manifest that passed: every file it
        // names stays inside the output folder.
        for (const sg::cli::BakeEntry& entry : manifest.entries) {
            for (const std::string& file : entry.files())
                if (!sg::cli::isSafeRelativePath(file)) __builtin_trap();
            if (entry.seeds.empty() || entry.imageNames.size() != entry.seeds.size()) __builtin_trap();
        }
    } catch (const sg::cli::ManifestError&) {
        // The expected outcome for almost every input.
    }
    return 0;
}

}  // namespace sgfuzz
