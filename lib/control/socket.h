// The control socket: a Unix stream socket (mode 0600) served from the control core's
// loop without blocking it. One JSON request per line, one JSON reply per line. Oversized,
// malformed or stalled requests get an error reply or a closed connection; a client that
// is not root, vtepd's own user or (when a group is given) a member of the socket's group
// is refused.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace vtepgw::control {

class ControlSocket {
public:
    using Handler = std::function<std::string(const std::string& line)>;

    static constexpr size_t kMaxRequest = 64 * 1024;
    static constexpr size_t kMaxClients = 16;
    static constexpr uint64_t kIdleTimeoutMs = 5000;

    static constexpr gid_t kNoGroup = static_cast<gid_t>(-1);

    // Binds `path` (creating its directory, replacing a stale socket), mode 0600, or 0660
    // owned by `group` when one is given. Throws std::runtime_error naming the path and
    // the reason.
    ControlSocket(const std::string& path, Handler handler, gid_t group = kNoGroup);
    ~ControlSocket();
    ControlSocket(const ControlSocket&) = delete;
    ControlSocket& operator=(const ControlSocket&) = delete;

    // Accepts, reads and answers what is ready; never blocks. Returns true if it did work.
    bool poll(uint64_t nowMs);
    const std::string& path() const { return path_; }

private:
    struct Client {
        int fd;
        std::string in;
        std::string out;
        uint64_t lastActivityMs;
        bool closing = false;
    };
    void closeClient(size_t i);
    bool allowed(int fd) const;

    std::string path_;
    Handler handler_;
    gid_t group_ = kNoGroup;
    int listenFd_ = -1;
    std::vector<Client> clients_;
};

}  // namespace vtepgw::control
