#include "packet/icmpv6.h"

#include <rte_ip.h>

#include <cstring>

#include "packet/ether_addr.h"
#include "packet/headers.h"

namespace vtepgw::packet::icmpv6 {
namespace {

constexpr uint8_t kOptSourceLinkAddress = 1, kOptTargetLinkAddress = 2;
constexpr uint8_t kIpProtoHopByHop = 0;

Ipv6Address addressAt(const uint8_t* p) {
    Ipv6Address a;
    std::memcpy(a.bytes.data(), p, 16);
    return a;
}

// RFC 4443 §2.3: over the pseudo-header (RFC 8200 §8.1) with next header 58, whatever
// extension headers came before.
uint16_t checksum(const Ipv6Address& src, const Ipv6Address& dst, const uint8_t* body, uint32_t len) {
    uint32_t sum = rte_raw_cksum(src.bytes.data(), 16);
    sum += rte_raw_cksum(dst.bytes.data(), 16);
    const uint32_t lenBe = rte_cpu_to_be_32(len);
    const uint32_t nhBe = rte_cpu_to_be_32(kIpProtoIcmpv6);
    sum += rte_raw_cksum(&lenBe, 4);
    sum += rte_raw_cksum(&nhBe, 4);
    sum += rte_raw_cksum(body, len);
    sum = (sum & 0xFFFF) + (sum >> 16);
    sum = (sum & 0xFFFF) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
}

void setChecksum(const Ipv6Address& src, const Ipv6Address& dst, uint8_t* body, uint32_t len) {
    body[2] = body[3] = 0;
    const uint16_t c = checksum(src, dst, body, len);
    std::memcpy(body + 2, &c, 2);
}

// Ethernet + IPv6 header for an ICMPv6 message of `len` bytes (plus `extra` bytes of
// extension headers before it, whose next header the caller writes).
void writeHeaders(uint8_t* p, const rte_ether_addr& srcMac, const rte_ether_addr& dstMac, const Ipv6Address& src,
                  const Ipv6Address& dst, uint16_t len, uint8_t hopLimit, uint8_t nextHeader, uint16_t extra = 0) {
    auto* eth = reinterpret_cast<rte_ether_hdr*>(p);
    eth->dst_addr = dstMac;
    eth->src_addr = srcMac;
    eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
    auto* ip = reinterpret_cast<rte_ipv6_hdr*>(p + kEtherHeaderLen);
    ip->vtc_flow = ipv6VtcFlowBe(0);
    ip->payload_len = rte_cpu_to_be_16(static_cast<uint16_t>(len + extra));
    ip->proto = nextHeader;
    ip->hop_limits = hopLimit;
    std::memcpy(ip->src_addr, src.bytes.data(), 16);
    std::memcpy(ip->dst_addr, dst.bytes.data(), 16);
}

rte_mbuf* frame(rte_mempool* pool, uint16_t len, uint8_t** out) {
    rte_mbuf* m = rte_pktmbuf_alloc(pool);
    if (m == nullptr) return nullptr;
    *out = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(m, len));
    if (*out == nullptr) {
        rte_pktmbuf_free(m);
        return nullptr;
    }
    std::memset(*out, 0, len);
    return m;
}

}  // namespace

std::optional<View> parse(const rte_mbuf* m) {
    const uint32_t len = m->data_len;
    if (len < kEtherHeaderLen + kIpv6HeaderLen + 4) return std::nullopt;
    const uint8_t* p = rte_pktmbuf_mtod(m, const uint8_t*);
    const auto* ip = reinterpret_cast<const rte_ipv6_hdr*>(p + kEtherHeaderLen);
    const uint32_t payload = rte_be_to_cpu_16(ip->payload_len);
    if (payload > len - kEtherHeaderLen - kIpv6HeaderLen) return std::nullopt;
    View v;
    v.hopLimit = ip->hop_limits;
    v.src = addressAt(ip->src_addr);
    v.dst = addressAt(ip->dst_addr);
    const uint8_t* body = p + kEtherHeaderLen + kIpv6HeaderLen;
    uint32_t bodyLen = payload;
    if (ip->proto == kIpProtoHopByHop) {
        if (bodyLen < 8) return std::nullopt;
        const uint32_t hbh = (uint32_t{body[1]} + 1) * 8;
        if (body[0] != kIpProtoIcmpv6 || hbh + 4 > bodyLen) return std::nullopt;
        body += hbh;
        bodyLen -= hbh;
        v.hopByHop = true;
    } else if (ip->proto != kIpProtoIcmpv6 || bodyLen < 4) {
        return std::nullopt;
    }
    if (checksum(v.src, v.dst, body, bodyLen) != 0) return std::nullopt;
    v.type = body[0];
    v.code = body[1];
    v.body = body;
    v.len = static_cast<uint16_t>(bodyLen);
    return v;
}

