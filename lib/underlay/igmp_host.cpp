#include "underlay/igmp_host.h"

namespace vtepgw::underlay {

namespace {
constexpr uint64_t kUnsolicitedRepeatMs = 1000;  // Unsolicited Report Interval (§8.11)
}

uint8_t IgmpHost::version(uint64_t nowMs) const {
    if (nowMs < v1QuerierUntil_) return 1;
    if (nowMs < v2QuerierUntil_ || configured_ == IgmpVersion::V2) return 2;
    return 3;
}

uint64_t IgmpHost::randomDelay(uint64_t maxMs) {
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    return maxMs == 0 ? 0 : rng_ % (maxMs + 1);
}

std::vector<IgmpHost::Frame> IgmpHost::report(const std::vector<Ipv4Address>& groups, bool unsolicited,
                                               uint64_t nowMs) {
    std::vector<Frame> out;
    if (groups.empty()) return out;
    for (const auto& g : groups) groups_[g.host] = nowMs;
    switch (version(nowMs)) {
        case 3:
            out.push_back(unsolicited ? igmpJoin(IgmpVersion::V3, mac_, src_, groups)
                                      : igmpCurrentState(IgmpVersion::V3, mac_, src_, groups));
            break;
        case 2:
            for (const auto& g : groups) out.push_back(igmpJoin(IgmpVersion::V2, mac_, src_, {g}));
            break;
        default:
            for (const auto& g : groups) out.push_back(igmpV1Report(mac_, src_, g));
            break;
    }
    return out;
}

IgmpHost::Frame IgmpHost::leave(Ipv4Address group, uint64_t nowMs) const {
    switch (version(nowMs)) {
        case 3: return igmpLeave(IgmpVersion::V3, mac_, src_, group);
        case 2: return igmpLeave(IgmpVersion::V2, mac_, src_, group);
        default: return {};  // IGMPv1 has no leave: the membership times out
    }
}

std::vector<IgmpHost::Frame> IgmpHost::sync(const std::set<uint32_t>& wanted, uint64_t nowMs) {
    std::vector<Frame> out;
    for (auto it = groups_.begin(); it != groups_.end();) {
        if (wanted.count(it->first)) {
            ++it;
            continue;
        }
        Frame f = leave(Ipv4Address{it->first}, nowMs);
        if (!f.empty()) out.push_back(std::move(f));
        pendingGroups_.erase(it->first);
        repeat_.erase(it->first);
        it = groups_.erase(it);
    }
    std::vector<Ipv4Address> fresh;
    for (uint32_t g : wanted)
        if (!groups_.count(g)) fresh.push_back(Ipv4Address{g});
    for (auto& f : report(fresh, true, nowMs)) out.push_back(std::move(f));
    if (!fresh.empty()) {
        for (const auto& g : fresh) repeat_.insert(g.host);
        repeatAt_ = nowMs + kUnsolicitedRepeatMs;
    }
    return out;
}

std::vector<IgmpHost::Frame> IgmpHost::rejoin(uint64_t nowMs) {
    std::vector<Ipv4Address> all;
    for (const auto& [g, last] : groups_) {
        all.push_back(Ipv4Address{g});
        repeat_.insert(g);
    }
    repeatAt_ = nowMs + kUnsolicitedRepeatMs;
    return report(all, true, nowMs);
}

void IgmpHost::onQuery(const IgmpQuery& q, uint64_t nowMs) {
    if (q.version == 1) v1QuerierUntil_ = nowMs + kOlderQuerierMs;
    if (q.version == 2) v2QuerierUntil_ = nowMs + kOlderQuerierMs;
    const uint64_t due = nowMs + randomDelay(q.maxResponseMs);
    if (q.group.isUnspecified()) {
        if (!general_ || due < *general_) general_ = due;
        return;
    }
    if (!groups_.count(q.group.host)) return;  // not a member: nothing to say
    if (general_ && *general_ <= due) return;  // the general answer will cover it first
    auto [it, fresh] = pendingGroups_.emplace(q.group.host, due);
    if (!fresh && due < it->second) it->second = due;
}

std::vector<IgmpHost::Frame> IgmpHost::tick(uint64_t nowMs) {
    std::vector<Frame> out;
    if (general_ && nowMs >= *general_) {
        general_.reset();
        pendingGroups_.clear();
        std::vector<Ipv4Address> all;
        for (const auto& [g, last] : groups_) all.push_back(Ipv4Address{g});
        out = report(all, false, nowMs);
    }
    std::vector<Ipv4Address> due;
    for (auto it = pendingGroups_.begin(); it != pendingGroups_.end();) {
        if (nowMs < it->second) {
            ++it;
            continue;
        }
        due.push_back(Ipv4Address{it->first});
        it = pendingGroups_.erase(it);
    }
    for (auto& f : report(due, false, nowMs)) out.push_back(std::move(f));
    if (repeatAt_ != 0 && nowMs >= repeatAt_) {
        repeatAt_ = 0;
        std::vector<Ipv4Address> again;
        for (uint32_t g : repeat_)
            if (groups_.count(g)) again.push_back(Ipv4Address{g});
        repeat_.clear();
        for (auto& f : report(again, true, nowMs)) out.push_back(std::move(f));
    }
    return out;
}

std::vector<IgmpHost::Frame> IgmpHost::leaveAll(uint64_t nowMs) { return sync({}, nowMs); }

}  // namespace vtepgw::underlay
