#include "config/parse.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace vtepgw::config {
namespace {

using Json = nlohmann::ordered_json;

// Walks the JSON tree collecting issues. Every accessor takes the path of the value it
// reads so that messages can name it; a wrong value records an error and yields nullopt,
// so that validation goes on and reports everything in one pass.
class Reader {
public:
    std::vector<Issue> errors;
    std::vector<Issue> warnings;

    void error(const std::string& path, const std::string& reason) {
        errors.push_back({path, reason});
    }
    void warn(const std::string& path, const std::string& reason) {
        warnings.push_back({path, reason});
    }

    static std::string join(const std::string& base, const std::string& key) {
        return base.empty() ? key : base + "." + key;
    }
    static std::string index(const std::string& base, size_t i) {
        return base + "[" + std::to_string(i) + "]";
    }

    static const char* typeName(const Json& j) {
        switch (j.type()) {
            case Json::value_t::object: return "an object";
            case Json::value_t::array: return "an array";
            case Json::value_t::string: return "a string";
            case Json::value_t::boolean: return "a boolean";
            case Json::value_t::null: return "null";
            case Json::value_t::number_float: return "a fractional number";
            default: return "a number";
        }
    }

    bool expectObject(const Json& j, const std::string& path) {
        if (j.is_object()) return true;
        error(path, std::string("must be an object, found ") + typeName(j));
        return false;
    }

    // Reports keys of `j` that are not in `known`: a misspelt key silently ignored is how
    // an operator ends up with a configuration that is not the one they wrote.
    void rejectUnknownKeys(const Json& j, const std::string& path,
                           std::initializer_list<const char*> known) {
        for (const auto& item : j.items()) {
            bool ok = false;
            for (const char* k : known) ok = ok || item.key() == k;
            if (!ok) error(join(path, item.key()), "unknown key");
        }
    }

    std::optional<std::string> string(const Json& j, const std::string& path) {
        if (!j.is_string()) {
            error(path, std::string("must be a string, found ") + typeName(j));
            return std::nullopt;
        }
        return j.get<std::string>();
    }

    std::optional<uint64_t> integer(const Json& j, const std::string& path, uint64_t min,
                                    uint64_t max) {
        if (!j.is_number_integer()) {
            error(path, std::string("must be an integer, found ") + typeName(j));
            return std::nullopt;
        }
        if (j.is_number_unsigned() || j.get<int64_t>() >= 0) {
            const uint64_t v = j.get<uint64_t>();
            if (v >= min && v <= max) return v;
        }
        error(path, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                        ", found " + j.dump());
        return std::nullopt;
    }

    std::optional<bool> boolean(const Json& j, const std::string& path) {
        if (!j.is_boolean()) {
            error(path, std::string("must be true or false, found ") + typeName(j));
            return std::nullopt;
        }
        return j.get<bool>();
    }

    std::optional<Ipv4Address> ipv4(const Json& j, const std::string& path) {
        auto s = string(j, path);
        if (!s) return std::nullopt;
        auto a = Ipv4Address::parse(*s);
        if (!a) error(path, "'" + *s + "' is not an IPv4 address (a.b.c.d)");
        return a;
    }

    // A unicast address usable as a host or VTEP address.
    std::optional<Ipv4Address> unicastIpv4(const Json& j, const std::string& path) {
        auto a = ipv4(j, path);
        if (!a) return std::nullopt;
        if (a->isMulticast() || a->isUnspecified() || a->isLoopback() || a->isLimitedBroadcast() ||
            (a->host >> 28) == 0xF) {
            error(path, a->toString() + " is not a unicast host address");
            return std::nullopt;
        }
        return a;
    }

    // Either family; a VTEP, group or next hop may be IPv4 or IPv6.
    std::optional<IpAddress> ip(const Json& j, const std::string& path) {
        auto s = string(j, path);
        if (!s) return std::nullopt;
        auto a = IpAddress::parse(*s);
        if (!a) error(path, "'" + *s + "' is not an IPv4 (a.b.c.d) or IPv6 (RFC 4291) address");
        return a;
    }

    // A unicast address of either family usable as a host or VTEP address (IPv6: not
    // link-local unless `linkLocalOk`, which only a next hop is).
    std::optional<IpAddress> unicastIp(const Json& j, const std::string& path, bool linkLocalOk = false) {
        auto a = ip(j, path);
        if (!a) return std::nullopt;
        if (a->isV4()) {
            const Ipv4Address v4 = a->v4();
            if (v4.isMulticast() || v4.isUnspecified() || v4.isLoopback() || (v4.host >> 28) == 0xF) {
                error(path, a->toString() + " is not a unicast host address");
                return std::nullopt;
            }
            return a;
        }
        const Ipv6Address& v6 = a->v6();
        if (v6.isMulticast() || v6.isUnspecified() || v6.isLoopback()) {
            error(path, a->toString() + " is not a unicast host address");
            return std::nullopt;
        }
        if (v6.isLinkLocal() && !linkLocalOk) {
            error(path, a->toString() + " is link-local (fe80::/10): a VTEP needs a routable address");
            return std::nullopt;
        }
        return a;
    }

    std::optional<Ipv4Prefix> prefix(const Json& j, const std::string& path) {
        auto s = string(j, path);
        if (!s) return std::nullopt;
        auto p = Ipv4Prefix::parse(*s);
        if (!p) error(path, "'" + *s + "' is not an IPv4 prefix (a.b.c.d/len, len 0..32)");
        return p;
    }

    std::optional<MacAddress> mac(const Json& j, const std::string& path) {
        auto s = string(j, path);
        if (!s) return std::nullopt;
        auto m = MacAddress::parse(*s);
        if (!m) {
            error(path, "'" + *s + "' is not a MAC address (aa:bb:cc:dd:ee:ff)");
            return std::nullopt;
        }
        if (m->isMulticast() || m->isZero()) {
            error(path, m->toString() + " is not a unicast MAC address");
            return std::nullopt;
        }
        return m;
    }

    std::optional<uint16_t> vlan(const Json& j, const std::string& path) {
        auto v = integer(j, path, 1, 4094);
        if (!v) return std::nullopt;
        return static_cast<uint16_t>(*v);
    }
};

bool validPortName(const std::string& name) {
    if (name.empty() || name.size() > 31) return false;
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
        if (!ok) return false;
    }
    return true;
}

