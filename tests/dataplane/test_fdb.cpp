// MAC table semantics: learn, lookup, move, static, ageing, removal, and removal while
// another thread keeps looking up (RCU).
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <random>
#include <thread>

#include "fdb/fdb.h"
#include "rcu/qsbr.h"

using namespace vtepgw;
using fdb::Dest;
using fdb::LearnResult;

namespace {

uint8_t kMacA[6] = {0x02, 0, 0, 0, 0, 0x0a};
uint8_t kMacB[6] = {0x02, 0, 0, 0, 0, 0x0b};

class FdbTest : public ::testing::Test {
protected:
    static inline int seq = 0;
    rcu::QsbrDomain rcu{2};
    fdb::Fdb table{"fdb_test_" + std::to_string(seq++), 1024, rcu, 0};

    Dest at(fdb::Key k) {
        const int32_t pos = table.lookup(k);
        return pos < 0 ? Dest{} : table.dest(pos);
    }
};

}  // namespace

TEST_F(FdbTest, LearnThenLookup) {
    const auto k = fdb::makeKey(3, kMacA);
    EXPECT_EQ(fdb::keyBridge(k), 3);
    uint8_t mac[6];
    fdb::keyMac(k, mac);
    EXPECT_EQ(0, memcmp(mac, kMacA, 6));
    EXPECT_LT(table.lookup(k), 0);
    EXPECT_EQ(table.learn(k, Dest::local(1, 0), 100), LearnResult::Added);
    EXPECT_EQ(at(k).kind(), fdb::DestKind::Local);
    EXPECT_EQ(at(k).port(), 1);
    EXPECT_EQ(table.learn(k, Dest::local(1, 0), 101), LearnResult::Refreshed);
    EXPECT_EQ(table.size(), 1u);
}

TEST_F(FdbTest, SameMacInTwoBridgesIsTwoEntries) {
    table.learn(fdb::makeKey(1, kMacA), Dest::local(1, 0), 1);
    table.learn(fdb::makeKey(2, kMacA), Dest::remote(0x0a000009), 1);
    EXPECT_EQ(at(fdb::makeKey(1, kMacA)).kind(), fdb::DestKind::Local);
    EXPECT_EQ(at(fdb::makeKey(2, kMacA)).tunnel(), 0x0a000009u);
    EXPECT_EQ(table.size(), 2u);
}

TEST_F(FdbTest, MoveIsCountedWithItsTime) {
    const auto k = fdb::makeKey(1, kMacA);
    table.learn(k, Dest::local(1, 0), 10);
    EXPECT_EQ(table.learn(k, Dest::remote(0x0a000009), 20), LearnResult::Moved);
    EXPECT_EQ(table.learn(k, Dest::local(1, 5), 30), LearnResult::Moved);
    EXPECT_EQ(at(k).vlan(), 5);
    size_t seen = 0;
    table.forEach([&](const fdb::EntryView& v) {
        ++seen;
        EXPECT_EQ(v.moves, 2u);
        EXPECT_EQ(v.lastMove, 30u);
        EXPECT_EQ(v.created, 10u);
    });
    EXPECT_EQ(seen, 1u);
}

TEST_F(FdbTest, StaticEntriesWinOverLearningAndNeverAge) {
    const auto k = fdb::makeKey(1, kMacA);
    table.learn(k, Dest::local(1, 0), 1);
    ASSERT_TRUE(table.addStatic(k, Dest::remote(0x0a000009), 1));
    EXPECT_TRUE(at(k).isStatic());
    EXPECT_EQ(table.learn(k, Dest::local(2, 0), 2), LearnResult::StaticConflict);
    EXPECT_EQ(at(k).tunnel(), 0x0a000009u);
    EXPECT_EQ(table.age(100000, 300), 0u);
    EXPECT_GE(table.lookup(k), 0);
}

