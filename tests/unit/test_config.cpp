// Configuration validation: the contract example is accepted as written, and each bad
// configuration is rejected with a message naming the field and the reason.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "config/parse.h"

using namespace vtepgw::config;

namespace {

// DESIGN.md §3, verbatim.
const char* kContractExample = R"({
  "ports": {
    "uplink": { "device": "net_af_packet0" },
    "eth3":   { "device": "net_af_packet1" },
    "trunk1": { "device": "0000:03:00.1" }
  },
  "underlay": {
    "port": "uplink",
    "address": "192.168.2.68/24",
    "gateway": "192.168.2.1",
    "routes": [ { "prefix": "172.16.3.1/32", "via": "192.168.2.254" } ],
    "neighbors": [ { "address": "192.168.2.1", "mac": "02:00:00:00:02:01" } ]
  },
  "vxlan": { "udp_port": 4789, "ttl": 64, "ageing_seconds": 300, "learning": true },
  "bridges": {
    "br100": { "vni": 10, "group": "239.0.0.1",
               "members": [ { "port": "eth3" }, { "port": "trunk1", "vlan": 100 } ] },
    "br200": { "vni": 20, "flood_vteps": [ "172.16.3.1" ],
               "members": [ { "port": "trunk1", "vlan": 200 } ],
               "static_macs": [ { "mac": "02:00:00:00:00:0a", "vtep": "172.16.3.1" },
                                { "mac": "02:00:00:00:00:0b", "port": "trunk1", "vlan": 200 } ] }
  }
})";

// A valid base to break one field at a time.
std::string base(const std::string& underlayExtra = "", const std::string& vxlan = "{}",
                 const std::string& bridges =
                     R"({"br10": {"vni": 10, "flood_vteps": ["10.0.0.9"], "members": [{"port": "a"}]}})") {
    return R"({"ports": {"up": {"device": "net_ring0"}, "a": {"device": "net_ring1", "mtu": 1450}},
              "underlay": {"port": "up", "address": "10.0.0.2/24")" +
           underlayExtra + R"(}, "vxlan": )" + vxlan + R"(, "bridges": )" + bridges + "}";
}

}  // namespace

TEST(Config, AcceptsTheContractExample) {
    auto r = parse(kContractExample);
    ASSERT_TRUE(r.errors.empty()) << r.errors[0].toString();
    ASSERT_TRUE(r.config);
    const Config& c = *r.config;
    ASSERT_EQ(c.ports.size(), 3u);
    EXPECT_EQ(c.ports[0].name, "uplink");  // file order is kept
    EXPECT_EQ(c.underlay.address->toString(), "192.168.2.68/24");
    EXPECT_EQ(c.underlay.routes.at(0).via.toString(), "192.168.2.254");
    ASSERT_EQ(c.bridges.size(), 2u);
    EXPECT_EQ(c.bridges[0].vni, 10u);
    EXPECT_EQ(c.bridges[0].group->toString(), "239.0.0.1");
    EXPECT_EQ(*c.bridges[0].members[1].vlan, 100);
    EXPECT_FALSE(c.bridges[0].members[0].vlan);
    EXPECT_EQ(c.bridges[1].staticMacs[0].vtep->toString(), "172.16.3.1");
    EXPECT_EQ(*c.bridges[1].staticMacs[1].member->vlan, 200);
    EXPECT_EQ(c.vxlan.sourcePortMin, 49152);
}

TEST(Config, DefaultsApply) {
    auto r = parse(base());
    ASSERT_TRUE(r.config) << r.errors[0].toString();
    EXPECT_EQ(r.config->vxlan.udpPort, 4789);
    EXPECT_EQ(r.config->vxlan.ttl, 64);
    EXPECT_EQ(r.config->vxlan.ageingSeconds, 300u);
    EXPECT_EQ(r.config->underlay.mtu, 1500);
}

struct BadCase {
    const char* description;
    std::string json;
    std::string expected;  // the first error, exactly
};

class BadConfig : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadConfig, IsRejectedWithItsReason) {
    const BadCase& c = GetParam();
    auto r = parse(c.json);
    EXPECT_FALSE(r.config) << c.description;
    ASSERT_FALSE(r.errors.empty()) << c.description;
    EXPECT_EQ(r.errors[0].toString(), c.expected) << c.description;
}

