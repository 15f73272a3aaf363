#include "encap/gre.h"

namespace vtepgw::encap::gre {

void buildRewrite(Tunnel& t, const RewriteSpec& spec) {
    static_assert(sizeof(OuterHeaders) <= kMaxRewrite);
    OuterHeaders h{};
    h.eth.dst_addr = spec.dstMac;
    h.eth.src_addr = spec.srcMac;
    h.eth.ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
    h.ip.version_ihl = RTE_IPV4_VHL_DEF;
    h.ip.time_to_live = spec.ttl;
    h.ip.next_proto_id = kIpProtoGre;
    h.ip.src_addr = rte_cpu_to_be_32(spec.srcIpHost);
    h.ip.dst_addr = rte_cpu_to_be_32(spec.dstIpHost);
    h.ip.hdr_checksum = rte_ipv4_cksum(&h.ip);  // total length counted as zero: patched per packet
    h.gre.flagsVersionBe = rte_cpu_to_be_16(kFlagKey);
    h.gre.protocolBe = rte_cpu_to_be_16(kProtoTeb);
    std::memcpy(t.rewrite, &h, sizeof h);
    t.rewriteLen = kRewriteLen;
    t.encap = Encap::Gre;
    t.udpPort = 0;
}

void buildRewrite6(Tunnel& t, const RewriteSpec6& spec) {
    static_assert(sizeof(OuterHeaders6) <= kMaxRewrite);
    OuterHeaders6 h{};
    writeOuter6(reinterpret_cast<uint8_t*>(&h), spec, kIpProtoGre);
    h.gre.flagsVersionBe = rte_cpu_to_be_16(kFlagKey);
    h.gre.protocolBe = rte_cpu_to_be_16(kProtoTeb);
    std::memcpy(t.rewrite, &h, sizeof h);
    t.rewriteLen = kRewriteLen6;
    t.encap = Encap::Gre;
    t.udpPort = 0;
}

}  // namespace vtepgw::encap::gre
