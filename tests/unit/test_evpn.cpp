// The EVPN netlink contract on bytes captured from zebra and the kernel in the namespace lab
// (tests/e2e/test_evpn_frr.sh; ifindex 5 = shadow bridge evb10, 6 = shadow vxlan evx10,
// 7 = shadow port evp10): what counts as a remote MAC or a flood entry, what is a duplicate
// or our own echo, deletions, a full dump, and the request vtepd writes for a local MAC.
#include <gtest/gtest.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <string>
#include <vector>

#include "evpn/neigh.h"
#include "evpn/remote_table.h"

using namespace vtepgw::evpn;
using vtepgw::netaddr::Ipv4Address;
using vtepgw::netaddr::MacAddress;

namespace {

std::vector<uint8_t> hex(const std::string& s) {
    std::vector<uint8_t> b;
    for (size_t i = 0; i + 1 < s.size(); i += 2) b.push_back(static_cast<uint8_t>(std::stoi(s.substr(i, 2), nullptr, 16)));
    return b;
}

// zebra's remote MAC 3e:b5:62:7f:67:c8 behind 10.1.0.1: the vxlan-side notification
// (SELF|EXT_LEARNED, NDA_DST) ...
const std::string kRemoteMacVxlan =
    "440000001c00000000000000000000000700000006000000020012010a0002003eb5627f67c80000080001000a0100011400030000000000000000000000000000000000";
// ... and its bridge-side twin (EXT_LEARNED, NDA_MASTER, no destination).
const std::string kRemoteMacBridge =
    "4c0000001c00000000000000000000000700000006000000020010000a0002003eb5627f67c80000080009000500000008000f00000000001400030000000000000000000000000000000000";
// The type-3 flood entry 00:00:00:00:00:00 dst 10.1.0.1 (NOARP|PERMANENT, SELF).
const std::string kFlood =
    "440000001c00000000000000000000000700000006000000c00002010a0002000000000000000000080001000a0100011400030000000000000000000000000000000000";
// Our own extern_learn write on the shadow port, echoed back.
const std::string kOwnLocal =
    "4c0000001c00000000000000000000000700000007000000020010000a0002004e6ae8043df10000080009000500000008000f00000000001400030000000000000000000000000000000000";
// Deletions of the remote MAC (vxlan side) and of the flood entry.
const std::string kRemoteMacVxlanDel =
    "440000001d00000000000000000000000700000006000000020012010a0002003eb5627f67c80000080001000a0100011400030000000000280200002802000000000000";
const std::string kFloodDel =
    "440000001d00000000000000000000000700000006000000c00002010a0002000000000000000000080001000a0100011400030000000000850300008503000000000000";

const MacAddress kMac = *MacAddress::parse("3e:b5:62:7f:67:c8");
const uint32_t kVtep = Ipv4Address::parse("10.1.0.1")->host;

RemoteTable table() {
    RemoteTable t;
    t.setDevices({{6, 10}});
    return t;
}

bool apply(RemoteTable& t, const std::string& h) {
    const auto b = hex(h);
    const auto batch = parseNeighMessages(b.data(), b.size());
    EXPECT_EQ(batch.malformed, 0u);
    EXPECT_EQ(batch.neighs.size(), 1u);
    bool changed = false;
    for (const auto& n : batch.neighs) changed = t.apply(n) || changed;
    return changed;
}

}  // namespace

TEST(EvpnNeigh, ParsesTheKernelsRemoteMacNotification) {
    const auto b = hex(kRemoteMacVxlan);
    const auto batch = parseNeighMessages(b.data(), b.size());
    ASSERT_EQ(batch.neighs.size(), 1u);
    const Neigh& n = batch.neighs[0];
    EXPECT_FALSE(n.deleted);
    EXPECT_EQ(n.family, AF_BRIDGE);
    EXPECT_EQ(n.ifindex, 6u);
    EXPECT_EQ(n.state, NUD_REACHABLE);
    EXPECT_EQ(n.flags, NTF_SELF | NTF_EXT_LEARNED);
    EXPECT_EQ(*n.mac, kMac);
    EXPECT_EQ(n.dst->toString(), "10.1.0.1");
    EXPECT_EQ(n.master, 0u);
    const auto twin = hex(kRemoteMacBridge);
    EXPECT_EQ(parseNeighMessages(twin.data(), twin.size()).neighs.at(0).master, 5u);
}

TEST(EvpnRemote, AType2RouteBecomesARemoteMacOnce) {
    auto t = table();
    EXPECT_TRUE(apply(t, kRemoteMacVxlan));
    EXPECT_FALSE(apply(t, kRemoteMacBridge));  // the bridge-side twin adds nothing
    EXPECT_FALSE(apply(t, kRemoteMacVxlan));   // nor does the same again
    ASSERT_EQ(t.macs().at(10).size(), 1u);
    EXPECT_EQ(t.macs().at(10).at(kMac.toU64()), kVtep);
    EXPECT_TRUE(apply(t, kRemoteMacVxlanDel));
    EXPECT_TRUE(t.macs().at(10).empty());
}

