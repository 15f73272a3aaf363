#include "control/metrics.h"

#include <map>
#include <sstream>
#include <vector>

namespace vtepgw::control {

namespace {

using Json = nlohmann::ordered_json;

std::string escape(const std::string& v) {
    std::string out;
    for (char c : v) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

// Families in first-seen order, each with its samples: one HELP/TYPE header per family, as
// the format requires.
class Exposition {
public:
    void add(const std::string& name, const char* type, const std::string& help,
             const std::vector<std::pair<std::string, std::string>>& labels, const Json& value) {
        if (!value.is_number() && !value.is_boolean()) return;
        auto it = index_.find(name);
        if (it == index_.end()) {
            it = index_.emplace(name, families_.size()).first;
            families_.push_back({name, type, help, {}});
        }
        std::string line = name;
        if (!labels.empty()) {
            line += '{';
            for (size_t i = 0; i < labels.size(); ++i)
                line += (i ? "," : "") + labels[i].first + "=\"" + escape(labels[i].second) + "\"";
            line += '}';
        }
        line += ' ';
        if (value.is_boolean()) line += value.get<bool>() ? "1" : "0";
        else line += value.dump();
        families_[it->second].samples.push_back(line);
    }
    std::string text() const {
        std::ostringstream out;
        for (const auto& f : families_) {
            out << "# HELP " << f.name << ' ' << f.help << '\n' << "# TYPE " << f.name << ' ' << f.type << '\n';
            for (const auto& s : f.samples) out << s << '\n';
        }
        return out.str();
    }

private:
    struct Family {
        std::string name, type, help;
        std::vector<std::string> samples;
    };
    std::vector<Family> families_;
    std::map<std::string, size_t> index_;
};

bool isLevel(const std::string& field) {
    return field == "arp_entries" || field == "vni" || field == "port_id";
}

}  // namespace

std::string prometheusText(const Json& c, const Json& vteps) {
    Exposition e;
    if (c.contains("ports"))
        for (const auto& p : c["ports"].items())
            for (const auto& f : p.value().items())
                if (!isLevel(f.key()))
                    e.add("vtepgw_port_" + f.key() + "_total", "counter", "Port " + f.key() + " (vtepd's own count)",
                          {{"port", p.key()}}, f.value());
    if (c.contains("bridges"))
        for (const auto& b : c["bridges"].items()) {
            const std::string vni = b.value().contains("vni") ? b.value()["vni"].dump() : "";
            for (const auto& f : b.value().items()) {
                if (f.key() == "vni" || f.value().is_object()) continue;
                if (f.key() == "arp_entries")
                    e.add("vtepgw_bridge_arp_entries", "gauge", "IP-to-MAC bindings in the bridge",
                          {{"bridge", b.key()}, {"vni", vni}}, f.value());
                else
                    e.add("vtepgw_bridge_" + f.key() + "_total", "counter", "Bridge " + f.key(),
                          {{"bridge", b.key()}, {"vni", vni}}, f.value());
            }
        }
    if (c.contains("drops"))
        for (const auto& d : c["drops"].items())
            e.add("vtepgw_drops_total", "counter", "Packets dropped, by reason", {{"reason", d.key()}}, d.value());
    if (c.contains("events"))
        for (const auto& d : c["events"].items())
            e.add("vtepgw_events_total", "counter", "Control and dataplane events", {{"event", d.key()}}, d.value());
    if (c.contains("fates"))
        for (const auto& d : c["fates"].items())
            e.add("vtepgw_packet_fates_total", "counter", "What became of each received packet", {{"fate", d.key()}},
                  d.value());
    if (c.contains("workers"))
        for (const auto& w : c["workers"]) {
            const std::string id = w.value("worker", Json(0)).dump();
            for (const char* f : {"busy_packets", "busy_cycles", "loops", "idle_sleeps", "idle_sleep_us"})
                if (w.contains(f))
                    e.add(std::string("vtepgw_worker_") + f + "_total", "counter", std::string("Worker ") + f,
                          {{"worker", id}}, w[f]);
        }
    if (c.contains("host") && c["host"].is_object()) {
        const Json& h = c["host"];
        for (const char* f : {"punted_packets", "punted_bytes", "injected_packets", "injected_bytes"})
            if (h.contains(f))
                e.add(std::string("vtepgw_host_") + f + "_total", "counter", std::string("Host interface ") + f, {}, h[f]);
        if (h.contains("policed"))
            for (const auto& p : h["policed"].items())
                e.add("vtepgw_punt_policed_total", "counter", "Punted packets over the policer's rate, by class",
                      {{"class", p.key()}}, p.value());
    }
    for (const char* g : {"mbufs_in_use", "mbufs_total", "fdb_entries"})
        if (c.contains(g)) e.add(std::string("vtepgw_") + g, "gauge", std::string("vtepd ") + g, {}, c[g]);
    if (vteps.is_array())
        for (const auto& v : vteps) {
            const std::vector<std::pair<std::string, std::string>> l = {
                {"vtep", v.value("vtep", "")}, {"encapsulation", v.value("encapsulation", "")}};
            for (const char* f : {"tx_packets", "tx_bytes", "rx_packets", "rx_bytes"})
                if (v.contains(f))
                    e.add(std::string("vtepgw_vtep_") + f + "_total", "counter", std::string("Remote VTEP ") + f, l, v[f]);
            if (v.contains("macs")) e.add("vtepgw_vtep_macs", "gauge", "MACs behind the remote VTEP", l, v["macs"]);
            if (v.contains("reachable"))
                e.add("vtepgw_vtep_reachable", "gauge", "1 when a route and a resolved next hop reach the VTEP", l,
                      v["reachable"]);
        }
    return e.text();
}

}  // namespace vtepgw::control
