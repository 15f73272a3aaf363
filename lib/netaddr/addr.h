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

// An IPv6 address in wire order.
struct Ipv6Address {
    std::array<uint8_t, 16> bytes{};

    // RFC 4291 §2.2 text forms ("2001:db8::1", "::", "::ffff:192.0.2.1"); no zone, no brackets.
    static std::optional<Ipv6Address> parse(std::string_view text);
    static Ipv6Address fromBytes(const uint8_t* wire16) {
        Ipv6Address a;
        for (size_t i = 0; i < 16; ++i) a.bytes[i] = wire16[i];
        return a;
    }
    // RFC 5952: lowercase, longest run of two or more zero groups as "::".
    std::string toString() const;
    bool isMulticast() const { return bytes[0] == 0xFF; }
    bool isUnspecified() const;
    bool isLoopback() const;
    bool isLinkLocal() const { return bytes[0] == 0xFE && (bytes[1] & 0xC0) == 0x80; }
    bool isV4Mapped() const;
    // The multicast scope (RFC 4291 §2.7): 1 interface, 2 link, 5 site, 8 organisation, e global.
    uint8_t multicastScope() const { return bytes[1] & 0x0F; }
    // The solicited-node multicast address for this one: ff02::1:ffXX:XXXX (RFC 4291 §2.7.1).
    Ipv6Address solicitedNode() const;
    bool operator==(const Ipv6Address& o) const { return bytes == o.bytes; }
    bool operator!=(const Ipv6Address& o) const { return bytes != o.bytes; }
    bool operator<(const Ipv6Address& o) const { return bytes < o.bytes; }
};

// An IPv6 prefix "addr/len" (len 0..128), host bits kept as written.
struct Ipv6Prefix {
    Ipv6Address address;
    uint8_t length = 128;

    static std::optional<Ipv6Prefix> parse(std::string_view text, bool allowHostRoute = false);
    std::string toString() const;
    Ipv6Address network() const;
    bool contains(const Ipv6Address& a) const;
    bool hasHostBits() const { return network() != address; }
};

// The Ethernet multicast MAC for an IPv6 group: 33:33 + low 32 bits (RFC 2464 §7).
MacAddress multicastMacFor(const Ipv6Address& group);
// The link-local address derived from a MAC by modified EUI-64 (RFC 4291 appendix A).
Ipv6Address linkLocalFor(const MacAddress& mac);

// An address of either family, where configuration and the control plane take both (remote
// VTEPs, groups, next hops). IPv4 is held IPv4-mapped (::ffff:a.b.c.d, RFC 4291 §2.5.5.2) so
// that one ordering and one equality cover both.
struct IpAddress {
    Ipv6Address raw;

    IpAddress() = default;
    IpAddress(Ipv4Address v4);  // NOLINT(google-explicit-constructor): every IPv4 is one
    IpAddress(const Ipv6Address& v6) : raw(v6) {}  // NOLINT(google-explicit-constructor)

    // Either family's text form; a v4-mapped IPv6 text is refused (write the IPv4).
    static std::optional<IpAddress> parse(std::string_view text);
    std::string toString() const;
    bool isV4() const { return raw.isV4Mapped(); }
    bool isV6() const { return !isV4(); }
    Ipv4Address v4() const;  // only when isV4()
    const Ipv6Address& v6() const { return raw; }
    bool isMulticast() const { return isV4() ? v4().isMulticast() : raw.isMulticast(); }
    bool isUnspecified() const { return isV4() ? v4().isUnspecified() : raw.isUnspecified(); }
    const char* family() const { return isV4() ? "ipv4" : "ipv6"; }
    bool operator==(const IpAddress& o) const { return raw == o.raw; }
    bool operator!=(const IpAddress& o) const { return raw != o.raw; }
    bool operator<(const IpAddress& o) const { return raw < o.raw; }
};

MacAddress multicastMacFor(const IpAddress& group);

}  // namespace vtepgw::netaddr
