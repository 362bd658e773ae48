// restyle_evaluation.cpp - the protocol of stylegen-eval --restyle: inputs
// from the held-out split, restyles through sgRestyle, the three baselines, and
// their scores per source/target pair, per style and overall.
#include "restyle_evaluation.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <stdexcept>

#include "image_sources.hpp"

namespace sgeval {
namespace {

std::string hexHash(const SgModelInfo& info) {
    char hash[17];
    for (int i = 0; i < 8; ++i)
        std::snprintf(hash + 2 * i, 3, "%02x", info.contentHash[i]);
    return hash;
}

// Share of `classes` predicted as data style `style`.
double accuracyOf(const Classification& classes, int style) {
    if (classes.predicted.empty())
        return kNoValue;
    return double(std::count(classes.predicted.begin(), classes.predicted.end(), style)) /
           double(classes.predicted.size());
}

// Mean shape score of results[k] against inputs[k], k < inputs.count().
double shapeOf(const ImageSet& inputs, const ImageSet& results, bool scene) {
    std::vector<double> scores;
    for (size_t k = 0; k < inputs.count(); ++k)
        scores.push_back(scene ? structureError(inputs, k, results, k) : silhouetteIoU(inputs, k, results, k));
    return meanOf(scores);
}

StyleAndShape score(StyleClassifier& net, const ImageSet& inputs, const ImageSet& results, int targetDataStyle,
                    bool scene) {
    StyleAndShape s;
    s.images = results.count();
    s.accuracy = accuracyOf(classify(net, results), targetDataStyle);
    s.shape = shapeOf(inputs, results, scene);
    return s;
}

// Fills byTarget, bySource and overall from the pairs.
void summarise(RestyleMethod* m) {
    const size_t n = m->pairs.size();
    m->byTarget.assign(n, {});
    m->bySource.assign(n, {});
    std::vector<double> allAccuracy, allShape;
    for (size_t a = 0; a < n; ++a) {
        std::vector<double> targetAccuracy, targetShape, sourceAccuracy, sourceShape;
        for (size_t b = 0; b < n; ++b) {
            if (a == b)
                continue;
            const StyleAndShape& asSource = m->pairs[a][b];
            const StyleAndShape& asTarget = m->pairs[b][a];
            sourceAccuracy.push_back(asSource.accuracy);
            sourceShape.push_back(asSource.shape);
            targetAccuracy.push_back(asTarget.accuracy);
            targetShape.push_back(asTarget.shape);
            m->bySource[a].images += asSource.images;
            m->byTarget[a].images += asTarget.images;
            allAccuracy.push_back(asSource.accuracy);
            allShape.push_back(asSource.shape);
            m->overall.images += asSource.images;
        }
        m->bySource[a].accuracy = meanOf(sourceAccuracy);
        m->bySource[a].shape = meanOf(sourceShape);
        m->byTarget[a].accuracy = meanOf(targetAccuracy);
        m->byTarget[a].shape = meanOf(targetShape);
    }
    m->overall.accuracy = meanOf(allAccuracy);
    m->overall.shape = meanOf(allShape);
}

std::string strengthText(float strength) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", double(strength));
    return text;
}

// The sheet's target columns: up to kSheetTargets styles spread evenly over the list.
std::vector<size_t> sheetTargetsOf(size_t styles) {
    std::vector<size_t> targets;
    const size_t n = std::min(kSheetTargets, styles);
    for (size_t k = 0; k < n; ++k)
        targets.push_back(k * styles / n);
    return targets;
}

}  // namespace

ImageSet restyleImages(const sg::Model& model, const ImageSet& inputs, uint32_t sourceStyle, uint32_t targetStyle,
                       float strength, uint32_t refinementSteps) {
    const size_t plane = size_t(inputs.size) * size_t(inputs.size);
    ImageSet out(inputs.size, inputs.channels);
    std::vector<uint8_t> rgba(plane * 4);
    for (size_t i = 0; i < inputs.count(); ++i) {
        const uint8_t* in = inputs.image(i);
        for (size_t p = 0; p < plane; ++p)
            for (int ch = 0; ch < 4; ++ch)
                rgba[p * 4 + size_t(ch)] = ch < inputs.channels ? in[size_t(ch) * plane + p] : 255;
        sg::RestyleInfo info;
        info.pPixels = rgba.data();
        info.size = rgba.size();
        info.width = uint32_t(inputs.size);
        info.height = uint32_t(inputs.size);
        info.inputAlphaMode = SG_ALPHA_MODE_PREMULTIPLIED;
        info.styleIndex = targetStyle;
        info.sourceStyleIndex = sourceStyle;
        info.strength = strength;
        info.refinementSteps = refinementSteps;
        info.alphaMode = SG_ALPHA_MODE_PREMULTIPLIED;
        const std::pair<uint32_t, uint32_t> extent = model.restyleExtent(info.width, info.height);
        if (extent.first != info.width || extent.second != info.height)
            throw std::runtime_error("the model restyles " + std::to_string(inputs.size) + "x" +
                                     std::to_string(inputs.size) + " images to another size");
        const std::vector<uint8_t> result = model.restyle(info);
        uint8_t* dst = out.addImage();
        for (int ch = 0; ch < inputs.channels; ++ch)
            for (size_t p = 0; p < plane; ++p)
                dst[size_t(ch) * plane + p] = result[p * 4 + size_t(ch)];
    }
    return out;
}

