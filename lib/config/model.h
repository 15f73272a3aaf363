// The validated configuration: what vtepd was asked to be. Produced by config::parse() from
// the JSON contract of DESIGN.md §3 and consumed by the control plane; nothing here is
// touched by the fast path.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "encap/tunnel.h"
#include "netaddr/addr.h"
#include "punt/classes.h"

namespace vtepgw::config {

using netaddr::IpAddress;
using netaddr::Ipv4Address;
using netaddr::Ipv4Prefix;
using netaddr::Ipv6Address;
using netaddr::Ipv6Prefix;
using netaddr::MacAddress;

inline constexpr uint32_t kMaxVni = 0xFFFFFF;
inline constexpr uint16_t kIanaVxlanPort = 4789;
inline constexpr uint16_t kLinuxLegacyVxlanPort = 8472;

struct PortSpec {
    std::string name;    // operator's name ("uplink", "eth3")
    std::string device;  // DPDK device: vdev name or PCI address
    std::string profile; // drivers-config profile name; empty = chosen from the device
    std::optional<uint16_t> mtu;  // access ports: IP MTU of the NIC (default kDefaultPortMtu)
};

inline constexpr uint16_t kDefaultPortMtu = 1500;
// What VXLAN adds to an inner frame's IP MTU on the wire: inner Ethernet 14, VXLAN 8,
// UDP 8, outer IPv4 20 (encap::mtuOverhead has every encapsulation's).
inline constexpr uint16_t kVxlanMtuOverhead = 50;

struct RouteSpec {
    Ipv4Prefix prefix;
    Ipv4Address via;
};

struct NeighborSpec {
    Ipv4Address address;
    MacAddress mac;
};

struct Route6Spec {
    Ipv6Prefix prefix;
    Ipv6Address via;
};

struct Neighbor6Spec {
    Ipv6Address address;
    MacAddress mac;
};

// The underlay is IPv4, IPv6 or both (`address`, or `addresses` with one of each family);
// each family has its own connected subnet, gateway, routes and neighbours.
struct UnderlaySpec {
    std::string port;
    std::optional<Ipv4Prefix> address;   // our IPv4 address and its connected subnet
    std::optional<Ipv6Prefix> address6;  // our IPv6 address and its connected subnet
    std::optional<Ipv4Address> gateway;
    std::optional<Ipv6Address> gateway6;
    std::vector<RouteSpec> routes;
    std::vector<Route6Spec> routes6;
    std::vector<NeighborSpec> neighbors;
    std::vector<Neighbor6Spec> neighbors6;
    uint16_t mtu = 1500;  // IP MTU of the underlay: encapsulated frames above it are dropped
    // A Linux interface (net_tap) carrying our address for the host's own stack (BGP, SSH,
    // BFD): what vtepd does not consume itself goes there. Empty = none.
    std::string hostInterface;
    // Punt policer, packets per second per class (punt::Class order), all workers together.
    std::array<uint32_t, punt::kClassCount> puntPps = punt::kDefaultPps;

    // Whether we have an address of a's family (a VTEP of the other family is unreachable).
    bool hasFamilyOf(const IpAddress& a) const { return a.isV4() ? address.has_value() : address6.has_value(); }
    // Whether a is one of our own addresses.
    bool isOwn(const IpAddress& a) const {
        return a.isV4() ? address && address->address == a.v4() : address6 && address6->address == a.v6();
    }
    // Our address of a's family (callers check hasFamilyOf first).
    IpAddress sourceFor(const IpAddress& a) const {
        return a.isV4() ? IpAddress{address->address} : IpAddress{address6->address};
    }
};

struct VxlanSpec {
    uint16_t udpPort = kIanaVxlanPort;
    uint8_t ttl = 64;
    uint32_t ageingSeconds = 300;  // 0 = never age
    bool learning = true;
    uint16_t sourcePortMin = 49152;
    uint16_t sourcePortMax = 65535;
    uint32_t fdbSize = 65536;  // capacity of the MAC table, all bridges together
    uint8_t igmpVersion = 3;   // reports for our multicast groups: 2 or 3
    // VXLAN over IPv6 with a zero UDP checksum accepted (RFC 6935/6936; Linux's
    // udp6zerocsumrx). Off: such packets are dropped as udp_zero_checksum.
    bool udp6ZeroChecksumRx = false;
    uint32_t flapMoves = 5;    // a MAC moving more than this many times ...
    uint32_t flapSeconds = 10; // ... within this many seconds is reported as flapping
};

struct MemberSpec {
    std::string port;
    std::optional<uint16_t> vlan;  // absent = untagged access member
    bool operator==(const MemberSpec& o) const { return port == o.port && vlan == o.vlan; }
};

struct StaticMacSpec {
    MacAddress mac;
    std::optional<IpAddress> vtep;    // remote entry, or
    std::optional<MemberSpec> member; // local entry on one of the bridge's members
};

inline constexpr uint32_t kDefaultArpLimit = 4096;

struct BridgeSpec {
    std::string name;
    uint32_t vni = 0;  // VXLAN's VNI, or GRE's key
    encap::Encap encap = encap::Encap::Vxlan;
    std::optional<IpAddress> group;    // 224.0.0.0/4 or ff00::/8
    std::vector<IpAddress> floodVteps;
    std::vector<MemberSpec> members;
    std::vector<StaticMacSpec> staticMacs;
    std::optional<bool> learning;  // absent = vxlan.learning
    uint32_t macLimit = 0;         // learned MACs in this bridge; 0 = only the table's size
    bool keepInnerVlan = false;    // accept decapsulated frames that carry an 802.1Q tag
    std::vector<IpAddress> allowedVteps;  // if not empty, VXLAN from other sources is dropped

