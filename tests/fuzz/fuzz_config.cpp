// libFuzzer target: the configuration parser and validator must turn any input into a
// config or a list of errors, never a crash, a hang or an exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto r = vtepgw::config::parse(std::string_view(reinterpret_cast<const char*>(data), size));
    if (r.config.has_value() == !r.errors.empty()) __builtin_trap();  // exactly one outcome
    return 0;
}
