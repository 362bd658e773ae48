// loadImageFolder: styles from sub-folders, deterministic order, groups, and
// the handling of missing folders and corrupt PNGs.
#include "temp_folder.hpp"

namespace {

sgdata::Dataset loadOk(const std::string& root) {
    sgdata::Dataset data;
    std::string error;
    EXPECT_TRUE(sgdata::loadImageFolder(root, &data, &error)) << error;
    return data;
}

std::string loadError(const std::string& root) {
    sgdata::Dataset data;
    std::string error;
    EXPECT_FALSE(sgdata::loadImageFolder(root, &data, &error));
    return error;
}

TEST(ImageFolder, LoadImageFolder_FindsStylesSortedByName) {
    TempFolder dir;
    dir.solidPng("stone/a.png", 4, 4, 10, 10, 10, 255);
    dir.solidPng("brick/a.png", 4, 4, 200, 50, 20, 255);
    dir.solidPng("moss/deep/b.png", 4, 4, 20, 120, 20, 255);
    const sgdata::Dataset data = loadOk(dir.path());
    EXPECT_EQ(data.styles, (std::vector<std::string>{"brick", "moss", "stone"}));
    ASSERT_EQ(data.images.size(), 3u);
    EXPECT_EQ(data.images[1].source, "moss/deep/b.png");
    EXPECT_EQ(data.images[1].style, 1);
}

TEST(ImageFolder, LoadImageFolder_OrdersImagesByStyleThenPath) {
    TempFolder dir;
    for (const char* name : {"b/z.png", "a/m.png", "b/a.png", "a/c/d.png", "a/b.png"})
        dir.solidPng(name, 2, 2, 1, 2, 3, 255);
    const sgdata::Dataset data = loadOk(dir.path());
    std::vector<std::string> sources;
    for (const sgdata::Image& image : data.images)
        sources.push_back(image.source);
    EXPECT_EQ(sources, (std::vector<std::string>{"a/b.png", "a/c/d.png", "a/m.png", "b/a.png", "b/z.png"}));
}

TEST(ImageFolder, LoadImageFolder_IgnoresFoldersWithoutPngs) {
    TempFolder dir;
    dir.solidPng("grass/1.png", 2, 2, 0, 200, 0, 255);
    dir.file("notes/readme.txt", "not an image");
    std::filesystem::create_directories(dir / "empty");
    EXPECT_EQ(loadOk(dir.path()).styles, std::vector<std::string>{"grass"});
}

TEST(ImageFolder, LoadImageFolder_KeepsSizeAndConvertsRgbToOpaqueRgba) {
    TempFolder dir;
    dir.png("tiles/rgb.png", 3, 2, 3, {10, 20, 30, 40, 50, 60, 70, 80, 90, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    const sgdata::Dataset data = loadOk(dir.path());
    ASSERT_EQ(data.images.size(), 1u);
    const sgdata::Image& image = data.images[0];
    EXPECT_EQ(image.width, 3);
    EXPECT_EQ(image.height, 2);
    ASSERT_EQ(image.rgba.size(), 24u);
    EXPECT_EQ(std::vector<uint8_t>(image.rgba.begin(), image.rgba.begin() + 8),
              (std::vector<uint8_t>{10, 20, 30, 255, 40, 50, 60, 255}));
    EXPECT_TRUE(image.teamColourIndex.empty());
}

TEST(ImageFolder, LoadImageFolder_GroupsFramesOfOneSubFolder) {
    TempFolder dir;
    dir.solidPng("elves/archer/1.png", 2, 2, 0, 0, 0, 255);
    dir.solidPng("elves/archer/2.png", 2, 2, 0, 0, 0, 255);
    dir.solidPng("elves/scout.png", 2, 2, 0, 0, 0, 255);
    const sgdata::Dataset data = loadOk(dir.path());
    ASSERT_EQ(data.images.size(), 3u);
    EXPECT_EQ(data.images[0].group, data.images[1].group);
    EXPECT_NE(data.images[0].group, data.images[2].group);
}

TEST(ImageFolder, LoadImageFolder_RejectsMissingFolderNamingIt) {
    TempFolder dir;
    const std::string missing = dir / "nowhere";
    EXPECT_NE(loadError(missing).find(missing), std::string::npos);
}

TEST(ImageFolder, LoadImageFolder_RejectsFolderWithoutStyles) {
    TempFolder dir;
    dir.solidPng("loose.png", 2, 2, 0, 0, 0, 255);  // not inside a style folder
    EXPECT_NE(loadError(dir.path()).find("no style folders"), std::string::npos);
}

TEST(ImageFolder, LoadImageFolder_SkipsCorruptPngWithWarning) {
    TempFolder dir;
    dir.solidPng("rock/good.png", 2, 2, 9, 9, 9, 255);
    dir.file("rock/garbage.png", "definitely not a PNG");
    dir.solidPng("rock/truncated.png", 8, 8, 1, 2, 3, 255);
    std::filesystem::resize_file(dir / "rock/truncated.png", 40);
    const sgdata::Dataset data = loadOk(dir.path());
    ASSERT_EQ(data.images.size(), 1u);
    EXPECT_EQ(data.images[0].source, "rock/good.png");
    ASSERT_EQ(data.warnings.size(), 1u);
    EXPECT_NE(data.warnings[0].find("skipped 2"), std::string::npos) << data.warnings[0];
    EXPECT_NE(data.warnings[0].find("rock/garbage.png"), std::string::npos) << data.warnings[0];
}

TEST(ImageFolder, LoadImageFolder_RejectsStyleWhosePngsAllFail) {
    TempFolder dir;
    dir.solidPng("rock/good.png", 2, 2, 9, 9, 9, 255);
    dir.file("sand/broken.png", "\x89PNG\r\n\x1a\n but nothing after");
    EXPECT_NE(loadError(dir.path()).find("'sand'"), std::string::npos);
}

}  // namespace
