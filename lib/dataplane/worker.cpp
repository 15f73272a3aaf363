#include "dataplane/worker.h"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_memcpy.h>
#include <rte_prefetch.h>

#include <algorithm>
#include <stdexcept>

#include "packet/partial_checksum.h"
#include "rcu/qsbr.h"
#include "encap/classify.h"
#include "encap/encap.h"

namespace vtepgw::dataplane {

using counters::Drop;
using packet::ethOf;
using counters::Event;
using fdb::Dest;
using fdb::DestKind;
using state::BridgeState;
using state::ForwardingState;
using state::Member;

namespace {

inline bool isMulticastOrZero(const rte_ether_addr& a) {
    return rte_is_multicast_ether_addr(&a) || rte_is_zero_ether_addr(&a);
}

// Flood replicas copy small frames in whole 64-byte steps (two vector moves each way with
// AVX) rather than through rte_memcpy's length dispatch: the last step may read past the
// frame into its tailroom and write past the copy into the replica's (the caller checks the
// first, the constructor the second).
constexpr uint32_t kCopyStep = 64;

[[gnu::always_inline]] inline void copySteps(uint8_t* dst, const uint8_t* src, uint32_t len) {
#ifdef __AVX__
    constexpr unsigned kVec = 32;
#else
    constexpr unsigned kVec = 16;
#endif
    // Moved through memcpy, which compiles to unaligned vector moves: neither end is aligned,
    // and clang ignores an aligned(1) on a vector type (its aligned stores faulted).
    using Vec = uint8_t __attribute__((vector_size(kVec)));
    for (uint32_t off = 0; off < len; off += kCopyStep) {
        Vec v[kCopyStep / kVec];
        for (unsigned i = 0; i < kCopyStep / kVec; ++i) {
            std::memcpy(&v[i], src + off + i * kVec, kVec);
            // Left to itself GCC turns this loop back into a call to memcpy.
            asm("" : "+x"(v[i]));
        }
        for (unsigned i = 0; i < kCopyStep / kVec; ++i) std::memcpy(dst + off + i * kVec, &v[i], kVec);
    }
}

}  // namespace

Worker::Worker(WorkerSetup setup, const state::StatePublisher& state, fdb::Fdb& fdb, const overlay::ArpTable& arp,
               rcu::QsbrDomain& rcu, Channels channels, const std::atomic<uint32_t>& clock)
    : setup_(std::move(setup)), state_(state), fdb_(fdb), arp_(arp), rcu_(rcu), channels_(channels),
      clock_(clock), metaOffset_(metaOffset()) {
    if (metaOffset_ < 0) throw std::runtime_error("cannot register the mbuf metadata field");
    // Flood copies are written into fresh mbufs without tailroom checks, in whole 64-byte
    // steps (floodToTunnel).
    if (setup_.pool != nullptr &&
        rte_pktmbuf_data_room_size(setup_.pool) < RTE_PKTMBUF_HEADROOM + encap::kMaxRewrite + kCopyBelow + kCopyStep)
        throw std::runtime_error("mbufs too small for flood copies");
    for (uint16_t p = 0; p < state::kMaxPorts; ++p) {
        rte_eth_conf conf{};
        if (rte_eth_dev_is_valid_port(p) && rte_eth_dev_conf_get(p, &conf) == 0 &&
            (conf.txmode.offloads & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM))
            txChecksumPorts_ |= 1u << p;
        if (rte_eth_dev_is_valid_port(p) && rte_eth_dev_conf_get(p, &conf) == 0 &&
            (conf.txmode.offloads & RTE_ETH_TX_OFFLOAD_UDP_CKSUM))
            txUdpChecksumPorts_ |= 1u << p;
    }
}

void Worker::run(const std::atomic<bool>& stop) {
    rcu_.online(setup_.id);
    uint32_t empty = 0, sleepUs = 0;
    while (!stop.load(std::memory_order_relaxed)) {
        const uint32_t received = pollOnce();
        rcu_.quiescent(setup_.id);
        if (setup_.idleMaxUs == 0) continue;  // polling: one predictable branch, nothing else
        if (received != 0) {
            empty = sleepUs = 0;
            continue;
        }
        if (++empty < kIdleSpins) continue;
        sleepUs = std::min(setup_.idleMaxUs, sleepUs == 0 ? 1 : 2 * sleepUs);
        // Offline while asleep: a snapshot published meanwhile need not wait for us.
        rcu_.offline(setup_.id);
        rte_delay_us_sleep(sleepUs);
        rcu_.online(setup_.id);
        ++counters_.idleSleeps;
        counters_.idleSleepUs += sleepUs;
    }
    flush();
    rcu_.offline(setup_.id);
}

uint32_t Worker::pollOnce() {
    const ForwardingState* st = state_.current();
    now_ = clock_.load(std::memory_order_relaxed);
    rte_mbuf* pkts[kBurst];
    uint32_t received = 0;
    for (const RxQueue& q : setup_.rxQueues) {
        // Empty polls are not busy time: the clock starts only for a burst with packets
        // and stops after its packets are handed to the NIC.
        const uint64_t start = rte_rdtsc();
        const uint16_t n = rte_eth_rx_burst(q.port, q.queue, pkts, kBurst);
        if (n != 0) dispatch(*st, q.port, pkts, n, start);
        received += n;
    }
    if (setup_.drainsControlTx) {
        received += drainControlTx();
        flush();
    }
    ++counters_.loops;
    return received;
}

void Worker::processBurst(uint16_t port, rte_mbuf** pkts, uint16_t n) {
    const ForwardingState* st = state_.current();
    now_ = clock_.load(std::memory_order_relaxed);
    dispatch(*st, port, pkts, n, rte_rdtsc());
}

void Worker::dispatch(const ForwardingState& st, uint16_t port, rte_mbuf** pkts, uint16_t n, uint64_t start) {
    // The trace's whole cost when off: this load and branch, once per burst.
    if (unlikely(setup_.trace != nullptr && setup_.trace->armed())) beginTrace(st, port, pkts, n);
    auto& pc = counters_.ports[port];
    pc.rxPackets += n;
    for (uint16_t i = 0; i < n; ++i) pc.rxBytes += pkts[i]->pkt_len;
    const state::PortRole role = st.ports[port].role;
    switch (role) {
        case state::PortRole::Access: handleAccess(st, port, pkts, n); break;
        case state::PortRole::Underlay: handleUnderlay(st, port, pkts, n); break;
        case state::PortRole::Unused:
            counters_.drop(Drop::no_bridge_port, n);
            counters_.fates[static_cast<size_t>(counters::Fate::Dropped)] += n;
            rte_pktmbuf_free_bulk(pkts, n);
            break;
    }
    flush();
    if (unlikely(bt_.count != 0)) endTrace();
    auto& busy = counters_.busy[static_cast<size_t>(role == state::PortRole::Underlay ? counters::Direction::FromUnderlay
                                                                                      : counters::Direction::FromAccess)];
    busy.cycles += rte_rdtsc() - start;
    busy.packets += n;
}

// Inlined into the access path, the one that encapsulates most; route.cpp calls it through
// encapUnicast. A call per packet with this many arguments costs about twenty instructions.
[[gnu::always_inline]] inline void Worker::encapInline(const ForwardingState& st, fdb::BridgeId bid, rte_mbuf* m,
                                                       uint32_t tunnelId, const Member* ingress) {
    const BridgeState& b = st.bridges[bid];
    const encap::Tunnel* t = st.tunnel(tunnelId);
    if (t == nullptr) {
        // Created a moment ago; the control core has not published it yet.
        counters_.event(Event::vtep_pending);
        flood(st, b, m, ingress, true);
        return;
    }
    const uint32_t innerLen = m->pkt_len;
    if (innerLen > b.maxInnerLen) {
        discard(m, Drop::mtu_exceeded);
        return;
    }
    const uint16_t entropy = encap::entropyBe(st, b, m);
    auto* outer = reinterpret_cast<uint8_t*>(rte_pktmbuf_prepend(m, t->rewriteLen));
    if (outer == nullptr) {
        discard(m, Drop::no_headroom);
        return;
    }
    encap::write(outer, *t, b, static_cast<uint16_t>(innerLen), entropy);
    outerChecksum(m, st.underlayPort, outer, *t);
    if (unlikely(bt_.count != 0)) traceEncap(m, *t, b, outer);
    ++counters_.bridges[bid].encapPackets;
    counters_.bridges[bid].encapBytes += innerLen;
    if (t->resolved) {
        // Unresolved ones are counted by the control core if and when it sends them.
        countTx(tunnelId, innerLen);
        send(st.underlayPort, m, true);
        settle(counters::Fate::Forwarded);
    } else if (!toControl(m, injecting_ ? ExceptionKind::AwaitNeighborCopy : ExceptionKind::AwaitNeighbor)) {
        // Otherwise held until the next hop resolves: the control core counts its fate.
        settle(counters::Fate::Dropped);
    }
}

void Worker::encapUnicast(const ForwardingState& st, fdb::BridgeId bid, rte_mbuf* m, uint32_t tunnelId,
                          const Member* ingress) {
    encapInline(st, bid, m, tunnelId, ingress);
}

void Worker::handleAccess(const ForwardingState& st, uint16_t port, rte_mbuf** pkts, uint16_t n) {
    const state::PortState& ps = st.ports[port];
    const bool completeChecksums = ps.completeChecksums;
    rte_mbuf* kept[kBurst];
    fdb::BridgeId bridges[kBurst];
    Dest learnAs[kBurst];
    uint16_t vlans[kBurst];
    uint16_t k = 0;
    // The frame's first line is read now; the headroom line before it is where most of
    // these frames get their outer headers. A store to a cold line stalls once the store
    // buffer fills, which a burst of encapsulations does: ask for it with write intent.
    for (uint16_t i = 0; i < n; ++i) {
        const auto* p = rte_pktmbuf_mtod(pkts[i], const uint8_t*);
        rte_prefetch0(p);
        rte_prefetch0_write(p - 1);
    }
    for (uint16_t i = 0; i < n; ++i) {
        rte_mbuf* m = pkts[i];
        if (m->data_len < packet::kEtherHeaderLen) {
            discard(m, Drop::truncated);
            continue;
        }
        rte_ether_hdr* eth = ethOf(m);
        uint16_t vlan = 0;
        if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
            if (m->data_len < packet::kEtherHeaderLen + packet::kVlanHeaderLen) {
                discard(m, Drop::truncated);
                continue;
            }
            const auto* tag = reinterpret_cast<const rte_vlan_hdr*>(eth + 1);
            vlan = packet::be16ToHost(tag->vlan_tci) & 0x0FFF;
            // Inner tags are never carried in the tunnel: strip it now, push it again on
            // egress to a tagged member.
            uint8_t* p = rte_pktmbuf_mtod(m, uint8_t*);
            std::memmove(p + packet::kVlanHeaderLen, p, 2 * RTE_ETHER_ADDR_LEN);
            rte_pktmbuf_adj(m, packet::kVlanHeaderLen);
            eth = ethOf(m);
        }
        const fdb::BridgeId bid = ps.bridgeFor(vlan);
        if (st.bridge(bid) == nullptr) {
            trace(m, "vlan %u: no bridge", vlan);
            discard(m, Drop::vlan_unknown);
            continue;
        }
        if (vlan != 0) trace(m, "bridge %s (vni %u), vlan %u", st.bridges[bid].name.c_str(), st.bridges[bid].vni, vlan);
        else trace(m, "bridge %s (vni %u), untagged", st.bridges[bid].name.c_str(), st.bridges[bid].vni);
        if (isMulticastOrZero(eth->src_addr)) {
            discard(m, Drop::multicast_source);
            continue;
        }
        if (completeChecksums && !completeChecksum(m)) continue;
        kept[k] = m;
        bridges[k] = bid;
        learnAs[k] = Dest::local(port, vlan);
        vlans[k] = vlan;
        ++k;
    }
    if (k == 0) return;
    int32_t dstPos[kBurst];
    learnAndLookup(st, kept, k, bridges, learnAs, dstPos, false);
    // Frames to a gateway MAC are routed together after the loop: their lookups go in bulk.
    rte_mbuf* routed[kBurst];
    fdb::BridgeId routedFrom[kBurst];
    Member routedIngress[kBurst];
    uint16_t nr = 0;
    for (uint16_t j = 0; j < k; ++j) {
        rte_mbuf* m = kept[j];
        const BridgeState& b = st.bridges[bridges[j]];
        const Member self{port, vlans[j]};
        if (b.l3) {
            const rte_ether_hdr* eth = ethOf(m);
            if (b.arpAware && eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP)) {
                toControlInBridge(st, m, ExceptionKind::BridgeArp, bridges[j], &self, punt::Class::Arp);
                continue;
            }
            if (b.routing && rte_is_same_ether_addr(&eth->dst_addr, &b.gatewayMac)) {
                routed[nr] = m;
                routedFrom[nr] = bridges[j];
                routedIngress[nr++] = self;
                continue;
            }
        }
        if (rte_is_multicast_ether_addr(&ethOf(m)->dst_addr) || dstPos[j] < 0) {
            trace(m, "destination: %s", rte_is_multicast_ether_addr(&ethOf(m)->dst_addr) ? "broadcast/multicast" : "unknown MAC");
            flood(st, b, m, &self, true);
            continue;
        }
        const Dest d = fdb_.dest(dstPos[j]);
        traceDest(m, d);
        switch (d.kind()) {
            case DestKind::Local: {
                const Member to{d.port(), d.vlan()};
                if (to == self) {
                    discard(m, Drop::same_port);
                } else {
                    ++counters_.bridges[bridges[j]].switched;
                    toMember(m, to);
                }
                break;
            }
            case DestKind::Remote: encapInline(st, bridges[j], m, d.tunnel(), &self); break;
            default: flood(st, b, m, &self, true); break;
        }
    }
    if (nr != 0) routeBurst(st, routed, routedFrom, routedIngress, nr);
}

