// Live changes are exact: what a transaction changes is what changes. Bridge identities never
// leak from a removed bridge into a new one (MACs, counters), unrelated bridges are not touched,
// the neighbour table follows the configuration, fates say what happened to each packet, and
// warnings reach whoever applied the change.
#include <chrono>
#include <set>
#include <cstdio>
#include <fstream>
#include <thread>
#include <unistd.h>

#include "control/report.h"
#include "dataplane/fixture.h"

using namespace dptest;

namespace {

// Two tenants: br10 on a and the trunk's VLAN 100, br20 on b and VLAN 200, both flooding to
// the peer VTEP; br20 has a static MAC behind the peer.
const char* kTwoBridges = R"({
  "ports": { "up": {"device": "ring_up"}, "a": {"device": "ring_a"},
             "b": {"device": "ring_b"}, "t": {"device": "ring_t"} },
  "underlay": { "port": "up", "address": "10.0.0.2/24",
                "neighbors": [ {"address": "10.0.0.9", "mac": "02:00:00:00:09:09"} ] },
  "bridges": {
    "br10": { "vni": 10, "flood_vteps": ["10.0.0.9"], "members": [ {"port": "a"}, {"port": "t", "vlan": 100} ] },
    "br20": { "vni": 20, "flood_vteps": ["10.0.0.9"], "members": [ {"port": "b"}, {"port": "t", "vlan": 200} ],
              "static_macs": [ {"mac": "02:cc:00:00:00:01", "vtep": "10.0.0.9"} ] } }
})";

const MacAddress kHostC = *MacAddress::parse("02:cc:00:00:00:01");
const MacAddress kHostD = *MacAddress::parse("02:dd:00:00:00:01");

class LiveChange : public Dataplane {
protected:
    underlay::NeighborTimings neighborTimings() const override {
        return {20, 3, 100, 60000, 16};  // ARP retries 20 ms apart: a dead next hop fails in 60 ms
    }

    static config::Config parse(const std::string& text) {
        auto r = config::parse(text);
        EXPECT_TRUE(r.config) << (r.errors.empty() ? "" : r.errors[0].toString());
        return *r.config;
    }

    void apply(const config::Config& c) {
        const auto errors = ctl_->apply(c);
        ASSERT_TRUE(errors.empty()) << errors[0];
        run();
        drainAll();  // IGMP, ARP
    }

    // Runs the control core until `done` or about a second has passed.
    template <class F>
    void runUntil(F done) {
        for (int i = 0; i < 200 && !done(); ++i) {
            run();
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }

    uint64_t fate(counters::Fate f) const { return ctl_->totals().fates[static_cast<size_t>(f)]; }

    // B learned behind the peer VTEP and A on port a, both in br10.
    void learnAandB() {
        inject("up", fromPeer(hostFrame(kBroadcast, kHostB)));
        inject("a", hostFrame(kBroadcast, kHostA));
        run();
        drainAll();
        ASSERT_GE(rig_->fdb->size(), 2u);
    }

    uint32_t vniOf(const Bytes& vxlan) const {
        return static_cast<uint32_t>(vxlan[46] << 16 | vxlan[47] << 8 | vxlan[48]);
    }
};

}  // namespace

TEST_F(LiveChange, ABridgeReplacedInOneApplyKeepsNothingOfTheOld) {
    learnAandB();
    // br10 (VNI 10) becomes br20 (VNI 20) with the same members, in one transaction.
    auto next = cfg_;
    next.bridges[0].name = "br20";
    next.bridges[0].vni = 20;
    apply(next);
    const Bytes toB = hostFrame(kHostB, kHostA);
    inject("a", toB);
    run();
    EXPECT_EQ(collect("b").size(), 1u) << "B is unknown in the new bridge: flooded, not unicast";
    const auto up = collect("up");
    ASSERT_EQ(up.size(), 1u);
    EXPECT_EQ(vniOf(up[0]), 20u);
    drainAll();
    for (const auto& row : control::addressTableJson(*ctl_, *rig_->fdb))
        EXPECT_NE(row["mac"], kHostB.toString()) << "the old bridge's remote MAC did not survive";
}

