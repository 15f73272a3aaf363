#include "netaddr/addr.h"

#include <arpa/inet.h>

#include <cstdio>
#include <cstring>
#include <vector>

namespace vtepgw::netaddr {
namespace {

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Parses a decimal number without sign or leading zeros; nullopt on anything else.
std::optional<uint32_t> parseDecimal(std::string_view text, uint32_t max) {
    if (text.empty() || text.size() > 10) return std::nullopt;
    if (text.size() > 1 && text[0] == '0') return std::nullopt;
    uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<uint64_t>(c - '0');
    }
    if (value > max) return std::nullopt;
    return static_cast<uint32_t>(value);
}

}  // namespace

std::optional<MacAddress> MacAddress::parse(std::string_view text) {
    if (text.size() != 17) return std::nullopt;
    const char sep = text[2];
    if (sep != ':' && sep != '-') return std::nullopt;
    MacAddress mac;
    for (size_t i = 0; i < 6; ++i) {
        const size_t at = i * 3;
        if (i > 0 && text[at - 1] != sep) return std::nullopt;
        const int hi = hexValue(text[at]);
        const int lo = hexValue(text[at + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        mac.bytes[i] = static_cast<uint8_t>(hi << 4 | lo);
    }
    return mac;
}

std::string MacAddress::toString() const {
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", bytes[0], bytes[1], bytes[2],
                  bytes[3], bytes[4], bytes[5]);
    return buf;
}

bool MacAddress::isZero() const {
    for (uint8_t b : bytes)
        if (b != 0) return false;
    return true;
}

uint64_t MacAddress::toU64() const {
    uint64_t v = 0;
    for (uint8_t b : bytes) v = v << 8 | b;
    return v;
}

MacAddress MacAddress::fromU64(uint64_t value) {
    MacAddress mac;
    for (int i = 5; i >= 0; --i) {
        mac.bytes[static_cast<size_t>(i)] = static_cast<uint8_t>(value & 0xFF);
        value >>= 8;
    }
    return mac;
}

std::optional<Ipv4Address> Ipv4Address::parse(std::string_view text) {
    uint32_t host = 0;
    for (int part = 0; part < 4; ++part) {
        const size_t dot = text.find('.');
        const bool last = part == 3;
        if (last != (dot == std::string_view::npos)) return std::nullopt;
        auto octet = parseDecimal(last ? text : text.substr(0, dot), 255);
        if (!octet) return std::nullopt;
        host = host << 8 | *octet;
        if (!last) text.remove_prefix(dot + 1);
    }
    return Ipv4Address{host};
}

std::string Ipv4Address::toString() const {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", host >> 24, (host >> 16) & 0xFF,
                  (host >> 8) & 0xFF, host & 0xFF);
    return buf;
}

uint32_t Ipv4Address::toNetwork() const { return htonl(host); }

Ipv4Address Ipv4Address::fromNetwork(uint32_t be) { return Ipv4Address{ntohl(be)}; }

std::optional<Ipv4Prefix> Ipv4Prefix::parse(std::string_view text, bool allowHostRoute) {
    const size_t slash = text.find('/');
    if (slash == std::string_view::npos) {
        if (!allowHostRoute) return std::nullopt;
        auto a = Ipv4Address::parse(text);
        if (!a) return std::nullopt;
        return Ipv4Prefix{*a, 32};
    }
    auto a = Ipv4Address::parse(text.substr(0, slash));
    auto len = parseDecimal(text.substr(slash + 1), 32);
    if (!a || !len) return std::nullopt;
    return Ipv4Prefix{*a, static_cast<uint8_t>(*len)};
}

std::string Ipv4Prefix::toString() const {
    return address.toString() + "/" + std::to_string(length);
}

MacAddress multicastMacFor(Ipv4Address group) {
    MacAddress mac{{0x01, 0x00, 0x5e, 0, 0, 0}};
    mac.bytes[3] = static_cast<uint8_t>((group.host >> 16) & 0x7F);
    mac.bytes[4] = static_cast<uint8_t>((group.host >> 8) & 0xFF);
    mac.bytes[5] = static_cast<uint8_t>(group.host & 0xFF);
    return mac;
}

namespace {

std::optional<uint16_t> parseHexGroup(std::string_view g) {
    if (g.empty() || g.size() > 4) return std::nullopt;
    uint32_t v = 0;
    for (char c : g) {
        const int h = hexValue(c);
        if (h < 0) return std::nullopt;
        v = v << 4 | static_cast<uint32_t>(h);
    }
    return static_cast<uint16_t>(v);
}

// Parses the groups of one side of "::" into `out`; false on a malformed group. An IPv4
// dotted quad may end the text (`allowV4Tail`), counting as two groups.
bool parseGroups(std::string_view text, std::vector<uint16_t>& out, bool allowV4Tail) {
    if (text.empty()) return true;
    while (true) {
        const size_t colon = text.find(':');
        const std::string_view g = text.substr(0, colon);
        if (colon == std::string_view::npos && allowV4Tail && g.find('.') != std::string_view::npos) {
            auto v4 = Ipv4Address::parse(g);
            if (!v4) return false;
            out.push_back(static_cast<uint16_t>(v4->host >> 16));
            out.push_back(static_cast<uint16_t>(v4->host & 0xFFFF));
            return true;
        }
        auto v = parseHexGroup(g);
        if (!v) return false;
        out.push_back(*v);
        if (colon == std::string_view::npos) return true;
        text.remove_prefix(colon + 1);
    }
}

}  // namespace

