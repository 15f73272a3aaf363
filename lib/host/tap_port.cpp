#include "host/tap_port.h"

#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include <stdexcept>

namespace vtepgw::host {

std::string tapDeviceName(const std::string& iface) { return "net_tap_" + iface; }

uint16_t openTap(const std::string& iface, const rte_ether_addr& mac, uint16_t mtu, rte_mempool* pool) {
    char macText[RTE_ETHER_ADDR_FMT_SIZE];
    rte_ether_format_addr(macText, sizeof macText, &mac);
    const std::string dev = tapDeviceName(iface);
    const std::string args = "iface=" + iface + ",mac=" + macText;
    auto fail = [&](const std::string& what, int err) {
        return std::runtime_error("host interface " + iface + " (" + dev + "," + args + "): " + what + ": " +
                                  rte_strerror(err < 0 ? -err : err));
    };
    if (int rc = rte_dev_probe((dev + "," + args).c_str()); rc != 0)
        throw fail("cannot create it (is /dev/net/tun there, and the name free?)", rc);
    uint16_t id = 0;
    if (int rc = rte_eth_dev_get_port_by_name(dev.c_str(), &id); rc != 0) throw fail("no port", rc);
    rte_eth_conf conf{};
    if (int rc = rte_eth_dev_configure(id, 1, 1, &conf); rc != 0) throw fail("configure", rc);
    if (int rc = rte_eth_rx_queue_setup(id, 0, kTapDescriptors, rte_eth_dev_socket_id(id), nullptr, pool); rc != 0)
        throw fail("rx queue", rc);
    if (int rc = rte_eth_tx_queue_setup(id, 0, kTapDescriptors, rte_eth_dev_socket_id(id), nullptr); rc != 0)
        throw fail("tx queue", rc);
    if (int rc = rte_eth_dev_set_mtu(id, mtu); rc != 0) throw fail("MTU " + std::to_string(mtu), rc);
    if (int rc = rte_eth_dev_start(id); rc != 0) throw fail("start", rc);
    return id;
}

}  // namespace vtepgw::host
