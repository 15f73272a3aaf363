#include "rcu/qsbr.h"

#include <rte_malloc.h>

#include <stdexcept>
#include <string>

namespace vtepgw::rcu {

QsbrDomain::QsbrDomain(uint32_t maxReaders) {
    const size_t size = rte_rcu_qsbr_get_memsize(maxReaders);
    v_ = static_cast<rte_rcu_qsbr*>(rte_zmalloc("vtepgw_qsbr", size, RTE_CACHE_LINE_SIZE));
    if (v_ == nullptr) throw std::runtime_error("cannot allocate the RCU QSBR variable");
    if (rte_rcu_qsbr_init(v_, maxReaders) != 0) {
        rte_free(v_);
        throw std::runtime_error("rte_rcu_qsbr_init failed for " + std::to_string(maxReaders) +
                                 " readers");
    }
}

QsbrDomain::~QsbrDomain() { rte_free(v_); }

}  // namespace vtepgw::rcu
