// L2 GRE bridges (RFC 2784 + RFC 2890 key, Ethernet over GRE) and VXLAN on per-VTEP UDP
// ports, through the real worker and control core: byte-exact encapsulation, decapsulation
// and learning behind a GRE VTEP, every GRE drop reason, and the `vteps` UDP port overrides.
#include <chrono>
#include <set>
#include <thread>

#include "control/commands.h"
#include "control/report.h"
#include "dataplane/fixture.h"

using namespace dptest;

namespace {

const char* kGre = R"({
  "ports": { "up": {"device": "ring_up"}, "a": {"device": "ring_a"},
             "b": {"device": "ring_b"}, "t": {"device": "ring_t"} },
  "underlay": { "port": "up", "address": "10.0.0.2/24",
                "neighbors": [ {"address": "10.0.0.9", "mac": "02:00:00:00:09:09"} ] },
  "bridges": { "tenant": { "vni": 4242, "encapsulation": "gre", "flood_vteps": ["10.0.0.9"],
                           "members": [ {"port": "a"}, {"port": "b"} ] } }
})";

class Gre : public Dataplane {
protected:
    void SetUp() override {
        Dataplane::SetUp();
        auto r = config::parse(kGre);
        ASSERT_TRUE(r.config) << r.errors[0].toString();
        ASSERT_TRUE(ctl_->apply(*r.config).empty());
        run();
        drainAll();
    }

    // What vtepd must send to the peer for `inner` over GRE with key 4242.
    Bytes expectedGre(const Bytes& inner) {
        Bytes b = FrameBuilder().ether(kPeerMac, ourMac(), 0x0800).ipv4(kOurIp, kPeerIp, 47, 64)
                      .gre(4242).frame(inner).build();
        b[18] = b[19] = 0;  // we send IP ID 0
        b[24] = b[25] = 0;
        const uint16_t c = rte_ipv4_cksum(reinterpret_cast<rte_ipv4_hdr*>(&b[14]));
        std::memcpy(&b[24], &c, 2);
        return b;
    }

    Bytes greFromPeer(const Bytes& inner, uint32_t key = 4242, uint16_t flags = 0x2000,
                      uint16_t protocol = 0x6558) {
        return FrameBuilder().ether(ourMac(), kPeerMac, 0x0800).ipv4(kPeerIp, kOurIp, 47)
            .gre(key, flags, protocol, 77).frame(inner).build();
    }
};

}  // namespace

TEST_F(Gre, FloodsLearnsAndUnicastsOverGre) {
    const Bytes in = hostFrame(kBroadcast, kHostA);
    inject("a", in);
    run();
    EXPECT_EQ(collect("b").size(), 1u);
    auto up = collect("up");
    ASSERT_EQ(up.size(), 1u);
    EXPECT_EQ(up[0], expectedGre(in)) << packet::hexDump(up[0]);
    drainAll();

    // B answers from behind the GRE VTEP: decapsulated to A alone, B learned behind it.
    const Bytes reply = hostFrame(kHostA, kHostB);
    inject("up", greFromPeer(reply));
    run();
    auto a = collect("a");
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0], reply);
    EXPECT_TRUE(collect("b").empty());
    EXPECT_TRUE(collect("up").empty()) << "split horizon";
    const Bytes toB = hostFrame(kHostB, kHostA, 200);
    inject("a", toB);
    run();
    up = collect("up");
    ASSERT_EQ(up.size(), 1u);
    EXPECT_EQ(up[0], expectedGre(toB));
    EXPECT_TRUE(collect("b").empty()) << "unicast, not flooded";

    const auto tunnel = ctl_->tunnels().find({kPeerIp, encap::Encap::Gre, false});
    ASSERT_TRUE(tunnel);
    const auto t = ctl_->totals();
    EXPECT_EQ(t.vteps[*tunnel].rxPackets, 1u);
    EXPECT_EQ(t.vteps[*tunnel].txPackets, 2u);
    bool seen = false;
    for (const auto& row : control::addressTableJson(*ctl_, *rig_->fdb))
        if (row["mac"] == kHostB.toString()) {
            seen = true;
            EXPECT_EQ(row["vtep"], kPeerIp.toString());
            EXPECT_EQ(row["encapsulation"], "gre");
        }
    EXPECT_TRUE(seen);
    control::Commands commands(*ctl_, *rig_->fdb, {&worker_->counters()}, {}, nlohmann::ordered_json::parse(kGre), pool);
    const auto vteps = commands.execute({{"command", "show vtep"}});
    ASSERT_EQ(vteps["result"].size(), 1u) << vteps.dump();
    EXPECT_EQ(vteps["result"][0]["encapsulation"], "gre");
    EXPECT_FALSE(vteps["result"][0].contains("udp_port"));
}