TEST_F(FdbTest, AgeingRemovesOnlyIdleDynamicEntries) {
    const auto a = fdb::makeKey(1, kMacA), b = fdb::makeKey(1, kMacB);
    table.learn(a, Dest::local(1, 0), 100);
    table.learn(b, Dest::local(1, 0), 100);
    table.refresh(table.lookup(b), 350);  // a worker saw B recently
    EXPECT_EQ(table.age(400, 300), 0u);
    EXPECT_EQ(table.age(401, 300), 1u);
    EXPECT_LT(table.lookup(a), 0);
    EXPECT_GE(table.lookup(b), 0);
    EXPECT_EQ(table.age(1000000, 0), 0u) << "ageing 0 means never";
}

TEST_F(FdbTest, BulkLookupFindsHitsAndMisses) {
    fdb::Key keys[64];
    for (unsigned i = 0; i < 64; ++i) {
        uint8_t mac[6] = {0x02, 0, 0, 0, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
        keys[i] = fdb::makeKey(1, mac);
        if (i % 2 == 0) table.learn(keys[i], Dest::local(static_cast<uint16_t>(i), 0), 1);
    }
    int32_t pos[64];
    table.lookupBulk(keys, 64, pos);
    for (unsigned i = 0; i < 64; ++i) {
        if (i % 2) {
            EXPECT_LT(pos[i], 0);
        } else {
            ASSERT_GE(pos[i], 0);
            EXPECT_EQ(table.dest(pos[i]).port(), i);
        }
    }
}

TEST_F(FdbTest, FullTableRefusesNewMacs) {
    size_t added = 0, full = 0;
    for (unsigned i = 0; i < 4096; ++i) {
        uint8_t mac[6] = {0x02, 1, 0, 0, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
        const auto r = table.learn(fdb::makeKey(1, mac), Dest::local(1, 0), 1);
        added += r == LearnResult::Added;
        full += r == LearnResult::Full;
    }
    EXPECT_EQ(added, 1024u);
    EXPECT_EQ(full, 4096u - 1024u);
}

TEST_F(FdbTest, RemovalWhileAReaderLooksUp) {
    // A reader thread hammers lookups of keys the writer keeps adding, moving and removing;
    // every destination it reads must be one the writer stored for that key.
    rcu.registerReader(0);
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> lookups{0}, bad{0};
    fdb::Key keys[64];
    for (unsigned i = 0; i < 64; ++i) {
        uint8_t mac[6] = {0x02, 2, 0, 0, 0, static_cast<uint8_t>(i)};
        keys[i] = fdb::makeKey(7, mac);
    }
    std::thread reader([&] {
        rcu.online(0);
        int32_t pos[64];
        while (!stop.load()) {
            table.lookupBulk(keys, 64, pos);
            for (unsigned i = 0; i < 64; ++i) {
                if (pos[i] < 0) continue;
                const Dest d = table.dest(pos[i]);
                // Valid: none (being created or removed) or local port == key index.
                if (d.kind() != fdb::DestKind::None && !(d.kind() == fdb::DestKind::Local && d.port() == i))
                    ++bad;
            }
            lookups += 64;
            rcu.quiescent(0);
        }
        rcu.offline(0);
    });
    while (lookups.load() == 0) std::this_thread::yield();  // the churn must overlap the reads
    // Re-adding a key at once reuses slots whose grace period is pending, so most rounds wait
    // for the reader (a scheduler slice where both threads share a CPU): few rounds suffice.
    for (int round = 0; round < 300; ++round) {
        for (unsigned i = 0; i < 64; ++i) table.learn(keys[i], Dest::local(static_cast<uint16_t>(i), 0), 1);
        for (unsigned i = 0; i < 64; ++i) table.remove(keys[i]);
    }
    stop.store(true);
    reader.join();
    rcu.unregisterReader(0);
    EXPECT_EQ(bad.load(), 0u);
    EXPECT_GT(lookups.load(), 0u);
    EXPECT_EQ(table.size(), 0u);
}

TEST_F(FdbTest, BridgeLimitStopsLearningInThatBridgeOnly) {
    for (unsigned i = 0; i < 10; ++i) {
        uint8_t mac[6] = {0x02, 3, 0, 0, 0, static_cast<uint8_t>(i)};
        EXPECT_EQ(table.learn(fdb::makeKey(1, mac), Dest::local(1, 0), 1, 4),
                  i < 4 ? LearnResult::Added : LearnResult::LimitReached);
        EXPECT_EQ(table.learn(fdb::makeKey(2, mac), Dest::local(1, 0), 1, 0), LearnResult::Added)
            << "another tenant is not affected";
    }
    EXPECT_EQ(table.dynamicCount(1), 4u);
    EXPECT_EQ(table.dynamicCount(2), 10u);
    // Statics do not count against the limit; removing a learned MAC makes room.
    uint8_t s[6] = {0x02, 4, 0, 0, 0, 1};
    EXPECT_TRUE(table.addStatic(fdb::makeKey(1, s), Dest::local(2, 0), 1));
    EXPECT_EQ(table.dynamicCount(1), 4u);
    uint8_t first[6] = {0x02, 3, 0, 0, 0, 0};
    EXPECT_TRUE(table.remove(fdb::makeKey(1, first)));
    EXPECT_EQ(table.dynamicCount(1), 3u);
    uint8_t fresh[6] = {0x02, 3, 0, 0, 0, 99};
    EXPECT_EQ(table.learn(fdb::makeKey(1, fresh), Dest::local(1, 0), 2, 4), LearnResult::Added);
}

TEST_F(FdbTest, FlappingIsFlaggedOnceWithinTheWindow) {
    const auto k = fdb::makeKey(1, kMacA);
    const fdb::FlapPolicy policy{3, 10};
    table.learn(k, Dest::local(1, 0), 100, 0, policy);
    std::vector<LearnResult> results;
    for (uint32_t i = 0; i < 6; ++i)
        results.push_back(table.learn(k, Dest::local(static_cast<uint16_t>(2 + i % 2), 0), 101 + i, 0, policy));
    EXPECT_EQ(results, (std::vector<LearnResult>{LearnResult::Moved, LearnResult::Moved, LearnResult::Moved,
                                                 LearnResult::StartedFlapping, LearnResult::Moved,
                                                 LearnResult::Moved}));
    bool flagged = false;
    table.forEach([&](const fdb::EntryView& v) { flagged = v.flapping; });
    EXPECT_TRUE(flagged);
    // A quiet window clears the flag.
    EXPECT_EQ(table.learn(k, Dest::local(1, 0), 200, 0, policy), LearnResult::Moved);
    table.forEach([&](const fdb::EntryView& v) { flagged = v.flapping; });
    EXPECT_FALSE(flagged);
}

namespace {
fdb::Key randomKey(std::mt19937_64& rng, fdb::BridgeId bridge) {
    const uint64_t r = rng();
    uint8_t mac[6];
    std::memcpy(mac, &r, 6);
    mac[0] &= 0xFE;  // unicast
    return fdb::makeKey(bridge, mac);
}
}  // namespace

TEST(FdbBuckets, EveryTableFillsToItsCapacityAndFindsEveryKey) {
    // Two choices and one step of moving must place every key up to the capacity, whatever
    // the keys; spilled keys (in their second bucket) must be found like the others.
    rcu::QsbrDomain rcu{1};
    for (uint32_t capacity : {1024u, 1500u, 4096u, 100000u}) {
        for (uint64_t seed = 1; seed <= 3; ++seed) {
            fdb::Fdb table("fdb_fill_" + std::to_string(capacity) + "_" + std::to_string(seed), capacity, rcu, 0);
            std::mt19937_64 rng(seed);
            std::vector<fdb::Key> keys;
            while (keys.size() < capacity) {
                const auto k = randomKey(rng, static_cast<fdb::BridgeId>(rng() % 4));
                if (table.learn(k, Dest::remote(static_cast<uint32_t>(keys.size())), 1) == LearnResult::Added)
                    keys.push_back(k);
                else
                    ASSERT_GE(table.lookup(k), 0) << "only a duplicate may fail below the capacity";
            }
            EXPECT_EQ(table.size(), capacity);
            EXPECT_GT(table.spilled(), 0u) << "a full table has spilled keys to test";
            EXPECT_EQ(table.learn(randomKey(rng, 5), Dest::local(1, 0), 1), LearnResult::Full);
            for (size_t i = 0; i < keys.size(); ++i) {
                const int32_t pos = table.lookup(keys[i]);
                ASSERT_GE(pos, 0) << "key " << i << " of " << capacity;
                EXPECT_EQ(table.dest(pos).tunnel(), i);
            }
            // Removing every other key (spilled or not) leaves the rest findable and makes
            // room that new keys can take at once (the slots' grace periods pass: no readers).
            for (size_t i = 0; i < keys.size(); i += 2) ASSERT_TRUE(table.remove(keys[i]));
            for (size_t i = 1; i < keys.size(); i += 2) ASSERT_GE(table.lookup(keys[i]), 0);
            for (size_t i = 0; i < keys.size(); i += 2) EXPECT_LT(table.lookup(keys[i]), 0);
            size_t added = 0;
            for (size_t i = 0; i < keys.size() / 2; ++i)
                added += table.learn(randomKey(rng, 6), Dest::local(2, 0), 2) == LearnResult::Added;
            EXPECT_EQ(added, keys.size() / 2);
        }
    }
}

TEST(FdbBuckets, SequentialMacsSpreadOverTheBucketsLikeRandomOnes) {
    // MACs handed out in sequence (a hypervisor's, a traffic generator's sweep) differ in their
    // low bits only; they must not crowd into a few buckets and spill. At a quarter of the
    // slots used, random keys spill about 1.5 %; a linear hash alone spilled more than half.
    rcu::QsbrDomain rcu{1};
    for (uint32_t n : {1000u, 2000u, 50000u}) {
        fdb::Fdb table("fdb_seq_" + std::to_string(n), 2 * n, rcu, 0);
        for (uint32_t i = 0; i < n; ++i) {
            const uint8_t mac[6] = {0x52, 0x54, 0x00, static_cast<uint8_t>(i >> 16), static_cast<uint8_t>(i >> 8),
                                    static_cast<uint8_t>(i)};
            ASSERT_EQ(table.learn(fdb::makeKey(1, mac), Dest::remote(i % 64), 1), LearnResult::Added);
        }
        EXPECT_LT(table.spilled(), n / 20) << n << " sequential MACs";
    }
}

TEST(FdbBuckets, AReaderNeverPairsAKeyWithAnotherKeysDestinationInAFullTable) {
    // A full table churns: spills, moves to make room and slot reuse all happen while a
    // reader looks every key up; each destination it reads must be its own key's (or none).
    rcu::QsbrDomain rcu{1};
    constexpr uint32_t kCap = 256;
    fdb::Fdb table("fdb_churn", kCap, rcu, 0);
    std::mt19937_64 rng(11);
    std::vector<fdb::Key> keys(4 * kCap);
    for (auto& k : keys) k = randomKey(rng, 1);
    auto destOf = [&](size_t i) { return Dest::remote(static_cast<uint32_t>(i) + 1); };
    rcu.registerReader(0);
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> found{0}, bad{0};
    std::thread reader([&] {
        rcu.online(0);
        int32_t pos[64];
        while (!stop.load()) {
            for (size_t at = 0; at < keys.size(); at += 64) {
                table.lookupBulk(&keys[at], 64, pos);
                for (unsigned i = 0; i < 64; ++i) {
                    if (pos[i] < 0) continue;
                    const Dest d = table.dest(pos[i]);
                    if (d.kind() == fdb::DestKind::None) continue;
                    ++found;
                    if (d.word != destOf(at + i).word) ++bad;
                }
                rcu.quiescent(0);
            }
        }
        rcu.offline(0);
    });
    std::vector<bool> in(keys.size(), false);
    for (size_t i = 0; i < kCap; ++i) in[i] = table.learn(keys[i], destOf(i), 1) == LearnResult::Added;
    while (found.load() == 0) std::this_thread::yield();  // the churn must overlap the reads
    for (int step = 0; step < 40000; ++step) {
        const size_t i = rng() % keys.size();
        if (in[i]) {
            ASSERT_TRUE(table.remove(keys[i]));
            in[i] = false;
        } else if (table.learn(keys[i], destOf(i), 1) == LearnResult::Added) {
            in[i] = true;
        }
    }
    stop.store(true);
    reader.join();
    rcu.unregisterReader(0);
    EXPECT_EQ(bad.load(), 0u);
    EXPECT_GT(found.load(), 0u);
    for (size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(table.lookup(keys[i]) >= 0, in[i]) << i;
}