// Linux's IFNAMSIZ is 16 with the terminating zero; '/' and spaces are refused by the kernel,
// and we keep to the characters every tool quotes safely.
bool validInterfaceName(const std::string& name) {
    if (name.empty() || name.size() > 15 || name == "." || name == "..") return false;
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
        if (!ok) return false;
    }
    return true;
}

std::string memberText(const MemberSpec& m) {
    return m.vlan ? m.port + " vlan " + std::to_string(*m.vlan) : m.port + " untagged";
}

void parsePorts(Reader& r, const Json& root, Config& cfg) {
    if (!root.contains("ports")) {
        r.error("ports", "is required: name at least the underlay port");
        return;
    }
    const Json& ports = root["ports"];
    if (!r.expectObject(ports, "ports")) return;
    if (ports.empty()) r.error("ports", "must name at least one port");
    std::map<std::string, std::string> deviceOwner;
    for (const auto& item : ports.items()) {
        const std::string path = Reader::join("ports", item.key());
        if (!validPortName(item.key()))
            r.error(path, "port names are 1-31 characters of letters, digits, '_', '-', '.'");
        if (!r.expectObject(item.value(), path)) continue;
        r.rejectUnknownKeys(item.value(), path, {"device", "profile", "mtu"});
        PortSpec spec{item.key(), "", "", std::nullopt};
        if (item.value().contains("mtu"))
            if (auto m = r.integer(item.value()["mtu"], Reader::join(path, "mtu"), 576, 9600))
                spec.mtu = static_cast<uint16_t>(*m);
        if (!item.value().contains("device")) {
            r.error(Reader::join(path, "device"), "is required (a DPDK device name or PCI address)");
        } else if (auto d = r.string(item.value()["device"], Reader::join(path, "device"))) {
            if (d->empty()) {
                r.error(Reader::join(path, "device"), "must not be empty");
            } else if (auto [it, fresh] = deviceOwner.emplace(*d, item.key()); !fresh) {
                r.error(Reader::join(path, "device"),
                        "device '" + *d + "' is already used by port '" + it->second + "'");
            }
            spec.device = *d;
        }
        if (item.value().contains("profile")) {
            if (auto p = r.string(item.value()["profile"], Reader::join(path, "profile")))
                spec.profile = *p;
        }
        cfg.ports.push_back(spec);
    }
}

// A list of {address, mac} bindings (underlay.neighbors, bridges.NAME.neighbors); `check`
// adds what the caller requires of each address.
std::vector<NeighborSpec> parseNeighbors(Reader& r, const Json& ns, const std::string& base,
                                         const std::function<void(Ipv4Address, const std::string&)>& check) {
    std::vector<NeighborSpec> out;
    if (!ns.is_array()) {
        r.error(base, "must be an array of {address, mac}");
        return out;
    }
    std::set<uint32_t> seen;
    for (size_t i = 0; i < ns.size(); ++i) {
        const std::string path = Reader::index(base, i);
        if (!r.expectObject(ns[i], path)) continue;
        r.rejectUnknownKeys(ns[i], path, {"address", "mac"});
        std::optional<Ipv4Address> a;
        std::optional<MacAddress> m;
        if (!ns[i].contains("address")) r.error(Reader::join(path, "address"), "is required");
        else a = r.unicastIpv4(ns[i]["address"], Reader::join(path, "address"));
        if (!ns[i].contains("mac")) r.error(Reader::join(path, "mac"), "is required");
        else m = r.mac(ns[i]["mac"], Reader::join(path, "mac"));
        if (a) check(*a, Reader::join(path, "address"));
        if (a && !seen.insert(a->host).second) {
            r.error(Reader::join(path, "address"), a->toString() + " is listed twice");
            a.reset();
        }
        if (a && m) out.push_back({*a, *m});
    }
    return out;
}

// One underlay address with its prefix, of either family, checked to be a usable host
// address with a connected subnet; stored into spec (a second of one family is an error).
void parseUnderlayAddress(Reader& r, const Json& j, const std::string& path, UnderlaySpec& spec) {
    auto text = r.string(j, path);
    if (!text) return;
    if (text->find(':') == std::string::npos) {
        auto a = Ipv4Prefix::parse(*text);
        if (!a) {
            r.error(path, "'" + *text + "' is not an address with its prefix (a.b.c.d/len or IPv6 addr/len)");
            return;
        }
        const Ipv4Address host = a->address;
        if (host.isMulticast() || host.isUnspecified() || host.isLoopback() || (host.host >> 28) == 0xF)
            r.error(path, host.toString() + " is not a unicast host address");
        else if (a->length == 0)
            r.error(path, "prefix length 0 leaves no connected subnet");
        else if (a->length < 31 && (!a->hasHostBits() || (host.host | a->mask()) == 0xFFFFFFFFu))
            r.error(path, a->toString() + " is the subnet's network or broadcast address, not a host address");
        else if (spec.address)
            r.error(path, "a second IPv4 address (" + spec.address->toString() + " is the first): one per family");
        else
            spec.address = *a;
        return;
    }
    auto a = Ipv6Prefix::parse(*text);
    if (!a) {
        r.error(path, "'" + *text + "' is not an address with its prefix (a.b.c.d/len or IPv6 addr/len, len 0..128)");
        return;
    }
    const Ipv6Address& host = a->address;
    if (host.isMulticast() || host.isUnspecified() || host.isLoopback() || host.isV4Mapped())
        r.error(path, host.toString() + " is not a unicast host address");
    else if (host.isLinkLocal())
        r.error(path, host.toString() + " is link-local (fe80::/10): the underlay address must be routable");
    else if (a->length == 0)
        r.error(path, "prefix length 0 leaves no connected subnet");
    else if (a->length < 127 && !a->hasHostBits())
        r.error(path, a->toString() + " is the subnet's Subnet-Router anycast address (RFC 4291 §2.6.1), "
                                      "not a host address");
    else if (spec.address6)
        r.error(path, "a second IPv6 address (" + spec.address6->toString() + " is the first): one per family");
    else
        spec.address6 = *a;
}

