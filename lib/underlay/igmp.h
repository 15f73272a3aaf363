// IGMP on the underlay (RFC 2236 v2, RFC 3376 v3): the reports and leaves that make
// routers (PIM, IGMP snooping switches) forward our VXLAN groups to us, and the parsing
// of their queries. Frames are built as bytes; the control core puts them in mbufs.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "netaddr/addr.h"

namespace vtepgw::underlay {

using netaddr::Ipv4Address;
using netaddr::MacAddress;

inline constexpr uint8_t kIpProtoIgmp = 2;

enum class IgmpVersion : uint8_t { V2 = 2, V3 = 3 };

// Membership report for `groups` (v3: one report, a CHANGE_TO_EXCLUDE record per group;
// v2: call once per group). IP TTL 1 with Router Alert, as both RFCs require.
std::vector<uint8_t> igmpJoin(IgmpVersion v, const MacAddress& srcMac, Ipv4Address src,
                              const std::vector<Ipv4Address>& groups);
// Leave: v3 CHANGE_TO_INCLUDE with no sources; v2 Leave Group to 224.0.0.2.
std::vector<uint8_t> igmpLeave(IgmpVersion v, const MacAddress& srcMac, Ipv4Address src,
                               Ipv4Address group);
// Answer to a query: v3 MODE_IS_EXCLUDE records; v2 a report per group.
std::vector<uint8_t> igmpCurrentState(IgmpVersion v, const MacAddress& srcMac, Ipv4Address src,
                                      const std::vector<Ipv4Address>& groups);

// IGMPv1 membership report (RFC 1112) for one group, for IGMPv1 compatibility.
std::vector<uint8_t> igmpV1Report(const MacAddress& srcMac, Ipv4Address src, Ipv4Address group);

struct IgmpQuery {
    Ipv4Address group;       // 0.0.0.0 = general query
    uint8_t version = 3;     // RFC 3376 §7.1: 8 bytes with Max Resp 0 = v1, 8 bytes = v2, >= 12 = v3
    uint64_t maxResponseMs = 10000;
};

// Parses an Ethernet frame; a query (any version) when it is one, nullopt otherwise. The IGMP
// message's length comes from the IP header (Ethernet pads short frames).
std::optional<IgmpQuery> parseIgmpQuery(const uint8_t* frame, uint32_t len);

}  // namespace vtepgw::underlay
