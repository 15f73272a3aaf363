#include "client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vtepctl {

std::optional<std::string> call(const std::string& socketPath, const std::string& request, std::string& error) {
    sockaddr_un addr{};
    if (socketPath.size() >= sizeof addr.sun_path) {
        error = "socket path '" + socketPath + "' is too long";
        return std::nullopt;
    }
    const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, socketPath.c_str(), socketPath.size() + 1);
    if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        error = "cannot reach vtepd at " + socketPath + ": " + std::strerror(errno);
        if (fd >= 0) close(fd);
        return std::nullopt;
    }
    const std::string line = request + "\n";
    for (size_t off = 0; off < line.size();) {
        const ssize_t n = write(fd, line.data() + off, line.size() - off);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) continue;
            error = "cannot send to vtepd at " + socketPath + ": " + std::strerror(errno);
            close(fd);
            return std::nullopt;
        }
        off += static_cast<size_t>(n);
    }
    shutdown(fd, SHUT_WR);
    std::string reply;
    char buf[65536];
    for (;;) {
        const ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        reply.append(buf, static_cast<size_t>(n));
    }
    close(fd);
    if (reply.empty()) {
        error = "vtepd at " + socketPath + " closed the connection without a reply";
        return std::nullopt;
    }
    return reply;
}

}  // namespace vtepctl
