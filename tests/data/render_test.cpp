// renderImage: area resampling, premultiplied alpha, mirroring, value range,
// non-square inputs, team colours and argument checks.
#include <gtest/gtest.h>

#include <cmath>

#include "dataset.hpp"

namespace {

// A data set of one image, given as RGBA bytes.
sgdata::Dataset oneImage(int width, int height, const std::vector<uint8_t>& rgba) {
    sgdata::Dataset data;
    data.styles = {"only"};
    sgdata::Image image;
    image.width = width;
    image.height = height;
    image.rgba = rgba;
    data.images.push_back(image);
    return data;
}

// Opaque grey levels, row-major.
std::vector<uint8_t> greys(const std::vector<int>& levels) {
    std::vector<uint8_t> rgba;
    for (int v : levels)
        rgba.insert(rgba.end(), {uint8_t(v), uint8_t(v), uint8_t(v), 255});
    return rgba;
}

std::vector<float> render(const sgdata::Dataset& data, int size, int channels, bool mirror = false, int team = -1) {
    std::vector<float> out(size_t(channels) * size_t(size) * size_t(size), 42.0f);
    EXPECT_TRUE(sgdata::renderImage(data, 0, team, mirror, size, channels, out.data()));
    return out;
}

// The [-1, 1] value the renderer writes for an 8-bit level.
float value(double level) {
    return float(2.0 * level / 255.0 - 1.0);
}

TEST(RenderImage, RenderImage_AveragesWholeBlocksWhenHalving) {
    const auto data = oneImage(4, 4, greys({0, 40, 100, 100,     //
                                            80, 120, 100, 100,   //
                                            255, 255, 0, 0,      //
                                            255, 255, 0, 60}));
    const std::vector<float> out = render(data, 2, 3);
    for (int k = 0; k < 3; ++k) {
        const float* plane = &out[size_t(k) * 4];
        EXPECT_NEAR(plane[0], value(60), 1e-6);
        EXPECT_NEAR(plane[1], value(100), 1e-6);
        EXPECT_NEAR(plane[2], value(255), 1e-6);
        EXPECT_NEAR(plane[3], value(15), 1e-6);
    }
}

TEST(RenderImage, RenderImage_WeighsPartlyCoveredPixelsByArea) {
    // 3 -> 2 (like 72 -> 64): output 0 covers source [0, 1.5): pixel 0 whole, pixel 1 half.
    const auto data = oneImage(3, 3, greys({0, 90, 240,  //
                                            0, 90, 240,  //
                                            0, 90, 240}));
    const std::vector<float> out = render(data, 2, 3);
    EXPECT_NEAR(out[0], value((0 * 1.0 + 90 * 0.5) / 1.5), 1e-6);
    EXPECT_NEAR(out[1], value((90 * 0.5 + 240 * 1.0) / 1.5), 1e-6);
    EXPECT_NEAR(out[2], out[0], 1e-6);  // every row alike
}

TEST(RenderImage, RenderImage_KeepsPixelsAtNativeSize) {
    const auto data = oneImage(2, 2, greys({0, 51, 102, 255}));
    const std::vector<float> out = render(data, 2, 3);
    EXPECT_NEAR(out[0], -1.0f, 1e-6);
    EXPECT_NEAR(out[1], value(51), 1e-6);
    EXPECT_NEAR(out[2], value(102), 1e-6);
    EXPECT_NEAR(out[3], 1.0f, 1e-6);
}

TEST(RenderImage, RenderImage_PremultipliesAlpha) {
    const auto data = oneImage(1, 1, {200, 100, 50, 128});
    const std::vector<float> out = render(data, 1, 4);
    const double alpha = 128 / 255.0;
    EXPECT_NEAR(out[0], 2 * (200 / 255.0) * alpha - 1, 1e-6);
    EXPECT_NEAR(out[1], 2 * (100 / 255.0) * alpha - 1, 1e-6);
    EXPECT_NEAR(out[2], 2 * (50 / 255.0) * alpha - 1, 1e-6);
    EXPECT_NEAR(out[3], 2 * alpha - 1, 1e-6);
}

TEST(RenderImage, RenderImage_AveragesPremultipliedSoClearPixelsAddNoColour) {
    // A white opaque pixel beside a clear red one: the average is half-covered white, not pink.
    const auto data = oneImage(2, 1, {255, 255, 255, 255, 255, 0, 0, 0});
    const std::vector<float> out = render(data, 1, 4);  // square: padded to 2x2 with clear rows
    EXPECT_NEAR(out[0], 2 * 0.25 - 1, 1e-6);
    EXPECT_NEAR(out[1], 2 * 0.25 - 1, 1e-6);
    EXPECT_NEAR(out[2], 2 * 0.25 - 1, 1e-6);
    EXPECT_NEAR(out[3], 2 * 0.25 - 1, 1e-6);
}

TEST(RenderImage, RenderImage_MirrorsLeftRight) {
    const auto data = oneImage(3, 3, greys({10, 20, 30,  //
                                            40, 50, 60,  //
                                            70, 80, 90}));
    const std::vector<float> out = render(data, 3, 3, /*mirror*/ true);
    EXPECT_NEAR(out[0], value(30), 1e-6);
    EXPECT_NEAR(out[2], value(10), 1e-6);
    EXPECT_NEAR(out[4], value(50), 1e-6);
    EXPECT_NEAR(out[6], value(90), 1e-6);
    EXPECT_NEAR(out[8], value(70), 1e-6);
}

TEST(RenderImage, RenderImage_WritesValuesInMinusOneToOne) {
    std::vector<uint8_t> rgba;
    for (int i = 0; i < 64; ++i)
        rgba.insert(rgba.end(), {uint8_t(i * 4), uint8_t(255 - i), uint8_t(i * 37), uint8_t(i * 4 + 3)});
    const auto data = oneImage(8, 8, rgba);
    const std::vector<float> out = render(data, 5, 4);
    for (float v : out) {
        EXPECT_GE(v, -1.0f);
        EXPECT_LE(v, 1.0f);
    }
    EXPECT_EQ(render(oneImage(1, 1, {255, 255, 255, 255}), 1, 4), std::vector<float>(4, 1.0f));
    EXPECT_EQ(render(oneImage(1, 1, {0, 0, 0, 0}), 1, 4), std::vector<float>(4, -1.0f));
}

TEST(RenderImage, RenderImage_PadsNonSquareWithTransparencyForFourChannels) {
    const auto data = oneImage(2, 1, greys({255, 255}));
    const std::vector<float> out = render(data, 2, 4);
    // 2x1 in a 2x2 square: one row of padding, which goes below the image.
    EXPECT_NEAR(out[0], 1.0f, 1e-6);
    EXPECT_NEAR(out[2], -1.0f, 1e-6);
    EXPECT_NEAR(out[3 * 4 + 0], 1.0f, 1e-6);   // alpha row 0
    EXPECT_NEAR(out[3 * 4 + 2], -1.0f, 1e-6);  // alpha row 1
}

TEST(RenderImage, RenderImage_CropsNonSquareToCentreForThreeChannels) {
    const auto data = oneImage(4, 2, greys({0, 100, 200, 255,  //
                                            0, 100, 200, 255}));
    const std::vector<float> out = render(data, 2, 3);
    EXPECT_NEAR(out[0], value(100), 1e-6);
    EXPECT_NEAR(out[1], value(200), 1e-6);
}

TEST(RenderImage, RenderImage_AppliesTeamColourAndKeepsMagentaWithoutTeam) {
    sgdata::Dataset data = oneImage(2, 1, {244, 154, 193, 255, 10, 20, 30, 255});
    data.teamColourReference = {{244, 154, 193}};
    data.teamColourPalettes = {{{{255, 0, 0}}}, {{{46, 65, 155}}}};
    data.teamColourNames = {"red", "blue"};
    sgdata::indexTeamColour(data.teamColourReference, &data.images[0]);
    const std::vector<float> blue = render(data, 2, 4, false, 1);
    EXPECT_NEAR(blue[0], value(46), 1e-6);
    EXPECT_NEAR(blue[4 + 0], value(65), 1e-6);
    EXPECT_NEAR(blue[8 + 0], value(155), 1e-6);
    EXPECT_NEAR(blue[1], value(10), 1e-6);  // not team colour: unchanged
    const std::vector<float> magenta = render(data, 2, 4, false, -1);
    EXPECT_NEAR(magenta[0], value(244), 1e-6);
}

TEST(RenderImage, RenderImage_RejectsBadArgumentsWithoutWriting) {
    const auto data = oneImage(2, 2, greys({1, 2, 3, 4}));
    std::vector<float> out(4 * 4, 42.0f);
    EXPECT_FALSE(sgdata::renderImage(data, 1, -1, false, 2, 4, out.data()));     // index
    EXPECT_FALSE(sgdata::renderImage(data, 0, 0, false, 2, 4, out.data()));      // no team colours
    EXPECT_FALSE(sgdata::renderImage(data, 0, -2, false, 2, 4, out.data()));     // team
    EXPECT_FALSE(sgdata::renderImage(data, 0, -1, false, 0, 4, out.data()));     // size
    EXPECT_FALSE(sgdata::renderImage(data, 0, -1, false, 5000, 4, out.data()));  // size
    EXPECT_FALSE(sgdata::renderImage(data, 0, -1, false, 2, 2, out.data()));     // channels
    EXPECT_FALSE(sgdata::renderImage(data, 0, -1, false, 2, 4, nullptr));
    sgdata::Dataset broken = data;
    broken.images[0].rgba.pop_back();  // fewer bytes than width * height * 4
    EXPECT_FALSE(sgdata::renderImage(broken, 0, -1, false, 2, 4, out.data()));
    EXPECT_EQ(out, std::vector<float>(16, 42.0f));
}

}  // namespace
