// The IPv6 underlay through the real worker and control core: byte-exact VXLAN and GRE over
// IPv6 (UDP checksum, flow label, hop limit), decapsulation and learning behind an IPv6
// VTEP, every IPv6 drop reason, neighbour discovery both ways (NS answered, next hop
// solicited and the held packet released), ICMPv6 echo, MLDv2 join and query, and a
// dual-stack bridge.
#include "control/commands.h"
#include "control/report.h"
#include "dataplane/fixture.h"
#include "encap/vxlan.h"

using namespace dptest;
using netaddr::Ipv6Address;

namespace {

const Ipv6Address kOur6 = *Ipv6Address::parse("2001:db8:62::68");
const Ipv6Address kPeer6 = *Ipv6Address::parse("2001:db8:61::67");
const Ipv6Address kGateway6 = *Ipv6Address::parse("2001:db8:62::1");
const MacAddress kGatewayMac = *MacAddress::parse("02:00:00:00:06:01");

const char* kV6 = R"({
  "ports": { "up": {"device": "ring_up"}, "a": {"device": "ring_a"},
             "b": {"device": "ring_b"}, "t": {"device": "ring_t"} },
  "underlay": { "port": "up", "addresses": ["10.0.0.2/24", "2001:db8:62::68/64"],
                "gateway": "2001:db8:62::1",
                "neighbors": [ {"address": "2001:db8:62::1", "mac": "02:00:00:00:06:01"},
                               {"address": "10.0.0.9", "mac": "02:00:00:00:09:09"} ] },
  "bridges": { "tenant": { "vni": 4242, "flood_vteps": ["2001:db8:61::67"],
                           "members": [ {"port": "a"}, {"port": "b"} ] },
               "gre6": { "vni": 77, "encapsulation": "gre", "flood_vteps": ["2001:db8:61::67"],
                         "members": [ {"port": "t", "vlan": 100} ] } }
})";

class Ipv6Underlay : public Dataplane {
protected:
    virtual const char* config() const { return kV6; }
    void adjust(config::Config& c) const override {
        auto r = config::parse(config());
        ASSERT_TRUE(r.config) << r.errors[0].toString();
        c = *r.config;
    }

    // VXLAN over IPv6 as vtepd must send it for `inner`: the source port and flow label
    // are the flow hash's (taken from `got`, checked to be related as RFC 6438 asks), the
    // UDP checksum computed by the builder.
    Bytes expectedVxlan6(const Bytes& inner, const Bytes& got, const MacAddress& nextHop = kGatewayMac,
                         const Ipv6Address& dst = kPeer6) {
        EXPECT_GE(got.size(), 70u);
        if (got.size() < 70) return {};
        const uint16_t sport = static_cast<uint16_t>(got[54] << 8 | got[55]);
        EXPECT_GE(sport, 49152);
        const uint32_t flow = (uint32_t{got[15]} & 0x0F) << 16 | uint32_t{got[16]} << 8 | got[17];
        EXPECT_EQ(flow, encap::vxlan::flowLabelFor(rte_cpu_to_be_16(sport)));
        return FrameBuilder().ether(nextHop, ourMac(), 0x86DD).ipv6(kOur6, dst, 17, 64, flow)
            .udp(sport, 4789).vxlan(4242).frame(inner).build();
    }

    Bytes vxlan6FromPeer(const Bytes& inner, uint32_t vni = 4242, const Ipv6Address& src = kPeer6) {
        return FrameBuilder().ether(ourMac(), kGatewayMac, 0x86DD).ipv6(src, kOur6, 17)
            .udp(50000, 4789).vxlan(vni).frame(inner).build();
    }

    nlohmann::ordered_json show(const std::string& command) {
        control::Commands commands(*ctl_, *rig_->fdb, {&worker_->counters()}, {}, nlohmann::ordered_json::parse(config()),
                                   pool);
        auto r = commands.execute({{"command", command}});
        EXPECT_TRUE(r["ok"].get<bool>()) << r.dump();
        return r["result"];
    }
};

}  // namespace

