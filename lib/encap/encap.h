// The one place the fast path meets the encapsulations: entropy for a bridge's frames, the
// rewrite written in front of an inner frame, per the tunnel's encapsulation. The worker
// calls these and names no encapsulation's constants.
#pragma once

#include <rte_mbuf.h>

#include "encap/gre.h"
#include "encap/vxlan.h"
#include "state/forwarding_state.h"

namespace vtepgw::encap {

// The per-flow field of the outer headers (VXLAN's UDP source port), network order; 0 for
// encapsulations without one. Computed once per frame, shared by its flood copies.
inline uint16_t entropyBe(const state::ForwardingState& st, const state::BridgeState& b, const rte_mbuf* m) {
    if (b.encap != Encap::Vxlan) return 0;
    const uint32_t hash = (m->ol_flags & RTE_MBUF_F_RX_RSS_HASH)
                              ? m->hash.rss
                              : vxlan::innerFlowHash(rte_pktmbuf_mtod(m, const uint8_t*), m->data_len);
    return rte_cpu_to_be_16(vxlan::sourcePortFor(hash, st.sourcePortMin, st.sourcePortSpan));
}

// Writes t's rewrite at `out` (t.rewriteLen bytes) for an inner frame of `innerLen` bytes.
inline void write(uint8_t* out, const Tunnel& t, const state::BridgeState& b, uint16_t innerLen,
                  uint16_t entropyBe) {
    switch (t.encap) {
        case Encap::Vxlan: vxlan::write(out, t, b.keyWireBe, innerLen, entropyBe); break;
        case Encap::Gre: gre::write(out, t, b.keyWireBe, innerLen); break;
    }
}

// The VNI as a bridge's encapsulation carries it.
inline uint32_t keyWireBe(Encap e, uint32_t vni) {
    return e == Encap::Gre ? gre::keyWireBe(vni) : vxlan::keyWireBe(vni);
}

}  // namespace vtepgw::encap