void Worker::handleUnderlay(const ForwardingState& st, uint16_t, rte_mbuf** pkts, uint16_t n) {
    const bool completeChecksums = st.ports[st.underlayPort].completeChecksums;
    rte_mbuf* kept[kBurst];
    fdb::BridgeId bridges[kBurst];
    Dest learnAs[kBurst];
    const uint8_t* newVtep6[kBurst];
    bool anyNew6 = false;
    uint16_t k = 0;
    for (uint16_t i = 0; i < n; ++i) rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void*));
    for (uint16_t i = 0; i < n; ++i) {
        rte_mbuf* m = pkts[i];
        const auto r = encap::classifyUnderlay(rte_pktmbuf_mtod(m, const uint8_t*), m->data_len, st,
                                               m->ol_flags & (RTE_MBUF_F_RX_IP_CKSUM_MASK | RTE_MBUF_F_RX_L4_CKSUM_MASK));
        if (r.verdict == encap::UnderlayVerdict::Drop) {
            discard(m, r.reason);
            continue;
        }
        if (r.verdict == encap::UnderlayVerdict::ToControl || r.verdict == encap::UnderlayVerdict::ToHost) {
            if (!admitPunt(st, r.puntClass)) {
                ++counters_.policed[punt::index(r.puntClass)];
                discard(m, Drop::punt_policed);
                continue;
            }
            const bool toHost = r.verdict == encap::UnderlayVerdict::ToHost;
            // The kernel behind the host interface checks what a kernel-fed port left partial.
            if (toHost && completeChecksums && !completeChecksum(m)) continue;
            const auto kind = toHost ? ExceptionKind::HostPunt : ExceptionKind::Underlay;
            settle(toControl(m, kind) ? counters::Fate::ToControl : counters::Fate::Dropped);
            continue;
        }
        if (unlikely(bt_.count != 0)) traceDecap(m, st, r);
        if (r.reservedBits) counters_.event(Event::vxlan_reserved_bits);
        const uint32_t frameLen = uint32_t{r.outerLen} + r.innerLen;
        if (m->pkt_len > frameLen) rte_pktmbuf_trim(m, static_cast<uint16_t>(m->pkt_len - frameLen));
        rte_pktmbuf_adj(m, r.outerLen);
        if (isMulticastOrZero(ethOf(m)->src_addr)) {
            discard(m, Drop::multicast_source);
            continue;
        }
        if (completeChecksums && !completeChecksum(m)) continue;
        auto& bc = counters_.bridges[r.bridge];
        ++bc.decapPackets;
        bc.decapBytes += m->pkt_len;
        const int32_t tunnel = r.ipv6 ? tunnelFrom6(st, r.encap, r.srcIp6) : tunnelFrom(st, r.encap, r.srcIpHost);
        countRx(tunnel, m->pkt_len);
        kept[k] = m;
        bridges[k] = r.bridge;
        // The outer source stays readable in the headroom until the frame is sent.
        newVtep6[k] = r.ipv6 && tunnel < 0 ? r.srcIp6 : nullptr;
        anyNew6 = anyNew6 || newVtep6[k] != nullptr;
        learnAs[k] = tunnel >= 0 ? Dest::remote(static_cast<uint32_t>(tunnel))
                     : r.ipv6    ? Dest::newTunnel6(static_cast<uint8_t>(r.encap))
                                 : Dest::newTunnel(r.srcIpHost, static_cast<uint8_t>(r.encap));
        ++k;
    }
    if (k == 0) return;
    int32_t dstPos[kBurst];
    learnAndLookup(st, kept, k, bridges, learnAs, dstPos, true, anyNew6 ? newVtep6 : nullptr);
    rte_mbuf* routed[kBurst];
    fdb::BridgeId routedFrom[kBurst];
    uint16_t nr = 0;
    for (uint16_t j = 0; j < k; ++j) {
        rte_mbuf* m = kept[j];
        const BridgeState& b = st.bridges[bridges[j]];
        if (b.l3) {
            const rte_ether_hdr* eth = ethOf(m);
            if (b.arpAware && eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP)) {
                toControlInBridge(st, m, ExceptionKind::BridgeArp, bridges[j], nullptr, punt::Class::Arp);
                continue;
            }
            if (b.routing && rte_is_same_ether_addr(&eth->dst_addr, &b.gatewayMac)) {
                routed[nr] = m;
                routedFrom[nr++] = bridges[j];
                continue;
            }
        }
        // Split horizon: whatever came from the tunnel goes to local members only.
        if (rte_is_multicast_ether_addr(&ethOf(m)->dst_addr) || dstPos[j] < 0) {
            trace(m, "destination: %s", rte_is_multicast_ether_addr(&ethOf(m)->dst_addr) ? "broadcast/multicast" : "unknown MAC");
            flood(st, b, m, nullptr, false);
            continue;
        }
        const Dest d = fdb_.dest(dstPos[j]);
        traceDest(m, d);
        switch (d.kind()) {
            case DestKind::Local: toMember(m, Member{d.port(), d.vlan()}); break;
            case DestKind::Remote: discard(m, Drop::split_horizon); break;
            default: flood(st, b, m, nullptr, false); break;
        }
    }
    if (nr != 0) routeBurst(st, routed, routedFrom, nullptr, nr);
}

