// The quiescent-state RCU domain shared by the workers (readers) and the control core
// (the only writer). Workers report a quiescent state once per poll loop; the control
// core waits for one before it frees anything a worker may still be reading.
#pragma once

#include <rte_rcu_qsbr.h>

#include <cstdint>
#include <memory>

namespace vtepgw::rcu {

class QsbrDomain {
public:
    // Creates a domain for reader ids 0..maxReaders-1; throws std::runtime_error on
    // allocation failure (start-up only).
    explicit QsbrDomain(uint32_t maxReaders);
    ~QsbrDomain();
    QsbrDomain(const QsbrDomain&) = delete;
    QsbrDomain& operator=(const QsbrDomain&) = delete;

    rte_rcu_qsbr* raw() const { return v_; }

    // Reader side: register once, go online before reading, report quiescence in every
    // loop, go offline before blocking or exiting (so writers do not wait for us).
    void registerReader(uint32_t id) { rte_rcu_qsbr_thread_register(v_, id); }
    void unregisterReader(uint32_t id) { rte_rcu_qsbr_thread_unregister(v_, id); }
    void online(uint32_t id) { rte_rcu_qsbr_thread_online(v_, id); }
    void offline(uint32_t id) { rte_rcu_qsbr_thread_offline(v_, id); }
    void quiescent(uint32_t id) { rte_rcu_qsbr_quiescent(v_, id); }

    // Writer side: blocks until every online reader has passed a quiescent state.
    void synchronize() { rte_rcu_qsbr_synchronize(v_, RTE_QSBR_THRID_INVALID); }
    // Without blocking: a token taken now, and whether every reader online when it was
    // taken has since passed a quiescent state.
    uint64_t startGrace() { return rte_rcu_qsbr_start(v_); }
    bool gracePassed(uint64_t token) { return rte_rcu_qsbr_check(v_, token, false) == 1; }

private:
    rte_rcu_qsbr* v_ = nullptr;
};

}  // namespace vtepgw::rcu
