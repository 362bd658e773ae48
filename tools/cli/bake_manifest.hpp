// bake_manifest.hpp - the bake manifest (docs/bake.md): reading, checking
// every field, and the files each entry writes.
//
//   BakeManifest manifest = readManifest("textures.json");  // throws ManifestError
//   for (const BakeEntry& entry : manifest.entries) ...
//
// Everything that can be checked without the model is checked here; what
// needs the model (style names, sizes, the mixing layer) is checked by the
// bake once the model is loaded, with the same message format (fieldWhere).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"

namespace sg::cli {

// Every problem found in a manifest, one per line, each naming the file, the
// entry and the field.
struct ManifestError : Failure {
    using Failure::Failure;
};

constexpr uint32_t kManifestVersion = 1;
// The state and provenance file the bake keeps in its output folder; no entry may write it.
constexpr const char* kProvenanceFileName = "bake-provenance.json";

struct AtlasSpec {
    std::string file;       // the atlas PNG, relative to the output folder
    uint32_t columns = 0;   // cells per row
    std::string indexKind;  // "json" or "csv"
    std::string indexFile;  // the atlas file's stem + ".json" / ".csv"
};

struct MixSpec {
    std::vector<uint64_t> seeds;  // one per image
    std::optional<uint32_t> layer;
};

// SgLatentInterpolationInfo: image i's latent moves towards targetSeeds[i] by amounts[i].
struct InterpolateSpec {
    std::vector<uint64_t> targetSeeds;  // one per image
    std::vector<float> amounts;         // one per image, in [0, 1]
};

struct BakeEntry {
    size_t position = 0;  // index in "entries"
    std::string name;
    std::string model;  // as written, here or at the top level
    std::optional<std::string> style;
    std::map<std::string, double> blend;  // style name -> weight; empty with "style"
    std::vector<uint64_t> seeds;          // one per image
    double psi = 1.0;
    double noise = 1.0;
    std::optional<std::vector<uint64_t>> noiseSeeds;  // one per image
    std::optional<MixSpec> mix;
    std::optional<InterpolateSpec> interpolate;
    std::optional<uint32_t> width;
    std::optional<uint32_t> height;
    bool premultiplied = false;
    std::optional<std::string> output;  // the pattern, when single PNGs are written
    std::optional<AtlasSpec> atlas;

    // Derived from the above: per image, its name (the "output" pattern,
    // default "{name}_{seed}.png", expanded, without folders and ".png") and,
    // when single PNGs are written, its file relative to the output folder.
    std::vector<std::string> imageNames;
    std::vector<std::string> imageFiles;  // empty without single PNGs

    // Every file the entry writes, relative to the output folder.
    std::vector<std::string> files() const;
};

struct BakeManifest {
    std::string path;    // as given
    std::string folder;  // relative paths in the manifest start here
    std::vector<BakeEntry> entries;
};

// Reads and checks a manifest file. Throws ManifestError listing every
// problem, or Failure when the file cannot be read.
BakeManifest readManifest(const std::string& path);

// Checks the manifest text read from `path`; throws ManifestError listing
// every problem. Nothing else escapes, whatever the text (tests/fuzz).
BakeManifest parseManifest(const std::string& path, const std::string& text);

// A path relative to the output folder that stays inside it: no leading '/',
// no empty, "." or ".." parts, no part starting with '.'.
bool isSafeRelativePath(const std::string& path);

// "FILE: entries[2] (\"name\"): field \"psi\"" - the start of every message
// about a field; entry may be null for top-level fields.
std::string fieldWhere(const BakeManifest& manifest, const BakeEntry* entry, const std::string& field);

}  // namespace sg::cli
