// The .sgm container (sdk/src/model_file.cpp): round trips, f16, layout,
// atomic writes, and the parser's rejection of every kind of damage.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <dirent.h>
#include <fstream>
#include <iterator>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

#include "model_file.hpp"
#include "sgm_layout.hpp"
#include "tiny_model.hpp"

namespace {

using sg::TensorDType;
using sg::TensorRecord;

std::vector<uint8_t> serializeOk(const std::string& json, const std::vector<TensorRecord>& tensors,
                                 TensorDType storage = TensorDType::F32) {
    std::vector<uint8_t> bytes;
    std::string error;
    EXPECT_TRUE(sg::serializeModelFile(json, tensors, storage, &bytes, &error)) << error;
    return bytes;
}

std::string serializeError(const std::vector<TensorRecord>& tensors, TensorDType storage = TensorDType::F32) {
    std::vector<uint8_t> bytes;
    std::string error;
    EXPECT_FALSE(sg::serializeModelFile("{}", tensors, storage, &bytes, &error));
    return error;
}

std::string parseError(const std::vector<uint8_t>& bytes) {
    sg::ModelFileContents contents;
    std::string error;
    EXPECT_FALSE(sg::parseModelFile(bytes.data(), bytes.size(), &contents, &error));
    EXPECT_FALSE(error.empty());
    return error;
}

sg::ModelFileContents parseOk(const std::vector<uint8_t>& bytes) {
    sg::ModelFileContents contents;
    std::string error;
    EXPECT_TRUE(sg::parseModelFile(bytes.data(), bytes.size(), &contents, &error)) << error;
    return contents;
}

// f32 -> f16 -> f32 through the file format.
float throughF16(float v) {
    const std::vector<uint8_t> bytes = serializeOk("{}", {{"x", {1}, {v}}}, TensorDType::F16);
    return parseOk(bytes).tensors.at(0).values.at(0);
}

class TempDir {
public:
    TempDir() {
        char pattern[] = "/tmp/sgm_test_XXXXXX";
        path = mkdtemp(pattern);
    }
    ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
    std::set<std::string> files() const {
        std::set<std::string> names;
        DIR* d = opendir(path.c_str());
        while (const dirent* e = readdir(d)) {
            const std::string n = e->d_name;
            if (n != "." && n != "..") names.insert(n);
        }
        closedir(d);
        return names;
    }
    std::string path;
};

std::vector<uint8_t> readAll(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// [SECTION] Round trips -----------------------------------------------------------------

TEST(ModelFile, RoundTripsF32Exactly) {
    const sgtest::TinyModelParts parts = sgtest::makeTinyModelParts(sgtest::TinyKind::Character);
    const sg::ModelFileContents back = parseOk(serializeOk(parts.json, parts.tensors));
    EXPECT_EQ(back.json, parts.json);
    ASSERT_EQ(back.tensors.size(), parts.tensors.size());
    for (size_t i = 0; i < parts.tensors.size(); ++i) {
        EXPECT_EQ(back.tensors[i].name, parts.tensors[i].name);
        EXPECT_EQ(back.tensors[i].shape, parts.tensors[i].shape);
        EXPECT_EQ(back.tensors[i].values, parts.tensors[i].values) << parts.tensors[i].name;
        EXPECT_EQ(back.storedTypes[i], TensorDType::F32);
    }
}

TEST(ModelFile, RoundTripsF16WithinHalfPrecision) {
    const sgtest::TinyModelParts parts = sgtest::makeTinyModelParts(sgtest::TinyKind::Scene);
    const sg::ModelFileContents back = parseOk(serializeOk(parts.json, parts.tensors, TensorDType::F16));
    ASSERT_EQ(back.tensors.size(), parts.tensors.size());
    for (size_t i = 0; i < parts.tensors.size(); ++i) {
        EXPECT_EQ(back.storedTypes[i], TensorDType::F16);
        for (size_t k = 0; k < parts.tensors[i].values.size(); ++k) {
            const float v = parts.tensors[i].values[k];
            // Half an ulp of an 11-bit significand, or half the smallest subnormal.
            const float bound = std::max(std::fabs(v) * 0x1p-11f, 0x1p-25f);
            EXPECT_LE(std::fabs(back.tensors[i].values[k] - v), bound) << parts.tensors[i].name << "[" << k << "]";
        }
    }
}

TEST(ModelFile, ContentHashIsSha256OfEverythingAfterTheHeader) {
    const sgtest::TinyModelParts parts = sgtest::makeTinyModelParts(sgtest::TinyKind::Character);
    const std::vector<uint8_t> bytes = serializeOk(parts.json, parts.tensors);
    const auto expected = sg::sha256(bytes.data() + 96, bytes.size() - 96);
    EXPECT_TRUE(std::equal(expected.begin(), expected.end(), bytes.begin() + 64));
    EXPECT_EQ(parseOk(bytes).contentHash, expected);
}

TEST(ModelFile, LaysSectionsOutAsSpecified) {
    const sgtest::TinyModelParts parts = sgtest::makeTinyModelParts(sgtest::TinyKind::Character);
    const std::vector<uint8_t> bytes = serializeOk(parts.json, parts.tensors);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(bytes.data()), 8), std::string("SGMODEL\0", 8));
    EXPECT_EQ(sgtest::loadU32(bytes, 8), 1u);
    EXPECT_EQ(sgtest::loadU32(bytes, 12), 96u);
    const sgtest::SgmHeader h = sgtest::readHeader(bytes);
    EXPECT_EQ(h.jsonOffset, 96u);
    EXPECT_EQ(h.jsonSize, parts.json.size());
    EXPECT_EQ(h.tableOffset, 96u + parts.json.size());
    EXPECT_EQ(h.tensorCount, parts.tensors.size());
    EXPECT_EQ(h.payloadOffset % 64, 0u);
    EXPECT_EQ(h.payloadOffset + h.payloadSize, bytes.size());
    for (const sgtest::EntryFields& e : sgtest::tableEntries(bytes)) {
        EXPECT_EQ(sgtest::loadU64(bytes, e.offsetAt) % 64, 0u) << e.name;
        EXPECT_EQ(sgtest::loadU32(bytes, e.dtypeAt), 1u) << e.name;
    }
}

