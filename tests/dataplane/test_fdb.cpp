// MAC table semantics: learn, lookup, move, static, ageing, removal, and removal while
// another thread keeps looking up (RCU).
#include <gtest/gtest.h>

#include <atomic>
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
        return pos < 0 ? Dest{} : Dest{table.entry(pos).dest.load()};
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
    table.entry(table.lookup(b)).lastSeen.store(350);  // a worker saw B recently
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
            EXPECT_EQ(Dest{table.entry(pos[i]).dest.load()}.port(), i);
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
                const Dest d{table.entry(pos[i]).dest.load(std::memory_order_acquire)};
                // Valid: none (being created or removed) or local port == key index.
                if (d.kind() != fdb::DestKind::None && !(d.kind() == fdb::DestKind::Local && d.port() == i))
                    ++bad;
            }
            lookups += 64;
            rcu.quiescent(0);
        }
        rcu.offline(0);
    });
    for (int round = 0; round < 2000; ++round) {
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
