// vtepctl's command line: a strict grammar (CLI11) that turns argv into one control-socket
// request. Unknown options, extra words and bad values are usage errors; every command has
// --help; words may be shortened to a unique prefix the way EOS accepts `sh vx add`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace vtepctl {

using Json = nlohmann::ordered_json;

// Exit codes (documented in the README and in vtepctl --help).
enum Exit : int { kOk = 0, kRefused = 1, kUsage = 2, kUnreachable = 3 };

struct Invocation {
    std::string socketPath;
    bool json = false;
    Json request;     // {"command": ..., "args": {...}}
    bool done = false;  // --help or --version was printed: exit 0 without a request
};

// Parses argv. On a usage error prints it to stderr and returns exit code kUsage through
// `exitCode` with done = true; --help/--version print to stdout and set exitCode = kOk.
Invocation parseCommandLine(int argc, char** argv, int& exitCode);

}  // namespace vtepctl
