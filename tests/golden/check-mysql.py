#!/usr/bin/env python3
"""check-mysql.py - compares `tcpdp-top read -d mysql` JSON output with a
capture's ground truth (fixtures/README.md).

  check-mysql.py fixture OUT.jsonl FIXTURE_BASE [--queries-only] [--tls N]
      queries + prepares == FIXTURE_BASE.queries.txt (capture order; records
      with the same millisecond may come in any order), and per connection,
      against FIXTURE_BASE.tshark.tsv: the same requests in the same order,
      execute parameters == `params`, ERR responses == error columns, row
      counts == `rows`.
  check-mysql.py upstream OUT.jsonl EXPECTED.json.out
      line by line equal to upstream's output, ignoring conn_id values and
      our extension keys.
Prints what differs and exits 1 on any difference."""
import json
import sys
from collections import OrderedDict, defaultdict

EXT_KEYS = {"stmt_query", "values_error", "truncated_bytes", "response_first_us",
            "response_last_us", "status", "rows", "affected_rows",
            "last_insert_id", "warnings", "error_code", "sql_state",
            "error_message", "stmt_id_ext", "num_params"}
errors = []


def err(msg):
    errors.append(msg)
    if len(errors) <= 30:
        print("  " + msg[:600])


def esc(s):
    out = []
    for ch in s:
        o = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif o < 0x20 or o == 0x7F:
            out.append("\\x%02x" % o)
        else:
            out.append(ch)
    return "".join(out)


def load_jsonl(path):
    recs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                recs.append(json.loads(line, object_pairs_hook=lambda p: p))
    return recs


def as_dict(pairs):
    d = {}
    for k, v in pairs:
        if k == "stmt_id" and "stmt_prepare_query" in d:
            k = "stmt_id_ext"
        d.setdefault(k, v)
    return d


def port_of(addr):
    return addr.rsplit(":", 1)[1]


def norm_param(v):
    """Our value rendered the way tshark's params column shows it."""
    if v is None:
        return None
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, (int, float)):
        if isinstance(v, float) and v == int(v) and abs(v) < 1e15:
            return str(int(v))
        return repr(v) if isinstance(v, float) else str(v)
    s = v
    # DATE "YYYY-MM-DD"; DATETIME "YYYY-MM-DD HH:MM:SS.mmm uuu"
    if len(s) == 10 and s[4] == "-" and s[7] == "-":
        return s + " 00:00:00"
    if len(s) == 27 and s[4] == "-" and s[19] == "." and s[23] == " ":
        frac = s[20:23] + s[24:27]
        return s[:19] + ("" if frac == "000000" else "." + frac)
    return s


def norm_tshark_param(v):
    if isinstance(v, dict) and "hex" in v:
        return bytes.fromhex(v["hex"]).decode("utf-8", "replace")
    return v


def load_tsv(path):
    with open(path, encoding="utf-8") as f:
        head = f.readline().rstrip("\n").split("\t")
        rows = []
        for line in f:
            cols = line.rstrip("\n").split("\t")
            cols += [""] * (len(head) - len(cols))
            rows.append(dict(zip(head, cols)))
    return rows


def unesc_tsv(s):
    return s   # compared escaped on both sides


