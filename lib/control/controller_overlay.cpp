// The control core's side of L3 on the overlay: the gateway's ARP and echo on every bridge
// with an address, ARP snooping and suppression, routed packets waiting for ARP, ICMP errors,
// and the VRF tables the workers route with.
#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_ring.h>

#include <algorithm>
#include <map>

#include "control/controller.h"
#include "log/log.h"
#include "packet/ether_addr.h"
#include "packet/responder.h"

namespace vtepgw::control {

using counters::Drop;
using counters::Event;
using dataplane::ExceptionKind;
using dataplane::IcmpError;
using netaddr::Ipv4Address;
using netaddr::MacAddress;
using packet::toEther;

namespace {

// ICMP errors: at most this many a second with this burst, all bridges together (routers
// limit them so that a scan or a loop cannot turn them into a flood of their own).
constexpr uint64_t kIcmpErrorsPerSecond = 100;
constexpr uint64_t kIcmpErrorBurst = 10;
// A snooped binding goes when its MAC has left the address table for this long.
constexpr uint32_t kArpGraceSeconds = 5;

rte_ether_addr macOfWord(uint64_t w) {
    rte_ether_addr a;
    std::memcpy(a.addr_bytes, &w, RTE_ETHER_ADDR_LEN);
    return a;
}

bool owns(const config::BridgeSpec& b, uint32_t ipHost) {
    return std::any_of(b.addresses.begin(), b.addresses.end(),
                       [&](const netaddr::Ipv4Prefix& p) { return p.address.host == ipHost; });
}

// The gateway address a bridge speaks from towards ipHost: the one whose subnet holds it.
uint32_t sourceFor(const config::BridgeSpec& b, uint32_t ipHost) {
    for (const auto& p : b.addresses)
        if (p.contains(Ipv4Address{ipHost})) return p.address.host;
    return b.addresses.empty() ? 0 : b.addresses.front().address.host;
}

}  // namespace

rte_ether_addr Controller::gatewayMac(const config::BridgeSpec& b) const {
    MacAddress underlay;
    std::copy(std::begin(underlayMac_.addr_bytes), std::end(underlayMac_.addr_bytes), underlay.bytes.begin());
    return toEther(config::Config::gatewayMacOf(b, underlay));
}

void Controller::syncOverlay() {
    // VRF tables: rebuilt only when the routes change, shared by every snapshot until then.
    std::map<std::string, std::vector<overlay::VrfTable::Route>> routes;
    std::string signature;
    for (const auto& b : cfg_.bridges) {
        const fdb::BridgeId id = bridgeIds_.at(b.name);
        for (const auto& a : b.addresses) {
            routes[b.vrf].push_back({netaddr::Ipv4Prefix{a.network(), a.length}, id, false});
            routes[b.vrf].push_back({netaddr::Ipv4Prefix{a.address, 32}, id, true});
            signature += b.vrf + ' ' + a.toString() + ' ' + std::to_string(id) + ';';
        }
    }
    if (signature != overlaySignature_) {
        std::vector<std::shared_ptr<const overlay::VrfTable>> tables;
        std::map<std::string, uint16_t> index;
        for (const auto& [vrf, list] : routes) {
            index[vrf] = static_cast<uint16_t>(tables.size());
            tables.push_back(std::make_shared<const overlay::VrfTable>(vrf, list));
        }
        vrfTables_ = std::move(tables);
        vrfIndex_ = std::move(index);
        overlaySignature_ = signature;
    }
    // Static bindings, and nothing left of bridges that went or stopped reading ARP.
    std::vector<std::pair<overlay::Key, rte_ether_addr>> statics;
    for (const auto& b : cfg_.bridges)
        for (const auto& n : b.neighbors) statics.emplace_back(overlay::makeKey(bridgeIds_.at(b.name), n.address.host), toEther(n.mac));
    arp_.removeIf([&](const overlay::EntryView& v) {
        const config::BridgeSpec* b = v.bridge < bridgeById_.size() ? bridgeById_[v.bridge] : nullptr;
        return b == nullptr || !b->arpAware();
    });
    if (!arp_.setStatics(statics, static_cast<uint32_t>(nowMs() / 1000)))
        VTEPGW_LOG(ERR, CONTROL, "ARP table full (%u): not every static neighbor is installed", arp_.capacity());
    std::vector<bool> live(state::kMaxBridges, false);
    for (const auto& b : cfg_.bridges) live[bridgeIds_.at(b.name)] = !b.addresses.empty();
    for (rte_mbuf* m : resolver_.retain(live)) unsend(m, Drop::arp_unresolved);
}

void Controller::fillOverlay(state::ForwardingState& s) const {
    s.vrfs = vrfTables_;
    for (const auto& spec : cfg_.bridges) {
        state::BridgeState& b = s.bridges[bridgeIds_.at(spec.name)];
        b.arpAware = spec.arpAware();
        b.routing = !spec.addresses.empty();
        b.l3 = b.arpAware || b.routing;
        b.gatewayMac = gatewayMac(spec);
        if (auto it = vrfIndex_.find(spec.vrf); it != vrfIndex_.end()) b.vrf = it->second;
    }
}

void Controller::injectInto(fdb::BridgeId bridge, rte_mbuf* m, const dataplane::PacketMeta* from) {
    dataplane::PacketMeta& pm = dataplane::meta(m, metaOffset_);
    pm = from != nullptr ? *from : dataplane::PacketMeta{bridge, 0, 0, 0, 0, bridge};
    pm.bridge = bridge;
    m->hash.usr = static_cast<uint32_t>(ExceptionKind::Inject);
    if (rte_ring_sp_enqueue(channels_.controlTx, m) != 0) dropPacket(m, Drop::tx_full);
}

void Controller::snoop(fdb::BridgeId id, const config::BridgeSpec& spec, uint32_t ip, const rte_ether_addr& mac) {
    const uint32_t now = static_cast<uint32_t>(nowMs() / 1000);
    switch (arp_.learn(id, ip, mac, now, spec.arpLimit)) {
        case overlay::LearnResult::Added: counters_.event(Event::overlay_arp_learned); break;
        case overlay::LearnResult::Refreshed: break;
        case overlay::LearnResult::Moved: {
            counters_.event(Event::overlay_arp_moves);
            MacAddress m;
            std::copy(std::begin(mac.addr_bytes), std::end(mac.addr_bytes), m.bytes.begin());
            VTEPGW_LOG(WARNING, CONTROL, "bridge %s: %s moved to %s", spec.name.c_str(), Ipv4Address{ip}.toString().c_str(),
                       m.toString().c_str());
            break;
        }
        case overlay::LearnResult::StaticConflict:
            counters_.event(Event::overlay_arp_static_conflicts);
            return;
        case overlay::LearnResult::LimitReached: counters_.event(Event::overlay_arp_limit_reached); return;
        case overlay::LearnResult::Full: counters_.event(Event::overlay_arp_limit_reached); return;
    }
    for (rte_mbuf* held : resolver_.resolved(overlay::makeKey(id, ip))) {
        rte_pktmbuf_mtod(held, rte_ether_hdr*)->dst_addr = mac;
        releaseRouted(held, id);
    }
}

void Controller::releaseRouted(rte_mbuf* m, fdb::BridgeId bridge) {
    counters_.fate(counters::Fate::Forwarded);
    counters_.event(Event::released_after_arp);
    injectInto(bridge, m, nullptr);
}

void Controller::handleBridgeArp(rte_mbuf* m) {
    const dataplane::PacketMeta pm = dataplane::meta(m, metaOffset_);
    const config::BridgeSpec* spec = pm.bridge < bridgeById_.size() ? bridgeById_[pm.bridge] : nullptr;
    if (spec == nullptr) {
        dropPacket(m, Drop::flood_no_target);  // the bridge went away meanwhile
        return;
    }
    const auto arp = packet::parseArp(m);
    // A multicast or zero sender MAC is no host's: never learned, answered or passed on.
    if (!arp || rte_is_multicast_ether_addr(&arp->sha) || rte_is_zero_ether_addr(&arp->sha)) {
        dropPacket(m, Drop::bad_arp);
        return;
    }
    auto& bc = counters_.bridges[pm.bridge];
    const rte_ether_addr gw = gatewayMac(*spec);
    const bool senderIsUs = owns(*spec, arp->sip);
    if (senderIsUs) {
        if (!rte_is_same_ether_addr(&arp->sha, &gw)) {
            counters_.event(Event::gateway_conflicts);
            VTEPGW_LOG(WARNING, CONTROL, "bridge %s: another host claims the gateway address %s",
                       spec->name.c_str(), Ipv4Address{arp->sip}.toString().c_str());
        }
    } else if (arp->sip != 0) {
        snoop(pm.bridge, *spec, arp->sip, arp->sha);
    }
    if (arp->op == RTE_ARP_OP_REQUEST && !senderIsUs) {
        if (owns(*spec, arp->tip)) {
            packet::turnIntoArpReply(m, arp->tip, gw);
            ++bc.gatewayReplies;
            injectInto(pm.bridge, m, nullptr);
            return;
        }
        // A gratuitous ARP (sender = target) is an announcement, not a question.
        if (spec->arpSuppression && arp->tip != arp->sip) {
            const uint64_t w = arp_.lookup(pm.bridge, arp->tip);
            const rte_ether_addr known = macOfWord(w);
            if ((w & overlay::kPresent) && !rte_is_same_ether_addr(&known, &arp->sha)) {
                packet::turnIntoArpReply(m, arp->tip, known);
                ++bc.arpSuppressed;
                injectInto(pm.bridge, m, nullptr);
                return;
            }
            ++bc.arpFlooded;
        }
    } else if (arp->op == RTE_ARP_OP_REPLY &&
               rte_is_same_ether_addr(&rte_pktmbuf_mtod(m, const rte_ether_hdr*)->dst_addr, &gw)) {
        rte_pktmbuf_free(m);  // the answer to one of our requests: snooped above, nobody else's
        return;
    }
    injectInto(pm.bridge, m, &pm);  // on its way, as the worker would have sent it
}

void Controller::handleGatewayLocal(rte_mbuf* m) {
    const dataplane::PacketMeta pm = dataplane::meta(m, metaOffset_);
    const config::BridgeSpec* spec = pm.bridge < bridgeById_.size() ? bridgeById_[pm.bridge] : nullptr;
    if (spec == nullptr || !packet::turnIntoEchoReply(m, gatewayMac(*spec))) {
        dropPacket(m, Drop::gateway_unhandled);
        return;
    }
    ++counters_.bridges[pm.bridge].gatewayReplies;
    counters_.event(Event::icmp_echo_answered);
    injectInto(pm.bridge, m, nullptr);
}

void Controller::handleAwaitOverlayArp(rte_mbuf* m) {
    const dataplane::PacketMeta pm = dataplane::meta(m, metaOffset_);
    const config::BridgeSpec* spec = pm.bridge < bridgeById_.size() ? bridgeById_[pm.bridge] : nullptr;
    const auto* ip = rte_pktmbuf_mtod_offset(m, const rte_ipv4_hdr*, sizeof(rte_ether_hdr));
    const uint32_t dst = rte_be_to_cpu_32(ip->dst_addr);
    if (spec == nullptr || spec->addresses.empty()) {
        unsend(m, Drop::no_overlay_route);
        return;
    }
    const uint64_t w = arp_.lookup(pm.bridge, dst);
    if (w & overlay::kPresent) {  // answered since the worker looked
        rte_pktmbuf_mtod(m, rte_ether_hdr*)->dst_addr = macOfWord(w);
        releaseRouted(m, pm.bridge);
        return;
    }
    const auto held = resolver_.hold(overlay::makeKey(pm.bridge, dst), m, nowMs());
    if (!held.taken) {
        unsend(m, Drop::arp_queue_full);
        return;
    }
    counters_.event(Event::held_for_neighbor);
    if (held.ask) sendOverlayArpRequest(pm.bridge, dst);
}

void Controller::sendOverlayArpRequest(fdb::BridgeId bridge, uint32_t ip) {
    const config::BridgeSpec* spec = bridge < bridgeById_.size() ? bridgeById_[bridge] : nullptr;
    if (spec == nullptr || spec->addresses.empty()) return;
    rte_mbuf* m = packet::makeArpRequest(pool_, gatewayMac(*spec), sourceFor(*spec, ip), ip);
    if (m == nullptr) {
        counters_.drop(Drop::no_mbuf);
        return;
    }
    counters_.event(Event::overlay_arp_requests_sent);
    injectInto(bridge, m, nullptr);
}

void Controller::sendIcmpError(rte_mbuf* m, IcmpError error, fdb::BridgeId bridge, const rte_ether_addr& to) {
    const config::BridgeSpec* spec = bridge < bridgeById_.size() ? bridgeById_[bridge] : nullptr;
    const uint64_t now = nowMs();
    // Thousandths of an error, starting full.
    const uint64_t cap = kIcmpErrorBurst * 1000;
    const uint64_t add = (now - icmpRefillMs_) * kIcmpErrorsPerSecond;
    icmpTokens_ = icmpRefillMs_ == 0 || add >= cap - std::min(icmpTokens_, cap) ? cap : icmpTokens_ + add;
    icmpRefillMs_ = std::max<uint64_t>(now, 1);
    if (spec == nullptr || spec->addresses.empty()) {
        rte_pktmbuf_free(m);
        return;
    }
    if (icmpTokens_ < 1000) {
        counters_.event(Event::icmp_errors_limited);
        rte_pktmbuf_free(m);
        return;
    }
    const auto* ip = rte_pktmbuf_mtod_offset(m, const rte_ipv4_hdr*, sizeof(rte_ether_hdr));
    uint8_t type = 3, code = 0;  // destination unreachable: net (0), host (1)
    if (error == IcmpError::HostUnreachable) code = 1;
    if (error == IcmpError::TimeExceeded) type = 11;  // time exceeded in transit (code 0)
    rte_mbuf* e = packet::makeIcmpError(pool_, m, type, code, gatewayMac(*spec),
                                        sourceFor(*spec, rte_be_to_cpu_32(ip->src_addr)), to);
    rte_pktmbuf_free(m);
    if (e == nullptr) return;
    icmpTokens_ -= 1000;
    counters_.event(Event::icmp_errors_sent);
    injectInto(bridge, e, nullptr);
}

void Controller::handleIcmpError(rte_mbuf* m) {
    const dataplane::PacketMeta pm = dataplane::meta(m, metaOffset_);
    // Dropped before any rewrite: the sender is the frame's source.
    const rte_ether_addr to = rte_pktmbuf_mtod(m, const rte_ether_hdr*)->src_addr;
    sendIcmpError(m, static_cast<IcmpError>(pm.code), pm.bridge, to);
}

void Controller::giveUpRouted(rte_mbuf* m) {
    // Rewritten for the destination bridge already: the sender's MAC comes from the ARP
    // table of the bridge it was routed from (it asked us for our MAC, so we know it).
    const dataplane::PacketMeta pm = dataplane::meta(m, metaOffset_);
    counters_.fate(counters::Fate::Dropped);
    counters_.drop(Drop::arp_unresolved);
    const auto* ip = rte_pktmbuf_mtod_offset(m, const rte_ipv4_hdr*, sizeof(rte_ether_hdr));
    const uint64_t w = arp_.lookup(pm.origin, rte_be_to_cpu_32(ip->src_addr));
    if (!(w & overlay::kPresent)) {
        rte_pktmbuf_free(m);
        return;
    }
    sendIcmpError(m, IcmpError::HostUnreachable, pm.origin, macOfWord(w));
}

void Controller::tickOverlay(uint64_t now, bool newSecond) {
    auto t = resolver_.tick(now);
    for (overlay::Key k : t.ask) sendOverlayArpRequest(overlay::keyBridge(k), overlay::keyIp(k));
    for (rte_mbuf* m : t.expired) giveUpRouted(m);
    if (!newSecond || arp_.size() == 0) return;
    const uint32_t second = static_cast<uint32_t>(now / 1000);
    const size_t aged = arp_.removeIf([&](const overlay::EntryView& v) {
        if (v.isStatic || second - v.updated < kArpGraceSeconds) return false;
        return fdb_.lookup(fdb::makeKey(v.bridge, v.mac.addr_bytes)) < 0;
    });
    if (aged) counters_.event(Event::overlay_arp_aged, aged);
}

}  // namespace vtepgw::control