void Worker::learnAndLookup(const ForwardingState& st, rte_mbuf** pkts, uint16_t n,
                            const fdb::BridgeId* bridges, const Dest* learnAs, int32_t* dstPos,
                            bool fromTunnel, const uint8_t* const* newVtep6) {
    // Keys in pairs (source, destination) per packet. A key equal to the previous packet's
    // (a flow's run of packets) reuses its lookup: only distinct keys go to the table.
    fdb::Key keys[2 * kBurst];
    fdb::Key distinct[2 * kBurst];
    uint8_t slot[2 * kBurst];
    unsigned u = 0;
    // The previous packet's keys start as keys no packet has (no bridge is kNoBridge).
    fdb::Key prevSrc = fdb::kEmptyKey, prevDst = fdb::kEmptyKey;
    uint8_t srcSlot = 0, dstSlot = 0;
    for (uint16_t j = 0; j < n; ++j) {
        const rte_ether_hdr* eth = ethOf(pkts[j]);
        const fdb::Key src = fdb::makeKeyFromHeader(bridges[j], eth->src_addr.addr_bytes);
        const fdb::Key dst = fdb::makeKeyFromHeader(bridges[j], eth->dst_addr.addr_bytes);
        keys[2 * j] = src;
        keys[2 * j + 1] = dst;
        if (src != prevSrc) {
            distinct[u] = src;
            srcSlot = static_cast<uint8_t>(u++);
        }
        if (dst != prevDst) {
            distinct[u] = dst;
            dstSlot = static_cast<uint8_t>(u++);
        }
        slot[2 * j] = srcSlot;
        slot[2 * j + 1] = dstSlot;
        prevSrc = src;
        prevDst = dst;
    }
    int32_t found[2 * kBurst];
// GCC cannot see that the loop above wrote the u > 0 keys read here; zeroing 512 bytes a
// burst to please it would cost more than hashing them.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
    fdb_.lookupBulk(distinct, u, found);
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
    for (uint16_t j = 0; j < n; ++j) {
        dstPos[j] = found[slot[2 * j + 1]];
        const state::BridgeState& bs = st.bridges[bridges[j]];
        if (!(fromTunnel ? bs.learnFromTunnel : bs.learning)) {
            // Under EVPN: a source MAC arriving from another VTEP than its route says is worth
            // knowing about (a host moved before BGP said so, or a spoofer).
            if (fromTunnel && bs.learning && found[slot[2 * j]] >= 0) {
                const Dest cur = fdb_.dest(found[slot[2 * j]]);
                if (cur.kind() == DestKind::Remote && !cur.samePlace(learnAs[j])) counters_.event(Event::evpn_unexpected_vtep);
            }
            continue;
        }
        if (j > 0 && slot[2 * j] == slot[2 * j - 2]) continue;  // this source was just handled
        const int32_t srcPos = found[slot[2 * j]];
        if (srcPos >= 0) {
            const Dest cur = fdb_.dest(srcPos);
            if (cur.kind() != DestKind::None && cur.samePlace(learnAs[j])) {
                fdb_.refresh(srcPos, now_);
                continue;
            }
            if (cur.isStatic()) {
                counters_.event(Event::static_conflicts);
                continue;
            }
        }
        LearnRequest req{keys[2 * j], learnAs[j].word, {}};
        if (newVtep6 != nullptr && newVtep6[j] != nullptr) std::memcpy(req.vtep6, newVtep6[j], 16);
        if (rte_ring_mp_enqueue_elem(channels_.learn, &req, sizeof req) == 0)
            counters_.event(Event::learn_requests);
        else
            counters_.event(Event::learn_queue_full);
    }
}

