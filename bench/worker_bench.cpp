// Google Benchmark over the real fast path: the Worker's burst processing (encap, decap with
// and without learning, flooding by head-end replication) on bursts of 32 mbufs, and the
// MAC table's bulk lookup. The worker, control core and MAC table are vtepd's own, wired to
// net_ring ports (tests/common/ring_rig.h); the address table is filled by real traffic
// (decap, then encap) before timing.
//
// Counters: "cycles/pkt" = TSC cycles per packet of the whole iteration. The harness's own
// share (rewriting the frame as a NIC would, ring enqueue/dequeue) is BM_RigOnly: subtract it
// to compare with the pipeline benchmark. Run: build/bench/worker_bench
#include <benchmark/benchmark.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/ring_rig.h"
#include "config/parse.h"
#include "fdb/fdb.h"
#include "packet/builder.h"
#include "packet/headers.h"

using namespace vtepgw;

namespace {

constexpr uint16_t kBurst = dataplane::kBurst;
constexpr uint32_t kMaxVteps = 64;
constexpr uint16_t kInnerLen = 60;  // 64-byte inner frames without the FCS
rte_mempool* gPool = nullptr;

// Why packets went missing: the worker's non-zero drop and event counters.
struct Rig;
std::string whyMissing(const Rig& r);

void reportCycles(benchmark::State& state, uint64_t cycles, uint64_t packets) {
    state.counters["cycles/pkt"] = benchmark::Counter(double(cycles) / double(packets));
    state.SetItemsProcessed(static_cast<int64_t>(packets));
}

// MAC i of the local (access) side and of the remote side.
std::array<uint8_t, 6> macOf(bool remote, uint32_t i) {
    return {0x02, static_cast<uint8_t>(remote ? 0xbb : 0xaa), static_cast<uint8_t>(i >> 24),
            static_cast<uint8_t>(i >> 16), static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
}
netaddr::Ipv4Address vtepOf(uint32_t i) { return netaddr::Ipv4Address{0x0A010001u + i % kMaxVteps}; }
const netaddr::MacAddress kOurMac = *netaddr::MacAddress::parse("02:00:00:00:00:02");
const netaddr::MacAddress kGwMac = *netaddr::MacAddress::parse("02:00:00:00:01:01");

std::string configText(const std::string& tag, bool learning, unsigned floodVteps) {
    std::string flood;
    for (unsigned i = 0; i < floodVteps; ++i)
        flood += std::string(i ? ", " : "") + "\"" + vtepOf(i).toString() + "\"";
    return R"({ "ports": { "up": {"device": "bu_)" + tag + R"("}, "a": {"device": "ba_)" + tag + R"("} },
      "underlay": { "port": "up", "address": "10.0.0.2/16", "gateway": "10.0.0.1",
                    "neighbors": [ {"address": "10.0.0.1", "mac": "02:00:00:00:01:01"} ] },
      "vxlan": { "ageing_seconds": 0 },
      "bridges": { "br10": { "vni": 10, "learning": )" + (learning ? "true" : "false") +
           R"(, "members": [ {"port": "a"} ], "flood_vteps": [ )" + flood + " ] } } }";
}

// Routing from VNI 10 to VNI 20 (bench/pktgen/make_pcaps.py's addressing): local host i
// (100.64.0.2 + i) sends to remote host i (198.18.0.2 + i), a static binding behind VTEP i % 64.
const netaddr::MacAddress kGw10Mac = *netaddr::MacAddress::parse("02:00:00:00:fe:0a");
uint32_t remoteHostIp(uint32_t i) { return 0xC6120002u + i; }

std::string routedBridges(uint32_t macs) {
    std::string statics, neighbors;
    for (uint32_t i = 0; i < macs; ++i) {
        const std::string mac = netaddr::MacAddress{macOf(true, i)}.toString();
        statics += std::string(i ? ", " : "") + R"({"mac": ")" + mac + R"(", "vtep": ")" + vtepOf(i).toString() + R"("})";
        neighbors += std::string(i ? ", " : "") + R"({"address": ")" + netaddr::Ipv4Address{remoteHostIp(i)}.toString() +
                     R"(", "mac": ")" + mac + R"("})";
    }
    return R"(, "address": "100.64.0.1/10", "gateway_mac": "02:00:00:00:fe:0a" },
        "br20": { "vni": 20, "address": "198.18.0.1/15", "static_macs": [ )" + statics +
           R"( ], "neighbors": [ )" + neighbors + " ] } } }";
}

std::string configText(const std::string& tag, bool learning, unsigned floodVteps, uint32_t routedMacs) {
    std::string text = configText(tag, learning, floodVteps);
    if (routedMacs == 0) return text;
    return text.substr(0, text.size() - std::string(" ] } } }").size()) + " ]" + routedBridges(routedMacs);
}

// One vtepd dataplane over ring ports, with frames to feed it.
struct Rig {
    config::Config cfg;
    std::map<std::string, testrig::RingPort> ports;
    std::unique_ptr<testrig::RingRig> rig;
    uint16_t up = 0, access = 0;
    rte_ether_addr upMac{};  // underlay frames are addressed to it