std::optional<Ipv6Address> Ipv6Address::parse(std::string_view text) {
    if (text.size() < 2 || text.size() > 45) return std::nullopt;
    std::vector<uint16_t> head, tail;
    const size_t dc = text.find("::");
    if (dc != std::string_view::npos) {
        if (text.find("::", dc + 1) != std::string_view::npos) return std::nullopt;
        if (!parseGroups(text.substr(0, dc), head, false)) return std::nullopt;
        if (!parseGroups(text.substr(dc + 2), tail, true)) return std::nullopt;
        if (head.size() + tail.size() > 7) return std::nullopt;
    } else {
        if (!parseGroups(text, head, true) || head.size() != 8) return std::nullopt;
    }
    Ipv6Address a;
    for (size_t i = 0; i < head.size(); ++i) {
        a.bytes[2 * i] = static_cast<uint8_t>(head[i] >> 8);
        a.bytes[2 * i + 1] = static_cast<uint8_t>(head[i]);
    }
    const size_t start = 8 - tail.size();
    for (size_t i = 0; i < tail.size(); ++i) {
        a.bytes[2 * (start + i)] = static_cast<uint8_t>(tail[i] >> 8);
        a.bytes[2 * (start + i) + 1] = static_cast<uint8_t>(tail[i]);
    }
    return a;
}

std::string Ipv6Address::toString() const {
    char buf[INET6_ADDRSTRLEN];
    // glibc's inet_ntop follows RFC 5952 (and prints v4-mapped addresses with a dotted tail).
    if (inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf) == nullptr) return "?";
    return buf;
}

bool Ipv6Address::isUnspecified() const {
    for (uint8_t b : bytes)
        if (b != 0) return false;
    return true;
}

bool Ipv6Address::isLoopback() const {
    for (size_t i = 0; i < 15; ++i)
        if (bytes[i] != 0) return false;
    return bytes[15] == 1;
}

bool Ipv6Address::isV4Mapped() const {
    for (size_t i = 0; i < 10; ++i)
        if (bytes[i] != 0) return false;
    return bytes[10] == 0xFF && bytes[11] == 0xFF;
}

Ipv6Address Ipv6Address::solicitedNode() const {
    Ipv6Address s;
    s.bytes = {0xFF, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xFF, bytes[13], bytes[14], bytes[15]};
    return s;
}

std::optional<Ipv6Prefix> Ipv6Prefix::parse(std::string_view text, bool allowHostRoute) {
    const size_t slash = text.find('/');
    if (slash == std::string_view::npos) {
        if (!allowHostRoute) return std::nullopt;
        auto a = Ipv6Address::parse(text);
        if (!a) return std::nullopt;
        return Ipv6Prefix{*a, 128};
    }
    auto a = Ipv6Address::parse(text.substr(0, slash));
    auto len = parseDecimal(text.substr(slash + 1), 128);
    if (!a || !len) return std::nullopt;
    return Ipv6Prefix{*a, static_cast<uint8_t>(*len)};
}

std::string Ipv6Prefix::toString() const { return address.toString() + "/" + std::to_string(length); }

Ipv6Address Ipv6Prefix::network() const {
    Ipv6Address n = address;
    for (size_t i = 0; i < 16; ++i) {
        const int keep = static_cast<int>(length) - static_cast<int>(i) * 8;
        if (keep >= 8) continue;
        n.bytes[i] = keep <= 0 ? 0 : static_cast<uint8_t>(n.bytes[i] & (0xFF00 >> keep));
    }
    return n;
}

bool Ipv6Prefix::contains(const Ipv6Address& a) const { return Ipv6Prefix{a, length}.network() == network(); }

MacAddress multicastMacFor(const Ipv6Address& group) {
    return MacAddress{{0x33, 0x33, group.bytes[12], group.bytes[13], group.bytes[14], group.bytes[15]}};
}

Ipv6Address linkLocalFor(const MacAddress& mac) {
    Ipv6Address a;
    a.bytes = {0xFE, 0x80, 0, 0, 0, 0, 0, 0, static_cast<uint8_t>(mac.bytes[0] ^ 0x02), mac.bytes[1], mac.bytes[2],
               0xFF, 0xFE, mac.bytes[3], mac.bytes[4], mac.bytes[5]};
    return a;
}

IpAddress::IpAddress(Ipv4Address v4) {
    raw.bytes[10] = 0xFF;
    raw.bytes[11] = 0xFF;
    const uint32_t be = v4.toNetwork();
    std::memcpy(&raw.bytes[12], &be, 4);
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
    if (text.find(':') == std::string_view::npos) {
        if (auto v4 = Ipv4Address::parse(text)) return IpAddress{*v4};
        return std::nullopt;
    }
    auto v6 = Ipv6Address::parse(text);
    if (!v6 || v6->isV4Mapped()) return std::nullopt;
    return IpAddress{*v6};
}

Ipv4Address IpAddress::v4() const {
    uint32_t be;
    std::memcpy(&be, &raw.bytes[12], 4);
    return Ipv4Address::fromNetwork(be);
}

std::string IpAddress::toString() const { return isV4() ? v4().toString() : raw.toString(); }

MacAddress multicastMacFor(const IpAddress& group) {
    return group.isV4() ? multicastMacFor(group.v4()) : multicastMacFor(group.v6());
}

}  // namespace vtepgw::netaddr
