// vtepctl's side of the control socket: one request line out, one reply line back.
#pragma once

#include <optional>
#include <string>

namespace vtepctl {

// The raw reply, or nullopt with `error` set when vtepd cannot be reached.
std::optional<std::string> call(const std::string& socketPath, const std::string& request, std::string& error);

}  // namespace vtepctl
