#include "underlay/mld_host.h"

#include <cstring>

namespace vtepgw::underlay {

namespace icmpv6 = packet::icmpv6;

namespace {
constexpr uint8_t kModeIsExclude = 2, kChangeToInclude = 3, kChangeToExclude = 4;
}  // namespace

void MldHost::setIdentity(const rte_ether_addr& mac) {
    mac_ = mac;
    netaddr::MacAddress m;
    std::memcpy(m.bytes.data(), mac.addr_bytes, 6);
    src_ = netaddr::linkLocalFor(m);
}

std::vector<MldHost::Frame> MldHost::report(const std::vector<Ipv6Address>& groups, bool unsolicited,
                                             uint64_t nowMs) const {
    std::vector<Frame> out;
    if (groups.empty()) return out;
    if (version(nowMs) == 1) {
        for (const auto& g : groups) out.push_back(icmpv6::mldv1Message(mac_, src_, g, icmpv6::kMldv1Report));
    } else {
        out.push_back(icmpv6::mldv2Report(mac_, src_, groups, unsolicited ? kChangeToExclude : kModeIsExclude));
    }
    return out;
}

std::vector<MldHost::Frame> MldHost::sync(const std::set<Ipv6Address>& wanted, uint64_t nowMs) {
    std::vector<Frame> out;
    std::vector<Ipv6Address> gone;
    for (const auto& g : groups_)
        if (!wanted.count(g)) gone.push_back(g);
    if (!gone.empty()) {
        if (version(nowMs) == 1)
            for (const auto& g : gone) out.push_back(icmpv6::mldv1Message(mac_, src_, g, icmpv6::kMldv1Done));
        else
            out.push_back(icmpv6::mldv2Report(mac_, src_, gone, kChangeToInclude));
    }
    for (const auto& g : gone) {
        groups_.erase(g);
        timers_.forget(g);
    }
    std::vector<Ipv6Address> fresh;
    for (const auto& g : wanted)
        if (!groups_.count(g)) fresh.push_back(g);
    for (auto& f : report(fresh, true, nowMs)) out.push_back(std::move(f));
    groups_.insert(fresh.begin(), fresh.end());
    timers_.repeatLater(fresh.begin(), fresh.end(), nowMs);
    return out;
}

std::vector<MldHost::Frame> MldHost::rejoin(uint64_t nowMs) {
    timers_.repeatLater(groups_.begin(), groups_.end(), nowMs);
    return report({groups_.begin(), groups_.end()}, true, nowMs);
}

void MldHost::onQuery(const icmpv6::MldQuery& q, uint64_t nowMs) {
    if (q.version == 1) v1QuerierUntil_ = nowMs + kOlderQuerierMs;
    if (q.group.isUnspecified()) timers_.onQuery(std::nullopt, q.maxResponseMs, nowMs);
    else if (groups_.count(q.group)) timers_.onQuery(q.group, q.maxResponseMs, nowMs);
}

std::vector<MldHost::Frame> MldHost::tick(uint64_t nowMs) {
    const auto due = timers_.takeDue(nowMs);
    std::vector<Frame> out = report(due.general ? std::vector<Ipv6Address>(groups_.begin(), groups_.end()) : due.groups,
                                    false, nowMs);
    std::vector<Ipv6Address> again;
    for (const auto& g : timers_.takeRepeat(nowMs))
        if (groups_.count(g)) again.push_back(g);
    for (auto& f : report(again, true, nowMs)) out.push_back(std::move(f));
    return out;
}

}  // namespace vtepgw::underlay