TEST_F(Ipv6Underlay, FloodsLearnsAndUnicastsOverIpv6ByteExact) {
    const Bytes in = hostFrame(kBroadcast, kHostA);
    inject("a", in);
    run();
    EXPECT_EQ(collect("b").size(), 1u);
    auto up = collect("up");
    ASSERT_EQ(up.size(), 1u);
    EXPECT_EQ(up[0], expectedVxlan6(in, up[0])) << packet::hexDump(up[0]);

    const Bytes reply = hostFrame(kHostA, kHostB);
    inject("up", vxlan6FromPeer(reply));
    run();
    auto a = collect("a");
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0], reply);
    EXPECT_TRUE(collect("up").empty()) << "split horizon";

    const Bytes toB = hostFrame(kHostB, kHostA, 900);
    inject("a", toB);
    run();
    up = collect("up");
    ASSERT_EQ(up.size(), 1u);
    EXPECT_EQ(up[0], expectedVxlan6(toB, up[0])) << "unicast to the learned IPv6 VTEP";
    EXPECT_TRUE(collect("b").empty());

    bool seen = false;
    for (const auto& row : control::addressTableJson(*ctl_, *rig_->fdb))
        if (row["mac"] == kHostB.toString()) {
            seen = true;
            EXPECT_EQ(row["vtep"], "2001:db8:61::67");
        }
    EXPECT_TRUE(seen);
    const auto tunnel = ctl_->tunnels().find({kPeer6, encap::Encap::Vxlan, false});
    ASSERT_TRUE(tunnel);
    EXPECT_EQ(ctl_->totals().vteps[*tunnel].rxPackets, 1u);
    EXPECT_EQ(ctl_->totals().vteps[*tunnel].txPackets, 2u);
    bool listed = false;
    for (const auto& v : show("show vtep"))
        if (v["vtep"] == "2001:db8:61::67" && v["encapsulation"] == "vxlan") {
            listed = true;
            EXPECT_EQ(v["family"], "ipv6");
            EXPECT_EQ(v["next_hop"], "2001:db8:62::1");
            EXPECT_EQ(v["route"], "::/0");
            EXPECT_TRUE(v["reachable"].get<bool>());
        }
    EXPECT_TRUE(listed);
}

TEST_F(Ipv6Underlay, GreOverIpv6ByteExact) {
    const Bytes in = hostFrame(kBroadcast, kHostA);
    const Bytes tagged = FrameBuilder().ether(kBroadcast, kHostA, 0x8100).vlan(100, 0x0800)
        .ipv4(*Ipv4Address::parse("192.168.10.1"), *Ipv4Address::parse("192.168.10.2"), 17).udp(1234, 5678)
        .payload(18).build();
    inject("t", tagged);
    run();
    auto up = collect("up");
    ASSERT_EQ(up.size(), 1u);
    const Bytes expected = FrameBuilder().ether(kGatewayMac, ourMac(), 0x86DD).ipv6(kOur6, kPeer6, 47, 64)
        .gre(77).frame(in).build();
    EXPECT_EQ(up[0], expected) << packet::hexDump(up[0]);
    // And back: GRE over IPv6 from the peer reaches the trunk, tagged.
    inject("up", FrameBuilder().ether(ourMac(), kGatewayMac, 0x86DD).ipv6(kPeer6, kOur6, 47)
                     .gre(77).frame(hostFrame(kHostA, kHostB)).build());
    run();
    EXPECT_EQ(collect("t").size(), 1u);
}

