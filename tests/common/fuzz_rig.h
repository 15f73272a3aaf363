// What every dataplane-backed fuzz target starts from: EAL without hugepages, a pool without
// per-lcore cache (exact in-use counts), ring ports for `configText` and a started RingRig,
// all kept for the whole run. Aborts if any of it fails: a fuzz target cannot skip.
#pragma once

#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <string>

#include "common/ring_rig.h"
#include "config/parse.h"
#include "host/host_stack.h"

namespace vtepgw::testrig {

struct FuzzRig {
    rte_mempool* pool = nullptr;
    std::map<std::string, RingPort> ports;
    RingRig* rig = nullptr;

    // Frees whatever the worker transmitted.
    void drain() {
        void* m;
        for (auto& [name, p] : ports)
            while (rte_ring_dequeue(p.tx, &m) == 0) rte_pktmbuf_free(static_cast<rte_mbuf*>(m));
    }
};

// The host interface's kernel side, for rigs: nothing to configure.
class NullHostStack : public host::HostStack {
public:
    std::vector<std::string> sync(const config::UnderlaySpec&) override { return {}; }
    const std::string& name() const override { return name_; }

private:
    std::string name_ = "host";
};

// With underlay.host_interface set, a ring port "host" stands for it (frames punted to the
// host come out of its TX ring; frames put in its RX ring are what the host sends).
inline FuzzRig startFuzzRig(const char* configText, const std::string& tag) {
    const std::string prefix = "--file-prefix=vtepgw-" + tag + "-" + std::to_string(getpid());
    const char* eal[] = {"fuzz", "--no-huge", "--no-pci", "-m", "256", prefix.c_str(),
                         "--log-level=*:critical", "--no-telemetry"};
    if (rte_eal_init(static_cast<int>(sizeof eal / sizeof eal[0]), const_cast<char**>(eal)) < 0) std::abort();
    FuzzRig r;
    r.pool = rte_pktmbuf_pool_create((tag + "_pool").c_str(), 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
    if (r.pool == nullptr) std::abort();
    const auto cfg = *config::parse(configText).config;
    r.ports = makeRingPorts(cfg, r.pool);
    r.rig = new RingRig(cfg, r.ports, r.pool, tag);  // lives for the whole run
    if (!cfg.underlay.hostInterface.empty()) {
        config::PortSpec spec{"host", tag + "_host", "", std::nullopt};
        config::Config hostOnly;
        hostOnly.ports.push_back(spec);
        hostOnly.underlay.port = "-";
        const auto host = makeRingPorts(hostOnly, r.pool).at("host");
        r.ports["host"] = host;
        static NullHostStack stack;
        r.rig->ctl->attachHost(host.id, &stack);
    }
    r.rig->start();
    return r;
}

}  // namespace vtepgw::testrig
