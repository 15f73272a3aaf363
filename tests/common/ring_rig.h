// The real worker and control core wired to net_ring ports, for the dataplane tests and the
// dataplane fuzzer: frames go in through a port's RX ring, come out of its TX ring.
#pragma once

#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include <atomic>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/model.h"
#include "control/controller.h"
#include "dataplane/worker.h"
#include "port/port.h"
#include "rcu/qsbr.h"

namespace vtepgw::testrig {

struct RingPort {
    rte_ring* rx = nullptr;
    rte_ring* tx = nullptr;
    uint16_t id = 0;
};

// Creates one net_ring port per configured port (named by its device) and starts it. Once per
// process: ethdev names cannot be reused. `ringSize` bounds what one run() may send a port.
inline std::map<std::string, RingPort> makeRingPorts(const config::Config& cfg, rte_mempool* pool,
                                                     unsigned ringSize = 1024) {
    std::map<std::string, RingPort> ports;
    for (const auto& spec : cfg.ports) {
        RingPort p;
        p.rx = rte_ring_create((spec.device + "_rx").c_str(), ringSize, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
        p.tx = rte_ring_create((spec.device + "_tx").c_str(), ringSize, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
        const int id = rte_eth_from_rings(spec.device.c_str(), &p.rx, 1, &p.tx, 1, 0);
        if (p.rx == nullptr || p.tx == nullptr || id < 0)
            throw std::runtime_error("cannot create ring port " + spec.device);
        p.id = static_cast<uint16_t>(id);
        port::openPort(spec, p.id, 1, pool, spec.name != cfg.underlay.port);
        ports[spec.name] = p;
    }
    return ports;
}

// A controller and one worker over ring ports; `tag` keeps DPDK object names unique.
class RingRig {
public:
    RingRig(const config::Config& cfg, const std::map<std::string, RingPort>& ports, rte_mempool* pool,
            const std::string& tag, uint32_t fdbSize = 1024, underlay::NeighborTimings timings = {}) {
        for (const auto& spec : cfg.ports) {
            control::PortBinding b{spec.name, ports.at(spec.name).id, {}};
            rte_eth_macaddr_get(b.portId, &b.mac);
            bindings.push_back(b);
        }
        ch.learn = rte_ring_create_elem(("learn" + tag).c_str(), sizeof(dataplane::LearnRequest), 1024, 0,
                                        RING_F_SC_DEQ);
        ch.exception = rte_ring_create(("exc" + tag).c_str(), 256, 0, RING_F_SC_DEQ);
        ch.controlTx = rte_ring_create(("ctx" + tag).c_str(), 256, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
        rcu = std::make_unique<rcu::QsbrDomain>(1);
        fdb = std::make_unique<fdb::Fdb>("fdb" + tag, fdbSize, *rcu, 0);
        arp = std::make_unique<overlay::ArpTable>("arp" + tag, fdbSize, *rcu, 0);
        publisher = std::make_unique<state::StatePublisher>(*rcu);
        ctl = std::make_unique<control::Controller>(cfg, bindings, *fdb, *arp, *publisher, ch, pool, clock, timings);
        setup.pool = pool;
        setup.drainsControlTx = true;
        for (const auto& b : bindings) setup.rxQueues.push_back({b.portId, 0});
    }

    // Publishes the first state and creates the worker.
    void start() {
        ctl->start();
        worker = std::make_unique<dataplane::Worker>(setup, *publisher, *fdb, *arp, *rcu, ch, clock);
        ctl->attachWorkers({&worker->counters()});
    }

    // Worker, control, worker: learning and exceptions complete within one run().
    void run() {
        worker->pollOnce();
        ctl->poll();
        worker->pollOnce();
    }

    ~RingRig() {
        worker.reset();
        ctl.reset();
        publisher.reset();
        fdb.reset();
        arp.reset();
        rcu.reset();
        rte_ring_free(ch.learn);
        rte_ring_free(ch.exception);
        rte_ring_free(ch.controlTx);
    }

    std::vector<control::PortBinding> bindings;
    dataplane::Channels ch;
    std::atomic<uint32_t> clock{0};
    dataplane::WorkerSetup setup;
    std::unique_ptr<rcu::QsbrDomain> rcu;
    std::unique_ptr<fdb::Fdb> fdb;
    std::unique_ptr<overlay::ArpTable> arp;
    std::unique_ptr<state::StatePublisher> publisher;
    std::unique_ptr<control::Controller> ctl;
    std::unique_ptr<dataplane::Worker> worker;
};

}  // namespace vtepgw::testrig
