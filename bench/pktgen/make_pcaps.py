#!/usr/bin/python3
"""Traffic and configuration for vtepgw benchmarks: the pipeline benchmark (net_pcap replay)
and a Pktgen-DPDK lab (pcaps per port).

  make_pcaps.py pcap --side access|underlay --size 64 --macs N [--packets P]
                     [--vtep-mac MAC] [--out FILE]
  make_pcaps.py config --mode encap|decap|mixed --macs N --underlay DEV --access DEV [--out FILE]
  make_pcaps.py lab DIR      (the pcaps and config of bench/pktgen/README.md)

The addressing is fixed so that pcaps and config agree:
  vtepgw underlay 10.0.0.2/16, gateway 10.0.0.1 (02:00:00:00:01:01), remote VTEPs
  10.1.0.1 .. 10.1.0.64 (routed via the gateway), VNI 10 on the access port.
  Local host i has MAC 02:aa:ii:ii:ii:ii, remote host i 02:bb:ii:ii:ii:ii; MAC pair i
  is carried by VTEP 10.1.0.(1 + i % 64).
Routed (VNI 10 -> VNI 20): local host i (100.64.0.2 + i, in br10, gateway 100.64.0.1/10 at
  02:00:00:00:fe:0a) sends to remote host i (198.18.0.2 + i, in br20, gateway 198.18.0.1/15),
  whose binding and MAC are static behind VTEP 10.1.0.(1 + i % 64).
IPv6 underlay (side underlay6, modes encap6/decap6): vtepgw 2001:db8::2/64, gateway
  2001:db8::1 (the same MAC), remote VTEPs 2001:db8:1::1 .. 2001:db8:1::40; UDP checksums
  computed per packet as Linux sends them.
Ethernet over GRE (side underlaygre, modes encapgre/decapgre): the same VTEPs and hosts, the
  bridge "encapsulation": "gre" with key 10 (RFC 2890), as Linux gretap ... key 10 sends it.
Frames are built once with scapy and patched per packet, so 100k-packet pcaps take seconds.
"""
import argparse
import json
import os
import struct
import sys

from scapy.all import IP, UDP, VXLAN, Ether, Raw, raw
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import GRE

VTEPS = 64
GW_MAC = "02:00:00:00:01:01"
OUR_IP = "10.0.0.2"
# net_pcap gives its ports 02:70:63:61:70:NN ("\x02pcap" + index) in probe order; the
# pipeline's underlay is the first vdev.
PCAP_PORT0_MAC = "02:70:63:61:70:00"


GW10_MAC = bytes.fromhex("02000000fe0a")


def local_ip(i):
    return 0x64400002 + i  # 100.64.0.2 + i


def remote_ip(i):
    return 0xC6120002 + i  # 198.18.0.2 + i


def dotted(v):
    return ".".join(str(v >> s & 255) for s in (24, 16, 8, 0))


def ip_checksum(header):
    s = sum(struct.unpack("!10H", bytes(header)))
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def mac(side, i):
    return bytes([0x02, 0xAA if side == "local" else 0xBB]) + i.to_bytes(4, "big")


def vtep_ip(i):
    return f"10.1.0.{1 + i % VTEPS}"


OUR_IP6 = "2001:db8::2"


def vtep_ip6(i):
    return f"2001:db8:1::{1 + i % VTEPS:x}"


def udp6_checksum(frame):
    """The UDP checksum of an Ethernet/IPv6/UDP frame (fixed header only), written in place."""
    frame[60:62] = b"\0\0"
    length = struct.unpack("!H", frame[18:20])[0]
    data = bytes(frame[22:54]) + struct.pack("!IxxxB", length, 17) + bytes(frame[54:54 + length])
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    frame[60:62] = struct.pack("!H", (~s & 0xFFFF) or 0xFFFF)


