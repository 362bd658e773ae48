// fuzz_sgm.cpp - the .sgm loader targets (memory, file, JSON header) and
// their generated seeds.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_targets.hpp"
#include "model_file.hpp"
#include "stylegen/stylegen.h"
#include "tiny_model.hpp"

namespace sgfuzz {
namespace {

// An invariant the API promises was broken: a finding, so stop here.
#define SGFUZZ_CHECK(condition)                                                       \
    do {                                                                              \
        if (!(condition)) {                                                           \
            std::fprintf(stderr, "sgfuzz: %s:%d: %s\n", __FILE__, __LINE__, #condition); \
            std::abort();                                                             \
        }                                                                             \
    } while (0)

// One CPU context for the whole run; small limits keep each input fast and
// exercise the refusals too.
class Context {
public:
    Context() {
        limits_.sType = SG_STRUCTURE_TYPE_CONTEXT_LIMITS;
        limits_.maxWorkingMemoryBytes = uint64_t(32) << 20;
        limits_.maxModelFileBytes = uint64_t(16) << 20;
        SgContextCreateInfo info{};
        info.sType = SG_STRUCTURE_TYPE_CONTEXT_CREATE_INFO;
        info.pNext = &limits_;
        info.apiVersion = SG_API_VERSION;
        info.threadCount = 1;
        info.backendPreference = SG_BACKEND_PREFERENCE_CPU;
        SGFUZZ_CHECK(sgCreateContext(&info, nullptr, &context_) == SG_SUCCESS);
    }
    ~Context() { sgDestroyContext(context_, nullptr); }
    SgContext get() const { return context_; }

private:
    SgContextLimits limits_{};
    SgContext context_ = nullptr;
};

SgContext context() {
    static Context instance;
    return instance.get();
}

// What any caller does with a model that loaded: every query must succeed and
// agree, and a small request must generate (or be refused for its memory).
void exercise(SgContext ctx, SgModel model) {
    SgModelInfo info{};
    info.sType = SG_STRUCTURE_TYPE_MODEL_INFO;
    SGFUZZ_CHECK(sgGetModelInfo(model, &info) == SG_SUCCESS);
    SGFUZZ_CHECK(info.styleCount >= 1 && info.pName != nullptr);
    SGFUZZ_CHECK(info.blockSize * 4 == info.resolution && info.wLayerCount >= 2);
    for (uint32_t i = 0; i < info.styleCount; ++i) {
        const char* name = nullptr;
        uint32_t found = ~0u;
        SGFUZZ_CHECK(sgGetStyleName(model, i, &name) == SG_SUCCESS && name != nullptr);
        SGFUZZ_CHECK(sgFindStyle(model, name, &found) == SG_SUCCESS && found == i);
    }
    if (info.resolution > 64) return;  // valid, but slow to generate under instrumentation

    std::vector<float> weights(info.styleCount, 1.0f);
    SgGenerateInfo gi{};
    gi.sType = SG_STRUCTURE_TYPE_GENERATE_INFO;
    gi.count = 2;
    gi.firstSeed = 7;
    gi.styleWeightCount = info.styleCount;
    gi.pStyleWeights = weights.data();
    gi.truncationPsi = 0.7f;
    gi.flags = SG_GENERATE_STYLE_MIXING_BIT;
    gi.firstMixSeed = 100;
    gi.mixLayer = info.wLayerCount / 2;
    gi.noiseStrength = 1.0f;
    gi.format = SG_FORMAT_R8G8B8A8_UNORM;
    if (info.kind == SG_MODEL_KIND_SCENE) {
        gi.width = 2 * info.blockSize;
        gi.height = info.blockSize;
    }
    const size_t width = gi.width ? gi.width : info.resolution, height = gi.height ? gi.height : info.resolution;
    std::vector<uint8_t> pixels(gi.count * width * height * 4);
    SgImageBuffer buffer{};
    buffer.sType = SG_STRUCTURE_TYPE_IMAGE_BUFFER;
    buffer.pData = pixels.data();
    buffer.size = pixels.size();
    const SgResult result = sgGenerate(ctx, model, &gi, &buffer);
    SGFUZZ_CHECK(result == SG_SUCCESS || result == SG_ERROR_OUT_OF_MEMORY);
}

int load(const uint8_t* data, size_t size) {
    SgContext ctx = context();
    SgModel model = nullptr;
    const SgResult result = sgLoadModelFromMemory(ctx, data, size, &model);
    SGFUZZ_CHECK((result == SG_SUCCESS) == (model != nullptr));
    SGFUZZ_CHECK(result == SG_SUCCESS || sgGetLastErrorMessage(ctx)[0] != '\0');
    if (model) {
        exercise(ctx, model);
        sgDestroyModel(ctx, model);
    }
    return 0;
}

// The file the file target writes each input to, removed at exit.
class ScratchFile {
public:
    ScratchFile() {
        const char* dir = std::getenv("TMPDIR");
        path_ = std::string(dir && *dir ? dir : "/tmp") + "/stylegen-fuzz-" + std::to_string(getpid()) + ".sgm";
    }
    ~ScratchFile() { ::unlink(path_.c_str()); }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

std::vector<uint8_t> serialize(const std::string& json, const std::vector<sg::TensorRecord>& tensors,
                               sg::TensorDType storage) {
    std::vector<uint8_t> bytes;
    std::string error;
    SGFUZZ_CHECK(sg::serializeModelFile(json, tensors, storage, &bytes, &error));
    return bytes;
}

}  // namespace

int sgmMemory(const uint8_t* data, size_t size) {
    std::vector<uint8_t> bytes(data, data + size);
    if (bytes.size() >= 96) sgtest::resealModel(&bytes);
    return load(bytes.data(), bytes.size());
}

int sgmFile(const uint8_t* data, size_t size) {
    static const ScratchFile file;
    const int fd = ::open(file.path().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    SGFUZZ_CHECK(fd >= 0);
    for (size_t done = 0; done < size;) {
        const ssize_t n = ::write(fd, data + done, size - done);
        SGFUZZ_CHECK(n > 0);
        done += size_t(n);
    }
    ::close(fd);
    SgContext ctx = context();
    SgModel model = nullptr;
    const SgResult result = sgLoadModelFromFile(ctx, file.path().c_str(), &model);
    SGFUZZ_CHECK((result == SG_SUCCESS) == (model != nullptr));
    SGFUZZ_CHECK(result != SG_ERROR_IO);  // the file is there and readable
    if (model) {
        exercise(ctx, model);
        sgDestroyModel(ctx, model);
    }
    return 0;
}

int sgmHeader(const uint8_t* data, size_t size) {
    // The tensors of a tiny model of the kind the header most likely describes.
    static const sgtest::TinyModelParts character = sgtest::makeTinyModelParts(sgtest::TinyKind::Character);
    static const sgtest::TinyModelParts scene = sgtest::makeTinyModelParts(sgtest::TinyKind::Scene);
    const std::string json(reinterpret_cast<const char*>(data), size);
    const bool isScene = json.find("\"scene\"") != std::string::npos;
    const std::vector<uint8_t> bytes =
        serialize(json, (isScene ? scene : character).tensors, size % 2 ? sg::TensorDType::F16 : sg::TensorDType::F32);
    return load(bytes.data(), bytes.size());
}

std::vector<std::pair<std::string, std::vector<uint8_t>>> generatedSeeds(const std::string& target,
                                                                         const std::string& modelsDir) {
    using sgtest::TinyKind;
    std::vector<std::pair<std::string, std::vector<uint8_t>>> seeds;
    if (target == "sgm_memory" || target == "sgm_file") {
        seeds.push_back({"character_f32.sgm", sgtest::makeTinyModel(TinyKind::Character, 3, 1)});
        seeds.push_back({"scene_f32.sgm", sgtest::makeTinyModel(TinyKind::Scene, 4, 2)});
        seeds.push_back({"character_f16.sgm", sgtest::makeTinyModel(TinyKind::Character, 1, 3, sg::TensorDType::F16)});
        seeds.push_back({"scene_f16.sgm", sgtest::makeTinyModel(TinyKind::Scene, 2, 4, sg::TensorDType::F16)});
        // An extra tensor the architecture does not use.
        sgtest::TinyModelParts parts = sgtest::makeTinyModelParts(TinyKind::Character, 2, 5);
        parts.tensors.push_back({"extra.unused", {3, 2}, {1, 2, 3, 4, 5, 6}});
        seeds.push_back({"character_extra_tensor.sgm", serialize(parts.json, parts.tensors, sg::TensorDType::F32)});
    } else if (target == "sgm_header") {
        for (const TinyKind kind : {TinyKind::Character, TinyKind::Scene}) {
            const std::string json = sgtest::makeTinyModelParts(kind).json;
            seeds.push_back({kind == TinyKind::Scene ? "tiny_scene.json" : "tiny_character.json",
                             std::vector<uint8_t>(json.begin(), json.end())});
        }
        // The headers of the shipped models.
        if (DIR* dir = opendir(modelsDir.c_str())) {
            while (const dirent* entry = readdir(dir)) {
                const std::string name = entry->d_name;
                if (name.size() < 5 || name.compare(name.size() - 4, 4, ".sgm") != 0) continue;
                std::ifstream in(modelsDir + "/" + name, std::ios::binary);
                const std::vector<uint8_t> file((std::istreambuf_iterator<char>(in)), {});
                sg::ModelFileContents contents;
                std::string error;
                if (!sg::parseModelFile(file.data(), file.size(), &contents, &error)) continue;
                seeds.push_back({name.substr(0, name.size() - 4) + ".json",
                                 std::vector<uint8_t>(contents.json.begin(), contents.json.end())});
            }
            closedir(dir);
        }
    }
    return seeds;
}

}  // namespace sgfuzz
