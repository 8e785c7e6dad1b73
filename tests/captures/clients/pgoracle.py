#!/usr/bin/env python3
"""pgoracle.py - the pg dumper's records of a capture against two oracles.

Usage: [PARTIAL=1] pgoracle.py PORT CAPTURE RECORDS.json [SERVER.log]

  * the wire (tshark's PDML of the capture, per TCP connection): each of
    our Q/P/B/E/F records is one of the client's messages of that kind, in
    order, with its text, names, parameter types and row limit, and each
    such message has a record (unless PARTIAL: a cut or lossy capture);
    the CommandComplete tags, the ErrorResponses (code and message) and
    the ReadyForQuery statuses of the connection are those of our
    records, in order (a multi-statement Query's record keeps the last
    tag; PARTIAL: ours are among them, in order, which cannot tell a
    response shifted onto another request: compare such a capture's
    records with the whole capture's, tests/tools/pcaploss.py check);
  * the server's log (log_statement=all, log_min_duration_statement=0,
    log_parameter_max_length=-1, log_line_prefix '%m [%p] %q%u@%d ', and
    log_replication_commands=on for a walsender's commands): the
    pid of each connection is its BackendKeyData (tshark), and its log
    events (statement, parse, bind with its parameters, execute,
    fastpath function call, ERROR) are our records, in order: names,
    texts, bind values as the server printed them, which of them failed;
    the requests the server skipped after an error have no event.

Bind values are counted by how they compare (value_*): ok, reformatted
(the same value as the server spells it: UTC 'Z', TRUE/FALSE, quoted
array elements, a date's offset), hex (binary values pg-value.c shows
as hex where the server prints text), cut (a truncated Bind); any other
difference fails. Prints the mismatches and a summary line; exits 1 on
any mismatch. Used to check the Go (pgx, lib/pq) and Java (pgjdbc)
captures of tests/captures/README.pg."""

import collections
import datetime
import io
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

FRONT = {"Q": "Q", "P": "P", "B": "B", "E": "E", "F": "F"}