TEST_F(Ipv6Underlay, EveryBadIpv6FrameIsANamedDrop) {
    const Bytes in = hostFrame(kHostA, kHostB);
    struct Case {
        const char* what;
        Bytes frame;
        Drop reason;
    };
    const Bytes good = vxlan6FromPeer(in);
    Bytes truncated = good;
    truncated.resize(60);
    Bytes badVersion = good;
    badVersion[14] = 0x40;
    Bytes longPayload = good;
    longPayload[18] = 0x7F;  // payload length beyond the frame
    const std::vector<Case> cases = {
        {"wrong UDP checksum", FrameBuilder().ether(ourMac(), kGatewayMac, 0x86DD).ipv6(kPeer6, kOur6, 17)
                                   .udp(50000, 4789).vxlan(4242).frame(in).corruptUdpChecksum().build(),
         Drop::bad_udp_checksum},
        {"zero UDP checksum", FrameBuilder().ether(ourMac(), kGatewayMac, 0x86DD).ipv6(kPeer6, kOur6, 17)
                                  .udp(50000, 4789).vxlan(4242).frame(in).zeroUdpChecksum().build(),
         Drop::udp_zero_checksum},
        {"destination options header", FrameBuilder().ether(ourMac(), kGatewayMac, 0x86DD).ipv6(kPeer6, kOur6, 60)
                                           .payload(Bytes{17, 0, 1, 4, 0, 0, 0, 0}).udp(50000, 4789).vxlan(4242)
                                           .frame(in).build(),
         Drop::ipv6_extension_header},
        {"fragment header", FrameBuilder().ether(ourMac(), kGatewayMac, 0x86DD).ipv6(kPeer6, kOur6, 44)
                                .payload(Bytes{17, 0, 0, 1, 0, 0, 0, 1}).frame(in).build(),
         Drop::ipv6_extension_header},
        {"to another address", FrameBuilder().ether(ourMac(), kGatewayMac, 0x86DD)
                                   .ipv6(kPeer6, *Ipv6Address::parse("2001:db8:62::99"), 17).udp(50000, 4789)
                                   .vxlan(4242).frame(in).build(),
         Drop::not_for_us},
        {"unknown VNI", vxlan6FromPeer(in, 4243), Drop::unknown_vni},
        {"truncated", truncated, Drop::truncated},
        {"version 4 in an IPv6 frame", badVersion, Drop::bad_ip_header},
        {"payload length beyond the frame", longPayload, Drop::truncated},
        {"another host's MLD report", FrameBuilder().ether(*MacAddress::parse("33:33:00:00:00:16"), kGatewayMac, 0x86DD)
                                          .ipv6(*Ipv6Address::parse("fe80::1"), *Ipv6Address::parse("ff02::16"), 0, 1)
                                          .payload(Bytes{58, 0, 5, 2, 0, 0, 1, 0}).icmpv6(143, 0).payload(4).build(),
         Drop::not_for_us},
    };
    for (const auto& c : cases) {
        const uint64_t before = drops(c.reason);
        inject("up", c.frame);
        run();
        EXPECT_EQ(drops(c.reason), before + 1) << c.what;
        EXPECT_TRUE(collect("a").empty() && collect("b").empty()) << c.what;
    }
    drainAll();
}

TEST_F(Ipv6Underlay, AnswersNeighbourSolicitationAndEcho) {
    const MacAddress router = kGatewayMac;
    // NS from the gateway for our address, to our solicited-node group, with its MAC.
    const Ipv6Address solicited = kOur6.solicitedNode();
    inject("up", FrameBuilder().ether(netaddr::multicastMacFor(solicited), router, 0x86DD)
                     .ipv6(kGateway6, solicited, 58, 255).icmpv6(135, 0).payload(Bytes{0, 0, 0, 0})
                     .payload(Bytes(kOur6.bytes.begin(), kOur6.bytes.end()))
                     .payload(Bytes{1, 1, 0x02, 0, 0, 0, 0x06, 0x01}).build());
    run();
    auto up = collect("up");
    ASSERT_EQ(up.size(), 1u);
    const MacAddress us = ourMac();
    const Bytes na = FrameBuilder().ether(router, ourMac(), 0x86DD).ipv6(kOur6, kGateway6, 58, 255)
        .icmpv6(136, 0).payload(Bytes{0x60, 0, 0, 0}).payload(Bytes(kOur6.bytes.begin(), kOur6.bytes.end()))
        .payload(Bytes{2, 1}).payload(Bytes(us.bytes.begin(), us.bytes.end())).build();
    EXPECT_EQ(up[0], na) << packet::hexDump(up[0]);
    EXPECT_EQ(ctl_->counters().events[static_cast<size_t>(Event::nd_solicitations_answered)], 1u);

    // NS for someone else's address on our solicited-node group (same low 24 bits): ignored.
    const Ipv6Address other = *Ipv6Address::parse("2001:db8:99::68");
    inject("up", FrameBuilder().ether(netaddr::multicastMacFor(solicited), router, 0x86DD)
                     .ipv6(kGateway6, solicited, 58, 255).icmpv6(135, 0).payload(Bytes{0, 0, 0, 0})
                     .payload(Bytes(other.bytes.begin(), other.bytes.end())).build());
    run();
    EXPECT_TRUE(collect("up").empty());

    // Echo to our address: answered with the same identifier, sequence and data.
    const Bytes data{0, 7, 0, 1, 'v', 't', 'e', 'p'};
    inject("up", FrameBuilder().ether(ourMac(), router, 0x86DD).ipv6(kGateway6, kOur6, 58)
                     .icmpv6(128, 0).payload(data).build());
    run();
    up = collect("up");
    ASSERT_EQ(up.size(), 1u);
    EXPECT_EQ(up[0], FrameBuilder().ether(router, ourMac(), 0x86DD).ipv6(kOur6, kGateway6, 58, 64)
                         .icmpv6(129, 0).payload(data).build()) << packet::hexDump(up[0]);
    // A router advertisement is counted and ignored (routes are configured).
    inject("up", FrameBuilder().ether(*MacAddress::parse("33:33:00:00:00:01"), router, 0x86DD)
                     .ipv6(*Ipv6Address::parse("fe80::1"), *Ipv6Address::parse("ff02::1"), 58, 255)
                     .icmpv6(134, 0).payload(12).build());
    run();
    EXPECT_TRUE(collect("up").empty());
    EXPECT_EQ(ctl_->counters().events[static_cast<size_t>(Event::router_advertisements_ignored)], 1u);
}

