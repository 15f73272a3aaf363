#include "control/tunnel_table.h"

namespace vtepgw::control {

std::optional<uint16_t> TunnelTable::obtain(const TunnelKey& key, uint64_t nowMs, bool* created) {
    if (created) *created = false;
    if (auto it = byKey_.find(key); it != byKey_.end()) return it->second;
    for (uint16_t id = 0; id < encap::kMaxTunnels; ++id) {
        if (used_[id]) continue;
        if (everUsed_[id] && nowMs - freedAt_[id] < kQuarantineMs) continue;
        used_[id] = true;
        everUsed_[id] = true;
        keys_[id] = key;
        byKey_[key] = id;
        if (created) *created = true;
        return id;
    }
    return std::nullopt;
}

std::optional<uint16_t> TunnelTable::find(const TunnelKey& key) const {
    auto it = byKey_.find(key);
    if (it == byKey_.end()) return std::nullopt;
    return it->second;
}

void TunnelTable::retain(const std::set<uint16_t>& live, uint64_t nowMs) {
    for (auto it = byKey_.begin(); it != byKey_.end();) {
        if (live.count(it->second)) {
            ++it;
            continue;
        }
        used_[it->second] = false;
        freedAt_[it->second] = nowMs;
        it = byKey_.erase(it);
    }
}

uint16_t TunnelTable::idLimit() const {
    uint16_t limit = 0;
    for (const auto& [key, id] : byKey_) limit = std::max<uint16_t>(limit, static_cast<uint16_t>(id + 1));
    return limit;
}

}  // namespace vtepgw::control
