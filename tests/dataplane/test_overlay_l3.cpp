// L3 on the overlay, byte for byte: the gateway answers ARP and ping on its own bridge (from
// members and from the tunnel) and nowhere else, routes between the bridges of one VRF (TTL,
// checksum, MACs), resolves destinations by ARP inside the destination bridge, sends ICMP
// errors for what it cannot route, and suppresses ARP for known hosts.
#include "dataplane/fixture.h"

namespace dptest {
namespace {

// br10: a, b; gateway 192.168.10.254, MAC derived. br20: t vlan 100 and the peer VTEP;
// gateway 192.168.20.254 at a fixed MAC, ARP suppression, one static binding. br30: in VRF
// "blue", only the tunnel.
const char* kL3Config = R"({
  "ports": { "up": {"device": "ring_up"}, "a": {"device": "ring_a"},
             "b": {"device": "ring_b"}, "t": {"device": "ring_t"} },
  "underlay": { "port": "up", "address": "10.0.0.2/24",
                "neighbors": [ {"address": "10.0.0.9", "mac": "02:00:00:00:09:09"} ] },
  "bridges": {
    "br10": { "vni": 10, "flood_vteps": ["10.0.0.9"], "members": [ {"port": "a"}, {"port": "b"} ],
              "address": "192.168.10.254/24" },
    "br20": { "vni": 20, "flood_vteps": ["10.0.0.9"], "members": [ {"port": "t", "vlan": 100} ],
              "address": ["192.168.20.254/24"], "gateway_mac": "02:00:00:00:fe:20",
              "arp_suppression": true, "arp_limit": 8,
              "neighbors": [ {"address": "192.168.20.100", "mac": "02:dd:00:00:00:01"} ] },
    "br30": { "vni": 30, "flood_vteps": ["10.0.0.9"], "vrf": "blue", "address": "192.168.30.254/24" }
  }
})";

const Ipv4Address kA = *Ipv4Address::parse("192.168.10.1");
const Ipv4Address kGw10 = *Ipv4Address::parse("192.168.10.254");
const Ipv4Address kB = *Ipv4Address::parse("192.168.20.1");
const Ipv4Address kR = *Ipv4Address::parse("192.168.20.7");  // behind the peer VTEP
const Ipv4Address kGw20 = *Ipv4Address::parse("192.168.20.254");
const MacAddress kGwMac20 = *MacAddress::parse("02:00:00:00:fe:20");
const MacAddress kHostR = *MacAddress::parse("02:cc:00:00:00:07");
const MacAddress kHostC = *MacAddress::parse("02:cc:00:00:00:09");
const MacAddress kStaticMac = *MacAddress::parse("02:dd:00:00:00:01");

Ipv4Address ip(const char* s) { return *Ipv4Address::parse(s); }

class OverlayL3 : public Dataplane {
protected:
    void adjust(config::Config& c) const override {
        auto parsed = config::parse(kL3Config);
        ASSERT_TRUE(parsed.config.has_value()) << (parsed.errors.empty() ? "" : parsed.errors[0].reason);
        c = *parsed.config;
    }
    underlay::NeighborTimings neighborTimings() const override {
        underlay::NeighborTimings t;
        t.retryMs = 20;
        t.maxProbes = 2;
        return t;
    }

    MacAddress gwMac10() const {
        rte_ether_addr g = ctl_->gatewayMac(*cfg_.findBridge("br10"));
        MacAddress m;
        std::copy(std::begin(g.addr_bytes), std::end(g.addr_bytes), m.bytes.begin());
        return m;
    }
    fdb::BridgeId id(const char* bridge) const { return ctl_->bridgeIds().at(bridge); }
    const counters::BridgeCounters bridge(const char* name) { return ctl_->totals().bridges[id(name)]; }

