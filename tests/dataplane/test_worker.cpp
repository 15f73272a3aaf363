// Dataplane integration: the real Worker and Controller on net_ring ports. Frames built
// with FrameBuilder go into a port's RX ring; what the worker transmits is read from the
// TX rings and compared byte for byte (outer UDP source port checked for range, then
// normalised). Every case ends with the mempool back at its baseline.
#include <chrono>
#include <thread>

#include "dataplane/fixture.h"

using namespace dptest;

TEST_F(Dataplane, UnknownUnicastFloodsToMembersAndTheFloodVtep) {
    const Bytes in = hostFrame(kHostB, kHostA);
    inject("a", in);
    run();
    EXPECT_TRUE(collect("a").empty()) << "never back out of the ingress member";
    const auto b = collect("b");
    ASSERT_EQ(b.size(), 1u);
    EXPECT_EQ(b[0], in);
    const auto t = collect("t");
    ASSERT_EQ(t.size(), 1u);
    Bytes tagged = FrameBuilder().ether(kHostB, kHostA, 0x8100).vlan(100, 0x0800).build();
    tagged.insert(tagged.end(), in.begin() + 14, in.end());
    EXPECT_EQ(t[0], tagged) << "trunk member gets the frame tagged with its VLAN\n" << packet::hexDump(t[0]);
    const auto up = collect("up");
    ASSERT_EQ(up.size(), 1u);
    EXPECT_EQ(normalised(up[0]), expectedVxlan(in)) << packet::hexDump(up[0]);
    EXPECT_EQ(worker_->counters().bridges[0].flooded, 1u);
    EXPECT_EQ(worker_->counters().bridges[0].replicated, 1u);
}

TEST_F(Dataplane, LearnsLocalThenDecapsToIt) {
    inject("a", hostFrame(kBroadcast, kHostA));
    run();
    drainAll();
    EXPECT_EQ(ctl_->counters().events[static_cast<size_t>(Event::learned)], 1u);
    const Bytes in = hostFrame(kHostA, kHostB);
    inject("up", fromPeer(in));
    run();
    const auto a = collect("a");
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0], in);
    EXPECT_TRUE(collect("b").empty());
    EXPECT_TRUE(collect("up").empty()) << "split horizon";
    EXPECT_EQ(worker_->counters().bridges[0].decapPackets, 1u);
    // B is now known behind the peer VTEP: A -> B is encapsulated to it alone.
    const Bytes reply = hostFrame(kHostB, kHostA, 100);
    inject("a", reply);
    run();
    const auto up = collect("up");
    ASSERT_EQ(up.size(), 1u);
    EXPECT_EQ(normalised(up[0]), expectedVxlan(reply));
    EXPECT_TRUE(collect("b").empty());
    EXPECT_EQ(worker_->counters().bridges[0].encapPackets, 1u);
    const auto tunnel = ctl_->tunnels().find({kPeerIp, encap::Encap::Vxlan, false});
    ASSERT_TRUE(tunnel);
    const uint16_t slot = *tunnel;
    const auto& v = worker_->counters().vteps[slot];
    EXPECT_EQ(v.rxPackets, 1u);
    EXPECT_EQ(v.rxBytes, in.size());
    EXPECT_EQ(v.txPackets, 2u) << "the first broadcast (replicated) and the unicast reply";
    EXPECT_EQ(v.txBytes, hostFrame(kBroadcast, kHostA).size() + reply.size());
}

TEST_F(Dataplane, TrunkIngressIsUntaggedIntoTheTunnel) {
    const Bytes in = hostFrame(kHostB, kHostA);
    Bytes tagged = FrameBuilder().ether(kHostB, kHostA, 0x8100).vlan(100, 0x0800).build();
    tagged.insert(tagged.end(), in.begin() + 14, in.end());
    inject("t", tagged);
    run();
    const auto up = collect("up");
    ASSERT_EQ(up.size(), 1u);
    EXPECT_EQ(normalised(up[0]), expectedVxlan(in)) << "inner 802.1Q tags are not carried";
    EXPECT_EQ(collect("a").size(), 1u);
    Bytes unknownVlan = FrameBuilder().ether(kHostB, kHostA, 0x8100).vlan(200, 0x0800).payload(46).build();
    inject("t", unknownVlan);
    run();
    EXPECT_EQ(drops(Drop::vlan_unknown), 1u);
}

