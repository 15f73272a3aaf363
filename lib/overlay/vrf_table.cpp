#include "overlay/vrf_table.h"

#include <rte_errno.h>
#include <rte_fib.h>
#include <rte_memory.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>

namespace vtepgw::overlay {

VrfTable::VrfTable(const std::string& vrf, const std::vector<Route>& routes) {
    if (routes.size() <= kScanned) {
        for (const auto& r : routes) {
            scan_.push_back({r.prefix.network().host, r.prefix.mask(), uint64_t{r.bridge} | (r.local ? kLocal : 0)});
        }
        // Longest first; of one prefix added twice the last one wins, as in rte_fib.
        std::stable_sort(scan_.begin(), scan_.end(), [](const Scanned& a, const Scanned& b) {
            return a.mask != b.mask ? a.mask > b.mask : a.network < b.network;
        });
        for (size_t i = 0; i + 1 < scan_.size();)
            if (scan_[i].mask == scan_[i + 1].mask && scan_[i].network == scan_[i + 1].network) scan_.erase(scan_.begin() + i);
            else ++i;
        return;
    }
    // DPDK object names are global and short: a sequence number keeps rebuilt tables apart.
    static std::atomic<uint32_t> seq{0};
    const std::string name = "vrf" + std::to_string(seq++);
    rte_fib_conf conf{};
    conf.type = RTE_FIB_DUMMY;
    conf.default_nh = kNoRoute;
    conf.max_routes = static_cast<int>(routes.size() + 8);
    fib_ = rte_fib_create(name.c_str(), SOCKET_ID_ANY, &conf);
    if (fib_ == nullptr)
        throw std::runtime_error("cannot create the routing table of VRF '" + vrf + "': " + rte_strerror(rte_errno));
    for (const auto& r : routes) {
        const uint64_t nh = uint64_t{r.bridge} | (r.local ? kLocal : 0);
        if (rte_fib_add(fib_, r.prefix.network().host, r.prefix.length, nh) != 0) {
            rte_fib_free(fib_);
            throw std::runtime_error("cannot add " + r.prefix.toString() + " to VRF '" + vrf + "': " +
                                     rte_strerror(rte_errno));
        }
    }
}

VrfTable::~VrfTable() {
    if (fib_ != nullptr) rte_fib_free(fib_);
}

void VrfTable::lookupBulk(const uint32_t* ipHost, uint64_t* nextHops, unsigned n) const {
    if (fib_ == nullptr) {
        const Scanned* begin = scan_.data();
        const Scanned* end = begin + scan_.size();
        for (unsigned i = 0; i < n; ++i) {
            uint64_t nh = kNoRoute;
            for (const Scanned* r = begin; r != end; ++r)
                if ((ipHost[i] & r->mask) == r->network) {
                    nh = r->nextHop;
                    break;
                }
            nextHops[i] = nh;
        }
        return;
    }
    // rte_fib takes a non-const array it does not write.
    rte_fib_lookup_bulk(fib_, const_cast<uint32_t*>(ipHost), nextHops, static_cast<int>(n));
}

}  // namespace vtepgw::overlay
