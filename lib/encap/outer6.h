// The outer Ethernet + IPv6 header every encapsulation over IPv6 starts with (RFC 8200):
// traffic class 0, flow label patched per packet, payload length patched per packet.
#pragma once

#include <rte_ether.h>
#include <rte_ip.h>

#include <cstdint>
#include <cstring>

#include "packet/headers.h"

namespace vtepgw::encap {

struct RewriteSpec6 {
    rte_ether_addr srcMac;
    rte_ether_addr dstMac;  // zero while the next hop is unresolved
    uint8_t srcIp[16];
    uint8_t dstIp[16];
    uint8_t hopLimit;
    uint16_t udpPort;  // VXLAN's destination port (GRE: unused)
};

// Writes the 54 bytes at `out` (the start of a rewrite).
inline void writeOuter6(uint8_t* out, const RewriteSpec6& spec, uint8_t nextHeader) {
    rte_ether_hdr eth;
    rte_ipv6_hdr ip;
    eth.dst_addr = spec.dstMac;
    eth.src_addr = spec.srcMac;
    eth.ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
    ip.vtc_flow = packet::ipv6VtcFlowBe(0);
    ip.payload_len = 0;
    ip.proto = nextHeader;
    ip.hop_limits = spec.hopLimit;
    std::memcpy(ip.src_addr, spec.srcIp, 16);
    std::memcpy(ip.dst_addr, spec.dstIp, 16);
    std::memcpy(out, &eth, sizeof eth);
    std::memcpy(out + sizeof eth, &ip, sizeof ip);
}

}  // namespace vtepgw::encap
