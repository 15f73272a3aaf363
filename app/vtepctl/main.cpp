// vtepctl: the operator's CLI for a running vtepd, over its control socket.
//   vtepctl [--socket PATH] [--json] COMMAND ...
// Human output is aligned tables; --json prints the reply's "result" exactly as vtepd sent
// it (the stable form documented in the README). Exit 0 on success, 1 when vtepd refused
// the request (errors on stderr), 2 on usage errors or when vtepd cannot be reached.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

using Json = nlohmann::ordered_json;

namespace {

const char* kUsage = R"(usage: vtepctl [--socket PATH] [--json] COMMAND
  show vtep | bridges | interfaces | igmp | neighbors | evpn | config
  show address-table [--vni N] [--mac MAC]
  show arp [--vni N]           the bridges' IP-to-MAC bindings (gateway, suppression)
  show counters [--clear]
  clear address-table [--vni N]
  config apply FILE
  bridge add NAME --vni N [--group G] [--flood VTEP[,VTEP...]]
  bridge del NAME
  member add|del BRIDGE PORT [--vlan V]
  flood add|del BRIDGE VTEP
  group set BRIDGE GROUP|none
  static add BRIDGE MAC (--vtep IP | --port PORT [--vlan V])
  static del BRIDGE MAC
  log level PATTERN LEVEL      e.g. log level 'vtepgw.*' debug
)";

[[noreturn]] void usage(const std::string& why = "") {
    if (!why.empty()) std::fprintf(stderr, "vtepctl: %s\n", why.c_str());
    std::fputs(kUsage, stderr);
    std::exit(2);
}

// Numbers go as JSON numbers when they look like one, so that vtepd's validation reports
// anything else with its own message.
Json number(const std::string& s) {
    if (!s.empty() && s.find_first_not_of("0123456789") == std::string::npos && s.size() < 10)
        return std::stoul(s);
    return s;
}

// Splits "--opt value" pairs from positional words.
struct Words {
    std::vector<std::string> pos;
    Json opts = Json::object();
};

Words split(const std::vector<std::string>& args) {
    Words w;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i].rfind("--", 0) == 0) {
            const std::string key = args[i].substr(2);
            if (key == "clear") {
                w.opts[key] = true;
            } else {
                if (i + 1 >= args.size()) usage("option " + args[i] + " needs a value");
                w.opts[key] = args[++i];
            }
        } else {
            w.pos.push_back(args[i]);
        }
    }
    return w;
}

