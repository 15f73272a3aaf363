#include "control/socket.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace vtepgw::control {
namespace {

std::runtime_error sysError(const std::string& what) {
    return std::runtime_error(what + ": " + std::strerror(errno));
}

void makeParents(const std::string& path) {
    for (size_t i = 1; i < path.size(); ++i)
        if (path[i] == '/') mkdir(path.substr(0, i).c_str(), 0755);
}

}  // namespace

ControlSocket::ControlSocket(const std::string& path, Handler handler, gid_t group)
    : path_(path), handler_(std::move(handler)), group_(group) {
    sockaddr_un addr{};
    if (path.size() >= sizeof addr.sun_path)
        throw std::runtime_error("control socket path too long: " + path);
    makeParents(path);
    unlink(path.c_str());
    listenFd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (listenFd_ < 0) throw sysError("control socket");
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    // Created 0600 from the start: no window where others could connect.
    const mode_t old = umask(0177);
    const int rc = bind(listenFd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    umask(old);
    if (rc != 0 || listen(listenFd_, 16) != 0 ||
        (group != kNoGroup && (chown(path.c_str(), static_cast<uid_t>(-1), group) != 0 ||
                               chmod(path.c_str(), 0660) != 0))) {
        const auto e = sysError("control socket " + path);
        close(listenFd_);
        unlink(path.c_str());
        throw e;
    }
}

// Root, our own user, or a member of the socket's group (primary or supplementary: the
// latter read from /proc, since SO_PEERCRED carries only the primary group).
bool ControlSocket::allowed(int fd) const {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return false;
    if (cred.uid == 0 || cred.uid == getuid()) return true;
    if (group_ == kNoGroup) return false;
    if (cred.gid == group_) return true;
    std::ifstream status("/proc/" + std::to_string(cred.pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("Groups:", 0) != 0) continue;
        std::istringstream groups(line.substr(7));
        gid_t g;
        while (groups >> g)
            if (g == group_) return true;
    }
    return false;
}

ControlSocket::~ControlSocket() {
    for (auto& c : clients_) close(c.fd);
    if (listenFd_ >= 0) {
        close(listenFd_);
        unlink(path_.c_str());
    }
}

void ControlSocket::closeClient(size_t i) {
    close(clients_[i].fd);
    clients_.erase(clients_.begin() + static_cast<long>(i));
}

bool ControlSocket::poll(uint64_t nowMs) {
    bool worked = false;
    for (;;) {
        const int fd = accept4(listenFd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) break;
        worked = true;
        const bool ok = allowed(fd);
        if (!ok || clients_.size() >= kMaxClients) {
            const char* msg = ok ? "{\"ok\":false,\"errors\":[\"too many clients\"]}\n"
                                      : "{\"ok\":false,\"errors\":[\"permission denied\"]}\n";
            (void)!write(fd, msg, std::strlen(msg));
            close(fd);
            continue;
        }
        clients_.push_back(Client{fd, {}, {}, nowMs});
    }
    for (size_t i = 0; i < clients_.size();) {
        Client& c = clients_[i];
        char buf[4096];
        bool drop = false;
        for (;;) {
            const ssize_t n = read(c.fd, buf, sizeof buf);
            if (n > 0) {
                c.in.append(buf, static_cast<size_t>(n));
                c.lastActivityMs = nowMs;
                worked = true;
                if (c.in.size() > kMaxRequest) {
                    c.out += "{\"ok\":false,\"errors\":[\"request too large\"]}\n";
                    c.in.clear();
                    c.closing = true;
                    break;
                }
                continue;
            }
            if (n == 0) c.closing = true;  // peer finished sending: answer, then close
            else if (errno != EAGAIN && errno != EWOULDBLOCK) drop = true;
            break;
        }
        size_t nl;
        while (!drop && (nl = c.in.find('\n')) != std::string::npos) {
            const std::string line = c.in.substr(0, nl);
            c.in.erase(0, nl + 1);
            if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
            c.out += handler_(line);
            c.out += '\n';
        }
        while (!drop && !c.out.empty()) {
            const ssize_t n = write(c.fd, c.out.data(), c.out.size());
            if (n > 0) {
                c.out.erase(0, static_cast<size_t>(n));
                worked = true;
            } else {
                if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) drop = true;
                break;
            }
        }
        const bool idle = nowMs - c.lastActivityMs > kIdleTimeoutMs;
        if (drop || idle || (c.closing && c.out.empty())) {
            closeClient(i);
            worked = true;
            continue;
        }
        ++i;
    }
    return worked;
}

}  // namespace vtepgw::control