// [SECTION] IEEE binary16 -------------------------------------------------------------------

TEST(ModelFileF16, RoundsHalfwayCasesToEven) {
    EXPECT_EQ(throughF16(1.0f + 0x1p-11f), 1.0f);                 // tie, 1.0 is even
    EXPECT_EQ(throughF16(1.0f + 3 * 0x1p-11f), 1.0f + 0x1p-9f);   // tie, rounds up to even
    EXPECT_EQ(throughF16(-(1.0f + 0x1p-11f)), -1.0f);
    EXPECT_EQ(throughF16(1.0f + 0x1p-11f + 0x1p-20f), 1.0f + 0x1p-10f);  // above the tie
}

TEST(ModelFileF16, KeepsSubnormalsZerosAndTheLargestValue) {
    EXPECT_EQ(throughF16(0x1p-24f), 0x1p-24f);          // smallest subnormal
    EXPECT_EQ(throughF16(0x1p-14f), 0x1p-14f);          // smallest normal
    EXPECT_EQ(throughF16(1023 * 0x1p-24f), 1023 * 0x1p-24f);  // largest subnormal
    EXPECT_EQ(throughF16(0x1p-25f), 0.0f);              // tie between 0 and 2^-24: even is 0
    EXPECT_EQ(throughF16(3 * 0x1p-25f), 0x1p-23f);      // tie between 2^-24 and 2^-23: even is 2^-23
    EXPECT_EQ(throughF16(65504.0f), 65504.0f);
    EXPECT_EQ(throughF16(65519.0f), 65504.0f);          // below the overflow tie
    const float negativeZero = throughF16(-0.0f);
    EXPECT_EQ(negativeZero, 0.0f);
    EXPECT_TRUE(std::signbit(negativeZero));
}

TEST(ModelFileF16, RejectsValuesBeyondItsRange) {
    const std::string error = serializeError({{"x", {2}, {1.0f, 65520.0f}}}, TensorDType::F16);
    EXPECT_NE(error.find("f16 range"), std::string::npos) << error;
    EXPECT_NE(error.find("'x'"), std::string::npos) << error;
}

// [SECTION] Serialiser checks ------------------------------------------------------------------

TEST(ModelFileSerialize, RejectsNonFiniteValues) {
    EXPECT_NE(serializeError({{"x", {1}, {std::nanf("")}}}).find("not finite"), std::string::npos);
    EXPECT_NE(serializeError({{"x", {1}, {INFINITY}}}).find("not finite"), std::string::npos);
}

