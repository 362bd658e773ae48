// evaluation.cpp - the protocol of stylegen-eval: data and split, classifier,
// the images of every row, and the metrics per style and overall.
#include "evaluation.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <stdexcept>

#include "dataset.hpp"
#include "image_sources.hpp"

namespace sgeval {
namespace {

constexpr uint64_t kSplitSeed = 1;  // with --split groups: the split docs/data.md tabulates

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& item : items)
        out += (out.empty() ? "" : ", ") + item;
    return out;
}

bool contains(const std::vector<std::string>& items, const std::string& item) {
    return std::find(items.begin(), items.end(), item) != items.end();
}

// A source opened: a model through the SDK, or a folder of PNGs by style.
struct OpenSource {
    const Source* spec = nullptr;
    std::unique_ptr<sg::Model> model;
    SgModelInfo info{};
    std::vector<std::string> styles;
    sgdata::Dataset folder;
};

std::vector<OpenSource> openSources(const EvalOptions& o, const sg::Context& context) {
    std::vector<OpenSource> sources;
    for (const Source& spec : o.sources) {
        OpenSource s;
        s.spec = &spec;
        if (spec.kind == Source::Kind::Model) {
            try {
                s.model = std::make_unique<sg::Model>(context.loadModel(spec.path));
                s.info = s.model->info();
                s.styles = s.model->styleNames();
            } catch (const sg::Error& e) {
                throw std::runtime_error("cannot load model " + spec.path + ": " + e.what());
            }
        } else {
            std::string error;
            if (!sgdata::loadImageFolder(spec.path, &s.folder, &error))
                throw std::runtime_error("--images " + spec.path + ": " + error);
            s.styles = s.folder.styles;
        }
        sources.push_back(std::move(s));
    }
    return sources;
}

// The evaluation size: the models' (which must agree), else the options', else
// the data set's training default (crawl: 32x32 RGB scenes; else 64x64 RGBA).
void chooseSize(const EvalOptions& o, const std::vector<OpenSource>& sources, int* size, int* channels) {
    *size = o.resolution > 0 ? o.resolution : (o.data == "crawl" ? 32 : 64);
    *channels = o.channels > 0 ? o.channels : (o.data == "crawl" ? 3 : 4);
    const OpenSource* first = nullptr;
    for (const OpenSource& s : sources) {
        if (!s.model)
            continue;
        const int r = int(s.info.resolution), c = int(s.info.channels);
        if (!first) {
            if ((o.resolution > 0 && o.resolution != r) || (o.channels > 0 && o.channels != c))
                throw std::runtime_error("model " + s.spec->path + " makes " + std::to_string(r) + "x" +
                                         std::to_string(r) + " images with " + std::to_string(c) +
                                         " channels; --resolution/--channels ask for others");
            first = &s;
            *size = r;
            *channels = c;
        } else if (r != *size || c != *channels) {
            throw std::runtime_error("models " + first->spec->path + " and " + s.spec->path +
                                     " differ in resolution or channels; evaluate them in separate runs");
        }
    }
}

// One row's images of one style, classified.
struct RowImages {
    ImageSet images;
    Classification classes;
    ImageSet seamImages;  // scenes: what the seam score measures
};

void computeStyle(const ImageSet& reference, const FeatureSet& referenceFeatures, size_t chunkSize, int styleIndex,
                  const std::vector<RowImages>& rows, const Report& report, const EvalOptions& o,
                  std::vector<Metrics>* out) {
    // Every row is cut into chunks of the held-out size; the floor is one chunk.
    std::vector<std::vector<ImageSet>> chunks(rows.size());
    std::vector<const ImageSet*> candidates;
    for (size_t r = 0; r < rows.size(); ++r) {
        const size_t n = rows[r].images.count();
        const size_t size = std::min(chunkSize, n);  // a row smaller than the held-out split: one chunk of all
        for (size_t c = 0; c < n / size; ++c)
            chunks[r].push_back(rows[r].images.slice(c * size, size));
        for (const ImageSet& chunk : chunks[r])
            candidates.push_back(&chunk);
    }
    const std::vector<SwdResult> swd = slicedWasserstein(reference, candidates, report.swd, o.threads);

    size_t next = 0;
    for (size_t r = 0; r < rows.size(); ++r) {
        Metrics& m = (*out)[r];
        const RowImages& row = rows[r];
        m.images = row.images.count();
        m.chunks = chunks[r].size();
        m.swdPerLevel.assign(report.swdResolutions.size(), 0.0);
        std::vector<double> precision, recall;
        const size_t size = chunks[r].front().count();
        for (size_t c = 0; c < chunks[r].size(); ++c, ++next) {
            for (size_t l = 0; l < m.swdPerLevel.size(); ++l)
                m.swdPerLevel[l] += swd[next].perLevel[l] / double(chunks[r].size());
            const PrecisionRecall pr =
                precisionRecall(referenceFeatures, row.classes.features.slice(c * size, size), o.k, o.threads);
            precision.push_back(pr.precision);
            recall.push_back(pr.recall);
        }
        m.swd = meanOf(m.swdPerLevel);
        m.precision = meanOf(precision);
        m.recall = meanOf(recall);
        m.accuracy = double(std::count(row.classes.predicted.begin(), row.classes.predicted.end(), styleIndex)) /
                     double(m.images);
        m.diversity = meanPairwiseDistance(row.classes.features);
        if (report.scene)
            m.seam = seamScore(row.seamImages);
    }
}