def inner(size, src, dst):
    """An inner Ethernet frame of `size` bytes with FCS (size - 4 on the wire capture)."""
    base = Ether(src="02:00:00:00:00:00", dst="02:00:00:00:00:00") / IP(src="192.168.0.1", dst="192.168.0.2") / UDP(sport=1000, dport=2000)
    pad = size - 4 - len(base)
    frame = bytearray(raw(base / Raw(b"\x00" * pad)))
    frame[0:6], frame[6:12] = dst, src
    return frame


def frames(side, size, macs, packets, vtep_mac):
    """Yields the frames of one pcap: MAC pair i = packet index modulo `macs`."""
    if side == "routed":
        template = inner(size, mac("local", 0), GW10_MAC)
        for n in range(packets):
            i = n % macs
            template[0:6], template[6:12] = GW10_MAC, mac("local", i)
            template[26:30], template[30:34] = struct.pack("!I", local_ip(i)), struct.pack("!I", remote_ip(i))
            template[24:26] = b"\0\0"
            template[24:26] = struct.pack("!H", ip_checksum(template[14:34]))
            yield bytes(template)
        return
    if side == "access":
        template = inner(size, mac("local", 0), mac("remote", 0))
        for n in range(packets):
            i = n % macs
            template[0:6], template[6:12] = mac("remote", i), mac("local", i)
            yield bytes(template)
        return
    if side == "underlay6":
        outer = {}
        for v in range(VTEPS):
            o = Ether(src=GW_MAC, dst=vtep_mac) / IPv6(src=vtep_ip6(v), dst=OUR_IP6, hlim=63) / UDP(sport=49152, dport=4789) / VXLAN(vni=10) / Raw(bytes(inner(size, b"\0" * 6, b"\0" * 6)))
            outer[v] = bytearray(raw(o))
        for n in range(packets):
            i = n % macs
            f = outer[i % VTEPS]
            f[54:56] = struct.pack("!H", 49152 + (i * 2654435761 >> 16) % 16384)
            f[70:76], f[76:82] = mac("local", i), mac("remote", i)
            udp6_checksum(f)
            yield bytes(f)
        return
    if side == "underlaygre":
        outer = {}
        for v in range(VTEPS):
            o = Ether(src=GW_MAC, dst=vtep_mac) / IP(src=vtep_ip(v), dst=OUR_IP, ttl=63) / GRE(key_present=1, key=10, proto=0x6558) / Raw(bytes(inner(size, b"\0" * 6, b"\0" * 6)))
            outer[v] = bytearray(raw(o))
        for n in range(packets):
            i = n % macs
            f = outer[i % VTEPS]
            f[42:48], f[48:54] = mac("local", i), mac("remote", i)
            yield bytes(f)
        return
    outer = {}
    for v in range(VTEPS):
        o = Ether(src=GW_MAC, dst=vtep_mac) / IP(src=vtep_ip(v), dst=OUR_IP, ttl=63) / UDP(sport=49152, dport=4789, chksum=0) / VXLAN(vni=10) / Raw(bytes(inner(size, b"\0" * 6, b"\0" * 6)))
        outer[v] = bytearray(raw(o))
    for n in range(packets):
        i = n % macs
        f = outer[i % VTEPS]
        f[34:36] = struct.pack("!H", 49152 + (i * 2654435761 >> 16) % 16384)  # flow entropy
        f[50:56], f[56:62] = mac("local", i), mac("remote", i)
        yield bytes(f)


def write_pcap(path, it):
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for f in it:
            out.write(struct.pack("<IIII", 0, 0, len(f), len(f)))
            out.write(f)