TEST(ModelFileSerialize, RejectsInvalidNames) {
    EXPECT_NE(serializeError({{"", {1}, {0.0f}}}).find("invalid tensor name"), std::string::npos);
    EXPECT_NE(serializeError({{"a b", {1}, {0.0f}}}).find("invalid tensor name"), std::string::npos);
    EXPECT_NE(serializeError({{std::string(256, 'a'), {1}, {0.0f}}}).find("invalid tensor name"), std::string::npos);
    EXPECT_NE(serializeError({{"a", {1}, {0.0f}}, {"a", {1}, {0.0f}}}).find("duplicate"), std::string::npos);
}

TEST(ModelFileSerialize, RejectsBadShapes) {
    EXPECT_NE(serializeError({{"x", {}, {}}}).find("rank 0"), std::string::npos);
    EXPECT_NE(serializeError({{"x", {1, 1, 1, 1, 1}, {0.0f}}}).find("rank 5"), std::string::npos);
    EXPECT_NE(serializeError({{"x", {2, 0}, {}}}).find("invalid shape"), std::string::npos);
    EXPECT_NE(serializeError({{"x", {2, 2}, {0.0f, 1.0f}}}).find("4 values) but 2 values"), std::string::npos);
}

// [SECTION] Atomic write ---------------------------------------------------------------------------

TEST(ModelFileWrite, WritesTheSerialisedBytesAndNoTemporaryFile) {
    TempDir dir;
    const sgtest::TinyModelParts parts = sgtest::makeTinyModelParts(sgtest::TinyKind::Scene);
    std::string error;
    ASSERT_TRUE(sg::writeModelFile(dir.path + "/m.sgm", parts.json, parts.tensors, TensorDType::F16, &error)) << error;
    EXPECT_EQ(readAll(dir.path + "/m.sgm"), serializeOk(parts.json, parts.tensors, TensorDType::F16));
    EXPECT_EQ(dir.files(), std::set<std::string>{"m.sgm"});
}

TEST(ModelFileWrite, ReplacesAnExistingFile) {
    TempDir dir;
    const std::string path = dir.path + "/m.sgm";
    std::ofstream(path) << "old contents";
    const sgtest::TinyModelParts parts = sgtest::makeTinyModelParts(sgtest::TinyKind::Character);
    std::string error;
    ASSERT_TRUE(sg::writeModelFile(path, parts.json, parts.tensors, TensorDType::F32, &error)) << error;
    EXPECT_EQ(readAll(path), serializeOk(parts.json, parts.tensors));
}

TEST(ModelFileWrite, ReportsErrnoTextForAMissingFolder) {
    TempDir dir;
    std::string error;
    EXPECT_FALSE(sg::writeModelFile(dir.path + "/missing/m.sgm", "{}", {}, TensorDType::F32, &error));
    EXPECT_NE(error.find("No such file or directory"), std::string::npos) << error;
    EXPECT_TRUE(dir.files().empty());
}

TEST(ModelFileWrite, RemovesItsTemporaryFileWhenTheRenameFails) {
    TempDir dir;
    const std::string target = dir.path + "/taken";
    ASSERT_EQ(mkdir(target.c_str(), 0755), 0);  // rename() cannot replace a folder with a file
    std::string error;
    EXPECT_FALSE(sg::writeModelFile(target, "{}", {}, TensorDType::F32, &error));
    EXPECT_NE(error.find("Is a directory"), std::string::npos) << error;
    EXPECT_EQ(dir.files(), std::set<std::string>{"taken"});
}

TEST(ModelFileWrite, RejectsInvalidTensorsBeforeCreatingAnyFile) {
    TempDir dir;
    std::string error;
    EXPECT_FALSE(sg::writeModelFile(dir.path + "/m.sgm", "{}", {{"x", {1}, {NAN}}}, TensorDType::F32, &error));
    EXPECT_TRUE(dir.files().empty());
}

// [SECTION] Parser checks ---------------------------------------------------------------------------

class ModelFileParse : public ::testing::Test {
protected:
    void SetUp() override { bytes = sgtest::makeTinyModel(sgtest::TinyKind::Character); }
    std::vector<uint8_t> bytes;
};

TEST_F(ModelFileParse, AcceptsTheUntouchedFile) { parseOk(bytes); }

