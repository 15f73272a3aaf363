// ICMPv6 on the underlay (RFC 4443, neighbour discovery RFC 4861, MLDv2 RFC 3810): what an
// IPv6 host must say and answer to be reachable, built and parsed here; when to say it is
// the control core's business. Addresses are in wire order throughout.
#pragma once

#include <rte_ether.h>
#include <rte_mbuf.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "netaddr/addr.h"

namespace vtepgw::packet::icmpv6 {

using netaddr::Ipv6Address;
using netaddr::MacAddress;

inline constexpr uint8_t kEchoRequest = 128, kEchoReply = 129, kMldQuery = 130, kMldv1Report = 131,
                         kMldv1Done = 132, kRouterSolicitation = 133, kRouterAdvertisement = 134,
                         kNeighborSolicitation = 135, kNeighborAdvertisement = 136, kMldv2Report = 143;

// An ICMPv6 message straight after the IPv6 header (or after MLD's hop-by-hop header),
// checksum verified, inside the first segment.
struct View {
    uint8_t type = 0, code = 0;
    uint8_t hopLimit = 0;
    Ipv6Address src, dst;
    const uint8_t* body = nullptr;  // the ICMPv6 header
    uint16_t len = 0;                // ICMPv6 header and data
    bool hopByHop = false;           // came behind a hop-by-hop header (MLD)
};
std::optional<View> parse(const rte_mbuf* m);

// A neighbour solicitation or advertisement (RFC 4861 §4.3, §4.4).
struct NeighborMessage {
    Ipv6Address target;
    std::optional<MacAddress> linkAddress;  // source (NS) or target (NA) link-layer address option
    bool router = false, solicited = false, override_ = false;  // NA flags
};
// nullopt when malformed: hop limit not 255, code not 0, too short, an option of length 0,
// a multicast target (RFC 4861 §7.1.1, §7.1.2).
std::optional<NeighborMessage> parseNeighborMessage(const View& v);

// A neighbour solicitation for `target` from (mac, src): to its solicited-node group, with
// our link-layer address; src unspecified (DAD, RFC 4862 §5.4.2) leaves the option out.
rte_mbuf* makeNeighborSolicitation(rte_mempool* pool, const rte_ether_addr& mac, const Ipv6Address& src,
                                   const Ipv6Address& target);
// A neighbour advertisement for `target` (ours) at `mac`, to (dst, dstMac): solicited when
// it answers one, override set (we own the address).
rte_mbuf* makeNeighborAdvertisement(rte_mempool* pool, const rte_ether_addr& mac, const Ipv6Address& target,
                                    const Ipv6Address& dst, const rte_ether_addr& dstMac, bool solicited);

// Rewrites the echo request in m (parsed as v) into its reply from `mac`; false when it is
// not an echo request (m untouched).
bool turnIntoEchoReply(rte_mbuf* m, const View& v, const rte_ether_addr& mac);

// An MLDv2 report (RFC 3810 §5.2) from (mac, link-local src) to ff02::16: for each group a
// record of type 4 (CHANGE_TO_EXCLUDE {}: join) or 3 (CHANGE_TO_INCLUDE {}: leave), or 2
// (MODE_IS_EXCLUDE: answering a query).
std::vector<uint8_t> mldv2Report(const rte_ether_addr& mac, const Ipv6Address& src,
                                 const std::vector<Ipv6Address>& groups, uint8_t recordType);
// An MLDv1 report (type 131, to the group) or done (type 132, to ff02::2) for `group`
// (RFC 2710 §3), behind the same hop-by-hop Router Alert.
std::vector<uint8_t> mldv1Message(const rte_ether_addr& mac, const Ipv6Address& src, const Ipv6Address& group,
                                  uint8_t type);
// An MLD query: its group (unspecified for a general query), version (RFC 3810 §8.1: 24
// bytes is MLDv1, 28 or more MLDv2) and Maximum Response Delay in milliseconds (MLDv2's
// code decoded per §5.1.3). nullopt when v is no query or too short.
struct MldQuery {
    Ipv6Address group;
    uint8_t version = 2;
    uint64_t maxResponseMs = 10000;
};
std::optional<MldQuery> parseMldQuery(const View& v);

}  // namespace vtepgw::packet::icmpv6
