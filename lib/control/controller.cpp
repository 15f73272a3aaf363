#include "control/controller.h"

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include <algorithm>
#include <stdexcept>

#include "log/log.h"
#include "port/port.h"
#include "encap/encap.h"
#include "encap/vxlan.h"
#include "packet/ether_addr.h"
#include "packet/responder.h"

namespace vtepgw::control {

using counters::Drop;
using counters::Event;
using netaddr::IpAddress;
using netaddr::Ipv4Address;
using netaddr::MacAddress;
using packet::toEther;
using packet::toMac;

namespace {

constexpr uint64_t kTickMs = 100;
constexpr uint64_t kVtepSweepMs = 10000;
// Local MACs reach zebra (and the fabric) within this: a walk of the table each time.
constexpr uint64_t kEvpnPublishMs = 500;

}  // namespace

Controller::Controller(config::Config cfg, std::vector<PortBinding> ports, fdb::Fdb& fdb, overlay::ArpTable& arp,
                       state::StatePublisher& publisher, dataplane::Channels channels,
                       rte_mempool* pool, std::atomic<uint32_t>& clock,
                       underlay::NeighborTimings neighborTimings)
    : cfg_(std::move(cfg)), ports_(std::move(ports)), fdb_(fdb), arp_(arp), publisher_(publisher),
      channels_(channels), pool_(pool), clock_(clock), routes_(cfg_.underlay),
      neighbors_(neighborTimings),
      igmp_(static_cast<underlay::IgmpVersion>(cfg_.vxlan.igmpVersion), rte_rdtsc()),
      mld_(rte_rdtsc() * 0x9E3779B97F4A7C15ull),
      // Routed destinations are asked for on the underlay's schedule.
      resolver_(overlay::ResolverTimings{neighborTimings.retryMs, neighborTimings.maxProbes, neighborTimings.maxHeld, 1024}) {
    underlayPort_ = portIdOf(cfg_.underlay.port);
    for (const auto& p : ports_)
        if (p.name == cfg_.underlay.port) underlayMac_ = p.mac;
    startTsc_ = rte_rdtsc();
    igmp_.setIdentity(toMac(underlayMac_), ourIpv4());
    mld_.setIdentity(underlayMac_);
    tscHz_ = std::max<uint64_t>(rte_get_tsc_hz() / 1000, 1);  // ticks per millisecond
    metaOffset_ = dataplane::metaOffset();
    if (metaOffset_ < 0) throw std::runtime_error("cannot register the mbuf metadata field");
}

uint64_t Controller::nowMs() const { return (rte_rdtsc() - startTsc_) / tscHz_; }

uint16_t Controller::portIdOf(const std::string& name) const {
    for (const auto& p : ports_)
        if (p.name == name) return p.portId;
    return 0;  // validated configurations never get here
}

namespace {

std::vector<std::pair<IpAddress, MacAddress>> staticNeighbors(const config::Config& cfg) {
    std::vector<std::pair<IpAddress, MacAddress>> out;
    for (const auto& n : cfg.underlay.neighbors) out.emplace_back(n.address, n.mac);
    for (const auto& n : cfg.underlay.neighbors6) out.emplace_back(n.address, n.mac);
    return out;
}

std::string underlayText(const config::UnderlaySpec& u) {
    std::string s = u.address ? u.address->toString() : "";
    if (u.address6) s += (s.empty() ? "" : " and ") + u.address6->toString();
    return s;
}

}  // namespace

void Controller::start() {
    neighbors_.setStatics(staticNeighbors(cfg_));
    assignBridgeIds({});
    syncStatics();
    syncOverlay();
    publish();
    syncHost();
    syncEvpn();
    applyEvpn();
    announce();
    VTEPGW_LOG(INFO, CONTROL, "underlay %s on port %u, %zu bridge(s), %zu remote VTEP(s) configured",
               underlayText(cfg_.underlay).c_str(), underlayPort_, cfg_.bridges.size(),
               configuredTunnels_.size());
}

void Controller::assignBridgeIds(const std::map<std::string, fdb::BridgeId>& previous) {
    std::map<std::string, fdb::BridgeId> next;
    std::vector<bool> used(state::kMaxBridges, false);
    for (const auto& [name, id] : previous) used[id] = true;
    for (const auto& b : cfg_.bridges) {
        auto it = previous.find(b.name);
        if (it != previous.end()) next[b.name] = it->second;
    }
    fdb::BridgeId free = 0;
    std::vector<fdb::BridgeId> fresh;
    for (const auto& b : cfg_.bridges) {
        if (next.count(b.name)) continue;
        while (used[free]) ++free;  // at most 2 x kMaxBridges / 2: validation caps bridges
        used[free] = true;
        next[b.name] = free;
        fresh.push_back(free);
    }
    bridgeIds_ = std::move(next);
    bridgeById_.assign(state::kMaxBridges, nullptr);
    for (const auto& b : cfg_.bridges) bridgeById_[bridgeIds_.at(b.name)] = &b;
    // No worker writes a fresh id's counters now: no published snapshot has that id.
    if (!fresh.empty()) {
        const auto raw = rawTotals();
        for (fdb::BridgeId id : fresh) baseline_.bridges[id] = raw.bridges[id];
    }
}

std::optional<uint16_t> Controller::tunnelFor(const TunnelKey& key) {
    bool created = false;
    const auto id = tunnels_.obtain(key, nowMs(), &created);
    if (!id) {
        counters_.event(Event::tunnel_table_full);
        VTEPGW_LOG(ERR, CONTROL, "tunnel table full (%u): no tunnel to %s", encap::kMaxTunnels,
                   key.ip.toString().c_str());
        return std::nullopt;
    }
    if (created) {
        // No worker counts a fresh id: no published snapshot has it.
        baseline_.vteps[*id] = rawTotals().vteps[*id];
        dirty_ = true;
    }
    return id;
}

void Controller::syncStatics() {
    configuredTunnels_.clear();
    std::map<fdb::Key, fdb::Dest> wanted;
    std::map<fdb::Key, const config::BridgeSpec*> owner;
    for (const auto& b : cfg_.bridges) {
        const fdb::BridgeId id = bridgeIds_.at(b.name);
        for (const auto& v : b.floodVteps)
            if (auto t = tunnelFor({v, b.encap, false})) configuredTunnels_.insert(*t);
        if (b.group)
            if (auto t = tunnelFor({*b.group, encap::Encap::Vxlan, true})) configuredTunnels_.insert(*t);
        for (const auto& s : b.staticMacs) {
            const fdb::Key key = fdb::makeKey(id, s.mac.bytes.data());
            fdb::Dest d;
            if (s.vtep) {
                const auto t = tunnelFor({*s.vtep, b.encap, false});
                if (!t) continue;
                configuredTunnels_.insert(*t);
                d = fdb::Dest::remote(*t, true);
            } else {
                d = fdb::Dest::local(portIdOf(s.member->port), s.member->vlan.value_or(0), true);
            }
            wanted[key] = d;
            owner[key] = &b;
        }
    }
    fdb_.removeIf([&](const fdb::EntryView& v) { return v.dest.isStatic() && !wanted.count(v.key); });
    const uint32_t now = static_cast<uint32_t>(nowMs() / 1000);
    for (const auto& [key, d] : wanted) {
        const int32_t pos = fdb_.lookup(key);
        if (pos >= 0 && fdb_.dest(pos).word == d.word) continue;
        if (!fdb_.addStatic(key, d, now)) {
            counters_.event(Event::fdb_full);
            MacAddress mac;
            fdb::keyMac(key, mac.bytes.data());
            VTEPGW_LOG(ERR, CONTROL, "bridge %s: MAC table full, static MAC %s not installed",
                       owner[key]->name.c_str(), mac.toString().c_str());
        }
    }
}

counters::Totals Controller::rawTotals() const {
    counters::Totals t;
    for (const auto* w : workers_) t.add(*w);
    t.add(counters_);
    return t;
}

counters::Totals Controller::totals() const {
    auto t = rawTotals();
    t.subtract(baseline_);
    return t;
}

void Controller::clearCounters() { baseline_ = rawTotals(); }

std::unique_ptr<state::ForwardingState> Controller::buildState() {
    auto s = std::make_unique<state::ForwardingState>();
    s->underlayPort = underlayPort_;
    s->ports[underlayPort_].role = state::PortRole::Underlay;
    s->localIpBe = cfg_.underlay.address ? cfg_.underlay.address->address.toNetwork() : 0;
    s->hasIp6 = cfg_.underlay.address6.has_value();
    if (s->hasIp6) std::memcpy(s->localIp6, cfg_.underlay.address6->address.bytes.data(), 16);
    s->udp6ZeroChecksumRx = cfg_.vxlan.udp6ZeroChecksumRx;
    s->localMac = underlayMac_;
    s->sourcePortMin = cfg_.vxlan.sourcePortMin;
    s->sourcePortSpan = uint32_t{cfg_.vxlan.sourcePortMax} - cfg_.vxlan.sourcePortMin + 1;
    s->underlayMtu = cfg_.underlay.mtu;
    s->hostPunt = hostPort_.has_value();
    s->puntPps = cfg_.underlay.puntPps;
    for (const auto& p : ports_) {
        s->ports[p.portId].completeChecksums = p.kernelChecksums;
        s->ports[p.portId].name = p.name;
    }

    // VXLAN is accepted on vxlan.udp_port and on every port a configured VTEP uses.
    auto addPort = [&](uint16_t port) {
        const uint16_t be = rte_cpu_to_be_16(port);
        for (uint8_t i = 0; i < s->vxlanPortCount; ++i)
            if (s->vxlanPortsBe[i] == be) return;
        if (s->vxlanPortCount < state::ForwardingState::kMaxVxlanPorts) s->vxlanPortsBe[s->vxlanPortCount++] = be;
    };
    addPort(cfg_.vxlan.udpPort);
    for (const auto& v : cfg_.vteps)
        if (v.udpPort) addPort(*v.udpPort);

    // Each tunnel at its stable id, its rewrite built by its encapsulation's module.
    s->tunnels.resize(tunnels_.idLimit());
    std::array<std::vector<std::pair<uint32_t, int32_t>>, encap::kEncapCount> byAddress;
    std::array<std::vector<std::pair<state::FlatMap128::Key, int32_t>>, encap::kEncapCount> byAddress6;
    for (const auto& [key, id] : tunnels_.byKey()) {
        if (!cfg_.underlay.hasFamilyOf(key.ip)) continue;  // learned before a family was removed
        encap::Tunnel& t = s->tunnels[id];
        t.active = true;
        t.multicast = key.multicast;
        t.ipv6 = key.ip.isV6();
        if (t.ipv6) std::memcpy(t.ip6, key.ip.v6().bytes.data(), 16);
        else t.ipHost = key.ip.v4().host;
        rte_ether_addr dst{};
        if (key.multicast) {
            t.resolved = true;
            dst = toEther(netaddr::multicastMacFor(key.ip));
        } else {
            const auto nh = routes_.nextHopOf(key.ip);
            const auto mac = nh ? neighbors_.lookup(*nh) : std::nullopt;
            if (nh && t.ipv6) {
                t.hasNextHop6 = true;
                std::memcpy(t.nextHop6, nh->v6().bytes.data(), 16);
            } else if (nh) {
                t.nextHopHost = nh->v4().host;
            }
            t.resolved = mac.has_value();
            if (mac) dst = toEther(*mac);
            if (t.ipv6) byAddress6[static_cast<uint8_t>(key.encap)].emplace_back(state::FlatMap128::keyOf(t.ip6), id);
            else byAddress[static_cast<uint8_t>(key.encap)].emplace_back(t.ipHost, id);
        }
        const uint8_t ttl = cfg_.vxlan.ttl;
        if (t.ipv6) {
            encap::RewriteSpec6 spec{underlayMac_, dst, {}, {}, ttl, cfg_.udpPortOf(key.ip)};
            std::memcpy(spec.srcIp, cfg_.underlay.address6->address.bytes.data(), 16);
            std::memcpy(spec.dstIp, t.ip6, 16);
            if (key.encap == encap::Encap::Gre) encap::gre::buildRewrite6(t, spec);
            else encap::vxlan::buildRewrite6(t, spec);
            continue;
        }
        const uint32_t src = cfg_.underlay.address->address.host;
        if (key.encap == encap::Encap::Gre)
            encap::gre::buildRewrite(t, {underlayMac_, dst, src, t.ipHost, ttl});
        else
            encap::vxlan::buildRewrite(t, {underlayMac_, dst, src, t.ipHost, ttl, cfg_.udpPortOf(key.ip)});
    }
    for (uint8_t e = 0; e < encap::kEncapCount; ++e) {
        s->tunnelOf[e] = state::FlatMap32(byAddress[e]);
        s->tunnelOf6[e] = state::FlatMap128(byAddress6[e]);
    }

    fdb::BridgeId maxId = 0;
    for (const auto& [name, id] : bridgeIds_) maxId = std::max(maxId, id);
    s->bridges.resize(bridgeIds_.empty() ? 0 : maxId + 1u);
    std::vector<std::pair<uint32_t, int32_t>> vniIndex, greIndex;
    for (const auto& spec : cfg_.bridges) {
        const fdb::BridgeId id = bridgeIds_.at(spec.name);
        state::BridgeState& b = s->bridges[id];
        b.active = true;
        b.name = spec.name;
        b.vni = spec.vni;
        b.encap = spec.encap;
        b.keyWireBe = encap::keyWireBe(spec.encap, spec.vni);
        b.maxInnerLen = cfg_.underlay.mtu + packet::kEtherHeaderLen - cfg_.overheadOf(spec);
        b.learning = spec.learning.value_or(cfg_.vxlan.learning);
        // Under EVPN remote MACs come from BGP; learning them from the wire too is opt-in.
        b.learnFromTunnel = b.learning && (!cfg_.evpnBridge(spec) || cfg_.evpn->dataPlaneLearning);
        b.keepInnerVlan = spec.keepInnerVlan;
        if (!spec.allowedVteps.empty()) {
            // Configured flood VTEPs and static-MAC VTEPs are implicitly trusted.
            std::set<IpAddress> trusted(spec.allowedVteps.begin(), spec.allowedVteps.end());
            trusted.insert(spec.floodVteps.begin(), spec.floodVteps.end());
            for (const auto& m : spec.staticMacs)
                if (m.vtep) trusted.insert(*m.vtep);
            std::vector<std::pair<uint32_t, int32_t>> allowed;
            std::vector<std::pair<state::FlatMap128::Key, int32_t>> allowed6;
            for (const auto& a : trusted) {
                if (a.isV4()) allowed.emplace_back(a.v4().host, 1);
                else allowed6.emplace_back(state::FlatMap128::keyOf(a.v6().bytes.data()), 1);
            }
            b.restrictVteps = true;
            b.allowedVteps = state::FlatMap32(allowed);
            b.allowedVteps6 = state::FlatMap128(allowed6);
        }
        (spec.encap == encap::Encap::Gre ? greIndex : vniIndex).emplace_back(spec.vni, id);
        for (const auto& m : spec.members) {
            const state::Member member{portIdOf(m.port), m.vlan.value_or(0)};
            b.members.push_back(member);
            state::PortState& ps = s->ports[member.port];
            ps.role = state::PortRole::Access;
            if (member.vlan == 0) {
                ps.untaggedBridge = id;
            } else {
                if (ps.vlanBridge.empty()) ps.vlanBridge.assign(4096, fdb::kNoBridge);
                ps.vlanBridge[member.vlan] = id;
            }
        }
        for (const auto& v : spec.floodVteps)
            if (auto t = tunnels_.find({v, spec.encap, false})) b.floodTunnels.push_back(*t);
        if (spec.group)
            if (auto t = tunnels_.find({*spec.group, encap::Encap::Vxlan, true})) b.floodTunnels.push_back(*t);
        if (evpn_ != nullptr && cfg_.evpnBridge(spec)) {
            const auto& floods = evpn_->remote().floods();
            if (auto f = floods.find(spec.vni); f != floods.end())
                for (uint32_t vtep : f->second)
                    if (auto t = tunnels_.find({Ipv4Address{vtep}, encap::Encap::Vxlan, false});
                        t && std::find(b.floodTunnels.begin(), b.floodTunnels.end(), *t) == b.floodTunnels.end())
                        b.floodTunnels.push_back(*t);
        }
    }
    // Workers index the tunnels of a flood list unchecked: only active ones stay in it (a
    // VTEP of an address family the underlay no longer has is not built into the snapshot).
    for (auto& b : s->bridges)
        b.floodTunnels.erase(std::remove_if(b.floodTunnels.begin(), b.floodTunnels.end(),
                                            [&](uint16_t id) { return s->tunnel(id) == nullptr; }),
                             b.floodTunnels.end());
    s->vniToBridge = state::FlatMap32(vniIndex);
    s->greKeyToBridge = state::FlatMap32(greIndex);
    fillOverlay(*s);
    std::set<IpAddress> groups;
    for (const auto& spec : cfg_.bridges)
        if (spec.group) groups.insert(*spec.group);
    std::vector<std::pair<uint32_t, int32_t>> groupIndex;
    std::vector<std::pair<state::FlatMap128::Key, int32_t>> groupIndex6;
    for (const auto& g : groups) {
        if (g.isV4()) groupIndex.emplace_back(g.v4().host, 1);
        else groupIndex6.emplace_back(state::FlatMap128::keyOf(g.v6().bytes.data()), 1);
    }
    s->groups = state::FlatMap32(groupIndex);
    s->groups6 = state::FlatMap128(groupIndex6);
    return s;
}

void Controller::publish() {
    auto s = buildState();
    const uint64_t now = nowMs();
    std::set<IpAddress> nextHops;
    for (const auto& t : s->tunnels)
        if (auto nh = nextHopOf(t)) nextHops.insert(*nh);
    neighbors_.setNeeded(nextHops);
    for (const auto& t : s->tunnels) {
        if (!t.active || t.resolved || t.multicast) continue;
        const auto nh = nextHopOf(t);
        if (!nh) {
            VTEPGW_LOG(WARNING, CONTROL, "no underlay route to VTEP %s", remoteOf(t).toString().c_str());
            continue;
        }
        if (neighbors_.want(*nh, now)) solicit(*nh);
    }
    publisher_.publish(std::move(s));
    dirty_ = false;
    syncGroups();
}

void Controller::sendFrame(const std::vector<uint8_t>& bytes) {
    if (bytes.empty()) return;
    rte_mbuf* m = rte_pktmbuf_alloc(pool_);
    char* p = m ? rte_pktmbuf_append(m, static_cast<uint16_t>(bytes.size())) : nullptr;
    if (p == nullptr) {
        if (m) rte_pktmbuf_free(m);
        counters_.drop(Drop::no_mbuf);
        return;
    }
    std::memcpy(p, bytes.data(), bytes.size());
    transmit(m);
}

void Controller::sendIgmp(const std::vector<std::vector<uint8_t>>& frames) {
    for (const auto& f : frames) {
        sendFrame(f);
        counters_.event(Event::igmp_reports_sent);
    }
}

void Controller::syncGroups() {
    std::set<uint32_t> wanted;
    for (const auto& b : cfg_.bridges)
        if (b.group && b.group->isV4()) wanted.insert(b.group->v4().host);
    syncGroups6();
    igmp_.setConfiguredVersion(static_cast<underlay::IgmpVersion>(cfg_.vxlan.igmpVersion));
    igmp_.setIdentity(toMac(underlayMac_), ourIpv4());
    for (const auto& [g, last] : igmp_.groups())
        if (!wanted.count(g)) VTEPGW_LOG(INFO, CONTROL, "leaving group %s", Ipv4Address{g}.toString().c_str());
    for (uint32_t g : wanted)
        if (!igmp_.groups().count(g))
            VTEPGW_LOG(INFO, CONTROL, "joining group %s (IGMPv%u)", Ipv4Address{g}.toString().c_str(),
                       igmp_.version(nowMs()));
    sendIgmp(igmp_.sync(wanted, nowMs()));
}

void Controller::handleIgmp(rte_mbuf* m) {
    const auto q = underlay::parseIgmpQuery(rte_pktmbuf_mtod(m, const uint8_t*), m->data_len);
    rte_pktmbuf_free(m);
    if (!q) return;  // reports and leaves of other hosts: nothing to do
    counters_.event(Event::igmp_queries_received);
    const uint8_t before = igmp_.version(nowMs());
    igmp_.onQuery(*q, nowMs());
    if (igmp_.version(nowMs()) != before)
        VTEPGW_LOG(WARNING, CONTROL, "IGMPv%u querier on the underlay: reporting with IGMPv%u",
                   q->version, igmp_.version(nowMs()));
}

void Controller::shutdown() {
    sendIgmp(igmp_.leaveAll(nowMs()));
    sendMld(mld_.leaveAll(nowMs()));
}

bool Controller::poll() {
    bool worked = false;
    drainLearn();
    drainExceptions();
    if (drainHost()) worked = true;
    const uint64_t now = nowMs();
    if (now - lastTickMs_ >= kTickMs) {
        lastTickMs_ = now;
        tick();
        worked = true;
    }
    if (dirty_) {
        publish();
        worked = true;
    }
    return worked || rte_ring_count(channels_.learn) != 0 || rte_ring_count(channels_.exception) != 0;
}

unsigned Controller::drainLearn() {
    unsigned total = 0;
    dataplane::LearnRequest reqs[64];
    const uint32_t now = static_cast<uint32_t>(nowMs() / 1000);
    for (int round = 0; round < 16; ++round) {
        const unsigned n = rte_ring_sc_dequeue_burst_elem(channels_.learn, reqs, sizeof reqs[0],
                                                          RTE_DIM(reqs), nullptr);
        total += n;
        for (unsigned i = 0; i < n; ++i) {
            const fdb::BridgeId bid = fdb::keyBridge(reqs[i].key);
            const config::BridgeSpec* spec = bid < bridgeById_.size() ? bridgeById_[bid] : nullptr;
            if (spec == nullptr) continue;  // the bridge went away while the request was queued
            fdb::Dest d{reqs[i].dest};
            if (d.kind() == fdb::DestKind::NewTunnel) {
                // A MAC behind a VTEP with no tunnel yet: create it (learned tunnels use the
                // VTEP's configured UDP port, else vxlan.udp_port).
                const IpAddress vtep = d.newTunnelIpv6() ? IpAddress{netaddr::Ipv6Address::fromBytes(reqs[i].vtep6)}
                                                         : IpAddress{Ipv4Address{d.newTunnelIp()}};
                const TunnelKey key{vtep, static_cast<encap::Encap>(d.newTunnelEncap()), false};
                const bool known = tunnels_.find(key).has_value();
                const auto id = tunnelFor(key);
                if (!id) continue;
                if (!known)
                    VTEPGW_LOG(INFO, CONTROL, "learned remote VTEP %s (%s)", key.ip.toString().c_str(),
                               encap::encapName(key.encap));
                d = fdb::Dest::remote(*id);
            }
            switch (fdb_.learn(reqs[i].key, d, now, spec->macLimit,
                               {cfg_.vxlan.flapMoves, cfg_.vxlan.flapSeconds})) {
                case fdb::LearnResult::Added: counters_.event(Event::learned); break;
                case fdb::LearnResult::Moved: counters_.event(Event::moves); break;
                case fdb::LearnResult::StartedFlapping: {
                    counters_.event(Event::moves);
                    counters_.event(Event::flapping_macs);
                    MacAddress mac;
                    fdb::keyMac(reqs[i].key, mac.bytes.data());
                    VTEPGW_LOG(WARNING, CONTROL, "bridge %s: MAC %s moved more than %u times in %u s "
                               "(loop or duplicate MAC?)", spec->name.c_str(), mac.toString().c_str(),
                               cfg_.vxlan.flapMoves, cfg_.vxlan.flapSeconds);
                    break;
                }
                case fdb::LearnResult::StaticConflict: counters_.event(Event::static_conflicts); break;
                case fdb::LearnResult::Full: counters_.event(Event::fdb_full); continue;
                case fdb::LearnResult::LimitReached: counters_.event(Event::mac_limit_reached); continue;
                case fdb::LearnResult::Refreshed: break;
            }
        }
        if (n < RTE_DIM(reqs)) break;
    }
    return total;
}

void Controller::drainExceptions() {
    rte_mbuf* pkts[32];
    // A few bursts a round: a bulk transfer to the host interface comes at tens of thousands
    // of packets a second, and the ring must not fill while the control core sleeps.
    for (int round = 0; round < 8; ++round) {
        const unsigned n = rte_ring_sc_dequeue_burst(channels_.exception, reinterpret_cast<void**>(pkts),
                                                     RTE_DIM(pkts), nullptr);
        for (unsigned i = 0; i < n; ++i) {
            rte_mbuf* m = pkts[i];
            switch (static_cast<dataplane::ExceptionKind>(m->hash.usr)) {
                case dataplane::ExceptionKind::AwaitNeighbor:
                case dataplane::ExceptionKind::AwaitNeighborCopy: handleAwaitNeighbor(m); break;
                case dataplane::ExceptionKind::HostPunt: toHost(m); break;
                case dataplane::ExceptionKind::BridgeArp: handleBridgeArp(m); break;
                case dataplane::ExceptionKind::GatewayLocal: handleGatewayLocal(m); break;
                case dataplane::ExceptionKind::AwaitOverlayArp: handleAwaitOverlayArp(m); break;
                case dataplane::ExceptionKind::IcmpError: handleIcmpError(m); break;
                case dataplane::ExceptionKind::Underlay: {
                    const auto* eth = rte_pktmbuf_mtod(m, const rte_ether_hdr*);
                    if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP)) handleArp(m);
                    else if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4) &&
                             m->data_len >= sizeof(rte_ether_hdr) + sizeof(rte_ipv4_hdr) &&
                             reinterpret_cast<const rte_ipv4_hdr*>(eth + 1)->next_proto_id == underlay::kIpProtoIgmp)
                        handleIgmp(m);
                    else if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4)) handleIcmp(m);
                    else if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV6)) handleIcmpv6(m);
                    else dropPacket(m, Drop::exception_unhandled);
                    break;
                }
                default: dropPacket(m, Drop::exception_unhandled); break;
            }
        }
        if (n < RTE_DIM(pkts)) break;
    }
    flushHost();
}

