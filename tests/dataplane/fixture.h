// The dataplane fixture: the real Worker and Controller on net_ring ports (tests/common/ring_rig.h).
// Frames built with FrameBuilder go into a port's RX ring; what the worker transmits is read
// from the TX rings. Every case ends with the mempool back at its baseline and every received
// packet counted in exactly one fate.
#pragma once
#include <gtest/gtest.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <atomic>
#include <memory>

#include "common/fixtures.h"
#include "common/ring_rig.h"
#include "config/parse.h"
#include "control/commands.h"
#include "control/controller.h"
#include "dataplane/worker.h"
#include "packet/builder.h"
#include "port/port.h"
#include "rcu/qsbr.h"

using namespace vtepgw;
using counters::Drop;
using counters::Event;
using netaddr::Ipv4Address;
using netaddr::MacAddress;
using packet::Bytes;
using packet::FrameBuilder;

using namespace vtepgw::fixtures;

namespace dptest {

// Underlay "up", access "a" and "b" (untagged, br10) and trunk "t" (vlan 100 in br10).
inline const char* kConfig = R"({
  "ports": { "up": {"device": "ring_up"}, "a": {"device": "ring_a"},
             "b": {"device": "ring_b"}, "t": {"device": "ring_t"} },
  "underlay": { "port": "up", "address": "10.0.0.2/24",
                "neighbors": [ {"address": "10.0.0.9", "mac": "02:00:00:00:09:09"} ] },
  "vxlan": { "udp_port": 4789, "ttl": 64 },
  "bridges": { "br10": { "vni": 10, "flood_vteps": ["10.0.0.9"],
                         "members": [ {"port": "a"}, {"port": "b"}, {"port": "t", "vlan": 100} ] } }
})";

using testrig::RingPort;

class Dataplane : public ::testing::Test {
protected:
    static inline rte_mempool* pool = nullptr;
    static inline std::map<std::string, RingPort> ports;
    static inline int instance = 0;

    static void SetUpTestSuite() {
        if (pool != nullptr) return;  // derived suites share the pool and the ports
        // No per-lcore cache: rte_mempool_in_use_count() is then exact.
        pool = rte_pktmbuf_pool_create("dp_test_pool", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
        ASSERT_NE(pool, nullptr);
        ports = testrig::makeRingPorts(*config::parse(kConfig).config, pool);
    }

    // Live-change tests shorten ARP retries so that a failed next hop fails within a test.
    virtual underlay::NeighborTimings neighborTimings() const { return {}; }
    // Suites that need more than kConfig change it here (same ports).
    virtual void adjust(config::Config&) const {}
    // Between the controller's construction and start() (e.g. attaching a host interface).
    virtual void beforeStart() {}

    void SetUp() override {
        cfg_ = *config::parse(kConfig).config;
        adjust(cfg_);
        rig_ = std::make_unique<testrig::RingRig>(cfg_, ports, pool, "dp" + std::to_string(instance++), 1024,
                                                  neighborTimings());
        ourMac_ = rig_->bindings[0].mac;
        baseline_ = rte_mempool_in_use_count(pool);
        beforeStart();
        rig_->start();
        ctl_ = rig_->ctl.get();
        worker_ = rig_->worker.get();
        run();
        drainAll();  // the gratuitous ARP
    }

    void TearDown() override {
        drainAll();
        // Every received packet has exactly one fate (the control core settles those it held).
        const auto c = ctl_->totals();
        uint64_t received = 0, fates = 0;
        for (const auto& p : c.ports) received += p.rxPackets;
        for (uint64_t f : c.fates) fates += f;
        EXPECT_EQ(fates, received) << "forwarded " << c.fates[0] << ", flooded " << c.fates[1]
                                   << ", to control " << c.fates[2] << ", dropped " << c.fates[3];
        rig_->worker.reset();
        rig_->ctl.reset();
        EXPECT_EQ(rte_mempool_in_use_count(pool), baseline_) << "mbufs leaked";
        rig_.reset();
    }

    MacAddress ourMac() const {
        MacAddress m;
        std::copy(std::begin(ourMac_.addr_bytes), std::end(ourMac_.addr_bytes), m.bytes.begin());
        return m;
    }

    void inject(const std::string& port, const Bytes& frame) {
        rte_mbuf* m = rte_pktmbuf_alloc(pool);
        ASSERT_NE(m, nullptr);
        std::memcpy(rte_pktmbuf_append(m, static_cast<uint16_t>(frame.size())), frame.data(), frame.size());
        m->port = ports[port].id;
        ASSERT_EQ(rte_ring_enqueue(ports[port].rx, m), 0);
    }

    void run() { rig_->run(); }

    std::vector<Bytes> collect(const std::string& port) {
        std::vector<Bytes> out;
        void* obj;
        while (rte_ring_dequeue(ports[port].tx, &obj) == 0) {
            auto* m = static_cast<rte_mbuf*>(obj);
            Bytes b(m->pkt_len);
            const void* p = rte_pktmbuf_read(m, 0, m->pkt_len, b.data());
            if (p != b.data()) std::memcpy(b.data(), p, m->pkt_len);
            out.push_back(b);
            rte_pktmbuf_free(m);
        }
        return out;
    }

    void drainAll() {
        for (const auto& [name, p] : ports) collect(name);
    }

    uint64_t drops(Drop d) {
        return worker_->counters().drops[static_cast<size_t>(d)] + ctl_->counters().drops[static_cast<size_t>(d)];
    }

    // The VXLAN packet vtepd must send to the peer for `inner`, source port normalised.
    Bytes expectedVxlan(const Bytes& inner) {
        Bytes b = FrameBuilder().ether(kPeerMac, ourMac(), 0x0800).ipv4(kOurIp, kPeerIp, 17, 64)
                      .udp(0, 4789).vxlan(10).frame(inner).build();
        b[18] = b[19] = 0;  // we send IP ID 0
        b[24] = b[25] = 0;
        const uint16_t c = rte_ipv4_cksum(reinterpret_cast<rte_ipv4_hdr*>(&b[14]));
        std::memcpy(&b[24], &c, 2);
        return b;
    }

    // Checks the source port range, then zeroes it for a byte comparison.
    Bytes normalised(Bytes b) {
        EXPECT_GE(b.size(), 50u);
        const uint16_t sport = static_cast<uint16_t>(b[34] << 8 | b[35]);
        EXPECT_GE(sport, 49152);
        b[34] = b[35] = 0;
        return b;
    }

    Bytes hostFrame(const MacAddress& dst, const MacAddress& src, size_t payload = 46) {
        return FrameBuilder().ether(dst, src, 0x0800).ipv4(*Ipv4Address::parse("192.168.10.1"),
            *Ipv4Address::parse("192.168.10.2"), 17).udp(1234, 5678).payload(payload - 28).build();
    }

    Bytes fromPeer(const Bytes& inner, uint32_t vni = 10, uint8_t flags = 0x08) {
        return FrameBuilder().ether(ourMac(), kPeerMac, 0x0800).ipv4(kPeerIp, kOurIp, 17)
            .udp(50000, 4789).vxlan(vni, flags).frame(inner).build();
    }

    config::Config cfg_;
    rte_ether_addr ourMac_{};
    std::unique_ptr<testrig::RingRig> rig_;
    control::Controller* ctl_ = nullptr;
    dataplane::Worker* worker_ = nullptr;
    unsigned baseline_ = 0;
};

}  // namespace dptest
