#include "evpn/remote_table.h"

#include <linux/neighbour.h>
#include <sys/socket.h>

namespace vtepgw::evpn {

bool RemoteTable::apply(const Neigh& n) {
    if (n.family != AF_BRIDGE || !n.mac || !n.dst || (n.flags & NTF_SELF) == 0) return false;
    const auto dev = devices_.find(n.ifindex);
    if (dev == devices_.end()) return false;
    const uint32_t vni = dev->second;
    const uint32_t vtep = n.dst->host;
    // A withdrawn MAC+IP shows up as FAILED before its delete: treat it as gone.
    const bool gone = n.deleted || (n.state & NUD_FAILED) != 0;
    if (n.mac->isZero()) {
        auto& f = floods_[vni];
        return gone ? f.erase(vtep) != 0 : f.insert(vtep).second;
    }
    if ((n.flags & (NTF_EXT_LEARNED | NTF_STICKY)) == 0) return false;  // not zebra's
    auto& m = macs_[vni];
    const uint64_t key = n.mac->toU64();
    if (gone) {
        const auto it = m.find(key);
        if (it == m.end() || it->second != vtep) return false;  // a delete for an older place
        m.erase(it);
        sticky_[vni].erase(key);
        return true;
    }
    const bool sticky = (n.flags & NTF_STICKY) != 0;
    const bool stickyChanged = sticky ? sticky_[vni].insert(key).second : sticky_[vni].erase(key) != 0;
    auto [it, added] = m.emplace(key, vtep);
    if (!added && it->second == vtep) return stickyChanged;
    it->second = vtep;
    return true;
}

bool RemoteTable::replace(const std::vector<Neigh>& dump) {
    auto oldMacs = std::move(macs_);
    auto oldFloods = std::move(floods_);
    macs_.clear();
    floods_.clear();
    sticky_.clear();
    for (const auto& n : dump)
        if (!n.deleted) apply(n);
    // Empty per-VNI maps compare unequal to absent ones: drop them first.
    auto prune = [](auto& m) {
        for (auto it = m.begin(); it != m.end();) it = it->second.empty() ? m.erase(it) : std::next(it);
    };
    prune(oldMacs);
    prune(oldFloods);
    prune(macs_);
    prune(floods_);
    return oldMacs != macs_ || oldFloods != floods_;
}

void RemoteTable::retainDevices() {
    std::set<uint32_t> vnis;
    for (const auto& [ifindex, vni] : devices_) vnis.insert(vni);
    for (auto it = macs_.begin(); it != macs_.end();) it = vnis.count(it->first) ? std::next(it) : macs_.erase(it);
    for (auto it = floods_.begin(); it != floods_.end();) it = vnis.count(it->first) ? std::next(it) : floods_.erase(it);
    for (auto it = sticky_.begin(); it != sticky_.end();) it = vnis.count(it->first) ? std::next(it) : sticky_.erase(it);
}

size_t RemoteTable::macCount() const {
    size_t n = 0;
    for (const auto& [vni, m] : macs_) n += m.size();
    return n;
}

}  // namespace vtepgw::evpn