    Rig(const std::string& tag, bool learning, unsigned floodVteps, uint32_t fdbSize, uint32_t routedMacs = 0,
        dataplane::Trace* trace = nullptr)
        : Rig(tag, configText(tag, learning, floodVteps, routedMacs), fdbSize, trace) {}
    Rig(const std::string& tag, const std::string& text, uint32_t fdbSize, dataplane::Trace* trace = nullptr) {
        auto parsed = config::parse(text);
        if (!parsed.config) {
            for (const auto& e : parsed.errors) std::fprintf(stderr, "bench config: %s\n", e.toString().c_str());
            std::abort();
        }
        cfg = *parsed.config;
        ports = testrig::makeRingPorts(cfg, gPool, 4096);
        rig = std::make_unique<testrig::RingRig>(cfg, ports, gPool, tag, fdbSize);
        rig->setup.trace = trace;
        rig->start();
        up = ports.at("up").id;
        access = ports.at("a").id;
        rte_eth_macaddr_get(up, &upMac);
        rig->rcu->online(0);
    }
    ~Rig() { rig->rcu->offline(0); }

    void drain() {
        void* m;
        for (auto& [name, p] : ports)
            while (rte_ring_dequeue(p.tx, &m) == 0) rte_pktmbuf_free(static_cast<rte_mbuf*>(m));
    }
};

std::string whyMissing(const Rig& r) {
    const auto& c = r.rig->worker->counters();
    std::string why;
    for (size_t i = 0; i < counters::kDropCount; ++i)
        if (c.drops[i]) why += std::string(counters::dropName(static_cast<counters::Drop>(i))) + "=" + std::to_string(c.drops[i]) + " ";
    for (size_t i = 0; i < counters::kEventCount; ++i)
        if (c.events[i]) why += std::string(counters::eventName(static_cast<counters::Event>(i))) + "=" + std::to_string(c.events[i]) + " ";
    return why;
}

// Frames as the NIC would deliver them: one template per direction, MACs (and the VTEP's
// address, with its checksum) patched per packet.
struct Frames {
    packet::Bytes encap;                  // access side: local MAC -> remote MAC
    std::vector<packet::Bytes> decap;     // underlay side, one per VTEP: remote -> local MAC

