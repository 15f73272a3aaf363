#include "port/profile.h"

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "port/port.h"

namespace vtepgw::port {

std::string profileForDriver(const std::string& driver) {
    static const std::map<std::string, std::string> known = {
        {"net_af_packet", "af_packet"}, {"net_af_xdp", "af_xdp"}, {"net_tap", "tap"},
        {"net_pcap", "pcap"},           {"net_ring", "ring"},     {"net_memif", "memif"},
        {"net_ixgbe", "ixgbe"},         {"net_i40e", "i40e"},     {"net_ice", "ice"},
        {"net_iavf", "iavf"},           {"mlx5_pci", "mlx5"},     {"net_mlx5", "mlx5"},
        {"net_virtio", "virtio"},
    };
    auto it = known.find(driver);
    return it == known.end() ? "default" : it->second;
}

Profile loadProfile(const std::string& dir, const std::string& name, bool required) {
    Profile p;
    p.name = name;
    const std::string path = dir + "/" + name + ".json";
    std::ifstream in(path);
    if (!in) {
        if (required) throw PortError("profile '" + name + "': cannot read " + path);
        return p;
    }
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw PortError(path + ": " + e.what());
    }
    auto u16 = [&](const char* key, uint16_t& out) {
        if (!j.contains(key)) return;
        if (!j[key].is_number_unsigned() || j[key].get<uint32_t>() < 64 || j[key].get<uint32_t>() > 32768)
            throw PortError(path + ": " + key + ": must be an integer between 64 and 32768");
        out = j[key].get<uint16_t>();
    };
    auto flag = [&](const char* key, bool& out) {
        if (!j.contains(key)) return;
        if (!j[key].is_boolean()) throw PortError(path + ": " + key + ": must be true or false");
        out = j[key].get<bool>();
    };
    for (const auto& item : j.items())
        if (item.key() != "rx_descriptors" && item.key() != "tx_descriptors" && item.key() != "rss" &&
            item.key() != "multi_seg_tx" && item.key() != "ipv4_checksum" && item.key() != "comment")
            throw PortError(path + ": " + item.key() + ": unknown key");
    u16("rx_descriptors", p.rxDescriptors);
    u16("tx_descriptors", p.txDescriptors);
    flag("rss", p.rss);
    flag("multi_seg_tx", p.multiSegTx);
    flag("ipv4_checksum", p.ipv4Checksum);
    p.source = path;
    return p;
}

}  // namespace vtepgw::port