bool Worker::completeChecksum(rte_mbuf* m) {
    switch (packet::completePartialChecksum(rte_pktmbuf_mtod(m, uint8_t*), m->data_len)) {
        case packet::PartialChecksum::Untouched: return true;
        case packet::PartialChecksum::Completed: counters_.event(Event::checksums_completed); return true;
        case packet::PartialChecksum::SuperFrame: discard(m, Drop::kernel_gso_frame); return false;
    }
    return true;
}

rte_mbuf* Worker::prefixedClone(rte_mbuf* m, const void* prefix, uint16_t prefixLen, uint16_t skip) {
    if (m->pkt_len - skip <= kCopyBelow && m->nb_segs == 1) {
        // A small frame is cheaper to copy whole into one mbuf than to share: no second
        // mbuf, no atomic reference count on the original, a plain free after TX.
        rte_mbuf* c = rte_pktmbuf_alloc(setup_.pool);
        if (c == nullptr) return nullptr;
        const uint16_t body = static_cast<uint16_t>(m->pkt_len - skip);
        auto* p = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(c, static_cast<uint16_t>(prefixLen + body)));
        if (prefixLen != 0) rte_memcpy(p, prefix, prefixLen);
        rte_memcpy(p + prefixLen, rte_pktmbuf_mtod_offset(m, const uint8_t*, skip), body);
        return c;
    }
    if (prefixLen == 0 && skip == 0) return rte_pktmbuf_clone(m, setup_.pool);
    rte_mbuf* head = rte_pktmbuf_alloc(setup_.pool);
    if (head == nullptr) return nullptr;
    rte_mbuf* body = rte_pktmbuf_clone(m, setup_.pool);
    if (body == nullptr) {
        rte_pktmbuf_free(head);
        return nullptr;
    }
    std::memcpy(rte_pktmbuf_append(head, prefixLen), prefix, prefixLen);
    rte_pktmbuf_adj(body, skip);
    if (rte_pktmbuf_chain(head, body) != 0) {
        rte_pktmbuf_free(head);
        rte_pktmbuf_free(body);
        return nullptr;
    }
    return head;
}

