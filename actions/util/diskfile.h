/* File-level helpers shared by the disk actions (compact, merge, archive):
 * skip patterns, owner/mode/label copies, QEMU-compatible image locks,
 * zero-block and data-region maps, archive name patterns. Never logs. (The
 * write-beside commit is lib/fileio.h's.) */
#ifndef EVT_DISKFILE_H
#define EVT_DISKFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "macro.h"

/* The first of patterns[0..n) (fnmatch globs) that matches the disk: its
 * file's base name, its whole path, or its target ("vdb"). NULL if none.
 * source may be NULL (an empty drive). */
const char *disk_skip_match(const char *const *patterns, size_t n,
			    const char *source, const char *target);

/* Gives the file fd the owner, group and mode of st, and the SELinux label
 * (security.selinux) of the file `like` if it has one; a file system
 * without labels is not an error. 0 or -errno. */
int disk_copy_attrs(int fd, const struct stat *st, const char *like);

/* Bytes allocated on the host for st (st_blocks * 512). */
static inline uint64_t
disk_allocated(const struct stat *st)
{
	return (uint64_t)st->st_blocks * 512;
}

/* Takes QEMU's image lock (the OFD byte-range locks QEMU and qemu-img take
 * on bytes 100..299 of an image file they open) on fd, which may be
 * read-only; it is released when fd is closed.
 * exclusive (for writing): fails with -EBUSY if any QEMU process (or
 * qemu-img) has the image open; while held, no QEMU can open it at all.
 * shared (for reading, as qemu-img does): fails with -EBUSY only if a QEMU
 * writes the image (or an exclusive holder has it); while held, no QEMU can
 * open it for writing, but a VM may read it (a backing file shared by
 * several VMs).
 * As QEMU does, the bytes are taken first and conflicts checked after, so
 * that of two openers racing one always sees the other. Calling it again
 * with exclusive on a fd holding the shared lock upgrades it. On failure
 * fd holds none of the bytes.
 * 0, -EBUSY, other -errno. */
int disk_lock_image(int fd, bool exclusive);

/* One region of a file. */
struct disk_extent {
	uint64_t offset, length;
};

/* The data regions of fd (SEEK_DATA/SEEK_HOLE) from 0 to size, in order,
 * merged where adjacent. A file system without SEEK_DATA reports all of
 * it as data. *ret is malloc'd (NULL when there are none). 0 or -errno. */
int disk_data_map(int fd, uint64_t size, struct disk_extent **ret,
		  size_t *ret_n);

/* Scans buf[0..n) (n a multiple of block, which is a power of two) for runs
 * of whole blocks that are all zero; calls fn(offset + start, length) for
 * each maximal run. Returns the number of zero bytes found. */
uint64_t disk_zero_runs(const void *buf, size_t n, size_t block,
			uint64_t offset,
			void (*fn)(uint64_t off, uint64_t len, void *userdata),
			void *userdata);

/* Expands an archive name pattern: strftime(3) conversions of tm, then
 * every "{vm}" replaced by vm. Refuses (-EINVAL) an empty result, "." or
 * "..", a '/' anywhere, a name starting with '.', control characters, or a
 * vm name that is empty or holds '/'. 0 with *ret malloc'd, -EINVAL,
 * -ENAMETOOLONG, -ENOMEM. */
int disk_expand_name(const char *pattern, const struct tm *tm,
		     const char *vm, char **ret);

/* Whether name could have been made by pattern for vm at some date: the
 * pattern is turned into a glob ({vm} the name itself, %Y four digits, %m
 * %d %H %M %S %y two, %F and %T the digits of %Y-%m-%d and %H:%M:%S) and
 * fnmatch'ed. Used to find old archives to delete, so it errs on the side
 * of not matching: "%%" matches '%', a pattern without any conversion
 * matches only itself, and a pattern holding any other conversion (see
 * disk_name_unmatchable) matches nothing. */
bool disk_name_matches(const char *pattern, const char *vm, const char *name);
/* The first conversion in pattern ("%a...") that disk_name_matches cannot
 * turn into a glob, or NULL if there is none. */
const char *disk_name_unmatchable(const char *pattern);

#endif
