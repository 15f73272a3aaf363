// rtnetlink requests for the host interface, over libmnl: link MTU and state, an IPv4
// address, IPv4 routes. Each request asks for an acknowledgement and waits for it, so that a
// refused change is reported with the kernel's reason instead of being assumed done.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "netaddr/addr.h"

struct mnl_socket;
struct nlmsghdr;

namespace vtepgw::host {

// The acknowledgement for request `seq` in a buffer received from the kernel: 0 (done), a
// positive errno (refused), or nullopt (not in this buffer). Never reads past `len`.
std::optional<int> parseAck(const void* buf, size_t len, uint32_t seq);

class Netlink {
public:
    Netlink();  // throws std::runtime_error when no rtnetlink socket can be opened
    ~Netlink();
    Netlink(const Netlink&) = delete;
    Netlink& operator=(const Netlink&) = delete;

    // Each returns 0 or the kernel's errno.
    // Up or down; also the MTU and the bridge the link joins (master), when given.
    int setLink(unsigned ifindex, std::optional<uint16_t> mtu, bool up, unsigned master = 0);
    int deleteLink(unsigned ifindex);
    int addAddress(unsigned ifindex, const netaddr::Ipv4Prefix& p);
    int deleteAddress(unsigned ifindex, const netaddr::Ipv4Prefix& p);
    // `prefix` via `via` out of `ifindex`, replacing a route to the same prefix.
    int replaceRoute(unsigned ifindex, const netaddr::Ipv4Prefix& prefix, netaddr::Ipv4Address via);
    int deleteRoute(unsigned ifindex, const netaddr::Ipv4Prefix& prefix, netaddr::Ipv4Address via);

    // Sends a request built by the caller and waits for its acknowledgement: 0 or the errno.
    int request(nlmsghdr* nlh) { return talk(nlh); }

private:
    int talk(nlmsghdr* nlh);
    int route(uint16_t type, uint16_t flags, unsigned ifindex, const netaddr::Ipv4Prefix& prefix,
              netaddr::Ipv4Address via);
    int address(uint16_t type, uint16_t flags, unsigned ifindex, const netaddr::Ipv4Prefix& p);

    mnl_socket* sock_ = nullptr;
    uint32_t seq_ = 0;
};

}  // namespace vtepgw::host