void Worker::flood(const ForwardingState& st, const BridgeState& b, rte_mbuf* m,
                   const Member* except, bool toTunnel) {
    const fdb::BridgeId bid = static_cast<fdb::BridgeId>(&b - st.bridges.data());
    auto& bc = counters_.bridges[bid];
    // `except` is always one of the bridge's members: the ingress (port, VLAN) chose the bridge.
    const size_t targets = b.members.size() - (except != nullptr ? 1 : 0) +
                           (toTunnel ? b.floodTunnels.size() : 0);
    if (targets == 0) {
        discard(m, Drop::flood_no_target);
        return;
    }
    trace(m, "flood in %s: %u member(s), %u VTEP/group copies%s", b.name.c_str(),
          static_cast<unsigned>(b.members.size() - (except != nullptr ? 1 : 0)),
          static_cast<unsigned>(toTunnel ? b.floodTunnels.size() : 0), toTunnel ? "" : " (split horizon: no tunnel)");
    size_t copies = 0;
    for (const Member& mem : b.members) {
        if (except != nullptr && mem == *except) continue;
        rte_mbuf* c;
        if (mem.vlan == 0) {
            c = prefixedClone(m, nullptr, 0, 0);
        } else {
            // The payload is shared between copies, so the tag goes into a header mbuf.
            uint8_t hdr[packet::kEtherHeaderLen + packet::kVlanHeaderLen];
            const uint8_t* src = rte_pktmbuf_mtod(m, const uint8_t*);
            std::memcpy(hdr, src, 2 * RTE_ETHER_ADDR_LEN);
            const uint16_t tpid = RTE_BE16(RTE_ETHER_TYPE_VLAN);
            const uint16_t tci = packet::hostToBe16(mem.vlan);
            std::memcpy(hdr + 12, &tpid, 2);
            std::memcpy(hdr + 14, &tci, 2);
            std::memcpy(hdr + 16, src + 12, 2);
            c = prefixedClone(m, hdr, sizeof hdr, packet::kEtherHeaderLen);
        }
        if (c == nullptr) {
            counters_.drop(Drop::no_mbuf);
            continue;
        }
        send(mem.port, c);
        ++copies;
    }
    if (toTunnel && !b.floodTunnels.empty()) copies += floodToTunnel(st, b, m);
    // The fate is what happened: nothing sent (every copy too big, or no mbuf) is a drop,
    // whose reasons the copies already counted.
    if (copies != 0) {
        ++bc.flooded;
        settle(counters::Fate::Flooded);
    } else {
        settle(counters::Fate::Dropped);
    }
    if (unlikely(bt_.count != 0)) {
        bt_.note(m, "flooded: %u copies sent", static_cast<unsigned>(copies));
        bt_.finish(m);
    }
    rte_pktmbuf_free(m);
}


