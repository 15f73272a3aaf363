// libFuzzer target: the control socket and its request parser. Each input is written by a
// client to a real ControlSocket, split into pieces at the offsets the first byte chooses
// (half-written requests), and served by the real Commands over the real worker and control
// core. Every reply must be one JSON object with "ok"; nothing may crash, throw or hang,
// and the dataplane must still forward afterwards.
#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>

#include "common/fuzz_rig.h"
#include "config/parse.h"
#include "control/commands.h"
#include "control/socket.h"

using namespace vtepgw;

namespace {

const char* kConfig = R"({
  "ports": { "up": {"device": "fc_up"}, "a": {"device": "fc_a"}, "t": {"device": "fc_t"} },
  "underlay": { "port": "up", "address": "10.0.0.2/24", "gateway": "10.0.0.1" },
  "bridges": {
    "br10": { "vni": 10, "flood_vteps": ["10.0.0.9"], "members": [ {"port": "a"} ] },
    "br20": { "vni": 20, "members": [ {"port": "t", "vlan": 200} ],
              "static_macs": [ {"mac": "02:00:00:00:00:20", "vtep": "10.0.0.9"} ] }
  }
})";

testrig::FuzzRig fc;
control::Commands* commands = nullptr;
control::ControlSocket* sock = nullptr;
std::string sockPath;
uint64_t fakeMs = 0;

int connectClient() {
    const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sockPath.c_str());
    if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) std::abort();
    return fd;
}

// Serves until the client's replies have all arrived (the server closes after EOF).
std::string collect(int fd) {
    std::string out;
    char buf[65536];
    for (int rounds = 0; rounds < 100000; ++rounds) {
        sock->poll(++fakeMs);
        const ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) out.append(buf, static_cast<size_t>(n));
        else if (n == 0) return out;
    }
    std::fprintf(stderr, "control socket never finished answering\n");
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fc = testrig::startFuzzRig(kConfig, "fc");
    std::vector<const counters::WorkerCounters*> wc{&fc.rig->worker->counters()};
    commands = new control::Commands(*fc.rig->ctl, *fc.rig->fdb, wc, {}, nlohmann::ordered_json::parse(kConfig), fc.pool);
    sockPath = "/tmp/vtepgw-fuzzctl-" + std::to_string(getpid()) + ".sock";
    sock = new control::ControlSocket(sockPath, [](const std::string& line) -> std::string {
        // The fuzzer must not write files wherever its input says: "config save" is the one
        // command answered here instead (its parsing is the same as every other command's).
        const auto j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_object() && j.contains("command") && j["command"] == "config save")
            return R"({"ok": false, "errors": ["fuzz: config save is not exercised"]})";
        return commands->executeLine(line);
    });
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    const size_t piece = 1 + data[0] % 64;  // write in pieces: requests arrive half-written
    const int fd = connectClient();
    for (size_t at = 1; at < size; at += piece) {
        const size_t n = std::min(piece, size - at);
        if (send(fd, data + at, n, MSG_NOSIGNAL) != static_cast<ssize_t>(n)) std::abort();
        sock->poll(++fakeMs);
    }
    shutdown(fd, SHUT_WR);
    const std::string replies = collect(fd);
    close(fd);
    size_t lines = 0;
    for (size_t at = 0; at < replies.size();) {
        const size_t nl = replies.find('\n', at);
        if (nl == std::string::npos) {
            std::fprintf(stderr, "reply without newline: %s\n", replies.substr(at).c_str());
            std::abort();
        }
        const auto reply = nlohmann::json::parse(replies.substr(at, nl - at), nullptr, false);
        if (!reply.is_object() || !reply.contains("ok") || !reply["ok"].is_boolean()) {
            std::fprintf(stderr, "malformed reply: %s\n", replies.substr(at, nl - at).c_str());
            std::abort();
        }
        ++lines;
        at = nl + 1;
    }
    // One reply per non-blank request line, or one error for an oversized request.
    size_t requests = 0;
    std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
    for (size_t at = 0; at < text.size();) {
        size_t nl = text.find('\n', at);
        if (nl == std::string::npos) break;  // unterminated last line: never a request
        if (text.substr(at, nl - at).find_first_not_of(" \t\r") != std::string::npos) ++requests;
        at = nl + 1;
    }
    if (size - 1 <= control::ControlSocket::kMaxRequest && lines != requests) {
        std::fprintf(stderr, "%zu request line(s), %zu repl(ies)\n", requests, lines);
        std::abort();
    }
    // Whatever the requests changed, the control core and worker keep running.
    fc.rig->run();
    fc.drain();
    return 0;
}
