#include "encap/vxlan.h"

#include <rte_ip.h>

namespace vtepgw::encap::vxlan {

packet::OuterHeaders buildOuterTemplate(const RewriteSpec& spec) {
    packet::OuterHeaders h{};
    h.eth.dst_addr = spec.dstMac;
    h.eth.src_addr = spec.srcMac;
    h.eth.ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
    h.ip.version_ihl = RTE_IPV4_VHL_DEF;
    h.ip.type_of_service = 0;
    h.ip.total_length = 0;
    h.ip.packet_id = 0;
    h.ip.fragment_offset = 0;  // DF clear: RFC 7348 lets routers fragment; we never do
    h.ip.time_to_live = spec.ttl;
    h.ip.next_proto_id = IPPROTO_UDP;
    h.ip.src_addr = rte_cpu_to_be_32(spec.srcIpHost);
    h.ip.dst_addr = rte_cpu_to_be_32(spec.dstIpHost);
    h.ip.hdr_checksum = 0;
    h.ip.hdr_checksum = rte_ipv4_cksum(&h.ip);
    h.udp.dst_port = rte_cpu_to_be_16(spec.udpPort);
    h.udp.dgram_cksum = 0;  // RFC 7348: zero over IPv4
    h.vxlan.vx_flags = rte_cpu_to_be_32(uint32_t{packet::kVxlanFlagI} << 24);
    return h;
}

void buildRewrite(Tunnel& t, const RewriteSpec& spec) {
    static_assert(sizeof(packet::OuterHeaders) <= kMaxRewrite);
    const packet::OuterHeaders h = buildOuterTemplate(spec);
    std::memcpy(t.rewrite, &h, sizeof h);
    t.rewriteLen = kRewriteLen;
    t.encap = Encap::Vxlan;
    t.udpPort = spec.udpPort;
}

void buildRewrite6(Tunnel& t, const RewriteSpec6& spec) {
    static_assert(sizeof(packet::OuterHeaders6) <= kMaxRewrite);
    packet::OuterHeaders6 h{};
    writeOuter6(reinterpret_cast<uint8_t*>(&h), spec, IPPROTO_UDP);
    h.udp.dst_port = rte_cpu_to_be_16(spec.udpPort);
    h.udp.dgram_cksum = 0;  // finished per packet, over the whole datagram
    h.vxlan.vx_flags = rte_cpu_to_be_32(uint32_t{packet::kVxlanFlagI} << 24);
    std::memcpy(t.rewrite, &h, sizeof h);
    t.rewriteLen = kRewriteLen6;
    t.encap = Encap::Vxlan;
    t.udpPort = spec.udpPort;
}

}  // namespace vtepgw::encap::vxlan