    Frames() {
        const auto inner = [](uint32_t i) {
            return packet::FrameBuilder()
                .ether(netaddr::MacAddress{macOf(false, i)}, netaddr::MacAddress{macOf(true, i)}, 0x0800)
                .ipv4(*netaddr::Ipv4Address::parse("192.168.0.2"), *netaddr::Ipv4Address::parse("192.168.0.1"), 17)
                .udp(1000, 2000).payload(kInnerLen - 42).build();
        };
        encap = packet::FrameBuilder()
                    .ether(netaddr::MacAddress{macOf(true, 0)}, netaddr::MacAddress{macOf(false, 0)}, 0x0800)
                    .ipv4(*netaddr::Ipv4Address::parse("192.168.0.1"), *netaddr::Ipv4Address::parse("192.168.0.2"), 17)
                    .udp(2000, 1000).payload(kInnerLen - 42).build();
        for (uint32_t v = 0; v < kMaxVteps; ++v)
            decap.push_back(packet::FrameBuilder().ether(kOurMac, kGwMac, 0x0800)
                                .ipv4(vtepOf(v), *netaddr::Ipv4Address::parse("10.0.0.2"), 17)
                                .udp(50000, 4789).vxlan(10).frame(inner(v)).build());
    }

    // Writes frame i of `macs` into m (data_off, lengths, bytes), as received.
    void fill(rte_mbuf* m, bool fromUnderlay, uint32_t i, uint32_t macs, const rte_ether_addr& upMac) const {
        const uint32_t mac = i % macs;
        const packet::Bytes& t = fromUnderlay ? decap[mac % kMaxVteps] : encap;
        m->data_off = RTE_PKTMBUF_HEADROOM;
        m->data_len = static_cast<uint16_t>(t.size());
        m->pkt_len = static_cast<uint32_t>(t.size());
        m->ol_flags = 0;
        // Patched in a local copy and written to the mbuf at once, as a NIC's DMA would:
        // narrow stores right before the worker's 8-byte loads would stall the loads
        // (failed store forwarding) and charge the rig's cost to the worker.
        alignas(64) uint8_t f[256];
        std::memcpy(f, t.data(), t.size());
        if (fromUnderlay) std::memcpy(f, upMac.addr_bytes, 6);
        uint8_t* eth = fromUnderlay ? f + packet::kVxlanOverhead : f;
        const auto remote = macOf(true, mac), local = macOf(false, mac);
        std::memcpy(eth, fromUnderlay ? local.data() : remote.data(), 6);
        std::memcpy(eth + 6, fromUnderlay ? remote.data() : local.data(), 6);
        std::memcpy(rte_pktmbuf_mtod(m, uint8_t*), f, t.size());
    }
};

const Frames& frames() {
    static const Frames f;
    return f;
}

std::vector<rte_mbuf*> allocBurst() {
    std::vector<rte_mbuf*> b(kBurst);
    if (rte_pktmbuf_alloc_bulk(gPool, b.data(), kBurst) != 0) std::abort();
    return b;
}

// Teaches the rig `macs` remote MACs (decap from 64 VTEPs) and the same number of local
// MACs (encap), so that the timed loop finds every address.
void learnAll(Rig& r, uint32_t macs, bool learning) {
    if (!learning) {
        // Without learning the local MACs are static, as an operator would configure them.
        const fdb::BridgeId bid = r.rig->ctl->bridgeIds().at("br10");
        for (uint32_t i = 0; i < macs; ++i)
            r.rig->fdb->addStatic(fdb::makeKey(bid, macOf(false, i).data()), fdb::Dest::local(r.access, 0, true), 0);
        return;
    }
    for (bool fromUnderlay : {true, false})
        for (uint32_t i = 0; i < macs; i += kBurst) {
            auto b = allocBurst();
            for (uint16_t j = 0; j < kBurst; ++j) frames().fill(b[j], fromUnderlay, i + j, macs, r.upMac);
            r.rig->worker->processBurst(fromUnderlay ? r.up : r.access, b.data(), kBurst);
            r.rig->worker->flush();
            r.rig->ctl->poll();
            r.rig->worker->pollOnce();  // sends what the control core released
            r.drain();
        }
    r.rig->ctl->poll();
}

Rig& rigFor(const std::string& kind, uint32_t macs) {
    static std::map<std::string, std::unique_ptr<Rig>> rigs;
    const std::string key = kind + std::to_string(macs);
    auto& slot = rigs[key];
    if (!slot) {
        // "traceoff": as vtepd runs, with a packet trace present but not armed.
        static dataplane::Trace traceOff;
        slot = std::make_unique<Rig>(std::to_string(rigs.size()), kind != "nolearn", 0,
                                     std::max<uint32_t>(4 * macs, 1024), 0,
                                     kind == "traceoff" ? &traceOff : nullptr);
        learnAll(*slot, macs, kind != "nolearn");
    }
    return *slot;
}

// The timed loop: fill a burst (as the NIC would), process it as received on `port` (or
// only pass it through the ring: the harness's own cost), take it back off `out`.
template <typename Fill>
void timeBursts(benchmark::State& state, Rig& r, uint16_t port, rte_ring* out, bool processing, Fill fill) {
    auto b = allocBurst();
    uint64_t packets = 0;
    const uint64_t start = rte_rdtsc();
    for (auto _ : state) {
        fill(b.data());
        if (processing) {
            r.rig->worker->processBurst(port, b.data(), kBurst);
            r.rig->worker->flush();
        } else {
            rte_ring_enqueue_burst(out, reinterpret_cast<void**>(b.data()), kBurst, nullptr);
        }
        if (rte_ring_dequeue_burst(out, reinterpret_cast<void**>(b.data()), kBurst, nullptr) != kBurst) {
            state.SkipWithError(("a packet did not come out: " + whyMissing(r)).c_str());
            break;
        }
        packets += kBurst;
    }
    reportCycles(state, rte_rdtsc() - start, packets);
    rte_pktmbuf_free_bulk(b.data(), kBurst);
    r.drain();
}

// One direction through the worker.
void runDirection(benchmark::State& state, Rig& r, bool fromUnderlay, uint32_t macs,
                  bool processing) {
    uint32_t i = 0;
    timeBursts(state, r, fromUnderlay ? r.up : r.access, r.ports.at(fromUnderlay ? "a" : "up").tx, processing,
               [&](rte_mbuf** b) {
                   for (uint16_t j = 0; j < kBurst; ++j) frames().fill(b[j], fromUnderlay, i++, macs, r.upMac);
               });
}

void BM_RigOnly(benchmark::State& state) {
    runDirection(state, rigFor("learn", 1), false, 1, false);
}
BENCHMARK(BM_RigOnly);

void BM_Encap(benchmark::State& state) {
    const auto macs = static_cast<uint32_t>(state.range(0));
    runDirection(state, rigFor("learn", macs), false, macs, true);
}
BENCHMARK(BM_Encap)->Arg(1)->Arg(1000)->Arg(100000);

// The packet trace when off (vtepctl trace: not armed): the same as BM_Encap, in one run.
void BM_EncapTraceOff(benchmark::State& state) {
    const auto macs = static_cast<uint32_t>(state.range(0));
    runDirection(state, rigFor("traceoff", macs), false, macs, true);
}
BENCHMARK(BM_EncapTraceOff)->Arg(1000);
void BM_DecapTraceOff(benchmark::State& state) {
    const auto macs = static_cast<uint32_t>(state.range(0));
    runDirection(state, rigFor("traceoff", macs), true, macs, true);
}
BENCHMARK(BM_DecapTraceOff)->Arg(1000);

void BM_Decap(benchmark::State& state) {
    const auto macs = static_cast<uint32_t>(state.range(0));
    runDirection(state, rigFor("nolearn", macs), true, macs, true);
}
BENCHMARK(BM_Decap)->Arg(1)->Arg(1000)->Arg(100000);

void BM_DecapLearn(benchmark::State& state) {
    const auto macs = static_cast<uint32_t>(state.range(0));
    runDirection(state, rigFor("learn", macs), true, macs, true);
}
BENCHMARK(BM_DecapLearn)->Arg(1)->Arg(1000)->Arg(100000);

// Routed from VNI 10 (access) to VNI 20 (encapsulated): gateway MAC, VRF table, ARP table,
// TTL and checksum, then the destination bridge's MAC table. Compare with BM_Encap.
void BM_Routed(benchmark::State& state) {
    const auto macs = static_cast<uint32_t>(state.range(0));
    static std::map<uint32_t, std::unique_ptr<Rig>> rigs;
    static std::map<uint32_t, std::vector<packet::Bytes>> templates;
    auto& slot = rigs[macs];
    if (!slot) {
        slot = std::make_unique<Rig>("r" + std::to_string(macs), true, 0, std::max<uint32_t>(4 * macs, 1024), macs);
        auto& t = templates[macs];
        for (uint32_t i = 0; i < macs; ++i)
            t.push_back(packet::FrameBuilder()
                            .ether(kGw10Mac, netaddr::MacAddress{macOf(false, i)}, 0x0800)
                            .ipv4(netaddr::Ipv4Address{0x64400002u + i}, netaddr::Ipv4Address{remoteHostIp(i)}, 17)
                            .udp(1000, 2000).payload(kInnerLen - 42).build());
    }
    Rig& r = *slot;
    const auto& t = templates[macs];
    rte_ring* out = r.ports.at("up").tx;
    uint32_t i = 0;
    auto fill = [&](rte_mbuf** b) {
        for (uint16_t j = 0; j < kBurst; ++j, ++i) {
            const packet::Bytes& f = t[i % macs];
            b[j]->data_off = RTE_PKTMBUF_HEADROOM;
            b[j]->data_len = static_cast<uint16_t>(f.size());
            b[j]->pkt_len = static_cast<uint32_t>(f.size());
            b[j]->ol_flags = 0;
            std::memcpy(rte_pktmbuf_mtod(b[j], uint8_t*), f.data(), f.size());
        }
    };
    // Untimed: one pass over every host, the control core learning their MACs as it goes.
    for (uint32_t n = 0; n < macs + kBurst; n += kBurst) {
        auto b = allocBurst();
        fill(b.data());
        r.rig->worker->processBurst(r.access, b.data(), kBurst);
        r.rig->worker->flush();
        r.rig->ctl->poll();
        r.rig->worker->pollOnce();
        r.drain();  // what came out (and ARP the control core sent): all back to the pool
    }
    timeBursts(state, r, r.access, out, true, fill);
}
BENCHMARK(BM_Routed)->Arg(1)->Arg(1000)->Arg(100000);

// The same bridged traffic at 1,000 MACs over each underlay: VXLAN over IPv4 (BM_Encap and
// BM_DecapLearn's case, in this harness), VXLAN over IPv6 (UDP checksum computed on encap,
// verified on decap: no NIC offload on ring ports), Ethernet over GRE with a key. Frames are
// built whole per MAC (IPv6's checksum covers the MACs), learning is on.
enum class Underlay { Vxlan4, Vxlan6, Gre4 };
const netaddr::Ipv6Address kOur6 = *netaddr::Ipv6Address::parse("2001:db8::2");
netaddr::Ipv6Address vtep6Of(uint32_t i) {
    netaddr::Ipv6Address a = *netaddr::Ipv6Address::parse("2001:db8:1::");
    a.bytes[15] = static_cast<uint8_t>(1 + i % kMaxVteps);
    return a;
}

std::string underlayConfig(const std::string& tag, Underlay u) {
    const std::string ports =
        R"({ "ports": { "up": {"device": "bu_)" + tag + R"("}, "a": {"device": "ba_)" + tag + R"("} },)";
    const std::string v4 = R"( "underlay": { "port": "up", "address": "10.0.0.2/16", "gateway": "10.0.0.1",
        "neighbors": [ {"address": "10.0.0.1", "mac": "02:00:00:00:01:01"} ] },)";
    const std::string v6 = R"( "underlay": { "port": "up", "address": "2001:db8::2/64", "gateway": "2001:db8::1",
        "neighbors": [ {"address": "2001:db8::1", "mac": "02:00:00:00:01:01"} ] },)";
    return ports + (u == Underlay::Vxlan6 ? v6 : v4) + R"( "vxlan": { "ageing_seconds": 0 },
      "bridges": { "br10": { "vni": 10, "learning": true, "members": [ {"port": "a"} ])" +
           (u == Underlay::Gre4 ? R"(, "encapsulation": "gre")" : "") + " } } }";
}

