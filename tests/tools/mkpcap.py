#!/usr/bin/env python3
"""mkpcap.py - writes hostile synthetic captures for the bad-input tests.

  mkpcap.py garbage DLT COUNT SEED OUT   random frames on link type DLT
  mkpcap.py badopts OUT                  handshake with broken TCP options,
                                         then data (Ethernet/IPv4)
"""
import random
import struct
import sys


def header(dlt, snap=65535):
    return struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snap, dlt)


def record(ts, data, wire=None):
    return struct.pack("<IIII", ts, 0, len(data),
                       wire if wire is not None else len(data)) + data


def garbage(dlt, count, seed, out):
    rnd = random.Random(seed)
    with open(out, "wb") as f:
        f.write(header(dlt))
        for i in range(count):
            n = rnd.randrange(0, 120)
            b = bytearray(rnd.getrandbits(8) for _ in range(n))
            # Often make it look like IPv4/IPv6 + TCP so deeper code runs.
            off = {1: 14, 0: 4, 113: 16, 276: 20}.get(dlt, 0)
            if n > off + 10 and rnd.random() < 0.7:
                b[off] = rnd.choice([0x45, 0x46, 0x4f, 0x60])
                if b[off] >> 4 == 4:
                    b[off + 9] = 6
                    b[off + 6] &= 0x40
                else:
                    b[off + 6] = 6
                if dlt == 1:
                    b[12:14] = b"\x08\x00" if b[off] >> 4 == 4 else b"\x86\xdd"
            f.write(record(i, bytes(b), len(b) + rnd.randrange(0, 3)))


def tcp(sport, dport, seq, ack, flags, opts=b"", data=b""):
    hl = 20 + len(opts)
    hl_word = (hl + 3) // 4
    opts = opts + b"\0" * (hl_word * 4 - hl)
    return struct.pack(">HHIIBBHHH", sport, dport, seq, ack, hl_word << 4,
                       flags, 65535, 0, 0) + opts + data


def ip4(payload):
    return struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000,
                       64, 6, 0, bytes([127, 0, 0, 1]),
                       bytes([127, 0, 0, 1])) + payload


def eth(p):
    return b"\x00" * 12 + b"\x08\x00" + p


def badopts(out):
    c, s = 50000, 3306
    frames = [
        tcp(c, s, 100, 0, 0x02, bytes([2, 0, 0, 0])),          # len 0
        tcp(s, c, 500, 101, 0x12, bytes([1, 1, 2, 40])),       # overrun
        tcp(s, c, 500, 101, 0x12, bytes([2, 3, 1])),           # MSS len 3
        tcp(s, c, 500, 101, 0x12, bytes([8, 1, 0, 0])),        # len 1
        tcp(c, s, 101, 501, 0x18, bytes([5, 255]), b"after-bad-options"),
        tcp(c, s, 118, 501, 0x11),
        tcp(s, c, 501, 119, 0x11),
    ]
    with open(out, "wb") as f:
        f.write(header(1))
        for i, t in enumerate(frames):
            f.write(record(i, eth(ip4(t))))


if __name__ == "__main__":
    if sys.argv[1] == "garbage":
        garbage(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]),
                sys.argv[5])
    elif sys.argv[1] == "badopts":
        badopts(sys.argv[2])
    else:
        sys.exit(__doc__)
