#!/usr/bin/env python3
"""Plays the listener towards evtrigger-bus: sends requests over its
SOCK_SEQPACKET socket and prints one reply a line, in order.

usage: bus-request.py SOCKET REQUEST [-- REQUEST]...
A REQUEST is NAME=VALUE words (a VALUE may hold a newline: the binary form
of journald's native protocol is used then), or one word raw:HEX for bytes
sent as they are (no "EVB1" added). Requests are sent while replies are
read: many are in flight together.
"""
import socket
import struct
import sys
import threading


def field(name, value):
    v = value.encode()
    if b"\n" in v:
        return name.encode() + b"\n" + struct.pack("<Q", len(v)) + v + b"\n"
    return name.encode() + b"=" + v + b"\n"


def request(words):
    if len(words) == 1 and words[0].startswith("raw:"):
        return bytes.fromhex(words[0][4:])
    out = b"EVB1"
    for w in words:
        name, _, value = w.partition("=")
        out += field(name, value.replace("\\n", "\n"))
    return out


def main():
    path, args = sys.argv[1], sys.argv[2:]
    reqs, cur = [], []
    for a in args:
        if a == "--":
            reqs.append(cur)
            cur = []
        else:
            cur.append(a)
    reqs.append(cur)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(30)
    s.connect(path)
    # Replies are read while requests are still sent, as the listener does.
    def send_all():
        for r in reqs:
            s.send(request(r))
    t = threading.Thread(target=send_all)
    t.start()
    for _ in reqs:
        print(s.recv(4096).decode(), flush=True)
    t.join()


main()
