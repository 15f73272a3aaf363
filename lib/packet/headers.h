// Wire formats used by vtepgw, on top of DPDK's rte_ether/rte_ip/rte_udp/rte_vxlan structs.
//
// VXLAN encapsulation (RFC 7348 §5), 50 bytes in front of the inner Ethernet frame:
//
//   +----------------+-----------------+-------------+--------------+------------------+
//   | outer Ethernet | outer IPv4      | outer UDP   | VXLAN        | inner Ethernet   |
//   | 14 bytes       | 20 bytes, no    | 8 bytes,    | 8 bytes      | frame, no FCS,   |
//   |                | options, DF=0   | csum 0      | I flag + VNI | no 802.1Q tag    |
//   +----------------+-----------------+-------------+--------------+------------------+
//
//   VXLAN header:
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |R|R|R|R|I|R|R|R|            Reserved                           |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                VXLAN Network Identifier (VNI) |   Reserved    |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
#pragma once

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_mbuf.h>
#include <rte_ip.h>
#include <rte_udp.h>
#include <rte_vxlan.h>

#include <cstdint>
#include <cstring>

namespace vtepgw::packet {

inline constexpr uint16_t kEtherHeaderLen = sizeof(rte_ether_hdr);
inline constexpr uint16_t kVlanHeaderLen = sizeof(rte_vlan_hdr);
inline constexpr uint16_t kIpv4HeaderLen = sizeof(rte_ipv4_hdr);
inline constexpr uint16_t kUdpHeaderLen = sizeof(rte_udp_hdr);
inline constexpr uint16_t kVxlanHeaderLen = sizeof(rte_vxlan_hdr);

// The outer headers of a VXLAN packet as laid out on the wire.
struct __rte_packed __rte_aligned(2) OuterHeaders {
    rte_ether_hdr eth;
    rte_ipv4_hdr ip;
    rte_udp_hdr udp;
    rte_vxlan_hdr vxlan;
};

// The same over IPv6 (RFC 7348 §5 and RFC 8200; the UDP checksum is mandatory there unless
// both ends agree otherwise, RFC 6935/6936).
struct __rte_packed __rte_aligned(2) OuterHeaders6 {
    rte_ether_hdr eth;
    rte_ipv6_hdr ip;
    rte_udp_hdr udp;
    rte_vxlan_hdr vxlan;
};

inline constexpr uint16_t kIpv6HeaderLen = sizeof(rte_ipv6_hdr);
inline constexpr uint16_t kVxlanOverhead = sizeof(OuterHeaders);
inline constexpr uint16_t kVxlan6Overhead = sizeof(OuterHeaders6);
static_assert(kVxlan6Overhead == 70, "VXLAN over IPv6 costs 70 bytes");
inline constexpr uint8_t kIpProtoIcmpv6 = 58;

// The IPv6 vtc_flow word for a traffic class of 0 and a flow label (RFC 6437: 20 bits).
inline uint32_t ipv6VtcFlowBe(uint32_t flowLabel) { return rte_cpu_to_be_32(6u << 28 | (flowLabel & 0xFFFFF)); }
static_assert(kVxlanOverhead == 50, "VXLAN over IPv4 costs 50 bytes");
static_assert(kEtherHeaderLen == 14 && kIpv4HeaderLen == 20 && kUdpHeaderLen == 8 &&
              kVxlanHeaderLen == 8);

// First byte of the VXLAN flags word: only I (0x08) is defined; the others are reserved.
inline constexpr uint8_t kVxlanFlagI = 0x08;

// The VXLAN header's second word carries the VNI in its top 24 bits.
inline uint32_t vniToWireBe(uint32_t vni) { return rte_cpu_to_be_32(vni << 8); }
inline uint32_t vniFromWireBe(uint32_t word) { return rte_be_to_cpu_32(word) >> 8; }

inline rte_ether_hdr* ethOf(rte_mbuf* m) { return rte_pktmbuf_mtod(m, rte_ether_hdr*); }

// IPv4 flags/fragment-offset field masks (host order).
inline constexpr uint16_t kIpv4MoreFragments = 0x2000;
inline constexpr uint16_t kIpv4DontFragment = 0x4000;
inline constexpr uint16_t kIpv4OffsetMask = 0x1FFF;

// Byte order for the fast path. DPDK's rte_cpu_to_be_16 of a value not known at
// compile time is an asm volatile xchgb on x86, which the compiler can neither merge with
// the loads and stores around it nor move.
inline uint16_t hostToBe16(uint16_t v) {
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
    return __builtin_bswap16(v);
#else
    return v;
#endif
}
inline uint16_t be16ToHost(uint16_t v) { return hostToBe16(v); }
inline uint32_t hostToBe32(uint32_t v) {
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
    return __builtin_bswap32(v);
#else
    return v;
#endif
}
inline uint32_t be32ToHost(uint32_t v) { return hostToBe32(v); }

// Adds `addedBe` (a 16-bit field in wire order that was zero when `checksumBe` was computed)
// to an IPv4 header checksum, per RFC 1624 eqn. 3. Byte order needs no care: one's complement
// sums commute with byte swapping when every operand is swapped alike.
inline uint16_t checksumAdd16(uint16_t checksumBe, uint16_t addedBe) {
    // Two 16-bit terms sum to at most 0x1FFFE, which one fold brings to at most 0xFFFF.
    uint32_t sum = static_cast<uint16_t>(~checksumBe) + uint32_t{addedBe};
    sum = (sum & 0xFFFF) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
}

// True when a 20-byte IPv4 header (no options) checksums to zero. Three loads and a fold
// instead of DPDK's generic byte-loop: the underlay path checks every packet in software
// when the NIC did not.
inline bool ipv4HeaderChecksumOk(const void* header20) {
    uint64_t a, b;
    uint32_t c;
    std::memcpy(&a, header20, 8);
    std::memcpy(&b, static_cast<const uint8_t*>(header20) + 8, 8);
    std::memcpy(&c, static_cast<const uint8_t*>(header20) + 16, 4);
    uint64_t sum = (a & 0xFFFFFFFF) + (a >> 32) + (b & 0xFFFFFFFF) + (b >> 32) + c;
    sum = (sum & 0xFFFF) + (sum >> 16);
    sum = (sum & 0xFFFF) + (sum >> 16);
    sum = (sum & 0xFFFF) + (sum >> 16);
    return sum == 0xFFFF;
}

// The one's-complement sum of n bytes (RFC 1071) in memory order, 64-bit words at a time
// instead of DPDK's 16: VXLAN over IPv6 checksums every packet it sends and receives. Fold
// with foldChecksum(); the result is in wire order when stored as it is. On x86-64 the words
// go through an add-with-carry chain (RFC 1071 §2(B): 2^16 - 1 divides 2^64 - 1, so a sum
// with end-around carry in 64 bits folds to the 16-bit one), 32 bytes a step: 9 instructions
// where splitting each word into halves took 20.
inline uint64_t addWord(uint64_t acc, uint64_t v) {
#if defined(__x86_64__)
    asm("addq %1, %0\n\tadcq $0, %0" : "+r"(acc) : "r"(v) : "cc");
    return acc;
#else
    acc += v;
    return acc + (acc < v);
#endif
}

inline uint64_t addBytes(const void* data, size_t n, uint64_t acc = 0) {
    const auto* p = static_cast<const uint8_t*>(data);
#if defined(__x86_64__)
    for (; n >= 32; p += 32, n -= 32) {
        uint64_t a, b, c, d;
        std::memcpy(&a, p, 8);
        std::memcpy(&b, p + 8, 8);
        std::memcpy(&c, p + 16, 8);
        std::memcpy(&d, p + 24, 8);
        asm("addq %1, %0\n\tadcq %2, %0\n\tadcq %3, %0\n\tadcq %4, %0\n\tadcq $0, %0"
            : "+r"(acc)
            : "r"(a), "r"(b), "r"(c), "r"(d)
            : "cc");
    }
#endif
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t v;
        std::memcpy(&v, p, 8);
        acc = addWord(acc, v);
    }
    // The last 0-7 bytes, each at its own position within one word (a memcpy of n bytes would
    // be a call).
    uint64_t tail = 0;
    if (n & 4) {
        uint32_t v;
        std::memcpy(&v, p, 4);
        tail = v;
        p += 4;
    }
    if (n & 2) {
        uint16_t v;
        std::memcpy(&v, p, 2);
        tail |= uint64_t{v} << ((n & 4) * 8);
        p += 2;
    }
    if (n & 1) tail |= uint64_t{*p} << ((n & 6) * 8);
    return addWord(acc, tail);
}

