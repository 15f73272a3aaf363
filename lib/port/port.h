// Port bring-up (l2fwd's order): find or probe the device, dev_info, configure, adjust
// descriptors, queues, start, wait for link. Every failure names the port and DPDK's reason.
#pragma once

#include <rte_ether.h>
#include <rte_mempool.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "config/model.h"
#include "port/profile.h"

namespace vtepgw::port {

struct PortError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

inline constexpr uint16_t kRxDescriptors = 1024;
inline constexpr uint16_t kTxDescriptors = 1024;

struct OpenedPort {
    std::string name;
    uint16_t portId = 0;
    rte_ether_addr mac{};
    uint16_t queues = 1;
    uint16_t rxDescriptors = kRxDescriptors;
    uint16_t txDescriptors = kTxDescriptors;
    std::string driver;
    Profile profile;
    bool rssInUse = false;
    bool multiSegInUse = false;
    bool rssHashInUse = false;      // RX: the NIC's flow hash is the outer source port's entropy
    bool rxIpv4ChecksumInUse = false;
    bool txIpv4ChecksumInUse = false;
    uint16_t mtu = 1500;
    // PMDs over a Linux interface (af_packet, af_xdp): its name, and whether its frames can
    // carry the kernel's partial checksums (the worker completes them).
    std::string kernelInterface;
    bool kernelChecksums = false;
    bool segmentationGuard = false;  // our XDP program keeps a veth peer from sending super-frames
    std::string notes;               // what was set on the kernel interface, for the log
};

// Finds `spec.device` among the devices EAL probed; a device string with arguments
// ("net_af_packet0,iface=eth0") that is not there yet is hot-plugged, for net_af_packet with
// the frame size `mtu` needs unless the arguments give one. Throws PortError.
uint16_t resolveDevice(const config::PortSpec& spec, uint16_t mtu = 1500);

// The mbuf data room (headroom included) that receiving `mtu`-sized frames on the port takes:
// one mbuf a frame (net_af_packet cannot chain, and nothing here needs to).
uint16_t rxDataRoom(uint16_t portId, uint16_t mtu);

// Configures `queues` RX and TX queue pairs (one per worker) and starts the port.
// `promiscuous`: access ports must see every host's frames.
// `profileDir` holds the PMD profiles (drivers-config/).
// `mtu` is set on the NIC (or the Linux interface behind it); a device that cannot carry it is
// an error naming the fix.
OpenedPort openPort(const config::PortSpec& spec, uint16_t portId, uint16_t queues,
                    rte_mempool* pool, bool promiscuous, const std::string& profileDir = "",
                    uint16_t mtu = 1500);

// Waits up to timeoutMs for link up; returns a one-line status.
std::string waitForLink(uint16_t portId, unsigned timeoutMs);

void closePort(uint16_t portId);

// Whether the port can carry traffic: the PMD's link status and, for PMDs over a Linux
// interface (af_packet, af_xdp, tap report if_index), that interface's carrier, which those
// PMDs do not reflect in their link status.
bool linkUp(uint16_t portId);

// The mbuf count for `ports` ports with `queues` queue pairs each and `lcores` lcores,
// plus the rings the control plane keeps packets in (DPDK's sizing rule: every place a
// buffer can sit, counted once).
uint32_t mbufPoolSize(uint16_t ports, uint16_t queues, uint32_t lcores, uint32_t ringSlots);

}  // namespace vtepgw::port
