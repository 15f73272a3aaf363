// The control core: the only writer of configuration, MAC table and neighbour table.
// It turns the configuration into forwarding-state snapshots, learns MACs on the workers'
// behalf, answers ARP and ping for the underlay address, resolves next hops, ages entries,
// and publishes a new snapshot whenever something the workers read has changed.
#pragma once

#include <rte_ether.h>
#include <rte_mempool.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "config/model.h"
#include "control/tunnel_table.h"
#include "counters/counters.h"
#include "dataplane/worker.h"
#include "fdb/fdb.h"
#include "evpn/fabric.h"
#include "host/host_stack.h"
#include "overlay/arp_table.h"
#include "overlay/resolver.h"
#include "overlay/vrf_table.h"
#include "state/forwarding_state.h"
#include "underlay/igmp.h"
#include "underlay/igmp_host.h"
#include "underlay/mld_host.h"
#include "underlay/neighbors.h"
#include "underlay/routes.h"

namespace vtepgw::control {

// A configured port as the control core sees it after EAL set it up.
struct PortBinding {
    std::string name;
    uint16_t portId = 0;
    rte_ether_addr mac{};
    bool kernelChecksums = false;  // frames may carry partial checksums (af_packet, af_xdp)
};

class Controller {
public:
    // `ports` must cover every port of `cfg`. Nothing is published until start().
    Controller(config::Config cfg, std::vector<PortBinding> ports, fdb::Fdb& fdb, overlay::ArpTable& arp,
               state::StatePublisher& publisher, dataplane::Channels channels, rte_mempool* pool,
               std::atomic<uint32_t>& clock, underlay::NeighborTimings neighborTimings = {});

    // The host interface: a port only the control core uses (punted packets go out of it,
    // what the kernel sends comes in from it) and the kernel side to keep configured. Before
    // start(); the stack must outlive the controller.
    void attachHost(uint16_t portId, host::HostStack* stack) {
        hostPort_ = portId;
        hostStack_ = stack;
    }
    std::optional<uint16_t> hostPort() const { return hostPort_; }
    // What the last sync of the host interface could not do (empty when all went in).
    const std::vector<std::string>& hostProblems() const { return hostProblems_; }

    // BGP EVPN: the fabric whose remote MACs and flood lists fill the EVPN bridges, and which
    // is told their local MACs. Before start(); must outlive the controller.
    void attachEvpn(evpn::Fabric* fabric) { evpn_ = fabric; }
    const evpn::Fabric* evpn() const { return evpn_; }
    // Whether the tunnel exists because EVPN named its VTEP (a type-3 or type-2 route).
    bool evpnTunnel(uint16_t id) const { return evpnTunnels_.count(id) != 0; }

    // Installs static MACs and neighbours, publishes the first snapshot, announces our
    // address (gratuitous ARP) and starts resolving next hops.
    void start();
    // One round of control work; returns false when there was nothing to do (the caller
    // may then sleep a little).
    bool poll();
    // Applies a new configuration as one transaction. Returns the errors that prevent it
    // (then nothing changed); ports and underlay port cannot change at run time.
    std::vector<std::string> apply(const config::Config& next);

