// vtepctl: the operator's CLI for a running vtepd, over its control socket.
//   vtepctl [--socket PATH] [--json] COMMAND ... (vtepctl --help lists the commands)
// Human output is aligned tables; --json prints the reply's "result" exactly as vtepd sent
// it (the stable form documented in the README). Exit codes: cli.h (0 ok, 1 refused,
// 2 usage, 3 vtepd unreachable).
#include <cstdio>

#include "cli.h"
#include "client.h"
#include "render.h"

int main(int argc, char** argv) {
    using namespace vtepctl;
    int rc = kOk;
    const Invocation inv = parseCommandLine(argc, argv, rc);
    if (inv.done) return rc;
    std::string error;
    const auto raw = call(inv.socketPath, inv.request.dump(-1, ' ', false, Json::error_handler_t::replace), error);
    if (!raw) {
        std::fprintf(stderr, "vtepctl: %s\n", error.c_str());
        return kUnreachable;
    }
    Json reply;
    try {
        reply = Json::parse(*raw);
    } catch (const Json::exception&) {
        std::fprintf(stderr, "vtepctl: unreadable reply from vtepd: %s\n", raw->c_str());
        return kUnreachable;
    }
    for (const auto& w : reply.value("warnings", Json::array()))
        std::fprintf(stderr, "warning: %s\n", w.get<std::string>().c_str());
    if (!reply.value("ok", false)) {
        for (const auto& e : reply.value("errors", Json::array()))
            std::fprintf(stderr, "error: %s\n", e.get<std::string>().c_str());
        return kRefused;
    }
    const Json& result = reply["result"];
    const std::string command = inv.request["command"];
    if (inv.json) std::puts(result.dump(2, ' ', false, Json::error_handler_t::replace).c_str());
    else render(command, result);
    return kOk;
}
