// Value types for the addresses that appear in configuration and in the control plane.
// Everything here is host-side (parsing, printing, comparing); the fast path works on the
// network-order words that these types hand out.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vtepgw::netaddr {

// An Ethernet MAC address in wire order.
struct MacAddress {
    std::array<uint8_t, 6> bytes{};

    // Parses "aa:bb:cc:dd:ee:ff" (colon or dash separated, any case); nullopt otherwise.
    static std::optional<MacAddress> parse(std::string_view text);
    std::string toString() const;
    bool isMulticast() const { return (bytes[0] & 0x01) != 0; }
    bool isZero() const;
    // The 48 bits as an integer (byte 0 most significant): handy as a map key.
    uint64_t toU64() const;
    static MacAddress fromU64(uint64_t value);
    bool operator==(const MacAddress& o) const { return bytes == o.bytes; }
    bool operator!=(const MacAddress& o) const { return bytes != o.bytes; }
};

// An IPv4 address held in host byte order (so that ordering and masking read naturally).
struct Ipv4Address {
    uint32_t host = 0;

    // Parses dotted quad "a.b.c.d" strictly (no leading zeros tricks, no short forms).
    static std::optional<Ipv4Address> parse(std::string_view text);
    std::string toString() const;
    uint32_t toNetwork() const;  // big-endian word for headers
    static Ipv4Address fromNetwork(uint32_t be);
    bool isMulticast() const { return (host >> 28) == 0xE; }
    bool isUnspecified() const { return host == 0; }
    bool isLoopback() const { return (host >> 24) == 127; }
    bool isLimitedBroadcast() const { return host == 0xFFFFFFFFu; }
    bool operator==(const Ipv4Address& o) const { return host == o.host; }
    bool operator!=(const Ipv4Address& o) const { return host != o.host; }
    bool operator<(const Ipv4Address& o) const { return host < o.host; }
};

// An IPv4 prefix "a.b.c.d/len". `address` keeps the host bits as written (an interface
// address like 192.168.2.68/24 is a prefix with host bits set).
struct Ipv4Prefix {
    Ipv4Address address;
    uint8_t length = 32;

    // Parses "a.b.c.d/len" (len 0..32); without "/len" only when allowHostRoute (then /32).
    static std::optional<Ipv4Prefix> parse(std::string_view text, bool allowHostRoute = false);
    std::string toString() const;
    uint32_t mask() const { return length == 0 ? 0 : ~uint32_t{0} << (32 - length); }
    Ipv4Address network() const { return Ipv4Address{address.host & mask()}; }
    bool contains(Ipv4Address a) const { return (a.host & mask()) == network().host; }
    bool hasHostBits() const { return (address.host & ~mask()) != 0; }
};

// The Ethernet multicast MAC for an IPv4 group: 01:00:5e + low 23 bits (RFC 1112 §6.4).
MacAddress multicastMacFor(Ipv4Address group);

}  // namespace vtepgw::netaddr