    const config::Config& config() const { return cfg_; }
    const counters::WorkerCounters& counters() const { return counters_; }
    // The workers whose counters totals() adds up (with the control core's own).
    void attachWorkers(std::vector<const counters::WorkerCounters*> workers) { workers_ = std::move(workers); }
    const std::vector<const counters::WorkerCounters*>& workers() const { return workers_; }
    // Every counter since start, less the baseline: counters read since the last
    // clearCounters(), and a bridge's counters since that bridge was created (a bridge id
    // freed by one bridge and given to another later never carries the old figures over).
    counters::Totals totals() const;
    // The same without the --clear baseline (monotonic: what rates are computed from).
    counters::Totals rawTotals() const;
    void clearCounters();
    const underlay::NeighborTable& neighbors() const { return neighbors_; }
    const underlay::RouteTable& routes() const { return routes_; }
    const overlay::ArpTable& arp() const { return arp_; }
    // The MAC the bridge's gateway answers with.
    rte_ether_addr gatewayMac(const config::BridgeSpec& b) const;
    // Routed packets waiting for ARP now (one mbuf each).
    size_t routedHeld() const { return resolver_.heldPackets(); }
    const std::map<std::string, fdb::BridgeId>& bridgeIds() const { return bridgeIds_; }
    const std::vector<PortBinding>& ports() const { return ports_; }
    // Remote tunnels we know (configured or learned) and their ids (also their counter slots).
    const TunnelTable& tunnels() const { return tunnels_; }
    // Whether `id` is one of the configuration's tunnels (not learned).
    bool configuredTunnel(uint16_t id) const { return configuredTunnels_.count(id) != 0; }
    // Multicast groups joined on the underlay, with the time of the last report (ms).
    const std::map<uint32_t, uint64_t>& groups() const { return igmp_.groups(); }
    // The IGMP version spoken now (lower than configured while an older querier is present).
    uint8_t igmpVersion() const { return igmp_.version(nowMs()); }
    // Before exit: leaves for every joined group (queued to worker 0, which must still run).
    void shutdown();
    uint64_t nowMs() const;

private:
    // Keeps the ids of bridges that stay; a new bridge gets an id that no bridge of
    // `previous` held, so nothing learned for a bridge removed in the same transaction can
    // be taken for the new one's. Records the counter baseline of every new id.
    void assignBridgeIds(const std::map<std::string, fdb::BridgeId>& previous);
    // Brings the table's static entries to what the configuration lists: removes those no
    // longer listed and writes new or changed ones in place. Entries that did not change are
    // not touched, so no bridge floods while another one's statics change.
    void syncStatics();
    // The tunnel's id, created when new (counters baselined, snapshot marked dirty).
    std::optional<uint16_t> tunnelFor(const TunnelKey& key);
    // After a transaction's snapshot is published: processes learn requests the workers
    // queued under the previous snapshot, then removes what the change made wrong.
    void flushAfterChange(const config::Config& previous);
    std::unique_ptr<state::ForwardingState> buildState();
    void publish();
    // Learns what the workers asked for (a bounded batch); returns how many requests.
    unsigned drainLearn();
    void drainExceptions();
    void handleArp(rte_mbuf* m);
    void handleIcmp(rte_mbuf* m);
    void handleAwaitNeighbor(rte_mbuf* m);
    void handleIgmp(rte_mbuf* m);
    // Hands m to the host interface (sent at the end of the exception batch).
    void toHost(rte_mbuf* m);
    void flushHost();
    // What the kernel sent out of the host interface leaves by the underlay port.
    bool drainHost();
    void syncHost();
    // Shadow devices for the EVPN bridges (created, kept, removed with them).
    void syncEvpn();
    // Makes the table's EVPN entries and the tunnels behind them what the fabric says.
    void applyEvpn();
    // Tells the fabric the local MACs of the EVPN bridges.
    void publishEvpnLocal();
    // Overlay L3 (controller_overlay.cpp): VRF tables and static bindings after a change.
    void syncOverlay();
    void fillOverlay(state::ForwardingState& s) const;
    // Queues m for worker 0 to forward inside `bridge` (as if received with `from`'s
    // ingress, or originated by us when null).
    void injectInto(fdb::BridgeId bridge, rte_mbuf* m, const dataplane::PacketMeta* from);
    void snoop(fdb::BridgeId id, const config::BridgeSpec& spec, uint32_t ip, const rte_ether_addr& mac);
    void releaseRouted(rte_mbuf* m, fdb::BridgeId bridge);
    void giveUpRouted(rte_mbuf* m);
    void handleBridgeArp(rte_mbuf* m);
    void handleGatewayLocal(rte_mbuf* m);
    void handleAwaitOverlayArp(rte_mbuf* m);
    void handleIcmpError(rte_mbuf* m);
    void sendOverlayArpRequest(fdb::BridgeId bridge, uint32_t ip);
    // Sends the ICMP error about m (consumed) into `bridge`, to `to`, within the rate limit.
    void sendIcmpError(rte_mbuf* m, dataplane::IcmpError error, fdb::BridgeId bridge, const rte_ether_addr& to);
    void tickOverlay(uint64_t nowMs, bool newSecond);
    // Joins groups the configuration added, leaves those it dropped (IGMP).
    void syncGroups();
    void sendFrame(const std::vector<uint8_t>& bytes);
    void sendIgmp(const std::vector<std::vector<uint8_t>>& frames);
    void releaseHeld(const underlay::NeighborTable::Update& u);
    void sendArpRequest(netaddr::Ipv4Address target);
    // Resolves a next hop of either family (ARP request or neighbour solicitation).
    void solicit(const netaddr::IpAddress& target);
    // Tells the underlay we are here: gratuitous ARP, and for IPv6 DAD then an unsolicited
    // neighbour advertisement (at start and when the carrier comes back).
    void announce();
    netaddr::Ipv4Address ourIpv4() const;  // 0.0.0.0 on an IPv6-only underlay
    static netaddr::IpAddress remoteOf(const encap::Tunnel& t);
    static std::optional<netaddr::IpAddress> nextHopOf(const encap::Tunnel& t);
    // The outer destination of an encapsulated frame (either family).
    static std::optional<netaddr::IpAddress> outerDestination(const rte_mbuf* m);
    static bool allowedVtep(const state::BridgeState& b, const netaddr::IpAddress& a);
    // The IPv6 underlay (controller_ipv6.cpp): neighbour discovery, echo, MLD.
    void handleIcmpv6(rte_mbuf* m);
    void sendNeighborSolicitation(const netaddr::Ipv6Address& target);
    void announce6();
    void syncGroups6();
    void sendMld(const std::vector<std::vector<uint8_t>>& frames);
    // Queues m for the underlay port; false (m dropped as tx_full) when the ring is full.
    bool transmit(rte_mbuf* m);
    // Sends, or drops, a packet that waited for its next hop, settling its fate.
    void release(rte_mbuf* m);
    void unsend(rte_mbuf* m, counters::Drop reason);
    void tick();
    // Follows the underlay carrier: after it comes back, announce ourselves again, refresh
    // the next hops and repeat our IGMP joins (a switch or router may have forgotten us).
    void checkLink();
    void sweepLearnedVteps();
    uint16_t portIdOf(const std::string& name) const;
    void dropPacket(rte_mbuf* m, counters::Drop reason) {
        counters_.drop(reason);
        rte_pktmbuf_free(m);
    }

