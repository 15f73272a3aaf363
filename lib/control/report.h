// Operator-facing views of the running state: counters, MAC table, VTEPs and neighbours,
// as JSON (the stable form served to tools) and as aligned text (printed at exit).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "control/controller.h"
#include "counters/counters.h"

namespace vtepgw::control {

nlohmann::ordered_json countersJson(const Controller& ctl, const counters::Totals& t);
// The host interface's traffic and the punt policer: rates and drops per class.
nlohmann::ordered_json hostCountersJson(const Controller& ctl, const counters::Totals& t);
nlohmann::ordered_json addressTableJson(const Controller& ctl, const fdb::Fdb& fdb);
nlohmann::ordered_json vtepsJson(const Controller& ctl);
// The overlay's IP-to-MAC bindings (show arp), by bridge and address.
nlohmann::ordered_json arpTableJson(const Controller& ctl, const fdb::Fdb& fdb);

std::string countersText(const Controller& ctl, const counters::Totals& t);

}  // namespace vtepgw::control
