// stylegen-eval: measures generated images against a real data set and writes
// the tables of docs/quality.md. Also reached as `stylegen eval`.
//
//   stylegen-eval --data wesnoth --cache ~/.cache/stylegen --model models/characters.sgm
//                 --json out/characters.json --markdown out/characters.md --sheet out/characters-eval.png
//   stylegen-eval --restyle --data wesnoth --model models/characters.sgm --count 16 --sheet out/restyle.png
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <functional>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "evaluation.hpp"
#include "options.hpp"
#include "png_file.hpp"
#include "report.hpp"

namespace {

constexpr int kExitSuccess = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr uint64_t kMaxCount = 10000;
constexpr uint64_t kMaxSeamSize = 1024;

constexpr const char* kUsage = R"(usage: stylegen-eval --data SOURCE (--model M.sgm | --images DIR)... [options]
       stylegen-eval --restyle --data SOURCE --model M.sgm [options]
       stylegen eval ...   (the same, through the stylegen CLI)

Measures generated images against real ones (docs/quality.md): SWD on
Laplacian-pyramid patches, style accuracy of a classifier trained on the real
training split, diversity and precision/recall in its feature space, and for
scenes the seam score. The first row of every table is real-vs-real (the
held-out split against the training split): the floor. With --restyle it
measures sgRestyle instead: held-out real images of every style restyled into
every other style, against three baselines on the same images.

images to evaluate (one or more; one table row each, in this order):
  --model M.sgm           generated through the stylegen API
  --images DIR            PNGs already generated, DIR/<style>/*.png
  --label A,B,...         row names, one per --model/--images (default: file or folder name)
real data:
  --data SOURCE           wesnoth, crawl, or a folder <root>/<style>/*.png
  --cache DIR             Debian package cache (default $STYLEGEN_CACHE, else ~/.cache/stylegen)
  --hold-out-fraction X   held-out share of each style's images (default 0.1)
  --split images|groups   hold out images at random (default), or whole groups
                          (a unit's frames, a tile's variants) as docs/data.md does
  --styles A,B,...        only these styles (default: every style of the data that all rows have)
  --hold-out A,B,...      wesnoth: styles left out of the data, classifier included, as
                          stylegen-train's --hold-out (with --split groups the held-out
                          split is then the one the trainer held out of a restyle encoder)
generation (models):
  --count N               images per style (default 256); --restyle: at most N
                          held-out images of each style are its inputs
  --seed S                seeds S .. S+N-1 (default 1); --restyle: of the random samples
  --psi X                 truncation, 0..1 (default 1: none)
  --seam-size N           scene models: seam-score images of N x N (default 128) ...
  --seam-count N          ... N per style (default 16)
  --resolution R          evaluation size without a model (default: the data set's
  --channels 3|4          training size: crawl 32x32 RGB, else 64x64 RGBA)
restyle (docs/quality.md, "Restyle"):
  --restyle               measure restyle: one --model that carries an encoder
  --strength S,...        restyle strengths in 0..1, one table row each (default 1)
  --refine N              refinement steps of every restyle (default 0)
classifier:
  --classifier-epochs N   training epochs (default 10)
  --classifier-width N    channels of its first layer, doubled by each stage (default 32)
  --classifier-cache DIR  where trained classifiers are kept (default <cache>/eval)
  --k N                   neighbours of precision/recall (default 3)
output (the markdown report is also printed):
  --json FILE  --markdown FILE  --sheet FILE.png
  --threads N             threads of generation and metrics, 0 = all hardware threads
                          (default 0; the classifier always runs on one)
  -h, --help

Exit codes: 0 success, 1 failure, 2 bad command line.
)";

std::vector<std::string> splitList(const std::string& text) {
    std::vector<std::string> items;
    size_t start = 0;
    while (start <= text.size()) {
        const size_t comma = std::min(text.find(',', start), text.size());
        if (comma > start)
            items.push_back(text.substr(start, comma - start));
        start = comma + 1;
    }
    return items;
}

// The command line as one shell-pasteable string.
std::string commandLine(const std::vector<std::string>& args) {
    std::string line = "stylegen-eval";
    for (const std::string& arg : args) {
        const bool plain = !arg.empty() && arg.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                                 "0123456789-_./=,:+@%") == std::string::npos;
        std::string quoted = "'";
        for (char c : arg)
            quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
        line += " " + (plain ? arg : quoted + "'");
    }
    return line;
}

std::string baseName(std::string path) {
    while (path.size() > 1 && path.back() == '/')
        path.pop_back();
    const size_t slash = path.find_last_of('/');
    std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".sgm") == 0)
        name.resize(name.size() - 4);
    return name;
}

struct Outputs {
    std::string json, markdown, sheet;
};

bool parse(const std::vector<std::string>& args, sgeval::EvalOptions* o, Outputs* out) {
    using sg::cli::parseFloat;
    using sg::cli::parseUnsigned;
    sg::cli::ArgScanner scanner(args);
    std::vector<std::string> labels;
    bool restyleOptions = false;
    std::string v;
    while (!scanner.done()) {
        if (scanner.flag("--help") || scanner.flag("-h")) {
            std::fputs(kUsage, stdout);
            return false;
        }
        if (scanner.option("--model", &v)) o->sources.push_back({sgeval::Source::Kind::Model, v, baseName(v)});
        else if (scanner.option("--images", &v)) o->sources.push_back({sgeval::Source::Kind::Images, v, baseName(v)});
        else if (scanner.option("--label", &v)) labels = splitList(v);
        else if (scanner.option("--data", &v)) o->data = v;
        else if (scanner.option("--cache", &v)) o->cacheDir = v;
        else if (scanner.option("--hold-out-fraction", &v))
            o->holdOutFraction = parseFloat("--hold-out-fraction", v, 0.001f, 0.999f);
        else if (scanner.option("--split", &v)) {
            if (v != "images" && v != "groups") throw sg::cli::UsageError("--split '" + v + "': expected images or groups");
            o->groupSplit = v == "groups";
        } else if (scanner.option("--styles", &v)) o->styles = splitList(v);
        else if (scanner.option("--hold-out", &v)) o->holdOut = splitList(v);
        else if (scanner.option("--count", &v)) o->count = uint32_t(parseUnsigned("--count", v, 1, kMaxCount));
        else if (scanner.option("--seed", &v)) o->seed = parseUnsigned("--seed", v, 0, UINT64_MAX - kMaxCount);
        else if (scanner.option("--psi", &v)) o->psi = parseFloat("--psi", v, 0.0f, 1.0f);
        else if (scanner.option("--seam-size", &v))
            o->seamSize = uint32_t(parseUnsigned("--seam-size", v, 8, kMaxSeamSize));
        else if (scanner.option("--seam-count", &v))
            o->seamCount = uint32_t(parseUnsigned("--seam-count", v, 1, kMaxCount));
        else if (scanner.option("--resolution", &v)) o->resolution = int(parseUnsigned("--resolution", v, 16, 1024));
        else if (scanner.option("--channels", &v)) o->channels = int(parseUnsigned("--channels", v, 3, 4));
        else if (scanner.option("--classifier-epochs", &v))
            o->classifier.epochs = int(parseUnsigned("--classifier-epochs", v, 1, 1000));
        else if (scanner.option("--classifier-width", &v))
            o->classifier.width = int(parseUnsigned("--classifier-width", v, 1, 256));
        else if (scanner.option("--classifier-cache", &v)) o->classifierDir = v;
        else if (scanner.option("--k", &v)) o->k = int(parseUnsigned("--k", v, 1, 100));
        else if (scanner.option("--json", &v)) out->json = v;
        else if (scanner.option("--markdown", &v)) out->markdown = v;
        else if (scanner.option("--sheet", &v)) out->sheet = v;
        else if (scanner.option("--threads", &v)) o->threads = int(parseUnsigned("--threads", v, 0, 4096));
        else if (scanner.flag("--restyle")) o->restyle = true;
        else if (scanner.option("--strength", &v)) {
            o->strengths.clear();
            for (const std::string& item : splitList(v))
                o->strengths.push_back(parseFloat("--strength", item, 0.0f, 1.0f));
            if (o->strengths.empty())
                throw sg::cli::UsageError("--strength: give one strength or more, e.g. 0.5,1");
            restyleOptions = true;
        } else if (scanner.option("--refine", &v)) {
            o->refinementSteps = uint32_t(parseUnsigned("--refine", v, 0, SG_MAX_RESTYLE_REFINEMENT_STEPS));
            restyleOptions = true;
        } else scanner.rejectCurrent();
    }
    if (o->data.empty())
        throw sg::cli::UsageError("--data is required: wesnoth, crawl or a folder <root>/<style>/*.png");
    if (o->sources.empty())
        throw sg::cli::UsageError("give at least one --model M.sgm or --images DIR");
    if (o->restyle && (o->sources.size() != 1 || o->sources[0].kind != sgeval::Source::Kind::Model))
        throw sg::cli::UsageError("--restyle measures one model: give one --model M.sgm (with an encoder), no --images");
    if (restyleOptions && !o->restyle)
        throw sg::cli::UsageError("--strength and --refine are options of --restyle");
    if (!labels.empty()) {
        if (labels.size() != o->sources.size())
            throw sg::cli::UsageError("--label has " + std::to_string(labels.size()) + " names for " +
                                      std::to_string(o->sources.size()) + " --model/--images");
        for (size_t i = 0; i < labels.size(); ++i)
            o->sources[i].label = labels[i];
    }
    return true;
}

// Fails before minutes of work when an output could not be written.
void checkOutputFolder(const std::string& option, const std::string& path) {
    if (path.empty())
        return;
    const size_t slash = path.find_last_of('/');
    const std::string folder = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
    struct stat st {};
    if (::stat(folder.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw std::runtime_error(option + " " + path + ": the folder " + folder + " does not exist");
}

void writeText(const std::string& path, const std::string& text) {
    std::string error;
    if (!sg::cli::writeFileAtomically(path, std::vector<uint8_t>(text.begin(), text.end()), &error))
        throw std::runtime_error(error);
    std::fprintf(stderr, "stylegen-eval: wrote %s\n", path.c_str());
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    try {
        sgeval::EvalOptions options;
        Outputs out;
        if (!parse(args, &options, &out))
            return kExitSuccess;
        checkOutputFolder("--json", out.json);
        checkOutputFolder("--markdown", out.markdown);
        checkOutputFolder("--sheet", out.sheet);
        options.command = commandLine(args);
        std::fprintf(stderr, "%s\n", options.command.c_str());
        const auto start = std::chrono::steady_clock::now();
        const sgeval::LogFn log = [&](const std::string& line) {
            const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            std::fprintf(stderr, "[%6.1f s] %s\n", t, line.c_str());
        };
        std::string markdown;
        nlohmann::json json;
        std::function<sg::cli::Image()> sheet;
        if (options.restyle) {
            auto report = std::make_shared<const sgeval::RestyleReport>(sgeval::evaluateRestyle(options, log));
            markdown = sgeval::restyleMarkdown(*report);
            json = sgeval::restyleJson(*report);
            sheet = [report] { return sgeval::restyleSheet(*report); };
        } else {
            auto report = std::make_shared<const sgeval::Report>(sgeval::evaluate(options, log));
            markdown = sgeval::markdownReport(*report);
            json = sgeval::jsonReport(*report);
            sheet = [report] { return sgeval::contactSheet(*report); };
        }
        std::fputs(markdown.c_str(), stdout);
        std::fflush(stdout);
        if (!out.markdown.empty())
            writeText(out.markdown, markdown);
        if (!out.json.empty())
            writeText(out.json, json.dump(2) + "\n");
        if (!out.sheet.empty()) {
            std::string error;
            if (!sg::cli::writePngAtomically(out.sheet, sheet(), &error))
                throw std::runtime_error(error);
            std::fprintf(stderr, "stylegen-eval: wrote %s\n", out.sheet.c_str());
        }
        return kExitSuccess;
    } catch (const sg::cli::UsageError& e) {
        std::fprintf(stderr, "stylegen-eval: error: %s\nRun 'stylegen-eval --help' for usage.\n", e.what());
        return kExitUsage;
    } catch (const std::bad_alloc&) {
        std::fputs("stylegen-eval: error: out of memory\n", stderr);
        return kExitFailure;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "stylegen-eval: error: %s\n", e.what());
        return kExitFailure;
    }
}
