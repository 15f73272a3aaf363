#include "fdb/buckets.h"

#include <rte_malloc.h>

#include <new>
#include <stdexcept>

#include "rcu/qsbr.h"

namespace vtepgw::fdb {
namespace {
constexpr uint32_t kNotSpilled = UINT32_MAX;
constexpr unsigned kMoveDepth = 2;
}

Buckets::Buckets(const std::string& name, uint32_t capacity, rcu::QsbrDomain& rcu, int socket, const char* what)
    : rcu_(rcu) {
    // Twice as many slots as keys: with two choices and one step of moving, inserts up to
    // the capacity find room, and most keys sit in their first bucket.
    const uint64_t slots = 2ull * (capacity == 0 ? 1 : capacity);
    count_ = static_cast<uint32_t>((slots + Bucket::kWays - 1) / Bucket::kWays);
    if (count_ < 2) count_ = 2;
    buckets_ = static_cast<Bucket*>(
        rte_malloc_socket(name.c_str(), size_t{count_} * sizeof(Bucket), alignof(Bucket), socket));
    if (buckets_ == nullptr)
        throw std::runtime_error(std::string("cannot create ") + what + " '" + name + "' for " + std::to_string(capacity) +
                                 " entries: no " + std::to_string(size_t{count_} * sizeof(Bucket) >> 20) +
                                 " MB of hugepage memory on socket " + std::to_string(socket));
    for (uint32_t b = 0; b < count_; ++b) {
        Bucket* bk = new (&buckets_[b]) Bucket;
        for (unsigned w = 0; w < Bucket::kWays; ++w) {
            bk->key[w].store(kEmptyKey, std::memory_order_relaxed);
            bk->dest[w].store(0, std::memory_order_relaxed);
            bk->seen[w].store(0, std::memory_order_relaxed);
        }
        bk->spilled.store(0, std::memory_order_relaxed);
    }
    freedAt_.assign(slotCount(), 0);
}

Buckets::~Buckets() { rte_free(buckets_); }

int Buckets::findFree(uint32_t b) {
    const Bucket& bk = buckets_[b];
    for (unsigned w = 0; w < Bucket::kWays; ++w) {
        const Key k = bk.key[w].load(std::memory_order_relaxed);
        if (k == kEmptyKey) return static_cast<int>(w);
        if (k != kFreedKey) continue;
        uint64_t& token = freedAt_[b * Bucket::kWays + w];
        if (token == 0 || rcu_.gracePassed(token)) {
            token = 0;
            return static_cast<int>(w);
        }
    }
    return -1;
}

bool Buckets::hasPendingFree(uint32_t b) const {
    for (unsigned w = 0; w < Bucket::kWays; ++w)
        if (buckets_[b].key[w].load(std::memory_order_relaxed) == kFreedKey && freedAt_[b * Bucket::kWays + w] != 0)
            return true;
    return false;
}

int32_t Buckets::place(uint32_t b, unsigned way, Key key, uint64_t dest, uint32_t now, uint32_t spilledFrom) {
    // The first bucket admits to a spill before the key appears, so that a reader who finds
    // the key missing from its first bucket knows to look in the second.
    if (spilledFrom != kNotSpilled) {
        std::atomic<uint32_t>& s = buckets_[spilledFrom].spilled;
        s.store(s.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    }
    Bucket& bk = buckets_[b];
    bk.dest[way].store(dest, std::memory_order_relaxed);
    bk.seen[way].store(now, std::memory_order_relaxed);
    bk.key[way].store(key, std::memory_order_release);  // publishes dest and seen with it
    return static_cast<int32_t>(b * 4 + way);
}

void Buckets::erase(int32_t pos) {
    const uint32_t b = bucketOf(pos);
    const Key key = keyAt(pos);
    buckets_[b].key[wayOf(pos)].store(kFreedKey, std::memory_order_release);
    freedAt_[denseIndex(pos)] = rcu_.startGrace();
    const uint32_t first = firstBucket(key);
    if (first != b) {  // it had spilled: its first bucket no longer needs to send readers here
        std::atomic<uint32_t>& s = buckets_[first].spilled;
        s.store(s.load(std::memory_order_relaxed) - 1, std::memory_order_release);
    }
}

int32_t Buckets::relocate(int32_t from, uint32_t to, unsigned way, const MovedFn& moved) {
    const Key k = keyAt(from);
    const uint32_t first = firstBucket(k);
    // Both copies hold the same destination for a while. Into the second bucket: the spill
    // count rises first, so a reader who misses the key in its first bucket finds it there.
    // Back into the first: a reader who looked there just before the copy landed must still
    // find the old one, so it stays until every such reader is done.
    const int32_t pos = place(to, way, k, dest(from), seen(from), to == first ? kNotSpilled : first);
    if (to == first) rcu_.synchronize();
    // The old way is reused only after a grace period of its own: a reader may have matched
    // the old copy just before it went.
    erase(from);
    rcu_.synchronize();
    freedAt_[denseIndex(from)] = 0;
    if (moved) moved(from, pos);
    return pos;
}

bool Buckets::makeRoom(uint32_t b, unsigned depth, const MovedFn& moved) {
    uint32_t alt[Bucket::kWays];
    for (unsigned w = 0; w < Bucket::kWays; ++w) {
        const Key k = buckets_[b].key[w].load(std::memory_order_relaxed);
        if (k >= kFreedKey) {  // a way freed too recently for reuse: wait for the readers
            rcu_.synchronize();
            return true;
        }
        const uint32_t first = firstBucket(k);
        alt[w] = b == first ? secondBucket(k, first) : first;
        const int fw = findFree(alt[w]);
        if (fw >= 0) {
            relocate(static_cast<int32_t>(b * 4 + w), alt[w], static_cast<unsigned>(fw), moved);
            return true;
        }
    }
    if (depth == 0) return false;
    for (unsigned w = 0; w < Bucket::kWays; ++w) {
        if (!makeRoom(alt[w], depth - 1, moved)) continue;
        const int fw = findFree(alt[w]);
        if (fw < 0) continue;
        relocate(static_cast<int32_t>(b * 4 + w), alt[w], static_cast<unsigned>(fw), moved);
        return true;
    }
    return false;
}

int32_t Buckets::insert(Key key, uint64_t dest, uint32_t now, const MovedFn& moved) {
    if (key >= kFreedKey) return -1;
    const uint32_t first = firstBucket(key), second = secondBucket(key, first);
    for (int attempt = 0; attempt < 2; ++attempt) {
        int w = findFree(first);
        if (w >= 0) return place(first, static_cast<unsigned>(w), key, dest, now, kNotSpilled);
        w = findFree(second);
        if (w >= 0) return place(second, static_cast<unsigned>(w), key, dest, now, first);
        // Ways freed too recently for reuse: wait for the readers once, then they are free.
        if (attempt != 0 || !(hasPendingFree(first) || hasPendingFree(second))) break;
        rcu_.synchronize();
    }
    // Both buckets full: move keys between their two buckets, a few steps deep, to free a way.
    if (makeRoom(first, kMoveDepth, moved)) {
        const int w = findFree(first);
        if (w >= 0) return place(first, static_cast<unsigned>(w), key, dest, now, kNotSpilled);
    }
    if (makeRoom(second, kMoveDepth, moved)) {
        const int w = findFree(second);
        if (w >= 0) return place(second, static_cast<unsigned>(w), key, dest, now, first);
    }
    return -1;
}

void Buckets::forEach(const std::function<void(int32_t pos, Key key)>& fn) const {
    for (uint32_t b = 0; b < count_; ++b)
        for (unsigned w = 0; w < Bucket::kWays; ++w) {
            const Key k = buckets_[b].key[w].load(std::memory_order_acquire);
            if (k < kFreedKey) fn(static_cast<int32_t>(b * 4 + w), k);
        }
}

uint32_t Buckets::spilledKeys() const {
    uint32_t n = 0;
    forEach([&](int32_t pos, Key k) { n += firstBucket(k) != bucketOf(pos); });
    return n;
}

}  // namespace vtepgw::fdb