std::optional<NeighborMessage> parseNeighborMessage(const View& v) {
    if (v.hopLimit != 255 || v.code != 0 || v.len < 24 || v.hopByHop) return std::nullopt;
    if (v.type != kNeighborSolicitation && v.type != kNeighborAdvertisement) return std::nullopt;
    NeighborMessage n;
    n.target = addressAt(v.body + 8);
    if (n.target.isMulticast()) return std::nullopt;
    if (v.type == kNeighborAdvertisement) {
        n.router = v.body[4] & 0x80;
        n.solicited = v.body[4] & 0x40;
        n.override_ = v.body[4] & 0x20;
    }
    const uint8_t wanted = v.type == kNeighborSolicitation ? kOptSourceLinkAddress : kOptTargetLinkAddress;
    for (uint32_t at = 24; at + 2 <= v.len;) {
        const uint32_t optLen = uint32_t{v.body[at + 1]} * 8;
        if (optLen == 0 || at + optLen > v.len) return std::nullopt;
        if (v.body[at] == wanted && optLen >= 8) {
            MacAddress mac;
            std::memcpy(mac.bytes.data(), v.body + at + 2, 6);
            n.linkAddress = mac;
        }
        at += optLen;
    }
    return n;
}

rte_mbuf* makeNeighborSolicitation(rte_mempool* pool, const rte_ether_addr& mac, const Ipv6Address& src,
                                   const Ipv6Address& target) {
    const bool dad = src.isUnspecified();
    const uint16_t icmpLen = dad ? 24 : 32;
    uint8_t* p;
    rte_mbuf* m = frame(pool, static_cast<uint16_t>(kEtherHeaderLen + kIpv6HeaderLen + icmpLen), &p);
    if (m == nullptr) return nullptr;
    const Ipv6Address group = target.solicitedNode();
    writeHeaders(p, mac, toEther(netaddr::multicastMacFor(group)), src, group, icmpLen, 255, kIpProtoIcmpv6);
    uint8_t* icmp = p + kEtherHeaderLen + kIpv6HeaderLen;
    icmp[0] = kNeighborSolicitation;
    std::memcpy(icmp + 8, target.bytes.data(), 16);
    if (!dad) {
        icmp[24] = kOptSourceLinkAddress;
        icmp[25] = 1;
        std::memcpy(icmp + 26, mac.addr_bytes, 6);
    }
    setChecksum(src, group, icmp, icmpLen);
    return m;
}

rte_mbuf* makeNeighborAdvertisement(rte_mempool* pool, const rte_ether_addr& mac, const Ipv6Address& target,
                                    const Ipv6Address& dst, const rte_ether_addr& dstMac, bool solicited) {
    const uint16_t icmpLen = 32;
    uint8_t* p;
    rte_mbuf* m = frame(pool, static_cast<uint16_t>(kEtherHeaderLen + kIpv6HeaderLen + icmpLen), &p);
    if (m == nullptr) return nullptr;
    writeHeaders(p, mac, dstMac, target, dst, icmpLen, 255, kIpProtoIcmpv6);
    uint8_t* icmp = p + kEtherHeaderLen + kIpv6HeaderLen;
    icmp[0] = kNeighborAdvertisement;
    icmp[4] = static_cast<uint8_t>((solicited ? 0x40 : 0) | 0x20);
    std::memcpy(icmp + 8, target.bytes.data(), 16);
    icmp[24] = kOptTargetLinkAddress;
    icmp[25] = 1;
    std::memcpy(icmp + 26, mac.addr_bytes, 6);
    setChecksum(target, dst, icmp, icmpLen);
    return m;
}

bool turnIntoEchoReply(rte_mbuf* m, const View& v, const rte_ether_addr& mac) {
    if (v.type != kEchoRequest || v.code != 0 || v.hopByHop) return false;
    uint8_t* p = rte_pktmbuf_mtod(m, uint8_t*);
    auto* eth = reinterpret_cast<rte_ether_hdr*>(p);
    eth->dst_addr = eth->src_addr;
    eth->src_addr = mac;
    auto* ip = reinterpret_cast<rte_ipv6_hdr*>(p + kEtherHeaderLen);
    // From the address that was asked, to whoever asked (a multicast echo is not answered:
    // the caller only passes ours).
    std::memcpy(ip->dst_addr, v.src.bytes.data(), 16);
    std::memcpy(ip->src_addr, v.dst.bytes.data(), 16);
    ip->hop_limits = 64;
    auto* body = const_cast<uint8_t*>(v.body);
    body[0] = kEchoReply;
    setChecksum(v.dst, v.src, body, v.len);
    // Outer Ethernet padding (short frames) is not ours to echo.
    const uint32_t frameLen = kEtherHeaderLen + kIpv6HeaderLen + v.len;
    if (m->pkt_len > frameLen) rte_pktmbuf_trim(m, static_cast<uint16_t>(m->pkt_len - frameLen));
    return true;
}

