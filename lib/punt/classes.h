// What the fast path hands up, sorted into the classes the punt policer limits separately:
// the control core's own protocols (ARP, ICMP, IGMP) and what goes on to the host interface
// (TCP, UDP, anything else to our address). Separate limits mean that a TCP flood to our
// address cannot starve ARP, which the tunnels' next hops depend on.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace vtepgw::punt {

enum class Class : uint8_t { Arp, Icmp, Igmp, Tcp, Udp, Other };
inline constexpr size_t kClassCount = 6;
inline constexpr std::array<const char*, kClassCount> kClassNames = {"arp", "icmp", "igmp", "tcp", "udp", "other"};

// Packets per second, all workers together. TCP is sized for a bulk copy over the host
// interface (50k x 1448 bytes ~ 72 MB/s, a burst of 50 ms taking a large TCP window), a fraction of what the control core's tap writes can do, while BGP needs a
// handful; the control core's own classes for a busy segment's ARP and for ping; IGMP
// queries come a few a minute.
inline constexpr std::array<uint32_t, kClassCount> kDefaultPps = {2000, 1000, 200, 50000, 5000, 500};
inline constexpr uint32_t kMaxPps = 10'000'000;

inline size_t index(Class c) { return static_cast<size_t>(c); }

}  // namespace vtepgw::punt