Metrics overallOf(const std::vector<Metrics>& styles) {
    Metrics all;
    std::vector<double> swd, accuracy, diversity, precision, recall, seam;
    all.swdPerLevel.assign(styles.front().swdPerLevel.size(), 0.0);
    for (size_t l = 0; l < all.swdPerLevel.size(); ++l) {
        std::vector<double> level;
        for (const Metrics& m : styles)
            level.push_back(m.swdPerLevel[l]);
        all.swdPerLevel[l] = meanOf(level);
    }
    for (const Metrics& m : styles) {
        all.images += m.images;
        all.chunks += m.chunks;
        swd.push_back(m.swd);
        accuracy.push_back(m.accuracy);
        diversity.push_back(m.diversity);
        precision.push_back(m.precision);
        recall.push_back(m.recall);
        seam.push_back(m.seam);
    }
    all.swd = meanOf(swd);
    all.accuracy = meanOf(accuracy);
    all.diversity = meanOf(diversity);
    all.precision = meanOf(precision);
    all.recall = meanOf(recall);
    all.seam = meanOf(seam);
    return all;
}

std::string describeSource(const EvalOptions& o, const OpenSource& s, bool scene) {
    char text[512];
    if (s.model) {
        // The content hash names the weights: a model file retrained in place gets a new one.
        char hash[17];
        for (int i = 0; i < 8; ++i)
            std::snprintf(hash + 2 * i, 3, "%02x", s.info.contentHash[i]);
        std::snprintf(text, sizeof text, "%s (model %s, content %s...): %u images per style, seeds %llu-%llu, psi %g",
                      s.spec->path.c_str(), s.info.pName, hash, o.count, (unsigned long long)o.seed,
                      (unsigned long long)(o.seed + o.count - 1), double(o.psi));
        std::string d = text;
        if (scene)
            d += "; seam score on " + std::to_string(o.seamCount) + " images per style at " +
                 std::to_string(o.seamSize) + "x" + std::to_string(o.seamSize) + " (seeds from " +
                 std::to_string(o.seed) + ")";
        return d;
    }
    return s.spec->path + ": PNG folder, every image of each style";
}

}  // namespace

double meanOf(const std::vector<double>& values) {
    double sum = 0.0;
    size_t n = 0;
    for (double v : values)
        if (!std::isnan(v)) {
            sum += v;
            ++n;
        }
    return n ? sum / double(n) : kNoValue;
}

std::vector<std::string> chooseStyles(const EvalOptions& o, const sgdata::Dataset& data,
                                      const std::vector<StyleSource>& sources, std::vector<std::string>* notes) {
    std::vector<std::string> styles;
    if (!o.styles.empty()) {
        for (const std::string& style : o.styles) {
            if (!contains(data.styles, style))
                throw std::runtime_error("--styles: '" + style + "' is not a style of " + data.name + " (" +
                                         joined(data.styles) + ")");
            for (const StyleSource& s : sources)
                if (!contains(s.styles, style))
                    throw std::runtime_error("--styles: '" + style + "' is not a style of " + s.path + " (" +
                                             joined(s.styles) + ")");
            if (!contains(styles, style))
                styles.push_back(style);
        }
        return styles;
    }
    for (const std::string& style : data.styles) {
        std::vector<std::string> missing;
        for (const StyleSource& s : sources)
            if (!contains(s.styles, style))
                missing.push_back(s.label);
        if (missing.empty())
            styles.push_back(style);
        else
            notes->push_back("style " + style + " is not in " + joined(missing) + ": not evaluated");
    }
    if (styles.empty())
        throw std::runtime_error("no style of " + data.name + " (" + joined(data.styles) +
                                 ") is in every model or folder given");
    return styles;
}

