# The libvirt part of the test bed: a private libvirtd and tiny QEMU guests.
# Source it after tests/lib/testbed.sh, then:
#
#   testbed_journald                    # (testbed.sh) private journal
#   testbed_libvirtd                    # private libvirtd, qemu:///system
#   testbed_guest [--poweroff-after S] [--acpi] [--channel] [--script FILE]
#                 NAME [DISK...]        # defines (does not start) guest NAME
#   virsh start NAME; guest_wait_console NAME 'evt-guest: ready' 120
#   guest_channel_socket NAME           # host end of its org.evtrigger.0 port
#
# How it is isolated. Each scenario runs in its own mount namespace
# (tests/run-all.sh), and testbed_libvirtd mounts tmpfs over every directory
# libvirtd writes: /run/libvirt (sockets, QEMU pid files), /var/lib/libvirt,
# /var/cache/libvirt (capabilities), /var/log/libvirt, and /etc/libvirt (a
# copy of the host's files plus the configuration below). Its pid file is in
# $TESTDIR. Two scenarios running at once therefore each talk to their own
# daemon through their own /run/libvirt/libvirt-sock and never see each
# other's domains.
#
# Why the configuration. Debian's libvirt-daemon-system (not installed here)
# would create the libvirt-qemu user and group and ship qemu.conf. libvirtd
# resolves its compiled-in default user libvirt-qemu before it even reads
# qemu.conf, so the user must exist: when it is missing, it is added to
# private copies of /etc/passwd and /etc/group bind-mounted in the scenario's
# namespace, so the host is never changed and concurrent scenarios never race
# on the real files. QEMU itself runs as root (a libvirt-qemu QEMU could not
# read images under $TESTDIR, mode 0700), with dynamic_ownership off (the test's images keep the owner and mode
# the test gave them, which the disk tests check), security_driver "none" (no
# AppArmor in this container), no cgroups and no per-domain mount namespace
# (neither works in a container without systemd), and QEMU's output goes to a
# plain file instead of virtlogd (no socket-activated virtlogd here).
#
# Guests: Debian's cloud kernel with a busybox initramfs (built once per build
# tree into $BUILD/testbed/), software emulation (type='qemu': KVM guests hang
# on this machine), 128 MiB, ACPI on (so that the guest's poweroff turns the
# VM off), serial console in $TESTDIR/NAME.console, no network. The guest's
# /init prints 'evt-guest: ready' when up and, with --acpi, 'evt-guest: acpi
# armed' once a press of the ACPI power button (virsh shutdown) makes it power
# off; without --acpi it ignores the button. --poweroff-after S makes it power
# itself off S seconds after boot. Boot takes about 3 s under TCG. DISKs are
# opened (and locked) by QEMU like any VM's disks, so a running guest holds
# them in use; the guest itself has no virtio-blk driver and never writes
# them.
#
# The guest channel. The initramfs also loads the virtio-serial driver
# (virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci
# virtio_console, in that order, those the cloud kernel has as modules), and
# /init makes /dev/virtio-ports/NAME for every port from
# /sys/class/virtio-ports/*/name and dev (busybox has no udev). --channel
# gives the guest the one element a user adds to a VM,
#   <channel type='unix'><target type='virtio' name='org.evtrigger.0'/></channel>
# (no source path: libvirt chooses it; guest_channel_socket reads it from the
# running domain's XML), and /init waits for /dev/virtio-ports/org.evtrigger.0
# before it prints 'evt-guest: ready'. Inside the guest a write to the port
# blocks while no host process is connected to the socket.
#
# Guest scripts and the guest evcreate. --script FILE is a shell script the
# guest's /init runs (busybox sh, output on the console) after 'evt-guest:
# ready'; when it ends /init prints 'evt-guest: script exit N'. When a static
# evcreate exists at $BUILD/guest/evcreate (make guest-tools), the guest has it
# as /bin/evcreate. Both go into a small second cpio archive that is appended
# to the shared initramfs in a per-guest $TESTDIR/NAME.initrd (the kernel
# unpacks concatenated archives in order).
#
# channel_standin SOCKET ANSWERS LOG (background) is a stand-in for the host
# listener, for testing the guest side alone: see its comment.
# assert_example_in DOC FILE and man_text PAGE check that a script a test runs
# is the example the documentation shows (tests/lib/docs.sh reads examples
# from the documents by id instead).
#
# Exports: LIBVIRT_DEFAULT_URI=qemu:///system, VIRSH (virsh with that URI),
# LIBVIRTD_PID.

