// Ethernet over GRE (RFC 2784, key extension RFC 2890, protocol 0x6558 Transparent Ethernet
// Bridging): Linux `gretap ... key N`, Open vSwitch `type=gre options:key=N`, VyOS
// `encapsulation gretap`. The key carries the bridge's VNI.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |C|R|K|S| Reserved0       | Ver |         Protocol Type         |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |      Checksum (optional)      |       Reserved1 (optional)    |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                         Key (optional)                        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                 Sequence Number (optional)                    |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// We send C=0, K=1, S=0 (8 bytes); we accept C (checksum verified), S (ignored), never R.
#pragma once

#include <rte_branch_prediction.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include <cstdint>
#include <cstring>

#include "counters/counters.h"
#include "encap/outer6.h"
#include "encap/tunnel.h"
#include "packet/headers.h"

namespace vtepgw::encap::gre {

inline constexpr uint8_t kIpProtoGre = 47;
inline constexpr uint16_t kProtoTeb = 0x6558;
inline constexpr uint16_t kFlagChecksum = 0x8000, kFlagRouting = 0x4000, kFlagKey = 0x2000,
                          kFlagSequence = 0x1000, kVersionMask = 0x0007;

struct __rte_packed GreKeyHeader {
    rte_be16_t flagsVersionBe;
    rte_be16_t protocolBe;
    rte_be32_t keyBe;
};

struct __rte_packed __rte_aligned(2) OuterHeaders {
    rte_ether_hdr eth;
    rte_ipv4_hdr ip;
    GreKeyHeader gre;
};
inline constexpr uint8_t kRewriteLen = sizeof(OuterHeaders);
static_assert(kRewriteLen == 42, "Ethernet + IPv4 + GRE with key");

// GRE over IPv6 (RFC 7676): the same GRE header after a 40-byte IPv6 header; no checksum
// (RFC 7676 §3.2: GRE's own is optional and the Ethernet payload carries its own).
struct __rte_packed __rte_aligned(2) OuterHeaders6 {
    rte_ether_hdr eth;
    rte_ipv6_hdr ip;
    GreKeyHeader gre;
};
inline constexpr uint8_t kRewriteLen6 = sizeof(OuterHeaders6);
static_assert(kRewriteLen6 == 62, "Ethernet + IPv6 + GRE with key");

void buildRewrite6(Tunnel& t, const RewriteSpec6& spec);

struct RewriteSpec {
    rte_ether_addr srcMac;
    rte_ether_addr dstMac;
    uint32_t srcIpHost;
    uint32_t dstIpHost;
    uint8_t ttl;
};

void buildRewrite(Tunnel& t, const RewriteSpec& spec);

// The key field for a bridge's VNI.
inline uint32_t keyWireBe(uint32_t vni) { return packet::hostToBe32(vni); }

inline void write(uint8_t* out, const Tunnel& t, uint32_t keyBe, uint16_t innerLen) {
    if (unlikely(t.ipv6)) {
        auto* o6 = reinterpret_cast<OuterHeaders6*>(out);
        std::memcpy(o6, t.rewrite, sizeof(OuterHeaders6));
        o6->ip.payload_len = packet::hostToBe16(static_cast<uint16_t>(innerLen + sizeof(GreKeyHeader)));
        o6->gre.keyBe = keyBe;
        return;
    }
    auto* o = reinterpret_cast<OuterHeaders*>(out);
    const auto* hdr = reinterpret_cast<const OuterHeaders*>(t.rewrite);
    std::memcpy(o, hdr, sizeof(OuterHeaders));
    const uint16_t ipLenBe = packet::hostToBe16(static_cast<uint16_t>(innerLen + sizeof(rte_ipv4_hdr) +
                                                                    sizeof(GreKeyHeader)));
    o->ip.total_length = ipLenBe;
    o->ip.hdr_checksum = packet::checksumAdd16(hdr->ip.hdr_checksum, ipLenBe);
    o->gre.keyBe = keyBe;
}

struct Received {
    counters::Drop reason = counters::Drop::truncated;  // when !ok
    bool ok = false;
    uint32_t key = 0;
    uint16_t outerLen = 0;  // Ethernet + IPv4 + this GRE header
    uint16_t innerLen = 0;
};

// `gre` points at the GRE header of an IP packet of `ipTotalLen` bytes with an
// `ipHeaderLen`-byte header (IPv4 20, IPv6 40).
inline Received classify(const uint8_t* gre, uint16_t ipTotalLen, uint16_t ipHeaderLen = packet::kIpv4HeaderLen) {
    using counters::Drop;
    Received r;
    const uint32_t greLen = ipTotalLen - ipHeaderLen;
    if (greLen < 4) return r;
    const uint16_t flags = static_cast<uint16_t>(gre[0] << 8 | gre[1]);
    const uint16_t proto = static_cast<uint16_t>(gre[2] << 8 | gre[3]);
    if ((flags & kVersionMask) != 0) {
        r.reason = Drop::gre_bad_version;
        return r;
    }
    if (flags & kFlagRouting) {
        r.reason = Drop::gre_routing;
        return r;
    }
    uint32_t hdr = 4 + ((flags & kFlagChecksum) ? 4 : 0) + ((flags & kFlagKey) ? 4 : 0) +
                   ((flags & kFlagSequence) ? 4 : 0);
    if (greLen < hdr + packet::kEtherHeaderLen) return r;
    if (proto != kProtoTeb) {
        r.reason = Drop::gre_not_ethernet;
        return r;
    }
    // The checksum covers the GRE header and the payload (RFC 2784 2.5).
    if ((flags & kFlagChecksum) && rte_raw_cksum(gre, greLen) != 0xFFFF) {
        r.reason = Drop::gre_bad_checksum;
        return r;
    }
    if (!(flags & kFlagKey)) {
        r.reason = Drop::gre_unknown_key;
        return r;
    }
    const uint8_t* k = gre + 4 + ((flags & kFlagChecksum) ? 4 : 0);
    r.key = static_cast<uint32_t>(k[0]) << 24 | k[1] << 16 | k[2] << 8 | k[3];
    r.outerLen = static_cast<uint16_t>(packet::kEtherHeaderLen + ipHeaderLen + hdr);
    r.innerLen = static_cast<uint16_t>(greLen - hdr);
    r.ok = true;
    return r;
}

}  // namespace vtepgw::encap::gre