struct UnderlayFrames {
    std::vector<packet::Bytes> encap, decap;  // per MAC
    UnderlayFrames(Underlay u, uint32_t macs, const rte_ether_addr& upMac) {
        const netaddr::MacAddress up{std::array<uint8_t, 6>{upMac.addr_bytes[0], upMac.addr_bytes[1], upMac.addr_bytes[2],
                                                            upMac.addr_bytes[3], upMac.addr_bytes[4], upMac.addr_bytes[5]}};
        for (uint32_t i = 0; i < macs; ++i) {
            const netaddr::MacAddress local{macOf(false, i)}, remote{macOf(true, i)};
            const auto inner = [&](const netaddr::MacAddress& dst, const netaddr::MacAddress& src) {
                return packet::FrameBuilder()
                    .ether(dst, src, 0x0800)
                    .ipv4(*netaddr::Ipv4Address::parse("192.168.0.1"), *netaddr::Ipv4Address::parse("192.168.0.2"), 17)
                    .udp(2000, 1000).payload(kInnerLen - 42).build();
            };
            encap.push_back(inner(remote, local));
            packet::FrameBuilder outer;
            outer.ether(up, kGwMac, u == Underlay::Vxlan6 ? 0x86DD : 0x0800);
            const auto srcPort = static_cast<uint16_t>(49152 + (i * 2654435761u >> 16) % 16384);
            if (u == Underlay::Vxlan6) outer.ipv6(vtep6Of(i), kOur6, 17).udp(srcPort, 4789).vxlan(10);
            else if (u == Underlay::Vxlan4) outer.ipv4(vtepOf(i), *netaddr::Ipv4Address::parse("10.0.0.2"), 17).udp(srcPort, 4789).vxlan(10);
            else outer.ipv4(vtepOf(i), *netaddr::Ipv4Address::parse("10.0.0.2"), 47).gre(10);
            decap.push_back(outer.frame(inner(local, remote)).build());
        }
    }
};

