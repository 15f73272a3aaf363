// The Linux interface behind a PMD that reads a kernel interface (net_af_packet, net_af_xdp):
// what vtepd sets on it so that the kernel hands over frames a NIC would — the MTU the
// configuration asks for, and no merged or unsegmented super-frames.
//
// Why: on such an interface the kernel's offloads leak into userspace. A veth peer with
// TSO/GSO on (every container's default) sends one 64 KiB TCP "frame", which af_packet
// truncates to its frame size; GRO on a physical NIC merges frames the same way. Attaching
// an XDP program that passes everything to our end of a veth makes the kernel take TSO off
// the peer (drivers/net/veth.c: veth_fix_features), so the peer's stack segments before the
// veth; GRO is switched off on the interface itself. Partial checksums (CHECKSUM_PARTIAL)
// still arrive: the worker completes them (vxlan/checksum.h).
#pragma once

#include <cstdint>
#include <string>

namespace vtepgw::port {

// The interface's name, or empty if the index names none.
std::string interfaceName(uint32_t ifIndex);

// Sets the interface's MTU; returns an error text, empty on success.
std::string setInterfaceMtu(const std::string& ifName, uint16_t mtu);

// GRO and LRO off; returns what it could not do (empty when done).
std::string disableReceiveMerging(const std::string& ifName);

// IPv6 off on the interface (its disable_ipv6 sysctl): otherwise the local kernel sends
// router solicitations, MLD reports and DAD probes from it, which the PMD's socket sees as
// frames of the port and vtepd would bridge into a VNI and learn the interface's MAC from.
// Returns "" when done (or when the kernel has no IPv6), an error otherwise.
std::string disableKernelIpv6(const std::string& ifName);

// Attaches a pass-everything XDP program in driver mode where the interface has no XDP program
// yet. Returns true when attached (detachSegmentationGuard must then undo it at exit); false
// when the driver has no native XDP (then nothing is needed: only veth segments for its peer
// this way) or another program is there. `why` says which.
bool attachSegmentationGuard(uint32_t ifIndex, std::string& why);
void detachSegmentationGuard(uint32_t ifIndex);

// Keeps the local kernel's stack from processing what arrives on an interface vtepd reads with
// net_af_packet: a tc ingress program that drops every frame after the packet taps (af_packet
// has its copy by then). Needed once our address lives in the same namespace on the host
// interface: Linux accepts a packet for any local address on any interface, so otherwise it
// would answer pings, ARP and TCP on the raw interface too — every answer twice. A
// direct-action cls_bpf program, because kernels without the gact action still have that.
// Returns false with `why` when it cannot be attached; detach at exit.
bool attachIngressBlind(uint32_t ifIndex, std::string& why);
void detachIngressBlind(uint32_t ifIndex);

// net_af_packet: the largest frame one capture slot of `framesz` bytes holds (TPACKET_V2 puts
// the frame 66 bytes into its slot) and the slot size that holds `frameLen` bytes.
uint32_t afPacketFrameCapacity(uint32_t framesz);
uint32_t afPacketFrameSizeFor(uint32_t frameLen);

}  // namespace vtepgw::port
