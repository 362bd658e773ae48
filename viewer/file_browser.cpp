// file_browser.cpp - listing folders and drawing the modal.
#include "file_browser.hpp"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <filesystem>

namespace sg::viewer {
namespace {

namespace fs = std::filesystem;

}  // namespace

void FileBrowser::open(const std::string& title, Mode mode, const std::string& startFolder,
                       const std::string& extension) {
    title_ = title;
    mode_ = mode;
    extension_ = extension;
    std::error_code ec;
    fs::path start = startFolder.empty() ? fs::current_path(ec) : fs::path(startFolder);
    if (!fs::is_directory(start, ec)) start = start.parent_path();
    if (start.empty() || !fs::is_directory(start, ec)) start = fs::current_path(ec);
    enter(fs::absolute(start, ec).lexically_normal().string());
    field_ = mode_ == Mode::ChooseFolder ? folder_ : "";
    openRequested_ = true;
}

void FileBrowser::enter(const std::string& folder) {
    folder_ = folder;
    entries_.clear();
    error_.clear();
    std::error_code ec;
    for (fs::directory_iterator it(folder_, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.empty() || name[0] == '.') continue;
        std::error_code typeError;
        const bool isFolder = it->is_directory(typeError);
        if (!isFolder && (mode_ == Mode::ChooseFolder ||
                          (!extension_.empty() && it->path().extension().string() != extension_)))
            continue;
        entries_.push_back({name, isFolder});
    }
    if (ec) error_ = "cannot list " + folder_ + ": " + ec.message();
    std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
        return a.folder != b.folder ? a.folder : a.name < b.name;
    });
}

bool FileBrowser::draw(std::string* chosen) {
    if (openRequested_) {
        ImGui::OpenPopup(title_.c_str());
        openRequested_ = false;
    }
    const ImVec2 size(std::min(640.0f, ImGui::GetIO().DisplaySize.x - 40.0f),
                      std::min(480.0f, ImGui::GetIO().DisplaySize.y - 40.0f));
    ImGui::SetNextWindowSize(size, ImGuiCond_Appearing);
    ImGui::SetNextWindowPos(ImVec2(ImGui::GetIO().DisplaySize.x * 0.5f, ImGui::GetIO().DisplaySize.y * 0.5f),
                            ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
    bool picked = false;
    if (!ImGui::BeginPopupModal(title_.c_str(), nullptr, ImGuiWindowFlags_NoSavedSettings)) return false;

    if (ImGui::Button("Up")) enter(fs::path(folder_).parent_path().string());
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("The parent folder");
    ImGui::SameLine();
    ImGui::TextUnformatted(folder_.c_str());
    if (!error_.empty()) ImGui::TextColored(ImVec4(1.0f, 0.45f, 0.4f, 1.0f), "%s", error_.c_str());

    const float footer = ImGui::GetFrameHeightWithSpacing() * 2.0f + ImGui::GetStyle().ItemSpacing.y;
    ImGui::BeginChild("entries", ImVec2(0, -footer), true);
    std::string enterFolder;
    for (const Entry& entry : entries_) {
        const std::string label = entry.folder ? entry.name + "/" : entry.name;
        const std::string full = (fs::path(folder_) / entry.name).string();
        if (ImGui::Selectable(label.c_str(), field_ == full, ImGuiSelectableFlags_AllowDoubleClick)) {
            if (entry.folder && (ImGui::IsMouseDoubleClicked(0) || mode_ == Mode::OpenFile)) enterFolder = full;
            else field_ = full;
            if (!entry.folder && ImGui::IsMouseDoubleClicked(0)) picked = true;
        }
    }
    if (entries_.empty() && error_.empty())
        ImGui::TextDisabled(mode_ == Mode::ChooseFolder ? "(no subfolders)" : "(no %s files here)", extension_.c_str());
    ImGui::EndChild();
    if (!enterFolder.empty()) {
        enter(enterFolder);
        if (mode_ == Mode::ChooseFolder) field_ = folder_;
    }

    ImGui::SetNextItemWidth(-1.0f);
    if (ImGui::InputText("##path", &field_, ImGuiInputTextFlags_EnterReturnsTrue)) picked = true;
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Type or paste a path, or pick one above");
    if (ImGui::Button(mode_ == Mode::ChooseFolder ? "Choose" : "Open", ImVec2(120, 0))) picked = true;
    ImGui::SameLine();
    if (ImGui::Button("Cancel", ImVec2(120, 0)) || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) {
        ImGui::CloseCurrentPopup();
        ImGui::EndPopup();
        return false;
    }
    if (picked && !field_.empty()) {
        std::error_code ec;
        if (fs::is_directory(field_, ec) && mode_ == Mode::OpenFile) {
            enter(fs::absolute(field_, ec).lexically_normal().string());
            picked = false;
        } else {
            *chosen = field_;
            ImGui::CloseCurrentPopup();
        }
    } else {
        picked = false;
    }
    ImGui::EndPopup();
    return picked;
}

}  // namespace sg::viewer
