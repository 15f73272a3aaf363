// Underlay routing (longest prefix first) and the neighbour table's resolution life cycle.
#include <gtest/gtest.h>

#include "config/parse.h"
#include "underlay/igmp_host.h"
#include "underlay/mld_host.h"
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
    n.setNeeded(std::set<netaddr::IpAddress>{ip("10.0.0.1")});
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
    EXPECT_EQ(n.entries().at(netaddr::IpAddress{ip("10.0.0.1")}).state, underlay::NeighborState::Failed);
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
    n.setNeeded(std::set<netaddr::IpAddress>{ip("10.0.0.1"), ip("10.0.0.2")});
    n.want(ip("10.0.0.1"), 0);  // will fail: nobody answers
    n.want(ip("10.0.0.2"), 0);
    n.learn(ip("10.0.0.2"), mac, 10, false);
    for (uint64_t t = 1000; t <= 3000; t += 1000) n.tick(t);
    ASSERT_EQ(n.entries().at(netaddr::IpAddress{ip("10.0.0.1")}).state, underlay::NeighborState::Failed);
    // The flood VTEP behind both went away: neither is a next hop any more.
    n.setNeeded({});
    auto r = n.tick(3100);
    EXPECT_EQ(r.removed, 1u) << "the failed one goes at once";
    EXPECT_TRUE(r.probe.empty()) << "and is not asked again";
    EXPECT_EQ(n.entries().count(netaddr::IpAddress{ip("10.0.0.1")}), 0u);
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
    EXPECT_EQ(n.entries().count(netaddr::IpAddress{ip("10.0.0.7")}), 0u);
    EXPECT_EQ(n.lookup(ip("10.0.0.8")), mac);
}

namespace {

using vtepgw::underlay::IgmpHost;
using vtepgw::underlay::IgmpQuery;

// IGMP type of a frame from IgmpHost: after Ethernet (14) and the 24-byte IPv4 header.
uint8_t igmpType(const std::vector<uint8_t>& f) { return f.size() > 38 ? f[38] : 0; }

}  // namespace

TEST(IgmpHost, AnswersQueriesWithinMaxRespTimeNotAtOnce) {
    IgmpHost h(underlay::IgmpVersion::V3, 42);
    h.setIdentity(*MacAddress::parse("02:00:00:00:00:02"), ip("10.0.0.2"));
    auto joins = h.sync({ip("239.1.1.1").host, ip("239.1.1.2").host}, 0);
    ASSERT_EQ(joins.size(), 1u);
    EXPECT_EQ(igmpType(joins[0]), 0x22) << "one v3 report for both groups";
    EXPECT_EQ(h.tick(1000).size(), 1u) << "the unsolicited report is repeated once";
    EXPECT_TRUE(h.tick(2000).empty());

    h.onQuery(IgmpQuery{Ipv4Address{}, 3, 10000}, 5000);
    ASSERT_TRUE(h.generalAnswerAt());
    const uint64_t due = *h.generalAnswerAt();
    EXPECT_GE(due, 5000u);
    EXPECT_LE(due, 15000u);
    if (due > 5000) {
        EXPECT_TRUE(h.tick(due - 1).empty()) << "not before the chosen delay";
    }
    EXPECT_EQ(h.tick(due).size(), 1u);
    // Delays differ from query to query (a random choice, not a constant).
    std::set<uint64_t> delays;
    for (int i = 0; i < 8; ++i) {
        h.onQuery(IgmpQuery{Ipv4Address{}, 3, 10000}, 100000 * (i + 1));
        delays.insert(*h.generalAnswerAt() - 100000 * (i + 1));
        h.tick(100000 * (i + 1) + 10000);
    }
    EXPECT_GT(delays.size(), 4u);
}

TEST(IgmpHost, GroupSpecificQueriesGetThatGroupOnly) {
    IgmpHost h(underlay::IgmpVersion::V3, 7);
    h.sync({ip("239.1.1.1").host, ip("239.1.1.2").host}, 0);
    h.tick(1000);
    h.onQuery(IgmpQuery{ip("239.9.9.9"), 3, 1000}, 2000);
    EXPECT_TRUE(h.groupAnswersAt().empty()) << "not a member: no answer";
    h.onQuery(IgmpQuery{ip("239.1.1.2"), 3, 1000}, 2000);
    ASSERT_EQ(h.groupAnswersAt().size(), 1u);
    const auto out = h.tick(3000);
    ASSERT_EQ(out.size(), 1u);
    const auto& f = out[0];
    ASSERT_GE(f.size(), 54u);
    EXPECT_EQ(f[45], 1) << "one group record";
    EXPECT_EQ(std::vector<uint8_t>(f.begin() + 50, f.begin() + 54), (std::vector<uint8_t>{239, 1, 1, 2}));
}