LIBVIRTD_PID=
export LIBVIRT_DEFAULT_URI=qemu:///system
VIRSH="virsh -q -c qemu:///system"
TESTBED_GUEST_DIR=$BUILD/testbed

testbed_libvirtd() {
	local d i
	testbed_require_namespace
	command -v libvirtd >/dev/null || fail "libvirtd is not installed (tools/deps.sh test)"

	mkdir -p "$TESTDIR/etc-libvirt"
	cp -a /etc/libvirt/. "$TESTDIR/etc-libvirt/" 2>/dev/null || true
	for d in /run/libvirt /var/lib/libvirt /var/cache/libvirt \
		/var/log/libvirt /etc/libvirt; do
		mkdir -p "$d"
		mount -t tmpfs -o mode=0755 tmpfs "$d" || fail "cannot mount tmpfs on $d"
	done
	cp -a "$TESTDIR/etc-libvirt/." /etc/libvirt/
	cat >/etc/libvirt/libvirtd.conf <<-EOF
		# evtrigger test bed: private daemon, log to its own file
		log_outputs = "3:stderr"
		unix_sock_group = "root"
		unix_sock_rw_perms = "0700"
		# Read-only connections of any user, as polkit's default allows
		# on a real host (no polkit here): evtrigger-bus runs as the
		# listener's user (tests/lib/hosts.sh).
		auth_unix_ro = "none"
	EOF
	cat >/etc/libvirt/qemu.conf <<-EOF
		# evtrigger test bed (tests/lib/vm.sh says why)
		user = "root"
		group = "root"
		dynamic_ownership = 0
		security_driver = "none"
		cgroup_controllers = [ ]
		namespaces = [ ]
		stdio_handler = "file"
		remember_owner = 0
	EOF
	mkdir -p /var/log/libvirt/qemu
	testbed_libvirt_user

	libvirtd --pid-file "$TESTDIR/libvirtd.pid" >"$TESTDIR/libvirtd.log" 2>&1 &
	LIBVIRTD_PID=$!
	testbed_at_exit testbed_libvirtd_stop
	for i in $(seq 600); do
		if [ -S /run/libvirt/libvirt-sock ] &&
			$VIRSH version >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$LIBVIRTD_PID" 2>/dev/null ||
			fail "libvirtd exited: $(tail -n 20 "$TESTDIR/libvirtd.log")"
		sleep 0.1
	done
	fail "libvirtd did not answer within 60s: $(tail -n 20 "$TESTDIR/libvirtd.log")"
}

# Adds the libvirt-qemu user and group, if missing, to private copies of
# /etc/passwd and /etc/group (see above).
testbed_libvirt_user() {
	getent group libvirt-qemu >/dev/null && getent passwd libvirt-qemu >/dev/null &&
		return 0
	cp /etc/passwd "$TESTDIR/passwd"
	cp /etc/group "$TESTDIR/group"
	getent group libvirt-qemu >/dev/null ||
		echo "libvirt-qemu:x:64055:" >>"$TESTDIR/group"
	getent passwd libvirt-qemu >/dev/null ||
		echo "libvirt-qemu:x:64055:64055:Libvirt Qemu,,,:/var/lib/libvirt:/usr/sbin/nologin" >>"$TESTDIR/passwd"
	mount --bind "$TESTDIR/passwd" /etc/passwd || fail "cannot bind-mount /etc/passwd"
	mount --bind "$TESTDIR/group" /etc/group || fail "cannot bind-mount /etc/group"
}

