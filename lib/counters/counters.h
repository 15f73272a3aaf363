// Counters: every drop has a named reason, every port and bridge has traffic counters, and
// each worker owns its own block (cache-line aligned) so that nothing shared is written per
// packet. The control core sums the blocks when asked.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "punt/classes.h"
#include "state/forwarding_state.h"

namespace vtepgw::counters {

// Why a frame was dropped. One list yields the enum, the names and the descriptions.
#define VTEPGW_DROP_REASONS(X)                                                              \
    X(truncated, "frame shorter than the headers it announces")                             \
    X(multicast_source, "source MAC is multicast or zero")                                  \
    X(vlan_unknown, "VLAN (or untagged frame) not mapped to a bridge on this port")         \
    X(same_port, "destination MAC is on the member the frame came from")                    \
    X(split_horizon, "frame from the tunnel to a MAC behind another VTEP")                  \
    X(mtu_exceeded, "encapsulated frame would exceed the underlay MTU (we never fragment)") \
    X(no_headroom, "no mbuf headroom for the outer headers")                                \
    X(no_mbuf, "mbuf pool exhausted while replicating")                                     \
    X(unsupported_ethertype, "underlay frame neither IPv4, ARP nor (with an IPv6 address) IPv6") \
    X(not_for_us, "underlay frame or packet addressed to someone else")                     \
    X(bad_ip_header, "outer IPv4 or IPv6 version, header length or total length invalid")  \
    X(ipv6_extension_header, "outer IPv6 with an extension header (only MLD's hop-by-hop is read)") \
    X(bad_udp_checksum, "VXLAN over IPv6 with a wrong UDP checksum")                       \
    X(udp_zero_checksum, "VXLAN over IPv6 with a zero UDP checksum (vxlan.udp6_zero_checksum_rx is off)") \
    X(bad_ip_checksum, "outer IPv4 header checksum wrong")                                  \
    X(ip_fragment, "outer IPv4 fragment (VXLAN is never fragmented)")                      \
    X(ip_options, "outer IPv4 header carries options")                                      \
    X(unsupported_protocol, "IPv4 to us that is neither UDP, GRE nor ICMP (no host interface)") \
    X(udp_port_unknown, "UDP to us on a port no VTEP uses for VXLAN (no host interface)")   \
    X(bad_vxlan_flags, "VXLAN header without the I flag")                                   \
    X(unknown_vni, "VNI not mapped to a bridge")                                            \
    X(gre_bad_version, "GRE version other than 0")                                          \
    X(gre_routing, "GRE with the routing bit set (RFC 2784: not supported)")               \
    X(gre_not_ethernet, "GRE protocol type other than 0x6558 (Transparent Ethernet Bridging)") \
    X(gre_bad_checksum, "GRE checksum present and wrong")                                   \
    X(gre_unknown_key, "GRE without a key, or a key no GRE bridge uses")                    \
    X(vtep_not_allowed, "VXLAN from a source outside the bridge's allowed_vteps")          \
    X(inner_vlan_tagged, "decapsulated frame carries an 802.1Q tag (RFC 7348 6.1)")         \
    X(no_route, "no underlay route to the VTEP (no matching route, no gateway)")          \
    X(no_neighbor, "next hop to the VTEP did not answer ARP")                               \
    X(neighbor_queue_full, "too many packets waiting for the same next hop")                \
    X(exception_queue_full, "control core queue full (ARP, ICMP, unresolved next hop)")     \
    X(exception_unhandled, "packet to us that the control core does not handle")            \
    X(tx_full, "transmit queue full")                                                       \
    X(no_bridge_port, "frame on a port that belongs to no bridge")                         \
    X(flood_no_target, "broadcast or unknown unicast with nowhere to go in its bridge")     \
    X(kernel_gso_frame, "unsegmented GSO/GRO frame from the local kernel, truncated by the PMD") \
    X(punt_policed, "packet for the control core or host interface over its class's rate (underlay.punt_limits)") \
    X(host_queue_full, "the host interface did not take a punted packet (its queue was full)") \
    X(host_frame_refused, "frame from the host interface not ours to send (foreign source MAC, not IPv4/ARP)") \
    X(bad_arp, "ARP in a bridge vtepd reads ARP in (gateway, suppression): not Ethernet/IPv4 ARP, or a multicast or zero sender MAC") \
    X(routed_not_ipv4, "frame to the gateway MAC that is not IPv4 (only IPv4 is routed)")     \
    X(routed_bad_header, "routed IPv4 packet with a bad version, length or header checksum")   \
    X(ttl_expired, "routed packet whose TTL ran out (ICMP time exceeded sent)")               \
    X(no_overlay_route, "routed packet to an address no bridge of its VRF holds (ICMP net unreachable sent)") \
    X(arp_unresolved, "routed packet whose destination did not answer ARP (ICMP host unreachable sent)") \
    X(arp_queue_full, "too many routed packets waiting for ARP (per address or in all)")        \
    X(gateway_unhandled, "packet to a gateway address other than ICMP echo and ARP")

enum class Drop : uint16_t {
#define VTEPGW_X(name, text) name,
    VTEPGW_DROP_REASONS(VTEPGW_X)
#undef VTEPGW_X
        count
};
inline constexpr size_t kDropCount = static_cast<size_t>(Drop::count);

const char* dropName(Drop d);
const char* dropDescription(Drop d);

// Things worth counting that are not drops.
#define VTEPGW_EVENTS(X)                                                                   \
    X(learn_requests, "learn/refresh requests sent to the control core")                 \
    X(learn_queue_full, "learn requests lost because the queue was full (still forwarded)") \
    X(learned, "MACs added by learning")                                                  \
    X(moves, "MACs moved by learning")                                                    \
    X(static_conflicts, "learning tried to overwrite a static MAC")                       \
    X(fdb_full, "MACs not learned because the table was full")                            \
    X(mac_limit_reached, "MACs not learned because their bridge reached mac_limit (flooded)") \
    X(flapping_macs, "MACs flagged as flapping (too many moves in the flap window)")       \
    X(aged, "MACs removed by ageing")                                                     \
    X(vxlan_reserved_bits, "VXLAN accepted with reserved bits set (RFC 7348: ignored)")   \
    X(vtep_pending, "unicast flooded because the VTEP's tunnel was not ready yet")        \
    X(tunnel_table_full, "MACs from a new VTEP not learned: the tunnel table is full")     \
    X(arp_requests_answered, "ARP requests for our address answered")                     \
    X(arp_requests_sent, "ARP requests sent to resolve next hops")                        \
    X(arp_replies_received, "ARP replies received")                                       \
    X(icmp_echo_answered, "ICMP echo requests answered")                                  \
    X(held_for_neighbor, "packets held while their next hop was resolved")                \
    X(igmp_reports_sent, "IGMP membership reports sent for our groups")                   \
    X(igmp_queries_received, "IGMP queries received")                                     \
    X(underlay_link_down, "underlay carrier lost")                                        \
    X(underlay_link_up, "underlay carrier back (ARP announce, neighbours and IGMP refreshed)") \
    X(released_after_arp, "held packets sent after ARP resolved")                        \
    X(checksums_completed, "partial TCP/UDP checksums from the local kernel completed")     \
    X(neighbors_removed, "underlay neighbours removed: no longer a next hop")              \
    X(evpn_macs_installed, "remote MACs installed or moved from BGP EVPN (type-2)")         \
    X(evpn_macs_withdrawn, "remote MACs removed: their EVPN route was withdrawn")           \
    X(evpn_unexpected_vtep, "frames from a VTEP other than the one EVPN put their source MAC behind") \
    X(overlay_arp_learned, "IP-to-MAC bindings snooped from ARP inside bridges")              \
    X(overlay_arp_moves, "IPs seen moving to another MAC in a bridge (spoofing, failover)")   \
    X(overlay_arp_static_conflicts, "ARP claimed a static binding for another MAC (kept)")    \
    X(overlay_arp_limit_reached, "bindings not snooped: their bridge reached arp_limit")      \
    X(overlay_arp_aged, "bindings removed because their MAC left the address table")          \
    X(overlay_arp_requests_sent, "ARP requests sent into bridges to resolve routed destinations") \
    X(gateway_conflicts, "ARP from another host claiming one of the gateway's addresses")      \
    X(icmp_errors_sent, "ICMP errors sent for packets that could not be routed")              \
    X(icmp_errors_limited, "ICMP errors not sent: over the rate limit")                       \
    X(nd_solicitations_answered, "IPv6 neighbour solicitations for our addresses answered")  \
    X(nd_solicitations_sent, "IPv6 neighbour solicitations sent (next hops, DAD)")           \
    X(nd_advertisements_received, "IPv6 neighbour advertisements received")                  \
    X(nd_address_conflicts, "another host claimed our IPv6 address (DAD or advertisement)")  \
    X(icmpv6_echo_answered, "ICMPv6 echo requests answered")                                  \
    X(router_advertisements_ignored, "IPv6 router advertisements ignored (routes are configured)") \
    X(mld_reports_sent, "MLDv2 reports sent for our IPv6 groups")                             \
    X(mld_queries_received, "MLD queries received")

enum class Event : uint16_t {
#define VTEPGW_X(name, text) name,
    VTEPGW_EVENTS(VTEPGW_X)
#undef VTEPGW_X
        count
};
inline constexpr size_t kEventCount = static_cast<size_t>(Event::count);

const char* eventName(Event e);

struct PortCounters {
    uint64_t rxPackets = 0, rxBytes = 0, txPackets = 0, txBytes = 0;
};

// The host interface: packets handed up to the kernel and packets it sent through us.
struct HostCounters {
    uint64_t puntedPackets = 0, puntedBytes = 0, injectedPackets = 0, injectedBytes = 0;
};

struct BridgeCounters {
    uint64_t encapPackets = 0, encapBytes = 0;  // access -> tunnel (unicast)
    uint64_t decapPackets = 0, decapBytes = 0;  // tunnel -> bridge
    uint64_t switched = 0;                      // access -> access, known unicast
    uint64_t flooded = 0;                       // frames flooded (BUM and unknown unicast)
    uint64_t replicated = 0;                    // copies sent to VTEPs/groups by flooding
    uint64_t routed = 0;                        // packets routed out of this bridge to another
    uint64_t arpSuppressed = 0;                 // ARP requests answered by suppression (not flooded)
    uint64_t arpFlooded = 0;                    // ARP requests flooded: target unknown (suppression on)
    uint64_t gatewayReplies = 0;                // ARP and echo answered for the gateway's addresses
};

struct VtepCounters {
    uint64_t txPackets = 0, txBytes = 0;  // encapsulated towards the VTEP (inner bytes)
    uint64_t rxPackets = 0, rxBytes = 0;  // decapsulated from it (inner bytes)
    uint32_t lastRx = 0;                  // control-clock second of the last packet from it
};

// What became of each received packet, counted once per packet by the worker that received
// it: sum of fates == packets received. (Drop reasons also count flood replicas and
// packets lost after forwarding, e.g. tx_full, so they can exceed `dropped`.)
enum class Fate : uint8_t { Forwarded = 0, Flooded = 1, ToControl = 2, Dropped = 3 };
inline constexpr size_t kFateCount = 4;
inline constexpr const char* kFateNames[kFateCount] = {"forwarded", "flooded", "to_control", "dropped"};

// Busy-cycle accounting (VPP's clocks/packet): TSC cycles from RX burst to TX flush of
// bursts that carried packets, and those packets, split by the role of the receiving port.
enum class Direction : uint8_t { FromAccess = 0, FromUnderlay = 1 };
inline constexpr size_t kDirections = 2;

struct BusyCounters {
    uint64_t cycles = 0;
    uint64_t packets = 0;
    double cyclesPerPacket() const { return packets ? double(cycles) / double(packets) : 0.0; }
};

// One worker's counters. Written by that worker only, read by the control core.
struct alignas(64) WorkerCounters {
    std::array<uint64_t, kDropCount> drops{};
    std::array<uint64_t, kEventCount> events{};
    std::array<PortCounters, state::kMaxPorts> ports{};
    std::array<BridgeCounters, state::kMaxBridges> bridges{};
    std::array<VtepCounters, state::kMaxVtepStats> vteps{};
    std::array<BusyCounters, kDirections> busy{};
    std::array<uint64_t, kFateCount> fates{};
    HostCounters host;
    std::array<uint64_t, punt::kClassCount> policed{};  // punt_policed drops by class
    uint64_t loops = 0;
    uint64_t idleSleeps = 0, idleSleepUs = 0;  // adaptive idle: sleeps taken and their total