Json buildRequest(const std::vector<std::string>& args) {
    Words w = split(args);
    auto need = [&](size_t n) {
        if (w.pos.size() != n) usage("wrong number of arguments");
    };
    if (w.pos.empty()) usage();
    const std::string verb = w.pos[0];
    Json req;
    Json a = Json::object();
    if (verb == "show" || verb == "clear") {
        if (w.pos.size() != 2) usage();
        req["command"] = verb + " " + w.pos[1];
        if (w.opts.contains("vni")) a["vni"] = number(w.opts["vni"]);
        if (w.opts.contains("mac")) a["mac"] = w.opts["mac"];
        if (w.opts.contains("clear")) a["clear"] = true;
    } else if (verb == "config") {
        need(3);
        if (w.pos[1] != "apply") usage();
        char real[PATH_MAX];
        a["file"] = realpath(w.pos[2].c_str(), real) ? std::string(real) : w.pos[2];
        req["command"] = "config apply";
    } else if (verb == "bridge") {
        need(3);
        req["command"] = "bridge " + w.pos[1];
        a["bridge"] = w.pos[2];
        if (w.pos[1] == "add") {
            if (!w.opts.contains("vni")) usage("bridge add needs --vni");
            a["vni"] = number(w.opts["vni"]);
            if (w.opts.contains("group")) a["group"] = w.opts["group"];
            if (w.opts.contains("flood")) {
                Json list = Json::array();
                std::string s = w.opts["flood"];
                for (size_t at = 0; at <= s.size();) {
                    size_t comma = s.find(',', at);
                    if (comma == std::string::npos) comma = s.size();
                    list.push_back(s.substr(at, comma - at));
                    at = comma + 1;
                }
                a["flood_vteps"] = list;
            }
            a["members"] = Json::array();
        }
    } else if (verb == "member") {
        need(4);
        req["command"] = "member " + w.pos[1];
        a["bridge"] = w.pos[2];
        a["port"] = w.pos[3];
        if (w.opts.contains("vlan")) a["vlan"] = number(w.opts["vlan"]);
    } else if (verb == "flood") {
        need(4);
        req["command"] = "flood " + w.pos[1];
        a["bridge"] = w.pos[2];
        a["vtep"] = w.pos[3];
    } else if (verb == "group") {
        need(4);
        req["command"] = "group set";
        a["bridge"] = w.pos[2];
        a["group"] = w.pos[3] == "none" ? Json(nullptr) : Json(w.pos[3]);
    } else if (verb == "static") {
        need(4);
        req["command"] = "static " + w.pos[1];
        a["bridge"] = w.pos[2];
        a["mac"] = w.pos[3];
        if (w.pos[1] == "add") {
            if (w.opts.contains("vtep")) a["vtep"] = w.opts["vtep"];
            if (w.opts.contains("port")) a["port"] = w.opts["port"];
            if (w.opts.contains("vlan")) a["vlan"] = number(w.opts["vlan"]);
        }
    } else if (verb == "log") {
        need(4);
        if (w.pos[1] != "level") usage();
        req["command"] = "log level";
        a["pattern"] = w.pos[2];
        a["level"] = w.pos[3];
    } else {
        usage("unknown command '" + verb + "'");
    }
    req["args"] = a;
    return req;
}

std::string call(const std::string& path, const std::string& request) {
    const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        std::fprintf(stderr, "vtepctl: cannot reach vtepd at %s: %s\n", path.c_str(), std::strerror(errno));
        std::exit(2);
    }
    const std::string line = request + "\n";
    size_t off = 0;
    while (off < line.size()) {
        const ssize_t n = write(fd, line.data() + off, line.size() - off);
        if (n <= 0) break;
        off += static_cast<size_t>(n);
    }
    shutdown(fd, SHUT_WR);
    std::string reply;
    char buf[65536];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) reply.append(buf, static_cast<size_t>(n));
    close(fd);
    return reply;
}

std::string cell(const Json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_null()) return "-";
    if (v.is_array()) {
        std::string s;
        for (const auto& x : v) s += (s.empty() ? "" : ",") + (x.is_object() ? (x.contains("vlan") ? x["port"].get<std::string>() + "." + x["vlan"].dump() : x["port"].get<std::string>()) : cell(x));
        return s.empty() ? "-" : s;
    }
    if (v.is_number_float()) {  // a figure, not 18165.39937522528
        char text[32];
        std::snprintf(text, sizeof text, "%.1f", v.get<double>());
        return text;
    }
    return v.dump();
}

// Prints an array of flat objects as an aligned table, columns in the objects' key order.
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
        width[c] = cols[c].size();
        for (const auto& r : rows) width[c] = std::max(width[c], cell(r.value(cols[c], Json())).size());
    }
    auto line = [&](auto get) {
        std::string out;
        for (size_t c = 0; c < cols.size(); ++c) {
            std::string v = get(c);
            out += v + std::string(width[c] - v.size() + 2, ' ');
        }
        while (!out.empty() && out.back() == ' ') out.pop_back();
        std::puts(out.c_str());
    };
    line([&](size_t c) { return cols[c]; });
    for (const auto& r : rows) line([&](size_t c) { return cell(r.value(cols[c], Json())); });
}