def check_fixture(out, base, queries_only, tls):
    recs = [as_dict(r) for r in load_jsonl(out)]
    reqs = [r for r in recs if "query" in r or "stmt_prepare_query" in r
            or "stmt_execute_values" in r]
    # 1. queries and prepares in capture order
    with open(base + ".queries.txt", encoding="utf-8") as f:
        want = [l.rstrip("\n") for l in f]
    texts = [r for r in reqs if "query" in r or "stmt_prepare_query" in r]
    texts.sort(key=lambda r: r["ts"])
    got = [esc(r.get("query", r.get("stmt_prepare_query"))) for r in texts]
    if len(got) != len(want):
        err("%d queries+prepares, want %d" % (len(got), len(want)))
    i = 0
    while i < min(len(got), len(want)):
        j = i
        while j < len(texts) and texts[j]["ts"] == texts[i]["ts"]:
            j += 1
        if sorted(got[i:j]) != sorted(want[i:j]):
            err("query %d (ts %s): got %r want %r" % (i + 1, texts[i]["ts"],
                got[i:j][:3], want[i:j][:3]))
            break
        i = j
    if tls is not None:
        n = sum(1 for r in recs if "SSL" in str(r.get("error", "")))
        if n != tls:
            err("%d TLS records, want %d" % (n, tls))
    if queries_only:
        return
    # 2. per connection against tshark
    rows = load_tsv(base + ".tshark.tsv")
    pend = defaultdict(list)
    byport = defaultdict(list)
    for r in rows:
        if r["dir"] == "C" and r["command"] != "" and r["packet_number"] == "0":
            cmd = int(r["command"])
            item = {"row": r, "resp": None}
            if cmd in (3, 22, 23):
                byport[r["srcport"]].append(item)
            if cmd not in (1, 24, 25):
                pend[r["stream"]].append(item)
        elif r["dir"] == "S" and r["packet_number"] == "1" and pend[r["stream"]]:
            if r["response_code"] or r["num_fields"]:
                pend[r["stream"]].pop(0)["resp"] = r
    ours = defaultdict(list)
    for r in reqs:
        ours[port_of(r["src_addr"])].append(r)
    if set(ours) != set(byport):
        err("connections: got %s want %s" % (sorted(ours), sorted(byport)))
    nchk = defaultdict(int)
    for port in sorted(byport):
        a, b = ours.get(port, []), byport[port]
        if len(a) != len(b):
            err("port %s: %d requests, want %d" % (port, len(a), len(b)))
        for k, (o, t) in enumerate(zip(a, b)):
            tr, resp = t["row"], t["resp"]
            where = "port %s request %d (frame %s)" % (port, k + 1, tr["frame"])
            cmd = int(tr["command"])
            if o.get("command_id") != cmd:
                err("%s: command %s want %d" % (where, o.get("command_id"), cmd))
                continue
            if cmd in (3, 22):
                q = esc(o.get("query", o.get("stmt_prepare_query", "")))
                if q != tr["query"]:
                    err("%s: text %r want %r" % (where, q[:80], tr["query"][:80]))
            if cmd == 23:
                if str(o["stmt_id"]) != tr["stmt_id"]:
                    err("%s: stmt_id %s want %s" % (where, o["stmt_id"], tr["stmt_id"]))
                if tr["params"]:
                    tp = [norm_tshark_param(v) for v in json.loads(tr["params"])]
                    op = [norm_param(v) for v in o["stmt_execute_values"]]
                    if op != tp:
                        err("%s: params %r want %r" % (where, op, tp))
                    nchk["params"] += 1
            if resp is None:
                continue
            if resp["response_code"] == "0xff":
                nchk["errors"] += 1
                if o.get("status") != "error" or \
                        str(o.get("error_code")) != resp["error_code"] or \
                        o.get("sql_state", "") != resp["sqlstate"] or \
                        esc(o.get("error_message", "")) != resp["error_message"]:
                    err("%s: error %s %s %r want %s %s %r" % (where,
                        o.get("error_code"), o.get("sql_state"),
                        o.get("error_message"), resp["error_code"],
                        resp["sqlstate"], resp["error_message"]))
            elif o.get("status") != "ok":
                err("%s: status %s want ok" % (where, o.get("status")))
            elif cmd == 3 and resp["num_fields"] and resp["rows"] != "":
                # (tshark does not count binary-protocol rows: executes
                # always show 0 there)
                nchk["rows"] += 1
                if str(o.get("rows")) != resp["rows"]:
                    err("%s: rows %s want %s" % (where, o.get("rows"), resp["rows"]))
            elif resp["affected_rows"] != "" and cmd != 22:
                nchk["affected"] += 1
                if str(o.get("affected_rows")) != resp["affected_rows"]:
                    err("%s: affected_rows %s want %s" % (where,
                        o.get("affected_rows"), resp["affected_rows"]))
    print("  checked: %d requests, %s" % (sum(len(v) for v in byport.values()),
          dict(nchk)))


def check_upstream(out, expected):
    got = load_jsonl(out)
    want = load_jsonl(expected)
    if len(got) != len(want):
        err("%d records, want %d" % (len(got), len(want)))
    for i, (g, w) in enumerate(zip(got, want)):
        gk = [(k, v) for k, v in g if k not in EXT_KEYS and k != "conn_id"]
        # the prepare's stmt_id extension key
        gk = [(k, v) for j, (k, v) in enumerate(gk)
              if not (k == "stmt_id" and any(x == "stmt_prepare_query" for x, _ in gk))]
        wk = [(k, v) for k, v in w if k != "conn_id"]
        if gk != wk:
            err("record %d:\n   got  %s\n   want %s" % (i + 1, gk, wk))
        if ("conn_id" in dict(g)) != ("conn_id" in dict(w)):
            err("record %d: conn_id presence differs" % (i + 1))


def main():
    mode = sys.argv[1]
    if mode == "fixture":
        tls = None
        if "--tls" in sys.argv:
            tls = int(sys.argv[sys.argv.index("--tls") + 1])
        check_fixture(sys.argv[2], sys.argv[3], "--queries-only" in sys.argv, tls)
    else:
        check_upstream(sys.argv[2], sys.argv[3])
    sys.exit(1 if errors else 0)


main()