size_t Worker::floodToTunnel(const ForwardingState& st, const BridgeState& b, rte_mbuf* m) {
    const uint32_t innerLen = m->pkt_len;
    const size_t n = b.floodTunnels.size();
    if (innerLen > b.maxInnerLen) {
        counters_.drop(Drop::mtu_exceeded, n);
        return 0;
    }
    size_t copies = 0;
    const uint16_t entropy = encap::entropyBe(st, b, m);
    const bool copy = innerLen <= kCopyBelow && m->nb_segs == 1;
    const bool steps = rte_pktmbuf_tailroom(m) >= kCopyStep;
    const uint8_t* inner = rte_pktmbuf_mtod(m, const uint8_t*);
    const size_t dataOffset = sizeof(rte_mbuf) + rte_pktmbuf_priv_size(setup_.pool) + RTE_PKTMBUF_HEADROOM;
    // Read once: the compiler cannot keep them in registers across the writes to mbufs.
    const uint16_t port = st.underlayPort;
    const uint16_t* ids = b.floodTunnels.data();
    const encap::Tunnel* tunnels = st.tunnels.data();
    // Everything an IPv4 VXLAN replica (the common case) has but its tunnel's rewrite is the
    // same for every copy of this frame: lengths, source port, VNI, the checksum offload.
    const encap::vxlan::Patch patch = encap::vxlan::patchFor(b.keyWireBe, static_cast<uint16_t>(innerLen), entropy);
    const bool nicChecksum = (txChecksumPorts_ >> port & 1) != 0;
    uint64_t olFlags4 = 0, txOffload4 = 0;
    if (nicChecksum) {
        rte_mbuf lens{};
        lens.l2_len = packet::kEtherHeaderLen;
        lens.l3_len = packet::kIpv4HeaderLen;
        olFlags4 = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
        txOffload4 = lens.tx_offload;
    }
    // Many replicas a burst outrun the mempool's per-core cache, so fresh mbufs are cold: they
    // are taken a chunk at once, and the next chunk's headers and data are prefetched while
    // this one is written, so that their misses overlap with work.
    rte_mbuf* fresh[2][kBurst];
    bool bulkOf[2] = {false, false};
    const auto take = [&](unsigned slot, size_t at) {
        const unsigned chunk = static_cast<unsigned>(std::min<size_t>(kBurst, n - at));
        rte_mbuf** c = fresh[slot];
        bulkOf[slot] = copy && rte_mempool_get_bulk(setup_.pool, reinterpret_cast<void**>(c), chunk) == 0;
        if (bulkOf[slot])
            for (unsigned j = 0; j < chunk; ++j) {
                rte_prefetch0_write(c[j]);
                rte_prefetch0_write(reinterpret_cast<uint8_t*>(c[j]) + RTE_CACHE_LINE_SIZE);
                rte_prefetch0_write(reinterpret_cast<uint8_t*>(c[j]) + dataOffset);
                rte_prefetch0_write(reinterpret_cast<uint8_t*>(c[j]) + dataOffset + RTE_CACHE_LINE_SIZE);
            }
    };
    take(0, 0);
    unsigned slot = 0;
    for (size_t at = 0; at < n; at += kBurst, slot ^= 1) {
        const unsigned chunk = static_cast<unsigned>(std::min<size_t>(kBurst, n - at));
        if (at + kBurst < n) take(slot ^ 1, at + kBurst);
        rte_mbuf** c = fresh[slot];
        const bool bulk = bulkOf[slot];
        rte_mbuf* ready[kBurst];  // replicas for the underlay's TX buffer, handed over together
        unsigned nready = 0;
        for (unsigned j = 0; j < chunk; ++j) {
            // Flood lists name active tunnels of their own snapshot (Controller::buildState).
            const uint16_t id = ids[at + j];
            const encap::Tunnel& t = tunnels[id];
            rte_mbuf* r;
            if (bulk) {
                r = c[j];
                const uint16_t len = static_cast<uint16_t>(t.rewriteLen + innerLen);
                const bool vxlan4 = t.encap == encap::Encap::Vxlan && !t.ipv6;
                fresh_.init(r, len, vxlan4 ? olFlags4 : 0, vxlan4 ? txOffload4 : 0);
                uint8_t* outer = rte_pktmbuf_mtod(r, uint8_t*);
                if (likely(vxlan4)) {
                    auto* o = reinterpret_cast<packet::OuterHeaders*>(outer);
                    encap::vxlan::writeOuter(o, *reinterpret_cast<const packet::OuterHeaders*>(t.rewrite), patch);
                    if (nicChecksum) o->ip.hdr_checksum = 0;
                } else {
                    encap::write(outer, t, b, static_cast<uint16_t>(innerLen), entropy);
                }
                if (likely(steps)) copySteps(outer + t.rewriteLen, inner, innerLen);
                else rte_memcpy(outer + t.rewriteLen, inner, innerLen);
                // Over IPv6 the UDP checksum covers the copy just made.
                if (!vxlan4) outerChecksum(r, port, outer, t);
            } else {
                alignas(16) uint8_t hdr[encap::kMaxRewrite];
                encap::write(hdr, t, b, static_cast<uint16_t>(innerLen), entropy);
                r = prefixedClone(m, hdr, t.rewriteLen, 0);
                if (r == nullptr) {
                    counters_.drop(Drop::no_mbuf);
                    continue;
                }
                outerChecksum(r, port, rte_pktmbuf_mtod(r, uint8_t*), t);
            }
            ++copies;
            if (t.resolved) {
                countTx(id, innerLen);
                ready[nready++] = r;
            } else {
                toControl(r, ExceptionKind::AwaitNeighborCopy);
            }
        }
        if (unlikely(bt_.count != 0)) {
            for (unsigned j = 0; j < nready; ++j) send(port, ready[j]);
            continue;
        }
        // send() a chunk at once: flood copies carry no fate of their own.
        TxBuffer& tb = tx_[port];
        if (tb.count + nready > RTE_DIM(tb.pkts)) flushPort(port);
        std::memcpy(&tb.pkts[tb.count], ready, nready * sizeof(ready[0]));
        std::memset(&tb.forwarded[tb.count], 0, nready);
        tb.count = static_cast<uint16_t>(tb.count + nready);
        dirtyPorts_ |= 1u << port;
    }
    counters_.bridges[static_cast<size_t>(&b - st.bridges.data())].replicated += copies;
    return copies;
}

