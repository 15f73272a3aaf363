// Encapsulation arithmetic and the underlay classifier, on bytes (no DPDK runtime needed).
#include <gtest/gtest.h>

#include <rte_ip.h>

#include <random>

#include "common/fixtures.h"
#include "packet/builder.h"
#include "encap/classify.h"
#include "encap/gre.h"
#include "encap/vxlan.h"

using namespace vtepgw;
using netaddr::Ipv4Address;
using netaddr::MacAddress;
using packet::Bytes;
using packet::FrameBuilder;

using namespace vtepgw::fixtures;

namespace {

state::ForwardingState makeState() {
    state::ForwardingState st;
    st.localIpBe = kOurIp.toNetwork();
    st.localMac = ether(kOurMac);
    st.vxlanPortsBe[0] = rte_cpu_to_be_16(4789);
    st.vxlanPortCount = 1;
    st.vniToBridge = state::FlatMap32({{10, 0}, {20, 1}});
    st.groups = state::FlatMap32({{0xEF010101, 1}});  // 239.1.1.1
    return st;
}

Bytes inner() {
    return FrameBuilder().ether(kHostA, kHostB, 0x0800).ipv4(*Ipv4Address::parse("192.168.10.1"),
        *Ipv4Address::parse("192.168.10.2"), 17).udp(1000, 2000).payload(18).build();
}

FrameBuilder vxlanTo(const MacAddress& dstMac, Ipv4Address dstIp, uint16_t port = 4789) {
    FrameBuilder f;
    f.ether(dstMac, kPeerMac, 0x0800).ipv4(kPeerIp, dstIp, 17).udp(50000, port);
    return f;
}

encap::UnderlayResult classify(const Bytes& b) {
    static const state::ForwardingState st = makeState();
    return encap::classifyUnderlay(b.data(), static_cast<uint32_t>(b.size()), st);
}

}  // namespace

TEST(Encap, OuterHeaderChecksumAndLengthsArePatchedCorrectly) {
    const packet::OuterHeaders hdr =
        encap::vxlan::buildOuterTemplate({ether(kOurMac), ether(kPeerMac), kOurIp.host, kPeerIp.host, 64, 4789});
    for (uint16_t innerLen : {14, 60, 64, 1000, 1450, 1514, 9000}) {
        packet::OuterHeaders out;
        encap::vxlan::writeOuter(&out, hdr, packet::vniToWireBe(0xABCDEF), innerLen, rte_cpu_to_be_16(50001));
        EXPECT_EQ(rte_ipv4_cksum(&out.ip), 0) << "checksum must verify for inner length " << innerLen;
        EXPECT_EQ(rte_be_to_cpu_16(out.ip.total_length), innerLen + 36);
        EXPECT_EQ(rte_be_to_cpu_16(out.udp.dgram_len), innerLen + 16);
        EXPECT_EQ(out.udp.dgram_cksum, 0);
        EXPECT_EQ(rte_be_to_cpu_16(out.udp.src_port), 50001);
        EXPECT_EQ(rte_be_to_cpu_16(out.udp.dst_port), 4789);
        EXPECT_EQ(out.ip.time_to_live, 64);
        EXPECT_EQ(out.ip.fragment_offset, 0) << "DF must be clear";
        EXPECT_EQ(packet::vniFromWireBe(out.vxlan.vx_vni), 0xABCDEFu);
        EXPECT_EQ(reinterpret_cast<const uint8_t*>(&out.vxlan)[0], 0x08);
    }
}