void parseUnderlay(Reader& r, const Json& root, Config& cfg) {
    if (!root.contains("underlay")) {
        r.error("underlay", "is required: the port and address VXLAN is sent from");
        return;
    }
    const Json& u = root["underlay"];
    if (!r.expectObject(u, "underlay")) return;
    r.rejectUnknownKeys(u, "underlay", {"port", "address", "addresses", "gateway", "routes", "neighbors", "mtu",
                                        "host_interface", "punt_limits"});
    UnderlaySpec& spec = cfg.underlay;

    if (!u.contains("port")) {
        r.error("underlay.port", "is required");
    } else if (auto p = r.string(u["port"], "underlay.port")) {
        spec.port = *p;
        if (!cfg.findPort(*p)) r.error("underlay.port", "unknown port '" + *p + "'");
        else if (cfg.findPort(*p)->mtu)
            r.error("ports." + *p + ".mtu", "the underlay port's MTU is underlay.mtu (set it there)");
    }

    if (u.contains("address") && u.contains("addresses")) {
        r.error("underlay.addresses", "give 'address' or 'addresses' (one per family), not both");
    } else if (u.contains("address")) {
        parseUnderlayAddress(r, u["address"], "underlay.address", spec);
    } else if (u.contains("addresses")) {
        const Json& as = u["addresses"];
        if (!as.is_array() || as.empty() || as.size() > 2)
            r.error("underlay.addresses", "must be an array of one or two addresses with their prefixes "
                                          "(at most one IPv4 and one IPv6)");
        else
            for (size_t i = 0; i < as.size(); ++i)
                parseUnderlayAddress(r, as[i], Reader::index("underlay.addresses", i), spec);
    } else {
        r.error("underlay.address", "is required (our address with its prefix, e.g. 10.0.0.2/24 or 2001:db8::2/64)");
    }

    // A next hop (gateway, route via, static neighbour) must be on the connected subnet of
    // its family; an IPv6 one may be link-local instead (routers advertise those).
    auto checkConnected = [&](const IpAddress& a, const std::string& path, const char* what) {
        if (!spec.hasFamilyOf(a)) {
            r.error(path, std::string(what) + " " + a.toString() + ": the underlay has no " +
                              (a.isV4() ? "IPv4" : "IPv6") + " address");
            return false;
        }
        if (spec.isOwn(a)) {
            r.error(path, std::string(what) + " " + a.toString() + " is our own address");
            return false;
        }
        const bool on = a.isV4() ? spec.address->contains(a.v4())
                                 : a.v6().isLinkLocal() || spec.address6->contains(a.v6());
        if (!on) {
            r.error(path, std::string(what) + " " + a.toString() + " is not in the connected subnet " +
                              (a.isV4() ? Ipv4Prefix{spec.address->network(), spec.address->length}.toString()
                                        : Ipv6Prefix{spec.address6->network(), spec.address6->length}.toString()));
            return false;
        }
        return true;
    };

    if (u.contains("gateway")) {
        // One gateway, or one per family on a dual-stack underlay.
        const Json& g = u["gateway"];
        const bool list = g.is_array();
        if (list && (g.empty() || g.size() > 2)) r.error("underlay.gateway", "must be an address or a list of one per family");
        for (size_t i = 0; i < (list ? std::min<size_t>(g.size(), 2) : 1); ++i) {
            const std::string path = list ? Reader::index("underlay.gateway", i) : std::string("underlay.gateway");
            auto a = r.unicastIp(list ? g[i] : g, path, true);
            if (!a || !checkConnected(*a, path, "gateway")) continue;
            if (a->isV4() ? spec.gateway.has_value() : spec.gateway6.has_value())
                r.error(path, "a second " + std::string(a->isV4() ? "IPv4" : "IPv6") + " gateway: one per family");
            else if (a->isV4())
                spec.gateway = a->v4();
            else
                spec.gateway6 = a->v6();
        }
    }
    if (u.contains("mtu")) {
        if (auto m = r.integer(u["mtu"], "underlay.mtu", 576, 9600))
            spec.mtu = static_cast<uint16_t>(*m);
        if (spec.address6 && spec.mtu < 1280)
            r.error("underlay.mtu", "IPv6 needs an MTU of at least 1280 (RFC 8200 §5)");
    }
    if (u.contains("host_interface")) {
        if (auto n = r.string(u["host_interface"], "underlay.host_interface")) {
            if (!validInterfaceName(*n))
                r.error("underlay.host_interface", "'" + *n + "' is not a Linux interface name (1 to 15 of "
                        "letters, digits, '_', '-', '.')");
            else if (!spec.address)
                r.error("underlay.host_interface", "the host interface carries the IPv4 underlay address: "
                                                   "an IPv6-only underlay cannot have one yet");
            else
                spec.hostInterface = *n;
        }
    }
    if (u.contains("punt_limits")) {
        const Json& pl = u["punt_limits"];
        if (r.expectObject(pl, "underlay.punt_limits")) {
            for (const auto& item : pl.items()) {
                const auto* name = std::find(punt::kClassNames.begin(), punt::kClassNames.end(), item.key());
                const std::string path = "underlay.punt_limits." + item.key();
                if (name == punt::kClassNames.end()) {
                    r.error(path, "unknown class (arp, icmp, igmp, tcp, udp, other)");
                    continue;
                }
                if (auto v = r.integer(item.value(), path, 1, punt::kMaxPps))
                    spec.puntPps[static_cast<size_t>(name - punt::kClassNames.begin())] = static_cast<uint32_t>(*v);
            }
        }
    }
    if (u.contains("routes")) {
        const Json& routes = u["routes"];
        if (!routes.is_array()) {
            r.error("underlay.routes", "must be an array of {prefix, via}");
        } else {
            std::set<std::string> seen;
            for (size_t i = 0; i < routes.size(); ++i) {
                const std::string path = Reader::index("underlay.routes", i);
                if (!r.expectObject(routes[i], path)) continue;
                r.rejectUnknownKeys(routes[i], path, {"prefix", "via"});
                const std::string ppath = Reader::join(path, "prefix");
                std::optional<std::string> text;
                std::optional<IpAddress> via;
                if (!routes[i].contains("prefix")) r.error(ppath, "is required");
                else text = r.string(routes[i]["prefix"], ppath);
                if (!routes[i].contains("via")) r.error(Reader::join(path, "via"), "is required");
                else via = r.unicastIp(routes[i]["via"], Reader::join(path, "via"), true);
                if (via && !checkConnected(*via, Reader::join(path, "via"), "next hop")) via.reset();
                if (!text) continue;
                const bool v6 = text->find(':') != std::string::npos;
                std::string network;
                if (v6) {
                    auto p = Ipv6Prefix::parse(*text);
                    if (!p) {
                        r.error(ppath, "'" + *text + "' is not an IPv6 prefix (addr/len, len 0..128)");
                        continue;
                    }
                    if (p->hasHostBits()) {
                        r.error(ppath, p->toString() + " has host bits set (did you mean " +
                                           Ipv6Prefix{p->network(), p->length}.toString() + "?)");
                        continue;
                    }
                    network = p->toString();
                    if (via && via->isV4()) r.error(Reader::join(path, "via"), "an IPv6 prefix needs an IPv6 next hop");
                    else if (!seen.insert(network).second) r.error(ppath, network + " is listed twice");
                    else if (via) spec.routes6.push_back({*p, via->v6()});
                    continue;
                }
                auto p = Ipv4Prefix::parse(*text);
                if (!p) {
                    r.error(ppath, "'" + *text + "' is not an IPv4 prefix (a.b.c.d/len, len 0..32)");
                    continue;
                }
                if (p->hasHostBits()) {
                    r.error(ppath, p->toString() + " has host bits set (did you mean " + p->network().toString() +
                                       "/" + std::to_string(p->length) + "?)");
                    continue;
                }
                network = p->toString();
                if (via && via->isV6()) r.error(Reader::join(path, "via"), "an IPv4 prefix needs an IPv4 next hop");
                else if (!seen.insert(network).second) r.error(ppath, network + " is listed twice");
                else if (via) spec.routes.push_back({*p, via->v4()});
            }
        }
    }
    if (u.contains("neighbors")) {
        const Json& ns = u["neighbors"];
        if (!ns.is_array()) {
            r.error("underlay.neighbors", "must be an array of {address, mac}");
        } else {
            std::set<IpAddress> seen;
            for (size_t i = 0; i < ns.size(); ++i) {
                const std::string path = Reader::index("underlay.neighbors", i);
                if (!r.expectObject(ns[i], path)) continue;
                r.rejectUnknownKeys(ns[i], path, {"address", "mac"});
                std::optional<IpAddress> a;
                std::optional<MacAddress> m;
                if (!ns[i].contains("address")) r.error(Reader::join(path, "address"), "is required");
                else a = r.unicastIp(ns[i]["address"], Reader::join(path, "address"), true);
                if (!ns[i].contains("mac")) r.error(Reader::join(path, "mac"), "is required");
                else m = r.mac(ns[i]["mac"], Reader::join(path, "mac"));
                if (a && !checkConnected(*a, Reader::join(path, "address"), "neighbor")) a.reset();
                if (a && !seen.insert(*a).second) {
                    r.error(Reader::join(path, "address"), a->toString() + " is listed twice");
                    a.reset();
                }
                if (a && m) {
                    if (a->isV4()) spec.neighbors.push_back({a->v4(), *m});
                    else spec.neighbors6.push_back({a->v6(), *m});
                }
            }
        }
    }
}

