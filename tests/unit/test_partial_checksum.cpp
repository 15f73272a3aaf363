// Partial TCP/UDP checksums (the kernel's CHECKSUM_PARTIAL) are completed; complete ones,
// other protocols and fragments are left alone; truncated super-frames are recognised.
#include <gtest/gtest.h>

#include "packet/builder.h"
#include "packet/headers.h"
#include "packet/partial_checksum.h"

#include <random>

using namespace vtepgw;
using netaddr::Ipv4Address;
using netaddr::MacAddress;
using packet::Bytes;
using packet::FrameBuilder;
using packet::PartialChecksum;

namespace {

const MacAddress kA = *MacAddress::parse("02:aa:00:00:00:01");
const MacAddress kB = *MacAddress::parse("02:bb:00:00:00:01");
const Ipv4Address kIpA = *Ipv4Address::parse("192.168.10.1");
const Ipv4Address kIpB = *Ipv4Address::parse("192.168.10.2");

// What a sender with TX checksum offload puts on the wire: the pseudo-header sum.
Bytes partial(Bytes f, size_t l3, size_t field) {
    f[l3 + 20 + field] = f[l3 + 20 + field + 1] = 0;
    const uint16_t p = rte_ipv4_phdr_cksum(reinterpret_cast<const rte_ipv4_hdr*>(&f[l3]), 0);
    std::memcpy(&f[l3 + 20 + field], &p, 2);
    return f;
}

}  // namespace

TEST(PartialChecksum, TcpAndUdpAreCompletedToWhatTheSenderMeant) {
    const Bytes tcp = FrameBuilder().ether(kB, kA, 0x0800).ipv4(kIpA, kIpB, 6).tcp(40000, 5201).payload(1400, 7).build();
    Bytes f = partial(tcp, 14, 16);
    ASSERT_NE(f, tcp);
    EXPECT_EQ(packet::completePartialChecksum(f.data(), static_cast<uint32_t>(f.size())), PartialChecksum::Completed);
    EXPECT_EQ(f, tcp);

    Bytes udp = FrameBuilder().ether(kB, kA, 0x0800).ipv4(kIpA, kIpB, 17).udp(1234, 5678).payload(100, 3).build();
    udp[40] = udp[41] = 0;  // the builder leaves UDP unchecksummed: fill in the real one
    const uint16_t c = rte_ipv4_udptcp_cksum(reinterpret_cast<const rte_ipv4_hdr*>(&udp[14]), &udp[34]);
    std::memcpy(&udp[40], &c, 2);
    f = partial(udp, 14, 6);
    EXPECT_EQ(packet::completePartialChecksum(f.data(), static_cast<uint32_t>(f.size())), PartialChecksum::Completed);
    EXPECT_EQ(f, udp);
}

TEST(PartialChecksum, TaggedFramesToo) {
    const Bytes inner = FrameBuilder().ipv4(kIpA, kIpB, 6).tcp(1, 2).payload(64, 1).build();
    Bytes tcp = FrameBuilder().ether(kB, kA, 0x8100).vlan(100, 0x0800).build();
    tcp.insert(tcp.end(), inner.begin(), inner.end());
    Bytes f = partial(tcp, 18, 16);
    EXPECT_EQ(packet::completePartialChecksum(f.data(), static_cast<uint32_t>(f.size())), PartialChecksum::Completed);
    EXPECT_EQ(f, tcp);
}

TEST(PartialChecksum, CompleteOrForeignFramesAreLeftAlone) {
    Bytes tcp = FrameBuilder().ether(kB, kA, 0x0800).ipv4(kIpA, kIpB, 6).tcp(40000, 5201).payload(200).build();
    const Bytes orig = tcp;
    EXPECT_EQ(packet::completePartialChecksum(tcp.data(), static_cast<uint32_t>(tcp.size())), PartialChecksum::Untouched);
    EXPECT_EQ(tcp, orig);
    Bytes udpNoSum = FrameBuilder().ether(kB, kA, 0x0800).ipv4(kIpA, kIpB, 17).udp(1, 2).payload(20).build();
    udpNoSum[40] = udpNoSum[41] = 0;
    const Bytes noSum = udpNoSum;
    EXPECT_EQ(packet::completePartialChecksum(udpNoSum.data(), static_cast<uint32_t>(udpNoSum.size())),
              PartialChecksum::Untouched) << "UDP over IPv4 without a checksum stays without";
    EXPECT_EQ(udpNoSum, noSum);
    Bytes arp = FrameBuilder().ether(kB, kA, 0x0806).arp(1, kA, kIpA, MacAddress{}, kIpB).build();
    EXPECT_EQ(packet::completePartialChecksum(arp.data(), static_cast<uint32_t>(arp.size())), PartialChecksum::Untouched);
    Bytes frag = partial(FrameBuilder().ether(kB, kA, 0x0800).ipv4(kIpA, kIpB, 6).tcp(1, 2).payload(64).build(), 14, 16);
    frag[20] |= 0x20;  // more fragments
    EXPECT_EQ(packet::completePartialChecksum(frag.data(), static_cast<uint32_t>(frag.size())), PartialChecksum::Untouched);
    Bytes tiny = {1, 2, 3};
    EXPECT_EQ(packet::completePartialChecksum(tiny.data(), 3), PartialChecksum::Untouched);
}

