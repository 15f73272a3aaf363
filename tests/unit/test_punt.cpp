// The punt policer: each class keeps to its rate after a burst, classes do not share tokens,
// and workers split the configured rate.
#include <gtest/gtest.h>

#include "punt/policer.h"

using namespace vtepgw::punt;

namespace {

constexpr uint64_t kHz = 1'000'000'000;  // a 1 GHz TSC: one tick per nanosecond

std::array<uint32_t, kClassCount> rates(uint32_t tcp) {
    auto r = kDefaultPps;
    r[index(Class::Tcp)] = tcp;
    return r;
}

// Packets admitted when `offered` arrive evenly over `seconds`.
unsigned offer(Policer& p, Class c, unsigned offered, double seconds, uint64_t start) {
    unsigned admitted = 0;
    for (unsigned i = 0; i < offered; ++i)
        admitted += p.admit(c, start + static_cast<uint64_t>(seconds * kHz * i / offered));
    return admitted;
}

}  // namespace

TEST(PuntPolicer, AdmitsTheBurstThenTheRate) {
    Policer p;
    p.configure(rates(1000), kHz, 1, 0);
    // At once: the burst (50 ms worth), not more.
    unsigned atOnce = 0;
    for (int i = 0; i < 500; ++i) atOnce += p.admit(Class::Tcp, 0);
    EXPECT_EQ(atOnce, 50u);
    // Then 10,000 offered over one second: the rate, give or take the burst.
    const unsigned admitted = offer(p, Class::Tcp, 10000, 1.0, 1);
    EXPECT_GE(admitted, 990u);
    EXPECT_LE(admitted, 1010u);
}

TEST(PuntPolicer, UnderTheRateNothingIsDropped) {
    Policer p;
    p.configure(rates(1000), kHz, 1, 0);
    EXPECT_EQ(offer(p, Class::Tcp, 900, 1.0, 0), 900u);
}

TEST(PuntPolicer, AFloodInOneClassLeavesTheOthersAlone) {
    Policer p;
    p.configure(rates(1000), kHz, 1, 0);
    offer(p, Class::Tcp, 100000, 1.0, 0);  // a SYN flood
    unsigned arp = 0;
    for (int i = 0; i < 100; ++i) arp += p.admit(Class::Arp, kHz + static_cast<uint64_t>(i) * 1000);
    EXPECT_EQ(arp, 100u);
}

TEST(PuntPolicer, WorkersShareTheRate) {
    Policer p;
    p.configure(rates(1000), kHz, 4, 0);  // this worker's part: 250 pps
    const unsigned admitted = offer(p, Class::Tcp, 10000, 1.0, 0);
    EXPECT_GE(admitted, 250u + 12u - 5u);  // burst 12.5 + rate
    EXPECT_LE(admitted, 250u + 12u + 5u);
}

TEST(PuntPolicer, AReconfigurationKeepsNoMoreThanTheNewBurst) {
    Policer p;
    p.configure(rates(100000), kHz, 1, 0);  // burst 5,000
    p.configure(rates(200), kHz, 1, 0);     // burst 10
    unsigned atOnce = 0;
    for (int i = 0; i < 1000; ++i) atOnce += p.admit(Class::Tcp, 0);
    EXPECT_EQ(atOnce, 10u);
}
