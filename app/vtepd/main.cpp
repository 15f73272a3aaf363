// vtepd: the VXLAN gateway daemon. Started like testpmd:
//   vtepd [EAL options] -- --config FILE [--socket PATH]
// The main lcore runs the control plane; every other lcore runs a forwarding worker.
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_pdump.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>
#include <rte_version.h>

#include <grp.h>
#include <net/if.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <csignal>
#include <fstream>
#include <sstream>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "config/parse.h"
#include "control/commands.h"
#include "control/controller.h"
#include "control/report.h"
#include "control/socket.h"
#include "instance.h"
#include "control/telemetry.h"
#include "dataplane/worker.h"
#include "fdb/fdb.h"
#include "evpn/shadow_fabric.h"
#include "host/kernel_interface.h"
#include "host/tap_port.h"
#include "log/log.h"
#include "port/linux_iface.h"
#include "port/port.h"
#include "rcu/qsbr.h"
#include "state/forwarding_state.h"

using namespace vtepgw;

namespace {

std::atomic<bool> gStop{false};
std::atomic<bool> gReload{false};
// Workers stop after the control core has said goodbye (IGMP leaves go out through worker 0).
std::atomic<bool> gWorkersStop{false};

void onSignal(int sig) {
    if (sig == SIGHUP) gReload.store(true);
    else gStop.store(true);
}

struct Options {
    std::string configPath;
    std::string profileDir;
    std::string socketPath = "/run/vtepgw/vtepd.sock";
    uint32_t mbufs = 0;  // 0 = sized from ports, workers and rings
    std::string socketGroup;  // members may use the control socket (mode 0660)
    uint32_t idleMaxUs = 0;   // --idle adaptive: longest sleep of an idle worker; 0 = always poll
};

void usage(const char* prog) {
    std::fprintf(stderr,
                 "usage: %s [EAL options] -- --config FILE [--socket PATH] [--mbufs N]\n"
                 "  --config FILE   JSON configuration (ports, underlay, vxlan, bridges)\n"
                 "  --socket PATH   control socket (default /run/vtepgw/vtepd.sock, mode 0600)\n"
                 "  --socket-group G  members of group G (name or number) may use it too (0660)\n"
                 "  --profiles DIR  PMD profiles (drivers-config/); default: BINDIR/../share/vtepgw/drivers-config, then the\n"
                 "                  source tree when run from its build directory\n"
                 "  --mbufs N       at least N packet buffers (default: sized from ports and workers;\n"
                 "                  net_pcap infinite_rx keeps a whole pcap in buffers)\n"
                 "  --idle MODE     poll (default: workers spin, lowest latency) or adaptive[:MAX_US]:\n"
                 "                  an idle worker sleeps, backing off up to MAX_US (default 250)\n"
                 "  --check         validate the configuration and exit\n"
                 "  --version       print vtepd's and DPDK's versions\n"
                 "Signals: SIGINT/SIGTERM stop, SIGHUP reloads the configuration file.\n",
                 prog);
}

int launchWorker(void* arg) {
    static_cast<dataplane::Worker*>(arg)->run(gWorkersStop);
    return 0;
}

// PMD profiles, found from where the binary is rather than a path baked in at build time:
// installed (BINDIR/../share/vtepgw/drivers-config, whatever the prefix), then the source tree
// when running from a build directory inside it (build/app/vtepd).
std::string defaultProfileDir() {
    char exe[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return "";
    exe[n] = '\0';
    std::string dir = exe;
    dir.erase(dir.rfind('/'));
    for (const std::string& d : {dir + "/../share/vtepgw/drivers-config", dir + "/../../drivers-config"})
        if (std::ifstream(d + "/default.json")) {
            char real[PATH_MAX];
            return realpath(d.c_str(), real) ? std::string(real) : d;
        }
    return "";
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

bool reportConfigIssues(const config::ParseResult& r, const std::string& path) {
    for (const auto& w : r.warnings)
        std::fprintf(stderr, "%s: warning: %s\n", path.c_str(), w.toString().c_str());
    for (const auto& e : r.errors)
        std::fprintf(stderr, "%s: error: %s\n", path.c_str(), e.toString().c_str());
    return r.errors.empty();
}

}  // namespace

int main(int argc, char** argv) {
    // Our options come after "--"; read them (and the config) before EAL touches any device,
    // so that a bad configuration changes nothing.
    int dash = -1;
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], "--") == 0) {
            dash = i;
            break;
        }
    Options opt;
    bool checkOnly = false;
    // "vtepd --version" and "vtepd --help" work without EAL's "--" too.
    const int ours = dash < 0 ? (argc == 2 && argv[1][0] == '-' && argv[1][1] == '-' ? 1 : argc) : dash + 1;
    for (int i = ours; i < argc; ++i) {
        const std::string a = argv[i];
        if ((a == "--config" || a == "--socket" || a == "--profiles" || a == "--socket-group") && i + 1 < argc) {
            (a == "--config" ? opt.configPath : a == "--socket" ? opt.socketPath
             : a == "--profiles" ? opt.profileDir : opt.socketGroup) = argv[++i];
        } else if (a == "--mbufs" && i + 1 < argc) {
            char* end = nullptr;
            const unsigned long n = std::strtoul(argv[++i], &end, 10);
            if (end == argv[i] || *end != '\0' || n == 0 || n > (1ul << 26)) {
                std::fprintf(stderr, "vtepd: --mbufs: '%s' is not a count between 1 and %lu\n", argv[i], 1ul << 26);
                return 2;
            }
            opt.mbufs = static_cast<uint32_t>(n);
        } else if (a == "--idle" && i + 1 < argc) {
            // "poll" (the default: a core per worker, lowest latency) or "adaptive[:MAX_US]".
            const std::string v = argv[++i];
            if (v == "poll") {
                opt.idleMaxUs = 0;
            } else if (v.rfind("adaptive", 0) == 0) {
                opt.idleMaxUs = dataplane::kDefaultIdleMaxUs;
                if (v.size() > 8) {
                    char* end = nullptr;
                    const unsigned long us = v[8] == ':' ? std::strtoul(v.c_str() + 9, &end, 10) : 0;
                    if (v[8] != ':' || end == v.c_str() + 9 || *end != '\0' || us == 0 || us > 100000) {
                        std::fprintf(stderr, "vtepd: --idle: '%s' is not poll or adaptive[:1-100000 microseconds]\n", v.c_str());
                        return 2;
                    }
                    opt.idleMaxUs = static_cast<uint32_t>(us);
                }
            } else {
                std::fprintf(stderr, "vtepd: --idle: '%s' is not poll or adaptive[:MAX_US]\n", v.c_str());
                return 2;
            }
        } else if (a == "--version") {
            std::printf("vtepd %s (%s)\n", VTEPGW_VERSION, rte_version());  // rte_version(): "DPDK 22.11.x"
            return 0;
        } else if (a == "--check") {
            checkOnly = true;
        } else if (a == "--help" || a == "-h") {
            usage(argv[0]);
            return 0;
        } else {
            std::fprintf(stderr, "vtepd: unknown or incomplete option '%s'\n", a.c_str());
            usage(argv[0]);
            return 2;
        }
    }
    if (opt.configPath.empty()) {
        std::fprintf(stderr, "vtepd: --config FILE is required (after --)\n");
        usage(argv[0]);
        return 2;
    }
    auto parsed = config::parseFile(opt.configPath);
    if (!reportConfigIssues(parsed, opt.configPath)) {
        std::fprintf(stderr, "vtepd: configuration rejected, nothing started\n");
        return 1;
    }
    gid_t socketGroup = control::ControlSocket::kNoGroup;
    if (!opt.socketGroup.empty()) {
        if (const group* g = getgrnam(opt.socketGroup.c_str())) {
            socketGroup = g->gr_gid;
        } else {
            char* end = nullptr;
            const unsigned long n = std::strtoul(opt.socketGroup.c_str(), &end, 10);
            if (*end != '\0' || end == opt.socketGroup.c_str() || n >= 0xFFFFFFFFul) {
                std::fprintf(stderr, "vtepd: --socket-group: no group '%s'\n", opt.socketGroup.c_str());
                return 2;
            }
            socketGroup = static_cast<gid_t>(n);
        }
    }
    if (checkOnly) {
        std::printf("%s: configuration OK\n", opt.configPath.c_str());
        return 0;
    }
    config::Config cfg = std::move(*parsed.config);
    if (opt.profileDir.empty()) opt.profileDir = defaultProfileDir();
    // "config save" and reloads must find the file whatever the working directory becomes.
    if (char* real = realpath(opt.configPath.c_str(), nullptr)) {
        opt.configPath = real;
        std::free(real);
    }

    const int ealArgc = dash < 0 ? argc : dash;
    for (const std::string& busy : {app::checkSocketFree(opt.socketPath), app::checkPrefixFree(ealArgc, argv)})
        if (!busy.empty()) {
            std::fprintf(stderr, "vtepd: %s\n", busy.c_str());
            return 1;
        }
    const int rc = rte_eal_init(ealArgc, argv);
    if (rc < 0) {
        std::fprintf(stderr, "vtepd: EAL initialisation failed: %s\n", rte_strerror(rte_errno));
        return 1;
    }
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    std::signal(SIGHUP, onSignal);

    int exitCode = 0;
    std::vector<uint16_t> openedPorts;
    {
        std::vector<unsigned> workerLcores;
        unsigned lcore;
        RTE_LCORE_FOREACH_WORKER(lcore) workerLcores.push_back(lcore);
        const uint16_t workers = static_cast<uint16_t>(workerLcores.size());
        try {
            if (workers == 0)
                throw std::runtime_error("vtepd needs at least two lcores (e.g. -l 0-1): the main "
                                         "lcore runs control, the others forward");
            // The exception ring holds the punt policer's bursts (2,500 TCP at the default rate,
            // punt/policer.h) with room for ARP and ICMP waiting for the control core.
            constexpr unsigned kLearnRing = 4096, kExceptionRing = 4096, kControlTxRing = 1024;
            const uint32_t hostSlots = cfg.underlay.hostInterface.empty() ? 0 : 2u * host::kTapDescriptors;
            uint32_t nbMbufs = port::mbufPoolSize(static_cast<uint16_t>(cfg.ports.size()), workers,
                                                  rte_lcore_count(), kExceptionRing + kControlTxRing + hostSlots);
            while (nbMbufs < opt.mbufs) nbMbufs = nbMbufs * 2 + 1;  // stays 2^n - 1
            // Devices first: the largest frame any port receives sizes the buffers.
            std::vector<uint16_t> ids;
            uint16_t dataRoom = RTE_MBUF_DEFAULT_BUF_SIZE;
            for (const auto& spec : cfg.ports) {
                ids.push_back(port::resolveDevice(spec, cfg.portMtu(spec.name)));
                dataRoom = std::max(dataRoom, port::rxDataRoom(ids.back(), cfg.portMtu(spec.name)));
            }
            rte_mempool* pool = rte_pktmbuf_pool_create("vtepgw_mbufs", nbMbufs, 256, 0, dataRoom,
                                                        rte_socket_id());
            if (pool == nullptr)
                throw std::runtime_error("cannot create a pool of " + std::to_string(nbMbufs) + " mbufs of " +
                                         std::to_string(dataRoom) + " bytes: " + rte_strerror(rte_errno) +
                                         " (give EAL more memory with -m)");

            std::vector<control::PortBinding> bindings;
            std::vector<control::InterfaceInfo> interfaces;
            for (size_t i = 0; i < cfg.ports.size(); ++i) {
                const auto& spec = cfg.ports[i];
                const uint16_t id = ids[i];
                bool member = false;
                for (const auto& b : cfg.bridges)
                    for (const auto& m : b.members) member = member || m.port == spec.name;
                if (id >= state::kMaxPorts)
                    throw std::runtime_error("port '" + spec.name + "': DPDK port id " +
                                             std::to_string(id) + " is above vtepd's limit");
                auto p = port::openPort(spec, id, workers, pool, member, opt.profileDir, cfg.portMtu(spec.name));
                openedPorts.push_back(id);
                VTEPGW_LOG(INFO, PORT, "%s: %s port %u (%s, profile %s from %s), "
                           "mac %02x:%02x:%02x:%02x:%02x:%02x, %u queue pair(s), %u/%u descriptors, "
                           "rss %s, rss hash %s, ipv4 checksum rx %s tx %s, multi-seg tx %s, %s, %s",
                           spec.name.c_str(), spec.device.c_str(), id, p.driver.c_str(),
                           p.profile.name.c_str(), p.profile.source.c_str(),
                           p.mac.addr_bytes[0], p.mac.addr_bytes[1], p.mac.addr_bytes[2],
                           p.mac.addr_bytes[3], p.mac.addr_bytes[4], p.mac.addr_bytes[5],
                           p.queues, p.rxDescriptors, p.txDescriptors, p.rssInUse ? "on" : "off",
                           p.rssHashInUse ? "on" : "off", p.rxIpv4ChecksumInUse ? "on" : "off",
                           p.txIpv4ChecksumInUse ? "on" : "off", p.multiSegInUse ? "on" : "off", p.notes.c_str(),
                           port::waitForLink(id, 3000).c_str());
                if (p.kernelChecksums)
                    VTEPGW_LOG(INFO, PORT, "%s: frames from the kernel may carry partial TCP/UDP checksums "
                               "(peer TX checksum offload): vtepd completes them", spec.name.c_str());
                if (p.driver == "net_af_packet" && !p.segmentationGuard)
                    VTEPGW_LOG(WARNING, PORT, "%s: %s cannot be kept from receiving TSO/GSO super-frames; if its "
                               "peer is a veth with offloads on, run 'ethtool -K <peer> tso off gso off' there or "
                               "use net_af_xdp (super-frames are dropped as 'kernel_gso_frame')",
                               spec.name.c_str(), p.kernelInterface.c_str());
                if (!cfg.underlay.hostInterface.empty() && spec.name == cfg.underlay.port &&
                    p.driver == "net_af_packet" && !p.kernelInterface.empty()) {
                    std::string why;
                    if (port::attachIngressBlind(if_nametoindex(p.kernelInterface.c_str()), why))
                        VTEPGW_LOG(INFO, PORT, "%s: the local kernel no longer processes what arrives on %s "
                                   "(tc ingress drop after af_packet's copy): our address is on %s",
                                   spec.name.c_str(), p.kernelInterface.c_str(), cfg.underlay.hostInterface.c_str());
                    else
                        VTEPGW_LOG(WARNING, PORT, "%s: %s; the kernel will also answer for our address on %s "
                                   "(pings and ARP answered twice)", spec.name.c_str(), why.c_str(),
                                   p.kernelInterface.c_str());
                }
                bindings.push_back({spec.name, id, p.mac, p.kernelChecksums});
                interfaces.push_back({spec.name, id, spec.device, p.driver, p.queues,
                                      p.rxDescriptors, p.txDescriptors, p.profile.name,
                                      p.rssInUse, p.multiSegInUse, p.rssHashInUse,
                                      p.rxIpv4ChecksumInUse, p.txIpv4ChecksumInUse});
            }

            // The host interface: after the configured ports, so their DPDK ids stay in file order.
            std::unique_ptr<host::KernelInterface> hostStack;
            std::optional<uint16_t> hostPort;
            if (!cfg.underlay.hostInterface.empty()) {
                const std::string& name = cfg.underlay.hostInterface;
                rte_ether_addr mac{};
                for (const auto& b : bindings)
                    if (b.name == cfg.underlay.port) mac = b.mac;
                hostPort = host::openTap(name, mac, cfg.underlay.mtu, pool);
                openedPorts.push_back(*hostPort);
                hostStack = std::make_unique<host::KernelInterface>(name);
                control::InterfaceInfo info{name, *hostPort, host::tapDeviceName(name), "net_tap", 1,
                                            host::kTapDescriptors, host::kTapDescriptors, "-", false, false};
                info.role = "host";
                interfaces.push_back(info);
                VTEPGW_LOG(INFO, PORT, "host interface %s: net_tap port %u, ifindex %u, the underlay's MAC, "
                           "address and routes", name.c_str(), *hostPort, hostStack->ifindex());
            }

            dataplane::Channels ch;
            ch.learn = rte_ring_create_elem("vtepgw_learn", sizeof(dataplane::LearnRequest),
                                            kLearnRing, rte_socket_id(), RING_F_SC_DEQ);
            ch.exception = rte_ring_create("vtepgw_exception", kExceptionRing, rte_socket_id(),
                                           RING_F_SC_DEQ);
            ch.controlTx = rte_ring_create("vtepgw_ctl_tx", kControlTxRing, rte_socket_id(),
                                           RING_F_SP_ENQ | RING_F_SC_DEQ);
            if (!ch.learn || !ch.exception || !ch.controlTx)
                throw std::runtime_error(std::string("cannot create rings: ") + rte_strerror(rte_errno));

            rcu::QsbrDomain rcu(workers);
            fdb::Fdb fdb("vtepgw_fdb", cfg.vxlan.fdbSize, rcu, static_cast<int>(rte_socket_id()));
            // One binding per MAC at most, in practice: the overlay ARP table is sized like it.
            overlay::ArpTable arp("vtepgw_arp", cfg.vxlan.fdbSize, rcu, static_cast<int>(rte_socket_id()));
            state::StatePublisher publisher(rcu);
            std::atomic<uint32_t> clock{0};
            control::Controller ctl(cfg, bindings, fdb, arp, publisher, ch, pool, clock);
            if (hostPort) ctl.attachHost(*hostPort, hostStack.get());
            // After the host interface: the shadow vxlan devices use our address as "local".
            std::unique_ptr<evpn::ShadowFabric> fabric;
            if (cfg.evpn) {
                fabric = std::make_unique<evpn::ShadowFabric>(*cfg.evpn, cfg.underlay.address->address, cfg.vxlan.udpPort);
                ctl.attachEvpn(fabric.get());
                VTEPGW_LOG(INFO, MAIN, "evpn: shadow devices %sb<VNI>/%sx<VNI>/%sp<VNI> for zebra",
                           cfg.evpn->prefix.c_str(), cfg.evpn->prefix.c_str(), cfg.evpn->prefix.c_str());
            }
            ctl.start();

            dataplane::Trace trace;  // vtepctl trace start/show: off until armed
            std::vector<std::unique_ptr<dataplane::Worker>> ws;
            for (uint16_t w = 0; w < workers; ++w) {
                dataplane::WorkerSetup setup;
                setup.id = w;
                setup.txQueue = w;
                setup.pool = pool;
                setup.drainsControlTx = w == 0;
                setup.workers = workers;
                setup.idleMaxUs = opt.idleMaxUs;
                setup.trace = &trace;
                for (const auto& b : bindings) setup.rxQueues.push_back({b.portId, w});  // not the host port
                rcu.registerReader(w);
                ws.push_back(std::make_unique<dataplane::Worker>(setup, publisher, fdb, arp, rcu, ch, clock));
            }
            std::vector<const counters::WorkerCounters*> wc;
            for (const auto& w : ws) wc.push_back(&w->counters());
            ctl.attachWorkers(wc);
            control::Commands commands(ctl, fdb, wc, interfaces,
                                       nlohmann::ordered_json::parse(readFile(opt.configPath)), pool);
            commands.setConfigFile(opt.configPath);
            commands.setTrace(&trace, &rcu);
            control::ControlSocket socket(opt.socketPath, [&commands](const std::string& line) {
                return commands.executeLine(line);
            }, socketGroup);
            control::Telemetry telemetry(commands);
            // Lets dpdk-dumpcap/dpdk-pdump (secondary processes) capture our ports; they
            // need EAL on shared hugepage memory, so this stays inert under --no-huge.
            if (rte_pdump_init() != 0) VTEPGW_LOG(WARNING, MAIN, "packet capture (rte_pdump) unavailable");
            VTEPGW_LOG(INFO, MAIN, "control socket %s", opt.socketPath.c_str());
            for (uint16_t w = 0; w < workers; ++w)
                rte_eal_remote_launch(launchWorker, ws[w].get(), workerLcores[w]);
            VTEPGW_LOG(INFO, MAIN, "forwarding on %u worker(s); SIGINT/SIGTERM stop, SIGHUP reloads %s",
                       workers, opt.configPath.c_str());

            while (!gStop.load()) {
                if (gReload.exchange(false)) {
                    // The same path as "vtepctl config reload"; the log says what it said.
                    const auto reply = commands.reload();
                    for (const auto& e : reply.value("errors", nlohmann::ordered_json::array()))
                        VTEPGW_LOG(ERR, CONFIG, "reload rejected: %s", e.get<std::string>().c_str());
                    for (const auto& w : reply.value("warnings", nlohmann::ordered_json::array()))
                        VTEPGW_LOG(WARNING, CONFIG, "reload: %s", w.get<std::string>().c_str());
                    if (reply.value("ok", false)) VTEPGW_LOG(INFO, CONFIG, "reloaded %s", opt.configPath.c_str());
                }
                commands.sample(ctl.nowMs());
                const bool polled = ctl.poll();  // both run every round
                const bool busy = telemetry.serve() || polled;
                if (!socket.poll(ctl.nowMs()) && !busy)
                    std::this_thread::sleep_for(std::chrono::microseconds(100));
            }
            ctl.shutdown();
            for (int i = 0; i < 100 && rte_ring_count(ch.controlTx) != 0; ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            // A few more loops: the worker that took the leaves has yet to hand them to the NIC.
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            gWorkersStop.store(true);
            rte_eal_mp_wait_lcore();

            const auto totals = ctl.totals();
            std::printf("vtepd: final counters\n%s", control::countersText(ctl, totals).c_str());
            std::printf("vtepd: address table: %u MAC(s), remote VTEPs: %s\n", fdb.size(),
                        control::vtepsJson(ctl).dump().c_str());
            std::fflush(stdout);
            // Packets still queued towards the control core or held by it go back to the pool.
            rte_mbuf* m = nullptr;
            while (rte_ring_dequeue(ch.exception, reinterpret_cast<void**>(&m)) == 0) rte_pktmbuf_free(m);
            while (rte_ring_dequeue(ch.controlTx, reinterpret_cast<void**>(&m)) == 0) rte_pktmbuf_free(m);
            for (uint16_t id : openedPorts) port::closePort(id);
            openedPorts.clear();
            rte_ring_free(ch.learn);
            rte_ring_free(ch.exception);
            rte_ring_free(ch.controlTx);
        } catch (const std::exception& e) {
            gStop.store(true);
            gWorkersStop.store(true);
            rte_eal_mp_wait_lcore();
            std::fprintf(stderr, "vtepd: %s\n", e.what());
            exitCode = 1;
        }
    }
    for (uint16_t id : openedPorts) port::closePort(id);
    rte_eal_cleanup();
    return exitCode;
}
