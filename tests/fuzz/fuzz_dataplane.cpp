// libFuzzer target: raw frames through the real worker and control core, on both port roles
// (the first input byte picks the port: underlay, access or trunk). Any frame must end as a
// transmitted packet or a counted drop: no crash, and no mbuf left behind.
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>
#include <memory>
#include <string>
#include <vector>

#include "config/parse.h"
#include "control/controller.h"
#include "dataplane/worker.h"
#include "port/port.h"
#include "rcu/qsbr.h"

using namespace vtepgw;

namespace {

const char* kConfig = R"({
  "ports": { "up": {"device": "fz_up"}, "a": {"device": "fz_a"}, "t": {"device": "fz_t"} },
  "underlay": { "port": "up", "address": "10.0.0.2/24", "gateway": "10.0.0.1",
                "neighbors": [ {"address": "10.0.0.9", "mac": "02:00:00:00:09:09"} ] },
  "bridges": {
    "br10": { "vni": 10, "group": "239.1.1.1", "flood_vteps": ["10.0.0.9", "10.9.9.9"],
              "members": [ {"port": "a"}, {"port": "t", "vlan": 100} ], "mac_limit": 64 },
    "br20": { "vni": 20, "members": [ {"port": "t", "vlan": 200} ], "keep_inner_vlan": true }
  }
})";

struct Rig {
    rte_mempool* pool = nullptr;
    std::vector<std::pair<rte_ring*, rte_ring*>> rings;  // rx, tx per port
    std::vector<uint16_t> ids;
    dataplane::Channels ch;
    std::atomic<uint32_t> clock{0};
    std::unique_ptr<rcu::QsbrDomain> rcu;
    std::unique_ptr<fdb::Fdb> fdb;
    std::unique_ptr<state::StatePublisher> publisher;
    std::unique_ptr<control::Controller> ctl;
    std::unique_ptr<dataplane::Worker> worker;
    unsigned baseline = 0;
};

Rig* rig = nullptr;

void drain() {
    for (auto& [rx, tx] : rig->rings) {
        void* m;
        while (rte_ring_dequeue(tx, &m) == 0) rte_pktmbuf_free(static_cast<rte_mbuf*>(m));
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    const std::string prefix = "--file-prefix=vtepgw-fuzz-" + std::to_string(getpid());
    const char* eal[] = {"fuzz", "--no-huge", "--no-pci", "-m", "256", prefix.c_str(),
                         "--log-level=*:critical", "--no-telemetry"};
    if (rte_eal_init(static_cast<int>(sizeof eal / sizeof eal[0]), const_cast<char**>(eal)) < 0) std::abort();
    rig = new Rig;
    rig->pool = rte_pktmbuf_pool_create("fz_pool", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
    auto cfg = *config::parse(kConfig).config;
    std::vector<control::PortBinding> bindings;
    for (const auto& spec : cfg.ports) {
        rte_ring* rx = rte_ring_create((spec.device + "_rx").c_str(), 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
        rte_ring* tx = rte_ring_create((spec.device + "_tx").c_str(), 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
        const int id = rte_eth_from_rings(spec.device.c_str(), &rx, 1, &tx, 1, 0);
        port::openPort(spec, static_cast<uint16_t>(id), 1, rig->pool, spec.name != "up");
        rig->rings.emplace_back(rx, tx);
        rig->ids.push_back(static_cast<uint16_t>(id));
        control::PortBinding b{spec.name, static_cast<uint16_t>(id), {}};
        rte_eth_macaddr_get(b.portId, &b.mac);
        bindings.push_back(b);
    }
    rig->ch.learn = rte_ring_create_elem("fz_learn", sizeof(dataplane::LearnRequest), 1024, 0, RING_F_SC_DEQ);
    rig->ch.exception = rte_ring_create("fz_exc", 256, 0, RING_F_SC_DEQ);
    rig->ch.controlTx = rte_ring_create("fz_ctx", 256, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
    rig->rcu = std::make_unique<rcu::QsbrDomain>(1);
    rig->fdb = std::make_unique<fdb::Fdb>("fz_fdb", 1024, *rig->rcu, 0);
    rig->publisher = std::make_unique<state::StatePublisher>(*rig->rcu);
    rig->ctl = std::make_unique<control::Controller>(cfg, bindings, *rig->fdb, *rig->publisher, rig->ch,
                                                     rig->pool, rig->clock);
    rig->ctl->start();
    dataplane::WorkerSetup setup;
    setup.pool = rig->pool;
    setup.drainsControlTx = true;
    for (uint16_t id : rig->ids) setup.rxQueues.push_back({id, 0});
    rig->worker = std::make_unique<dataplane::Worker>(setup, *rig->publisher, *rig->fdb, *rig->rcu,
                                                      rig->ch, rig->clock);
    rig->worker->pollOnce();
    drain();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1 || size > 2000) return 0;
    const size_t port = data[0] % rig->ids.size();
    rte_mbuf* m = rte_pktmbuf_alloc(rig->pool);
    if (m == nullptr) std::abort();
    std::memcpy(rte_pktmbuf_append(m, static_cast<uint16_t>(size - 1)), data + 1, size - 1);
    rte_ring_enqueue(rig->rings[port].first, m);
    rig->worker->pollOnce();
    rig->ctl->poll();
    rig->worker->pollOnce();
    drain();
    // Packets may wait for ARP (bounded, released or dropped later); everything else must
    // be back in the pool.
    // A held flood copy is a header mbuf chained to an indirect clone, which pins the
    // original frame's direct mbuf: count every segment and what it pins.
    size_t held = 0;
    for (const auto& [ip, n] : rig->ctl->neighbors().entries())
        for (const rte_mbuf* h : n.held)
            for (const rte_mbuf* s = h; s != nullptr; s = s->next) held += RTE_MBUF_CLONED(s) ? 2 : 1;
    // Plus what waits in the rings between the worker and the control core (chains count
    // their segments and what clones pin, as above: at most 3 mbufs a packet).
    const size_t queued = 3 * (rte_ring_count(rig->ch.exception) + rte_ring_count(rig->ch.controlTx));
    if (rte_mempool_in_use_count(rig->pool) > held + queued) {
        std::fprintf(stderr, "mbuf leak: %u in use, %zu held for ARP, %zu queued\n",
                     rte_mempool_in_use_count(rig->pool), held, queued);
        std::abort();
    }
    return 0;
}