void parseVxlan(Reader& r, const Json& root, Config& cfg) {
    if (!root.contains("vxlan")) return;
    const Json& v = root["vxlan"];
    if (!r.expectObject(v, "vxlan")) return;
    r.rejectUnknownKeys(v, "vxlan", {"udp_port", "ttl", "ageing_seconds", "learning",
                                     "source_port_range", "fdb_size", "igmp_version", "udp6_zero_checksum_rx",
                                     "flap_moves", "flap_seconds"});
    VxlanSpec& spec = cfg.vxlan;
    if (v.contains("udp_port")) {
        if (auto p = r.integer(v["udp_port"], "vxlan.udp_port", 1, 65535)) {
            spec.udpPort = static_cast<uint16_t>(*p);
            if (*p != kIanaVxlanPort && *p != kLinuxLegacyVxlanPort)
                r.warn("vxlan.udp_port", "port " + std::to_string(*p) +
                                             " is neither IANA's 4789 nor Linux's legacy 8472: "
                                             "peers must be configured to match");
        }
    }
    if (v.contains("ttl")) {
        if (auto t = r.integer(v["ttl"], "vxlan.ttl", 1, 255)) {
            spec.ttl = static_cast<uint8_t>(*t);
            if (*t == 1)
                r.warn("vxlan.ttl", "TTL 1 cannot cross a router: remote VTEPs on other subnets "
                                    "(and routed multicast groups) will not be reached");
        }
    }
    if (v.contains("ageing_seconds")) {
        if (auto a = r.integer(v["ageing_seconds"], "vxlan.ageing_seconds", 0, 1000000))
            spec.ageingSeconds = static_cast<uint32_t>(*a);
    }
    if (v.contains("learning")) {
        if (auto l = r.boolean(v["learning"], "vxlan.learning")) spec.learning = *l;
    }
    if (v.contains("udp6_zero_checksum_rx"))
        if (auto z = r.boolean(v["udp6_zero_checksum_rx"], "vxlan.udp6_zero_checksum_rx")) spec.udp6ZeroChecksumRx = *z;
    if (v.contains("igmp_version")) {
        if (auto iv = r.integer(v["igmp_version"], "vxlan.igmp_version", 2, 3))
            spec.igmpVersion = static_cast<uint8_t>(*iv);
    }
    if (v.contains("flap_moves")) {
        if (auto n = r.integer(v["flap_moves"], "vxlan.flap_moves", 1, 1000000))
            spec.flapMoves = static_cast<uint32_t>(*n);
    }
    if (v.contains("flap_seconds")) {
        if (auto n = r.integer(v["flap_seconds"], "vxlan.flap_seconds", 1, 86400))
            spec.flapSeconds = static_cast<uint32_t>(*n);
    }
    if (v.contains("fdb_size")) {
        if (auto s = r.integer(v["fdb_size"], "vxlan.fdb_size", 1024, 16u << 20))
            spec.fdbSize = static_cast<uint32_t>(*s);
    }
    if (v.contains("source_port_range")) {
        const Json& range = v["source_port_range"];
        const std::string path = "vxlan.source_port_range";
        if (!range.is_array() || range.size() != 2) {
            r.error(path, "must be [min, max]");
        } else {
            auto lo = r.integer(range[0], Reader::index(path, 0), 1, 65535);
            auto hi = r.integer(range[1], Reader::index(path, 1), 1, 65535);
            if (lo && hi && *lo > *hi) {
                r.error(path, "min " + std::to_string(*lo) + " is above max " + std::to_string(*hi));
            } else if (lo && hi) {
                spec.sourcePortMin = static_cast<uint16_t>(*lo);
                spec.sourcePortMax = static_cast<uint16_t>(*hi);
            }
        }
    }
}

