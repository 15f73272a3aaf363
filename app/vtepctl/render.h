// vtepctl's human output: aligned tables that fit 120 columns, counters with digit grouping.
// --json bypasses all of it (the README's stable shapes).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace vtepctl {

using Json = nlohmann::ordered_json;

inline constexpr size_t kScreenWidth = 120;

// One cell: strings as they are, null as "-", floats to one decimal, counts grouped
// (1,234,567) when `grouped`, lists comma-joined.
std::string cell(const Json& v, bool grouped = false);
// An array of flat objects as an aligned table, columns in key order; a table wider than
// kScreenWidth is split into several, each repeating the first column.
void table(const Json& rows);
// Prints `result` of `command` for a person.
void render(const std::string& command, const Json& result);

}  // namespace vtepctl
