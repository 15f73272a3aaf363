#include "port/linux_iface.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>

#include <cerrno>
#include <cstring>
#include <map>

namespace vtepgw::port {
namespace {

// One socket for interface ioctls, closed on every path.
struct IoctlSocket {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ~IoctlSocket() {
        if (fd >= 0) close(fd);
    }
};

std::string ethtoolSet(const std::string& ifName, uint32_t cmd, uint32_t value) {
    IoctlSocket s;
    if (s.fd < 0) return std::strerror(errno);
    ethtool_value ev{cmd, value};
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, ifName.c_str(), IFNAMSIZ - 1);
    ifr.ifr_data = reinterpret_cast<char*>(&ev);
    if (ioctl(s.fd, SIOCETHTOOL, &ifr) != 0 && errno != EOPNOTSUPP) return std::strerror(errno);
    return "";
}

std::map<uint32_t, int>& guards() {
    static std::map<uint32_t, int> attached;  // if_index -> program fd
    return attached;
}

struct Blind {
    int progFd = -1;
    bool createdHook = false;
};

std::map<uint32_t, Blind>& blinds() {
    static std::map<uint32_t, Blind> attached;  // if_index -> program
    return attached;
}

}  // namespace

std::string interfaceName(uint32_t ifIndex) {
    char name[IF_NAMESIZE] = {};
    return ifIndex != 0 && if_indextoname(ifIndex, name) != nullptr ? name : "";
}

std::string setInterfaceMtu(const std::string& ifName, uint16_t mtu) {
    IoctlSocket s;
    if (s.fd < 0) return std::strerror(errno);
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, ifName.c_str(), IFNAMSIZ - 1);
    ifr.ifr_mtu = mtu;
    if (ioctl(s.fd, SIOCSIFMTU, &ifr) != 0) return std::strerror(errno);
    return "";
}

std::string disableReceiveMerging(const std::string& ifName) {
    std::string err = ethtoolSet(ifName, ETHTOOL_SGRO, 0);
    if (!err.empty()) return "GRO: " + err;
    IoctlSocket s;
    ethtool_value ev{ETHTOOL_GFLAGS, 0};
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, ifName.c_str(), IFNAMSIZ - 1);
    ifr.ifr_data = reinterpret_cast<char*>(&ev);
    if (s.fd >= 0 && ioctl(s.fd, SIOCETHTOOL, &ifr) == 0 && (ev.data & ETH_FLAG_LRO)) {
        err = ethtoolSet(ifName, ETHTOOL_SFLAGS, ev.data & ~uint32_t{ETH_FLAG_LRO});
        if (!err.empty()) return "LRO: " + err;
    }
    return "";
}

std::string disableKernelIpv6(const std::string& ifName) {
    if (ifName.empty() || ifName.find('/') != std::string::npos || ifName.find("..") != std::string::npos)
        return "no interface name";
    const std::string path = "/proc/sys/net/ipv6/conf/" + ifName + "/disable_ipv6";
    if (access("/proc/sys/net/ipv6", F_OK) != 0) return "";  // a kernel without IPv6 sends nothing
    FILE* f = std::fopen(path.c_str(), "w");
    if (f == nullptr) return path + ": " + std::strerror(errno);
    const bool ok = std::fputs("1\n", f) >= 0;
    const bool closed = std::fclose(f) == 0;
    return ok && closed ? "" : path + ": " + std::strerror(errno);
}

bool attachSegmentationGuard(uint32_t ifIndex, std::string& why) {
    // r0 = XDP_PASS; exit
    const bpf_insn prog[] = {
        {BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, XDP_PASS},
        {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
    };
    // Multi-buffer aware (BPF_F_XDP_HAS_FRAGS, Linux 5.18+): veth refuses a plain XDP program
    // once the peer's MTU exceeds a page (a 9000-byte underlay); older kernels refuse the flag.
    LIBBPF_OPTS(bpf_prog_load_opts, frags, .prog_flags = BPF_F_XDP_HAS_FRAGS);
    int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "vtepgw_pass", "GPL", prog, 2, &frags);
    if (fd < 0) fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "vtepgw_pass", "GPL", prog, 2, nullptr);
    if (fd < 0) {
        why = std::string("cannot load an XDP program: ") + std::strerror(-fd);
        return false;
    }
    const int rc = bpf_xdp_attach(static_cast<int>(ifIndex), fd, XDP_FLAGS_DRV_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST,
                                  nullptr);
    if (rc != 0) {
        close(fd);
        why = rc == -EBUSY || rc == -EEXIST ? "the interface already has an XDP program"
                                            : std::string("no native XDP: ") + std::strerror(-rc);
        return false;
    }
    guards()[ifIndex] = fd;
    return true;
}

void detachSegmentationGuard(uint32_t ifIndex) {
    auto it = guards().find(ifIndex);
    if (it == guards().end()) return;
    // Only our own program: something else attached since is left alone.
    bpf_xdp_attach_opts opts{};
    opts.sz = sizeof opts;
    opts.old_prog_fd = it->second;
    bpf_xdp_detach(static_cast<int>(ifIndex), XDP_FLAGS_DRV_MODE | XDP_FLAGS_REPLACE, &opts);
    close(it->second);
    guards().erase(it);
}

bool attachIngressBlind(uint32_t ifIndex, std::string& why) {
    // r0 = TC_ACT_SHOT; exit
    const bpf_insn prog[] = {
        {BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 2 /* TC_ACT_SHOT */},
        {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
    };
    const int fd = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "vtepgw_blind", "GPL", prog, 2, nullptr);
    if (fd < 0) {
        why = std::string("cannot load a tc program: ") + std::strerror(-fd);
        return false;
    }
    LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = static_cast<int>(ifIndex), .attach_point = BPF_TC_INGRESS);
    const int created = bpf_tc_hook_create(&hook);
    if (created != 0 && created != -EEXIST) {
        close(fd);
        why = std::string("no clsact qdisc: ") + std::strerror(-created);
        return false;
    }
    LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = fd, .flags = BPF_TC_F_REPLACE, .handle = 0x7e9, .priority = 1);
    if (const int rc = bpf_tc_attach(&hook, &opts); rc != 0) {
        if (created == 0) bpf_tc_hook_destroy(&hook);
        close(fd);
        why = std::string("cannot attach the tc program: ") + std::strerror(-rc);
        return false;
    }
    blinds()[ifIndex] = {fd, created == 0};
    return true;
}

void detachIngressBlind(uint32_t ifIndex) {
    auto it = blinds().find(ifIndex);
    if (it == blinds().end()) return;
    LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = static_cast<int>(ifIndex), .attach_point = BPF_TC_INGRESS);
    LIBBPF_OPTS(bpf_tc_opts, opts, .handle = 0x7e9, .priority = 1);
    bpf_tc_detach(&hook, &opts);
    // The qdisc goes only if we made it (destroying it would take others' filters along).
    if (it->second.createdHook) bpf_tc_hook_destroy(&hook);
    close(it->second.progFd);
    blinds().erase(it);
}

uint32_t afPacketFrameCapacity(uint32_t framesz) { return framesz > 66 ? framesz - 66 : 0; }

uint32_t afPacketFrameSizeFor(uint32_t frameLen) {
    const uint32_t need = frameLen + 66;
    return need <= 2048 ? 2048 : (need + 2047) / 2048 * 2048;
}

}  // namespace vtepgw::port
