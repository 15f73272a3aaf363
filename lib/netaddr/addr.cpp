#include "netaddr/addr.h"

#include <arpa/inet.h>

#include <cstdio>

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

}  // namespace vtepgw::netaddr
