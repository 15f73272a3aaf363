// Packet trace: the records the worker writes for live traffic — each decision, in order —
// through the same Commands the control socket serves; off, nothing is recorded.
#include "control/commands.h"
#include "dataplane/fixture.h"

using namespace dptest;

namespace {

class Trace : public Dataplane {
protected:
    void beforeStart() override { rig_->setup.trace = &trace_; }

    control::Commands::Json call(const std::string& command, control::Commands::Json args = control::Commands::Json::object()) {
        control::Commands commands(*ctl_, *rig_->fdb, {&worker_->counters()}, {}, control::Commands::Json::object(), pool);
        commands.setTrace(&trace_, rig_->rcu.get());
        return commands.execute({{"command", command}, {"args", args}});
    }
    // What was recorded, each packet's steps as one string.
    std::vector<std::string> stories() {
        std::vector<std::string> out;
        const auto shown = call("trace show");  // the loop must not outlive it
        for (const auto& p : shown["result"]["packets"]) {
            std::string s;
            for (const auto& step : p["steps"]) s += step.get<std::string>() + "\n";
            out.push_back(s);
        }
        return out;
    }

    dataplane::Trace trace_;
};

bool has(const std::string& story, const std::string& what) { return story.find(what) != std::string::npos; }

}  // namespace

TEST_F(Trace, RecordsEachDecisionOfTheNextPackets) {
    ASSERT_TRUE(call("trace start", {{"count", 3}})["ok"]);
    inject("a", hostFrame(kBroadcast, kHostA));           // flooded
    run();
    drainAll();
    inject("up", fromPeer(hostFrame(kHostA, kHostB)));    // decapsulated to the member A is on
    run();
    drainAll();
    inject("up", fromPeer(hostFrame(kHostA, kHostB), 99));  // unknown VNI: dropped
    run();
    drainAll();
    inject("a", hostFrame(kBroadcast, kHostA));           // beyond the count: not recorded
    run();
    drainAll();
    const auto s = stories();
    ASSERT_EQ(s.size(), 3u);
    EXPECT_TRUE(has(s[0], "rx on a (access)")) << s[0];
    EXPECT_TRUE(has(s[0], "bridge br10 (vni 10), untagged")) << s[0];
    EXPECT_TRUE(has(s[0], "destination: broadcast/multicast")) << s[0];
    EXPECT_TRUE(has(s[0], "flood in br10: 2 member(s), 1 VTEP/group copies")) << s[0];
    EXPECT_TRUE(has(s[0], "flooded: 3 copies sent")) << s[0];
    EXPECT_TRUE(has(s[1], "rx on up (underlay)")) << s[1];
    EXPECT_TRUE(has(s[1], "vxlan from " + kPeerIp.toString() + ", key 10: bridge br10")) << s[1];
    EXPECT_TRUE(has(s[1], "destination MAC known (dynamic): port a")) << s[1];
    EXPECT_TRUE(has(s[1], "tx on a")) << s[1];
    EXPECT_TRUE(has(s[2], "drop: unknown_vni")) << s[2];
    const auto shown = call("trace show")["result"];
    EXPECT_EQ(shown["remaining"], 0);
    EXPECT_EQ(shown["packets"][0]["port"], "a");
    EXPECT_EQ(shown["packets"][0]["head"].get<std::string>().substr(0, 12), "ffffffffffff");
}

TEST_F(Trace, EncapsulationAndPortFilter) {
    inject("up", fromPeer(hostFrame(kHostA, kHostB)));  // B behind the peer
    run();
    drainAll();
    ASSERT_TRUE(call("trace start", {{"count", 5}, {"port", "a"}})["ok"]);
    inject("up", fromPeer(hostFrame(kHostA, kHostB)));  // another port: not recorded
    inject("a", hostFrame(kHostB, kHostA));
    run();
    drainAll();
    const auto s = stories();
    ASSERT_EQ(s.size(), 1u);
    EXPECT_TRUE(has(s[0], "destination MAC known (dynamic): VTEP " + kPeerIp.toString())) << s[0];
    EXPECT_TRUE(has(s[0], "encap vxlan: outer " + kOurIp.toString() + " > " + kPeerIp.toString() + " ttl 64, udp ")) << s[0];
    EXPECT_TRUE(has(s[0], "> 4789, vni 10")) << s[0];
    EXPECT_TRUE(has(s[0], "tx on up")) << s[0];
    EXPECT_EQ(call("trace show")["result"]["remaining"], 4);
    EXPECT_TRUE(call("trace stop")["ok"]);
    EXPECT_EQ(call("trace show")["result"]["remaining"], 0);
}

TEST_F(Trace, BadArgumentsAndOffRecordsNothing) {
    EXPECT_EQ(call("trace start", {{"count", 0}})["errors"][0], "args.count: must be a number between 1 and 256");
    EXPECT_EQ(call("trace start", {{"port", "nope"}})["errors"][0], "args.port: no port 'nope'");
    inject("a", hostFrame(kBroadcast, kHostA));
    run();
    drainAll();
    EXPECT_TRUE(stories().empty());
}
