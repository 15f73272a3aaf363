// What BGP EVPN says is remote, per VNI: MACs behind VTEPs (type-2) and the VTEPs to flood to
// (type-3), as zebra wrote them into the shadow vxlan devices. Pure bookkeeping over parsed
// neighbour messages, so that the translation is tested on captured bytes.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "evpn/neigh.h"

namespace vtepgw::evpn {

class RemoteTable {
public:
    // Shadow vxlan device ifindex -> VNI: messages for other devices are not ours.
    void setDevices(std::map<uint32_t, uint32_t> vxlanToVni) { devices_ = std::move(vxlanToVni); }
    // Applies one notification; true when the table changed. Only the vxlan-side entries
    // count (NTF_SELF with a destination): zebra's request also yields a bridge-side copy.
    // A remote MAC is EXT_LEARNED or STICKY; 00:00:00:00:00:00 is a flood entry.
    bool apply(const Neigh& n);
    // Replaces everything with a full dump's entries (after start or an overrun); true when
    // anything changed.
    bool replace(const std::vector<Neigh>& dump);
    // Forgets the VNIs whose devices are gone.
    void retainDevices();

    using MacMap = std::map<uint64_t, uint32_t>;  // MAC (MacAddress::toU64) -> VTEP (IPv4, host order)
    const std::map<uint32_t, MacMap>& macs() const { return macs_; }
    const std::map<uint32_t, std::set<uint32_t>>& floods() const { return floods_; }
    // MACs advertised sticky (static on their VTEP, RFC 7432 MAC Mobility's sticky bit).
    bool sticky(uint32_t vni, uint64_t mac) const {
        const auto it = sticky_.find(vni);
        return it != sticky_.end() && it->second.count(mac) != 0;
    }
    size_t macCount() const;

private:
    std::map<uint32_t, uint32_t> devices_;
    std::map<uint32_t, MacMap> macs_;
    std::map<uint32_t, std::set<uint32_t>> floods_;
    std::map<uint32_t, std::set<uint64_t>> sticky_;
};

}  // namespace vtepgw::evpn