TEST(Encap, MatchesAnIndependentlyBuiltPacket) {
    const Bytes in = inner();
    const Bytes expected = FrameBuilder().ether(kPeerMac, kOurMac, 0x0800).ipv4(kOurIp, kPeerIp, 17, 64)
                               .udp(50001, 4789).vxlan(10).frame(in).build();
    const packet::OuterHeaders hdr =
        encap::vxlan::buildOuterTemplate({ether(kOurMac), ether(kPeerMac), kOurIp.host, kPeerIp.host, 64, 4789});
    packet::OuterHeaders out;
    encap::vxlan::writeOuter(&out, hdr, packet::vniToWireBe(10), static_cast<uint16_t>(in.size()), rte_cpu_to_be_16(50001));
    Bytes got(sizeof out + in.size());
    std::memcpy(got.data(), &out, sizeof out);
    std::memcpy(got.data() + sizeof out, in.data(), in.size());
    // The builder uses IP ID 0x1234; ours is 0. Normalise ID and checksum, check both apart.
    Bytes e = expected;
    e[18] = e[19] = 0;
    e[24] = got[24];
    e[25] = got[25];
    EXPECT_EQ(got, e) << "got\n" << packet::hexDump(got) << "\nexpected\n" << packet::hexDump(e);
}

TEST(Encap, SourcePortStaysInRangeAndFollowsTheFlow) {
    const Bytes a = inner();
    Bytes b = a;
    b[14 + 20] ^= 1;  // another UDP source port: another flow
    const uint32_t ha = encap::vxlan::innerFlowHash(a.data(), static_cast<uint32_t>(a.size()));
    EXPECT_EQ(ha, encap::vxlan::innerFlowHash(a.data(), static_cast<uint32_t>(a.size())));
    EXPECT_NE(ha, encap::vxlan::innerFlowHash(b.data(), static_cast<uint32_t>(b.size())));
    for (uint32_t h = 0; h < 2000000; h += 9973) {
        const uint16_t p = encap::vxlan::sourcePortFor(h * 2654435761u, 49152, 16384);
        EXPECT_GE(p, 49152);
    }
    EXPECT_EQ(encap::vxlan::sourcePortFor(0xFFFFFFFF, 1000, 1), 1000);
    EXPECT_EQ(encap::vxlan::sourcePortFor(0xFFFFFFFF, 49152, 16384), 65535);
}

TEST(Decap, AcceptsVxlanForUs) {
    const Bytes in = inner();
    const Bytes frame = vxlanTo(kOurMac, kOurIp).vxlan(10).frame(in).payload(4).build();
    Bytes padded = frame;
    padded.resize(padded.size() + 6, 0);  // Ethernet padding beyond the IP total length
    const auto r = classify(padded);
    ASSERT_EQ(r.verdict, encap::UnderlayVerdict::Tunnel);
    EXPECT_EQ(r.bridge, 0);
    EXPECT_EQ(r.srcIpHost, kPeerIp.host);
    EXPECT_EQ(r.innerLen, in.size() + 4);
    EXPECT_FALSE(r.reservedBits);
}

TEST(Decap, AcceptsVxlanToAJoinedGroupOnly) {
    const MacAddress groupMac = netaddr::multicastMacFor(*Ipv4Address::parse("239.1.1.1"));
    const auto ok = classify(vxlanTo(groupMac, *Ipv4Address::parse("239.1.1.1")).vxlan(10).frame(inner()).build());
    EXPECT_EQ(ok.verdict, encap::UnderlayVerdict::Tunnel);
    const auto other = classify(vxlanTo(netaddr::multicastMacFor(*Ipv4Address::parse("239.1.1.2")),
                                        *Ipv4Address::parse("239.1.1.2")).vxlan(10).frame(inner()).build());
    EXPECT_EQ(other.verdict, encap::UnderlayVerdict::Drop);
    EXPECT_EQ(other.reason, counters::Drop::not_for_us);
    const auto icmpToGroup = classify(FrameBuilder().ether(groupMac, kPeerMac, 0x0800)
        .ipv4(kPeerIp, *Ipv4Address::parse("239.1.1.1"), 1).icmpEcho(true, 1, 1).build());
    EXPECT_EQ(icmpToGroup.reason, counters::Drop::not_for_us);
}

