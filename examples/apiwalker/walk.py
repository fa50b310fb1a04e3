#!/usr/bin/env python3
"""Walk a BlockHub chain through the console's HTTP API and check every
block id by the rules of docs/FORMAT.md, then print the tail.

    python3 walk.py http://127.0.0.1:8484 CHAIN [--token T]

Python 3 standard library only. The blocks are asked for unverified
(verify=false): this script is the verifier. Exit 0 when the chain checks
out, 1 on the first fault (printed to stderr).
"""
import decimal, hashlib, json, math, sys, urllib.parse, urllib.request


def canon(v):
    """RFC 8785 (JCS) serialization of a parsed JSON value."""
    if v is None or isinstance(v, bool):
        return {None: "null", True: "true", False: "false"}[v]
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return number(v)
    if isinstance(v, str):
        out = ['"']
        for c in v:
            o = ord(c)
            if c in '"\\':
                out.append("\\" + c)
            elif o < 0x20:
                out.append({8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r"}.get(o, "\\u%04x" % o))
            else:
                out.append(c)
        return "".join(out) + '"'
    if isinstance(v, list):
        return "[" + ",".join(canon(x) for x in v) + "]"
    keys = sorted(v, key=lambda k: k.encode("utf-16-be"))  # UTF-16 code units
    return "{" + ",".join(canon(k) + ":" + canon(v[k]) for k in keys) + "}"


def number(x):
    """A double printed the ECMAScript way (RFC 8785 §3.2.2.3)."""
    if not math.isfinite(x):
        raise ValueError("not a JSON number: %r" % x)
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    t = decimal.Decimal(repr(abs(x))).as_tuple()  # shortest round-trip digits
    d = "".join(map(str, t.digits)).rstrip("0") or "0"
    exp = t.exponent + (len(t.digits) - len(d))
    k, n = len(d), len(d) + exp  # digits, and where the point goes
    if k <= n <= 21:
        s = d + "0" * (n - k)
    elif 0 < n <= 21:
        s = d[:n] + "." + d[n:]
    elif -6 < n <= 0:
        s = "0." + "0" * -n + d
    else:
        e = n - 1
        s = (d[0] + ("." + d[1:] if k > 1 else "")) + "e" + ("+" if e >= 0 else "-") + str(abs(e))
    return sign + s


def block_id(b):
    body = {k: v for k, v in b.items() if k not in ("id", "next")}
    h = {"sha256": hashlib.sha256, "md5": hashlib.md5}[b["crypt"]]
    return h(canon(body).encode("utf-8")).hexdigest()


def get(base, path, token):
    req = urllib.request.Request(base.rstrip("/") + path)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.load(r)


def main(argv):
    args = [a for a in argv if not a.startswith("--token")]
    token = next((a.split("=", 1)[1] for a in argv if a.startswith("--token=")), "")
    if len(args) != 2:
        print("usage: walk.py URL CHAIN [--token=T]", file=sys.stderr)
        return 2
    base, name = args
    chains = get(base, "/api/chains", token)
    root = next((c for c in chains if name in (c["id"], c["name"])), None)
    if root is None:
        print("walk.py: no chain %r" % name, file=sys.stderr)
        return 1
    prev, cursor, n = None, "", 0
    while True:
        q = urllib.parse.urlencode({"limit": 500, "verify": "false", "cursor": cursor})
        page = get(base, "/api/chains/%s/blocks?%s" % (root["id"], q), token)
        for b in page["blocks"]:
            where = "block %s at height %d" % (b["id"], b["height"])
            fault = None
            if block_id(b) != b["id"]:
                fault = "id does not match its content (hashes to %s)" % block_id(b)
            elif prev is None and (b["height"] != 0 or b["chain"] or b["prev"] or b["id"] != root["id"]):
                fault = "not the chain's root"
            elif prev is not None and (b["prev"] != prev["id"] or b["height"] != prev["height"] + 1 or b["chain"] != root["id"]):
                fault = "does not follow block %s" % prev["id"]
            elif prev is not None and prev.get("next") != b["id"]:
                fault = "block %s names next %s" % (prev["id"], prev.get("next"))
            if fault:
                print("walk.py: %s: %s" % (where, fault), file=sys.stderr)
                return 1
            prev, n = b, n + 1
        cursor = page["next"]
        if not cursor:
            break
    print("%d blocks checked" % n)
    print("tail %d %s %s" % (prev["height"], prev["id"], prev["time"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
