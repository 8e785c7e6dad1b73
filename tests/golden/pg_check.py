#!/usr/bin/env python3
"""pg_check.py - the pg dumper against tshark's ground truth.

Usage: pg_check.py TCPDP_BIN FIXTURES_DIR

For every fixtures/pcap/pg_*.pcap, runs `read -d pg -t 54322` and checks,
per TCP connection (records are emitted when their response completes, so
only the order within a connection is the capture's order):
  * the Q and P texts equal the .tshark.tsv ones exactly, in order, and
    all of them together equal .queries.txt (same count, same lines);
  * Bind values equal the tsv `params` column (binary values as "\\x.."
    against {"hex": ".."}, NULL as null);
  * each Q/E record's command_tag is the tag of its CommandComplete (the
    last one for a multi-statement Query), and rows match the tag's count;
  * error codes, severities and messages equal tshark's, in order;
  * every Execute yields one E record, and it names its statement's text;
  * TLS captures give one TLS record and nothing else.
Then the upstream pg_prepare.pcap output must contain upstream's records
(fixtures/upstream/pg_prepare.read_pg_t54322.json.out) key for key, in
order, ignoring conn_id values and our extension keys; our extra records
are E records only.
Prints PASS:/FAIL: lines (tests/run.sh counts them)."""

import collections
import json
import os
import subprocess
import sys

PORT = "54322"
TLS_WHY = ("client is trying to connect using SSL. "
           "tcpdp pg dumper not support SSL connection")


def unescape(s):
    """The fixtures' escaping (README) back to text."""
    out = bytearray()
    i = 0
    b = s.encode("utf-8")
    while i < len(b):
        c = b[i]
        if c == 0x5C and i + 1 < len(b):
            n = b[i + 1]
            if n == ord("n"):
                out += b"\n"; i += 2; continue
            if n == ord("r"):
                out += b"\r"; i += 2; continue
            if n == ord("t"):
                out += b"\t"; i += 2; continue
            if n == 0x5C:
                out += b"\\"; i += 2; continue
            if n == ord("x"):
                out.append(int(b[i + 2:i + 4], 16)); i += 4; continue
        out.append(c)
        i += 1
    return out.decode("utf-8", "replace")


