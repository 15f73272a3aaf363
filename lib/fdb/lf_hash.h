// An rte_hash of 8-byte keys for one writer (the control core) and lock-free readers (the
// workers), whose deleted key slots are reused only after an RCU grace period. The MAC table
// and the overlay ARP table are both built on it.
#pragma once

#include <cstdint>
#include <string>

struct rte_hash;

namespace vtepgw::rcu {
class QsbrDomain;
}

namespace vtepgw::fdb {

// Throws std::runtime_error naming `what` (e.g. "MAC table") and DPDK's reason.
rte_hash* createLockFreeHash(const std::string& name, uint32_t capacity, rcu::QsbrDomain& rcu, int socket,
                             const char* what);

}  // namespace vtepgw::fdb
