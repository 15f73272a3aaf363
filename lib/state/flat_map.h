// An immutable open-addressing map from 32-bit keys to 32-bit values, built once by the
// control core and read by workers without synchronisation (it lives in a snapshot).
#pragma once

#include <cstdint>
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

    int32_t find(uint32_t key) const {
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

}  // namespace vtepgw::state
