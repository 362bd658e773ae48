// plot.cpp - see plot.hpp.
#include "plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "bitmap_font.hpp"  // tools/cli
#include "png_file.hpp"     // tools/cli

namespace sgbench {
namespace {

using sg::cli::Image;

struct Color {
    uint8_t rgba[4];
};
constexpr Color kInk{{30, 30, 30, 255}};
constexpr Color kGrid{{215, 215, 215, 255}};
constexpr Color kSdk{{46, 110, 190, 255}};
constexpr Color kConv{{70, 160, 80, 255}};
constexpr Color kTorch{{230, 140, 40, 255}};
constexpr Color kTarget{{200, 40, 40, 255}};

constexpr uint32_t kScale = 2;                  // font pixels -> image pixels
constexpr int32_t kMargin = 24;
constexpr int32_t kRowHeight = 36;
constexpr int32_t kPanelWidth = 560;
constexpr int32_t kPanelGap = 60;

void fillRect(Image& image, int32_t x0, int32_t y0, int32_t x1, int32_t y1, Color c) {
    x0 = std::max(x0, 0);
    y0 = std::max(y0, 0);
    x1 = std::min(x1, int32_t(image.width));
    y1 = std::min(y1, int32_t(image.height));
    for (int32_t y = y0; y < y1; ++y)
        for (int32_t x = x0; x < x1; ++x) std::copy(c.rgba, c.rgba + 4, image.at(uint32_t(x), uint32_t(y)));
}

// A vertical line, dashed when `dash` > 0.
void vline(Image& image, int32_t x, int32_t y0, int32_t y1, Color c, int32_t dash = 0) {
    for (int32_t y = y0; y < y1; ++y)
        if (dash == 0 || (y - y0) / dash % 2 == 0) fillRect(image, x, y, x + 2, y + 1, c);
}

void text(Image& image, int32_t x, int32_t y, const std::string& s, Color c) {
    sg::cli::drawText(&image, x, y, s, kScale, c.rgba);
}

std::string format(const char* fmt, double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, fmt, v);
    return buf;
}

// A "nice" tick step giving about `ticks` ticks up to `max`.
double tickStep(double max, int ticks) {
    const double raw = max / ticks;
    const double p = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (raw <= m * p) return m * p;
    return 10 * p;
}

// One panel's frame: linear from 0 to max, or logarithmic from min to max.
struct Axis {
    int32_t left, top, bottom;
    double min, max;
    bool log;
    int32_t x(double v) const {
        const double f = log ? std::log(std::clamp(v, min, max) / min) / std::log(max / min)
                             : std::clamp(v, 0.0, max) / max;
        return left + int32_t(std::lround(f * kPanelWidth));
    }
    // Tick values: about six steps, or 1-2-5 per decade.
    std::vector<double> ticks() const {
        std::vector<double> t;
        if (!log) {
            const double step = tickStep(max, 6);
            for (double v = 0; v <= max * 1.0001; v += step) t.push_back(v);
            return t;
        }
        for (double decade = std::pow(10.0, std::floor(std::log10(min))); decade <= max; decade *= 10)
            for (double m : {1.0, 2.0, 5.0})
                if (m * decade >= min * 0.9999 && m * decade <= max * 1.0001) t.push_back(m * decade);
        return t;
    }
};

// Grid lines, tick labels under the panel and its title above.
void drawAxis(Image& image, const Axis& a, const std::string& title, const char* tickFormat) {
    text(image, a.left, a.top - 2 * int32_t(sg::cli::textHeight(kScale)), title, kInk);
    for (double v : a.ticks()) {
        vline(image, a.x(v), a.top, a.bottom, kGrid);
        const std::string label = format(tickFormat, v);
        text(image, a.x(v) - int32_t(sg::cli::textWidth(label, kScale)) / 2, a.bottom + 6, label, kInk);
    }
    vline(image, a.left, a.top, a.bottom, kInk);
}

}  // namespace

