#include "counters/counters.h"

#include <algorithm>

namespace vtepgw::counters {
namespace {

constexpr const char* kDropNames[] = {
#define VTEPGW_X(name, text) #name,
    VTEPGW_DROP_REASONS(VTEPGW_X)
#undef VTEPGW_X
};
constexpr const char* kDropTexts[] = {
#define VTEPGW_X(name, text) text,
    VTEPGW_DROP_REASONS(VTEPGW_X)
#undef VTEPGW_X
};
constexpr const char* kEventNames[] = {
#define VTEPGW_X(name, text) #name,
    VTEPGW_EVENTS(VTEPGW_X)
#undef VTEPGW_X
};

}  // namespace

const char* dropName(Drop d) { return kDropNames[static_cast<size_t>(d)]; }
const char* dropDescription(Drop d) { return kDropTexts[static_cast<size_t>(d)]; }
const char* eventName(Event e) { return kEventNames[static_cast<size_t>(e)]; }

void Totals::add(const WorkerCounters& w) {
    for (size_t i = 0; i < kDropCount; ++i) drops[i] += w.drops[i];
    for (size_t i = 0; i < kEventCount; ++i) events[i] += w.events[i];
    for (size_t i = 0; i < ports.size(); ++i) {
        ports[i].rxPackets += w.ports[i].rxPackets;
        ports[i].rxBytes += w.ports[i].rxBytes;
        ports[i].txPackets += w.ports[i].txPackets;
        ports[i].txBytes += w.ports[i].txBytes;
    }
    for (size_t i = 0; i < bridges.size(); ++i) {
        const BridgeCounters& s = w.bridges[i];
        BridgeCounters& d = bridges[i];
        d.encapPackets += s.encapPackets;
        d.encapBytes += s.encapBytes;
        d.decapPackets += s.decapPackets;
        d.decapBytes += s.decapBytes;
        d.switched += s.switched;
        d.flooded += s.flooded;
        d.replicated += s.replicated;
    }
    for (size_t i = 0; i < vteps.size(); ++i) {
        const VtepCounters& s = w.vteps[i];
        VtepCounters& d = vteps[i];
        d.txPackets += s.txPackets;
        d.txBytes += s.txBytes;
        d.rxPackets += s.rxPackets;
        d.rxBytes += s.rxBytes;
        d.lastRx = std::max(d.lastRx, s.lastRx);
    }
    busyCycles += w.busyCycles;
    busyPackets += w.busyPackets;
}

uint64_t Totals::totalDrops() const {
    uint64_t n = 0;
    for (uint64_t d : drops) n += d;
    return n;
}

}  // namespace vtepgw::counters
