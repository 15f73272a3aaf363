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

TEST(Ipv6Address, ParsesRfc4291Forms) {
    auto a = Ipv6Address::parse("2001:db8:62::68");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->bytes[0], 0x20);
    EXPECT_EQ(a->bytes[1], 0x01);
    EXPECT_EQ(a->bytes[5], 0x62);
    EXPECT_EQ(a->bytes[15], 0x68);
    EXPECT_EQ(a->toString(), "2001:db8:62::68");
    EXPECT_EQ(Ipv6Address::parse("2001:0DB8:0000:0000:0000:0000:0000:0001")->toString(), "2001:db8::1");
    EXPECT_EQ(Ipv6Address::parse("::")->toString(), "::");
    EXPECT_TRUE(Ipv6Address::parse("::")->isUnspecified());
    EXPECT_TRUE(Ipv6Address::parse("::1")->isLoopback());
    EXPECT_TRUE(Ipv6Address::parse("fe80::1")->isLinkLocal());
    EXPECT_TRUE(Ipv6Address::parse("ff05::4242")->isMulticast());
    EXPECT_EQ(Ipv6Address::parse("ff05::4242")->multicastScope(), 5);
    EXPECT_TRUE(Ipv6Address::parse("::ffff:192.0.2.1")->isV4Mapped());
    EXPECT_EQ(Ipv6Address::parse("1:2:3:4:5:6:7::")->toString(), "1:2:3:4:5:6:7:0");
    for (const char* bad : {"", ":", ":::", "1:::2", "1::2::3", "12345::", "g::1", "1:2:3:4:5:6:7:8:9",
                            "1:2:3:4:5:6:7", ":1::", "1::2:", "2001:db8::1/64", "[::1]", "1.2.3.4",
                            "::1.2.3", "1:2:3:4:5:6:7::8"})
        EXPECT_FALSE(Ipv6Address::parse(bad)) << bad;
}

TEST(Ipv6Address, DerivedAddresses) {
    const auto a = *Ipv6Address::parse("2001:db8:62::12:3468");
    EXPECT_EQ(a.solicitedNode().toString(), "ff02::1:ff12:3468");
    EXPECT_EQ(multicastMacFor(*Ipv6Address::parse("ff02::1:ff12:3468")).toString(), "33:33:ff:12:34:68");
    EXPECT_EQ(linkLocalFor(*MacAddress::parse("02:00:00:00:00:68")).toString(), "fe80::ff:fe00:68");
}

TEST(Ipv6Prefix, ContainsAndMasks) {
    auto p = Ipv6Prefix::parse("2001:db8:62::68/64");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->length, 64);
    EXPECT_EQ(p->network().toString(), "2001:db8:62::");
    EXPECT_TRUE(p->hasHostBits());
    EXPECT_TRUE(p->contains(*Ipv6Address::parse("2001:db8:62::1")));
    EXPECT_FALSE(p->contains(*Ipv6Address::parse("2001:db8:61::67")));
    EXPECT_TRUE(Ipv6Prefix::parse("2001:db8:60::/44")->contains(*Ipv6Address::parse("2001:db8:6f::1")));
    EXPECT_FALSE(Ipv6Prefix::parse("2001:db8:60::/44")->contains(*Ipv6Address::parse("2001:db8:70::1")));
    EXPECT_TRUE(Ipv6Prefix::parse("::/0")->contains(*Ipv6Address::parse("2001:db8::1")));
    EXPECT_FALSE(Ipv6Prefix::parse("::/129"));
    EXPECT_FALSE(Ipv6Prefix::parse("::1"));
    EXPECT_EQ(Ipv6Prefix::parse("::1", true)->length, 128);
}

TEST(IpAddress, BothFamiliesOneOrder) {
    const auto v4 = IpAddress::parse("192.168.61.67");
    const auto v6 = IpAddress::parse("2001:db8:61::67");
    ASSERT_TRUE(v4 && v6);
    EXPECT_TRUE(v4->isV4());
    EXPECT_TRUE(v6->isV6());
    EXPECT_EQ(v4->toString(), "192.168.61.67");
    EXPECT_EQ(v4->v4(), *Ipv4Address::parse("192.168.61.67"));
    EXPECT_EQ(IpAddress{*Ipv4Address::parse("192.168.61.67")}, *v4);
    EXPECT_EQ(v6->toString(), "2001:db8:61::67");
    EXPECT_NE(*v4, *v6);
    EXPECT_TRUE(*v4 < *v6 || *v6 < *v4);
    EXPECT_TRUE(IpAddress::parse("239.1.1.1")->isMulticast());
    EXPECT_TRUE(IpAddress::parse("ff05::4242")->isMulticast());
    EXPECT_EQ(multicastMacFor(*IpAddress::parse("ff05::4242")).toString(), "33:33:00:00:42:42");
    EXPECT_FALSE(IpAddress::parse("::ffff:1.2.3.4"));  // write the IPv4
    EXPECT_FALSE(IpAddress::parse("1.2.3"));
    EXPECT_FALSE(IpAddress::parse("fe80::1%eth0"));
}
