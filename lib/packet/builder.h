// Builds frames as byte vectors, layer by layer, for tests, fuzz seeds and benchmarks.
// Lengths and checksums are filled in by build() unless a layer fixed them on purpose
// (so that tests can also build broken frames).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "netaddr/addr.h"

namespace vtepgw::packet {

using Bytes = std::vector<uint8_t>;

class FrameBuilder {
public:
    FrameBuilder& ether(const netaddr::MacAddress& dst, const netaddr::MacAddress& src,
                        uint16_t etherType);
    FrameBuilder& vlan(uint16_t vid, uint16_t innerEtherType, uint8_t pcp = 0);
    FrameBuilder& ipv4(netaddr::Ipv4Address src, netaddr::Ipv4Address dst, uint8_t protocol,
                       uint8_t ttl = 64);
    // IPv6 (payload length filled by build()); a UDP, TCP or ICMPv6 layer inside it gets its
    // checksum over the IPv6 pseudo-header (a zeroUdpChecksum() keeps UDP's at zero).
    FrameBuilder& ipv6(const netaddr::Ipv6Address& src, const netaddr::Ipv6Address& dst, uint8_t nextHeader,
                       uint8_t hopLimit = 64, uint32_t flowLabel = 0);
    FrameBuilder& icmpv6(uint8_t type, uint8_t code);  // header only: the body follows as payload
    FrameBuilder& udp(uint16_t srcPort, uint16_t dstPort);
    FrameBuilder& tcp(uint16_t srcPort, uint16_t dstPort);
    FrameBuilder& vxlan(uint32_t vni, uint8_t flags = 0x08);
    // GRE carrying Ethernet (protocol 0x6558 unless given): `flags` are the first 16 bits
    // (0x2000 = key present; 0x8000 adds a checksum filled in by build(); 0x1000 a sequence
    // number); the key and sequence words follow when their bits are set.
    FrameBuilder& gre(uint32_t key, uint16_t flags = 0x2000, uint16_t protocol = 0x6558, uint32_t sequence = 0);
    FrameBuilder& icmpEcho(bool request, uint16_t id, uint16_t seq);
    FrameBuilder& arp(uint16_t op, const netaddr::MacAddress& sha, netaddr::Ipv4Address spa,
                      const netaddr::MacAddress& tha, netaddr::Ipv4Address tpa);
    FrameBuilder& payload(const Bytes& bytes);
    FrameBuilder& payload(size_t length, uint8_t seed = 0);
    // Appends a whole frame (e.g. the inner frame of a VXLAN packet).
    FrameBuilder& frame(const Bytes& inner);

    // Deliberate breakage, applied after lengths and checksums are computed.
    FrameBuilder& corruptIpChecksum() { corruptIpChecksum_ = true; return *this; }
    FrameBuilder& ipTotalLength(uint16_t value) { ipTotalLength_ = value; return *this; }
    FrameBuilder& zeroUdpChecksum() { zeroUdpChecksum_ = true; return *this; }
    FrameBuilder& corruptUdpChecksum() { corruptUdpChecksum_ = true; return *this; }

    Bytes build() const;

private:
    enum class Kind { Raw, Ipv4, Ipv6, Udp, Tcp, Icmp, Icmpv6, GreChecksum };
    // The IPv6 pseudo-header sum for an upper layer at `at` of `len` bytes, when the nearest
    // IP layer before it is IPv6.
    bool ipv6PseudoSum(const Bytes& b, size_t at, size_t len, uint8_t nextHeader, uint32_t* sum) const;
    struct Layer {
        Kind kind;
        size_t offset;
    };
    Bytes bytes_;
    std::vector<Layer> layers_;
    bool corruptIpChecksum_ = false;
    std::optional<uint16_t> ipTotalLength_;
    bool zeroUdpChecksum_ = false;
    bool corruptUdpChecksum_ = false;
};

// Hex dump of bytes, 16 per line, for failure messages.
std::string hexDump(const Bytes& bytes);

}  // namespace vtepgw::packet
