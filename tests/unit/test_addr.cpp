#include <gtest/gtest.h>

#include "netaddr/addr.h"

using namespace vtepgw::netaddr;

TEST(MacAddress, ParsesAndPrints) {
    auto m = MacAddress::parse("02:00:00:00:0A:ff");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->toString(), "02:00:00:00:0a:ff");
    EXPECT_FALSE(m->isMulticast());
    EXPECT_EQ(MacAddress::fromU64(m->toU64()), *m);
    EXPECT_TRUE(MacAddress::parse("01-00-5e-00-00-01")->isMulticast());
}

TEST(MacAddress, RejectsMalformed) {
    for (const char* bad : {"", "02:00:00:00:00", "02:00:00:00:00:0g", "02:00:00-00:00:00",
                            "0200.0000.0001", "02:00:00:00:00:001"})
        EXPECT_FALSE(MacAddress::parse(bad)) << bad;
}

TEST(Ipv4Address, ParsesStrictly) {
    EXPECT_EQ(Ipv4Address::parse("192.168.2.68")->host, 0xC0A80244u);
    for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1..2.3", "a.b.c.d",
                            "1.2.3.4 "})
        EXPECT_FALSE(Ipv4Address::parse(bad)) << bad;
}

TEST(Ipv4Prefix, ContainsAndMasks) {
    auto p = Ipv4Prefix::parse("192.168.2.68/24");
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->hasHostBits());
    EXPECT_EQ(p->network().toString(), "192.168.2.0");
    EXPECT_TRUE(p->contains(*Ipv4Address::parse("192.168.2.1")));
    EXPECT_FALSE(p->contains(*Ipv4Address::parse("192.168.3.1")));
    EXPECT_TRUE(Ipv4Prefix::parse("0.0.0.0/0")->contains(*Ipv4Address::parse("8.8.8.8")));
    EXPECT_FALSE(Ipv4Prefix::parse("1.2.3.4/33"));
    EXPECT_FALSE(Ipv4Prefix::parse("1.2.3.4"));
    EXPECT_EQ(Ipv4Prefix::parse("1.2.3.4", true)->length, 32);
}

TEST(Multicast, MacForGroupUsesLow23Bits) {
    EXPECT_EQ(multicastMacFor(*Ipv4Address::parse("239.0.0.1")).toString(), "01:00:5e:00:00:01");
    EXPECT_EQ(multicastMacFor(*Ipv4Address::parse("239.129.2.3")).toString(), "01:00:5e:01:02:03");
}
