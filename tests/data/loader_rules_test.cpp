// The rules of the package loaders: Wesnoth units from sprite file names,
// the Wesnoth style list, cropping frames to the hex, and Crawl material
// styles from tile names.
#include <gtest/gtest.h>

#include <algorithm>

#include "dataset.hpp"

namespace {

std::vector<std::string> unitsOf(const std::vector<std::string>& stems) {
    return sgdata::wesnothUnitNames(stems);
}

TEST(WesnothNames, WesnothUnitNames_KeepsAnimationFramesWithTheirUnit) {
    const std::vector<std::string> stems = {"fighter",           "fighter-ne",        "fighter-ne-axe3",
                                            "fighter-se-bob1",   "fighter-defend-2",  "explorer",
                                            "explorer-melee-2",  "explorer-ranged-1", "dragonguard-n-ranged10"};
    EXPECT_EQ(unitsOf(stems),
              (std::vector<std::string>{"fighter", "fighter", "fighter", "fighter", "fighter", "explorer", "explorer",
                                        "explorer", "dragonguard"}));
}

TEST(WesnothNames, WesnothUnitNames_KeepsAdvancementsWithTheirBaseUnit) {
    // "wose-shaman" is its own still image, but "wose" is shorter and also one.
    EXPECT_EQ(unitsOf({"wose", "wose-shaman", "wose-shaman-attack-1"}),
              (std::vector<std::string>{"wose", "wose", "wose"}));
}

TEST(WesnothNames, WesnothUnitNames_SeparatesUnitsSharingOnlyAWord) {
    EXPECT_EQ(unitsOf({"dark-adept", "dark-sorcerer", "dark-adept-attack-1", "dark-sorcerer-idle-2"}),
              (std::vector<std::string>{"dark-adept", "dark-sorcerer", "dark-adept", "dark-sorcerer"}));
}

TEST(WesnothNames, WesnothUnitNames_FallsBackToFirstTokenWithoutStillImage) {
    // Only animation frames (last token has a digit): no still to anchor on.
    EXPECT_EQ(unitsOf({"thrasher-impact-1", "thrasher-spear-s-2", "firetrooper_flame6"}),
              (std::vector<std::string>{"thrasher", "thrasher", "firetrooper"}));
}

TEST(WesnothNames, WesnothStyles_HoldsElevenTrainingStylesAndDunefolk) {
    const std::vector<std::string>& styles = sgdata::wesnothStyles();
    EXPECT_EQ(styles.size(), 12u);
    EXPECT_NE(std::find(styles.begin(), styles.end(), "dunefolk"), styles.end());
    EXPECT_EQ(std::find(styles.begin(), styles.end(), "transport"), styles.end());
}

TEST(WesnothNames, LoadWesnothUnits_RejectsUnknownHoldOutStyleBeforeFetching) {
    sgdata::FetchOptions options;
    options.cacheDir = "/nonexistent/stylegen-cache";  // never reached
    sgdata::Dataset data;
    std::string error;
    EXPECT_FALSE(sgdata::loadWesnothUnits(options, {"dwarfs"}, &data, &error));
    EXPECT_NE(error.find("'dwarfs'"), std::string::npos) << error;
    EXPECT_NE(error.find("dwarves"), std::string::npos) << error;  // lists the valid ones
}

// A w x h image, clear except for the opaque pixels listed as {x, y}.
sgdata::Image sprite(int w, int h, const std::vector<std::pair<int, int>>& opaque) {
    sgdata::Image image;
    image.width = w;
    image.height = h;
    image.rgba.assign(size_t(w) * size_t(h) * 4, 0);
    for (auto [x, y] : opaque) {
        uint8_t* px = &image.rgba[(size_t(y) * size_t(w) + size_t(x)) * 4];
        px[0] = uint8_t(x);
        px[1] = uint8_t(y);
        px[3] = 255;
    }
    return image;
}

TEST(HexCrop, CropToCentredSquare_CropsClearMargins) {
    sgdata::Image image = sprite(7, 5, {{2, 1}, {4, 3}});  // margins: 2 left, 2 right, 1 top, 1 bottom
    ASSERT_TRUE(sgdata::cropToCentredSquare(3, &image));
    EXPECT_EQ(image.width, 3);
    EXPECT_EQ(image.height, 3);
    ASSERT_EQ(image.rgba.size(), 36u);
    EXPECT_EQ(image.rgba[3], 255);                 // (2, 1) is now (0, 0)
    EXPECT_EQ(image.rgba[(2 * 3 + 2) * 4 + 0], 4);  // (4, 3) is now (2, 2)
    EXPECT_EQ(image.rgba[(2 * 3 + 2) * 4 + 1], 3);
}

TEST(HexCrop, CropToCentredSquare_PutsOddMarginPixelRightAndDown) {
    sgdata::Image image = sprite(4, 4, {{1, 1}});  // 4 -> 3: margin 0 left/top, 1 right/bottom
    ASSERT_TRUE(sgdata::cropToCentredSquare(3, &image));
    EXPECT_EQ(image.rgba[(1 * 3 + 1) * 4 + 3], 255);
}

TEST(HexCrop, CropToCentredSquare_RefusesWhenSomethingVisibleIsOutside) {
    sgdata::Image image = sprite(5, 5, {{2, 2}, {0, 4}});
    const sgdata::Image before = image;
    EXPECT_FALSE(sgdata::cropToCentredSquare(3, &image));
    EXPECT_EQ(image.rgba, before.rgba);
    EXPECT_EQ(image.width, 5);
}

TEST(HexCrop, CropToCentredSquare_RefusesSmallerImages) {
    sgdata::Image image = sprite(2, 5, {});
    EXPECT_FALSE(sgdata::cropToCentredSquare(3, &image));
}

TEST(CrawlNames, CrawlStyleOf_MapsTileFamiliesToMaterials) {
    EXPECT_EQ(sgdata::crawlStyleOf("FLOOR_PEBBLE"), "cobblestone");
    EXPECT_EQ(sgdata::crawlStyleOf("FLOOR_PEBBLE_BROWN_3"), "cobblestone");
    EXPECT_EQ(sgdata::crawlStyleOf("WALL_BRICK_RED_2"), "brick");
    EXPECT_EQ(sgdata::crawlStyleOf("WALL_BRICK_DARK_3_5"), "rubble");
    EXPECT_EQ(sgdata::crawlStyleOf("WALL_STONE_BLACK_MARKED_2"), "carved_stone");
    EXPECT_EQ(sgdata::crawlStyleOf("WALL_STONE_GRAY_1"), "stone_blocks");
    EXPECT_EQ(sgdata::crawlStyleOf("DNGN_LAVA_SEA_12"), "lava");
}

TEST(CrawlNames, CrawlStyleOf_MatchesWholeNameTokensOnly) {
    EXPECT_EQ(sgdata::crawlStyleOf("FLOOR_SAND_3"), "sandstone");
    EXPECT_EQ(sgdata::crawlStyleOf("FLOOR_SANDSTONE_3"), "sandstone");
    EXPECT_EQ(sgdata::crawlStyleOf("FLOOR_ICY_2"), "ice");
    EXPECT_EQ(sgdata::crawlStyleOf("WALL_ZOTX"), "");  // "WALL_ZOT" is a prefix of the text, not of the tokens
}

TEST(CrawlNames, CrawlStyleOf_DropsTilesThatAreNoMaterial) {
    EXPECT_EQ(sgdata::crawlStyleOf("WALL_BRICK_DARK_2_TORCH_1"), "");
    EXPECT_EQ(sgdata::crawlStyleOf("SIGIL_CROSS"), "");
    EXPECT_EQ(sgdata::crawlStyleOf("HALO_GRASS_3"), "");
    EXPECT_EQ(sgdata::crawlStyleOf("DNGN_DEEP_WATER_1"), "");
    EXPECT_EQ(sgdata::crawlStyleOf(""), "");
}

}  // namespace
