// The overlay's tables on their own: the ARP table's semantics (snooped, moved, static,
// limited, removed, bulk lookups agreeing with single ones, room up to its capacity), and
// the VRF table's longest-prefix match against a plain reference, on both of its paths
// (scanned for a handful of routes, rte_fib beyond).
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "overlay/arp_table.h"
#include "overlay/vrf_table.h"
#include "rcu/qsbr.h"

using namespace vtepgw;
using overlay::LearnResult;

namespace {

rte_ether_addr mac(uint8_t last) { return rte_ether_addr{{0x02, 0, 0, 0, 0, last}}; }
uint64_t word(uint8_t last) { return overlay::macWord(mac(last).addr_bytes) | overlay::kPresent; }

class ArpTableTest : public ::testing::Test {
protected:
    static inline int seq = 0;
    rcu::QsbrDomain rcu{2};
    overlay::ArpTable table{"arp_test_" + std::to_string(seq++), 256, rcu, 0};
};

}  // namespace

TEST_F(ArpTableTest, SnoopedBindingsAreAddedRefreshedAndMoved) {
    EXPECT_EQ(table.lookup(1, 0x0A000001), 0u);
    EXPECT_EQ(table.learn(1, 0x0A000001, mac(1), 100, 1000), LearnResult::Added);
    EXPECT_EQ(table.lookup(1, 0x0A000001), word(1));
    EXPECT_EQ(table.lookup(2, 0x0A000001), 0u) << "bridges are separate";
    EXPECT_EQ(table.learn(1, 0x0A000001, mac(1), 105, 1000), LearnResult::Refreshed);
    EXPECT_EQ(table.learn(1, 0x0A000001, mac(2), 110, 1000), LearnResult::Moved);
    EXPECT_EQ(table.lookup(1, 0x0A000001), word(2));
    int seen = 0;
    table.forEach([&](const overlay::EntryView& v) {
        ++seen;
        EXPECT_EQ(v.bridge, 1);
        EXPECT_EQ(v.ipHost, 0x0A000001u);
        EXPECT_EQ(v.mac.addr_bytes[5], 2);
        EXPECT_FALSE(v.isStatic);
        EXPECT_EQ(v.updated, 110u);
        EXPECT_EQ(v.moves, 1u);
        EXPECT_EQ(v.lastMove, 110u);
    });
    EXPECT_EQ(seen, 1);
    EXPECT_EQ(table.size(), 1u);
    EXPECT_EQ(table.count(1), 1u);
}

TEST_F(ArpTableTest, StaticBindingsWinAndGoWhenNoLongerWanted) {
    ASSERT_EQ(table.learn(1, 0x0A000002, mac(9), 1, 1000), LearnResult::Added);
    ASSERT_TRUE(table.setStatics({{overlay::makeKey(1, 0x0A000002), mac(3)}, {overlay::makeKey(1, 0x0A000003), mac(4)}}, 2));
    EXPECT_EQ(table.lookup(1, 0x0A000002), word(3) | overlay::kStatic) << "a static binding replaces a snooped one";
    EXPECT_EQ(table.learn(1, 0x0A000002, mac(9), 3, 1000), LearnResult::StaticConflict);
    EXPECT_EQ(table.learn(1, 0x0A000002, mac(3), 3, 1000), LearnResult::Refreshed);
    EXPECT_EQ(table.size(), 2u);
    ASSERT_TRUE(table.setStatics({{overlay::makeKey(1, 0x0A000003), mac(4)}}, 4));
    EXPECT_EQ(table.lookup(1, 0x0A000002), 0u);
    EXPECT_EQ(table.lookup(1, 0x0A000003), word(4) | overlay::kStatic);
    EXPECT_EQ(table.size(), 1u);
}

TEST_F(ArpTableTest, TheBridgeLimitCountsSnoopedBindingsOnly) {
    ASSERT_TRUE(table.setStatics({{overlay::makeKey(5, 1), mac(1)}}, 1));
    EXPECT_EQ(table.learn(5, 2, mac(2), 1, 2), LearnResult::Added);
    EXPECT_EQ(table.learn(5, 3, mac(3), 1, 2), LearnResult::Added);
    EXPECT_EQ(table.learn(5, 4, mac(4), 1, 2), LearnResult::LimitReached);
    EXPECT_EQ(table.lookup(5, 4), 0u);
    EXPECT_EQ(table.learn(6, 4, mac(4), 1, 2), LearnResult::Added) << "another bridge has its own limit";
    EXPECT_TRUE(table.remove(overlay::makeKey(5, 2)));
    EXPECT_FALSE(table.remove(overlay::makeKey(5, 2)));
    EXPECT_EQ(table.learn(5, 4, mac(4), 2, 2), LearnResult::Added) << "a removal makes room under the limit";
}

