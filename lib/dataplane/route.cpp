// The worker's L3 stage: routing between the bridges of a VRF, and frames of the control
// core's forwarded inside a bridge. A burst's routed packets are validated first, then their
// VRF lookups, ARP lookups and MAC lookups each go in bulk, the way learnAndLookup does for
// bridged frames: at 1,000 hosts and more every lookup misses the cache, and one miss at a
// time is what made routing cost twice bridging.
#include <rte_ip.h>
#include <rte_prefetch.h>

#include <algorithm>

#include "dataplane/worker.h"
#include "packet/headers.h"

namespace vtepgw::dataplane {

using counters::Drop;
using packet::ethOf;
using fdb::Dest;
using fdb::DestKind;
using state::BridgeState;
using state::ForwardingState;
using state::Member;

void Worker::routeBurst(const ForwardingState& st, rte_mbuf** pkts, const fdb::BridgeId* in, const Member* ingress,
                        uint16_t n) {
    // Stage 1: headers checked, destination in the VRF of the bridge it came from.
    uint32_t dst[kBurst];
    uint64_t nh[kBurst];
    rte_mbuf* ok[kBurst];
    uint16_t from[kBurst];  // index into pkts/in/ingress
    uint16_t k = 0;
    for (uint16_t i = 0; i < n; ++i) {
        rte_mbuf* m = pkts[i];
        const rte_ether_hdr* eth = ethOf(m);
        if (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4)) {
            discard(m, Drop::routed_not_ipv4);
            continue;
        }
        if (m->data_len < packet::kEtherHeaderLen + packet::kIpv4HeaderLen) {
            discard(m, Drop::truncated);
            continue;
        }
        const auto* ip = reinterpret_cast<const rte_ipv4_hdr*>(eth + 1);
        const uint32_t ihl = (ip->version_ihl & 0x0Fu) * 4u;
        const uint16_t totalLen = rte_be_to_cpu_16(ip->total_length);
        if ((ip->version_ihl >> 4) != 4 || ihl < packet::kIpv4HeaderLen || m->data_len < packet::kEtherHeaderLen + ihl ||
            totalLen < ihl || totalLen > m->pkt_len - packet::kEtherHeaderLen ||
            !(ihl == packet::kIpv4HeaderLen ? packet::ipv4HeaderChecksumOk(ip) : rte_ipv4_cksum(ip) == 0)) {
            discard(m, Drop::routed_bad_header);
            continue;
        }
        dst[k] = rte_be_to_cpu_32(ip->dst_addr);
        ok[k] = m;
        from[k++] = i;
    }
    // Runs of one VRF (usually the whole burst) in one call.
    for (uint16_t a = 0; a < k;) {
        const uint16_t vrf = st.bridges[in[from[a]]].vrf;
        uint16_t b = a + 1;
        while (b < k && st.bridges[in[from[b]]].vrf == vrf) ++b;
        if (vrf < st.vrfs.size()) st.vrfs[vrf]->lookupBulk(&dst[a], &nh[a], b - a);
        else std::fill(&nh[a], &nh[b], overlay::VrfTable::kNoRoute);
        a = b;
    }
    // Stage 2: TTL and source MAC; the ARP lookups of the survivors at once.
    overlay::Key arpKeys[kBurst];
    uint16_t r = 0;
    for (uint16_t j = 0; j < k; ++j) {
        rte_mbuf* m = ok[j];
        const uint16_t i = from[j];
        const Member* ing = ingress != nullptr ? &ingress[i] : nullptr;
        const BridgeState* to = nh[j] == overlay::VrfTable::kNoRoute ? nullptr : st.bridge(static_cast<fdb::BridgeId>(nh[j]));
        if (to == nullptr) {
            trace(m, "routed from %s: no route in its VRF", st.bridges[in[i]].name.c_str());
            dropRouted(st, m, Drop::no_overlay_route, IcmpError::NetUnreachable, in[i], ing);
            continue;
        }
        rte_ether_hdr* eth = ethOf(m);
        auto* ip = reinterpret_cast<rte_ipv4_hdr*>(eth + 1);
        trace(m, "routed from %s: %u.%u.%u.%u is in %s%s", st.bridges[in[i]].name.c_str(), dst[j] >> 24,
              dst[j] >> 16 & 0xFF, dst[j] >> 8 & 0xFF, dst[j] & 0xFF, to->name.c_str(),
              (nh[j] & overlay::VrfTable::kLocal) ? " (the gateway's own address)" : "");
        if (nh[j] & overlay::VrfTable::kLocal) {
            if (ip->next_proto_id == IPPROTO_ICMP) toControlInBridge(st, m, ExceptionKind::GatewayLocal, in[i], ing, punt::Class::Icmp);
            else discard(m, Drop::gateway_unhandled);
            continue;
        }
        if (ip->time_to_live <= 1) {
            dropRouted(st, m, Drop::ttl_expired, IcmpError::TimeExceeded, in[i], ing);
            continue;
        }
        // TTL - 1: the checksum's TTL/protocol word drops by 0x0100 (RFC 1624), as Linux does it.
        --ip->time_to_live;
        uint32_t check = ip->hdr_checksum;
        check += RTE_BE16(0x0100);
        ip->hdr_checksum = static_cast<uint16_t>(check + (check >= 0xFFFF));
        eth->src_addr = to->gatewayMac;
        ++counters_.bridges[in[i]].routed;
        const fdb::BridgeId out = static_cast<fdb::BridgeId>(nh[j]);
        arpKeys[r] = overlay::makeKey(out, dst[j]);
        ok[r] = m;
        from[r++] = i;
    }
    if (r == 0) return;
    uint64_t words[kBurst];
    arp_.lookupBulk(arpKeys, r, words);
    // Stage 3: destination MACs; the MAC lookups in the destination bridges at once.
    fdb::Key macKeys[kBurst];
    uint16_t f = 0;
    for (uint16_t j = 0; j < r; ++j) {
        rte_mbuf* m = ok[j];
        const fdb::BridgeId out = overlay::keyBridge(arpKeys[j]);
        if (!(words[j] & overlay::kPresent)) {
            PacketMeta& pm = meta(m, metaOffset_);
            pm = PacketMeta{out, 0, 0, 0, 0, in[from[j]]};
            // Held until the destination answers ARP: the control core settles its fate.
            if (!toControl(m, ExceptionKind::AwaitOverlayArp)) settle(counters::Fate::Dropped);
            continue;
        }
        std::memcpy(&ethOf(m)->dst_addr, &words[j], RTE_ETHER_ADDR_LEN);
        trace(m, "ARP: destination MAC %02x:%02x:%02x:%02x:%02x:%02x, ttl now %u", ethOf(m)->dst_addr.addr_bytes[0],
              ethOf(m)->dst_addr.addr_bytes[1], ethOf(m)->dst_addr.addr_bytes[2], ethOf(m)->dst_addr.addr_bytes[3],
              ethOf(m)->dst_addr.addr_bytes[4], ethOf(m)->dst_addr.addr_bytes[5],
              reinterpret_cast<const rte_ipv4_hdr*>(ethOf(m) + 1)->time_to_live);
        // The key from the word itself (same layout: the MAC in the low 48 bits), not from the
        // bytes just stored: reading them back would stall on store forwarding.
        macKeys[f] = (words[j] & 0x0000FFFFFFFFFFFFull) | uint64_t{out} << 48;
        ok[f++] = m;
    }
    if (f == 0) return;
    int32_t pos[kBurst];
    fdb_.lookupBulk(macKeys, f, pos);
    // Stage 4: out as the destination bridge would send them (no ingress member there).
    for (uint16_t j = 0; j < f; ++j) {
        rte_mbuf* m = ok[j];
        const fdb::BridgeId out = fdb::keyBridge(macKeys[j]);
        const BridgeState& b = st.bridges[out];
        const Dest d = pos[j] >= 0 ? fdb_.dest(pos[j]) : Dest{};
        switch (d.kind()) {
            case DestKind::Local: toMember(m, Member{d.port(), d.vlan()}); break;
            case DestKind::Remote: encapUnicast(st, out, m, d.tunnel(), nullptr); break;
            default: flood(st, b, m, nullptr, true); break;
        }
    }
}

