#!/usr/bin/env python3
"""mysql-genlog-check.py - the texts of `tcpdp-top read -d mysql` records
against the MariaDB general log of the same session (the statements as the
server received them, raw bytes in the client's charset).

  mysql-genlog-check.py OUT.jsonl GENERAL.log

Per connection (connections in order of their earliest record's ts, as a
record without a response may be written last; log threads in order of
Connect), the records' query and stmt_prepare_query texts, in
order, must be the log's Query and Prepare texts: each text, encoded back
in the charset its record's character_set key names (Shift_JIS, EUC-JP;
any other charset is taken as the bytes themselves, which must be UTF-8),
must be the logged bytes, or (counted apart) the logged bytes decoded with
each byte outside the charset as U+FFFD. Prints each comparison that differs and a
summary; exits 1 on a difference."""
import json
import re
import sys
from collections import OrderedDict

CODECS = {"sjis": "cp932", "cp932": "cp932", "ujis": "euc_jp",
          "eucjpms": "euc_jp"}
LINE = re.compile(rb"^(?:\d{6} [ \d]\d:\d\d:\d\d)?\t\s*(\d+) (\w[\w ]*?)\t(.*)$")


def load_log(path):
    """thread -> [(command, bytes)], threads in order of appearance."""
    threads = OrderedDict()
    last = None
    with open(path, "rb") as f:
        for raw in f:
            raw = raw.rstrip(b"\n")
            m = LINE.match(raw)
            if m is None:
                if last is not None:	# a text with a newline
                    cmd, txt = last[-1]
                    last[-1] = (cmd, txt + b"\n" + raw)
                continue
            tid, cmd, arg = int(m.group(1)), m.group(2).decode(), m.group(3)
            last = threads.setdefault(tid, [])
            last.append((cmd, arg))
    return threads


def main():
    out, log = sys.argv[1], sys.argv[2]
    conns = OrderedDict()
    first = {}
    with open(out, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            cid = r.get("conn_id", r.get("src_addr"))
            first[cid] = min(first.get(cid, r["ts"]), r["ts"])
            key = "query" if "query" in r else \
                "stmt_prepare_query" if "stmt_prepare_query" in r else None
            if key is None:
                continue
            conns.setdefault(r.get("conn_id", r.get("src_addr")), []).append(
                (r[key], r.get("character_set", "")))
    conns = OrderedDict(sorted(conns.items(), key=lambda kv: first[kv[0]]))
    threads = [[a for c, a in t if c in ("Query", "Prepare")]
               for t in load_log(log).values()]
    threads = [t for t in threads if t and not t[0].startswith(b"SET GLOBAL")]
    bad = checked = lossy = 0
    if len(threads) != len(conns):
        print("connections: %d in the output, %d in the log" %
              (len(conns), len(threads)))
        bad += 1
    for (cid, recs), logged in zip(conns.items(), threads):
        if len(recs) != len(logged):
            print("%s: %d texts, %d logged" % (cid, len(recs), len(logged)))
            bad += 1
        for (txt, cs), want in zip(recs, logged):
            checked += 1
            try:
                got = txt.encode(CODECS.get(cs, "utf-8"))
            except UnicodeEncodeError:
                got = None
            if got != want and want.decode(CODECS.get(cs, "utf-8"),
                                            "replace") == txt:
                lossy += 1	# bytes not of the charset, each as U+FFFD
            elif got != want:
                bad += 1
                print("%s [%s]: %r\n    logged %r" % (cid, cs, txt, want))
    print("%d texts compared, %d differ, %d equal but for bytes outside "
          "the charset" % (checked, bad, lossy))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
