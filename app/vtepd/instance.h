// One vtepd per control socket and per EAL file prefix: checked before EAL starts, so that
// a second instance neither takes over the first one's socket nor dies inside EAL with a
// misleading message.
#pragma once

#include <string>

namespace vtepgw::app {

// An error naming what is in use and by whom, or empty when this instance may start.
// `ealArgs` are the arguments before "--".
std::string checkSocketFree(const std::string& socketPath);
std::string checkPrefixFree(int ealArgc, char** ealArgv);

}  // namespace vtepgw::app
