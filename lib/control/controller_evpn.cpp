// The control core's side of EVPN: shadow devices for the EVPN bridges, the fabric's remote
// state turned into address-table entries and flood tunnels, local MACs handed back.
#include "control/controller.h"

#include <algorithm>

#include "log/log.h"

namespace vtepgw::control {

using counters::Event;
using netaddr::MacAddress;

void Controller::syncEvpn() {
    if (evpn_ == nullptr) return;
    std::vector<std::pair<uint32_t, std::string>> bridges;
    for (const auto& b : cfg_.bridges)
        if (cfg_.evpnBridge(b)) bridges.emplace_back(b.vni, b.name);
    for (const auto& p : evpn_->sync(bridges, nowMs())) VTEPGW_LOG(WARNING, CONTROL, "%s", p.c_str());
}

void Controller::applyEvpn() {
    if (evpn_ == nullptr) return;
    const uint32_t now = static_cast<uint32_t>(nowMs() / 1000);
    const auto& remote = evpn_->remote();
    std::set<uint16_t> used;
    std::set<fdb::Key> wanted;
    for (const auto& b : cfg_.bridges) {
        if (!cfg_.evpnBridge(b)) continue;
        const fdb::BridgeId id = bridgeIds_.at(b.name);
        if (auto f = remote.floods().find(b.vni); f != remote.floods().end())
            for (uint32_t vtep : f->second)
                if (auto t = tunnelFor({netaddr::Ipv4Address{vtep}, encap::Encap::Vxlan, false})) used.insert(*t);
        const auto m = remote.macs().find(b.vni);
        if (m == remote.macs().end()) continue;
        for (const auto& [mac, vtep] : m->second) {
            const auto t = tunnelFor({netaddr::Ipv4Address{vtep}, encap::Encap::Vxlan, false});
            if (!t) continue;
            used.insert(*t);
            const MacAddress ma = MacAddress::fromU64(mac);
            const fdb::Key key = fdb::makeKey(id, ma.bytes.data());
            wanted.insert(key);
            switch (fdb_.putEvpn(key, *t, now)) {
                case fdb::Fdb::PutResult::Added: counters_.event(Event::evpn_macs_installed); break;
                case fdb::Fdb::PutResult::Moved: counters_.event(Event::evpn_macs_installed); counters_.event(Event::moves); break;
                case fdb::Fdb::PutResult::StaticConflict: counters_.event(Event::static_conflicts); break;
                case fdb::Fdb::PutResult::Full: counters_.event(Event::fdb_full); break;
                case fdb::Fdb::PutResult::Unchanged: break;
            }
        }
    }
    const size_t withdrawn = fdb_.removeIf([&](const fdb::EntryView& v) { return v.dest.isEvpn() && !wanted.count(v.key); });
    if (withdrawn) counters_.event(Event::evpn_macs_withdrawn, withdrawn);
    evpnTunnels_ = std::move(used);
    dirty_ = true;  // flood lists follow the type-3 routes
}

void Controller::publishEvpnLocal() {
    std::map<fdb::BridgeId, uint32_t> vniOf;
    for (const auto& b : cfg_.bridges)
        if (cfg_.evpnBridge(b)) vniOf[bridgeIds_.at(b.name)] = b.vni;
    std::map<uint32_t, std::set<uint64_t>> local;
    for (const auto& [id, vni] : vniOf) local[vni];
    fdb_.forEach([&](const fdb::EntryView& v) {
        if (v.dest.kind() != fdb::DestKind::Local) return;
        const auto it = vniOf.find(fdb::keyBridge(v.key));
        if (it == vniOf.end()) return;
        MacAddress mac;
        fdb::keyMac(v.key, mac.bytes.data());
        local[it->second].insert(mac.toU64());
    });
    evpn_->publishLocal(local);
}

}  // namespace vtepgw::control