void Controller::handleArp(rte_mbuf* m) {
    const auto arp = packet::parseArp(m);
    if (!arp) {
        dropPacket(m, m->data_len < sizeof(rte_ether_hdr) + sizeof(rte_arp_hdr) ? Drop::truncated : Drop::exception_unhandled);
        return;
    }
    if (!cfg_.underlay.address) {  // an IPv6-only underlay: ARP is nobody's business here
        dropPacket(m, Drop::exception_unhandled);
        return;
    }
    const Ipv4Address ours = cfg_.underlay.address->address;
    const Ipv4Address sip{arp->sip};
    const rte_ether_addr sha = arp->sha;
    const uint16_t op = arp->op;
    if (rte_is_multicast_ether_addr(&sha) || rte_is_zero_ether_addr(&sha) || sip.isUnspecified()) {
        dropPacket(m, Drop::exception_unhandled);
        return;
    }
    if (sip == ours) {
        if (!rte_is_same_ether_addr(&sha, &underlayMac_))
            VTEPGW_LOG(WARNING, CONTROL, "address conflict: %s is also used by %s",
                       ours.toString().c_str(), toMac(sha).toString().c_str());
        rte_pktmbuf_free(m);
        return;
    }
    if (op == RTE_ARP_OP_REPLY) counters_.event(Event::arp_replies_received);
    const bool forUs = arp->tip == ours.host;
    // One ARP view for vtepd and the kernel behind the host interface: the kernel sees every
    // ARP frame but the requests for our address, which vtepd answers (once, not twice).
    if (hostPort_ && !(op == RTE_ARP_OP_REQUEST && forUs)) {
        if (rte_mbuf* copy = rte_pktmbuf_copy(m, pool_, 0, UINT32_MAX)) toHost(copy);
        else counters_.drop(Drop::no_mbuf);
    }
    // Like Linux: a host that asks for us will be talked to, so remember it; other ARP
    // traffic only refreshes neighbours we already track.
    const bool create = forUs && op == RTE_ARP_OP_REQUEST && routes_.nextHop(sip) == sip;
    const auto update = neighbors_.learn(sip, toMac(sha), nowMs(), create || (forUs && op == RTE_ARP_OP_REPLY));
    if (update.changed) dirty_ = true;
    for (rte_mbuf* held : update.released) {
        rte_pktmbuf_mtod(held, rte_ether_hdr*)->dst_addr = sha;
        counters_.event(Event::released_after_arp);
        release(held);
    }
    if (op == RTE_ARP_OP_REQUEST && forUs) {
        packet::turnIntoArpReply(m, ours.host, underlayMac_);
        counters_.event(Event::arp_requests_answered);
        transmit(m);
        return;
    }
    rte_pktmbuf_free(m);
}

