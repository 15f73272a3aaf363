#include "fdb/fdb.h"

namespace vtepgw::fdb {

Fdb::Fdb(const std::string& name, uint32_t capacity, rcu::QsbrDomain& rcu, int socket)
    : buckets_(name, capacity, rcu, socket), capacity_(capacity), meta_(buckets_.slotCount()) {}

Fdb::~Fdb() = default;

LearnResult Fdb::learn(Key key, Dest dest, uint32_t now, uint32_t bridgeLimit, FlapPolicy flap) {
    int32_t pos = buckets_.lookup(key);
    if (pos >= 0) {
        Meta& m = meta(pos);
        const Dest cur{buckets_.dest(pos)};
        if (cur.isStatic()) return LearnResult::StaticConflict;
        buckets_.setSeen(pos, now);
        if (cur.samePlace(dest)) return LearnResult::Refreshed;
        ++m.moves;
        m.lastMove = now;
        buckets_.setDest(pos, dest.word);
        if (now - m.flapWindowStart > flap.seconds) {
            m.flapWindowStart = now;
            m.flapMoves = 0;
            m.flapping = false;
        }
        if (++m.flapMoves > flap.moves && !m.flapping) {
            m.flapping = true;
            return LearnResult::StartedFlapping;
        }
        return LearnResult::Moved;
    }
    const BridgeId bridge = keyBridge(key);
    if (bridgeLimit != 0 && dynamicPerBridge_[bridge] >= bridgeLimit) return LearnResult::LimitReached;
    pos = insert(key, dest, now);
    if (pos < 0) return LearnResult::Full;
    ++dynamicPerBridge_[bridge];
    return LearnResult::Added;
}

int32_t Fdb::insert(Key key, Dest dest, uint32_t now) {
    if (count_ >= capacity_ || keyBridge(key) == kNoBridge) return -1;
    const int32_t pos = buckets_.insert(key, dest.word, now, [this](int32_t from, int32_t to) { meta(to) = meta(from); });
    if (pos < 0) return pos;
    ++count_;
    meta(pos) = Meta{0, 0, now, now, 0, false};
    return pos;
}

bool Fdb::addStatic(Key key, Dest dest, uint32_t now) {
    dest.word |= uint64_t{1} << 62;
    const int32_t pos = buckets_.lookup(key);
    if (pos < 0) return insert(key, dest, now) >= 0;
    if (!Dest{buckets_.dest(pos)}.isStatic()) --dynamicPerBridge_[keyBridge(key)];
    buckets_.setSeen(pos, now);
    buckets_.setDest(pos, dest.word);
    return true;
}

Fdb::PutResult Fdb::putEvpn(Key key, uint32_t tunnelId, uint32_t now) {
    const Dest dest = Dest::evpn(tunnelId);
    const int32_t pos = buckets_.lookup(key);
    if (pos < 0) {
        if (insert(key, dest, now) < 0) return PutResult::Full;
        ++dynamicPerBridge_[keyBridge(key)];
        return PutResult::Added;
    }
    Meta& m = meta(pos);
    const Dest cur{buckets_.dest(pos)};
    if (cur.isStatic()) return PutResult::StaticConflict;
    if (cur.word == dest.word) return PutResult::Unchanged;
    if (!cur.samePlace(dest)) {
        ++m.moves;
        m.lastMove = now;
    }
    buckets_.setSeen(pos, now);
    buckets_.setDest(pos, dest.word);
    return PutResult::Moved;
}

bool Fdb::remove(Key key) {
    const int32_t pos = buckets_.lookup(key);
    if (pos < 0) return false;
    if (!Dest{buckets_.dest(pos)}.isStatic()) --dynamicPerBridge_[keyBridge(key)];
    // Readers that found the key before it goes see "no destination" and flood; the slot
    // itself is reused only after an RCU grace period.
    buckets_.setDest(pos, 0);
    buckets_.erase(pos);
    --count_;
    return true;
}

size_t Fdb::removeIf(const std::function<bool(const EntryView&)>& pred) {
    std::vector<Key> doomed;
    forEach([&](const EntryView& v) {
        if (pred(v)) doomed.push_back(v.key);
    });
    for (Key k : doomed) remove(k);
    return doomed.size();
}

size_t Fdb::age(uint32_t now, uint32_t ageingSeconds) {
    if (ageingSeconds == 0) return 0;
    return removeIf([&](const EntryView& v) {
        return !v.dest.isStatic() && !v.dest.isEvpn() && now - v.lastSeen > ageingSeconds;
    });
}

void Fdb::forEach(const std::function<void(const EntryView&)>& fn) const {
    buckets_.forEach([&](int32_t pos, Key key) {
        const Dest d{buckets_.dest(pos)};
        if (d.kind() == DestKind::None) return;
        const Meta& m = meta(pos);
        fn(EntryView{key, d, buckets_.seen(pos), m.moves, m.lastMove, m.created, m.flapping});
    });
}

}  // namespace vtepgw::fdb
