// The overlay's ARP table: (bridge, IPv4) -> MAC of the hosts inside the bridges. It feeds
// routing (the worker rewrites a routed packet's destination MAC from it) and ARP
// suppression (the control core answers requests for known addresses). Snooped from ARP in
// both directions, static entries from bridges.NAME.neighbors.
//
// Stored like the MAC table, in fdb::Buckets: a routed packet's ARP lookup reads one cache
// line (rte_hash read a signature bucket, its key store and our entry array: three cold
// lines at 1,000 hosts and more). Workers look up without locks, the control core is the
// only writer, the MAC lives in the slot's one atomic word, deleted slots are reused after an
// RCU grace period.
#pragma once

#include <rte_ether.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "fdb/buckets.h"
#include "fdb/fdb.h"

namespace vtepgw::overlay {

using Key = uint64_t;  // bridge id << 32 | IPv4 (host order)
inline Key makeKey(fdb::BridgeId bridge, uint32_t ipHost) { return uint64_t{bridge} << 32 | ipHost; }
inline fdb::BridgeId keyBridge(Key k) { return static_cast<fdb::BridgeId>(k >> 32); }
inline uint32_t keyIp(Key k) { return static_cast<uint32_t>(k); }

// The MAC in wire order in the low 48 bits (as fdb keys hold it), bit 48 present, 49 static.
inline constexpr uint64_t kPresent = uint64_t{1} << 48;
inline constexpr uint64_t kStatic = uint64_t{1} << 49;
inline uint64_t macWord(const uint8_t* mac) {
    uint64_t w = 0;
    std::memcpy(&w, mac, 6);
    return w;
}

struct EntryView {
    fdb::BridgeId bridge;
    uint32_t ipHost;
    rte_ether_addr mac;
    bool isStatic;
    uint32_t updated, moves, lastMove;
};

enum class LearnResult { Added, Refreshed, Moved, StaticConflict, Full, LimitReached };

class ArpTable {
public:
    ArpTable(const std::string& name, uint32_t capacity, rcu::QsbrDomain& rcu, int socket);
    ~ArpTable();
    ArpTable(const ArpTable&) = delete;
    ArpTable& operator=(const ArpTable&) = delete;

    // ---- readers (any worker, the control core) ----
    // The MAC word (see kPresent) or 0 when unknown.
    uint64_t lookup(fdb::BridgeId bridge, uint32_t ipHost) const {
        const int32_t pos = buckets_.lookup(makeKey(bridge, ipHost));
        return pos < 0 ? 0 : buckets_.dest(pos);
    }
    // The same for n <= 64 keys at once, every bucket prefetched before any is read.
    void lookupBulk(const Key* keys, unsigned n, uint64_t* words) const {
        int32_t pos[64];
        buckets_.lookupBulk(keys, n, pos);
        for (unsigned i = 0; i < n; ++i) words[i] = pos[i] < 0 ? 0 : buckets_.dest(pos[i]);
    }

    // ---- the writer (control core only) ----
    // Records ip -> mac seen in ARP. A static binding is never replaced (StaticConflict);
    // `limit` caps the bridge's snooped entries (LimitReached, nothing added).
    LearnResult learn(fdb::BridgeId bridge, uint32_t ipHost, const rte_ether_addr& mac, uint32_t now,
                      uint32_t limit);
    // Makes exactly these bindings (bridge, ip, mac) the static ones: others lose the flag
    // and go, new ones replace whatever was snooped. False when the table ran out of room.
    bool setStatics(const std::vector<std::pair<Key, rte_ether_addr>>& statics, uint32_t now);
    bool remove(Key key);
    size_t removeIf(const std::function<bool(const EntryView&)>& pred);
    void forEach(const std::function<void(const EntryView&)>& fn) const;
    uint32_t size() const { return count_; }
    uint32_t count(fdb::BridgeId bridge) const { return perBridge_[bridge]; }
    uint32_t capacity() const { return capacity_; }

private:
    // The control core's own bookkeeping beside each slot; the slot's "seen" second is the
    // time of the last ARP that named the binding.
    struct Meta {
        uint32_t moves = 0;  // times the IP moved to another MAC
        uint32_t lastMove = 0;
    };
    int32_t insert(Key key, uint64_t word, uint32_t now);
    Meta& meta(int32_t pos) { return meta_[buckets_.denseIndex(pos)]; }
    const Meta& meta(int32_t pos) const { return meta_[buckets_.denseIndex(pos)]; }

    fdb::Buckets buckets_;
    uint32_t capacity_;
    uint32_t count_ = 0;
    std::vector<uint32_t> perBridge_ = std::vector<uint32_t>(1u << 16, 0);  // every entry, static ones too
    std::vector<uint32_t> dynamicPerBridge_ = std::vector<uint32_t>(1u << 16, 0);
    std::vector<Meta> meta_;
};

}  // namespace vtepgw::overlay