namespace {

// No static neighbour for the gateway: vtepd must solicit it.
const char* kUnresolved = R"({
  "ports": { "up": {"device": "ring_up"}, "a": {"device": "ring_a"},
             "b": {"device": "ring_b"}, "t": {"device": "ring_t"} },
  "underlay": { "port": "up", "address": "2001:db8:62::68/64", "gateway": "2001:db8:62::1" },
  "bridges": { "tenant": { "vni": 4242, "flood_vteps": ["2001:db8:61::67"], "group": "ff05::4242",
                           "members": [ {"port": "a"}, {"port": "b"} ] } }
})";

class Ipv6Resolve : public Ipv6Underlay {
protected:
    const char* config() const override { return kUnresolved; }
};

}  // namespace

TEST_F(Ipv6Resolve, SolicitsTheGatewayAndReleasesWhatWaited) {
    // Start-up already solicited the gateway (and ran DAD, and joined the group).
    const Bytes in = hostFrame(kBroadcast, kHostA);
    inject("a", in);
    run();
    auto up = collect("up");
    // The flood copies wait for the gateway: the one to the VTEP is held, the group's goes.
    ASSERT_EQ(up.size(), 1u);
    EXPECT_EQ(up[0][0], 0x33) << "to the group's MAC";
    EXPECT_EQ(ctl_->neighbors().entries().at(netaddr::IpAddress{kGateway6}).held.size(), 1u);

    // The gateway answers (solicited NA with its MAC): the held copy goes, to it.
    inject("up", FrameBuilder().ether(ourMac(), kGatewayMac, 0x86DD).ipv6(kGateway6, kOur6, 58, 255)
                     .icmpv6(136, 0).payload(Bytes{0xC0, 0, 0, 0})
                     .payload(Bytes(kGateway6.bytes.begin(), kGateway6.bytes.end()))
                     .payload(Bytes{2, 1, 0x02, 0, 0, 0, 0x06, 0x01}).build());
    run();
    up = collect("up");
    ASSERT_EQ(up.size(), 1u);
    EXPECT_EQ(up[0], expectedVxlan6(in, up[0])) << packet::hexDump(up[0]);
    EXPECT_EQ(ctl_->neighbors().entries().at(netaddr::IpAddress{kGateway6}).state, underlay::NeighborState::Reachable);
}

TEST_F(Ipv6Resolve, AnswersMldQueriesAndTakesVxlanToItsGroup) {
    // A router's MLDv2 general query (behind hop-by-hop with Router Alert, Maximum Response
    // Delay 0 so that the answer is due at once) is answered with the group's current state.
    inject("up", FrameBuilder().ether(*MacAddress::parse("33:33:00:00:00:01"), kGatewayMac, 0x86DD)
                     .ipv6(*Ipv6Address::parse("fe80::1"), *Ipv6Address::parse("ff02::1"), 0, 1)
                     .payload(Bytes{58, 0, 5, 2, 0, 0, 1, 0}).icmpv6(130, 0)
                     .payload(Bytes{0, 0, 0, 0}).payload(Bytes(16, 0)).payload(Bytes{2, 125, 0, 0}).build());
    run();
    auto up = collect("up");
    ASSERT_EQ(up.size(), 1u);
    const Bytes& r = up[0];
    ASSERT_GE(r.size(), 14u + 40 + 8 + 8 + 20);
    EXPECT_EQ(r[20], 0) << "hop-by-hop header";
    EXPECT_EQ(r[21], 1) << "hop limit 1";
    EXPECT_EQ(r[54], 58);
    EXPECT_EQ(r[56], 5) << "router alert";
    EXPECT_EQ(r[62], 143) << "MLDv2 report";
    EXPECT_EQ(r[70], 2) << "MODE_IS_EXCLUDE: still a member";
    const Ipv6Address group = *Ipv6Address::parse("ff05::4242");
    EXPECT_TRUE(std::equal(group.bytes.begin(), group.bytes.end(), r.begin() + 74));
    // The source is our link-local address (RFC 3810 §5).
    const Ipv6Address ll = netaddr::linkLocalFor(ourMac());
    EXPECT_TRUE(std::equal(ll.bytes.begin(), ll.bytes.end(), r.begin() + 22));
    // VXLAN to the group is ours.
    const Bytes reply = hostFrame(kBroadcast, kHostB);
    inject("up", FrameBuilder().ether(netaddr::multicastMacFor(group), kGatewayMac, 0x86DD).ipv6(kPeer6, group, 17)
                     .udp(50000, 4789).vxlan(4242).frame(reply).build());
    run();
    EXPECT_EQ(collect("a").size(), 1u);
    EXPECT_EQ(collect("b").size(), 1u);
}

