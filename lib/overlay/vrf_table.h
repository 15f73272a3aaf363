// One VRF's routing table on the overlay: which bridge's subnet holds a destination, or
// whether it is one of the gateway's own addresses. Built by the control core whenever the
// bridges' addresses change, shared by every snapshot until then, read by workers.
//
// Its routes are the VRF's bridges' subnets and the gateway's own /32s, usually a handful:
// up to kScanned of them are scanned longest prefix first (a few instructions each, on one
// or two cache lines), where rte_fib's RIB walk cost about 90 instructions a packet. Larger
// tables go to rte_fib's RIB-backed type: a few kilobytes per VRF, where rte_lpm and
// DIR24_8 allocate a 64 MiB first-level table each — too much for one table per tenant in a
// lab-sized EAL.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fdb/fdb.h"
#include "netaddr/addr.h"

struct rte_fib;

namespace vtepgw::overlay {

class VrfTable {
public:
    struct Route {
        netaddr::Ipv4Prefix prefix;  // a bridge's subnet, or a /32 of its own address
        fdb::BridgeId bridge;
        bool local;                  // the gateway's own address
    };
    static constexpr uint64_t kNoRoute = ~uint64_t{0};
    static constexpr uint64_t kLocal = uint64_t{1} << 32;
    static constexpr size_t kScanned = 16;

    // Throws std::runtime_error when DPDK cannot allocate the table.
    VrfTable(const std::string& vrf, const std::vector<Route>& routes);
    ~VrfTable();
    VrfTable(const VrfTable&) = delete;
    VrfTable& operator=(const VrfTable&) = delete;

    // nextHops[i]: kNoRoute, or the bridge id with kLocal set for the gateway's own addresses.
    void lookupBulk(const uint32_t* ipHost, uint64_t* nextHops, unsigned n) const;

    // Which of the two the table uses (for tests).
    bool scanned() const { return fib_ == nullptr; }

private:
    struct Scanned {
        uint32_t network, mask;
        uint64_t nextHop;
    };
    std::vector<Scanned> scan_;  // longest prefix first
    rte_fib* fib_ = nullptr;
};

}  // namespace vtepgw::overlay