void Controller::handleIcmp(rte_mbuf* m) {
    // The worker's classifier has validated the IPv4 header, its length and that it is ours.
    const auto* ip = rte_pktmbuf_mtod_offset(m, const rte_ipv4_hdr*, sizeof(rte_ether_hdr));
    const uint16_t totalLen = rte_be_to_cpu_16(ip->total_length);
    if (ip->next_proto_id != IPPROTO_ICMP || totalLen < sizeof(rte_ipv4_hdr) + sizeof(rte_icmp_hdr)) {
        dropPacket(m, ip->next_proto_id == IPPROTO_ICMP ? Drop::truncated : Drop::exception_unhandled);
        return;
    }
    if (!packet::turnIntoEchoReply(m, underlayMac_)) {
        // Echo replies to the host's own pings, unreachables for its connections, ...
        if (hostPort_ && ip->dst_addr == ourIpv4().toNetwork()) toHost(m);
        else dropPacket(m, Drop::exception_unhandled);
        return;
    }
    counters_.event(Event::icmp_echo_answered);
    transmit(m);
}

void Controller::handleAwaitNeighbor(rte_mbuf* m) {
    const auto dst = outerDestination(m);
    const auto nh = dst ? routes_.nextHopOf(*dst) : std::nullopt;
    if (!nh) {
        unsend(m, Drop::no_route);
        return;
    }
    if (const auto mac = neighbors_.lookup(*nh)) {
        // Resolved since the worker's snapshot was made: send it, and the next snapshot
        // will carry the MAC.
        rte_pktmbuf_mtod(m, rte_ether_hdr*)->dst_addr = toEther(*mac);
        counters_.event(Event::released_after_arp);
        release(m);
        dirty_ = true;
        return;
    }
    const uint64_t now = nowMs();
    if (neighbors_.want(*nh, now)) solicit(*nh);
    if (!neighbors_.hold(*nh, m, now)) {
        unsend(m, Drop::neighbor_queue_full);
        return;
    }
    counters_.event(Event::held_for_neighbor);
}