std::vector<int> swdLevelsOf(int resolution, const SwdSettings& swd) {
    std::vector<int> levels = swdResolutions(resolution, swd.minResolution);
    if (levels.empty() || resolution < swd.patchSize)
        throw std::runtime_error("images of " + std::to_string(resolution) + " pixels are too small for SWD (" +
                                 std::to_string(swd.minResolution) + " at least)");
    return levels;
}

sgdata::Dataset loadData(const EvalOptions& o) {
    sgdata::Dataset data;
    std::string error;
    sgdata::FetchOptions fetch;
    fetch.cacheDir = o.cacheDir;
    if (!o.holdOut.empty() && o.data != "wesnoth")
        throw std::runtime_error("--hold-out leaves styles out of --data wesnoth only (as stylegen-train's); for " +
                                 o.data + " choose the styles with --styles");
    const bool loaded = o.data == "wesnoth" ? sgdata::loadWesnothUnits(fetch, o.holdOut, &data, &error)
                        : o.data == "crawl" ? sgdata::loadCrawlTiles(fetch, &data, &error)
                                            : sgdata::loadImageFolder(o.data, &data, &error);
    if (!loaded)
        throw std::runtime_error("--data " + o.data + ": " + error);
    return data;
}

void prepareRealData(const EvalOptions& o, int size, int channels, const LogFn& log, RealData* real) {
    auto say = [&](const std::string& line) {
        if (log)
            log(line);
    };
    const sgdata::Dataset& data = real->data;
    real->splitSeed = kSplitSeed;
    std::vector<size_t> train, heldOut;
    if (o.groupSplit)
        sgdata::splitHeldOut(data, o.holdOutFraction, kSplitSeed, &train, &heldOut);
    else
        splitImages(data, o.holdOutFraction, kSplitSeed, &train, &heldOut);
    const size_t dataStyles = data.styles.size();
    std::vector<std::vector<size_t>> trainOf(dataStyles), heldOutOf(dataStyles);
    for (size_t i : train)
        trainOf[size_t(data.images[i].style)].push_back(i);
    for (size_t i : heldOut)
        heldOutOf[size_t(data.images[i].style)].push_back(i);
    std::vector<size_t> trainOrder, heldOutOrder;  // grouped by style
    std::vector<int> trainLabels;
    real->trainBegin.assign(dataStyles + 1, 0);
    real->heldOutBegin.assign(dataStyles + 1, 0);
    for (size_t s = 0; s < dataStyles; ++s) {
        real->trainBegin[s] = trainOrder.size();
        real->heldOutBegin[s] = heldOutOrder.size();
        trainOrder.insert(trainOrder.end(), trainOf[s].begin(), trainOf[s].end());
        heldOutOrder.insert(heldOutOrder.end(), heldOutOf[s].begin(), heldOutOf[s].end());
        trainLabels.insert(trainLabels.end(), trainOf[s].size(), int(s));
    }
    real->trainBegin[dataStyles] = trainOrder.size();
    real->heldOutBegin[dataStyles] = heldOutOrder.size();
    say("rendering " + std::to_string(train.size()) + " training and " + std::to_string(heldOut.size()) +
        " held-out images at " + std::to_string(size) + "x" + std::to_string(size));
    real->train = renderImages(data, trainOrder, true, size, channels, o.threads);
    real->heldOut = renderImages(data, heldOutOrder, true, size, channels, o.threads);

    std::string classifierDir = o.classifierDir;
    if (classifierDir.empty()) {
        sgdata::FetchOptions fetch;
        fetch.cacheDir = o.cacheDir;
        std::string cache, error;
        if (sgdata::resolveCacheDir(fetch, &cache, &error))
            classifierDir = cache + "/eval";
        else
            say("no cache folder (" + error + "): the classifier is trained without caching");
    }
    ClassifierSummary& summary = real->classifier;
    summary.options = o.classifier;
    summary.styles = dataStyles;
    real->net = trainOrLoadClassifier(classifierDir, real->train, trainLabels, int(dataStyles), o.classifier,
                                      &summary.fromCache, log);
    summary.featureDim = real->net->featureDim();
    real->trainClasses = classify(real->net, real->train);
    real->heldOutClasses = classify(real->net, real->heldOut);
    size_t right = 0;
    real->heldOutAccuracyOf.assign(dataStyles, kNoValue);
    for (size_t s = 0; s < dataStyles; ++s) {
        size_t rightHere = 0;
        for (size_t i = real->heldOutBegin[s]; i < real->heldOutBegin[s + 1]; ++i)
            rightHere += real->heldOutClasses.predicted[i] == int(s);
        right += rightHere;
        if (real->heldOutCount(s) > 0)
            real->heldOutAccuracyOf[s] = double(rightHere) / double(real->heldOutCount(s));
    }
    summary.heldOutAccuracy = heldOut.empty() ? kNoValue : double(right) / double(heldOut.size());
    summary.heldOutBalancedAccuracy = meanOf(real->heldOutAccuracyOf);
    char accuracy[128];
    std::snprintf(accuracy, sizeof accuracy, "classifier held-out accuracy %.1f%% (balanced over %zu styles %.1f%%)",
                  100.0 * summary.heldOutAccuracy, dataStyles, 100.0 * summary.heldOutBalancedAccuracy);
    say(accuracy);
}

