#include "evpn/shadow_fabric.h"

#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <arpa/inet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace vtepgw::evpn {

namespace {

std::string failure(const std::string& what, int err) { return what + ": " + std::strerror(err); }

// RTM_NEWLINK creating `name` of `kind`; `data` adds the kind's attributes inside
// IFLA_INFO_DATA.
template <typename Data>
int createLink(host::Netlink& nl, const std::string& name, const char* kind, Data data) {
    char buf[MNL_SOCKET_BUFFER_SIZE];
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = RTM_NEWLINK;
    nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
    auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
    ifi->ifi_family = AF_UNSPEC;
    mnl_attr_put_strz(nlh, IFLA_IFNAME, name.c_str());
    nlattr* info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
    mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
    nlattr* d = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
    data(nlh);
    mnl_attr_nest_end(nlh, d);
    mnl_attr_nest_end(nlh, info);
    return nl.request(nlh);
}

// The shadow devices carry no traffic; their IPv6 would only send router solicitations and
// MLD reports into the fabric.
void disableIpv6(const std::string& dev) { std::ofstream("/proc/sys/net/ipv6/conf/" + dev + "/disable_ipv6") << "1\n"; }

}  // namespace

ShadowFabric::ShadowFabric(const config::EvpnSpec& spec, netaddr::Ipv4Address local, uint16_t udpPort)
    : prefix_(spec.prefix), local_(local), udpPort_(udpPort) {
    events_ = mnl_socket_open(NETLINK_ROUTE);
    if (events_ == nullptr || mnl_socket_bind(events_, RTMGRP_NEIGH, MNL_SOCKET_AUTOPID) < 0) {
        const int e = errno;
        if (events_) mnl_socket_close(events_);
        throw std::runtime_error(failure("evpn: cannot listen to neighbour notifications", e));
    }
    const int fd = mnl_socket_get_fd(events_);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    // zebra installs a fabric's MACs in bursts; an overrun costs a full re-dump.
    const int size = 8 << 20;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
}

ShadowFabric::~ShadowFabric() {
    for (const auto& d : devices_) destroy(d);
    mnl_socket_close(events_);
}

std::string ShadowFabric::create(ShadowDevices& d) {
    const std::string v = std::to_string(d.vni);
    d.bridgeDev = prefix_ + "b" + v;
    d.vxlanDev = prefix_ + "x" + v;
    d.portDev = prefix_ + "p" + v;
    // Left over from a vtepd that did not exit cleanly: start from nothing.
    for (const auto* n : {&d.bridgeDev, &d.vxlanDev, &d.portDev})
        if (uint32_t i = if_nametoindex(n->c_str())) nl_.deleteLink(i);

    if (int e = createLink(nl_, d.bridgeDev, "bridge", [](nlmsghdr*) {}))
        return failure("cannot create bridge " + d.bridgeDev, e);
    disableIpv6(d.bridgeDev);
    const uint32_t vni = d.vni;
    const uint32_t local = local_.toNetwork();
    const uint16_t port = htons(udpPort_);
    if (int e = createLink(nl_, d.vxlanDev, "vxlan", [&](nlmsghdr* nlh) {
            mnl_attr_put_u32(nlh, IFLA_VXLAN_ID, vni);
            mnl_attr_put(nlh, IFLA_VXLAN_LOCAL, 4, &local);
            mnl_attr_put_u16(nlh, IFLA_VXLAN_PORT, port);
            mnl_attr_put_u8(nlh, IFLA_VXLAN_LEARNING, 0);
        }))
        return failure("cannot create vxlan " + d.vxlanDev, e);
    disableIpv6(d.vxlanDev);
    // The local members' stand-in: a tap nobody reads (it lives as long as our descriptor).
    const int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    ifreq ifr{};
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    std::strncpy(ifr.ifr_name, d.portDev.c_str(), IFNAMSIZ - 1);
    if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) != 0) {
        const int e = errno;
        if (fd >= 0) close(fd);
        return failure("cannot create tap " + d.portDev, e);
    }
    tapFds_[d.vni] = fd;
    disableIpv6(d.portDev);
    d.bridgeIf = if_nametoindex(d.bridgeDev.c_str());
    d.vxlanIf = if_nametoindex(d.vxlanDev.c_str());
    d.portIf = if_nametoindex(d.portDev.c_str());
    for (uint32_t port : {d.vxlanIf, d.portIf})
        if (int e = nl_.setLink(port, std::nullopt, true, d.bridgeIf)) return failure("cannot add a port to " + d.bridgeDev, e);
    // zebra withdraws a VNI whose vxlan device is down; the bridge must be up for the FDB.
    if (int e = nl_.setLink(d.bridgeIf, std::nullopt, true)) return failure("cannot bring up " + d.bridgeDev, e);
    return "";
}

void ShadowFabric::destroy(const ShadowDevices& d) {
    if (d.vxlanIf) nl_.deleteLink(d.vxlanIf);
    if (d.bridgeIf) nl_.deleteLink(d.bridgeIf);
    if (auto it = tapFds_.find(d.vni); it != tapFds_.end()) {
        close(it->second);
        tapFds_.erase(it);
    }
    written_.erase(d.vni);
}