INSTANTIATE_TEST_SUITE_P(
    Table, BadConfig,
    ::testing::Values(
        BadCase{"syntax", "{\"ports\": ", "JSON syntax error: parse error at line 1, column 11: syntax error while parsing value - unexpected end of input; expected '[', '{', or a literal"},
        BadCase{"not an object", "[]", "(top level): must be an object, found an array"},
        BadCase{"unknown top-level key", base().substr(0, base().size() - 1) + R"(, "bridgez": {}})", "bridgez: unknown key"},
        BadCase{"missing ports", R"({"underlay": {"port": "x", "address": "10.0.0.2/24"}})", "ports: is required: name at least the underlay port"},
        BadCase{"port without device", R"({"ports": {"up": {}}, "underlay": {"port": "up", "address": "10.0.0.2/24"}})", "ports.up.device: is required (a DPDK device name or PCI address)"},
        BadCase{"device used twice", R"({"ports": {"up": {"device": "x"}, "b": {"device": "x"}}, "underlay": {"port": "up", "address": "10.0.0.2/24"}})", "ports.b.device: device 'x' is already used by port 'up'"},
        BadCase{"unknown underlay port", R"({"ports": {"up": {"device": "x"}}, "underlay": {"port": "down", "address": "10.0.0.2/24"}})", "underlay.port: unknown port 'down'"},
        BadCase{"bad address", R"({"ports": {"up": {"device": "x"}}, "underlay": {"port": "up", "address": "10.0.0.256/24"}})", "underlay.address: '10.0.0.256/24' is not an address with its prefix (a.b.c.d/len or IPv6 addr/len)"},
        BadCase{"address without prefix", R"({"ports": {"up": {"device": "x"}}, "underlay": {"port": "up", "address": "10.0.0.2"}})", "underlay.address: '10.0.0.2' is not an address with its prefix (a.b.c.d/len or IPv6 addr/len)"},
        BadCase{"network address", R"({"ports": {"up": {"device": "x"}}, "underlay": {"port": "up", "address": "10.0.0.0/24"}})", "underlay.address: 10.0.0.0/24 is the subnet's network or broadcast address, not a host address"},
        BadCase{"gateway off-subnet", base(R"(, "gateway": "10.1.0.1")"), "underlay.gateway: gateway 10.1.0.1 is not in the connected subnet 10.0.0.0/24"},
        BadCase{"route with host bits", base(R"(, "routes": [{"prefix": "172.16.3.1/24", "via": "10.0.0.1"}])"), "underlay.routes[0].prefix: 172.16.3.1/24 has host bits set (did you mean 172.16.3.0/24?)"},
        BadCase{"neighbor with multicast MAC", base(R"(, "neighbors": [{"address": "10.0.0.1", "mac": "01:00:5e:00:00:01"}])"), "underlay.neighbors[0].mac: 01:00:5e:00:00:01 is not a unicast MAC address"},
        BadCase{"ttl 0", base("", R"({"ttl": 0})"), "vxlan.ttl: must be between 1 and 255, found 0"},
        BadCase{"udp port as string", base("", R"({"udp_port": "4789"})"), "vxlan.udp_port: must be an integer, found a string"},
        BadCase{"learning not bool", base("", R"({"learning": 1})"), "vxlan.learning: must be true or false, found a number"},
        BadCase{"source port range reversed", base("", R"({"source_port_range": [60000, 50000]})"), "vxlan.source_port_range: min 60000 is above max 50000"},
        BadCase{"vni 0", base("", "{}", R"({"b": {"vni": 0, "members": [{"port": "a"}]}})"), "bridges.b.vni: must be between 1 and 16777215, found 0"},
        BadCase{"vni too large", base("", "{}", R"({"b": {"vni": 16777216, "members": [{"port": "a"}]}})"), "bridges.b.vni: must be between 1 and 16777215, found 16777216"},
        BadCase{"vni negative", base("", "{}", R"({"b": {"vni": -5, "members": [{"port": "a"}]}})"), "bridges.b.vni: must be between 1 and 16777215, found -5"},
        BadCase{"duplicate vni", base("", "{}", R"({"b": {"vni": 10, "members": [{"port": "a"}]}, "c": {"vni": 10}})"), "bridges.c.vni: VNI 10 is already used by bridge 'b'"},
        BadCase{"member unknown port", base("", "{}", R"({"b": {"vni": 10, "members": [{"port": "eth9"}]}})"), "bridges.b.members[0].port: unknown port 'eth9'"},
        BadCase{"member is the underlay", base("", "{}", R"({"b": {"vni": 10, "members": [{"port": "up"}]}})"), "bridges.b.members[0].port: 'up' is the underlay port; it cannot also be a bridge member"},
        BadCase{"vlan 4095", base("", "{}", R"({"b": {"vni": 10, "members": [{"port": "a", "vlan": 4095}]}})"), "bridges.b.members[0].vlan: must be between 1 and 4094, found 4095"},
        BadCase{"member in two bridges", base("", "{}", R"({"b": {"vni": 10, "members": [{"port": "a"}]}, "c": {"vni": 11, "members": [{"port": "a"}]}})"), "bridges.c.members[0]: a untagged is already a member of bridge 'b'"},
        BadCase{"group not multicast", base("", "{}", R"({"b": {"vni": 10, "group": "10.1.1.1"}})"), "bridges.b.group: 10.1.1.1 is not a multicast group (224.0.0.0/4 or ff00::/8)"},
        BadCase{"link-local group", base("", "{}", R"({"b": {"vni": 10, "group": "224.0.0.5"}})"), "bridges.b.group: 224.0.0.5 is link-local (224.0.0.0/24): routers never forward it"},
        BadCase{"flood vtep is us", base("", "{}", R"({"b": {"vni": 10, "flood_vteps": ["10.0.0.2"]}})"), "bridges.b.flood_vteps[0]: 10.0.0.2 is our own address"},
        BadCase{"flood vtep multicast", base("", "{}", R"({"b": {"vni": 10, "flood_vteps": ["239.1.1.1"]}})"), "bridges.b.flood_vteps[0]: 239.1.1.1 is not a unicast host address"},
        BadCase{"static mac with both", base("", "{}", R"({"b": {"vni": 10, "members": [{"port": "a"}], "static_macs": [{"mac": "02:00:00:00:00:01", "vtep": "10.0.0.9", "port": "a"}]}})"), "bridges.b.static_macs[0]: give exactly one of 'vtep' (remote) or 'port' (local)"},
        BadCase{"static mac on non-member", base("", "{}", R"({"b": {"vni": 10, "members": [{"port": "a"}], "static_macs": [{"mac": "02:00:00:00:00:01", "port": "a", "vlan": 7}]}})"), "bridges.b.static_macs[0].port: a vlan 7 is not a member of bridge 'b'"},
        BadCase{"host interface name too long", base(R"(, "host_interface": "a-very-long-name0")"), "underlay.host_interface: 'a-very-long-name0' is not a Linux interface name (1 to 15 of letters, digits, '_', '-', '.')"},
        BadCase{"host interface name with a slash", base(R"(, "host_interface": "vtep/0")"), "underlay.host_interface: 'vtep/0' is not a Linux interface name (1 to 15 of letters, digits, '_', '-', '.')"},
        BadCase{"punt class unknown", base(R"(, "punt_limits": {"bgp": 100})"), "underlay.punt_limits.bgp: unknown class (arp, icmp, igmp, tcp, udp, other)"},
        BadCase{"punt rate zero", base(R"(, "punt_limits": {"tcp": 0})"), "underlay.punt_limits.tcp: must be between 1 and 10000000, found 0"},
        BadCase{"evpn prefix too long", base().substr(0, base().size() - 1) + R"(, "evpn": {"prefix": "vtepd0"}})", "evpn.prefix: 'vtepd0' must be 1 to 5 letters, digits, '_', '-' or '.' (shadow device names are the prefix, a letter and the VNI: 15 characters at most)"},
        BadCase{"evpn unknown bridge", base().substr(0, base().size() - 1) + R"(, "evpn": {"bridges": ["br99"]}})", "evpn.bridges[0]: unknown bridge 'br99'"},
        BadCase{"evpn unknown key", base().substr(0, base().size() - 1) + R"(, "evpn": {"asn": 65000}})", "evpn.asn: unknown key"},
        BadCase{"gateway address is the network", base("", "{}", R"({"b": {"vni": 10, "flood_vteps": ["10.0.0.9"], "address": "10.9.0.0/24"}})"), "bridges.b.address: 10.9.0.0/24 is the subnet's network address: give the gateway's own address, e.g. 10.9.0.1/24"},
        BadCase{"gateway address not a prefix", base("", "{}", R"({"b": {"vni": 10, "flood_vteps": ["10.0.0.9"], "address": "10.9.0.254"}})"), "bridges.b.address: '10.9.0.254' is not an IPv4 prefix (a.b.c.d/len, len 0..32)"},
        BadCase{"gateway addresses overlap", base("", "{}", R"({"b": {"vni": 10, "flood_vteps": ["10.0.0.9"], "address": ["10.9.0.254/24", "10.9.0.1/16"]}})"), "bridges.b.address[1]: 10.9.0.1/16 overlaps another address of this bridge"},
        BadCase{"two bridges claim one subnet", base("", "{}", R"({"b": {"vni": 10, "flood_vteps": ["10.0.0.9"], "address": "10.9.0.254/24"}, "c": {"vni": 11, "flood_vteps": ["10.0.0.9"], "address": "10.9.0.253/24"}})"), "bridges.c.address: 10.9.0.253/24 overlaps 10.9.0.254/24 of bridge 'b' in VRF 'default'"},
        BadCase{"gateway mac multicast", base("", "{}", R"({"b": {"vni": 10, "flood_vteps": ["10.0.0.9"], "address": "10.9.0.254/24", "gateway_mac": "01:00:00:00:00:01"}})"), "bridges.b.gateway_mac: 01:00:00:00:00:01 is not a unicast MAC address"},
        BadCase{"static binding is the gateway", base("", "{}", R"({"b": {"vni": 10, "flood_vteps": ["10.0.0.9"], "address": "10.9.0.254/24", "neighbors": [{"address": "10.9.0.254", "mac": "02:00:00:00:00:01"}]}})"), "bridges.b.neighbors[0].address: 10.9.0.254 is the bridge's own address"},
        BadCase{"arp suppression not bool", base("", "{}", R"({"b": {"vni": 10, "flood_vteps": ["10.0.0.9"], "arp_suppression": "yes"}})"), "bridges.b.arp_suppression: must be true or false, found a string"},
        BadCase{"arp limit zero", base("", "{}", R"({"b": {"vni": 10, "flood_vteps": ["10.0.0.9"], "arp_limit": 0}})"), "bridges.b.arp_limit: must be between 1 and 1048576, found 0"},
        BadCase{"vrf name", base("", "{}", R"({"b": {"vni": 10, "flood_vteps": ["10.0.0.9"], "address": "10.9.0.254/24", "vrf": "red vrf"}})"), "bridges.b.vrf: VRF names are 1-31 characters of letters, digits, '_', '-', '.'"},
        BadCase{"static mac multicast", base("", "{}", R"({"b": {"vni": 10, "members": [{"port": "a"}], "static_macs": [{"mac": "ff:ff:ff:ff:ff:ff", "port": "a"}]}})"), "bridges.b.static_macs[0].mac: ff:ff:ff:ff:ff:ff is not a unicast MAC address"}));

