#include "overlay/arp_table.h"

#include <map>

namespace vtepgw::overlay {

ArpTable::ArpTable(const std::string& name, uint32_t capacity, rcu::QsbrDomain& rcu, int socket)
    : buckets_(name, capacity, rcu, socket, "ARP table"), capacity_(capacity), meta_(buckets_.slotCount()) {}

ArpTable::~ArpTable() = default;

int32_t ArpTable::insert(Key key, uint64_t word, uint32_t now) {
    if (count_ >= capacity_) return -1;
    const int32_t pos = buckets_.insert(key, word, now, [this](int32_t from, int32_t to) { meta(to) = meta(from); });
    if (pos < 0) return pos;
    ++count_;
    ++perBridge_[keyBridge(key)];
    if (!(word & kStatic)) ++dynamicPerBridge_[keyBridge(key)];
    meta(pos) = Meta{};
    return pos;
}

LearnResult ArpTable::learn(fdb::BridgeId bridge, uint32_t ipHost, const rte_ether_addr& mac, uint32_t now,
                            uint32_t limit) {
    const Key key = makeKey(bridge, ipHost);
    const uint64_t word = macWord(mac.addr_bytes) | kPresent;
    const int32_t pos = buckets_.lookup(key);
    if (pos < 0) {
        if (dynamicPerBridge_[bridge] >= limit) return LearnResult::LimitReached;
        return insert(key, word, now) < 0 ? LearnResult::Full : LearnResult::Added;
    }
    const uint64_t cur = buckets_.dest(pos);
    if (cur & kStatic) return (cur & ~kStatic) == word ? LearnResult::Refreshed : LearnResult::StaticConflict;
    buckets_.setSeen(pos, now);
    if (cur == word) return LearnResult::Refreshed;
    Meta& m = meta(pos);
    ++m.moves;
    m.lastMove = now;
    buckets_.setDest(pos, word);
    return LearnResult::Moved;
}

bool ArpTable::setStatics(const std::vector<std::pair<Key, rte_ether_addr>>& statics, uint32_t now) {
    std::map<Key, uint64_t> wanted;
    for (const auto& [k, mac] : statics) wanted[k] = macWord(mac.addr_bytes) | kPresent | kStatic;
    removeIf([&](const EntryView& v) { return v.isStatic && !wanted.count(makeKey(v.bridge, v.ipHost)); });
    bool ok = true;
    for (const auto& [k, word] : wanted) {
        const int32_t pos = buckets_.lookup(k);
        if (pos < 0) {
            ok = insert(k, word, now) >= 0 && ok;
            continue;
        }
        const uint64_t cur = buckets_.dest(pos);
        if (cur == word) continue;
        if (!(cur & kStatic)) --dynamicPerBridge_[keyBridge(k)];
        buckets_.setSeen(pos, now);
        buckets_.setDest(pos, word);
    }
    return ok;
}

bool ArpTable::remove(Key key) {
    const int32_t pos = buckets_.lookup(key);
    if (pos < 0) return false;
    const uint64_t cur = buckets_.dest(pos);
    --perBridge_[keyBridge(key)];
    if (!(cur & kStatic)) --dynamicPerBridge_[keyBridge(key)];
    // A reader that matched the key just before sees "unknown" and resolves again, never
    // a MAC that a later binding stores in the reused slot (that waits for a grace period).
    buckets_.setDest(pos, 0);
    buckets_.erase(pos);
    --count_;
    return true;
}

size_t ArpTable::removeIf(const std::function<bool(const EntryView&)>& pred) {
    std::vector<Key> doomed;
    forEach([&](const EntryView& v) {
        if (pred(v)) doomed.push_back(makeKey(v.bridge, v.ipHost));
    });
    for (Key k : doomed) remove(k);
    return doomed.size();
}

void ArpTable::forEach(const std::function<void(const EntryView&)>& fn) const {
    buckets_.forEach([&](int32_t pos, Key k) {
        const uint64_t w = buckets_.dest(pos);
        if (!(w & kPresent)) return;
        const Meta& m = meta(pos);
        EntryView v{keyBridge(k), keyIp(k), {}, (w & kStatic) != 0, buckets_.seen(pos), m.moves, m.lastMove};
        std::memcpy(v.mac.addr_bytes, &w, 6);
        fn(v);
    });
}

}  // namespace vtepgw::overlay