RestyleReport evaluateRestyle(const EvalOptions& o, const LogFn& log) {
    const auto start = std::chrono::steady_clock::now();
    auto say = [&](const std::string& line) {
        if (log)
            log(line);
    };
    if (!(o.holdOutFraction > 0.0 && o.holdOutFraction < 1.0))
        throw std::runtime_error("--hold-out-fraction must lie strictly between 0 and 1");
    if (o.sources.size() != 1 || o.sources[0].kind != Source::Kind::Model)
        throw std::runtime_error("--restyle measures one model: give exactly one --model M.sgm and no --images");
    if (o.strengths.empty())
        throw std::runtime_error("--strength: give at least one strength");
    for (float s : o.strengths)
        if (!(s >= 0.0f && s <= 1.0f))
            throw std::runtime_error("--strength " + strengthText(s) + " is outside 0..1");

    RestyleReport report;
    report.command = o.command;
    report.holdOutFraction = o.holdOutFraction;
    report.groupSplit = o.groupSplit;
    report.holdOut = o.holdOut;
    report.count = o.count;
    report.seed = o.seed;
    report.psi = o.psi;
    report.strengths = o.strengths;
    report.refinementSteps = o.refinementSteps;
    report.label = o.sources[0].label;
    report.modelPath = o.sources[0].path;

    sg::ContextCreateInfo contextInfo;
    contextInfo.threadCount = uint32_t(std::max(0, o.threads));
    std::unique_ptr<sg::Context> context;
    std::unique_ptr<sg::Model> model;
    SgModelInfo info{};
    std::vector<std::string> modelStyles;
    try {
        context = std::make_unique<sg::Context>(contextInfo);
        model = std::make_unique<sg::Model>(context->loadModel(report.modelPath));
        info = model->info();
        modelStyles = model->styleNames();
    } catch (const sg::Error& e) {
        throw std::runtime_error("cannot load model " + report.modelPath + ": " + e.what());
    }
    if (!model->restyleSupported())
        throw std::runtime_error("model " + report.modelPath +
                                 " has no encoder, which restyle needs: train one with stylegen-train --encoder-for " +
                                 report.modelPath + " (docs/training.md)");
    report.modelName = info.pName;
    report.contentHash = hexHash(info);
    report.resolution = int(info.resolution);
    report.channels = int(info.channels);
    if ((o.resolution > 0 && o.resolution != report.resolution) || (o.channels > 0 && o.channels != report.channels))
        throw std::runtime_error("model " + report.modelPath + " makes " + std::to_string(report.resolution) + "x" +
                                 std::to_string(report.resolution) + " images with " +
                                 std::to_string(report.channels) + " channels; --resolution/--channels ask for others");
    report.scene = report.channels == 3;
    report.swdResolutions = swdLevelsOf(report.resolution, report.swd);

    say("loading " + o.data);
    RealData real;
    real.data = loadData(o);
    const sgdata::Dataset& data = real.data;
    report.dataName = data.name;
    report.provenance = data.provenance;
    report.styles = chooseStyles(o, data, {{report.modelPath, report.label, modelStyles}}, &report.notes);
    const size_t styles = report.styles.size();
    if (styles < 2)
        throw std::runtime_error("restyle needs two styles or more to restyle between; " +
                                 (styles ? "only " + report.styles[0] : std::string("none")) + " is evaluated");

    prepareRealData(o, report.resolution, report.channels, log, &real);
    report.splitSeed = real.splitSeed;
    report.classifier = real.classifier;

    // Per evaluated style: its data and model indices, inputs, training colour
    // statistics and random samples.
    std::vector<int> dataIndex(styles);
    std::vector<uint32_t> modelIndex(styles);
    std::vector<ImageSet> inputs(styles), samples(styles);
    std::vector<ColourStats> targetColours(styles);
    size_t mostInputs = 0;
    for (size_t e = 0; e < styles; ++e) {
        const std::string& style = report.styles[e];
        const size_t d = size_t(std::find(data.styles.begin(), data.styles.end(), style) - data.styles.begin());
        dataIndex[e] = int(d);
        modelIndex[e] = uint32_t(std::find(modelStyles.begin(), modelStyles.end(), style) - modelStyles.begin());
        const size_t trainCount = real.trainCount(d), heldCount = real.heldOutCount(d);
        report.trainImages.push_back(trainCount);
        report.heldOutImages.push_back(heldCount);
        if (trainCount == 0 || heldCount == 0)
            throw std::runtime_error("style " + style + " has " + std::to_string(trainCount) + " training and " +
                                     std::to_string(heldCount) +
                                     " held-out images; both splits need images (one group cannot be split)");
        report.realAccuracy.push_back(real.heldOutAccuracyOf[d]);
        // Evenly spread over the split (sorted by data index, so over units and frames).
        const size_t n = std::min<size_t>(o.count, heldCount);
        inputs[e] = ImageSet(report.resolution, report.channels);
        for (size_t k = 0; k < n; ++k) {
            const ImageSet one = real.heldOut.slice(real.heldOutBegin[d] + k * heldCount / n, 1);
            inputs[e].pixels.insert(inputs[e].pixels.end(), one.pixels.begin(), one.pixels.end());
        }
        report.inputs.push_back(n);
        mostInputs = std::max(mostInputs, n);
        targetColours[e] = colourStats(real.train, real.trainBegin[d], trainCount);
    }
    report.realAccuracyMean = meanOf(report.realAccuracy);
    try {
        for (size_t e = 0; e < styles; ++e)
            samples[e] = generateImages(*model, modelIndex[e], uint32_t(mostInputs), o.seed, o.psi, report.resolution,
                                        report.channels);
    } catch (const sg::Error& e) {
        throw std::runtime_error("generating the random samples with " + report.modelPath + ": " + e.what());
    }

    // The sheet's rows start with each style's first inputs.
    report.sheetTargets = sheetTargetsOf(styles);
    const size_t sheetColumns = 2 + 2 * report.sheetTargets.size();
    std::vector<size_t> sheetFirstRow(styles);
    for (size_t e = 0; e < styles; ++e) {
        sheetFirstRow[e] = report.sheetRows.size();
        for (size_t k = 0; k < std::min(kSheetInputsPerStyle, inputs[e].count()); ++k) {
            report.sheetLabels.push_back(report.styles[e]);
            report.sheetRows.push_back(ImageSet(report.resolution, report.channels));
            report.sheetRows.back().pixels.resize(sheetColumns * inputs[e].imageBytes());
        }
    }
    auto toSheet = [&](size_t e, size_t column, const ImageSet& images) {
        for (size_t k = 0; k < std::min(kSheetInputsPerStyle, images.count()); ++k)
            std::copy(images.image(k), images.image(k) + images.imageBytes(),
                      report.sheetRows[sheetFirstRow[e] + k].pixels.begin() + std::ptrdiff_t(column * images.imageBytes()));
    };
    auto sheetColumn = [&](size_t target) -> size_t {
        const auto it = std::find(report.sheetTargets.begin(), report.sheetTargets.end(), target);
        return it == report.sheetTargets.end() ? SIZE_MAX : size_t(it - report.sheetTargets.begin());
    };

    auto restyle = [&](size_t source, size_t target, float strength) {
        try {
            return restyleImages(*model, inputs[source], modelIndex[source], modelIndex[target], strength,
                                 o.refinementSteps);
        } catch (const sg::Error& e) {
            throw std::runtime_error("restyling " + report.styles[source] + " into " + report.styles[target] +
                                     " with " + report.modelPath + ": " + e.what());
        }
    };

    // Strength 0: the encoder's reconstruction, and a random sample of the same style in its place.
    say("reconstructing " + std::to_string(styles) + " styles (strength 0, " + std::to_string(o.refinementSteps) +
        " refinement steps)");
    report.reconstruction.assign(styles, {});
    std::vector<double> mses;
    for (size_t e = 0; e < styles; ++e) {
        const ImageSet& in = inputs[e];
        const ImageSet rebuilt = restyle(e, e, 0.0f);
        const ImageSet sample = samples[e].slice(0, in.count());
        toSheet(e, 0, in);
        toSheet(e, 1, rebuilt);
        Reconstruction& r = report.reconstruction[e];
        r.images = in.count();
        r.mse = meanSquaredError(in, rebuilt);
        r.psnr = psnrFromMse(r.mse);
        r.samplePsnr = psnrFromMse(meanSquaredError(in, sample));
        const std::vector<SwdResult> swd = slicedWasserstein(in, {&rebuilt, &sample}, report.swd, o.threads);
        r.swd = swd[0].average;
        r.sampleSwd = swd[1].average;
        r.shape = shapeOf(in, rebuilt, report.scene);
        r.sampleShape = shapeOf(in, sample, report.scene);
        r.accuracy = accuracyOf(classify(real.net, rebuilt), dataIndex[e]);
        r.inputAccuracy = accuracyOf(classify(real.net, in), dataIndex[e]);
        mses.push_back(r.mse);
        char line[256];
        std::snprintf(line, sizeof line, "%-14s %3zu inputs: reconstruction PSNR %.1f dB, SWD %.1f (sample %.1f)",
                      report.styles[e].c_str(), r.images, r.psnr, r.swd, r.sampleSwd);
        say(line);
    }
    Reconstruction& all = report.reconstructionOverall;
    for (const Reconstruction& r : report.reconstruction)
        all.images += r.images;
    all.mse = meanOf(mses);
    all.psnr = psnrFromMse(all.mse);
    auto meanField = [&](double Reconstruction::*field) {
        std::vector<double> values;
        for (const Reconstruction& r : report.reconstruction)
            values.push_back(r.*field);
        return meanOf(values);
    };
    all.swd = meanField(&Reconstruction::swd);
    all.shape = meanField(&Reconstruction::shape);
    all.accuracy = meanField(&Reconstruction::accuracy);
    all.inputAccuracy = meanField(&Reconstruction::inputAccuracy);
    all.samplePsnr = meanField(&Reconstruction::samplePsnr);
    all.sampleSwd = meanField(&Reconstruction::sampleSwd);
    all.sampleShape = meanField(&Reconstruction::sampleShape);

    // Every source into every other target: the restyles, then the baselines.
    const std::vector<std::vector<StyleAndShape>> emptyPairs(styles, std::vector<StyleAndShape>(styles));
    for (float strength : o.strengths)
        report.methods.push_back({"restyle, strength " + strengthText(strength), "restyle", strength, emptyPairs, {}, {}, {}});
    report.methods.push_back({"colour transfer (AdaIN)", "colour_transfer", -1.0f, emptyPairs, {}, {}, {}});
    report.methods.push_back({"random sample", "random_sample", -1.0f, emptyPairs, {}, {}, {}});
    report.methods.push_back({"nearest real image of the target", "nearest_real", -1.0f, emptyPairs, {}, {}, {}});
    RestyleMethod& transfer = report.methods[o.strengths.size()];
    RestyleMethod& sampled = report.methods[o.strengths.size() + 1];
    RestyleMethod& nearest = report.methods[o.strengths.size() + 2];
    for (size_t e = 0; e < styles; ++e) {
        const ImageSet& in = inputs[e];
        for (size_t t = 0; t < styles; ++t) {
            const size_t column = sheetColumn(t);
            if (t == e) {
                // Not a pair, but the sheet shows every row in the same target columns.
                if (column != SIZE_MAX) {
                    toSheet(e, 2 + column, restyle(e, t, o.strengths[0]));
                    toSheet(e, 2 + report.sheetTargets.size() + column, colourTransfer(in, targetColours[t]));
                }
                continue;
            }
            for (size_t s = 0; s < o.strengths.size(); ++s) {
                const ImageSet results = restyle(e, t, o.strengths[s]);
                report.methods[s].pairs[e][t] = score(real.net, in, results, dataIndex[t], report.scene);
                if (s == 0 && column != SIZE_MAX)
                    toSheet(e, 2 + column, results);
            }
            const ImageSet transferred = colourTransfer(in, targetColours[t]);
            transfer.pairs[e][t] = score(real.net, in, transferred, dataIndex[t], report.scene);
            if (column != SIZE_MAX)
                toSheet(e, 2 + report.sheetTargets.size() + column, transferred);
            sampled.pairs[e][t] = score(real.net, in, samples[t].slice(0, in.count()), dataIndex[t], report.scene);
            const size_t d = size_t(dataIndex[t]);
            const ImageSet nearestReal = nearestByShape(in, real.train, real.trainBegin[d], real.trainCount(d));
            nearest.pairs[e][t] = score(real.net, in, nearestReal, dataIndex[t], report.scene);
        }
        std::vector<double> accuracy;
        for (size_t t = 0; t < styles; ++t)
            accuracy.push_back(report.methods[0].pairs[e][t].accuracy);
        char line[256];
        std::snprintf(line, sizeof line, "%-14s into %zu styles: style accuracy %.1f%% at strength %g",
                      report.styles[e].c_str(), styles - 1, 100.0 * meanOf(accuracy), double(o.strengths[0]));
        say(line);
    }
    for (RestyleMethod& m : report.methods)
        summarise(&m);
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return report;
}

}  // namespace sgeval
