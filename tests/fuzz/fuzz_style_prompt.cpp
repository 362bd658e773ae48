// fuzz_style_prompt.cpp - sgParseStylePrompt: any text gives normalised
// weights or an error that leaves the weights alone.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fuzz_targets.hpp"
#include "stylegen/stylegen.h"
#include "tiny_model.hpp"

namespace sgfuzz {
namespace {

#define SGFUZZ_PROMPT_CHECK(condition)                                                \
    do {                                                                              \
        if (!(condition)) {                                                           \
            std::fprintf(stderr, "sgfuzz: %s:%d: %s\n", __FILE__, __LINE__, #condition); \
            std::abort();                                                             \
        }                                                                             \
    } while (0)

// Style names as real models have them: '_', '-', UTF-8, one a prefix of another.
const char* const kStyles[] = {"orcs", "undead", "stone_blocks", "elves-wood", "orcs2", "x", "\xc3\xa9lan"};
constexpr uint32_t kStyleCount = sizeof(kStyles) / sizeof(kStyles[0]);

class PromptModel {
public:
    PromptModel() {
        SgContextCreateInfo info{};
        info.sType = SG_STRUCTURE_TYPE_CONTEXT_CREATE_INFO;
        info.threadCount = 1;
        info.backendPreference = SG_BACKEND_PREFERENCE_CPU;
        SGFUZZ_PROMPT_CHECK(sgCreateContext(&info, nullptr, &context) == SG_SUCCESS);
        sgtest::TinyModelParts parts = sgtest::makeTinyModelParts(sgtest::TinyKind::Character, kStyleCount);
        nlohmann::json j = nlohmann::json::parse(parts.json);
        j["styles"] = std::vector<std::string>(kStyles, kStyles + kStyleCount);
        parts.json = j.dump();
        const std::vector<uint8_t> bytes = sgtest::serializeTinyModel(parts);
        SGFUZZ_PROMPT_CHECK(sgLoadModelFromMemory(context, bytes.data(), bytes.size(), &model) == SG_SUCCESS);
    }
    ~PromptModel() {
        sgDestroyModel(context, model);
        sgDestroyContext(context, nullptr);
    }
    SgContext context = nullptr;
    SgModel model = nullptr;
};

}  // namespace

int stylePrompt(const uint8_t* data, size_t size) {
    static const PromptModel m;
    // A C string: the prompt ends at the first NUL, as it would for a caller.
    const std::string prompt(reinterpret_cast<const char*>(data), size);
    std::vector<float> weights(kStyleCount, -1.0f);
    const SgResult result = sgParseStylePrompt(m.model, prompt.c_str(), kStyleCount, weights.data());
    if (result != SG_SUCCESS) {
        SGFUZZ_PROMPT_CHECK(result == SG_ERROR_INVALID_ARGUMENT);
        SGFUZZ_PROMPT_CHECK(sgGetLastErrorMessage(m.context)[0] != '\0');
        for (float w : weights) SGFUZZ_PROMPT_CHECK(w == -1.0f);
        return 0;
    }
    double sum = 0.0;
    for (float w : weights) {
        SGFUZZ_PROMPT_CHECK(std::isfinite(w) && w >= 0.0f && w <= 1.0f);
        sum += w;
    }
    SGFUZZ_PROMPT_CHECK(std::fabs(sum - 1.0) < 1e-4);
    // What the weights are for: a blend sgGenerate accepts.
    SgGenerateInfo gi{};
    gi.sType = SG_STRUCTURE_TYPE_GENERATE_INFO;
    gi.count = 1;
    gi.styleWeightCount = kStyleCount;
    gi.pStyleWeights = weights.data();
    gi.truncationPsi = 1.0f;
    gi.noiseStrength = 1.0f;
    gi.format = SG_FORMAT_R8G8B8A8_UNORM;
    std::vector<uint8_t> pixels(16 * 16 * 4);
    SgImageBuffer buffer{};
    buffer.sType = SG_STRUCTURE_TYPE_IMAGE_BUFFER;
    buffer.pData = pixels.data();
    buffer.size = pixels.size();
    SGFUZZ_PROMPT_CHECK(sgGenerate(m.context, m.model, &gi, &buffer) == SG_SUCCESS);
    return 0;
}

}  // namespace sgfuzz