void Worker::toControlInBridge(const ForwardingState& st, rte_mbuf* m, ExceptionKind kind, fdb::BridgeId bridge,
                               const Member* ingress, punt::Class c) {
    if (!admitPunt(st, c)) {
        ++counters_.policed[punt::index(c)];
        discard(m, Drop::punt_policed);
        return;
    }
    PacketMeta& pm = meta(m, metaOffset_);
    pm = PacketMeta{bridge, 0, 0, kFromTunnel, 0, bridge};
    if (ingress != nullptr) pm = PacketMeta{bridge, ingress->port, ingress->vlan, kHasIngress, 0, bridge};
    settle(toControl(m, kind) ? counters::Fate::ToControl : counters::Fate::Dropped);
}

void Worker::dropRouted(const ForwardingState& st, rte_mbuf* m, Drop reason, IcmpError error, fdb::BridgeId in,
                        const Member* ingress) {
    counters_.drop(reason);
    settle(counters::Fate::Dropped);
    // The error is a courtesy: under a flood of such packets it is policed like other ICMP.
    if (!admitPunt(st, punt::Class::Icmp)) {
        rte_pktmbuf_free(m);
        return;
    }
    PacketMeta& pm = meta(m, metaOffset_);
    pm = PacketMeta{in, 0, 0, kFromTunnel, static_cast<uint8_t>(error), in};
    if (ingress != nullptr) pm = PacketMeta{in, ingress->port, ingress->vlan, kHasIngress, static_cast<uint8_t>(error), in};
    m->hash.usr = static_cast<uint32_t>(ExceptionKind::IcmpError);
    if (rte_ring_mp_enqueue(channels_.exception, m) != 0) rte_pktmbuf_free(m);
}