TEST(EvpnRemote, AType3RouteIsAFloodEntry) {
    auto t = table();
    EXPECT_TRUE(apply(t, kFlood));
    EXPECT_EQ(t.floods().at(10).count(kVtep), 1u);
    EXPECT_EQ(t.macCount(), 0u);
    EXPECT_TRUE(apply(t, kFloodDel));
    EXPECT_TRUE(t.floods().at(10).empty());
}

TEST(EvpnRemote, OurOwnLocalWritesAndOtherDevicesAreNotRemote) {
    auto t = table();
    EXPECT_FALSE(apply(t, kOwnLocal));
    RemoteTable other;
    other.setDevices({{42, 10}});  // another vxlan device: not ours
    EXPECT_FALSE(apply(other, kRemoteMacVxlan));
    EXPECT_EQ(other.macCount(), 0u);
}

TEST(EvpnRemote, FailedIsAWithdrawalAndAStaleDeleteIsIgnored) {
    auto t = table();
    apply(t, kRemoteMacVxlan);
    Neigh moved = parseNeighMessages(hex(kRemoteMacVxlan).data(), hex(kRemoteMacVxlan).size()).neighs.at(0);
    moved.dst = *Ipv4Address::parse("10.1.0.7");
    EXPECT_TRUE(t.apply(moved));  // MAC mobility: the MAC now lives behind 10.1.0.7
    EXPECT_FALSE(apply(t, kRemoteMacVxlanDel));  // the delete for 10.1.0.1 is an older place's
    EXPECT_EQ(t.macs().at(10).at(kMac.toU64()), moved.dst->host);
    moved.state = NUD_FAILED;
    EXPECT_TRUE(t.apply(moved));
    EXPECT_TRUE(t.macs().at(10).empty());
}

TEST(EvpnRemote, StickyMacsCountWithoutExtLearned) {
    auto t = table();
    Neigh n = parseNeighMessages(hex(kRemoteMacVxlan).data(), hex(kRemoteMacVxlan).size()).neighs.at(0);
    n.flags = NTF_SELF | NTF_STICKY;
    n.state = NUD_REACHABLE | NUD_NOARP;
    EXPECT_TRUE(t.apply(n));
    EXPECT_TRUE(t.sticky(10, kMac.toU64()));
    n.flags = NTF_SELF | NTF_EXT_LEARNED;  // re-advertised without the sticky bit
    EXPECT_TRUE(t.apply(n));
    EXPECT_FALSE(t.sticky(10, kMac.toU64()));
    n.flags = NTF_SELF;  // neither: a static entry someone else wrote, not zebra's
    n.mac = *MacAddress::parse("02:00:00:00:00:99");
    EXPECT_FALSE(t.apply(n));
}

TEST(EvpnRemote, AFullDumpReplacesEverything) {
    auto t = table();
    apply(t, kRemoteMacVxlan);
    // A dump (after an overrun) holding only the flood entry: the MAC went while we were deaf.
    const auto b = hex(kFlood + kOwnLocal);
    auto batch = parseNeighMessages(b.data(), b.size());
    ASSERT_EQ(batch.neighs.size(), 2u);
    EXPECT_TRUE(t.replace(batch.neighs));
    EXPECT_EQ(t.macCount(), 0u);
    EXPECT_EQ(t.floods().at(10).size(), 1u);
    EXPECT_FALSE(t.replace(batch.neighs));  // the same dump again changes nothing
}

TEST(EvpnNeigh, TruncatedMessagesAreCountedNotRead) {
    auto b = hex(kRemoteMacVxlan);
    // An attribute claiming more bytes than its message holds.
    b[16 + 12] = 0x40;
    EXPECT_EQ(parseNeighMessages(b.data(), b.size()).malformed, 1u);
    // A message longer than the buffer.
    const auto full = hex(kRemoteMacVxlan);
    const auto batch = parseNeighMessages(full.data(), full.size() - 8);
    EXPECT_EQ(batch.neighs.size(), 0u);
    EXPECT_EQ(batch.malformed, 1u);
}

TEST(EvpnNeigh, TheLocalMacRequestIsMasterExternLearn) {
    uint8_t buf[256];
    const size_t len = buildLocalMac(buf, true, 7, *MacAddress::parse("4e:6a:e8:04:3d:f1"));
    // nlmsghdr (RTM_NEWNEIGH, REQUEST|ACK|REPLACE|CREATE), ndmsg (AF_BRIDGE, ifindex 7,
    // REACHABLE, MASTER|EXT_LEARNED), NDA_LLADDR: what "bridge fdb add ... master extern_learn" sends.
    const std::string expected =
        "280000001c0005050000000000000000" "070000000700000002001400" "0a0002004e6ae8043df10000";
    ASSERT_EQ(len, 40u);
    std::string got;
    char h[3];
    for (size_t i = 0; i < len; ++i) {
        std::snprintf(h, sizeof h, "%02x", buf[i]);
        got += h;
    }
    EXPECT_EQ(got, expected);
    const size_t del = buildLocalMac(buf, false, 7, *MacAddress::parse("4e:6a:e8:04:3d:f1"));
    EXPECT_EQ(del, 40u);
    EXPECT_EQ(buf[4], RTM_DELNEIGH);
}
