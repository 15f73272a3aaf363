#include "overlay/arp_table.h"

#include <rte_hash.h>

#include <map>

#include "fdb/lf_hash.h"

namespace vtepgw::overlay {

ArpTable::ArpTable(const std::string& name, uint32_t capacity, rcu::QsbrDomain& rcu, int socket)
    : hash_(fdb::createLockFreeHash(name, capacity, rcu, socket, "ARP table")), capacity_(capacity),
      entries_(std::make_unique<Entry[]>(capacity + 1)) {}

ArpTable::~ArpTable() { rte_hash_free(hash_); }

uint64_t ArpTable::lookup(fdb::BridgeId bridge, uint32_t ipHost) const {
    const Key k = makeKey(bridge, ipHost);
    const int32_t pos = rte_hash_lookup(hash_, &k);
    return pos < 0 ? 0 : entries_[static_cast<size_t>(pos)].word.load(std::memory_order_acquire);
}

void ArpTable::lookupBulk(const Key* keys, unsigned n, uint64_t* words) const {
    const void* ptrs[RTE_HASH_LOOKUP_BULK_MAX];
    int32_t pos[RTE_HASH_LOOKUP_BULK_MAX];
    for (unsigned i = 0; i < n; ++i) ptrs[i] = &keys[i];
    rte_hash_lookup_bulk(hash_, ptrs, n, pos);
    for (unsigned i = 0; i < n; ++i)
        if (pos[i] >= 0) __builtin_prefetch(&entries_[static_cast<size_t>(pos[i])]);
    for (unsigned i = 0; i < n; ++i)
        words[i] = pos[i] < 0 ? 0 : entries_[static_cast<size_t>(pos[i])].word.load(std::memory_order_acquire);
}

int32_t ArpTable::insert(Key key, uint64_t word, uint32_t now) {
    const int32_t pos = rte_hash_add_key(hash_, &key);
    if (pos < 0) return pos;
    ++count_;
    ++perBridge_[keyBridge(key)];
    if (!(word & kStatic)) ++dynamicPerBridge_[keyBridge(key)];
    Entry& e = entries_[static_cast<size_t>(pos)];
    e.key = key;
    e.updated = now;
    e.moves = 0;
    e.lastMove = 0;
    e.word.store(word, std::memory_order_release);
    return pos;
}

LearnResult ArpTable::learn(fdb::BridgeId bridge, uint32_t ipHost, const rte_ether_addr& mac, uint32_t now,
                            uint32_t limit) {
    const Key key = makeKey(bridge, ipHost);
    const uint64_t word = macWord(mac.addr_bytes) | kPresent;
    const int32_t pos = rte_hash_lookup(hash_, &key);
    if (pos < 0) {
        if (dynamicPerBridge_[bridge] >= limit) return LearnResult::LimitReached;
        return insert(key, word, now) < 0 ? LearnResult::Full : LearnResult::Added;
    }
    Entry& e = entries_[static_cast<size_t>(pos)];
    const uint64_t cur = e.word.load(std::memory_order_relaxed);
    if (cur & kStatic) return (cur & ~kStatic) == word ? LearnResult::Refreshed : LearnResult::StaticConflict;
    e.updated = now;
    if (cur == word) return LearnResult::Refreshed;
    ++e.moves;
    e.lastMove = now;
    e.word.store(word, std::memory_order_release);
    return LearnResult::Moved;
}

bool ArpTable::setStatics(const std::vector<std::pair<Key, rte_ether_addr>>& statics, uint32_t now) {
    std::map<Key, uint64_t> wanted;
    for (const auto& [k, mac] : statics) wanted[k] = macWord(mac.addr_bytes) | kPresent | kStatic;
    removeIf([&](const EntryView& v) { return v.isStatic && !wanted.count(makeKey(v.bridge, v.ipHost)); });
    bool ok = true;
    for (const auto& [k, word] : wanted) {
        const int32_t pos = rte_hash_lookup(hash_, &k);
        if (pos < 0) {
            ok = insert(k, word, now) >= 0 && ok;
            continue;
        }
        Entry& e = entries_[static_cast<size_t>(pos)];
        const uint64_t cur = e.word.load(std::memory_order_relaxed);
        if (cur == word) continue;
        if (!(cur & kStatic)) --dynamicPerBridge_[keyBridge(k)];
        e.updated = now;
        e.word.store(word, std::memory_order_release);
    }
    return ok;
}

bool ArpTable::remove(Key key) {
    const int32_t pos = rte_hash_lookup(hash_, &key);
    if (pos < 0) return false;
    Entry& e = entries_[static_cast<size_t>(pos)];
    const uint64_t cur = e.word.load(std::memory_order_relaxed);
    --perBridge_[keyBridge(key)];
    if (!(cur & kStatic)) --dynamicPerBridge_[keyBridge(key)];
    // Readers that find the key before the delete lands see "unknown" and resolve again.
    e.word.store(0, std::memory_order_release);
    rte_hash_del_key(hash_, &key);
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
    const void* key;
    void* data;
    uint32_t iter = 0;
    int32_t pos;
    while ((pos = rte_hash_iterate(hash_, &key, &data, &iter)) >= 0) {
        const Entry& e = entries_[static_cast<size_t>(pos)];
        const uint64_t w = e.word.load(std::memory_order_acquire);
        if (!(w & kPresent)) continue;
        const Key k = *static_cast<const Key*>(key);
        EntryView v{keyBridge(k), keyIp(k), {}, (w & kStatic) != 0, e.updated, e.moves, e.lastMove};
        std::memcpy(v.mac.addr_bytes, &w, 6);
        fn(v);
    }
}

}  // namespace vtepgw::overlay
