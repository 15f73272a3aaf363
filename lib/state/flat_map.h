// An immutable open-addressing map from 32-bit keys to 32-bit values, built once by the
// control core and read by workers without synchronisation (it lives in a snapshot).
#pragma once

#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

namespace vtepgw::state {

class FlatMap32 {
public:
    static constexpr int32_t kAbsent = -1;

    FlatMap32() = default;
    // Keys must be distinct. Load factor stays at or below 1/2 so probes stay short.
    explicit FlatMap32(const std::vector<std::pair<uint32_t, int32_t>>& items) {
        size_t cap = 8;
        while (cap < items.size() * 2) cap <<= 1;
        mask_ = static_cast<uint32_t>(cap - 1);
        slots_.assign(cap, Slot{0, kAbsent});
        for (const auto& [k, v] : items) {
            uint32_t i = mix(k) & mask_;
            while (slots_[i].value != kAbsent) i = (i + 1) & mask_;
            slots_[i] = Slot{k, v};
        }
    }

    // Inlined: the underlay path looks up a VNI per packet, and a call would cost more.
    [[gnu::always_inline]] int32_t find(uint32_t key) const {
        if (slots_.empty()) return kAbsent;
        for (uint32_t i = mix(key) & mask_;; i = (i + 1) & mask_) {
            const Slot& s = slots_[i];
            if (s.value == kAbsent) return kAbsent;
            if (s.key == key) return s.value;
        }
    }

private:
    struct Slot {
        uint32_t key;
        int32_t value;
    };
    static uint32_t mix(uint32_t k) {
        k ^= k >> 16;
        k *= 0x7feb352dU;
        k ^= k >> 15;
        return k;
    }
    std::vector<Slot> slots_;
    uint32_t mask_ = 0;
};

// The same for 128-bit keys (IPv6 addresses, wire order): a remote IPv6 VTEP's tunnel id.
class FlatMap128 {
public:
    static constexpr int32_t kAbsent = -1;
    struct Key {
        uint64_t hi = 0, lo = 0;
        bool operator==(const Key& o) const { return hi == o.hi && lo == o.lo; }
    };
    static Key keyOf(const uint8_t* bytes16) {
        Key k;
        std::memcpy(&k.hi, bytes16, 8);
        std::memcpy(&k.lo, bytes16 + 8, 8);
        return k;
    }

    FlatMap128() = default;
    explicit FlatMap128(const std::vector<std::pair<Key, int32_t>>& items) {
        size_t cap = 8;
        while (cap < items.size() * 2) cap <<= 1;
        mask_ = static_cast<uint32_t>(cap - 1);
        slots_.assign(cap, Slot{Key{}, kAbsent});
        for (const auto& [k, v] : items) {
            uint32_t i = mix(k) & mask_;
            while (slots_[i].value != kAbsent) i = (i + 1) & mask_;
            slots_[i] = Slot{k, v};
        }
    }

    int32_t find(const Key& key) const {
        if (slots_.empty()) return kAbsent;
        for (uint32_t i = mix(key) & mask_;; i = (i + 1) & mask_) {
            const Slot& s = slots_[i];
            if (s.value == kAbsent) return kAbsent;
            if (s.key == key) return s.value;
        }
    }
    int32_t find(const uint8_t* bytes16) const { return find(keyOf(bytes16)); }
    bool empty() const { return slots_.empty(); }

private:
    struct Slot {
        Key key;
        int32_t value;
    };
    static uint32_t mix(const Key& k) {
        uint64_t x = k.hi * 0x9E3779B97F4A7C15ull ^ k.lo;
        x ^= x >> 32;
        x *= 0xD6E8FEB86659FD93ull;
        return static_cast<uint32_t>(x >> 32);
    }
    std::vector<Slot> slots_;
    uint32_t mask_ = 0;
};

}  // namespace vtepgw::state
