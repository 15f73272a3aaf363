#include "control/commands.h"

#include <rte_ethdev.h>
#include <rte_log.h>

#include <algorithm>
#include <set>

#include <map>
#include <optional>

#include "config/parse.h"
#include "config/store.h"
#include "control/metrics.h"
#include "control/report.h"

namespace vtepgw::control {

using Json = Commands::Json;
using netaddr::Ipv4Address;
using netaddr::Ipv4Prefix;

namespace {

// The route a VTEP takes, as its prefix text (nullopt: none).
std::optional<std::string> routeText(const underlay::RouteTable& routes, const netaddr::IpAddress& a) {
    if (a.isV4()) {
        if (const auto* r = routes.match(a.v4())) return r->prefix.toString();
        return std::nullopt;
    }
    if (const auto* r = routes.match(a.v6())) return r->prefix.toString();
    return std::nullopt;
}


Json ok(Json result) { return Json{{"ok", true}, {"result", std::move(result)}}; }
Json failed(const std::vector<std::string>& errors) { return Json{{"ok", false}, {"errors", errors}}; }
Json failed(const std::string& error) { return failed(std::vector<std::string>{error}); }

// Reads a required string argument; the error names it.
bool stringArg(const Json& args, const char* name, std::string& out, std::vector<std::string>& errors) {
    if (!args.contains(name) || !args[name].is_string()) {
        errors.push_back(std::string("args.") + name + ": is required (a string)");
        return false;
    }
    out = args[name].get<std::string>();
    return true;
}

// The arguments each command takes; anything else is an error naming it, so that a
// misspelt option never silently does something else. "bridge add" takes a bridge's
// fields, which config::parse checks by name.
const std::map<std::string, std::set<std::string>>& argumentsOf() {
    static const std::map<std::string, std::set<std::string>> k = {
        {"show counters", {"clear"}}, {"clear counters", {}}, {"show vtep", {"vtep"}},
        {"show bridges", {"vni", "bridge"}}, {"show interfaces", {"port"}}, {"show interfaces counters", {"port"}},
        {"show igmp", {}},
        {"show neighbors", {}}, {"show routes", {}}, {"show evpn", {}}, {"show config", {}}, {"show fdb", {}},
        {"show address-table", {"vni", "mac", "vlan", "port", "vtep", "type"}}, {"show arp", {"vni"}},
        {"clear address-table", {"vni"}}, {"config apply", {"file"}}, {"config save", {"file"}},
        {"config diff", {"file"}}, {"config reload", {}}, {"log level", {"pattern", "level"}},
        {"bridge del", {"bridge"}}, {"member add", {"bridge", "port", "vlan"}},
        {"member del", {"bridge", "port", "vlan"}}, {"flood add", {"bridge", "vtep"}},
        {"flood del", {"bridge", "vtep"}}, {"group set", {"bridge", "group"}},
        {"static add", {"bridge", "mac", "vtep", "port", "vlan"}}, {"static del", {"bridge", "mac"}},
        {"trace start", {"count", "port"}}, {"trace show", {}}, {"trace stop", {}}, {"show metrics", {}}};
    return k;
}

std::string joined(const std::set<std::string>& names) {
    std::string s;
    for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
    return s.empty() ? "none" : s;
}

// Filter arguments, parsed: addresses compare as addresses, never as text.
struct Filter {
    std::optional<uint32_t> vni, vlan;
    std::optional<netaddr::MacAddress> mac;
    std::optional<netaddr::IpAddress> vtep;
    std::optional<std::string> port, bridge, type;

