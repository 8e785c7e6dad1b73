#!/usr/bin/env python3
"""pg-binvalues.py - binary Bind values against the server's own text.

Usage: pg-binvalues.py DSN DUMP_LOG [SEED [TIMES]]

Sends every vector (type OID, binary value) as the one parameter of
SELECT $1 through DSN (the tcpdp-top pg proxy in front of a real server),
the OID declared in the Parse and the value in binary format, and keeps
what the server answers: the value printed by the type's output function,
or the error its receive function raised. Then reads the proxy's dump log
and checks each Bind record's value against it: the server's text (a
number or bool for the types rendered as JSON ones), or the bytes in
"\\x" hex when the server refused them. Vectors are fixed edge cases plus
random values (SEED) of every rendered type and arrays of them (TIMES
as many for a longer run), some with a byte more, less or changed.
Prints PASS:/FAIL: lines."""

import json
import math
import os
import random
import struct
import sys
import time

import psycopg

JSON_INT = {20, 21, 23, 26}
JSON_FLOAT = {700, 701}
ARRAY_OF = {1000: 16, 1001: 17, 1002: 18, 1003: 19, 1016: 20, 1005: 21,
            1007: 23, 1009: 25, 1028: 26, 199: 114, 143: 142, 1021: 700,
            1022: 701, 1014: 1042, 1015: 1043, 1182: 1082, 1183: 1083,
            1115: 1114, 1185: 1184, 1187: 1186, 1270: 1266, 1231: 1700,
            2951: 2950, 3807: 3802, 1041: 869, 651: 650, 1040: 829,
            775: 774, 1561: 1560, 1563: 1562}

