#include "cli.h"

#include <limits.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <deque>
#include <functional>
#include <iostream>
#include <map>
#include <memory>

#ifndef VTEPGW_VERSION
#define VTEPGW_VERSION "unknown"
#endif

namespace vtepctl {

namespace {

const char* kFooter = R"(
Words may be shortened to a unique prefix (vtepctl sh vt = vtepctl show vtep).
Exit status: 0 done, 1 refused by vtepd (errors on stderr), 2 usage error,
3 vtepd cannot be reached. Each command has --help.
)";

// Paths go to vtepd absolute: its working directory is not ours.
std::string absolute(const std::string& path) {
    char real[PATH_MAX];
    if (realpath(path.c_str(), real)) return real;
    if (!path.empty() && path[0] == '/') return path;
    char cwd[PATH_MAX];
    return getcwd(cwd, sizeof cwd) ? std::string(cwd) + "/" + path : path;
}

// One command of the grammar: its request name and how its options become arguments.
struct Leaf {
    CLI::App* app;
    std::string command;
    std::vector<std::function<void(Json&)>> fill;  // run after a successful parse
};

class Grammar {
public:
    Grammar() : app_("vtepctl: the operator's CLI for a running vtepd", "vtepctl") {
        app_.set_version_flag("--version", std::string("vtepctl ") + VTEPGW_VERSION);
        app_.add_option("--socket", inv_.socketPath, "vtepd's control socket")
            ->envname("VTEPCTL_SOCKET")
            ->capture_default_str();
        app_.add_flag("--json", inv_.json, "print vtepd's JSON result (the README's stable shapes)");
        app_.require_subcommand(1);
        app_.fallthrough();  // --json and --socket after the command words too
        app_.footer(kFooter);
        app_.failure_message([](const CLI::App* app, const CLI::Error& e) {
            // Name the command that was being parsed, so its --help is one copy away.
            std::string where;
            for (const CLI::App* a = app; a != nullptr;) {
                const auto parsed = a->get_subcommands([](const CLI::App* s) { return s->parsed(); });
                if (parsed.empty()) break;
                a = parsed[0];
                where += a->get_name() + " ";
            }
            std::string what = e.what();
            if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
                what = "not understood:";
                for (const std::string& w : app->remaining(true)) what += " " + w;
            }
            return "vtepctl: " + what + "\nRun 'vtepctl " + where + "--help' for more information.\n";
        });
        build();
    }

    CLI::App& app() { return app_; }
    Invocation& invocation() { return inv_; }

    // The request of the command that was parsed: the deepest one ("show interfaces counters"
    // rather than "show interfaces"), children being declared after their parents.
    void finish() {
        for (auto it = leaves_.rbegin(); it != leaves_.rend(); ++it) {
            Leaf& leaf = *it;
            if (!leaf.app->parsed()) continue;
            Json args = Json::object();
            for (auto& f : leaf.fill) f(args);
            inv_.request = Json{{"command", leaf.command}, {"args", args}};
            return;
        }
    }

private:
    CLI::App* group(CLI::App* parent, const std::string& name, const std::string& help) {
        CLI::App* g = parent->add_subcommand(name, help);
        g->require_subcommand(1);
        g->fallthrough();
        return g;
    }
    Leaf& leaf(CLI::App* parent, const std::string& name, const std::string& help, const std::string& command) {
        CLI::App* a = parent->add_subcommand(name, help);
        a->fallthrough();
        leaves_.push_back({a, command, {}});
        return leaves_.back();
    }
    // Storage that outlives the parse: CLI11 writes into it, fill() reads it.
    std::string& str() { return *strings_.emplace_back(std::make_unique<std::string>()); }
    uint32_t& num() { return *numbers_.emplace_back(std::make_unique<uint32_t>()); }