TEST_F(Gre, ChecksumAndSequenceAreAcceptedWhenRight) {
    const Bytes reply = hostFrame(kHostA, kHostB);
    inject("up", greFromPeer(reply, 4242, 0xB000));  // C, K, S
    run();
    EXPECT_EQ(collect("a").size() + collect("b").size(), 2u) << "flooded to both members (A unknown)";
}

TEST_F(Gre, EveryBadGreFrameIsANamedDrop) {
    const Bytes in = hostFrame(kHostA, kHostB);
    struct Case {
        const char* what;
        Bytes frame;
        Drop reason;
    };
    Bytes badSum = greFromPeer(in, 4242, 0xA000);
    badSum[38] ^= 0xFF;  // the GRE checksum field
    const std::vector<Case> cases = {
        {"version 1", greFromPeer(in, 4242, 0x2001), Drop::gre_bad_version},
        {"routing bit", greFromPeer(in, 4242, 0x6000), Drop::gre_routing},
        {"IPv4 payload, not Ethernet", greFromPeer(in, 4242, 0x2000, 0x0800), Drop::gre_not_ethernet},
        {"wrong checksum", badSum, Drop::gre_bad_checksum},
        {"no key", greFromPeer(in, 0, 0x0000), Drop::gre_unknown_key},
        {"unknown key", greFromPeer(in, 4243), Drop::gre_unknown_key},
        {"VXLAN to a GRE-only VNI", fromPeer(in, 4242), Drop::unknown_vni},
    };
    for (const auto& c : cases) {
        const uint64_t before = drops(c.reason);
        inject("up", c.frame);
        run();
        EXPECT_EQ(drops(c.reason), before + 1) << c.what;
        EXPECT_TRUE(collect("a").empty() && collect("b").empty()) << c.what;
    }
}

TEST_F(Gre, OverheadIsGresOwn) {
    // 1500 underlay, 42 bytes of GRE: inner IP packets of 1458 bytes fit (VXLAN's limit is 1450).
    inject("a", hostFrame(kBroadcast, kHostA, 1458));
    run();
    EXPECT_EQ(collect("up").size(), 1u);
    inject("a", hostFrame(kBroadcast, kHostA, 1459));
    run();
    EXPECT_TRUE(collect("up").empty());
    EXPECT_EQ(drops(Drop::mtu_exceeded), 1u);
    drainAll();
}

TEST_F(Dataplane, VxlanGoesToEachVtepsOwnUdpPort) {
    auto cfg = cfg_;
    cfg.vteps.push_back({kPeerIp, 8472});
    cfg.bridges[0].floodVteps.push_back(*Ipv4Address::parse("10.0.0.10"));
    cfg.underlay.neighbors.push_back({*Ipv4Address::parse("10.0.0.10"), kPeerMac});
    ASSERT_TRUE(ctl_->apply(cfg).empty());
    run();
    drainAll();
    inject("a", hostFrame(kBroadcast, kHostA));
    run();
    std::set<std::pair<uint32_t, uint16_t>> got;
    for (const auto& f : collect("up"))
        got.insert({static_cast<uint32_t>(f[30] << 24 | f[31] << 16 | f[32] << 8 | f[33]),
                    static_cast<uint16_t>(f[36] << 8 | f[37])});
    EXPECT_EQ(got, (std::set<std::pair<uint32_t, uint16_t>>{{kPeerIp.host, 8472}, {0x0A00000A, 4789}}));
    drainAll();
    // Received on either port; a port no VTEP uses is refused.
    auto onPort = [&](uint16_t port) {
        return FrameBuilder().ether(ourMac(), kPeerMac, 0x0800).ipv4(kPeerIp, kOurIp, 17)
            .udp(50000, port).vxlan(10).frame(hostFrame(kHostA, kHostB)).build();
    };
    inject("up", onPort(8472));
    inject("up", onPort(4789));
    inject("up", onPort(9999));
    run();
    EXPECT_EQ(collect("a").size(), 2u);
    EXPECT_EQ(drops(Drop::udp_port_unknown), 1u);
    drainAll();
}
