#!/usr/bin/env python3
"""mkpcap.py - writes hostile synthetic captures for the bad-input tests.

  mkpcap.py garbage DLT COUNT SEED OUT   random frames on link type DLT
  mkpcap.py badopts OUT                  handshake with broken TCP options,
                                         then data (Ethernet/IPv4)
  mkpcap.py messy V4|V6 VLANS SEED OUT   one connection whose segments are
                                         reordered, duplicated, overlapping,
                                         lost and snaplen-cut; prints the
                                         byte streams a reader must recover
                                         ("C2S <hex>", "S2C <hex>"), lost
                                         bytes excluded
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


def ip6(payload, from_client=True):
    src = bytes(15) + (b"\x01" if from_client else b"\x02")
    dst = bytes(15) + (b"\x02" if from_client else b"\x01")
    return struct.pack(">IHBB", 0x60000000, len(payload), 6, 64) + src + dst \
        + payload


def messy(fam, vlans, seed, out):
    rnd = random.Random(seed)
    c, s = 50001, 5432
    frames = []     # (bytes, wire_len)

    def frame(t):
        from_client = struct.unpack(">H", t[:2])[0] == c
        p = ip4(t) if fam == "V4" else ip6(t, from_client)
        tags = b"".join(b"\x81\x00" + struct.pack(">H", 10 + i)
                        for i in range(vlans))
        et = b"\x08\x00" if fam == "V4" else b"\x86\xdd"
        return b"\x00" * 12 + tags + et + p

    isn = {0: 1000, 1: 0xFFFFFF00}      # server side wraps
    frames.append(frame(tcp(c, s, isn[0], 0, 0x02,
                            bytes([2, 4, 0x3f, 0xd8]))))
    frames.append(frame(tcp(s, c, isn[1], isn[0] + 1, 0x12,
                            bytes([2, 4, 0xff, 0xd7]))))
    frames.append(frame(tcp(c, s, isn[0] + 1, isn[1] + 1, 0x10)))
    streams = {0: bytes(rnd.getrandbits(8) for _ in range(6000)),
               1: bytes(rnd.getrandbits(8) for _ in range(9000))}
    expect = {0: bytearray(), 1: bytearray()}
    segs = []
    for d in (0, 1):
        off, data = 0, streams[d]
        while off < len(data):
            n = min(rnd.randrange(1, 700), len(data) - off)
            segs.append((d, off, n))
            off += n
    # Per direction, some segments are lost, some cut by the snap length.
    fate = {}
    for i, (d, off, n) in enumerate(segs):
        r = rnd.random()
        fate[i] = "lost" if r < 0.05 else "cut" if r < 0.10 and n > 4 \
            else "ok"
    for i, (d, off, n) in enumerate(segs):
        if fate[i] == "ok":
            expect[d] += streams[d][off:off + n]
        elif fate[i] == "cut":
            expect[d] += streams[d][off:off + n // 2]
    # Reorder locally, duplicate some, add overlapping copies.
    order = list(range(len(segs)))
    for i in range(0, len(order) - 3, 3):
        if rnd.random() < 0.4:
            order[i], order[i + 2] = order[i + 2], order[i]
    out_segs = []
    for i in order:
        if fate[i] == "lost":
            continue
        out_segs.append(i)
        if rnd.random() < 0.1:
            out_segs.append(i)          # duplicate
    for i in out_segs:
        d, off, n = segs[i]
        src, dst = (c, s) if d == 0 else (s, c)
        seq = (isn[d] + 1 + off) & 0xFFFFFFFF
        ack = (isn[1 - d] + 1) & 0xFFFFFFFF
        t = tcp(src, dst, seq, ack, 0x18, b"", streams[d][off:off + n])
        f = frame(t)
        if fate[i] == "cut":
            frames.append((f[:len(f) - (n - n // 2)], len(f)))
        else:
            frames.append(f)
    # Overlapping copies spanning three client segments sent whole.
    for k in range(1, len(segs) - 1, 7):
        if not all(segs[i][0] == 0 and fate[i] == "ok" and segs[i][2] > 3
                   for i in (k - 1, k, k + 1)):
            continue
        d, off, n = segs[k]
        seq = (isn[0] + 1 + off - 1) & 0xFFFFFFFF
        frames.append(frame(tcp(c, s, seq, isn[1] + 1, 0x18, b"",
                                streams[0][off - 1:off + n + 3])))
        print("overlap", k, file=sys.stderr)
    frames.append(frame(tcp(c, s, (isn[0] + 1 + len(streams[0])) & 0xFFFFFFFF,
                            isn[1] + 1, 0x11)))
    frames.append(frame(tcp(s, c, (isn[1] + 1 + len(streams[1])) & 0xFFFFFFFF,
                            isn[0] + 2, 0x11)))
    with open(out, "wb") as f:
        f.write(header(1))
        for i, fr in enumerate(frames):
            if isinstance(fr, tuple):
                f.write(record(i, fr[0], fr[1]))
            else:
                f.write(record(i, fr))
    print("C2S", expect[0].hex())
    print("S2C", expect[1].hex())


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
    elif sys.argv[1] == "messy":
        messy(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    elif sys.argv[1] == "badopts":
        badopts(sys.argv[2])
    else:
        sys.exit(__doc__)