TEST_F(LiveChange, ABridgeCreatedAfterAnotherWasDeletedStartsFromZero) {
    learnAandB();
    inject("a", hostFrame(kHostB, kHostA));
    run();
    drainAll();
    auto none = cfg_;
    none.bridges.clear();
    apply(none);
    auto next = cfg_;
    next.bridges[0].name = "br20";
    next.bridges[0].vni = 20;
    apply(next);
    const auto t = ctl_->totals();
    const auto& c = t.bridges[ctl_->bridgeIds().at("br20")];
    EXPECT_EQ(c.encapPackets, 0u);
    EXPECT_EQ(c.decapPackets, 0u);
    EXPECT_EQ(c.flooded, 0u);
    EXPECT_EQ(c.replicated, 0u);
    EXPECT_EQ(rig_->fdb->size(), 0u);
    // And it counts its own traffic from there.
    inject("a", hostFrame(kBroadcast, kHostA));
    run();
    drainAll();
    EXPECT_EQ(ctl_->totals().bridges[ctl_->bridgeIds().at("br20")].flooded, 1u);
}

TEST_F(LiveChange, ChangesToOneBridgeLeaveTheOtherUntouched) {
    apply(parse(kTwoBridges));
    // br20: D learned on b, C static behind the peer.
    inject("b", hostFrame(kBroadcast, kHostD));
    run();
    drainAll();
    const auto br20 = ctl_->bridgeIds().at("br20");
    const int32_t posC = rig_->fdb->lookup(fdb::makeKey(br20, kHostC.bytes.data()));
    const int32_t posD = rig_->fdb->lookup(fdb::makeKey(br20, kHostD.bytes.data()));
    ASSERT_GE(posC, 0);
    ASSERT_GE(posD, 0);
    auto checkBr20 = [&](const char* what) {
        EXPECT_EQ(rig_->fdb->lookup(fdb::makeKey(br20, kHostC.bytes.data())), posC)
            << what << ": br20's static MAC was not removed and re-added";
        EXPECT_EQ(rig_->fdb->lookup(fdb::makeKey(br20, kHostD.bytes.data())), posD) << what;
        inject("b", hostFrame(kHostC, kHostD));
        inject("up", fromPeer(hostFrame(kHostD, kHostC), 20));
        run();
        EXPECT_EQ(collect("up").size(), 1u) << what << ": D -> C still one unicast copy";
        EXPECT_EQ(collect("b").size(), 1u) << what << ": C -> D still delivered to b alone";
        EXPECT_TRUE(collect("t").empty()) << what << ": nothing flooded in br20";
        drainAll();
    };
    checkBr20("before");
    auto c = parse(kTwoBridges);
    c.bridges[0].members.push_back({"b", 300});
    apply(c);
    checkBr20("after adding a member to br10");
    c.bridges[0].floodVteps.push_back(*Ipv4Address::parse("10.0.0.10"));
    apply(c);
    checkBr20("after adding a flood VTEP to br10");
    c.bridges[0].group = *Ipv4Address::parse("239.1.1.10");
    apply(c);
    checkBr20("after setting br10's group");
    c.bridges[0].vni = 11;
    apply(c);
    checkBr20("after changing br10's VNI");
    EXPECT_EQ(drops(Drop::flood_no_target) + drops(Drop::no_neighbor), 0u);
}

TEST_F(LiveChange, ANewVniForgetsRemoteMacsAndKeepsLocalOnes) {
    learnAandB();
    auto next = cfg_;
    next.bridges[0].vni = 11;
    apply(next);
    inject("a", hostFrame(kHostB, kHostA));
    run();
    EXPECT_EQ(collect("b").size(), 1u) << "B, learned under VNI 10, is flooded under VNI 11";
    auto up = collect("up");
    ASSERT_EQ(up.size(), 1u);
    EXPECT_EQ(vniOf(up[0]), 11u);
    drainAll();
    inject("up", fromPeer(hostFrame(kHostA, kHostB), 11));
    run();
    EXPECT_EQ(collect("a").size(), 1u) << "A, a local MAC, is still known";
    EXPECT_TRUE(collect("b").empty());
    inject("up", fromPeer(hostFrame(kHostA, kHostB), 10));
    run();
    EXPECT_TRUE(collect("a").empty()) << "VNI 10 is gone";
    EXPECT_EQ(drops(Drop::unknown_vni), 1u);
}

