#include "render.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <vector>

namespace vtepctl {

namespace {

// Columns that hold counts (grouped digits) rather than identifiers (a VNI, a port id,
// a VLAN, a UDP port are never grouped).
bool countColumn(const std::string& c) {
    for (const char* k : {"packets", "bytes", "cycles", "count", "loops", "sleep", "policed", "switched", "flooded",
                          "replicated", "routed", "replies", "suppressed", "removed", "pps", "_bps", "per_second"})
        if (c.find(k) != std::string::npos) return true;
    return c == "macs";
}

std::string group3(std::string digits) {
    const bool neg = !digits.empty() && digits[0] == '-';
    std::string body = neg ? digits.substr(1) : digits;
    std::string out;
    for (size_t i = 0; i < body.size(); ++i) {
        if (i > 0 && (body.size() - i) % 3 == 0) out += ',';
        out += body[i];
    }
    return neg ? "-" + out : out;
}

// Short headers for long field names: rows fit the screen, --json keeps the real names.
std::string header(const std::string& c) {
    static const std::map<std::string, std::string> k = {
        {"last_move_seconds_ago", "last_move"}, {"age_seconds", "age"}, {"encapsulation", "encap"},
        {"last_seen_seconds_ago", "last_seen"}, {"unanswered_probes", "probes"}, {"held_packets", "held"},
        {"rx_descriptors", "rxd"}, {"tx_descriptors", "txd"}, {"last_report_seconds_ago", "last_report"},
        {"cycles_per_packet", "cyc/pkt"}, {"cycles_per_packet_from_access", "cyc/pkt_access"},
        {"cycles_per_packet_from_underlay", "cyc/pkt_underlay"}, {"neighbor_state", "neighbor"}};
    const auto it = k.find(c);
    return it == k.end() ? c : it->second;
}

void printTable(const std::vector<std::string>& cols, const Json& rows) {
    std::vector<size_t> width(cols.size());
    for (size_t c = 0; c < cols.size(); ++c) {
        width[c] = header(cols[c]).size();
        for (const auto& r : rows) width[c] = std::max(width[c], cell(r.value(cols[c], Json()), countColumn(cols[c])).size());
    }
    auto line = [&](auto get) {
        std::string out;
        for (size_t c = 0; c < cols.size(); ++c) {
            std::string v = get(c);
            // Counts right-aligned, so that magnitudes line up.
            const size_t pad = width[c] - v.size();
            const bool right = c > 0 && countColumn(cols[c]);
            out += right ? std::string(pad, ' ') + v + "  " : v + std::string(pad + 2, ' ');
        }
        while (!out.empty() && out.back() == ' ') out.pop_back();
        std::puts(out.c_str());
    };
    line([&](size_t c) { return header(cols[c]); });
    for (const auto& r : rows) line([&](size_t c) { return cell(r.value(cols[c], Json()), countColumn(cols[c])); });
}

void printCounters(const Json& c) {
    if (c.contains("cleared")) {
        std::puts("counters cleared");
        return;
    }
    auto named = [](const char* key, const std::string& name, const Json& fields) {
        Json row = {{key, name}};
        for (const auto& f : fields.items())
            if (!f.value().is_object()) row[f.key()] = f.value();
        return row;
    };
    Json ports = Json::array(), rates = Json::array();
    for (const auto& p : c["ports"].items()) {
        ports.push_back(named("port", p.key(), p.value()));
        if (p.value().contains("rates")) rates.push_back(named("port", p.key(), p.value()["rates"]));
    }
    // L3 figures in a table of their own, for the bridges that have any: rows stay readable.
    static const std::vector<std::string> l3Keys = {"routed", "gateway_replies", "arp_suppressed", "arp_flooded",
                                                    "arp_entries"};
    Json bridges = Json::array(), l3 = Json::array(), bridgeRates = Json::array();
    for (const auto& b : c["bridges"].items()) {
        Json row = {{"bridge", b.key()}}, l3row = {{"bridge", b.key()}};
        bool any = false;
        for (const auto& f : b.value().items()) {
            if (f.value().is_object()) continue;
            if (std::find(l3Keys.begin(), l3Keys.end(), f.key()) == l3Keys.end()) {
                row[f.key()] = f.value();
            } else {
                l3row[f.key()] = f.value();
                any = any || f.value() != 0;
            }
        }
        bridges.push_back(row);
        if (any) l3.push_back(l3row);
        if (b.value().contains("rates")) bridgeRates.push_back(named("bridge", b.key(), b.value()["rates"]));
    }
    Json drops = Json::array(), events = Json::array(), fates = Json::array();
    for (const auto& d : c["drops"].items())
        if (d.value() != 0) drops.push_back({{"drop reason", d.key()}, {"packets", d.value()}});
    for (const auto& e : c["events"].items())
        if (e.value() != 0) events.push_back({{"event", e.key()}, {"count", e.value()}});
    const Json fateCounts = c.value("fates", Json::object());  // items() must not outlive it
    for (const auto& f : fateCounts.items())
        fates.push_back({{"fate", f.key()}, {"packets", f.value()}});
    std::puts("Ports:");
    table(ports);
    if (!rates.empty()) {
        std::printf("\nPort rates (per second, over the last %s s):\n", cell(c.value("rate_interval_seconds", Json())).c_str());
        table(rates);
    }
    std::puts("\nBridges:");
    table(bridges);
    if (!bridgeRates.empty()) {
        std::puts("\nBridge rates (per second):");
        table(bridgeRates);
    }
    if (!l3.empty()) {
        std::puts("\nRouting and ARP:");
        table(l3);
    }
    if (!fates.empty()) {
        std::puts("\nPacket fates:");
        table(fates);
    }
    std::puts("\nDrops:");
    table(drops);
    std::puts("\nEvents:");
    table(events);
    std::puts("\nWorkers:");
    table(c["workers"]);
    if (c.contains("mbufs_in_use"))
        std::printf("\nMbufs: %s in use of %s\n", cell(c["mbufs_in_use"], true).c_str(),
                    cell(c["mbufs_total"], true).c_str());
    const Json& h = c["host"];
    if (h.is_object() && !h["interface"].is_null()) {
        std::printf("\nHost interface %s: punted %s packets (%s bytes), injected %s packets (%s bytes)\n",
                    cell(h["interface"]).c_str(), cell(h["punted_packets"], true).c_str(),
                    cell(h["punted_bytes"], true).c_str(), cell(h["injected_packets"], true).c_str(),
                    cell(h["injected_bytes"], true).c_str());
    }
    Json policed = Json::array();
    if (h.is_object())
        for (const auto& p : h["policed"].items())
            policed.push_back({{"class", p.key()}, {"limit_pps", h["limits_pps"][p.key()]}, {"policed", p.value()}});
    if (!policed.empty()) {
        std::puts("\nPunt policer:");
        table(policed);
    }
}

void printEvpn(const Json& e) {
    if (!e.value("enabled", false)) {
        std::puts("EVPN: off (no \"evpn\" in the configuration)");
        return;
    }
    std::printf("EVPN: %s, %s full dump(s) of zebra's entries (last %s s ago); shadow prefix %s; "
                "learning from the tunnel %s\n",
                e["synced"].get<bool>() ? "in sync" : "NOT in sync (re-dump pending)", cell(e["resyncs"]).c_str(),
                cell(e["last_resync_seconds_ago"]).c_str(), cell(e["prefix"]).c_str(),
                e["data_plane_learning"].get<bool>() ? "on" : "off");
    std::printf("In: %s notifications (%s malformed), %s remote MACs. Out: %s local MACs written, %s removed, "
                "%s write errors\n\n",
                cell(e["notifications_in"], true).c_str(), cell(e["malformed_in"]).c_str(),
                cell(e["remote_macs"], true).c_str(), cell(e["local_macs_added"], true).c_str(),
                cell(e["local_macs_removed"], true).c_str(), cell(e["write_errors"]).c_str());
    table(e["bridges"]);
}

void printTrace(const Json& t) {
    std::printf("Trace: %zu of %s packet(s) recorded, %s to go%s%s\n", t["packets"].size(), cell(t["requested"]).c_str(),
                cell(t["remaining"]).c_str(), t["port"].is_null() ? "" : ", port ", t["port"].is_null() ? "" : cell(t["port"]).c_str());
    for (const auto& p : t["packets"]) {
        std::printf("\n#%s  worker %s, port %s, %s bytes, %s s ago\n", cell(p["packet"]).c_str(), cell(p["worker"]).c_str(),
                    cell(p["port"]).c_str(), cell(p["length"]).c_str(), cell(p["seconds_ago"]).c_str());
        for (const auto& s : p["steps"]) std::printf("    %s\n", s.get<std::string>().c_str());
    }
}

void printDiff(const Json& d) {
    std::printf("running configuration vs %s:\n", cell(d["file"]).c_str());
    if (d["differences"].empty()) {
        std::puts("no differences");
        return;
    }
    for (const auto& x : d["differences"]) {
        const std::string path = x["path"];
        if (!x["file"].is_null()) std::printf("- %s: %s\n", path.c_str(), x["file"].dump().c_str());
        if (!x["running"].is_null()) std::printf("+ %s: %s\n", path.c_str(), x["running"].dump().c_str());
    }
}

}  // namespace

std::string cell(const Json& v, bool grouped) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_null()) return "-";
    if (v.is_array()) {
        std::string s;
        for (const auto& x : v) {
            std::string one;
            if (x.is_object() && x.contains("port"))
                one = x["port"].get<std::string>() + (x.contains("vlan") ? "." + x["vlan"].dump() : "");
            else
                one = cell(x);
            s += (s.empty() ? "" : ",") + one;
        }
        return s.empty() ? "-" : s;
    }
    if (v.is_object()) {
        std::string s;
        for (const auto& f : v.items()) s += (s.empty() ? "" : " ") + f.key() + "=" + cell(f.value(), grouped);
        return s;
    }
    if (v.is_number_float()) {  // a figure, not 18165.39937522528
        char text[40];
        std::snprintf(text, sizeof text, "%.1f", v.get<double>());
        if (!grouped) return text;
        std::string t = text;
        const size_t dot = t.find('.');
        return group3(t.substr(0, dot)) + t.substr(dot);
    }
    if (v.is_number_integer() && grouped) return group3(v.dump());
    return v.dump();
}

