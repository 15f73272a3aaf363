// A remote tunnel as the fast path sees it: where it goes, how (the encapsulation), and the
// outer headers written in front of every inner frame sent into it (the rewrite, built at
// control time by the encapsulation's own module). Referred to by index everywhere: FDB
// entries, flood lists, learn requests, counters. The index is stable for the tunnel's life.
#pragma once

#include <cstdint>

namespace vtepgw::encap {

// Encapsulations vtepd speaks. Each is one module (encap/vxlan.h, encap/gre.h) with the
// same three jobs: build the rewrite, patch it per packet, classify what arrives.
enum class Encap : uint8_t { Vxlan = 0, Gre = 1 };
inline constexpr uint8_t kEncapCount = 2;

inline const char* encapName(Encap e) { return e == Encap::Gre ? "gre" : "vxlan"; }

// Bytes an encapsulation adds in front of the inner frame's IP packet on the wire (inner
// Ethernet header included): what the underlay's IP MTU must carry beyond the tenant's.
//   VXLAN: 14 inner Ethernet + 8 VXLAN + 8 UDP + 20 IPv4 = 50 (IPv6: 40, so 70)
//   GRE with key: 14 inner Ethernet + 8 GRE (flags, protocol, key) + 20 IPv4 = 42 (IPv6: 62)
inline uint16_t mtuOverhead(Encap e, bool ipv6 = false) {
    return static_cast<uint16_t>((e == Encap::Gre ? 42 : 50) + (ipv6 ? 20 : 0));
}

inline constexpr uint16_t kMaxTunnels = 4096;
// Room for the largest rewrite: Ethernet 14 + IPv6 40 + UDP 8 + VXLAN 8 = 70.
inline constexpr uint16_t kMaxRewrite = 80;

struct Tunnel {
    // What the fast path reads for every packet comes first, then the rewrite, so that an
    // IPv4 tunnel's header and 50-byte rewrite span two cache lines as before IPv6.
    bool active = false;
    Encap encap = Encap::Vxlan;
    bool resolved = false;   // false: next hop MAC unknown (the rewrite's destination MAC is zero)
    bool multicast = false;  // a flood group, not a unicast VTEP
    bool ipv6 = false;       // the outer header is IPv6 (ip6, nextHop6), else IPv4 (ipHost, nextHopHost)
    uint8_t rewriteLen = 0;  // outer bytes: Ethernet + IP + the encapsulation's header
    uint16_t udpPort = 0;    // VXLAN: destination port
    uint32_t ipHost = 0;     // remote address (or group)
    uint32_t nextHopHost = 0;
    alignas(16) uint8_t rewrite[kMaxRewrite] = {};
    // IPv6 addresses: read at control time and by the packet trace only.
    bool hasNextHop6 = false;
    uint8_t ip6[16] = {};
    uint8_t nextHop6[16] = {};
};

}  // namespace vtepgw::encap