    static Filter parse(const Json& args, std::vector<std::string>& errors) {
        Filter f;
        auto number = [&](const char* name, uint32_t hi, std::optional<uint32_t>& out) {
            if (!args.contains(name)) return;
            if (!args[name].is_number_integer() || args[name].get<int64_t>() > hi || args[name].get<int64_t>() <= 0)
                errors.push_back(std::string("args.") + name + ": must be a number between 1 and " + std::to_string(hi));
            else
                out = args[name].get<uint32_t>();
        };
        auto text = [&](const char* name, std::optional<std::string>& out) {
            if (!args.contains(name)) return;
            if (!args[name].is_string()) errors.push_back(std::string("args.") + name + ": must be a string");
            else out = args[name].get<std::string>();
        };
        number("vni", 0xFFFFFF, f.vni);
        number("vlan", 4094, f.vlan);
        text("port", f.port);
        text("bridge", f.bridge);
        text("type", f.type);
        std::optional<std::string> mac, vtep;
        text("mac", mac);
        text("vtep", vtep);
        if (mac && !(f.mac = netaddr::MacAddress::parse(*mac)))
            errors.push_back("args.mac: '" + *mac + "' is not a MAC address");
        if (vtep && !(f.vtep = netaddr::IpAddress::parse(*vtep)))
            errors.push_back("args.vtep: '" + *vtep + "' is not an IPv4 or IPv6 address");
        return f;
    }
    // Rows carry canonical text (MacAddress/IpAddress::toString), so canonical text compares.
    bool keeps(const Json& row) const {
        auto same = [&](const char* key, const Json& want) { return row.contains(key) && row[key] == want; };
        if (vni && !same("vni", *vni)) return false;
        if (vlan && !same("vlan", *vlan)) return false;
        if (mac && !same("mac", mac->toString())) return false;
        if (vtep && !same("vtep", vtep->toString())) return false;
        if (port && !same("port", *port)) return false;
        if (bridge && !same("bridge", *bridge)) return false;
        if (type && !same("type", *type)) return false;
        return true;
    }
    Json apply(const Json& rows) const {
        Json out = Json::array();
        for (const auto& r : rows)
            if (keeps(r)) out.push_back(r);
        return out;
    }
};

// A MAC or address as the configuration will hold it: canonical when it parses (so it can
// be found again whatever notation the operator used), as given otherwise (config::parse
// then reports it).
Json canonicalMac(const Json& v) {
    if (!v.is_string()) return v;
    const auto m = netaddr::MacAddress::parse(v.get<std::string>());
    return m ? Json(m->toString()) : v;
}
Json canonicalIp(const Json& v) {
    if (!v.is_string()) return v;
    const auto a = netaddr::IpAddress::parse(v.get<std::string>());
    return a ? Json(a->toString()) : v;
}

}  // namespace

Commands::Commands(Controller& ctl, fdb::Fdb& fdb,
                   std::vector<const counters::WorkerCounters*> workers,
                   std::vector<InterfaceInfo> interfaces, Json configJson, rte_mempool* pool)
    : ctl_(ctl), fdb_(fdb), workers_(std::move(workers)), interfaces_(std::move(interfaces)),
      config_(std::move(configJson)), pool_(pool), fileConfig_(config_) {}

std::string Commands::executeLine(const std::string& line) {
    Json request;
    try {
        request = Json::parse(line);
    } catch (const Json::exception& e) {
        // The parser's message quotes the offending bytes, which need not be UTF-8.
        return failed(std::string("request is not JSON: ") + e.what()).dump(-1, ' ', false, Json::error_handler_t::replace);
    }
    return execute(request).dump(-1, ' ', false, Json::error_handler_t::replace);
}

Json Commands::execute(const Json& request) {
    if (!request.is_object() || !request.contains("command") || !request["command"].is_string())
        return failed("command: is required (a string, e.g. \"show counters\")");
    const std::string cmd = request["command"].get<std::string>();
    const Json args = request.contains("args") && request["args"].is_object() ? request["args"] : Json::object();
    if (cmd != "bridge add") {
        const auto spec = argumentsOf().find(cmd);
        if (spec == argumentsOf().end()) return failed("command: unknown command '" + cmd + "'");
        std::vector<std::string> errors;
        for (const auto& a : args.items())
            if (!spec->second.count(a.key()))
                errors.push_back("args." + a.key() + ": '" + cmd + "' takes no such argument (it takes: " +
                                 joined(spec->second) + ")");
        if (!errors.empty()) return failed(errors);
    }
    try {
        std::vector<std::string> errors;
        // Filters belong to the show commands; changes read their arguments themselves.
        const bool filtered = cmd.rfind("show ", 0) == 0 || cmd == "clear address-table";
        const Filter filter = filtered ? Filter::parse(args, errors) : Filter{};
        if (!errors.empty()) return failed(errors);
        if (cmd == "show counters" || cmd == "clear counters") {
            if (cmd == "clear counters" || args.value("clear", false)) {
                clearCounters();
                return ok(Json{{"cleared", true}});
            }
            return ok(showCounters());
        }
        if (cmd == "show vtep") return ok(filter.apply(showVteps()));
        if (cmd == "show bridges") return ok(filter.apply(showBridges()));
        if (cmd == "show interfaces") {
            Json rows = Json::array();
            for (const auto& r : showInterfaces())
                if (!filter.port || r["name"] == *filter.port) rows.push_back(r);
            return ok(rows);
        }
        if (cmd == "show interfaces counters") {
            Json rows = Json::array();
            for (const auto& r : interfaceCounters())
                if (!filter.port || r["port"] == *filter.port) rows.push_back(r);
            return ok(rows);
        }
        if (cmd == "show igmp") return ok(showIgmp());
        if (cmd == "show neighbors") return ok(showNeighbors());
        if (cmd == "show routes") return ok(showRoutes());
        if (cmd == "show metrics") return ok(prometheusText(showCounters(), showVteps()));
        if (cmd == "show evpn") return ok(showEvpn());
        if (cmd == "show config") return ok(config_);
        if (cmd == "show fdb") {
            Json perBridge = Json::object();
            for (const auto& b : ctl_.config().bridges)
                perBridge[b.name] = fdb_.dynamicCount(ctl_.bridgeIds().at(b.name));
            return ok(Json{{"entries", fdb_.size()}, {"capacity", fdb_.capacity()},
                           {"learned_per_bridge", perBridge}});
        }
        if (cmd == "log level") {
            std::string pattern, level;
            if (!stringArg(args, "pattern", pattern, errors) || !stringArg(args, "level", level, errors))
                return failed(errors);
            static const std::vector<std::string> names = {"emergency", "alert", "critical", "error",
                                                           "warning", "notice", "info", "debug"};
            const auto it = std::find(names.begin(), names.end(), level);
            if (it == names.end()) return failed("args.level: '" + level + "' is not one of emergency..debug");
            if (rte_log_set_level_pattern(pattern.c_str(), static_cast<uint32_t>(it - names.begin()) + 1) != 0)
                return failed("args.pattern: '" + pattern + "' is not a valid pattern");
            return ok("applied");
        }
        if (cmd == "show address-table") return ok(filter.apply(addressTableJson(ctl_, fdb_)));
        if (cmd == "show arp") return ok(filter.apply(arpTableJson(ctl_, fdb_)));
        if (cmd == "clear address-table") return ok(clearAddressTable(args));
        if (cmd == "config apply") {
            std::string file;
            if (!stringArg(args, "file", file, errors)) return failed(errors);
            std::string error;
            const auto text = config::readRegularFile(file, kMaxConfigFile, error);
            if (!text) return failed("args.file: " + error);
            errors = applyText(*text);
            return errors.empty() ? applied() : failed(errors);
        }
        if (cmd.rfind("trace ", 0) == 0) return traceCommand(cmd, args);
        if (cmd == "config save") return configSave(args);
        if (cmd == "config diff") return configDiff(args);
        if (cmd == "config reload") return reload();
        errors = change(cmd, args);
        return errors.empty() ? applied() : failed(errors);
    } catch (const std::exception& e) {
        // Bad argument types inside nlohmann accessors: an error for this request only.
        return failed(std::string("args: ") + e.what());
    }
}

std::vector<std::string> Commands::applyText(const std::string& text) {
    Json next;
    try {
        next = Json::parse(text);
    } catch (const Json::exception&) {
        // Let config::parse produce the canonical syntax message.
        std::vector<std::string> errors;
        for (const auto& e : config::parse(text).errors) errors.push_back(e.toString());
        return errors;
    }
    return applyJson(next);
}

Json Commands::applied() const {
    Json reply = ok("applied");
    if (!warnings_.empty()) reply["warnings"] = warnings_;
    return reply;
}

std::vector<std::string> Commands::applyJson(const Json& next) {
    auto parsed = config::parse(next.dump());
    std::vector<std::string> errors;
    for (const auto& e : parsed.errors) errors.push_back(e.toString());
    warnings_.clear();
    if (!errors.empty()) return errors;
    for (const auto& w : parsed.warnings) warnings_.push_back(w.toString());
    errors = ctl_.apply(*parsed.config);
    if (errors.empty()) config_ = next;
    return errors;
}

std::vector<std::string> Commands::change(const std::string& cmd, const Json& args) {
    static const std::set<std::string> kChanges = {"bridge add", "bridge del", "member add", "member del",
                                                   "flood add", "flood del", "group set", "static add",
                                                   "static del"};
    if (!kChanges.count(cmd)) return {"command: unknown command '" + cmd + "'"};
    std::vector<std::string> errors;
    Json next = config_;
    std::string bridge;
    if (cmd == "bridge add") {
        if (!stringArg(args, "bridge", bridge, errors)) return errors;
        if (next.contains("bridges") && next["bridges"].contains(bridge))
            return {"bridges." + bridge + ": already exists"};
        Json b = args;
        b.erase("bridge");
        next["bridges"][bridge] = b;
        return applyJson(next);
    }
    if (!stringArg(args, "bridge", bridge, errors)) return errors;
    if (!next.contains("bridges") || !next["bridges"].contains(bridge))
        return {"bridges." + bridge + ": no such bridge"};
    Json& b = next["bridges"][bridge];
    auto removeFrom = [&](const char* list, const Json& item) -> bool {
        if (!b.contains(list)) return false;
        Json& arr = b[list];
        for (auto it = arr.begin(); it != arr.end(); ++it)
            if (*it == item) {
                arr.erase(it);
                return true;
            }
        return false;
    };
    auto member = [&]() {
        Json m = {{"port", args.value("port", "")}};
        if (args.contains("vlan")) m["vlan"] = args["vlan"];
        return m;
    };
    const Json vtep = canonicalIp(args.value("vtep", Json("")));
    if (cmd == "bridge del") {
        next["bridges"].erase(bridge);
    } else if (cmd == "member add") {
        b["members"].push_back(member());
    } else if (cmd == "member del") {
        if (!removeFrom("members", member())) return {"bridges." + bridge + ".members: no such member"};
    } else if (cmd == "flood add") {
        b["flood_vteps"].push_back(vtep);
    } else if (cmd == "flood del") {
        // Listed entries compare as addresses, however the file wrote them.
        bool found = false;
        if (b.contains("flood_vteps"))
            for (auto it = b["flood_vteps"].begin(); it != b["flood_vteps"].end(); ++it)
                if (canonicalIp(*it) == vtep) {
                    b["flood_vteps"].erase(it);
                    found = true;
                    break;
                }
        if (!found) return {"bridges." + bridge + ".flood_vteps: " + args.value("vtep", "") + " is not listed"};
    } else if (cmd == "group set") {
        if (args.contains("group") && !args["group"].is_null()) b["group"] = args["group"];
        else b.erase("group");
    } else if (cmd == "static add") {
        Json s = args;
        s.erase("bridge");
        if (s.contains("mac")) s["mac"] = canonicalMac(s["mac"]);
        if (s.contains("vtep")) s["vtep"] = canonicalIp(s["vtep"]);
        b["static_macs"].push_back(s);
    } else if (cmd == "static del") {
        const std::string mac = args.value("mac", "");
        const Json want = canonicalMac(Json(mac));
        bool found = false;
        if (b.contains("static_macs")) {
            Json& arr = b["static_macs"];
            for (auto it = arr.begin(); it != arr.end(); ++it)
                if (canonicalMac((*it).value("mac", Json(""))) == want) {
                    arr.erase(it);
                    found = true;
                    break;
                }
        }
        if (!found) return {"bridges." + bridge + ".static_macs: " + mac + " is not a static MAC"};
        if (b["static_macs"].empty()) b.erase("static_macs");  // as if never added: no noise in config diff
    } else {
        return {"command: unknown command '" + cmd + "'"};
    }
    return applyJson(next);
}

void Commands::clearCounters() {
    ctl_.clearCounters();
    workerBase_.assign(workers_.size(), WorkerBase{});
    for (size_t i = 0; i < workers_.size(); ++i) {
        const auto* w = workers_[i];
        for (size_t d = 0; d < counters::kDirections; ++d) workerBase_[i].busy[d] = w->busy[d];
        workerBase_[i].loops = w->loops;
        workerBase_[i].idleSleeps = w->idleSleeps;
        workerBase_[i].idleSleepUs = w->idleSleepUs;
    }
}

void Commands::sample(uint64_t nowMs) {
    if (latest_ && nowMs - latest_->atMs < kRateIntervalMs) return;
    auto next = std::make_unique<Sample>();
    next->atMs = nowMs;
    next->totals = ctl_.rawTotals();
    previous_ = std::move(latest_);
    latest_ = std::move(next);
}

Json Commands::rates() const {
    if (!previous_ || !latest_ || latest_->atMs <= previous_->atMs) return nullptr;
    const double secs = double(latest_->atMs - previous_->atMs) / 1000.0;
    const auto& a = previous_->totals;
    const auto& b = latest_->totals;
    auto per = [secs](uint64_t from, uint64_t to) { return to >= from ? double(to - from) / secs : 0.0; };
    Json ports = Json::object();
    for (const auto& p : ctl_.ports()) {
        const auto &x = a.ports[p.portId], &y = b.ports[p.portId];
        ports[p.name] = {{"rx_pps", per(x.rxPackets, y.rxPackets)},
                         {"rx_bps", 8 * per(x.rxBytes, y.rxBytes)},
                         {"tx_pps", per(x.txPackets, y.txPackets)},
                         {"tx_bps", 8 * per(x.txBytes, y.txBytes)}};
    }
    Json bridges = Json::object();
    for (const auto& br : ctl_.config().bridges) {
        const auto id = ctl_.bridgeIds().at(br.name);
        const auto &x = a.bridges[id], &y = b.bridges[id];
        bridges[br.name] = {{"encap_pps", per(x.encapPackets, y.encapPackets)},
                            {"decap_pps", per(x.decapPackets, y.decapPackets)},
                            {"flooded_pps", per(x.flooded, y.flooded)}};
    }
    return Json{{"interval_seconds", secs}, {"ports", ports}, {"bridges", bridges},
                {"drops_pps", per(a.totalDrops(), b.totalDrops())}};
}

Json Commands::showCounters() {
    const auto t = ctl_.totals();
    Json j = countersJson(ctl_, t);
    if (const Json r = rates(); !r.is_null()) {
        // Beside the figures they describe, so that a table shows both.
        for (const auto& p : r["ports"].items())
            if (j["ports"].contains(p.key())) j["ports"][p.key()]["rates"] = p.value();
        for (const auto& b : r["bridges"].items())
            if (j["bridges"].contains(b.key())) j["bridges"][b.key()]["rates"] = b.value();
        j["rate_interval_seconds"] = r["interval_seconds"];
        j["drops_per_second"] = r["drops_pps"];
    }
    Json perWorker = Json::array();
    for (size_t i = 0; i < workers_.size(); ++i) {
        const auto* w = workers_[i];
        const WorkerBase base = i < workerBase_.size() ? workerBase_[i] : WorkerBase{};
        counters::BusyCounters dir[counters::kDirections];
        for (size_t d = 0; d < counters::kDirections; ++d)
            dir[d] = {w->busy[d].cycles - base.busy[d].cycles, w->busy[d].packets - base.busy[d].packets};
        const counters::BusyCounters busy{dir[0].cycles + dir[1].cycles, dir[0].packets + dir[1].packets};
        perWorker.push_back({{"worker", i},
                             {"busy_packets", busy.packets},
                             {"busy_cycles", busy.cycles},
                             {"loops", w->loops - base.loops},
                             {"idle_sleeps", w->idleSleeps - base.idleSleeps},
                             {"idle_sleep_us", w->idleSleepUs - base.idleSleepUs},
                             {"cycles_per_packet", busy.cyclesPerPacket()},
                             {"cycles_per_packet_from_access", dir[0].cyclesPerPacket()},
                             {"cycles_per_packet_from_underlay", dir[1].cyclesPerPacket()}});
    }
    j["workers"] = perWorker;
    if (pool_ != nullptr) {
        j["mbufs_in_use"] = rte_mempool_in_use_count(pool_);
        j["mbufs_total"] = pool_->size;
    }
    j["fdb_entries"] = fdb_.size();
    return j;
}

Json Commands::showVteps() {
    std::map<uint16_t, std::pair<uint32_t, std::set<uint32_t>>> stats;  // tunnel -> (MACs, VNIs)
    std::map<fdb::BridgeId, uint32_t> vniOf;
    for (const auto& b : ctl_.config().bridges) vniOf[ctl_.bridgeIds().at(b.name)] = b.vni;
    fdb_.forEach([&](const fdb::EntryView& v) {
        if (v.dest.kind() != fdb::DestKind::Remote) return;
        auto& s = stats[static_cast<uint16_t>(v.dest.tunnel())];
        ++s.first;
        if (vniOf.count(fdb::keyBridge(v.key))) s.second.insert(vniOf[fdb::keyBridge(v.key)]);
    });
    for (const auto& b : ctl_.config().bridges)
        for (const auto& v : b.floodVteps)
            if (auto id = ctl_.tunnels().find({v, b.encap, false})) stats[*id].second.insert(b.vni);
    if (const auto* e = ctl_.evpn())
        for (const auto& [vni, vteps] : e->remote().floods())
            for (uint32_t v : vteps)
                if (auto id = ctl_.tunnels().find({Ipv4Address{v}, encap::Encap::Vxlan, false})) stats[*id].second.insert(vni);
    const auto totals = ctl_.totals();
    const uint32_t now = static_cast<uint32_t>(ctl_.nowMs() / 1000);
    Json rows = Json::array();
    for (const auto& [key, id] : ctl_.tunnels().byKey()) {
        if (key.multicast) continue;
        const auto& s = stats[id];
        const counters::VtepCounters& c = totals.vteps[id];
        Json row = {{"vtep", key.ip.toString()},
                    {"family", key.ip.family()},
                    {"encapsulation", encap::encapName(key.encap)}};
        if (key.encap == encap::Encap::Vxlan) row["udp_port"] = ctl_.config().udpPortOf(key.ip);
        const bool configured = ctl_.configuredTunnel(id);
        // How it is reached: the route, the next hop and whether its MAC is known.
        const auto route = routeText(ctl_.routes(), key.ip);
        const auto nh = ctl_.routes().nextHopOf(key.ip);
        const auto& neigh = ctl_.neighbors().entries();
        const auto n = nh ? neigh.find(*nh) : neigh.end();
        const bool resolved = n != neigh.end() && (n->second.state == underlay::NeighborState::Reachable ||
                                                   n->second.state == underlay::NeighborState::Static);
        row.update(Json{{"route", route ? Json(*route) : Json(nullptr)},
                        {"next_hop", nh ? Json(nh->toString()) : Json(nullptr)},
                        {"neighbor_state", !nh ? Json("no route")
                                               : n == neigh.end() ? Json("unresolved")
                                                                  : Json(underlay::neighborStateName(n->second.state))},
                        {"reachable", resolved}});
        row.update(Json{{"learned", !configured},
                        {"source", configured ? "static" : ctl_.evpnTunnel(id) ? "evpn" : "learned"},
                        {"vnis", Json(std::vector<uint32_t>(s.second.begin(), s.second.end()))},
                        {"macs", s.first},
                        {"tx_packets", c.txPackets},
                        {"tx_bytes", c.txBytes},
                        {"rx_packets", c.rxPackets},
                        {"rx_bytes", c.rxBytes},
                        {"last_seen_seconds_ago", c.rxPackets ? Json(now - std::min(now, c.lastRx)) : Json(nullptr)}});
        rows.push_back(row);
    }
    return rows;
}

Json Commands::showBridges() {
    Json rows = Json::array();
    for (const auto& b : ctl_.config().bridges) {
        Json members = Json::array();
        for (const auto& m : b.members) {
            Json row = {{"port", m.port}};
            if (m.vlan) row["vlan"] = *m.vlan;
            members.push_back(row);
        }
        Json flood = Json::array();
        for (const auto& v : b.floodVteps) flood.push_back(v.toString());
        const fdb::BridgeId id = ctl_.bridgeIds().at(b.name);
        Json addresses = Json::array();
        for (const auto& a : b.addresses) addresses.push_back(a.toString());
        const rte_ether_addr g = ctl_.gatewayMac(b);
        netaddr::MacAddress gatewayMac;
        std::copy(std::begin(g.addr_bytes), std::end(g.addr_bytes), gatewayMac.bytes.begin());
        rows.push_back({{"bridge", b.name},
                        {"vni", b.vni},
                        {"encapsulation", encap::encapName(b.encap)},
                        {"overhead", ctl_.config().overheadOf(b)},
                        {"max_inner_mtu", ctl_.config().underlay.mtu - ctl_.config().overheadOf(b)},
                        {"members", members},
                        {"flood_vteps", flood},
                        {"group", b.group ? Json(b.group->toString()) : Json(nullptr)},
                        {"learning", b.learning.value_or(ctl_.config().vxlan.learning)},
                        {"mac_limit", b.macLimit},
                        {"learned_macs", fdb_.dynamicCount(id)},
                        {"addresses", addresses},
                        {"gateway_mac", b.addresses.empty() ? Json(nullptr) : Json(gatewayMac.toString())},
                        {"vrf", b.vrf},
                        {"arp_suppression", b.arpSuppression},
                        {"arp_entries", ctl_.arp().count(id)},
                        {"arp_limit", b.arpLimit}});
    }
    return rows;
}

Json Commands::showInterfaces() {
    Json rows = Json::array();
    for (const auto& i : interfaces_) {
        rte_eth_link link{};
        rte_eth_link_get_nowait(i.portId, &link);
        uint16_t mtu = 0;
        rte_eth_dev_get_mtu(i.portId, &mtu);
        rte_ether_addr mac{};
        rte_eth_macaddr_get(i.portId, &mac);
        netaddr::MacAddress macText;  // one notation everywhere: lowercase, colons
        std::copy(std::begin(mac.addr_bytes), std::end(mac.addr_bytes), macText.bytes.begin());
        const bool underlay = i.name == ctl_.config().underlay.port;
        // What the NIC dropped before vtepd saw it: the first sign of a core that cannot keep up.
        rte_eth_stats nic{};
        rte_eth_stats_get(i.portId, &nic);
        rows.push_back({{"name", i.name},
                        {"port_id", i.portId},
                        {"device", i.device},
                        {"driver", i.driver},
                        {"role", !i.role.empty() ? i.role : underlay ? "underlay" : "access"},
                        {"mac", macText.toString()},
                        {"mtu", mtu},
                        {"link", link.link_status == RTE_ETH_LINK_UP ? "up" : "down"},
                        {"speed_mbps", link.link_speed},
                        {"queues", i.queues},
                        {"rx_descriptors", i.rxDescriptors},
                        {"tx_descriptors", i.txDescriptors},
                        {"profile", i.profile},
                        // MBUF_FAST_FREE stays off: flood copies of large frames are
                        // indirect mbufs, which it does not allow.
                        {"offloads", Json{{"rss", i.rss}, {"rss_hash", i.rssHash},
                                          {"multi_seg_tx", i.multiSegTx},
                                          {"ipv4_checksum_rx", i.rxIpv4Checksum},
                                          {"ipv4_checksum_tx", i.txIpv4Checksum},
                                          {"mbuf_fast_free", false}}},
                        {"nic_drops", Json{{"rx_missed", nic.imissed}, {"rx_errors", nic.ierrors},
                                           {"rx_no_mbuf", nic.rx_nombuf}, {"tx_errors", nic.oerrors}}}});
        if (i.role == "host") {
            Json host = hostCountersJson(ctl_, ctl_.totals());
            host.erase("interface");
            host["problems"] = ctl_.hostProblems();
            rows.back()["host"] = host;
        }
    }
    return rows;
}

Json Commands::showEvpn() {
    const evpn::Fabric* e = ctl_.evpn();
    if (e == nullptr) return Json{{"enabled", false}};
    const auto& st = e->stats();
    Json devices = Json::array();
    for (const auto& d : e->devices()) {
        const auto f = e->remote().floods().find(d.vni);
        const auto m = e->remote().macs().find(d.vni);
        Json flood = Json::array();
        if (f != e->remote().floods().end())
            for (uint32_t v : f->second) flood.push_back(netaddr::Ipv4Address{v}.toString());
        devices.push_back({{"bridge", d.bridge},
                           {"vni", d.vni},
                           {"shadow_bridge", d.bridgeDev},
                           {"shadow_vxlan", d.vxlanDev},
                           {"shadow_port", d.portDev},
                           {"remote_vteps", flood},
                           {"remote_macs", m == e->remote().macs().end() ? 0 : m->second.size()}});
    }
    const uint64_t now = ctl_.nowMs();
    return Json{{"enabled", true},
                {"prefix", ctl_.config().evpn->prefix},
                {"data_plane_learning", ctl_.config().evpn->dataPlaneLearning},
                {"synced", st.synced},
                {"resyncs", st.resyncs},
                {"last_resync_seconds_ago", st.resyncs ? Json((now - st.lastResyncMs) / 1000) : Json(nullptr)},
                {"notifications_in", st.notifications},
                {"malformed_in", st.malformed},
                {"remote_macs", e->remote().macCount()},
                {"local_macs_added", st.localAdded},
                {"local_macs_removed", st.localRemoved},
                {"write_errors", st.writeErrors},
                {"bridges", devices}};
}

Json Commands::showIgmp() {
    Json rows = Json::array();
    const uint64_t now = ctl_.nowMs();
    for (const auto& [g, last] : ctl_.groups())
        rows.push_back({{"group", netaddr::Ipv4Address{g}.toString()},
                        {"version", ctl_.igmpVersion()},
                        {"last_report_seconds_ago", (now - last) / 1000}});
    return rows;
}

Json Commands::showNeighbors() {
    Json rows = Json::array();
    const uint64_t now = ctl_.nowMs();
    for (const auto& [address, n] : ctl_.neighbors().entries()) {
        const bool known = n.state != underlay::NeighborState::Incomplete && !n.mac.isZero();
        rows.push_back({{"address", address.toString()},
                        {"family", address.family()},
                        {"mac", known ? Json(n.mac.toString()) : Json(nullptr)},
                        {"state", underlay::neighborStateName(n.state)},
                        {"static", n.state == underlay::NeighborState::Static},
                        {"age_seconds", n.state == underlay::NeighborState::Static ? Json(nullptr)
                                                                                 : Json((now - n.updatedMs) / 1000)},
                        {"unanswered_probes", n.probes},
                        {"held_packets", n.held.size()}});
    }
    return rows;
}

Json Commands::interfaceCounters() {
    const Json c = showCounters();
    Json rows = Json::array();
    for (const auto& i : interfaces_) {
        rte_eth_stats nic{};
        rte_eth_stats_get(i.portId, &nic);
        const Json& p = c["ports"].contains(i.name) ? c["ports"][i.name] : Json::object();
        const Json rates = p.value("rates", Json::object());
        rows.push_back({{"port", i.name},
                        {"rx_packets", p.value("rx_packets", 0)},
                        {"rx_bytes", p.value("rx_bytes", 0)},
                        {"rx_pps", rates.value("rx_pps", Json(nullptr))},
                        {"tx_packets", p.value("tx_packets", 0)},
                        {"tx_bytes", p.value("tx_bytes", 0)},
                        {"tx_pps", rates.value("tx_pps", Json(nullptr))},
                        // Lost before vtepd saw them, or refused by the NIC on the way out.
                        {"rx_missed", nic.imissed},
                        {"rx_no_mbuf", nic.rx_nombuf},
                        {"rx_errors", nic.ierrors},
                        {"tx_errors", nic.oerrors}});
    }
    return rows;
}

Json Commands::showRoutes() {
    std::map<std::string, std::vector<std::string>> users;  // by route prefix
    for (const auto& [key, id] : ctl_.tunnels().byKey())
        if (!key.multicast)
            if (const auto r = routeText(ctl_.routes(), key.ip)) users[*r].push_back(key.ip.toString());
    Json rows = Json::array();
    const auto& neigh = ctl_.neighbors().entries();
    auto row = [&](const std::string& prefix, const std::optional<netaddr::IpAddress>& via,
                   underlay::RouteTable::Origin o, const char* family) {
        using O = underlay::RouteTable::Origin;
        const char* origin = o == O::Connected ? "connected" : o == O::Default ? "gateway" : "static";
        const auto n = via ? neigh.find(*via) : neigh.end();
        rows.push_back({{"prefix", prefix},
                        {"family", family},
                        {"via", via ? Json(via->toString()) : Json(nullptr)},
                        {"origin", origin},
                        {"via_state", !via ? Json(nullptr)
                                           : n == neigh.end() ? Json("unresolved")
                                                              : Json(underlay::neighborStateName(n->second.state))},
                        {"vteps", users[prefix]}});
    };
    for (const auto& r : ctl_.routes().routes())
        row(r.prefix.toString(), r.via ? std::optional<netaddr::IpAddress>(*r.via) : std::nullopt, r.origin, "ipv4");
    for (const auto& r : ctl_.routes().routes6())
        row(r.prefix.toString(), r.via ? std::optional<netaddr::IpAddress>(*r.via) : std::nullopt, r.origin, "ipv6");
    return rows;
}

Json Commands::configSave(const Json& args) {
    const std::string file = args.value("file", configFile_);
    if (file.empty()) return failed("args.file: vtepd was started without a configuration file; name one");
    const std::string text = config_.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
    if (const std::string error = config::writeFileAtomically(file, text); !error.empty())
        return failed("args.file: " + error);
    if (file == configFile_) fileConfig_ = config_;
    return ok(Json{{"saved", file}, {"bytes", text.size()}});
}

Json Commands::configDiff(const Json& args) {
    const std::string file = args.value("file", configFile_);
    if (file.empty()) return failed("args.file: vtepd was started without a configuration file; name one");
    std::string error;
    const auto text = config::readRegularFile(file, kMaxConfigFile, error);
    if (!text) return failed("args.file: " + error);
    Json onDisk;
    try {
        onDisk = Json::parse(*text);
    } catch (const Json::exception& e) {
        return failed("args.file: '" + file + "' is not JSON: " + e.what());
    }
    Json rows = Json::array();
    for (const auto& d : config::diff(onDisk, config_))
        rows.push_back({{"path", d.path}, {"file", d.file}, {"running", d.running}});
    return ok(Json{{"file", file}, {"differences", rows}});
}

Json Commands::reload() {
    if (configFile_.empty()) return failed("config reload: vtepd was started without a configuration file");
    std::string error;
    const auto text = config::readRegularFile(configFile_, kMaxConfigFile, error);
    if (!text) return failed("config reload: " + error);
    // Run-time changes made since the file was read or saved: the reload replaces them.
    std::vector<std::string> discarded;
    for (const auto& d : config::diff(fileConfig_, config_)) discarded.push_back(d.path);
    const auto errors = applyText(*text);
    if (!errors.empty()) {
        Json reply = failed(errors);
        reply["errors"].push_back("config reload: " + configFile_ + " rejected; the running configuration is unchanged");
        return reply;
    }
    fileConfig_ = config_;
    Json reply = ok(Json{{"reloaded", configFile_}, {"discarded_runtime_changes", discarded}});
    Json warnings = warnings_;
    if (!discarded.empty())
        warnings.push_back(std::to_string(discarded.size()) +
                           " run-time change(s) never saved with 'vtepctl config save' were replaced by " +
                           configFile_ + ": " + discarded.front() + (discarded.size() > 1 ? ", ..." : ""));
    if (!warnings.empty()) reply["warnings"] = warnings;
    return reply;
}

Json Commands::traceCommand(const std::string& cmd, const Json& args) {
    if (trace_ == nullptr || rcu_ == nullptr) return failed("trace: not available in this process");
    auto portName = [&](int32_t id) -> Json {
        for (const auto& p : ctl_.ports())
            if (p.portId == id) return p.name;
        return nullptr;
    };
    if (cmd == "trace start") {
        uint32_t count = 10;
        if (args.contains("count")) {
            if (!args["count"].is_number_integer() || args["count"].get<int64_t>() <= 0 ||
                args["count"].get<int64_t>() > dataplane::Trace::kMaxPackets)
                return failed("args.count: must be a number between 1 and " + std::to_string(dataplane::Trace::kMaxPackets));
            count = args["count"].get<uint32_t>();
        }
        int32_t port = dataplane::Trace::kAnyPort;
        if (args.contains("port")) {
            const std::string name = args["port"].is_string() ? args["port"].get<std::string>() : "";
            for (const auto& p : ctl_.ports())
                if (p.name == name) port = p.portId;
            if (port == dataplane::Trace::kAnyPort) return failed("args.port: no port '" + name + "'");
        }
        trace_->start(count, port, *rcu_);
        return ok(Json{{"tracing", count}, {"port", port == dataplane::Trace::kAnyPort ? Json(nullptr) : portName(port)}});
    }
    if (cmd == "trace stop") {
        trace_->stop();
        return ok(Json{{"stopped", true}, {"recorded", trace_->records().size()}});
    }
    Json packets = Json::array();
    const auto records = trace_->records();
    for (size_t i = 0; i < records.size(); ++i) {
        const dataplane::TraceRecord& r = *records[i];
        Json steps = Json::array();
        const std::string text(r.text, r.textLen);
        for (size_t at = 0; at < text.size();) {
            const size_t nl = text.find('\n', at);
            steps.push_back(text.substr(at, nl - at));
            at = nl == std::string::npos ? text.size() : nl + 1;
        }
        static const char* hex = "0123456789abcdef";
        std::string head;
        for (uint16_t b = 0; b < r.headLen; ++b) {
            head += hex[r.head[b] >> 4];
            head += hex[r.head[b] & 15];
        }
        packets.push_back({{"packet", i + 1},
                           {"worker", r.worker},
                           {"port", portName(r.port)},
                           {"length", r.length},
                           {"seconds_ago", ctl_.nowMs() / 1000 >= r.timeSeconds ? ctl_.nowMs() / 1000 - r.timeSeconds : 0},
                           {"head", head},
                           {"steps", steps}});
    }
    return ok(Json{{"requested", trace_->requested()},
                   {"remaining", trace_->remaining()},
                   {"port", trace_->port() == dataplane::Trace::kAnyPort ? Json(nullptr) : portName(trace_->port())},
                   {"packets", packets}});
}

Json Commands::clearAddressTable(const Json& args) {
    const bool byVni = args.contains("vni");
    std::set<fdb::BridgeId> ids;
    for (const auto& b : ctl_.config().bridges)
        if (!byVni || args["vni"] == b.vni) ids.insert(ctl_.bridgeIds().at(b.name));
    const size_t n = fdb_.removeIf([&](const fdb::EntryView& v) {
        return !v.dest.isStatic() && ids.count(fdb::keyBridge(v.key));
    });
    return Json{{"removed", n}};
}

}  // namespace vtepgw::control
