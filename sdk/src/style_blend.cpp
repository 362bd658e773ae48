// style_blend.cpp - see style_blend.hpp; also the sgParseStylePrompt entry point.
#include "style_blend.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>

#include "context.hpp"
#include "model.hpp"

namespace sg {
namespace {

// Largest weight a prompt may give; keeps every sum of weights finite in float.
constexpr double kMaxPromptWeight = 1e6;
// Prompts quoted in messages are cut to this many bytes.
constexpr size_t kMaxQuotedPrompt = 200;

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool isNameChar(char c) { return !isSpace(c) && c != ':' && c != '+'; }

// Edit distance (insertions, deletions, substitutions) between two names, for
// suggesting the style a misspelt name meant.
size_t editDistance(const std::string& a, const std::string& b) {
    std::vector<size_t> previous(b.size() + 1), current(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitute});
        }
        std::swap(previous, current);
    }
    return previous[b.size()];
}

// A decimal number as the prompt grammar has it: digits with an optional
// fraction and exponent (".5", "2", "0.75", "1e-2"). Read with from_chars, so
// the application's locale never changes what a prompt means.
bool parseWeight(const std::string& token, double* value) {
    size_t i = 0;
    const size_t n = token.size();
    size_t digits = 0;
    while (i < n && std::isdigit(static_cast<unsigned char>(token[i]))) ++i, ++digits;
    if (i < n && token[i] == '.') {
        ++i;
        while (i < n && std::isdigit(static_cast<unsigned char>(token[i]))) ++i, ++digits;
    }
    if (digits == 0) return false;
    if (i < n && (token[i] == 'e' || token[i] == 'E')) {
        ++i;
        if (i < n && (token[i] == '+' || token[i] == '-')) ++i;
        const size_t start = i;
        while (i < n && std::isdigit(static_cast<unsigned char>(token[i]))) ++i;
        if (i == start) return false;
    }
    if (i != n) return false;
    const std::from_chars_result r = std::from_chars(token.data(), token.data() + n, *value);
    return r.ec == std::errc() && r.ptr == token.data() + n && std::isfinite(*value);
}

class PromptParser {
public:
    PromptParser(const ApiCall& call, const ModelData& model, const std::string& text)
        : call_(call), model_(model), text_(text) {}

    SgResult parse(std::vector<float>* weights) {
        const std::vector<std::string>& styles = model_.styles;
        std::vector<double> raw(styles.size(), 0.0);
        std::vector<size_t> namedAt(styles.size(), 0);  // column + 1 where each style was named; 0: not yet
        skipSpace();
        if (i_ == text_.size())
            return fail(i_, "the prompt is empty",
                        "expected style names with optional weights, e.g. \"" + styles[0] + "\" or \"" + example() +
                            "\"");
        for (;;) {
            skipSpace();
            const size_t nameStart = i_;
            while (i_ < text_.size() && isNameChar(text_[i_])) ++i_;
            if (i_ == nameStart) return emptyTerm();
            const std::string name = text_.substr(nameStart, i_ - nameStart);
            const auto found = std::find(styles.begin(), styles.end(), name);
            if (found == styles.end()) return unknownStyle(nameStart, name);
            const size_t index = size_t(found - styles.begin());
            if (namedAt[index] != 0) {
                return fail(nameStart,
                            "style '" + name + "' is named twice (first at column " + std::to_string(namedAt[index]) + ")",
                            "name each style once");
            }
            namedAt[index] = nameStart + 1;
            skipSpace();
            double weight = 1.0;
            if (i_ < text_.size() && text_[i_] == ':') {
                ++i_;
                if (SgResult r = readWeight(name, &weight); r != SG_SUCCESS) return r;
                skipSpace();
            }
            raw[index] = weight;
            if (i_ == text_.size()) break;
            if (text_[i_] != '+') {
                return fail(i_, "unexpected '" + restOfToken(i_) + "' after the term '" + name + "'",
                            "terms are joined with '+', e.g. \"" + example() + "\"");
            }
            ++i_;
        }
        double sum = 0.0;
        for (double w : raw) sum += w;
        weights->assign(styles.size(), 0.0f);
        for (size_t c = 0; c < styles.size(); ++c) (*weights)[c] = float(raw[c] / sum);
        return SG_SUCCESS;
    }

private:
    void skipSpace() {
        while (i_ < text_.size() && isSpace(text_[i_])) ++i_;
    }

