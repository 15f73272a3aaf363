// The Prometheus text exposition (format 0.0.4) of vtepd's counters: what `vtepctl show metrics`
// prints, for node_exporter's textfile collector or any scraper that reads a file or a pipe.
// Built from the same JSON the control socket serves, so every figure has one source.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace vtepgw::control {

// `counters`: "show counters"'s result; `vteps`: "show vtep"'s. Counters become `_total`
// counters with labels (port, bridge and vni, reason, event, fate, vtep, worker); levels
// (MACs, ARP entries, mbufs, reachability) become gauges. Label values are escaped.
std::string prometheusText(const nlohmann::ordered_json& counters, const nlohmann::ordered_json& vteps);

}  // namespace vtepgw::control
