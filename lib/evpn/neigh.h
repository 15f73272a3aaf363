// rtnetlink neighbour messages (RTM_NEWNEIGH / RTM_DELNEIGH) as zebra and the kernel exchange
// them for EVPN: bridge FDB entries (AF_BRIDGE) on the shadow vxlan devices, read from a buffer
// without trusting any length in it, and the one request vtepd writes (a local MAC on the
// shadow port as "master extern_learn", which zebra advertises as a type-2 route).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "netaddr/addr.h"

namespace vtepgw::evpn {

struct Neigh {
    bool deleted = false;
    uint8_t family = 0;   // AF_BRIDGE for FDB entries
    uint32_t ifindex = 0;
    uint16_t state = 0;   // NUD_*
    uint8_t flags = 0;    // NTF_*
    std::optional<netaddr::MacAddress> mac;  // NDA_LLADDR
    std::optional<netaddr::Ipv4Address> dst; // NDA_DST (IPv4 only: our underlay)
    uint32_t master = 0;                     // NDA_MASTER
};

struct NeighBatch {
    std::vector<Neigh> neighs;
    size_t malformed = 0;  // neighbour messages whose header or attributes do not fit
    bool done = false;     // NLMSG_DONE: the end of a dump
    int error = 0;         // an NLMSG_ERROR with an errno (0 = none, or an ack)
};

// Every neighbour message in a buffer of netlink messages; the walk stops at the first
// message whose length does not fit what is left.
NeighBatch parseNeighMessages(const void* buf, size_t len);

// The request that adds (or deletes) `mac` on the bridge port `portIfindex` as an
// externally learned FDB entry ("bridge fdb add MAC dev PORT master extern_learn"). Writes it
// into `buf` (at least 256 bytes) and returns its length.
size_t buildLocalMac(void* buf, bool add, uint32_t portIfindex, const netaddr::MacAddress& mac);
// A dump request for every AF_BRIDGE FDB entry.
size_t buildFdbDump(void* buf);

}  // namespace vtepgw::evpn