inline uint16_t foldChecksum(uint64_t acc) {
    acc = (acc & 0xFFFFFFFF) + (acc >> 32);
    acc = (acc & 0xFFFFFFFF) + (acc >> 32);
    acc = (acc & 0xFFFF) + (acc >> 16);
    acc = (acc & 0xFFFF) + (acc >> 16);
    acc = (acc & 0xFFFF) + (acc >> 16);
    return static_cast<uint16_t>(acc);
}

// The sum of the IPv6 pseudo-header (RFC 8200 §8.1) for an upper layer of `l4Len` bytes.
inline uint64_t ipv6PseudoSum(const rte_ipv6_hdr* ip, uint32_t l4Len, uint8_t nextHeader) {
    uint64_t acc = addBytes(ip->src_addr, 32);
    return acc + rte_cpu_to_be_32(l4Len) + rte_cpu_to_be_32(nextHeader);
}

// The UDP checksum field for a datagram contiguous after `ip` (its checksum field zero).
inline uint16_t udp6Checksum(const rte_ipv6_hdr* ip, const void* udp, uint32_t l4Len) {
    const uint16_t c = static_cast<uint16_t>(~foldChecksum(addBytes(udp, l4Len, ipv6PseudoSum(ip, l4Len, IPPROTO_UDP))));
    return c == 0 ? 0xFFFF : c;  // zero means "no checksum" (RFC 768)
}

// Whether a received datagram's UDP checksum is right (the field included in the sum).
inline bool udp6ChecksumOk(const rte_ipv6_hdr* ip, const void* udp, uint32_t l4Len) {
    return foldChecksum(addBytes(udp, l4Len, ipv6PseudoSum(ip, l4Len, IPPROTO_UDP))) == 0xFFFF;
}

}  // namespace vtepgw::packet
