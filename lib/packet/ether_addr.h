// DPDK's MAC address and ours (netaddr::MacAddress, what config and netlink speak), one
// conversion each way for every module that sits between them.
#pragma once

#include <rte_ether.h>

#include <cstring>

#include "netaddr/addr.h"

namespace vtepgw::packet {

inline rte_ether_addr toEther(const netaddr::MacAddress& m) {
    rte_ether_addr a;
    std::memcpy(a.addr_bytes, m.bytes.data(), RTE_ETHER_ADDR_LEN);
    return a;
}

inline netaddr::MacAddress toMac(const rte_ether_addr& a) {
    netaddr::MacAddress m;
    std::memcpy(m.bytes.data(), a.addr_bytes, RTE_ETHER_ADDR_LEN);
    return m;
}

}  // namespace vtepgw::packet
