// HostStack over rtnetlink: keeps a Linux interface (the net_tap vtepd created) in step with
// the underlay configuration. Only what it installed itself is ever removed, so an operator's
// extra addresses or routes on the interface survive reloads.
#pragma once

#include <map>
#include <optional>
#include <utility>

#include "host/host_stack.h"
#include "host/netlink.h"

namespace vtepgw::host {

class KernelInterface final : public HostStack {
public:
    // `name` must exist (throws std::runtime_error otherwise). Turns IPv6 off on it: our
    // underlay is IPv4, and the kernel's router solicitations and MLD reports would only
    // leave through the underlay port as noise.
    explicit KernelInterface(std::string name);
    std::vector<std::string> sync(const config::UnderlaySpec& underlay) override;
    const std::string& name() const override { return name_; }
    unsigned ifindex() const { return ifindex_; }

private:
    using RouteKey = std::pair<uint32_t, uint8_t>;  // network (host order), length
    std::string name_;
    unsigned ifindex_ = 0;
    Netlink nl_;
    std::optional<netaddr::Ipv4Prefix> address_;  // installed by us
    std::map<RouteKey, netaddr::Ipv4Address> routes_;  // installed by us: prefix -> via
};

}  // namespace vtepgw::host