TEST_F(ModelFileParse, RejectsEveryTruncation) {
    for (size_t length = 0; length < bytes.size(); ++length) {
        const std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + length);
        sg::ModelFileContents contents;
        std::string error;
        ASSERT_FALSE(sg::parseModelFile(cut.data(), cut.size(), &contents, &error)) << "length " << length;
        ASSERT_FALSE(error.empty());
    }
}

TEST_F(ModelFileParse, RejectsTrailingBytes) {
    bytes.push_back(0);
    EXPECT_NE(parseError(bytes).find("does not end at the end"), std::string::npos);
}

// The fixed header is outside the hash: its own checks must catch every flip.
TEST_F(ModelFileParse, CatchesEveryHeaderBitFlipWithoutTheHash) {
    for (size_t position = 0; position < 64; ++position) {
        for (int bit = 0; bit < 8; ++bit) {
            std::vector<uint8_t> flipped = bytes;
            flipped[position] ^= uint8_t(1u << bit);
            const std::string error = parseError(flipped);
            EXPECT_EQ(error.find("hash"), std::string::npos) << "byte " << position << " bit " << bit << ": " << error;
        }
    }
}

TEST_F(ModelFileParse, CatchesBitFlipsEverywhereAfterTheHeader) {
    for (size_t position = 64; position < bytes.size(); position += 3) {
        std::vector<uint8_t> flipped = bytes;
        flipped[position] ^= uint8_t(1u << (position % 8));
        parseError(flipped);
    }
}

TEST_F(ModelFileParse, ReportsPayloadCorruptionAsAHashMismatch) {
    bytes[bytes.size() - 1] ^= 1;
    EXPECT_NE(parseError(bytes).find("content hash mismatch"), std::string::npos);
}

TEST_F(ModelFileParse, RejectsAnUnknownDtypeCode) {
    const auto entries = sgtest::tableEntries(bytes);
    sgtest::storeU32(&bytes, entries[0].dtypeAt, 3);
    sgtest::resealModel(&bytes);
    const std::string error = parseError(bytes);
    EXPECT_NE(error.find("unknown dtype code 3"), std::string::npos) << error;
}

TEST_F(ModelFileParse, RejectsDuplicateTensorNames) {
    const auto entries = sgtest::tableEntries(bytes);
    const sgtest::EntryFields& fc1 = sgtest::entryNamed(entries, "mapping.fc1.bias");
    bytes[fc1.nameAt + std::string("mapping.fc").size()] = '0';  // now also "mapping.fc0.bias"
    sgtest::resealModel(&bytes);
    const std::string error = parseError(bytes);
    EXPECT_NE(error.find("duplicate tensor name 'mapping.fc0.bias'"), std::string::npos) << error;
}

TEST_F(ModelFileParse, RejectsInvalidNameCharacters) {
    const auto entries = sgtest::tableEntries(bytes);
    bytes[entries[0].nameAt] = '/';
    sgtest::resealModel(&bytes);
    EXPECT_NE(parseError(bytes).find("characters outside"), std::string::npos);
}

TEST_F(ModelFileParse, RejectsNonFiniteWeights) {
    const auto entries = sgtest::tableEntries(bytes);
    const sgtest::EntryFields& w = sgtest::entryNamed(entries, "w_avg");
    const size_t at = size_t(sgtest::readHeader(bytes).payloadOffset + sgtest::loadU64(bytes, w.offsetAt));
    sgtest::storeU32(&bytes, at + 4, 0x7FC00000u);  // NaN in w_avg[1]
    sgtest::resealModel(&bytes);
    const std::string error = parseError(bytes);
    EXPECT_NE(error.find("tensor 'w_avg' value 1 is not finite"), std::string::npos) << error;
}

TEST_F(ModelFileParse, RejectsOverlappingTensors) {
    const auto entries = sgtest::tableEntries(bytes);
    sgtest::storeU64(&bytes, entries[1].offsetAt, sgtest::loadU64(bytes, entries[0].offsetAt));
    sgtest::resealModel(&bytes);
    EXPECT_NE(parseError(bytes).find("overlap"), std::string::npos);
}

TEST_F(ModelFileParse, RejectsATensorOutsideThePayload) {
    const auto entries = sgtest::tableEntries(bytes);
    sgtest::storeU64(&bytes, entries[0].offsetAt, uint64_t(1) << 62);
    sgtest::resealModel(&bytes);
    EXPECT_NE(parseError(bytes).find("outside"), std::string::npos);
}

