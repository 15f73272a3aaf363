// Packet trace (VPP's "trace add" / "show trace", OVS's ofproto/trace on live traffic): the
// next N packets a worker receives are recorded with every decision taken about them — role,
// bridge, lookups, the chosen output or drop reason, the outer header written.
//
// Off costs one relaxed load per burst: the workers look at `budget` once per burst and
// everything else happens only for the packets being traced. One fixed buffer, no allocation
// after start-up, so it works wherever vtepd runs (--no-huge included, unlike pdump).
//
// Concurrency: a worker claims a record (budget and next index, atomically), writes it during
// the burst and publishes it with a release store of `done`. The control core reads only done
// records, and restarts the trace only after an RCU grace period, when no worker can still be
// writing into the records it clears.
#pragma once

#include <rte_mbuf.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <vector>

namespace vtepgw::rcu {
class QsbrDomain;
}

namespace vtepgw::dataplane {

struct TraceRecord {
    static constexpr size_t kHead = 64;     // bytes of the frame as received
    static constexpr size_t kText = 1024;   // the decisions, one per line
    std::atomic<uint32_t> done{0};
    uint32_t worker = 0;
    uint16_t port = 0;
    uint16_t headLen = 0;
    uint32_t length = 0;
    uint32_t timeSeconds = 0;  // vtepd's clock
    uint16_t textLen = 0;
    bool full = false;
    uint8_t head[kHead] = {};
    char text[kText] = {};

    // Appends one line; a full record keeps what it has and says so.
    void note(const char* line);
};

class Trace {
public:
    static constexpr uint32_t kMaxPackets = 256;
    static constexpr int32_t kAnyPort = -1;

    Trace();

    // Control core. start() stops any trace, waits for the workers (rcu), clears the records
    // and arms the next `count` packets (on `port`, or any).
    void start(uint32_t count, int32_t port, rcu::QsbrDomain& rcu);
    void stop() { budget_.store(0, std::memory_order_relaxed); }
    uint32_t remaining() const { return budget_.load(std::memory_order_relaxed); }
    uint32_t requested() const { return requested_; }
    int32_t port() const { return port_.load(std::memory_order_relaxed); }
    // Records published so far, in claim order.
    std::vector<const TraceRecord*> records() const;

    // Workers.
    bool armed() const { return budget_.load(std::memory_order_relaxed) != 0; }
    // A record for a packet received on `port`, or nullptr (not this port, or no budget left).
    TraceRecord* claim(uint16_t port);

private:
    std::unique_ptr<std::array<TraceRecord, kMaxPackets>> records_;
    std::atomic<uint32_t> budget_{0};
    std::atomic<uint32_t> next_{0};
    std::atomic<int32_t> port_{kAnyPort};
    uint32_t requested_ = 0;
};

// A worker's view of the packets it is tracing in the current burst: decisions are noted
// against the mbuf they concern. Inactive (count == 0) outside traced bursts, which is the
// only thing the fast path ever tests.
struct BurstTrace {
    static constexpr uint16_t kSlots = 64;
    uint16_t count = 0;
    const rte_mbuf* mbuf[kSlots];
    TraceRecord* record[kSlots];

    TraceRecord* find(const rte_mbuf* m) const {
        for (uint16_t i = 0; i < count; ++i)
            if (mbuf[i] == m) return record[i];
        return nullptr;
    }
    // The packet's story ends here (sent, dropped, handed over): its mbuf may be reused for
    // something else within the burst, which must not be noted against it.
    void finish(const rte_mbuf* m) {
        for (uint16_t i = 0; i < count; ++i)
            if (mbuf[i] == m) mbuf[i] = nullptr;
    }
    template <typename... Args>
    void note(const rte_mbuf* m, const char* fmt, Args... args) {
        TraceRecord* r = find(m);
        if (r == nullptr) return;
        char line[160];
        if constexpr (sizeof...(Args) == 0) std::snprintf(line, sizeof line, "%s", fmt);
        else std::snprintf(line, sizeof line, fmt, args...);
        r->note(line);
    }
};

}  // namespace vtepgw::dataplane
