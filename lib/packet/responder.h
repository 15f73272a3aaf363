// The host that vtepd is on each network it answers for: its address(es) and MAC on the
// underlay, and the gateway's on every bridge with an address. Turns requests into replies
// in place and builds what a host sends of its own (ARP requests, ICMP errors); where a
// frame goes is the caller's business (the underlay port, or into a bridge).
#pragma once

#include <rte_ether.h>
#include <rte_mbuf.h>

#include <cstdint>
#include <optional>

namespace vtepgw::packet {

// A parsed Ethernet/IPv4 ARP packet (RFC 826). Addresses in host order.
struct ArpView {
    uint16_t op = 0;
    rte_ether_addr sha{}, tha{};
    uint32_t sip = 0, tip = 0;
};
// nullopt for anything but well-formed Ethernet/IPv4 ARP (hardware 1, protocol 0x0800,
// lengths 6 and 4) that fits in the first segment.
std::optional<ArpView> parseArp(const rte_mbuf* m);

// Rewrites the request in m into the reply "ipHost is at mac", addressed to its sender.
void turnIntoArpReply(rte_mbuf* m, uint32_t ipHost, const rte_ether_addr& mac);

// Rewrites an ICMP echo request in m (IPv4 already validated by the caller) into the reply
// from `mac`; false when it is not an echo request (m untouched).
bool turnIntoEchoReply(rte_mbuf* m, const rte_ether_addr& mac);

// A broadcast ARP request from (mac, senderIp) for targetIp; nullptr without an mbuf.
rte_mbuf* makeArpRequest(rte_mempool* pool, const rte_ether_addr& mac, uint32_t senderIp, uint32_t targetIp);

// The ICMP error (type, code) about the IPv4 packet in `orig`, from (mac, srcIp) to its
// sender at dstMac; nullptr when RFC 1122 §3.2.2 / RFC 1812 §4.3.2.7 forbid one (about an ICMP error,
// a non-first fragment, a multicast/broadcast destination or sender) or without an mbuf.
rte_mbuf* makeIcmpError(rte_mempool* pool, const rte_mbuf* orig, uint8_t type, uint8_t code,
                        const rte_ether_addr& mac, uint32_t srcIp, const rte_ether_addr& dstMac);

}  // namespace vtepgw::packet
