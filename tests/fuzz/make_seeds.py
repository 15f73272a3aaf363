#!/usr/bin/python3
"""Writes seed frames for fuzz_dataplane into DIR: first byte = port (0 underlay, 1 access,
2 trunk, 3 the host interface), then the frame. The addresses are those of the fuzz target's configuration."""
import os
import sys

from scapy.all import ARP, GRE, ICMP, IP, TCP, UDP, Dot1Q, Ether, Raw, VXLAN, raw
from scapy.layers.inet6 import (ICMPv6EchoRequest, ICMPv6MLQuery2, ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6NDOptDstLLAddr,
                                ICMPv6NDOptSrcLLAddr, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrHopByHop, RouterAlert)

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
ours, peer = "10.0.0.2", "10.0.0.9"
ours6, peer6, gw6 = "2001:db8:62::68", "2001:db8:61::67", "2001:db8:62::1"
inner = Ether(src="02:aa:00:00:00:01", dst="02:bb:00:00:00:01") / IP(src="192.168.10.1", dst="192.168.10.2") / UDP() / Raw(b"x" * 18)
seeds = {
    "vxlan": (0, Ether(dst="ff:ff:ff:ff:ff:ff") / IP(src=peer, dst=ours) / UDP(sport=50000, dport=4789) / VXLAN(vni=10) / inner),
    "vxlan_group": (0, Ether(dst="01:00:5e:01:01:01") / IP(src=peer, dst="239.1.1.1") / UDP(dport=4789) / VXLAN(vni=20) / inner),
    "arp": (0, Ether(dst="ff:ff:ff:ff:ff:ff", src="02:00:00:00:09:09") / ARP(op=1, psrc=peer, pdst=ours, hwsrc="02:00:00:00:09:09")),
    "arp_reply_gw": (0, Ether(src="02:00:00:00:01:01") / ARP(op=2, psrc="10.0.0.1", pdst=ours, hwsrc="02:00:00:00:01:01")),
    "ping": (0, Ether() / IP(src=peer, dst=ours) / ICMP()),
    "gre": (0, Ether(dst="ff:ff:ff:ff:ff:ff") / IP(src=peer, dst=ours) / GRE(key_present=1, key=30, proto=0x6558) / inner),
    "gre_csum_seq": (0, Ether(dst="ff:ff:ff:ff:ff:ff") / IP(src=peer, dst=ours) / GRE(chksum_present=1, key_present=1, seqnum_present=1, key=30, seqence_number=5, proto=0x6558) / inner),
    "vxlan_8472": (0, Ether(dst="ff:ff:ff:ff:ff:ff") / IP(src="10.9.9.9", dst=ours) / UDP(sport=50000, dport=8472) / VXLAN(vni=10) / inner),
    "tcp_to_host": (0, Ether(dst="ff:ff:ff:ff:ff:ff") / IP(src=peer, dst=ours) / TCP(sport=40000, dport=179, flags="S")),
    "bfd_to_host": (0, Ether(dst="ff:ff:ff:ff:ff:ff") / IP(src=peer, dst=ours) / UDP(sport=49152, dport=3784) / Raw(b"\x20" * 24)),
    "echo_reply_to_host": (0, Ether(dst="ff:ff:ff:ff:ff:ff") / IP(src=peer, dst=ours) / ICMP(type=0)),
    "ospf_to_host": (0, Ether(dst="ff:ff:ff:ff:ff:ff") / IP(src=peer, dst=ours, proto=89, options=b"\x94\x04\x00\x00") / Raw(b"x" * 24)),
    "host_tcp": (3, Ether(dst="02:00:00:00:09:09") / IP(src=ours, dst=peer) / TCP(sport=179, dport=40000, flags="SA")),
    "host_arp": (3, Ether(dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, psrc=ours, pdst="10.0.0.1")),
    "trunk_300": (2, Ether(dst="ff:ff:ff:ff:ff:ff", src="02:cc:00:00:00:03") / Dot1Q(vlan=300) / IP() / UDP()),
    "access_bcast": (1, Ether(dst="ff:ff:ff:ff:ff:ff", src="02:aa:00:00:00:01") / IP() / UDP()),
    "access_unicast": (1, inner),
    "trunk_100": (2, Ether(dst="ff:ff:ff:ff:ff:ff", src="02:cc:00:00:00:01") / Dot1Q(vlan=100) / IP() / UDP()),
    "trunk_200": (2, Ether(dst="02:bb:00:00:00:01", src="02:cc:00:00:00:02") / Dot1Q(vlan=200) / IP() / UDP()),
    # L3 on the overlay: br10's gateway (derived MAC) and br20's (02:00:00:00:fe:20).
    "arp_for_gateway": (1, Ether(dst="ff:ff:ff:ff:ff:ff", src="02:aa:00:00:00:01") / ARP(op=1, psrc="192.168.10.1", pdst="192.168.10.254", hwsrc="02:aa:00:00:00:01")),
    "arp_suppressed": (1, Ether(dst="ff:ff:ff:ff:ff:ff", src="02:aa:00:00:00:01") / ARP(op=1, psrc="192.168.10.1", pdst="192.168.10.9", hwsrc="02:aa:00:00:00:01")),
    "garp_from_tunnel": (0, Ether(dst="ff:ff:ff:ff:ff:ff") / IP(src=peer, dst=ours) / UDP(sport=50000, dport=4789) / VXLAN(vni=10) /
                         Ether(src="02:dd:00:00:00:01", dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, psrc="192.168.10.44", pdst="192.168.10.44", hwsrc="02:dd:00:00:00:01")),
    "ping_gateway": (2, Ether(dst="02:00:00:00:fe:20", src="02:cc:00:00:00:02") / Dot1Q(vlan=200) / IP(src="192.168.20.1", dst="192.168.20.254") / ICMP()),
    "routed": (2, Ether(dst="02:00:00:00:fe:20", src="02:cc:00:00:00:02") / Dot1Q(vlan=200) / IP(src="192.168.20.1", dst="192.168.10.9") / UDP() / Raw(b"r" * 18)),
    "routed_unknown": (2, Ether(dst="02:00:00:00:fe:20", src="02:cc:00:00:00:02") / Dot1Q(vlan=200) / IP(src="192.168.20.1", dst="192.168.10.77") / UDP()),
    "routed_ttl1": (2, Ether(dst="02:00:00:00:fe:20", src="02:cc:00:00:00:02") / Dot1Q(vlan=200) / IP(src="192.168.20.1", dst="192.168.10.9", ttl=1) / UDP()),
    "routed_options": (2, Ether(dst="02:00:00:00:fe:20", src="02:cc:00:00:00:02") / Dot1Q(vlan=200) / IP(src="192.168.20.1", dst="10.99.0.1", options=b"\x94\x04\x00\x00") / UDP()),
    # The IPv6 underlay (2001:db8:62::68; peer VTEP 2001:db8:61::67 behind gateway 2001:db8:62::1).
    "vxlan6": (0, Ether(dst="ff:ff:ff:ff:ff:ff") / IPv6(src=peer6, dst=ours6) / UDP(sport=50000, dport=4789) / VXLAN(vni=40) / inner),
    "vxlan6_zero_csum": (0, Ether(dst="ff:ff:ff:ff:ff:ff") / IPv6(src=peer6, dst=ours6) / UDP(sport=50000, dport=4789, chksum=0) / VXLAN(vni=40) / inner),
    "vxlan6_group": (0, Ether(dst="33:33:00:00:42:42") / IPv6(src=peer6, dst="ff05::4242") / UDP(dport=4789) / VXLAN(vni=40) / inner),
    "vxlan6_destopt": (0, Ether(dst="ff:ff:ff:ff:ff:ff") / IPv6(src=peer6, dst=ours6) / IPv6ExtHdrDestOpt() / UDP(dport=4789) / VXLAN(vni=40) / inner),
    "gre6": (0, Ether(dst="ff:ff:ff:ff:ff:ff") / IPv6(src=peer6, dst=ours6) / GRE(key_present=1, key=30, proto=0x6558) / inner),
    "ns_for_us": (0, Ether(dst="33:33:ff:00:00:68", src="02:00:00:00:06:01") / IPv6(src=gw6, dst="ff02::1:ff00:68", hlim=255) /
                  ICMPv6ND_NS(tgt=ours6) / ICMPv6NDOptSrcLLAddr(lladdr="02:00:00:00:06:01")),
    "na_from_gateway": (0, Ether(src="02:00:00:00:06:01") / IPv6(src=gw6, dst=ours6, hlim=255) /
                        ICMPv6ND_NA(tgt=gw6, S=1, O=1) / ICMPv6NDOptDstLLAddr(lladdr="02:00:00:00:06:01")),
    "dad_probe": (0, Ether(dst="33:33:ff:00:00:68") / IPv6(src="::", dst="ff02::1:ff00:68", hlim=255) / ICMPv6ND_NS(tgt=ours6)),
    "ping6": (0, Ether() / IPv6(src=gw6, dst=ours6) / ICMPv6EchoRequest(data=b"vtep")),
    "mld_query": (0, Ether(dst="33:33:00:00:00:01") / IPv6(src="fe80::1", dst="ff02::1", hlim=1) /
                  IPv6ExtHdrHopByHop(options=[RouterAlert()]) / ICMPv6MLQuery2()),
    "access_ipv6_flow": (1, Ether(src="02:aa:00:00:00:01", dst="ff:ff:ff:ff:ff:ff") / IPv6(src="2001:db8:a::1", dst="2001:db8:a::2") / UDP(sport=1000, dport=80)),
}
for name, (port, frame) in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(bytes([port]) + raw(frame))
