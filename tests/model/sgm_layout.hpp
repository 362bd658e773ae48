// sgm_layout.hpp - where the fields of a .sgm file are, for tests that edit
// bytes in place (docs/model-format.md).
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace sgtest {

inline uint64_t loadU64(const std::vector<uint8_t>& f, size_t at) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = v << 8 | f[at + i];
    return v;
}
inline uint32_t loadU32(const std::vector<uint8_t>& f, size_t at) {
    return uint32_t(f[at]) | uint32_t(f[at + 1]) << 8 | uint32_t(f[at + 2]) << 16 | uint32_t(f[at + 3]) << 24;
}
inline void storeU64(std::vector<uint8_t>* f, size_t at, uint64_t v) {
    for (int i = 0; i < 8; ++i) (*f)[at + i] = uint8_t(v >> (8 * i));
}
inline void storeU32(std::vector<uint8_t>* f, size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) (*f)[at + i] = uint8_t(v >> (8 * i));
}

struct SgmHeader {
    uint64_t jsonOffset, jsonSize, tableOffset, tensorCount, payloadOffset, payloadSize;
};

inline SgmHeader readHeader(const std::vector<uint8_t>& f) {
    return {loadU64(f, 16), loadU64(f, 24), loadU64(f, 32), loadU64(f, 40), loadU64(f, 48), loadU64(f, 56)};
}

// Byte positions of one tensor table entry's fields.
struct EntryFields {
    std::string name;
    size_t nameAt, dtypeAt, rankAt, dimsAt, offsetAt, byteSizeAt, end;
    uint32_t rank;
};

inline std::vector<EntryFields> tableEntries(const std::vector<uint8_t>& f) {
    const SgmHeader h = readHeader(f);
    std::vector<EntryFields> entries;
    size_t p = size_t(h.tableOffset);
    for (uint64_t i = 0; i < h.tensorCount; ++i) {
        EntryFields e{};
        const uint32_t nameLength = loadU32(f, p);
        e.nameAt = p + 4;
        e.name.assign(reinterpret_cast<const char*>(&f[e.nameAt]), nameLength);
        e.dtypeAt = e.nameAt + nameLength;
        e.rankAt = e.dtypeAt + 4;
        e.rank = loadU32(f, e.rankAt);
        e.dimsAt = e.rankAt + 4;
        e.offsetAt = e.dimsAt + 8 * e.rank;
        e.byteSizeAt = e.offsetAt + 8;
        e.end = e.byteSizeAt + 8;
        p = e.end;
        entries.push_back(e);
    }
    return entries;
}

inline const EntryFields& entryNamed(const std::vector<EntryFields>& entries, const std::string& name) {
    for (const EntryFields& e : entries)
        if (e.name == name) return e;
    throw std::runtime_error("no tensor " + name);
}

}  // namespace sgtest
