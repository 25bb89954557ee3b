#!/usr/bin/env python3
"""Plays the listener towards evtrigger-bus: sends requests over its
SOCK_SEQPACKET socket and prints one reply a line, in order.

usage: bus-request.py SOCKET REQUEST [-- REQUEST]...
A REQUEST is NAME=VALUE words (a VALUE may hold a newline: the binary form
of journald's native protocol is used then), or one word raw:HEX for bytes
sent as they are (no "EVB1" added). Every request is sent before the first
reply is read: they are in flight together.
"""
import socket
import struct
import sys


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
    for r in reqs:
        s.send(request(r))
    for _ in reqs:
        print(s.recv(4096).decode(), flush=True)


main()