    static Bytes arpRequest(const MacAddress& sha, Ipv4Address sip, Ipv4Address tip) {
        return FrameBuilder().ether(kBroadcast, sha, 0x0806).arp(1, sha, sip, MacAddress{}, tip).build();
    }
    static Bytes tagged(const Bytes& untagged, uint16_t vlan = 100) {
        Bytes b(untagged.size() + 4);
        for (size_t i = 0; i < 12; ++i) b[i] = untagged[i];
        b[12] = 0x81;
        b[13] = 0x00;
        b[14] = static_cast<uint8_t>(vlan >> 8);
        b[15] = static_cast<uint8_t>(vlan);
        for (size_t i = 12; i < untagged.size(); ++i) b[i + 4] = untagged[i];
        return b;
    }
    // The inner frame of a VXLAN packet we sent in VNI `vni`.
    static Bytes innerOf(const Bytes& outer, uint32_t vni) {
        EXPECT_GE(outer.size(), 50u);
        EXPECT_EQ((uint32_t{outer[46]} << 16 | uint32_t{outer[47]} << 8 | outer[48]), vni);
        return Bytes(outer.begin() + 50, outer.end());
    }
    Bytes fromPeerVni(const Bytes& inner, uint32_t vni) { return fromPeer(inner, vni); }
    Bytes udpFrom(const MacAddress& dst, const MacAddress& src, Ipv4Address s, Ipv4Address d, uint8_t ttl = 64) {
        return FrameBuilder().ether(dst, src, 0x0800).ipv4(s, d, 17, ttl).udp(1234, 5678).payload(18).build();
    }
    // Host B on t (vlan 100) and R behind the peer make themselves known (GARP each).
    void announceB() {
        inject("t", tagged(FrameBuilder().ether(kBroadcast, kHostB, 0x0806).arp(1, kHostB, kB, MacAddress{}, kB).build()));
        run();
        drainAll();
    }
    void announceR() {
        inject("up", fromPeerVni(FrameBuilder().ether(kBroadcast, kHostR, 0x0806).arp(1, kHostR, kR, MacAddress{}, kR).build(), 20));
        run();
        drainAll();
    }
};

TEST_F(OverlayL3, GatewayAnswersArpFromMember) {
    inject("a", arpRequest(kHostA, kA, kGw10));
    run();
    auto a = collect("a");
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0], FrameBuilder().ether(kHostA, gwMac10(), 0x0806).arp(2, gwMac10(), kGw10, kHostA, kA).build());
    EXPECT_TRUE(collect("b").empty());
    EXPECT_TRUE(collect("up").empty()) << "a request for the gateway is not flooded into the tunnel";
    EXPECT_EQ(bridge("br10").gatewayReplies, 1u);
    // Derived: locally administered and not the underlay MAC.
    EXPECT_TRUE(gwMac10().bytes[0] & 0x02);
    EXPECT_NE(gwMac10(), ourMac());
}

TEST_F(OverlayL3, GatewayAnswersArpFromTheTunnel) {
    inject("up", fromPeerVni(arpRequest(kHostR, ip("192.168.10.7"), kGw10), 10));
    run();
    auto up = collect("up");
    ASSERT_EQ(up.size(), 1u);
    EXPECT_EQ(normalised(up[0]), expectedVxlan(FrameBuilder().ether(kHostR, gwMac10(), 0x0806)
                                              .arp(2, gwMac10(), kGw10, kHostR, ip("192.168.10.7")).build()));
    EXPECT_TRUE(collect("a").empty());
    EXPECT_TRUE(collect("b").empty());
}

TEST_F(OverlayL3, GatewayAnswersPing) {
    inject("a", FrameBuilder().ether(gwMac10(), kHostA, 0x0800).ipv4(kA, kGw10, 1).icmpEcho(true, 9, 3).payload(24).build());
    run();
    auto a = collect("a");
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0], FrameBuilder().ether(kHostA, gwMac10(), 0x0800).ipv4(kGw10, kA, 1, 64).icmpEcho(false, 9, 3).payload(24).build())
        << packet::hexDump(a[0]);
    // The gateway's other traffic is not ours to answer.
    inject("a", udpFrom(gwMac10(), kHostA, kA, kGw10));
    run();
    EXPECT_EQ(drops(Drop::gateway_unhandled), 1u);
}