void splitImages(const sgdata::Dataset& data, double fraction, uint64_t seed, std::vector<size_t>* train,
                 std::vector<size_t>* heldOut) {
    train->clear();
    heldOut->clear();
    std::vector<std::vector<size_t>> byStyle(data.styles.size());
    for (size_t i = 0; i < data.images.size(); ++i)
        if (data.images[i].style >= 0 && size_t(data.images[i].style) < byStyle.size())
            byStyle[size_t(data.images[i].style)].push_back(i);
    for (size_t style = 0; style < byStyle.size(); ++style) {
        std::vector<size_t>& images = byStyle[style];
        SplitMix64 rng{mixSeed(seed, style)};
        for (size_t i = images.size(); i > 1; --i)
            std::swap(images[i - 1], images[size_t(rng.below(i))]);
        const size_t n = images.size();
        const size_t held = n < 2 ? 0 : std::clamp<size_t>(size_t(std::lround(fraction * double(n))), 1, n - 1);
        heldOut->insert(heldOut->end(), images.begin(), images.begin() + std::ptrdiff_t(held));
        train->insert(train->end(), images.begin() + std::ptrdiff_t(held), images.end());
    }
    std::sort(train->begin(), train->end());
    std::sort(heldOut->begin(), heldOut->end());
}

