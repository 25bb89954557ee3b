#!/bin/bash
# evcreate --channel's answer handling, run on the host (the build under test,
# with the sanitizers in build-san) against a pseudo-terminal in raw mode as
# the "port": a host-side stand-in for the listener writes the answers. This
# is not virtio-serial (the VM scenarios guest_evcreate_* cover that); it
# covers what does not depend on it: an answer to an earlier send (OK with
# another uuid) and an over-long line are skipped, CRLF answers are taken,
# ERR 503 is retried with the same line, ERR 413 ends with exit 8, and events
# that a line cannot carry are refused (exit 3) before anything is sent.
. "$(dirname "$0")/../lib/testbed.sh"

cat >"$TESTDIR/standin_pty.py" <<'PY'
# Stand-in for the listener on a pty: runs evcreate with the port as
# --channel=DEV, answers each line it reads with the next answers entry
# (%U = the line's uuid), prints the lines and the exit status.
# The slave stays open here too, so that evcreate's reopening is not an EOF.
import os, pty, re, select, subprocess, sys, tty
answers = sys.argv[1].split("|")
m, s = pty.openpty()
tty.setraw(s)
p = subprocess.Popen([sys.argv[2], "--channel=" + os.ttyname(s)] + sys.argv[3:])
buf, n = b"", 0
while n < len(answers):
    if not select.select([m], [], [], 0.1)[0]:
        if p.poll() is not None:
            break
        continue
    buf += os.read(m, 65536)
    while b"\n" in buf and n < len(answers):
        line, buf = buf.split(b"\n", 1)
        print("line:", line.decode())
        u = re.search(rb"uuid=(\S+)", line).group(1).decode()
        os.write(m, answers[n].replace("%U", u).encode().decode("unicode_escape").encode())
        n += 1
print("exit:", p.wait())
PY
UUID=6f1c2a4e-9b3d-4c5e-8f70-1a2b3c4d5e6f
run() {
	python3 "$TESTDIR/standin_pty.py" "$@" >"$TESTDIR/out" 2>"$TESTDIR/err"
}

# A stale OK (another uuid), an over-long line and noise are skipped; the
# CRLF answer with the uuid in upper case counts.
long=$(head -c 3000 /dev/zero | tr '\0' x)
run "OK 00000000-0000-4000-8000-000000000000\\nrsp 777 OK\\n$long\\nOK ${UUID^^}\\r\\n" \
	"$EVCREATE" --uuid "$UUID" -i 777 -d "VDC Ready"
assert_eq "$(grep -c '^line:' "$TESTDIR/out")" 1 "lines sent ($(cat "$TESTDIR/out" "$TESTDIR/err"))"
assert_eq "$(sed -n 's/^exit: //p' "$TESTDIR/out")" 0 "exit status after OK"
grep -q "^line: type=information id=777 source=evcreate log=Application description=\"VDC Ready\" uuid=$UUID time=" "$TESTDIR/out" ||
	fail "unexpected line: $(cat "$TESTDIR/out")"

# ERR 503: the same line again (same uuid, same time), then OK.
run 'ERR 503 cannot store now\n|OK %U\n' "$EVCREATE" -i 1 -d x --timeout 20
assert_eq "$(sed -n 's/^exit: //p' "$TESTDIR/out")" 0 "exit status after 503, OK"
mapfile -t lines < <(sed -n 's/^line: //p' "$TESTDIR/out")
assert_eq "${#lines[@]}" 2 "lines sent"
assert_eq "${lines[1]}" "${lines[0]}" "the resend"

# ERR 413 (eventcreate syntax, the device first): refused, exit 8 with the
# host's reason.
run 'ERR 413 too large\n' "$EVCREATE" /ID 2 /D x
assert_eq "$(sed -n 's/^exit: //p' "$TESTDIR/out")" 8 "exit status after ERR 413"
assert_eq "$(cat "$TESTDIR/err")" "evcreate: the host refused the event: ERR 413 too large" "message"

# Nothing is sent for what a line cannot carry.
run '' "$EVCREATE" -i 3 -d "$(printf 'two\nlines')"
assert_eq "$(sed -n 's/^exit: //p' "$TESTDIR/out")" 3 "exit status for a line break"
assert_eq "$(cat "$TESTDIR/err")" "evcreate: a value holds a line break, which --channel cannot send" "message"
big=$(head -c 8192 /dev/zero | tr '\0' v)
args=()
for i in 0 1 2 3 4 5 6 7; do args+=(-f "F$i=$big"); done
run '' "$EVCREATE" -i 3 -d x "${args[@]}"
assert_eq "$(sed -n 's/^exit: //p' "$TESTDIR/out")" 3 "exit status for a line too long"
assert_eq "$(cat "$TESTDIR/err")" "evcreate: the event is too large for --channel: more than 65536 bytes as a line" "message"

# No device: exit 4.
"$EVCREATE" --channel="$TESTDIR/none" -i 1 -d x 2>"$TESTDIR/err"
assert_eq "$?" 4 "exit status without the device"
assert_eq "$(cat "$TESTDIR/err")" "evcreate: cannot open channel $TESTDIR/none: No such file or directory" "message"
