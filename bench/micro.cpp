// Micro-benchmarks of fast-path pieces on bytes: outer header write, underlay
// classification, inner flow hash. Reports TSC cycles per packet ("cycles/pkt").
#include <benchmark/benchmark.h>
#include <rte_cycles.h>

#include "common/fixtures.h"
#include "packet/builder.h"
#include "encap/classify.h"
#include "encap/vxlan.h"

using namespace vtepgw;
using netaddr::Ipv4Address;
using netaddr::MacAddress;

using namespace vtepgw::fixtures;

namespace {

const MacAddress kOur = kOurMac;
const MacAddress kPeer = kPeerMac;

packet::Bytes innerFrame() {
    return packet::FrameBuilder().ether(kPeer, kOur, 0x0800).ipv4(kOurIp, kPeerIp, 17)
        .udp(1000, 2000).payload(18).build();
}

void reportCycles(benchmark::State& state, uint64_t cycles) {
    state.counters["cycles/pkt"] = benchmark::Counter(
        static_cast<double>(cycles) / static_cast<double>(state.iterations()));
}

void BM_EncapHeader(benchmark::State& state) {
    rte_ether_addr a{}, b{};
    const packet::OuterHeaders hdr = encap::vxlan::buildOuterTemplate({a, b, kOurIp.host, kPeerIp.host, 64, 4789});
    const packet::Bytes in = innerFrame();
    alignas(64) uint8_t buf[128];
    const uint64_t start = rte_rdtsc();
    for (auto _ : state) {
        const uint32_t h = encap::vxlan::innerFlowHash(in.data(), static_cast<uint32_t>(in.size()));
        encap::vxlan::writeOuter(reinterpret_cast<packet::OuterHeaders*>(buf), hdr, 0x0A000000,
                          static_cast<uint16_t>(in.size()),
                          rte_cpu_to_be_16(encap::vxlan::sourcePortFor(h, 49152, 16384)));
        benchmark::DoNotOptimize(buf);
    }
    reportCycles(state, rte_rdtsc() - start);
}
BENCHMARK(BM_EncapHeader);

void BM_ClassifyUnderlay(benchmark::State& state) {
    state::ForwardingState st;
    st.localIpBe = kOurIp.toNetwork();
    std::copy(kOur.bytes.begin(), kOur.bytes.end(), st.localMac.addr_bytes);
    st.vxlanPortsBe[0] = rte_cpu_to_be_16(4789);
    st.vxlanPortCount = 1;
    st.vniToBridge = state::FlatMap32({{10, 0}});
    const packet::Bytes f = packet::FrameBuilder().ether(kOur, kPeer, 0x0800).ipv4(kPeerIp, kOurIp, 17)
                                .udp(50000, 4789).vxlan(10).frame(innerFrame()).build();
    const uint64_t start = rte_rdtsc();
    for (auto _ : state) {
        auto r = encap::classifyUnderlay(f.data(), static_cast<uint32_t>(f.size()), st);
        benchmark::DoNotOptimize(r);
    }
    reportCycles(state, rte_rdtsc() - start);
}
BENCHMARK(BM_ClassifyUnderlay);

}  // namespace

BENCHMARK_MAIN();
