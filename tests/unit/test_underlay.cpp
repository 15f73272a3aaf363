// Underlay routing (longest prefix first) and the neighbour table's resolution life cycle.
#include <gtest/gtest.h>

#include "config/parse.h"
#include "underlay/neighbors.h"
#include "underlay/routes.h"

using namespace vtepgw;
using netaddr::Ipv4Address;
using netaddr::MacAddress;

namespace {
Ipv4Address ip(const char* s) { return *Ipv4Address::parse(s); }
}  // namespace

TEST(Routes, ConnectedThenLongestStaticThenGateway) {
    auto r = config::parse(R"({"ports": {"up": {"device": "x"}},
        "underlay": {"port": "up", "address": "192.168.2.68/24", "gateway": "192.168.2.1",
                     "routes": [{"prefix": "172.16.0.0/16", "via": "192.168.2.253"},
                                {"prefix": "172.16.3.1/32", "via": "192.168.2.254"}]}})");
    ASSERT_TRUE(r.config) << r.errors[0].toString();
    underlay::RouteTable t(r.config->underlay);
    EXPECT_EQ(t.nextHop(ip("192.168.2.9"))->toString(), "192.168.2.9") << "connected: the host itself";
    EXPECT_EQ(t.nextHop(ip("172.16.3.1"))->toString(), "192.168.2.254") << "/32 beats /16";
    EXPECT_EQ(t.nextHop(ip("172.16.3.2"))->toString(), "192.168.2.253");
    EXPECT_EQ(t.nextHop(ip("8.8.8.8"))->toString(), "192.168.2.1") << "default gateway";
}

TEST(Routes, NoGatewayMeansNoRoute) {
    auto r = config::parse(R"({"ports": {"up": {"device": "x"}},
        "underlay": {"port": "up", "address": "10.0.0.2/24"}})");
    ASSERT_TRUE(r.config);
    underlay::RouteTable t(r.config->underlay);
    EXPECT_FALSE(t.nextHop(ip("10.9.0.1")));
}

TEST(Neighbors, ResolvesWithRetriesThenFailsAndDropsHeld) {
    underlay::NeighborTable n({1000, 3, 5000, 60000, 2});
    auto* fake1 = reinterpret_cast<rte_mbuf*>(0x1000);
    auto* fake2 = reinterpret_cast<rte_mbuf*>(0x2000);
    auto* fake3 = reinterpret_cast<rte_mbuf*>(0x3000);
    n.setNeeded({ip("10.0.0.1").host});
    EXPECT_TRUE(n.want(ip("10.0.0.1"), 0)) << "first want sends a request";
    EXPECT_FALSE(n.want(ip("10.0.0.1"), 10)) << "no duplicate request";
    EXPECT_TRUE(n.hold(ip("10.0.0.1"), fake1, 10));
    EXPECT_TRUE(n.hold(ip("10.0.0.1"), fake2, 10));
    EXPECT_FALSE(n.hold(ip("10.0.0.1"), fake3, 10)) << "the hold queue is bounded";
    EXPECT_TRUE(n.tick(500).probe.empty());
    EXPECT_EQ(n.tick(1000).probe.size(), 1u);
    EXPECT_EQ(n.tick(2000).probe.size(), 1u);
    auto t = n.tick(3000);
    EXPECT_TRUE(t.probe.empty());
    EXPECT_EQ(t.expired, (std::vector<rte_mbuf*>{fake1, fake2})) << "after 3 probes the held packets go";
    EXPECT_EQ(n.entries().at(ip("10.0.0.1").host).state, underlay::NeighborState::Failed);
    EXPECT_FALSE(n.lookup(ip("10.0.0.1")));
    EXPECT_EQ(n.tick(8000).probe.size(), 1u) << "a failed neighbour is retried later";
}

TEST(Neighbors, ReplyReleasesHeldPacketsAndStaticNeverChanges) {
    underlay::NeighborTable n;
    auto* fake = reinterpret_cast<rte_mbuf*>(0x1000);
    n.hold(ip("10.0.0.1"), fake, 0);
    const MacAddress mac = *MacAddress::parse("02:00:00:00:00:01");
    auto u = n.learn(ip("10.0.0.1"), mac, 5, false);
    EXPECT_TRUE(u.changed);
    EXPECT_EQ(u.released, std::vector<rte_mbuf*>{fake});
    EXPECT_EQ(*n.lookup(ip("10.0.0.1")), mac);
    EXPECT_FALSE(n.learn(ip("10.0.0.9"), mac, 5, false).changed) << "unknown senders are not created";
    EXPECT_FALSE(n.lookup(ip("10.0.0.9")));
    n.setStatics({{ip("10.0.0.7"), mac}});
    EXPECT_FALSE(n.learn(ip("10.0.0.7"), *MacAddress::parse("02:00:00:00:00:02"), 6, true).changed);
    EXPECT_EQ(*n.lookup(ip("10.0.0.7")), mac);
}

TEST(Neighbors, EntriesNoLongerNeededAreRemovedNotProbedForever) {
    underlay::NeighborTable n({1000, 3, 5000, 60000, 2});
    const MacAddress mac = *MacAddress::parse("02:00:00:00:00:01");
    n.setNeeded({ip("10.0.0.1").host, ip("10.0.0.2").host});
    n.want(ip("10.0.0.1"), 0);  // will fail: nobody answers
    n.want(ip("10.0.0.2"), 0);
    n.learn(ip("10.0.0.2"), mac, 10, false);
    for (uint64_t t = 1000; t <= 3000; t += 1000) n.tick(t);
    ASSERT_EQ(n.entries().at(ip("10.0.0.1").host).state, underlay::NeighborState::Failed);
    // The flood VTEP behind both went away: neither is a next hop any more.
    n.setNeeded({});
    auto r = n.tick(3100);
    EXPECT_EQ(r.removed, 1u) << "the failed one goes at once";
    EXPECT_TRUE(r.probe.empty()) << "and is not asked again";
    EXPECT_EQ(n.entries().count(ip("10.0.0.1").host), 0u);
    EXPECT_EQ(n.lookup(ip("10.0.0.2")), mac) << "a resolved one stays until its refresh is due";
    EXPECT_TRUE(n.tick(59000).probe.empty());
    r = n.tick(60010);
    EXPECT_EQ(r.removed, 1u);
    EXPECT_TRUE(r.probe.empty()) << "an unneeded neighbour is not refreshed";
    EXPECT_TRUE(n.entries().empty());
}

TEST(Neighbors, StaticEntriesFollowTheConfiguredList) {
    underlay::NeighborTable n;
    const MacAddress mac = *MacAddress::parse("02:00:00:00:00:01");
    n.setStatics({{ip("10.0.0.7"), mac}, {ip("10.0.0.8"), mac}});
    n.setStatics({{ip("10.0.0.8"), mac}});
    EXPECT_FALSE(n.lookup(ip("10.0.0.7"))) << "a static neighbour removed from the configuration is gone";
    EXPECT_EQ(n.entries().count(ip("10.0.0.7").host), 0u);
    EXPECT_EQ(n.lookup(ip("10.0.0.8")), mac);
}