TEST(Config, BridgeAddressesVrfsAndSuppression) {
    auto r = parse(base("", "{}", R"({"b": {"vni": 10, "flood_vteps": ["10.0.0.9"], "address": ["10.9.0.254/24", "10.8.0.1/30"],
                                        "arp_suppression": true, "neighbors": [{"address": "10.9.0.7", "mac": "02:00:00:00:00:07"}]},
                                 "c": {"vni": 11, "flood_vteps": ["10.0.0.9"], "vrf": "blue", "address": "10.9.0.254/24",
                                       "gateway_mac": "02:00:00:00:fe:01"}})"));
    ASSERT_TRUE(r.config) << r.errors[0].toString();
    const auto& b = *r.config->findBridge("b");
    ASSERT_EQ(b.addresses.size(), 2u);
    EXPECT_EQ(b.addresses[1].toString(), "10.8.0.1/30");
    EXPECT_EQ(b.vrf, "default");
    EXPECT_TRUE(b.arpSuppression);
    EXPECT_TRUE(b.arpAware());
    EXPECT_EQ(b.arpLimit, kDefaultArpLimit);
    ASSERT_EQ(b.neighbors.size(), 1u);
    // The same subnet in another VRF is another tenant's.
    const auto& c = *r.config->findBridge("c");
    EXPECT_EQ(c.vrf, "blue");
    const auto u = *MacAddress::parse("02:11:22:33:44:55");
    EXPECT_EQ(Config::gatewayMacOf(c, u).toString(), "02:00:00:00:fe:01");
    EXPECT_EQ(Config::gatewayMacOf(b, u).toString(), "06:11:22:33:44:55");
    EXPECT_EQ(Config::gatewayMacOf(b, *MacAddress::parse("00:11:22:33:44:55")).toString(), "06:11:22:33:44:55");
    // Without an address a bridge neither routes nor answers.
    auto plain = parse(base());
    EXPECT_FALSE(plain.config->bridges[0].arpAware());
}

