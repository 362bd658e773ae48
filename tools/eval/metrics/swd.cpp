// swd.cpp - sliced Wasserstein distance on Laplacian-pyramid patches, as
// Progressive GAN's metrics/sliced_wasserstein.py computes it.
#include "metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

namespace sgeval {
namespace {

// scipy.ndimage 'mirror': reflect about the edge pixel's centre (d c b | a b c d | c b a).
int mirror(int i, int n) {
    if (n == 1)
        return 0;
    const int period = 2 * n - 2;
    i = std::abs(i) % period;
    return i < n ? i : period - i;
}

// The 5x5 binomial kernel of the reference is separable: [1 4 6 4 1] / 16 per axis.
constexpr float kTap[5] = {1.0f / 16, 4.0f / 16, 6.0f / 16, 4.0f / 16, 1.0f / 16};

// Separable 5x5 binomial filter with mirrored borders, times `gain`, of a
// w x h plane; only the rows and columns that are multiples of `step` are
// computed (step 2: pyr_down's subsampling; the output is then (w/2) x (h/2)).
std::vector<float> binomial(const std::vector<float>& in, int w, int h, float gain, int step) {
    const int ow = (w + step - 1) / step, oh = (h + step - 1) / step;
    std::vector<float> rows(size_t(ow) * size_t(h));
    for (int y = 0; y < h; ++y)
        for (int ox = 0; ox < ow; ++ox) {
            float sum = 0.0f;
            for (int t = -2; t <= 2; ++t)
                sum += kTap[t + 2] * in[size_t(y) * size_t(w) + size_t(mirror(ox * step + t, w))];
            rows[size_t(y) * size_t(ow) + size_t(ox)] = sum;
        }
    std::vector<float> out(size_t(ow) * size_t(oh));
    for (int oy = 0; oy < oh; ++oy)
        for (int ox = 0; ox < ow; ++ox) {
            float sum = 0.0f;
            for (int t = -2; t <= 2; ++t)
                sum += kTap[t + 2] * rows[size_t(mirror(oy * step + t, h)) * size_t(ow) + size_t(ox)];
            out[size_t(oy) * size_t(ow) + size_t(ox)] = gain * sum;
        }
    return out;
}

std::vector<float> pyrDown(const std::vector<float>& in, int size) { return binomial(in, size, size, 1.0f, 2); }

// Zeros between the samples, then the filter with gain 4 (cv2.pyrUp).
std::vector<float> pyrUp(const std::vector<float>& in, int size) {
    const int up = size * 2;
    std::vector<float> spread(size_t(up) * size_t(up), 0.0f);
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x)
            spread[size_t(2 * y) * size_t(up) + size_t(2 * x)] = in[size_t(y) * size_t(size) + size_t(x)];
    return binomial(spread, up, up, 4.0f, 1);
}

// Descriptors of one set at one pyramid level: patchesPerImage rows per image
// of channels x patch x patch values (channel, row, column), normalised per
// channel over the whole set.
struct Descriptors {
    size_t count = 0;
    size_t dim = 0;
    std::vector<float> values;
};

Descriptors describe(const ImageSet& set, int level, int levelCount, const SwdSettings& s, int threads) {
    const int levelSize = set.size >> level;
    const size_t size = size_t(levelSize);
    const int half = s.patchSize / 2;
    const size_t perChannel = size_t(s.patchSize) * size_t(s.patchSize);
    Descriptors d;
    d.dim = size_t(set.channels) * perChannel;
    d.count = set.count() * size_t(s.patchesPerImage);
    d.values.resize(d.count * d.dim);
    const size_t plane = size_t(set.size) * size_t(set.size);
    parallelFor(set.count(), threads, [&](size_t i) {
        SplitMix64 rng{mixSeed(mixSeed(s.seed, i), uint64_t(level))};
        std::vector<std::pair<int, int>> centres(size_t(s.patchesPerImage));
        for (auto& c : centres) {
            c.first = half + int(rng.below(uint64_t(levelSize - 2 * half)));   // y
            c.second = half + int(rng.below(uint64_t(levelSize - 2 * half)));  // x
        }
        for (int ch = 0; ch < set.channels; ++ch) {
            const uint8_t* src = set.image(i) + size_t(ch) * plane;
            const std::vector<float> image(src, src + plane);
            // Levels below level + 1 do not change this one.
            const int needed = std::min(level + 2, levelCount);
            const std::vector<float> band = laplacianPyramid(image.data(), set.size, needed)[size_t(level)];
            for (size_t k = 0; k < centres.size(); ++k) {
                float* out = &d.values[(i * centres.size() + k) * d.dim + size_t(ch) * perChannel];
                for (int dy = -half; dy <= half; ++dy)
                    for (int dx = -half; dx <= half; ++dx)
                        *out++ = band[size_t(centres[k].first + dy) * size + size_t(centres[k].second + dx)];
            }
        }
    });
    // Per-channel standardisation over the set (population deviation, as numpy's std).
    for (int ch = 0; ch < set.channels; ++ch) {
        double sum = 0.0, sumSquares = 0.0;
        for (size_t r = 0; r < d.count; ++r)
            for (size_t k = 0; k < perChannel; ++k) {
                const double v = d.values[r * d.dim + size_t(ch) * perChannel + k];
                sum += v;
                sumSquares += v * v;
            }
        const double n = double(d.count * perChannel);
        const double mean = sum / n;
        const double deviation = std::sqrt(std::max(0.0, sumSquares / n - mean * mean));
        // A constant channel (alpha of fully opaque images) is only centred.
        const double scale = deviation > 1e-6 ? 1.0 / deviation : 1.0;
        for (size_t r = 0; r < d.count; ++r)
            for (size_t k = 0; k < perChannel; ++k) {
                float& v = d.values[r * d.dim + size_t(ch) * perChannel + k];
                v = float((v - mean) * scale);
            }
    }
    return d;
}

// dim x directions unit vectors, direction-minor (row d holds component d of every direction).
std::vector<float> randomDirections(size_t dim, size_t directions, uint64_t seed) {
    SplitMix64 rng{seed};
    std::vector<float> dirs(dim * directions);
    for (float& v : dirs)
        v = float(rng.normal());
    for (size_t j = 0; j < directions; ++j) {
        double norm = 0.0;
        for (size_t k = 0; k < dim; ++k)
            norm += double(dirs[k * directions + j]) * dirs[k * directions + j];
        const float scale = float(1.0 / std::sqrt(norm));
        for (size_t k = 0; k < dim; ++k)
            dirs[k * directions + j] *= scale;
    }
    return dirs;
}

constexpr size_t kDirectionBlock = 16;  // directions per accumulator block
constexpr size_t kRowBlock = 4;         // descriptors per block

// GCC/Clang vector extensions: SSE2 (or NEON) registers in the baseline
// build, AVX registers in the clone below.
typedef float Float4 __attribute__((vector_size(16)));
typedef float Float8 __attribute__((vector_size(32)));

// References, not values: 32-byte vectors passed by value trip -Wpsabi.
template <class Vec>
inline __attribute__((always_inline)) void loadUnaligned(Vec& v, const float* p) {
    typedef Vec Unaligned __attribute__((aligned(4), may_alias));
    v = *reinterpret_cast<const Unaligned*>(p);
}

// out[j * count + i] = <descriptor i, direction j> for the kDirectionBlock
// directions whose component k is dirs[k * dirStride + j]. A block of 4
// descriptors x 16 directions stays in registers over the whole dot product,
// so each direction load feeds four multiply-adds.
template <class Vec>
inline __attribute__((always_inline)) void projectImpl(const float* desc, size_t count, size_t dim, const float* dirs,
                                                       size_t dirStride, float* out) {
    constexpr size_t kLanes = sizeof(Vec) / sizeof(float), kVecs = kDirectionBlock / kLanes;
    for (size_t i0 = 0; i0 < count; i0 += kRowBlock) {
        const size_t last = std::min(kRowBlock, count - i0) - 1;  // a short block repeats its last row
        const float* x[kRowBlock];
        for (size_t r = 0; r < kRowBlock; ++r)
            x[r] = desc + (i0 + std::min(r, last)) * dim;
        Vec acc[kRowBlock][kVecs] = {};
        const float* w = dirs;
        for (size_t k = 0; k < dim; ++k, w += dirStride) {
            Vec wv[kVecs];
            for (size_t v = 0; v < kVecs; ++v)
                loadUnaligned(wv[v], w + v * kLanes);
            for (size_t r = 0; r < kRowBlock; ++r) {
                const float xr = x[r][k];
                for (size_t v = 0; v < kVecs; ++v)
                    acc[r][v] += xr * wv[v];
            }
        }
        for (size_t r = 0; r <= last; ++r)
            for (size_t j = 0; j < kDirectionBlock; ++j)
                out[j * count + i0 + r] = acc[r][j / kLanes][j % kLanes];
    }
}

using ProjectFn = void (*)(const float*, size_t, size_t, const float*, size_t, float*);

void projectBaseline(const float* desc, size_t count, size_t dim, const float* dirs, size_t dirStride, float* out) {
    projectImpl<Float4>(desc, count, dim, dirs, dirStride, out);
}

#if defined(__x86_64__)
// AVX2 + FMA where the CPU has them (about 2x the baseline's throughput).
__attribute__((target("avx2,fma"))) void projectAvx2(const float* desc, size_t count, size_t dim, const float* dirs,
                                                     size_t dirStride, float* out) {
    projectImpl<Float8>(desc, count, dim, dirs, dirStride, out);
}
#endif

ProjectFn selectProject() {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return projectAvx2;
#endif
    return projectBaseline;
}

void project(const float* desc, size_t count, size_t dim, const float* dirs, size_t dirStride, float* out) {
    static const ProjectFn fn = selectProject();
    fn(desc, count, dim, dirs, dirStride, out);
}

// LSD radix sort of floats on order-preserving 32-bit keys, 11 bits a pass:
// several times faster than std::sort on the 10^4..10^5 projections per direction.
void sortFloats(float* values, size_t n, std::vector<uint32_t>* scratch) {
    scratch->resize(2 * n);
    uint32_t* keys = scratch->data();
    uint32_t* other = keys + n;
    for (size_t i = 0; i < n; ++i) {
        uint32_t u;
        std::memcpy(&u, &values[i], 4);
        keys[i] = (u & 0x80000000u) ? ~u : (u | 0x80000000u);
    }
    for (int shift = 0; shift < 32; shift += 11) {
        size_t counts[2048] = {};
        for (size_t i = 0; i < n; ++i)
            ++counts[(keys[i] >> shift) & 2047u];
        size_t offset = 0;
        for (size_t& c : counts) {
            const size_t here = c;
            c = offset;
            offset += here;
        }
        for (size_t i = 0; i < n; ++i)
            other[counts[(keys[i] >> shift) & 2047u]++] = keys[i];
        std::swap(keys, other);
    }
    for (size_t i = 0; i < n; ++i) {
        const uint32_t u = (keys[i] & 0x80000000u) ? (keys[i] & 0x7FFFFFFFu) : ~keys[i];
        std::memcpy(&values[i], &u, 4);
    }
}

void checkSet(const ImageSet& set, const ImageSet& reference, const SwdSettings& s, const char* what) {
    if (set.count() == 0)
        throw std::invalid_argument(std::string("SWD: the ") + what + " set is empty");
    if (set.size != reference.size || set.channels != reference.channels)
        throw std::invalid_argument(std::string("SWD: the ") + what + " set's size or channels differ from the reference");
    if (set.size < std::max(s.minResolution, s.patchSize) || s.patchSize < 1 || s.patchSize % 2 == 0 ||
        s.patchesPerImage < 1 || s.directionRepeats < 1 || s.directionsPerRepeat < 1 ||
        s.directionsPerRepeat % int(kDirectionBlock) != 0)
        throw std::invalid_argument("SWD: images of " + std::to_string(set.size) + " pixels or settings out of range");
}

}  // namespace