void Controller::solicit(const IpAddress& target) {
    if (target.isV4()) sendArpRequest(target.v4());
    else sendNeighborSolicitation(target.v6());
}

void Controller::sendArpRequest(Ipv4Address target) {
    if (!cfg_.underlay.address) return;
    rte_mbuf* m = packet::makeArpRequest(pool_, underlayMac_, cfg_.underlay.address->address.host, target.host);
    if (m == nullptr) {
        counters_.drop(Drop::no_mbuf);
        return;
    }
    counters_.event(Event::arp_requests_sent);
    transmit(m);
}

void Controller::announce() {
    if (cfg_.underlay.address) sendArpRequest(cfg_.underlay.address->address);
    if (cfg_.underlay.address6) announce6();
}

Ipv4Address Controller::ourIpv4() const { return cfg_.underlay.address ? cfg_.underlay.address->address : Ipv4Address{}; }

IpAddress Controller::remoteOf(const encap::Tunnel& t) {
    return t.ipv6 ? IpAddress{netaddr::Ipv6Address::fromBytes(t.ip6)} : IpAddress{Ipv4Address{t.ipHost}};
}

std::optional<IpAddress> Controller::nextHopOf(const encap::Tunnel& t) {
    if (!t.active || t.multicast) return std::nullopt;
    if (t.ipv6) {
        if (!t.hasNextHop6) return std::nullopt;
        return IpAddress{netaddr::Ipv6Address::fromBytes(t.nextHop6)};
    }
    if (t.nextHopHost == 0) return std::nullopt;
    return IpAddress{Ipv4Address{t.nextHopHost}};
}

