#!/usr/bin/env python3
"""pcaploss.py - capture loss, as a probe under load meets it.

  pcaploss.py drop IN OUT RATE SEED   copies a classic pcap, leaving out
                                      each packet with probability RATE
                                      (seeded: the same loss every run)
  pcaploss.py check CLEAN DAMAGED [MAXLOST]
                                      decoder records (JSON lines) of the
                                      whole capture and of the damaged one:
                                      every damaged record that has a
                                      response (a "status" key) must be a
                                      record of the clean capture, keys and
                                      values alike, less the keys a loss
                                      may rightly leave out (CONTEXT). A
                                      response given to the wrong request
                                      makes a record the clean capture does
                                      not have. Prints the counts; exits 1
                                      on any such record, or when more
                                      than the fraction MAXLOST of the
                                      records have no response.
  pcaploss.py order RECORDS           a connection's records (JSON lines)
                                      never go back in time; exits 1 if
                                      one does.
"""
import collections
import json
import random
import struct
import sys


def drop(src, dst, rate, seed):
    rnd = random.Random(seed)
    with open(src, "rb") as f, open(dst, "wb") as o:
        gh = f.read(24)
        o.write(gh)
        end = "<" if gh[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
        while True:
            h = f.read(16)
            if len(h) < 16:
                break
            body = f.read(struct.unpack(end + "IIII", h)[2])
            if rnd.random() >= rate:
                o.write(h + body)


# Known from other packets, which the loss may have taken: the handshake
# (user, database, character set, MSS) and the statement text of a prepare
# or Parse (and, below, the statement of an Execute's portal). conn_id differs from run to run.
CONTEXT = ("conn_id", "username", "database", "character_set", "mss",
           "stmt_query", "execute_query")


def load(path):
    out = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            r = json.loads(line)
            for k in CONTEXT:
                r.pop(k, None)
            # an Execute's statement is known from its portal's Bind
            if r.get("message_type") == "E":
                r.pop("stmt_name", None)
            out.append(r)
    return out


# An execute whose parameter types went with a lost packet has no values
# (values_error says why): it is compared without them.
VALUES = ("stmt_execute_values", "bind_values", "values_error")


def key(r, values=True):
    if not values:
        r = {k: v for k, v in r.items() if k not in VALUES}
    return json.dumps(r, sort_keys=True)


def check(clean, damaged, maxlost):
    recs = load(clean)
    have = collections.Counter(key(r) for r in recs)
    have_nv = collections.Counter(key(r, False) for r in recs)
    answered = lost = bad = 0
    for r in load(damaged):
        if "status" not in r:
            lost += 1
            continue
        answered += 1
        full = "values_error" not in r
        k = key(r, full)
        pool = have if full else have_nv
        if pool[k] > 0:
            pool[k] -= 1
        else:
            bad += 1
            if bad <= 5:
                print("not in the clean capture:", k[:400])
    print(f"answered {answered}, without response {lost}, wrong {bad}")
    if lost > maxlost * (answered + lost):
        print(f"more than {maxlost:.1%} of the records without a response")
        return 1
    return 1 if bad else 0


def order(path):
    last = {}
    back = 0
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            r = json.loads(line)
            c = r.get("conn_id")
            if c in last and r["ts"] < last[c]:
                back += 1
                if back <= 5:
                    print("back in time:", line[:300].rstrip())
            last[c] = max(r["ts"], last.get(c, ""))
    print(f"{back} records back in time")
    return 1 if back else 0


if __name__ == "__main__":
    if sys.argv[1] == "drop":
        drop(sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5]))
    elif sys.argv[1] == "order":
        sys.exit(order(sys.argv[2]))
    else:
        sys.exit(check(sys.argv[2], sys.argv[3],
                       float(sys.argv[4]) if len(sys.argv) > 4 else 1.0))
