// model_file.cpp - the .sgm container: layout, checks, SHA-256, f16 (docs/model-format.md).
//
// Index
//   [SECTION] Little-endian bytes
//   [SECTION] SHA-256 (FIPS 180-4)
//   [SECTION] IEEE binary16
//   [SECTION] Layout shared by writer and reader
//   [SECTION] Serialise and write
//   [SECTION] Parse
#include "model_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sg {
namespace {

constexpr uint8_t kMagic[8] = {'S', 'G', 'M', 'O', 'D', 'E', 'L', 0};
constexpr uint32_t kNewestFormatVersion = 2;
constexpr uint64_t kHeaderSize = 96;
constexpr uint64_t kHashOffset = 64;
constexpr uint64_t kAlignment = 64;
constexpr uint64_t kMaxTensors = 4096;
constexpr uint32_t kMaxNameLength = 255;
constexpr uint32_t kMaxRank = 4;

// [SECTION] Little-endian bytes ------------------------------------------------

// Assembled byte by byte so the format does not depend on the host's byte order.
uint32_t loadU32(const uint8_t* p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
uint64_t loadU64(const uint8_t* p) { return uint64_t(loadU32(p)) | uint64_t(loadU32(p + 4)) << 32; }
void storeU32(uint8_t* p, uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = uint8_t(v >> (8 * i));
}
void storeU64(uint8_t* p, uint64_t v) {
    for (int i = 0; i < 8; ++i) p[i] = uint8_t(v >> (8 * i));
}

uint32_t floatBits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}
float bitsFloat(uint32_t u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

// Overflow-checked arithmetic: a file may hold any 64-bit number.
bool addOverflows(uint64_t a, uint64_t b, uint64_t* sum) { return __builtin_add_overflow(a, b, sum); }
bool mulOverflows(uint64_t a, uint64_t b, uint64_t* product) { return __builtin_mul_overflow(a, b, product); }

uint64_t alignUp(uint64_t v) { return (v + kAlignment - 1) / kAlignment * kAlignment; }

// [SECTION] SHA-256 (FIPS 180-4) -------------------------------------------------

constexpr uint32_t kSha256K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

void sha256Block(uint32_t state[8], const uint8_t block[64]) {
    uint32_t w[64];
    for (int i = 0; i < 16; ++i)
        w[i] = uint32_t(block[4 * i]) << 24 | uint32_t(block[4 * i + 1]) << 16 | uint32_t(block[4 * i + 2]) << 8 |
               uint32_t(block[4 * i + 3]);
    for (int i = 16; i < 64; ++i) {
        const uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        const uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (int i = 0; i < 64; ++i) {
        const uint32_t s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        const uint32_t ch = (e & f) ^ (~e & g);
        const uint32_t t1 = h + s1 + ch + kSha256K[i] + w[i];
        const uint32_t s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        const uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
        const uint32_t t2 = s0 + maj;
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
}

// [SECTION] IEEE binary16 ----------------------------------------------------------

// Round to nearest, ties to even; overflow gives inf, tiny values become
// subnormals or signed zero, NaN stays NaN (quiet).
uint16_t floatToHalf(float f) {
    const uint32_t x = floatBits(f);
    const uint16_t sign = uint16_t((x >> 16) & 0x8000u);
    const uint32_t exp = (x >> 23) & 0xFFu;
    uint32_t mant = x & 0x7FFFFFu;
    if (exp == 0xFF) return uint16_t(sign | 0x7C00u | (mant ? 0x200u : 0u));
    const int e = int(exp) - 127 + 15;  // rebiased exponent
    if (e >= 31) return uint16_t(sign | 0x7C00u);
    if (e <= 0) {
        if (e < -10) return sign;  // below half the smallest subnormal: rounds to zero
        mant |= 0x800000u;         // make the implicit bit explicit
        const int shift = 14 - e;  // 24-bit mantissa down to the subnormal's 10 bits
        uint32_t half = mant >> shift;
        const uint32_t rest = mant & ((1u << shift) - 1);
        const uint32_t halfway = 1u << (shift - 1);
        if (rest > halfway || (rest == halfway && (half & 1u))) ++half;  // may carry into the smallest normal: correct
        return uint16_t(sign | half);
    }
    uint32_t half = uint32_t(e) << 10 | (mant >> 13);
    const uint32_t rest = mant & 0x1FFFu;
    if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) ++half;  // a carry into the exponent is correct, up to inf
    return uint16_t(sign | half);
}

float halfToFloat(uint16_t h) {
    const uint32_t sign = uint32_t(h & 0x8000u) << 16;
    const uint32_t exp = (h >> 10) & 0x1Fu;
    uint32_t mant = h & 0x3FFu;
    if (exp == 0x1F) return bitsFloat(sign | 0x7F800000u | (mant << 13));
    if (exp == 0) {
        if (mant == 0) return bitsFloat(sign);
        // Subnormal: mant * 2^-24, exact in f32.
        const float v = float(mant) * (1.0f / 16777216.0f);
        return sign ? -v : v;
    }
    return bitsFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
}

// [SECTION] Layout shared by writer and reader -----------------------------------

bool validName(const std::string& name) {
    if (name.empty() || name.size() > kMaxNameLength) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    });
}

uint64_t dtypeSize(TensorDType t) { return t == TensorDType::F32 ? 4 : 2; }

uint64_t tableEntrySize(uint64_t nameLength, uint64_t rank) { return 4 + nameLength + 4 + 4 + 8 * rank + 8 + 8; }

std::string describeShape(const std::vector<uint64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

}  // namespace

std::array<uint8_t, 32> sha256(const uint8_t* data, size_t size) {
    uint32_t state[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                         0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    size_t i = 0;
    for (; size - i >= 64; i += 64) sha256Block(state, data + i);
    // Padding: 0x80, zeros, then the bit length as a big-endian u64, in one or two blocks.
    uint8_t tail[128] = {};
    const size_t rest = size - i;
    if (rest) std::memcpy(tail, data + i, rest);
    tail[rest] = 0x80;
    const size_t tailSize = rest < 56 ? 64 : 128;
    const uint64_t bits = uint64_t(size) * 8;
    for (int b = 0; b < 8; ++b) tail[tailSize - 1 - b] = uint8_t(bits >> (8 * b));
    sha256Block(state, tail);
    if (tailSize == 128) sha256Block(state, tail + 64);
    std::array<uint8_t, 32> digest;
    for (int w = 0; w < 8; ++w)
        for (int b = 0; b < 4; ++b) digest[4 * w + b] = uint8_t(state[w] >> (24 - 8 * b));
    return digest;
}

std::string toHex(const uint8_t* data, size_t size) {
    static const char kDigits[] = "0123456789abcdef";
    std::string s(size * 2, '0');
    for (size_t i = 0; i < size; ++i) {
        s[2 * i] = kDigits[data[i] >> 4];
        s[2 * i + 1] = kDigits[data[i] & 15];
    }
    return s;
}

// [SECTION] Serialise and write ------------------------------------------------------

uint32_t formatVersionFor(const std::string& json) {
    const nlohmann::json header = nlohmann::json::parse(json, nullptr, false);
    return header.is_object() && header.contains("periodic_input") ? 2 : 1;
}

bool serializeModelFile(const std::string& json, const std::vector<TensorRecord>& tensors, TensorDType storage,
                        std::vector<uint8_t>* out, std::string* error) {
    if (storage != TensorDType::F32 && storage != TensorDType::F16) {
        *error = "storage type must be f32 or f16";
        return false;
    }
    if (tensors.size() > kMaxTensors) {
        *error = std::to_string(tensors.size()) + " tensors, at most " + std::to_string(kMaxTensors) + " allowed";
        return false;
    }
    // Validate everything and lay the file out before writing a byte.
    std::unordered_set<std::string> names;
    std::vector<uint64_t> offsets(tensors.size());
    uint64_t tableSize = 0;
    uint64_t payloadSize = 0;
    for (size_t i = 0; i < tensors.size(); ++i) {
        const TensorRecord& t = tensors[i];
        if (!validName(t.name)) {
            *error = "invalid tensor name '" + t.name + "' (1-255 characters from [A-Za-z0-9_.])";
            return false;
        }
        if (!names.insert(t.name).second) {
            *error = "duplicate tensor name '" + t.name + "'";
            return false;
        }
        if (t.shape.empty() || t.shape.size() > kMaxRank) {
            *error = "tensor '" + t.name + "' has rank " + std::to_string(t.shape.size()) + ", expected 1..4";
            return false;
        }
        uint64_t count = 1;
        for (uint64_t d : t.shape) {
            if (d == 0 || mulOverflows(count, d, &count)) {
                *error = "tensor '" + t.name + "' has invalid shape " + describeShape(t.shape);
                return false;
            }
        }
        if (count != t.values.size()) {
            *error = "tensor '" + t.name + "' has shape " + describeShape(t.shape) + " (" + std::to_string(count) +
                     " values) but " + std::to_string(t.values.size()) + " values";
            return false;
        }
        for (size_t k = 0; k < t.values.size(); ++k) {
            const float v = t.values[k];
            const bool finite = storage == TensorDType::F32 ? std::isfinite(v) : std::isfinite(halfToFloat(floatToHalf(v)));
            if (!finite) {
                *error = "tensor '" + t.name + "' value " + std::to_string(k) + " (" + std::to_string(v) + ") is " +
                         (std::isfinite(v) ? "outside the f16 range" : "not finite");
                return false;
            }
        }
        tableSize += tableEntrySize(t.name.size(), t.shape.size());
        offsets[i] = payloadSize;
        payloadSize = alignUp(payloadSize + count * dtypeSize(storage));
    }
    // The last tensor needs no padding after it: the file ends where it ends.
    if (!tensors.empty()) {
        const TensorRecord& last = tensors.back();
        payloadSize = offsets.back() + last.values.size() * dtypeSize(storage);
    }
    const uint64_t tableOffset = kHeaderSize + json.size();
    const uint64_t payloadOffset = alignUp(tableOffset + tableSize);
    const uint64_t fileSize = payloadOffset + payloadSize;
    if (fileSize > std::numeric_limits<size_t>::max()) {
        *error = "model too large for this platform";
        return false;
    }

    std::vector<uint8_t>& f = *out;
    f.assign(size_t(fileSize), 0);
    std::memcpy(f.data(), kMagic, 8);
    storeU32(&f[8], formatVersionFor(json));
    storeU32(&f[12], uint32_t(kHeaderSize));
    storeU64(&f[16], kHeaderSize);
    storeU64(&f[24], json.size());
    storeU64(&f[32], tableOffset);
    storeU64(&f[40], tensors.size());
    storeU64(&f[48], payloadOffset);
    storeU64(&f[56], payloadSize);
    std::memcpy(&f[kHeaderSize], json.data(), json.size());

    uint8_t* p = &f[tableOffset];
    for (size_t i = 0; i < tensors.size(); ++i) {
        const TensorRecord& t = tensors[i];
        storeU32(p, uint32_t(t.name.size()));
        p += 4;
        std::memcpy(p, t.name.data(), t.name.size());
        p += t.name.size();
        storeU32(p, uint32_t(storage));
        storeU32(p + 4, uint32_t(t.shape.size()));
        p += 8;
        for (uint64_t d : t.shape) {
            storeU64(p, d);
            p += 8;
        }
        storeU64(p, offsets[i]);
        storeU64(p + 8, t.values.size() * dtypeSize(storage));
        p += 16;

        uint8_t* dst = &f[payloadOffset + offsets[i]];
        for (float v : t.values) {
            if (storage == TensorDType::F32) {
                storeU32(dst, floatBits(v));
                dst += 4;
            } else {
                const uint16_t h = floatToHalf(v);
                dst[0] = uint8_t(h);
                dst[1] = uint8_t(h >> 8);
                dst += 2;
            }
        }
    }
    const std::array<uint8_t, 32> hash = sha256(f.data() + kHeaderSize, f.size() - kHeaderSize);
    std::memcpy(&f[kHashOffset], hash.data(), hash.size());
    return true;
}

namespace {

std::string errnoText(const std::string& what, const std::string& path) {
    return what + " '" + path + "': " + std::strerror(errno);
}

// Writes all of [data, data + size) to fd, across short writes and signals.
bool writeAll(int fd, const uint8_t* data, size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data += n;
        size -= size_t(n);
    }
    return true;
}

}  // namespace

bool writeModelFile(const std::string& path, const std::string& json, const std::vector<TensorRecord>& tensors,
                    TensorDType storage, std::string* error) {
    std::vector<uint8_t> bytes;
    if (!serializeModelFile(json, tensors, storage, &bytes, error)) return false;

    // The temporary file lives in the target's folder so rename() stays on one
    // file system and is atomic: readers see the old file or the new one, never half.
    const size_t slash = path.find_last_of('/');
    const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
    std::string tmp = path + ".tmp.XXXXXX";
    const int fd = ::mkstemp(&tmp[0]);
    if (fd < 0) {
        *error = errnoText("cannot create a temporary file for", path);
        return false;
    }
    auto fail = [&](const std::string& what) {
        *error = errnoText(what, tmp);
        const int saved = errno;
        ::close(fd);
        ::unlink(tmp.c_str());
        errno = saved;
        return false;
    };
    // mkstemp makes the file private (0600); a model is ordinary data.
    if (::fchmod(fd, 0644) != 0) return fail("cannot set permissions of");
    if (!writeAll(fd, bytes.data(), bytes.size())) return fail("cannot write");
    if (::fsync(fd) != 0) return fail("cannot flush");
    if (::close(fd) != 0) {
        *error = errnoText("cannot close", tmp);
        ::unlink(tmp.c_str());
        return false;
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        *error = errnoText("cannot rename " + tmp + " to", path);
        ::unlink(tmp.c_str());
        return false;
    }
    // Flush the folder too so the rename itself survives a crash; the file is
    // already complete, so a failure here is not worth failing the write for.
    const int dirFd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (dirFd >= 0) {
        ::fsync(dirFd);
        ::close(dirFd);
    }
    return true;
}

// [SECTION] Parse ---------------------------------------------------------------------

namespace {

struct TableEntry {
    std::string name;
    TensorDType dtype;
    std::vector<uint64_t> shape;
    uint64_t count;
    uint64_t offset;
    uint64_t byteSize;
};

// Reads the table entries in [p, end) with every bound checked.
class TableReader {
public:
    TableReader(const uint8_t* begin, const uint8_t* end) : p_(begin), end_(end) {}

