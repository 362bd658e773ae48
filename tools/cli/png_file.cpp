// png_file.cpp - PNG decoding and encoding (Debian's libstb) and the atomic write.
#include "png_file.hpp"

#include <fcntl.h>
#include <stb_image.h>
#include <stb_image_write.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

namespace sg::cli {
namespace {

void appendBytes(void* context, void* data, int size) {
    auto* bytes = static_cast<std::vector<uint8_t>*>(context);
    const auto* begin = static_cast<const uint8_t*>(data);
    bytes->insert(bytes->end(), begin, begin + size);
}

std::string systemError(const std::string& what, const std::string& path) {
    return what + " " + path + ": " + std::strerror(errno);
}

// A hidden name in the same folder, so rename() never crosses file systems and
// "*.png" globs never pick up an unfinished file.
std::string temporaryPathFor(const std::string& path) {
    const size_t slash = path.find_last_of('/');
    const std::string folder = slash == std::string::npos ? "" : path.substr(0, slash + 1);
    const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    return folder + "." + name + ".tmp" + std::to_string(getpid());
}

bool writeAll(int fd, const uint8_t* data, size_t size) {
    size_t done = 0;
    while (done < size) {
        const ssize_t n = ::write(fd, data + done, size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            if (n == 0) errno = EIO;
            return false;
        }
        done += size_t(n);
    }
    return true;
}

}  // namespace

bool encodePng(const uint8_t* pixels, uint32_t width, uint32_t height, int channels, std::vector<uint8_t>* png) {
    png->clear();
    if (width == 0 || height == 0 || channels < 1 || channels > 4 || width > uint32_t(INT32_MAX) / 4 ||
        height > uint32_t(INT32_MAX))
        return false;
    png->reserve(size_t(width) * height * size_t(channels) / 2 + 1024);
    return stbi_write_png_to_func(appendBytes, png, int(width), int(height), channels, pixels,
                                  int(width) * channels) != 0;
}

bool writePngAtomically(const std::string& path, const Image& image, std::string* error) {
    std::vector<uint8_t> png;
    if (!encodePng(image.pixels.data(), image.width, image.height, 4, &png)) {
        *error = "cannot encode " + std::to_string(image.width) + "x" + std::to_string(image.height) + " PNG " + path;
        return false;
    }
    return writeFileAtomically(path, png, error);
}

bool readPng(const std::string& path, Image* image, std::string* error) {
    FILE* file = std::fopen(path.c_str(), "rb");
    if (!file) {
        *error = systemError("cannot read", path);
        return false;
    }
    int width = 0, height = 0, channels = 0;
    stbi_uc* pixels = stbi_load_from_file(file, &width, &height, &channels, 4);
    std::fclose(file);
    if (!pixels) {
        const char* reason = stbi_failure_reason();
        *error = "cannot decode " + path + ": " + (reason ? reason : "unknown reason");
        return false;
    }
    image->width = uint32_t(width);
    image->height = uint32_t(height);
    image->pixels.assign(pixels, pixels + size_t(width) * size_t(height) * 4);
    stbi_image_free(pixels);
    return true;
}

bool isTemporaryFileName(const std::string& fileName, long* pid) {
    const size_t tmp = fileName.rfind(".tmp");
    if (fileName.size() < 2 || fileName[0] != '.' || tmp == std::string::npos || tmp < 2) return false;
    const std::string digits = fileName.substr(tmp + 4);
    if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) {
        return false;
    }
    *pid = std::stol(digits);
    return true;
}

bool writeFileAtomically(const std::string& path, const void* data, size_t size, std::string* error) {
    const std::string temporary = temporaryPathFor(path);
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (fd < 0) {
        *error = systemError("cannot create", temporary);
        return false;
    }
    // fsync before rename: a crash after the rename must not leave an empty
    // file under the final name (delayed allocation), and a full disk shows up
    // here at the latest.
    bool ok = writeAll(fd, static_cast<const uint8_t*>(data), size) && ::fsync(fd) == 0;
    if (!ok) *error = systemError("cannot write", temporary);
    if (::close(fd) != 0 && ok) {
        ok = false;
        *error = systemError("cannot write", temporary);
    }
    if (ok && ::rename(temporary.c_str(), path.c_str()) != 0) {
        ok = false;
        *error = systemError("cannot rename " + temporary + " to", path);
    }
    if (!ok) {
        ::unlink(temporary.c_str());
        return false;
    }
    // The rename itself survives a crash once the folder is flushed; the file is
    // complete either way, so a folder that cannot be flushed is not an error.
    const size_t slash = path.find_last_of('/');
    const std::string folder = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
    const int dirFd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirFd >= 0) {
        ::fsync(dirFd);
        ::close(dirFd);
    }
    return true;
}

bool writeFileAtomically(const std::string& path, const std::vector<uint8_t>& bytes, std::string* error) {
    return writeFileAtomically(path, bytes.data(), bytes.size(), error);
}

bool writeFileAtomically(const std::string& path, const std::string& text, std::string* error) {
    return writeFileAtomically(path, text.data(), text.size(), error);
}

}  // namespace sg::cli
