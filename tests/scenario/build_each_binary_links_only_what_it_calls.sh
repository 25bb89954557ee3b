#!/bin/bash
# Each binary of the build names in DT_NEEDED only the libraries it calls
# (linked with -Wl,--as-needed): evcreate neither libvirt nor libarchive nor
# libsystemd, only libssl and libcrypto (--server's TLS), evtrigger no libvirt
# (its modules bring it) and no libssl (SHA-256 is libcrypto's), libarchive
# in the archive module alone. The
# sanitizer runtimes, and the libtirpc the sanitized evtrigger must load
# early (see the Makefile), are allowed beside them.
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
[ "$san" = 1 ] && tirpc=libtirpc

expect "$BUILD/evcreate" libssl libcrypto
# shellcheck disable=SC2086 # tirpc: empty or one word
expect "$BUILD/evtrigger" libsystemd libinih libcrypto $tirpc
for m in "$BUILD"/actions/*.so; do
	case ${m##*/} in
	archive.so) expect "$m" libvirt libxml2 libarchive libcrypto ;;
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
