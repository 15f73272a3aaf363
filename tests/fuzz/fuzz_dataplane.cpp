// libFuzzer target: raw frames through the real worker and control core, on every port role
// (the first input byte picks the port: underlay, access, trunk, or the host interface, whose
// frames are what the host's kernel sends), with a dual-stack underlay. Any frame must end as a
// transmitted packet or a counted drop: no crash, and no mbuf left behind.
#include <rte_eal.h>
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

#include "common/fuzz_rig.h"
#include "config/parse.h"

using namespace vtepgw;

namespace {

const char* kConfig = R"({
  "ports": { "up": {"device": "fz_up"}, "a": {"device": "fz_a"}, "t": {"device": "fz_t"} },
  "underlay": { "port": "up", "addresses": ["10.0.0.2/24", "2001:db8:62::68/64"],
                "gateway": ["10.0.0.1", "2001:db8:62::1"], "host_interface": "vtep0",
                "punt_limits": { "tcp": 100000 },
                "neighbors": [ {"address": "10.0.0.9", "mac": "02:00:00:00:09:09"} ] },
  "bridges": {
    "br10": { "vni": 10, "group": "239.1.1.1", "flood_vteps": ["10.0.0.9", "10.9.9.9"],
              "members": [ {"port": "a"}, {"port": "t", "vlan": 100} ], "mac_limit": 64,
              "address": "192.168.10.254/24", "arp_suppression": true, "arp_limit": 64,
              "neighbors": [ {"address": "192.168.10.9", "mac": "02:00:00:00:0a:09"} ] },
    "br20": { "vni": 20, "members": [ {"port": "t", "vlan": 200} ], "keep_inner_vlan": true,
              "address": ["192.168.20.254/24", "172.16.0.1/16"], "gateway_mac": "02:00:00:00:fe:20" },
    "gre30": { "vni": 30, "encapsulation": "gre", "flood_vteps": ["10.0.0.9", "2001:db8:61::67"],
               "members": [ {"port": "t", "vlan": 300} ] },
    "v6": { "vni": 40, "flood_vteps": ["2001:db8:61::67", "10.0.0.9"], "group": "ff05::4242",
            "members": [ {"port": "t", "vlan": 400} ] }
  },
  "vteps": { "10.9.9.9": { "udp_port": 8472 } }
})";

testrig::FuzzRig fz;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fz = testrig::startFuzzRig(kConfig, "fz");
    fz.rig->worker->pollOnce();
    fz.drain();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1 || size > 2000) return 0;
    static const char* kPorts[] = {"up", "a", "t", "host"};
    rte_mbuf* m = rte_pktmbuf_alloc(fz.pool);
    if (m == nullptr) std::abort();
    std::memcpy(rte_pktmbuf_append(m, static_cast<uint16_t>(size - 1)), data + 1, size - 1);
    rte_ring_enqueue(fz.ports.at(kPorts[data[0] % 4]).rx, m);
    fz.rig->run();
    fz.drain();
    // Packets may wait for ARP (bounded, released or dropped later); everything else must
    // be back in the pool.
    // A held flood copy is a header mbuf chained to an indirect clone, which pins the
    // original frame's direct mbuf: count every segment and what it pins.
    size_t held = 0;
    for (const auto& [ip, n] : fz.rig->ctl->neighbors().entries())
        for (const rte_mbuf* h : n.held)
            for (const rte_mbuf* s = h; s != nullptr; s = s->next) held += RTE_MBUF_CLONED(s) ? 2 : 1;
    held += fz.rig->ctl->routedHeld();  // routed packets waiting for ARP in their bridge
    // Plus what waits in the rings between the worker and the control core (chains count
    // their segments and what clones pin, as above: at most 3 mbufs a packet).
    const size_t queued = 3 * (rte_ring_count(fz.rig->ch.exception) + rte_ring_count(fz.rig->ch.controlTx));
    if (rte_mempool_in_use_count(fz.pool) > held + queued) {
        std::fprintf(stderr, "mbuf leak: %u in use, %zu held for ARP, %zu queued\n",
                     rte_mempool_in_use_count(fz.pool), held, queued);
        std::abort();
    }
    return 0;
}