TEST(Config, HostInterfaceAndPuntLimits) {
    auto r = parse(base(R"(, "host_interface": "vtep0", "punt_limits": {"tcp": 1000, "arp": 50})"));
    ASSERT_TRUE(r.config) << r.errors[0].toString();
    EXPECT_EQ(r.config->underlay.hostInterface, "vtep0");
    EXPECT_EQ(r.config->underlay.puntPps[vtepgw::punt::index(vtepgw::punt::Class::Tcp)], 1000u);
    EXPECT_EQ(r.config->underlay.puntPps[vtepgw::punt::index(vtepgw::punt::Class::Arp)], 50u);
    // Classes not named keep their defaults.
    EXPECT_EQ(r.config->underlay.puntPps[vtepgw::punt::index(vtepgw::punt::Class::Udp)],
              vtepgw::punt::kDefaultPps[vtepgw::punt::index(vtepgw::punt::Class::Udp)]);
    auto none = parse(base());
    ASSERT_TRUE(none.config);
    EXPECT_TRUE(none.config->underlay.hostInterface.empty());
}

TEST(Config, EvpnBridgesNeedNoFloodList) {
    const std::string noFlood = R"({"br10": {"vni": 10, "members": [{"port": "a"}]},
                                   "gre20": {"vni": 20, "encapsulation": "gre", "flood_vteps": ["10.0.0.9"], "members": []}})";
    auto plain = parse(base(R"(, "host_interface": "vtep0")", "{}", noFlood));
    ASSERT_TRUE(plain.config);
    auto floodWarnings = [](const ParseResult& p) {
        return std::count_if(p.warnings.begin(), p.warnings.end(),
                             [](const Issue& w) { return w.toString().find("flood_vteps") != std::string::npos; });
    };
    EXPECT_EQ(floodWarnings(plain), 1);  // no flood target, no EVPN: warned
    std::string text = base(R"(, "host_interface": "vtep0")", "{}", noFlood);
    text = text.substr(0, text.size() - 1) + R"(, "evpn": {}})";
    auto r = parse(text);
    ASSERT_TRUE(r.config) << r.errors[0].toString();
    EXPECT_EQ(floodWarnings(r), 0);  // the flood list comes from type-3 routes
    EXPECT_EQ(r.config->evpn->prefix, "ev");
    EXPECT_FALSE(r.config->evpn->dataPlaneLearning);
    EXPECT_TRUE(r.config->evpnBridge(r.config->bridges[0]));
    EXPECT_FALSE(r.config->evpnBridge(r.config->bridges[1]));  // GRE is not EVPN's
}