std::optional<MemberSpec> parseMember(Reader& r, const Json& j, const std::string& path,
                                      const Config& cfg) {
    if (!r.expectObject(j, path)) return std::nullopt;
    r.rejectUnknownKeys(j, path, {"port", "vlan"});
    MemberSpec m;
    bool ok = true;
    if (!j.contains("port")) {
        r.error(Reader::join(path, "port"), "is required");
        ok = false;
    } else if (auto p = r.string(j["port"], Reader::join(path, "port"))) {
        m.port = *p;
        if (!cfg.findPort(*p)) {
            r.error(Reader::join(path, "port"), "unknown port '" + *p + "'");
            ok = false;
        } else if (*p == cfg.underlay.port) {
            r.error(Reader::join(path, "port"),
                    "'" + *p + "' is the underlay port; it cannot also be a bridge member");
            ok = false;
        }
    } else {
        ok = false;
    }
    if (j.contains("vlan")) {
        m.vlan = r.vlan(j["vlan"], Reader::join(path, "vlan"));
        ok = ok && m.vlan.has_value();
    }
    return ok ? std::optional<MemberSpec>(m) : std::nullopt;
}

void parseVteps(Reader& r, const Json& root, Config& cfg) {
    if (!root.contains("vteps")) return;
    const Json& vteps = root["vteps"];
    if (!r.expectObject(vteps, "vteps")) return;
    std::set<uint16_t> ports = {cfg.vxlan.udpPort};
    for (const auto& item : vteps.items()) {
        const std::string path = Reader::join("vteps", item.key());
        auto a = r.unicastIp(Json(item.key()), path);
        if (!r.expectObject(item.value(), path)) continue;
        r.rejectUnknownKeys(item.value(), path, {"udp_port"});
        if (!a) continue;
        VtepSpec v{*a, std::nullopt};
        if (item.value().contains("udp_port"))
            if (auto p = r.integer(item.value()["udp_port"], Reader::join(path, "udp_port"), 1, 65535)) {
                v.udpPort = static_cast<uint16_t>(*p);
                ports.insert(*v.udpPort);
            }
        cfg.vteps.push_back(v);
    }
    if (ports.size() > 8)
        r.error("vteps", "at most 8 different VXLAN UDP ports (vxlan.udp_port included)");
}

// The gateway addresses of a bridge: "a.b.c.d/len" or a list of them, each an interface
// address (host bits set: neither the subnet's network nor its broadcast address).
std::vector<Ipv4Prefix> parseGatewayAddresses(Reader& r, const Json& j, const std::string& path) {
    std::vector<Ipv4Prefix> out;
    std::vector<std::pair<const Json*, std::string>> items;
    if (j.is_array()) {
        for (size_t i = 0; i < j.size(); ++i) items.emplace_back(&j[i], Reader::index(path, i));
    } else {
        items.emplace_back(&j, path);
    }
    for (const auto& [v, p] : items) {
        auto a = r.prefix(*v, p);
        if (!a) continue;
        const uint32_t host = a->address.host & ~a->mask();
        if (a->length == 0 || a->address.isMulticast() || a->address.isUnspecified() || a->address.isLoopback()) {
            r.error(p, a->toString() + " is not a unicast interface address");
        } else if (a->length <= 30 && (host == 0 || host == ~a->mask())) {
            r.error(p, a->toString() + " is the subnet's " + (host == 0 ? "network" : "broadcast") +
                           " address: give the gateway's own address, e.g. " +
                           Ipv4Address{a->network().host + 1}.toString() + "/" + std::to_string(a->length));
        } else if (std::any_of(out.begin(), out.end(), [&](const Ipv4Prefix& o) {
                       return o.contains(a->address) || a->contains(o.address);
                   })) {
            r.error(p, a->toString() + " overlaps another address of this bridge");
        } else {
            out.push_back(*a);
        }
    }
    return out;
}

void parseBridgeL3(Reader& r, const Json& b, const std::string& path, BridgeSpec& spec) {
    if (b.contains("address")) spec.addresses = parseGatewayAddresses(r, b["address"], Reader::join(path, "address"));
    if (b.contains("gateway_mac"))
        if (auto m = r.mac(b["gateway_mac"], Reader::join(path, "gateway_mac"))) spec.gatewayMac = m;
    if (b.contains("vrf")) {
        if (auto v = r.string(b["vrf"], Reader::join(path, "vrf"))) {
            if (!validPortName(*v)) r.error(Reader::join(path, "vrf"), "VRF names are 1-31 characters of letters, digits, '_', '-', '.'");
            else spec.vrf = *v;
        }
    }
    if (b.contains("arp_suppression"))
        if (auto s = r.boolean(b["arp_suppression"], Reader::join(path, "arp_suppression"))) spec.arpSuppression = *s;
    if (b.contains("arp_limit"))
        if (auto n = r.integer(b["arp_limit"], Reader::join(path, "arp_limit"), 1, 1u << 20))
            spec.arpLimit = static_cast<uint32_t>(*n);
    if (b.contains("neighbors"))
        spec.neighbors = parseNeighbors(r, b["neighbors"], Reader::join(path, "neighbors"),
                                        [&](Ipv4Address a, const std::string& p) {
                                            for (const auto& g : spec.addresses)
                                                if (g.address == a) r.error(p, a.toString() + " is the bridge's own address");
                                        });
    if ((spec.gatewayMac || b.contains("vrf")) && spec.addresses.empty())
        r.warn(path, "gateway_mac and vrf take effect only with an 'address'");
}