TEST_F(ArpTableTest, FillsToItsCapacityAndBulkLookupsAgree) {
    std::mt19937 rng(7);
    std::vector<overlay::Key> keys;
    std::set<overlay::Key> distinct;
    while (keys.size() < table.capacity()) {
        const overlay::Key k = overlay::makeKey(static_cast<fdb::BridgeId>(rng() % 4), 0x0A000000u | (rng() & 0xFFFF));
        if (distinct.insert(k).second) keys.push_back(k);
    }
    for (size_t i = 0; i < keys.size(); ++i)
        ASSERT_EQ(table.learn(overlay::keyBridge(keys[i]), overlay::keyIp(keys[i]), mac(static_cast<uint8_t>(i)), 1,
                              100000),
                  LearnResult::Added)
            << i;
    EXPECT_EQ(table.learn(9, 1, mac(1), 1, 100000), LearnResult::Full);
    // Half removed again, so that lookups see holes and freed slots too.
    for (size_t i = 0; i < keys.size(); i += 2) ASSERT_TRUE(table.remove(keys[i]));
    for (size_t at = 0; at < keys.size(); at += 64) {
        const unsigned n = static_cast<unsigned>(std::min<size_t>(64, keys.size() - at));
        uint64_t words[64];
        table.lookupBulk(&keys[at], n, words);
        for (unsigned i = 0; i < n; ++i) {
            const size_t idx = at + i;
            EXPECT_EQ(words[i], idx % 2 ? word(static_cast<uint8_t>(idx)) : 0u) << idx;
            EXPECT_EQ(words[i], table.lookup(overlay::keyBridge(keys[idx]), overlay::keyIp(keys[idx])));
        }
    }
    EXPECT_EQ(table.size(), keys.size() / 2);
    size_t n = 0;
    table.forEach([&](const overlay::EntryView&) { ++n; });
    EXPECT_EQ(n, keys.size() / 2);
}

namespace {

// The longest matching prefix, the last one added among equals: what rte_fib answers.
uint64_t reference(const std::vector<overlay::VrfTable::Route>& routes, uint32_t ip) {
    int best = -1;
    uint64_t nh = overlay::VrfTable::kNoRoute;
    for (const auto& r : routes)
        if (r.prefix.contains(netaddr::Ipv4Address{ip}) && r.prefix.length >= best) {
            best = r.prefix.length;
            nh = uint64_t{r.bridge} | (r.local ? overlay::VrfTable::kLocal : 0);
        }
    return nh;
}

void expectAgreement(size_t routeCount, bool scanned, uint32_t seed) {
    std::mt19937 rng(seed);
    std::vector<overlay::VrfTable::Route> routes;
    for (size_t i = 0; i < routeCount; ++i) {
        // Prefixes inside 10.0.0.0/12 nest and overlap; /32s stand for the gateway's addresses.
        const uint8_t len = static_cast<uint8_t>(rng() % 4 == 0 ? 32 : 12 + rng() % 17);
        const uint32_t ip = 0x0A000000u | (rng() & 0x000FFFFF);
        netaddr::Ipv4Prefix p{netaddr::Ipv4Address{ip}, len};
        p.address = p.network();
        routes.push_back({p, static_cast<fdb::BridgeId>(i + 1), len == 32});
    }
    routes.push_back(routes.front());  // one prefix twice: the last one added wins
    routes.back().bridge = 999;
    overlay::VrfTable table("test", routes);
    EXPECT_EQ(table.scanned(), scanned);
    for (int round = 0; round < 200; ++round) {
        uint32_t ips[32];
        uint64_t got[32];
        for (auto& ip : ips)
            ip = rng() % 3 == 0 ? routes[rng() % routes.size()].prefix.address.host | (rng() & 0xFF)
                                : 0x0A000000u | (rng() & 0x001FFFFF);
        table.lookupBulk(ips, got, 32);
        for (int i = 0; i < 32; ++i) ASSERT_EQ(got[i], reference(routes, ips[i])) << std::hex << ips[i];
    }
}

}  // namespace

TEST(VrfTable, ScannedTablesMatchTheLongestPrefix) {
    for (uint32_t seed = 1; seed <= 20; ++seed) expectAgreement(1 + seed % (overlay::VrfTable::kScanned - 1), true, seed);
}

TEST(VrfTable, LargerTablesGoToTheFibAndAgree) {
    for (uint32_t seed = 1; seed <= 3; ++seed) expectAgreement(overlay::VrfTable::kScanned + 50 * seed, false, seed);
}

TEST(VrfTable, AnEmptyTableRoutesNothing) {
    overlay::VrfTable table("empty", {});
    uint32_t ip = 0x0A000001;
    uint64_t nh = 0;
    table.lookupBulk(&ip, &nh, 1);
    EXPECT_EQ(nh, overlay::VrfTable::kNoRoute);
}
