// PMD profiles (drivers-config/NAME.json): descriptor ring sizes, RSS and TX offload choices
// per kind of device. A port names its profile in the config ("profile": "i40e"); without
// one, the profile is chosen from the driver that EAL bound to the device.
#pragma once

#include <cstdint>
#include <string>

namespace vtepgw::port {

struct Profile {
    std::string name = "default";
    uint16_t rxDescriptors = 1024;
    uint16_t txDescriptors = 1024;
    bool rss = true;          // spread flows over the workers' RX queues when there are several
    bool multiSegTx = true;   // flood copies are chained mbufs: needed unless the PMD copies
    // IPv4 header checksums by the NIC (outer header on TX, underlay check on RX) when it
    // advertises them; off for PMDs that would only do in software what we do cheaper.
    bool ipv4Checksum = true;
    std::string source = "built-in defaults";
};

// The profile name for a DPDK driver name ("net_i40e" -> "i40e"); "default" when unknown.
std::string profileForDriver(const std::string& driver);

// Loads DIR/NAME.json. Throws PortError naming the file and field on a bad profile; a
// missing file is an error only when `required` (a profile named in the config).
Profile loadProfile(const std::string& dir, const std::string& name, bool required);

}  // namespace vtepgw::port
