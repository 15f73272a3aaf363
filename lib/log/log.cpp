#include "log/log.h"

namespace vtepgw::log {

int type(Module m) {
    static const int types[] = {
        rte_log_register_type_and_pick_level("vtepgw.control", RTE_LOG_INFO),
        rte_log_register_type_and_pick_level("vtepgw.port", RTE_LOG_INFO),
        rte_log_register_type_and_pick_level("vtepgw.config", RTE_LOG_INFO),
        rte_log_register_type_and_pick_level("vtepgw.main", RTE_LOG_INFO),
    };
    return types[static_cast<int>(m)];
}

}  // namespace vtepgw::log