TEST_F(OverlayL3, NeverAnswersForAnotherBridge) {
    // br20 asking for br10's address: an ordinary ARP there (unknown target: flooded).
    inject("t", tagged(arpRequest(kHostB, kB, kGw10)));
    run();
    auto up = collect("up");
    ASSERT_EQ(up.size(), 1u);
    EXPECT_EQ(innerOf(up[0], 20), arpRequest(kHostB, kB, kGw10));
    EXPECT_TRUE(collect("t").empty());
    EXPECT_TRUE(collect("a").empty());
    EXPECT_EQ(bridge("br20").arpFlooded, 1u);
    EXPECT_EQ(bridge("br10").gatewayReplies, 0u);
}

TEST_F(OverlayL3, RoutesToALocalMember) {
    announceB();
    inject("a", udpFrom(gwMac10(), kHostA, kA, kB, 64));
    run();
    auto t = collect("t");
    ASSERT_EQ(t.size(), 1u);
    // TTL 63, checksum recomputed from scratch by the builder: the incremental update matches.
    EXPECT_EQ(t[0], tagged(udpFrom(kHostB, kGwMac20, kA, kB, 63))) << packet::hexDump(t[0]);
    EXPECT_EQ(bridge("br10").routed, 1u);
    EXPECT_TRUE(collect("up").empty());
    EXPECT_TRUE(collect("b").empty());
}

TEST_F(OverlayL3, RoutesIntoTheTunnel) {
    announceR();
    inject("a", udpFrom(gwMac10(), kHostA, kA, kR, 10));
    run();
    auto up = collect("up");
    ASSERT_EQ(up.size(), 1u);
    EXPECT_EQ(innerOf(up[0], 20), udpFrom(kHostR, kGwMac20, kA, kR, 9));
    // ... and back from the tunnel, routed from VNI 20 to a host of br10.
    inject("a", arpRequest(kHostA, kA, kGw10));  // A known to the gateway
    run();
    drainAll();
    inject("up", fromPeerVni(udpFrom(kGwMac20, kHostR, kR, kA, 64), 20));
    run();
    auto a = collect("a");
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0], udpFrom(kHostA, gwMac10(), kR, kA, 63));
}

TEST_F(OverlayL3, ResolvesUnknownDestinationsByArp) {
    inject("a", udpFrom(gwMac10(), kHostA, kA, ip("192.168.20.9")));
    run();
    // The gateway asks inside br20: on the member (tagged) and to the VTEP.
    const Bytes ask = FrameBuilder().ether(kBroadcast, kGwMac20, 0x0806).arp(1, kGwMac20, kGw20, MacAddress{}, ip("192.168.20.9")).build();
    Bytes padded = ask;
    padded.resize(60, 0);
    auto t = collect("t");
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(t[0], tagged(padded)) << packet::hexDump(t[0]);
    auto up = collect("up");
    ASSERT_EQ(up.size(), 1u);
    EXPECT_EQ(innerOf(up[0], 20), padded);
    EXPECT_TRUE(collect("a").empty());
    // The answer releases the packet.
    inject("t", tagged(FrameBuilder().ether(kGwMac20, kHostC, 0x0806).arp(2, kHostC, ip("192.168.20.9"), kGwMac20, kGw20).build()));
    run();
    t = collect("t");
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(t[0], tagged(udpFrom(kHostC, kGwMac20, kA, ip("192.168.20.9"), 63)));
    EXPECT_TRUE(collect("up").empty()) << "the reply to the gateway is not forwarded anywhere";
}

