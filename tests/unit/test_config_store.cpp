#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "config/store.h"

namespace vtepgw::config {
namespace {

using Json = nlohmann::ordered_json;

TEST(ConfigDiff, EqualWhateverTheKeyOrder) {
    const Json a = Json::parse(R"({"vxlan": {"ttl": 64, "udp_port": 4789}, "bridges": {}})");
    const Json b = Json::parse(R"({"bridges": {}, "vxlan": {"udp_port": 4789, "ttl": 64}})");
    EXPECT_TRUE(diff(a, b).empty());
}

TEST(ConfigDiff, NamesFieldsTheWayErrorsDo) {
    const Json file = Json::parse(R"({"bridges": {"br10": {"vni": 10, "flood_vteps": ["10.0.0.1", "10.0.0.2"]}},
                                      "vxlan": {"ttl": 64}})");
    const Json running = Json::parse(R"({"bridges": {"br10": {"vni": 10, "flood_vteps": ["10.0.0.2", "10.0.0.3"]},
                                                   "br20": {"vni": 20}}, "vxlan": {"ttl": 8}})");
    const auto d = diff(file, running);
    ASSERT_EQ(d.size(), 4u);
    EXPECT_EQ(d[0].path, "bridges.br10.flood_vteps[0]");
    EXPECT_EQ(d[0].file, "10.0.0.1");
    EXPECT_TRUE(d[0].running.is_null());
    EXPECT_EQ(d[1].path, "bridges.br10.flood_vteps[1]");
    EXPECT_EQ(d[1].running, "10.0.0.3");
    EXPECT_EQ(d[2].path, "bridges.br20");
    EXPECT_EQ(d[2].running["vni"], 20);
    EXPECT_EQ(d[3].path, "vxlan.ttl");
    EXPECT_EQ(d[3].file, 64);
    EXPECT_EQ(d[3].running, 8);
}

TEST(ConfigDiff, ListsAreMultisets) {
    // Order does not matter; a repeated element does.
    EXPECT_TRUE(diff(Json::parse("[1, 2, 3]"), Json::parse("[3, 1, 2]")).empty());
    const auto d = diff(Json::parse("[1, 1]"), Json::parse("[1]"));
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].path, "[1]");
}

TEST(ConfigFile, WrittenAtomicallyKeepingTheMode) {
    char dir[] = "/tmp/vtepgw-store-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    const std::string path = std::string(dir) + "/vtepd.json";
    { std::ofstream(path) << "old"; }
    chmod(path.c_str(), 0640);
    EXPECT_EQ(writeFileAtomically(path, "{\"new\": true}\n"), "");
    std::string error;
    EXPECT_EQ(readRegularFile(path, 1 << 20, error).value_or(""), "{\"new\": true}\n");
    struct stat sb {};
    ASSERT_EQ(stat(path.c_str(), &sb), 0);
    EXPECT_EQ(sb.st_mode & 07777, 0640u);
    // Nothing left behind but the file itself.
    EXPECT_EQ(system(("test $(ls " + std::string(dir) + " | wc -l) = 1").c_str()), 0);
    // Refused where it cannot write, with the reason, and the old file intact.
    EXPECT_NE(writeFileAtomically("/proc/vtepgw-nowhere/x.json", "x"), "");
    unlink(path.c_str());
    rmdir(dir);
}

TEST(ConfigFile, ReadsOnlyRegularFilesOfBoundedSize) {
    std::string error;
    EXPECT_FALSE(readRegularFile("/dev/zero", 1 << 20, error));
    EXPECT_NE(error.find("not a regular file"), std::string::npos);
    EXPECT_FALSE(readRegularFile("/etc/services", 10, error));
    EXPECT_NE(error.find("larger than 10 bytes"), std::string::npos);
    EXPECT_FALSE(readRegularFile("/nonexistent/x", 10, error));
    EXPECT_NE(error.find("cannot read"), std::string::npos);
}

}  // namespace
}  // namespace vtepgw::config