std::optional<IpAddress> Controller::outerDestination(const rte_mbuf* m) {
    if (m->data_len < sizeof(rte_ether_hdr)) return std::nullopt;
    const auto* eth = rte_pktmbuf_mtod(m, const rte_ether_hdr*);
    if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV6)) {
        if (m->data_len < sizeof(rte_ether_hdr) + sizeof(rte_ipv6_hdr)) return std::nullopt;
        const auto* ip = rte_pktmbuf_mtod_offset(m, const rte_ipv6_hdr*, sizeof(rte_ether_hdr));
        return IpAddress{netaddr::Ipv6Address::fromBytes(ip->dst_addr)};
    }
    if (m->data_len < sizeof(rte_ether_hdr) + sizeof(rte_ipv4_hdr)) return std::nullopt;
    const auto* ip = rte_pktmbuf_mtod_offset(m, const rte_ipv4_hdr*, sizeof(rte_ether_hdr));
    return IpAddress{Ipv4Address::fromNetwork(ip->dst_addr)};
}

bool Controller::transmit(rte_mbuf* m) {
    m->port = underlayPort_;
    m->hash.usr = 0;  // not ExceptionKind::Inject: recycled mbufs keep what they last carried
    if (rte_ring_sp_enqueue(channels_.controlTx, m) == 0) return true;
    dropPacket(m, Drop::tx_full);
    return false;
}