TEST_F(Ipv6Underlay, LearnsAnUnknownIpv6Vtep) {
    const Ipv6Address stranger = *Ipv6Address::parse("2001:db8:63::5");
    inject("up", vxlan6FromPeer(hostFrame(kHostA, kHostB), 4242, stranger));
    run();
    ctl_->poll();
    run();
    const auto tunnel = ctl_->tunnels().find({stranger, encap::Encap::Vxlan, false});
    ASSERT_TRUE(tunnel) << "a tunnel for the VTEP the MAC was learned behind";
    bool seen = false;
    for (const auto& row : control::addressTableJson(*ctl_, *rig_->fdb))
        if (row["mac"] == kHostB.toString()) {
            seen = true;
            EXPECT_EQ(row["vtep"], "2001:db8:63::5");
        }
    EXPECT_TRUE(seen);
    drainAll();
}

TEST_F(Ipv6Underlay, InnerIpv6FlowsSpreadOverSourcePorts) {
    std::set<uint16_t> ports;
    for (uint16_t sport = 1000; sport < 1016; ++sport) {
        const Bytes inner = FrameBuilder().ether(kBroadcast, kHostA, 0x86DD)
            .ipv6(*Ipv6Address::parse("2001:db8:a::1"), *Ipv6Address::parse("2001:db8:a::2"), 17)
            .udp(sport, 80).payload(10).build();
        inject("a", inner);
        run();
        for (const auto& f : collect("up"))
            if (f.size() > 56) ports.insert(static_cast<uint16_t>(f[54] << 8 | f[55]));
        drainAll();
    }
    EXPECT_GE(ports.size(), 8u) << "16 inner IPv6 flows between two MACs";
}

TEST_F(Ipv6Resolve, AnMldv1QuerierGetsMldv1Reports) {
    // An MLDv1 general query (24 bytes, RFC 2710): answered with an MLDv1 report to the group.
    inject("up", FrameBuilder().ether(*MacAddress::parse("33:33:00:00:00:01"), kGatewayMac, 0x86DD)
                     .ipv6(*Ipv6Address::parse("fe80::1"), *Ipv6Address::parse("ff02::1"), 0, 1)
                     .payload(Bytes{58, 0, 5, 2, 0, 0, 1, 0}).icmpv6(130, 0)
                     .payload(Bytes{0, 0, 0, 0}).payload(Bytes(16, 0)).build());
    run();
    auto up = collect("up");
    ASSERT_EQ(up.size(), 1u);
    const Ipv6Address group = *Ipv6Address::parse("ff05::4242");
    const Bytes& r = up[0];
    ASSERT_EQ(r.size(), 14u + 40 + 8 + 24);
    EXPECT_EQ(r[62], 131) << "MLDv1 report";
    EXPECT_TRUE(std::equal(group.bytes.begin(), group.bytes.end(), r.begin() + 38)) << "sent to the group";
    EXPECT_TRUE(std::equal(group.bytes.begin(), group.bytes.end(), r.begin() + 70)) << "about the group";
    EXPECT_EQ(r[0], 0x33);
    EXPECT_EQ(r[5], 0x42);
    // Until the compatibility timer runs out, a leave is an MLDv1 done to all routers.
    ctl_->shutdown();
    run();
    up = collect("up");
    ASSERT_EQ(up.size(), 1u);
    EXPECT_EQ(up[0][62], 132) << "MLDv1 done";
    const Ipv6Address allRouters = *Ipv6Address::parse("ff02::2");
    EXPECT_TRUE(std::equal(allRouters.bytes.begin(), allRouters.bytes.end(), up[0].begin() + 38));
}
