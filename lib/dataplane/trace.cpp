#include "dataplane/trace.h"

#include <algorithm>
#include <cstring>

#include "rcu/qsbr.h"

namespace vtepgw::dataplane {

void TraceRecord::note(const char* line) {
    static constexpr char kFull[] = "... (record full)\n";
    const size_t n = std::strlen(line);
    if (full) return;
    if (textLen + n + 1 + (sizeof kFull - 1) > kText) {
        std::memcpy(text + textLen, kFull, sizeof kFull - 1);
        textLen = static_cast<uint16_t>(textLen + sizeof kFull - 1);
        full = true;
        return;
    }
    std::memcpy(text + textLen, line, n);
    text[textLen + n] = '\n';
    textLen = static_cast<uint16_t>(textLen + n + 1);
}

Trace::Trace() : records_(std::make_unique<std::array<TraceRecord, kMaxPackets>>()) {}

void Trace::start(uint32_t count, int32_t port, rcu::QsbrDomain& rcu) {
    budget_.store(0, std::memory_order_relaxed);
    // Every worker has finished the burst it was in: nobody writes a record any more.
    rcu.synchronize();
    const uint32_t used = std::min(next_.load(std::memory_order_relaxed), kMaxPackets);
    for (uint32_t i = 0; i < used; ++i) {
        TraceRecord& r = (*records_)[i];
        r.done.store(0, std::memory_order_relaxed);
        r.textLen = 0;
        r.headLen = 0;
        r.full = false;
    }
    next_.store(0, std::memory_order_relaxed);
    port_.store(port, std::memory_order_relaxed);
    requested_ = std::min(count, kMaxPackets);
    budget_.store(requested_, std::memory_order_release);
}

TraceRecord* Trace::claim(uint16_t port) {
    const int32_t want = port_.load(std::memory_order_relaxed);
    if (want != kAnyPort && want != port) return nullptr;
    uint32_t b = budget_.load(std::memory_order_acquire);
    do {
        if (b == 0) return nullptr;
    } while (!budget_.compare_exchange_weak(b, b - 1, std::memory_order_acq_rel));
    const uint32_t i = next_.fetch_add(1, std::memory_order_relaxed);
    // The budget never exceeds the records, but a stop/start race must not overrun them.
    return i < kMaxPackets ? &(*records_)[i] : nullptr;
}

std::vector<const TraceRecord*> Trace::records() const {
    std::vector<const TraceRecord*> out;
    const uint32_t used = std::min(next_.load(std::memory_order_acquire), kMaxPackets);
    for (uint32_t i = 0; i < used; ++i)
        if ((*records_)[i].done.load(std::memory_order_acquire)) out.push_back(&(*records_)[i]);
    return out;
}

}  // namespace vtepgw::dataplane
