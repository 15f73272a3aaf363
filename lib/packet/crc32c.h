// CRC32-C steps for hashing on the fast path: the SSE4.2 instruction itself where the build
// targets it, DPDK's table otherwise. rte_hash_crc_*byte gives the same values but tests a
// run-time flag before every step.
#pragma once

#include <cstdint>

#if defined(__SSE4_2__)
#include <nmmintrin.h>
#else
#include <rte_hash_crc.h>
#endif

namespace vtepgw::packet {

inline uint32_t crc32c8(uint64_t data, uint32_t init) {
#if defined(__SSE4_2__)
    return static_cast<uint32_t>(_mm_crc32_u64(init, data));
#else
    return rte_hash_crc_8byte(data, init);
#endif
}

inline uint32_t crc32c4(uint32_t data, uint32_t init) {
#if defined(__SSE4_2__)
    return _mm_crc32_u32(init, data);
#else
    return rte_hash_crc_4byte(data, init);
#endif
}

}  // namespace vtepgw::packet
