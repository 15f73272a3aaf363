// The overlay's ARP table: (bridge, IPv4) -> MAC of the hosts inside the bridges. It feeds
// routing (the worker rewrites a routed packet's destination MAC from it) and ARP
// suppression (the control core answers requests for known addresses). Snooped from ARP in
// both directions, static entries from bridges.NAME.neighbors.
//
// Same discipline as the MAC table: workers look up without locks, the control core is the
// only writer, the MAC lives in one atomic word, deleted slots are reused after an RCU grace
// period.
#pragma once

#include <rte_ether.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fdb/fdb.h"

struct rte_hash;

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

struct Entry {
    std::atomic<uint64_t> word{0};  // 0 while created or removed: readers treat it as absent
    // The control core's own bookkeeping.
    uint32_t updated = 0;  // second of the last ARP that named this binding
    uint32_t moves = 0;    // times the IP moved to another MAC
    uint32_t lastMove = 0;
    Key key = 0;
};

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
    uint64_t lookup(fdb::BridgeId bridge, uint32_t ipHost) const;
    // The same for n <= 64 keys at once (the hash's bulk lookup, the entries prefetched).
    void lookupBulk(const Key* keys, unsigned n, uint64_t* words) const;

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
    int32_t insert(Key key, uint64_t word, uint32_t now);

    rte_hash* hash_ = nullptr;
    uint32_t capacity_;
    uint32_t count_ = 0;
    std::vector<uint32_t> perBridge_ = std::vector<uint32_t>(1u << 16, 0);  // every entry, static ones too
    std::vector<uint32_t> dynamicPerBridge_ = std::vector<uint32_t>(1u << 16, 0);
    std::unique_ptr<Entry[]> entries_;
};

}  // namespace vtepgw::overlay