TEST(Config, ReportsEveryErrorNotJustTheFirst) {
    auto r = parse(base("", R"({"ttl": 0, "udp_port": 0})", R"({"b": {"vni": 0}})"));
    EXPECT_FALSE(r.config);
    EXPECT_EQ(r.errors.size(), 3u);
}

TEST(Config, WarnsAboutTtlOne) {
    auto r = parse(base("", R"({"ttl": 1})"));
    ASSERT_TRUE(r.config);
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_EQ(r.warnings[0].path, "vxlan.ttl");
}

TEST(Config, WarnsAboutBridgeWithoutFloodTarget) {
    auto r = parse(base("", "{}", R"({"b": {"vni": 10, "members": [{"port": "a"}]}})"));
    ASSERT_TRUE(r.config);
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_EQ(r.warnings[0].path, "bridges.b");
}

TEST(Config, UnreadableFileIsAnError) {
    auto r = parseFile("/nonexistent/vtepd.json");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].toString(), "cannot read config file '/nonexistent/vtepd.json'");
}

// Found by fuzz_config: a number no double can hold made nlohmann throw out_of_range,
// which escaped the parser.
TEST(Config, HugeNumberIsAnErrorNotACrash) {
    auto r = parse("30E2309");
    EXPECT_FALSE(r.config);
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].toString().rfind("JSON syntax error: ", 0), 0u) << r.errors[0].toString();
}