    // From position i to the next whitespace or '+', for messages.
    std::string restOfToken(size_t i) const {
        size_t end = i;
        while (end < text_.size() && !isSpace(text_[end]) && (end == i || text_[end] != '+')) ++end;
        return text_.substr(i, end - i);
    }

    std::string example() const {
        const std::vector<std::string>& s = model_.styles;
        return s.size() > 1 ? s[0] + ":0.7 + " + s[1] + ":0.3" : s[0] + ":1";
    }

    SgResult emptyTerm() {
        if (i_ == text_.size()) return fail(i_, "empty term at the end: '+' must be followed by a style name");
        if (text_[i_] == ':') return fail(i_, "':' without a style name before it");
        return fail(i_, "empty term: a style name must come before this '+'");
    }

    SgResult unknownStyle(size_t at, const std::string& name) {
        const std::vector<std::string>& styles = model_.styles;
        size_t best = 0, bestDistance = SIZE_MAX;
        for (size_t c = 0; c < styles.size(); ++c) {
            const size_t d = editDistance(name, styles[c]);
            if (d < bestDistance) best = c, bestDistance = d;
        }
        std::string list;
        for (const std::string& s : styles) list += (list.empty() ? "" : ", ") + s;
        // Only a near miss is worth suggesting ("orc" for "orcs", not "style0" for "orcs").
        const bool close = bestDistance <= std::max<size_t>(2, name.size() / 2);
        return fail(at, "unknown style '" + name + "'",
                    "model '" + model_.name + "' has: " + list +
                        (close ? "; did you mean '" + styles[best] + "'?" : std::string()));
    }

    SgResult readWeight(const std::string& name, double* weight) {
        skipSpace();
        const size_t start = i_;
        // A sign glued to a number is part of the (bad) weight, not a '+' between terms.
        if (i_ + 1 < text_.size() && (text_[i_] == '+' || text_[i_] == '-') &&
            (std::isdigit(static_cast<unsigned char>(text_[i_ + 1])) || text_[i_ + 1] == '.'))
            ++i_;
        while (i_ < text_.size() && !isSpace(text_[i_]) && text_[i_] != '+') {
            // A '+' right after an exponent's 'e' belongs to the number ("1e+2").
            ++i_;
            if ((text_[i_ - 1] == 'e' || text_[i_ - 1] == 'E') && i_ < text_.size() && text_[i_] == '+') ++i_;
        }
        const std::string token = text_.substr(start, i_ - start);
        if (token.empty()) return fail(start, "missing weight after '" + name + ":'", "expected a number such as 0.5");
        if (!parseWeight(token, weight)) {
            return fail(start, "bad weight '" + token + "' for '" + name + "'",
                        "expected a decimal number above 0, such as 0.5 or 2");
        }
        if (!(*weight > 0.0)) {
            return fail(start, "weight " + token + " for '" + name + "' is not above 0",
                        "leave the term out instead of weighting it 0");
        }
        if (*weight > kMaxPromptWeight)
            return fail(start, "weight " + token + " for '" + name + "' is above the largest weight, 1e6");
        return SG_SUCCESS;
    }

    // "<problem> at column N of "<prompt>"[; <hint>]".
    SgResult fail(size_t at, const std::string& problem, const std::string& hint = "") const {
        const bool cut = text_.size() > kMaxQuotedPrompt;
        const std::string quoted = cut ? text_.substr(0, kMaxQuotedPrompt) + "..." : text_;
        return call_.fail(SG_ERROR_INVALID_ARGUMENT, problem + " at column " + std::to_string(at + 1) + " of \"" +
                                                         quoted + "\"" + (hint.empty() ? "" : "; " + hint));
    }

