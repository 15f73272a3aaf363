// The control core's registry of remote tunnels: (remote address, encapsulation) -> a stable
// id, which the FDB, flood lists, learn requests and per-tunnel counters use. An id stays
// with its tunnel while the configuration lists it or a MAC is behind it; a freed id rests
// for a quarantine before it is given to another tunnel, so that no learn request still in
// flight under an older snapshot can put a MAC behind the wrong VTEP, and its counters get
// a baseline when reused (the caller's job: fresh() reports it).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "encap/tunnel.h"
#include "netaddr/addr.h"

namespace vtepgw::control {

struct TunnelKey {
    netaddr::IpAddress ip;  // the remote VTEP or group, either family
    encap::Encap encap = encap::Encap::Vxlan;
    bool multicast = false;  // a flood group's tunnel
    bool operator<(const TunnelKey& o) const {
        return ip != o.ip ? ip < o.ip : encap != o.encap ? encap < o.encap : multicast < o.multicast;
    }
    bool operator==(const TunnelKey& o) const { return ip == o.ip && encap == o.encap && multicast == o.multicast; }
};

class TunnelTable {
public:
    static constexpr uint64_t kQuarantineMs = 60000;

    // The tunnel's id, creating it when new; nullopt when every id is taken. `created` is
    // set when the id is newly given out (its counters need a fresh baseline).
    std::optional<uint16_t> obtain(const TunnelKey& key, uint64_t nowMs, bool* created = nullptr);
    std::optional<uint16_t> find(const TunnelKey& key) const;
    // Keeps exactly the tunnels in `live`; the others' ids go to quarantine.
    void retain(const std::set<uint16_t>& live, uint64_t nowMs);

    const std::map<TunnelKey, uint16_t>& byKey() const { return byKey_; }
    const TunnelKey& key(uint16_t id) const { return keys_[id]; }
    bool inUse(uint16_t id) const { return id < used_.size() && used_[id]; }
    // One past the highest id in use (the size of the snapshot's tunnel array).
    uint16_t idLimit() const;

private:
    std::map<TunnelKey, uint16_t> byKey_;
    std::vector<TunnelKey> keys_ = std::vector<TunnelKey>(encap::kMaxTunnels);
    std::vector<bool> used_ = std::vector<bool>(encap::kMaxTunnels, false);
    std::vector<uint64_t> freedAt_ = std::vector<uint64_t>(encap::kMaxTunnels, 0);
    std::vector<bool> everUsed_ = std::vector<bool>(encap::kMaxTunnels, false);
};

}  // namespace vtepgw::control