TEST_F(ModelFileParse, RejectsAMisalignedTensorOffset) {
    const auto entries = sgtest::tableEntries(bytes);
    sgtest::storeU64(&bytes, entries[0].offsetAt, 4);
    sgtest::resealModel(&bytes);
    EXPECT_NE(parseError(bytes).find("not a multiple of 64"), std::string::npos);
}

TEST_F(ModelFileParse, RejectsAByteSizeThatDisagreesWithTheShape) {
    const auto entries = sgtest::tableEntries(bytes);
    sgtest::storeU64(&bytes, entries[0].byteSizeAt, sgtest::loadU64(bytes, entries[0].byteSizeAt) - 4);
    sgtest::resealModel(&bytes);
    EXPECT_NE(parseError(bytes).find("byte size"), std::string::npos);
}

TEST_F(ModelFileParse, RejectsDimsWhoseProductOverflows) {
    const auto entries = sgtest::tableEntries(bytes);
    const sgtest::EntryFields& e = sgtest::entryNamed(entries, "mapping.fc0.weight");  // rank 2
    sgtest::storeU64(&bytes, e.dimsAt, uint64_t(1) << 40);
    sgtest::storeU64(&bytes, e.dimsAt + 8, uint64_t(1) << 40);
    sgtest::resealModel(&bytes);
    EXPECT_NE(parseError(bytes).find("invalid dims"), std::string::npos);
}

TEST_F(ModelFileParse, RejectsARankOutsideOneToFour) {
    const auto entries = sgtest::tableEntries(bytes);
    sgtest::storeU32(&bytes, entries[0].rankAt, 0);
    sgtest::resealModel(&bytes);
    EXPECT_NE(parseError(bytes).find("rank 0"), std::string::npos);
}

TEST_F(ModelFileParse, RejectsATensorCountAboveTheLimit) {
    sgtest::storeU64(&bytes, 40, 4097);
    EXPECT_NE(parseError(bytes).find("exceeds the limit of 4096"), std::string::npos);
}

TEST_F(ModelFileParse, RejectsAnotherFormatVersion) {
    for (uint32_t version : {0u, 3u}) {
        sgtest::storeU32(&bytes, 8, version);
        EXPECT_NE(parseError(bytes).find("unsupported format version " + std::to_string(version)), std::string::npos);
    }
}

// Version 2 only where a version-1 reader would compute the file wrongly.
TEST(ModelFileVersion, IsTwoExactlyForAPeriodicInput) {
    sgtest::TinyModelParts parts = sgtest::makeTinyModelParts(sgtest::TinyKind::Scene);
    EXPECT_EQ(sgtest::loadU32(sgtest::serializeTinyModel(parts), 8), 1u);
    sgtest::addTinyPeriodicInput(&parts);
    const std::vector<uint8_t> bytes = sgtest::serializeTinyModel(parts);
    EXPECT_EQ(sgtest::loadU32(bytes, 8), 2u);
    sg::ModelFileContents contents;
    std::string error;
    EXPECT_TRUE(sg::parseModelFile(bytes.data(), bytes.size(), &contents, &error)) << error;
}

TEST_F(ModelFileParse, RejectsABadMagic) {
    bytes[0] = 'X';
    EXPECT_NE(parseError(bytes).find("bad magic"), std::string::npos);
}

TEST_F(ModelFileParse, RejectsNonZeroPaddingBeforeThePayload) {
    const auto entries = sgtest::tableEntries(bytes);
    const size_t tableEnd = entries.back().end;
    const size_t payload = size_t(sgtest::readHeader(bytes).payloadOffset);
    ASSERT_LT(tableEnd, payload) << "the tiny model happens to need no padding";
    bytes[tableEnd] = 1;
    sgtest::resealModel(&bytes);
    EXPECT_NE(parseError(bytes).find("non-zero padding"), std::string::npos);
}

TEST(ModelFileParseEmpty, RejectsNullAndShortInput) {
    sg::ModelFileContents contents;
    std::string error;
    EXPECT_FALSE(sg::parseModelFile(nullptr, 0, &contents, &error));
    EXPECT_NE(error.find("shorter than the 96-byte header"), std::string::npos);
}

}  // namespace