bool writePlot(const std::string& path, const std::string& title, const std::vector<PlotRow>& rows,
               std::string* error) {
    int32_t labelWidth = 0;
    double maxSpeedup = 2.0, maxGflops = 1.0;
    for (const PlotRow& r : rows) {
        labelWidth = std::max(labelWidth, int32_t(sg::cli::textWidth(r.label, kScale)));
        maxSpeedup = std::max(maxSpeedup, r.speedupMax);
        maxGflops = std::max({maxGflops, r.peakGflops, r.sdkGflops, r.convGflops, r.torchGflops});
    }
    const int32_t lineHeight = int32_t(sg::cli::textHeight(kScale)) + 8;
    const int32_t top = kMargin + 4 * lineHeight;
    const int32_t plotHeight = int32_t(rows.size()) * kRowHeight;
    const int32_t width = kMargin + labelWidth + 16 + 2 * kPanelWidth + kPanelGap + 2 * kMargin;
    const int32_t height = top + plotHeight + 3 * lineHeight + kMargin;
    Image image{uint32_t(width), uint32_t(height)};
    fillRect(image, 0, 0, width, height, Color{{255, 255, 255, 255}});
    text(image, kMargin, kMargin, title, kInk);

    // Speed-ups on a log scale from 0.5x: bars grow right of 1x when faster.
    double minSpeedup = 0.5;
    for (const PlotRow& r : rows) minSpeedup = std::min(minSpeedup, std::max(r.speedupMin, 0.05));
    const Axis speed{kMargin + labelWidth + 16, top, top + plotHeight, minSpeedup, maxSpeedup * 1.6, true};
    const Axis flops{speed.left + kPanelWidth + kPanelGap, top, top + plotHeight, 0, maxGflops * 1.08, false};
    drawAxis(image, speed, "speed-up over LibTorch (x, log scale)", "%g");
    drawAxis(image, flops, "GFLOP/s; | = FMA peak, : = 60% of it", "%.0f");
    vline(image, speed.x(1.0), top, top + plotHeight, kInk);
    for (double target : {1.3, 1.5}) vline(image, speed.x(target), top, top + plotHeight, kTarget, 4);

    for (size_t i = 0; i < rows.size(); ++i) {
        const PlotRow& r = rows[i];
        const int32_t y = top + int32_t(i) * kRowHeight;
        text(image, kMargin, y + (kRowHeight - int32_t(sg::cli::textHeight(kScale))) / 2, r.label, kInk);
        // Speed-up: a bar, its min-max whisker, the value.
        const int32_t mid = y + kRowHeight / 2;
        fillRect(image, std::min(speed.x(1.0), speed.x(r.speedup)), mid - 8, std::max(speed.x(1.0), speed.x(r.speedup)),
                 mid + 8, kSdk);
        fillRect(image, speed.x(r.speedupMin), mid - 1, speed.x(r.speedupMax) + 1, mid + 1, kInk);
        text(image, speed.x(r.speedupMax) + 6, mid - 7, format("%.2fx", r.speedup), kInk);
        // GFLOP/s: three thin bars, then the peak and 60% marks across the row.
        const double values[3] = {r.sdkGflops, r.convGflops, r.torchGflops};
        const Color colors[3] = {kSdk, kConv, kTorch};
        for (int k = 0; k < 3; ++k)
            fillRect(image, flops.left, y + 5 + 9 * k, flops.x(values[k]), y + 13 + 9 * k, colors[k]);
        vline(image, flops.x(r.peakGflops), y + 2, y + kRowHeight - 2, kInk);
        vline(image, flops.x(0.6 * r.peakGflops), y + 2, y + kRowHeight - 2, kInk, 3);
    }

    // Legend.
    int32_t x = kMargin;
    const int32_t legendY = top + plotHeight + 2 * lineHeight;
    const std::pair<Color, const char*> legend[] = {{kSdk, "CPU backend (whole pass)"},
                                                    {kConv, "CPU backend, 3x3 conv layers"},
                                                    {kTorch, "LibTorch (OpenBLAS)"},
                                                    {kTarget, "targets 1.3x / 1.5x"}};
    for (const auto& [color, label] : legend) {
        fillRect(image, x, legendY + 2, x + 24, legendY + 12, color);
        text(image, x + 32, legendY, label, kInk);
        x += 32 + int32_t(sg::cli::textWidth(label, kScale)) + 40;
    }
    return sg::cli::writePngAtomically(path, image, error);
}

}  // namespace sgbench
