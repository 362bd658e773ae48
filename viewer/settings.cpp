// settings.cpp - the viewer's persistent settings.
#include "settings.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "png_file.hpp"  // tools/cli: writeFileAtomically

namespace sg::viewer {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr const char* kSettingsFile = "viewer.json";
constexpr const char* kIniFile = "viewer-imgui.ini";

}  // namespace

void Settings::rememberModel(const std::string& path) {
    lastModel = path;
    recentModels.erase(std::remove(recentModels.begin(), recentModels.end(), path), recentModels.end());
    recentModels.insert(recentModels.begin(), path);
    if (recentModels.size() > kMaxRecent) recentModels.resize(kMaxRecent);
}

void Settings::rememberImage(const std::string& path) {
    recentImages.erase(std::remove(recentImages.begin(), recentImages.end(), path), recentImages.end());
    recentImages.insert(recentImages.begin(), path);
    if (recentImages.size() > kMaxRecent) recentImages.resize(kMaxRecent);
}

std::string configFolder(const std::string& override) {
    if (!override.empty()) return override;
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) return (fs::path(xdg) / "stylegen").string();
    if (const char* home = std::getenv("HOME"); home && *home)
        return (fs::path(home) / ".config" / "stylegen").string();
    return "";
}

bool readTextFile(const std::string& path, std::string* text) {
    std::ifstream file(path, std::ios::binary);
    if (!file) return false;
    std::ostringstream contents;
    contents << file.rdbuf();
    *text = contents.str();
    return true;
}

bool writeTextFileAtomically(const std::string& path, const std::string& text, std::string* error) {
    return sg::cli::writeFileAtomically(path, std::vector<uint8_t>(text.begin(), text.end()), error);
}

Settings readSettings(const std::string& folder, std::string* warning) {
    Settings settings;
    std::string text;
    const std::string path = (fs::path(folder) / kSettingsFile).string();
    if (folder.empty() || !readTextFile(path, &text)) return settings;
    try {
        const Json json = Json::parse(text);
        settings.lastModel = json.value("last_model", "");
        for (const Json& recent : json.value("recent_models", Json::array()))
            if (recent.is_string() && settings.recentModels.size() < Settings::kMaxRecent)
                settings.recentModels.push_back(recent.get<std::string>());
        for (const Json& recent : json.value("recent_images", Json::array()))
            if (recent.is_string() && settings.recentImages.size() < Settings::kMaxRecent)
                settings.recentImages.push_back(recent.get<std::string>());
        settings.exportFolder = json.value("export_folder", "");
        const Json window = json.value("window", Json::array());
        if (window.is_array() && window.size() == 2 && window[0].is_number_unsigned() &&
            window[1].is_number_unsigned()) {
            settings.windowWidth = window[0].get<uint32_t>();
            settings.windowHeight = window[1].get<uint32_t>();
        }
    } catch (const Json::exception& e) {
        *warning = path + " is unreadable (" + e.what() + "); using defaults";
        return Settings{};
    }
    return settings;
}

bool writeSettings(const std::string& folder, const Settings& settings, std::string* error) {
    if (folder.empty()) {
        *error = "no config folder (neither XDG_CONFIG_HOME nor HOME is set)";
        return false;
    }
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) {
        *error = "cannot create " + folder + ": " + ec.message();
        return false;
    }
    Json json;
    json["last_model"] = settings.lastModel;
    json["recent_models"] = settings.recentModels;
    json["recent_images"] = settings.recentImages;
    json["export_folder"] = settings.exportFolder;
    if (settings.windowWidth > 0) json["window"] = {settings.windowWidth, settings.windowHeight};
    return writeTextFileAtomically((fs::path(folder) / kSettingsFile).string(), json.dump(2) + "\n", error);
}

std::string imguiIniPath(const std::string& folder) { return (fs::path(folder) / kIniFile).string(); }

}  // namespace sg::viewer