TEST_F(LiveChange, NeighboursFollowTheConfiguration) {
    auto next = cfg_;
    next.bridges[0].floodVteps.push_back(*Ipv4Address::parse("10.0.0.60"));
    apply(next);
    const netaddr::IpAddress gone{*Ipv4Address::parse("10.0.0.60")};
    ASSERT_EQ(ctl_->neighbors().entries().count(gone), 1u) << "being resolved";
    runUntil([&] { return ctl_->neighbors().entries().at(gone).state == underlay::NeighborState::Failed; });
    drainAll();
    apply(cfg_);
    runUntil([&] { return ctl_->neighbors().entries().count(gone) == 0; });
    EXPECT_EQ(ctl_->neighbors().entries().count(gone), 0u) << "a removed flood VTEP's failed neighbour goes";
    drainAll();
    control::Commands commands(*ctl_, *rig_->fdb, {&worker_->counters()}, {},
                               nlohmann::ordered_json::parse(kConfig), pool);
    const auto shown = commands.execute({{"command", "show neighbors"}});
    ASSERT_TRUE(shown["ok"].get<bool>());
    ASSERT_EQ(shown["result"].size(), 1u) << shown.dump();
    EXPECT_EQ(shown["result"][0]["address"], "10.0.0.9");
    EXPECT_EQ(shown["result"][0]["state"], "static");
    // The static neighbour 10.0.0.9 taken out of the configuration is resolved by ARP again.
    auto noStatic = cfg_;
    noStatic.underlay.neighbors.clear();
    ASSERT_TRUE(ctl_->apply(noStatic).empty());
    const auto& n = ctl_->neighbors().entries().at(kPeerIp);
    EXPECT_NE(n.state, underlay::NeighborState::Static);
    run();
    bool asked = false;
    for (const auto& f : collect("up")) asked |= f.size() >= 42 && f[12] == 0x08 && f[13] == 0x06 &&
                                                 Bytes(f.begin() + 38, f.begin() + 42) == (Bytes{10, 0, 0, 9});
    EXPECT_TRUE(asked) << "an ARP request for the former static neighbour";
    drainAll();
}

TEST_F(LiveChange, APacketHeldForANextHopThatNeverAnswersIsDropped) {
    auto next = cfg_;
    next.bridges[0].staticMacs.push_back({kHostB, *Ipv4Address::parse("10.0.0.70"), std::nullopt});
    apply(next);
    inject("a", hostFrame(kHostB, kHostA));
    run();
    runUntil([&] { return drops(Drop::no_neighbor) != 0; });
    drainAll();
    EXPECT_EQ(drops(Drop::no_neighbor), 1u);
    EXPECT_EQ(fate(counters::Fate::Forwarded), 0u) << "never sent";
    EXPECT_EQ(fate(counters::Fate::Dropped), 1u);
}

TEST_F(LiveChange, AnOversizedBroadcastWithOnlyTheTunnelToGoToIsDropped) {
    auto next = cfg_;
    next.bridges[0].members = {{"a", std::nullopt}};
    apply(next);
    inject("a", hostFrame(kBroadcast, kHostA, 1500));
    run();
    EXPECT_TRUE(collect("up").empty());
    EXPECT_EQ(drops(Drop::mtu_exceeded), 1u);
    EXPECT_EQ(fate(counters::Fate::Flooded), 0u) << "nothing was sent";
    EXPECT_EQ(fate(counters::Fate::Dropped), 1u);
}

