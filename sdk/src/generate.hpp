// generate.hpp - generation into host memory, shared by sgGenerate and the
// entry points that generate elsewhere first (stylegen_vulkan.h's staging path).
#pragma once

#include "api_guard.hpp"
#include "stylegen/stylegen.h"

namespace sg {

// sgGenerate after its handle checks (context and model non-NULL, model of
// context): checks both structs and every member, then writes the images.
// Failures are reported through call.
SgResult generate(const ApiCall& call, SgContext context, SgModel model, const SgGenerateInfo* pGenerateInfo,
                  const SgImageBuffer* pImageBuffer);

}  // namespace sg
