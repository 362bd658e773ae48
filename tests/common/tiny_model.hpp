// tiny_model.hpp - small valid .sgm models with deterministic random weights,
// for tests that need a real model without a trained one.
//
//   std::string path = sgtest::writeTinyModel(dir, "tiny.sgm", sgtest::TinyKind::Scene);
//   std::vector<uint8_t> bytes = sgtest::makeTinyModel(sgtest::TinyKind::Character, 3, 7);
//
// Character: resolution 16, img_channels 4, const input, zero padding.
// (addTinyEncoder adds an encoder to either kind.)
// Scene: resolution 16, img_channels 3, spatial input, circular padding (block size 4).
// Both: z_dim 8, embed_dim 4, w_dim 8, 2 mapping layers, channels [8, 8, 4], styles
// "style0".."style{N-1}". Weights are N(0,1)/sqrt(fan_in) drawn with Philox from
// `seed`, so activations stay O(1) and the same seed gives the same bytes everywhere.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model_file.hpp"

namespace sgtest {

enum class TinyKind { Character, Scene };

// The JSON header and tensors of a tiny model before serialisation, for tests
// that need to alter one piece (drop a tensor, change a shape, edit the JSON).
struct TinyModelParts {
    std::string json;
    std::vector<sg::TensorRecord> tensors;
};

TinyModelParts makeTinyModelParts(TinyKind kind, uint32_t styleCount = 3, uint64_t seed = 1);

// A valid .sgm with deterministic random weights (seed).
std::vector<uint8_t> makeTinyModel(TinyKind kind, uint32_t styleCount = 3, uint64_t seed = 1,
                                   sg::TensorDType storage = sg::TensorDType::F32);

// Recomputes the content hash (bytes 64..95) after a test edited bytes from
// offset 96 on, so the file reaches the checks behind the hash.
void resealModel(std::vector<uint8_t>* bytes);

// Adds a restyle encoder (the "encoder" header key and its tensors,
// docs/generator.md) with channels [4, 6, 8] and random weights drawn from
// seed, scaled so its w+ lies near the mapping network's outputs. Its
// reconstructions use reconstructionNoiseSeed, or no noise when it is empty
// (encoders from before that key).
void addTinyEncoder(TinyModelParts* parts, uint64_t seed = 1,
                    std::optional<uint32_t> reconstructionNoiseSeed = 7);

// Adds a learned periodic input to a scene model (the "periodic_input" header
// key and synthesis.input.periodic, docs/generator.md "Input"): period 4 cells,
// one training tile, generation offset 2, as stylegen-train --periodic-input
// writes it; random weights drawn from seed.
void addTinyPeriodicInput(TinyModelParts* parts, uint64_t seed = 1);

// Serialises parts as makeTinyModel does (f32). Throws std::runtime_error.
std::vector<uint8_t> serializeTinyModel(const TinyModelParts& parts);

// Writes parts to dir/fileName (dir must exist) and returns the path. Throws
// std::runtime_error if the file cannot be written.
std::string writeTinyModelParts(const std::string& dir, const std::string& fileName, const TinyModelParts& parts);

// Writes makeTinyModel(kind, styleCount, seed) to dir/fileName (dir must exist) and
// returns the path. Throws std::runtime_error if the file cannot be written.
std::string writeTinyModel(const std::string& dir, const std::string& fileName, TinyKind kind,
                           uint32_t styleCount = 3, uint64_t seed = 1);

}  // namespace sgtest