    void text(Leaf& l, const std::string& flag, const std::string& key, const std::string& help) {
        std::string& v = str();
        CLI::Option* o = l.app->add_option(flag, v, help);
        l.fill.push_back([o, &v, key](Json& a) {
            if (o->count()) a[key] = v;
        });
    }
    void number(Leaf& l, const std::string& flag, const std::string& key, const std::string& help, uint32_t lo,
                uint32_t hi) {
        uint32_t& v = num();
        CLI::Option* o = l.app->add_option(flag, v, help)->check(CLI::Range(lo, hi));
        l.fill.push_back([o, &v, key](Json& a) {
            if (o->count()) a[key] = v;
        });
    }
    CLI::Option* word(Leaf& l, const std::string& name, const std::string& key, const std::string& help) {
        std::string& v = str();
        l.fill.push_back([&v, key](Json& a) { a[key] = v; });
        return l.app->add_option(name, v, help)->required();
    }
    void vni(Leaf& l, const std::string& help = "only this VNI") { number(l, "--vni", "vni", help, 1, 0xFFFFFF); }
    void vlan(Leaf& l, const std::string& help) { number(l, "--vlan", "vlan", help, 1, 4094); }

    void build() {
        CLI::App* show = group(&app_, "show", "show state and counters");
        {
            Leaf& l = leaf(show, "vtep", "the remote VTEPs: next hop, reachability, traffic", "show vtep");
            text(l, "--vtep", "vtep", "only this VTEP");
        }
        {
            Leaf& l = leaf(show, "bridges", "bridge domains: VNI, members, flooding, addresses", "show bridges");
            vni(l);
            text(l, "--bridge", "bridge", "only this bridge");
        }
        {
            Leaf& l = leaf(show, "interfaces", "ports: driver, link, MTU, offloads, NIC drops", "show interfaces");
            text(l, "--port", "port", "only this port");
            Leaf& c = leaf(l.app, "counters", "per port: packets and bytes each way, rates, NIC drops (EOS style)",
                           "show interfaces counters");
            text(c, "--port", "port", "only this port");
        }
        leaf(show, "igmp", "the underlay multicast groups vtepd has joined", "show igmp");
        leaf(show, "neighbors", "the underlay neighbour (ARP) table", "show neighbors");
        leaf(show, "routes", "the underlay routes and where each VTEP is reached", "show routes");
        leaf(show, "evpn", "EVPN through FRR: sync state, remote VTEPs and MACs", "show evpn");
        leaf(show, "config", "the running configuration (JSON)", "show config");
        leaf(show, "fdb", "address-table occupancy", "show fdb");
        leaf(show, "metrics", "every counter in the Prometheus text format (node_exporter textfile, scrapers)",
             "show metrics");
        {
            Leaf& l = leaf(show, "address-table", "MAC -> local port or remote VTEP", "show address-table");
            vni(l);
            text(l, "--mac", "mac", "only this MAC (any notation)");
            vlan(l, "only MACs on this VLAN of a member port");
            text(l, "--port", "port", "only MACs behind this port");
            text(l, "--vtep", "vtep", "only MACs behind this VTEP");
            std::string& type = str();
            CLI::Option* o = l.app->add_option("--type", type, "static or dynamic")
                                 ->check(CLI::IsMember({"static", "dynamic", "evpn"}));
            l.fill.push_back([o, &type](Json& a) {
                if (o->count()) a["type"] = type;
            });
        }
        {
            Leaf& l = leaf(show, "arp", "the bridges' IP-to-MAC bindings (gateway, suppression)", "show arp");
            vni(l);
        }
        {
            Leaf& l = leaf(show, "counters", "ports, bridges, drops, events, workers, rates", "show counters");
            CLI::Option* o = l.app->add_flag("--clear", "reset every figure (same as clear counters)");
            l.fill.push_back([o](Json& a) {
                if (o->count()) a["clear"] = true;
            });
        }

        CLI::App* clear = group(&app_, "clear", "reset state");
        {
            Leaf& l = leaf(clear, "address-table", "forget dynamic MACs", "clear address-table");
            vni(l, "only this VNI's");
        }
        leaf(clear, "counters", "reset every counter vtepctl shows", "clear counters");

        CLI::App* config = group(&app_, "config", "the running configuration");
        {
            Leaf& l = leaf(config, "apply", "replace the running configuration with FILE (all or nothing)",
                           "config apply");
            std::string& f = str();
            l.app->add_option("FILE", f, "JSON configuration")->required();
            l.fill.push_back([&f](Json& a) { a["file"] = absolute(f); });
        }
        for (const auto& [name, help] : std::vector<std::pair<std::string, std::string>>{
                 {"save", "write the running configuration to FILE (default: the file vtepd read)"},
                 {"diff", "what differs between the running configuration and FILE (default: vtepd's file)"}}) {
            Leaf& l = leaf(config, name, help, "config " + name);
            std::string& f = str();
            CLI::Option* o = l.app->add_option("FILE", f, "JSON file");
            l.fill.push_back([o, &f](Json& a) {
                if (o->count()) a["file"] = absolute(f);
            });
        }
        leaf(config, "reload", "read vtepd's configuration file again and apply it", "config reload");

        CLI::App* bridge = group(&app_, "bridge", "add or delete a bridge domain");
        {
            Leaf& l = leaf(bridge, "add", "a new bridge mapped to a VNI", "bridge add");
            word(l, "NAME", "bridge", "bridge name");
            number(l, "--vni", "vni", "its VNI", 1, 0xFFFFFF);
            l.app->get_option("--vni")->required();
            text(l, "--group", "group", "underlay multicast group for flooding");
            auto& flood = lists_.emplace_back(std::make_unique<std::vector<std::string>>());
            CLI::Option* o = l.app->add_option("--flood", *flood, "head-end replication list (VTEP,VTEP...)")
                                 ->delimiter(',');
            std::vector<std::string>* fl = flood.get();
            l.fill.push_back([o, fl](Json& a) {
                if (o->count()) a["flood_vteps"] = *fl;
                a["members"] = Json::array();
            });
        }
        {
            Leaf& l = leaf(bridge, "del", "delete a bridge", "bridge del");
            word(l, "NAME", "bridge", "bridge name");
        }

        CLI::App* member = group(&app_, "member", "add or remove a bridge member (port or port.vlan)");
        for (const std::string op : {"add", "del"}) {
            Leaf& l = leaf(member, op, op == "add" ? "add a member" : "remove a member", "member " + op);
            word(l, "BRIDGE", "bridge", "bridge name");
            word(l, "PORT", "port", "port name");
            vlan(l, "the VLAN on that port (absent: untagged)");
        }
        CLI::App* flood = group(&app_, "flood", "add or remove a head-end replication VTEP");
        for (const std::string op : {"add", "del"}) {
            Leaf& l = leaf(flood, op, op == "add" ? "add a flood VTEP" : "remove a flood VTEP", "flood " + op);
            word(l, "BRIDGE", "bridge", "bridge name");
            word(l, "VTEP", "vtep", "remote VTEP address");
        }
        CLI::App* grp = group(&app_, "group", "a bridge's underlay multicast group");
        {
            Leaf& l = leaf(grp, "set", "set the group (or none)", "group set");
            word(l, "BRIDGE", "bridge", "bridge name");
            std::string& g = str();
            l.app->add_option("GROUP", g, "a multicast address, or none")->required();
            l.fill.push_back([&g](Json& a) { a["group"] = g == "none" ? Json(nullptr) : Json(g); });
        }
        CLI::App* stat = group(&app_, "static", "static MACs");
        {
            Leaf& l = leaf(stat, "add", "a static MAC behind a VTEP or a member", "static add");
            word(l, "BRIDGE", "bridge", "bridge name");
            word(l, "MAC", "mac", "the MAC (any notation)");
            text(l, "--vtep", "vtep", "behind this remote VTEP");
            text(l, "--port", "port", "behind this member port");
            vlan(l, "on this VLAN of the port");
            CLI::Option* v = l.app->get_option("--vtep");
            CLI::Option* p = l.app->get_option("--port");
            v->excludes(p);
            l.app->get_option("--vlan")->needs(p);
            l.app->callback([v, p] {
                if (!v->count() && !p->count()) throw CLI::ValidationError("static add", "needs --vtep IP or --port PORT");
            });
        }
        {
            Leaf& l = leaf(stat, "del", "remove a static MAC", "static del");
            word(l, "BRIDGE", "bridge", "bridge name");
            word(l, "MAC", "mac", "the MAC (any notation)");
        }
        CLI::App* tr = group(&app_, "trace", "packet trace: the decisions taken about the next packets");
        {
            Leaf& l = leaf(tr, "start", "record the next N packets a worker receives", "trace start");
            number(l, "--count", "count", "how many (default 10, at most 256)", 1, 256);
            text(l, "--port", "port", "only packets received on this port");
        }
        leaf(tr, "show", "print what was recorded", "trace show");
        leaf(tr, "stop", "stop recording (what was recorded stays)", "trace stop");
        CLI::App* log = group(&app_, "log", "logging");
        {
            Leaf& l = leaf(log, "level", "set the level of the log types matching PATTERN", "log level");
            word(l, "PATTERN", "pattern", "e.g. 'vtepgw.*'");
            word(l, "LEVEL", "level", "emergency, alert, critical, error, warning, notice, info, debug")
                ->check(CLI::IsMember({"emergency", "alert", "critical", "error", "warning", "notice", "info", "debug"}));
        }
    }