FIXED = """
# numeric: ndigits weight sign dscale digits
1700 0000 0000 0000 0000
1700 0000 0000 0000 0003
1700 0001 ffff 4000 0001 1388
1700 0001 fffb 0000 0014 0064
1700 0006 0004 0000 0003 000c 0d80 1c0b 0da0 1e61 04ce
1700 0000 0000 c000 0000
1700 0000 0000 d000 0000
1700 0000 0000 f000 0000
1700 0000 0000 c000 0005
1700 0001 0000 c000 0000 2710
1700 0002 0000 0000 0001 0001 1388
1700 0002 0000 4000 0002 0000 1388
1700 0002 0000 4000 0000 0000 1388
1700 0001 0000 4000 0003 0000
1700 0001 0000 0000 0000 2710
1700 0001 0000 0000 0000
1700 0001 0000 0000 0000 0005 0005
1700 0000 0000 0000 4000
1700 0000 0000 8000 0000
1700 0000 0000 0000 00f9
1700 0001 00fa 0000 0000 0001
1700 0001 00f9 0000 0000 0001
1700 0001 8000 0000 3fff 0005
1700 0002 0001 0000 0000 0000 0005
1700 0003 0002 0000 0002 0001 0000 0000
# arrays: ndim flags elemtype (size lb)... (len bytes)...
1007 00000000 00000000 00000017
1007 00000000 00000000 00000017 00
1007 00000001 00000000 00000017 00000000 00000005
1007 00000001 00000000 00000017 00000003 00000001 00000004 00000001 00000004 00000002 00000004 00000003
1007 00000002 00000000 00000017 00000002 00000001 00000002 00000001 00000004 00000001 00000004 00000002 00000004 00000003 00000004 00000004
1007 00000001 00000001 00000017 00000002 fffffffe 00000004 00000001 ffffffff
1007 00000002 00000001 00000017 00000001 00000000 00000002 00000005 ffffffff 00000004 00000007
1007 00000001 00000000 00000019 00000001 00000001 00000004 00000001
1007 00000001 00000000 00004e20 00000001 00000001 00000004 00000001
1007 00000001 00000002 00000017 00000001 00000001 00000004 00000001
1007 00000001 00000000 00000017 00000001 7fffffff 00000004 00000001
1007 00000001 00000000 00000017 00000001 7ffffffe 00000004 00000001
1007 00000001 00000000 00000017 00000001 80000000 00000004 00000001
1007 00000001 00000000 00000017 00000002 00000001 00000004 00000001
1007 00000001 00000000 00000017 00000001 00000001 00000004 00000001 00
1007 00000001 00000000 00000017 00000001 00000001 00000003 000001
1007 00000001 00000000 00000017 00000001 00000001 fffffffe
1007 00000007 00000000 00000017
1007 ffffffff 00000000 00000017
1007 00000002 00000000 00000017 40000000 00000001 00000000 00000001
1007 00000002 00000000 00000017 00010000 00000001 00010000 00000001
1007 00000001 00000000 00000017 7fffffff 00000001 00000004 00000001
1007 00000001 00000000 00000017 ffffffff 00000001
1007 00000006 00000000 00000017 00000001 00000001 00000001 00000001 00000001 00000001 00000001 00000001 00000001 00000001 00000001 00000001 00000004 00000009
1009 00000001 00000000 00000019 00000008 00000001 00000000 00000004 4e554c4c 00000004 6e756c6c 00000003 612062 00000003 617b62 00000003 61225c 00000003 610962 ffffffff
1009 00000001 00000000 00000019 00000006 00000001 00000001 2c 00000001 7d 00000001 0b 00000001 0c 00000005 4e554c4c4c 00000003 4e554c
1009 00000001 00000000 00000019 00000003 00000001 00000002 c3a9 00000001 27 00000001 5b
1015 00000001 00000000 00000019 00000001 00000001 00000001 61
1015 00000001 00000000 00000413 00000001 00000001 00000001 61
1001 00000001 00000000 00000011 00000002 00000001 00000000 00000002 01ff
1002 00000001 00000000 00000012 00000003 00000001 00000001 e9 00000001 00 00000001 22
1000 00000001 00000000 00000010 00000002 00000001 00000001 01 00000001 00
1021 00000001 00000000 000002bc 00000002 00000001 00000004 3f8ccccd 00000004 7fc00000
3807 00000001 00000000 00000eea 00000001 00000001 00000009 017b2261223a20317d
3807 00000001 00000000 00000eea 00000001 00000001 00000003 027b7d
199 00000001 00000000 00000072 00000001 00000001 00000002 5b5d
1231 00000001 00000000 000006a4 00000002 00000001 0000000a 0001 0000 0000 0000 0005 0000000a 0001 0000 c000 0000 0005
22 00000001 00000000 00000015 00000002 00000000 00000002 0001 00000002 0002
22 00000000 00000000 00000015
22 00000001 00000000 00000015 00000002 00000001 00000002 0001 00000002 0002
22 00000001 00000000 00000015 00000001 00000000 ffffffff
30 00000001 00000000 0000001a 00000002 00000000 00000004 00000001 00000004 ffffffff
# time, timetz (zone seconds west), interval (us, days, months)
1083 0000000000000000
1083 000000141dd76000
1083 000000141dd76001
1083 ffffffffffffffff
1083 0000000bebc2000f
1083 00000000000000
1266 0000000000000000 ffffb9b0
1266 0000000000000000 00000e10
1266 0000000000000000 00000e11
1266 0000000000000000 ffffffc4
1266 0000000000000000 0000e0ff
1266 0000000000000000 0000e100
1266 0000000000000000 ffff1f01
1266 0000000000000000 ffff1f00
1266 000000141dd76000 00000000
1186 0000000000000000 00000000 00000000
1186 0000000000000001 ffffffff 00000000
1186 000000036a7de228 00000003 0000000e
1186 00000001b4e0be00 ffffffff 00000000
1186 fffffffe4b1f4200 00000001 00000000
1186 fffffffe4b1f4200 00000000 00000000
1186 0000000000000000 00000000 fffffff2
1186 0000000000000000 00000001 00000001
1186 0000000000000000 ffffffff ffffffff
1186 0000000000000000 00000001 ffffffff
1186 ffffffffffffffff 00000000 00000000
1186 7fffffffffffffff 7fffffff 7ffffff0
1186 7fffffffffffffff 7fffffff 7fffffff
1186 8000000000000000 80000000 80000000
1186 0000000000000000 00000000 000000
# inet/cidr: family bits is_cidr length address
869 02 20 00 04 0a000001
869 02 18 00 04 0a000001
869 02 21 00 04 0a000001
869 02 20 00 05 0a000001
869 04 20 00 04 0a000001
869 02 00 00 04 00000000
650 02 18 01 04 0a000000
650 02 18 01 04 0a000001
650 02 20 01 04 0a000001
650 02 00 00 04 00000000
650 02 1f 00 04 0a000002
869 03 80 00 10 00000000000000000000000000000000
869 03 80 00 10 00000000000000000000000000000001
869 03 80 00 10 00000000000000000000000000000002
869 03 80 00 10 00010000000000000000000000000000
869 03 80 00 10 00000000000000000000000001020304
869 03 80 00 10 00000000000000000000ffff01020304
869 03 80 00 10 0000000000000000ffff000001020304
869 03 80 00 10 00010000000100000000000000000001
869 03 80 00 10 00010000000000010000000000000001
869 03 80 00 10 00010000000100000001000000000001
869 03 80 00 10 00010002000300040005000600070008
869 03 80 00 10 00010000000000010000000000010001
869 03 80 00 10 00000000000100000000000100000000
869 03 80 00 10 20010db8000000000001000000000001
869 03 40 00 10 20010db8000000000000000000000001
869 03 81 00 10 20010db8000000000000000000000001
650 03 40 01 10 20010db8000000000000000000000000
650 03 40 01 10 20010db8000000000000000000000001
650 03 80 01 10 20010db8000000000000000000000001
650 03 00 01 10 00000000000000000000000000000000
# macaddr, macaddr8, "char", bit, varbit
829 08002b010203
829 08002b01020304
774 08002b010203
774 08002b0102030405
774 08002b01020304
18 41
18 e9
18 00
18 22
18 0000
1560 00000003 ff
1560 00000000
1560 00000009 ff80
1560 00000009 ff
1562 0000000a ffc0
1562 0000000a ffc000
1562 ffffffff
# float arrays: shortest text
1022 00000001 00000000 000002bd 00000006 00000001 00000008 3ff0000000000000 00000008 3fb999999999999a 00000008 430c6bf526340000 00000008 42d6bcc41e900000 00000008 3ee4f8b588e368f1 00000008 8000000000000000
1021 00000001 00000000 000002bc 00000004 00000001 00000004 49742400 00000004 4afffffe 00000004 00000001 00000004 ff800000
# types whose text is unchanged
2950 12345678123456781234567812345678
1082 00002000
1114 0000000000000000
1184 0000000000000000
17 0001ff
"""


