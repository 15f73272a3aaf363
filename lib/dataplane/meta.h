// What rides with a packet between the workers and the control core when the bridge it
// belongs to matters (overlay ARP, the gateway's own traffic, routed packets waiting for ARP,
// ICMP errors, frames the control core injects into a bridge): an mbuf dynamic field, so
// nothing is parsed twice and no header is abused to carry it.
#pragma once

#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include <cstdint>

#include "fdb/fdb.h"

namespace vtepgw::dataplane {

struct PacketMeta {
    fdb::BridgeId bridge;
    uint16_t port;  // the ingress member (with kHasIngress)
    uint16_t vlan;
    uint8_t flags;
    uint8_t code;   // IcmpError: which error
    fdb::BridgeId origin;  // AwaitOverlayArp: the bridge it was routed from (for an ICMP error)
};
static_assert(sizeof(PacketMeta) == 10);

inline constexpr uint8_t kFromTunnel = 1;  // arrived decapsulated: flooded to local members only, split horizon
inline constexpr uint8_t kHasIngress = 2;  // arrived on member (port, vlan): never flooded back to it

// The ICMP errors a router sends for packets it cannot route (RFC 1812 §4.3.2).
enum class IcmpError : uint8_t { NetUnreachable = 1, HostUnreachable = 2, TimeExceeded = 3 };

// The field's offset, registered on first use (after EAL initialisation); -1 when DPDK has
// no room for it (callers then refuse to start).
inline int metaOffset() {
    static const int offset = [] {
        static const rte_mbuf_dynfield desc = {"vtepgw_packet_meta", sizeof(PacketMeta), alignof(PacketMeta), 0};
        return rte_mbuf_dynfield_register(&desc);
    }();
    return offset;
}

inline PacketMeta& meta(rte_mbuf* m, int offset) { return *RTE_MBUF_DYNFIELD(m, offset, PacketMeta*); }

}  // namespace vtepgw::dataplane