def config(mode, macs, underlay, access):
    """encap: the remote MACs are static, local ones learned; decap: the other way round;
    mixed: both learned from the traffic itself. encap6/decap6: the same over IPv6; encapgre/
    decapgre: over GRE."""
    ipv6 = mode.endswith("6")
    gre = mode.endswith("gre")
    mode = mode.rstrip("6").removesuffix("gre")
    vtep = vtep_ip6 if ipv6 else vtep_ip
    bridge = {"vni": 10, "members": [{"port": "access"}], "flood_vteps": []}
    if gre:
        bridge["encapsulation"] = "gre"
    if mode == "encap":
        bridge["static_macs"] = [{"mac": ":".join(f"{b:02x}" for b in mac("remote", i)), "vtep": vtep(i)} for i in range(macs)]
    elif mode == "decap":
        bridge["static_macs"] = [{"mac": ":".join(f"{b:02x}" for b in mac("local", i)), "port": "access"} for i in range(macs)]
    bridges = {"br10": bridge}
    if mode == "routed":
        bridge["address"] = "100.64.0.1/10"
        bridge["gateway_mac"] = ":".join(f"{b:02x}" for b in GW10_MAC)
        bridges["br20"] = {"vni": 20, "flood_vteps": [], "address": "198.18.0.1/15",
                           "static_macs": [{"mac": ":".join(f"{b:02x}" for b in mac("remote", i)), "vtep": vtep_ip(i)} for i in range(macs)],
                           "neighbors": [{"address": dotted(remote_ip(i)), "mac": ":".join(f"{b:02x}" for b in mac("remote", i))} for i in range(macs)]}
    under = {"port": "underlay", "address": OUR_IP + "/16", "gateway": "10.0.0.1", "mtu": 1600,
             "neighbors": [{"address": "10.0.0.1", "mac": GW_MAC}]}
    if ipv6:
        under = {"port": "underlay", "address": OUR_IP6 + "/64", "gateway": "2001:db8::1", "mtu": 1600,
                 "neighbors": [{"address": "2001:db8::1", "mac": GW_MAC}]}
    return {
        "ports": {"underlay": {"device": underlay}, "access": {"device": access}},
        "underlay": under,
        "vxlan": {"fdb_size": max(65536, 4 * macs)},
        "bridges": bridges,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pcap")
    p.add_argument("--side", choices=["access", "underlay", "underlay6", "underlaygre", "routed"], required=True)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--macs", type=int, default=1)
    p.add_argument("--packets", type=int, default=0, help="default: max(4096, macs)")
    p.add_argument("--vtep-mac", default=PCAP_PORT0_MAC, help="vtepgw's underlay MAC")
    p.add_argument("--out", required=True)
    c = sub.add_parser("config")
    c.add_argument("--mode", choices=["encap", "decap", "mixed", "routed", "encap6", "decap6", "encapgre", "decapgre"], required=True)
    c.add_argument("--macs", type=int, default=1)
    c.add_argument("--underlay", required=True)
    c.add_argument("--access", required=True)
    c.add_argument("--out", required=True)
    l = sub.add_parser("lab")
    l.add_argument("dir")
    l.add_argument("--vtep-mac", required=False, default="02:00:00:00:00:02")
    a = ap.parse_args()
    if a.cmd == "pcap":
        if not 64 <= a.size <= 9000:
            sys.exit("--size: 64 to 9000 bytes")
        write_pcap(a.out, frames(a.side, a.size, a.macs, a.packets or max(4096, a.macs), a.vtep_mac))
    elif a.cmd == "config":
        with open(a.out, "w") as f:
            json.dump(config(a.mode, a.macs, a.underlay, a.access), f, indent=1)
    else:
        os.makedirs(a.dir, exist_ok=True)
        for side in ("access", "underlay"):
            for size in (64, 1500):
                for macs in (1, 100000):
                    name = f"{side}_{size}_{'1' if macs == 1 else '100k'}.pcap"
                    write_pcap(os.path.join(a.dir, name), frames(side, size, macs, max(4096, macs), a.vtep_mac))
        for mode in ("encap", "decap", "mixed"):
            with open(os.path.join(a.dir, f"vtepd-{mode}.json"), "w") as f:
                json.dump(config(mode, 100000, "0000:01:00.0", "0000:01:00.1"), f, indent=1)


if __name__ == "__main__":
    main()
