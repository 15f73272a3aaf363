// The MAC table: (bridge, MAC) -> local member or remote VTEP.
//
// Readers (workers) look keys up in bulk without locks; the control core is the only
// writer. Keys, destinations and last-seen times live in cache-line buckets (fdb/buckets.h):
// a lookup reads one line, and the destination it finds is one atomic word, so a reader
// never sees a half-written destination. What only the control core reads (moves, flap
// state, creation time) lives beside the buckets, out of the workers' way.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fdb/buckets.h"

namespace vtepgw::rcu {
class QsbrDomain;
}

namespace vtepgw::fdb {

// Bridge ids are small integers chosen by the control plane (stable across reloads).
using BridgeId = uint16_t;
inline constexpr BridgeId kNoBridge = 0xFFFF;

// A key: bridge id in the top 16 bits, the MAC's six wire bytes below, in memory order.
// Built straight from packet bytes with one 8-byte load on the fast path. Bridge kNoBridge
// is never stored.

inline Key makeKey(BridgeId bridge, const uint8_t* mac) {
    uint64_t k = 0;
    std::memcpy(&k, mac, 6);
    return k | uint64_t{bridge} << 48;
}
// The same from a MAC inside an Ethernet header, where 8 bytes are always readable (the
// destination is followed by the source, the source by the EtherType): one 8-byte load
// instead of two narrow ones, which the CPU cannot forward into a wide load.
inline Key makeKeyFromHeader(BridgeId bridge, const uint8_t* mac) {
    uint64_t k;
    std::memcpy(&k, mac, 8);
    return (k & 0x0000FFFFFFFFFFFFull) | uint64_t{bridge} << 48;
}
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "keys keep the MAC in the low 48 bits");
inline BridgeId keyBridge(Key k) { return static_cast<BridgeId>(k >> 48); }
inline void keyMac(Key k, uint8_t* mac) { std::memcpy(mac, &k, 6); }

// Where a MAC lives. Packed into one 64-bit word so that readers load it atomically:
//   bits  0..31 remote: tunnel id (NewTunnel: the VTEP's IPv4, host order)
//   bits 32..47 local port id (NewTunnel: the encapsulation, bit 40 the VTEP is IPv6)
//   bits 48..59 local VLAN (0 = untagged)       bits 60..61 kind   bit 62 static
//   bit 63 evpn: installed from BGP EVPN (a remote MAC the control plane owns: never aged, and
//   learning may move it, which is how MAC mobility looks from here)
// NewTunnel appears only in learn requests: a MAC behind a VTEP the workers have no tunnel
// for yet; the control core creates the tunnel and stores Remote(id).
enum class DestKind : uint8_t { None = 0, Local = 1, Remote = 2, NewTunnel = 3 };

struct Dest {
    uint64_t word = 0;

    static Dest local(uint16_t port, uint16_t vlan, bool isStatic = false) {
        return Dest{uint64_t{port} << 32 | uint64_t{vlan & 0xFFFu} << 48 | uint64_t{1} << 60 |
                    uint64_t{isStatic} << 62};
    }
    static Dest remote(uint32_t tunnelId, bool isStatic = false) {
        return Dest{uint64_t{tunnelId} | uint64_t{2} << 60 | uint64_t{isStatic} << 62};
    }
    static Dest evpn(uint32_t tunnelId) { return Dest{uint64_t{tunnelId} | uint64_t{2} << 60 | uint64_t{1} << 63}; }
    static Dest newTunnel(uint32_t vtepHostOrder, uint8_t encap) {
        return Dest{uint64_t{vtepHostOrder} | uint64_t{encap} << 32 | uint64_t{3} << 60};
    }
    // A MAC behind an IPv6 VTEP with no tunnel yet: the address travels beside the word
    // (dataplane::LearnRequest::vtep6).
    static Dest newTunnel6(uint8_t encap) {
        return Dest{uint64_t{encap} << 32 | uint64_t{1} << 40 | uint64_t{3} << 60};
    }
    bool newTunnelIpv6() const { return (word >> 40) & 1; }
    DestKind kind() const { return static_cast<DestKind>((word >> 60) & 3); }
    bool isStatic() const { return (word >> 62) & 1; }
    bool isEvpn() const { return (word >> 63) & 1; }
    uint16_t port() const { return static_cast<uint16_t>(word >> 32); }
    uint16_t vlan() const { return static_cast<uint16_t>((word >> 48) & 0xFFF); }
    uint32_t tunnel() const { return static_cast<uint32_t>(word); }
    uint32_t newTunnelIp() const { return static_cast<uint32_t>(word); }
    uint8_t newTunnelEncap() const { return static_cast<uint8_t>(word >> 32); }
    // Same place, whatever the static and evpn flags say.
    bool samePlace(Dest o) const { return ((word ^ o.word) & ~(uint64_t{3} << 62)) == 0; }
};


