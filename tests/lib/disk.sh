# Disk images for the disk action scenarios (source after testbed.sh).
#
#   disk_make_chain DIR : DIR/base.qcow2 (64 MiB, data at 0 and 16 MiB) and
#       DIR/top.qcow2 over it (relative backing name "base.qcow2"), holding
#       new data, data overwritten with zeros, and a discarded range
#   disk_make_raw FILE MIB : a raw image with data, zero-filled blocks written
#       as real blocks (so there is something to punch) and holes
#   disk_snapshot DIR OUT : copies DIR's images sparsely into OUT (same names,
#       so relative backing names resolve inside OUT): the "before" to
#       compare against
#   disk_alloc FILE : bytes allocated on the host

qio() {
	qemu-io "$@" >/dev/null || fail "qemu-io $*"
}

disk_make_chain() {
	local d=$1
	qemu-img create -q -f qcow2 "$d/base.qcow2" 64M || fail "qemu-img create"
	qio -f qcow2 -c 'write -P 0xab 0 8M' -c 'write -P 0xcd 16M 4M' "$d/base.qcow2"
	(cd "$d" && qemu-img create -q -f qcow2 -b base.qcow2 -F qcow2 top.qcow2) ||
		fail "qemu-img create overlay"
	qio -f qcow2 -c 'write -P 0x11 1M 2M' -c 'write -P 0x22 32M 6M' \
		-c 'write -P 0x33 40M 4M' "$d/top.qcow2"
	# Overwritten by zeros and discarded: allocation the compaction frees.
	qio -f qcow2 -c 'write -P 0 32M 6M' -c 'discard 40M 4M' "$d/top.qcow2"
}

disk_make_raw() {
	local f=$1 mib=$2
	truncate -s "${mib}M" "$f"
	qio -f raw -c 'write -P 0x44 0 4M' -c 'write -P 0x55 9M 1M' "$f"
	# Real zero blocks (not holes), with a non-zero byte in between.
	dd if=/dev/zero of="$f" bs=1M seek=4 count=4 conv=notrunc status=none
	qio -f raw -c 'write -P 0x66 6M 512' "$f"
}

disk_snapshot() {
	local dir=$1 out=$2 f
	mkdir -p "$out"
	for f in "$dir"/*; do
		[ -f "$f" ] && cp --sparse=always -p "$f" "$out/"
	done
}

disk_alloc() {
	echo $(($(stat -c %b "$1") * $(stat -c %B "$1")))
}

# disk_check_cut IMAGE: qemu-img check of an image whose writer was stopped
# in the middle: leaked clusters (exit 3: space allocated but unused, which
# `qemu-img check -r leaks` reclaims) are expected; corruption (exit 2) or
# an error is a failure.
disk_check_cut() {
	local rc=0
	qemu-img check "$1" >"$TESTDIR/check.out" 2>&1 || rc=$?
	case $rc in
	0 | 3) ;;
	*) fail "$1 is damaged (qemu-img check exit $rc): $(cat "$TESTDIR/check.out")" ;;
	esac
}
