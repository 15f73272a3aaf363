#include "fdb/lf_hash.h"

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>

#include <cstring>
#include <stdexcept>

#include "rcu/qsbr.h"

namespace vtepgw::fdb {
namespace {

// rte_hash has no compare or hash specialised for 8-byte keys (it would call memcmp and
// its generic CRC loop): ours are one load and one instruction.
int keyCompare(const void* a, const void* b, size_t) {
    uint64_t x, y;
    std::memcpy(&x, a, sizeof x);
    std::memcpy(&y, b, sizeof y);
    return x != y;
}

uint32_t keyHash(const void* key, uint32_t, uint32_t init) {
    uint64_t k;
    std::memcpy(&k, key, sizeof k);
    return rte_hash_crc_8byte(k, init);
}

}  // namespace

rte_hash* createLockFreeHash(const std::string& name, uint32_t capacity, rcu::QsbrDomain& rcu, int socket,
                             const char* what) {
    rte_hash_parameters params{};
    params.name = name.c_str();
    params.entries = capacity;
    params.key_len = sizeof(uint64_t);
    params.hash_func = keyHash;
    params.hash_func_init_val = 0;
    params.socket_id = socket;
    // Lock-free readers against our single writer; the extendable table keeps inserts from
    // failing on bucket collisions long before the table is full.
    params.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF | RTE_HASH_EXTRA_FLAGS_EXT_TABLE;
    rte_hash* hash = rte_hash_create(&params);
    if (hash == nullptr)
        throw std::runtime_error(std::string("cannot create ") + what + " '" + name + "' for " +
                                 std::to_string(capacity) + " entries: " + rte_strerror(rte_errno));
    rte_hash_set_cmp_func(hash, keyCompare);
    rte_hash_rcu_config rc{};
    rc.v = rcu.raw();
    rc.mode = RTE_HASH_QSBR_MODE_DQ;
    if (rte_hash_rcu_qsbr_add(hash, &rc) != 0) {
        rte_hash_free(hash);
        throw std::runtime_error(std::string("cannot attach RCU to ") + what + " '" + name + "': " +
                                 rte_strerror(rte_errno));
    }
    return hash;
}

}  // namespace vtepgw::fdb
