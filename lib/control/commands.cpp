#include "control/commands.h"

#include <rte_ethdev.h>
#include <rte_log.h>

#include <algorithm>
#include <set>

#include <fstream>
#include <sys/stat.h>
#include <sstream>

#include "config/parse.h"
#include "control/report.h"

namespace vtepgw::control {

using Json = Commands::Json;

namespace {

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

}  // namespace

Commands::Commands(Controller& ctl, fdb::Fdb& fdb,
                   std::vector<const counters::WorkerCounters*> workers,
                   std::vector<InterfaceInfo> interfaces, Json configJson, rte_mempool* pool)
    : ctl_(ctl), fdb_(fdb), workers_(std::move(workers)), interfaces_(std::move(interfaces)),
      config_(std::move(configJson)), pool_(pool) {}

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
    try {
        if (cmd == "show counters") return ok(showCounters(args.value("clear", false)));
        if (cmd == "show vtep") return ok(showVteps());
        if (cmd == "show bridges") return ok(showBridges());
        if (cmd == "show interfaces") return ok(showInterfaces());
        if (cmd == "show igmp") return ok(showIgmp());
        if (cmd == "show neighbors") return ok(showNeighbors());
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
            std::vector<std::string> errors;
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
        if (cmd == "show address-table") return ok(showAddressTable(args));
        if (cmd == "show arp") {
            Json out = Json::array();
            for (const auto& r : arpTableJson(ctl_, fdb_))
                if (!args.contains("vni") || r["vni"] == args["vni"]) out.push_back(r);
            return ok(out);
        }
        if (cmd == "clear address-table") return ok(clearAddressTable(args));
        if (cmd == "config apply") {
            std::string file;
            std::vector<std::string> errors;
            if (!stringArg(args, "file", file, errors)) return failed(errors);
            // The control core must never block: no FIFOs, devices or giant files.
            struct stat sb {};
            if (stat(file.c_str(), &sb) != 0) return failed("args.file: cannot read '" + file + "'");
            if (!S_ISREG(sb.st_mode)) return failed("args.file: '" + file + "' is not a regular file");
            if (sb.st_size > kMaxConfigFile)
                return failed("args.file: '" + file + "' is larger than " + std::to_string(kMaxConfigFile) + " bytes");
            std::ifstream in(file);
            if (!in) return failed("args.file: cannot read '" + file + "'");
            std::ostringstream text;
            text << in.rdbuf();
            errors = applyText(text.str());
            return errors.empty() ? applied() : failed(errors);
        }
        const auto errors = change(cmd, args);
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
    if (cmd == "bridge del") {
        next["bridges"].erase(bridge);
    } else if (cmd == "member add") {
        b["members"].push_back(member());
    } else if (cmd == "member del") {
        if (!removeFrom("members", member())) return {"bridges." + bridge + ".members: no such member"};
    } else if (cmd == "flood add") {
        b["flood_vteps"].push_back(args.value("vtep", ""));
    } else if (cmd == "flood del") {
        if (!removeFrom("flood_vteps", args.value("vtep", "")))
            return {"bridges." + bridge + ".flood_vteps: " + args.value("vtep", "") + " is not listed"};
    } else if (cmd == "group set") {
        if (args.contains("group") && !args["group"].is_null()) b["group"] = args["group"];
        else b.erase("group");
    } else if (cmd == "static add") {
        Json s = args;
        s.erase("bridge");
        b["static_macs"].push_back(s);
    } else if (cmd == "static del") {
        const std::string mac = args.value("mac", "");
        bool found = false;
        if (b.contains("static_macs")) {
            Json& arr = b["static_macs"];
            for (auto it = arr.begin(); it != arr.end(); ++it)
                if ((*it).value("mac", "") == mac) {
                    arr.erase(it);
                    found = true;
                    break;
                }
        }
        if (!found) return {"bridges." + bridge + ".static_macs: " + mac + " is not a static MAC"};
    } else {
        return {"command: unknown command '" + cmd + "'"};
    }
    return applyJson(next);
}

Json Commands::showCounters(bool clear) {
    if (clear) {
        ctl_.clearCounters();
        return Json{{"cleared", true}};
    }
    const auto t = ctl_.totals();
    Json j = countersJson(ctl_, t);
    Json perWorker = Json::array();
    for (size_t i = 0; i < workers_.size(); ++i) {
        const auto* w = workers_[i];
        const auto busy = w->busyTotal();
        perWorker.push_back({{"worker", i},
                             {"busy_packets", busy.packets},
                             {"busy_cycles", busy.cycles},
                             {"loops", w->loops},
                             {"idle_sleeps", w->idleSleeps},
                             {"idle_sleep_us", w->idleSleepUs},
                             {"cycles_per_packet", busy.cyclesPerPacket()},
                             {"cycles_per_packet_from_access", w->busy[0].cyclesPerPacket()},
                             {"cycles_per_packet_from_underlay", w->busy[1].cyclesPerPacket()}});
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
            if (auto id = ctl_.tunnels().find({v.host, b.encap, false})) stats[*id].second.insert(b.vni);
    if (const auto* e = ctl_.evpn())
        for (const auto& [vni, vteps] : e->remote().floods())
            for (uint32_t v : vteps)
                if (auto id = ctl_.tunnels().find({v, encap::Encap::Vxlan, false})) stats[*id].second.insert(vni);
    const auto totals = ctl_.totals();
    const uint32_t now = static_cast<uint32_t>(ctl_.nowMs() / 1000);
    Json rows = Json::array();
    for (const auto& [key, id] : ctl_.tunnels().byKey()) {
        if (key.multicast) continue;
        const auto& s = stats[id];
        const counters::VtepCounters& c = totals.vteps[id];
        Json row = {{"vtep", netaddr::Ipv4Address{key.ipHost}.toString()},
                    {"encapsulation", encap::encapName(key.encap)}};
        if (key.encap == encap::Encap::Vxlan) row["udp_port"] = ctl_.config().udpPortOf(netaddr::Ipv4Address{key.ipHost});
        const bool configured = ctl_.configuredTunnel(id);
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
                        {"overhead", encap::mtuOverhead(b.encap)},
                        {"max_inner_mtu", ctl_.config().underlay.mtu - encap::mtuOverhead(b.encap)},
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
        char macText[RTE_ETHER_ADDR_FMT_SIZE];
        rte_ether_format_addr(macText, sizeof macText, &mac);
        const bool underlay = i.name == ctl_.config().underlay.port;
        // What the NIC dropped before vtepd saw it: the first sign of a core that cannot keep up.
        rte_eth_stats nic{};
        rte_eth_stats_get(i.portId, &nic);
        rows.push_back({{"name", i.name},
                        {"port_id", i.portId},
                        {"device", i.device},
                        {"driver", i.driver},
                        {"role", !i.role.empty() ? i.role : underlay ? "underlay" : "access"},
                        {"mac", macText},
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
    for (const auto& [host, n] : ctl_.neighbors().entries()) {
        const bool known = n.state != underlay::NeighborState::Incomplete && !n.mac.isZero();
        rows.push_back({{"address", netaddr::Ipv4Address{host}.toString()},
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

Json Commands::showAddressTable(const Json& args) {
    Json rows = addressTableJson(ctl_, fdb_);
    Json out = Json::array();
    const bool byVni = args.contains("vni");
    const std::string mac = args.value("mac", "");
    for (const auto& r : rows) {
        if (byVni && r["vni"] != args["vni"]) continue;
        if (!mac.empty() && r["mac"] != mac) continue;
        out.push_back(r);
    }
    return out;
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
