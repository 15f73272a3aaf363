// The worker's side of the packet trace (dataplane/trace.h): out of line, so that the fast
// path carries only the tests that say nobody is being traced.
#include <arpa/inet.h>
#include <rte_ether.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "dataplane/worker.h"
#include "packet/headers.h"

namespace vtepgw::dataplane {

const char* exceptionName(ExceptionKind k) {
    switch (k) {
        case ExceptionKind::Underlay: return "underlay ARP/ICMP";
        case ExceptionKind::AwaitNeighbor: return "held until the next hop answers ARP";
        case ExceptionKind::AwaitNeighborCopy: return "flood copy held until the next hop answers ARP";
        case ExceptionKind::HostPunt: return "for the host interface";
        case ExceptionKind::BridgeArp: return "ARP in the bridge (snooped, answered or forwarded)";
        case ExceptionKind::GatewayLocal: return "for the gateway address";
        case ExceptionKind::AwaitOverlayArp: return "routed, held until the destination answers ARP";
        case ExceptionKind::IcmpError: return "ICMP error to send";
        case ExceptionKind::Inject: return "injected";
    }
    return "?";
}

namespace {

const char* roleName(state::PortRole r) {
    switch (r) {
        case state::PortRole::Access: return "access";
        case state::PortRole::Underlay: return "underlay";
        case state::PortRole::Unused: return "unused";
    }
    return "?";
}

}  // namespace

void Worker::beginTrace(const state::ForwardingState& st, uint16_t port, rte_mbuf** pkts, uint16_t n) {
    traceState_ = &st;
    for (uint16_t i = 0; i < n && bt_.count < BurstTrace::kSlots; ++i) {
        TraceRecord* r = setup_.trace->claim(port);
        if (r == nullptr) break;
        const rte_mbuf* m = pkts[i];
        r->worker = setup_.id;
        r->port = port;
        r->length = m->pkt_len;
        r->timeSeconds = now_;
        r->headLen = static_cast<uint16_t>(std::min<uint32_t>(m->data_len, TraceRecord::kHead));
        std::memcpy(r->head, rte_pktmbuf_mtod(m, const uint8_t*), r->headLen);
        bt_.mbuf[bt_.count] = m;
        bt_.record[bt_.count++] = r;
        const state::PortState& ps = st.ports[port];
        if (m->data_len >= packet::kEtherHeaderLen) {
            const auto* eth = rte_pktmbuf_mtod(m, const rte_ether_hdr*);
            char src[RTE_ETHER_ADDR_FMT_SIZE], dst[RTE_ETHER_ADDR_FMT_SIZE];
            rte_ether_format_addr(src, sizeof src, &eth->src_addr);
            rte_ether_format_addr(dst, sizeof dst, &eth->dst_addr);
            for (char* c = src; *c; ++c) *c = static_cast<char>(std::tolower(*c));
            for (char* c = dst; *c; ++c) *c = static_cast<char>(std::tolower(*c));
            bt_.note(m, "rx on %s (%s), %u bytes: %s > %s, ethertype 0x%04x", ps.name.c_str(), roleName(ps.role),
                     m->pkt_len, src, dst, rte_be_to_cpu_16(eth->ether_type));
        } else {
            bt_.note(m, "rx on %s (%s), %u bytes", ps.name.c_str(), roleName(ps.role), m->pkt_len);
        }
    }
}

void Worker::endTrace() {
    for (uint16_t i = 0; i < bt_.count; ++i) bt_.record[i]->done.store(1, std::memory_order_release);
    bt_.count = 0;
    traceState_ = nullptr;
}

void Worker::traceTx(uint16_t port, const rte_mbuf* m) {
    if (bt_.find(m) == nullptr) return;
    const char* name = traceState_ != nullptr && port < traceState_->ports.size() ? traceState_->ports[port].name.c_str() : "?";
    bt_.note(m, "tx on %s, %u bytes", name, m->pkt_len);
    bt_.finish(m);
}

namespace {

// An outer address as text, either family (trace only: never on the fast path).
std::string addressText(bool ipv6, uint32_t ipHost, const uint8_t* ip6) {
    char buf[INET6_ADDRSTRLEN] = "?";
    if (ipv6) {
        inet_ntop(AF_INET6, ip6, buf, sizeof buf);
    } else {
        const uint32_t be = rte_cpu_to_be_32(ipHost);
        inet_ntop(AF_INET, &be, buf, sizeof buf);
    }
    return buf;
}

}  // namespace

void Worker::traceDecap(const rte_mbuf* m, const state::ForwardingState& st, const encap::UnderlayResult& r) {
    bt_.note(m, "%s from %s, key %u: bridge %s, inner %u bytes", encap::encapName(r.encap),
             addressText(r.ipv6, r.srcIpHost, r.srcIp6).c_str(), st.bridges[r.bridge].vni,
             st.bridges[r.bridge].name.c_str(), uint32_t{r.innerLen});
}

void Worker::traceDestination(const rte_mbuf* m, fdb::Dest d) {
    const char* kind = d.isStatic() ? "static" : d.isEvpn() ? "evpn" : "dynamic";
    if (d.kind() == fdb::DestKind::Local) {
        const char* name = traceState_ != nullptr ? traceState_->ports[d.port()].name.c_str() : "?";
        if (d.vlan() != 0) bt_.note(m, "destination MAC known (%s): port %s vlan %u", kind, name, d.vlan());
        else bt_.note(m, "destination MAC known (%s): port %s", kind, name);
    } else if (d.kind() == fdb::DestKind::Remote) {
        const uint32_t id = d.tunnel();
        const encap::Tunnel* t = traceState_ != nullptr ? traceState_->tunnel(id) : nullptr;
        bt_.note(m, "destination MAC known (%s): VTEP %s (tunnel %u)", kind,
                 t != nullptr ? addressText(t->ipv6, t->ipHost, t->ip6).c_str() : "?", id);
    } else {
        bt_.note(m, "destination MAC: no usable entry");
    }
}

void Worker::traceEncap(const rte_mbuf* m, const encap::Tunnel& t, const state::BridgeState& b, const uint8_t* outer) {
    const uint8_t* l3 = outer + packet::kEtherHeaderLen;
    const auto* ip = reinterpret_cast<const rte_ipv4_hdr*>(l3);
    const auto* ip6 = reinterpret_cast<const rte_ipv6_hdr*>(l3);
    const std::string src = t.ipv6 ? addressText(true, 0, ip6->src_addr) : addressText(false, rte_be_to_cpu_32(ip->src_addr), nullptr);
    const std::string dst = t.ipv6 ? addressText(true, 0, ip6->dst_addr) : addressText(false, rte_be_to_cpu_32(ip->dst_addr), nullptr);
    char ports[48] = "";
    if (t.encap == encap::Encap::Vxlan) {
        const auto* udp = reinterpret_cast<const rte_udp_hdr*>(l3 + (t.ipv6 ? packet::kIpv6HeaderLen : packet::kIpv4HeaderLen));
        std::snprintf(ports, sizeof ports, "udp %u > %u, vni %u", rte_be_to_cpu_16(udp->src_port),
                      rte_be_to_cpu_16(udp->dst_port), b.vni);
    } else {
        std::snprintf(ports, sizeof ports, "gre key %u", b.vni);
    }
    bt_.note(m, "encap %s: outer %s > %s %s %u, %s%s", encap::encapName(t.encap), src.c_str(), dst.c_str(),
             t.ipv6 ? "hop limit" : "ttl", t.ipv6 ? ip6->hop_limits : ip->time_to_live, ports,
             t.resolved ? "" : " (next hop MAC unresolved)");
}

}  // namespace vtepgw::dataplane
