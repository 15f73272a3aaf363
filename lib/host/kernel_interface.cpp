#include "host/kernel_interface.h"

#include <net/if.h>

#include <cstring>
#include <fstream>
#include <stdexcept>

namespace vtepgw::host {

namespace {

std::string failure(const std::string& what, int err) { return what + ": " + std::strerror(err); }

}  // namespace

KernelInterface::KernelInterface(std::string name) : name_(std::move(name)) {
    ifindex_ = if_nametoindex(name_.c_str());
    if (ifindex_ == 0) throw std::runtime_error("host interface " + name_ + ": " + std::strerror(errno));
    // Absent when IPv6 is off in the whole namespace: nothing to do then.
    std::ofstream("/proc/sys/net/ipv6/conf/" + name_ + "/disable_ipv6") << "1\n";
}

std::vector<std::string> KernelInterface::sync(const config::UnderlaySpec& u) {
    std::vector<std::string> problems;
    if (int e = nl_.setLink(ifindex_, u.mtu, true))
        problems.push_back(failure(name_ + ": cannot set MTU " + std::to_string(u.mtu) + " and bring it up", e));

    // The host interface carries the IPv4 underlay (an IPv6 one is vtepd's alone for now).
    const bool sameAddress = u.address ? address_ && address_->address == u.address->address &&
                                             address_->length == u.address->length
                                       : !address_;
    if (!sameAddress) {
        if (address_) {
            if (int e = nl_.deleteAddress(ifindex_, *address_); e != 0 && e != EADDRNOTAVAIL)
                problems.push_back(failure(name_ + ": cannot remove " + address_->toString(), e));
            address_.reset();
            routes_.clear();  // the kernel removes routes through a subnet that is gone
        }
        if (!u.address) {
        } else if (int e = nl_.addAddress(ifindex_, *u.address)) {
            problems.push_back(failure(name_ + ": cannot add " + u.address->toString(), e));
        } else {
            address_ = *u.address;
        }
    }

    std::map<RouteKey, netaddr::Ipv4Address> wanted;
    if (u.gateway) wanted[{0, 0}] = *u.gateway;
    for (const auto& r : u.routes) wanted[{r.prefix.network().host, r.prefix.length}] = r.via;
    for (auto it = routes_.begin(); it != routes_.end();) {
        const auto w = wanted.find(it->first);
        if (w != wanted.end() && w->second == it->second) {
            ++it;
            continue;
        }
        const netaddr::Ipv4Prefix p{netaddr::Ipv4Address{it->first.first}, it->first.second};
        if (int e = nl_.deleteRoute(ifindex_, p, it->second); e != 0 && e != ESRCH)
            problems.push_back(failure(name_ + ": cannot remove route " + p.toString(), e));
        it = routes_.erase(it);
    }
    for (const auto& [key, via] : wanted) {
        if (routes_.count(key)) continue;
        const netaddr::Ipv4Prefix p{netaddr::Ipv4Address{key.first}, key.second};
        if (int e = nl_.replaceRoute(ifindex_, p, via))
            problems.push_back(failure(name_ + ": cannot add route " + p.toString() + " via " + via.toString(), e));
        else
            routes_[key] = via;
    }
    return problems;
}

}  // namespace vtepgw::host