TEST(PartialChecksum, ATruncatedSuperFrameIsRecognised) {
    // A 64 KiB TSO frame cut to what af_packet's slot holds.
    Bytes f = FrameBuilder().ether(kB, kA, 0x0800).ipv4(kIpA, kIpB, 6).tcp(40000, 5201).payload(1900).build();
    f[16] = 0xFF;
    f[17] = 0x00;  // total length 65280
    EXPECT_EQ(packet::completePartialChecksum(f.data(), static_cast<uint32_t>(f.size())), PartialChecksum::SuperFrame);
}

TEST(Checksum, Udp6MatchesDpdkForEveryLength) {
    std::mt19937 rng(42);
    for (uint32_t len = 8; len < 200; ++len) {
        std::vector<uint8_t> f(sizeof(rte_ipv6_hdr) + len);
        for (auto& b : f) b = static_cast<uint8_t>(rng());
        auto* ip = reinterpret_cast<rte_ipv6_hdr*>(f.data());
        ip->payload_len = rte_cpu_to_be_16(static_cast<uint16_t>(len));
        ip->proto = IPPROTO_UDP;
        auto* udp = reinterpret_cast<rte_udp_hdr*>(ip + 1);
        udp->dgram_len = rte_cpu_to_be_16(static_cast<uint16_t>(len));
        udp->dgram_cksum = 0;
        const uint16_t ours = vtepgw::packet::udp6Checksum(ip, udp, len);
        EXPECT_EQ(ours, rte_ipv6_udptcp_cksum(ip, udp)) << "length " << len;
        udp->dgram_cksum = ours;
        EXPECT_TRUE(vtepgw::packet::udp6ChecksumOk(ip, udp, len)) << "length " << len;
        EXPECT_EQ(rte_ipv6_udptcp_cksum_verify(ip, udp), 0) << "length " << len;
        f.back() ^= 0x01;
        EXPECT_FALSE(vtepgw::packet::udp6ChecksumOk(ip, udp, len)) << "length " << len;
    }
}

// The add-with-carry sum against DPDK's 16-bit one at every length and alignment, on random
// bytes and on all-ones (every add carries).
TEST(Checksum, WordSumsMatchDpdkAtEveryLengthAndAlignment) {
    std::mt19937 rng(7);
    std::vector<uint8_t> buf(2100);
    for (int pattern = 0; pattern < 2; ++pattern) {
        for (auto& b : buf) b = pattern == 0 ? static_cast<uint8_t>(rng()) : 0xFF;
        for (size_t offset = 0; offset < 8; ++offset)
            for (size_t len = 0; len < 2048; len += (len < 80 ? 1 : 37)) {
                const uint64_t start = pattern == 0 ? rng() : ~uint64_t{0} - 1;
                const uint16_t ours = vtepgw::packet::foldChecksum(vtepgw::packet::addBytes(&buf[offset], len, start));
                // The same start value folded, plus DPDK's sum of the bytes, folded again.
                uint32_t want = vtepgw::packet::foldChecksum(start);
                want += rte_raw_cksum(&buf[offset], len);
                want = (want & 0xFFFF) + (want >> 16);
                want = (want & 0xFFFF) + (want >> 16);
                // 0x0000 and 0xFFFF are the same number in one's complement.
                const auto norm = [](uint32_t v) { return v == 0xFFFF ? 0u : v; };
                ASSERT_EQ(norm(ours), norm(want)) << "pattern " << pattern << " offset " << offset << " length " << len;
            }
    }
}
