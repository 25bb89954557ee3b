#!/usr/bin/python3
"""docs_compare.py: a message the documentation shows, compared with the
real one a program made (tests/scenario/docs_man_formats_match_the_tools.sh).

  docs_compare.py syslog EXAMPLE REAL   an RFC 5424 or RFC 3164 message, an
                                        RFC 6587 frame or a channel line
  docs_compare.py format FORMAT REAL... a layout with placeholders, matched
                                        by each real message
  docs_compare.py values EXAMPLE        the example's event as evcreate
                                        options, one per line (to make the
                                        real one with the same values)

EXAMPLE is the example as doc-examples shows it: lines after the first that
start with two blanks continue it ("wrapped here"). The fields that change
from run to run (time, process ID, host name, uuid when not given) are
compared by form, every other field by value. Exit 1 with the differences.
"""
import re
import shlex
import sys

BOM = "\ufeff"
SEV = {3: "error", 4: "warning", 5: "success", 6: "information"}
FORM = {
    "ts5424": r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)",
    "ts3164": r"[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d",
    "pid": r"\d+",
    "host": r"[!-~]+",
    "uuid": r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    "time": r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z",
}


def unwrap(text):
    out = ""
    for line in text.rstrip("\n").split("\n"):
        out += (" " + line[2:]) if out and line.startswith("  ") else line
    return out


def sd_params(sd):
    return re.findall(r'([^ =\]]+)="((?:[^"\\]|\\.)*)"', sd)


R5424 = re.compile(r"^<(\d+)>1 (\S+) (\S+) (\S+) (\S+) (\S+) "
                   r"(-|\[evtrigger@32473(?: [^\]]*)?\]) ?(.*)$", re.S)
R3164 = re.compile(r"^<(\d+)>(" + FORM["ts3164"] + r") (?:(\S+) )?"
                   r"([^\[\]: ]+)\[(\d+)\]: (\[evtrigger@32473[^\]]*\]) (.*)$",
                   re.S)


def parse(msg):
    """(kind, {field: value}) of one message."""
    m = re.match(r"^(\d+) (<.*)$", msg, re.S)
    if m:
        kind, f = parse(m.group(2))
        f["frame-length"] = m.group(1)
        f["frame-msg-bytes"] = str(len(m.group(2).encode()))
        return "frame", f
    m = R5424.match(msg)
    if m:
        f = dict(zip(("pri", "timestamp", "hostname", "app", "procid", "msgid",
                      "sd"), m.groups()[:7]))
        f["msg"] = m.group(8)
        f["params"] = sd_params(f.pop("sd"))
        return "rfc5424", f
    m = R3164.match(msg)
    if m:
        f = dict(zip(("pri", "timestamp", "hostname", "app", "procid"),
                     m.groups()[:5]))
        f["params"] = sd_params(m.group(6))
        f["msg"] = m.group(7)
        return "rfc3164", f
    if re.match(r"^\w+=", msg):
        return "line", dict(w.split("=", 1) for w in shlex.split(msg))
    return None, {}


def compare(example, real):
    ek, ef = parse(unwrap(example))
    rk, rf = parse(real.rstrip("\n"))
    errs = []
    if ek is None or ek != rk:
        return ["the example is a %s, the real one a %s: %r" % (ek, rk, real)]
    if ek == "frame":
        # The example's length counts its own message (with the BOM that a
        # page cannot show); the real one's its own.
        want = int(ef["frame-msg-bytes"]) + len(BOM.encode())
        if int(ef["frame-length"]) != want:
            errs.append("the example's frame length %s is not its message's "
                        "%d bytes" % (ef["frame-length"], want))
        if rf["frame-length"] != rf["frame-msg-bytes"]:
            errs.append("the real frame's length %s, its message %s bytes" %
                        (rf["frame-length"], rf["frame-msg-bytes"]))
    if ek == "line":
        if list(ef) != list(rf):
            errs.append("keys: example %s, real %s" % (list(ef), list(rf)))
        for k in ef:
            v, r = ef[k], rf.get(k, "")
            if k == "time":
                ok = re.fullmatch(FORM["time"], v) and re.fullmatch(FORM["time"], r)
            else:
                ok = v == r
            if not ok:
                errs.append("%s: example %r, real %r" % (k, v, r))
        return errs
    forms = {"timestamp": FORM["ts5424"] if ek != "rfc3164" else FORM["ts3164"],
             "hostname": FORM["host"], "procid": FORM["pid"]}
    for k in ef:
        if k.startswith("frame"):
            continue
        v, r = ef[k], rf.get(k)
        if k in forms:
            ok = (v is None and r is None) or (
                v is not None and r is not None and
                re.fullmatch(forms[k], v) and re.fullmatch(forms[k], r))
        elif k == "msg":
            ok = r is not None and r.startswith(BOM if ek != "rfc3164" else "") \
                and r.lstrip(BOM) == v.lstrip(BOM)
        else:
            ok = v == r
        if not ok:
            errs.append("%s: example %r, real %r" % (k, v, r))
    return errs