void table(const Json& rows) {
    if (!rows.is_array() || rows.empty()) {
        std::puts("(none)");
        return;
    }
    std::vector<std::string> cols;
    for (const auto& r : rows)
        for (const auto& item : r.items())
            if (std::find(cols.begin(), cols.end(), item.key()) == cols.end()) cols.push_back(item.key());
    std::vector<size_t> width(cols.size());
    for (size_t c = 0; c < cols.size(); ++c) {
        width[c] = header(cols[c]).size();
        for (const auto& r : rows) width[c] = std::max(width[c], cell(r.value(cols[c], Json()), countColumn(cols[c])).size());
    }
    // A table wider than the screen goes in parts, each led by the columns that say which
    // row it is (up to the first naming one: vni, bridge, mac for the address table).
    static const std::vector<std::string> naming = {"name", "bridge", "vtep", "mac", "port", "address", "prefix",
                                                    "group", "worker", "fate", "event", "class"};
    size_t lead = 1;
    for (size_t c = 0; c < cols.size() && c < 3; ++c)
        if (std::find(naming.begin(), naming.end(), cols[c]) != naming.end()) {
            lead = c + 1;
            break;
        }
    std::vector<std::vector<std::string>> groups{{cols.begin(), cols.begin() + static_cast<long>(lead)}};
    size_t leadWidth = 0;
    for (size_t c = 0; c < lead; ++c) leadWidth += width[c] + 2;
    size_t used = leadWidth;
    for (size_t c = lead; c < cols.size(); ++c) {
        if (used + width[c] + 2 > kScreenWidth && groups.back().size() > lead) {
            groups.push_back({cols.begin(), cols.begin() + static_cast<long>(lead)});
            used = leadWidth;
        }
        groups.back().push_back(cols[c]);
        used += width[c] + 2;
    }
    for (size_t g = 0; g < groups.size(); ++g) {
        if (g > 0) std::puts("");
        printTable(groups[g], rows);
    }
}

void render(const std::string& command, const Json& result) {
    if (command == "show counters" || command == "clear counters") {
        if (command == "clear counters") std::puts("counters cleared");
        else printCounters(result);
    } else if (command == "show evpn") {
        printEvpn(result);
    } else if (command == "trace show") {
        printTrace(result);
    } else if (command == "config diff") {
        printDiff(result);
    } else if (command == "show config") {
        std::puts(result.dump(2, ' ', false, Json::error_handler_t::replace).c_str());
    } else if (result.is_array()) {
        table(result);
    } else if (result.is_string()) {
        std::fputs(result.get<std::string>().c_str(), stdout);
        if (!result.get<std::string>().empty() && result.get<std::string>().back() != '\n') std::putchar('\n');
    } else if (result.is_object()) {
        for (const auto& f : result.items()) std::printf("%s: %s\n", f.key().c_str(), cell(f.value(), countColumn(f.key())).c_str());
    } else {
        std::puts(result.dump().c_str());
    }
}

}  // namespace vtepctl
