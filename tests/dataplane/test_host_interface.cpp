// The host interface on ring ports: what the host's stack is owed goes up to it (TCP, other
// UDP, ICMP other than echo, ARP but requests for us), what vtepd answers does not (echo, ARP
// requests, VXLAN), the policer holds each class to its rate, and what the host sends leaves
// by the underlay only if it is ours to send.
#include "dataplane/fixture.h"

namespace dptest {
namespace {

// Stands for the kernel's side: records what it was asked to install.
class RecordingStack : public host::HostStack {
public:
    std::vector<std::string> sync(const config::UnderlaySpec& u) override {
        synced.push_back(u);
        return problems;
    }
    const std::string& name() const override { return name_; }
    std::vector<config::UnderlaySpec> synced;
    std::vector<std::string> problems;

private:
    std::string name_ = "vtep0";
};

class HostInterface : public Dataplane {
protected:
    static inline RingPort host;

    static void SetUpTestSuite() {
        Dataplane::SetUpTestSuite();
        if (host.rx != nullptr) return;
        host.rx = rte_ring_create("ring_host_rx", 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
        host.tx = rte_ring_create("ring_host_tx", 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
        const int id = rte_eth_from_rings("ring_host", &host.rx, 1, &host.tx, 1, 0);
        ASSERT_GE(id, 0);
        host.id = static_cast<uint16_t>(id);
        port::openPort(config::PortSpec{"host", "ring_host", "", std::nullopt}, host.id, 1, pool, true);
    }

    void adjust(config::Config& c) const override {
        c.underlay.hostInterface = "vtep0";
        c.underlay.puntPps[punt::index(punt::Class::Tcp)] = puntTcp_;
    }
    void beforeStart() override { rig_->ctl->attachHost(host.id, &stack_); }

    std::vector<Bytes> fromHost() {
        std::vector<Bytes> out;
        void* obj;
        while (rte_ring_dequeue(host.tx, &obj) == 0) {
            auto* m = static_cast<rte_mbuf*>(obj);
            Bytes b(m->pkt_len);
            std::memcpy(b.data(), rte_pktmbuf_read(m, 0, m->pkt_len, b.data()), m->pkt_len);
            out.push_back(b);
            rte_pktmbuf_free(m);
        }
        return out;
    }

    void injectFromHost(const Bytes& frame) {
        rte_mbuf* m = rte_pktmbuf_alloc(pool);
        ASSERT_NE(m, nullptr);
        std::memcpy(rte_pktmbuf_append(m, static_cast<uint16_t>(frame.size())), frame.data(), frame.size());
        ASSERT_EQ(rte_ring_enqueue(host.rx, m), 0);
    }

    void TearDown() override {
        fromHost();
        Dataplane::TearDown();
    }

    Bytes tcpSyn(uint16_t dport = 179) {
        return FrameBuilder().ether(ourMac(), kPeerMac, 0x0800).ipv4(kPeerIp, kOurIp, 6).tcp(40000, dport).build();
    }

    RecordingStack stack_;
    uint32_t puntTcp_ = punt::kDefaultPps[punt::index(punt::Class::Tcp)];
};

}  // namespace

TEST_F(HostInterface, TheKernelSideIsConfiguredAtStart) {
    ASSERT_EQ(stack_.synced.size(), 1u);
    EXPECT_EQ(stack_.synced[0].address->toString(), "10.0.0.2/24");
}

TEST_F(HostInterface, ATcpSynToOurAddressGoesToTheHostInterfaceAsItCame) {
    const Bytes syn = tcpSyn();
    inject("up", syn);
    run();
    const auto up = fromHost();
    ASSERT_EQ(up.size(), 1u);
    EXPECT_EQ(up[0], syn) << packet::hexDump(up[0]);
    EXPECT_TRUE(collect("up").empty());
    const auto t = ctl_->totals();
    EXPECT_EQ(t.host.puntedPackets, 1u);
    EXPECT_EQ(t.host.puntedBytes, syn.size());
    EXPECT_EQ(t.fates[static_cast<size_t>(counters::Fate::ToControl)], 1u);
}

TEST_F(HostInterface, UdpToAPortNoVtepUsesGoesUpAndVxlanDoesNot) {
    const Bytes bfd = FrameBuilder().ether(ourMac(), kPeerMac, 0x0800).ipv4(kPeerIp, kOurIp, 17)
                          .udp(49152, 3784).payload(24).build();
    inject("up", bfd);
    inject("up", fromPeer(hostFrame(kHostB, kHostA)));
    run();
    const auto up = fromHost();
    ASSERT_EQ(up.size(), 1u);
    EXPECT_EQ(up[0], bfd);
    EXPECT_EQ(collect("a").size() + collect("b").size() + collect("t").size(), 3u);  // the VXLAN, flooded
}

TEST_F(HostInterface, LinkLocalMulticastGoesUpForOspfAndPim) {
    const MacAddress allSpf = *MacAddress::parse("01:00:5e:00:00:05");
    const Bytes hello = FrameBuilder().ether(allSpf, kPeerMac, 0x0800).ipv4(kPeerIp, *Ipv4Address::parse("224.0.0.5"), 89, 1)
                            .payload(44).build();
    inject("up", hello);
    run();
    const auto up = fromHost();
    ASSERT_EQ(up.size(), 1u);
    EXPECT_EQ(up[0], hello);
}

TEST_F(HostInterface, EchoAndArpForUsAreAnsweredOnceAndNotPunted) {
    inject("up", FrameBuilder().ether(ourMac(), kPeerMac, 0x0800).ipv4(kPeerIp, kOurIp, 1).icmpEcho(true, 1, 1).payload(8).build());
    inject("up", FrameBuilder().ether(kBroadcast, kPeerMac, 0x0806)
                     .arp(1, kPeerMac, kPeerIp, MacAddress{}, kOurIp).build());
    run();
    EXPECT_TRUE(fromHost().empty());
    const auto out = collect("up");
    ASSERT_EQ(out.size(), 2u);  // the echo reply and the ARP reply, by vtepd
    EXPECT_EQ(ctl_->counters().events[static_cast<size_t>(Event::icmp_echo_answered)], 1u);
    EXPECT_EQ(ctl_->counters().events[static_cast<size_t>(Event::arp_requests_answered)], 1u);
}

TEST_F(HostInterface, ArpRepliesAndEchoRepliesReachTheHost) {
    // The host's own ping and its ARP: vtepd does not ask, so the answers are the host's.
    const Bytes arpReply = FrameBuilder().ether(ourMac(), kPeerMac, 0x0806)
                               .arp(2, kPeerMac, kPeerIp, ourMac(), kOurIp).build();
    const Bytes echoReply = FrameBuilder().ether(ourMac(), kPeerMac, 0x0800).ipv4(kPeerIp, kOurIp, 1)
                                .icmpEcho(false, 7, 1).payload(8).build();
    inject("up", arpReply);
    inject("up", echoReply);
    run();
    const auto up = fromHost();
    ASSERT_EQ(up.size(), 2u);
    EXPECT_EQ(up[0], arpReply);
    EXPECT_EQ(up[1], echoReply);
    EXPECT_TRUE(collect("up").empty());
    // vtepd still heard the reply (one ARP view).
    EXPECT_EQ(ctl_->counters().events[static_cast<size_t>(Event::arp_replies_received)], 1u);
}

TEST_F(HostInterface, WhatTheHostSendsAsUsLeavesByTheUnderlay) {
    const Bytes syn = FrameBuilder().ether(kPeerMac, ourMac(), 0x0800).ipv4(kOurIp, kPeerIp, 6).tcp(179, 40000).build();
    injectFromHost(syn);
    // A frame the host may not send: another source MAC (it would be a second host on the wire),
    // and IPv6 (our underlay is IPv4).
    injectFromHost(FrameBuilder().ether(kPeerMac, kHostA, 0x0800).ipv4(kOurIp, kPeerIp, 6).tcp(179, 40000).build());
    injectFromHost(FrameBuilder().ether(kPeerMac, ourMac(), 0x86dd).payload(40).build());
    run();
    const auto out = collect("up");
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0], syn);
    EXPECT_EQ(drops(Drop::host_frame_refused), 2u);
    const auto t = ctl_->totals();
    EXPECT_EQ(t.host.injectedPackets, 1u);
    EXPECT_EQ(t.host.injectedBytes, syn.size());
}

TEST_F(HostInterface, AReloadResyncsTheKernelSideAndTheInterfaceCannotChange) {
    config::Config next = cfg_;
    next.underlay.routes.push_back({*netaddr::Ipv4Prefix::parse("172.16.0.0/16"), kPeerIp});
    EXPECT_TRUE(ctl_->apply(next).empty());
    ASSERT_EQ(stack_.synced.size(), 2u);
    EXPECT_EQ(stack_.synced[1].routes.size(), 1u);
    next.underlay.hostInterface = "vtep1";
    const auto errors = ctl_->apply(next);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0], "underlay.host_interface: the host interface cannot change at run time (restart vtepd)");
    EXPECT_EQ(stack_.synced.size(), 2u);
}