    bool u32(uint32_t* v) {
        if (left() < 4) return false;
        *v = loadU32(p_);
        p_ += 4;
        return true;
    }
    bool u64(uint64_t* v) {
        if (left() < 8) return false;
        *v = loadU64(p_);
        p_ += 8;
        return true;
    }
    bool bytes(size_t n, std::string* s) {
        if (left() < n) return false;
        s->assign(reinterpret_cast<const char*>(p_), n);
        p_ += n;
        return true;
    }
    const uint8_t* position() const { return p_; }

private:
    size_t left() const { return size_t(end_ - p_); }
    const uint8_t* p_;
    const uint8_t* end_;
};

bool readEntry(TableReader& r, size_t index, TableEntry* e, std::string* error) {
    const std::string where = "tensor table entry " + std::to_string(index);
    auto truncated = [&] {
        *error = where + " runs past the end of the table";
        return false;
    };
    uint32_t nameLength = 0, dtype = 0, rank = 0;
    if (!r.u32(&nameLength)) return truncated();
    if (nameLength == 0 || nameLength > kMaxNameLength) {
        *error = where + " has name length " + std::to_string(nameLength) + ", expected 1..255";
        return false;
    }
    if (!r.bytes(nameLength, &e->name)) return truncated();
    if (!validName(e->name)) {
        *error = where + " has a name with characters outside [A-Za-z0-9_.]";
        return false;
    }
    const std::string named = "tensor '" + e->name + "'";
    if (!r.u32(&dtype) || !r.u32(&rank)) return truncated();
    if (dtype != uint32_t(TensorDType::F32) && dtype != uint32_t(TensorDType::F16)) {
        *error = named + " has unknown dtype code " + std::to_string(dtype) + " (1 = f32, 2 = f16)";
        return false;
    }
    e->dtype = TensorDType(dtype);
    if (rank == 0 || rank > kMaxRank) {
        *error = named + " has rank " + std::to_string(rank) + ", expected 1..4";
        return false;
    }
    e->shape.resize(rank);
    e->count = 1;
    for (uint32_t d = 0; d < rank; ++d) {
        if (!r.u64(&e->shape[d])) return truncated();
        if (e->shape[d] == 0 || mulOverflows(e->count, e->shape[d], &e->count)) {
            *error = named + " has invalid dims";
            return false;
        }
    }
    if (!r.u64(&e->offset) || !r.u64(&e->byteSize)) return truncated();
    uint64_t expected = 0;
    if (mulOverflows(e->count, dtypeSize(e->dtype), &expected)) {
        *error = named + " has shape " + describeShape(e->shape) + ", more than 2^64 bytes";
        return false;
    }
    if (expected != e->byteSize) {
        *error = named + " has byte size " + std::to_string(e->byteSize) + ", but shape " + describeShape(e->shape) +
                 " needs " + std::to_string(expected);
        return false;
    }
    if (e->offset % kAlignment != 0) {
        *error = named + " has payload offset " + std::to_string(e->offset) + ", not a multiple of 64";
        return false;
    }
    return true;
}

}  // namespace

bool parseModelFile(const uint8_t* data, size_t size, ModelFileContents* out, std::string* error,
                    const ModelFileLimits& limits, bool* overLimit) {
    if (overLimit) *overLimit = false;
    auto beyond = [&](const std::string& what) {
        *error = what;
        if (overLimit) *overLimit = true;
        return false;
    };
    // 1. Fixed header.
    if (data == nullptr || size < kHeaderSize) {
        *error = "file is " + std::to_string(size) + " bytes, shorter than the 96-byte header";
        return false;
    }
    if (std::memcmp(data, kMagic, 8) != 0) {
        *error = "not a stylegen model (bad magic)";
        return false;
    }
    const uint32_t version = loadU32(data + 8);
    if (version < 1 || version > kNewestFormatVersion) {
        *error = "unsupported format version " + std::to_string(version) + " (this library reads versions 1 and 2)";
        return false;
    }
    if (loadU32(data + 12) != kHeaderSize) {
        *error = "header size field is " + std::to_string(loadU32(data + 12)) + ", expected 96";
        return false;
    }
    const uint64_t jsonOffset = loadU64(data + 16);
    const uint64_t jsonSize = loadU64(data + 24);
    const uint64_t tableOffset = loadU64(data + 32);
    const uint64_t tensorCount = loadU64(data + 40);
    const uint64_t payloadOffset = loadU64(data + 48);
    const uint64_t payloadSize = loadU64(data + 56);

    // 2. Sections in order, inside the file, sizes exact.
    const uint64_t fileSize = size;
    uint64_t fileEnd = 0;
    if (jsonOffset != kHeaderSize) {
        *error = "JSON offset is " + std::to_string(jsonOffset) + ", expected 96";
        return false;
    }
    if (jsonSize > fileSize - kHeaderSize) {
        *error = "JSON size " + std::to_string(jsonSize) + " runs past the end of the " + std::to_string(fileSize) +
                 "-byte file (truncated?)";
        return false;
    }
    if (tableOffset != kHeaderSize + jsonSize) {
        *error = "tensor table offset " + std::to_string(tableOffset) + " does not follow the JSON (expected " +
                 std::to_string(kHeaderSize + jsonSize) + ")";
        return false;
    }
    if (tensorCount > kMaxTensors) {
        *error = "tensor count " + std::to_string(tensorCount) + " exceeds the limit of 4096";
        return false;
    }
    if (tensorCount > limits.maxTensors)
        return beyond("tensor count " + std::to_string(tensorCount) + " exceeds the limit of " +
                      std::to_string(limits.maxTensors) + " tensors (SgContextLimits::maxModelTensors)");
    if (jsonSize > limits.maxJsonBytes)
        return beyond("JSON header of " + std::to_string(jsonSize) + " bytes exceeds the limit of " +
                      std::to_string(limits.maxJsonBytes) + " bytes (SgContextLimits::maxModelHeaderBytes)");
    if (payloadOffset % kAlignment != 0) {
        *error = "payload offset " + std::to_string(payloadOffset) + " is not a multiple of 64";
        return false;
    }
    if (addOverflows(payloadOffset, payloadSize, &fileEnd) || fileEnd != fileSize) {
        *error = "payload (offset " + std::to_string(payloadOffset) + ", size " + std::to_string(payloadSize) +
                 ") does not end at the end of the " + std::to_string(fileSize) + "-byte file (truncated?)";
        return false;
    }
    if (payloadOffset < tableOffset) {
        *error = "payload offset " + std::to_string(payloadOffset) + " lies before the tensor table";
        return false;
    }

    std::vector<TableEntry> entries(static_cast<size_t>(tensorCount));
    TableReader reader(data + tableOffset, data + payloadOffset);
    std::unordered_set<std::string> names;
    for (size_t i = 0; i < entries.size(); ++i) {
        if (!readEntry(reader, i, &entries[i], error)) return false;
        if (!names.insert(entries[i].name).second) {
            *error = "duplicate tensor name '" + entries[i].name + "'";
            return false;
        }
    }
    const uint64_t tableEnd = uint64_t(reader.position() - data);
    if (alignUp(tableEnd) != payloadOffset) {
        *error = "payload offset " + std::to_string(payloadOffset) + " does not follow the tensor table (ends at " +
                 std::to_string(tableEnd) + ")";
        return false;
    }
    for (uint64_t i = tableEnd; i < payloadOffset; ++i) {
        if (data[i] != 0) {
            *error = "non-zero padding between the tensor table and the payload";
            return false;
        }
    }

    // Tensors inside the payload, not overlapping.
    std::vector<const TableEntry*> byOffset;
    for (const TableEntry& e : entries) {
        uint64_t end = 0;
        if (addOverflows(e.offset, e.byteSize, &end) || end > payloadSize) {
            *error = "tensor '" + e.name + "' (offset " + std::to_string(e.offset) + ", " +
                     std::to_string(e.byteSize) + " bytes) lies outside the " + std::to_string(payloadSize) +
                     "-byte payload";
            return false;
        }
        byOffset.push_back(&e);
    }
    std::sort(byOffset.begin(), byOffset.end(),
              [](const TableEntry* a, const TableEntry* b) { return a->offset < b->offset; });
    for (size_t i = 1; i < byOffset.size(); ++i) {
        if (byOffset[i]->offset < byOffset[i - 1]->offset + byOffset[i - 1]->byteSize) {
            *error = "tensors '" + byOffset[i - 1]->name + "' and '" + byOffset[i]->name + "' overlap";
            return false;
        }
    }

    // Every tensor becomes f32 in memory: the total must fit the reader's limit
    // before a value is converted. Each is inside the file, so the sum cannot overflow.
    uint64_t valueBytes = 0;
    for (const TableEntry& e : entries) valueBytes += e.count * 4;
    if (valueBytes > limits.maxValueBytes)
        return beyond("tensors of " + std::to_string(valueBytes) + " bytes as f32 exceed the limit of " +
                      std::to_string(limits.maxValueBytes) + " bytes (SgContextLimits::maxModelWeightBytes)");

    // 3. Content hash.
    const std::array<uint8_t, 32> hash = sha256(data + kHeaderSize, size - kHeaderSize);
    if (std::memcmp(hash.data(), data + kHashOffset, 32) != 0) {
        *error = "content hash mismatch: the file is corrupt (stored " + toHex(data + kHashOffset, 32) +
                 ", computed " + toHex(hash.data(), 32) + ")";
        return false;
    }

    // Values, converted to f32, finite.
    ModelFileContents result;
    result.json.assign(reinterpret_cast<const char*>(data + kHeaderSize), size_t(jsonSize));
    result.contentHash = hash;
    result.tensors.resize(entries.size());
    result.storedTypes.resize(entries.size());
    for (size_t i = 0; i < entries.size(); ++i) {
        const TableEntry& e = entries[i];
        TensorRecord& t = result.tensors[i];
        t.name = e.name;
        t.shape = e.shape;
        t.values.resize(size_t(e.count));
        const uint8_t* src = data + payloadOffset + e.offset;
        for (uint64_t k = 0; k < e.count; ++k) {
            const float v = e.dtype == TensorDType::F32 ? bitsFloat(loadU32(src + 4 * k))
                                                        : halfToFloat(uint16_t(src[2 * k] | src[2 * k + 1] << 8));
            if (!std::isfinite(v)) {
                *error = "tensor '" + e.name + "' value " + std::to_string(k) + " is not finite";
                return false;
            }
            t.values[size_t(k)] = v;
        }
        result.storedTypes[i] = e.dtype;
    }
    *out = std::move(result);
    return true;
}

}  // namespace sg
