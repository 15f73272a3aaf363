// Token buckets, one per punt class, owned by one worker (no sharing, no atomics). Each
// worker polices its share of the configured rate, so that the sum over workers is the
// configured rate whatever the RSS spread. Time is the caller's TSC, so tests can drive it.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>

#include "punt/classes.h"

namespace vtepgw::punt {

class Policer {
public:
    // `pps`: the configured rates; `share`: how many workers split them. The burst is 50 ms
    // at the rate (at least 8 packets): a TCP window arriving at once passes, a sustained
    // flood does not, and the bursts of every class fit the control core's ring.
    void configure(const std::array<uint32_t, kClassCount>& pps, uint64_t tscHz, uint32_t share, uint64_t nowTsc) {
        share = std::max<uint32_t>(share, 1);
        for (size_t c = 0; c < kClassCount; ++c) {
            Bucket& b = buckets_[c];
            const double rate = double(pps[c]) / share;  // packets per second for this worker
            b.perTick = rate / double(std::max<uint64_t>(tscHz, 1));
            b.burst = std::max(rate / 20.0, 8.0);
            b.tokens = configured_ ? std::min(b.tokens, b.burst) : b.burst;
            b.last = nowTsc;
        }
        configured_ = true;
    }

    // Takes a token for one packet of class `c`; false when the class is over its rate.
    bool admit(Class c, uint64_t nowTsc) {
        Bucket& b = buckets_[index(c)];
        if (nowTsc > b.last) {
            b.tokens = std::min(b.burst, b.tokens + double(nowTsc - b.last) * b.perTick);
            b.last = nowTsc;
        }
        if (b.tokens < 1.0) return false;
        b.tokens -= 1.0;
        return true;
    }

private:
    struct Bucket {
        double tokens = 0, perTick = 0, burst = 0;
        uint64_t last = 0;
    };
    std::array<Bucket, kClassCount> buckets_{};
    bool configured_ = false;
};

}  // namespace vtepgw::punt