TEST_F(OverlayL3, UnansweredArpDropsWithHostUnreachable) {
    inject("a", arpRequest(kHostA, kA, kGw10));  // the gateway knows A (it asked)
    run();
    drainAll();
    inject("a", udpFrom(gwMac10(), kHostA, kA, ip("192.168.20.9")));
    run();
    drainAll();
    for (int i = 0; i < 30 && drops(Drop::arp_unresolved) == 0; ++i) {
        rte_delay_ms(10);
        run();
    }
    EXPECT_EQ(drops(Drop::arp_unresolved), 1u);
    auto a = collect("a");
    a.erase(std::remove_if(a.begin(), a.end(), [](const Bytes& b) { return b.size() > 12 && b[12] == 0x08 && b[13] == 0x06; }), a.end());
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0][23], 1);       // ICMP
    EXPECT_EQ(a[0][34], 3);       // destination unreachable
    EXPECT_EQ(a[0][35], 1);       // host
}

TEST_F(OverlayL3, PacketsWaitingForArpAreBounded) {
    // 16 wait for one address (NeighborTimings::maxHeld), the 17th is a named drop; all 16
    // leave once the address answers.
    for (int i = 0; i < 17; ++i) inject("a", udpFrom(gwMac10(), kHostA, kA, ip("192.168.20.9")));
    run();
    EXPECT_EQ(drops(Drop::arp_queue_full), 1u);
    EXPECT_EQ(ctl_->routedHeld(), 16u);
    drainAll();
    inject("t", tagged(FrameBuilder().ether(kGwMac20, kHostC, 0x0806).arp(2, kHostC, ip("192.168.20.9"), kGwMac20, kGw20).build()));
    run();
    EXPECT_EQ(collect("t").size(), 16u);
    EXPECT_EQ(ctl_->routedHeld(), 0u);
}

TEST_F(OverlayL3, TtlExpiryAndNoRouteSendIcmpErrors) {
    const Bytes expiring = udpFrom(gwMac10(), kHostA, kA, kB, 1);
    inject("a", expiring);
    run();
    EXPECT_EQ(drops(Drop::ttl_expired), 1u);
    auto a = collect("a");
    ASSERT_EQ(a.size(), 1u);
    // Time exceeded from the gateway's address, quoting the header and 8 bytes.
    const Bytes quote(expiring.begin() + 14, expiring.begin() + 14 + 28);
    Bytes expect = FrameBuilder().ether(kHostA, gwMac10(), 0x0800).ipv4(kGw10, kA, 1, 64).payload(8 + 28).build();
    expect[15] = 0xC0;
    expect[18] = expect[19] = 0;  // IP ID 0
    expect[24] = expect[25] = 0;
    const uint16_t c = rte_ipv4_cksum(reinterpret_cast<rte_ipv4_hdr*>(&expect[14]));
    std::memcpy(&expect[24], &c, 2);
    Bytes icmp = {11, 0, 0, 0, 0, 0, 0, 0};
    icmp.insert(icmp.end(), quote.begin(), quote.end());
    const uint16_t ic = static_cast<uint16_t>(~rte_raw_cksum(icmp.data(), icmp.size()));
    std::memcpy(&icmp[2], &ic, 2);
    std::copy(icmp.begin(), icmp.end(), expect.begin() + 34);
    EXPECT_EQ(a[0], expect) << packet::hexDump(a[0]);

    inject("a", udpFrom(gwMac10(), kHostA, kA, ip("192.168.99.1")));
    inject("a", udpFrom(gwMac10(), kHostA, kA, ip("192.168.30.5")));  // another VRF's subnet
    run();
    EXPECT_EQ(drops(Drop::no_overlay_route), 2u);
    a = collect("a");
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[0][34], 3);
    EXPECT_EQ(a[0][35], 0);  // net unreachable
    EXPECT_TRUE(collect("up").empty());
}

