#!/bin/bash
# Disk benchmarks of issue 4, side by side (see bench/disk.md for what they
# measure and the figures):
#   1. archive of a sparse 8 GiB raw image holding 1 GiB of data: evtrigger's
#      archive action against bsdtar --zstd and GNU tar --sparse with zstd -T0
#   2. compaction of a qcow2 image: evtrigger's compact action against
#      qemu-img convert alone
# Usage: bench/disk.sh [BUILD] [RUNS]   (BUILD defaults to build/, RUNS to 3)
#   env: DISK_CHUNKS (64) chunks of CHUNK_MB (16) MiB of data, 127 MiB apart,
#   in a sparse image of DISK_CHUNKS * 128 MiB (8 GiB); BENCH_WARMUP (1)
# Needs hyperfine, bsdtar, GNU tar, zstd, qemu-img (tools/deps.sh bench).
# The VM definition comes from libvirt's test driver (test:///FILE.xml), so no
# daemon is needed; the disk work is the real module's.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$TOP/build}" && pwd)
RUNS=${2:-3}
THREADS=$(nproc)
CHUNKS=${DISK_CHUNKS:-64}
CHUNK_MB=${CHUNK_MB:-16}
WARMUP=${BENCH_WARMUP:-1}
W=${BENCH_DIR:-/var/tmp/evt-bench-disk}
EVTRIGGER=$BUILD/evtrigger
export EVTRIGGER_ACTION_DIR=$BUILD/actions EVTRIGGER_STATE_DIR=$W/state

rm -rf "$W"
mkdir -p "$W/img" "$W/out" "$W/state"
trap 'rm -rf "$W"' EXIT

# --- the image -------------------------------------------------------------
# 8 GiB raw, 64 chunks of 16 MiB (1 GiB) at fixed scattered offsets (by
# default; DISK_CHUNKS and CHUNK_MB scale it): even
# chunks incompressible (random bytes), odd chunks compressible text (log-like
# lines with counters, about 6:1 with zstd -3).
img=$W/img/vm.raw
truncate -s $((CHUNKS * 128))M "$img"
head -c $((CHUNK_MB << 20)) /dev/urandom >"$W/rand"
awk 'BEGIN { for (i = 0; i < 400000; i++)
	printf "%08d host vdc kernel: [%d.%06d] eth0: link up, %d Mbps, flow %s\n",
	i, i / 1000, i % 1000000, (i % 3 + 1) * 1000, (i % 2) ? "rx/tx" : "none" }' |
	head -c $((CHUNK_MB << 20)) >"$W/text"
for i in $(seq 0 $((CHUNKS - 1))); do
	# Offsets spread over the 8 GiB: 127 MiB apart, shifted per chunk.
	off=$((i * 127 + (i * 37) % 50))
	src=$W/rand
	[ $((i % 2)) = 1 ] && src=$W/text
	dd if="$src" of="$img" bs=1M seek="$off" conv=notrunc,fsync status=none
done
rm -f "$W/rand" "$W/text"
sync
echo "image: $(du -h --apparent-size "$img" | cut -f1) apparent, $(du -h "$img" | cut -f1) allocated"

cat >"$W/node.xml" <<XML
<node>
<domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
  <name>vdc</name>
  <memory>65536</memory>
  <os><type>hvm</type></os>
  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='raw'/>
      <source file='$img'/><target dev='vda' bus='virtio'/></disk>
  </devices>
  <test:runstate>5</test:runstate>
</domain>
</node>
XML

# --- 1. archive ------------------------------------------------------------
echo "== archive, $THREADS threads, zstd level 3 (each tool's default)"
hyperfine --runs "$RUNS" --warmup "$WARMUP" --export-markdown "$W/archive.md" \
	--prepare "rm -f $W/out/*" \
	-n evtrigger "$EVTRIGGER action archive --vm vdc --connect test://$W/node.xml -o dir=$W/out -o name=evt.tar.zst 2>/dev/null" \
	-n bsdtar "bsdtar -c -f $W/out/bsdtar.tar.zst --zstd --options zstd:threads=$THREADS -C $W/img vm.raw" \
	-n gnutar "tar -c -f $W/out/gnutar.tar.zst --sparse -I 'zstd -T0' -C $W/img vm.raw" \
	-n "bsdtar + sync + sha256sum" "bsdtar -c -f $W/out/bsdtar.tar.zst --zstd --options zstd:threads=$THREADS -C $W/img vm.raw && sync $W/out/bsdtar.tar.zst && sha256sum $W/out/bsdtar.tar.zst >/dev/null" \
	-n "gnutar + sync + sha256sum" "tar -c -f $W/out/gnutar.tar.zst --sparse -I 'zstd -T0' -C $W/img vm.raw && sync $W/out/gnutar.tar.zst && sha256sum $W/out/gnutar.tar.zst >/dev/null"
# One more run of each, to keep the outputs and measure their sizes.
$EVTRIGGER action archive --vm vdc --connect "test://$W/node.xml" \
	-o dir="$W/out" -o name=evt.tar.zst 2>/dev/null
bsdtar -c -f "$W/out/bsdtar.tar.zst" --zstd --options "zstd:threads=$THREADS" -C "$W/img" vm.raw
tar -c -f "$W/out/gnutar.tar.zst" --sparse -I 'zstd -T0' -C "$W/img" vm.raw
echo "output bytes:"
for f in evt bsdtar gnutar; do
	printf '  %-8s %12d\n' "$f" "$(stat -c %s "$W/out/$f.tar.zst")"
done
cat "$W/archive.md"

# --- 2. compaction ---------------------------------------------------------
# A qcow2 copy of the image with a third of its chunks overwritten by zeros
# inside the guest (allocated clusters holding zeros): what compaction frees.
echo "== compaction"
q=$W/img/vm.qcow2
qemu-img convert -O qcow2 "$img" "$W/img/src.qcow2"
for i in $(seq 0 3 $((CHUNKS - 1))); do
	off=$((i * 127 + (i * 37) % 50))
	qemu-io -f qcow2 -c "write -P 0 ${off}M ${CHUNK_MB}M" "$W/img/src.qcow2" >/dev/null
done
sed "s|type='raw'/>|type='qcow2'/>|; s|$img|$q|" "$W/node.xml" >"$W/nodeq.xml"
echo "qcow2: $(du -h "$W/img/src.qcow2" | cut -f1) allocated"
hyperfine --runs "$RUNS" --export-markdown "$W/compact.md" \
	--prepare "rm -f $q $W/img/conv.qcow2; cp --sparse=always $W/img/src.qcow2 $q; sync" \
	-n "evtrigger compact" "$EVTRIGGER action compact --vm vdc --connect test://$W/nodeq.xml 2>/dev/null" \
	-n "qemu-img convert" "qemu-img convert -O qcow2 $q $W/img/conv.qcow2" \
	-n "qemu-img convert + sync" "qemu-img convert -O qcow2 $q $W/img/conv.qcow2 && sync $W/img/conv.qcow2" \
	-n "qemu-img convert + sync + mv" "qemu-img convert -O qcow2 $q $W/img/conv.qcow2 && sync $W/img/conv.qcow2 && mv $W/img/conv.qcow2 $q"
cat "$W/compact.md"
