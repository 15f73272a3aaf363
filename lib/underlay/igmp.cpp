#include "underlay/igmp.h"

namespace vtepgw::underlay {
namespace {

const Ipv4Address kAllV3Routers{0xE0000016};  // 224.0.0.22
const Ipv4Address kAllRouters{0xE0000002};    // 224.0.0.2

constexpr uint8_t kV3Report = 0x22, kV2Report = 0x16, kV2Leave = 0x17, kQuery = 0x11, kV1Report = 0x12;
constexpr uint8_t kModeIsExclude = 2, kChangeToInclude = 3, kChangeToExclude = 4;

void put16(std::vector<uint8_t>& b, uint16_t v) {
    b.push_back(static_cast<uint8_t>(v >> 8));
    b.push_back(static_cast<uint8_t>(v));
}
void put32(std::vector<uint8_t>& b, uint32_t v) {
    put16(b, static_cast<uint16_t>(v >> 16));
    put16(b, static_cast<uint16_t>(v));
}
uint16_t checksum(const uint8_t* p, size_t n) {
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < n; i += 2) sum += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
    if (n & 1) sum += static_cast<uint32_t>(p[n - 1] << 8);
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
}

// Ethernet + IPv4 (24-byte header: Router Alert) around an IGMP message.
std::vector<uint8_t> frame(const MacAddress& srcMac, Ipv4Address src, Ipv4Address dst,
                           const std::vector<uint8_t>& igmp) {
    std::vector<uint8_t> b;
    const MacAddress dstMac = netaddr::multicastMacFor(dst);
    b.insert(b.end(), dstMac.bytes.begin(), dstMac.bytes.end());
    b.insert(b.end(), srcMac.bytes.begin(), srcMac.bytes.end());
    put16(b, 0x0800);
    const size_t ip = b.size();
    b.push_back(0x46);  // IHL 6: one option word
    b.push_back(0xC0);  // DSCP CS6 (network control), like Linux
    put16(b, static_cast<uint16_t>(24 + igmp.size()));
    put16(b, 0);
    put16(b, 0x4000);  // DF
    b.push_back(1);    // TTL 1: never routed
    b.push_back(kIpProtoIgmp);
    put16(b, 0);
    put32(b, src.host);
    put32(b, dst.host);
    put32(b, 0x94040000);  // Router Alert (RFC 2113)
    const uint16_t c = checksum(&b[ip], 24);
    b[ip + 10] = static_cast<uint8_t>(c >> 8);
    b[ip + 11] = static_cast<uint8_t>(c);
    b.insert(b.end(), igmp.begin(), igmp.end());
    return b;
}

std::vector<uint8_t> v3Report(uint8_t recordType, const std::vector<Ipv4Address>& groups) {
    std::vector<uint8_t> m = {kV3Report, 0, 0, 0, 0, 0};
    put16(m, static_cast<uint16_t>(groups.size()));
    for (const auto& g : groups) {
        m.push_back(recordType);
        m.push_back(0);  // aux data length
        put16(m, 0);     // no sources: exclude nothing = join, include nothing = leave
        put32(m, g.host);
    }
    const uint16_t c = checksum(m.data(), m.size());
    m[2] = static_cast<uint8_t>(c >> 8);
    m[3] = static_cast<uint8_t>(c);
    return m;
}

std::vector<uint8_t> v2Message(uint8_t type, Ipv4Address group) {
    std::vector<uint8_t> m = {type, 0, 0, 0};
    put32(m, group.host);
    const uint16_t c = checksum(m.data(), m.size());
    m[2] = static_cast<uint8_t>(c >> 8);
    m[3] = static_cast<uint8_t>(c);
    return m;
}

std::vector<uint8_t> reports(IgmpVersion v, uint8_t v3Type, const MacAddress& mac, Ipv4Address src,
                             const std::vector<Ipv4Address>& groups) {
    if (groups.empty()) return {};
    if (v == IgmpVersion::V3) return frame(mac, src, kAllV3Routers, v3Report(v3Type, groups));
    // v2 has one group per report; callers pass one group at a time.
    return frame(mac, src, groups.front(), v2Message(kV2Report, groups.front()));
}

}  // namespace

std::vector<uint8_t> igmpJoin(IgmpVersion v, const MacAddress& srcMac, Ipv4Address src,
                              const std::vector<Ipv4Address>& groups) {
    return reports(v, kChangeToExclude, srcMac, src, groups);
}

std::vector<uint8_t> igmpCurrentState(IgmpVersion v, const MacAddress& srcMac, Ipv4Address src,
                                      const std::vector<Ipv4Address>& groups) {
    return reports(v, kModeIsExclude, srcMac, src, groups);
}

std::vector<uint8_t> igmpLeave(IgmpVersion v, const MacAddress& srcMac, Ipv4Address src,
                               Ipv4Address group) {
    if (v == IgmpVersion::V3) return frame(srcMac, src, kAllV3Routers, v3Report(kChangeToInclude, {group}));
    return frame(srcMac, src, kAllRouters, v2Message(kV2Leave, group));
}

std::vector<uint8_t> igmpV1Report(const MacAddress& srcMac, Ipv4Address src, Ipv4Address group) {
    return frame(srcMac, src, group, v2Message(kV1Report, group));
}

std::optional<IgmpQuery> parseIgmpQuery(const uint8_t* f, uint32_t len) {
    if (len < 14 + 20 || f[12] != 0x08 || f[13] != 0x00) return std::nullopt;
    const uint8_t* ip = f + 14;
    const uint32_t ihl = (ip[0] & 0x0F) * 4u;
    const uint32_t total = static_cast<uint32_t>(ip[2] << 8 | ip[3]);
    if ((ip[0] >> 4) != 4 || ihl < 20 || ip[9] != kIpProtoIgmp || total < ihl + 8 || len < 14 + total)
        return std::nullopt;
    const uint8_t* igmp = ip + ihl;
    const uint32_t igmpLen = total - ihl;
    if (igmp[0] != kQuery) return std::nullopt;
    IgmpQuery q;
    q.group = Ipv4Address{static_cast<uint32_t>(igmp[4]) << 24 | igmp[5] << 16 | igmp[6] << 8 | igmp[7]};
    const uint8_t code = igmp[1];
    if (igmpLen >= 12) {
        q.version = 3;
        // Max Resp Code (§4.1.1): below 128 in tenths of a second, else a floating-point form.
        const uint32_t tenths = code < 128 ? code : ((code & 0x0F) | 0x10u) << (((code >> 4) & 0x07) + 3);
        q.maxResponseMs = uint64_t{tenths} * 100;
    } else if (code == 0) {
        q.version = 1;  // IGMPv1 queries have no Max Resp Time: 10 s
        q.maxResponseMs = 10000;
    } else {
        q.version = 2;
        q.maxResponseMs = uint64_t{code} * 100;
    }
    return q;
}

}  // namespace vtepgw::underlay
