#!/bin/bash
# The listener dies right after it wrote a network sender's event to the
# journal and read it back, before it answered (the test hook
# EVTRIGGER_LISTEN_TEST_EXIT_AFTER_STORE makes its child _exit() there, as a
# kill -9 at that moment would). The sender sees the connection end without
# an answer and resends the same frame, same uuid, to the next listener,
# which finds its own entry for that uuid and sender, answers OK and writes
# nothing: one entry.
. "$(dirname "$0")/../lib/tls.sh"
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/listen.sh"

testbed_journald
testbed_libvirtd
testbed_listen_user
tls_ca ca
tls_cert ca server "IP:127.0.0.1"
secret=$(printf '%064x' 9)
printf 'web01 psk key=%s\n' "$secret" >"$TESTDIR/senders.conf"
chmod 600 "$TESTDIR/senders.conf"
opts=(--tls 127.0.0.1:6514 --senders "$TESTDIR/senders.conf"
	--cert "$TESTDIR/server.pem" --key "$TESTDIR/server.key")
u=4b6f2c1e-9d3a-4e55-a0f1-2c3d4e5f6a7c
frame=$(tls_frame "<12>1 - - John - 777 [evtrigger@32473 uuid=\"$u\"] sent once")
psk=(-tls1_3 -psk_identity web01 -psk "$(tls_psk_hex web01 "$secret")")

EVTRIGGER_LISTEN_TEST_EXIT_AFTER_STORE=1 listen_start "${opts[@]}"
tls_wait_port 6514
tls_client try1 -connect 127.0.0.1:6514 -alpn evtrigger/1 "${psk[@]}"
tls_send try1 "$frame"
wait "$LISTEN_PID"
rc=$?
LISTEN_PID=
[ "$rc" = 1 ] || fail "the listener exited $rc, expected 1 (its child died): $(cat "$LISTEN_LOG")"
listen_check_log
tls_wait_exit try1
tls_client_stop try1
assert_eq "$(cat "$TESTDIR/try1.out")" "" "an answer before the kill"
assert_eq "$(journal_count EVENT_UUID=$u)" 1 "entries after the kill"

listen_start "${opts[@]}"
tls_wait_port 6514
tls_client try2 -connect 127.0.0.1:6514 -alpn evtrigger/1 "${psk[@]}"
tls_send try2 "$frame"
tls_wait_lines try2 1
tls_client_stop try2
assert_eq "$(cat "$TESTDIR/try2.out")" "OK $u" "the answer to the resend"
assert_eq "$(journal_count EVENT_UUID=$u)" 1 "entries after the resend"
assert_eq "$(journal_count EVENT_ID=777 EVENT_SENDER=web01)" 1 "entries of the event"
listen_stop
