// api_guard.hpp - how every extern "C" entry point reports failure: an SgResult
// plus a message for sgGetLastErrorMessage, and no C++ exception ever escaping.
//
//   SG_API SgResult sgGetModelInfo(SgModel model, SgModelInfo* pInfo) {
//       return sg::guard(sg::contextOf(model), "sgGetModelInfo", [&](const sg::ApiCall& call) {
//           SG_CHECK(pInfo != nullptr, SG_ERROR_INVALID_ARGUMENT, "pInfo is NULL");
//           ...
//           return SG_SUCCESS;
//       });
//   }
#pragma once

#include <new>
#include <stdexcept>
#include <string>

#include "stylegen/stylegen.h"

namespace sg {

// Records "function: message" as the calling thread's last error on context
// (or on the thread's context-less slot when context is NULL) and logs it.
void recordError(SgContext context, const char* function, const char* message) noexcept;
const char* lastErrorMessage(SgContext context) noexcept;

// One entry-point invocation: where its failures are recorded.
class ApiCall {
public:
    ApiCall(SgContext context, const char* function) : context_(context), function_(function) {}
    SgResult fail(SgResult result, const std::string& message) const noexcept {
        recordError(context_, function_, message.c_str());
        return result;
    }
    SgResult fail(SgResult result, const char* message) const noexcept {
        recordError(context_, function_, message);
        return result;
    }
    // Failures found after the context is known (a model's context, say).
    void setContext(SgContext context) { context_ = context; }

private:
    SgContext context_;
    const char* function_;
};

#define SG_CHECK(condition, result, message)               \
    do {                                                   \
        if (!(condition)) return call.fail((result), (message)); \
    } while (0)

// Runs body(call) and turns escaping exceptions into results.
template <class Body>
SgResult guard(SgContext context, const char* function, Body&& body) noexcept {
    ApiCall call(context, function);
    try {
        return body(call);
    } catch (const std::bad_alloc&) {
        return call.fail(SG_ERROR_OUT_OF_MEMORY, "out of host memory");
    } catch (const std::exception& e) {
        return call.fail(SG_ERROR_INTERNAL, e.what());
    } catch (...) {
        return call.fail(SG_ERROR_INTERNAL, "unknown internal exception");
    }
}

// For entry points that return void (destroy functions): failures are logged only.
template <class Body>
void guardVoid(SgContext context, const char* function, Body&& body) noexcept {
    guard(context, function, [&](const ApiCall& call) {
        body(call);
        return SG_SUCCESS;
    });
}

}  // namespace sg