    config::Config cfg_;
    std::vector<PortBinding> ports_;
    fdb::Fdb& fdb_;
    overlay::ArpTable& arp_;
    state::StatePublisher& publisher_;
    dataplane::Channels channels_;
    rte_mempool* pool_;
    std::atomic<uint32_t>& clock_;

    underlay::RouteTable routes_;
    underlay::NeighborTable neighbors_;
    std::map<std::string, fdb::BridgeId> bridgeIds_;
    std::vector<const config::BridgeSpec*> bridgeById_;  // into cfg_, by BridgeId
    TunnelTable tunnels_;                  // configured + learned remote tunnels
    std::set<uint16_t> configuredTunnels_;
    uint16_t underlayPort_ = 0;
    rte_ether_addr underlayMac_{};
    uint64_t startTsc_ = 0;
    uint64_t tscHz_ = 1;
    uint64_t lastTickMs_ = 0;
    uint64_t lastSweepMs_ = 0;
    uint32_t lastAgeSecond_ = 0;
    bool dirty_ = false;
    bool linkUp_ = true;  // underlay carrier as last seen
    underlay::IgmpHost igmp_;
    underlay::MldHost mld_;
    counters::WorkerCounters counters_;  // the control core's own drops and events
    std::vector<const counters::WorkerCounters*> workers_;
    counters::Totals baseline_;
    std::optional<uint16_t> hostPort_;
    host::HostStack* hostStack_ = nullptr;
    std::vector<std::string> hostProblems_;
    evpn::Fabric* evpn_ = nullptr;
    std::set<uint16_t> evpnTunnels_;
    uint64_t lastEvpnPublishMs_ = 0;
    int metaOffset_ = -1;
    overlay::Resolver resolver_;
    std::vector<std::shared_ptr<const overlay::VrfTable>> vrfTables_;
    std::map<std::string, uint16_t> vrfIndex_;
    std::string overlaySignature_;
    uint64_t icmpTokens_ = 0;    // ICMP error budget, in thousandths of an error
    uint64_t icmpRefillMs_ = 0;
    rte_mbuf* hostTx_[64];
    uint16_t hostTxCount_ = 0;
};

}  // namespace vtepgw::control