// Routing picks the bridge whose subnet holds the destination: within a VRF no two bridges
// may claim overlapping subnets. VRFs are separate tables, so they may reuse addresses.
// A VTEP no route reaches gets nothing from us: say so where it is configured, since the
// dataplane can only count the copies it drops (no_route).
void checkVtepRoutes(Reader& r, const Config& cfg) {
    const UnderlaySpec& u = cfg.underlay;
    auto routed = [&](const IpAddress& a) {
        if (a.isV4()) {
            if (u.gateway || u.address->contains(a.v4())) return true;
            return std::any_of(u.routes.begin(), u.routes.end(), [&](const RouteSpec& rt) { return rt.prefix.contains(a.v4()); });
        }
        if (u.gateway6 || u.address6->contains(a.v6())) return true;
        return std::any_of(u.routes6.begin(), u.routes6.end(), [&](const Route6Spec& rt) { return rt.prefix.contains(a.v6()); });
    };
    auto check = [&](const std::string& path, const IpAddress& a) {
        if (!u.hasFamilyOf(a)) return;  // an error already (parseBridges)
        if (!routed(a))
            r.warn(path, "no underlay route to VTEP " + a.toString() + " (not on " +
                             (a.isV4() ? Ipv4Prefix{u.address->network(), u.address->length}.toString()
                                       : Ipv6Prefix{u.address6->network(), u.address6->length}.toString()) +
                             ", no matching underlay.routes entry, no underlay.gateway): traffic to it is dropped "
                             "as no_route");
    };
    for (const auto& b : cfg.bridges) {
        const std::string path = Reader::join("bridges", b.name);
        for (size_t i = 0; i < b.floodVteps.size(); ++i)
            check(Reader::index(Reader::join(path, "flood_vteps"), i), b.floodVteps[i]);
        for (size_t i = 0; i < b.staticMacs.size(); ++i)
            if (b.staticMacs[i].vtep)
                check(Reader::join(Reader::index(Reader::join(path, "static_macs"), i), "vtep"), *b.staticMacs[i].vtep);
    }
}

void checkGatewaySubnets(Reader& r, const Config& cfg) {
    struct Owner {
        const BridgeSpec* bridge;
        Ipv4Prefix prefix;
    };
    std::map<std::string, std::vector<Owner>> byVrf;
    for (const auto& b : cfg.bridges) {
        auto& owners = byVrf[b.vrf];
        for (size_t i = 0; i < b.addresses.size(); ++i) {
            const Ipv4Prefix& a = b.addresses[i];
            for (const auto& o : owners)
                if (o.bridge != &b && (o.prefix.contains(a.address) || a.contains(o.prefix.address)))
                    r.error(Reader::join(Reader::join("bridges", b.name), b.addresses.size() > 1 ? "address[" + std::to_string(i) + "]" : "address"),
                            a.toString() + " overlaps " + o.prefix.toString() + " of bridge '" + o.bridge->name +
                                "' in VRF '" + b.vrf + "'");
            owners.push_back({&b, a});
        }
    }
}