def read_tsv(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        head = f.readline().rstrip("\n").split("\t")
        for line in f:
            vals = line.rstrip("\n").split("\t")
            vals += [""] * (len(head) - len(vals))
            rows.append(dict(zip(head, vals)))
    return rows


def no_dups(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate keys: %s" % keys)
    return collections.OrderedDict(pairs)


def run(binary, pcap):
    p = subprocess.run([binary, "read", "-d", "pg", "-t", PORT, pcap],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=300)
    recs = [json.loads(l, object_pairs_hook=no_dups)
            for l in p.stdout.decode("utf-8").splitlines() if l.strip()]
    return p.returncode, recs, p.stderr.decode("utf-8", "replace")


def client_port(rec):
    return rec["src_addr"].rsplit(":", 1)[1]


class Check:
    def __init__(self, name):
        self.name = name
        self.errs = []

    def eq(self, what, got, want):
        if got != want:
            self.errs.append("%s:\n     got: %r\n    want: %r"
                             % (what, got, want))

    def ok(self, what, cond):
        if not cond:
            self.errs.append(what)

    def done(self):
        if self.errs:
            print("FAIL: golden/pg/%s" % self.name)
            for e in self.errs[:10]:
                print("   " + e[:2000])
        else:
            print("PASS: golden/pg/%s" % self.name)


def want_bind(params):
    out = []
    for v in json.loads(params) if params else []:
        if isinstance(v, dict) and "hex" in v:
            out.append("\\x" + v["hex"])
        else:
            out.append(v)
    return out


def expected_responses(rows):
    """Per request (Simple query, Execute) its last tag and its rows,
    walking tshark's messages in order like a client would."""
    pending = collections.deque()
    done = []
    for r in rows:
        t = r["type"]
        if t == "Simple query":
            pending.append({"kind": "Q", "tag": None})
        elif t == "Execute":
            pending.append({"kind": "E", "tag": None})
        elif not pending:
            continue
        elif t == "Command completion":
            pending[0]["tag"] = r["tag"]
            if pending[0]["kind"] == "E":
                done.append(pending.popleft())
        elif t in ("Error", "Empty query", "Portal suspended"):
            if pending[0]["kind"] == "E":
                done.append(pending.popleft())
        elif t == "Ready for query":
            if pending[0]["kind"] == "Q":
                done.append(pending.popleft())
    done.extend(pending)
    return [(d["kind"], d["tag"]) for d in done]


def check_capture(binary, fx, name):
    base = os.path.join(fx, "pcap", name)
    c = Check(name)
    rc, recs, err = run(binary, base + ".pcap")
    c.eq("exit status", rc, 0)
    rows = read_tsv(base + ".tshark.tsv")
    with open(base + ".queries.txt", encoding="utf-8") as f:
        queries = [l.rstrip("\n") for l in f if l != "\n"]

    if name == "pg_tls":
        c.eq("records", [r.get("error") for r in recs], [TLS_WHY])
        c.done()
        return

    streams = collections.OrderedDict()
    for r in rows:
        port = r["srcport"] if r["dir"] == "C" else r["dstport"]
        streams.setdefault(port, []).append(r)
    ours = collections.OrderedDict()
    for r in recs:
        ours.setdefault(client_port(r), []).append(r)

    # Queries: the tsv's per connection, and the tsv's = queries.txt.
    tsv_q = [unescape(r["query"]) for r in rows
             if r["type"] in ("Simple query", "Parse")]
    c.eq("tsv queries vs queries.txt (count)", len(tsv_q), len(queries))
    c.eq("tsv queries vs queries.txt",
         tsv_q, [unescape(q) for q in queries])
    nq = 0
    for port, srows in streams.items():
        mine = ours.get(port, [])
        want = [unescape(r["query"]) for r in srows
                if r["type"] in ("Simple query", "Parse")]
        got = [r.get("query", r.get("parse_query")) for r in mine
               if r.get("message_type") in ("Q", "P")]
        c.eq("queries of connection %s" % port, got, want)
        nq += len(got)

        want = [want_bind(r["params"]) for r in srows if r["type"] == "Bind"]
        got = [r["bind_values"] for r in mine
               if r.get("message_type") == "B"]
        c.eq("bind values of connection %s" % port, got, want)

        want = expected_responses(srows)
        got = [(r["message_type"], r.get("command_tag")) for r in mine
               if r.get("message_type") in ("Q", "E")]
        c.eq("command tags of connection %s" % port, got, want)
        for r in mine:
            tag = r.get("command_tag", "")
            parts = tag.split(" ")
            if (r.get("message_type") == "E" and len(parts) > 1
                    and parts[-1].isdigit()):
                c.eq("rows of %s" % tag, r.get("rows"), int(parts[-1]))

        want = [(r["severity"], r["code"], unescape(r["message"]))
                for r in srows if r["type"] == "Error"]
        got = [(r["error_severity"], r["error_code"], r["error_message"])
               for r in mine if "error_code" in r]
        c.eq("errors of connection %s" % port, got, want)

        n_exec = sum(1 for r in srows if r["type"] == "Execute")
        execs = [r for r in mine if r.get("message_type") == "E"]
        c.eq("E records of connection %s" % port, len(execs), n_exec)
        for r in execs:
            c.ok("E without its statement: %r" % r,
                 r["execute_query"] != "" or r.get("status") == "skipped")
    c.eq("queries recovered", nq, len(queries))
    c.done()


def check_upstream(binary, fx):
    c = Check("upstream_pg_prepare")
    rc, recs, err = run(binary, os.path.join(fx, "upstream", "pg_prepare.pcap"))
    c.eq("exit status", rc, 0)
    with open(os.path.join(fx, "upstream",
                           "pg_prepare.read_pg_t54322.json.out")) as f:
        want = [json.loads(l, object_pairs_hook=collections.OrderedDict)
                for l in f if l.strip()]
    mine = [r for r in recs if r.get("message_type") != "E"]
    extra = [r for r in recs if r.get("message_type") == "E"]
    c.eq("records besides E", len(mine), len(want))
    c.eq("E records", len(extra), 10)
    ids = {}
    for got, exp in zip(mine, want):
        keys = list(exp.keys())
        g = list(got.items())[:len(keys)]
        e = list(exp.items())
        g = [(k, "<id>" if k == "conn_id" else v) for k, v in g]
        e = [(k, "<id>" if k == "conn_id" else v) for k, v in e]
        c.eq("record", g, e)
        # conn_id: one per connection, distinct between connections
        ids.setdefault(got["src_addr"], set()).add(got.get("conn_id"))
    c.ok("conn_id per connection", all(len(v) == 1 for v in ids.values()))
    c.ok("conn_id distinct", len({next(iter(v)) for v in ids.values()})
         == len(ids))
    c.done()


def main():
    binary, fx = sys.argv[1], sys.argv[2]
    names = sorted(f[:-5] for f in os.listdir(os.path.join(fx, "pcap"))
                   if f.startswith("pg_") and f.endswith(".pcap"))
    for n in names:
        try:
            check_capture(binary, fx, n)
        except Exception as e:  # a crash of the checker is a failure
            print("FAIL: golden/pg/%s (%s)" % (n, e))
    try:
        check_upstream(binary, fx)
    except Exception as e:
        print("FAIL: golden/pg/upstream_pg_prepare (%s)" % e)


if __name__ == "__main__":
    main()