TEST_F(Dataplane, AnswersArpAndPing) {
    inject("up", FrameBuilder().ether(kBroadcast, kPeerMac, 0x0806)
                     .arp(1, kPeerMac, kPeerIp, MacAddress{}, kOurIp).build());
    run();
    auto up = collect("up");
    ASSERT_EQ(up.size(), 1u);
    EXPECT_EQ(up[0], FrameBuilder().ether(kPeerMac, ourMac(), 0x0806).arp(2, ourMac(), kOurIp, kPeerMac, kPeerIp).build());
    inject("up", FrameBuilder().ether(ourMac(), kPeerMac, 0x0800).ipv4(kPeerIp, kOurIp, 1).icmpEcho(true, 7, 1).payload(32).build());
    run();
    up = collect("up");
    ASSERT_EQ(up.size(), 1u);
    Bytes expect = FrameBuilder().ether(kPeerMac, ourMac(), 0x0800).ipv4(kOurIp, kPeerIp, 1, 64).icmpEcho(false, 7, 1).payload(32).build();
    EXPECT_EQ(up[0], expect) << packet::hexDump(up[0]);
}

TEST_F(Dataplane, EveryBadUnderlayFrameIsACountedDrop) {
    const Bytes in = hostFrame(kHostA, kHostB);
    struct Case { Bytes frame; Drop reason; };
    Bytes bad = fromPeer(in);
    bad.resize(40);
    const std::vector<Case> cases = {
        {fromPeer(in, 99), Drop::unknown_vni},
        {fromPeer(in, 10, 0), Drop::bad_vxlan_flags},
        {bad, Drop::truncated},
        {FrameBuilder().ether(ourMac(), kPeerMac, 0x0800).ipv4(kPeerIp, kOurIp, 17).udp(1, 53).payload(20).build(), Drop::udp_port_unknown},
        {FrameBuilder().ether(ourMac(), kPeerMac, 0x86DD).payload(60).build(), Drop::unsupported_ethertype},
        {FrameBuilder().ether(ourMac(), kPeerMac, 0x0800).ipv4(kPeerIp, kOurIp, 17).udp(1, 4789).vxlan(10).frame(in).corruptIpChecksum().build(), Drop::bad_ip_checksum},
        {fromPeer(FrameBuilder().ether(kHostA, kHostB, 0x8100).vlan(5, 0x0800).payload(46).build()), Drop::inner_vlan_tagged},
    };
    for (const auto& c : cases) {
        const uint64_t before = drops(c.reason);
        inject("up", c.frame);
        run();
        EXPECT_EQ(drops(c.reason), before + 1) << counters::dropName(c.reason);
    }
    for (const auto& [name, p] : ports) EXPECT_TRUE(collect(name).empty()) << name;
}

TEST_F(Dataplane, OversizedFrameIsNotEncapsulated) {
    inject("up", fromPeer(hostFrame(kHostA, kHostB)));  // B is behind the peer VTEP
    run();
    drainAll();
    inject("a", hostFrame(kHostB, kHostA, 1480));  // 1494-byte frame + 36 > 1500
    run();
    EXPECT_TRUE(collect("up").empty());
    EXPECT_EQ(drops(Drop::mtu_exceeded), 1u);
}

TEST_F(Dataplane, SameMemberDestinationIsFiltered) {
    inject("a", hostFrame(kBroadcast, kHostA));
    inject("a", hostFrame(kBroadcast, kHostB));
    run();
    drainAll();
    inject("a", hostFrame(kHostB, kHostA));
    run();
    for (const auto& [name, p] : ports) EXPECT_TRUE(collect(name).empty()) << name;
    EXPECT_EQ(drops(Drop::same_port), 1u);
}

