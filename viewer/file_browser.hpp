// file_browser.hpp - a small Dear ImGui file browser, so the viewer needs no
// native dialog library: a folder's subfolders and matching files, a path
// field, Open/Cancel. Modal while open.
//
//   if (ImGui::Button("Browse...")) browser.open("Open model", FileBrowser::Mode::OpenFile, folder, ".sgm");
//   std::string path;
//   if (browser.draw(&path)) openModel(path);
#pragma once

#include <string>
#include <vector>

namespace sg::viewer {

class FileBrowser {
public:
    enum class Mode { OpenFile, ChooseFolder };

    // extension: files shown in OpenFile mode (".sgm"); "" shows every file.
    void open(const std::string& title, Mode mode, const std::string& startFolder, const std::string& extension);
    // Call every frame; true on the frame a path is chosen (written to *chosen).
    bool draw(std::string* chosen);

private:
    struct Entry {
        std::string name;
        bool folder = false;
    };
    void enter(const std::string& folder);

    std::string title_;
    Mode mode_ = Mode::OpenFile;
    std::string extension_;
    std::string folder_;
    std::string field_;  // the path being typed or clicked
    std::string error_;
    std::vector<Entry> entries_;
    bool openRequested_ = false;
};

}  // namespace sg::viewer
