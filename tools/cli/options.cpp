// options.cpp - see options.hpp.
#include "options.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace sg::cli {
namespace {

std::string quoted(const std::string& text) { return "'" + text + "'"; }

std::vector<std::string> split(const std::string& text, char separator) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
        const size_t end = text.find(separator, start);
        parts.push_back(text.substr(start, end - start));
        if (end == std::string::npos) return parts;
        start = end + 1;
    }
}

bool isDigits(const std::string& text) {
    return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

bool ArgScanner::flag(const std::string& name) {
    if (done() || args_[next_] != name) return false;
    ++next_;
    return true;
}

bool ArgScanner::option(const std::string& name, std::string* value) {
    if (done()) return false;
    const std::string& arg = args_[next_];
    if (arg == name) {
        if (next_ + 1 >= args_.size()) throw UsageError("option " + name + " needs a value");
        *value = args_[next_ + 1];
        next_ += 2;
        return true;
    }
    if (arg.size() > name.size() && arg.compare(0, name.size(), name) == 0 && arg[name.size()] == '=') {
        *value = arg.substr(name.size() + 1);
        ++next_;
        return true;
    }
    return false;
}

bool ArgScanner::positional(std::string* value) {
    if (done()) return false;
    const std::string& arg = args_[next_];
    if (arg.size() > 1 && arg[0] == '-') return false;
    *value = arg;
    ++next_;
    return true;
}

void ArgScanner::rejectCurrent() const {
    const std::string& arg = args_[next_];
    const size_t equals = arg.find('=');
    if (arg.compare(0, 2, "--") == 0 && equals != std::string::npos) {
        throw UsageError("unknown option " + arg.substr(0, equals) + " (or it takes no value)");
    }
    throw UsageError("unknown option " + arg);
}

const std::string& onlyPositional(const std::vector<std::string>& positionals, const std::string& command,
                                  const std::string& what) {
    if (positionals.size() != 1) {
        throw UsageError(command + " needs exactly one " + what + ", got " + std::to_string(positionals.size()) +
                         " (see 'stylegen " + command + " --help')");
    }
    return positionals[0];
}

uint64_t parseUnsigned(const std::string& option, const std::string& text, uint64_t min, uint64_t max) {
    errno = 0;
    char* end = nullptr;
    const unsigned long long value = isDigits(text) ? std::strtoull(text.c_str(), &end, 10) : 0;
    if (!isDigits(text) || errno == ERANGE || value < min || value > max) {
        throw UsageError(option + " " + quoted(text) + ": expected a whole number from " + std::to_string(min) +
                         " to " + std::to_string(max));
    }
    return value;
}

float parseFloat(const std::string& option, const std::string& text, float min, float max) {
    errno = 0;
    char* end = nullptr;
    const float value = text.empty() ? 0.0f : std::strtof(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE || !std::isfinite(value) ||
        value < min || value > max) {
        char range[64];
        std::snprintf(range, sizeof range, "from %g to %g", double(min), double(max));
        throw UsageError(option + " " + quoted(text) + ": expected a number " + range);
    }
    return value;
}

std::vector<uint64_t> parseSeedList(const std::string& option, const std::string& text, size_t maxCount) {
    std::vector<uint64_t> seeds;
    for (const std::string& item : split(text, ',')) {
        const size_t dash = item.find('-');
        const std::string first = item.substr(0, dash);
        const std::string last = dash == std::string::npos ? first : item.substr(dash + 1);
        if (!isDigits(first) || !isDigits(last)) {
            throw UsageError(option + " " + quoted(text) + ": " + quoted(item) +
                             " is not a seed or a range like 5-9 (expected e.g. 1,2,5-9)");
        }
        const uint64_t from = parseUnsigned(option, first, 0, UINT64_MAX);
        const uint64_t to = parseUnsigned(option, last, 0, UINT64_MAX);
        if (to < from) throw UsageError(option + " " + quoted(text) + ": range " + quoted(item) + " goes backwards");
        if (to - from >= maxCount - seeds.size()) {
            throw UsageError(option + " " + quoted(text) + ": more than " + std::to_string(maxCount) + " seeds");
        }
        for (uint64_t seed = from;; ++seed) {
            seeds.push_back(seed);
            if (seed == to) break;
        }
    }
    return seeds;
}

Extent parseExtent(const std::string& option, const std::string& text, uint32_t max) {
    const size_t x = text.find('x');
    const std::string width = text.substr(0, x);
    const std::string height = x == std::string::npos ? width : text.substr(x + 1);
    if (!isDigits(width) || !isDigits(height)) {
        throw UsageError(option + " " + quoted(text) + ": expected WIDTHxHEIGHT, e.g. 128x64");
    }
    return {uint32_t(parseUnsigned(option, width, 1, max)), uint32_t(parseUnsigned(option, height, 1, max))};
}

std::vector<BlendTerm> parseBlend(const std::string& option, const std::string& text) {
    std::vector<BlendTerm> terms;
    float total = 0.0f;
    for (const std::string& item : split(text, ',')) {
        const size_t colon = item.rfind(':');
        if (colon == std::string::npos || colon == 0) {
            throw UsageError(option + " " + quoted(text) + ": " + quoted(item) +
                             " is not STYLE:WEIGHT (expected e.g. orcs:0.7,elves:0.3)");
        }
        BlendTerm term{item.substr(0, colon), 0.0f};
        term.weight = parseFloat(option + " weight of " + quoted(term.style), item.substr(colon + 1), 0.0f, 1e6f);
        total += term.weight;
        terms.push_back(term);
    }
    if (!(total > 0.0f)) throw UsageError(option + " " + quoted(text) + ": the weights add up to 0");
    return terms;
}

}  // namespace sg::cli