namespace {

// A held packet that was received (not a flood copy) still owes its fate.
bool owesFate(const rte_mbuf* m) {
    const auto kind = static_cast<dataplane::ExceptionKind>(m->hash.usr);
    return kind == dataplane::ExceptionKind::AwaitNeighbor || kind == dataplane::ExceptionKind::AwaitOverlayArp;
}

}  // namespace

void Controller::release(rte_mbuf* m) {
    const bool fate = owesFate(m);
    const auto kind = static_cast<dataplane::ExceptionKind>(m->hash.usr);
    const bool tunnelled =
        kind == dataplane::ExceptionKind::AwaitNeighbor || kind == dataplane::ExceptionKind::AwaitNeighborCopy;
    // Workers count a VTEP's copies only when they send them; a held one counts when it goes.
    std::optional<uint16_t> tunnel;
    uint32_t innerBytes = 0;
    if (tunnelled && m->data_len >= sizeof(packet::OuterHeaders)) {
        const auto* eth = rte_pktmbuf_mtod(m, const rte_ether_hdr*);
        const bool v6 = eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV6);
        const uint8_t proto = v6 ? rte_pktmbuf_mtod_offset(m, const rte_ipv6_hdr*, sizeof(rte_ether_hdr))->proto
                                 : rte_pktmbuf_mtod_offset(m, const rte_ipv4_hdr*, sizeof(rte_ether_hdr))->next_proto_id;
        const encap::Encap e = proto == IPPROTO_GRE ? encap::Encap::Gre : encap::Encap::Vxlan;
        if (const auto dst = outerDestination(m)) tunnel = tunnels_.find({*dst, e, false});
        innerBytes = m->pkt_len - encap::mtuOverhead(e, v6);
    }
    const bool sent = transmit(m);
    if (sent && tunnel && *tunnel < counters_.vteps.size()) {
        ++counters_.vteps[*tunnel].txPackets;
        counters_.vteps[*tunnel].txBytes += innerBytes;
    }
    if (fate) counters_.fate(sent ? counters::Fate::Forwarded : counters::Fate::Dropped);
}