class HostPolicer : public HostInterface {
protected:
    HostPolicer() { puntTcp_ = 10; }  // burst: 8 packets
};

TEST_F(HostPolicer, AFloodOfTcpIsHeldToItsRateAndCounted) {
    for (int i = 0; i < 50; ++i) inject("up", tcpSyn(static_cast<uint16_t>(1000 + i)));
    // ARP in the same burst is another class: it still gets through.
    inject("up", FrameBuilder().ether(ourMac(), kPeerMac, 0x0806).arp(2, kPeerMac, kPeerIp, ourMac(), kOurIp).build());
    run();
    run();  // 51 frames: two bursts
    const auto up = fromHost();
    EXPECT_EQ(up.size(), 8u + 1u);
    EXPECT_EQ(drops(Drop::punt_policed), 42u);
    const auto t = ctl_->totals();
    EXPECT_EQ(t.policed[punt::index(punt::Class::Tcp)], 42u);
    EXPECT_EQ(t.policed[punt::index(punt::Class::Arp)], 0u);
    EXPECT_EQ(t.fates[static_cast<size_t>(counters::Fate::Dropped)], 42u);
}

TEST_F(Dataplane, WithoutAHostInterfaceTcpToUsIsDropped) {
    inject("up", FrameBuilder().ether(*MacAddress::parse("01:00:5e:00:00:05"), kPeerMac, 0x0800)
                     .ipv4(kPeerIp, *Ipv4Address::parse("224.0.0.5"), 89, 1).payload(44).build());
    inject("up", FrameBuilder().ether(ourMac(), kPeerMac, 0x0800).ipv4(kPeerIp, kOurIp, 6).tcp(40000, 22).build());
    inject("up", FrameBuilder().ether(ourMac(), kPeerMac, 0x0800).ipv4(kPeerIp, kOurIp, 17).udp(40000, 53).payload(8).build());
    run();
    EXPECT_TRUE(collect("up").empty());
    EXPECT_EQ(drops(Drop::unsupported_protocol), 1u);
    EXPECT_EQ(drops(Drop::udp_port_unknown), 1u);
    EXPECT_EQ(drops(Drop::not_for_us), 1u);  // the OSPF hello
}

}  // namespace dptest