# Destroys every domain of the private daemon, stops it, and kills any QEMU it
# left (their pid files live in the private /run/libvirt/qemu).
testbed_libvirtd_stop() {
	local dom pid f
	for dom in $($VIRSH list --name 2>/dev/null); do
		$VIRSH destroy "$dom" >/dev/null 2>&1
	done
	if [ -n "$LIBVIRTD_PID" ]; then
		kill "$LIBVIRTD_PID" 2>/dev/null
		wait "$LIBVIRTD_PID" 2>/dev/null
	fi
	for f in /run/libvirt/qemu/*.pid; do
		[ -e "$f" ] || continue
		pid=$(cat "$f" 2>/dev/null) || continue
		[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	done
	true
}

# The kernel the guests boot: the newest Debian cloud kernel.
testbed_guest_kernel() {
	local k
	k=$(ls /boot/vmlinuz-*-cloud-amd64 2>/dev/null | sort -V | tail -n 1)
	[ -n "$k" ] || fail "no /boot/vmlinuz-*-cloud-amd64 (linux-image-cloud-amd64)"
	echo "$k"
}

# Builds the guest's initramfs once per build tree (rebuilt when this file is
# newer), written beside and renamed so that concurrent scenarios never read
# half of one. Prints its path.
testbed_guest_initrd() {
	local kernel out work kver mods m f order=
	kernel=$(testbed_guest_kernel) || exit 1
	kver=${kernel#/boot/vmlinuz-}
	out=$TESTBED_GUEST_DIR/guest-$kver.cpio.gz
	if [ -s "$out" ] && [ "$out" -nt "${BASH_SOURCE[0]}" ]; then
		echo "$out"
		return 0
	fi
	mkdir -p "$TESTBED_GUEST_DIR"
	work=$(mktemp -d "$TESTDIR/initrd.XXXXXX")
	mkdir -p "$work"/{bin,dev,proc,sys,etc,lib/modules}
	cp /bin/busybox "$work/bin/busybox" || fail "busybox-static is not installed"
	ln -s busybox "$work/bin/sh"
	# The ACPI power button and the input device it reports through are
	# modules in the cloud kernel.
	mods=/lib/modules/$kver/kernel/drivers
	for m in acpi/button.ko input/evdev.ko; do
		cp "$mods/$m" "$work/lib/modules/" || fail "kernel module $m missing"
	done
	# The virtio-serial driver, in load order (each needs the ones before);
	# a module the kernel has built in is skipped.
	for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev \
		virtio_pci virtio_console; do
		grep -q "/$m\.ko\$" "/lib/modules/$kver/modules.builtin" 2>/dev/null &&
			continue
		f=$(find "/lib/modules/$kver/kernel" -name "$m.ko*" | head -n 1)
		[ -n "$f" ] || fail "kernel module $m is neither a module nor built in"
		case $f in
		*.ko) cp "$f" "$work/lib/modules/$m.ko" ;;
		*.ko.xz) xz -dc "$f" >"$work/lib/modules/$m.ko" ;;
		*.ko.zst) zstd -qdc "$f" >"$work/lib/modules/$m.ko" ;;
		*.ko.gz) gzip -dc "$f" >"$work/lib/modules/$m.ko" ;;
		*) fail "kernel module $f: unknown compression" ;;
		esac || fail "cannot copy kernel module $f"
		order="$order $m"
	done
	echo "$order" >"$work/lib/modules/virtio.order"
	cat >"$work/init" <<-'EOF'
		#!/bin/sh
		# evtrigger test guest: see tests/lib/vm.sh
		/bin/busybox --install -s /bin
		mount -t proc proc /proc
		mount -t sysfs sys /sys
		mount -t devtmpfs dev /dev
		poweroff_after= acpi=0 channel=0
		for w in $(cat /proc/cmdline); do
			case $w in
			evt_poweroff=*) poweroff_after=${w#evt_poweroff=} ;;
			evt_acpi=1) acpi=1 ;;
			evt_channel=1) channel=1 ;;
			esac
		done
		insmod /lib/modules/evdev.ko
		insmod /lib/modules/button.ko
		for m in $(cat /lib/modules/virtio.order); do
			insmod /lib/modules/$m.ko
		done
		# /dev/virtio-ports/NAME as udev would make it. A port's name
		# comes from the host shortly after the port appears.
		# (The loop is the one doc/guest.md shows.)
		ports() {
			for p in /sys/class/virtio-ports/*; do
			    n=$(cat "$p/name" 2>/dev/null); [ -n "$n" ] || continue
			    b=${p##*/}
			    [ -e "/dev/$b" ] || mknod "/dev/$b" c "$(cut -d: -f1 "$p/dev")" "$(cut -d: -f2 "$p/dev")"
			    mkdir -p /dev/virtio-ports && ln -sf "../$b" "/dev/virtio-ports/$n"
			done
		}
		if [ "$channel" = 1 ]; then
			i=0
			while [ ! -e /dev/virtio-ports/org.evtrigger.0 ] && [ $i -lt 300 ]; do
				ports
				[ -e /dev/virtio-ports/org.evtrigger.0 ] && break
				sleep 0.1
				i=$((i + 1))
			done
			if [ -e /dev/virtio-ports/org.evtrigger.0 ]; then
				echo "evt-guest: channel org.evtrigger.0" >/dev/ttyS0
			else
				echo "evt-guest: channel missing" >/dev/ttyS0
			fi
		fi
		echo "evt-guest: ready" >/dev/ttyS0
		if [ -f /evt/script ]; then
			( sh /evt/script </dev/null >/dev/ttyS0 2>&1
			  echo "evt-guest: script exit $?" >/dev/ttyS0 ) &
		fi
		if [ "$acpi" = 1 ]; then
			for n in /sys/class/input/event*; do
				[ "$(cat "$n/device/name" 2>/dev/null)" = "Power Button" ] || continue
				dev=/dev/input/${n##*/}
				( head -c 1 "$dev" >/dev/null
				  echo "evt-guest: power button pressed" >/dev/ttyS0
				  poweroff -f ) &
				echo "evt-guest: acpi armed" >/dev/ttyS0
			done
		fi
		if [ -n "$poweroff_after" ]; then
			sleep "$poweroff_after"
			echo "evt-guest: powering off" >/dev/ttyS0
			poweroff -f
		fi
		while :; do sleep 3600; done
	EOF
	chmod 0755 "$work/init"
	(cd "$work" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp.$$" ||
		fail "cannot build the guest initramfs"
	mv -f "$out.tmp.$$" "$out"
	rm -rf "$work"
	echo "$out"
}

# testbed_guest_extra NAME SCRIPT: prints the path of guest NAME's initrd:
# the shared one, followed by an archive with SCRIPT (may be empty) as
# /evt/script and $BUILD/guest/evcreate as /bin/evcreate when present; the
# shared one alone when there is neither.
testbed_guest_extra() {
	local name=$1 script=$2 shared work
	shared=$(testbed_guest_initrd) || exit 1
	if [ -z "$script" ] && [ ! -x "$BUILD/guest/evcreate" ]; then
		echo "$shared"
		return 0
	fi
	work=$(mktemp -d "$TESTDIR/extra.XXXXXX")
	mkdir -p "$work/bin" "$work/evt"
	if [ -n "$script" ]; then
		cp "$script" "$work/evt/script" || fail "cannot read guest script $script"
		chmod 0755 "$work/evt/script"
	fi
	if [ -x "$BUILD/guest/evcreate" ]; then
		cp "$BUILD/guest/evcreate" "$work/bin/evcreate" ||
			fail "cannot copy $BUILD/guest/evcreate"
	fi
	{
		cat "$shared"
		(cd "$work" && find . | cpio -o -H newc --quiet | gzip -1)
	} >"$TESTDIR/$name.initrd" || fail "cannot build the initrd of guest $name"
	rm -rf "$work"
	echo "$TESTDIR/$name.initrd"
}

# testbed_guest [--poweroff-after S] [--acpi] [--memory MIB] [--channel]
#               [--channel-xml FILE] [--script FILE] [--cmdline WORDS]
#               NAME [DISK...]
# Defines guest NAME (not started) with DISK... attached as vda, vdb, ...
# (qcow2 if the name ends in .qcow2, raw otherwise). --cmdline adds WORDS to
# the kernel command line, which a --script can read in /proc/cmdline.
# --channel-xml FILE is --channel with the elements of FILE instead of the
# one above (a documented element, or more than one channel).
testbed_guest() {
	local poweroff= acpi=0 memory=128 channel=0 chanxml= script= extra= name kernel initrd cmdline
	local disks= i=0 d fmt chan=
	local letters=abcdefghijklmnop
	while [ $# -gt 0 ]; do
		case $1 in
		--poweroff-after) poweroff=$2; shift 2 ;;
		--acpi) acpi=1; shift ;;
		--memory) memory=$2; shift 2 ;;
		--channel) channel=1; shift ;;
		--channel-xml) channel=1; chanxml=$2; shift 2 ;;
		--script) script=$2; shift 2 ;;
		--cmdline) extra=$2; shift 2 ;;
		*) break ;;
		esac
	done
	name=${1:?testbed_guest: NAME missing}
	shift
	kernel=$(testbed_guest_kernel) || exit 1
	initrd=$(testbed_guest_extra "$name" "$script") || exit 1
	cmdline="console=ttyS0 panic=-1 quiet evt_acpi=$acpi evt_channel=$channel"
	[ -n "$poweroff" ] && cmdline="$cmdline evt_poweroff=$poweroff"
	[ -n "$extra" ] && cmdline="$cmdline $extra"
	# What a user adds to a VM: no source path, libvirt chooses it.
	[ "$channel" = 1 ] && chan="
    <channel type='unix'>
      <target type='virtio' name='org.evtrigger.0'/>
    </channel>"
	if [ -n "$chanxml" ]; then
		chan="
