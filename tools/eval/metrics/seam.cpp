// seam.cpp - seam score of tileable images.
#include "metrics.hpp"

#include <cmath>
#include <cstdlib>
#include <limits>

namespace sgeval {

double seamScore(const ImageSet& images) {
    const size_t n = size_t(images.size);
    double seam = 0.0, interior = 0.0;
    size_t seamPairs = 0, interiorPairs = 0;
    for (size_t i = 0; i < images.count(); ++i) {
        for (int ch = 0; ch < images.channels; ++ch) {
            const uint8_t* p = images.image(i) + size_t(ch) * n * n;
            for (size_t y = 0; y < n; ++y) {
                for (size_t x = 0; x < n; ++x) {
                    // Each pixel's right and lower neighbour, wrapping around:
                    // the pair that wraps crosses a seam.
                    const int here = p[y * n + x];
                    const int right = p[y * n + (x + 1) % n];
                    const int below = p[((y + 1) % n) * n + x];
                    double& horizontal = x + 1 == n ? seam : interior;
                    double& vertical = y + 1 == n ? seam : interior;
                    horizontal += std::abs(right - here);
                    vertical += std::abs(below - here);
                    seamPairs += (x + 1 == n) + (y + 1 == n);
                    interiorPairs += (x + 1 != n) + (y + 1 != n);
                }
            }
        }
    }
    if (interiorPairs == 0 || seamPairs == 0 || interior == 0.0)
        return std::numeric_limits<double>::quiet_NaN();
    return (seam / double(seamPairs)) / (interior / double(interiorPairs));
}

}  // namespace sgeval
