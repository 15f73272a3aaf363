// The forwarding state: an immutable snapshot of everything the workers need besides the
// MAC table — port roles, VLAN-to-bridge maps, bridges and their flood targets, and one
// precomputed outer header per remote VTEP and multicast group. The control core builds a
// new snapshot for every change and publishes it with StatePublisher; workers load the
// current pointer once per burst and never see a half-made change.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "encap/tunnel.h"
#include "fdb/fdb.h"
#include "overlay/vrf_table.h"
#include "packet/headers.h"
#include "punt/classes.h"
#include "state/flat_map.h"

namespace vtepgw::rcu {
class QsbrDomain;
}

namespace vtepgw::state {

inline constexpr uint16_t kMaxPorts = 32;
inline constexpr uint16_t kMaxBridges = 4096;
// Per-tunnel traffic counters are indexed by tunnel id.
inline constexpr uint16_t kMaxVtepStats = encap::kMaxTunnels;

enum class PortRole : uint8_t { Unused, Access, Underlay };

// A bridge member: a port, untagged (vlan 0) or tagged with `vlan`.
struct Member {
    uint16_t port = 0;
    uint16_t vlan = 0;
    bool operator==(const Member& o) const { return port == o.port && vlan == o.vlan; }
};

struct PortState {
    PortRole role = PortRole::Unused;
    std::string name;  // the configuration's name (packet trace, never the fast path)
    // Frames from the local kernel (af_packet, af_xdp) whose TCP/UDP checksum may be partial:
    // completed before they leave (vxlan/checksum.h).
    bool completeChecksums = false;
    fdb::BridgeId untaggedBridge = fdb::kNoBridge;
    std::vector<fdb::BridgeId> vlanBridge;  // 4096 entries when the port has tagged members

    fdb::BridgeId bridgeFor(uint16_t vlan) const {
        if (vlan == 0) return untaggedBridge;
        return vlanBridge.empty() ? fdb::kNoBridge : vlanBridge[vlan & 0xFFF];
    }
};

struct BridgeState {
    bool active = false;
    std::string name;
    uint32_t vni = 0;
    encap::Encap encap = encap::Encap::Vxlan;
    uint32_t keyWireBe = 0;     // the VNI as the encapsulation writes it (VXLAN word, GRE key)
    uint32_t maxInnerLen = 0;   // largest inner frame the underlay MTU carries in this encapsulation
    bool learning = true;        // learn source MACs (from local members)
    bool learnFromTunnel = true; // ... and from decapsulated frames (off under EVPN: BGP tells)
    bool keepInnerVlan = false;
    bool restrictVteps = false;  // VXLAN accepted only from allowedVteps (IPv4) and allowedVteps6
    FlatMap32 allowedVteps;
    FlatMap128 allowedVteps6;
    std::vector<Member> members;
    // Whether this bridge takes VXLAN from a VTEP (any, unless restrictVteps): the workers'
    // acceptance and the control core's learning ask the same question here.
    bool allows(uint32_t vtepHost) const { return !restrictVteps || allowedVteps.find(vtepHost) >= 0; }
    bool allows6(const uint8_t* vtep6) const { return !restrictVteps || allowedVteps6.find(vtep6) >= 0; }
    std::vector<uint16_t> floodTunnels;  // ids of active tunnels of this snapshot: head-end replication list and group

    // L3 on the overlay (config::BridgeSpec::addresses and arp_suppression).
    bool l3 = false;           // either of the two below: one test on the fast path
    bool arpAware = false;     // ARP frames go through the control core (gateway, suppression, snooping)
    bool routing = false;      // frames to gatewayMac are routed (the bridge has addresses)
    rte_ether_addr gatewayMac{};
    uint16_t vrf = 0;          // index into ForwardingState::vrfs
};

struct ForwardingState {
    uint64_t generation = 0;
    std::array<PortState, kMaxPorts> ports{};
    uint16_t underlayPort = 0;
    uint32_t localIpBe = 0;       // 0: no IPv4 underlay address
    bool hasIp6 = false;          // an IPv6 underlay address (localIp6)
    uint8_t localIp6[16] = {};
    // Zero UDP checksums accepted on VXLAN over IPv6 (RFC 6935; Linux udp6zerocsumrx).
    bool udp6ZeroChecksumRx = false;
    rte_ether_addr localMac{};
    // UDP ports VXLAN is accepted on: vxlan.udp_port first, then the `vteps` overrides.
    static constexpr uint8_t kMaxVxlanPorts = 8;
    std::array<uint16_t, kMaxVxlanPorts> vxlanPortsBe{};
    uint8_t vxlanPortCount = 0;
    uint16_t sourcePortMin = 49152;
    uint32_t sourcePortSpan = 16384;  // max - min + 1
    uint16_t underlayMtu = 1500;
    // A host interface exists: TCP, UDP (not VXLAN) and other IP to our address go up to it
    // instead of being dropped.
    bool hostPunt = false;
    std::array<uint32_t, punt::kClassCount> puntPps = punt::kDefaultPps;  // all workers together

    std::vector<BridgeState> bridges;  // indexed by BridgeId
    FlatMap32 vniToBridge;             // VXLAN bridges: VNI -> BridgeId
    FlatMap32 greKeyToBridge;          // GRE bridges: key -> BridgeId
    std::vector<encap::Tunnel> tunnels;  // by tunnel id (inactive slots for ids not in use)
    std::array<FlatMap32, encap::kEncapCount> tunnelOf;  // per encapsulation: remote IPv4 -> tunnel id
    std::array<FlatMap128, encap::kEncapCount> tunnelOf6;  // per encapsulation: remote IPv6 -> tunnel id
    FlatMap32 groups;        // multicast groups we joined (host order) -> 1: VXLAN to them is ours
    FlatMap128 groups6;      // the same for IPv6 groups
    // Routing tables of the VRFs, shared with the snapshots before and after this one.
    std::vector<std::shared_ptr<const overlay::VrfTable>> vrfs;

    const encap::Tunnel* tunnel(uint32_t id) const {
        return id < tunnels.size() && tunnels[id].active ? &tunnels[id] : nullptr;
    }
    const BridgeState* bridge(fdb::BridgeId id) const {
        return id < bridges.size() && bridges[id].active ? &bridges[id] : nullptr;
    }
};

// Publishes snapshots to the workers and reclaims old ones after an RCU grace period.
class StatePublisher {
public:
    explicit StatePublisher(rcu::QsbrDomain& rcu) : rcu_(rcu) {}
    ~StatePublisher();

    // Reader side: the current snapshot (never null once the first one is published).
    const ForwardingState* current() const { return current_.load(std::memory_order_acquire); }

    // Writer side: makes `next` current, waits until no worker can still be reading the
    // previous one and frees it. Blocks the control core for one worker loop at most.
    void publish(std::unique_ptr<ForwardingState> next);

private:
    rcu::QsbrDomain& rcu_;
    std::atomic<const ForwardingState*> current_{nullptr};
    uint64_t generation_ = 0;
};

}  // namespace vtepgw::state