TEST(IgmpHost, AnIgmpV2QuerierSwitchesUsToV2UntilItIsGone) {
    IgmpHost h(underlay::IgmpVersion::V3, 9);
    h.sync({ip("239.1.1.1").host}, 0);
    h.tick(1000);
    h.onQuery(IgmpQuery{Ipv4Address{}, 2, 1000}, 10000);
    EXPECT_EQ(h.version(10000), 2);
    auto out = h.tick(11000);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(igmpType(out[0]), 0x16) << "a v2 report to a v2 querier";
    auto leave = h.sync({}, 20000);
    ASSERT_EQ(leave.size(), 1u);
    EXPECT_EQ(igmpType(leave[0]), 0x17) << "a v2 leave";
    EXPECT_EQ(h.version(10000 + IgmpHost::kOlderQuerierMs), 3) << "back to v3 after 260 s without a v2 query";
    h.sync({ip("239.1.1.1").host}, 300000);
    EXPECT_EQ(igmpType(h.leaveAll(300001)[0]), 0x22) << "v3 leave at shutdown";
    EXPECT_TRUE(h.groups().empty());
}

TEST(IgmpHost, QueriesAreParsedByVersionAndMaxResp) {
    auto query = [](std::vector<uint8_t> igmp) {
        std::vector<uint8_t> f = {1, 0, 0x5e, 0, 0, 1, 2, 0, 0, 0, 0, 9, 0x08, 0x00,
                                  0x45, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 10, 0, 0, 9, 224, 0, 0, 1};
        f[17] = static_cast<uint8_t>(20 + igmp.size());
        f.insert(f.end(), igmp.begin(), igmp.end());
        f.resize(std::max<size_t>(f.size(), 60));  // Ethernet padding must not make v2 look like v3
        return underlay::parseIgmpQuery(f.data(), static_cast<uint32_t>(f.size()));
    };
    auto v2 = query({0x11, 100, 0, 0, 0, 0, 0, 0});
    ASSERT_TRUE(v2);
    EXPECT_EQ(v2->version, 2);
    EXPECT_EQ(v2->maxResponseMs, 10000u);
    auto v1 = query({0x11, 0, 0, 0, 0, 0, 0, 0});
    EXPECT_EQ(v1->version, 1);
    auto v3 = query({0x11, 0x8C, 0, 0, 239, 1, 1, 1, 0, 0, 0, 0});  // exp 0, mant 12: 28 << 3 = 224 tenths
    ASSERT_TRUE(v3);
    EXPECT_EQ(v3->version, 3);
    EXPECT_EQ(v3->maxResponseMs, 22400u);
    EXPECT_EQ(v3->group, ip("239.1.1.1"));
    EXPECT_FALSE(query({0x16, 0, 0, 0, 239, 1, 1, 1})) << "a report is not a query";
}

namespace {

using vtepgw::underlay::MldHost;
using MldQuery = vtepgw::packet::icmpv6::MldQuery;

netaddr::Ipv6Address ip6(const char* s) { return *netaddr::Ipv6Address::parse(s); }
// ICMPv6 type of an MLD frame (Ethernet 14, IPv6 40, hop-by-hop 8).
uint8_t mldType(const std::vector<uint8_t>& f) { return f.size() > 62 ? f[62] : 0; }
uint8_t mldRecordType(const std::vector<uint8_t>& f) { return f.size() > 70 ? f[70] : 0; }
rte_ether_addr ourMac() { return rte_ether_addr{{0x02, 0, 0, 0, 0, 0x02}}; }

}  // namespace

TEST(MldHost, JoinsAreRepeatedOnceAndQueriesAnsweredWithinTheirDelay) {
    MldHost h(42);
    h.setIdentity(ourMac());
    auto joins = h.sync({ip6("ff05::4242"), ip6("ff05::4243")}, 0);
    ASSERT_EQ(joins.size(), 1u);
    EXPECT_EQ(mldType(joins[0]), 143) << "one MLDv2 report for both groups";
    EXPECT_EQ(mldRecordType(joins[0]), 4) << "CHANGE_TO_EXCLUDE";
    EXPECT_EQ(joins[0][21], 1) << "hop limit 1";
    EXPECT_EQ(joins[0][22], 0xFE) << "from the link-local address";
    EXPECT_EQ(h.tick(1000).size(), 1u) << "the unsolicited report is repeated once";
    EXPECT_TRUE(h.tick(2000).empty());

    h.onQuery(MldQuery{netaddr::Ipv6Address{}, 2, 10000}, 5000);
    ASSERT_TRUE(h.generalAnswerAt());
    const uint64_t due = *h.generalAnswerAt();
    EXPECT_GE(due, 5000u);
    EXPECT_LE(due, 15000u);
    if (due > 5000) {
        EXPECT_TRUE(h.tick(due - 1).empty()) << "not before the chosen delay";
    }
    const auto answer = h.tick(due);
    ASSERT_EQ(answer.size(), 1u);
    EXPECT_EQ(mldRecordType(answer[0]), 2) << "MODE_IS_EXCLUDE";
    std::set<uint64_t> delays;
    for (int i = 0; i < 8; ++i) {
        h.onQuery(MldQuery{netaddr::Ipv6Address{}, 2, 10000}, 100000 * (i + 1));
        delays.insert(*h.generalAnswerAt() - 100000 * (i + 1));
        h.tick(100000 * (i + 1) + 10000);
    }
    EXPECT_GT(delays.size(), 4u) << "a random delay, not a constant";
}

