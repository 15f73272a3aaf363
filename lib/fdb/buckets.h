// The MAC table's storage: a hash table of cache-line buckets, each holding three keys with
// their destinations and last-seen seconds, so that a lookup that hits its first bucket
// reads one cache line and nothing else (rte_hash reads a bucket of signatures, then the
// key store, then our side array: three lines at 100k MACs).
//
// Every key has two buckets. Inserts fill the first and spill to the second only when the
// first is full; the first bucket counts its spilled keys, so a miss (and most hits) never
// touches the second line. Readers (workers) are lock-free; the control core is the only
// writer. A reader that matched a key loads its destination with one atomic load; the
// writer publishes a key only after its destination, and reuses a freed slot only after an
// RCU grace period, so a reader never pairs a key with another key's destination.
#pragma once

#include <rte_prefetch.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "packet/crc32c.h"

namespace vtepgw::rcu {
class QsbrDomain;
}

namespace vtepgw::fdb {

using Key = uint64_t;

// Keys of bridge 0xFFFF (kNoBridge) are never stored: two of them mark free slots.
inline constexpr Key kEmptyKey = ~uint64_t{0};    // never used since the table was made
inline constexpr Key kFreedKey = ~uint64_t{0} - 1;  // removed; reusable after a grace period

struct alignas(64) Bucket {
    static constexpr unsigned kWays = 3;
    std::atomic<uint64_t> key[kWays];
    std::atomic<uint64_t> dest[kWays];  // Dest::word
    std::atomic<uint32_t> seen[kWays];  // coarse seconds; refreshed by workers on hits
    std::atomic<uint32_t> spilled;      // keys whose first bucket this is, stored in their second
};
static_assert(sizeof(Bucket) == 64, "one bucket, one cache line");

class Buckets {
public:
    // Room for `capacity` keys at most two thirds of the slots full. Throws
    // std::runtime_error naming `what` and `name` when hugepage memory is short.
    Buckets(const std::string& name, uint32_t capacity, rcu::QsbrDomain& rcu, int socket,
            const char* what = "MAC table");
    ~Buckets();
    Buckets(const Buckets&) = delete;
    Buckets& operator=(const Buckets&) = delete;

    // A slot's position: bucket * 4 + way, so that readers split it with a shift.
    static uint32_t bucketOf(int32_t pos) { return static_cast<uint32_t>(pos) >> 2; }
    static unsigned wayOf(int32_t pos) { return static_cast<unsigned>(pos) & 3; }

    // ---- readers ----
    // Looks up n <= 64 keys; positions[i] is the slot or negative when absent. All first
    // buckets are prefetched before any is read: in a big table they are cold.
    void lookupBulk(const Key* keys, unsigned n, int32_t* positions) const {
        uint32_t first[64];
        for (unsigned i = 0; i < n; ++i) {
            first[i] = firstBucket(keys[i]);
            rte_prefetch0(&buckets_[first[i]]);
        }
        for (unsigned i = 0; i < n; ++i) positions[i] = find(first[i], keys[i]);
    }
    int32_t lookup(Key key) const { return find(firstBucket(key), key); }
    uint64_t dest(int32_t pos) const {
        return buckets_[bucketOf(pos)].dest[wayOf(pos)].load(std::memory_order_acquire);
    }
    uint32_t seen(int32_t pos) const {
        return buckets_[bucketOf(pos)].seen[wayOf(pos)].load(std::memory_order_relaxed);
    }
    // Writes only when the second changes: a hot bucket stays clean in other cores' caches.
    void refresh(int32_t pos, uint32_t now) {
        std::atomic<uint32_t>& s = buckets_[bucketOf(pos)].seen[wayOf(pos)];
        if (s.load(std::memory_order_relaxed) != now) s.store(now, std::memory_order_relaxed);
    }

