// The IPv6 underlay's control plane: neighbour discovery (answering solicitations for our
// addresses, learning next hops from advertisements, DAD and an unsolicited advertisement at
// start), ICMPv6 echo, and MLDv2 for the IPv6 groups our bridges flood to. Router
// advertisements are counted and ignored: underlay routes come from the configuration.
#include <rte_ip.h>

#include "control/controller.h"
#include "log/log.h"
#include "packet/icmpv6.h"

namespace vtepgw::control {

using counters::Drop;
using counters::Event;
using netaddr::IpAddress;
using netaddr::Ipv6Address;
namespace icmpv6 = packet::icmpv6;

namespace {

rte_ether_addr etherOf(const netaddr::MacAddress& m) {
    rte_ether_addr a;
    std::memcpy(a.addr_bytes, m.bytes.data(), 6);
    return a;
}

netaddr::MacAddress macOf(const rte_ether_addr& a) {
    netaddr::MacAddress m;
    std::memcpy(m.bytes.data(), a.addr_bytes, 6);
    return m;
}

const Ipv6Address kAllNodes = *Ipv6Address::parse("ff02::1");

}  // namespace

bool Controller::allowedVtep(const state::BridgeState& b, const IpAddress& a) {
    return a.isV4() ? b.allowedVteps.find(a.v4().host) >= 0 : b.allowedVteps6.find(a.v6().bytes.data()) >= 0;
}

void Controller::handleIcmpv6(rte_mbuf* m) {
    if (!cfg_.underlay.address6) {
        dropPacket(m, Drop::exception_unhandled);
        return;
    }
    const auto v = icmpv6::parse(m);
    if (!v) {  // truncated, or a wrong checksum
        dropPacket(m, Drop::exception_unhandled);
        return;
    }
    const Ipv6Address ours = cfg_.underlay.address6->address;
    const Ipv6Address linkLocal = netaddr::linkLocalFor(macOf(underlayMac_));
    const auto* eth = rte_pktmbuf_mtod(m, const rte_ether_hdr*);
    switch (v->type) {
        case icmpv6::kNeighborSolicitation: {
            const auto ns = icmpv6::parseNeighborMessage(*v);
            if (!ns || (ns->target != ours && ns->target != linkLocal)) break;
            const bool dad = v->src.isUnspecified();
            if (dad) {
                // Someone else probing for our address (RFC 4862 §5.4.3): defend it.
                counters_.event(Event::nd_address_conflicts);
                VTEPGW_LOG(WARNING, CONTROL, "another host (%s) probes for our address %s",
                           macOf(eth->src_addr).toString().c_str(), ns->target.toString().c_str());
            } else if (ns->linkAddress) {
                // Like ARP: a host that asks for us will be talked to (on-link or link-local).
                const auto nh = routes_.nextHop(v->src);
                const bool create = v->src.isLinkLocal() || (nh && *nh == v->src);
                const auto update = neighbors_.learn(v->src, *ns->linkAddress, nowMs(), create);
                if (update.changed) dirty_ = true;
                for (rte_mbuf* held : update.released) {
                    rte_pktmbuf_mtod(held, rte_ether_hdr*)->dst_addr = etherOf(*ns->linkAddress);
                    counters_.event(Event::released_after_arp);
                    release(held);
                }
            }
            const rte_ether_addr to = ns->linkAddress ? etherOf(*ns->linkAddress) : eth->src_addr;
            rte_mbuf* na = dad ? icmpv6::makeNeighborAdvertisement(pool_, underlayMac_, ns->target, kAllNodes,
                                                                   etherOf(netaddr::multicastMacFor(kAllNodes)), false)
                               : icmpv6::makeNeighborAdvertisement(pool_, underlayMac_, ns->target, v->src, to, true);
            rte_pktmbuf_free(m);
            if (na == nullptr) {
                counters_.drop(Drop::no_mbuf);
                return;
            }
            counters_.event(Event::nd_solicitations_answered);
            transmit(na);
            return;
        }
        case icmpv6::kNeighborAdvertisement: {
            const auto na = icmpv6::parseNeighborMessage(*v);
            if (!na) break;
            counters_.event(Event::nd_advertisements_received);
            if (na->target == ours || na->target == linkLocal) {
                if (na->linkAddress && *na->linkAddress != macOf(underlayMac_)) {
                    counters_.event(Event::nd_address_conflicts);
                    VTEPGW_LOG(WARNING, CONTROL, "address conflict: %s is also used by %s",
                               na->target.toString().c_str(), na->linkAddress->toString().c_str());
                }
                break;
            }
            const netaddr::MacAddress mac = na->linkAddress ? *na->linkAddress : macOf(eth->src_addr);
            const auto update = neighbors_.learn(na->target, mac, nowMs(), false);
            if (update.changed) dirty_ = true;
            for (rte_mbuf* held : update.released) {
                rte_pktmbuf_mtod(held, rte_ether_hdr*)->dst_addr = etherOf(mac);
                counters_.event(Event::released_after_arp);
                release(held);
            }
            break;
        }
        case icmpv6::kEchoRequest:
            if (v->dst == ours || v->dst == linkLocal) {
                if (icmpv6::turnIntoEchoReply(m, *v, underlayMac_)) {
                    counters_.event(Event::icmpv6_echo_answered);
                    transmit(m);
                    return;
                }
            }
            break;
        case icmpv6::kRouterAdvertisement:
            counters_.event(Event::router_advertisements_ignored);
            rte_pktmbuf_free(m);
            return;
        case icmpv6::kMldQuery: {
            counters_.event(Event::mld_queries_received);
            // RFC 3810 §8.2.1: an MLDv1 querier puts us in MLDv1 compatibility for the Older
            // Version Querier Present Timeout (robustness 2 x 125 s + 10 s).
            if (icmpv6::isMldv1Query(*v)) {
                if (mldv1UntilMs_ <= nowMs())
                    VTEPGW_LOG(INFO, CONTROL, "MLDv1 querier %s present: reporting with MLDv1", v->src.toString().c_str());
                mldv1UntilMs_ = nowMs() + kMldv1CompatibilityMs;
            }
            const auto g = icmpv6::queryGroup(*v);
            std::vector<Ipv6Address> answer;
            for (const auto& joined : groups6_)
                if (!g || g->isUnspecified() || *g == joined) answer.push_back(joined);
            if (!answer.empty()) sendMld(answer, 2);  // MODE_IS_EXCLUDE {}: still a member
            rte_pktmbuf_free(m);
            return;
        }
        default: break;
    }
    dropPacket(m, Drop::exception_unhandled);
}

void Controller::sendNeighborSolicitation(const Ipv6Address& target) {
    if (!cfg_.underlay.address6) return;
    rte_mbuf* m = icmpv6::makeNeighborSolicitation(pool_, underlayMac_, cfg_.underlay.address6->address, target);
    if (m == nullptr) {
        counters_.drop(Drop::no_mbuf);
        return;
    }
    counters_.event(Event::nd_solicitations_sent);
    transmit(m);
}

void Controller::announce6() {
    const Ipv6Address ours = cfg_.underlay.address6->address;
    // DAD (RFC 4862 §5.4): a probe from the unspecified address; an answer is logged as a
    // conflict. Then the unsolicited advertisement (RFC 4861 §7.2.6) so that neighbours
    // that knew another MAC for us learn ours at once.
    if (rte_mbuf* dad = icmpv6::makeNeighborSolicitation(pool_, underlayMac_, Ipv6Address{}, ours)) {
        counters_.event(Event::nd_solicitations_sent);
        transmit(dad);
    }
    if (rte_mbuf* na = icmpv6::makeNeighborAdvertisement(pool_, underlayMac_, ours, kAllNodes,
                                                         etherOf(netaddr::multicastMacFor(kAllNodes)), false))
        transmit(na);
    if (!groups6_.empty()) sendMld({groups6_.begin(), groups6_.end()}, 4);
}

void Controller::syncGroups6() {
    std::set<Ipv6Address> wanted;
    for (const auto& b : cfg_.bridges)
        if (b.group && b.group->isV6()) wanted.insert(b.group->v6());
    std::vector<Ipv6Address> joins, leaves;
    for (const auto& g : wanted)
        if (!groups6_.count(g)) joins.push_back(g);
    for (const auto& g : groups6_)
        if (!wanted.count(g)) leaves.push_back(g);
    for (const auto& g : joins) VTEPGW_LOG(INFO, CONTROL, "joining group %s (MLDv2)", g.toString().c_str());
    for (const auto& g : leaves) VTEPGW_LOG(INFO, CONTROL, "leaving group %s", g.toString().c_str());
    groups6_ = std::move(wanted);
    if (!joins.empty()) sendMld(joins, 4);    // CHANGE_TO_EXCLUDE {}
    if (!leaves.empty()) sendMld(leaves, 3);  // CHANGE_TO_INCLUDE {}
}

void Controller::sendMld(const std::vector<Ipv6Address>& groups, uint8_t recordType) {
    // RFC 3810 §5 (and RFC 2710 §3): reports come from our link-local address.
    const Ipv6Address src = netaddr::linkLocalFor(macOf(underlayMac_));
    if (nowMs() < mldv1UntilMs_) {
        // MLDv1 has no records: a report per group for a join or the current state, a done
        // for a leave (record type 3, CHANGE_TO_INCLUDE {}).
        for (const auto& g : groups)
            sendFrame(icmpv6::mldv1Message(underlayMac_, src, g, recordType == 3 ? icmpv6::kMldv1Done : icmpv6::kMldv1Report));
        counters_.event(Event::mld_reports_sent, groups.size());
        return;
    }
    sendFrame(icmpv6::mldv2Report(underlayMac_, src, groups, recordType));
    counters_.event(Event::mld_reports_sent);
}

}  // namespace vtepgw::control
