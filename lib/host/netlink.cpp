#include "host/netlink.h"

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <vector>

namespace vtepgw::host {

std::optional<int> parseAck(const void* buf, size_t len, uint32_t seq) {
    // Not mnl_nlmsg_ok/next: they compare the length as a signed int, so a message claiming
    // 0xfffffffc bytes passes the check and aligns to a step of 0 (the fuzzer found the loop).
    const auto* p = static_cast<const uint8_t*>(buf);
    size_t at = 0;
    while (len - at >= sizeof(nlmsghdr)) {
        nlmsghdr h;
        std::memcpy(&h, p + at, sizeof h);
        if (h.nlmsg_len < sizeof(nlmsghdr) || h.nlmsg_len > len - at) return std::nullopt;
        if (h.nlmsg_seq == seq && h.nlmsg_type == NLMSG_ERROR) {
            if (h.nlmsg_len < NLMSG_LENGTH(sizeof(nlmsgerr))) return EBADMSG;
            nlmsgerr err;
            std::memcpy(&err, p + at + NLMSG_HDRLEN, sizeof err);
            // The kernel sends -errno; anything else is not an errno we can report.
            if (err.error > 0 || err.error < -4095) return EBADMSG;
            return -err.error;
        }
        const size_t step = NLMSG_ALIGN(static_cast<size_t>(h.nlmsg_len));
        if (step > len - at) break;
        at += step;
    }
    return std::nullopt;
}

Netlink::Netlink() {
    sock_ = mnl_socket_open(NETLINK_ROUTE);
    if (sock_ == nullptr || mnl_socket_bind(sock_, 0, MNL_SOCKET_AUTOPID) < 0) {
        const int e = errno;
        if (sock_) mnl_socket_close(sock_);
        throw std::runtime_error(std::string("cannot open an rtnetlink socket: ") + std::strerror(e));
    }
    // A lost reply must not hang the control core: requests time out after a second.
    timeval tv{1, 0};
    setsockopt(mnl_socket_get_fd(sock_), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    seq_ = static_cast<uint32_t>(time(nullptr));
}

Netlink::~Netlink() { mnl_socket_close(sock_); }

int Netlink::talk(nlmsghdr* nlh) {
    nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
    nlh->nlmsg_seq = ++seq_;
    if (mnl_socket_sendto(sock_, nlh, nlh->nlmsg_len) < 0) return errno;
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
    for (;;) {
        const ssize_t n = mnl_socket_recvfrom(sock_, buf.data(), buf.size());
        if (n < 0) return errno == EAGAIN ? ETIMEDOUT : errno;
        if (const auto r = parseAck(buf.data(), static_cast<size_t>(n), seq_)) return *r;
    }
}

int Netlink::setLink(unsigned ifindex, std::optional<uint16_t> mtu, bool up, unsigned master) {
    char buf[MNL_SOCKET_BUFFER_SIZE];
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = RTM_NEWLINK;
    auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_index = static_cast<int>(ifindex);
    ifi->ifi_change = IFF_UP;
    ifi->ifi_flags = up ? IFF_UP : 0;
    if (mtu) mnl_attr_put_u32(nlh, IFLA_MTU, *mtu);
    if (master != 0) mnl_attr_put_u32(nlh, IFLA_MASTER, master);
    return talk(nlh);
}

int Netlink::deleteLink(unsigned ifindex) {
    char buf[MNL_SOCKET_BUFFER_SIZE];
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = RTM_DELLINK;
    auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_index = static_cast<int>(ifindex);
    return talk(nlh);
}

int Netlink::address(uint16_t type, uint16_t flags, unsigned ifindex, const netaddr::Ipv4Prefix& p) {
    char buf[MNL_SOCKET_BUFFER_SIZE];
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = flags;
    auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
    ifa->ifa_family = AF_INET;
    ifa->ifa_prefixlen = p.length;
    ifa->ifa_scope = RT_SCOPE_UNIVERSE;
    ifa->ifa_index = ifindex;
    const uint32_t a = p.address.toNetwork();
    mnl_attr_put_u32(nlh, IFA_LOCAL, a);
    mnl_attr_put_u32(nlh, IFA_ADDRESS, a);
    return talk(nlh);
}

int Netlink::addAddress(unsigned ifindex, const netaddr::Ipv4Prefix& p) {
    return address(RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, ifindex, p);
}

int Netlink::deleteAddress(unsigned ifindex, const netaddr::Ipv4Prefix& p) {
    return address(RTM_DELADDR, 0, ifindex, p);
}

int Netlink::route(uint16_t type, uint16_t flags, unsigned ifindex, const netaddr::Ipv4Prefix& prefix,
                   netaddr::Ipv4Address via) {
    char buf[MNL_SOCKET_BUFFER_SIZE];
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = flags;
    auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
    rtm->rtm_family = AF_INET;
    rtm->rtm_dst_len = prefix.length;
    rtm->rtm_table = RT_TABLE_MAIN;
    // Static, as "ip route add" makes them: FRR's zebra shows them as kernel routes.
    rtm->rtm_protocol = RTPROT_STATIC;
    rtm->rtm_scope = RT_SCOPE_UNIVERSE;
    rtm->rtm_type = RTN_UNICAST;
    if (prefix.length > 0) mnl_attr_put_u32(nlh, RTA_DST, prefix.network().toNetwork());
    mnl_attr_put_u32(nlh, RTA_GATEWAY, via.toNetwork());
    mnl_attr_put_u32(nlh, RTA_OIF, ifindex);
    return talk(nlh);
}

int Netlink::replaceRoute(unsigned ifindex, const netaddr::Ipv4Prefix& prefix, netaddr::Ipv4Address via) {
    return route(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, ifindex, prefix, via);
}

int Netlink::deleteRoute(unsigned ifindex, const netaddr::Ipv4Prefix& prefix, netaddr::Ipv4Address via) {
    return route(RTM_DELROUTE, 0, ifindex, prefix, via);
}

}  // namespace vtepgw::host
