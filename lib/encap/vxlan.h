// VXLAN (RFC 7348) over IPv4 and IPv6: the rewrite built at control time, its per-packet
// patching (lengths, checksum, source port, flow label, VNI) and the classification of
// received VXLAN.
//
//   outer Ethernet 14 | IPv4 20, DF clear, ID 0 | UDP 8, checksum 0 | VXLAN 8: I flag + VNI
//   outer Ethernet 14 | IPv6 40, flow label     | UDP 8, checksum   | VXLAN 8
//
// Over IPv6 the UDP checksum covers the inner frame, so it is finished once the whole
// packet is assembled (dataplane/outer_checksum.h), by the NIC where it can.
#pragma once

#include <rte_branch_prediction.h>
#include <rte_mbuf.h>

#include <cstdint>
#include <cstring>

#include "counters/counters.h"
#include "encap/outer6.h"
#include "encap/tunnel.h"
#include "packet/crc32c.h"
#include "packet/headers.h"

namespace vtepgw::encap::vxlan {

struct RewriteSpec {
    rte_ether_addr srcMac;
    rte_ether_addr dstMac;  // zero while the next hop is unresolved
    uint32_t srcIpHost;
    uint32_t dstIpHost;
    uint8_t ttl;
    uint16_t udpPort;
};

inline constexpr uint8_t kRewriteLen = packet::kVxlanOverhead;
inline constexpr uint8_t kRewriteLen6 = packet::kVxlan6Overhead;

void buildRewrite6(Tunnel& t, const RewriteSpec6& spec);

// The outer headers: DF clear, ID 0, UDP checksum 0, I flag set; the IPv4 checksum covers
// every constant field (total length counted as zero).
packet::OuterHeaders buildOuterTemplate(const RewriteSpec& spec);
// The same written into a tunnel.
void buildRewrite(Tunnel& t, const RewriteSpec& spec);

// The VXLAN header's second word for a VNI (what the per-packet patch stores).
inline uint32_t keyWireBe(uint32_t vni) { return packet::vniToWireBe(vni); }

// Entropy for the outer UDP source port (RFC 7348 §5: a hash of the inner frame's flow):
// inner MACs and EtherType, plus IPv4 or IPv6 addresses and TCP/UDP ports when present.
// Reads no further than `len`.
inline uint32_t innerFlowHash(const uint8_t* frame, uint32_t len) {
    if (len < packet::kEtherHeaderLen) return 0;
    uint64_t head;
    std::memcpy(&head, frame, 8);
    uint32_t h = packet::crc32c8(head, 0x9e3779b9);
    uint32_t tail;
    std::memcpy(&tail, frame + 8, 4);
    h = packet::crc32c4(tail, h);
    uint16_t type;
    std::memcpy(&type, frame + 12, 2);
    if (type == RTE_BE16(RTE_ETHER_TYPE_IPV4) &&
        len >= packet::kEtherHeaderLen + packet::kIpv4HeaderLen) {
        const uint8_t* ip = frame + packet::kEtherHeaderLen;
        uint64_t addrs;
        std::memcpy(&addrs, ip + 12, 8);
        h = packet::crc32c8(addrs, h);
        const uint32_t ihl = (ip[0] & 0x0F) * 4u;
        const uint8_t proto = ip[9];
        uint16_t frag;
        std::memcpy(&frag, ip + 6, 2);
        const bool firstFragment = (packet::be16ToHost(frag) & packet::kIpv4OffsetMask) == 0;
        if ((proto == IPPROTO_TCP || proto == IPPROTO_UDP) && firstFragment && ihl >= 20 &&
            len >= packet::kEtherHeaderLen + ihl + 4) {
            uint32_t ports;
            std::memcpy(&ports, ip + ihl, 4);
            h = packet::crc32c4(ports, h ^ proto);
        }
    } else if (type == RTE_BE16(RTE_ETHER_TYPE_IPV6) &&
               len >= packet::kEtherHeaderLen + packet::kIpv6HeaderLen) {
        // Addresses, and the ports when TCP or UDP follows the fixed header directly
        // (behind an extension header the addresses alone spread the flows).
        const uint8_t* ip = frame + packet::kEtherHeaderLen;
        uint64_t a[4];
        std::memcpy(a, ip + 8, 32);
        h = packet::crc32c8(a[0] ^ a[2], h);
        h = packet::crc32c8(a[1] ^ a[3], h);
        const uint8_t proto = ip[6];
        if ((proto == IPPROTO_TCP || proto == IPPROTO_UDP) &&
            len >= packet::kEtherHeaderLen + packet::kIpv6HeaderLen + 4u) {
            uint32_t ports;
            std::memcpy(&ports, ip + packet::kIpv6HeaderLen, 4);
            h = packet::crc32c4(ports, h ^ proto);
        }
    }
    return h;
}

// Maps a hash into [min, min+span) without a division (Lemire's multiply-shift).
inline uint16_t sourcePortFor(uint32_t hash, uint16_t min, uint32_t span) {
    return static_cast<uint16_t>(min + ((uint64_t{hash} * span) >> 32));
}

// Writes the outer headers at `out` for an inner frame of `innerLen` bytes.
// What differs between frames in an IPv4 VXLAN header, and not between the copies of one
// frame flooded to many VTEPs: computed once per frame.
struct Patch {
    uint16_t ipLenBe;
    uint16_t udpLenBe;
    uint16_t srcPortBe;
    uint32_t vniWireBe;
};

inline Patch patchFor(uint32_t vniWireBe, uint16_t innerLen, uint16_t srcPortBe) {
    const uint16_t ipLen = static_cast<uint16_t>(innerLen + packet::kVxlanOverhead - packet::kEtherHeaderLen);
    return Patch{packet::hostToBe16(ipLen), packet::hostToBe16(static_cast<uint16_t>(ipLen - packet::kIpv4HeaderLen)),
                 srcPortBe, vniWireBe};
}

inline void writeOuter(packet::OuterHeaders* out, const packet::OuterHeaders& hdr, const Patch& p) {
    std::memcpy(out, &hdr, sizeof(packet::OuterHeaders));
    out->ip.total_length = p.ipLenBe;
    out->ip.hdr_checksum = packet::checksumAdd16(hdr.ip.hdr_checksum, p.ipLenBe);
    out->udp.src_port = p.srcPortBe;
    out->udp.dgram_len = p.udpLenBe;
    out->vxlan.vx_vni = p.vniWireBe;
}

inline void writeOuter(packet::OuterHeaders* out, const packet::OuterHeaders& hdr, uint32_t vniWireBe,
                       uint16_t innerLen, uint16_t srcPortBe) {
    writeOuter(out, hdr, patchFor(vniWireBe, innerLen, srcPortBe));
}

// The flow label for a flow's source port (RFC 6438 §4: the same flow hash the port
// carries, spread over 20 bits so that routers hashing the label alone see the entropy).
inline uint32_t flowLabelFor(uint16_t srcPortBe) { return (uint32_t{srcPortBe} * 0x9E3779B1u) >> 12; }

// Over IPv6: lengths, source port, flow label and VNI; the UDP checksum is left zero.
inline void writeOuter6(packet::OuterHeaders6* out, const packet::OuterHeaders6& hdr, uint32_t vniWireBe,
                        uint16_t innerLen, uint16_t srcPortBe) {
    std::memcpy(out, &hdr, sizeof(packet::OuterHeaders6));
    const uint16_t l4LenBe =
        packet::hostToBe16(static_cast<uint16_t>(innerLen + packet::kUdpHeaderLen + packet::kVxlanHeaderLen));
    out->ip.vtc_flow = packet::ipv6VtcFlowBe(flowLabelFor(srcPortBe));
    out->ip.payload_len = l4LenBe;
    out->udp.src_port = srcPortBe;
    out->udp.dgram_len = l4LenBe;
    out->vxlan.vx_vni = vniWireBe;
}

inline void write(uint8_t* out, const Tunnel& t, uint32_t keyWireBe, uint16_t innerLen, uint16_t entropyBe) {
    if (unlikely(t.ipv6))
        writeOuter6(reinterpret_cast<packet::OuterHeaders6*>(out),
                    *reinterpret_cast<const packet::OuterHeaders6*>(t.rewrite), keyWireBe, innerLen, entropyBe);
    else
        writeOuter(reinterpret_cast<packet::OuterHeaders*>(out),
                   *reinterpret_cast<const packet::OuterHeaders*>(t.rewrite), keyWireBe, innerLen, entropyBe);
}

// What the classifier of a UDP packet to us found.
struct Received {
    counters::Drop reason = counters::Drop::truncated;  // when !ok
    bool ok = false;
    bool reservedBits = false;
    uint32_t vni = 0;
    uint16_t outerLen = 0;
    uint16_t innerLen = 0;
};

// `udp` points at the UDP header of an IP packet of `ipTotalLen` bytes with an
// `ipHeaderLen`-byte header (IPv4 20, IPv6 40); `portsBe` are the UDP ports we take VXLAN on.
[[gnu::always_inline]] inline Received classify(const rte_udp_hdr* udp, uint16_t ipTotalLen, const uint16_t* portsBe, uint8_t ports,
                         uint16_t ipHeaderLen = packet::kIpv4HeaderLen) {
    using counters::Drop;
    Received r;
    const uint16_t kMinVxlan = static_cast<uint16_t>(ipHeaderLen + packet::kUdpHeaderLen +
                                                     packet::kVxlanHeaderLen + packet::kEtherHeaderLen);
    bool ours = udp->dst_port == portsBe[0];  // vxlan.udp_port: the common case, one compare
    for (uint8_t i = 1; i < ports && !ours; ++i) ours = udp->dst_port == portsBe[i];
    if (!ours) {
        r.reason = Drop::udp_port_unknown;
        return r;
    }
    if (ipTotalLen < kMinVxlan || packet::be16ToHost(udp->dgram_len) < kMinVxlan - ipHeaderLen)
        return r;  // truncated
    const auto* vx = reinterpret_cast<const rte_vxlan_hdr*>(udp + 1);
    const uint32_t flags = packet::be32ToHost(vx->vx_flags);
    if ((flags >> 24 & packet::kVxlanFlagI) == 0) {
        r.reason = Drop::bad_vxlan_flags;
        return r;
    }
    const uint32_t vniWord = packet::be32ToHost(vx->vx_vni);
    r.reservedBits = (flags & ~(uint32_t{packet::kVxlanFlagI} << 24)) != 0 || (vniWord & 0xFF) != 0;
    r.vni = vniWord >> 8;
    r.outerLen = static_cast<uint16_t>(packet::kEtherHeaderLen + ipHeaderLen + packet::kUdpHeaderLen +
                                       packet::kVxlanHeaderLen);
    r.innerLen = static_cast<uint16_t>(ipTotalLen - (kMinVxlan - packet::kEtherHeaderLen));
    r.ok = true;
    return r;
}

}  // namespace vtepgw::encap::vxlan
