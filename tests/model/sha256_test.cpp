// SHA-256 against FIPS 180-2 examples and lengths around the padding boundary.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model_file.hpp"

namespace {

std::string hashOf(const std::string& text) {
    const auto digest = sg::sha256(reinterpret_cast<const uint8_t*>(text.data()), text.size());
    return sg::toHex(digest.data(), digest.size());
}

TEST(Sha256, MatchesFipsExampleAbc) {
    EXPECT_EQ(hashOf("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, MatchesFipsExampleTwoBlocks) {
    EXPECT_EQ(hashOf("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, MatchesFipsExampleMillionA) {
    EXPECT_EQ(hashOf(std::string(1000000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, HashesEmptyInput) {
    EXPECT_EQ(hashOf(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

// Lengths where the padding needs one or two extra blocks; references from Python's hashlib.
TEST(Sha256, HandlesEveryPaddingBoundary) {
    const std::vector<std::pair<size_t, const char*>> cases = {
        {55, "16fa57a0a3423a715d594516339f36189d6b5f93754a9714fef202616a9fabfe"},
        {56, "c37b44e5f1b18554b36966f4f8e08bfbf3164c4b6c10374d12d89850892073c5"},
        {63, "bbba992d2c85af960fb2987a1fd05e0aa82a3db3c740dd8982a9e273b75e36a3"},
        {64, "66bd4633ed6f71c4ecfa4763bf7ba1c8ec7612de9aa6c0578a7b675207c71e0b"},
        {65, "9f7dc47107b750a1f3d35db5d9547f24ef40da5b731b9540d4f43710a154f6c9"},
        {119, "a3ed307b730fa77c07531300c6e4a282330011d4d4caf6bb7b63ae05950f4b66"},
        {120, "8e3b15d9fea7472655aa069620b7f8c2e55ee1499f763200a7515fe826e99d20"},
        {128, "e462c130fef8c97e34f7dc3ff3ad2f8b3533ab849af21c10531552a2852387a4"},
    };
    for (const auto& [length, expected] : cases) {
        std::string data(length, '\0');
        for (size_t i = 0; i < length; ++i) data[i] = char((i * 7 + 1) & 255);
        EXPECT_EQ(hashOf(data), expected) << "length " << length;
    }
}

TEST(ToHex, WritesLowercasePairs) {
    const uint8_t bytes[] = {0x00, 0x0f, 0xa5, 0xff};
    EXPECT_EQ(sg::toHex(bytes, sizeof(bytes)), "000fa5ff");
}

}  // namespace