TEST(MldHost, GroupSpecificQueriesAndLeaves) {
    MldHost h(7);
    h.setIdentity(ourMac());
    h.sync({ip6("ff05::4242"), ip6("ff05::4243")}, 0);
    h.tick(1000);
    h.onQuery(MldQuery{ip6("ff05::9999"), 2, 1000}, 5000);
    EXPECT_TRUE(h.groupAnswersAt().empty()) << "not a member: nothing to say";
    h.onQuery(MldQuery{ip6("ff05::4243"), 2, 1000}, 5000);
    ASSERT_EQ(h.groupAnswersAt().size(), 1u);
    const auto answer = h.tick(6000);
    ASSERT_EQ(answer.size(), 1u);
    ASSERT_GE(answer[0].size(), 14u + 40 + 8 + 8 + 20);
    EXPECT_EQ(answer[0][69], 1) << "one record (number of records, low byte)";
    const auto g = ip6("ff05::4243");
    EXPECT_TRUE(std::equal(g.bytes.begin(), g.bytes.end(), answer[0].begin() + 74));
    const auto leave = h.sync({ip6("ff05::4242")}, 7000);
    ASSERT_EQ(leave.size(), 1u);
    EXPECT_EQ(mldRecordType(leave[0]), 3) << "CHANGE_TO_INCLUDE {}: leave";
    EXPECT_EQ(h.groups().size(), 1u);
}

TEST(MldHost, AnMldv1QuerierSwitchesUsToMldv1UntilItIsGone) {
    MldHost h(9);
    h.setIdentity(ourMac());
    h.sync({ip6("ff05::4242")}, 0);
    h.tick(1000);  // the join's repeat
    h.onQuery(MldQuery{netaddr::Ipv6Address{}, 1, 0}, 10000);
    EXPECT_EQ(h.version(10000), 1);
    const auto answer = h.tick(10000);
    ASSERT_EQ(answer.size(), 1u);
    EXPECT_EQ(mldType(answer[0]), 131) << "MLDv1 report";
    const auto leave = h.leaveAll(20000);
    ASSERT_EQ(leave.size(), 1u);
    EXPECT_EQ(mldType(leave[0]), 132) << "MLDv1 done";
    EXPECT_EQ(h.version(10000 + MldHost::kOlderQuerierMs), 2) << "back to MLDv2 after the timeout";
}

TEST(MldHost, QueriesAreParsedByVersionAndMaximumResponseCode) {
    // An MLDv2 query with Maximum Response Code 0x8ABC: (0xABC | 0x1000) << (0 + 3) ms.
    std::vector<uint8_t> body(28, 0);
    body[0] = 130;
    body[4] = 0x8A;
    body[5] = 0xBC;
    vtepgw::packet::icmpv6::View v;
    v.type = 130;
    v.body = body.data();
    v.len = 28;
    auto q = vtepgw::packet::icmpv6::parseMldQuery(v);
    ASSERT_TRUE(q);
    EXPECT_EQ(q->version, 2);
    EXPECT_EQ(q->maxResponseMs, uint64_t{0x1ABC} << 3);
    v.len = 24;
    body[4] = 0x27;
    body[5] = 0x10;
    q = vtepgw::packet::icmpv6::parseMldQuery(v);
    ASSERT_TRUE(q);
    EXPECT_EQ(q->version, 1);
    EXPECT_EQ(q->maxResponseMs, 10000u);
    v.len = 26;
    EXPECT_FALSE(vtepgw::packet::icmpv6::parseMldQuery(v)) << "neither version's length";
    v.len = 28;
    body[8] = 0x20;  // a unicast "group"
    EXPECT_FALSE(vtepgw::packet::icmpv6::parseMldQuery(v));
}
