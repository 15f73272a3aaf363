// A poll-mode worker: run-to-completion over bursts from its RX queues, one TX queue on
// every port. Reads the forwarding state snapshot and the MAC table without locks; hands
// learning, ARP/ICMP and packets waiting for a next hop to the control core through rings.
#pragma once

#include <rte_mbuf.h>
#include <rte_ring.h>

#include <atomic>
#include <cstdint>
#include <vector>

#include "counters/counters.h"
#include "dataplane/fresh_mbuf.h"
#include "dataplane/meta.h"
#include "dataplane/trace.h"
#include "encap/classify.h"
#include "fdb/fdb.h"
#include "overlay/arp_table.h"
#include "punt/policer.h"
#include "state/forwarding_state.h"

namespace vtepgw::rcu {
class QsbrDomain;
}

namespace vtepgw::dataplane {

inline constexpr uint16_t kBurst = 32;
// Adaptive idle (vtepd --idle adaptive): after this many empty loops in a row a worker
// sleeps, 1 us first, doubling up to its maximum; the first packet resets it. OVS's
// pmd-sleep-max and VPP's adaptive mode are the models.
inline constexpr uint32_t kIdleSpins = 1024;
inline constexpr uint32_t kDefaultIdleMaxUs = 250;
// Flood copies of frames up to this size are copied whole; larger ones share the payload
// (an indirect clone behind a header mbuf). Measured by bench/worker_bench BM_Flood.
inline constexpr uint32_t kCopyBelow = 256;

// A request to the control core to learn (or move) a MAC. 16 bytes, carried by value in
// an rte_ring of elements.
struct LearnRequest {
    fdb::Key key;
    uint64_t dest;        // fdb::Dest::word
    uint8_t vtep6[16];    // Dest::newTunnel6: the IPv6 VTEP (no room for it in the word)
};
static_assert(sizeof(LearnRequest) == 32);

// Why a packet was handed to the control core (stored in mbuf->hash.usr).
enum class ExceptionKind : uint32_t {
    Underlay = 1,       // ARP or ICMP on the underlay, possibly for us
    AwaitNeighbor = 2,  // encapsulated, outer destination MAC missing: hold until ARP resolves
    // The same for a flood replica: not a received packet, so it carries no fate (the
    // original's fate is "flooded"). For AwaitNeighbor the control core counts the fate
    // when it knows it: forwarded once released, dropped if the next hop never answers.
    AwaitNeighborCopy = 3,
    HostPunt = 4,       // for the host interface: the control core hands it to the kernel
    // Overlay L3; the packet's PacketMeta (dataplane/meta.h) names the bridge.
    BridgeArp = 5,      // ARP in a bridge vtepd reads ARP in: snooped, answered or forwarded
    GatewayLocal = 6,   // IPv4 to one of the gateway's addresses (echo)
    AwaitOverlayArp = 7,// routed, destination MAC unknown in meta.bridge: held until ARP answers (owes its fate)
    IcmpError = 8,      // dropped while routing: the control core sends the ICMP error (meta.code)
    // control -> worker 0: forward the frame inside meta.bridge as if received there (no
    // learning, no fate: the control core settles what it owes).
    Inject = 9,
};

const char* exceptionName(ExceptionKind k);

// The rings shared by workers and the control core.
struct Channels {
    rte_ring* learn = nullptr;      // workers -> control, LearnRequest elements (MP/SC)
    rte_ring* exception = nullptr;  // workers -> control, mbufs (MP/SC)
    rte_ring* controlTx = nullptr;  // control -> worker 0, mbufs to send on mbuf->port (SP/SC)
};

struct RxQueue {
    uint16_t port;
    uint16_t queue;
};

struct WorkerSetup {
    uint32_t id = 0;                 // also the RCU reader id
    std::vector<RxQueue> rxQueues;
    uint16_t txQueue = 0;            // this worker's TX queue on every port
    rte_mempool* pool = nullptr;     // for flood copies (header mbufs and clones)
    bool drainsControlTx = false;
    uint32_t workers = 1;            // how many workers share the punt policer's rates
    uint32_t idleMaxUs = 0;          // adaptive idle: longest sleep; 0 = poll without pause
    Trace* trace = nullptr;          // packet trace (vtepctl trace start); none in tests
};

class Worker {
public:
    Worker(WorkerSetup setup, const state::StatePublisher& state, fdb::Fdb& fdb, const overlay::ArpTable& arp,
           rcu::QsbrDomain& rcu, Channels channels, const std::atomic<uint32_t>& clock);

