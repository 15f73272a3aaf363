#include "underlay/igmp_host.h"

namespace vtepgw::underlay {

uint8_t IgmpHost::version(uint64_t nowMs) const {
    if (nowMs < v1QuerierUntil_) return 1;
    if (nowMs < v2QuerierUntil_ || configured_ == IgmpVersion::V2) return 2;
    return 3;
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
        timers_.forget(it->first);
        it = groups_.erase(it);
    }
    std::vector<Ipv4Address> fresh;
    for (uint32_t g : wanted)
        if (!groups_.count(g)) fresh.push_back(Ipv4Address{g});
    for (auto& f : report(fresh, true, nowMs)) out.push_back(std::move(f));
    std::vector<uint32_t> hosts;
    for (const auto& g : fresh) hosts.push_back(g.host);
    timers_.repeatLater(hosts.begin(), hosts.end(), nowMs);
    return out;
}

std::vector<IgmpHost::Frame> IgmpHost::rejoin(uint64_t nowMs) {
    std::vector<Ipv4Address> all;
    std::vector<uint32_t> hosts;
    for (const auto& [g, last] : groups_) {
        all.push_back(Ipv4Address{g});
        hosts.push_back(g);
    }
    timers_.repeatLater(hosts.begin(), hosts.end(), nowMs);
    return report(all, true, nowMs);
}

void IgmpHost::onQuery(const IgmpQuery& q, uint64_t nowMs) {
    if (q.version == 1) v1QuerierUntil_ = nowMs + kOlderQuerierMs;
    if (q.version == 2) v2QuerierUntil_ = nowMs + kOlderQuerierMs;
    if (q.group.isUnspecified()) timers_.onQuery(std::nullopt, q.maxResponseMs, nowMs);
    else if (groups_.count(q.group.host)) timers_.onQuery(q.group.host, q.maxResponseMs, nowMs);  // else: not a member
}

std::vector<IgmpHost::Frame> IgmpHost::tick(uint64_t nowMs) {
    const auto due = timers_.takeDue(nowMs);
    std::vector<Ipv4Address> answer;
    if (due.general)
        for (const auto& [g, last] : groups_) answer.push_back(Ipv4Address{g});
    else
        for (uint32_t g : due.groups) answer.push_back(Ipv4Address{g});
    std::vector<Frame> out = report(answer, false, nowMs);
    std::vector<Ipv4Address> again;
    for (uint32_t g : timers_.takeRepeat(nowMs))
        if (groups_.count(g)) again.push_back(Ipv4Address{g});
    for (auto& f : report(again, true, nowMs)) out.push_back(std::move(f));
    return out;
}

std::vector<IgmpHost::Frame> IgmpHost::leaveAll(uint64_t nowMs) { return sync({}, nowMs); }

}  // namespace vtepgw::underlay
