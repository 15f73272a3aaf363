-- Pktgen-DPDK profile for a two-port vtepgw lab (see README.md in this directory).
-- Port 0 faces vtepgw's access port and replays access_*.pcap (inner frames: encap work);
-- port 1 faces vtepgw's underlay port and replays underlay_*.pcap (VXLAN: decap work).
-- Pcaps are given on Pktgen's command line (-s 0:FILE -s 1:FILE); this script runs the
-- phases (encap only, decap only, both) and prints what each port received.
--
-- Run: pktgen -l 0-4 -n 4 -a <PCI0> -a <PCI1> -- -P -m "[1:2].0,[3:4].1" \
--        -s 0:access_64_100k.pcap -s 1:underlay_64_100k.pcap -f vtepgw.lua
package.path = package.path .. ";?.lua;test/?.lua;app/?.lua;"
require "Pktgen"

local seconds = 30  -- per phase
local rate = 100    -- percent of line rate

local function phase(name, ports)
    pktgen.clr()
    pktgen.set("all", "rate", rate)
    pktgen.pcap(ports, "on")
    pktgen.start(ports)
    pktgen.delay(seconds * 1000)
    pktgen.stop(ports)
    pktgen.delay(1000)  -- let the tail drain
    local stats = pktgen.portStats("all", "port")
    -- Encap: what port 0 sent comes back VXLAN-encapsulated on port 1, and vice versa.
    local tx0, rx0 = stats[0].opackets, stats[0].ipackets
    local tx1, rx1 = stats[1].opackets, stats[1].ipackets
    printf("%-6s access tx %14d  underlay rx %14d | underlay tx %14d  access rx %14d | %.2f Mpps through\n",
           name, tx0, rx1, tx1, rx0, (rx0 + rx1) / seconds / 1e6)
    pktgen.pcap(ports, "off")
end

phase("encap", "0")
phase("decap", "1")
phase("mixed", "0-1")
pktgen.quit()
