// libFuzzer target: rtnetlink replies as the kernel (or anything on the socket) might send
// them. parseAck must return an answer or nullopt for any bytes, never read past them.
#include <cstdint>
#include <cstring>
#include <vector>

#include "host/netlink.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 4) return 0;
    uint32_t seq;
    std::memcpy(&seq, data, 4);
    // Received buffers are aligned; an exact-size copy lets ASan see any overread.
    std::vector<uint32_t> aligned((size - 4 + 3) / 4 + 1);
    std::memcpy(aligned.data(), data + 4, size - 4);
    const auto r = vtepgw::host::parseAck(aligned.data(), size - 4, seq);
    if (r && (*r < 0 || *r > 4095)) __builtin_trap();
    return 0;
}