void fillFrom(rte_mbuf* m, const packet::Bytes& f) {
    m->data_off = RTE_PKTMBUF_HEADROOM;
    m->data_len = static_cast<uint16_t>(f.size());
    m->pkt_len = static_cast<uint32_t>(f.size());
    m->ol_flags = 0;
    std::memcpy(rte_pktmbuf_mtod(m, uint8_t*), f.data(), f.size());
}

void BM_Underlay(benchmark::State& state) {
    const auto u = static_cast<Underlay>(state.range(0));
    const bool decap = state.range(1) != 0;
    constexpr uint32_t kMacs = 1000;
    static std::map<int, std::pair<std::unique_ptr<Rig>, std::unique_ptr<UnderlayFrames>>> rigs;
    auto& slot = rigs[static_cast<int>(u)];
    if (!slot.first) {
        const std::string tag = "u" + std::to_string(static_cast<int>(u));
        slot.first = std::make_unique<Rig>(tag, underlayConfig(tag, u), 4 * kMacs);
        slot.second = std::make_unique<UnderlayFrames>(u, kMacs, slot.first->upMac);
        Rig& r = *slot.first;
        // Untimed: the remote MACs learned from decap (and their VTEPs), then the local ones.
        for (bool fromUnderlay : {true, false})
            for (uint32_t i = 0; i < kMacs; i += kBurst) {
                auto b = allocBurst();
                for (uint16_t j = 0; j < kBurst; ++j)
                    fillFrom(b[j], (fromUnderlay ? slot.second->decap : slot.second->encap)[(i + j) % kMacs]);
                r.rig->worker->processBurst(fromUnderlay ? r.up : r.access, b.data(), kBurst);
                r.rig->worker->flush();
                r.rig->ctl->poll();
                r.rig->worker->pollOnce();
                r.drain();
            }
        r.rig->ctl->poll();
    }
    Rig& r = *slot.first;
    const auto& frames = decap ? slot.second->decap : slot.second->encap;
    uint32_t i = 0;
    timeBursts(state, r, decap ? r.up : r.access, r.ports.at(decap ? "a" : "up").tx, true, [&](rte_mbuf** b) {
        for (uint16_t j = 0; j < kBurst; ++j) fillFrom(b[j], frames[i++ % kMacs]);
    });
}
// Args: underlay (0 VXLAN/IPv4, 1 VXLAN/IPv6, 2 GRE/IPv4), direction (0 encap, 1 decap).
BENCHMARK(BM_Underlay)->ArgsProduct({{0, 1, 2}, {0, 1}})->ArgNames({"underlay", "decap"});