def values(example):
    kind, f = parse(unwrap(example))
    if kind == "line":
        opts = ["--type=" + f["type"], "--id=" + f["id"],
                "--source=" + f["source"], "--log=" + f.get("log", "Application"),
                "--description=" + f["description"]]
        if "uuid" in f:
            opts.append("--uuid=" + f["uuid"])
        return opts
    params = dict(f["params"])
    opts = ["--type=" + SEV[int(f["pri"]) % 8],
            "--id=" + (f.get("msgid") if kind != "rfc3164" else params["id"]),
            "--source=" + f["app"], "--log=" + params.get("log", "Application"),
            "--description=" + f["msg"].lstrip(BOM)]
    for k, v in f["params"]:
        if k == "uuid":
            opts.append("--uuid=" + v)
        elif k not in ("id", "log"):
            opts.append("--field=%s=%s" % (k, v))
    return opts


def format_regex(fmt):
    """The layout of evtrigger-syslog(5) as a regular expression."""
    fmt = fmt.strip()
    out, i = "^", 0
    tokens = re.findall(r'\[HOSTNAME\] |NAME="VALUE"\.\.\.|"[A-Z]+"|'
                        r'Mmm dd hh:mm:ss|<PRI>|BOM |[A-Z]{2,}|.', fmt, re.S)
    for t in tokens:
        if t == "[HOSTNAME] ":
            out += r"(?:\S+ )?"
        elif t == 'NAME="VALUE"...':
            out += r'(?:[^ ="\]]+="(?:[^"\\]|\\.)*"(?: |(?=\])))*'
        elif re.fullmatch(r'"[A-Z]+"', t):
            out += r'"(?:[^"\\]|\\.)*"'
        elif t == "Mmm dd hh:mm:ss":
            out += FORM["ts3164"]
        elif t == "<PRI>":
            out += r"<\d{1,3}>"
        elif t == "BOM ":
            out += BOM
        elif t == "DESCRIPTION":
            out += r".*"
        elif t == "TIMESTAMP":
            out += FORM["ts5424"]
        elif t in ("PID", "ID"):
            out += r"\d+"
        elif re.fullmatch(r"[A-Z]{2,}", t):
            out += r"[^ \[\]:]+"
        else:
            out += re.escape(t)
    # a blank before an optional, absent NAME="VALUE"...
    out = out.replace(r'"(?:[^"\\]|\\.)*"\ (?:', r'"(?:[^"\\]|\\.)*"\ ?(?:')
    return out + "$"


def main(argv):
    if argv[1] == "syslog":
        errs = compare(open(argv[2]).read(), open(argv[3]).read())
    elif argv[1] == "values":
        print("\n".join(values(open(argv[2]).read())))
        return 0
    elif argv[1] == "format":
        rx = format_regex(open(argv[2]).read())
        errs = []
        for p in argv[3:]:
            msg = open(p).read().rstrip("\n")
            if not re.match(rx, msg, re.S):
                errs.append("%s does not match the layout (%s): %r" % (p, rx, msg))
    else:
        sys.stderr.write(__doc__)
        return 2
    for e in errs:
        print(e)
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
