#include "underlay/routes.h"

#include <algorithm>

namespace vtepgw::underlay {

RouteTable::RouteTable(const config::UnderlaySpec& spec) {
    if (spec.address) {
        routes_.push_back({Ipv4Prefix{spec.address->network(), spec.address->length}, std::nullopt, Origin::Connected});
        for (const auto& r : spec.routes) routes_.push_back({Ipv4Prefix{r.prefix.network(), r.prefix.length}, r.via, Origin::Static});
        if (spec.gateway) routes_.push_back({Ipv4Prefix{Ipv4Address{0}, 0}, spec.gateway, Origin::Default});
    }
    if (spec.address6) {
        routes6_.push_back({Ipv6Prefix{spec.address6->network(), spec.address6->length}, std::nullopt, Origin::Connected});
        for (const auto& r : spec.routes6) routes6_.push_back({Ipv6Prefix{r.prefix.network(), r.prefix.length}, r.via, Origin::Static});
        if (spec.gateway6) routes6_.push_back({Ipv6Prefix{Ipv6Address{}, 0}, spec.gateway6, Origin::Default});
    }
    // Stable: for equal lengths the connected subnet (listed first) wins.
    std::stable_sort(routes_.begin(), routes_.end(), [](const Route& a, const Route& b) {
        return a.prefix.length > b.prefix.length;
    });
    std::stable_sort(routes6_.begin(), routes6_.end(), [](const Route6& a, const Route6& b) {
        return a.prefix.length > b.prefix.length;
    });
}

const RouteTable::Route* RouteTable::match(Ipv4Address dst) const {
    for (const auto& r : routes_)
        if (r.prefix.contains(dst)) return &r;
    return nullptr;
}

const RouteTable::Route6* RouteTable::match(const Ipv6Address& dst) const {
    for (const auto& r : routes6_)
        if (r.prefix.contains(dst)) return &r;
    return nullptr;
}

std::optional<Ipv4Address> RouteTable::nextHop(Ipv4Address dst) const {
    const Route* r = match(dst);
    if (r == nullptr) return std::nullopt;
    return r->via ? *r->via : dst;
}

std::optional<Ipv6Address> RouteTable::nextHop(const Ipv6Address& dst) const {
    const Route6* r = match(dst);
    if (r == nullptr) return std::nullopt;
    return r->via ? *r->via : dst;
}

std::optional<IpAddress> RouteTable::nextHopOf(const IpAddress& dst) const {
    if (dst.isV4()) {
        if (auto nh = nextHop(dst.v4())) return IpAddress{*nh};
        return std::nullopt;
    }
    if (auto nh = nextHop(dst.v6())) return IpAddress{*nh};
    return std::nullopt;
}

}  // namespace vtepgw::underlay