// Broadcast from the access port to N VTEPs: every replica is a header mbuf chained to an
// indirect clone. "cycles/replica" is per copy sent.
void BM_Flood(benchmark::State& state) {
    const auto vteps = static_cast<unsigned>(state.range(0));
    static std::map<unsigned, std::unique_ptr<Rig>> rigs;
    auto& slot = rigs[vteps];
    if (!slot) slot = std::make_unique<Rig>("f" + std::to_string(vteps), true, vteps, 1024);
    Rig& r = *slot;
    // Up to 2048 replicas a burst fit the 4096-slot TX ring.
    const uint16_t burst = static_cast<uint16_t>(std::min<unsigned>(kBurst, 2048 / vteps));
    packet::Bytes frame = frames().encap;
    std::memset(frame.data(), 0xff, 6);
    rte_ring* out = r.ports.at("up").tx;
    std::vector<rte_mbuf*> b(burst), copies(2048);
    uint64_t packets = 0, replicas = 0;
    const uint64_t start = rte_rdtsc();
    for (auto _ : state) {
        if (rte_pktmbuf_alloc_bulk(gPool, b.data(), burst) != 0) {
            state.SkipWithError("mempool exhausted");
            break;
        }
        for (uint16_t j = 0; j < burst; ++j)
            std::memcpy(rte_pktmbuf_append(b[j], static_cast<uint16_t>(frame.size())), frame.data(), frame.size());
        r.rig->worker->processBurst(r.access, b.data(), burst);
        r.rig->worker->flush();
        const unsigned n = rte_ring_dequeue_burst(out, reinterpret_cast<void**>(copies.data()),
                                                  static_cast<unsigned>(copies.size()), nullptr);
        if (n != burst * vteps) {
            state.SkipWithError(("a replica did not come out: " + whyMissing(r)).c_str());
            break;
        }
        rte_pktmbuf_free_bulk(copies.data(), n);
        packets += burst;
        replicas += n;
    }
    const uint64_t cycles = rte_rdtsc() - start;
    reportCycles(state, cycles, packets);
    state.counters["cycles/replica"] = benchmark::Counter(double(cycles) / double(replicas ? replicas : 1));
    r.drain();
}
BENCHMARK(BM_Flood)->Arg(1)->Arg(8)->Arg(64);