Report evaluate(const EvalOptions& o, const LogFn& log) {
    const auto start = std::chrono::steady_clock::now();
    auto say = [&](const std::string& line) {
        if (log)
            log(line);
    };
    if (!(o.holdOutFraction > 0.0 && o.holdOutFraction < 1.0))
        throw std::runtime_error("--hold-out-fraction must lie strictly between 0 and 1");
    if (o.sources.empty())
        throw std::runtime_error("nothing to evaluate: give --model M.sgm or --images DIR (one or more)");

    Report report;
    report.command = o.command;
    report.holdOutFraction = o.holdOutFraction;
    report.groupSplit = o.groupSplit;
    report.k = o.k;
    report.count = o.count;
    report.seed = o.seed;
    report.psi = o.psi;
    report.seamSize = o.seamSize;
    report.seamCount = o.seamCount;

    sg::ContextCreateInfo contextInfo;
    contextInfo.threadCount = uint32_t(std::max(0, o.threads));
    std::unique_ptr<sg::Context> context;
    try {
        context = std::make_unique<sg::Context>(contextInfo);
    } catch (const sg::Error& e) {
        throw std::runtime_error(std::string("cannot create a stylegen context: ") + e.what());
    }
    const std::vector<OpenSource> sources = openSources(o, *context);
    chooseSize(o, sources, &report.resolution, &report.channels);
    report.scene = report.channels == 3;
    report.swdResolutions = swdLevelsOf(report.resolution, report.swd);

    say("loading " + o.data);
    RealData real;
    real.data = loadData(o);
    const sgdata::Dataset& data = real.data;
    report.dataName = data.name;
    report.provenance = data.provenance;
    std::vector<StyleSource> styleSources;
    for (const OpenSource& s : sources)
        styleSources.push_back({s.spec->path, s.spec->label, s.styles});
    report.styles = chooseStyles(o, data, styleSources, &report.notes);

    // The split, per data style; the classifier learns every style of the data.
    prepareRealData(o, report.resolution, report.channels, log, &real);
    report.splitSeed = real.splitSeed;
    report.classifier = real.classifier;
    const ImageSet& trainImages = real.train;
    const ImageSet& heldOutImages = real.heldOut;
    const Classification& trainClasses = real.trainClasses;
    const Classification& heldOutClasses = real.heldOutClasses;
    const std::vector<size_t>& trainBegin = real.trainBegin;
    const std::vector<size_t>& heldOutBegin = real.heldOutBegin;
    StyleClassifier& net = real.net;

    // Rows: the floor, then one per source.
    report.rows.resize(1 + sources.size());
    report.rows[0].label = "real held-out";
    report.rows[0].floor = true;
    report.rows[0].description = "the held-out split of the real data, rendered like the reference";
    for (size_t i = 0; i < sources.size(); ++i) {
        report.rows[i + 1].label = sources[i].spec->label;
        report.rows[i + 1].description = describeSource(o, sources[i], report.scene);
    }
    report.samples.assign(report.rows.size(), {});
    for (Row& row : report.rows)
        row.styles.resize(report.styles.size());

    for (size_t e = 0; e < report.styles.size(); ++e) {
        const std::string& style = report.styles[e];
        const size_t d = size_t(std::find(data.styles.begin(), data.styles.end(), style) - data.styles.begin());
        const size_t trainCount = trainBegin[d + 1] - trainBegin[d];
        const size_t heldCount = heldOutBegin[d + 1] - heldOutBegin[d];
        report.trainImages.push_back(trainCount);
        report.heldOutImages.push_back(heldCount);
        if (trainCount == 0 || heldCount == 0)
            throw std::runtime_error("style " + style + " has " + std::to_string(trainCount) + " training and " +
                                     std::to_string(heldCount) +
                                     " held-out images; both splits need images (one group cannot be split)");
        const ImageSet reference = trainImages.slice(trainBegin[d], trainCount);
        const FeatureSet referenceFeatures = trainClasses.features.slice(trainBegin[d], trainCount);

        std::vector<RowImages> rows(report.rows.size());
        rows[0].images = heldOutImages.slice(heldOutBegin[d], heldCount);
        rows[0].classes.features = heldOutClasses.features.slice(heldOutBegin[d], heldCount);
        rows[0].classes.predicted.assign(heldOutClasses.predicted.begin() + std::ptrdiff_t(heldOutBegin[d]),
                                         heldOutClasses.predicted.begin() + std::ptrdiff_t(heldOutBegin[d] + heldCount));
        rows[0].seamImages = rows[0].images;
        for (size_t i = 0; i < sources.size(); ++i) {
            const OpenSource& s = sources[i];
            RowImages& row = rows[i + 1];
            const auto index = uint32_t(std::find(s.styles.begin(), s.styles.end(), style) - s.styles.begin());
            if (s.model) {
                try {
                    row.images =
                        generateImages(*s.model, index, o.count, o.seed, o.psi, report.resolution, report.channels);
                    row.seamImages = report.scene ? generateImages(*s.model, index, o.seamCount, o.seed, o.psi,
                                                                   int(o.seamSize), report.channels)
                                                  : ImageSet();
                } catch (const sg::Error& e) {
                    throw std::runtime_error("generating " + style + " with " + s.spec->path + ": " + e.what());
                }
            } else {
                std::vector<size_t> indices;
                for (size_t k = 0; k < s.folder.images.size(); ++k)
                    if (size_t(s.folder.images[k].style) == index)
                        indices.push_back(k);
                row.images = renderImages(s.folder, indices, false, report.resolution, report.channels, o.threads);
                row.seamImages = row.images;
            }
            row.classes = classify(net, row.images);
            if (row.images.count() < heldCount)
                report.notes.push_back(style + ": " + s.spec->label + " has " + std::to_string(row.images.count()) +
                                       " images, fewer than the " + std::to_string(heldCount) +
                                       " held-out ones: SWD and precision/recall use one smaller set");
        }
        for (size_t r = 0; r < rows.size(); ++r)
            report.samples[r].push_back(
                rows[r].images.slice(0, std::min(kSampleImages, rows[r].images.count())));

        std::vector<Metrics> metrics(rows.size());
        computeStyle(reference, referenceFeatures, heldCount, int(d), rows, report, o, &metrics);
        for (size_t r = 0; r < rows.size(); ++r)
            report.rows[r].styles[e] = metrics[r];
        char line[256];
        std::snprintf(line, sizeof line, "%-14s %4zu train %4zu held-out: SWD floor %.1f, %s %.1f", style.c_str(),
                      trainCount, heldCount, metrics[0].swd, report.rows.back().label.c_str(), metrics.back().swd);
        say(line);
    }
    for (Row& row : report.rows)
        row.overall = overallOf(row.styles);
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return report;
}

}  // namespace sgeval
