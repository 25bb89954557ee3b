# evtrigger-bus on one host of the test bed: a private 3-node JetStream
# cluster on this machine and the bus as the listener's user. Source it
# after tests/lib/testbed.sh and tests/lib/listen.sh, then:
#
#   testbed_journald; testbed_listen_user
#   busnats_start [auth]    # nodes on 127.0.0.1:14222-14224 (routes
#                           # 16222-16224); with auth: a user $BUS_NATS_USER
#                           # allowed only what evtrigger-bus(8) lists
#   busnats_stop            # every node (SIGTERM, wait)
#   busnats_stop_node I; busnats_start_node I [auth]   # one node
#   busnats_stream_msgs NAME  # messages the stream NAME holds
#   busnats_consumer FIELD  # FIELD of this host's consumer (a.b for a
#                           # nested one), from the monitoring port
#                           # (18222-18224) of the consumer's leader
#   bus_config [KEY=VALUE...] # writes $BUS_CONF for this host
#   bus_start               # the bus, waits for its socket
#   bus_stop                # SIGTERM, fails unless it exits 0 cleanly
#   bus_ask REQUEST [-- REQUEST]...   # tests/tools/bus-request.py
#   bus_event SENDER UUID [FIELD=VALUE...]  # a request's words
#
# Exports: BUS_SOCK, BUS_CONF, BUS_LOG, BUS_PID, BUS_HOST.

EVTRIGGER_BUS=$BUILD/evtrigger-bus
BUS_REQ=$TOP/tests/tools/bus-request.py
BUS_SOCK=$TESTDIR/bus-run/bus.sock
BUS_CONF=$TESTDIR/bus.conf
BUS_LOG=$TESTDIR/bus.log
BUS_HOST=bus-test-host
BUS_PID=
BUS_NATS_USER=hv1
BUS_NATS_PIDS=()

busnats_start() {
	local i
	command -v nats-server >/dev/null ||
		fail "nats-server is not installed (tools/deps.sh test)"
	! ss -ltn | grep -qE ':1[468]22[234] ' ||
		fail "ports 14222-14224/16222-16224/18222-18224 in use: $(ss -ltnp | grep -E ':1[468]22[234] ')"
	for i in 0 1 2; do busnats_start_node "$i" "${1:-}"; done
	testbed_at_exit busnats_stop
}