// The MAC table alone: bulk lookups of 64 keys (the worker looks up a burst's sources and
// destinations at once), all present or all absent, in a table of N MACs. Keys are drawn
// at random so that big tables miss the caches as they would under real traffic.
void BM_FdbLookup(benchmark::State& state) {
    const auto macs = static_cast<uint32_t>(state.range(0));
    const bool hit = state.range(1) != 0;
    static std::map<uint32_t, std::pair<std::unique_ptr<rcu::QsbrDomain>, std::unique_ptr<fdb::Fdb>>> tables;
    auto& t = tables[macs];
    if (!t.second) {
        t.first = std::make_unique<rcu::QsbrDomain>(1);
        t.second = std::make_unique<fdb::Fdb>("bfdb" + std::to_string(macs), macs + macs / 4, *t.first, 0);
        for (uint32_t i = 0; i < macs; ++i)
            t.second->learn(fdb::makeKey(1, macOf(true, i).data()), fdb::Dest::remote(i % kMaxVteps), 0);
    }
    constexpr size_t kKeys = 1 << 16;
    std::vector<fdb::Key> keys(kKeys);
    std::mt19937 rng(7);
    for (auto& k : keys) {
        const uint32_t i = rng() % macs;
        k = fdb::makeKey(hit ? 1 : 2, macOf(true, i).data());  // bridge 2 holds nothing
    }
    int32_t pos[64];
    size_t at = 0;
    uint64_t looked = 0, found = 0;
    const uint64_t start = rte_rdtsc();
    for (auto _ : state) {
        t.second->lookupBulk(&keys[at], 64, pos);
        for (int32_t p : pos) found += p >= 0;
        at = (at + 64) % kKeys;
        looked += 64;
    }
    const uint64_t cycles = rte_rdtsc() - start;
    if (found != (hit ? looked : 0)) state.SkipWithError("lookups did not find what the table holds");
    state.counters["cycles/key"] = benchmark::Counter(double(cycles) / double(looked));
    state.SetItemsProcessed(static_cast<int64_t>(looked));
}
BENCHMARK(BM_FdbLookup)->ArgsProduct({{1000, 65536, 1000000}, {1, 0}})->ArgNames({"macs", "hit"});

}  // namespace

