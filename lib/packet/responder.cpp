#include "packet/responder.h"

#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include <algorithm>
#include <cstring>

#include "packet/headers.h"

namespace vtepgw::packet {

std::optional<ArpView> parseArp(const rte_mbuf* m) {
    if (m->data_len < sizeof(rte_ether_hdr) + sizeof(rte_arp_hdr)) return std::nullopt;
    const auto* arp = rte_pktmbuf_mtod_offset(m, const rte_arp_hdr*, sizeof(rte_ether_hdr));
    if (arp->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) || arp->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
        arp->arp_hlen != 6 || arp->arp_plen != 4)
        return std::nullopt;
    ArpView v;
    v.op = rte_be_to_cpu_16(arp->arp_opcode);
    v.sha = arp->arp_data.arp_sha;
    v.tha = arp->arp_data.arp_tha;
    v.sip = rte_be_to_cpu_32(arp->arp_data.arp_sip);
    v.tip = rte_be_to_cpu_32(arp->arp_data.arp_tip);
    return v;
}

void turnIntoArpReply(rte_mbuf* m, uint32_t ipHost, const rte_ether_addr& mac) {
    auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
    auto* arp = reinterpret_cast<rte_arp_hdr*>(eth + 1);
    const rte_ether_addr requester = arp->arp_data.arp_sha;
    arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
    arp->arp_data.arp_tha = requester;
    arp->arp_data.arp_tip = arp->arp_data.arp_sip;
    arp->arp_data.arp_sha = mac;
    arp->arp_data.arp_sip = rte_cpu_to_be_32(ipHost);
    eth->dst_addr = requester;
    eth->src_addr = mac;
}

bool turnIntoEchoReply(rte_mbuf* m, const rte_ether_addr& mac) {
    auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
    auto* ip = reinterpret_cast<rte_ipv4_hdr*>(eth + 1);
    const uint16_t totalLen = rte_be_to_cpu_16(ip->total_length);
    const uint32_t ihl = (ip->version_ihl & 0x0Fu) * 4u;
    if (ip->next_proto_id != IPPROTO_ICMP || totalLen < ihl + sizeof(rte_icmp_hdr) ||
        m->data_len < sizeof(rte_ether_hdr) + totalLen)
        return false;
    auto* icmp = reinterpret_cast<rte_icmp_hdr*>(reinterpret_cast<uint8_t*>(ip) + ihl);
    if (icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || icmp->icmp_code != 0) return false;
    const uint16_t icmpLen = static_cast<uint16_t>(totalLen - ihl);
    icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
    icmp->icmp_cksum = 0;
    icmp->icmp_cksum = static_cast<uint16_t>(~rte_raw_cksum(icmp, icmpLen));
    const rte_be32_t requester = ip->src_addr;
    ip->src_addr = ip->dst_addr;
    ip->dst_addr = requester;
    ip->time_to_live = 64;
    ip->hdr_checksum = 0;
    ip->hdr_checksum = rte_ipv4_cksum(ip);
    eth->dst_addr = eth->src_addr;
    eth->src_addr = mac;
    const uint32_t frameLen = sizeof(rte_ether_hdr) + totalLen;
    if (m->pkt_len > frameLen) rte_pktmbuf_trim(m, static_cast<uint16_t>(m->pkt_len - frameLen));
    return true;
}

rte_mbuf* makeArpRequest(rte_mempool* pool, const rte_ether_addr& mac, uint32_t senderIp, uint32_t targetIp) {
    rte_mbuf* m = rte_pktmbuf_alloc(pool);
    if (m == nullptr) return nullptr;
    // 60 bytes: the minimum Ethernet frame without FCS; the tail is zero padding.
    auto* p = rte_pktmbuf_mtod(m, uint8_t*);
    std::memset(p, 0, 60);
    rte_pktmbuf_append(m, 60);
    auto* eth = reinterpret_cast<rte_ether_hdr*>(p);
    std::memset(&eth->dst_addr, 0xFF, sizeof eth->dst_addr);
    eth->src_addr = mac;
    eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
    auto* arp = reinterpret_cast<rte_arp_hdr*>(eth + 1);
    arp->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
    arp->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
    arp->arp_hlen = 6;
    arp->arp_plen = 4;
    arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
    arp->arp_data.arp_sha = mac;
    arp->arp_data.arp_sip = rte_cpu_to_be_32(senderIp);
    arp->arp_data.arp_tip = rte_cpu_to_be_32(targetIp);
    return m;
}

