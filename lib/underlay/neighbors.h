// The underlay neighbour table of both families (ARP for IPv4, neighbour discovery for
// IPv6), owned by the control core: static entries from the configuration, entries resolved, and the bounded queues of packets that wait for a
// next hop to answer. Pure bookkeeping: sending ARP or NS and transmitting released packets is
// the caller's job, told through the returned actions.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "netaddr/addr.h"

namespace vtepgw::underlay {

using netaddr::IpAddress;
using netaddr::Ipv4Address;
using netaddr::MacAddress;

enum class NeighborState { Incomplete, Reachable, Static, Failed };

const char* neighborStateName(NeighborState s);

struct Neighbor {
    NeighborState state = NeighborState::Incomplete;
    MacAddress mac;
    uint64_t updatedMs = 0;    // last resolution (or creation)
    uint64_t lastProbeMs = 0;
    uint32_t probes = 0;       // unanswered probes in a row
    std::deque<rte_mbuf*> held;
};

struct NeighborTimings {
    uint64_t retryMs = 1000;        // between ARP requests while incomplete
    uint32_t maxProbes = 3;         // then Failed: held packets are dropped
    uint64_t failedRetryMs = 5000;  // a failed neighbour is tried again after this
    uint64_t refreshMs = 60000;     // a reachable neighbour is re-asked this often
    size_t maxHeld = 16;            // packets held per neighbour
};

class NeighborTable {
public:
    explicit NeighborTable(NeighborTimings timings = {}) : timings_(timings) {}
    ~NeighborTable();

    // Makes exactly these entries static. A static entry no longer listed is removed (and
    // resolved by ARP again if it is still a next hop).
    void setStatics(const std::vector<std::pair<IpAddress, MacAddress>>& statics);
    // The next hops that forwarding needs now. Other dynamic entries are not refreshed: a
    // failed one is removed at once, a resolved one when its refresh falls due, so the table
    // follows the configuration and the learned VTEPs instead of growing forever.
    void setNeeded(std::set<IpAddress> hosts);
    // The MAC for ip when known (static or resolved).
    std::optional<MacAddress> lookup(const IpAddress& ip) const;
    // Starts resolving ip if it is unknown; true when an ARP request should go out now.
    bool want(const IpAddress& ip, uint64_t nowMs);

    // Outcome of learning a sender from an ARP packet.
    struct Update {
        bool changed = false;               // MAC differs from before (rebuild headers)
        std::vector<rte_mbuf*> released;    // held packets now sendable (dst MAC not yet patched)
    };
    // Records ip -> mac seen in ARP. Static entries never change; unknown ips are created only
    // when `create` (e.g. the sender asked for our address).
    Update learn(const IpAddress& ip, MacAddress mac, uint64_t nowMs, bool create);

    // Holds m until ip resolves; false (m not taken) when the queue is full.
    bool hold(const IpAddress& ip, rte_mbuf* m, uint64_t nowMs);

    struct TickResult {
        std::vector<IpAddress> probe;  // send an ARP request (IPv6: a neighbour solicitation) for each
        std::vector<rte_mbuf*> expired;  // held packets whose neighbour failed: drop them
        size_t removed = 0;              // entries no longer needed, now gone
    };
    TickResult tick(uint64_t nowMs);
    // Re-asks every resolved or failed neighbour now (e.g. after the link came back);
    // returns the addresses to send ARP requests to.
    std::vector<IpAddress> refreshAll(uint64_t nowMs);

    const std::map<IpAddress, Neighbor>& entries() const { return table_; }

private:
    bool needed(const IpAddress& ip) const { return needed_.count(ip) != 0; }

    NeighborTimings timings_;
    std::map<IpAddress, Neighbor> table_;
    std::set<IpAddress> needed_;
};

}  // namespace vtepgw::underlay
