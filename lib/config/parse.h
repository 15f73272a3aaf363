// Parsing and validation of the JSON configuration (DESIGN.md §3).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/model.h"

namespace vtepgw::config {

// One problem found in a configuration: `path` is where (e.g. "bridges.br100.vni"),
// `reason` says what is wrong in words an operator can act on.
struct Issue {
    std::string path;
    std::string reason;
    std::string toString() const { return path.empty() ? reason : path + ": " + reason; }
};

struct ParseResult {
    std::optional<Config> config;  // set only when `errors` is empty
    std::vector<Issue> errors;     // every error found, not just the first
    std::vector<Issue> warnings;   // accepted but probably not what the operator wants
};

// Parses and validates a whole configuration. Never throws; a configuration is accepted
// only as a whole (errors empty) so that callers can apply it as one transaction.
ParseResult parse(std::string_view jsonText);

// Reads FILE and parses it; an unreadable file is reported as an error at path "".
ParseResult parseFile(const std::string& path);

}  // namespace vtepgw::config
