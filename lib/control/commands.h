// The operator's commands, as JSON requests and replies: what vtepctl (through the control
// socket) and SIGHUP reloads call. Every change is made on a copy of the running
// configuration, validated as a whole by config::parse and applied by Controller::apply,
// so a change is all or nothing and its errors name the field.
//
// Request:  {"command": "show counters", "args": {...}}
// Reply:    {"ok": true, "result": ...}  or  {"ok": false, "errors": ["path: reason", ...]}
#pragma once

#include <rte_mempool.h>

#include <nlohmann/json.hpp>
#include <string>
#include <sys/types.h>
#include <vector>

#include "control/controller.h"
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
    // What the last accepted change was warned about (e.g. TTL 1): replies carry them as
    // "warnings", a SIGHUP reload logs them.
    const std::vector<std::string>& warnings() const { return warnings_; }

private:
    Json showCounters(bool clear);
    Json showVteps();
    Json showBridges();
    Json showInterfaces();
    Json showIgmp();
    Json showEvpn();
    Json showNeighbors();
    Json showAddressTable(const Json& args);
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
};

}  // namespace vtepgw::control