void parseBridges(Reader& r, const Json& root, Config& cfg) {
    if (!root.contains("bridges")) {
        r.warn("bridges", "no bridges: vtepd will only answer ARP and ping on the underlay");
        return;
    }
    const Json& bridges = root["bridges"];
    if (!r.expectObject(bridges, "bridges")) return;
    std::map<uint32_t, std::string> vniOwner;
    std::map<std::pair<std::string, int>, std::string> memberOwner;  // (port, vlan|-1) -> bridge
    for (const auto& item : bridges.items()) {
        const std::string path = Reader::join("bridges", item.key());
        if (!validPortName(item.key()))
            r.error(path, "bridge names are 1-31 characters of letters, digits, '_', '-', '.'");
        const Json& b = item.value();
        if (!r.expectObject(b, path)) continue;
        r.rejectUnknownKeys(b, path, {"vni", "group", "flood_vteps", "members", "static_macs",
                                      "learning", "mac_limit", "keep_inner_vlan", "allowed_vteps",
                                      "encapsulation", "address", "gateway_mac", "vrf", "arp_suppression",
                                      "neighbors", "arp_limit"});
        BridgeSpec spec;
        spec.name = item.key();
        if (b.contains("encapsulation")) {
            const std::string epath = Reader::join(path, "encapsulation");
            if (auto e = r.string(b["encapsulation"], epath)) {
                if (*e == "gre") spec.encap = encap::Encap::Gre;
                else if (*e != "vxlan") r.error(epath, "'" + *e + "' is not an encapsulation (\"vxlan\" or \"gre\")");
            }
        }
        if (!b.contains("vni")) {
            r.error(Reader::join(path, "vni"), "is required (1-16777215)");
        } else if (auto v = r.integer(b["vni"], Reader::join(path, "vni"), 1, kMaxVni)) {
            spec.vni = static_cast<uint32_t>(*v);
            if (auto [it, fresh] = vniOwner.emplace(spec.vni, spec.name); !fresh)
                r.error(Reader::join(path, "vni"),
                        "VNI " + std::to_string(spec.vni) + " is already used by bridge '" +
                            it->second + "'");
        }
        if (b.contains("group")) {
            const std::string gpath = Reader::join(path, "group");
            if (auto g = r.ip(b["group"], gpath)) {
                if (!g->isMulticast())
                    r.error(gpath, g->toString() + " is not a multicast group (224.0.0.0/4 or ff00::/8)");
                else if (g->isV4() && (g->v4().host >> 8) == 0xE00000)
                    r.error(gpath, g->toString() +
                                       " is link-local (224.0.0.0/24): routers never forward it");
                else if (g->isV6() && g->v6().multicastScope() <= 2)
                    r.error(gpath, g->toString() + " has interface- or link-local scope (RFC 4291 §2.7): "
                                   "routers never forward it; use ff05:: (site) or wider");
                else if (!cfg.underlay.hasFamilyOf(*g))
                    r.error(gpath, g->toString() + ": the underlay has no " + (g->isV4() ? "IPv4" : "IPv6") + " address");
                else
                    spec.group = g;
            }
        }
        if (b.contains("flood_vteps")) {
            const std::string fpath = Reader::join(path, "flood_vteps");
            const Json& fv = b["flood_vteps"];
            if (!fv.is_array()) {
                r.error(fpath, "must be an array of VTEP addresses");
            } else {
                for (size_t i = 0; i < fv.size(); ++i) {
                    auto a = r.unicastIp(fv[i], Reader::index(fpath, i));
                    if (!a) continue;
                    bool dup = false;
                    for (const auto& x : spec.floodVteps) dup = dup || x == *a;
                    if (dup) r.error(Reader::index(fpath, i), a->toString() + " is listed twice");
                    else if (cfg.underlay.isOwn(*a))
                        r.error(Reader::index(fpath, i), a->toString() + " is our own address");
                    else if (!cfg.underlay.hasFamilyOf(*a))
                        r.error(Reader::index(fpath, i), a->toString() + ": the underlay has no " +
                                                             (a->isV4() ? "IPv4" : "IPv6") + " address");
                    else spec.floodVteps.push_back(*a);
                }
            }
        }
        if (b.contains("mac_limit")) {
            if (auto n = r.integer(b["mac_limit"], Reader::join(path, "mac_limit"), 0, 16u << 20))
                spec.macLimit = static_cast<uint32_t>(*n);
        }
        if (b.contains("allowed_vteps")) {
            const std::string apath = Reader::join(path, "allowed_vteps");
            const Json& av = b["allowed_vteps"];
            if (!av.is_array()) {
                r.error(apath, "must be an array of VTEP addresses");
            } else {
                for (size_t i = 0; i < av.size(); ++i)
                    if (auto a = r.unicastIp(av[i], Reader::index(apath, i))) spec.allowedVteps.push_back(*a);
            }
        }
        if (b.contains("keep_inner_vlan")) {
            if (auto k = r.boolean(b["keep_inner_vlan"], Reader::join(path, "keep_inner_vlan")))
                spec.keepInnerVlan = *k;
        }
        if (b.contains("learning")) spec.learning = r.boolean(b["learning"], Reader::join(path, "learning"));
        parseBridgeL3(r, b, path, spec);
        if (b.contains("members")) {
            const std::string mpath = Reader::join(path, "members");
            const Json& ms = b["members"];
            if (!ms.is_array()) {
                r.error(mpath, "must be an array of {port[, vlan]}");
            } else {
                for (size_t i = 0; i < ms.size(); ++i) {
                    const std::string p = Reader::index(mpath, i);
                    auto m = parseMember(r, ms[i], p, cfg);
                    if (!m) continue;
                    auto key = std::make_pair(m->port, m->vlan ? int{*m->vlan} : -1);
                    if (auto [it, fresh] = memberOwner.emplace(key, spec.name); !fresh) {
                        r.error(p, memberText(*m) + " is already a member of bridge '" +
                                       it->second + "'");
                        continue;
                    }
                    spec.members.push_back(*m);
                }
            }
        }
        if (spec.members.empty())
            r.warn(Reader::join(path, "members"), "bridge has no local members");
        const uint16_t overhead = cfg.overheadOf(spec);
        for (size_t i = 0; i < spec.members.size(); ++i) {
            const uint16_t mtu = cfg.portMtu(spec.members[i].port);
            if (mtu + overhead > cfg.underlay.mtu)
                r.warn(Reader::index(Reader::join(path, "members"), i),
                       "port '" + spec.members[i].port + "' has MTU " + std::to_string(mtu) + " but underlay.mtu " +
                           std::to_string(cfg.underlay.mtu) + " carries inner packets of at most " +
                           std::to_string(cfg.underlay.mtu - overhead) + " bytes in " +
                           encap::encapName(spec.encap) +
                           ": larger ones are dropped (mtu_exceeded); raise underlay.mtu to " +
                           std::to_string(mtu + overhead) + " or lower the hosts' MTU");
        }
        if (spec.encap == encap::Encap::Gre && spec.group)
            r.error(Reader::join(path, "group"), "GRE bridges flood by head-end replication only (flood_vteps)");
        if (!spec.group && spec.floodVteps.empty() && !cfg.evpnBridge(spec))
            r.warn(path, "neither 'group' nor 'flood_vteps': broadcast and unknown unicast "
                         "will not reach any remote VTEP");
        if (b.contains("static_macs")) {
            const std::string spath = Reader::join(path, "static_macs");
            const Json& sm = b["static_macs"];
            std::set<uint64_t> staticSeen;
            if (!sm.is_array()) {
                r.error(spath, "must be an array of {mac, vtep} or {mac, port[, vlan]}");
            } else {
                for (size_t i = 0; i < sm.size(); ++i) {
                    const std::string p = Reader::index(spath, i);
                    const Json& e = sm[i];
                    if (!r.expectObject(e, p)) continue;
                    r.rejectUnknownKeys(e, p, {"mac", "vtep", "port", "vlan"});
                    StaticMacSpec s;
                    std::optional<MacAddress> mac;
                    if (!e.contains("mac")) r.error(Reader::join(p, "mac"), "is required");
                    else mac = r.mac(e["mac"], Reader::join(p, "mac"));
                    const bool hasVtep = e.contains("vtep");
                    const bool hasPort = e.contains("port");
                    if (hasVtep == hasPort) {
                        r.error(p, "give exactly one of 'vtep' (remote) or 'port' (local)");
                        continue;
                    }
                    bool ok = mac.has_value();
                    if (hasVtep) {
                        if (e.contains("vlan"))
                            r.error(Reader::join(p, "vlan"), "only a local ('port') entry has a vlan");
                        s.vtep = r.unicastIp(e["vtep"], Reader::join(p, "vtep"));
                        ok = ok && s.vtep && !e.contains("vlan");
                        if (s.vtep && cfg.underlay.isOwn(*s.vtep)) {
                            r.error(Reader::join(p, "vtep"), s.vtep->toString() + " is our own address");
                            ok = false;
                        } else if (s.vtep && !cfg.underlay.hasFamilyOf(*s.vtep)) {
                            r.error(Reader::join(p, "vtep"), s.vtep->toString() + ": the underlay has no " +
                                                                 (s.vtep->isV4() ? "IPv4" : "IPv6") + " address");
                            ok = false;
                        }
                    } else {
                        auto m = parseMember(r, Json{{"port", e["port"]}}, p, cfg);
                        if (m && e.contains("vlan")) {
                            m->vlan = r.vlan(e["vlan"], Reader::join(p, "vlan"));
                            if (!m->vlan) m.reset();
                        }
                        if (m) {
                            bool isMember = false;
                            for (const auto& x : spec.members) isMember = isMember || x == *m;
                            if (!isMember) {
                                r.error(Reader::join(p, "port"),
                                        memberText(*m) + " is not a member of bridge '" + spec.name + "'");
                                m.reset();
                            }
                        }
                        s.member = m;
                        ok = ok && m.has_value();
                    }
                    if (!ok) continue;
                    s.mac = *mac;
                    // A set, not a scan: tables of 100k static MACs are configured in one file.
                    if (!staticSeen.insert(s.mac.toU64()).second) {
                        r.error(Reader::join(p, "mac"), s.mac.toString() + " is listed twice");
                        continue;
                    }
                    spec.staticMacs.push_back(s);
                }
            }
        }
        cfg.bridges.push_back(spec);
    }
}