void Worker::tagFor(rte_mbuf* m, const Member& member) {
    uint8_t* p = reinterpret_cast<uint8_t*>(rte_pktmbuf_prepend(m, packet::kVlanHeaderLen));
    if (p == nullptr) {
        discard(m, Drop::no_headroom);
        return;
    }
    std::memmove(p, p + packet::kVlanHeaderLen, 2 * RTE_ETHER_ADDR_LEN);
    const uint16_t tpid = RTE_BE16(RTE_ETHER_TYPE_VLAN);
    const uint16_t tci = packet::hostToBe16(member.vlan);
    std::memcpy(p + 12, &tpid, 2);
    std::memcpy(p + 14, &tci, 2);
    trace(m, "tagged vlan %u", member.vlan);
    send(member.port, m, true);
    settle(counters::Fate::Forwarded);
}

bool Worker::admitPunt(const ForwardingState& st, punt::Class c) {
    const uint64_t now = rte_rdtsc();
    if (policerGeneration_ != st.generation) {
        policerGeneration_ = st.generation;
        policer_.configure(st.puntPps, rte_get_tsc_hz(), setup_.workers, now);
    }
    return policer_.admit(c, now);
}

bool Worker::toControl(rte_mbuf* m, ExceptionKind kind) {
    trace(m, "to the control core: %s", exceptionName(kind));
    m->hash.usr = static_cast<uint32_t>(kind);
    if (rte_ring_mp_enqueue(channels_.exception, m) == 0) {
        if (unlikely(bt_.count != 0)) bt_.finish(m);
        return true;
    }
    dropPacket(m, Drop::exception_queue_full);
    return false;
}

