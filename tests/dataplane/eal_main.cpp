// Test main for code that needs DPDK memory: EAL once, without hugepages or PCI.
#include <gtest/gtest.h>
#include <rte_eal.h>
#include <unistd.h>

#include <string>

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    const std::string prefix = "--file-prefix=vtepgw-test-" + std::to_string(getpid());
    const char* eal[] = {"vtepgw-tests", "--no-huge", "--no-pci", "-m", "256", prefix.c_str(),
                         "--log-level=lib.eal:error", "--no-telemetry"};
    if (rte_eal_init(static_cast<int>(sizeof eal / sizeof eal[0]), const_cast<char**>(eal)) < 0) {
        fprintf(stderr, "EAL initialisation failed\n");
        return 1;
    }
    const int rc = RUN_ALL_TESTS();
    rte_eal_cleanup();
    return rc;
}