TEST(Config, PortMtuIsCheckedAgainstTheUnderlay) {
    auto r = parse(R"({"ports": {"up": {"device": "x0"}, "a": {"device": "x1"}, "j": {"device": "x2", "mtu": 9000}},
        "underlay": {"port": "up", "address": "10.0.0.2/24", "mtu": 1550},
        "bridges": {"b": {"vni": 10, "flood_vteps": ["10.0.0.9"], "members": [{"port": "a"}, {"port": "j"}]}}})");
    ASSERT_TRUE(r.config) << r.errors[0].toString();
    EXPECT_EQ(r.config->portMtu("up"), 1550);
    EXPECT_EQ(r.config->portMtu("a"), 1500) << "access ports default to 1500";
    EXPECT_EQ(r.config->portMtu("j"), 9000);
    ASSERT_EQ(r.warnings.size(), 1u) << "1500 + 50 fits 1550; 9000 does not";
    EXPECT_EQ(r.warnings[0].path, "bridges.b.members[1]");
    EXPECT_NE(r.warnings[0].reason.find("raise underlay.mtu to 9050"), std::string::npos) << r.warnings[0].reason;

    auto bad = parse(R"({"ports": {"up": {"device": "x0", "mtu": 9000}},
        "underlay": {"port": "up", "address": "10.0.0.2/24"}, "bridges": {}})");
    ASSERT_FALSE(bad.config);
    EXPECT_EQ(bad.errors[0].toString(), "ports.up.mtu: the underlay port's MTU is underlay.mtu (set it there)");
    auto tiny = parse(R"({"ports": {"up": {"device": "x0"}, "a": {"device": "x1", "mtu": 100}},
        "underlay": {"port": "up", "address": "10.0.0.2/24"}, "bridges": {}})");
    ASSERT_FALSE(tiny.config);
    EXPECT_EQ(tiny.errors[0].path, "ports.a.mtu");
}

TEST(Config, WarnsAboutVtepsNoRouteReaches) {
    const char* bridges = R"({"b": {"vni": 10, "flood_vteps": ["10.0.0.9", "172.16.0.1"], "members": [{"port": "a"}],
                                    "static_macs": [{"mac": "02:00:00:00:00:01", "vtep": "172.16.0.2"}]}})";
    auto r = parse(base("", "{}", bridges));
    ASSERT_TRUE(r.config);
    ASSERT_EQ(r.warnings.size(), 2u);
    EXPECT_EQ(r.warnings[0].path, "bridges.b.flood_vteps[1]");
    EXPECT_NE(r.warnings[0].reason.find("no underlay route to VTEP 172.16.0.1"), std::string::npos);
    EXPECT_EQ(r.warnings[1].path, "bridges.b.static_macs[0].vtep");
    // A route or a gateway reaches them.
    EXPECT_TRUE(parse(base(R"(, "routes": [{"prefix": "172.16.0.0/24", "via": "10.0.0.1"}])", "{}", bridges))
                    .warnings.empty());
    EXPECT_TRUE(parse(base(R"(, "gateway": "10.0.0.1")", "{}", bridges)).warnings.empty());
}

namespace {

std::string base6(const std::string& underlay, const std::string& bridges =
                      R"({"tenant": {"vni": 4242, "flood_vteps": ["2001:db8:61::67"], "members": [{"port": "a"}]}})",
                  const std::string& vxlan = "{}") {
    return R"({"ports": {"up": {"device": "net_ring0"}, "a": {"device": "net_ring1", "mtu": 1430}},
              "underlay": )" + underlay + R"(, "vxlan": )" + vxlan + R"(, "bridges": )" + bridges + "}";
}

const char* kUnderlay6 = R"({ "port": "up", "address": "2001:db8:62::68/64", "gateway": "2001:db8:62::1" })";

}  // namespace

TEST(Config, Ipv6UnderlayAsTheIssueWritesIt) {
    auto r = parse(base6(kUnderlay6));
    ASSERT_TRUE(r.errors.empty()) << r.errors[0].toString();
    const Config& c = *r.config;
    EXPECT_FALSE(c.underlay.address);
    ASSERT_TRUE(c.underlay.address6);
    EXPECT_EQ(c.underlay.address6->toString(), "2001:db8:62::68/64");
    EXPECT_EQ(c.underlay.gateway6->toString(), "2001:db8:62::1");
    ASSERT_EQ(c.bridges[0].floodVteps.size(), 1u);
    EXPECT_TRUE(c.bridges[0].floodVteps[0].isV6());
    EXPECT_TRUE(c.reachesIpv6(c.bridges[0]));
    EXPECT_EQ(c.overheadOf(c.bridges[0]), 70);
    EXPECT_TRUE(r.warnings.empty()) << r.warnings[0].toString();
}

