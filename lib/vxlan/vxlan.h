// VXLAN encapsulation on the fast path: outer header templates (built at control time)
// and the per-packet patching of lengths, checksum, source port and VNI.
#pragma once

#include <rte_hash_crc.h>
#include <rte_mbuf.h>

#include <cstdint>
#include <cstring>

#include "packet/headers.h"
#include "state/forwarding_state.h"

namespace vtepgw::vxlan {

struct TemplateSpec {
    rte_ether_addr srcMac;
    rte_ether_addr dstMac;  // zero while the next hop is unresolved
    uint32_t srcIpHost;
    uint32_t dstIpHost;
    uint8_t ttl;
    uint16_t udpPort;
};

// Builds the outer header template: DF clear, ID 0, UDP checksum 0, I flag set; the IPv4
// checksum covers every constant field (total length counted as zero).
packet::OuterHeaders buildOuterTemplate(const TemplateSpec& spec);

// Entropy for the outer UDP source port (RFC 7348 §5: a hash of the inner frame's flow):
// inner MACs and EtherType, plus IPv4 addresses and TCP/UDP ports when present. Reads no
// further than `len`.
inline uint32_t innerFlowHash(const uint8_t* frame, uint32_t len) {
    if (len < packet::kEtherHeaderLen) return 0;
    uint64_t head;
    std::memcpy(&head, frame, 8);
    uint32_t h = rte_hash_crc_8byte(head, 0x9e3779b9);
    uint32_t tail;
    std::memcpy(&tail, frame + 8, 4);
    h = rte_hash_crc_4byte(tail, h);
    uint16_t type;
    std::memcpy(&type, frame + 12, 2);
    if (type == RTE_BE16(RTE_ETHER_TYPE_IPV4) &&
        len >= packet::kEtherHeaderLen + packet::kIpv4HeaderLen) {
        const uint8_t* ip = frame + packet::kEtherHeaderLen;
        uint64_t addrs;
        std::memcpy(&addrs, ip + 12, 8);
        h = rte_hash_crc_8byte(addrs, h);
        const uint32_t ihl = (ip[0] & 0x0F) * 4u;
        const uint8_t proto = ip[9];
        uint16_t frag;
        std::memcpy(&frag, ip + 6, 2);
        const bool firstFragment = (rte_be_to_cpu_16(frag) & packet::kIpv4OffsetMask) == 0;
        if ((proto == IPPROTO_TCP || proto == IPPROTO_UDP) && firstFragment && ihl >= 20 &&
            len >= packet::kEtherHeaderLen + ihl + 4) {
            uint32_t ports;
            std::memcpy(&ports, ip + ihl, 4);
            h = rte_hash_crc_4byte(ports, h ^ proto);
        }
    }
    return h;
}

// Maps a hash into [min, min+span) without a division (Lemire's multiply-shift).
inline uint16_t sourcePortFor(uint32_t hash, uint16_t min, uint32_t span) {
    return static_cast<uint16_t>(min + ((uint64_t{hash} * span) >> 32));
}

// Writes the outer headers at `out` for an inner frame of `innerLen` bytes.
inline void writeOuter(packet::OuterHeaders* out, const state::VtepTemplate& t, uint32_t vniWireBe,
                       uint16_t innerLen, uint16_t srcPortBe) {
    std::memcpy(out, &t.hdr, sizeof(packet::OuterHeaders));
    const uint16_t ipLen = static_cast<uint16_t>(innerLen + packet::kVxlanOverhead -
                                                 packet::kEtherHeaderLen);
    const uint16_t ipLenBe = rte_cpu_to_be_16(ipLen);
    out->ip.total_length = ipLenBe;
    out->ip.hdr_checksum = packet::checksumAdd16(t.hdr.ip.hdr_checksum, ipLenBe);
    out->udp.src_port = srcPortBe;
    out->udp.dgram_len = rte_cpu_to_be_16(static_cast<uint16_t>(ipLen - packet::kIpv4HeaderLen));
    out->vxlan.vx_vni = vniWireBe;
}

}  // namespace vtepgw::vxlan
