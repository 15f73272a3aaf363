// libFuzzer target: neighbour notifications as the kernel (or anything that reaches the
// netlink socket) might send them, parsed and applied to the EVPN remote table as a
// notification and as a dump. Nothing may crash, read past the bytes, or leave the table
// holding an entry for a device that is not a shadow vxlan.
#include <cstdint>
#include <cstring>
#include <vector>

#include "evpn/neigh.h"
#include "evpn/remote_table.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::vector<uint32_t> aligned(size / 4 + 1);
    std::memcpy(aligned.data(), data, size);
    const auto batch = vtepgw::evpn::parseNeighMessages(aligned.data(), size);
    vtepgw::evpn::RemoteTable t;
    t.setDevices({{6, 10}, {9, 20}});
    for (const auto& n : batch.neighs) t.apply(n);
    vtepgw::evpn::RemoteTable dumped;
    dumped.setDevices({{6, 10}});
    dumped.replace(batch.neighs);
    for (const auto& [vni, macs] : dumped.macs())
        if (vni != 10) __builtin_trap();
    return 0;
}
