// The MLD host side (MLDv2, RFC 3810, with MLDv1 compatibility, RFC 2710) for vtepd's IPv6
// groups, the counterpart of IgmpHost: which groups we are a member of, and when to say so.
// Pure logic over time in milliseconds; the control core feeds it queries and ticks and sends
// the frames it returns.
//
//  - Joins are reported unsolicited (CHANGE_TO_EXCLUDE {}) and repeated once (Robustness 2,
//    Unsolicited Report Interval 1 s, §9.1 and §9.11).
//  - Queries are answered after a random delay within their Maximum Response Delay (§6.2):
//    a general query with every group (MODE_IS_EXCLUDE), a group-specific one with that group
//    only, if we are a member; a pending answer is never postponed by a later query.
//  - Compatibility (§8.2.1): after an MLDv1 query we speak MLDv1 (reports to the group, dones
//    to ff02::2) until the Older Version Querier Present Timeout (2 x 125 s + 10 s) passes.
//  - Reports come from our link-local address with hop limit 1 behind a Router Alert (§5).
#pragma once

#include <rte_ether.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "netaddr/addr.h"
#include "packet/icmpv6.h"
#include "underlay/report_timers.h"

namespace vtepgw::underlay {

class MldHost {
public:
    using Frame = std::vector<uint8_t>;
    using Ipv6Address = netaddr::Ipv6Address;
    static constexpr uint64_t kOlderQuerierMs = 260000;

    explicit MldHost(uint64_t seed) : timers_(seed) {}

    // Our MAC; reports come from its EUI-64 link-local address.
    void setIdentity(const rte_ether_addr& mac);
    uint8_t version(uint64_t nowMs) const { return nowMs < v1QuerierUntil_ ? 1 : 2; }

    // Brings membership to `wanted`: leaves for groups no longer wanted, reports for new ones.
    std::vector<Frame> sync(const std::set<Ipv6Address>& wanted, uint64_t nowMs);
    void onQuery(const packet::icmpv6::MldQuery& q, uint64_t nowMs);
    // Reports that are due: answers to queries, the repeat of unsolicited reports.
    std::vector<Frame> tick(uint64_t nowMs);
    // Unsolicited reports for every group again (the link came back).
    std::vector<Frame> rejoin(uint64_t nowMs);
    // Leaves for every group (shutdown); membership is then empty.
    std::vector<Frame> leaveAll(uint64_t nowMs) { return sync({}, nowMs); }

    const std::set<Ipv6Address>& groups() const { return groups_; }
    std::optional<uint64_t> generalAnswerAt() const { return timers_.generalAnswerAt(); }
    const std::map<Ipv6Address, uint64_t>& groupAnswersAt() const { return timers_.groupAnswersAt(); }

private:
    // Reports: unsolicited (a join) or the current state (an answer).
    std::vector<Frame> report(const std::vector<Ipv6Address>& groups, bool unsolicited, uint64_t nowMs) const;

    rte_ether_addr mac_{};
    Ipv6Address src_;
    ReportTimers<Ipv6Address> timers_;
    uint64_t v1QuerierUntil_ = 0;
    std::set<Ipv6Address> groups_;
};

}  // namespace vtepgw::underlay
