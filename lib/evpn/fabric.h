// The EVPN fabric as the control core sees it: shadow devices to keep in step with the
// bridges, remote state to read, local MACs to write. An interface so that the dataplane
// tests drive the control core without netlink; evpn::ShadowFabric is the real one.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "evpn/remote_table.h"

namespace vtepgw::evpn {

struct ShadowDevices {
    std::string bridge;  // vtepd's bridge name
    uint32_t vni = 0;
    std::string bridgeDev, vxlanDev, portDev;
    uint32_t bridgeIf = 0, vxlanIf = 0, portIf = 0;
};

struct FabricStats {
    uint64_t notifications = 0;  // neighbour messages read
    uint64_t malformed = 0;
    uint64_t localAdded = 0, localRemoved = 0, writeErrors = 0;
    uint64_t resyncs = 0;
    uint64_t lastResyncMs = 0;   // vtepd's clock (ms since start) of the last full dump
    bool synced = false;         // a full dump has been read since the last overrun
};

class Fabric {
public:
    virtual ~Fabric() = default;
    // Shadow devices for exactly these bridges (VNI, vtepd's bridge name); returns problems.
    virtual std::vector<std::string> sync(const std::vector<std::pair<uint32_t, std::string>>& bridges, uint64_t nowMs) = 0;
    // Reads what zebra wrote; true when remote() changed.
    virtual bool poll(uint64_t nowMs) = 0;
    virtual const RemoteTable& remote() const = 0;
    // The local MACs of each VNI (MacAddress::toU64) as the shadow port's extern_learn entries.
    virtual void publishLocal(const std::map<uint32_t, std::set<uint64_t>>& macsByVni) = 0;
    virtual const std::vector<ShadowDevices>& devices() const = 0;
    virtual const FabricStats& stats() const = 0;
};

}  // namespace vtepgw::evpn
