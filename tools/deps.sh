#!/bin/sh
# Installs the Debian packages a purpose needs, only those missing.
# Usage: tools/deps.sh build|test|demo|bench|fuzz
set -eu

# What pkg-config finds for the Makefile (libsystemd libarchive inih libvirt
# libxml-2.0 libcrypto, the last from libssl-dev, libnats for evtrigger-bus),
# and the compiler.
build="make gcc pkg-config libsystemd-dev libarchive-dev libinih-dev
	libvirt-dev libxml2-dev libssl-dev libnats-dev"
# The private journald, libvirtd and QEMU guests, and the independent peers
# and checkers the scenarios use (logger, rsyslogd, qemu-img, bsdtar, fuser,
# setpriv, python3), and nats-server for evtrigger-bus's JetStream cluster.
vm="qemu-utils qemu-system-x86 libvirt-daemon libvirt-daemon-driver-qemu
	libvirt-clients linux-image-cloud-amd64 busybox-static cpio"
# libtirpc-dev: the sanitizer build links libtirpc into evtrigger (Makefile).
test="$build check libtirpc-dev systemd util-linux bsdutils rsyslog rsyslog-openssl openssl iproute2
	libarchive-tools zstd xz-utils $vm psmisc procps python3 man-db bsdextrautils
	nats-server"
demo="$build systemd util-linux libarchive-tools $vm procps python3"
bench="$test hyperfine time tar jq bc"
# The libFuzzer harnesses of tests/fuzz/.
fuzz="clang libclang-rt-14-dev"

case "${1:-}" in
build) want=$build ;;
test) want=$test ;;
demo) want=$demo ;;
bench) want=$bench ;;
fuzz) want="$build $fuzz" ;;
*) echo "usage: tools/deps.sh build|test|demo|bench|fuzz" >&2; exit 2 ;;
esac

missing=
for p in $want; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "tools/deps.sh: installing:$missing" >&2
if [ "$(id -u)" != 0 ]; then
	echo "tools/deps.sh: need root to install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
