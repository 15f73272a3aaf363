// Fabric over the Linux kernel: per bridge a shadow Linux bridge, vxlan device (the VNI, our
// address, our UDP port, no learning) and a tap standing for the local members, in vtepd's
// network namespace, where FRR's zebra finds them. They never carry data. Remote state is
// read from neighbour notifications (RTMGRP_NEIGH) and from a full FDB dump at start and after
// any overrun; local MACs are written as "master extern_learn" on the tap.
#pragma once

#include "evpn/fabric.h"
#include "host/netlink.h"

#include "config/model.h"

struct mnl_socket;

namespace vtepgw::evpn {

class ShadowFabric final : public Fabric {
public:
    ShadowFabric(const config::EvpnSpec& spec, netaddr::Ipv4Address local, uint16_t udpPort);
    ~ShadowFabric() override;  // removes the shadow devices
    std::vector<std::string> sync(const std::vector<std::pair<uint32_t, std::string>>& bridges, uint64_t nowMs) override;
    bool poll(uint64_t nowMs) override;
    const RemoteTable& remote() const override { return remote_; }
    void publishLocal(const std::map<uint32_t, std::set<uint64_t>>& macsByVni) override;
    const std::vector<ShadowDevices>& devices() const override { return devices_; }
    const FabricStats& stats() const override { return stats_; }

private:
    std::string create(ShadowDevices& d);
    void destroy(const ShadowDevices& d);
    bool resync(uint64_t nowMs);
    void updateDeviceMap();

    std::string prefix_;
    netaddr::Ipv4Address local_;
    uint16_t udpPort_;
    host::Netlink nl_;
    mnl_socket* events_ = nullptr;
    std::vector<ShadowDevices> devices_;
    std::map<uint32_t, int> tapFds_;  // VNI -> the tap's descriptor (the port lives as long as it)
    RemoteTable remote_;
    std::map<uint32_t, std::set<uint64_t>> written_;  // local MACs written, per VNI
    FabricStats stats_;
    bool needResync_ = true;
};

}  // namespace vtepgw::evpn