$(cat "$chanxml")" || fail "cannot read $chanxml"
	fi
	for d in "$@"; do
		case $d in *.qcow2) fmt=qcow2 ;; *) fmt=raw ;; esac
		disks="$disks
    <disk type='file' device='disk'>
      <driver name='qemu' type='$fmt'/>
      <source file='$d'/>
      <target dev='vd${letters:$i:1}' bus='virtio'/>
    </disk>"
		i=$((i + 1))
	done
	cat >"$TESTDIR/$name.xml" <<-EOF
		<domain type='qemu'>
		  <name>$name</name>
		  <memory unit='MiB'>$memory</memory>
		  <vcpu>1</vcpu>
		  <os>
		    <type arch='x86_64' machine='pc'>hvm</type>
		    <kernel>$kernel</kernel>
		    <initrd>$initrd</initrd>
		    <cmdline>$cmdline</cmdline>
		  </os>
		  <features><acpi/></features>
		  <on_poweroff>destroy</on_poweroff>
		  <on_reboot>destroy</on_reboot>
		  <on_crash>destroy</on_crash>
		  <devices>$disks$chan
		    <serial type='file'>
		      <source path='$TESTDIR/$name.console' append='on'/>
		      <target port='0'/>
		    </serial>
		    <memballoon model='none'/>
		  </devices>
		</domain>
	EOF
	$VIRSH define "$TESTDIR/$name.xml" >/dev/null ||
		fail "cannot define guest $name: see $TESTDIR/$name.xml"
}

