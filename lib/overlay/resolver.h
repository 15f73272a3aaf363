// Routed packets waiting for ARP inside their destination bridge: bounded queues per
// (bridge, IPv4), the retry schedule of our ARP requests, and the packets to give up on.
// Bookkeeping only: the control core sends the requests and the packets.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>
#include <deque>
#include <map>
#include <vector>

#include "overlay/arp_table.h"

namespace vtepgw::overlay {

struct ResolverTimings {
    uint64_t retryMs = 1000;    // between ARP requests for one address
    uint32_t maxRequests = 3;   // then the held packets are dropped (arp_unresolved)
    size_t maxHeld = 16;        // per address
    size_t maxPending = 1024;   // addresses being resolved at once
};

class Resolver {
public:
    explicit Resolver(ResolverTimings t = {}) : timings_(t) {}
    ~Resolver();
    Resolver(const Resolver&) = delete;
    Resolver& operator=(const Resolver&) = delete;

    struct Held {
        bool taken = false;  // false: m was not kept (queue or table full), the caller drops it
        bool ask = false;    // send an ARP request for the key now
    };
    Held hold(Key key, rte_mbuf* m, uint64_t nowMs);
    // The packets that waited for key (its MAC is known now).
    std::vector<rte_mbuf*> resolved(Key key);

    struct Tick {
        std::vector<Key> ask;            // ARP again
        std::vector<rte_mbuf*> expired;  // nobody answered: drop them
    };
    Tick tick(uint64_t nowMs);
    // Gives up on every address of the bridges not in `live` (removed or no longer routed).
    std::vector<rte_mbuf*> retain(const std::vector<bool>& live);
    size_t heldPackets() const {
        size_t n = 0;
        for (const auto& [k, p] : pending_) n += p.held.size();
        return n;
    }

private:
    struct Pending {
        std::deque<rte_mbuf*> held;
        uint64_t lastAskMs = 0;
        uint32_t asked = 0;
    };
    ResolverTimings timings_;
    std::map<Key, Pending> pending_;
};

}  // namespace vtepgw::overlay
