#include <gtest/gtest.h>

#include "control/metrics.h"

namespace vtepgw::control {
namespace {

using Json = nlohmann::ordered_json;

TEST(Metrics, CountersGaugesLabelsAndOneHeaderPerFamily) {
    const Json counters = Json::parse(R"({
        "ports": {"uplink": {"port_id": 0, "rx_packets": 7, "tx_packets": 5, "rates": {"rx_pps": 1.5}},
                  "access": {"port_id": 1, "rx_packets": 3, "tx_packets": 6}},
        "bridges": {"br10": {"vni": 10, "encap_packets": 2, "arp_entries": 4}},
        "drops": {"truncated": 0, "unknown_vni": 9},
        "fates": {"forwarded": 4},
        "workers": [{"worker": 0, "busy_cycles": 100, "loops": 8}],
        "mbufs_in_use": 12})");
    const Json vteps = Json::parse(R"([{"vtep": "10.77.0.1", "encapsulation": "vxlan", "tx_packets": 3, "macs": 2, "reachable": true}])");
    const std::string t = prometheusText(counters, vteps);
    auto has = [&](const std::string& s) { return t.find(s) != std::string::npos; };
    EXPECT_TRUE(has("# TYPE vtepgw_port_rx_packets_total counter\n"
                    "vtepgw_port_rx_packets_total{port=\"uplink\"} 7\n"
                    "vtepgw_port_rx_packets_total{port=\"access\"} 3\n")) << t;
    EXPECT_FALSE(has("port_id")) << "an identifier is not a counter";
    EXPECT_FALSE(has("rx_pps")) << "rates are the scraper's job";
    EXPECT_TRUE(has("vtepgw_bridge_encap_packets_total{bridge=\"br10\",vni=\"10\"} 2\n")) << t;
    EXPECT_TRUE(has("# TYPE vtepgw_bridge_arp_entries gauge\nvtepgw_bridge_arp_entries{bridge=\"br10\",vni=\"10\"} 4\n")) << t;
    EXPECT_TRUE(has("vtepgw_drops_total{reason=\"unknown_vni\"} 9\n")) << t;
    EXPECT_TRUE(has("vtepgw_packet_fates_total{fate=\"forwarded\"} 4\n")) << t;
    EXPECT_TRUE(has("vtepgw_worker_busy_cycles_total{worker=\"0\"} 100\n")) << t;
    EXPECT_TRUE(has("# TYPE vtepgw_mbufs_in_use gauge\nvtepgw_mbufs_in_use 12\n")) << t;
    EXPECT_TRUE(has("vtepgw_vtep_tx_packets_total{vtep=\"10.77.0.1\",encapsulation=\"vxlan\"} 3\n")) << t;
    EXPECT_TRUE(has("vtepgw_vtep_reachable{vtep=\"10.77.0.1\",encapsulation=\"vxlan\"} 1\n")) << t;
    size_t headers = 0;
    for (size_t at = 0; (at = t.find("# TYPE vtepgw_drops_total ", at)) != std::string::npos; ++at) ++headers;
    EXPECT_EQ(headers, 1u);
}

TEST(Metrics, LabelValuesAreEscaped) {
    const Json counters = Json::parse(R"({"ports": {"we\"ird\\\\name\n": {"rx_packets": 1}}})");
    EXPECT_NE(prometheusText(counters, Json::array()).find(R"(vtepgw_port_rx_packets_total{port="we\"ird\\\\name\n"} 1)"),
              std::string::npos)
        << prometheusText(counters, Json::array());
}

}  // namespace
}  // namespace vtepgw::control
