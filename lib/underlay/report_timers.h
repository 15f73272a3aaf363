// When a multicast host (IGMP, RFC 3376 §5.2; MLD, RFC 3810 §6.2) must speak: answers to
// queries after a random delay within their maximum response time, a pending answer never
// postponed by a later query, a general answer covering the group-specific ones due after
// it, and the one repeat of an unsolicited report (Robustness 2, Unsolicited Report Interval
// 1 s). Shared by IgmpHost and MldHost, which build the frames; pure logic over milliseconds.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

namespace vtepgw::underlay {

template <typename Group>
class ReportTimers {
public:
    static constexpr uint64_t kUnsolicitedRepeatMs = 1000;

    explicit ReportTimers(uint64_t seed) : rng_(seed | 1) {}

    // A general query (group absent), or one for a group we are a member of.
    void onQuery(const std::optional<Group>& group, uint64_t maxResponseMs, uint64_t nowMs) {
        const uint64_t due = nowMs + randomDelay(maxResponseMs);
        if (!group) {
            if (!general_ || due < *general_) general_ = due;
            return;
        }
        if (general_ && *general_ <= due) return;  // the general answer will cover it first
        auto [it, fresh] = pending_.emplace(*group, due);
        if (!fresh && due < it->second) it->second = due;
    }

    struct Due {
        bool general = false;       // answer with every group
        std::vector<Group> groups;  // answer with these
    };
    Due takeDue(uint64_t nowMs) {
        Due d;
        if (general_ && nowMs >= *general_) {
            general_.reset();
            pending_.clear();
            d.general = true;
        }
        for (auto it = pending_.begin(); it != pending_.end();) {
            if (nowMs < it->second) {
                ++it;
                continue;
            }
            d.groups.push_back(it->first);
            it = pending_.erase(it);
        }
        return d;
    }

    // Unsolicited reports just sent for `groups`: say it once more a second later.
    template <typename It>
    void repeatLater(It first, It last, uint64_t nowMs) {
        if (first == last) return;
        repeat_.insert(first, last);
        repeatAt_ = nowMs + kUnsolicitedRepeatMs;
    }
    std::vector<Group> takeRepeat(uint64_t nowMs) {
        if (repeatAt_ == 0 || nowMs < repeatAt_) return {};
        repeatAt_ = 0;
        std::vector<Group> out(repeat_.begin(), repeat_.end());
        repeat_.clear();
        return out;
    }

    // A group left: nothing more is said about it.
    void forget(const Group& g) {
        pending_.erase(g);
        repeat_.erase(g);
    }

    std::optional<uint64_t> generalAnswerAt() const { return general_; }
    const std::map<Group, uint64_t>& groupAnswersAt() const { return pending_; }

private:
    uint64_t randomDelay(uint64_t maxMs) {
        rng_ ^= rng_ << 13;
        rng_ ^= rng_ >> 7;
        rng_ ^= rng_ << 17;
        return maxMs == 0 ? 0 : rng_ % (maxMs + 1);
    }

    uint64_t rng_;
    std::optional<uint64_t> general_;
    std::map<Group, uint64_t> pending_;
    uint64_t repeatAt_ = 0;
    std::set<Group> repeat_;
};

}  // namespace vtepgw::underlay