TEST(Decap, IgmpWithRouterAlertGoesToTheControlCore) {
    // 24-byte IPv4 header (Router Alert), general query to 224.0.0.1.
    Bytes q = {0x01, 0x00, 0x5e, 0, 0, 1, 2, 0, 0, 0, 0, 9, 0x08, 0x00,
               0x46, 0xc0, 0, 32, 0, 0, 0x40, 0, 1, 2, 0, 0, 10, 0, 0, 9, 224, 0, 0, 1,
               0x94, 0x04, 0, 0, 0x11, 100, 0, 0, 0, 0, 0, 0};
    const uint16_t c = rte_ipv4_cksum(reinterpret_cast<const rte_ipv4_hdr*>(&q[14]));
    std::memcpy(&q[24], &c, 2);
    EXPECT_EQ(classify(q).verdict, encap::UnderlayVerdict::ToControl);
}

TEST(Decap, ReservedBitsAreAcceptedAndFlagged) {
    const auto r = classify(vxlanTo(kOurMac, kOurIp).vxlan(20, 0x0C).frame(inner()).build());
    ASSERT_EQ(r.verdict, encap::UnderlayVerdict::Tunnel);
    EXPECT_EQ(r.bridge, 1);
    EXPECT_TRUE(r.reservedBits);
}

TEST(Decap, ArpAndIcmpGoToTheControlCore) {
    const MacAddress bcast = *MacAddress::parse("ff:ff:ff:ff:ff:ff");
    EXPECT_EQ(classify(FrameBuilder().ether(bcast, kPeerMac, 0x0806).arp(1, kPeerMac, kPeerIp, MacAddress{}, kOurIp).build()).verdict,
              encap::UnderlayVerdict::ToControl);
    EXPECT_EQ(classify(FrameBuilder().ether(kOurMac, kPeerMac, 0x0800).ipv4(kPeerIp, kOurIp, 1).icmpEcho(true, 1, 1).build()).verdict,
              encap::UnderlayVerdict::ToControl);
}

struct DropCase {
    const char* description;
    Bytes frame;
    counters::Drop reason;
};

class DecapDrop : public ::testing::TestWithParam<DropCase> {};

TEST_P(DecapDrop, IsDroppedWithItsReason) {
    const auto r = classify(GetParam().frame);
    EXPECT_EQ(r.verdict, encap::UnderlayVerdict::Drop) << GetParam().description;
    EXPECT_EQ(counters::dropName(r.reason), std::string(counters::dropName(GetParam().reason)))
        << GetParam().description;
}