void Controller::unsend(rte_mbuf* m, counters::Drop reason) {
    if (owesFate(m)) counters_.fate(counters::Fate::Dropped);
    dropPacket(m, reason);
}

void Controller::checkLink() {
    const bool up = port::linkUp(underlayPort_);
    if (up == linkUp_) return;
    linkUp_ = up;
    counters_.event(up ? Event::underlay_link_up : Event::underlay_link_down);
    VTEPGW_LOG(WARNING, CONTROL, "underlay link %s", up ? "up: re-announcing, re-resolving, re-joining" : "down");
    if (!up) return;
    announce();
    for (const auto& ip : neighbors_.refreshAll(nowMs())) solicit(ip);
    sendIgmp(igmp_.rejoin(nowMs()));
    sendMld(mld_.rejoin(nowMs()));
}

void Controller::tick() {
    checkLink();
    const uint64_t now = nowMs();
    const uint32_t second = static_cast<uint32_t>(now / 1000);
    clock_.store(second, std::memory_order_relaxed);
    auto t = neighbors_.tick(now);
    for (const auto& ip : t.probe) solicit(ip);
    for (rte_mbuf* m : t.expired) unsend(m, Drop::no_neighbor);
    if (t.removed) counters_.event(Event::neighbors_removed, t.removed);
    sendIgmp(igmp_.tick(now));
    sendMld(mld_.tick(now));
    if (evpn_ != nullptr) {
        if (evpn_->poll(now)) applyEvpn();
        if (now - lastEvpnPublishMs_ >= kEvpnPublishMs) {
            lastEvpnPublishMs_ = now;
            publishEvpnLocal();
        }
    }
    tickOverlay(now, second != lastAgeSecond_);
    if (second != lastAgeSecond_) {
        lastAgeSecond_ = second;
        const size_t aged = fdb_.age(second, cfg_.vxlan.ageingSeconds);
        if (aged) counters_.event(Event::aged, aged);
    }
    if (now - lastSweepMs_ >= kVtepSweepMs) {
        lastSweepMs_ = now;
        sweepLearnedVteps();
    }
}

