// file_system.hpp - the few file-system questions the CLI asks (POSIX).
#pragma once

#include <string>

namespace sg::cli {

bool isRegularFile(const std::string& path);
bool isDirectory(const std::string& path);

// "a/b/c.png" -> "a/b"; "c.png" -> "."; "/c.png" -> "/".
std::string parentFolder(const std::string& path);

// The canonical absolute path of an existing file or folder; `path` itself
// when it cannot be resolved.
std::string absolutePath(const std::string& path);

// mkdir -p: creates `path` and its missing parents. Throws Failure naming the
// folder that could not be made.
void makeFolders(const std::string& path);

}  // namespace sg::cli
