#!/usr/bin/python3
"""Static multicast routing for the lab's router namespace, in user space.

Kernels built without CONFIG_IP_MROUTE / CONFIG_IPV6_MROUTE (some VM and CI kernels) give
smcroute nothing to program, yet the lab still needs a router between the VTEPs that forwards
their group. This does what "mroute from A group G to B" (both ways) asks of the kernel: a
frame sent to G that arrives on one interface leaves on the other with the TTL or hop limit
decremented, dropped where it would reach 0 (so the TTL 1 pitfall still reproduces), with
the IPv4 header checksum updated and the outgoing interface's MAC as source. A sender's veth
leaves UDP checksums partial (TX checksum offload); they are completed here, as the sender's
NIC would have done on a real wire. Anything not addressed to G is left to the kernel.

Usage: mcast_forwarder.py GROUP IF-A IF-B [PIDFILE]
"""
import ipaddress
import os
import select
import signal
import socket
import struct
import sys

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def fold(s):
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def ones_sum(b):
    if len(b) % 2:
        b = b + b"\0"
    return sum(struct.unpack("!%dH" % (len(b) // 2), b))


def udp_checksum(pseudo, udp):
    c = 0xFFFF & ~fold(ones_sum(pseudo) + ones_sum(udp))
    return c or 0xFFFF


def forward4(f, group):
    ihl = (f[14] & 0x0F) * 4
    if len(f) < 14 + ihl or f[30:34] != group:
        return False
    if f[22] <= 1:
        return None  # the TTL would reach 0: the router drops it
    f[22] -= 1
    f[24:26] = b"\0\0"
    f[24:26] = struct.pack("!H", 0xFFFF & ~fold(ones_sum(bytes(f[14:14 + ihl]))))
    total = struct.unpack("!H", f[16:18])[0]
    l4 = 14 + ihl
    # An IPv4 UDP checksum of 0 means "none" (the kernel's vxlan default): leave it so.
    if f[23] == 17 and len(f) >= 14 + total and total >= ihl + 8 and f[l4 + 6:l4 + 8] != b"\0\0":
        udp = bytearray(f[l4:14 + total])
        udp[6:8] = b"\0\0"
        pseudo = bytes(f[26:34]) + struct.pack("!BBH", 0, 17, len(udp))
        f[l4 + 6:l4 + 8] = struct.pack("!H", udp_checksum(pseudo, bytes(udp)))
    return True


def forward6(f, group):
    if len(f) < 54 or f[38:54] != group:
        return False
    if f[21] <= 1:
        return None
    f[21] -= 1
    plen = struct.unpack("!H", f[18:20])[0]
    if f[20] == 17 and len(f) >= 54 + plen and plen >= 8:  # UDP right after the header
        udp = bytearray(f[54:54 + plen])
        udp[6:8] = b"\0\0"
        pseudo = bytes(f[22:54]) + struct.pack("!IxxxB", plen, 17)
        f[60:62] = struct.pack("!H", udp_checksum(pseudo, bytes(udp)))
    return True


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    addr = ipaddress.ip_address(sys.argv[1])
    group, ethertype = addr.packed, (0x0800 if addr.version == 4 else 0x86DD)
    forward = forward4 if addr.version == 4 else forward6
    names = sys.argv[2:4]
    socks, macs = {}, {}
    for name in names:
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind((name, 0))
        socks[name] = s
        with open("/sys/class/net/%s/address" % name) as fh:
            macs[name] = bytes.fromhex(fh.read().strip().replace(":", ""))
    if len(sys.argv) == 5:
        with open(sys.argv[4], "w") as fh:
            fh.write("%d\n" % os.getpid())
    counts = {"forwarded": 0, "dropped for TTL": 0}

    def stop(*_):
        print("mcast_forwarder %s: %s" % (addr, counts), file=sys.stderr, flush=True)
        sys.exit(0)
    signal.signal(signal.SIGTERM, stop)
    other = {names[0]: names[1], names[1]: names[0]}
    by_fd = {s.fileno(): n for n, s in socks.items()}
    while True:
        ready, _, _ = select.select(list(socks.values()), [], [])
        for s in ready:
            frame, meta = s.recvfrom(65535)
            if meta[2] == PACKET_OUTGOING or len(frame) < 34:
                continue
            if struct.unpack("!H", frame[12:14])[0] != ethertype:
                continue
            f = bytearray(frame)
            verdict = forward(f, group)
            if verdict is None:
                counts["dropped for TTL"] += 1
            elif verdict:
                out = other[by_fd[s.fileno()]]
                f[6:12] = macs[out]
                try:
                    socks[out].send(bytes(f))
                    counts["forwarded"] += 1
                except OSError as e:  # larger than the link's MTU, for one
                    print("not forwarded (%d bytes): %s" % (len(f), e), file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
