// FreshMbuf (flood replicas' mbuf initialisation) must leave exactly what rte_pktmbuf_reset,
// the two lengths and the TX offload fields leave, whatever the mbuf carried before it was
// freed: a field it forgot would leak from one packet into a later replica.
#include <gtest/gtest.h>
#include <rte_mbuf.h>

#include <cstring>

#include "dataplane/fresh_mbuf.h"

namespace vtepgw::dataplane {
namespace {

// An mbuf that went through a previous life: every field a receive and a send could set.
rte_mbuf* usedMbuf(rte_mempool* pool) {
    rte_mbuf* m = rte_pktmbuf_alloc(pool);
    if (m == nullptr) return nullptr;
    rte_pktmbuf_append(m, 300);
    rte_pktmbuf_adj(m, 30);
    m->port = 3;
    m->ol_flags = RTE_MBUF_F_RX_RSS_HASH | RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_UDP_CKSUM;
    m->packet_type = RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4;
    m->vlan_tci = 100;
    m->vlan_tci_outer = 200;
    m->hash.rss = 0xDEADBEEF;
    m->l2_len = 18;
    m->l3_len = 40;
    m->l4_len = 8;
    rte_pktmbuf_free(m);  // back to the pool with what a free leaves in it
    rte_mbuf* again = nullptr;
    // A pool of one mbuf: the same one comes back, as it was left.
    if (rte_mempool_get(pool, reinterpret_cast<void**>(&again)) != 0) return nullptr;
    return again;
}

// The fields a packet's fate depends on (not buf_addr, pool, priv and the like, which
// neither touches).
void expectSame(const rte_mbuf& a, const rte_mbuf& b) {
    EXPECT_EQ(a.data_off, b.data_off);
    EXPECT_EQ(rte_mbuf_refcnt_read(&a), rte_mbuf_refcnt_read(&b));
    EXPECT_EQ(a.nb_segs, b.nb_segs);
    EXPECT_EQ(a.port, b.port);
    EXPECT_EQ(a.ol_flags, b.ol_flags);
    EXPECT_EQ(a.packet_type, b.packet_type);
    EXPECT_EQ(a.pkt_len, b.pkt_len);
    EXPECT_EQ(a.data_len, b.data_len);
    EXPECT_EQ(a.vlan_tci, b.vlan_tci);
    EXPECT_EQ(a.vlan_tci_outer, b.vlan_tci_outer);
    EXPECT_EQ(a.next, b.next);
    EXPECT_EQ(a.tx_offload, b.tx_offload);
}

TEST(FreshMbuf, LeavesWhatResetAndTheLengthsLeave) {
    rte_mempool* pool = rte_pktmbuf_pool_create("fresh_mbuf_pool", 1, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
    ASSERT_NE(pool, nullptr);
    const FreshMbuf fresh;
    for (const bool offload : {false, true}) {
        rte_mbuf* m = usedMbuf(pool);
        ASSERT_NE(m, nullptr);
        rte_mbuf expected;
        std::memcpy(&expected, m, sizeof expected);
        rte_pktmbuf_reset(&expected);
        expected.data_len = 114;
        expected.pkt_len = 114;
        uint64_t flags = 0, txOffload = 0;
        if (offload) {
            flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
            expected.ol_flags |= flags;
            expected.l2_len = 14;
            expected.l3_len = 20;
            txOffload = expected.tx_offload;
        }
        fresh.init(m, 114, flags, txOffload);
        expectSame(*m, expected);
        EXPECT_EQ(rte_pktmbuf_mtod(m, uint8_t*), static_cast<uint8_t*>(m->buf_addr) + RTE_PKTMBUF_HEADROOM);
        EXPECT_EQ(rte_mbuf_check(m, 1, nullptr), 0) << "a valid packet mbuf";
        rte_pktmbuf_free(m);
    }
    rte_mempool_free(pool);
}

}  // namespace
}  // namespace vtepgw::dataplane
