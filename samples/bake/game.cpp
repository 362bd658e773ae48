// game.cpp - the game of the bake sample. It does not link stylegen: its
// textures were baked at build time (textures.json), and it only loads them:
// two sprite atlases through their CSV index, a single sprite, terrain tiles.
// It draws a level from them into a PNG, the way a game would fill its scene.
//
//   bake_game [ASSETS_DIR [LEVEL.png]]     (defaults: the build's assets/, level.png)
#include <stb_image.h>
#include <stb_image_write.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

constexpr int kTile = 64;  // the baked terrain tiles and sprites are 64x64
constexpr int kColumns = 10;
constexpr int kRows = 6;
constexpr int kRoadRow = 3;

struct Image {
    int width = 0;
    int height = 0;
    std::vector<unsigned char> rgba;  // straight alpha, as baked
};

// One cell of an atlas, as its index file gives it.
struct Sprite {
    std::string name;
    int x = 0, y = 0, w = 0, h = 0;
};

Image loadPng(const std::string& path) {
    Image image;
    int channels = 0;
    unsigned char* data = stbi_load(path.c_str(), &image.width, &image.height, &channels, 4);
    if (!data) throw std::runtime_error("cannot load baked texture " + path + " (" + stbi_failure_reason() + ")");
    image.rgba.assign(data, data + size_t(image.width) * image.height * 4);
    stbi_image_free(data);
    return image;
}

// The atlas index in CSV: a header "name,seed,x,y,w,h", then one image per line.
std::vector<Sprite> loadAtlasIndex(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    if (!std::getline(in, line) || line != "name,seed,x,y,w,h") {
        throw std::runtime_error("cannot read atlas index " + path);
    }
    std::vector<Sprite> sprites;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        Sprite s;
        std::string seed, x, y, w, h;
        if (!std::getline(fields, s.name, ',') || !std::getline(fields, seed, ',') || !std::getline(fields, x, ',') ||
            !std::getline(fields, y, ',') || !std::getline(fields, w, ',') || !std::getline(fields, h)) {
            throw std::runtime_error("bad line in atlas index " + path + ": " + line);
        }
        s.x = std::stoi(x), s.y = std::stoi(y), s.w = std::stoi(w), s.h = std::stoi(h);
        sprites.push_back(s);
    }
    return sprites;
}

// Copies (opaque tiles) or alpha-blends (sprites) a w x h block of `source`
// at (sx, sy) onto `target` at (tx, ty).
void draw(Image& target, int tx, int ty, const Image& source, int sx, int sy, int w, int h) {
    for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
            const unsigned char* s = &source.rgba[(size_t(sy + y) * source.width + sx + x) * 4];
            unsigned char* t = &target.rgba[(size_t(ty + y) * target.width + tx + x) * 4];
            const int a = s[3];
            for (int c = 0; c < 3; ++c) t[c] = (unsigned char)((s[c] * a + t[c] * (255 - a) + 127) / 255);
            t[3] = 255;
        }
    }
}

void drawSprite(Image& level, int column, int row, const Image& atlas, const Sprite& sprite) {
    draw(level, column * kTile + (kTile - sprite.w) / 2, row * kTile + (kTile - sprite.h) / 2, atlas, sprite.x,
         sprite.y, sprite.w, sprite.h);
}

int run(const std::string& assets, const std::string& output) {
    const Image orcs = loadPng(assets + "/characters/orc_warband.png");
    const std::vector<Sprite> orcSprites = loadAtlasIndex(assets + "/characters/orc_warband.csv");
    const Image undead = loadPng(assets + "/characters/undead_horde.png");
    const std::vector<Sprite> undeadSprites = loadAtlasIndex(assets + "/characters/undead_horde.csv");
    const Image warlord = loadPng(assets + "/characters/warlord.png");
    std::vector<Image> grass;
    for (int i = 0; i < 3; ++i) grass.push_back(loadPng(assets + "/terrain/grass_" + std::to_string(i) + ".png"));
    const Image road = loadPng(assets + "/terrain/road.png");
    std::printf("loaded %zu orcs and %zu undead from their atlases, the warlord, %zu grass tiles and a road tile\n",
                orcSprites.size(), undeadSprites.size(), grass.size());

    Image level;
    level.width = kColumns * kTile;
    level.height = kRows * kTile;
    level.rgba.assign(size_t(level.width) * level.height * 4, 0);
    for (int row = 0; row < kRows; ++row) {
        for (int column = 0; column < kColumns; ++column) {
            // Scene textures tile seamlessly, so any variant may sit next to any other.
            const Image& tile = row == kRoadRow ? road : grass[(column * 7 + row * 5) % grass.size()];
            draw(level, column * kTile, row * kTile, tile, 0, 0, kTile, kTile);
        }
    }
    for (size_t i = 0; i < orcSprites.size(); ++i) {
        drawSprite(level, int(i % 2) + 1, int(i / 2) + 1, orcs, orcSprites[i]);
    }
    for (size_t i = 0; i < undeadSprites.size(); ++i) {
        drawSprite(level, kColumns - 2 - int(i % 2), int(i / 2) + 1, undead, undeadSprites[i]);
    }
    drawSprite(level, kColumns / 2, kRoadRow, warlord, Sprite{"warlord", 0, 0, warlord.width, warlord.height});

    if (!stbi_write_png(output.c_str(), level.width, level.height, 4, level.rgba.data(), level.width * 4)) {
        throw std::runtime_error("cannot write " + output);
    }
    std::printf("wrote %s (%dx%d)\n", output.c_str(), level.width, level.height);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string assets = argc > 1 ? argv[1] : BAKED_ASSETS_DIR;
    const std::string output = argc > 2 ? argv[2] : "level.png";
    try {
        return run(assets, output);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bake_game: %s\n", e.what());
        return 1;
    }
}