# guest_wait_console NAME TEXT TIMEOUT_S [COUNT]: waits until the guest's
# serial console shows TEXT (a fixed string) COUNT times (default 1). The
# console file keeps every boot's output (append), so after a restart wait
# for the next COUNT.
guest_wait_console() {
	local name=$1 text=$2 timeout=$3 count=${4:-1} i n=0
	for i in $(seq $((timeout * 10))); do
		n=$(grep -cF -- "$text" "$TESTDIR/$name.console" 2>/dev/null)
		[ "${n:-0}" -ge "$count" ] && return 0
		sleep 0.1
	done
	fail "guest $name did not print '$text' ($count times) within ${timeout}s: $(tail -n 5 "$TESTDIR/$name.console" 2>/dev/null)"
}

# guest_state NAME: prints libvirt's state ("running", "shut off", ...).
guest_state() {
	$VIRSH domstate "$1" 2>/dev/null | head -n 1
}

# guest_wait_state NAME STATE TIMEOUT_S
guest_wait_state() {
	local name=$1 want=$2 timeout=$3 i s=
	for i in $(seq $((timeout * 10))); do
		s=$(guest_state "$name")
		[ "$s" = "$want" ] && return 0
		sleep 0.1
	done
	fail "guest $name: expected state '$want' within ${timeout}s, it is '$s'"
}

# assert_off_by_event VM STEP [MATCH...]: the newest STEP_NOTICE of STEP for
# VM (its "is off" notice) says a libvirt lifecycle event ended the wait: the
# guest's "shutdown" or the "stopped" that follows it, not a state found when
# the step began.
assert_off_by_event() {
	local vm=$1 step=$2 reason
	shift 2
	# The step's STEP_FINISHED comes after its notices.
	journal_wait 1 30 EVENT_ID=612 VM="$vm" STEP="$step" "$@"
	reason=$(journal_field REASON EVENT_ID=615 VM="$vm" STEP="$step" "$@")
	case $reason in
	"lifecycle event stopped (shutdown)" | "lifecycle event shutdown ("*) ;;
	*) fail "$step on $vm: not ended by a shutdown lifecycle event: REASON='$reason'" ;;
	esac
}