TEST_F(Dataplane, MacLimitStopsLearningButFramesStillFlow) {
    auto cfg = cfg_;
    cfg.bridges[0].macLimit = 1;
    ASSERT_TRUE(ctl_->apply(cfg).empty());
    inject("a", hostFrame(kBroadcast, kHostA));
    run();
    drainAll();
    const Bytes in = hostFrame(kBroadcast, kHostB);
    inject("a", in);
    run();
    EXPECT_EQ(ctl_->counters().events[static_cast<size_t>(Event::learned)], 1u);
    EXPECT_EQ(ctl_->counters().events[static_cast<size_t>(Event::mac_limit_reached)], 1u);
    const auto b = collect("b");
    ASSERT_EQ(b.size(), 1u) << "the unlearned MAC's frames are still flooded";
    EXPECT_EQ(b[0], in);
    EXPECT_EQ(collect("up").size(), 1u);
}

// Tenant isolation under a MAC flood: tenant 1 (br10) sends frames from thousands of
// source MACs; tenant 2 (br20 on trunk VLAN 200) then learns its hosts. The rig's table
// holds 1024 MACs.
namespace {

MacAddress floodMac(uint32_t i) {
    return MacAddress{{0x02, 0xf1, static_cast<uint8_t>(i >> 16), static_cast<uint8_t>(i >> 8),
                       static_cast<uint8_t>(i), 0x01}};
}

}  // namespace

class TenantFlood : public Dataplane {
protected:
    // br20 on trunk VLAN 200; both bridges limited to `limit` learned MACs (0 = none).
    void twoTenants(uint32_t limit) {
        auto cfg = cfg_;
        cfg.bridges[0].macLimit = limit;
        config::BridgeSpec b2;
        b2.name = "br20";
        b2.vni = 20;
        b2.members.push_back({"t", 200});
        b2.macLimit = limit;
        cfg.bridges.push_back(b2);
        ASSERT_TRUE(ctl_->apply(cfg).empty());
        run();
        drainAll();
    }

    // `count` frames from distinct MACs into br10, in bursts the rings can hold.
    void floodFromTenant1(uint32_t count) {
        for (uint32_t i = 0; i < count; ++i) {
            inject("a", hostFrame(kBroadcast, floodMac(i)));
            if (i % 32 == 31) {
                run();
                drainAll();
            }
        }
        run();
        drainAll();
    }

    // Tenant 2's hosts say hello (tagged VLAN 200 on the trunk); returns how many it learned.
    uint32_t tenant2Learns(uint32_t hosts) {
        for (uint32_t i = 0; i < hosts; ++i) {
            const MacAddress h{{0x02, 0xf2, 0, 0, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)}};
            Bytes f = FrameBuilder().ether(kBroadcast, h, 0x8100).vlan(200, 0x0800).payload(46).build();
            inject("t", f);
            if (i % 32 == 31) {
                run();
                drainAll();
            }
        }
        run();
        drainAll();
        return rig_->fdb->dynamicCount(ctl_->bridgeIds().at("br20"));
    }

    uint64_t event(Event e) { return ctl_->counters().events[static_cast<size_t>(e)]; }
};

TEST_F(TenantFlood, WithoutALimitOneTenantFillsTheTableForEveryone) {
    twoTenants(0);
    floodFromTenant1(1500);
    EXPECT_GT(event(Event::fdb_full), 0u);
    EXPECT_LT(tenant2Learns(50), 50u) << "the flood should have left tenant 2 without room";
}

TEST_F(TenantFlood, MacLimitKeepsRoomForTheOtherTenant) {
    twoTenants(300);
    floodFromTenant1(1500);
    EXPECT_EQ(rig_->fdb->dynamicCount(ctl_->bridgeIds().at("br10")), 300u);
    EXPECT_EQ(event(Event::mac_limit_reached), 1500u - 300u);
    EXPECT_EQ(event(Event::fdb_full), 0u);
    EXPECT_EQ(tenant2Learns(200), 200u);
    // And tenant 2's learned hosts get unicast from the tunnel, tagged on the trunk.
    const MacAddress h{{0x02, 0xf2, 0, 0, 0, 7}};
    inject("up", fromPeer(hostFrame(h, kHostB), 20));
    run();
    const auto t = collect("t");
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(t[0][12], 0x81);
    EXPECT_EQ((t[0][14] << 8 | t[0][15]) & 0xFFF, 200);
    EXPECT_EQ(collect("a").size(), 0u);
}

