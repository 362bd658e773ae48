// api_guard.cpp - last-error messages, per context and per thread.
#include "api_guard.hpp"

#include "context.hpp"

namespace sg {
namespace {

// Messages of calls that had no valid context (a failed sgCreateContext, a NULL handle).
thread_local std::string tContextlessError;

}  // namespace

void recordError(SgContext context, const char* function, const char* message) noexcept {
    try {
        const std::string text = std::string(function) + ": " + message;
        if (context) {
            context->setLastError(text);
            context->log(SG_LOG_LEVEL_ERROR, text);
        } else {
            tContextlessError = text;
        }
    } catch (...) {
        // Out of memory while reporting: the SgResult still tells the caller what happened.
    }
}

const char* lastErrorMessage(SgContext context) noexcept {
    return context ? context->lastError() : tContextlessError.c_str();
}

}  // namespace sg
