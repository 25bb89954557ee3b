#!/bin/bash
# evtrigger-bus on one host with a 3-node JetStream cluster, a python3
# SEQPACKET client playing the listener: a request is answered OK once the
# stream stored it and the event reaches this host's journal (entry
# placement without a VM, local for a VM libvirt runs here, nowhere for one
# that runs nowhere); a resend of the same sender/uuid is written once; a
# malformed or forged request gets RETRY, a 662 event and writes nothing; a
# node of three down changes nothing (but perhaps a reconnect); a request
# while every NATS node is down gets RETRY, and the bus reconnects by itself
# when they come back. Many requests in flight on one connection
# get their replies in order.
. "$(dirname "$0")/../lib/testbed.sh"
. "$(dirname "$0")/../lib/listen.sh"
. "$(dirname "$0")/../lib/bus.sh"

testbed_journald
testbed_listen_user
busnats_start
bus_config
bus_start
journal_wait 1 30 EVENT_ID=660 _UID="$LISTEN_UID"
HOST=$BUS_HOST
ask() { bus_ask "$@"; }
event() { bus_event "$@"; }

# 1. No VM: OK after the PubAck, written here (the entry host) as 'entry'.
U1=11111111-1111-4111-8111-111111111111
assert_eq "$(ask $(event backup $U1))" "OK $U1" "reply to a new event"
journal_wait 1 30 EVENT_UUID=$U1
assert_eq "$(journal_field EVENT_PLACEMENT EVENT_UUID=$U1)" entry "placement"
assert_eq "$(journal_field EVENT_ENTRY_HOST EVENT_UUID=$U1)" "$HOST" "entry host"
assert_eq "$(journal_field _UID EVENT_UUID=$U1)" "$LISTEN_UID" "writer's uid"
assert_eq "$(journal_field EVENT_SENDER EVENT_UUID=$U1)" backup "sender"

# A value with a newline travels in the binary form and comes back whole.
U2=22222222-2222-4222-8222-222222222222
assert_eq "$(ask $(event backup $U2 'NOTE=line-one\nline-two'))" "OK $U2" "reply (binary field)"
journal_wait 1 30 EVENT_UUID=$U2
assert_eq "$(journalctl -q -o json EVENT_UUID=$U2 | python3 -c 'import json,sys; print(repr(json.load(sys.stdin)["NOTE"]))')" \
	"'line-one\\nline-two'" "binary field"

# 2. A resend of one sender/uuid (twice in flight, then once more): OK each
# time, written once.
assert_eq "$(ask $(event backup $U1) -- $(event backup $U1) | sort -u)" "OK $U1" "replies to resends"
assert_eq "$(ask $(event backup $U1))" "OK $U1" "reply to a late resend"
# Another sender may use the same uuid: its own event.
assert_eq "$(ask $(event nas $U1))" "OK $U1" "another sender, same uuid"
journal_wait 1 30 EVENT_UUID=$U1 EVENT_SENDER=nas
sleep 3
assert_eq "$(journal_count EVENT_UUID=$U1 EVENT_SENDER=backup)" 1 "entries of a resent event"

# Many requests in flight on one connection: one reply each, in order.
args=() want=
for k in $(seq 300); do
	args+=($(event flood "f-$k") --)
	want+="OK f-$k"$'\n'
done
got=$(ask "${args[@]}" $(event flood f-last))
assert_eq "$got" "${want}OK f-last" "replies to 301 requests in flight"
journal_wait 301 60 EVENT_SENDER=flood

# 3. A VM running here (the test driver's 'test'), and one running nowhere.
U3=33333333-3333-4333-8333-333333333333
U4=44444444-4444-4444-8444-444444444444
assert_eq "$(ask $(event backup $U3 VM=test))" "OK $U3" "reply (VM here)"
assert_eq "$(ask $(event backup $U4 VM=nowhere-vm))" "OK $U4" "reply (VM nowhere)"
journal_wait 1 30 EVENT_UUID=$U3
assert_eq "$(journal_field EVENT_PLACEMENT EVENT_UUID=$U3)" local "placement of a VM here"
journal_wait 1 30 EVENT_UUID=$U4
assert_eq "$(journal_field EVENT_PLACEMENT EVENT_UUID=$U4)" nowhere "placement of a VM nowhere"

# 4. Malformed and forged requests: RETRY, a 662 event each, nothing written.
U5=55555555-5555-4555-8555-555555555555
refused_before=$(journal_count EVENT_ID=662)
r=$(ask raw:4556423141)                 # "EVB1A": a field without newline
case $r in "RETRY - bad request: "*) ;; *) fail "garbage: '$r'" ;; esac
r=$(ask raw:48454c4c4f0a)               # no EVB1
case $r in "RETRY - bad request: "*) ;; *) fail "no magic: '$r'" ;; esac
r=$(ask $(event backup $U5 EVENT_PLACEMENT=local))
case $r in "RETRY $U5 bad request: "*) ;; *) fail "forged placement: '$r'" ;; esac
r=$(ask $(event backup $U5 EVENT_ENTRY_HOST=elsewhere))
case $r in "RETRY $U5 bad request: "*) ;; *) fail "forged entry host: '$r'" ;; esac
r=$(ask $(event backup $U5 _UID=0))
case $r in "RETRY $U5 bad request: "*) ;; *) fail "trusted field: '$r'" ;; esac
r=$(ask MESSAGE=x EVENT_SENDER=backup)
case $r in "RETRY - bad request: "*) ;; *) fail "no uuid: '$r'" ;; esac
journal_wait $((refused_before + 6)) 30 EVENT_ID=662 _UID="$LISTEN_UID"
sleep 2
assert_eq "$(journal_count EVENT_UUID=$U5)" 0 "entries of refused requests"

# One node down of three (perhaps the one the bus talks to): the quorum
# stores, the bus goes on (after a reconnect).
U7=77777777-7777-4777-8777-777777777777
for node in 0 1; do
	busnats_stop_node $node
	ok=
	for i in $(seq 60); do
		r=$(ask $(event backup $U7-$node))
		[ "$r" = "OK $U7-$node" ] && ok=1 && break
		sleep 1
	done
	[ -n "$ok" ] || fail "no OK within 60s with node $node down: '$r'"
	journal_wait 1 60 EVENT_UUID=$U7-$node
	busnats_start_node $node
	sleep 3
done

# 5. Every NATS node down: RETRY at once, a 661 event; back up: OK again.
busnats_stop
journal_wait 1 30 EVENT_ID=661 _UID="$LISTEN_UID"
U6=66666666-6666-4666-8666-666666666666
r=$(ask $(event backup $U6))
case $r in "RETRY $U6 "*) ;; *) fail "request while NATS is down: '$r'" ;; esac
busnats_start
ok=
for i in $(seq 60); do
	r=$(ask $(event backup $U6))
	[ "$r" = "OK $U6" ] && ok=1 && break
	sleep 1
done
[ -n "$ok" ] || fail "no OK within 60s after NATS came back: '$r' $(tail -5 "$BUS_LOG")"
journal_wait 1 60 EVENT_UUID=$U6
journal_wait 2 30 EVENT_ID=660 _UID="$LISTEN_UID"

bus_stop
note "requests stored then answered, written once, refused and retried as said"
