// The operator's commands, as JSON requests and replies: what vtepctl (through the control
// socket) and SIGHUP reloads call. Every change is made on a copy of the running
// configuration, validated as a whole by config::parse and applied by Controller::apply,
// so a change is all or nothing and its errors name the field.
//
// Request:  {"command": "show counters", "args": {...}}
// Reply:    {"ok": true, "result": ...}  or  {"ok": false, "errors": ["path: reason", ...]}
#pragma once

#include <rte_mempool.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/types.h>
#include <vector>

#include "control/controller.h"
#include "dataplane/trace.h"
#include "counters/counters.h"
#include "fdb/fdb.h"

namespace vtepgw::control {

struct InterfaceInfo {
    std::string name;
    uint16_t portId;
    std::string device;
    std::string driver;
    uint16_t queues;
    uint16_t rxDescriptors;
    uint16_t txDescriptors;
    std::string profile;
    bool rss;
    bool multiSegTx;
    bool rssHash = false;
    bool rxIpv4Checksum = false;
    bool txIpv4Checksum = false;
    std::string role;  // empty: underlay or access, from the configuration
};

class Commands {
public:
    using Json = nlohmann::ordered_json;
    // "config apply" reads at most this much (100k static MACs take about 8 MiB).
    static constexpr off_t kMaxConfigFile = 64 << 20;

    // `configJson` is the running configuration as applied (the file's JSON).
    // `pool` (optional) is reported as mbufs in use by "show counters".
    Commands(Controller& ctl, fdb::Fdb& fdb, std::vector<const counters::WorkerCounters*> workers,
             std::vector<InterfaceInfo> interfaces, Json configJson, rte_mempool* pool = nullptr);

    // Executes one request; never throws.
    Json execute(const Json& request);
    // Parses and executes one request line; malformed JSON gets an error reply.
    std::string executeLine(const std::string& line);
    // Replaces the whole configuration (config apply, SIGHUP); errors as in replies.
    std::vector<std::string> applyText(const std::string& text);
    // The file vtepd read its configuration from: the default of "config save", "config diff"
    // and what "config reload" (and SIGHUP) read again.
    void setConfigFile(const std::string& path) { configFile_ = path; }
    // "config reload": reads the file again and applies it. The reply says what happened,
    // including run-time changes that were never saved and are now gone.
    Json reload();
    // The packet trace the workers write (vtepctl trace ...); without one the trace commands
    // say so. `rcu` lets a restart wait for the workers to leave the records.
    void setTrace(dataplane::Trace* trace, rcu::QsbrDomain* rcu) {
        trace_ = trace;
        rcu_ = rcu;
    }
    // Samples the counters for the per-second rates in "show counters"; call it from the
    // control loop (it does the work once per kRateIntervalMs).
    static constexpr uint64_t kRateIntervalMs = 5000;
    void sample(uint64_t nowMs);
    // What the last accepted change was warned about (e.g. TTL 1): replies carry them as
    // "warnings", a SIGHUP reload logs them.
    const std::vector<std::string>& warnings() const { return warnings_; }

private:
    Json showCounters();
    Json showVteps();
    Json showBridges();
    Json showInterfaces();
    Json showIgmp();
    Json showEvpn();
    Json showNeighbors();
    Json showAddressTable(const Json& args);
    Json showRoutes();
    Json interfaceCounters();
    Json configSave(const Json& args);
    Json configDiff(const Json& args);
    void clearCounters();
    Json traceCommand(const std::string& cmd, const Json& args);
    Json rates() const;
    Json clearAddressTable(const Json& args);
    // Validates and applies a modified copy of the configuration.
    std::vector<std::string> applyJson(const Json& next);
    std::vector<std::string> change(const std::string& command, const Json& args);

    Controller& ctl_;
    fdb::Fdb& fdb_;
    std::vector<const counters::WorkerCounters*> workers_;
    std::vector<InterfaceInfo> interfaces_;
    Json applied() const;

    Json config_;
    rte_mempool* pool_;
    std::vector<std::string> warnings_;
    std::string configFile_;
    dataplane::Trace* trace_ = nullptr;
    rcu::QsbrDomain* rcu_ = nullptr;
    Json fileConfig_;  // the configuration as last read from or saved to configFile_
    // Per-worker figures at the last "clear counters" (the controller keeps the rest).
    struct WorkerBase {
        counters::BusyCounters busy[counters::kDirections];
        uint64_t loops = 0, idleSleeps = 0, idleSleepUs = 0;
    };
    std::vector<WorkerBase> workerBase_;
    // Two samples of the totals kRateIntervalMs apart: rates are their difference.
    struct Sample {
        uint64_t atMs = 0;
        counters::Totals totals;
    };
    std::unique_ptr<Sample> previous_, latest_;
};

}  // namespace vtepgw::control