namespace {

constexpr uint16_t kHbh = 8;

// An MLD frame to `dst` with an ICMPv6 body of icmpLen bytes (zeroed): Ethernet, IPv6 with
// hop limit 1, and the hop-by-hop header with Router Alert (RFC 2711, value 0: MLD) padded
// to 8 bytes. Returns the frame; the ICMPv6 body starts at kEtherHeaderLen + 40 + 8.
std::vector<uint8_t> mldFrame(const rte_ether_addr& mac, const Ipv6Address& src, const Ipv6Address& dst,
                              uint16_t icmpLen) {
    std::vector<uint8_t> f(kEtherHeaderLen + kIpv6HeaderLen + kHbh + icmpLen, 0);
    writeHeaders(f.data(), mac, toEther(netaddr::multicastMacFor(dst)), src, dst, icmpLen, 1, 0, kHbh);
    uint8_t* hbh = f.data() + kEtherHeaderLen + kIpv6HeaderLen;
    hbh[0] = kIpProtoIcmpv6;
    hbh[1] = 0;
    hbh[2] = 5;  // Router Alert
    hbh[3] = 2;
    hbh[4] = hbh[5] = 0;  // MLD
    hbh[6] = 1;  // PadN of 0 bytes
    hbh[7] = 0;
    return f;
}

}  // namespace

std::vector<uint8_t> mldv1Message(const rte_ether_addr& mac, const Ipv6Address& src, const Ipv6Address& group,
                                  uint8_t type) {
    const Ipv6Address dst = type == kMldv1Done ? *Ipv6Address::parse("ff02::2") : group;
    std::vector<uint8_t> f = mldFrame(mac, src, dst, 24);
    uint8_t* icmp = f.data() + kEtherHeaderLen + kIpv6HeaderLen + kHbh;
    icmp[0] = type;
    std::memcpy(icmp + 8, group.bytes.data(), 16);
    setChecksum(src, dst, icmp, 24);
    return f;
}

std::vector<uint8_t> mldv2Report(const rte_ether_addr& mac, const Ipv6Address& src,
                                 const std::vector<Ipv6Address>& groups, uint8_t recordType) {
    const uint16_t icmpLen = static_cast<uint16_t>(8 + 20 * groups.size());
    const Ipv6Address allMldv2Routers = *Ipv6Address::parse("ff02::16");
    std::vector<uint8_t> f = mldFrame(mac, src, allMldv2Routers, icmpLen);
    uint8_t* icmp = f.data() + kEtherHeaderLen + kIpv6HeaderLen + kHbh;
    icmp[0] = kMldv2Report;
    icmp[6] = static_cast<uint8_t>(groups.size() >> 8);
    icmp[7] = static_cast<uint8_t>(groups.size());
    for (size_t i = 0; i < groups.size(); ++i) {
        uint8_t* rec = icmp + 8 + 20 * i;
        rec[0] = recordType;
        std::memcpy(rec + 4, groups[i].bytes.data(), 16);
    }
    setChecksum(src, allMldv2Routers, icmp, icmpLen);
    return f;
}

std::optional<MldQuery> parseMldQuery(const View& v) {
    if (v.type != kMldQuery || (v.len != 24 && v.len < 28)) return std::nullopt;
    MldQuery q;
    q.group = addressAt(v.body + 8);
    if (!q.group.isUnspecified() && !q.group.isMulticast()) return std::nullopt;
    q.version = v.len == 24 ? 1 : 2;
    const uint32_t code = uint32_t{v.body[4]} << 8 | v.body[5];
    // MLDv2 codes from 32768 on are floating point: mantissa 12 bits, exponent 3 bits.
    q.maxResponseMs = q.version == 2 && code >= 0x8000 ? uint64_t{(code & 0x0FFF) | 0x1000} << (((code >> 12) & 7) + 3)
                                                       : code;
    return q;
}

}  // namespace vtepgw::packet::icmpv6