TEST_F(Dataplane, KeepInnerVlanAcceptsTaggedFramesFromTheTunnel) {
    const Bytes tagged = FrameBuilder().ether(kHostA, kHostB, 0x8100).vlan(5, 0x0800).payload(46).build();
    inject("up", fromPeer(tagged));
    run();
    EXPECT_EQ(drops(Drop::inner_vlan_tagged), 1u);
    auto cfg = cfg_;
    cfg.bridges[0].keepInnerVlan = true;
    ASSERT_TRUE(ctl_->apply(cfg).empty());
    drainAll();
    inject("up", fromPeer(tagged));
    run();
    EXPECT_EQ(drops(Drop::inner_vlan_tagged), 1u);
    const auto a = collect("a");
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0], tagged);
}

TEST_F(Dataplane, MulticastGroupJoinFloodQueryAndLeave) {
    const Ipv4Address group = *Ipv4Address::parse("239.1.1.1");
    const MacAddress groupMac = netaddr::multicastMacFor(group);
    // An IGMPv3 report's bytes: IGMP starts at 38 (24-byte IPv4 header with Router Alert),
    // the first group record at 46 (record type), its group address at 50.
    auto checkReport = [&](const Bytes& f, uint8_t recordType, const char* what) {
        ASSERT_GE(f.size(), 54u) << what;
        EXPECT_EQ(Bytes(f.begin(), f.begin() + 6), (Bytes{0x01, 0x00, 0x5e, 0x00, 0x00, 0x16})) << what;
        EXPECT_EQ(f[14], 0x46) << what;
        EXPECT_EQ(f[22], 1) << what << ": TTL 1";
        EXPECT_EQ(f[23], 2) << what << ": protocol IGMP";
        EXPECT_EQ(rte_ipv4_cksum(reinterpret_cast<const rte_ipv4_hdr*>(&f[14])), 0) << what;
        EXPECT_EQ(f[38], 0x22) << what << ": v3 report";
        EXPECT_EQ(f[46], recordType) << what;
        EXPECT_EQ(Bytes(f.begin() + 50, f.begin() + 54), (Bytes{239, 1, 1, 1})) << what;
    };
    auto cfg = cfg_;
    cfg.bridges[0].group = group;
    ASSERT_TRUE(ctl_->apply(cfg).empty());
    run();
    auto up = collect("up");
    ASSERT_EQ(up.size(), 1u);
    checkReport(up[0], 4, "join (CHANGE_TO_EXCLUDE)");

    // BUM goes to the flood VTEP and to the group, each as its own VXLAN packet.
    const Bytes in = hostFrame(kBroadcast, kHostA);
    inject("a", in);
    run();
    up = collect("up");
    ASSERT_EQ(up.size(), 2u);
    Bytes toGroup = FrameBuilder().ether(groupMac, ourMac(), 0x0800).ipv4(kOurIp, group, 17, 64)
                        .udp(0, 4789).vxlan(10).frame(in).build();
    toGroup[18] = toGroup[19] = 0;
    toGroup[24] = toGroup[25] = 0;
    const uint16_t c = rte_ipv4_cksum(reinterpret_cast<rte_ipv4_hdr*>(&toGroup[14]));
    std::memcpy(&toGroup[24], &c, 2);
    std::vector<Bytes> got = {normalised(up[0]), normalised(up[1])};
    EXPECT_NE(std::find(got.begin(), got.end(), expectedVxlan(in)), got.end()) << "copy to the VTEP";
    EXPECT_NE(std::find(got.begin(), got.end(), toGroup), got.end()) << "copy to the group";
    drainAll();

    // VXLAN sent to the group by another VTEP is ours.
    Bytes fromGroup = FrameBuilder().ether(groupMac, kPeerMac, 0x0800).ipv4(kPeerIp, group, 17)
                          .udp(50000, 4789).vxlan(10).frame(hostFrame(kHostA, kHostB)).build();
    inject("up", fromGroup);
    run();
    EXPECT_EQ(collect("a").size(), 1u) << "decapsulated from the group to the learned host";

    // A router's general query (IGMPv3, Max Resp 0.3 s) is answered with the current state
    // within Max Resp Time (RFC 3376 5.2: after a random delay, not at once).
    Bytes q = {0x01, 0x00, 0x5e, 0, 0, 1, 2, 0, 0, 0, 0, 9, 0x08, 0x00,
               0x46, 0xc0, 0, 36, 0, 0, 0x40, 0, 1, 2, 0, 0, 10, 0, 0, 9, 224, 0, 0, 1,
               0x94, 0x04, 0, 0, 0x11, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    const uint16_t qc = rte_ipv4_cksum(reinterpret_cast<const rte_ipv4_hdr*>(&q[14]));
    std::memcpy(&q[24], &qc, 2);
    inject("up", q);
    const auto asked = std::chrono::steady_clock::now();
    up.clear();
    while (up.empty() && std::chrono::steady_clock::now() - asked < std::chrono::milliseconds(600)) {
        run();
        up = collect("up");
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_EQ(up.size(), 1u) << "answered within Max Resp Time (and the tick after it)";
    EXPECT_LT(std::chrono::steady_clock::now() - asked, std::chrono::milliseconds(550));
    checkReport(up[0], 2, "answer to a query (MODE_IS_EXCLUDE)");

    // Removing the group leaves it.
    ASSERT_TRUE(ctl_->apply(cfg_).empty());
    run();
    up = collect("up");
    ASSERT_EQ(up.size(), 1u);
    checkReport(up[0], 3, "leave (CHANGE_TO_INCLUDE)");
    inject("up", fromGroup);
    run();
    EXPECT_EQ(drops(Drop::not_for_us), 1u) << "VXLAN to a group we left is not ours";
}

TEST_F(Dataplane, ReservedVxlanBitsAreAcceptedAndCounted) {
    const Bytes in = hostFrame(kBroadcast, kHostB);
    inject("up", fromPeer(in, 10, 0x0C));
    run();
    EXPECT_EQ(worker_->counters().events[static_cast<size_t>(Event::vxlan_reserved_bits)], 1u);
    const auto a = collect("a");
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0], in);
}