void printCounters(const Json& c) {
    if (c.contains("cleared")) {
        std::puts("counters cleared");
        return;
    }
    Json ports = Json::array(), bridges = Json::array(), drops = Json::array(), events = Json::array();
    auto named = [](const char* key, const std::string& name, const Json& fields) {
        Json row = {{key, name}};
        for (const auto& f : fields.items()) row[f.key()] = f.value();
        return row;
    };
    for (const auto& p : c["ports"].items()) ports.push_back(named("port", p.key(), p.value()));
    // L3 figures in a table of their own, for the bridges that have any: rows stay readable.
    Json l3 = Json::array();
    static const std::vector<std::string> l3Keys = {"routed", "gateway_replies", "arp_suppressed", "arp_flooded", "arp_entries"};
    for (const auto& b : c["bridges"].items()) {
        Json row = {{"bridge", b.key()}}, l3row = {{"bridge", b.key()}};
        bool any = false;
        for (const auto& f : b.value().items()) {
            if (std::find(l3Keys.begin(), l3Keys.end(), f.key()) == l3Keys.end()) {
                row[f.key()] = f.value();
            } else {
                l3row[f.key()] = f.value();
                any = any || f.value() != 0;
            }
        }
        bridges.push_back(row);
        if (any) l3.push_back(l3row);
    }
    for (const auto& d : c["drops"].items())
        if (d.value() != 0) drops.push_back({{"drop reason", d.key()}, {"packets", d.value()}});
    for (const auto& e : c["events"].items())
        if (e.value() != 0) events.push_back({{"event", e.key()}, {"count", e.value()}});
    std::puts("Ports:");
    table(ports);
    std::puts("\nBridges:");
    table(bridges);
    if (!l3.empty()) {
        std::puts("\nRouting and ARP:");
        table(l3);
    }
    std::puts("\nDrops:");
    table(drops);
    std::puts("\nEvents:");
    table(events);
    std::puts("\nWorkers:");
    table(c["workers"]);
    const Json& h = c["host"];
    if (h.is_object() && !h["interface"].is_null()) {
        std::printf("\nHost interface %s: punted %s packets (%s bytes), injected %s packets (%s bytes)\n",
                    cell(h["interface"]).c_str(), cell(h["punted_packets"]).c_str(), cell(h["punted_bytes"]).c_str(),
                    cell(h["injected_packets"]).c_str(), cell(h["injected_bytes"]).c_str());
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
                cell(e["notifications_in"]).c_str(), cell(e["malformed_in"]).c_str(), cell(e["remote_macs"]).c_str(),
                cell(e["local_macs_added"]).c_str(), cell(e["local_macs_removed"]).c_str(),
                cell(e["write_errors"]).c_str());
    table(e["bridges"]);
}

}  // namespace

int main(int argc, char** argv) {
    std::string socketPath = "/run/vtepgw/vtepd.sock";
    bool json = false;
    std::vector<std::string> args;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--socket" && i + 1 < argc) socketPath = argv[++i];
        else if (a == "--json") json = true;
        else if (a == "--help" || a == "-h") usage();
        else args.push_back(a);
    }
    const Json request = buildRequest(args);
    const std::string raw = call(socketPath, request.dump(-1, ' ', false, Json::error_handler_t::replace));
    Json reply;
    try {
        reply = Json::parse(raw);
    } catch (const Json::exception&) {
        std::fprintf(stderr, "vtepctl: unreadable reply from vtepd: %s\n", raw.c_str());
        return 2;
    }
    if (!reply.value("ok", false)) {
        for (const auto& e : reply.value("errors", Json::array()))
            std::fprintf(stderr, "error: %s\n", e.get<std::string>().c_str());
        return 1;
    }
    for (const auto& w : reply.value("warnings", Json::array()))
        std::fprintf(stderr, "warning: %s\n", w.get<std::string>().c_str());
    const Json& result = reply["result"];
    const std::string cmd = request["command"];
    if (json) std::puts(result.dump(2, ' ', false, Json::error_handler_t::replace).c_str());
    else if (cmd == "show counters") printCounters(result);
    else if (cmd == "show evpn") printEvpn(result);
    else if (cmd == "show config") std::puts(result.dump(2, ' ', false, Json::error_handler_t::replace).c_str());
    else if (result.is_array()) table(result);
    else if (result.is_string()) std::puts(result.get<std::string>().c_str());
    else std::puts(result.dump().c_str());
    return 0;
}