    BusyCounters busyTotal() const {
        return {busy[0].cycles + busy[1].cycles, busy[0].packets + busy[1].packets};
    }

    void drop(Drop d, uint64_t n = 1) { drops[static_cast<size_t>(d)] += n; }
    void event(Event e, uint64_t n = 1) { events[static_cast<size_t>(e)] += n; }
    void fate(Fate f) { ++fates[static_cast<size_t>(f)]; }
};

// The sum over workers (and the control core's own block).
struct Totals {
    std::array<uint64_t, kDropCount> drops{};
    std::array<uint64_t, kEventCount> events{};
    std::array<PortCounters, state::kMaxPorts> ports{};
    std::vector<BridgeCounters> bridges = std::vector<BridgeCounters>(state::kMaxBridges);
    std::vector<VtepCounters> vteps = std::vector<VtepCounters>(state::kMaxVtepStats);
    std::array<BusyCounters, kDirections> busy{};
    std::array<uint64_t, kFateCount> fates{};
    HostCounters host;
    std::array<uint64_t, punt::kClassCount> policed{};

    BusyCounters busyTotal() const {
        return {busy[0].cycles + busy[1].cycles, busy[0].packets + busy[1].packets};
    }
    void add(const WorkerCounters& w);
    // Takes a baseline away (counters read "since --clear"); times are left as they are.
    void subtract(const Totals& base);
    uint64_t drop(Drop d) const { return drops[static_cast<size_t>(d)]; }
    uint64_t event(Event e) const { return events[static_cast<size_t>(e)]; }
    uint64_t totalDrops() const;
};

}  // namespace vtepgw::counters