rte_mbuf* makeIcmpError(rte_mempool* pool, const rte_mbuf* orig, uint8_t type, uint8_t code,
                        const rte_ether_addr& mac, uint32_t srcIp, const rte_ether_addr& dstMac) {
    if (orig->data_len < kEtherHeaderLen + kIpv4HeaderLen) return nullptr;
    const auto* oeth = rte_pktmbuf_mtod(orig, const rte_ether_hdr*);
    const auto* oip = reinterpret_cast<const rte_ipv4_hdr*>(oeth + 1);
    const uint32_t ihl = (oip->version_ihl & 0x0Fu) * 4u;
    const uint32_t sender = rte_be_to_cpu_32(oip->src_addr);
    const uint32_t dst = rte_be_to_cpu_32(oip->dst_addr);
    if (ihl < kIpv4HeaderLen || orig->data_len < kEtherHeaderLen + ihl) return nullptr;
    if (rte_be_to_cpu_16(oip->fragment_offset) & kIpv4OffsetMask) return nullptr;
    if ((sender >> 28) >= 0xE || (dst >> 28) >= 0xE || sender == 0 || (sender >> 24) == 127) return nullptr;
    if (rte_is_multicast_ether_addr(&oeth->dst_addr) || rte_is_multicast_ether_addr(&dstMac)) return nullptr;
    if (oip->next_proto_id == IPPROTO_ICMP) {
        // Never about an ICMP error (only about queries: echo, timestamp, ...).
        if (orig->data_len < kEtherHeaderLen + ihl + 1) return nullptr;
        const uint8_t t = *(reinterpret_cast<const uint8_t*>(oip) + ihl);
        if (t != RTE_IP_ICMP_ECHO_REQUEST && t != RTE_IP_ICMP_ECHO_REPLY && t != 13 && t != 14) return nullptr;
    }
    // The offending header and the first 8 bytes of its payload (RFC 792), as far as present.
    const uint16_t origTotal = rte_be_to_cpu_16(oip->total_length);
    uint32_t quoted = std::min<uint32_t>(ihl + 8, origTotal);
    quoted = std::min<uint32_t>(quoted, orig->data_len - kEtherHeaderLen);
    quoted = std::max<uint32_t>(quoted, ihl);
    rte_mbuf* m = rte_pktmbuf_alloc(pool);
    if (m == nullptr) return nullptr;
    const uint16_t icmpLen = static_cast<uint16_t>(sizeof(rte_icmp_hdr) + quoted);
    const uint16_t total = static_cast<uint16_t>(kIpv4HeaderLen + icmpLen);
    auto* p = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(m, static_cast<uint16_t>(kEtherHeaderLen + total)));
    if (p == nullptr) {
        rte_pktmbuf_free(m);
        return nullptr;
    }
    auto* eth = reinterpret_cast<rte_ether_hdr*>(p);
    eth->dst_addr = dstMac;
    eth->src_addr = mac;
    eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
    auto* ip = reinterpret_cast<rte_ipv4_hdr*>(eth + 1);
    std::memset(ip, 0, kIpv4HeaderLen);
    ip->version_ihl = 0x45;
    ip->type_of_service = 0xC0;  // internetwork control, as routers mark their ICMP errors
    ip->total_length = rte_cpu_to_be_16(total);
    ip->time_to_live = 64;
    ip->next_proto_id = IPPROTO_ICMP;
    ip->src_addr = rte_cpu_to_be_32(srcIp);
    ip->dst_addr = oip->src_addr;
    ip->hdr_checksum = rte_ipv4_cksum(ip);
    auto* icmp = reinterpret_cast<rte_icmp_hdr*>(ip + 1);
    icmp->icmp_type = type;
    icmp->icmp_code = code;
    icmp->icmp_cksum = 0;
    icmp->icmp_ident = 0;
    icmp->icmp_seq_nb = 0;
    std::memcpy(icmp + 1, oip, quoted);
    icmp->icmp_cksum = static_cast<uint16_t>(~rte_raw_cksum(icmp, icmpLen));
    return m;
}

}  // namespace vtepgw::packet
