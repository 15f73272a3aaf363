// EVPN in the control core, with the fabric faked: a type-2 route becomes an "evpn" entry the
// worker encapsulates to, a type-3 route fills the flood list, withdrawals remove both, the
// tunnel side does not learn, local MACs are published, and evpn entries never age.
#include <linux/neighbour.h>
#include <sys/socket.h>

#include <chrono>
#include <thread>

#include "dataplane/fixture.h"
#include "evpn/fabric.h"

namespace dptest {
namespace {

class FakeFabric : public evpn::Fabric {
public:
    FakeFabric() { table_.setDevices({{1, 10}}); }
    std::vector<std::string> sync(const std::vector<std::pair<uint32_t, std::string>>& bridges, uint64_t) override {
        synced = bridges;
        return {};
    }
    bool poll(uint64_t) override { return std::exchange(changed_, false); }
    const evpn::RemoteTable& remote() const override { return table_; }
    void publishLocal(const std::map<uint32_t, std::set<uint64_t>>& macs) override { published = macs; }
    const std::vector<evpn::ShadowDevices>& devices() const override { return devices_; }
    const evpn::FabricStats& stats() const override { return stats_; }

    // What zebra would write on the shadow vxlan device (ifindex 1, VNI 10).
    void route(const MacAddress& mac, Ipv4Address vtep, bool withdraw = false) {
        evpn::Neigh n;
        n.deleted = withdraw;
        n.family = AF_BRIDGE;
        n.ifindex = 1;
        n.mac = mac;
        n.dst = vtep;
        n.flags = NTF_SELF | (mac.isZero() ? 0 : NTF_EXT_LEARNED);
        n.state = mac.isZero() ? NUD_NOARP | NUD_PERMANENT : NUD_REACHABLE;
        changed_ = table_.apply(n) || changed_;
    }

    std::vector<std::pair<uint32_t, std::string>> synced;
    std::map<uint32_t, std::set<uint64_t>> published;

private:
    evpn::RemoteTable table_;
    bool changed_ = false;
    std::vector<evpn::ShadowDevices> devices_;
    evpn::FabricStats stats_;
};

class Evpn : public Dataplane {
protected:
    void adjust(config::Config& c) const override {
        c.evpn = config::EvpnSpec{};
        c.bridges[0].floodVteps.clear();  // the flood list comes from type-3 routes
    }
    void beforeStart() override { rig_->ctl->attachEvpn(&fabric_); }

    // The control core reads the fabric every tick (100 ms).
    void tick() {
        std::this_thread::sleep_for(std::chrono::milliseconds(110));
        run();
    }

    int32_t entry(const MacAddress& mac) { return rig_->fdb->lookup(fdb::makeKey(0, mac.bytes.data())); }

    FakeFabric fabric_;
};

const MacAddress kZero{};

}  // namespace

TEST_F(Evpn, TheEvpnBridgesGetShadowDevices) {
    ASSERT_EQ(fabric_.synced.size(), 1u);
    EXPECT_EQ(fabric_.synced[0].first, 10u);
    EXPECT_EQ(fabric_.synced[0].second, "br10");
}

TEST_F(Evpn, AType2RouteIsAnEvpnEntryTheWorkerEncapsulatesTo) {
    fabric_.route(kHostB, kPeerIp);
    tick();
    const int32_t pos = entry(kHostB);
    ASSERT_GE(pos, 0);
    const fdb::Dest d = rig_->fdb->dest(pos);
    EXPECT_TRUE(d.isEvpn());
    EXPECT_EQ(d.kind(), fdb::DestKind::Remote);
    EXPECT_EQ(ctl_->tunnels().key(static_cast<uint16_t>(d.tunnel())).ip, netaddr::IpAddress{kPeerIp});
    const Bytes frame = hostFrame(kHostB, kHostA);
    inject("a", frame);
    run();
    const auto out = collect("up");
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(normalised(out[0]), expectedVxlan(frame));
    // Withdrawn: gone, and the next frame to B is flooded (nowhere remote: no type-3 yet).
    fabric_.route(kHostB, kPeerIp, true);
    tick();
    EXPECT_LT(entry(kHostB), 0);
    inject("a", frame);
    run();
    EXPECT_TRUE(collect("up").empty());
    EXPECT_GE(ctl_->counters().events[static_cast<size_t>(Event::evpn_macs_withdrawn)], 1u);
}

TEST_F(Evpn, AType3RouteFillsTheFloodList) {
    const Bytes bcast = hostFrame(kBroadcast, kHostA);
    inject("a", bcast);
    run();
    EXPECT_TRUE(collect("up").empty());  // no flood_vteps, no route: nowhere to flood remotely
    fabric_.route(kZero, kPeerIp);
    tick();
    inject("a", bcast);
    run();
    const auto out = collect("up");
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(normalised(out[0]), expectedVxlan(bcast));
    fabric_.route(kZero, kPeerIp, true);
    tick();
    inject("a", bcast);
    run();
    EXPECT_TRUE(collect("up").empty());
}

TEST_F(Evpn, TheTunnelSideDoesNotLearnAndLocalMacsArePublished) {
    inject("up", fromPeer(hostFrame(kBroadcast, kHostB)));
    inject("a", hostFrame(kBroadcast, kHostA));
    run();
    EXPECT_LT(entry(kHostB), 0);   // behind the tunnel: BGP's to say
    EXPECT_GE(entry(kHostA), 0);   // local: learned as always
    std::this_thread::sleep_for(std::chrono::milliseconds(520));
    run();
    ASSERT_EQ(fabric_.published.count(10), 1u);
    EXPECT_EQ(fabric_.published[10], std::set<uint64_t>{kHostA.toU64()});
}

TEST_F(Evpn, AFrameFromAnotherVtepThanTheRouteSaysIsCounted) {
    fabric_.route(kHostB, *Ipv4Address::parse("10.0.0.7"));
    tick();
    inject("up", fromPeer(hostFrame(kHostA, kHostB)));  // B arrives from 10.0.0.9
    run();
    EXPECT_EQ(worker_->counters().events[static_cast<size_t>(Event::evpn_unexpected_vtep)], 1u);
    // The route still wins: B stays behind 10.0.0.7.
    const fdb::Dest d = rig_->fdb->dest(entry(kHostB));
    EXPECT_EQ(ctl_->tunnels().key(static_cast<uint16_t>(d.tunnel())).ip, netaddr::IpAddress{*Ipv4Address::parse("10.0.0.7")});
}

TEST_F(Evpn, EvpnCannotBeTurnedOffOrRenamedAtRunTime) {
    config::Config next = cfg_;
    next.evpn.reset();
    ASSERT_EQ(ctl_->apply(next).size(), 1u);
    EXPECT_EQ(ctl_->apply(next)[0], "evpn: turning EVPN on or off, or changing its prefix, needs a restart of vtepd");
    next = cfg_;
    next.evpn->prefix = "zz";
    EXPECT_EQ(ctl_->apply(next).size(), 1u);
    next = cfg_;
    next.evpn->dataPlaneLearning = true;  // this one may change
    EXPECT_TRUE(ctl_->apply(next).empty());
}

TEST_F(Evpn, EvpnEntriesNeverAge) {
    fabric_.route(kHostB, kPeerIp);
    tick();
    ASSERT_GE(entry(kHostB), 0);
    EXPECT_EQ(rig_->fdb->age(1'000'000, 300), 0u);
    EXPECT_GE(entry(kHostB), 0);
}

}  // namespace dptest