std::vector<int> swdResolutions(int size, int minResolution) {
    std::vector<int> resolutions;
    for (int r = size; r >= minResolution && r > 0; r /= 2) {
        resolutions.push_back(r);
        if (r % 2 != 0)
            break;
    }
    return resolutions;
}

std::vector<std::vector<float>> laplacianPyramid(const float* plane, int size, int levels) {
    std::vector<std::vector<float>> pyramid{std::vector<float>(plane, plane + size_t(size) * size_t(size))};
    for (int i = 1; i < levels; ++i) {
        const int finer = size >> (i - 1);
        pyramid.push_back(pyrDown(pyramid.back(), finer));
        const std::vector<float> up = pyrUp(pyramid.back(), finer / 2);
        for (size_t p = 0; p < up.size(); ++p)
            pyramid[size_t(i) - 1][p] -= up[p];
    }
    return pyramid;
}

double wasserstein1Sorted(const float* a, size_t m, const float* b, size_t n) {
    if (m == n) {
        double sum = 0.0;
        for (size_t i = 0; i < m; ++i)
            sum += std::abs(double(a[i]) - double(b[i]));
        return sum / double(m);
    }
    // Walk both quantile functions; positions in units of 1 / (m n) stay exact.
    const uint64_t M = m, N = n;
    uint64_t t = 0, i = 0, j = 0;
    double sum = 0.0;
    while (i < M && j < N) {
        const uint64_t endA = (i + 1) * N, endB = (j + 1) * M;
        const uint64_t end = std::min(endA, endB);
        sum += double(end - t) * std::abs(double(a[i]) - double(b[j]));
        t = end;
        i += endA == end;
        j += endB == end;
    }
    return sum / (double(M) * double(N));
}

