// png_file.cpp - PNG encoding (Debian's libstb) and the atomic write.
#include "png_file.hpp"

#include <fcntl.h>
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

bool writeAll(int fd, const std::vector<uint8_t>& bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
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

bool writePngAtomically(const std::string& path, const Image& image, std::string* error) {
    std::vector<uint8_t> png;
    png.reserve(image.pixels.size() / 2 + 1024);
    if (image.width == 0 || image.height == 0 || image.width > INT32_MAX / 4 || image.height > INT32_MAX ||
        !stbi_write_png_to_func(appendBytes, &png, int(image.width), int(image.height), 4, image.pixels.data(),
                                int(image.width * 4))) {
        *error = "cannot encode " + std::to_string(image.width) + "x" + std::to_string(image.height) + " PNG " + path;
        return false;
    }
    return writeFileAtomically(path, png, error);
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

bool writeFileAtomically(const std::string& path, const std::vector<uint8_t>& bytes, std::string* error) {
    const std::string temporary = temporaryPathFor(path);
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (fd < 0) {
        *error = systemError("cannot create", temporary);
        return false;
    }
    bool ok = writeAll(fd, bytes) && ::fsync(fd) == 0;
    if (!ok) *error = systemError("cannot write", temporary);
    if (::close(fd) != 0 && ok) {
        ok = false;
        *error = systemError("cannot write", temporary);
    }
    if (ok && ::rename(temporary.c_str(), path.c_str()) != 0) {
        ok = false;
        *error = systemError("cannot rename " + temporary + " to", path);
    }
    if (!ok) ::unlink(temporary.c_str());
    return ok;
}

}  // namespace sg::cli
