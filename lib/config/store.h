// The configuration file as vtepd keeps it: read without blocking surprises, written
// atomically, and compared with the running configuration field by field.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace vtepgw::config {

// Reads a regular file of at most maxBytes (never a FIFO or a device, which could block
// the control core). nullopt with `error` naming the file and the reason otherwise.
std::optional<std::string> readRegularFile(const std::string& path, off_t maxBytes, std::string& error);

// Replaces `path` with `text` so that readers see the old file or the new one, never a
// mix: a temporary file in the same directory, fsync, rename, fsync of the directory.
// An existing file's mode is kept (0644 for a new one). Returns an error, empty on success.
std::string writeFileAtomically(const std::string& path, const std::string& text);

// One difference between a file's configuration and the running one. `path` is written the
// way configuration errors name fields ("bridges.br10.flood_vteps[1]"); a side that lacks
// the field holds null.
struct Difference {
    std::string path;
    nlohmann::ordered_json file;
    nlohmann::ordered_json running;
};

// Objects are compared key by key whatever their order; lists element by element as sets
// (an element on one side only is a difference at its index), so one static MAC added to
// 100k is one line, not the whole list.
std::vector<Difference> diff(const nlohmann::ordered_json& file, const nlohmann::ordered_json& running);

}  // namespace vtepgw::config