    // L3 on the overlay. With addresses, vtepd is the bridge's gateway: it answers ARP and
    // ping for them and routes what is sent to the gateway MAC to the other bridges of its VRF.
    std::vector<Ipv4Prefix> addresses;
    std::optional<MacAddress> gatewayMac;  // absent: derived from the underlay port's MAC
    std::string vrf = "default";
    bool arpSuppression = false;           // answer ARP for known hosts instead of flooding it
    std::vector<NeighborSpec> neighbors;   // static IP -> MAC bindings of hosts in the bridge
    uint32_t arpLimit = kDefaultArpLimit;  // snooped bindings kept for this bridge
    // Whether vtepd reads this bridge's ARP (it has addresses, suppression or static bindings).
    bool arpAware() const { return !addresses.empty() || arpSuppression || !neighbors.empty(); }
};

// Per-VTEP overrides (top-level "vteps"): a VTEP that speaks VXLAN on another UDP port.
struct VtepSpec {
    IpAddress address;
    std::optional<uint16_t> udpPort;
};

// BGP EVPN through FRR (top-level "evpn"): vtepd mirrors its bridges as Linux shadow devices
// that zebra reads and writes over netlink.
struct EvpnSpec {
    std::string prefix = "ev";         // shadow devices: <prefix>b<VNI> bridge, <prefix>x<VNI> vxlan, <prefix>p<VNI> port
    std::vector<std::string> bridges;  // empty: every VXLAN bridge
    bool dataPlaneLearning = false;    // also learn remote MACs from the tunnel
};

struct Config {
    std::vector<PortSpec> ports;  // in file order: port ids follow it
    UnderlaySpec underlay;
    VxlanSpec vxlan;
    std::vector<VtepSpec> vteps;
    // The UDP port VXLAN to this VTEP goes to: its override, else vxlan.udp_port.
    uint16_t udpPortOf(const IpAddress& vtep) const {
        for (const auto& v : vteps)
            if (v.address == vtep && v.udpPort) return *v.udpPort;
        return vxlan.udpPort;
    }
    std::vector<BridgeSpec> bridges;  // in file order
    std::optional<EvpnSpec> evpn;
    // Whether the bridge may send over IPv6 (an IPv6-only underlay, or IPv6 VTEPs or group
    // on a dual-stack one), and so what encapsulation costs it at most: its frames must fit
    // the underlay MTU whichever family carries them.
    bool reachesIpv6(const BridgeSpec& b) const;
    uint16_t overheadOf(const BridgeSpec& b) const;
    // Whether the bridge's flood list and remote MACs come from EVPN.
    bool evpnBridge(const BridgeSpec& b) const;

    const PortSpec* findPort(const std::string& name) const;
    // The IP MTU vtepd sets on a port's NIC: underlay.mtu on the underlay port, the port's
    // `mtu` (or 1500) elsewhere.
    uint16_t portMtu(const std::string& name) const;
    const BridgeSpec* findBridge(const std::string& name) const;
    // The MAC a bridge's gateway answers with: gateway_mac, or one derived from `underlayMac`
    // (locally administered, distinct from it) and the same for every bridge.
    static MacAddress gatewayMacOf(const BridgeSpec& b, const MacAddress& underlayMac);
};

}  // namespace vtepgw::config