    // Polls until `stop` is set, then flushes and goes RCU-offline.
    void run(const std::atomic<bool>& stop);
    // One loop: every RX queue once, the control TX ring, flush; returns the packets received.
    // For tests and benchmarks (the caller must have put the worker online with the RCU domain).
    uint32_t pollOnce();
    // Processes a burst as if received on `port` (benchmarks): the same path as pollOnce's
    // bursts, byte counts, flush and busy cycles included.
    void processBurst(uint16_t port, rte_mbuf** pkts, uint16_t n);
    void flush();

    const counters::WorkerCounters& counters() const { return counters_; }
    uint32_t id() const { return setup_.id; }

private:
    struct TxBuffer {
        uint16_t count = 0;
        rte_mbuf* pkts[2 * kBurst];
        // 1 where pkts[i] is a received packet counted as forwarded: if the NIC refuses it,
        // its fate becomes dropped (flood copies carry no fate of their own).
        uint8_t forwarded[2 * kBurst];
    };

    // Packet trace: claims records for the burst's first packets, notes decisions against
    // them, publishes them after the burst. Everything but the per-burst test is out of line.
    void beginTrace(const state::ForwardingState& st, uint16_t port, rte_mbuf** pkts, uint16_t n);
    void endTrace();
    template <typename... Args>
    void trace(const rte_mbuf* m, const char* fmt, Args... args) {
        if (unlikely(bt_.count != 0)) bt_.note(m, fmt, args...);
    }
    void traceEnd(const rte_mbuf* m, const char* fmt, const char* what) {
        if (unlikely(bt_.count != 0)) {
            bt_.note(m, fmt, what);
            bt_.finish(m);
        }
    }
    // One received burst: counts, handles by port role, flushes, accounts busy cycles.
    void dispatch(const state::ForwardingState& st, uint16_t port, rte_mbuf** pkts, uint16_t n, uint64_t start);
    void handleAccess(const state::ForwardingState& st, uint16_t port, rte_mbuf** pkts, uint16_t n);
    void handleUnderlay(const state::ForwardingState& st, uint16_t port, rte_mbuf** pkts,
                        uint16_t n);
    // Looks up sources and destinations of a burst in one bulk call, then learns sources.
    void learnAndLookup(const state::ForwardingState& st, rte_mbuf** pkts, uint16_t n,
                        const fdb::BridgeId* bridges, const fdb::Dest* learnAs, int32_t* dstPos,
                        bool fromTunnel, const uint8_t* const* newVtep6 = nullptr);
    // Frames to the gateway MAC of bridges `in[i]` (received on members ingress[i], or from
    // the tunnel when ingress is null): routed to the bridges holding their destinations,
    // the VRF, ARP and MAC lookups of the burst in bulk (dataplane/route.cpp).
    void routeBurst(const state::ForwardingState& st, rte_mbuf** pkts, const fdb::BridgeId* in,
                    const state::Member* ingress, uint16_t n);
    // Forwards a frame whose source is not a member of b (routed, or injected by the control
    // core): to the member or VTEP behind its destination MAC, or flooded.
    void forwardWithin(const state::ForwardingState& st, fdb::BridgeId bid, rte_mbuf* m, const PacketMeta* from);
    // Hands a packet of bridge `bridge` to the control core with its metadata.
    void toControlInBridge(const state::ForwardingState& st, rte_mbuf* m, ExceptionKind kind, fdb::BridgeId bridge,
                           const state::Member* ingress, punt::Class c);
    // A routed packet dropped for `reason`; the control core answers with an ICMP error.
    void dropRouted(const state::ForwardingState& st, rte_mbuf* m, counters::Drop reason, IcmpError error,
                    fdb::BridgeId in, const state::Member* ingress);
    void inject(const state::ForwardingState& st, rte_mbuf* m);
    // Fates of received packets; frames the control core injects carry none.
    void settle(counters::Fate f) {
        if (!injecting_) counters_.fate(f);
    }
    void encapUnicast(const state::ForwardingState& st, fdb::BridgeId bid, rte_mbuf* m, uint32_t tunnelId,
                      const state::Member* ingress);
    // The same, defined and inlined in worker.cpp only.
    inline void encapInline(const state::ForwardingState& st, fdb::BridgeId bid, rte_mbuf* m, uint32_t tunnelId,
                            const state::Member* ingress);
    // The outer checksums of an assembled packet: IPv4's header checksum, left to the NIC
    // where the port offloads it; over IPv6, VXLAN's UDP checksum over the whole datagram
    // (the NIC's where it offloads UDP, else ours). Every rewrite starts with Ethernet.
    void outerChecksum(rte_mbuf* m, uint16_t port, uint8_t* outer, const encap::Tunnel& t) {
        if (unlikely(t.ipv6)) {
            if (t.encap == encap::Encap::Vxlan) udp6Checksum(m, port, outer);
            return;
        }
        if ((txChecksumPorts_ >> port & 1) == 0) return;
        reinterpret_cast<rte_ipv4_hdr*>(outer + packet::kEtherHeaderLen)->hdr_checksum = 0;
        m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
        m->l2_len = packet::kEtherHeaderLen;
        m->l3_len = packet::kIpv4HeaderLen;
    }
    // Out of line: inlined, its checksum loop crowded the IPv4 path it sits beside (8
    // instructions a packet more on IPv4 encap); a call is small beside the sum it makes.
    [[gnu::noinline]] void udp6Checksum(rte_mbuf* m, uint16_t port, uint8_t* outer) {
        auto* ip = reinterpret_cast<rte_ipv6_hdr*>(outer + packet::kEtherHeaderLen);
        auto* udp = reinterpret_cast<rte_udp_hdr*>(ip + 1);
        if (txUdpChecksumPorts_ >> port & 1) {
            m->ol_flags |= RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_UDP_CKSUM;
            m->l2_len = packet::kEtherHeaderLen;
            m->l3_len = packet::kIpv6HeaderLen;
            udp->dgram_cksum = rte_ipv6_phdr_cksum(ip, m->ol_flags);
            return;
        }
        udp->dgram_cksum = m->nb_segs == 1
                               ? packet::udp6Checksum(ip, udp, rte_be_to_cpu_16(ip->payload_len))
                               : rte_ipv6_udptcp_cksum_mbuf(m, ip, packet::kEtherHeaderLen + packet::kIpv6HeaderLen);
    }
    int32_t tunnelFrom6(const state::ForwardingState& st, encap::Encap e, const uint8_t* src) const {
        return st.tunnelOf6[static_cast<uint8_t>(e)].find(src);
    }
    // The tunnel a packet came through, or -1 (a VTEP not known yet). Decapsulated runs
    // usually come from one VTEP: the last answer is kept per snapshot.
    int32_t tunnelFrom(const state::ForwardingState& st, encap::Encap e, uint32_t srcIpHost) {
        if (rxGeneration_ != st.generation || rxSource_ != srcIpHost || rxEncap_ != e) {
            rxGeneration_ = st.generation;
            rxSource_ = srcIpHost;
            rxEncap_ = e;
            rxTunnel_ = st.tunnelOf[static_cast<uint8_t>(e)].find(srcIpHost);
        }
        return rxTunnel_;
    }
    void countRx(int32_t tunnelId, uint32_t bytes) {
        if (tunnelId < 0) return;
        auto& v = counters_.vteps[static_cast<uint32_t>(tunnelId)];
        ++v.rxPackets;
        v.rxBytes += bytes;
        v.lastRx = now_;
    }
    // On ports fed by the local kernel: completes a partial TCP/UDP checksum; false (m
    // dropped) for a truncated super-frame.
    bool completeChecksum(rte_mbuf* m);
    void countTx(uint32_t tunnelId, uint32_t bytes) {
        auto& v = counters_.vteps[tunnelId];
        ++v.txPackets;
        v.txBytes += bytes;
    }
    // A copy of m without its first `skip` bytes, behind `prefix`: whole for small frames,
    // else a header mbuf chained to an indirect clone.
    rte_mbuf* prefixedClone(rte_mbuf* m, const void* prefix, uint16_t prefixLen, uint16_t skip);
    void flood(const state::ForwardingState& st, const state::BridgeState& b, rte_mbuf* m,
               const state::Member* except, bool toTunnel);
    // Head-end replication of m to the bridge's flood VTEPs and groups (m is not consumed);
    // returns the copies made.
    size_t floodToTunnel(const state::ForwardingState& st, const state::BridgeState& b, rte_mbuf* m);
    // Inline: every decapsulated or switched frame leaves through here.
    void toMember(rte_mbuf* m, const state::Member& member) {
        if (member.vlan != 0) return tagFor(m, member);
        send(member.port, m, true);
        settle(counters::Fate::Forwarded);
    }
    // toMember for a tagged member: pushes the tag first.
    void tagFor(rte_mbuf* m, const state::Member& member);
    // False when the control core's queue was full (m is then dropped and counted).
    bool toControl(rte_mbuf* m, ExceptionKind kind);
    // This worker's share of the punt policer, following the snapshot's rates.
    bool admitPunt(const state::ForwardingState& st, punt::Class c);
    void send(uint16_t port, rte_mbuf* m, bool forwarded = false) {
        if (unlikely(bt_.count != 0)) traceTx(port, m);
        TxBuffer& b = tx_[port];
        b.forwarded[b.count] = forwarded && !injecting_;
        b.pkts[b.count++] = m;
        dirtyPorts_ |= 1u << port;
        if (b.count == RTE_DIM(b.pkts)) flushPort(port);
    }
    void traceTx(uint16_t port, const rte_mbuf* m);
    void traceDest(const rte_mbuf* m, fdb::Dest d) {
        if (unlikely(bt_.count != 0)) traceDestination(m, d);
    }
    void traceDestination(const rte_mbuf* m, fdb::Dest d);
    void traceDecap(const rte_mbuf* m, const state::ForwardingState& st, const encap::UnderlayResult& r);
    void traceEncap(const rte_mbuf* m, const encap::Tunnel& t, const state::BridgeState& b, const uint8_t* outer);
    void flushPort(uint16_t port);
    unsigned drainControlTx();
    void dropPacket(rte_mbuf* m, counters::Drop reason) {
        traceEnd(m, "drop: %s", counters::dropName(reason));
        counters_.drop(reason);
        rte_pktmbuf_free(m);
    }
    // Drops a received packet: its fate, as well as its reason.
    void discard(rte_mbuf* m, counters::Drop reason) {
        settle(counters::Fate::Dropped);
        dropPacket(m, reason);
    }

