#include "fdb/fdb.h"

#include <rte_hash.h>

#include "fdb/lf_hash.h"

namespace vtepgw::fdb {

Fdb::Fdb(const std::string& name, uint32_t capacity, rcu::QsbrDomain& rcu, int socket)
    : hash_(createLockFreeHash(name, capacity, rcu, socket, "MAC table")), capacity_(capacity) {
    // Positions range over the key slots, which can exceed `entries` by the extendable
    // buckets' share; size the side array by what the hash can hand out.
    entries_ = std::make_unique<Entry[]>(capacity_ + 1);
}

Fdb::~Fdb() { rte_hash_free(hash_); }

void Fdb::lookupBulk(const Key* keys, unsigned n, int32_t* positions) const {
    const void* ptrs[RTE_HASH_LOOKUP_BULK_MAX];
    for (unsigned i = 0; i < n; ++i) ptrs[i] = &keys[i];
    rte_hash_lookup_bulk(hash_, ptrs, n, positions);
}

int32_t Fdb::lookup(Key key) const { return rte_hash_lookup(hash_, &key); }

LearnResult Fdb::learn(Key key, Dest dest, uint32_t now, uint32_t bridgeLimit, FlapPolicy flap) {
    int32_t pos = rte_hash_lookup(hash_, &key);
    if (pos >= 0) {
        Entry& e = entries_[static_cast<size_t>(pos)];
        const Dest cur{e.dest.load(std::memory_order_relaxed)};
        if (cur.isStatic()) return LearnResult::StaticConflict;
        e.lastSeen.store(now, std::memory_order_relaxed);
        if (cur.samePlace(dest)) return LearnResult::Refreshed;
        ++e.moves;
        e.lastMove = now;
        e.dest.store(dest.word, std::memory_order_release);
        if (now - e.flapWindowStart > flap.seconds) {
            e.flapWindowStart = now;
            e.flapMoves = 0;
            e.flapping = false;
        }
        if (++e.flapMoves > flap.moves && !e.flapping) {
            e.flapping = true;
            return LearnResult::StartedFlapping;
        }
        return LearnResult::Moved;
    }
    const BridgeId bridge = keyBridge(key);
    if (bridgeLimit != 0 && dynamicPerBridge_[bridge] >= bridgeLimit) return LearnResult::LimitReached;
    pos = insert(key, dest, now);
    if (pos < 0) return LearnResult::Full;
    ++dynamicPerBridge_[bridge];
    return LearnResult::Added;
}

int32_t Fdb::insert(Key key, Dest dest, uint32_t now) {
    const int32_t pos = rte_hash_add_key(hash_, &key);
    if (pos < 0) return pos;
    ++count_;
    Entry& e = entries_[static_cast<size_t>(pos)];
    e.key = key;
    e.moves = 0;
    e.lastMove = 0;
    e.created = now;
    e.flapWindowStart = now;
    e.flapMoves = 0;
    e.flapping = false;
    e.lastSeen.store(now, std::memory_order_relaxed);
    // Last: readers that find the key before this store see "no destination" and flood.
    e.dest.store(dest.word, std::memory_order_release);
    return pos;
}

bool Fdb::addStatic(Key key, Dest dest, uint32_t now) {
    dest.word |= uint64_t{1} << 62;
    const int32_t pos = rte_hash_lookup(hash_, &key);
    if (pos < 0) return insert(key, dest, now) >= 0;
    Entry& e = entries_[static_cast<size_t>(pos)];
    if (!Dest{e.dest.load(std::memory_order_relaxed)}.isStatic()) --dynamicPerBridge_[keyBridge(key)];
    e.lastSeen.store(now, std::memory_order_relaxed);
    e.dest.store(dest.word, std::memory_order_release);
    return true;
}

Fdb::PutResult Fdb::putEvpn(Key key, uint32_t tunnelId, uint32_t now) {
    const Dest dest = Dest::evpn(tunnelId);
    const int32_t pos = rte_hash_lookup(hash_, &key);
    if (pos < 0) {
        if (insert(key, dest, now) < 0) return PutResult::Full;
        ++dynamicPerBridge_[keyBridge(key)];
        return PutResult::Added;
    }
    Entry& e = entries_[static_cast<size_t>(pos)];
    const Dest cur{e.dest.load(std::memory_order_relaxed)};
    if (cur.isStatic()) return PutResult::StaticConflict;
    if (cur.word == dest.word) return PutResult::Unchanged;
    if (!cur.samePlace(dest)) {
        ++e.moves;
        e.lastMove = now;
    }
    e.lastSeen.store(now, std::memory_order_relaxed);
    e.dest.store(dest.word, std::memory_order_release);
    return PutResult::Moved;
}

bool Fdb::remove(Key key) {
    const int32_t pos = rte_hash_lookup(hash_, &key);
    if (pos < 0) return false;
    Entry& e = entries_[static_cast<size_t>(pos)];
    if (!Dest{e.dest.load(std::memory_order_relaxed)}.isStatic()) --dynamicPerBridge_[keyBridge(key)];
    // Readers that find the key before the delete lands see "no destination" and flood;
    // the position itself is recycled by the hash only after an RCU grace period.
    e.dest.store(0, std::memory_order_release);
    rte_hash_del_key(hash_, &key);
    --count_;
    return true;
}

size_t Fdb::removeIf(const std::function<bool(const EntryView&)>& pred) {
    std::vector<Key> doomed;
    forEach([&](const EntryView& v) {
        if (pred(v)) doomed.push_back(v.key);
    });
    for (Key k : doomed) remove(k);
    return doomed.size();
}

size_t Fdb::age(uint32_t now, uint32_t ageingSeconds) {
    if (ageingSeconds == 0) return 0;
    return removeIf([&](const EntryView& v) {
        return !v.dest.isStatic() && !v.dest.isEvpn() && now - v.lastSeen > ageingSeconds;
    });
}

void Fdb::forEach(const std::function<void(const EntryView&)>& fn) const {
    const void* key;
    void* data;
    uint32_t iter = 0;
    int32_t pos;
    while ((pos = rte_hash_iterate(hash_, &key, &data, &iter)) >= 0) {
        const Entry& e = entries_[static_cast<size_t>(pos)];
        const Dest d{e.dest.load(std::memory_order_acquire)};
        if (d.kind() == DestKind::None) continue;
        fn(EntryView{*static_cast<const Key*>(key), d, e.lastSeen.load(std::memory_order_relaxed),
                     e.moves, e.lastMove, e.created, e.flapping});
    }
}


}  // namespace vtepgw::fdb

