// Addresses shared by the unit tests, the dataplane tests and the benchmarks, so that every
// frame they build describes the same little network: us (10.0.0.2), one peer VTEP
// (10.0.0.9) and two hosts A and B.
#pragma once

#include <rte_ether.h>

#include <algorithm>

#include "netaddr/addr.h"

namespace vtepgw::fixtures {

inline const netaddr::MacAddress kOurMac = *netaddr::MacAddress::parse("02:00:00:00:00:02");
inline const netaddr::MacAddress kPeerMac = *netaddr::MacAddress::parse("02:00:00:00:09:09");
inline const netaddr::MacAddress kHostA = *netaddr::MacAddress::parse("02:aa:00:00:00:01");
inline const netaddr::MacAddress kHostB = *netaddr::MacAddress::parse("02:bb:00:00:00:01");
inline const netaddr::MacAddress kBroadcast = *netaddr::MacAddress::parse("ff:ff:ff:ff:ff:ff");
inline const netaddr::Ipv4Address kOurIp = *netaddr::Ipv4Address::parse("10.0.0.2");
inline const netaddr::Ipv4Address kPeerIp = *netaddr::Ipv4Address::parse("10.0.0.9");

inline rte_ether_addr ether(const netaddr::MacAddress& m) {
    rte_ether_addr a;
    std::copy(m.bytes.begin(), m.bytes.end(), a.addr_bytes);
    return a;
}

}  // namespace vtepgw::fixtures
