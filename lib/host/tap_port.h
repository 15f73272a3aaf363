// The host interface's DPDK side: a net_tap device whose kernel end carries our address.
// net_tap rather than virtio_user: virtio_user's kernel backend needs /dev/vhost-net, which
// VMs and containers often lack (these machines do), while /dev/net/tun is everywhere; KNI is
// gone from DPDK. The exception path's rates (BGP, SSH, a bulk copy) are well within what a
// tap's read/write per packet does.
#pragma once

#include <rte_ether.h>
#include <rte_mempool.h>

#include <cstdint>
#include <string>

namespace vtepgw::host {

inline constexpr uint16_t kTapDescriptors = 512;

// Hot-plugs net_tap with kernel interface `iface` and MAC `mac`, one queue pair (the control
// core's), started. Throws std::runtime_error naming what failed. The kernel interface lives
// as long as the device: it goes when vtepd closes the port or exits, however it exits.
uint16_t openTap(const std::string& iface, const rte_ether_addr& mac, uint16_t mtu, rte_mempool* pool);
std::string tapDeviceName(const std::string& iface);

}  // namespace vtepgw::host
