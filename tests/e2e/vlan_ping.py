#!/usr/bin/python3
"""A host on an 802.1Q trunk, for kernels without VLAN sub-interfaces: resolves DST by ARP
and pings it, all tagged with VLAN, and requires the answers to come back tagged with the
same VLAN. Exit status 0 on success.

  vlan_ping.py IFACE VLAN SRC_IP DST_IP
"""
import sys

from scapy.all import ARP, ICMP, IP, Dot1Q, Ether, conf, get_if_hwaddr, srp1

iface, vlan, src, dst = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
conf.verb = 0
mac = get_if_hwaddr(iface)

for attempt in range(3):
    a = srp1(Ether(src=mac, dst="ff:ff:ff:ff:ff:ff") / Dot1Q(vlan=vlan) /
             ARP(op=1, hwsrc=mac, psrc=src, pdst=dst), iface=iface, timeout=2)
    if a is not None:
        break
if a is None or Dot1Q not in a or a[Dot1Q].vlan != vlan or a[ARP].psrc != dst:
    sys.exit(f"no tagged ARP reply from {dst} on VLAN {vlan}")
peer = a[ARP].hwsrc
ok = 0
for seq in range(3):
    r = srp1(Ether(src=mac, dst=peer) / Dot1Q(vlan=vlan) / IP(src=src, dst=dst) /
             ICMP(id=0x7e, seq=seq), iface=iface, timeout=2)
    if r is not None and Dot1Q in r and r[Dot1Q].vlan == vlan and ICMP in r and r[ICMP].type == 0:
        ok += 1
print(f"VLAN {vlan}: {dst} is at {peer}, {ok}/3 echo replies tagged {vlan}")
sys.exit(0 if ok >= 2 else 1)
