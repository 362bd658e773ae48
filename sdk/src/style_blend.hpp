// style_blend.hpp - the style blend a request asks for: checking the
// styleIndex / styleWeightCount / pStyleWeights members that SgGenerateInfo
// and SgRestyleInfo share, and parsing style prompts (sgParseStylePrompt).
#pragma once

#include <cstdint>
#include <vector>

#include "api_guard.hpp"
#include "stylegen/stylegen.h"

namespace sg {

struct ModelData;

// One style (styleWeightCount 0: styleIndex) or a blend of styleWeightCount
// == styleCount weights, finite, >= 0, sum > 0; *weights receives the blend
// normalised to sum 1. Messages name the members as "<owner>->styleIndex".
SgResult checkStyleBlend(const ApiCall& call, const ModelData& model, const char* owner, uint32_t styleIndex,
                         uint32_t styleWeightCount, const float* pStyleWeights, std::vector<float>* weights);

// Parses a style prompt ("orcs:0.7 + undead:0.3", stylegen.h's
// sgParseStylePrompt) into styleCount weights normalised to sum 1.
// SG_ERROR_INVALID_ARGUMENT with a message naming the problem and its column.
SgResult parseStylePrompt(const ApiCall& call, const ModelData& model, const char* prompt,
                          std::vector<float>* weights);

}  // namespace sg
