#include "packet/builder.h"

#include <arpa/inet.h>

#include <cstdio>

namespace vtepgw::packet {
namespace {

void put16(Bytes& b, uint16_t v) {
    b.push_back(static_cast<uint8_t>(v >> 8));
    b.push_back(static_cast<uint8_t>(v));
}
void put32(Bytes& b, uint32_t v) {
    put16(b, static_cast<uint16_t>(v >> 16));
    put16(b, static_cast<uint16_t>(v));
}
void set16(Bytes& b, size_t at, uint16_t v) {
    b[at] = static_cast<uint8_t>(v >> 8);
    b[at + 1] = static_cast<uint8_t>(v);
}
void putMac(Bytes& b, const netaddr::MacAddress& m) { b.insert(b.end(), m.bytes.begin(), m.bytes.end()); }

uint32_t sum16(const uint8_t* p, size_t n, uint32_t sum = 0) {
    for (size_t i = 0; i + 1 < n; i += 2) sum += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
    if (n & 1) sum += static_cast<uint32_t>(p[n - 1] << 8);
    return sum;
}
uint16_t fold(uint32_t sum) {
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
}

}  // namespace

FrameBuilder& FrameBuilder::ether(const netaddr::MacAddress& dst, const netaddr::MacAddress& src,
                                  uint16_t etherType) {
    putMac(bytes_, dst);
    putMac(bytes_, src);
    put16(bytes_, etherType);
    return *this;
}

FrameBuilder& FrameBuilder::vlan(uint16_t vid, uint16_t innerEtherType, uint8_t pcp) {
    // The previous layer wrote the TPID as its EtherType; we add the TCI and the next type.
    put16(bytes_, static_cast<uint16_t>(pcp << 13 | (vid & 0x0FFF)));
    put16(bytes_, innerEtherType);
    return *this;
}

FrameBuilder& FrameBuilder::ipv4(netaddr::Ipv4Address src, netaddr::Ipv4Address dst,
                                 uint8_t protocol, uint8_t ttl) {
    layers_.push_back({Kind::Ipv4, bytes_.size()});
    bytes_.push_back(0x45);
    bytes_.push_back(0);
    put16(bytes_, 0);  // total length, filled by build()
    put16(bytes_, 0x1234);
    put16(bytes_, 0);
    bytes_.push_back(ttl);
    bytes_.push_back(protocol);
    put16(bytes_, 0);  // checksum, filled by build()
    put32(bytes_, src.host);
    put32(bytes_, dst.host);
    return *this;
}

FrameBuilder& FrameBuilder::ipv6(const netaddr::Ipv6Address& src, const netaddr::Ipv6Address& dst,
                                 uint8_t nextHeader, uint8_t hopLimit, uint32_t flowLabel) {
    layers_.push_back({Kind::Ipv6, bytes_.size()});
    put32(bytes_, 6u << 28 | (flowLabel & 0xFFFFF));
    put16(bytes_, 0);  // payload length, filled by build()
    bytes_.push_back(nextHeader);
    bytes_.push_back(hopLimit);
    bytes_.insert(bytes_.end(), src.bytes.begin(), src.bytes.end());
    bytes_.insert(bytes_.end(), dst.bytes.begin(), dst.bytes.end());
    return *this;
}

FrameBuilder& FrameBuilder::icmpv6(uint8_t type, uint8_t code) {
    layers_.push_back({Kind::Icmpv6, bytes_.size()});
    bytes_.push_back(type);
    bytes_.push_back(code);
    put16(bytes_, 0);  // checksum, filled by build()
    return *this;
}

bool FrameBuilder::ipv6PseudoSum(const Bytes& b, size_t at, size_t len, uint8_t nextHeader, uint32_t* sum) const {
    const Layer* ip = nullptr;
    for (const auto& l : layers_)
        if ((l.kind == Kind::Ipv4 || l.kind == Kind::Ipv6) && l.offset < at) ip = &l;
    if (ip == nullptr || ip->kind != Kind::Ipv6) return false;
    *sum = sum16(&b[ip->offset + 8], 32) + nextHeader + static_cast<uint32_t>(len);
    return true;
}

FrameBuilder& FrameBuilder::udp(uint16_t srcPort, uint16_t dstPort) {
    layers_.push_back({Kind::Udp, bytes_.size()});
    put16(bytes_, srcPort);
    put16(bytes_, dstPort);
    put16(bytes_, 0);
    put16(bytes_, 0);  // checksum 0: as VXLAN sends it
    return *this;
}

FrameBuilder& FrameBuilder::tcp(uint16_t srcPort, uint16_t dstPort) {
    layers_.push_back({Kind::Tcp, bytes_.size()});
    put16(bytes_, srcPort);
    put16(bytes_, dstPort);
    put32(bytes_, 1);
    put32(bytes_, 0);
    put16(bytes_, 0x5010);  // 20-byte header, ACK
    put16(bytes_, 65535);
    put16(bytes_, 0);
    put16(bytes_, 0);
    return *this;
}

FrameBuilder& FrameBuilder::gre(uint32_t key, uint16_t flags, uint16_t protocol, uint32_t sequence) {
    if (flags & 0x8000) layers_.push_back({Kind::GreChecksum, bytes_.size()});
    put16(bytes_, flags);
    put16(bytes_, protocol);
    if (flags & 0x8000) put32(bytes_, 0);
    if (flags & 0x2000) put32(bytes_, key);
    if (flags & 0x1000) put32(bytes_, sequence);
    return *this;
}

FrameBuilder& FrameBuilder::vxlan(uint32_t vni, uint8_t flags) {
    bytes_.push_back(flags);
    bytes_.insert(bytes_.end(), 3, 0);
    put32(bytes_, vni << 8);
    return *this;
}

FrameBuilder& FrameBuilder::icmpEcho(bool request, uint16_t id, uint16_t seq) {
    layers_.push_back({Kind::Icmp, bytes_.size()});
    bytes_.push_back(request ? 8 : 0);
    bytes_.push_back(0);
    put16(bytes_, 0);
    put16(bytes_, id);
    put16(bytes_, seq);
    return *this;
}

FrameBuilder& FrameBuilder::arp(uint16_t op, const netaddr::MacAddress& sha,
                                netaddr::Ipv4Address spa, const netaddr::MacAddress& tha,
                                netaddr::Ipv4Address tpa) {
    put16(bytes_, 1);       // Ethernet
    put16(bytes_, 0x0800);  // IPv4
    bytes_.push_back(6);
    bytes_.push_back(4);
    put16(bytes_, op);
    putMac(bytes_, sha);
    put32(bytes_, spa.host);
    putMac(bytes_, tha);
    put32(bytes_, tpa.host);
    return *this;
}

FrameBuilder& FrameBuilder::payload(const Bytes& b) {
    bytes_.insert(bytes_.end(), b.begin(), b.end());
    return *this;
}

FrameBuilder& FrameBuilder::payload(size_t length, uint8_t seed) {
    for (size_t i = 0; i < length; ++i) bytes_.push_back(static_cast<uint8_t>(seed + i));
    return *this;
}

FrameBuilder& FrameBuilder::frame(const Bytes& inner) { return payload(inner); }

Bytes FrameBuilder::build() const {
    Bytes b = bytes_;
    // Innermost first: a UDP length depends on nothing outside it, an outer IPv4 length
    // covers the inner layers whatever their content.
    for (auto it = layers_.rbegin(); it != layers_.rend(); ++it) {
        const size_t at = it->offset;
        const size_t len = b.size() - at;
        switch (it->kind) {
            case Kind::Udp: {
                set16(b, at + 4, static_cast<uint16_t>(len));
                uint32_t sum;
                if (!zeroUdpChecksum_ && ipv6PseudoSum(b, at, len, 17, &sum)) {
                    uint16_t c = fold(sum16(&b[at], len, sum));
                    if (c == 0) c = 0xFFFF;
                    if (corruptUdpChecksum_) c = static_cast<uint16_t>(c ^ 0x0101);
                    set16(b, at + 6, c);
                }
                break;
            }
            case Kind::Icmpv6: {
                uint32_t sum = 0;
                ipv6PseudoSum(b, at, len, 58, &sum);
                set16(b, at + 2, fold(sum16(&b[at], len, sum)));
                break;
            }
            case Kind::Ipv6: set16(b, at + 4, static_cast<uint16_t>(len - 40)); break;
            case Kind::Icmp: set16(b, at + 2, fold(sum16(&b[at], len))); break;
            case Kind::Tcp: {
                // Pseudo-header: the enclosing IPv4 layer is the one just before.
                const Layer* ip = nullptr;
                for (const auto& l : layers_)
                    if (l.kind == Kind::Ipv4 && l.offset < at) ip = &l;
                uint32_t sum = 0;
                if (!ipv6PseudoSum(b, at, len, 6, &sum) && ip) sum = sum16(&b[ip->offset + 12], 8) + 6 + static_cast<uint32_t>(len);
                set16(b, at + 16, fold(sum16(&b[at], len, sum)));
                break;
            }
            case Kind::Ipv4: set16(b, at + 2, static_cast<uint16_t>(len)); break;
            case Kind::GreChecksum: set16(b, at + 4, fold(sum16(&b[at], len))); break;
            case Kind::Raw: break;
        }
    }
    // IPv4 header checksums last, after their total lengths are known.
    bool first = true;
    for (const auto& l : layers_) {
        if (l.kind != Kind::Ipv4) continue;
        if (first && ipTotalLength_) set16(b, l.offset + 2, *ipTotalLength_);
        set16(b, l.offset + 10, 0);
        uint16_t c = fold(sum16(&b[l.offset], 20));
        if (first && corruptIpChecksum_) c = static_cast<uint16_t>(c ^ 0x5A5A);
        set16(b, l.offset + 10, c);
        first = false;
    }
    return b;
}

std::string hexDump(const Bytes& bytes) {
    std::string out;
    char buf[32];
    for (size_t i = 0; i < bytes.size(); ++i) {
        if (i % 16 == 0) {
            std::snprintf(buf, sizeof buf, "%s%04zx ", i ? "\n" : "", i);
            out += buf;
        }
        std::snprintf(buf, sizeof buf, " %02x", bytes[i]);
        out += buf;
    }
    return out;
}

}  // namespace vtepgw::packet
