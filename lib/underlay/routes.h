// Underlay routing towards remote VTEPs: the connected subnet, static routes and the
// default gateway, longest prefix first. Consulted at control time only (when a VTEP's
// outer header is built), never per packet, so a sorted list is all it needs.
#pragma once

#include <optional>
#include <vector>

#include "config/model.h"

namespace vtepgw::underlay {

using netaddr::IpAddress;
using netaddr::Ipv4Address;
using netaddr::Ipv4Prefix;
using netaddr::Ipv6Address;
using netaddr::Ipv6Prefix;

class RouteTable {
public:
    explicit RouteTable(const config::UnderlaySpec& spec);

    // The layer-2 next hop for `dst`: dst itself on the connected subnet, the route's
    // gateway otherwise; nullopt when nothing matches (no default gateway configured).
    std::optional<Ipv4Address> nextHop(Ipv4Address dst) const;
    std::optional<Ipv6Address> nextHop(const Ipv6Address& dst) const;
    // Either family's (nullopt too when the underlay lacks dst's family).
    std::optional<IpAddress> nextHopOf(const IpAddress& dst) const;

    enum class Origin { Connected, Static, Default };
    struct Route {
        Ipv4Prefix prefix;
        std::optional<Ipv4Address> via;  // none = connected
        Origin origin = Origin::Static;
    };
    // The route `dst` takes (nullptr: none).
    const Route* match(Ipv4Address dst) const;
    struct Route6 {
        Ipv6Prefix prefix;
        std::optional<Ipv6Address> via;
        Origin origin = Origin::Static;
    };
    const Route6* match(const Ipv6Address& dst) const;
    // Longest prefix first: the order lookups try them.
    const std::vector<Route>& routes() const { return routes_; }
    const std::vector<Route6>& routes6() const { return routes6_; }

private:
    std::vector<Route> routes_;
    std::vector<Route6> routes6_;
};

}  // namespace vtepgw::underlay