void ShadowFabric::updateDeviceMap() {
    std::map<uint32_t, uint32_t> m;
    for (const auto& d : devices_) m[d.vxlanIf] = d.vni;
    remote_.setDevices(std::move(m));
    remote_.retainDevices();
}

std::vector<std::string> ShadowFabric::sync(const std::vector<std::pair<uint32_t, std::string>>& bridges,
                                            uint64_t nowMs) {
    std::vector<std::string> problems;
    std::vector<ShadowDevices> next;
    for (auto& d : devices_) {
        const bool keep = std::any_of(bridges.begin(), bridges.end(), [&](const auto& b) { return b.first == d.vni; });
        if (keep) next.push_back(d);
        else destroy(d);
    }
    for (const auto& wanted : bridges) {
        const uint32_t vni = wanted.first;
        const std::string& name = wanted.second;
        auto it = std::find_if(next.begin(), next.end(), [vni](const ShadowDevices& d) { return d.vni == vni; });
        if (it != next.end()) {
            it->bridge = name;
            continue;
        }
        ShadowDevices d;
        d.bridge = name;
        d.vni = vni;
        const std::string err = create(d);
        if (!err.empty()) {
            problems.push_back("evpn: bridge " + name + ": " + err);
            destroy(d);
            continue;
        }
        next.push_back(d);
        needResync_ = true;
    }
    devices_ = std::move(next);
    updateDeviceMap();
    if (needResync_) resync(nowMs);
    return problems;
}

bool ShadowFabric::resync(uint64_t nowMs) {
    mnl_socket* s = mnl_socket_open(NETLINK_ROUTE);
    if (s == nullptr || mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0) {
        if (s) mnl_socket_close(s);
        return false;
    }
    timeval tv{2, 0};
    setsockopt(mnl_socket_get_fd(s), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[MNL_SOCKET_BUFFER_SIZE];
    const size_t len = buildFdbDump(buf);
    std::vector<Neigh> all;
    bool done = false;
    if (mnl_socket_sendto(s, buf, len) >= 0) {
        std::vector<char> rx(1 << 16);
        while (!done) {
            const ssize_t n = mnl_socket_recvfrom(s, rx.data(), rx.size());
            if (n <= 0) break;
            auto batch = parseNeighMessages(rx.data(), static_cast<size_t>(n));
            stats_.malformed += batch.malformed;
            all.insert(all.end(), batch.neighs.begin(), batch.neighs.end());
            done = batch.done || batch.error != 0;
        }
    }
    mnl_socket_close(s);
    if (!done) return false;  // try again at the next poll
    needResync_ = false;
    ++stats_.resyncs;
    stats_.lastResyncMs = nowMs;
    stats_.synced = true;
    return remote_.replace(all);
}

bool ShadowFabric::poll(uint64_t nowMs) {
    bool changed = false;
    std::vector<char> rx(1 << 16);
    for (int round = 0; round < 64; ++round) {
        const ssize_t n = recv(mnl_socket_get_fd(events_), rx.data(), rx.size(), 0);
        if (n < 0) {
            if (errno == ENOBUFS) {
                // Notifications were lost: only a full dump tells the truth now.
                needResync_ = true;
                stats_.synced = false;
                continue;
            }
            break;  // EAGAIN: nothing more for now
        }
        const auto batch = parseNeighMessages(rx.data(), static_cast<size_t>(n));
        stats_.malformed += batch.malformed;
        for (const auto& neigh : batch.neighs) {
            ++stats_.notifications;
            changed = remote_.apply(neigh) || changed;
        }
    }
    if (needResync_) changed = resync(nowMs) || changed;
    return changed;
}

void ShadowFabric::publishLocal(const std::map<uint32_t, std::set<uint64_t>>& macsByVni) {
    char buf[512];
    for (const auto& d : devices_) {
        static const std::set<uint64_t> kNone;
        const auto w = macsByVni.find(d.vni);
        const std::set<uint64_t>& want = w == macsByVni.end() ? kNone : w->second;
        std::set<uint64_t>& have = written_[d.vni];
        for (auto it = have.begin(); it != have.end();) {
            if (want.count(*it)) {
                ++it;
                continue;
            }
            buildLocalMac(buf, false, d.portIf, netaddr::MacAddress::fromU64(*it));
            const int e = nl_.request(reinterpret_cast<nlmsghdr*>(buf));
            if (e != 0 && e != ENOENT) ++stats_.writeErrors;
            ++stats_.localRemoved;
            it = have.erase(it);
        }
        for (uint64_t mac : want) {
            if (have.count(mac)) continue;
            buildLocalMac(buf, true, d.portIf, netaddr::MacAddress::fromU64(mac));
            if (nl_.request(reinterpret_cast<nlmsghdr*>(buf)) != 0) {
                ++stats_.writeErrors;
                continue;  // tried again at the next round
            }
            ++stats_.localAdded;
            have.insert(mac);
        }
    }
}

}  // namespace vtepgw::evpn
