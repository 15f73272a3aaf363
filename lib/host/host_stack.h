// The kernel's side of the host interface, as the control core sees it: one call that brings
// the interface's addressing to what the underlay configuration says. An interface, so that
// the dataplane tests run the control core without touching the test machine's kernel.
#pragma once

#include <string>
#include <vector>

#include "config/model.h"

namespace vtepgw::host {

class HostStack {
public:
    virtual ~HostStack() = default;
    // MTU, link up, our address and prefix, the default route via the gateway and the static
    // routes; what the previous call installed and this one does not want is removed.
    // Returns what could not be done (each with the kernel's reason); the rest is done.
    virtual std::vector<std::string> sync(const config::UnderlaySpec& underlay) = 0;
    virtual const std::string& name() const = 0;
};

}  // namespace vtepgw::host