TEST_F(LiveChange, WarningsReachWhoeverAppliedTheChange) {
    control::Commands commands(*ctl_, *rig_->fdb, {&worker_->counters()}, {},
                               nlohmann::ordered_json::parse(kConfig), pool);
    char path[] = "/tmp/vtepgw-warn-XXXXXX";
    const int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    close(fd);
    auto j = nlohmann::ordered_json::parse(kConfig);
    j["vxlan"]["ttl"] = 1;
    std::ofstream(path) << j.dump();
    const auto reply = commands.execute({{"command", "config apply"}, {"args", {{"file", path}}}});
    std::remove(path);
    ASSERT_TRUE(reply["ok"].get<bool>()) << reply.dump();
    ASSERT_TRUE(reply.contains("warnings")) << reply.dump();
    EXPECT_NE(reply["warnings"][0].get<std::string>().find("vxlan.ttl"), std::string::npos) << reply.dump();
    // A later change without anything to warn about carries no stale warning.
    const auto again = commands.execute({{"command", "flood add"}, {"args", {{"bridge", "br10"}, {"vtep", "10.0.0.11"}}}});
    ASSERT_TRUE(again["ok"].get<bool>()) << again.dump();
    EXPECT_TRUE(again.contains("warnings")) << "TTL 1 is still configured: still warned";
    run();
    drainAll();
}

TEST_F(LiveChange, SplitHorizonStaticMacsAndFlapsAreEnforced) {
    // A static MAC on member b: A's frames to it go to b alone.
    auto next = cfg_;
    next.bridges[0].staticMacs.push_back({kHostD, std::nullopt, config::MemberSpec{"b", std::nullopt}});
    next.vxlan.flapMoves = 2;
    apply(next);
    inject("a", hostFrame(kHostD, kHostA));
    run();
    EXPECT_EQ(collect("b").size(), 1u) << "to the static MAC's member";
    EXPECT_TRUE(collect("up").empty()) << "not flooded";
    EXPECT_TRUE(collect("t").empty());
    drainAll();
    // Split horizon: B is behind the peer; the peer sending to B is dropped, not sent back.
    inject("up", fromPeer(hostFrame(kBroadcast, kHostB)));
    run();
    drainAll();
    inject("up", fromPeer(hostFrame(kHostB, kHostC)));
    run();
    EXPECT_TRUE(collect("up").empty());
    EXPECT_TRUE(collect("a").empty());
    EXPECT_EQ(drops(Drop::split_horizon), 1u);
    // C moves between a and b more than flap_moves times: flagged once, and the entry says so.
    for (int i = 0; i < 4; ++i) {
        inject(i % 2 ? "a" : "b", hostFrame(kBroadcast, kHostC));
        run();
        drainAll();
    }
    EXPECT_EQ(ctl_->counters().events[static_cast<size_t>(Event::flapping_macs)], 1u);
    bool flagged = false;
    for (const auto& row : control::addressTableJson(*ctl_, *rig_->fdb))
        if (row["mac"] == kHostC.toString()) flagged = row["flapping"].get<bool>();
    EXPECT_TRUE(flagged);
}

TEST_F(LiveChange, SourcePortsStayInAConfiguredRange) {
    auto next = cfg_;
    next.vxlan.sourcePortMin = 1000;
    next.vxlan.sourcePortMax = 1003;
    apply(next);
    std::set<uint16_t> seen;
    for (uint16_t i = 0; i < 64; ++i) {
        Bytes f = FrameBuilder().ether(kBroadcast, kHostA, 0x0800).ipv4(*Ipv4Address::parse("192.168.10.1"),
                      *Ipv4Address::parse("192.168.10.2"), 17).udp(static_cast<uint16_t>(1000 + i), 80).payload(20).build();
        inject("a", f);
        run();
        for (const auto& o : collect("up")) seen.insert(static_cast<uint16_t>(o[34] << 8 | o[35]));
        drainAll();
    }
    ASSERT_FALSE(seen.empty());
    EXPECT_GE(*seen.begin(), 1000);
    EXPECT_LE(*seen.rbegin(), 1003);
    EXPECT_EQ(seen.size(), 4u) << "64 flows spread over the 4 ports of the range";
}
