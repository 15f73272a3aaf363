#include "overlay/resolver.h"

namespace vtepgw::overlay {

Resolver::~Resolver() {
    for (auto& [k, p] : pending_)
        for (rte_mbuf* m : p.held) rte_pktmbuf_free(m);
}

Resolver::Held Resolver::hold(Key key, rte_mbuf* m, uint64_t nowMs) {
    auto it = pending_.find(key);
    if (it == pending_.end()) {
        if (pending_.size() >= timings_.maxPending) return {};
        it = pending_.emplace(key, Pending{}).first;
        it->second.held.push_back(m);
        it->second.lastAskMs = nowMs;
        it->second.asked = 1;
        return {true, true};
    }
    if (it->second.held.size() >= timings_.maxHeld) return {};
    it->second.held.push_back(m);
    return {true, false};
}

std::vector<rte_mbuf*> Resolver::resolved(Key key) {
    auto it = pending_.find(key);
    if (it == pending_.end()) return {};
    std::vector<rte_mbuf*> out(it->second.held.begin(), it->second.held.end());
    pending_.erase(it);
    return out;
}

Resolver::Tick Resolver::tick(uint64_t nowMs) {
    Tick t;
    for (auto it = pending_.begin(); it != pending_.end();) {
        Pending& p = it->second;
        if (nowMs - p.lastAskMs < timings_.retryMs) {
            ++it;
            continue;
        }
        if (p.asked >= timings_.maxRequests) {
            t.expired.insert(t.expired.end(), p.held.begin(), p.held.end());
            it = pending_.erase(it);
            continue;
        }
        ++p.asked;
        p.lastAskMs = nowMs;
        t.ask.push_back(it->first);
        ++it;
    }
    return t;
}

std::vector<rte_mbuf*> Resolver::retain(const std::vector<bool>& live) {
    std::vector<rte_mbuf*> out;
    for (auto it = pending_.begin(); it != pending_.end();) {
        const fdb::BridgeId b = keyBridge(it->first);
        if (b < live.size() && live[b]) {
            ++it;
            continue;
        }
        out.insert(out.end(), it->second.held.begin(), it->second.held.end());
        it = pending_.erase(it);
    }
    return out;
}

}  // namespace vtepgw::overlay
