#!/usr/bin/env python3
"""Prints journalctl -o json entries of a job as the demo's audit trail."""
import json
import sys

EXTRA = ("DISK", "PERCENT", "SIZE_BEFORE", "SIZE_AFTER", "DURATION_USEC",
         "REASON", "ERROR")

for line in sys.stdin:
    e = json.loads(line)
    extra = " ".join(f"{k}={e[k]}" for k in EXTRA if k in e)
    print("  {:>4} {:<11} {:<13} {}  {}".format(
        e.get("EVENT_ID", "?"), e.get("EVENT_TYPE", ""), e.get("STEP", ""),
        e.get("MESSAGE", ""), extra))
