// The control core's side of the host interface: punted packets out to the tap, what the
// kernel sends back out by the underlay port, and the kernel side kept in step.
#include "control/controller.h"

#include <rte_ethdev.h>
#include <rte_ring.h>

#include "log/log.h"

namespace vtepgw::control {

using counters::Drop;

void Controller::toHost(rte_mbuf* m) {
    if (!hostPort_) {
        dropPacket(m, Drop::exception_unhandled);
        return;
    }
    hostTx_[hostTxCount_++] = m;
    if (hostTxCount_ == RTE_DIM(hostTx_)) flushHost();
}

void Controller::flushHost() {
    if (hostTxCount_ == 0) return;
    uint64_t bytes = 0;
    for (uint16_t i = 0; i < hostTxCount_; ++i) bytes += hostTx_[i]->pkt_len;
    const uint16_t sent = rte_eth_tx_burst(*hostPort_, 0, hostTx_, hostTxCount_);
    for (uint16_t i = sent; i < hostTxCount_; ++i) {
        bytes -= hostTx_[i]->pkt_len;
        dropPacket(hostTx_[i], Drop::host_queue_full);
    }
    counters_.host.puntedPackets += sent;
    counters_.host.puntedBytes += bytes;
    hostTxCount_ = 0;
}

bool Controller::drainHost() {
    if (!hostPort_) return false;
    rte_mbuf* pkts[32];
    const uint16_t n = rte_eth_rx_burst(*hostPort_, 0, pkts, RTE_DIM(pkts));
    for (uint16_t i = 0; i < n; ++i) {
        rte_mbuf* m = pkts[i];
        // The kernel may only speak as us, in IPv4 and ARP: anything else (a MAC changed by
        // hand, IPv6 turned back on) would be another host on the underlay.
        const auto* eth = rte_pktmbuf_mtod(m, const rte_ether_hdr*);
        if (m->data_len < sizeof(rte_ether_hdr) || !rte_is_same_ether_addr(&eth->src_addr, &underlayMac_) ||
            (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) && eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_ARP))) {
            dropPacket(m, Drop::host_frame_refused);
            continue;
        }
        const uint32_t len = m->pkt_len;
        if (transmit(m)) {
            ++counters_.host.injectedPackets;
            counters_.host.injectedBytes += len;
        }
    }
    return n != 0;
}

void Controller::syncHost() {
    if (hostStack_ == nullptr) return;
    hostProblems_ = hostStack_->sync(cfg_.underlay);
    for (const auto& p : hostProblems_) VTEPGW_LOG(WARNING, CONTROL, "host interface: %s", p.c_str());
}

}  // namespace vtepgw::control
