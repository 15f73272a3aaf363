#include "port/port.h"

#include <rte_devargs.h>

#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_errno.h>

#include <net/if.h>

#include <algorithm>
#include <cstdlib>

#include <chrono>
#include <fstream>
#include <thread>

#include "port/linux_iface.h"

namespace vtepgw::port {
namespace {

std::string why(int rc) { return rte_strerror(rc < 0 ? -rc : rc); }

[[noreturn]] void fail(const config::PortSpec& spec, const std::string& what, int rc) {
    throw PortError("port '" + spec.name + "' (" + spec.device + "): " + what + ": " + why(rc) +
                    " (" + std::to_string(rc) + ")");
}

}  // namespace

namespace {

// Largest frame on a port of this MTU: Ethernet header and one 802.1Q tag.
constexpr uint32_t kFrameOverhead = 18;

bool isAfPacket(const std::string& device) { return device.rfind("net_af_packet", 0) == 0; }

// A net_af_packet device's capture slot size (its framesz argument, 2048 by default).
uint32_t afPacketFramesz(uint16_t portId) {
    rte_eth_dev_info info{};
    if (rte_eth_dev_info_get(portId, &info) != 0 || info.device == nullptr) return 2048;
    const rte_devargs* da = rte_dev_devargs(info.device);
    const std::string args = da != nullptr && da->args != nullptr ? da->args : "";
    const auto at = args.find("framesz=");
    return at == std::string::npos ? 2048 : static_cast<uint32_t>(std::strtoul(args.c_str() + at + 8, nullptr, 10));
}

bool portIsAfPacket(uint16_t portId) {
    rte_eth_dev_info info{};
    return rte_eth_dev_info_get(portId, &info) == 0 && info.driver_name != nullptr &&
           std::string(info.driver_name) == "net_af_packet";
}

}  // namespace

uint16_t rxDataRoom(uint16_t portId, uint16_t mtu) {
    // af_packet refuses a queue whose mbufs are smaller than its slot less 32 bytes.
    uint32_t room = portIsAfPacket(portId) ? afPacketFramesz(portId) - 32 : mtu + kFrameOverhead;
    room = std::max<uint32_t>(room, RTE_MBUF_DEFAULT_DATAROOM) + RTE_PKTMBUF_HEADROOM;
    return static_cast<uint16_t>(std::min<uint32_t>(room, UINT16_MAX));
}

uint16_t resolveDevice(const config::PortSpec& spec, uint16_t mtu) {
    const std::string name = spec.device.substr(0, spec.device.find(','));
    uint16_t id;
    if (rte_eth_dev_get_port_by_name(name.c_str(), &id) == 0) return id;
    if (spec.device.find(',') != std::string::npos) {
        std::string device = spec.device;
        const uint32_t slot = afPacketFrameSizeFor(mtu + kFrameOverhead);
        if (isAfPacket(device) && device.find("framesz=") == std::string::npos && slot > 2048)
            device += ",framesz=" + std::to_string(slot) + ",blocksz=" + std::to_string(2 * slot);
        const int rc = rte_dev_probe(device.c_str());
        if (rc != 0) fail(spec, "cannot probe device", rc);
        if (rte_eth_dev_get_port_by_name(name.c_str(), &id) == 0) return id;
    }
    // Given to EAL but not there: EAL could not create it (its own messages above say why).
    for (const rte_devargs* da = rte_devargs_next(nullptr, nullptr); da != nullptr; da = rte_devargs_next(nullptr, da))
        if (name == da->name)
            throw PortError("port '" + spec.name + "': device '" + name +
                            "' was given to EAL but did not come up (see EAL's messages above: a missing "
                            "interface behind iface=, a PCI device not bound to a DPDK driver)");
    throw PortError("port '" + spec.name + "': device '" + name +
                    "' not found; pass it to EAL (--vdev=" + name + ",... or -a <PCI address>) "
                    "or give its arguments in the config (\"device\": \"" + name + ",iface=...\")");
}

OpenedPort openPort(const config::PortSpec& spec, uint16_t portId, uint16_t queues,
                    rte_mempool* pool, bool promiscuous, const std::string& profileDir, uint16_t mtu) {
    OpenedPort p;
    p.name = spec.name;
    p.portId = portId;
    p.queues = queues;
    rte_eth_dev_info info{};
    int rc = rte_eth_dev_info_get(portId, &info);
    if (rc != 0) fail(spec, "cannot read device info", rc);
    p.driver = info.driver_name ? info.driver_name : "";
    p.profile = loadProfile(profileDir, spec.profile.empty() ? profileForDriver(p.driver) : spec.profile,
                            !spec.profile.empty());
    p.rxDescriptors = p.profile.rxDescriptors;
    p.txDescriptors = p.profile.txDescriptors;
    if (info.max_rx_queues < queues || info.max_tx_queues < queues)
        throw PortError("port '" + spec.name + "' (" + spec.device + "): needs " +
                        std::to_string(queues) + " RX/TX queue pairs (one per worker), device has " +
                        std::to_string(info.max_rx_queues) + "/" + std::to_string(info.max_tx_queues) +
                        " (for net_af_packet add qpairs=" + std::to_string(queues) + ")");
    rte_eth_conf conf{};
    p.mtu = mtu;
    p.kernelInterface = interfaceName(info.if_index);
    if (!p.kernelInterface.empty()) {
        // The kernel interface is what carries the MTU; af_packet's ethdev MTU check (frames
        // of at most 1518 bytes) does not describe what it can do.
        p.kernelChecksums = p.driver == "net_af_packet" || p.driver == "net_af_xdp";
        if (p.driver == "net_af_packet") {
            const uint32_t framesz = afPacketFramesz(portId);
            if (afPacketFrameCapacity(framesz) < mtu + kFrameOverhead) {
                const uint32_t slot = afPacketFrameSizeFor(mtu + kFrameOverhead);
                throw PortError("port '" + spec.name + "' (" + spec.device + "): MTU " + std::to_string(mtu) +
                                " needs frames of " + std::to_string(mtu + kFrameOverhead) + " bytes, framesz=" +
                                std::to_string(framesz) + " captures " + std::to_string(afPacketFrameCapacity(framesz)) +
                                ": add framesz=" + std::to_string(slot) + ",blocksz=" + std::to_string(2 * slot) +
                                " to the device's arguments");
            }
        } else if (info.max_mtu < mtu) {
            throw PortError("port '" + spec.name + "' (" + spec.device + "): MTU " + std::to_string(mtu) +
                            " is above what " + p.driver + " carries (" + std::to_string(info.max_mtu) + ")");
        }
        const std::string err = setInterfaceMtu(p.kernelInterface, mtu);
        if (!err.empty())
            throw PortError("port '" + spec.name + "': cannot set MTU " + std::to_string(mtu) + " on " +
                            p.kernelInterface + ": " + err);
        p.notes = "mtu " + std::to_string(mtu) + " on " + p.kernelInterface;
        const std::string merging = disableReceiveMerging(p.kernelInterface);
        p.notes += merging.empty() ? ", gro/lro off" : ", gro/lro left on (" + merging + ")";
        // The kernel's own IPv6 chatter on this interface would reach us as received frames.
        const std::string v6 = disableKernelIpv6(p.kernelInterface);
        p.notes += v6.empty() ? ", kernel ipv6 off (no RS/MLD/DAD of its own)" : ", kernel ipv6 left on (" + v6 + ")";
        if (p.driver == "net_af_packet") {
            std::string why;
            p.segmentationGuard = attachSegmentationGuard(info.if_index, why);
            p.notes += p.segmentationGuard ? ", xdp pass attached (a veth peer segments its TSO frames)"
                                           : ", no xdp guard (" + why + ")";
        }
    } else {
        if (info.max_mtu < mtu)
            throw PortError("port '" + spec.name + "' (" + spec.device + "): MTU " + std::to_string(mtu) +
                            " is above the device's maximum (" + std::to_string(info.max_mtu) + ")");
        conf.rxmode.mtu = mtu;
        p.notes = "mtu " + std::to_string(mtu);
    }
    if (p.profile.rss && queues > 1 && info.flow_type_rss_offloads != 0) {
        p.rssInUse = true;
        conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
        conf.rx_adv_conf.rss_conf.rss_hf =
            (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP | RTE_ETH_RSS_TCP) & info.flow_type_rss_offloads;
    }
    // The NIC's RSS hash is flow entropy for the outer source port, even with one queue.
    if (p.profile.rss && info.flow_type_rss_offloads != 0 &&
        (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_RSS_HASH)) {
        conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
        conf.rx_adv_conf.rss_conf.rss_hf =
            (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP | RTE_ETH_RSS_TCP) & info.flow_type_rss_offloads;
        conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_RSS_HASH;
        p.rssHashInUse = true;
    }
    if (p.profile.ipv4Checksum && (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM)) {
        conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
        p.rxIpv4ChecksumInUse = true;
    }
    if (p.profile.ipv4Checksum && (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM)) {
        conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
        p.txIpv4ChecksumInUse = true;
    }
    // Flood copies are a header mbuf chained to the shared payload.
    if (p.profile.multiSegTx && (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS)) {
        conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
        p.multiSegInUse = true;
    }
    rc = rte_eth_dev_configure(portId, queues, queues, &conf);
    if (rc != 0) fail(spec, "rte_eth_dev_configure", rc);
    rc = rte_eth_dev_adjust_nb_rx_tx_desc(portId, &p.rxDescriptors, &p.txDescriptors);
    if (rc != 0) fail(spec, "cannot adjust descriptor counts", rc);
    const int socket = rte_eth_dev_socket_id(portId);
    const unsigned sock = socket < 0 ? 0 : static_cast<unsigned>(socket);
    for (uint16_t q = 0; q < queues; ++q) {
        rte_eth_rxconf rxconf = info.default_rxconf;
        rxconf.offloads = conf.rxmode.offloads;
        rc = rte_eth_rx_queue_setup(portId, q, p.rxDescriptors, sock, &rxconf, pool);
        if (rc != 0) fail(spec, "RX queue " + std::to_string(q) + " setup", rc);
        rte_eth_txconf txconf = info.default_txconf;
        txconf.offloads = conf.txmode.offloads;
        rc = rte_eth_tx_queue_setup(portId, q, p.txDescriptors, sock, &txconf);
        if (rc != 0) fail(spec, "TX queue " + std::to_string(q) + " setup", rc);
    }
    rc = rte_eth_dev_start(portId);
    if (rc != 0) fail(spec, "cannot start", rc);
    if (promiscuous) {
        rc = rte_eth_promiscuous_enable(portId);
        // Virtual devices that see all frames anyway may not implement it.
        if (rc != 0 && rc != -ENOTSUP) fail(spec, "cannot enable promiscuous mode", rc);
    } else {
        rte_eth_allmulticast_enable(portId);  // ARP broadcasts and, later, our VXLAN groups
    }
    rc = rte_eth_macaddr_get(portId, &p.mac);
    if (rc != 0) fail(spec, "cannot read MAC address", rc);
    return p;
}

std::string waitForLink(uint16_t portId, unsigned timeoutMs) {
    rte_eth_link link{};
    for (unsigned waited = 0;; waited += 100) {
        if (rte_eth_link_get_nowait(portId, &link) == 0 && link.link_status == RTE_ETH_LINK_UP) break;
        if (waited >= timeoutMs) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    char text[RTE_ETH_LINK_MAX_STR_LEN];
    rte_eth_link_to_str(text, sizeof text, &link);
    return text;
}

bool linkUp(uint16_t portId) {
    rte_eth_link link{};
    if (rte_eth_link_get_nowait(portId, &link) != 0 || link.link_status != RTE_ETH_LINK_UP) return false;
    rte_eth_dev_info info{};
    char name[IF_NAMESIZE];
    if (rte_eth_dev_info_get(portId, &info) != 0 || info.if_index == 0 ||
        if_indextoname(info.if_index, name) == nullptr)
        return true;
    std::ifstream carrier(std::string("/sys/class/net/") + name + "/carrier");
    int value = 1;
    carrier >> value;  // unreadable (no sysfs): trust the PMD
    return value != 0;
}

void closePort(uint16_t portId) {
    rte_eth_dev_info info{};
    if (rte_eth_dev_info_get(portId, &info) == 0 && info.if_index != 0) {
        detachSegmentationGuard(info.if_index);
        detachIngressBlind(info.if_index);
    }
    rte_eth_dev_stop(portId);
    rte_eth_dev_close(portId);
}

uint32_t mbufPoolSize(uint16_t ports, uint16_t queues, uint32_t lcores, uint32_t ringSlots) {
    constexpr uint32_t kCache = 256;
    constexpr uint32_t kTxBufferPerPort = 64;
    constexpr uint32_t kBurst = 32;
    const uint64_t n = uint64_t{ports} * queues * (kRxDescriptors + kTxDescriptors) +
                       uint64_t{lcores} * (kCache + kBurst + uint64_t{ports} * kTxBufferPerPort) +
                       ringSlots + 4096;  // flood copies in flight and held packets
    uint32_t size = 1;
    while (size < n) size <<= 1;
    return size - 1;  // a power of two minus one suits the mempool's ring
}

}  // namespace vtepgw::port