TEST_F(OverlayL3, BadRoutedFramesAreNamedDrops) {
    Bytes badSum = udpFrom(gwMac10(), kHostA, kA, kB);
    badSum[24] ^= 0xFF;
    inject("a", badSum);
    inject("a", FrameBuilder().ether(gwMac10(), kHostA, 0x86DD).payload(60).build());
    run();
    EXPECT_EQ(drops(Drop::routed_bad_header), 1u);
    EXPECT_EQ(drops(Drop::routed_not_ipv4), 1u);
    Bytes badArp = tagged(arpRequest(kHostB, kB, kR));
    badArp[18 + 4] = 8;  // hardware address length
    inject("t", badArp);
    // A sender MAC no host has (the frame's own source is a real one).
    Bytes multicastSender = tagged(arpRequest(kHostB, kB, kGw20));
    multicastSender[18 + 8] |= 0x01;
    inject("t", multicastSender);
    run();
    EXPECT_EQ(drops(Drop::bad_arp), 2u);
    EXPECT_EQ(bridge("br20").gatewayReplies, 0u);
    for (const auto& [name, p] : ports) EXPECT_TRUE(collect(name).empty()) << name;
}

TEST_F(OverlayL3, SuppressionAnswersKnownAddressesLocally) {
    announceR();  // learned from the tunnel
    inject("t", tagged(arpRequest(kHostB, kB, kR)));
    run();
    auto t = collect("t");
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(t[0], tagged(FrameBuilder().ether(kHostB, kHostR, 0x0806).arp(2, kHostR, kR, kHostB, kB).build()));
    EXPECT_TRUE(collect("up").empty()) << "a suppressed request does not cross the tunnel";
    EXPECT_EQ(bridge("br20").arpSuppressed, 1u);
    // From the tunnel too, for a local host.
    announceB();
    inject("up", fromPeerVni(arpRequest(kHostR, kR, kB), 20));
    run();
    auto up = collect("up");
    ASSERT_EQ(up.size(), 1u);
    EXPECT_EQ(innerOf(up[0], 20), FrameBuilder().ether(kHostR, kHostB, 0x0806).arp(2, kHostB, kB, kHostR, kR).build());
    EXPECT_TRUE(collect("t").empty());
    // And static bindings.
    inject("t", tagged(arpRequest(kHostB, kB, ip("192.168.20.100"))));
    run();
    t = collect("t");
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(t[0], tagged(FrameBuilder().ether(kHostB, kStaticMac, 0x0806).arp(2, kStaticMac, ip("192.168.20.100"), kHostB, kB).build()));
}

TEST_F(OverlayL3, HostileArpIsCountedAndBounded) {
    // A claim on a static binding changes nothing.
    inject("t", tagged(FrameBuilder().ether(kBroadcast, kHostC, 0x0806).arp(1, kHostC, ip("192.168.20.100"), MacAddress{}, ip("192.168.20.100")).build()));
    run();
    drainAll();
    EXPECT_EQ(ctl_->totals().event(Event::overlay_arp_static_conflicts), 1u);
    EXPECT_EQ(ctl_->arp().lookup(id("br20"), ip("192.168.20.100").host) & 0xFFFFFFFFFFFFull,
              overlay::macWord(kStaticMac.bytes.data()));
    // An IP moving to another MAC is a counted move.
    announceB();
    inject("t", tagged(FrameBuilder().ether(kBroadcast, kHostC, 0x0806).arp(1, kHostC, kB, MacAddress{}, kB).build()));
    run();
    drainAll();
    EXPECT_EQ(ctl_->totals().event(Event::overlay_arp_moves), 1u);
    // A storm of bindings stops at arp_limit (8 snooped; the static one is not counted).
    for (uint32_t i = 0; i < 20; ++i) {
        MacAddress m = kHostC;
        m.bytes[5] = static_cast<uint8_t>(0x40 + i);
        const Ipv4Address a{ip("192.168.20.50").host + i};
        inject("t", tagged(FrameBuilder().ether(kBroadcast, m, 0x0806).arp(1, m, a, MacAddress{}, a).build()));
    }
    run();
    drainAll();
    EXPECT_EQ(ctl_->arp().count(id("br20")), 8u + 1u);
    EXPECT_GE(ctl_->totals().event(Event::overlay_arp_limit_reached), 12u);
}

}  // namespace
}  // namespace dptest
