#include "underlay/neighbors.h"

namespace vtepgw::underlay {

const char* neighborStateName(NeighborState s) {
    switch (s) {
        case NeighborState::Incomplete: return "incomplete";
        case NeighborState::Reachable: return "reachable";
        case NeighborState::Static: return "static";
        case NeighborState::Failed: return "failed";
    }
    return "?";
}

NeighborTable::~NeighborTable() {
    for (auto& [ip, n] : table_)
        for (rte_mbuf* m : n.held) rte_pktmbuf_free(m);
}

void NeighborTable::setStatics(const std::vector<std::pair<IpAddress, MacAddress>>& statics) {
    std::set<IpAddress> listed;
    for (const auto& [ip, mac] : statics) {
        listed.insert(ip);
        Neighbor& n = table_[ip];
        n.state = NeighborState::Static;
        n.mac = mac;
        n.probes = 0;
    }
    for (auto it = table_.begin(); it != table_.end();) {
        if (it->second.state == NeighborState::Static && !listed.count(it->first) && it->second.held.empty())
            it = table_.erase(it);
        else
            ++it;
    }
}

void NeighborTable::setNeeded(std::set<IpAddress> hosts) { needed_ = std::move(hosts); }

std::optional<MacAddress> NeighborTable::lookup(const IpAddress& ip) const {
    auto it = table_.find(ip);
    if (it == table_.end()) return std::nullopt;
    const Neighbor& n = it->second;
    // A failed refresh keeps the last MAC: the path may well still work, and tearing down
    // every tunnel behind a router that skipped one ARP reply would be worse.
    if (n.state == NeighborState::Static || n.state == NeighborState::Reachable ||
        (n.state == NeighborState::Failed && !n.mac.isZero()))
        return n.mac;
    return std::nullopt;
}

bool NeighborTable::want(const IpAddress& ip, uint64_t nowMs) {
    auto [it, fresh] = table_.try_emplace(ip);
    if (!fresh) return false;
    it->second.updatedMs = nowMs;
    it->second.lastProbeMs = nowMs;
    it->second.probes = 1;
    return true;
}

NeighborTable::Update NeighborTable::learn(const IpAddress& ip, MacAddress mac, uint64_t nowMs,
                                           bool create) {
    Update u;
    auto it = table_.find(ip);
    if (it == table_.end()) {
        if (!create) return u;
        it = table_.emplace(ip, Neighbor{}).first;
    }
    Neighbor& n = it->second;
    if (n.state == NeighborState::Static) return u;
    u.changed = n.mac != mac || n.state == NeighborState::Incomplete;
    n.mac = mac;
    n.state = NeighborState::Reachable;
    n.updatedMs = nowMs;
    n.lastProbeMs = nowMs;  // the next refresh is due a refresh interval after this answer
    n.probes = 0;
    u.released.assign(n.held.begin(), n.held.end());
    n.held.clear();
    return u;
}

bool NeighborTable::hold(const IpAddress& ip, rte_mbuf* m, uint64_t nowMs) {
    want(ip, nowMs);
    Neighbor& n = table_[ip];
    if (n.held.size() >= timings_.maxHeld) return false;
    n.held.push_back(m);
    return true;
}

std::vector<IpAddress> NeighborTable::refreshAll(uint64_t nowMs) {
    std::vector<IpAddress> out;
    for (auto& [ip, n] : table_) {
        if (n.state == NeighborState::Static) continue;
        n.lastProbeMs = nowMs;
        ++n.probes;
        out.push_back(ip);
    }
    return out;
}

NeighborTable::TickResult NeighborTable::tick(uint64_t nowMs) {
    TickResult r;
    for (auto it = table_.begin(); it != table_.end();) {
        const IpAddress ip = it->first;
        Neighbor& n = it->second;
        // Unneeded: a failed or unanswered entry goes now, a resolved one when it would
        // have been asked again (a host that talked to us keeps its entry that long).
        const bool unneeded = n.state != NeighborState::Static && !needed(ip) && n.held.empty();
        if (unneeded && (n.state != NeighborState::Reachable || nowMs - n.lastProbeMs >= timings_.refreshMs)) {
            it = table_.erase(it);
            ++r.removed;
            continue;
        }
        ++it;
        switch (n.state) {
            case NeighborState::Static: break;
            case NeighborState::Incomplete:
                if (nowMs - n.lastProbeMs < timings_.retryMs) break;
                if (n.probes >= timings_.maxProbes) {
                    n.state = NeighborState::Failed;
                    r.expired.insert(r.expired.end(), n.held.begin(), n.held.end());
                    n.held.clear();
                    break;
                }
                ++n.probes;
                n.lastProbeMs = nowMs;
                r.probe.push_back(ip);
                break;
            case NeighborState::Failed:
                if (!n.held.empty() && nowMs - n.lastProbeMs >= timings_.retryMs) {
                    r.expired.insert(r.expired.end(), n.held.begin(), n.held.end());
                    n.held.clear();
                }
                if (nowMs - n.lastProbeMs >= timings_.failedRetryMs) {
                    n.lastProbeMs = nowMs;
                    r.probe.push_back(ip);
                }
                break;
            case NeighborState::Reachable:
                if (nowMs - n.lastProbeMs >= timings_.refreshMs) {
                    if (n.probes >= timings_.maxProbes) n.state = NeighborState::Failed;
                    ++n.probes;
                    n.lastProbeMs = nowMs;
                    r.probe.push_back(ip);
                }
                break;
        }
    }
    return r;
}

}  // namespace vtepgw::underlay
