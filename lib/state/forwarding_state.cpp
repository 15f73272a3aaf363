#include "state/forwarding_state.h"

#include "rcu/qsbr.h"

namespace vtepgw::state {

StatePublisher::~StatePublisher() { delete current_.load(); }

void StatePublisher::publish(std::unique_ptr<ForwardingState> next) {
    next->generation = ++generation_;
    const ForwardingState* old = current_.exchange(next.release(), std::memory_order_acq_rel);
    if (old != nullptr) {
        rcu_.synchronize();
        delete old;
    }
}

}  // namespace vtepgw::state