int main(int argc, char** argv) {
    const std::string prefix = "--file-prefix=vtepgw-bench-" + std::to_string(getpid());
    std::vector<const char*> eal = {"worker_bench", "--no-pci", prefix.c_str(), "--log-level=*:error", "--no-telemetry"};
    // --mbuf-pool-ops-name=stack (EAL's own option, as for vtepd) picks the mempool driver.
    // --huge: 2 MB pages, as deployments run (1 GB of them: echo 600 > /proc/sys/vm/nr_hugepages
    // and hugetlbfs mounted); otherwise 4 KB pages, whose TLB misses dominate a 100k-MAC
    // table's lookups.
    bool huge = false;
    std::vector<char*> rest = {argv[0]};
    for (int i = 1; i < argc; ++i) {
        if (std::strncmp(argv[i], "--mbuf-pool-ops-name=", 21) == 0) eal.push_back(argv[i]);
        else if (std::strcmp(argv[i], "--huge") == 0) huge = true;
        else rest.push_back(argv[i]);
    }
    for (const char* a : huge ? std::vector<const char*>{"-m", "1024", "--huge-unlink"}
                              : std::vector<const char*>{"--no-huge", "-m", "2048"})
        eal.push_back(a);
    std::printf("%s pages\n", huge ? "2 MB" : "4 KB");
    argc = static_cast<int>(rest.size());
    argv = rest.data();
    if (rte_eal_init(static_cast<int>(eal.size()), const_cast<char**>(eal.data())) < 0) {
        std::fprintf(stderr, "EAL initialisation failed\n");
        return 1;
    }
    gPool = rte_pktmbuf_pool_create("bench_pool", 16383, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
    if (gPool == nullptr) return 1;
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    std::printf("TSC %.2f GHz, mempool driver %s\n", double(rte_get_tsc_hz()) / 1e9, gPool->ops_index >= 0 ? rte_mempool_get_ops(gPool->ops_index)->name : "?");
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