def fixed():
    for line in FIXED.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        oid, _, rest = line.partition(" ")
        yield int(oid), bytes.fromhex(rest.replace(" ", ""))


def r_numeric(rng):
    if rng.random() < 0.05:
        return struct.pack(">HhHH", 0, 0, rng.choice([0xC000, 0xD000, 0xF000]),
                           0)
    nd = rng.randint(0, 6)
    digits = [rng.choice([0, rng.randint(0, 9999), 9999]) for _ in range(nd)]
    weight = rng.randint(-8, 8)
    dscale = rng.choice([0, rng.randint(0, 40)])
    sign = rng.choice([0, 0x4000])
    return struct.pack(">HhHH", nd, weight, sign, dscale) + b"".join(
        struct.pack(">H", d) for d in digits)


def r_interval(rng):
    t = rng.choice([0, rng.randint(-10**12, 10**12),
                    rng.randint(-10**6, 10**6),
                    rng.randint(-2**63, 2**63 - 1)])
    d = rng.choice([0, rng.randint(-40, 40), rng.randint(-2**31, 2**31 - 1)])
    m = rng.choice([0, rng.randint(-30, 30), rng.randint(-2**31, 2**31 - 1)])
    return struct.pack(">qii", t, d, m)


def r_time(rng):
    return struct.pack(">q", rng.choice([rng.randint(0, 86400 * 10**6),
                                         rng.randint(0, 86400) * 10**6]))


def r_timetz(rng):
    z = rng.choice([0, rng.randint(-57599, 57599), rng.randint(-14, 14) * 3600,
                    rng.randint(-14 * 4, 14 * 4) * 900])
    return r_time(rng) + struct.pack(">i", z)