TEST_F(Dataplane, AllowListDropsVxlanFromOtherVteps) {
    auto cfg = cfg_;
    cfg.bridges[0].allowedVteps = {*Ipv4Address::parse("10.0.0.7")};  // plus flood VTEP 10.0.0.9
    ASSERT_TRUE(ctl_->apply(cfg).empty());
    drainAll();
    const Bytes in = hostFrame(kBroadcast, kHostB);
    inject("up", fromPeer(in));  // from 10.0.0.9: a configured flood VTEP, trusted
    run();
    EXPECT_EQ(collect("a").size(), 1u);
    drainAll();
    const Bytes rogue = FrameBuilder().ether(ourMac(), kPeerMac, 0x0800).ipv4(*Ipv4Address::parse("10.0.0.66"), kOurIp, 17)
                            .udp(50000, 4789).vxlan(10).frame(hostFrame(kBroadcast, kHostA)).build();
    inject("up", rogue);
    run();
    EXPECT_EQ(drops(Drop::vtep_not_allowed), 1u);
    for (const auto& [name, p] : ports) EXPECT_TRUE(collect(name).empty()) << name;
    EXPECT_EQ(ctl_->counters().events[static_cast<size_t>(Event::learned)], 1u) << "nothing learned from the rogue";
}

TEST_F(Dataplane, MempoolExhaustionIsCountedAndRecovers) {
    const Bytes in = hostFrame(kBroadcast, kHostA);
    inject("a", in);
    // Take every free mbuf: the flood copies cannot be made.
    std::vector<rte_mbuf*> hoard;
    while (rte_mbuf* m = rte_pktmbuf_alloc(pool)) hoard.push_back(m);
    run();
    EXPECT_GE(drops(Drop::no_mbuf), 1u);
    rte_pktmbuf_free_bulk(hoard.data(), static_cast<unsigned>(hoard.size()));
    drainAll();
    inject("a", in);
    run();
    EXPECT_EQ(collect("b").size(), 1u) << "forwarding resumes once buffers return";
    EXPECT_EQ(collect("up").size(), 1u);
}

