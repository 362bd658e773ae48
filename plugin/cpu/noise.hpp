// noise.hpp - rows of Philox normals (stylegen_philox.h) for the per-layer
// noise maps and the scene input, computed eight at a time where the CPU can.
//
//   NormalRowFn fill = philoxNormalRowFn(avx2);
//   fill(seed, SGP_STREAM_NOISE_BASE + layer, y * width, width, row);  // row[x] = sgPhiloxNormal(seed, stream, y * width + x)
//
// A 64x64 character draws about 11,000 normals per image, each a Philox block
// plus a double-precision log and cos: done one at a time that was an eighth of
// the generator's time. The AVX2 path runs Philox on eight counters at once and
// takes log and cos from glibc's vector math library (libmvec), which is
// accurate to a few double ulps: the float it rounds to is the scalar one,
// except, very rarely, by one float ulp (none in 21 million draws tested).
#pragma once

#include <cstddef>
#include <cstdint>

namespace sg::cpu {

// out[i] = sgPhiloxNormal(seed, stream, firstIndex + i) for i < count.
using NormalRowFn = void (*)(uint64_t seed, uint32_t stream, uint64_t firstIndex, size_t count, float* out);

// The scalar version (any CPU), and the AVX2 one when `avx2` and it was built
// (x86-64 with GCC or Clang); otherwise the scalar one.
NormalRowFn philoxNormalRowFn(bool avx2);

}  // namespace sg::cpu