def r_inet(rng, cidr):
    v6 = rng.random() < 0.6
    size = 16 if v6 else 4
    if v6:
        words = [rng.choice([0, 0, 0, 1, rng.randint(0, 0xffff)])
                 for _ in range(8)]
        addr = b"".join(struct.pack(">H", w) for w in words)
    else:
        addr = bytes(rng.randint(0, 255) for _ in range(4))
    bits = rng.choice([size * 8, rng.randint(0, size * 8)])
    if cidr:
        a = bytearray(addr)
        for i in range(bits, size * 8):
            a[i // 8] &= ~(0x80 >> (i % 8)) & 0xff
        addr = bytes(a)
    return bytes([3 if v6 else 2, bits, 1 if cidr else 0, size]) + addr


def r_float8(rng):
    if rng.random() < 0.3:
        # any bits: subnormals, NaNs, infinities, every exponent
        return struct.pack(">Q", rng.getrandbits(64))
    x = rng.choice([rng.uniform(-1e6, 1e6), rng.random() * 10 **
                    rng.randint(-320, 308), float(rng.randint(-10**16, 10**16)),
                    float(rng.randint(2**53, 2**64)),
                    rng.randint(-999, 999) / 1000, 1e15, 1e-5, 123456789012345.0])
    return struct.pack(">d", x)


def r_float4(rng):
    if rng.random() < 0.3:
        return struct.pack(">I", rng.getrandbits(32))
    x = rng.choice([rng.uniform(-1e6, 1e6), rng.random() * 10 **
                    rng.randint(-45, 38), float(rng.randint(-10**7, 10**7)),
                    float(rng.randint(2**24, 2**40)), 1e6, 1e-5, 123456.0])
    return struct.pack(">f", x)


def r_text(rng):
    pool = ["", "a", "NULL", "null", "a b", "{x}", 'q"', "b\\s", "é", "x,y",
            "\t", "plain", "nULl ", "[1]", "'"]
    return rng.choice(pool).encode()


def r_bits(rng):
    n = rng.randint(0, 20)
    return struct.pack(">i", n) + bytes(rng.randint(0, 255)
                                        for _ in range((n + 7) // 8))


SCALAR = {
    1700: r_numeric, 1186: r_interval, 1083: r_time, 1266: r_timetz,
    869: lambda g: r_inet(g, False), 650: lambda g: r_inet(g, True),
    701: r_float8, 700: r_float4, 25: r_text, 1043: r_text, 1560: r_bits,
    1562: r_bits,
    829: lambda g: bytes(g.randint(0, 255) for _ in range(6)),
    774: lambda g: bytes(g.randint(0, 255) for _ in range(g.choice([6, 8]))),
    18: lambda g: bytes([g.randint(0, 255)]),
    16: lambda g: bytes([g.randint(0, 1)]),
    21: lambda g: struct.pack(">h", g.randint(-32768, 32767)),
    23: lambda g: struct.pack(">i", g.randint(-2**31, 2**31 - 1)),
    20: lambda g: struct.pack(">q", g.randint(-2**63, 2**63 - 1)),
    26: lambda g: struct.pack(">I", g.randint(0, 2**32 - 1)),
    1082: lambda g: struct.pack(">i", g.randint(-700000, 700000)),
    1114: lambda g: struct.pack(">q", g.randint(-2**50, 2**50)),
    1184: lambda g: struct.pack(">q", g.randint(-2**50, 2**50)),
    2950: lambda g: bytes(g.randint(0, 255) for _ in range(16)),
    17: lambda g: bytes(g.randint(0, 255) for _ in range(g.randint(0, 4))),
}


def r_array(rng, aoid):
    el = ARRAY_OF[aoid]
    gen = SCALAR[el]
    ndim = rng.choice([1, 1, 1, 2, 3])
    dims = [rng.randint(1, 3) for _ in range(ndim)]
    lbs = [rng.choice([1, 1, 0, -2, 5]) for _ in range(ndim)]
    n = 1
    for d in dims:
        n *= d
    items = []
    hasnull = 0
    for _ in range(n):
        if rng.random() < 0.15:
            items.append(struct.pack(">i", -1))
            hasnull = 1
        else:
            v = gen(rng)
            items.append(struct.pack(">i", len(v)) + v)
    head = struct.pack(">iiI", ndim, hasnull, el)
    for d, lb in zip(dims, lbs):
        head += struct.pack(">ii", d, lb)
    return head + b"".join(items)


def mutate(rng, raw):
    """Now and then a byte more, one less or one changed: the server's
    receive function decides whether it still takes the value."""
    r = rng.random()
    if r < 0.03:
        return raw + bytes([rng.randint(0, 255)])
    if r < 0.06 and raw:
        return raw[:-1]
    if r < 0.12 and raw:
        b = bytearray(raw)
        b[rng.randrange(len(b))] = rng.randint(0, 255)
        return bytes(b)
    return raw


def vectors(seed, times):
    rng = random.Random(seed)
    out = list(fixed())
    for oid, gen in sorted(SCALAR.items()):
        n = 40 if oid in (1700, 1186, 869, 650, 1266, 700, 701) else 12
        for _ in range(n * times):
            out.append((oid, mutate(rng, gen(rng))))
    for aoid, el in sorted(ARRAY_OF.items()):
        if el not in SCALAR:
            continue
        for _ in range(6 * times):
            out.append((aoid, mutate(rng, r_array(rng, aoid))))
    return out


PG17_INF = {struct.pack(">qii", 2**63 - 1, 2**31 - 1, 2**31 - 1): "infinity",
            struct.pack(">qii", -2**63, -2**31, -2**31): "-infinity"}


def expected(oid, text, err, raw, version):
    # PostgreSQL 17's infinite intervals, printed as 17 does by any version
    if oid == 1186 and raw in PG17_INF and version < 170000:
        return PG17_INF[raw]
    if err is not None or text is None:
        return "\\x" + raw.hex()
    # ours: a numeric of more than about 1000 characters is shown in hex
    if oid == 1700 and len(text) > 1000:
        return "\\x" + raw.hex()
    if oid in JSON_INT:
        return int(text)
    if oid == 16:
        return text == "t"
    if oid in JSON_FLOAT and text not in ("NaN", "Infinity", "-Infinity"):
        return float(text)
    return text


def same(oid, want, got):
    if isinstance(want, float) and isinstance(got, (int, float)):
        if oid == 700:
            return struct.pack(">f", want) == struct.pack(">f", float(got))
        return want == float(got) or (math.isnan(want) and math.isnan(got))
    return want == got and type(want) is type(got)


def main():
    dsn, log = sys.argv[1], sys.argv[2]
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    times = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    vecs = vectors(seed, times)
    start = os.path.getsize(log) if os.path.exists(log) else 0
    conn = psycopg.connect(dsn, autocommit=True)
    pg = conn.pgconn
    version = pg.server_version
    answers = []
    for oid, raw in vecs:
        r = pg.exec_params(b"SELECT $1", [raw], [oid], [1], 0)
        if r.status == 2:
            v = r.get_value(0, 0)
            answers.append((None if v is None else v.decode(), None))
        else:
            answers.append((None, r.error_message.decode().strip()))
    conn.close()
    got = []
    for _ in range(50):
        time.sleep(0.2)
        got = []
        with open(log, "rb") as f:
            f.seek(start)
            for line in f:
                rec = json.loads(line)
                if rec.get("message_type") == "B" and \
                        rec.get("stmt_query") == "SELECT $1":
                    got.append(rec["bind_values"])
        if len(got) >= len(vecs):
            break
    if len(got) != len(vecs):
        print("FAIL: pg-binvalues/records (%d Bind records for %d vectors)"
              % (len(got), len(vecs)))
        return
    bad = 0
    rendered = refused = unchecked = 0
    for (oid, raw), (text, err), vals in zip(vecs, answers, got):
        # text is shown as sent, whatever its encoding (repaired on output)
        if err is not None and "invalid byte sequence" in err:
            unchecked += 1
            continue
        want = expected(oid, text, err, raw, version)
        if err is None:
            rendered += 1
        else:
            refused += 1
        if len(vals) != 1 or not same(oid, want, vals[0]):
            bad += 1
            if bad <= 30:
                print("  oid %d value %s: server %r%s, dump %r" % (
                    oid, raw.hex(), text if text is None or len(text) < 200
                    else text[:200] + "...", "" if err is None else
                    " (" + err.splitlines()[0] + ")", vals))
    print("%d vectors: %d rendered by the server, %d refused, %d not UTF-8 "
          "(not compared); %d differ" % (len(vecs), rendered, refused,
                                          unchecked, bad))
    if bad:
        print("FAIL: pg-binvalues/values (%d of %d differ)" % (bad, len(vecs)))
    else:
        print("PASS: pg-binvalues/values")


if __name__ == "__main__":
    main()
