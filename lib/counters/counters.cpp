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

namespace {

// Each counter struct's fields, listed once, for summing and for taking a baseline away.
template <typename Op>
void fields(PortCounters& d, const PortCounters& s, Op op) {
    op(d.rxPackets, s.rxPackets);
    op(d.rxBytes, s.rxBytes);
    op(d.txPackets, s.txPackets);
    op(d.txBytes, s.txBytes);
}

template <typename Op>
void fields(BridgeCounters& d, const BridgeCounters& s, Op op) {
    op(d.encapPackets, s.encapPackets);
    op(d.encapBytes, s.encapBytes);
    op(d.decapPackets, s.decapPackets);
    op(d.decapBytes, s.decapBytes);
    op(d.switched, s.switched);
    op(d.flooded, s.flooded);
    op(d.replicated, s.replicated);
    op(d.routed, s.routed);
    op(d.arpSuppressed, s.arpSuppressed);
    op(d.arpFlooded, s.arpFlooded);
    op(d.gatewayReplies, s.gatewayReplies);
}

template <typename Op>
void fields(VtepCounters& d, const VtepCounters& s, Op op) {
    op(d.txPackets, s.txPackets);
    op(d.txBytes, s.txBytes);
    op(d.rxPackets, s.rxPackets);
    op(d.rxBytes, s.rxBytes);
}

template <typename Op>
void fields(HostCounters& d, const HostCounters& s, Op op) {
    op(d.puntedPackets, s.puntedPackets);
    op(d.puntedBytes, s.puntedBytes);
    op(d.injectedPackets, s.injectedPackets);
    op(d.injectedBytes, s.injectedBytes);
}

template <typename Dst, typename Src, typename Op>
void all(Dst& dst, const Src& src, Op op) {
    for (size_t i = 0; i < dst.size(); ++i) fields(dst[i], src[i], op);
}

const auto kAdd = [](uint64_t& d, uint64_t s) { d += s; };
const auto kSub = [](uint64_t& d, uint64_t s) { d -= s; };

}  // namespace

void Totals::add(const WorkerCounters& w) {
    for (size_t i = 0; i < kDropCount; ++i) drops[i] += w.drops[i];
    for (size_t i = 0; i < kEventCount; ++i) events[i] += w.events[i];
    all(ports, w.ports, kAdd);
    all(bridges, w.bridges, kAdd);
    all(vteps, w.vteps, kAdd);
    for (size_t i = 0; i < vteps.size(); ++i) vteps[i].lastRx = std::max(vteps[i].lastRx, w.vteps[i].lastRx);
    for (size_t d = 0; d < kDirections; ++d) {
        busy[d].cycles += w.busy[d].cycles;
        busy[d].packets += w.busy[d].packets;
    }
    for (size_t f = 0; f < kFateCount; ++f) fates[f] += w.fates[f];
    fields(host, w.host, kAdd);
    for (size_t c = 0; c < punt::kClassCount; ++c) policed[c] += w.policed[c];
}

void Totals::subtract(const Totals& base) {
    for (size_t i = 0; i < kDropCount; ++i) drops[i] -= base.drops[i];
    for (size_t i = 0; i < kEventCount; ++i) events[i] -= base.events[i];
    all(ports, base.ports, kSub);
    all(bridges, base.bridges, kSub);
    all(vteps, base.vteps, kSub);
    for (size_t d = 0; d < kDirections; ++d) {
        busy[d].cycles -= base.busy[d].cycles;
        busy[d].packets -= base.busy[d].packets;
    }
    for (size_t f = 0; f < kFateCount; ++f) fates[f] -= base.fates[f];
    fields(host, base.host, kSub);
    for (size_t c = 0; c < punt::kClassCount; ++c) policed[c] -= base.policed[c];
}

uint64_t Totals::totalDrops() const {
    uint64_t n = 0;
    for (uint64_t d : drops) n += d;
    return n;
}

}  // namespace vtepgw::counters
