// Classification of frames received on the underlay port: a tunnel packet for one of our
// bridges (VXLAN or GRE, by the encapsulation's own classifier), something for the control
// core (ARP, ICMP and IGMP to our address), something for the host interface (other IP to
// our address and link-local multicast, when there is one), or a drop with its reason. What goes up carries its punt
// class, so that the worker polices it before it reaches the control core. Works on the first
// segment's bytes only and never reads past `len`.
#pragma once

#include <rte_ip.h>

#include <cstdint>
#include <cstring>

#include "counters/counters.h"
#include "encap/gre.h"
#include "encap/vxlan.h"
#include "packet/headers.h"
#include "punt/classes.h"
#include "state/forwarding_state.h"

namespace vtepgw::encap {

inline constexpr uint8_t kIpProtoIgmp = 2;

enum class UnderlayVerdict : uint8_t { Tunnel, ToControl, ToHost, Drop };

struct UnderlayResult {
    UnderlayVerdict verdict = UnderlayVerdict::Drop;
    counters::Drop reason = counters::Drop::truncated;
    bool reservedBits = false;   // accepted, but counted
    Encap encap = Encap::Vxlan;
    punt::Class puntClass = punt::Class::Other;  // ToControl and ToHost
    fdb::BridgeId bridge = fdb::kNoBridge;
    uint32_t srcIpHost = 0;      // the remote VTEP (IPv4)
    bool ipv6 = false;           // ... or the IPv6 one at srcIp6 (inside the frame)
    const uint8_t* srcIp6 = nullptr;
    uint16_t outerLen = 0;       // bytes in front of the inner frame
    uint16_t innerLen = 0;       // inner frame length (outer Ethernet padding excluded)
};

// The part both families share once the tunnel header is read: the bridge's own checks on
// the inner frame. Completes r in place (the callers return r itself, so that the result is
// built in the caller's slot, not copied).
[[gnu::always_inline]] inline void acceptTunnel(UnderlayResult& r, const uint8_t* frame, const state::ForwardingState& st,
                         int32_t bridge) {
    const state::BridgeState* bs = st.bridge(static_cast<fdb::BridgeId>(bridge));
    if (bs != nullptr && !(r.ipv6 ? bs->allows6(r.srcIp6) : bs->allows(r.srcIpHost))) {
        r.verdict = UnderlayVerdict::Drop;
        r.reason = counters::Drop::vtep_not_allowed;
        return;
    }
    const auto* inner = reinterpret_cast<const rte_ether_hdr*>(frame + r.outerLen);
    if ((inner->ether_type == RTE_BE16(RTE_ETHER_TYPE_VLAN) || inner->ether_type == RTE_BE16(RTE_ETHER_TYPE_QINQ)) &&
        (bs == nullptr || !bs->keepInnerVlan)) {
        r.verdict = UnderlayVerdict::Drop;
        r.reason = counters::Drop::inner_vlan_tagged;
        return;
    }
    r.verdict = UnderlayVerdict::Tunnel;
    r.bridge = static_cast<fdb::BridgeId>(bridge);
}

// IPv6 extension headers (RFC 8200 §4, RFC 7045's list): none is read on the tunnel path.
inline bool isIpv6ExtensionHeader(uint8_t nh) {
    return nh == 0 || nh == 43 || nh == 44 || nh == 50 || nh == 51 || nh == 60 || nh == 135 || nh == 139 ||
           nh == 140 || nh == 253 || nh == 254;
}

// The IPv6 underlay: VXLAN (UDP checksum verified), GRE, and ICMPv6 for us (neighbour
// discovery, echo) or MLD (behind a hop-by-hop header) for the control core. Kept out of
// line: inlined into classifyUnderlay it cost the IPv4 path about 30 cycles a packet.
[[gnu::noinline]] inline UnderlayResult classifyIpv6(const uint8_t* frame, uint32_t len, const state::ForwardingState& st,
                                   uint64_t rxFlags) {
    using counters::Drop;
    UnderlayResult r;
    auto drop = [&r](Drop d) {
        r.verdict = UnderlayVerdict::Drop;
        r.reason = d;
        return r;
    };
    if (!st.hasIp6) return drop(Drop::unsupported_ethertype);
    if (len < packet::kEtherHeaderLen + packet::kIpv6HeaderLen) return drop(Drop::truncated);
    const auto* ip = reinterpret_cast<const rte_ipv6_hdr*>(frame + packet::kEtherHeaderLen);
    if ((packet::be32ToHost(ip->vtc_flow) >> 28) != 6) return drop(Drop::bad_ip_header);
    const uint16_t payloadLen = packet::be16ToHost(ip->payload_len);
    if (payloadLen > len - packet::kEtherHeaderLen - packet::kIpv6HeaderLen) return drop(Drop::truncated);
    const uint16_t totalLen = static_cast<uint16_t>(payloadLen + packet::kIpv6HeaderLen);
    const bool forUs = std::memcmp(ip->dst_addr, st.localIp6, 16) == 0;
    const bool multicast = ip->dst_addr[0] == 0xFF;
    auto up = [&r](punt::Class c) {
        r.verdict = UnderlayVerdict::ToControl;
        r.puntClass = c;
        return r;
    };
    uint8_t nh = ip->proto;
    static constexpr uint8_t kAllNodes[16] = {0xFF, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    if (nh == 0 && multicast) {
        // MLD (RFC 3810 §5) comes behind a hop-by-hop header with the Router Alert option:
        // queries to all-nodes or to one of our groups are ours; other hosts' reports are not.
        if (payloadLen < 8) return drop(Drop::truncated);
        const uint8_t* hbh = frame + packet::kEtherHeaderLen + packet::kIpv6HeaderLen;
        if (hbh[0] != packet::kIpProtoIcmpv6) return drop(Drop::ipv6_extension_header);
        if (std::memcmp(ip->dst_addr, kAllNodes, 16) == 0 || st.groups6.find(ip->dst_addr) >= 0)
            return up(punt::Class::Igmp);
        return drop(Drop::not_for_us);
    }
    if (nh == packet::kIpProtoIcmpv6) {
        // Ours, all-nodes (router advertisements, MLD general queries) or our solicited-node
        // group (neighbour solicitations for our address); another host's is not.
        static constexpr uint8_t kSolicitedPrefix[13] = {0xFF, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xFF};
        const bool solicited = std::memcmp(ip->dst_addr, kSolicitedPrefix, 13) == 0 &&
                               std::memcmp(ip->dst_addr + 13, st.localIp6 + 13, 3) == 0;
        if (forUs || solicited || std::memcmp(ip->dst_addr, kAllNodes, 16) == 0) return up(punt::Class::Icmp);
        return drop(Drop::not_for_us);
    }
    if (isIpv6ExtensionHeader(nh)) return drop(Drop::ipv6_extension_header);
    if (!forUs && (nh != IPPROTO_UDP || !multicast || st.groups6.find(ip->dst_addr) < 0)) return drop(Drop::not_for_us);
    int32_t bridge;
    if (nh == IPPROTO_UDP) {
        if (payloadLen < packet::kUdpHeaderLen) return drop(Drop::truncated);
        const auto* udp = reinterpret_cast<const rte_udp_hdr*>(ip + 1);
        const auto v = vxlan::classify(udp, totalLen, st.vxlanPortsBe.data(), st.vxlanPortCount, packet::kIpv6HeaderLen);
        if (!v.ok) return drop(v.reason);
        // RFC 8200 §8.1: mandatory over IPv6; zero only by agreement (RFC 6935/6936).
        if (udp->dgram_cksum == 0) {
            if (!st.udp6ZeroChecksumRx) return drop(Drop::udp_zero_checksum);
        } else {
            // A port fed by the local kernel (a veth with TX checksum offload, the default)
            // carries checksums the kernel left for the "NIC" to finish: the outer one at the
            // pseudo-header sum, or computed by local checksum offload over an inner
            // checksum that is itself still partial. Neither verifies as received, and a
            // veth cannot corrupt bytes, so there the outer checksum is not checked (the
            // inner frame's partial checksums are completed after decapsulation).
            const uint64_t l4 = rxFlags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
            const bool kernelFed = st.ports[st.underlayPort].completeChecksums;
            if (l4 == RTE_MBUF_F_RX_L4_CKSUM_BAD ||
                (l4 != RTE_MBUF_F_RX_L4_CKSUM_GOOD && !kernelFed && !packet::udp6ChecksumOk(ip, udp, payloadLen)))
                return drop(Drop::bad_udp_checksum);
        }
        bridge = st.vniToBridge.find(v.vni);
        if (bridge < 0) return drop(Drop::unknown_vni);
        r.encap = Encap::Vxlan;
        r.reservedBits = v.reservedBits;
        r.outerLen = v.outerLen;
        r.innerLen = v.innerLen;
    } else if (nh == gre::kIpProtoGre) {
        const auto g = gre::classify(reinterpret_cast<const uint8_t*>(ip + 1), totalLen, packet::kIpv6HeaderLen);
        if (!g.ok) return drop(g.reason);
        bridge = st.greKeyToBridge.find(g.key);
        if (bridge < 0) return drop(Drop::gre_unknown_key);
        r.encap = Encap::Gre;
        r.outerLen = g.outerLen;
        r.innerLen = g.innerLen;
    } else {
        return drop(Drop::unsupported_protocol);
    }
    r.ipv6 = true;
    r.srcIp6 = ip->src_addr;
    acceptTunnel(r, frame, st, bridge);
    return r;
}

// What nearly every underlay packet is, accepted in one pass: IPv4 VXLAN to our MAC and
// unicast address on the first VXLAN port, no options, not a fragment, flags exactly I, the
// lengths consistent and the header checksum right, for an active bridge that takes VXLAN
// from any VTEP and an untagged inner frame. The fields are compared together before one
// branch. False sends the frame through the full classifier, which checks all of this as
// well: both give the same result for every frame (tests/unit/test_vxlan.cpp compares them
// on mutated frames).
[[gnu::always_inline]] inline bool acceptVxlan4(const uint8_t* f, uint32_t len, const state::ForwardingState& st,
                                                uint64_t rxFlags, UnderlayResult& r) {
    constexpr uint32_t kOuter = packet::kVxlanOverhead;  // 14 + 20 + 8 + 8
    if (len < kOuter + packet::kEtherHeaderLen) return false;
    const auto load32 = [](const void* p) {
        uint32_t v;
        std::memcpy(&v, p, 4);
        return v;
    };
    const auto load16 = [](const void* p) {
        uint16_t v;
        std::memcpy(&v, p, 2);
        return v;
    };
    const auto* mac = reinterpret_cast<const uint8_t*>(&st.localMac);
    static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the masks below are in memory order");
    const uint32_t diff = (load32(f) ^ load32(mac)) | (load16(f + 4) ^ load16(mac + 4)) |
                          ((load32(f + 12) & 0x00FFFFFFu) ^ 0x00450008u) |  // IPv4, version 4, IHL 5
                          ((load32(f + 20) & 0xFF00FF3Fu) ^ 0x11000000u) |  // no MF, no offset; UDP
                          (load32(f + 30) ^ st.localIpBe) | (load16(f + 36) ^ st.vxlanPortsBe[0]) |
                          (load32(f + 42) ^ 0x00000008u) | f[49];  // flags I only; reserved byte
    if (diff != 0 || st.localIpBe == 0) return false;
    const uint16_t totalLen = packet::be16ToHost(load16(f + 16));
    const uint16_t udpLen = packet::be16ToHost(load16(f + 38));
    constexpr uint16_t kMinIp =
        packet::kIpv4HeaderLen + packet::kUdpHeaderLen + packet::kVxlanHeaderLen + packet::kEtherHeaderLen;
    if (totalLen < kMinIp || totalLen > len - packet::kEtherHeaderLen || udpLen < kMinIp - packet::kIpv4HeaderLen)
        return false;
    const uint64_t ipChecksumFlags = rxFlags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
    if (ipChecksumFlags == RTE_MBUF_F_RX_IP_CKSUM_BAD ||
        (ipChecksumFlags != RTE_MBUF_F_RX_IP_CKSUM_GOOD && !packet::ipv4HeaderChecksumOk(f + packet::kEtherHeaderLen)))
        return false;
    const uint16_t innerType = load16(f + kOuter + 2 * RTE_ETHER_ADDR_LEN);
    if (innerType == RTE_BE16(RTE_ETHER_TYPE_VLAN) || innerType == RTE_BE16(RTE_ETHER_TYPE_QINQ)) return false;
    const int32_t bridge = st.vniToBridge.find(packet::be32ToHost(load32(f + 46)) >> 8);
    if (bridge < 0) return false;
    const state::BridgeState* bs = st.bridge(static_cast<fdb::BridgeId>(bridge));
    if (bs == nullptr || bs->restrictVteps) return false;
    r.verdict = UnderlayVerdict::Tunnel;
    r.encap = Encap::Vxlan;
    r.bridge = static_cast<fdb::BridgeId>(bridge);
    r.srcIpHost = packet::be32ToHost(load32(f + 26));
    r.outerLen = kOuter;
    r.innerLen = static_cast<uint16_t>(totalLen - (kOuter - packet::kEtherHeaderLen));
    return true;
}

// The same for GRE with only a key and Ethernet inside (RFC 2890, as Linux gretap and Open
// vSwitch send it), tried second.
namespace fast {

inline uint32_t load32(const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}
inline uint16_t load16(const uint8_t* p) {
    uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
}

// Zero when the frame is IPv4 to our MAC and address, version 4, IHL 5, not a fragment,
// protocol `proto` (the caller has checked that the first 34 bytes are there).
[[gnu::always_inline]] inline uint32_t ipv4ToUs(const uint8_t* f, const state::ForwardingState& st, uint8_t proto) {
    const auto* mac = reinterpret_cast<const uint8_t*>(&st.localMac);
    static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the masks below are in memory order");
    return (load32(f) ^ load32(mac)) | (load16(f + 4) ^ load16(mac + 4)) |
           ((load32(f + 12) & 0x00FFFFFFu) ^ 0x00450008u) |                   // IPv4, version 4, IHL 5
           ((load32(f + 20) & 0xFF00FF3Fu) ^ (uint32_t{proto} << 24)) |       // no MF, no offset
           (load32(f + 30) ^ st.localIpBe);
}

// An untagged inner frame behind `outer` bytes, for the bridge `key` maps to in `bridges`,
// active and open to every VTEP: that bridge's id, or -1.
[[gnu::always_inline]] inline int32_t openBridge(const uint8_t* f, const state::ForwardingState& st, uint32_t outer,
                                                 const state::FlatMap32& bridges, uint32_t key) {
    const uint16_t innerType = load16(f + outer + 2 * RTE_ETHER_ADDR_LEN);
    if (innerType == RTE_BE16(RTE_ETHER_TYPE_VLAN) || innerType == RTE_BE16(RTE_ETHER_TYPE_QINQ)) return -1;
    const int32_t bridge = bridges.find(key);
    if (bridge < 0) return -1;
    const state::BridgeState* bs = st.bridge(static_cast<fdb::BridgeId>(bridge));
    return bs == nullptr || bs->restrictVteps ? -1 : bridge;
}

// What both share once the tunnel header is read: the IP checksum, an untagged inner frame
// behind `outer` bytes, the bridge `key` maps to in `bridges`, active and open to every VTEP;
// then fills r.
[[gnu::always_inline]] inline bool finish(const uint8_t* f, const state::ForwardingState& st, uint64_t rxFlags,
                                          uint16_t totalLen, uint32_t outer, const state::FlatMap32& bridges,
                                          uint32_t key, Encap e, UnderlayResult& r) {
    const uint64_t ipChecksumFlags = rxFlags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
    if (ipChecksumFlags == RTE_MBUF_F_RX_IP_CKSUM_BAD ||
        (ipChecksumFlags != RTE_MBUF_F_RX_IP_CKSUM_GOOD && !packet::ipv4HeaderChecksumOk(f + packet::kEtherHeaderLen)))
        return false;
    const int32_t bridge = openBridge(f, st, outer, bridges, key);
    if (bridge < 0) return false;
    r.verdict = UnderlayVerdict::Tunnel;
    r.encap = e;
    r.bridge = static_cast<fdb::BridgeId>(bridge);
    r.srcIpHost = packet::be32ToHost(load32(f + 26));
    r.outerLen = static_cast<uint16_t>(outer);
    r.innerLen = static_cast<uint16_t>(totalLen - (outer - packet::kEtherHeaderLen));
    return true;
}

}  // namespace fast

[[gnu::always_inline]] inline bool acceptGre4(const uint8_t* f, uint32_t len, const state::ForwardingState& st,
                                              uint64_t rxFlags, UnderlayResult& r) {
    using fast::load16;
    using fast::load32;
    constexpr uint32_t kOuter = packet::kEtherHeaderLen + packet::kIpv4HeaderLen + sizeof(gre::GreKeyHeader);
    static_assert(kOuter == 42);
    if (len < kOuter + packet::kEtherHeaderLen) return false;
    const uint32_t diff = fast::ipv4ToUs(f, st, gre::kIpProtoGre) |
                          (load32(f + 34) ^ 0x58650020u);  // K only, version 0; Transparent Ethernet Bridging
    if (diff != 0 || st.localIpBe == 0) return false;
    const uint16_t totalLen = packet::be16ToHost(load16(f + 16));
    if (totalLen < kOuter || totalLen > len - packet::kEtherHeaderLen) return false;  // IP + GRE + inner Ethernet
    return fast::finish(f, st, rxFlags, totalLen, kOuter, st.greKeyToBridge, packet::be32ToHost(load32(f + 38)),
                        Encap::Gre, r);
}

// The same for VXLAN over IPv6 to our MAC and unicast address on the first VXLAN port: no
// extension header, flags exactly I, the lengths consistent, the UDP checksum good (by the
// NIC, by a kernel-fed port's rule, as zero where agreed, or verified here), for an active
// bridge open to every VTEP and an untagged inner frame. Out of line: only IPv6 frames that
// IPv4's acceptance turned down come here, and inlined it would crowd the IPv4 path.
[[gnu::noinline]] inline bool acceptVxlan6(const uint8_t* f, uint32_t len, const state::ForwardingState& st,
                                           uint64_t rxFlags, UnderlayResult& r) {
    using fast::load16;
    using fast::load32;
    constexpr uint32_t kOuter = packet::kEtherHeaderLen + packet::kIpv6HeaderLen + packet::kUdpHeaderLen +
                                packet::kVxlanHeaderLen;
    static_assert(kOuter == 70);
    constexpr uint16_t kMinPayload = packet::kUdpHeaderLen + packet::kVxlanHeaderLen + packet::kEtherHeaderLen;
    if (!st.hasIp6 || len < kOuter + packet::kEtherHeaderLen) return false;
    const auto* mac = reinterpret_cast<const uint8_t*>(&st.localMac);
    uint64_t dstLo, dstHi, ourLo, ourHi;
    std::memcpy(&dstLo, f + 38, 8);
    std::memcpy(&dstHi, f + 46, 8);
    std::memcpy(&ourLo, st.localIp6, 8);
    std::memcpy(&ourHi, st.localIp6 + 8, 8);
    static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the masks below are in memory order");
    const uint64_t diff = (load32(f) ^ load32(mac)) | (load16(f + 4) ^ load16(mac + 4)) |
                          (load16(f + 12) ^ 0xDD86u) |        // IPv6
                          ((f[14] & 0xF0u) ^ 0x60u) |          // version 6
                          (f[20] ^ uint32_t{IPPROTO_UDP}) |    // UDP right after the header
                          (load16(f + 56) ^ st.vxlanPortsBe[0]) |
                          (load32(f + 62) ^ 0x00000008u) | f[69] |  // flags I only; reserved byte
                          (dstLo ^ ourLo) | (dstHi ^ ourHi);
    if (diff != 0) return false;
    const uint16_t payloadLen = packet::be16ToHost(load16(f + 18));
    if (payloadLen < kMinPayload || payloadLen > len - packet::kEtherHeaderLen - packet::kIpv6HeaderLen ||
        packet::be16ToHost(load16(f + 58)) < kMinPayload)
        return false;
    const auto* ip = reinterpret_cast<const rte_ipv6_hdr*>(f + packet::kEtherHeaderLen);
    if (load16(f + 60) == 0) {
        if (!st.udp6ZeroChecksumRx) return false;
    } else {
        const uint64_t l4 = rxFlags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
        if (l4 == RTE_MBUF_F_RX_L4_CKSUM_BAD ||
            (l4 != RTE_MBUF_F_RX_L4_CKSUM_GOOD && !st.ports[st.underlayPort].completeChecksums &&
             !packet::udp6ChecksumOk(ip, ip + 1, payloadLen)))
            return false;
    }
    const int32_t bridge = fast::openBridge(f, st, kOuter, st.vniToBridge, packet::be32ToHost(load32(f + 66)) >> 8);
    if (bridge < 0) return false;
    r.verdict = UnderlayVerdict::Tunnel;
    r.encap = Encap::Vxlan;
    r.bridge = static_cast<fdb::BridgeId>(bridge);
    r.ipv6 = true;
    r.srcIp6 = ip->src_addr;
    r.outerLen = kOuter;
    r.innerLen = static_cast<uint16_t>(payloadLen - (kOuter - packet::kEtherHeaderLen - packet::kIpv6HeaderLen));
    return true;
}

// Every frame, each check with its own drop reason: what the fast acceptances shortcut. Out
// of line: it runs for the few frames that are neither plain VXLAN nor plain GRE to us.
[[gnu::noinline]] inline UnderlayResult classifyUnderlayFully(const uint8_t* frame, uint32_t len, const state::ForwardingState& st,
                                            uint64_t rxFlags) {
    const uint64_t ipChecksumFlags = rxFlags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
    using counters::Drop;
    UnderlayResult r;
    auto drop = [&r](Drop d) {
        r.verdict = UnderlayVerdict::Drop;
        r.reason = d;
        return r;
    };
    if (len < packet::kEtherHeaderLen) return drop(Drop::truncated);
    const auto* eth = reinterpret_cast<const rte_ether_hdr*>(frame);
    if (!rte_is_same_ether_addr(&eth->dst_addr, &st.localMac) &&
        !rte_is_multicast_ether_addr(&eth->dst_addr))
        return drop(Drop::not_for_us);
    auto up = [&r](UnderlayVerdict v, punt::Class c) {
        r.verdict = v;
        r.puntClass = c;
        return r;
    };
    if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP)) return up(UnderlayVerdict::ToControl, punt::Class::Arp);
    if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV6)) return classifyIpv6(frame, len, st, rxFlags);
    if (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) || st.localIpBe == 0) return drop(Drop::unsupported_ethertype);

    if (len < packet::kEtherHeaderLen + packet::kIpv4HeaderLen) return drop(Drop::truncated);
    const auto* ip = reinterpret_cast<const rte_ipv4_hdr*>(frame + packet::kEtherHeaderLen);
    if ((ip->version_ihl >> 4) != 4 || (ip->version_ihl & 0x0F) < 5) return drop(Drop::bad_ip_header);
    // IGMP carries the Router Alert option; nothing else we accept has options.
    const bool igmp = ip->next_proto_id == kIpProtoIgmp;
    const uint32_t ihl = (ip->version_ihl & 0x0Fu) * 4u;
    if (ihl != packet::kIpv4HeaderLen && !igmp) return drop(Drop::ip_options);
    const uint16_t totalLen = packet::be16ToHost(ip->total_length);
    if (totalLen < ihl) return drop(Drop::bad_ip_header);
    if (totalLen > len - packet::kEtherHeaderLen) return drop(Drop::truncated);
    if (ipChecksumFlags == RTE_MBUF_F_RX_IP_CKSUM_BAD ||
        (ipChecksumFlags != RTE_MBUF_F_RX_IP_CKSUM_GOOD &&
         (ihl == packet::kIpv4HeaderLen ? !packet::ipv4HeaderChecksumOk(ip) : rte_ipv4_cksum(ip) != 0)))
        return drop(Drop::bad_ip_checksum);
    if (packet::be16ToHost(ip->fragment_offset) & (packet::kIpv4MoreFragments | packet::kIpv4OffsetMask))
        return drop(Drop::ip_fragment);
    const uint32_t dstHost = packet::be32ToHost(ip->dst_addr);
    if (igmp) {
        // Queries come to 224.0.0.1 or to a group; the control core answers them.
        if ((dstHost >> 28) != 0xE) return drop(Drop::not_for_us);
        return up(UnderlayVerdict::ToControl, punt::Class::Igmp);
    }
    const bool forUs = ip->dst_addr == st.localIpBe;
    const uint8_t proto = ip->next_proto_id;
    // The host's own traffic (TCP, other UDP, other protocols) goes up whole, options and all.
    const bool hostProto = proto != IPPROTO_UDP && proto != gre::kIpProtoGre && proto != IPPROTO_ICMP;
    if (st.hostPunt && forUs && hostProto)
        return up(UnderlayVerdict::ToHost, proto == IPPROTO_TCP ? punt::Class::Tcp : punt::Class::Other);
    // Link-local multicast (OSPF 224.0.0.5/6, PIM 224.0.0.13, RIP 224.0.0.9) is the host's
    // too; no VXLAN group is link-local (the configuration refuses them).
    if (st.hostPunt && (dstHost >> 8) == 0xE00000)
        return up(UnderlayVerdict::ToHost, proto == IPPROTO_UDP ? punt::Class::Udp : punt::Class::Other);
    if (ihl != packet::kIpv4HeaderLen) return drop(Drop::ip_options);
    if (!forUs) {
        // VXLAN flooded to one of our groups is ours too; anything else to a group is not.
        if (ip->next_proto_id != IPPROTO_UDP || st.groups.find(dstHost) < 0)
            return drop(Drop::not_for_us);
    }
    int32_t bridge;
    if (ip->next_proto_id == IPPROTO_UDP) {
        if (totalLen < packet::kIpv4HeaderLen + packet::kUdpHeaderLen) return drop(Drop::truncated);
        const auto v = vxlan::classify(reinterpret_cast<const rte_udp_hdr*>(ip + 1), totalLen,
                                       st.vxlanPortsBe.data(), st.vxlanPortCount);
        if (!v.ok) {
            if (v.reason == Drop::udp_port_unknown && st.hostPunt && forUs)
                return up(UnderlayVerdict::ToHost, punt::Class::Udp);
            return drop(v.reason);
        }
        bridge = st.vniToBridge.find(v.vni);
        if (bridge < 0) return drop(Drop::unknown_vni);
        r.encap = Encap::Vxlan;
        r.reservedBits = v.reservedBits;
        r.outerLen = v.outerLen;
        r.innerLen = v.innerLen;
    } else if (ip->next_proto_id == gre::kIpProtoGre) {
        const auto g = gre::classify(reinterpret_cast<const uint8_t*>(ip + 1), totalLen);
        if (!g.ok) return drop(g.reason);
        bridge = st.greKeyToBridge.find(g.key);
        if (bridge < 0) return drop(Drop::gre_unknown_key);
        r.encap = Encap::Gre;
        r.outerLen = g.outerLen;
        r.innerLen = g.innerLen;
    } else if (ip->next_proto_id == IPPROTO_ICMP) {
        return up(UnderlayVerdict::ToControl, punt::Class::Icmp);
    } else {
        return drop(Drop::unsupported_protocol);
    }

    r.srcIpHost = packet::be32ToHost(ip->src_addr);
    acceptTunnel(r, frame, st, bridge);
    return r;
}

// `rxFlags` are the mbuf's RTE_MBUF_F_RX_IP_CKSUM_* and _L4_CKSUM_* bits: a NIC that
// checked a checksum saves us the work; unknown means we check it ourselves. Inlined: every
// underlay packet comes through here, and a call returning the result cost ~25 instructions.
[[gnu::always_inline]] inline UnderlayResult classifyUnderlay(const uint8_t* frame, uint32_t len,
                                       const state::ForwardingState& st,
                                       uint64_t rxFlags = 0) {
    // One named result, returned on both paths: built in the caller's slot, not copied there.
    UnderlayResult r;
    if (unlikely(!acceptVxlan4(frame, len, st, rxFlags, r)) && !acceptGre4(frame, len, st, rxFlags, r) &&
        !acceptVxlan6(frame, len, st, rxFlags, r))
        r = classifyUnderlayFully(frame, len, st, rxFlags);
    return r;
}

}  // namespace vtepgw::encap