void Worker::forwardWithin(const ForwardingState& st, fdb::BridgeId bid, rte_mbuf* m, const PacketMeta* from) {
    const BridgeState& b = st.bridges[bid];
    const bool fromTunnel = from != nullptr && (from->flags & kFromTunnel);
    Member ingress{};
    const Member* except = nullptr;
    if (from != nullptr && (from->flags & kHasIngress)) {
        ingress = Member{from->port, from->vlan};
        // flood() counts its targets on `except` being a member: it may have left meanwhile.
        if (std::find(b.members.begin(), b.members.end(), ingress) != b.members.end()) except = &ingress;
    }
    const rte_ether_hdr* eth = ethOf(m);
    if (rte_is_multicast_ether_addr(&eth->dst_addr)) {
        flood(st, b, m, except, !fromTunnel);
        return;
    }
    const int32_t pos = fdb_.lookup(fdb::makeKeyFromHeader(bid, eth->dst_addr.addr_bytes));
    const Dest d = pos >= 0 ? fdb_.dest(pos) : Dest{};
    switch (d.kind()) {
        case DestKind::Local: toMember(m, Member{d.port(), d.vlan()}); break;
        case DestKind::Remote:
            if (fromTunnel) discard(m, Drop::split_horizon);
            else encapUnicast(st, bid, m, d.tunnel(), except);
            break;
        default: flood(st, b, m, except, !fromTunnel); break;
    }
}

void Worker::inject(const ForwardingState& st, rte_mbuf* m) {
    const PacketMeta pm = meta(m, metaOffset_);
    if (st.bridge(pm.bridge) == nullptr || m->data_len < packet::kEtherHeaderLen) {
        // The bridge went away while the control core answered for it.
        dropPacket(m, Drop::flood_no_target);
        return;
    }
    injecting_ = true;
    forwardWithin(st, pm.bridge, m, &pm);
    injecting_ = false;
}

}  // namespace vtepgw::dataplane
