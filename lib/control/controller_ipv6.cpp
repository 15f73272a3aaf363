// The IPv6 underlay's control plane: neighbour discovery (answering solicitations for our
// addresses, learning next hops from advertisements, DAD and an unsolicited advertisement at
// start), ICMPv6 echo, and MLDv2 for the IPv6 groups our bridges flood to. Router
// advertisements are counted and ignored: underlay routes come from the configuration.
#include <rte_ip.h>

#include "control/controller.h"
#include "log/log.h"
#include "packet/ether_addr.h"
#include "packet/icmpv6.h"

namespace vtepgw::control {

using counters::Drop;
using counters::Event;
using netaddr::IpAddress;
using netaddr::Ipv6Address;
namespace icmpv6 = packet::icmpv6;
using packet::toEther;
using packet::toMac;

namespace {

const Ipv6Address kAllNodes = *Ipv6Address::parse("ff02::1");

}  // namespace

bool Controller::allowedVtep(const state::BridgeState& b, const IpAddress& a) {
    return a.isV4() ? b.allows(a.v4().host) : b.allows6(a.v6().bytes.data());
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
    const Ipv6Address linkLocal = netaddr::linkLocalFor(toMac(underlayMac_));
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
                           toMac(eth->src_addr).toString().c_str(), ns->target.toString().c_str());
            } else if (ns->linkAddress) {
                // Like ARP: a host that asks for us will be talked to (on-link or link-local).
                const auto nh = routes_.nextHop(v->src);
                const bool create = v->src.isLinkLocal() || (nh && *nh == v->src);
                const auto update = neighbors_.learn(v->src, *ns->linkAddress, nowMs(), create);
                if (update.changed) dirty_ = true;
                for (rte_mbuf* held : update.released) {
                    rte_pktmbuf_mtod(held, rte_ether_hdr*)->dst_addr = toEther(*ns->linkAddress);
                    counters_.event(Event::released_after_arp);
                    release(held);
                }
            }
            const rte_ether_addr to = ns->linkAddress ? toEther(*ns->linkAddress) : eth->src_addr;
            rte_mbuf* na = dad ? icmpv6::makeNeighborAdvertisement(pool_, underlayMac_, ns->target, kAllNodes,
                                                                   toEther(netaddr::multicastMacFor(kAllNodes)), false)
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
                if (na->linkAddress && *na->linkAddress != toMac(underlayMac_)) {
                    counters_.event(Event::nd_address_conflicts);
                    VTEPGW_LOG(WARNING, CONTROL, "address conflict: %s is also used by %s",
                               na->target.toString().c_str(), na->linkAddress->toString().c_str());
                }
                break;
            }
            const netaddr::MacAddress mac = na->linkAddress ? *na->linkAddress : toMac(eth->src_addr);
            const auto update = neighbors_.learn(na->target, mac, nowMs(), false);
            if (update.changed) dirty_ = true;
            for (rte_mbuf* held : update.released) {
                rte_pktmbuf_mtod(held, rte_ether_hdr*)->dst_addr = toEther(mac);
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
            const auto q = icmpv6::parseMldQuery(*v);
            if (!q) break;
            counters_.event(Event::mld_queries_received);
            const uint8_t before = mld_.version(nowMs());
            mld_.onQuery(*q, nowMs());
            if (mld_.version(nowMs()) != before)
                VTEPGW_LOG(INFO, CONTROL, "MLDv%u querier %s: reporting with MLDv%u", q->version,
                           v->src.toString().c_str(), mld_.version(nowMs()));
            sendMld(mld_.tick(nowMs()));  // an answer due at once (Maximum Response Delay 0)
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
                                                         toEther(netaddr::multicastMacFor(kAllNodes)), false))
        transmit(na);
}

void Controller::syncGroups6() {
    std::set<Ipv6Address> wanted;
    for (const auto& b : cfg_.bridges)
        if (b.group && b.group->isV6()) wanted.insert(b.group->v6());
    for (const auto& g : wanted)
        if (!mld_.groups().count(g)) VTEPGW_LOG(INFO, CONTROL, "joining group %s (MLDv%u)", g.toString().c_str(), mld_.version(nowMs()));
    for (const auto& g : mld_.groups())
        if (!wanted.count(g)) VTEPGW_LOG(INFO, CONTROL, "leaving group %s", g.toString().c_str());
    sendMld(mld_.sync(wanted, nowMs()));
}

void Controller::sendMld(const std::vector<std::vector<uint8_t>>& frames) {
    for (const auto& f : frames) {
        sendFrame(f);
        counters_.event(Event::mld_reports_sent);
    }
}

}  // namespace vtepgw::control