TEST_F(Dataplane, FullTxQueueIsCountedWithoutStalling) {
    // Fill port b's TX ring so that the PMD can take nothing.
    std::vector<void*> filler(rte_ring_free_count(ports["b"].tx), reinterpret_cast<void*>(0x1));
    ASSERT_EQ(rte_ring_enqueue_bulk(ports["b"].tx, filler.data(), static_cast<unsigned>(filler.size()), nullptr),
              filler.size());
    inject("a", hostFrame(kBroadcast, kHostA));
    run();
    EXPECT_EQ(drops(Drop::tx_full), 1u);
    EXPECT_EQ(collect("t").size(), 1u) << "other ports are not held up";
    void* obj;
    while (rte_ring_dequeue(ports["b"].tx, &obj) == 0) {}
    inject("a", hostFrame(kBroadcast, kHostA));
    run();
    EXPECT_EQ(collect("b").size(), 1u);
}

TEST_F(Dataplane, NextHopMacChangeIsFollowed) {
    // 10.0.0.5 is resolved by ARP (not static); its MAC then changes (gratuitous ARP).
    auto cfg = cfg_;
    cfg.bridges[0].floodVteps = {*Ipv4Address::parse("10.0.0.5")};
    ASSERT_TRUE(ctl_->apply(cfg).empty());
    run();
    auto up = collect("up");
    ASSERT_EQ(up.size(), 1u) << "an ARP request for the new VTEP";
    EXPECT_EQ(up[0][12], 0x08);
    EXPECT_EQ(up[0][13], 0x06);
    const Ipv4Address vtep = *Ipv4Address::parse("10.0.0.5");
    const MacAddress mac1 = *MacAddress::parse("02:00:00:00:05:01");
    const MacAddress mac2 = *MacAddress::parse("02:00:00:00:05:02");
    inject("a", hostFrame(kBroadcast, kHostA));  // waits for ARP
    run();
    EXPECT_TRUE(collect("up").empty());
    inject("up", FrameBuilder().ether(ourMac(), mac1, 0x0806).arp(2, mac1, vtep, ourMac(), kOurIp).build());
    run();
    run();
    up = collect("up");
    ASSERT_EQ(up.size(), 1u) << "the held flood copy goes out once ARP answers";
    EXPECT_EQ(Bytes(up[0].begin(), up[0].begin() + 6), Bytes(mac1.bytes.begin(), mac1.bytes.end()));
    drainAll();
    inject("up", FrameBuilder().ether(kBroadcast, mac2, 0x0806).arp(1, mac2, vtep, MacAddress{}, vtep).build());
    run();
    drainAll();
    inject("a", hostFrame(kBroadcast, kHostA));
    run();
    up = collect("up");
    ASSERT_EQ(up.size(), 1u);
    EXPECT_EQ(Bytes(up[0].begin(), up[0].begin() + 6), Bytes(mac2.bytes.begin(), mac2.bytes.end()))
        << "the outer destination follows the next hop's new MAC";
}

// Regression (fuzz_control): a request whose bytes are not UTF-8 made the parse error's
// reply unserialisable, and the exception ended vtepd.
TEST_F(Dataplane, RequestsThatAreNotUtf8GetAnErrorReply) {
    control::Commands commands(*ctl_, *rig_->fdb, {&worker_->counters()}, {},
                               nlohmann::ordered_json::parse(kConfig));
    for (const std::string& line : {std::string("{\"command\": \"show counters\", \"args\": {\"cl\xff\xff\xff" "ear\": true}}"),
                                   std::string("{\"command\": \"\xc3\x28\"}"), std::string("\xff\xfe")}) {
        std::string reply;
        ASSERT_NO_THROW(reply = commands.executeLine(line));
        const auto j = nlohmann::json::parse(reply, nullptr, false);
        ASSERT_TRUE(j.is_object()) << reply;
        EXPECT_EQ(j["ok"], false) << reply;
    }
    EXPECT_EQ(nlohmann::json::parse(commands.executeLine("{\"command\": \"show vtep\"}"))["ok"], true);
}