# busnats_start_node I [auth]: node I alone (its data kept from before).
busnats_start_node() {
	local i=$1 auth=${2:-} conf=$TESTDIR/nats$1.conf
	mkdir -p "$TESTDIR/nats$i"
	cat >"$conf" <<-CONF
	server_name: n$i
	listen: 127.0.0.1:$((14222 + i))
	http: 127.0.0.1:$((18222 + i))
	jetstream { store_dir: "$TESTDIR/nats$i" }
	cluster {
	  name: evtbus
	  listen: 127.0.0.1:$((16222 + i))
	  routes: [ nats://127.0.0.1:16222, nats://127.0.0.1:16223, nats://127.0.0.1:16224 ]
	}
	CONF
	if [ -n "$auth" ]; then
		# What evtrigger-bus(8) says a host's user needs, no more.
		cat >>"$conf" <<-CONF
		authorization {
		  users: [ { user: $BUS_NATS_USER, password: "bus-test-secret",
		    permissions: {
		      publish: [ "evtrigger.event.>", "\$JS.API.>", "\$JS.ACK.>", "\$KV.evtrigger-vms.>" ]
		      subscribe: [ "_INBOX.>" ]
		    } } ]
		}
		CONF
	fi
	nats-server -c "$conf" >>"$TESTDIR/nats$i.log" 2>&1 &
	BUS_NATS_PIDS[i]=$!
}

# busnats_stop_node I: node I (SIGTERM, wait).
busnats_stop_node() {
	kill "${BUS_NATS_PIDS[$1]}" 2>/dev/null
	wait "${BUS_NATS_PIDS[$1]}" 2>/dev/null
	BUS_NATS_PIDS[$1]=
}

# busnats_consumer FIELD: see above.
busnats_consumer() {
	python3 - "$1" "host-$BUS_HOST" <<-'PY'
	import json, sys, urllib.request
	field, name = sys.argv[1], sys.argv[2]
	for i in range(3):
	    try:
	        url = "http://127.0.0.1:%d/jsz?consumers=true" % (18222 + i)
	        d = json.load(urllib.request.urlopen(url, timeout=5))
	    except OSError:
	        continue
	    for acc in d.get("account_details", []):
	        for st in acc.get("stream_detail", []):
	            for c in st.get("consumer_detail") or []:
	                if c["name"] == name and c.get("cluster", {}).get("leader") == "n%d" % i:
	                    for k in field.split("."):
	                        c = c.get(k, 0) if isinstance(c, dict) else 0
	                    print(c)
	                    sys.exit(0)
	sys.exit("no leader reports consumer " + name)
	PY
}

# busnats_stream_msgs NAME: messages the stream NAME holds (max over nodes).
busnats_stream_msgs() {
	python3 - "$1" <<-'PY'
	import json, sys, urllib.request
	n = 0
	for i in range(3):
	    try:
	        url = "http://127.0.0.1:%d/jsz?streams=true" % (18222 + i)
	        d = json.load(urllib.request.urlopen(url, timeout=5))
	    except OSError:
	        continue
	    for acc in d.get("account_details", []):
	        for st in acc.get("stream_detail", []):
	            if st["name"] == sys.argv[1]:
	                n = max(n, st["state"]["messages"])
	print(n)
	PY
}

busnats_stop() {
	local p
	for p in "${BUS_NATS_PIDS[@]}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
	for p in "${BUS_NATS_PIDS[@]}"; do [ -n "$p" ] && wait "$p" 2>/dev/null; done
	BUS_NATS_PIDS=()
}

# bus_config [LINE...]: the bus's configuration; extra lines go to [nats].
bus_config() {
	local l
	mkdir -p "$TESTDIR/bus-run"
	chown "$LISTEN_USER" "$TESTDIR/bus-run"
	chmod 755 "$TESTDIR"
	{
		echo "; the test bed's bus"
		echo "[bus]"
		echo "host = $BUS_HOST"
		echo "socket = $BUS_SOCK"
		echo "connect = test:///default   ; its domain 'test' runs"
		echo "[nats]"
		echo "servers = nats://127.0.0.1:14222 nats://127.0.0.1:14223, nats://127.0.0.1:14224"
		echo "replicas = 3"
		for l in "$@"; do echo "$l"; done
	} >"$BUS_CONF"
}

# bus_start [ENV=VALUE...]: the bus as the listener's user.
bus_start() {
	local i
	rm -f "$BUS_SOCK"
	env "$@" setpriv --reuid "$LISTEN_USER" --regid "$LISTEN_USER" --init-groups \
		"$EVTRIGGER_BUS" --config "$BUS_CONF" >>"$BUS_LOG" 2>&1 &
	BUS_PID=$!
	testbed_at_exit "kill $BUS_PID 2>/dev/null; wait $BUS_PID 2>/dev/null"
	for i in $(seq 600); do
		[ -S "$BUS_SOCK" ] && return 0
		kill -0 "$BUS_PID" 2>/dev/null || fail "evtrigger-bus exited: $(cat "$BUS_LOG")"
		sleep 0.1
	done
	fail "evtrigger-bus did not listen on $BUS_SOCK in 60s: $(cat "$BUS_LOG")"
}

bus_check_log() {
	! grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$BUS_LOG" ||
		fail "sanitizer report from evtrigger-bus: $(grep -m1 -A30 -E 'Sanitizer|runtime error' "$BUS_LOG")"
}

bus_stop() {
	local rc
	kill "$BUS_PID"
	wait "$BUS_PID"
	rc=$?
	[ "$rc" = 0 ] || fail "evtrigger-bus exited $rc: $(tail -20 "$BUS_LOG")"
	bus_check_log
}

bus_ask() { timeout 60 python3 "$BUS_REQ" "$BUS_SOCK" "$@"; }

# bus_event SENDER UUID [FIELD=VALUE...]: an event as the listener hands it
# over (no value may hold a blank: the words are split by the shell).
bus_event() {
	local sender=$1 uuid=$2
	shift 2
	echo MESSAGE="bus-test-$uuid" PRIORITY=4 SYSLOG_FACILITY=1 \
		SYSLOG_IDENTIFIER=John EVENT_ID=777 EVENT_TYPE=WARNING \
		EVENT_SOURCE=John EVENT_LOG=Application "$@" \
		EVENT_SENDER="$sender" EVENT_AUTH=x509 \
		EVENT_SENDER_ADDRESS=192.0.2.7:4711 EVENT_UUID="$uuid"
}
