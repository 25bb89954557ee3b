#!/bin/bash
# Each binary of the build names in DT_NEEDED only the libraries it calls
# (linked with -Wl,--as-needed): evcreate neither libvirt nor libarchive nor
# libsystemd, only libssl and libcrypto (--server's TLS); evtrigger no libvirt
# (its modules bring it) and no libssl (SHA-256 is libcrypto's);
# evtrigger-listen libvirt, libxml2 (domain XML) and libssl (--tls), never
# libnats (the bus is another program); evtrigger-bus libnats, libvirt,
# libinih (its configuration) and libsystemd, no libssl of its own;
# libarchive in the archive and restore modules alone. The sanitizer runtimes
# are allowed beside them, and so are, in the sanitized evtrigger only, the
# libraries the Makefile makes it load at start for the sanitizers' sake
# (libtirpc, and the modules' libvirt, libxml2, libarchive: see the Makefile).
. "$(dirname "$0")/../lib/testbed.sh"

needed() {
	readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(lib[^.]*\)\..*\]/\1/p' |
		grep -vx -e libasan -e libubsan -e libc -e libm | sort | tr '\n' ' '
}
# expect BINARY LIBS...: DT_NEEDED (less libc and the sanitizers) is LIBS.
expect() {
	local bin=$1 want got
	shift
	want=$( (($# == 0)) || printf '%s\n' "$@" | sort | tr '\n' ' ')
	got=$(needed "$bin")
	[ "$got" = "$want" ] || fail "${bin#$BUILD/} needs '$got', want '$want'"
}
san=$(sed -n 's/^#define EVT_SANITIZE \([01]\)$/\1/p' "$BUILD/config.h")
tirpc=
[ "$san" = 1 ] && tirpc="libtirpc libvirt libxml2 libarchive"

expect "$BUILD/evcreate" libssl libcrypto
# shellcheck disable=SC2086 # tirpc: empty or words
expect "$BUILD/evtrigger" libsystemd libinih libcrypto $tirpc
expect "$BUILD/evtrigger-listen" libsystemd libvirt libxml2 libssl libcrypto
expect "$BUILD/evtrigger-bus" libsystemd libvirt libnats libinih
for m in "$BUILD"/actions/*.so; do
	case ${m##*/} in
	archive.so | restore.so) expect "$m" libvirt libxml2 libarchive libcrypto ;;
	exec.so) expect "$m" ;;
	*) expect "$m" libvirt libxml2 ;;
	esac
done
for t in "$BUILD"/tools/*; do
	case $(needed "$t") in
	*libvirt* | *libarchive* | *libssl* | *libcrypto*)
		fail "${t#$BUILD/} needs $(needed "$t")" ;;
	esac
done
echo "every binary links only what it calls"
