#include "control/telemetry.h"

#include <rte_telemetry.h>

#include <algorithm>
#include <cctype>
#include <chrono>

namespace vtepgw::control {
namespace {

using Json = nlohmann::ordered_json;

std::atomic<Telemetry*> gTelemetry{nullptr};

// Telemetry accepts only letters, digits, '_', '-' and '/' in names: "10.77.0.1" becomes
// "10_77_0_1".
std::string telemetryName(const std::string& key) {
    std::string k = key.substr(0, RTE_TEL_MAX_STRING_LEN - 1);
    for (char& c : k)
        if (!isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '/') c = '_';
    return k;
}

void addScalar(rte_tel_data* d, const std::string& key, const Json& v) {
    const std::string k = telemetryName(key);
    if (v.is_number_unsigned()) rte_tel_data_add_dict_u64(d, k.c_str(), v.get<uint64_t>());
    else if (v.is_number_integer()) rte_tel_data_add_dict_int(d, k.c_str(), v.get<int>());
    else if (v.is_boolean()) rte_tel_data_add_dict_int(d, k.c_str(), v.get<bool>() ? 1 : 0);
    else if (v.is_string()) rte_tel_data_add_dict_string(d, k.c_str(), v.get<std::string>().substr(0, RTE_TEL_MAX_STRING_LEN - 1).c_str());
    else rte_tel_data_add_dict_string(d, k.c_str(), v.dump(-1, ' ', false, Json::error_handler_t::replace).substr(0, RTE_TEL_MAX_STRING_LEN - 1).c_str());
}

rte_tel_data* dictContainer(const Json& o, int depth);

// A JSON array as a telemetry container: an array of u64 when every element is a non-negative
// integer, of strings for other scalars; an array of objects as a dict keyed "0", "1", ...
// (DPDK 22.11's arrays hold no dicts).
rte_tel_data* arrayContainer(const Json& a, int depth) {
    const bool numbers = std::all_of(a.begin(), a.end(), [](const Json& e) { return e.is_number_unsigned(); });
    const bool objects = !a.empty() && std::all_of(a.begin(), a.end(), [](const Json& e) { return e.is_object(); });
    const bool scalars = std::all_of(a.begin(), a.end(), [](const Json& e) { return e.is_primitive(); });
    if (!scalars && !objects) return nullptr;
    rte_tel_data* c = rte_tel_data_alloc();
    if (c == nullptr) return nullptr;
    if (objects) {
        rte_tel_data_start_dict(c);
        for (size_t i = 0; i < a.size(); ++i)
            if (rte_tel_data* o = dictContainer(a[i], depth + 1))
                if (rte_tel_data_add_dict_container(c, std::to_string(i).c_str(), o, 0) != 0) rte_tel_data_free(o);
        return c;
    }
    rte_tel_data_start_array(c, numbers ? RTE_TEL_U64_VAL : RTE_TEL_STRING_VAL);
    for (const auto& e : a) {
        if (numbers) rte_tel_data_add_array_u64(c, e.get<uint64_t>());
        else rte_tel_data_add_array_string(c, (e.is_string() ? e.get<std::string>() : e.dump()).substr(0, RTE_TEL_MAX_STRING_LEN - 1).c_str());
    }
    return c;
}

// How deep containers nest: deeper values go as their JSON text (none of vtepd's replies
// need it; it bounds the work a pathological reply could cause).
constexpr int kMaxDepth = 4;

// Adds `v` under `key`: scalars as values, arrays and objects as containers.
void addValue(rte_tel_data* d, const std::string& key, const Json& v, int depth) {
    if (v.is_null()) return;  // telemetry has no null: the field is absent
    const std::string k = telemetryName(key);
    rte_tel_data* c = nullptr;
    if (v.is_array() && depth < kMaxDepth) c = arrayContainer(v, depth);
    else if (v.is_object() && depth < kMaxDepth) c = dictContainer(v, depth);
    if (c == nullptr) {
        addScalar(d, key, v);
    } else if (rte_tel_data_add_dict_container(d, k.c_str(), c, 0) != 0) {
        rte_tel_data_free(c);
        addScalar(d, key, v);
    }
}

rte_tel_data* dictContainer(const Json& o, int depth) {
    rte_tel_data* c = rte_tel_data_alloc();
    if (c == nullptr) return nullptr;
    rte_tel_data_start_dict(c);
    for (const auto& item : o.items()) addValue(c, item.key(), item.value(), depth + 1);
    return c;
}

// Objects become dicts; arrays of objects become dicts keyed by each object's first value
// (the VTEP's address, the bridge's name).
void fill(rte_tel_data* d, const Json& j) {
    rte_tel_data_start_dict(d);
    if (j.is_array()) {
        for (const auto& e : j)
            if (e.is_object() && !e.empty())
                addValue(d, e.begin().value().is_string() ? e.begin().value().get<std::string>() : e.begin().value().dump(),
                         e, 0);
    } else if (j.is_object()) {
        for (const auto& item : j.items()) addValue(d, item.key(), item.value(), 0);
    } else {
        addScalar(d, "value", j);
    }
}

int handle(const char* cmd, const char*, rte_tel_data* d) {
    Telemetry* t = gTelemetry.load();
    if (t == nullptr) return -1;
    const std::string c = cmd;
    std::string command;
    if (c == "/vtepgw/counters") command = "show counters";
    else if (c == "/vtepgw/bridges") command = "show bridges";
    else if (c == "/vtepgw/vteps") command = "show vtep";
    else if (c == "/vtepgw/fdb") command = "show fdb";
    else return -1;
    const std::string reply = t->call(Json{{"command", command}}.dump());
    if (reply.empty()) return -1;
    const Json r = Json::parse(reply, nullptr, false);
    if (r.is_discarded() || !r.value("ok", false)) return -1;
    fill(d, r["result"]);
    return 0;
}

}  // namespace

Telemetry::Telemetry(Commands& commands) : commands_(commands) {
    static bool registered = false;
    gTelemetry.store(this);
    if (registered) return;
    registered = true;
    rte_telemetry_register_cmd("/vtepgw/counters", handle,
                               "vtepd counters: ports, bridges, drops by reason, events. No parameters");
    rte_telemetry_register_cmd("/vtepgw/bridges", handle, "vtepd bridge domains. No parameters");
    rte_telemetry_register_cmd("/vtepgw/vteps", handle, "Remote VTEPs known to vtepd. No parameters");
    rte_telemetry_register_cmd("/vtepgw/fdb", handle, "MAC table summary. No parameters");
}

Telemetry::~Telemetry() { gTelemetry.store(nullptr); }

std::string Telemetry::call(const std::string& request) {
    std::unique_lock<std::mutex> lock(mutex_);
    // One request at a time; telemetry's own thread serialises clients anyway.
    request_ = request;
    answered_ = false;
    pending_.store(true, std::memory_order_release);
    if (!cv_.wait_for(lock, std::chrono::seconds(2), [this] { return answered_; })) {
        pending_.store(false);
        return {};
    }
    return reply_;
}

bool Telemetry::serve() {
    if (!pending_.load(std::memory_order_acquire)) return false;
    std::lock_guard<std::mutex> lock(mutex_);
    if (!pending_.load()) return false;
    reply_ = commands_.executeLine(request_);
    answered_ = true;
    pending_.store(false);
    cv_.notify_all();
    return true;
}

}  // namespace vtepgw::control