    CLI::App app_;
    Invocation inv_{"/run/vtepgw/vtepd.sock"};
    std::deque<Leaf> leaves_;  // stable references: leaf() hands them out
    std::vector<std::unique_ptr<std::string>> strings_;
    std::vector<std::unique_ptr<uint32_t>> numbers_;
    std::vector<std::unique_ptr<std::vector<std::string>>> lists_;
};

// Replaces each command word that is a unique prefix of a subcommand with its full name.
// Option values are skipped, so a socket path is never taken for a command word.
std::string expandPrefixes(CLI::App& root, std::vector<std::string>& words) {
    CLI::App* cur = &root;
    for (size_t i = 0; i < words.size(); ++i) {
        const std::string& w = words[i];
        if (w == "--") break;
        if (w.size() > 1 && w[0] == '-') {
            if (w.find('=') != std::string::npos) continue;
            for (CLI::App* a = cur; a != nullptr; a = a->get_parent()) {
                const CLI::Option* o = a->get_option_no_throw(w);
                if (o == nullptr) continue;
                if (o->get_items_expected_min() > 0) ++i;
                break;
            }
            continue;
        }
        auto subs = cur->get_subcommands([](CLI::App*) { return true; });
        if (subs.empty()) continue;  // a positional argument
        std::vector<CLI::App*> hits;
        for (CLI::App* s : subs) {
            if (s->get_name() == w) {
                hits = {s};
                break;
            }
            if (s->get_name().rfind(w, 0) == 0) hits.push_back(s);
        }
        if (hits.size() > 1) {
            std::string names;
            for (CLI::App* s : hits) names += (names.empty() ? "" : ", ") + s->get_name();
            return "'" + w + "' is ambiguous: " + names;
        }
        if (hits.empty()) {  // no level with subcommands takes positional words
            std::string names;
            for (CLI::App* s : subs) names += (names.empty() ? "" : ", ") + s->get_name();
            return "unknown command '" + w + "' (" + (cur == &root ? "" : cur->get_name() + " ") + "takes " + names + ")";
        }
        words[i] = hits[0]->get_name();
        cur = hits[0];
    }
    return "";
}

}  // namespace

Invocation parseCommandLine(int argc, char** argv, int& exitCode) {
    Grammar g;
    std::vector<std::string> words(argv + 1, argv + argc);
    exitCode = kOk;
    if (const std::string why = expandPrefixes(g.app(), words); !why.empty()) {
        std::cerr << "vtepctl: " << why << "\nRun with --help for more information.\n";
        exitCode = kUsage;
        g.invocation().done = true;
        return g.invocation();
    }
    std::vector<char*> args{argv[0]};
    for (auto& w : words) args.push_back(w.data());
    try {
        g.app().parse(static_cast<int>(args.size()), args.data());
        g.finish();
    } catch (const CLI::ParseError& e) {
        const int rc = g.app().exit(e, std::cout, std::cerr);
        exitCode = rc == 0 ? kOk : kUsage;
        g.invocation().done = true;
    }
    return g.invocation();
}

}  // namespace vtepctl