namespace {

Bytes truncatedTo(Bytes b, size_t n) {
    b.resize(n);
    return b;
}
Bytes withByte(Bytes b, size_t at, uint8_t v) {
    b[at] = v;
    return b;
}
const Bytes kGood = vxlanTo(kOurMac, kOurIp).vxlan(10).frame(inner()).build();

std::vector<DropCase> dropCases() {
    using counters::Drop;
    std::vector<DropCase> cases = {
        {"other MAC", vxlanTo(kHostA, kOurIp).vxlan(10).frame(inner()).build(), Drop::not_for_us},
        {"other IP", vxlanTo(kOurMac, kPeerIp).vxlan(10).frame(inner()).build(), Drop::not_for_us},
        {"IPv6", FrameBuilder().ether(kOurMac, kPeerMac, 0x86DD).payload(60).build(), Drop::unsupported_ethertype},
        {"IP version 6 in IPv4 frame", withByte(kGood, 14, 0x65), Drop::bad_ip_header},
        {"IHL 4", withByte(kGood, 14, 0x44), Drop::bad_ip_header},
        {"IP options", withByte(kGood, 14, 0x46), Drop::ip_options},
        {"bad checksum", vxlanTo(kOurMac, kOurIp).vxlan(10).frame(inner()).corruptIpChecksum().build(), Drop::bad_ip_checksum},
        {"total length beyond frame", vxlanTo(kOurMac, kOurIp).vxlan(10).frame(inner()).ipTotalLength(1400).build(), Drop::truncated},
        {"total length below header", vxlanTo(kOurMac, kOurIp).vxlan(10).frame(inner()).ipTotalLength(19).build(), Drop::bad_ip_header},
        {"fragment", withByte(vxlanTo(kOurMac, kOurIp).vxlan(10).frame(inner()).build(), 20, 0x20), Drop::bad_ip_checksum},
        {"TCP to us", FrameBuilder().ether(kOurMac, kPeerMac, 0x0800).ipv4(kPeerIp, kOurIp, 6).tcp(1, 2).build(), Drop::unsupported_protocol},
        {"UDP to another port", vxlanTo(kOurMac, kOurIp, 8472).vxlan(10).frame(inner()).build(), Drop::udp_port_unknown},
        {"no I flag", vxlanTo(kOurMac, kOurIp).vxlan(10, 0x00).frame(inner()).build(), Drop::bad_vxlan_flags},
        {"unknown VNI", vxlanTo(kOurMac, kOurIp).vxlan(30).frame(inner()).build(), Drop::unknown_vni},
        {"inner 802.1Q", vxlanTo(kOurMac, kOurIp).vxlan(10).frame(FrameBuilder().ether(kHostA, kHostB, 0x8100).vlan(100, 0x0800).payload(46).build()).build(), Drop::inner_vlan_tagged},
        {"VXLAN without inner frame", vxlanTo(kOurMac, kOurIp).vxlan(10).payload(10).build(), Drop::truncated},
    };
    // A correctly checksummed fragment.
    Bytes frag = FrameBuilder().ether(kOurMac, kPeerMac, 0x0800).ipv4(kPeerIp, kOurIp, 17).udp(5, 4789).vxlan(10).frame(inner()).build();
    frag[20] = 0x20;  // MF
    frag[24] = frag[25] = 0;
    const uint16_t c = rte_ipv4_cksum(reinterpret_cast<const rte_ipv4_hdr*>(&frag[14]));
    frag[24] = static_cast<uint8_t>(c & 0xFF);
    frag[25] = static_cast<uint8_t>(c >> 8);
    cases.push_back({"fragment (MF set, checksum right)", frag, Drop::ip_fragment});
    // Truncated at every header boundary and inside each header.
    for (size_t n : {0, 6, 13, 14, 20, 33, 34, 40, 41, 42, 49, 50, 60})
        cases.push_back({"truncated", truncatedTo(kGood, n), Drop::truncated});
    return cases;
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(Table, DecapDrop, ::testing::ValuesIn(dropCases()));

namespace {

namespace {

// Where the classifier with its fast paths (a) and the full one (b) disagree about a frame,
// "" when they do not; `taken`: a fast path accepted it.
std::string disagreement(const encap::UnderlayResult& a, const encap::UnderlayResult& b, bool taken) {
    using encap::UnderlayVerdict;
    if (taken && b.verdict != UnderlayVerdict::Tunnel) return "taken fast but not a tunnel packet";
    if (a.verdict != b.verdict) return "verdict";
    if (a.encap != b.encap) return "encapsulation";
    if (a.ipv6 != b.ipv6) return "family";
    if (b.verdict == UnderlayVerdict::Drop && a.reason != b.reason) return "drop reason";
    if ((b.verdict == UnderlayVerdict::ToControl || b.verdict == UnderlayVerdict::ToHost) && a.puntClass != b.puntClass)
        return "punt class";
    if (b.verdict != UnderlayVerdict::Tunnel) return "";
    if (a.bridge != b.bridge) return "bridge";
    if (a.srcIpHost != b.srcIpHost || a.srcIp6 != b.srcIp6) return "source VTEP";
    if (a.outerLen != b.outerLen || a.innerLen != b.innerLen) return "lengths";
    if (a.reservedBits != b.reservedBits) return "reserved bits";
    return "";
}

// Classifies f with the fast paths and fully, and fails on a disagreement (the hex dump only
// then: one per frame would be most of the time). `taken`: a fast path accepted f.
void expectOneVerdict(const Bytes& f, const state::ForwardingState& st, uint64_t rx, bool taken) {
    const auto len = static_cast<uint32_t>(f.size());
    const std::string d =
        disagreement(encap::classifyUnderlay(f.data(), len, st, rx), encap::classifyUnderlayFully(f.data(), len, st, rx), taken);
    ASSERT_EQ(d, "") << packet::hexDump(f) << " rx flags " << rx;
}

}  // namespace

// The underlay's one-pass acceptance of plain VXLAN and GRE (encap::acceptVxlan4, acceptGre4) must agree with
// the full classifier on every frame: frames near the common case (valid ones with a few
// bytes changed, the IP checksum fixed half the time, cut short, with every NIC checksum
// verdict) are classified both ways and compared field by field.
TEST(Decap, FastAcceptanceAgreesWithTheFullClassifier) {
    state::ForwardingState st = makeState();
    st.bridges.resize(5);
    for (auto& b : st.bridges) b.active = true;
    st.bridges[1].restrictVteps = true;  // VNI 20: only from allowed VTEPs (none)
    st.bridges[1].keepInnerVlan = true;
    st.vniToBridge = state::FlatMap32({{10, 0}, {20, 1}, {30, 2}});
    st.bridges[2].active = false;  // VNI 30 maps to a bridge being removed
    st.greKeyToBridge = state::FlatMap32({{4242, 3}, {4343, 4}});
    st.bridges[4].restrictVteps = true;
    const Bytes in = inner();
    Bytes tagged = FrameBuilder().ether(kHostA, kHostB, 0x8100).payload(60).build();
    const std::vector<Bytes> seeds = {
        vxlanTo(kOurMac, kOurIp).vxlan(10).frame(in).build(),
        vxlanTo(kOurMac, kOurIp).vxlan(10).frame(in).payload(6).build(),
        vxlanTo(kOurMac, kOurIp).vxlan(20).frame(in).build(),
        vxlanTo(kOurMac, kOurIp).vxlan(30).frame(in).build(),
        vxlanTo(kOurMac, kOurIp).vxlan(10).frame(tagged).build(),
        vxlanTo(netaddr::multicastMacFor(*Ipv4Address::parse("239.1.1.1")), *Ipv4Address::parse("239.1.1.1"))
            .vxlan(10).frame(in).build(),
        FrameBuilder().ether(kOurMac, kPeerMac, 0x0800).ipv4(kPeerIp, kOurIp, 47).gre(4242).frame(in).build(),
        FrameBuilder().ether(kOurMac, kPeerMac, 0x0800).ipv4(kPeerIp, kOurIp, 47).gre(4343).frame(in).build(),
        FrameBuilder().ether(kOurMac, kPeerMac, 0x0800).ipv4(kPeerIp, kOurIp, 47).gre(4242, 0xB000, 0x6558, 7)
            .frame(in).build(),
        FrameBuilder().ether(kOurMac, kPeerMac, 0x0800).ipv4(kPeerIp, kOurIp, 47).gre(4242).frame(tagged).build(),
    };
    // The plain forms are what the fast path is for: it must take them.
    for (const size_t seed : {size_t{0}, size_t{6}}) {
        encap::UnderlayResult r;
        const auto* f = seeds[seed].data();
        const auto len = static_cast<uint32_t>(seeds[seed].size());
        ASSERT_TRUE(seed == 0 ? encap::acceptVxlan4(f, len, st, 0, r) : encap::acceptGre4(f, len, st, 0, r));
        EXPECT_EQ(r.encap, seed == 0 ? encap::Encap::Vxlan : encap::Encap::Gre);
        EXPECT_EQ(r.bridge, seed == 0 ? 0 : 3);
        EXPECT_EQ(r.innerLen, in.size());
    }
    const uint64_t flags[] = {0, RTE_MBUF_F_RX_IP_CKSUM_GOOD, RTE_MBUF_F_RX_IP_CKSUM_BAD, RTE_MBUF_F_RX_IP_CKSUM_NONE};
    std::mt19937 rng(1624);
    unsigned fast = 0, full = 0;
    for (int i = 0; i < 300000; ++i) {
        Bytes f = seeds[rng() % seeds.size()];
        const unsigned changes = rng() % 3;
        for (unsigned c = 0; c < changes; ++c) f[rng() % std::min<size_t>(f.size(), 80)] = static_cast<uint8_t>(rng());
        if (rng() % 2 == 0) {
            f[24] = f[25] = 0;
            const uint16_t sum = rte_ipv4_cksum(reinterpret_cast<const rte_ipv4_hdr*>(&f[14]));
            std::memcpy(&f[24], &sum, 2);
        }
        if (rng() % 8 == 0) f.resize(rng() % f.size());
        const uint64_t rx = flags[rng() % 4];
        const auto len = static_cast<uint32_t>(f.size());
        encap::UnderlayResult quick;
        const bool taken = encap::acceptVxlan4(f.data(), len, st, rx, quick) || encap::acceptGre4(f.data(), len, st, rx, quick);
        (taken ? fast : full)++;
        ASSERT_NO_FATAL_FAILURE(expectOneVerdict(f, st, rx, taken));
    }
    // Both ways were exercised: the comparison above is not between two copies of one path.
    EXPECT_GT(fast, 20000u);
    EXPECT_GT(full, 20000u);
    std::printf("fast path took %u of %u frames\n", fast, fast + full);
}

// The same agreement for VXLAN over IPv6 (encap::acceptVxlan6), with the UDP checksum
// recomputed half the time after the bytes change, every NIC L4 verdict, and the two
// settings that decide about checksums (a kernel-fed underlay port, zero checksums agreed).
TEST(Decap, FastIpv6AcceptanceAgreesWithTheFullClassifier) {
    state::ForwardingState st = makeState();
    const auto our6 = *netaddr::Ipv6Address::parse("2001:db8:62::68");
    const auto peer6 = *netaddr::Ipv6Address::parse("2001:db8:61::67");
    const auto group6 = *netaddr::Ipv6Address::parse("ff05::4242");
    st.hasIp6 = true;
    std::memcpy(st.localIp6, our6.bytes.data(), 16);
    st.groups6 = state::FlatMap128({{state::FlatMap128::keyOf(group6.bytes.data()), 1}});
    st.underlayPort = 0;
    st.bridges.resize(3);
    for (auto& b : st.bridges) b.active = true;
    st.bridges[1].restrictVteps = true;
    st.bridges[1].keepInnerVlan = true;
    st.bridges[2].active = false;
    st.vniToBridge = state::FlatMap32({{10, 0}, {20, 1}, {30, 2}});
    const Bytes in = inner();
    const Bytes tagged = FrameBuilder().ether(kHostA, kHostB, 0x8100).payload(60).build();
    const auto to = [&](const MacAddress& mac, const netaddr::Ipv6Address& dst) {
        FrameBuilder f;
        f.ether(mac, kPeerMac, 0x86DD).ipv6(peer6, dst, 17).udp(50000, 4789);
        return f;
    };
    const std::vector<Bytes> seeds = {
        to(kOurMac, our6).vxlan(10).frame(in).build(),
        to(kOurMac, our6).vxlan(10).frame(in).payload(6).build(),
        to(kOurMac, our6).vxlan(20).frame(in).build(),
        to(kOurMac, our6).vxlan(30).frame(in).build(),
        to(kOurMac, our6).vxlan(10).frame(tagged).build(),
        to(kOurMac, our6).vxlan(10).frame(in).zeroUdpChecksum().build(),
        to(netaddr::multicastMacFor(group6), group6).vxlan(10).frame(in).build(),
    };
    {
        encap::UnderlayResult r;
        ASSERT_TRUE(encap::acceptVxlan6(seeds[0].data(), static_cast<uint32_t>(seeds[0].size()), st, 0, r));
        EXPECT_TRUE(r.ipv6);
        EXPECT_EQ(r.bridge, 0);
        EXPECT_EQ(r.innerLen, in.size());
        EXPECT_EQ(std::memcmp(r.srcIp6, peer6.bytes.data(), 16), 0);
    }
    const uint64_t flags[] = {0, RTE_MBUF_F_RX_L4_CKSUM_GOOD, RTE_MBUF_F_RX_L4_CKSUM_BAD, RTE_MBUF_F_RX_L4_CKSUM_NONE};
    std::mt19937 rng(6936);
    unsigned fast = 0, full = 0;
    for (int i = 0; i < 300000; ++i) {
        Bytes f = seeds[rng() % seeds.size()];
        const unsigned changes = rng() % 3;
        for (unsigned c = 0; c < changes; ++c) f[rng() % std::min<size_t>(f.size(), 90)] = static_cast<uint8_t>(rng());
        const uint16_t payloadLen = static_cast<uint16_t>(f[18] << 8 | f[19]);
        if (rng() % 2 == 0 && f.size() >= 62 && payloadLen >= 8 && payloadLen <= f.size() - 54) {
            f[60] = f[61] = 0;
            const uint16_t sum = packet::udp6Checksum(reinterpret_cast<const rte_ipv6_hdr*>(&f[14]), &f[54], payloadLen);
            f[60] = static_cast<uint8_t>(sum >> 8);
            f[61] = static_cast<uint8_t>(sum);
        }
        if (rng() % 8 == 0) f.resize(rng() % f.size());
        st.ports[0].completeChecksums = rng() % 4 == 0;
        st.udp6ZeroChecksumRx = rng() % 2 == 0;
        const uint64_t rx = flags[rng() % 4];
        const auto len = static_cast<uint32_t>(f.size());
        encap::UnderlayResult quick;
        const bool taken = encap::acceptVxlan6(f.data(), len, st, rx, quick);
        (taken ? fast : full)++;
        ASSERT_NO_FATAL_FAILURE(expectOneVerdict(f, st, rx, taken));
    }
    EXPECT_GT(fast, 20000u);
    EXPECT_GT(full, 20000u);
    std::printf("fast path took %u of %u IPv6 frames\n", fast, fast + full);
}

TEST(Checksum, FastIpv4HeaderCheckAgreesWithDpdk) {
    std::mt19937 rng(42);
    for (int i = 0; i < 20000; ++i) {
        alignas(8) uint8_t h[20];
        for (auto& b : h) b = static_cast<uint8_t>(rng());
        h[0] = 0x45;
        if (i % 2 == 0) {
            // Make it valid half of the time.
            h[10] = h[11] = 0;
            const uint16_t c = rte_ipv4_cksum(reinterpret_cast<const rte_ipv4_hdr*>(h));
            std::memcpy(h + 10, &c, 2);
        }
        const bool dpdk = rte_ipv4_cksum(reinterpret_cast<const rte_ipv4_hdr*>(h)) == 0;
        ASSERT_EQ(packet::ipv4HeaderChecksumOk(h), dpdk) << packet::hexDump(Bytes(h, h + 20));
        if (i % 2 == 0) {
            ASSERT_TRUE(dpdk);
        }
    }
}

// RFC 1624's incremental update, against a full fold, over every value added to a sample
// of checksums (the extremes included: 0x0000 and 0xFFFF are where a fold is missed).
TEST(Checksum, IncrementalAddAgreesWithAFullFold) {
    const auto reference = [](uint16_t c, uint16_t a) {
        uint64_t sum = uint64_t{static_cast<uint16_t>(~c)} + a;
        while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
        return static_cast<uint16_t>(~sum);
    };
    for (uint32_t c : {0x0000u, 0x0001u, 0x7FFFu, 0x8000u, 0xFFFEu, 0xFFFFu, 0x1234u, 0xBEEFu})
        for (uint32_t a = 0; a <= 0xFFFF; ++a)
            ASSERT_EQ(packet::checksumAdd16(static_cast<uint16_t>(c), static_cast<uint16_t>(a)),
                      reference(static_cast<uint16_t>(c), static_cast<uint16_t>(a)))
                << "checksum " << c << " plus " << a;
}

TEST(FdbKey, FromHeaderEqualsFromMac) {
    const Bytes f = FrameBuilder().ether(kHostB, kHostA, 0x0800).payload(46).build();
    EXPECT_EQ(fdb::makeKeyFromHeader(7, f.data()), fdb::makeKey(7, kHostB.bytes.data()));
    EXPECT_EQ(fdb::makeKeyFromHeader(7, f.data() + 6), fdb::makeKey(7, kHostA.bytes.data()));
    EXPECT_EQ(fdb::keyBridge(fdb::makeKeyFromHeader(4095, f.data() + 6)), 4095);
}

}  // namespace

TEST(GreRewrite, MatchesAnIndependentlyBuiltPacketAtEveryLength) {
    encap::Tunnel t;
    encap::gre::buildRewrite(t, {ether(kOurMac), ether(kPeerMac), kOurIp.host, kPeerIp.host, 64});
    EXPECT_EQ(t.rewriteLen, 42);
    EXPECT_EQ(t.encap, encap::Encap::Gre);
    for (size_t payload : {28u, 100u, 1400u}) {
        const Bytes in = FrameBuilder().ether(kHostA, kHostB, 0x0800).ipv4(*Ipv4Address::parse("192.168.10.1"), *Ipv4Address::parse("192.168.10.2"), 17).udp(1, 2)
                             .payload(payload - 28).build();
        Bytes got(t.rewriteLen + in.size());
        encap::gre::write(got.data(), t, encap::gre::keyWireBe(4242), static_cast<uint16_t>(in.size()));
        std::memcpy(got.data() + t.rewriteLen, in.data(), in.size());
        Bytes e = FrameBuilder().ether(kPeerMac, kOurMac, 0x0800).ipv4(kOurIp, kPeerIp, 47, 64).gre(4242)
                      .frame(in).build();
        e[18] = e[19] = 0;  // our IP ID is 0
        e[24] = e[25] = 0;
        const uint16_t c = rte_ipv4_cksum(reinterpret_cast<const rte_ipv4_hdr*>(&e[14]));
        std::memcpy(&e[24], &c, 2);
        EXPECT_EQ(got, e) << packet::hexDump(got);
        EXPECT_EQ(rte_ipv4_cksum(reinterpret_cast<const rte_ipv4_hdr*>(&got[14])), 0);
    }
}

TEST(GreClassify, ParsesOptionalFieldsAndNamesEachDrop) {
    const Bytes body = FrameBuilder().ether(kHostA, kHostB, 0x0800).payload(46).build();
    auto parse = [&](uint16_t flags, uint16_t proto = 0x6558) {
        const Bytes g = FrameBuilder().ipv4(kPeerIp, kOurIp, 47).gre(7, flags, proto, 9).frame(body).build();
        return encap::gre::classify(g.data() + 20, static_cast<uint16_t>(g.size()));
    };
    auto r = parse(0x2000);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.key, 7u);
    EXPECT_EQ(r.outerLen, 14 + 20 + 8);
    EXPECT_EQ(r.innerLen, body.size());
    r = parse(0xB000);
    ASSERT_TRUE(r.ok) << "checksum (verified) and sequence number (ignored)";
    EXPECT_EQ(r.outerLen, 14 + 20 + 16);
    EXPECT_EQ(r.key, 7u);
    EXPECT_EQ(parse(0x2002).reason, counters::Drop::gre_bad_version);
    EXPECT_EQ(parse(0x4000).reason, counters::Drop::gre_routing);
    EXPECT_EQ(parse(0x2000, 0x86DD).reason, counters::Drop::gre_not_ethernet);
    EXPECT_EQ(parse(0x0000).reason, counters::Drop::gre_unknown_key);
    const Bytes tiny = FrameBuilder().ipv4(kPeerIp, kOurIp, 47).payload(3).build();
    EXPECT_EQ(encap::gre::classify(tiny.data() + 20, static_cast<uint16_t>(tiny.size())).reason, counters::Drop::truncated);
}
