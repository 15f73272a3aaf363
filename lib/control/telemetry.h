// DPDK telemetry commands for vtepd (/vtepgw/counters, /vtepgw/bridges, /vtepgw/vteps,
// /vtepgw/fdb), so that dpdk-telemetry.py works against a running vtepd next to DPDK's own
// /ethdev/... commands. Telemetry calls arrive on DPDK's telemetry thread; they are handed
// to the control core (the only thread that may walk its tables) and answered from there.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>

#include "control/commands.h"

namespace vtepgw::control {

class Telemetry {
public:
    // Registers the commands (once per process). `commands` must outlive the process's
    // telemetry use: unregistering is not possible, so calls after destruction get errors.
    explicit Telemetry(Commands& commands);
    ~Telemetry();

    // Control core: answers a pending telemetry request, if any. Cheap when idle.
    bool serve();

    // Telemetry thread: runs `request` (a Commands request line) on the control core and
    // returns the reply line, or an empty string after a timeout.
    std::string call(const std::string& request);

private:
    Commands& commands_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::atomic<bool> pending_{false};
    std::string request_;
    std::string reply_;
    bool answered_ = false;
};

}  // namespace vtepgw::control
