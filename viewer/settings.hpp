// settings.hpp - what the viewer remembers between runs, in the user's config
// folder ($XDG_CONFIG_HOME/stylegen, else ~/.config/stylegen):
//   viewer.json        last model, recent models and restyle images, export folder, window size
//   viewer-imgui.ini   Dear ImGui's window layout
// Both are written atomically (temporary file + rename), so a crash never
// leaves half a file; an unreadable file is reported and replaced by defaults.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sg::viewer {

struct Settings {
    std::string lastModel;
    std::vector<std::string> recentModels;  // most recent first, at most kMaxRecent
    std::vector<std::string> recentImages;  // restyle inputs, most recent first, at most kMaxRecent
    std::string exportFolder;               // "": the current directory
    uint32_t windowWidth = 0;               // 0: the default
    uint32_t windowHeight = 0;

    static constexpr size_t kMaxRecent = 10;
    // Moves path to the front of the recent list and makes it the last model.
    void rememberModel(const std::string& path);
    // Moves path to the front of the recent images.
    void rememberImage(const std::string& path);
};

// The config folder: `override` when not empty, else as above. "" when no
// home is known.
std::string configFolder(const std::string& override);

// Reads folder/viewer.json; *warning says why when it exists but is unusable.
Settings readSettings(const std::string& folder, std::string* warning);
// Creates the folder if needed. False with *error on failure.
bool writeSettings(const std::string& folder, const Settings& settings, std::string* error);

std::string imguiIniPath(const std::string& folder);
// Reads a whole file; false when it cannot be opened.
bool readTextFile(const std::string& path, std::string* text);
bool writeTextFileAtomically(const std::string& path, const std::string& text, std::string* error);

}  // namespace sg::viewer
