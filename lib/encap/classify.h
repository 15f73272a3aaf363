// Classification of frames received on the underlay port: a tunnel packet for one of our
// bridges (VXLAN or GRE, by the encapsulation's own classifier), something for the control
// core (ARP, ICMP and IGMP to our address), something for the host interface (other IP to
// our address and link-local multicast, when there is one), or a drop with its reason. What goes up carries its punt
// class, so that the worker polices it before it reaches the control core. Works on the first
// segment's bytes only and never reads past `len`.
#pragma once

#include <rte_ip.h>

#include <cstdint>
#include <cstring>

#include "counters/counters.h"
#include "encap/gre.h"
#include "encap/vxlan.h"
#include "packet/headers.h"
#include "punt/classes.h"
#include "state/forwarding_state.h"

namespace vtepgw::encap {

inline constexpr uint8_t kIpProtoIgmp = 2;

enum class UnderlayVerdict : uint8_t { Tunnel, ToControl, ToHost, Drop };

struct UnderlayResult {
    UnderlayVerdict verdict = UnderlayVerdict::Drop;
    counters::Drop reason = counters::Drop::truncated;
    bool reservedBits = false;   // accepted, but counted
    Encap encap = Encap::Vxlan;
    punt::Class puntClass = punt::Class::Other;  // ToControl and ToHost
    fdb::BridgeId bridge = fdb::kNoBridge;
    uint32_t srcIpHost = 0;      // the remote VTEP
    uint16_t outerLen = 0;       // bytes in front of the inner frame
    uint16_t innerLen = 0;       // inner frame length (outer Ethernet padding excluded)
};

// `ipChecksumFlags` are the mbuf's RTE_MBUF_F_RX_IP_CKSUM_* bits: a NIC that checked the
// checksum saves us the work; unknown means we check it ourselves.
inline UnderlayResult classifyUnderlay(const uint8_t* frame, uint32_t len,
                                       const state::ForwardingState& st,
                                       uint64_t ipChecksumFlags = 0) {
    using counters::Drop;
    UnderlayResult r;
    auto drop = [&r](Drop d) {
        r.verdict = UnderlayVerdict::Drop;
        r.reason = d;
        return r;
    };
    if (len < packet::kEtherHeaderLen) return drop(Drop::truncated);
    const auto* eth = reinterpret_cast<const rte_ether_hdr*>(frame);
    if (!rte_is_same_ether_addr(&eth->dst_addr, &st.localMac) &&
        !rte_is_multicast_ether_addr(&eth->dst_addr))
        return drop(Drop::not_for_us);
    auto up = [&r](UnderlayVerdict v, punt::Class c) {
        r.verdict = v;
        r.puntClass = c;
        return r;
    };
    if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP)) return up(UnderlayVerdict::ToControl, punt::Class::Arp);
    if (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4)) return drop(Drop::unsupported_ethertype);

    if (len < packet::kEtherHeaderLen + packet::kIpv4HeaderLen) return drop(Drop::truncated);
    const auto* ip = reinterpret_cast<const rte_ipv4_hdr*>(frame + packet::kEtherHeaderLen);
    if ((ip->version_ihl >> 4) != 4 || (ip->version_ihl & 0x0F) < 5) return drop(Drop::bad_ip_header);
    // IGMP carries the Router Alert option; nothing else we accept has options.
    const bool igmp = ip->next_proto_id == kIpProtoIgmp;
    const uint32_t ihl = (ip->version_ihl & 0x0Fu) * 4u;
    if (ihl != packet::kIpv4HeaderLen && !igmp) return drop(Drop::ip_options);
    const uint16_t totalLen = rte_be_to_cpu_16(ip->total_length);
    if (totalLen < ihl) return drop(Drop::bad_ip_header);
    if (totalLen > len - packet::kEtherHeaderLen) return drop(Drop::truncated);
    if (ipChecksumFlags == RTE_MBUF_F_RX_IP_CKSUM_BAD ||
        (ipChecksumFlags != RTE_MBUF_F_RX_IP_CKSUM_GOOD &&
         (ihl == packet::kIpv4HeaderLen ? !packet::ipv4HeaderChecksumOk(ip) : rte_ipv4_cksum(ip) != 0)))
        return drop(Drop::bad_ip_checksum);
    if (rte_be_to_cpu_16(ip->fragment_offset) & (packet::kIpv4MoreFragments | packet::kIpv4OffsetMask))
        return drop(Drop::ip_fragment);
    const uint32_t dstHost = rte_be_to_cpu_32(ip->dst_addr);
    if (igmp) {
        // Queries come to 224.0.0.1 or to a group; the control core answers them.
        if ((dstHost >> 28) != 0xE) return drop(Drop::not_for_us);
        return up(UnderlayVerdict::ToControl, punt::Class::Igmp);
    }
    const bool forUs = ip->dst_addr == st.localIpBe;
    const uint8_t proto = ip->next_proto_id;
    // The host's own traffic (TCP, other UDP, other protocols) goes up whole, options and all.
    const bool hostProto = proto != IPPROTO_UDP && proto != gre::kIpProtoGre && proto != IPPROTO_ICMP;
    if (st.hostPunt && forUs && hostProto)
        return up(UnderlayVerdict::ToHost, proto == IPPROTO_TCP ? punt::Class::Tcp : punt::Class::Other);
    // Link-local multicast (OSPF 224.0.0.5/6, PIM 224.0.0.13, RIP 224.0.0.9) is the host's
    // too; no VXLAN group is link-local (the configuration refuses them).
    if (st.hostPunt && (dstHost >> 8) == 0xE00000)
        return up(UnderlayVerdict::ToHost, proto == IPPROTO_UDP ? punt::Class::Udp : punt::Class::Other);
    if (ihl != packet::kIpv4HeaderLen) return drop(Drop::ip_options);
    if (!forUs) {
        // VXLAN flooded to one of our groups is ours too; anything else to a group is not.
        if (ip->next_proto_id != IPPROTO_UDP || st.groups.find(dstHost) < 0)
            return drop(Drop::not_for_us);
    }
    int32_t bridge;
    if (ip->next_proto_id == IPPROTO_UDP) {
        if (totalLen < packet::kIpv4HeaderLen + packet::kUdpHeaderLen) return drop(Drop::truncated);
        const auto v = vxlan::classify(reinterpret_cast<const rte_udp_hdr*>(ip + 1), totalLen,
                                       st.vxlanPortsBe.data(), st.vxlanPortCount);
        if (!v.ok) {
            if (v.reason == Drop::udp_port_unknown && st.hostPunt && forUs)
                return up(UnderlayVerdict::ToHost, punt::Class::Udp);
            return drop(v.reason);
        }
        bridge = st.vniToBridge.find(v.vni);
        if (bridge < 0) return drop(Drop::unknown_vni);
        r.encap = Encap::Vxlan;
        r.reservedBits = v.reservedBits;
        r.outerLen = v.outerLen;
        r.innerLen = v.innerLen;
    } else if (ip->next_proto_id == gre::kIpProtoGre) {
        const auto g = gre::classify(reinterpret_cast<const uint8_t*>(ip + 1), totalLen);
        if (!g.ok) return drop(g.reason);
        bridge = st.greKeyToBridge.find(g.key);
        if (bridge < 0) return drop(Drop::gre_unknown_key);
        r.encap = Encap::Gre;
        r.outerLen = g.outerLen;
        r.innerLen = g.innerLen;
    } else if (ip->next_proto_id == IPPROTO_ICMP) {
        return up(UnderlayVerdict::ToControl, punt::Class::Icmp);
    } else {
        return drop(Drop::unsupported_protocol);
    }

    r.srcIpHost = rte_be_to_cpu_32(ip->src_addr);
    const state::BridgeState* bs = st.bridge(static_cast<fdb::BridgeId>(bridge));
    if (bs != nullptr && bs->restrictVteps && bs->allowedVteps.find(r.srcIpHost) < 0)
        return drop(Drop::vtep_not_allowed);
    const auto* inner = reinterpret_cast<const rte_ether_hdr*>(frame + r.outerLen);
    if (inner->ether_type == RTE_BE16(RTE_ETHER_TYPE_VLAN) ||
        inner->ether_type == RTE_BE16(RTE_ETHER_TYPE_QINQ)) {
        if (bs == nullptr || !bs->keepInnerVlan) return drop(Drop::inner_vlan_tagged);
    }
    r.verdict = UnderlayVerdict::Tunnel;
    r.bridge = static_cast<fdb::BridgeId>(bridge);
    return r;
}

}  // namespace vtepgw::encap
