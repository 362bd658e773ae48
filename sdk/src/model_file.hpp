// model_file.hpp - read and write the .sgm container (docs/model-format.md).
//
// This layer knows the container: fixed header, JSON, tensor table, payload,
// SHA-256 content hash, f16 <-> f32. It does not know the generator
// architecture; model.cpp checks tensors against it. Used by libstylegen's
// loader and by the trainer's exporter (target stylegen_format).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace sg {

enum class TensorDType : uint32_t { F32 = 1, F16 = 2 };

struct TensorRecord {
    std::string name;
    std::vector<uint64_t> shape;
    std::vector<float> values;  // product(shape) values, row-major
};

struct ModelFileContents {
    std::string json;
    std::vector<TensorRecord> tensors;       // in file order, converted to f32
    std::vector<TensorDType> storedTypes;    // parallel to tensors
    std::array<uint8_t, 32> contentHash{};   // SHA-256 of bytes [96, end)
};

// The format version a file with this JSON header is written as: 2 when the
// header uses a key that version-1 readers would ignore but must not, because
// it changes the images (periodic_input), else 1. So a version-1 reader
// refuses exactly the files it would compute wrongly, and reads all others.
uint32_t formatVersionFor(const std::string& json);

// Serialises to a byte vector (as formatVersionFor(json)); every tensor stored as `storage`.
// Fails (false + *error) on invalid names, shapes or non-finite values.
bool serializeModelFile(const std::string& json, const std::vector<TensorRecord>& tensors, TensorDType storage,
                        std::vector<uint8_t>* out, std::string* error);

// serializeModelFile, then written atomically: temp file in the same folder,
// fsync, rename. A failure (full disk, no permission) leaves no partial file.
bool writeModelFile(const std::string& path, const std::string& json, const std::vector<TensorRecord>& tensors,
                    TensorDType storage, std::string* error);

// What a reader is willing to take in (a context's SgContextLimits); the
// defaults take any valid file.
struct ModelFileLimits {
    uint64_t maxTensors = 4096;                 // at most the format's 4096
    uint64_t maxJsonBytes = UINT64_MAX;
    uint64_t maxValueBytes = UINT64_MAX;        // all tensors, as f32
};

// Parses and validates the container (docs/model-format.md, checks 1-3 and the
// table rules of 5). Never reads outside [data, data + size). A file beyond
// `limits` fails (with *overLimit set when given) before its JSON or values
// are copied.
bool parseModelFile(const uint8_t* data, size_t size, ModelFileContents* out, std::string* error,
                    const ModelFileLimits& limits = {}, bool* overLimit = nullptr);

// SHA-256, used for the content hash.
std::array<uint8_t, 32> sha256(const uint8_t* data, size_t size);
std::string toHex(const uint8_t* data, size_t size);

}  // namespace sg
