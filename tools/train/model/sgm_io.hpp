// sgm_io.hpp - between the LibTorch generator and the .sgm file.
//
// Export writes effective weights under the tensor names of docs/generator.md
// plus the per-style truncation centres; import is its inverse, so a model can
// be fine-tuned, compared with the SDK's backends, or benchmarked in LibTorch.
#pragma once

#include "generator.hpp"

#include <nlohmann/json.hpp>
#include <string>

namespace sgt {

struct ModelMetadata {
    std::string name;                 // "characters"
    std::vector<std::string> styles;  // one per style
    nlohmann::json training;          // provenance: data, command, steps, time
};

// The JSON header for these options (docs/model-format.md).
nlohmann::json headerJson(const GeneratorOptions& options, const ModelMetadata& meta);

// Writes the generator (effective weights) and wAvg [S, wDim] atomically; f16 when `half`.
bool exportModel(Generator& generator, const torch::Tensor& wAvg, const ModelMetadata& meta,
                 const std::string& path, bool half, std::string* error);

struct LoadedModel {
    Generator generator{nullptr};
    torch::Tensor wAvg;
    ModelMetadata meta;
};

// Reads a .sgm written by exportModel (or any valid one of this architecture).
bool importModel(const std::string& path, LoadedModel* out, std::string* error);

}  // namespace sgt
