// half_float.hpp - float to IEEE 754 binary16, rounding to nearest even, for
// VK_FORMAT_R16G16B16A16_SFLOAT targets.
#pragma once

#include <cstdint>
#include <cstring>

namespace sg::vk {

// Fabian Giesen's float_to_half_fast3_rtne (public domain): exact for every
// input, NaN stays NaN (quiet), overflow goes to infinity, small values become
// subnormals. Relies on the default floating-point rounding mode.
inline uint16_t floatToHalf(float value) {
    uint32_t bits;
    std::memcpy(&bits, &value, sizeof(bits));
    const uint32_t sign = bits & 0x80000000u;
    bits ^= sign;
    uint16_t half;
    if (bits >= 0x47800000u) {  // 65536 or more, infinity, NaN
        half = bits > 0x7F800000u ? 0x7E00 : 0x7C00;
    } else if (bits < 0x38800000u) {  // below the smallest normal half: subnormal or zero
        // Adding 0.5 puts the ten subnormal mantissa bits at the bottom of the
        // float's mantissa; the addition itself rounds to nearest even.
        const uint32_t magicBits = (127 - 15 + 23 - 10 + 1) << 23;
        float magic, sum;
        std::memcpy(&magic, &magicBits, sizeof(magic));
        std::memcpy(&sum, &bits, sizeof(sum));
        sum += magic;
        uint32_t sumBits;
        std::memcpy(&sumBits, &sum, sizeof(sumBits));
        half = uint16_t(sumBits - magicBits);
    } else {
        const uint32_t mantissaOdd = (bits >> 13) & 1u;
        bits += (uint32_t(15 - 127) << 23) + 0xFFFu;  // rebias the exponent, round half up ...
        bits += mantissaOdd;                          // ... or to even on a tie
        half = uint16_t(bits >> 13);
    }
    return uint16_t(half | (sign >> 16));
}

}  // namespace sg::vk