    const ApiCall& call_;
    const ModelData& model_;
    const std::string& text_;
    size_t i_ = 0;
};

}  // namespace

SgResult checkStyleBlend(const ApiCall& call, const ModelData& m, const char* owner, uint32_t styleIndex,
                         uint32_t styleWeightCount, const float* pStyleWeights, std::vector<float>* weights) {
    const std::string o = owner;
    const uint32_t styleCount = m.arch.styleCount;
    weights->assign(styleCount, 0.0f);
    if (styleWeightCount == 0) {
        SG_CHECK(styleIndex < styleCount, SG_ERROR_INVALID_ARGUMENT,
                 o + "->styleIndex " + std::to_string(styleIndex) + " is out of range: model '" + m.name + "' has " +
                     std::to_string(styleCount) + " styles");
        (*weights)[styleIndex] = 1.0f;
        return SG_SUCCESS;
    }
    SG_CHECK(styleWeightCount == styleCount, SG_ERROR_INVALID_ARGUMENT,
             o + "->styleWeightCount is " + std::to_string(styleWeightCount) +
                 ", expected 0 (use styleIndex) or the model's style count " + std::to_string(styleCount));
    SG_CHECK(pStyleWeights != nullptr, SG_ERROR_INVALID_ARGUMENT,
             o + "->pStyleWeights is NULL but styleWeightCount is " + std::to_string(styleWeightCount));
    double sum = 0.0;
    for (uint32_t i = 0; i < styleCount; ++i) {
        const float a = pStyleWeights[i];
        SG_CHECK(std::isfinite(a) && a >= 0.0f, SG_ERROR_INVALID_ARGUMENT,
                 o + "->pStyleWeights[" + std::to_string(i) + "] is " + std::to_string(a) +
                     "; weights must be finite and non-negative");
        sum += a;
    }
    SG_CHECK(sum > 0.0, SG_ERROR_INVALID_ARGUMENT, o + "->pStyleWeights are all zero; at least one must be > 0");
    for (uint32_t i = 0; i < styleCount; ++i) (*weights)[i] = float(pStyleWeights[i] / sum);
    return SG_SUCCESS;
}

SgResult parseStylePrompt(const ApiCall& call, const ModelData& model, const char* prompt,
                          std::vector<float>* weights) {
    const std::string text = prompt;
    return PromptParser(call, model, text).parse(weights);
}

}  // namespace sg

extern "C" {

SG_API SgResult sgParseStylePrompt(SgModel model, const char* pPrompt, uint32_t weightCount, float* pWeights) {
    return sg::guard(model ? model->context : nullptr, "sgParseStylePrompt", [&](const sg::ApiCall& call) {
        SG_CHECK(model != nullptr, SG_ERROR_INVALID_ARGUMENT, "model is NULL");
        SG_CHECK(pPrompt != nullptr, SG_ERROR_INVALID_ARGUMENT, "pPrompt is NULL");
        SG_CHECK(pWeights != nullptr, SG_ERROR_INVALID_ARGUMENT, "pWeights is NULL");
        const sg::ModelData& m = model->data;
        SG_CHECK(weightCount == m.arch.styleCount, SG_ERROR_INVALID_ARGUMENT,
                 "weightCount is " + std::to_string(weightCount) + ", expected the style count of model '" + m.name +
                     "', " + std::to_string(m.arch.styleCount));
        std::vector<float> weights;
        if (SgResult r = sg::parseStylePrompt(call, m, pPrompt, &weights); r != SG_SUCCESS) return r;
        std::memcpy(pWeights, weights.data(), weights.size() * sizeof(float));
        return SG_SUCCESS;
    });
}

}  // extern "C"
