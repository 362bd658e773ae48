// Team colours: Wesnoth's recolouring rule on a synthetic palette, and the
// exact-match index of team-colour pixels.
#include <gtest/gtest.h>

#include "dataset.hpp"

namespace {

using sgdata::Rgb;

// Reference brightness (r+g+b)/3 = 120; the others 60 (half), 0, 255 and 180.
const std::vector<Rgb> kReference = {{{200, 60, 100}}, {{100, 30, 50}}, {{0, 0, 0}}, {{255, 255, 255}},
                                     {{240, 150, 150}}};
const Rgb kMid = {{40, 80, 160}}, kMax = {{250, 240, 230}}, kMin = {{10, 20, 0}};

TEST(TeamColour, RecolourPalette_MapsReferenceColourToMid) {
    const std::vector<Rgb> palette = sgdata::recolourPalette(kReference, kMid, kMax, kMin);
    ASSERT_EQ(palette.size(), kReference.size());
    EXPECT_EQ(palette[0], kMid);
}

TEST(TeamColour, RecolourPalette_MovesDarkerColoursTowardMin) {
    const std::vector<Rgb> palette = sgdata::recolourPalette(kReference, kMid, kMax, kMin);
    EXPECT_EQ(palette[1], (Rgb{{25, 50, 80}}));  // half as bright: halfway from min to mid
    EXPECT_EQ(palette[2], kMin);                 // black: min
}

TEST(TeamColour, RecolourPalette_MovesBrighterColoursTowardMax) {
    const std::vector<Rgb> palette = sgdata::recolourPalette(kReference, kMid, kMax, kMin);
    EXPECT_EQ(palette[3], kMax);  // white: max
    // Brightness 180: weight (255 - 180) / (255 - 120) = 5/9 on mid, 4/9 on max,
    // truncated: 133.3, 151.1, 191.1.
    EXPECT_EQ(palette[4], (Rgb{{133, 151, 191}}));
}

TEST(TeamColour, RecolourPalette_ReturnsNothingForEmptyReference) {
    EXPECT_TRUE(sgdata::recolourPalette({}, kMid, kMax, kMin).empty());
}

TEST(TeamColour, IndexTeamColour_MarksExactMatchesOfVisiblePixelsOnly) {
    sgdata::Image image;
    image.width = 5;
    image.height = 1;
    image.rgba = {200, 60,  100, 255,   // reference 0
                  100, 30,  50,  128,   // reference 1, half transparent: still team colour
                  201, 60,  100, 255,   // one off: not team colour
                  0,   0,   0,   0,     // reference 2 but invisible
                  255, 255, 255, 255};  // reference 3
    sgdata::indexTeamColour(kReference, &image);
    EXPECT_EQ(image.teamColourIndex, (std::vector<int8_t>{0, 1, -1, -1, 3}));
}

}  // namespace