    // ---- the writer (control core) ----
    // Stores a key that is not present; its slot, or negative when neither of its buckets
    // (nor one step of moving a neighbour to its other bucket) has room. A neighbour moved
    // to make room is reported through `moved(from, to)` so that side arrays follow it.
    using MovedFn = std::function<void(int32_t from, int32_t to)>;
    int32_t insert(Key key, uint64_t dest, uint32_t now, const MovedFn& moved);
    void setDest(int32_t pos, uint64_t dest) {
        buckets_[bucketOf(pos)].dest[wayOf(pos)].store(dest, std::memory_order_release);
    }
    void setSeen(int32_t pos, uint32_t now) {
        buckets_[bucketOf(pos)].seen[wayOf(pos)].store(now, std::memory_order_relaxed);
    }
    // Frees a slot; readers still holding it see no destination until their next quiescent
    // state, after which the slot may be reused.
    void erase(int32_t pos);
    Key keyAt(int32_t pos) const { return buckets_[bucketOf(pos)].key[wayOf(pos)].load(std::memory_order_relaxed); }
    // Every stored slot, in table order.
    void forEach(const std::function<void(int32_t pos, Key key)>& fn) const;
    // A dense index for side arrays (0 .. slotCount()-1).
    uint32_t denseIndex(int32_t pos) const { return bucketOf(pos) * Bucket::kWays + wayOf(pos); }
    uint32_t slotCount() const { return count_ * Bucket::kWays; }

    // For tests and benchmarks: how many keys live in their second bucket.
    uint32_t spilledKeys() const;

private:
    // Lemire's range reduction: uniform over a bucket count that need not be a power of two.
    uint32_t reduce(uint32_t h) const { return static_cast<uint32_t>((uint64_t{h} * count_) >> 32); }
    // CRC32-C is linear: keys that differ in a few low bits (sequential MACs, as hypervisors
    // and traffic generators hand them out) get CRCs spanning a small subspace whose top bits,
    // the ones the range reduction reads, take few values: 2,000 such MACs used 327 of 2,666
    // buckets and half of them spilled. An odd multiplier carries every bit into the top ones.
    uint32_t firstBucket(Key key) const {
        return reduce(packet::crc32c8(key, 0) * 0x9E3779B1u);
    }
    // A different function from the first (a CRC with another seed would differ from it by a
    // constant), so that the keys of one full bucket spill to many others.
    uint32_t secondBucket(Key key, uint32_t first) const {
        const uint32_t b = reduce(static_cast<uint32_t>((key * 0x9E3779B97F4A7C15ull) >> 32));
        return b != first ? b : (first + 1 == count_ ? 0 : first + 1);
    }
    // All three ways compared before one branch: an early exit per way branches on which
    // way holds the key, which the predictor cannot know once a table fills.
    int32_t findIn(uint32_t b, Key key) const {
        const Bucket& bk = buckets_[b];
        static_assert(Bucket::kWays == 3);
        unsigned hits = unsigned{bk.key[0].load(std::memory_order_acquire) == key} |
                        unsigned{bk.key[1].load(std::memory_order_acquire) == key} << 1;
        unsigned third = unsigned{bk.key[2].load(std::memory_order_acquire) == key} << 2;
        // Left to itself GCC turns the last compare back into a branch.
        asm("" : "+r"(third));
        hits |= third;
        return hits != 0 ? static_cast<int32_t>(b * 4 + static_cast<unsigned>(__builtin_ctz(hits))) : -1;
    }
    int32_t find(uint32_t first, Key key) const {
        const int32_t pos = findIn(first, key);
        if (pos >= 0 || buckets_[first].spilled.load(std::memory_order_acquire) == 0) return pos;
        return findIn(secondBucket(key, first), key);
    }

    // A free way of bucket b whose grace period is over, or -1.
    int findFree(uint32_t b);
    bool hasPendingFree(uint32_t b) const;
    void reclaimAll();
    int32_t place(uint32_t b, unsigned way, Key key, uint64_t dest, uint32_t now, uint32_t spilledFrom);
    // Frees a way of bucket b by moving one of its keys to that key's other bucket, making
    // room there the same way up to `depth` steps further; false when nothing can move.
    bool makeRoom(uint32_t b, unsigned depth, const MovedFn& moved);
    int32_t relocate(int32_t from, uint32_t to, unsigned way, const MovedFn& moved);

    rcu::QsbrDomain& rcu_;
    Bucket* buckets_ = nullptr;
    uint32_t count_ = 0;
    std::vector<uint64_t> freedAt_;  // per dense slot: RCU token of its removal, 0 = reusable
};

}  // namespace vtepgw::fdb
