// The IGMP host side of RFC 3376 for vtepd's underlay address: which groups we are a member
// of, and when to say so. Pure logic over time in milliseconds: the control core feeds it
// queries and ticks and sends the frames it returns.
//
//  - Joins are reported unsolicited and repeated once (Robustness Variable 2, §8.1).
//  - Queries are answered after a random delay within their Max Resp Time (§5.2): a general
//    query with every group, a group-specific one with that group only (and only if we are a
//    member); a pending answer is never postponed by a later query.
//  - Compatibility (§7.2.1): after an IGMPv1 or v2 query we speak that version (v2 reports,
//    v2 leaves; v1 reports, no leaves) until the Older Version Querier Present timeout
//    (Robustness 2 x Query Interval 125 s + Query Response Interval 10 s = 260 s) has passed
//    without another such query. `vxlan.igmp_version` 2 caps the version for good.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "underlay/igmp.h"
#include "underlay/report_timers.h"

namespace vtepgw::underlay {

class IgmpHost {
public:
    using Frame = std::vector<uint8_t>;
    static constexpr uint64_t kOlderQuerierMs = 260000;

    IgmpHost(IgmpVersion configured, uint64_t seed) : configured_(configured), timers_(seed) {}

    void setIdentity(const MacAddress& mac, Ipv4Address src) {
        mac_ = mac;
        src_ = src;
    }
    void setConfiguredVersion(IgmpVersion v) { configured_ = v; }
    // The version spoken now.
    uint8_t version(uint64_t nowMs) const;

    // Brings membership to `wanted`: leaves for groups no longer wanted, reports for new ones.
    std::vector<Frame> sync(const std::set<uint32_t>& wanted, uint64_t nowMs);
    void onQuery(const IgmpQuery& q, uint64_t nowMs);
    // Reports that are due: answers to queries, the repeat of unsolicited reports.
    std::vector<Frame> tick(uint64_t nowMs);
    // Unsolicited reports for every group again (the link came back).
    std::vector<Frame> rejoin(uint64_t nowMs);
    // Leaves for every group (shutdown); membership is then empty.
    std::vector<Frame> leaveAll(uint64_t nowMs);

    // Joined groups and when we last reported each (ms).
    const std::map<uint32_t, uint64_t>& groups() const { return groups_; }
    // When the answer to a query is due: general, or per group (for tests and display).
    std::optional<uint64_t> generalAnswerAt() const { return timers_.generalAnswerAt(); }
    const std::map<uint32_t, uint64_t>& groupAnswersAt() const { return timers_.groupAnswersAt(); }

private:
    std::vector<Frame> report(const std::vector<Ipv4Address>& groups, bool unsolicited, uint64_t nowMs);
    Frame leave(Ipv4Address group, uint64_t nowMs) const;

    IgmpVersion configured_;
    MacAddress mac_;
    Ipv4Address src_;
    ReportTimers<uint32_t> timers_;  // by group, host order
    uint64_t v1QuerierUntil_ = 0;
    uint64_t v2QuerierUntil_ = 0;
    std::map<uint32_t, uint64_t> groups_;
};

}  // namespace vtepgw::underlay
