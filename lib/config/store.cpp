#include "config/store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <set>

namespace vtepgw::config {

using Json = nlohmann::ordered_json;

std::optional<std::string> readRegularFile(const std::string& path, off_t maxBytes, std::string& error) {
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        error = "cannot read '" + path + "': " + std::strerror(errno);
        return std::nullopt;
    }
    struct stat sb {};
    std::string text;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        error = "'" + path + "' is not a regular file";
    } else if (sb.st_size > maxBytes) {
        error = "'" + path + "' is larger than " + std::to_string(maxBytes) + " bytes";
    } else {
        char buf[65536];
        ssize_t n;
        while ((n = read(fd, buf, sizeof buf)) > 0 && text.size() <= static_cast<size_t>(maxBytes))
            text.append(buf, static_cast<size_t>(n));
        if (n < 0) error = "cannot read '" + path + "': " + std::strerror(errno);
    }
    close(fd);
    if (!error.empty()) return std::nullopt;
    return text;
}

std::string writeFileAtomically(const std::string& path, const std::string& text) {
    const size_t slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    std::string tmp = path + ".XXXXXX";
    const int fd = mkstemp(tmp.data());
    if (fd < 0) return "cannot write in '" + dir + "': " + std::strerror(errno);
    struct stat old {};
    const mode_t mode = stat(path.c_str(), &old) == 0 ? (old.st_mode & 07777) : 0644;
    std::string error;
    for (size_t off = 0; off < text.size() && error.empty();) {
        const ssize_t n = write(fd, text.data() + off, text.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) error = "cannot write '" + tmp + "': " + std::strerror(errno);
        else off += static_cast<size_t>(n);
    }
    if (error.empty() && fchmod(fd, mode) != 0) error = "cannot set the mode of '" + tmp + "': " + std::strerror(errno);
    if (error.empty() && fsync(fd) != 0) error = "cannot sync '" + tmp + "': " + std::strerror(errno);
    close(fd);
    if (error.empty() && rename(tmp.c_str(), path.c_str()) != 0)
        error = "cannot replace '" + path + "': " + std::strerror(errno);
    if (!error.empty()) {
        unlink(tmp.c_str());
        return error;
    }
    // The rename itself is durable only once the directory is.
    const int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return "";
}

namespace {

void walk(const Json& a, const Json& b, const std::string& path, std::vector<Difference>& out) {
    if (a.is_object() && b.is_object()) {
        for (const auto& f : a.items()) {
            const std::string p = path.empty() ? f.key() : path + "." + f.key();
            if (b.contains(f.key())) walk(f.value(), b[f.key()], p, out);
            else out.push_back({p, f.value(), nullptr});
        }
        for (const auto& f : b.items())
            if (!a.contains(f.key())) out.push_back({path.empty() ? f.key() : path + "." + f.key(), nullptr, f.value()});
        return;
    }
    if (a.is_array() && b.is_array()) {
        // Multisets of the elements' canonical text: order does not matter, repeats do.
        std::map<std::string, int> inB;
        for (const auto& e : b) ++inB[e.dump()];
        std::map<std::string, int> inA;
        for (const auto& e : a) ++inA[e.dump()];
        for (size_t i = 0; i < a.size(); ++i)
            if (inB[a[i].dump()]-- <= 0) out.push_back({path + "[" + std::to_string(i) + "]", a[i], nullptr});
        for (size_t i = 0; i < b.size(); ++i)
            if (inA[b[i].dump()]-- <= 0) out.push_back({path + "[" + std::to_string(i) + "]", nullptr, b[i]});
        return;
    }
    if (a != b) out.push_back({path, a, b});
}

}  // namespace

std::vector<Difference> diff(const Json& file, const Json& running) {
    std::vector<Difference> out;
    walk(file, running, "", out);
    return out;
}

}  // namespace vtepgw::config