# guest_channel_socket NAME [PORT]: prints the host socket path of the running
# guest NAME's channel PORT (default org.evtrigger.0), read from libvirt's
# live XML (libvirt chooses the path; it is never built here).
guest_channel_socket() {
	local name=$1 port=${2:-org.evtrigger.0} path
	path=$($VIRSH dumpxml "$name" | python3 -c '
import sys, xml.etree.ElementTree as ET
port = sys.argv[1]
for ch in ET.parse(sys.stdin).getroot().iter("channel"):
    t, s = ch.find("target"), ch.find("source")
    if t is not None and t.get("name") == port and s is not None and s.get("path"):
        print(s.get("path"))
        break
' "$port") || fail "cannot read the live XML of guest $name"
	[ -n "$path" ] || fail "guest $name has no channel $port with a source path in its live XML"
	echo "$path"
}

# assert_example_in DOC EXAMPLE: every non-blank line of the file EXAMPLE is
# a line of the file DOC, leading and trailing blanks aside: the example a
# test runs is the one the documentation shows.
assert_example_in() {
	local doc=$1 example=$2 line
	while IFS= read -r line; do
		line=$(sed 's/^[[:space:]]*//; s/[[:space:]]*$//' <<<"$line")
		[ -n "$line" ] || continue
		sed 's/^[[:space:]]*//; s/[[:space:]]*$//' "$doc" | grep -qxF -- "$line" ||
			fail "the example line '$line' is not in $doc"
	done <"$example"
}

# man_text PAGE: prints the man page file PAGE as plain text, one line per
# source line where it fits (200 columns).
man_text() {
	MANWIDTH=200 man -l "$1" 2>/dev/null | col -b
}

# channel_standin SOCKET ANSWERS LOG: a STAND-IN FOR THE HOST LISTENER
# (evtrigger-listen), for testing the guest side alone. It connects to the
# guest channel's host socket, appends every line it receives to LOG, and
# answers each line with the next word of ANSWERS (comma-separated; the last
# one repeats):
#   ok       "OK <uuid>": the line's uuid= value (lowercased), or a new one
#   errNNN   "ERR NNN stand-in refusal" (e.g. err400, err429, err503)
#   silent   no answer
#   drop     no answer; close the connection and connect again
# It appends "answered: <answer>" lines to LOG.answers. Run it in the
# background; it exits when QEMU closes the socket.
channel_standin() {
	python3 - "$@" <<-'PYEOF'
	import re, socket, sys, time, uuid
	path, answers, log = sys.argv[1], sys.argv[2].split(","), sys.argv[3]
	def connect():
	    for _ in range(300):
	        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	        try:
	            s.connect(path)
	            return s
	        except OSError:
	            s.close()
	            time.sleep(0.1)
	    sys.exit("stand-in: cannot connect to " + path)
	s, buf, n = connect(), b"", 0
	with open(log, "ab", buffering=0) as lf, open(log + ".answers", "a", buffering=1) as af:
	    while True:
	        d = s.recv(65536)
	        if not d:
	            break
	        buf += d
	        while b"\n" in buf:
	            line, buf = buf.split(b"\n", 1)
	            lf.write(line + b"\n")
	            a = answers[min(n, len(answers) - 1)]
	            n += 1
	            if a == "ok":
	                m = re.search(rb"(?:^|\s)uuid=([0-9A-Fa-f-]{36})(?:\s|$)", line)
	                u = m.group(1).decode().lower() if m else str(uuid.uuid4())
	                r = "OK " + u
	            elif a.startswith("err"):
	                r = "ERR " + a[3:] + " stand-in refusal"
	            else:
	                r = None
	            af.write("answered: %s\n" % (r or a))
	            if r:
	                s.sendall((r + "\n").encode())
	            if a == "drop":
	                s.close()
	                s, buf = connect(), b""
	PYEOF
}