void Worker::flushPort(uint16_t port) {
    TxBuffer& b = tx_[port];
    if (b.count == 0) return;
    uint64_t bytes = 0;
    for (uint16_t i = 0; i < b.count; ++i) bytes += b.pkts[i]->pkt_len;
    const uint16_t sent = rte_eth_tx_burst(port, setup_.txQueue, b.pkts, b.count);
    for (uint16_t i = sent; i < b.count; ++i) {
        bytes -= b.pkts[i]->pkt_len;
        if (b.forwarded[i]) {
            --counters_.fates[static_cast<size_t>(counters::Fate::Forwarded)];
            counters_.fate(counters::Fate::Dropped);
        }
        dropPacket(b.pkts[i], Drop::tx_full);
    }
    counters_.ports[port].txPackets += sent;
    counters_.ports[port].txBytes += bytes;
    b.count = 0;
}

void Worker::flush() {
    while (dirtyPorts_ != 0) {
        const uint16_t port = static_cast<uint16_t>(__builtin_ctz(dirtyPorts_));
        dirtyPorts_ &= dirtyPorts_ - 1;
        flushPort(port);
    }
}

unsigned Worker::drainControlTx() {
    rte_mbuf* pkts[kBurst];
    const unsigned n = rte_ring_sc_dequeue_burst(channels_.controlTx, reinterpret_cast<void**>(pkts),
                                                 kBurst, nullptr);
    const ForwardingState* st = nullptr;
    for (unsigned i = 0; i < n; ++i) {
        if (static_cast<ExceptionKind>(pkts[i]->hash.usr) != ExceptionKind::Inject) {
            send(pkts[i]->port, pkts[i]);
            continue;
        }
        if (st == nullptr) st = state_.current();
        inject(*st, pkts[i]);
    }
    return n;
}

}  // namespace vtepgw::dataplane
