#include "underlay/routes.h"

#include <algorithm>

namespace vtepgw::underlay {

RouteTable::RouteTable(const config::UnderlaySpec& spec) {
    routes_.push_back({Ipv4Prefix{spec.address.network(), spec.address.length}, std::nullopt, Origin::Connected});
    for (const auto& r : spec.routes) routes_.push_back({Ipv4Prefix{r.prefix.network(), r.prefix.length}, r.via, Origin::Static});
    if (spec.gateway) routes_.push_back({Ipv4Prefix{Ipv4Address{0}, 0}, spec.gateway, Origin::Default});
    // Stable: for equal lengths the connected subnet (listed first) wins.
    std::stable_sort(routes_.begin(), routes_.end(), [](const Route& a, const Route& b) {
        return a.prefix.length > b.prefix.length;
    });
}

const RouteTable::Route* RouteTable::match(Ipv4Address dst) const {
    for (const auto& r : routes_)
        if (r.prefix.contains(dst)) return &r;
    return nullptr;
}

std::optional<Ipv4Address> RouteTable::nextHop(Ipv4Address dst) const {
    const Route* r = match(dst);
    if (r == nullptr) return std::nullopt;
    return r->via ? *r->via : dst;
}

}  // namespace vtepgw::underlay
