// Completing the TCP/UDP checksums a local kernel left for the NIC (CHECKSUM_PARTIAL).
//
// A Linux sender with TX checksum offload (the default on veth, and so in every container)
// writes the pseudo-header sum into the TCP or UDP checksum field and expects the device to
// fold in the rest. Across a veth that "device" is the reader on the other end: vtepd on
// net_af_packet or net_af_xdp, which get the bytes without the kernel's note that the sum is
// unfinished. Left as is, the frame reaches a host through the tunnel with a wrong checksum
// and TCP stalls. A field equal to the pseudo-header sum is exactly what the kernel leaves;
// recomputing such a field is harmless even in the 1-in-65536 case where it was complete.
#pragma once

#include <rte_ether.h>
#include <rte_ip.h>

#include <cstdint>
#include <cstring>

namespace vtepgw::packet {

enum class PartialChecksum : uint8_t {
    Untouched,  // not TCP/UDP over IPv4/IPv6, or the checksum is not partial
    Completed,  // the field was the pseudo-header sum: now the full checksum
    SuperFrame, // the IP length exceeds the frame: an unsegmented GSO/GRO frame, truncated
};

// Looks at an Ethernet frame (optionally 802.1Q-tagged) of `len` bytes in one buffer and
// completes a partial TCP/UDP checksum in place.
inline PartialChecksum completePartialChecksum(uint8_t* frame, uint32_t len) {
    uint32_t off = sizeof(rte_ether_hdr);
    if (len < off + sizeof(rte_ipv4_hdr)) return PartialChecksum::Untouched;
    uint16_t type;
    std::memcpy(&type, frame + 12, 2);
    if (type == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
        std::memcpy(&type, frame + 16, 2);
        off += 4;
    }
    uint8_t* l3 = frame + off;
    uint8_t* l4;
    uint8_t proto;
    uint32_t l4Len;
    if (type == RTE_BE16(RTE_ETHER_TYPE_IPV4)) {
        if (len < off + sizeof(rte_ipv4_hdr)) return PartialChecksum::Untouched;
        auto* ip = reinterpret_cast<rte_ipv4_hdr*>(l3);
        const uint32_t ihl = (ip->version_ihl & 0x0F) * 4u;
        const uint32_t total = rte_be_to_cpu_16(ip->total_length);
        if ((ip->version_ihl >> 4) != 4 || ihl < 20 || total < ihl) return PartialChecksum::Untouched;
        if (off + total > len) return PartialChecksum::SuperFrame;
        if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))
            return PartialChecksum::Untouched;
        proto = ip->next_proto_id;
        l4 = l3 + ihl;
        l4Len = total - ihl;
    } else if (type == RTE_BE16(RTE_ETHER_TYPE_IPV6)) {
        if (len < off + sizeof(rte_ipv6_hdr)) return PartialChecksum::Untouched;
        auto* ip = reinterpret_cast<rte_ipv6_hdr*>(l3);
        l4Len = rte_be_to_cpu_16(ip->payload_len);
        if (off + sizeof(rte_ipv6_hdr) + l4Len > len) return PartialChecksum::SuperFrame;
        proto = ip->proto;  // extension headers: left alone
        l4 = l3 + sizeof(rte_ipv6_hdr);
    } else {
        return PartialChecksum::Untouched;
    }
    uint32_t field;
    if (proto == IPPROTO_TCP && l4Len >= 20) field = 16;
    else if (proto == IPPROTO_UDP && l4Len >= 8) field = 6;
    else return PartialChecksum::Untouched;
    uint16_t cur;
    std::memcpy(&cur, l4 + field, 2);
    const bool v4 = type == RTE_BE16(RTE_ETHER_TYPE_IPV4);
    if (v4 && proto == IPPROTO_UDP && cur == 0) return PartialChecksum::Untouched;  // no checksum
    // The pseudo-header sum, folded and not complemented: what the kernel wrote.
    const uint16_t pseudo = v4 ? rte_ipv4_phdr_cksum(reinterpret_cast<const rte_ipv4_hdr*>(l3), 0)
                               : rte_ipv6_phdr_cksum(reinterpret_cast<const rte_ipv6_hdr*>(l3), 0);
    if (cur != pseudo) return PartialChecksum::Untouched;
    std::memset(l4 + field, 0, 2);
    const uint16_t full = v4 ? rte_ipv4_udptcp_cksum(reinterpret_cast<const rte_ipv4_hdr*>(l3), l4)
                             : rte_ipv6_udptcp_cksum(reinterpret_cast<const rte_ipv6_hdr*>(l3), l4);
    std::memcpy(l4 + field, &full, 2);
    return PartialChecksum::Completed;
}

}  // namespace vtepgw::packet
