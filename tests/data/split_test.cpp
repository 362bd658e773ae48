// splitHeldOut: whole groups, determinism, the fraction, and both splits per style.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "dataset.hpp"

namespace {

// `groupsPerStyle[s]` groups for style s, group g holding 1 + (g % 5) images.
sgdata::Dataset groupedSet(const std::vector<int>& groupsPerStyle) {
    sgdata::Dataset data;
    for (size_t s = 0; s < groupsPerStyle.size(); ++s) {
        data.styles.push_back("style" + std::to_string(s));
        for (int g = 0; g < groupsPerStyle[s]; ++g) {
            for (int i = 0; i <= g % 5; ++i) {
                sgdata::Image image;
                image.style = int(s);
                image.group = "unit" + std::to_string(g);  // the same names in every style
                image.source = data.styles.back() + "/" + image.group + "-" + std::to_string(i) + ".png";
                data.images.push_back(image);
            }
        }
    }
    return data;
}

struct Split {
    std::vector<size_t> train, heldOut;
};

Split split(const sgdata::Dataset& data, double fraction, uint64_t seed) {
    Split s;
    sgdata::splitHeldOut(data, fraction, seed, &s.train, &s.heldOut);
    return s;
}

TEST(SplitHeldOut, SplitHeldOut_PutsEveryImageInExactlyOneSplit) {
    const auto data = groupedSet({12, 7, 30});
    const Split s = split(data, 0.2, 7);
    std::vector<size_t> all = s.train;
    all.insert(all.end(), s.heldOut.begin(), s.heldOut.end());
    std::sort(all.begin(), all.end());
    std::vector<size_t> expected(data.images.size());
    for (size_t i = 0; i < expected.size(); ++i)
        expected[i] = i;
    EXPECT_EQ(all, expected);
    EXPECT_TRUE(std::is_sorted(s.train.begin(), s.train.end()));
    EXPECT_TRUE(std::is_sorted(s.heldOut.begin(), s.heldOut.end()));
}

TEST(SplitHeldOut, SplitHeldOut_KeepsGroupsTogether) {
    const auto data = groupedSet({20, 20});
    for (uint64_t seed = 0; seed < 20; ++seed) {
        const Split s = split(data, 0.3, seed);
        std::set<std::pair<int, std::string>> heldGroups;
        for (size_t i : s.heldOut)
            heldGroups.insert({data.images[i].style, data.images[i].group});
        for (size_t i : s.train)
            EXPECT_EQ(heldGroups.count({data.images[i].style, data.images[i].group}), 0u)
                << "seed " << seed << ": " << data.images[i].source << " split from its group";
    }
}

TEST(SplitHeldOut, SplitHeldOut_IsDeterministicInSeed) {
    const auto data = groupedSet({25, 25});
    const Split a = split(data, 0.2, 1234), b = split(data, 0.2, 1234);
    EXPECT_EQ(a.heldOut, b.heldOut);
    bool anyDifferent = false;
    for (uint64_t seed = 1; seed < 10 && !anyDifferent; ++seed)
        anyDifferent = split(data, 0.2, 1234 + seed).heldOut != a.heldOut;
    EXPECT_TRUE(anyDifferent) << "the seed does not change the split";
}

TEST(SplitHeldOut, SplitHeldOut_HoldsOutAboutTheFraction) {
    const auto data = groupedSet({60, 60, 60});  // 180 images per style, groups of 1..5
    for (double fraction : {0.1, 0.25, 0.5}) {
        const Split s = split(data, fraction, 99);
        std::map<int, size_t> held, total;
        for (size_t i : s.heldOut)
            ++held[data.images[i].style];
        for (const sgdata::Image& image : data.images)
            ++total[image.style];
        for (const auto& [style, count] : total)
            EXPECT_NEAR(double(held[style]) / double(count), fraction, 0.02) << "style " << style;
    }
}

TEST(SplitHeldOut, SplitHeldOut_PutsEveryStyleWithTwoGroupsInBothSplits) {
    // Small styles: a tenth of them is less than one group.
    const auto data = groupedSet({2, 3, 1, 40});
    const Split s = split(data, 0.1, 5);
    std::set<int> trainStyles, heldStyles;
    for (size_t i : s.train)
        trainStyles.insert(data.images[i].style);
    for (size_t i : s.heldOut)
        heldStyles.insert(data.images[i].style);
    EXPECT_EQ(trainStyles, (std::set<int>{0, 1, 2, 3}));
    EXPECT_EQ(heldStyles, (std::set<int>{0, 1, 3}));  // style 2 has a single group
    const Split most = split(data, 0.95, 5);
    std::set<int> mostTrain;
    for (size_t i : most.train)
        mostTrain.insert(data.images[i].style);
    EXPECT_EQ(mostTrain, (std::set<int>{0, 1, 3}));  // style 2's only group goes to held-out
}

TEST(SplitHeldOut, SplitHeldOut_HoldsOutNothingForZeroFraction) {
    const auto data = groupedSet({5, 5});
    const Split s = split(data, 0.0, 3);
    EXPECT_TRUE(s.heldOut.empty());
    EXPECT_EQ(s.train.size(), data.images.size());
}

TEST(SplitHeldOut, SplitHeldOut_TreatsImagesWithoutGroupAsSingletons) {
    sgdata::Dataset data;
    data.styles = {"tiles"};
    for (int i = 0; i < 10; ++i) {
        sgdata::Image image;
        image.source = "t" + std::to_string(i) + ".png";
        data.images.push_back(image);
    }
    EXPECT_EQ(split(data, 0.3, 8).heldOut.size(), 3u);
}

}  // namespace