def wire(port, pcap):
    """{client port: {"c": [(type, fields)], "s": [(type, fields)],
    "pid": pid}} from tshark."""
    out = subprocess.run(
        ["tshark", "-r", pcap, "-d", "tcp.port==%s,pgsql" % port,
         "-o", "tcp.desegment_tcp_streams:TRUE", "-T", "pdml"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True).stdout
    conns = collections.defaultdict(lambda: {"c": [], "s": [], "pid": None})
    for _, pkt in ET.iterparse(io.BytesIO(out)):
        if pkt.tag != "packet":
            continue
        sport = dport = None
        for proto in pkt.findall("proto"):
            if proto.get("name") == "tcp":
                for f in proto.iter("field"):
                    if f.get("name") == "tcp.srcport":
                        sport = f.get("show")
                    elif f.get("name") == "tcp.dstport":
                        dport = f.get("show")
        for proto in pkt.findall("proto"):
            if proto.get("name") != "pgsql":
                continue
            fields = collections.defaultdict(list)
            t = None
            for f in proto.iter("field"):
                n = f.get("name")
                if n == "pgsql.type":
                    v = f.get("value")
                    t = chr(int(v, 16)) if v else "startup"
                elif n and n.startswith("pgsql."):
                    fields[n[6:]].append(field_text(f))
            if t is None:
                continue
            client = sport if dport == port else dport
            side = "c" if dport == port else "s"
            conns[client][side].append((t, fields))
            if t == "K" and side == "s":
                conns[client]["pid"] = fields["pid"][0]
        pkt.clear()
    return conns


TEXTS = ("query", "statement", "portal", "tag", "message", "code")


def field_text(f):
    """A field's bytes (the value attribute: "show" escapes newlines),
    less a string's NUL."""
    v = f.get("value")
    if v is None or f.get("name")[6:] not in TEXTS:
        return f.get("show")
    b = bytes.fromhex(v)
    if b.endswith(b"\0"):
        b = b[:-1]
    if f.get("name") in ("pgsql.code", "pgsql.message"):
        b = b[1:]  # the field's type byte
    return b.decode("utf-8", "replace")


LINE = re.compile(r"^\S+ \S+ \S+ \[(\d+)\] (?:\S+@\S+ )?([A-Z]+):  (.*)$")


def log_events(path):
    """{pid: [event]} with event = dict(kind=Q/P/B/E/ERR, ...)."""
    ev = collections.defaultdict(list)
    cur = None
    entries = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = LINE.match(line)
            if m:
                cur = [m.group(1), m.group(2), m.group(3)]
                entries.append(cur)
            elif cur is not None and line.startswith("\t"):
                cur[2] += "\n" + line[1:]
    for pid, lvl, msg in entries:
        lst = ev[pid]
        if lvl == "LOG" and msg.startswith("fastpath function call: "):
            m = re.search(r"\(OID (\d+)\)$", msg)
            lst.append({"kind": "F", "oid": int(m.group(1)) if m else None})
            continue
        if lvl == "LOG" and msg.startswith("received replication command: "):
            # log_replication_commands: a walsender's commands, which
            # log_statement does not show (a SQL query of a
            # replication=database walsender is a "statement:" too)
            lst.append({"kind": "Q", "stmt": "", "portal": "",
                        "text": msg[len("received replication command: "):],
                        "params": None, "fetch": False})
            continue
        if lvl == "LOG":
            m = re.match(r"(?:duration: [\d.]+ ms  )?(statement|parse|bind|"
                         r"execute fetch from|execute)(?: ([^:]*))?: (.*)$",
                         msg, re.S)
            if not m:
                continue
            k = {"statement": "Q", "parse": "P", "bind": "B",
                 "execute": "E", "execute fetch from": "E"}[m.group(1)]
            name = m.group(2) or ""
            stmt, _, portal = name.partition("/")
            if stmt == "<unnamed>":
                stmt = ""
            lst.append({"kind": k, "stmt": stmt, "portal": portal,
                        "text": m.group(3), "params": None,
                        "fetch": m.group(1) == "execute fetch from"})
        elif lvl == "DETAIL" and msg.startswith("parameters: ") and lst \
                and lst[-1]["kind"] in ("B", "E") and lst[-1]["params"] is None:
            lst[-1]["params"] = parse_params(msg[len("parameters: "):])
        elif lvl in ("ERROR", "FATAL"):
            lst.append({"kind": "ERR", "msg": msg, "stmt_text": None,
                        "level": lvl})
        elif lvl == "STATEMENT" and lst and lst[-1]["kind"] == "ERR":
            lst[-1]["stmt_text"] = msg
    return ev


def parse_params(s):
    out = []
    i = 0
    while i < len(s):
        m = re.match(r"\$\d+ = ", s[i:])
        if not m:
            break
        i += m.end()
        if s.startswith("NULL", i):
            out.append(None)
            i += 4
        else:
            assert s[i] == "'", s[i:i + 20]
            i += 1
            v = []
            while i < len(s):
                if s[i] == "'":
                    if i + 1 < len(s) and s[i + 1] == "'":
                        v.append("'")
                        i += 2
                        continue
                    i += 1
                    break
                v.append(s[i])
                i += 1
            out.append("".join(v))
        if s.startswith(", ", i):
            i += 2
    return out


def norm_json(v):
    try:
        return json.dumps(json.loads(v), sort_keys=True)
    except (ValueError, TypeError):
        return None


def norm_text(v):
    """A text value as the server prints it, for what clients send
    otherwise: 'Z' for UTC, array elements quoted without need."""
    v = re.sub(r"^(\d{4}-\d\d-\d\d[ T][\d:.]+)Z$", r"\1+00", v)
    if v.startswith("{") and v.endswith("}") and norm_json(v) is None:
        v = re.sub(r'"([^",{}\\ ]*)"', r"\1", v)
    return v


TS = re.compile(r"^(\d{4}-\d\d-\d\d)(?:[ T](\d\d:\d\d:\d\d(?:\.\d+)?))?"
                r" ?(?:(Z)|([+-])(\d\d)(?::?(\d\d))?)?$")


def same_time(a, b):
    """Two spellings of a date or timestamp the server takes as the same:
    the offset a client adds to a date or a timestamp is dropped, a
    timestamptz is the same instant."""
    ma, mb = TS.match(a), TS.match(b)
    if not ma or not mb:
        return False

    def parts(m):
        d = datetime.datetime.fromisoformat(m.group(1) + " " +
                                            (m.group(2) or "00:00:00"))
        if m.group(3):
            off = 0
        elif m.group(4):
            off = (int(m.group(5)) * 60 + int(m.group(6) or 0)) * \
                (1 if m.group(4) == "+" else -1)
        else:
            off = None
        return d, off
    (da, oa), (db, ob) = parts(ma), parts(mb)
    if ob is None:
        return da == db
    return da - datetime.timedelta(minutes=oa or 0) == \
        db - datetime.timedelta(minutes=ob)


def same_value(ours, theirs):
    """'ok', 'reformatted' (the same value in the server's spelling),
    'hex' (we show hex where the server has text) or 'bad'."""
    if ours is None or theirs is None:
        return "ok" if ours is None and theirs is None else "bad"
    if isinstance(ours, bool):
        return "ok" if theirs == ("t" if ours else "f") else "bad"
    if isinstance(ours, (int, float)):
        try:
            return "ok" if float(theirs) == float(ours) else "bad"
        except ValueError:
            return "bad"
    if ours == theirs:
        return "ok"
    a, b = norm_json(ours), norm_json(theirs)
    if a is not None and a == b:
        return "ok"
    if norm_text(ours) == norm_text(theirs) or same_time(ours, theirs) or \
            (ours.lower() in ("true", "false") and
             theirs == ours[0].lower()):
        return "reformatted"
    if isinstance(ours, str) and ours.startswith("\\x") and \
            not theirs.startswith("\\x"):
        return "hex"
    return "bad"


class Checker:
    def __init__(self):
        self.bad = 0
        self.counts = collections.Counter()
        self.whole = True   # every request of the capture has a record

    def fail(self, conn, rec, why):
        self.bad += 1
        if self.bad <= 40:
            print("MISMATCH conn %s: %s\n   record: %s" %
                  (conn, why, json.dumps(rec, ensure_ascii=False)[:600]))


def check_wire(ck, cport, recs, w):
    """Our records of one connection against its messages on the wire."""
    cmsgs = [(t, f) for t, f in w["c"] if t in FRONT]
    idx = collections.defaultdict(int)
    bykind = collections.defaultdict(list)
    for t, f in cmsgs:
        bykind[t].append(f)
    for r in recs:
        t = r.get("message_type")
        if t not in FRONT:
            continue
        lst = bykind[t]
        # the next message of that kind with these texts (a capture may
        # have lost some: skip forward, never back)
        while idx[t] < len(lst):
            f = lst[idx[t]]
            idx[t] += 1
            if wire_match(t, f, r):
                ck.counts["wire_" + t] += 1
                break
        else:
            ck.fail(cport, r, "no %s message on the wire fits" % t)
    for t, lst in bykind.items():
        if idx[t] < len(lst) and ck.whole:
            ck.fail(cport, {}, "%d %s messages without a record (first: %s)"
                    % (len(lst) - idx[t], t, dict(lst[idx[t]])))
    # responses: tags and error codes in order
    tags = [f["tag"][0] for t, f in w["s"] if t == "C" and f.get("tag")]
    errs = [(f["code"][0], f["message"][0][:2048]) for t, f in w["s"]
            if t == "E" and f.get("code")]
    ours_err = [(r["error_code"], r["error_message"]) for r in recs
                if "error_code" in r]
    it = iter(errs)
    if ours_err != errs and (ck.whole or
                             not all(e in it for e in ours_err)):
        ck.fail(cport, {}, "errors: ours %s, wire %s" % (ours_err, errs))
    else:
        ck.counts["errors"] += len(ours_err)
    # a Query's or FunctionCall's tx_status is that of a ReadyForQuery,
    # in order
    zs = [chr(int(f["status"][0])) for t, f in w["s"] if t == "Z"]
    zi = 0
    for r in recs:
        if "tx_status" not in r:
            continue
        want = {"idle": "I", "transaction": "T", "failed": "E"}.get(
            r["tx_status"])
        while zi < len(zs) and zs[zi] != want:
            zi += 1
        if zi == len(zs):
            ck.fail(cport, r, "tx_status: no such ReadyForQuery left")
            break
        zi += 1
        ck.counts["tx_status"] += 1
    ti = 0
    for r in recs:
        if r.get("message_type") not in ("Q", "E") or "command_tag" not in r:
            continue
        # a Query's earlier statements' tags come first; in a partial
        # capture, the tags of requests it missed
        while ti < len(tags) and tags[ti] != r["command_tag"] and \
                (r["message_type"] == "Q" or not ck.whole):
            ti += 1
        if ti >= len(tags) or tags[ti] != r["command_tag"]:
            ck.fail(cport, r, "command_tag not the next on the wire (%s)" %
                    tags[ti:ti + 3])
            continue
        ti += 1
        ck.counts["tags"] += 1


def wire_match(t, f, r):
    def one(k):
        v = f.get(k)
        return v[0] if v else ""
    if t == "Q":
        return one("query") == r.get("query")
    if t == "P":
        return one("statement") == r.get("stmt_name") and \
            one("query") == r.get("parse_query") and \
            [int(x) for x in f.get("oid.type", [])] == \
            r.get("param_types", [])
    if t == "B":
        return one("portal") == r.get("portal_name") and \
            one("statement") == r.get("stmt_name")
    if t == "E":
        return one("portal") == r.get("portal_name") and \
            int(one("returns") or 0) == r.get("row_limit", 0)
    return t == "F"


def check_log(ck, cport, recs, events):
    ei = 0

    def nxt(kind):
        nonlocal ei
        # a FATAL/ERROR the server logs for a cancelled or ended session
        # may have no record; anything else is skipped only with a
        # mismatch
        if ei < len(events) and events[ei]["kind"] == kind:
            ei += 1
            return events[ei - 1]
        return None

    for r in recs:
        t = r.get("message_type")
        st = r.get("status")
        if t not in FRONT or st == "skipped":
            continue
        if st is None:
            ck.counts["log_noresponse"] += 1
        if t == "Q":
            e = nxt("Q")
            if e is None or e["text"] != r["query"]:
                ck.fail(cport, r, "log: no statement %r (next %s)" %
                        (r["query"][:60], events[ei:ei + 1]))
                continue
        elif t == "P" and st == "error":
            e = nxt("ERR")
            if e is None or e["stmt_text"] != r["parse_query"]:
                ck.fail(cport, r, "log: no parse error (next %s)" %
                        events[ei:ei + 1])
            else:
                ck.counts["log_P"] += 1
            continue
        elif t == "P":
            e = nxt("P")
            if e is None or e["stmt"] != r["stmt_name"] or \
                    e["text"] != r["parse_query"]:
                ck.fail(cport, r, "log: parse (next %s)" % events[ei:ei + 1])
                continue
        elif t == "B" and st == "error":
            e = nxt("ERR")
            if e is None:
                ck.fail(cport, r, "log: no bind error (next %s)" %
                        events[ei:ei + 1])
            else:
                ck.counts["log_B"] += 1
            continue
        elif t == "B":
            e = nxt("B")
            if e is None or e["stmt"] != r["stmt_name"] or \
                    e["portal"] != r["portal_name"]:
                ck.fail(cport, r, "log: bind (next %s)" % events[ei:ei + 1])
                continue
            if "stmt_query" in r and r["stmt_query"] != e["text"]:
                ck.fail(cport, r, "log: bind text %r" % e["text"][:80])
            ours = r.get("bind_values", [])
            theirs = e["params"] or []
            if len(ours) != len(theirs):
                ck.fail(cport, r, "log: %d params, ours %d" %
                        (len(theirs), len(ours)))
            else:
                for a, b in zip(ours, theirs):
                    v = same_value(a, b)
                    if v == "bad" and r.get("truncated") and \
                            isinstance(a, str) and b is not None and \
                            b.startswith(a):
                        v = "cut"   # past what is kept of a Bind
                    ck.counts["value_" + v] += 1
                    if v == "bad":
                        ck.fail(cport, r, "value %r, server %r" % (a, b))
        elif t == "F":
            e = nxt("F")
            if e is None or e["oid"] != r.get("function_oid"):
                ck.fail(cport, r, "log: fastpath (next %s)" % events[ei:ei + 1])
                continue
        elif t == "E" and st == "empty" and r.get("execute_query") == "":
            ck.counts["log_E_empty"] += 1   # the server logs no execute
            continue
        elif t == "E":
            e = nxt("E")
            if e is None or e["portal"] != r["portal_name"]:
                ck.fail(cport, r, "log: execute (next %s)" % events[ei:ei + 1])
                continue
            if r.get("execute_query", "") != e["text"]:
                ck.fail(cport, r, "log: execute text %r" % e["text"][:80])
            if r.get("stmt_name", e["stmt"]) != e["stmt"]:
                ck.fail(cport, r, "log: execute of %r" % e["stmt"])
        ck.counts["log_" + t] += 1
        # its error, if any, comes next in the log
        # (an error after one that succeeded is the next one's: a Parse
        # or Bind that failed logs nothing else)
        if st != "error":
            continue
        if ei < len(events) and events[ei]["kind"] == "ERR" and \
                events[ei]["level"] == "ERROR":
            ei += 1
        else:
            ck.fail(cport, r, "log: no error after it")
    for e in events[ei:]:
        if e["kind"] == "ERR" and e["level"] == "FATAL":
            continue
        ck.fail(cport, {}, "log event without a record: %s" % str(e)[:200])
        break


def main():
    port, pcap, recs_path = sys.argv[1:4]
    logp = sys.argv[4] if len(sys.argv) > 4 else None
    w = wire(port, pcap)
    recs = collections.defaultdict(list)
    with open(recs_path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            a, b = r.get("src_addr", ""), r.get("dst_addr", "")
            cport = a.rsplit(":", 1)[1] if b.endswith(":" + port) else \
                b.rsplit(":", 1)[1]
            recs[cport].append(r)
    ev = log_events(logp) if logp else {}
    ck = Checker()
    ck.whole = os.environ.get("PARTIAL") is None
    for cport, rs in sorted(recs.items()):
        if cport not in w:
            ck.fail(cport, rs[0], "connection not on the wire")
            continue
        check_wire(ck, cport, rs, w[cport])
        pid = w[cport]["pid"]
        if logp and pid is not None:
            check_log(ck, cport, rs, ev.get(pid, []))
            ck.counts["log_conns"] += 1
    for cport, c in w.items():
        n = sum(1 for t, _ in c["c"] if t in FRONT)
        if n and cport not in recs:
            ck.fail(cport, {}, "%d requests on the wire, no record" % n)
    print("summary: %d mismatches; %s" % (ck.bad, ", ".join(
        "%s=%d" % kv for kv in sorted(ck.counts.items()) if kv[1])))
    sys.exit(1 if ck.bad else 0)


if __name__ == "__main__":
    main()