TEST(Config, DualStackUnderlay) {
    auto r = parse(base6(R"({ "port": "up", "addresses": ["10.0.0.2/24", "2001:db8:62::68/64"],
                              "gateway": ["10.0.0.1", "2001:db8:62::1"],
                              "routes": [ {"prefix": "2001:db8:70::/48", "via": "fe80::1"},
                                          {"prefix": "172.16.0.0/16", "via": "10.0.0.1"} ],
                              "neighbors": [ {"address": "fe80::1", "mac": "02:00:00:00:00:01"},
                                             {"address": "10.0.0.1", "mac": "02:00:00:00:00:02"} ] })",
                         R"({"v4": {"vni": 10, "flood_vteps": ["10.0.0.9"], "members": [{"port": "a"}]},
                             "mixed": {"vni": 20, "flood_vteps": ["10.0.0.9", "2001:db8:61::67"], "group": "ff05::4242",
                                       "allowed_vteps": ["2001:db8:61::68"],
                                       "static_macs": [{"mac": "02:00:00:00:00:09", "vtep": "2001:db8:61::69"}]}})",
                         R"({"udp6_zero_checksum_rx": true})"));
    ASSERT_TRUE(r.errors.empty()) << r.errors[0].toString();
    const Config& c = *r.config;
    EXPECT_EQ(c.underlay.address->toString(), "10.0.0.2/24");
    EXPECT_EQ(c.underlay.address6->toString(), "2001:db8:62::68/64");
    EXPECT_EQ(c.underlay.gateway->toString(), "10.0.0.1");
    EXPECT_EQ(c.underlay.gateway6->toString(), "2001:db8:62::1");
    ASSERT_EQ(c.underlay.routes6.size(), 1u);
    EXPECT_EQ(c.underlay.routes6[0].via.toString(), "fe80::1");
    ASSERT_EQ(c.underlay.routes.size(), 1u);
    EXPECT_EQ(c.underlay.neighbors6.size(), 1u);
    EXPECT_EQ(c.underlay.neighbors.size(), 1u);
    EXPECT_TRUE(c.vxlan.udp6ZeroChecksumRx);
    const BridgeSpec* v4 = c.findBridge("v4");
    const BridgeSpec* mixed = c.findBridge("mixed");
    EXPECT_FALSE(c.reachesIpv6(*v4));
    EXPECT_EQ(c.overheadOf(*v4), 50) << "an IPv4-only bridge keeps IPv4's overhead on a dual-stack underlay";
    EXPECT_TRUE(c.reachesIpv6(*mixed));
    EXPECT_EQ(mixed->group->toString(), "ff05::4242");
    EXPECT_EQ(mixed->staticMacs[0].vtep->toString(), "2001:db8:61::69");
}

struct BadCase6 {
    const char* name;
    std::string json;
    std::string error;
};

class BadConfig6 : public ::testing::TestWithParam<BadCase6> {};

TEST_P(BadConfig6, IsRejectedNamingFieldAndReason) {
    const auto& p = GetParam();
    auto r = parse(p.json);
    ASSERT_FALSE(r.config) << p.name;
    ASSERT_FALSE(r.errors.empty());
    EXPECT_EQ(r.errors[0].toString(), p.error) << p.name;
}

