#!/usr/bin/python3
"""A stand-in for evtrigger-bus on one host, for the listener's scenarios.

Serves the bus socket as evtrigger-bus does (doc/ARCHITECTURE.md, "Several
hosts"; SOCK_SEQPACKET, requests "EVB1" + a journald datagram, replies
"OK <uuid>" or "RETRY <uuid> <reason>", in order) and, where the real bus
would publish to JetStream and its consumer write the event later, writes
the event to this host's journal itself, as the real consumer does: the
request's fields plus EVENT_ENTRY_HOST and EVENT_PLACEMENT. Run it as the
listener's user, as the real bus runs, so that the entries carry the uid the
watcher believes. A resend (same EVENT_SENDER and EVENT_UUID) is answered OK
and not written again (JetStream's duplicate window).

  fake-bus.py SOCKET [--host NAME] [--control DIR]

DIR/mode, read for each request: "ok" (the default), "retry" (answer RETRY,
write nothing), "hang" (read, answer nothing), "close" (close every
connection). DIR/placement: local, entry or nowhere (default: entry when the
event has no VM field, else local). Each request is logged to DIR/requests
as "SENDER UUID ANSWER".
"""
import os
import select
import socket
import struct
import sys

JOURNAL = "/run/systemd/journal/socket"


def parse(data):
    """The fields of a journald native datagram, as (name, value) bytes."""
    fields = []
    i = 0
    while i < len(data):
        nl = data.index(b"\n", i)
        line = data[i:nl]
        if b"=" in line:
            name, value = line.split(b"=", 1)
            i = nl + 1
        else:
            name = line
            (n,) = struct.unpack("<Q", data[nl + 1:nl + 9])
            value = data[nl + 9:nl + 9 + n]
            i = nl + 9 + n + 1
        fields.append((name, value))
    return fields


def field(name, value):
    if b"\n" in value:
        return name + b"\n" + struct.pack("<Q", len(value)) + value + b"\n"
    return name + b"=" + value + b"\n"


def read(ctl, name, default):
    try:
        with open(os.path.join(ctl, name)) as f:
            return f.read().strip() or default
    except OSError:
        return default


def main():
    args = sys.argv[1:]
    path = args.pop(0)
    host = socket.gethostname()
    ctl = None
    while args:
        opt = args.pop(0)
        if opt == "--host":
            host = args.pop(0)
        elif opt == "--control":
            ctl = args.pop(0)
        else:
            sys.exit("fake-bus: unknown option " + opt)
    ctl = ctl or os.path.dirname(path)
    log = open(os.path.join(ctl, "requests"), "a", buffering=1)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    srv.bind(path)
    os.chmod(path, 0o660)
    srv.listen(16)
    journal = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    seen = set()
    conns = []
    while True:
        r, _, _ = select.select([srv] + conns, [], [])
        for s in r:
            if s is srv:
                c, _ = srv.accept()
                conns.append(c)
                continue
            data = s.recv(2 * 1024 * 1024)
            mode = read(ctl, "mode", "ok")
            if not data:
                conns.remove(s)
                s.close()
                continue
            if mode == "close":
                for c in conns:
                    c.close()
                conns = []
                break
            if not data.startswith(b"EVB1"):
                s.send(b"RETRY - bad request: no EVB1")
                continue
            fields = parse(data[4:])
            f = dict(fields)
            uuid = f.get(b"EVENT_UUID", b"-")
            sender = f.get(b"EVENT_SENDER", b"-")
            if mode == "hang":
                log.write("%s %s hang\n" % (sender.decode(), uuid.decode()))
                continue
            if mode == "retry":
                s.send(b"RETRY " + uuid + b" no NATS connection")
                log.write("%s %s retry\n" % (sender.decode(), uuid.decode()))
                continue
            bad = [n for n, _ in fields if n.startswith(b"_") or
                   n in (b"EVENT_ENTRY_HOST", b"EVENT_PLACEMENT")]
            if bad or b"EVENT_UUID" not in f or b"EVENT_SENDER" not in f:
                s.send(b"RETRY " + uuid + b" bad request: refused fields")
                log.write("%s %s bad\n" % (sender.decode(), uuid.decode()))
                continue
            if (sender, uuid) not in seen:
                placement = read(ctl, "placement",
                                 "local" if b"VM" in f else "entry")
                journal.sendto(data[4:] +
                               field(b"EVENT_ENTRY_HOST", host.encode()) +
                               field(b"EVENT_PLACEMENT", placement.encode()),
                               JOURNAL)
                seen.add((sender, uuid))
            s.send(b"OK " + uuid)
            log.write("%s %s ok\n" % (sender.decode(), uuid.decode()))


if __name__ == "__main__":
    main()
