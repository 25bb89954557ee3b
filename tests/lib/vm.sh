# The libvirt part of the test bed: a private libvirtd and tiny QEMU guests.
# Source it after tests/lib/testbed.sh, then:
#
#   testbed_journald                    # (testbed.sh) private journal
#   testbed_libvirtd                    # private libvirtd, qemu:///system
#   testbed_guest [--poweroff-after S] [--acpi] NAME [DISK...]
#                                       # defines (does not start) guest NAME
#   virsh start NAME; guest_wait_console NAME 'evt-guest: ready' 120
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
	local kernel out work kver mods m
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
	cat >"$work/init" <<-'EOF'
		#!/bin/sh
		# evtrigger test guest: see tests/lib/vm.sh
		/bin/busybox --install -s /bin
		mount -t proc proc /proc
		mount -t sysfs sys /sys
		mount -t devtmpfs dev /dev
		poweroff_after= acpi=0
		for w in $(cat /proc/cmdline); do
			case $w in
			evt_poweroff=*) poweroff_after=${w#evt_poweroff=} ;;
			evt_acpi=1) acpi=1 ;;
			esac
		done
		insmod /lib/modules/evdev.ko
		insmod /lib/modules/button.ko
		echo "evt-guest: ready" >/dev/ttyS0
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

# testbed_guest [--poweroff-after S] [--acpi] [--memory MIB] NAME [DISK...]
# Defines guest NAME (not started) with DISK... attached as vda, vdb, ...
# (qcow2 if the name ends in .qcow2, raw otherwise).
testbed_guest() {
	local poweroff= acpi=0 memory=128 name kernel initrd cmdline disks= i=0 d fmt
	local letters=abcdefghijklmnop
	while [ $# -gt 0 ]; do
		case $1 in
		--poweroff-after) poweroff=$2; shift 2 ;;
		--acpi) acpi=1; shift ;;
		--memory) memory=$2; shift 2 ;;
		*) break ;;
		esac
	done
	name=${1:?testbed_guest: NAME missing}
	shift
	kernel=$(testbed_guest_kernel) || exit 1
	initrd=$(testbed_guest_initrd) || exit 1
	cmdline="console=ttyS0 panic=-1 quiet evt_acpi=$acpi"
	[ -n "$poweroff" ] && cmdline="$cmdline evt_poweroff=$poweroff"
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
		  <devices>$disks
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
