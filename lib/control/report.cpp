#include "control/report.h"

#include <cstdio>
#include <set>

namespace vtepgw::control {

using counters::Drop;
using counters::Event;

nlohmann::ordered_json hostCountersJson(const Controller& ctl, const counters::Totals& t) {
    nlohmann::ordered_json policed, limits;
    for (size_t c = 0; c < punt::kClassCount; ++c) {
        policed[punt::kClassNames[c]] = t.policed[c];
        limits[punt::kClassNames[c]] = ctl.config().underlay.puntPps[c];
    }
    return {{"interface", ctl.config().underlay.hostInterface.empty() ? nlohmann::ordered_json(nullptr)
                                                                      : nlohmann::ordered_json(ctl.config().underlay.hostInterface)},
            {"punted_packets", t.host.puntedPackets},
            {"punted_bytes", t.host.puntedBytes},
            {"injected_packets", t.host.injectedPackets},
            {"injected_bytes", t.host.injectedBytes},
            {"policed", policed},
            {"limits_pps", limits}};
}

nlohmann::ordered_json countersJson(const Controller& ctl, const counters::Totals& t) {
    nlohmann::ordered_json j;
    for (const auto& p : ctl.ports()) {
        const auto& c = t.ports[p.portId];
        j["ports"][p.name] = {{"port_id", p.portId},
                              {"rx_packets", c.rxPackets},
                              {"rx_bytes", c.rxBytes},
                              {"tx_packets", c.txPackets},
                              {"tx_bytes", c.txBytes}};
    }
    for (const auto& b : ctl.config().bridges) {
        const auto& c = t.bridges[ctl.bridgeIds().at(b.name)];
        j["bridges"][b.name] = {{"vni", b.vni},
                                {"encap_packets", c.encapPackets},
                                {"encap_bytes", c.encapBytes},
                                {"decap_packets", c.decapPackets},
                                {"decap_bytes", c.decapBytes},
                                {"switched", c.switched},
                                {"flooded", c.flooded},
                                {"replicated", c.replicated},
                                {"routed", c.routed},
                                {"gateway_replies", c.gatewayReplies},
                                {"arp_suppressed", c.arpSuppressed},
                                {"arp_flooded", c.arpFlooded},
                                {"arp_entries", ctl.arp().count(ctl.bridgeIds().at(b.name))}};
    }
    for (size_t i = 0; i < counters::kDropCount; ++i)
        j["drops"][counters::dropName(static_cast<Drop>(i))] = t.drops[i];
    for (size_t i = 0; i < counters::kEventCount; ++i)
        j["events"][counters::eventName(static_cast<Event>(i))] = t.events[i];
    for (size_t f = 0; f < counters::kFateCount; ++f) j["fates"][counters::kFateNames[f]] = t.fates[f];
    j["host"] = hostCountersJson(ctl, t);
    const auto busy = t.busyTotal();
    j["busy_cycles"] = busy.cycles;
    j["busy_packets"] = busy.packets;
    j["cycles_per_packet"] = busy.cyclesPerPacket();
    j["cycles_per_packet_from_access"] = t.busy[0].cyclesPerPacket();
    j["cycles_per_packet_from_underlay"] = t.busy[1].cyclesPerPacket();
    return j;
}

nlohmann::ordered_json addressTableJson(const Controller& ctl, const fdb::Fdb& fdb) {
    std::map<fdb::BridgeId, const config::BridgeSpec*> byId;
    for (const auto& b : ctl.config().bridges) byId[ctl.bridgeIds().at(b.name)] = &b;
    std::map<uint16_t, std::string> portNames;
    for (const auto& p : ctl.ports()) portNames[p.portId] = p.name;
    const uint32_t now = static_cast<uint32_t>(ctl.nowMs() / 1000);
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    fdb.forEach([&](const fdb::EntryView& v) {
        auto it = byId.find(fdb::keyBridge(v.key));
        if (it == byId.end()) return;
        netaddr::MacAddress mac;
        fdb::keyMac(v.key, mac.bytes.data());
        nlohmann::ordered_json row = {{"vni", it->second->vni},
                                      {"bridge", it->second->name},
                                      {"mac", mac.toString()},
                                      {"type", v.dest.isStatic() ? "static" : v.dest.isEvpn() ? "evpn" : "dynamic"}};
        if (v.dest.kind() == fdb::DestKind::Local) {
            row["port"] = portNames[v.dest.port()];
            if (v.dest.vlan()) row["vlan"] = v.dest.vlan();
        } else {
            const auto& key = ctl.tunnels().key(static_cast<uint16_t>(v.dest.tunnel()));
            row["vtep"] = key.ip.toString();
            row["encapsulation"] = encap::encapName(key.encap);
            if (v.dest.isEvpn() && ctl.evpn() != nullptr)
                row["sticky"] = ctl.evpn()->remote().sticky(it->second->vni, mac.toU64());
        }
        row["moves"] = v.moves;
        row["flapping"] = v.flapping;
        row["last_move_seconds_ago"] = v.moves ? now - v.lastMove : 0;
        row["age_seconds"] = now >= v.lastSeen ? now - v.lastSeen : 0;
        rows.push_back(row);
    });
    return rows;
}

nlohmann::ordered_json arpTableJson(const Controller& ctl, const fdb::Fdb& fdb) {
    std::map<fdb::BridgeId, const config::BridgeSpec*> byId;
    for (const auto& b : ctl.config().bridges) byId[ctl.bridgeIds().at(b.name)] = &b;
    std::map<uint16_t, std::string> portNames;
    for (const auto& p : ctl.ports()) portNames[p.portId] = p.name;
    const uint32_t now = static_cast<uint32_t>(ctl.nowMs() / 1000);
    std::vector<std::pair<std::pair<fdb::BridgeId, uint32_t>, nlohmann::ordered_json>> rows;
    ctl.arp().forEach([&](const overlay::EntryView& v) {
        auto it = byId.find(v.bridge);
        if (it == byId.end()) return;
        netaddr::MacAddress mac;
        std::copy(std::begin(v.mac.addr_bytes), std::end(v.mac.addr_bytes), mac.bytes.begin());
        nlohmann::ordered_json row = {{"vni", it->second->vni},
                                      {"bridge", it->second->name},
                                      {"address", netaddr::Ipv4Address{v.ipHost}.toString()},
                                      {"mac", mac.toString()},
                                      {"type", v.isStatic ? "static" : "dynamic"}};
        // Where the MAC is now, as the address table says (Arista's "Interface" column).
        const int32_t pos = fdb.lookup(fdb::makeKey(v.bridge, v.mac.addr_bytes));
        const fdb::Dest d = pos >= 0 ? fdb.dest(pos) : fdb::Dest{};
        row["port"] = nullptr;
        row["vtep"] = nullptr;
        if (d.kind() == fdb::DestKind::Local)
            row["port"] = portNames[d.port()] + (d.vlan() ? "." + std::to_string(d.vlan()) : "");
        else if (d.kind() == fdb::DestKind::Remote)
            row["vtep"] = ctl.tunnels().key(static_cast<uint16_t>(d.tunnel())).ip.toString();
        row["age_seconds"] = v.isStatic ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(now >= v.updated ? now - v.updated : 0);
        row["moves"] = v.moves;
        rows.push_back({{v.bridge, v.ipHost}, row});
    });
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (auto& r : rows) out.push_back(std::move(r.second));
    return out;
}

nlohmann::ordered_json vtepsJson(const Controller& ctl) {
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    std::set<netaddr::IpAddress> hosts;
    for (const auto& [key, id] : ctl.tunnels().byKey())
        if (!key.multicast) hosts.insert(key.ip);
    for (const auto& host : hosts) rows.push_back(host.toString());
    return rows;
}

std::string countersText(const Controller& ctl, const counters::Totals& t) {
    std::string out;
    char line[256];
    out += "Ports:\n";
    std::snprintf(line, sizeof line, "  %-12s %12s %14s %12s %14s\n", "port", "rx_packets",
                  "rx_bytes", "tx_packets", "tx_bytes");
    out += line;
    for (const auto& p : ctl.ports()) {
        const auto& c = t.ports[p.portId];
        std::snprintf(line, sizeof line, "  %-12s %12lu %14lu %12lu %14lu\n", p.name.c_str(),
                      c.rxPackets, c.rxBytes, c.txPackets, c.txBytes);
        out += line;
    }
    out += "Bridges:\n";
    std::snprintf(line, sizeof line, "  %-12s %8s %10s %10s %10s %10s %10s %10s\n", "bridge", "vni",
                  "encap", "decap", "switched", "flooded", "replicated", "routed");
    out += line;
    for (const auto& b : ctl.config().bridges) {
        const auto& c = t.bridges[ctl.bridgeIds().at(b.name)];
        std::snprintf(line, sizeof line, "  %-12s %8u %10lu %10lu %10lu %10lu %10lu %10lu\n",
                      b.name.c_str(), b.vni, c.encapPackets, c.decapPackets, c.switched, c.flooded,
                      c.replicated, c.routed);
        out += line;
    }
    out += "Drops (non-zero):\n";
    for (size_t i = 0; i < counters::kDropCount; ++i) {
        if (t.drops[i] == 0) continue;
        std::snprintf(line, sizeof line, "  %-24s %12lu  %s\n", counters::dropName(static_cast<Drop>(i)),
                      t.drops[i], counters::dropDescription(static_cast<Drop>(i)));
        out += line;
    }
    out += "Events (non-zero):\n";
    for (size_t i = 0; i < counters::kEventCount; ++i) {
        if (t.events[i] == 0) continue;
        std::snprintf(line, sizeof line, "  %-24s %12lu\n", counters::eventName(static_cast<Event>(i)),
                      t.events[i]);
        out += line;
    }
    if (!ctl.config().underlay.hostInterface.empty()) {
        std::snprintf(line, sizeof line, "Host interface %s: punted %lu packets (%lu bytes), injected %lu packets (%lu bytes)\n",
                      ctl.config().underlay.hostInterface.c_str(), t.host.puntedPackets, t.host.puntedBytes,
                      t.host.injectedPackets, t.host.injectedBytes);
        out += line;
    }
    std::string policed;
    for (size_t c = 0; c < punt::kClassCount; ++c)
        if (t.policed[c]) policed += std::string(" ") + punt::kClassNames[c] + " " + std::to_string(t.policed[c]);
    if (!policed.empty()) out += "Punt policer drops:" + policed + "\n";
    std::snprintf(line, sizeof line, "Received packets: %lu forwarded, %lu flooded, %lu to control, %lu dropped\n",
                  t.fates[0], t.fates[1], t.fates[2], t.fates[3]);
    out += line;
    const auto busy = t.busyTotal();
    if (busy.packets) {
        std::snprintf(line, sizeof line,
                      "Workers: %lu packets in busy bursts, %.1f cycles/packet "
                      "(from access %.1f, from underlay %.1f)\n",
                      busy.packets, busy.cyclesPerPacket(), t.busy[0].cyclesPerPacket(),
                      t.busy[1].cyclesPerPacket());
        out += line;
    }
    return out;
}

}  // namespace vtepgw::control