// A MAC that moves more than `moves` times within `seconds` is flagged as flapping
// (a loop, or two hosts claiming one address).
struct FlapPolicy {
    uint32_t moves = 5;
    uint32_t seconds = 10;
};

enum class LearnResult { Added, Refreshed, Moved, StartedFlapping, StaticConflict, Full, LimitReached };

// A snapshot of one entry for display and tests.
struct EntryView {
    Key key;
    Dest dest;
    uint32_t lastSeen;
    uint32_t moves;
    uint32_t lastMove;
    uint32_t created;
    bool flapping;
};

class Fdb {
public:
    // Creates a table for `capacity` MACs on `socket`, readers synchronised through `rcu`.
    // Throws std::runtime_error when hugepage memory is short.
    Fdb(const std::string& name, uint32_t capacity, rcu::QsbrDomain& rcu, int socket);
    ~Fdb();
    Fdb(const Fdb&) = delete;
    Fdb& operator=(const Fdb&) = delete;

    // ---- readers (any worker) ----
    // Looks up n <= 64 keys; positions[i] is the entry's slot or negative when absent. A
    // slot stays valid until the reader's next quiescent state.
    void lookupBulk(const Key* keys, unsigned n, int32_t* positions) const { buckets_.lookupBulk(keys, n, positions); }
    int32_t lookup(Key key) const { return buckets_.lookup(key); }
    // None while the entry is being removed.
    Dest dest(int32_t position) const { return Dest{buckets_.dest(position)}; }
    uint32_t lastSeen(int32_t position) const { return buckets_.seen(position); }
    // A worker saw the entry's MAC as a source at `now`.
    void refresh(int32_t position, uint32_t now) { buckets_.refresh(position, now); }

    // ---- the writer (control core only) ----
    // Learns or refreshes a dynamic entry. Never replaces a static entry (StaticConflict);
    // Full when the table (or the bridge's limit, checked by the caller) has no room.
    // `bridgeLimit` caps the bridge's dynamic entries (0 = only the table's size).
    LearnResult learn(Key key, Dest dest, uint32_t now, uint32_t bridgeLimit = 0,
                      FlapPolicy flap = {});
    // Dynamic (learned) entries of one bridge.
    uint32_t dynamicCount(BridgeId bridge) const { return dynamicPerBridge_[bridge]; }
    // Adds or replaces an entry as static (it will never age nor be overwritten by learning).
    // Returns false only when the table is full.
    bool addStatic(Key key, Dest dest, uint32_t now);
    // Installs (or moves) a remote MAC learned from BGP EVPN behind `tunnelId`. A static entry
    // stays as configured (StaticConflict).
    enum class PutResult { Added, Moved, Unchanged, StaticConflict, Full };
    PutResult putEvpn(Key key, uint32_t tunnelId, uint32_t now);
    // Removes one entry (static or not); false when absent.
    bool remove(Key key);
    // Removes every entry for which pred(view) is true; returns how many.
    size_t removeIf(const std::function<bool(const EntryView&)>& pred);
    // Removes dynamic entries not seen for more than ageingSeconds; returns how many.
    size_t age(uint32_t now, uint32_t ageingSeconds);
    void forEach(const std::function<void(const EntryView&)>& fn) const;
    // Entries present (deleted ones whose slots await their RCU grace period excluded).
    uint32_t size() const { return count_; }
    uint32_t capacity() const { return capacity_; }
    // Entries stored in their second bucket (a lookup of theirs reads two cache lines).
    uint32_t spilled() const { return buckets_.spilledKeys(); }

private:
    struct Meta {
        uint32_t moves = 0;
        uint32_t lastMove = 0;
        uint32_t created = 0;
        uint32_t flapWindowStart = 0;  // flap detection: moves counted since this second
        uint32_t flapMoves = 0;
        bool flapping = false;
    };
    // Adds a key that is not present; its position, or negative when the table is full.
    int32_t insert(Key key, Dest dest, uint32_t now);
    Meta& meta(int32_t pos) { return meta_[buckets_.denseIndex(pos)]; }
    const Meta& meta(int32_t pos) const { return meta_[buckets_.denseIndex(pos)]; }

    Buckets buckets_;
    uint32_t capacity_;
    uint32_t count_ = 0;
    std::vector<uint32_t> dynamicPerBridge_ = std::vector<uint32_t>(1u << 16, 0);
    std::vector<Meta> meta_;
};

}  // namespace vtepgw::fdb
