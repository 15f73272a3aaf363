#include "instance.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace vtepgw::app {

std::string checkSocketFree(const std::string& socketPath) {
    sockaddr_un addr{};
    if (socketPath.size() >= sizeof addr.sun_path) return "";  // the socket's own code names it
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, socketPath.c_str(), socketPath.size() + 1);
    const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return "";
    const bool live = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    if (!live) return "";  // absent, or stale (nobody listens): ours to replace
    return "another vtepd is serving the control socket " + socketPath +
           "; stop it, or give this one its own --socket (and EAL --file-prefix)";
}

std::string checkPrefixFree(int ealArgc, char** ealArgv) {
    // Where EAL keeps its shared configuration (eal_get_runtime_dir / eal_config_path).
    std::string prefix = "rte";
    for (int i = 1; i < ealArgc; ++i) {
        const std::string a = ealArgv[i];
        if (a == "--in-memory" || a == "--no-shconf") return "";  // nothing shared, nothing locked
        if (a == "--file-prefix" && i + 1 < ealArgc) prefix = ealArgv[++i];
        else if (a.rfind("--file-prefix=", 0) == 0) prefix = a.substr(14);
    }
    std::string base = "/var/run/dpdk";
    if (getuid() != 0) {
        const char* xdg = std::getenv("XDG_RUNTIME_DIR");
        base = std::string(xdg ? xdg : "/tmp") + "/dpdk";
    }
    const std::string path = base + "/" + prefix + "/config";
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return "";
    // A primary process holds a write lock on its configuration for its whole life.
    struct flock lock {};
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    const bool held = fcntl(fd, F_GETLK, &lock) == 0 && lock.l_type != F_UNLCK;
    close(fd);
    if (!held) return "";
    return "the EAL file prefix '" + prefix + "' is in use by DPDK process " + std::to_string(lock.l_pid) +
           " (" + path + "); give this vtepd its own --file-prefix";
}

}  // namespace vtepgw::app