void Controller::sweepLearnedVteps() {
    // Learned VTEPs stay while some MAC points at them; EVPN's while a route names them.
    std::set<uint16_t> live = configuredTunnels_;
    live.insert(evpnTunnels_.begin(), evpnTunnels_.end());
    fdb_.forEach([&](const fdb::EntryView& v) {
        if (v.dest.kind() == fdb::DestKind::Remote) live.insert(static_cast<uint16_t>(v.dest.tunnel()));
    });
    if (live.size() != tunnels_.byKey().size()) {
        tunnels_.retain(live, nowMs());
        dirty_ = true;
    }
}

std::vector<std::string> Controller::apply(const config::Config& next) {
    std::vector<std::string> errors;
    bool samePorts = next.ports.size() == cfg_.ports.size();
    for (size_t i = 0; samePorts && i < next.ports.size(); ++i)
        samePorts = next.ports[i].name == cfg_.ports[i].name && next.ports[i].device == cfg_.ports[i].device;
    if (!samePorts) errors.push_back("ports: ports cannot change at run time (restart vtepd)");
    if (next.underlay.port != cfg_.underlay.port)
        errors.push_back("underlay.port: the underlay port cannot change at run time (restart vtepd)");
    if (next.underlay.hostInterface != cfg_.underlay.hostInterface)
        errors.push_back("underlay.host_interface: the host interface cannot change at run time (restart vtepd)");
    if (next.evpn.has_value() != cfg_.evpn.has_value() || (next.evpn && next.evpn->prefix != cfg_.evpn->prefix))
        errors.push_back("evpn: turning EVPN on or off, or changing its prefix, needs a restart of vtepd");
    if (next.vxlan.fdbSize != cfg_.vxlan.fdbSize)
        errors.push_back("vxlan.fdb_size: the MAC table size cannot change at run time (restart vtepd)");
    if (!errors.empty()) return errors;

    const auto oldIds = bridgeIds_;
    const config::Config previous = cfg_;
    cfg_ = next;
    routes_ = underlay::RouteTable(cfg_.underlay);
    neighbors_.setStatics(staticNeighbors(cfg_));
    assignBridgeIds(oldIds);
    syncStatics();
    syncOverlay();
    sweepLearnedVteps();
    publish();
    flushAfterChange(previous);
    syncHost();
    syncEvpn();
    applyEvpn();
    VTEPGW_LOG(INFO, CONTROL, "configuration applied: %zu bridge(s)", cfg_.bridges.size());
    return errors;
}

void Controller::flushAfterChange(const config::Config& previous) {
    // Publish first, flush after: once no worker classifies into a removed bridge or member,
    // nothing can re-learn what is removed here. Requests queued under the old snapshot are
    // learned first so that the flush below sees them.
    // Bounded by what is queued now: under a MAC flood the workers never stop adding.
    for (unsigned queued = rte_ring_count(channels_.learn); queued != 0;) {
        const unsigned done = drainLearn();
        if (done == 0) break;
        queued = done >= queued ? 0 : queued - done;
    }
    // Remote MACs were learned on the wire under the old VNI: under a new one they may be
    // elsewhere, so they are learned again.
    std::set<fdb::BridgeId> renumbered;
    for (const auto& b : cfg_.bridges) {
        const auto* old = previous.findBridge(b.name);
        if (old != nullptr && (old->vni != b.vni || old->encap != b.encap)) renumbered.insert(bridgeIds_.at(b.name));
    }
    const auto* st = publisher_.current();
    const size_t removed = fdb_.removeIf([&](const fdb::EntryView& v) {
        const fdb::BridgeId id = fdb::keyBridge(v.key);
        const auto* b = st->bridge(id);
        if (b == nullptr) return true;
        if (v.dest.isStatic()) return false;
        if (v.dest.kind() == fdb::DestKind::Remote)
            return renumbered.count(id) != 0 ||
                   (b->restrictVteps && !allowedVtep(*b, tunnels_.key(static_cast<uint16_t>(v.dest.tunnel())).ip));
        return std::find(b->members.begin(), b->members.end(),
                         state::Member{v.dest.port(), v.dest.vlan()}) == b->members.end();
    });
    if (removed) {
        VTEPGW_LOG(INFO, CONTROL, "configuration change removed %zu MAC(s)", removed);
        sweepLearnedVteps();
    }
}

}  // namespace vtepgw::control