    WorkerSetup setup_;
    const state::StatePublisher& state_;
    fdb::Fdb& fdb_;
    const overlay::ArpTable& arp_;
    rcu::QsbrDomain& rcu_;
    Channels channels_;
    const std::atomic<uint32_t>& clock_;
    uint32_t now_ = 0;
    uint64_t rxGeneration_ = ~uint64_t{0};
    uint32_t rxSource_ = 0;
    encap::Encap rxEncap_ = encap::Encap::Vxlan;
    int32_t rxTunnel_ = -1;
    punt::Policer policer_;
    uint64_t policerGeneration_ = ~uint64_t{0};
    int metaOffset_ = -1;
    bool injecting_ = false;   // forwarding a frame of the control core's (drainControlTx)
    uint32_t dirtyPorts_ = 0;  // bit per port with buffered packets
    uint32_t txChecksumPorts_ = 0;  // bit per port whose NIC fills in outer IPv4 checksums
    uint32_t txUdpChecksumPorts_ = 0;  // ... and UDP checksums (VXLAN over IPv6)
    static_assert(state::kMaxPorts <= 32);
    TxBuffer tx_[state::kMaxPorts];
    BurstTrace bt_;
    FreshMbuf fresh_;  // flood replicas' mbuf initialisation
    const state::ForwardingState* traceState_ = nullptr;  // the traced burst's snapshot (port names)
    counters::WorkerCounters counters_;
};

}  // namespace vtepgw::dataplane
