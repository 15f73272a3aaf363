// One rte_log type per module ("vtepgw.control", ...), so that levels can be set per module
// with EAL's --log-level=vtepgw.control:debug. Never used per packet.
#pragma once

#include <rte_log.h>

namespace vtepgw::log {

enum class Module { CONTROL, PORT, CONFIG, MAIN };

// The rte_log type of a module; registered on first use.
int type(Module m);

}  // namespace vtepgw::log

#define VTEPGW_LOG(level, module, fmt, ...)                                               \
    rte_log(RTE_LOG_##level, ::vtepgw::log::type(::vtepgw::log::Module::module),           \
            "vtepgw." #module ": " fmt "\n", ##__VA_ARGS__)