void parseEvpn(Reader& r, const Json& root, Config& cfg) {
    if (!root.contains("evpn")) return;
    const Json& e = root["evpn"];
    if (!r.expectObject(e, "evpn")) return;
    r.rejectUnknownKeys(e, "evpn", {"prefix", "bridges", "data_plane_learning"});
    EvpnSpec spec;
    if (e.contains("prefix")) {
        if (auto p = r.string(e["prefix"], "evpn.prefix")) {
            if (p->empty() || p->size() > 5 || !validInterfaceName(*p))
                r.error("evpn.prefix", "'" + *p + "' must be 1 to 5 letters, digits, '_', '-' or '.' "
                        "(shadow device names are the prefix, a letter and the VNI: 15 characters at most)");
            else
                spec.prefix = *p;
        }
    }
    if (e.contains("bridges")) {
        const Json& bs = e["bridges"];
        if (!bs.is_array()) r.error("evpn.bridges", "must be an array of bridge names");
        else
            for (size_t i = 0; i < bs.size(); ++i)
                if (auto n = r.string(bs[i], Reader::index("evpn.bridges", i))) spec.bridges.push_back(*n);
    }
    if (e.contains("data_plane_learning"))
        if (auto v = r.boolean(e["data_plane_learning"], "evpn.data_plane_learning")) spec.dataPlaneLearning = *v;
    cfg.evpn = spec;
}

void checkEvpnBridges(Reader& r, const Config& cfg) {
    if (!cfg.evpn) return;
    if (!cfg.underlay.address)
        r.error("evpn", "EVPN needs an IPv4 underlay address (VXLAN over IPv6 with EVPN is not supported yet)");
    for (size_t i = 0; i < cfg.evpn->bridges.size(); ++i) {
        const auto* b = cfg.findBridge(cfg.evpn->bridges[i]);
        const std::string path = Reader::index("evpn.bridges", i);
        if (b == nullptr) r.error(path, "unknown bridge '" + cfg.evpn->bridges[i] + "'");
        else if (b->encap != encap::Encap::Vxlan) r.error(path, "bridge '" + b->name + "' is GRE: EVPN carries VXLAN bridges");
    }
    if (cfg.underlay.hostInterface.empty())
        r.warn("evpn", "no underlay.host_interface: FRR beside vtepd needs a way to its BGP peers");
}

}  // namespace

uint16_t Config::portMtu(const std::string& name) const {
    if (name == underlay.port) return underlay.mtu;
    const PortSpec* p = findPort(name);
    return p != nullptr && p->mtu ? *p->mtu : kDefaultPortMtu;
}

const PortSpec* Config::findPort(const std::string& name) const {
    for (const auto& p : ports)
        if (p.name == name) return &p;
    return nullptr;
}

const BridgeSpec* Config::findBridge(const std::string& name) const {
    for (const auto& b : bridges)
        if (b.name == name) return &b;
    return nullptr;
}

MacAddress Config::gatewayMacOf(const BridgeSpec& b, const MacAddress& underlayMac) {
    if (b.gatewayMac) return *b.gatewayMac;
    // Locally administered, and one bit away from the underlay MAC: never the same MAC in
    // the overlay as on the underlay (where a host interface may also carry it).
    MacAddress m = underlayMac;
    m.bytes[0] = static_cast<uint8_t>((m.bytes[0] | 0x02) ^ 0x04);
    return m;
}

bool Config::reachesIpv6(const BridgeSpec& b) const {
    if (!underlay.address6) return false;
    if (!underlay.address) return true;
    auto v6 = [](const IpAddress& a) { return a.isV6(); };
    return std::any_of(b.floodVteps.begin(), b.floodVteps.end(), v6) || (b.group && b.group->isV6()) ||
           std::any_of(b.staticMacs.begin(), b.staticMacs.end(), [](const StaticMacSpec& m) { return m.vtep && m.vtep->isV6(); });
}

uint16_t Config::overheadOf(const BridgeSpec& b) const { return encap::mtuOverhead(b.encap, reachesIpv6(b)); }

bool Config::evpnBridge(const BridgeSpec& b) const {
    if (!evpn || b.encap != encap::Encap::Vxlan) return false;
    if (evpn->bridges.empty()) return true;
    return std::find(evpn->bridges.begin(), evpn->bridges.end(), b.name) != evpn->bridges.end();
}

ParseResult parse(std::string_view jsonText) {
    ParseResult result;
    Json root;
    try {
        root = Json::parse(jsonText.begin(), jsonText.end());
    } catch (const Json::exception& e) {
        // Syntax errors, and numbers no double can hold (out_of_range). nlohmann's message
        // carries line and column; keep only its human part.
        std::string what = e.what();
        const auto at = what.find("] ");
        result.errors.push_back({"", "JSON syntax error: " + (at == std::string::npos ? what : what.substr(at + 2))});
        return result;
    }
    Reader r;
    Config cfg;
    if (r.expectObject(root, "(top level)")) {
        r.rejectUnknownKeys(root, "", {"ports", "underlay", "vxlan", "vteps", "bridges", "evpn"});
        parsePorts(r, root, cfg);
        parseUnderlay(r, root, cfg);
        parseVxlan(r, root, cfg);
        parseVteps(r, root, cfg);
        parseEvpn(r, root, cfg);
        parseBridges(r, root, cfg);
        checkGatewaySubnets(r, cfg);
        checkEvpnBridges(r, cfg);
        checkVtepRoutes(r, cfg);
    }
    result.errors = std::move(r.errors);
    result.warnings = std::move(r.warnings);
    if (result.errors.empty()) result.config = std::move(cfg);
    return result;
}

ParseResult parseFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        ParseResult result;
        result.errors.push_back({"", "cannot read config file '" + path + "'"});
        return result;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse(text.str());
}

}  // namespace vtepgw::config