std::vector<SwdResult> slicedWasserstein(const ImageSet& reference, const std::vector<const ImageSet*>& candidates,
                                         const SwdSettings& s, int threads) {
    checkSet(reference, reference, s, "reference");
    for (const ImageSet* c : candidates)
        checkSet(*c, reference, s, "candidate");
    const std::vector<int> resolutions = swdResolutions(reference.size, s.minResolution);
    const int levels = int(resolutions.size());
    const size_t directions = size_t(s.directionsPerRepeat);

    std::vector<SwdResult> results(candidates.size());
    for (SwdResult& r : results) {
        r.resolutions = resolutions;
        r.perLevel.assign(resolutions.size(), 0.0);
    }
    if (resolutions.empty() || resolutions.back() < s.patchSize)
        throw std::invalid_argument("SWD: the coarsest level is smaller than a patch");
    for (int level = 0; level < levels; ++level) {
        const Descriptors ref = describe(reference, level, levels, s, threads);
        std::vector<Descriptors> cands;
        for (const ImageSet* candidate : candidates)
            cands.push_back(describe(*candidate, level, levels, s, threads));

        // One job per repeat: its directions, 16 at a time the reference
        // projected and sorted once, then every candidate (small buffers, reused).
        // Sums per (repeat, candidate) are added in a fixed order afterwards,
        // whatever thread ran them.
        std::vector<std::vector<double>> sums(size_t(s.directionRepeats), std::vector<double>(candidates.size()));
        parallelFor(size_t(s.directionRepeats), threads, [&](size_t repeat) {
            const std::vector<float> dirs =
                randomDirections(ref.dim, directions, mixSeed(mixSeed(s.seed ^ 0x5157445ull, uint64_t(level)), repeat));
            std::vector<uint32_t> scratch;
            std::vector<float> refProj(ref.count * kDirectionBlock), proj;
            for (size_t j0 = 0; j0 < directions; j0 += kDirectionBlock) {
                project(ref.values.data(), ref.count, ref.dim, dirs.data() + j0, directions, refProj.data());
                for (size_t j = 0; j < kDirectionBlock; ++j)
                    sortFloats(&refProj[j * ref.count], ref.count, &scratch);
                for (size_t c = 0; c < cands.size(); ++c) {
                    proj.resize(cands[c].count * kDirectionBlock);
                    project(cands[c].values.data(), cands[c].count, ref.dim, dirs.data() + j0, directions, proj.data());
                    for (size_t j = 0; j < kDirectionBlock; ++j) {
                        float* p = &proj[j * cands[c].count];
                        sortFloats(p, cands[c].count, &scratch);
                        sums[repeat][c] += wasserstein1Sorted(&refProj[j * ref.count], ref.count, p, cands[c].count);
                    }
                }
            }
        });
        for (size_t c = 0; c < candidates.size(); ++c) {
            double total = 0.0;
            for (const std::vector<double>& perRepeat : sums)
                total += perRepeat[c];
            results[c].perLevel[size_t(level)] = 1e3 * total / double(directions * size_t(s.directionRepeats));
        }
    }
    for (SwdResult& r : results) {
        double total = 0.0;
        for (double v : r.perLevel)
            total += v;
        r.average = total / double(r.perLevel.size());
    }
    return results;
}

}  // namespace sgeval
