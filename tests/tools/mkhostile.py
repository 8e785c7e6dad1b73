#!/usr/bin/env python3
"""mkhostile.py - protocol-valid but pathological captures for the memory
bound tests (tests/integration/hostile-memory.sh). Ethernet/IPv4 pcaps.

  mkhostile.py mysql16m OUT MB     one COM_QUERY of 16 MB packets that never
                                   ends (MB megabytes of it, no response)
  mkhostile.py pg1g OUT MB         a pg 'Q' announcing 1 GB, MB sent
  mkhostile.py mysqlpipe OUT N     N pipelined COM_QUERY, no response
  mkhostile.py mysqlprep OUT N     N COM_STMT_PREPARE, each answered with a
                                   new statement id (statement table)
  mkhostile.py pgpipe OUT N        N Parse (new names)/Bind/Execute, no Sync,
                                   no response
  mkhostile.py conns OUT N [SIZE]  N connections, each a handshake and the
                                   first SIZE (1400) bytes of a 16 MB
                                   COM_QUERY, never closed
  mkhostile.py pgconns OUT N [SIZE]  the same with a 1 GB pg 'Q' 
  mkhostile.py syns OUT N PORT     N SYNs from N sources to PORT, nothing
                                   more (a SYN flood, a port scan)
  mkhostile.py ooo OUT MB          one connection whose first segment is
                                   lost: MB megabytes wait behind the hole
"""
import struct
import sys

SEG = 60000


class Pcap:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        self.t = 0

    def frame(self, sip, dip, sport, dport, seq, ack, flags, data=b""):
        tcp = struct.pack(">HHIIBBHHH", sport, dport, seq & 0xffffffff,
                          ack & 0xffffffff, 5 << 4, flags, 65535, 0, 0)
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 40 + len(data), 0, 0x4000,
                         64, 6, 0, sip, dip)
        fr = b"\x02" + b"\x00" * 5 + b"\x04" + b"\x00" * 5 + b"\x08\x00" + \
            ip + tcp
        n = len(fr) + len(data)
        self.t += 1
        self.f.write(struct.pack("<IIII", 1700000000 + self.t // 1000000,
                                 self.t % 1000000, n, n))
        self.f.write(fr)
        self.f.write(data)

    def close(self):
        self.f.close()


class Conn:
    """A connection: handshake, then stream writes cut into segments."""

    def __init__(self, pc, cip, cport, sport):
        self.pc, self.cip, self.sip = pc, cip, bytes([127, 0, 0, 2])
        self.cport, self.sport = cport, sport
        self.seq = {0: 1000, 1: 500000}
        pc.frame(self.cip, self.sip, cport, sport, 999, 0, 0x02)
        pc.frame(self.sip, self.cip, sport, cport, 499999, 1000, 0x12)
        pc.frame(self.cip, self.sip, cport, sport, 1000, 500000, 0x10)

    def send(self, d, data, skip=False):
        for i in range(0, len(data), SEG):
            chunk = data[i:i + SEG]
            if not skip:
                if d == 0:
                    self.pc.frame(self.cip, self.sip, self.cport, self.sport,
                                  self.seq[0], self.seq[1], 0x18, chunk)
                else:
                    self.pc.frame(self.sip, self.cip, self.sport, self.cport,
                                  self.seq[1], self.seq[0], 0x18, chunk)
            self.seq[d] += len(chunk)


def stream(pc, head, total):
    """head then filler bytes, total bytes, in whole segments."""
    c = Conn(pc, bytes([127, 0, 0, 1]), 40000, head[0])
    c.send(0, head[1])
    filler = b"x" * SEG
    sent = len(head[1])
    while sent < total:
        c.send(0, filler)
        sent += SEG
    return c


def main():
    kind, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    pc = Pcap(out)
    MB = 1 << 20
    if kind == "mysql16m":
        # Each packet announces 0xffffff bytes, so the message never ends.
        c = Conn(pc, bytes([127, 0, 0, 1]), 40000, 3306)
        seq, first = 0, True
        remaining = n * MB
        while remaining > 0:
            body = (b"\x03SELECT '" if first else b"") + b"a" * (
                0xffffff - (9 if first else 0))
            pkt = b"\xff\xff\xff" + bytes([seq & 0xff]) + body
            c.send(0, pkt[:remaining])
            remaining -= len(pkt)
            seq += 1
            first = False
    elif kind == "pg1g":
        stream(pc, (5432, b"Q" + struct.pack(">I", 1 << 30) + b"SELECT '"),
               n * MB)
    elif kind == "mysqlpipe":
        c = Conn(pc, bytes([127, 0, 0, 1]), 40000, 3306)
        buf = bytearray()
        for i in range(n):
            q = b"\x03SELECT %d" % i
            buf += struct.pack("<I", len(q))[:3] + b"\x00" + q
            if len(buf) >= SEG:
                c.send(0, bytes(buf))
                buf = bytearray()
        c.send(0, bytes(buf))
    elif kind == "mysqlprep":
        c = Conn(pc, bytes([127, 0, 0, 1]), 40000, 3306)
        for i in range(n):
            q = b"\x16SELECT ? + %d" % i
            c.send(0, struct.pack("<I", len(q))[:3] + b"\x00" + q)
            # COM_STMT_PREPARE_OK: id, 0 columns, 0 params (no definitions)
            ok = b"\x00" + struct.pack("<IHHBH", i + 1, 0, 0, 0, 0)
            c.send(1, struct.pack("<I", len(ok))[:3] + b"\x01" + ok)
    elif kind == "pgpipe":
        c = Conn(pc, bytes([127, 0, 0, 1]), 40000, 5432)
        buf = bytearray()
        for i in range(n):
            name = b"s%d\x00" % i
            q = b"SELECT $1::int + %d\x00" % i
            p = name + q + struct.pack(">H", 0)
            buf += b"P" + struct.pack(">I", 4 + len(p)) + p
            b = b"\x00" + name + struct.pack(">HHI", 0, 1, 1) + b"7" + \
                struct.pack(">H", 0)
            buf += b"B" + struct.pack(">I", 4 + len(b)) + b
            e = b"\x00" + struct.pack(">I", 0)
            buf += b"E" + struct.pack(">I", 4 + len(e)) + e
            if len(buf) >= SEG:
                c.send(0, bytes(buf))
                buf = bytearray()
        c.send(0, bytes(buf))
    elif kind in ("conns", "pgconns"):
        size = int(sys.argv[4]) if len(sys.argv) > 4 else 1400
        if kind == "conns":
            port, head = 3306, b"\xff\xff\xff\x00\x03SELECT '"
        else:
            port, head = 5432, b"Q" + struct.pack(">I", 1 << 30) + b"SELECT '"
        pkt = head + b"a" * (size - len(head))
        for i in range(n):
            cip = bytes([10, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff])
            c = Conn(pc, cip, 1024 + i % 60000, port)
            c.send(0, pkt)
    elif kind == "syns":
        port = int(sys.argv[4])
        for i in range(n):
            cip = bytes([10, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff])
            pc.frame(cip, bytes([127, 0, 0, 2]), 1024 + i % 60000, port,
                     i * 7919, 0, 0x02)
    elif kind == "ooo":
        c = Conn(pc, bytes([127, 0, 0, 1]), 40000, 3306)
        c.send(0, b"\x00" * 1000, skip=True)
        filler = bytes(range(256)) * (SEG // 256)
        for _ in range(n * MB // len(filler)):
            c.send(0, filler)
    else:
        sys.exit("unknown kind " + kind)
    pc.close()


main()