INSTANTIATE_TEST_SUITE_P(
    Table, BadConfig6,
    ::testing::Values(
        BadCase6{"bad IPv6", base6(R"({"port": "up", "address": "2001:db8::g/64"})"), "underlay.address: '2001:db8::g/64' is not an address with its prefix (a.b.c.d/len or IPv6 addr/len, len 0..128)"},
        BadCase6{"prefix 129", base6(R"({"port": "up", "address": "2001:db8::1/129"})"), "underlay.address: '2001:db8::1/129' is not an address with its prefix (a.b.c.d/len or IPv6 addr/len, len 0..128)"},
        BadCase6{"link-local underlay", base6(R"({"port": "up", "address": "fe80::1/64"})"), "underlay.address: fe80::1 is link-local (fe80::/10): the underlay address must be routable"},
        BadCase6{"subnet-router anycast", base6(R"({"port": "up", "address": "2001:db8:62::/64"})"), "underlay.address: 2001:db8:62::/64 is the subnet's Subnet-Router anycast address (RFC 4291 §2.6.1), not a host address"},
        BadCase6{"multicast underlay", base6(R"({"port": "up", "address": "ff05::1/64"})"), "underlay.address: ff05::1 is not a unicast host address"},
        BadCase6{"two IPv6 addresses", base6(R"({"port": "up", "addresses": ["2001:db8:62::68/64", "2001:db8:63::68/64"]})"), "underlay.addresses[1]: a second IPv6 address (2001:db8:62::68/64 is the first): one per family"},
        BadCase6{"address and addresses", base6(R"({"port": "up", "address": "2001:db8:62::68/64", "addresses": ["10.0.0.2/24"]})"), "underlay.addresses: give 'address' or 'addresses' (one per family), not both"},
        BadCase6{"gateway off-subnet", base6(R"({"port": "up", "address": "2001:db8:62::68/64", "gateway": "2001:db8:63::1"})"), "underlay.gateway: gateway 2001:db8:63::1 is not in the connected subnet 2001:db8:62::/64"},
        BadCase6{"IPv4 gateway on an IPv6 underlay", base6(R"({"port": "up", "address": "2001:db8:62::68/64", "gateway": "10.0.0.1"})"), "underlay.gateway: gateway 10.0.0.1: the underlay has no IPv4 address"},
        BadCase6{"IPv4 VTEP on an IPv6 underlay", base6(kUnderlay6, R"({"t": {"vni": 1, "flood_vteps": ["10.0.0.9"], "members": [{"port": "a"}]}})"), "bridges.t.flood_vteps[0]: 10.0.0.9: the underlay has no IPv4 address"},
        BadCase6{"VTEP is us", base6(kUnderlay6, R"({"t": {"vni": 1, "flood_vteps": ["2001:db8:62::68"], "members": [{"port": "a"}]}})"), "bridges.t.flood_vteps[0]: 2001:db8:62::68 is our own address"},
        BadCase6{"link-local VTEP", base6(kUnderlay6, R"({"t": {"vni": 1, "flood_vteps": ["fe80::5"], "members": [{"port": "a"}]}})"), "bridges.t.flood_vteps[0]: fe80::5 is link-local (fe80::/10): a VTEP needs a routable address"},
        BadCase6{"link-scope group", base6(kUnderlay6, R"({"t": {"vni": 1, "group": "ff02::42", "members": [{"port": "a"}]}})"), "bridges.t.group: ff02::42 has interface- or link-local scope (RFC 4291 §2.7): routers never forward it; use ff05:: (site) or wider"},
        BadCase6{"IPv6 route via IPv4", base6(R"({"port": "up", "addresses": ["10.0.0.2/24", "2001:db8:62::68/64"], "routes": [{"prefix": "2001:db8:70::/48", "via": "10.0.0.1"}]})"), "underlay.routes[0].via: an IPv6 prefix needs an IPv6 next hop"},
        BadCase6{"IPv6 route with host bits", base6(R"({"port": "up", "address": "2001:db8:62::68/64", "routes": [{"prefix": "2001:db8:70::1/48", "via": "2001:db8:62::1"}]})"), "underlay.routes[0].prefix: 2001:db8:70::1/48 has host bits set (did you mean 2001:db8:70::/48?)"},
        BadCase6{"MTU below 1280", base6(R"({"port": "up", "address": "2001:db8:62::68/64", "mtu": 1000})"), "underlay.mtu: IPv6 needs an MTU of at least 1280 (RFC 8200 §5)"},
        BadCase6{"host interface on IPv6 only", base6(R"({"port": "up", "address": "2001:db8:62::68/64", "host_interface": "vtep0"})"), "underlay.host_interface: the host interface carries the IPv4 underlay address: an IPv6-only underlay cannot have one yet"},
        BadCase6{"v4-mapped VTEP", base6(kUnderlay6, R"({"t": {"vni": 1, "flood_vteps": ["::ffff:10.0.0.9"], "members": [{"port": "a"}]}})"), "bridges.t.flood_vteps[0]: '::ffff:10.0.0.9' is not an IPv4 (a.b.c.d) or IPv6 (RFC 4291) address"}),
    [](const auto& info) {
        std::string n = info.param.name;
        for (auto& ch : n)
            if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
        return n;
    });

TEST(Config, Ipv6MtuWarningCountsSeventyBytes) {
    auto r = parse(R"({"ports": {"up": {"device": "net_ring0"}, "a": {"device": "net_ring1", "mtu": 1450}},
                      "underlay": {"port": "up", "address": "2001:db8:62::68/64", "gateway": "2001:db8:62::1"},
                      "bridges": {"t": {"vni": 1, "flood_vteps": ["2001:db8:61::67"], "members": [{"port": "a"}]}}})");
    ASSERT_TRUE(r.config);
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_NE(r.warnings[0].reason.find("raise underlay.mtu to 1520"), std::string::npos) << r.warnings[0].toString();
}
