// Turning an mbuf fresh from the pool into a one-segment packet with a few wide stores, the
// way PMDs' receive paths do (their "mbuf initializer"), instead of rte_pktmbuf_reset's
// dozen narrow ones: a flood writes one of these per replica.
//
// A free mbuf already has next = NULL, nb_segs = 1 and refcnt = 1 (rte_pktmbuf_prefree_seg
// leaves them so before returning it to its pool); rearm() rewrites those three and the data
// offset in one 8-byte store.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>
#include <cstring>

namespace vtepgw::dataplane {

class FreshMbuf {
public:
    // For a pool whose data room holds at least RTE_PKTMBUF_HEADROOM (checked by the worker).
    FreshMbuf() {
        rte_mbuf def{};
        def.data_off = RTE_PKTMBUF_HEADROOM;
        def.refcnt = 1;
        def.nb_segs = 1;
        def.port = RTE_MBUF_PORT_INVALID;
        std::memcpy(&rearm_, &def.rearm_data, sizeof rearm_);
    }
    // What rte_pktmbuf_reset and setting both lengths to `len` leave, plus TX offload
    // requests `olFlags` with their header lengths in `txOffload` (rte_mbuf::tx_offload).
    void init(rte_mbuf* m, uint16_t len, uint64_t olFlags, uint64_t txOffload) const {
        std::memcpy(&m->rearm_data, &rearm_, sizeof rearm_);
        m->ol_flags = (m->ol_flags & RTE_MBUF_F_EXTERNAL) | olFlags;
        m->packet_type = 0;
        m->pkt_len = len;
        m->data_len = len;
        m->vlan_tci = 0;
        m->vlan_tci_outer = 0;
        m->tx_offload = txOffload;
    }

private:
    uint64_t rearm_ = 0;
};

}  // namespace vtepgw::dataplane
