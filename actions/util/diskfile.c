/* File-level helpers for the disk actions (see diskfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "diskfile.h"

const char *
disk_skip_match(const char *const *patterns, size_t n, const char *source,
		const char *target)
{
	const char *base = NULL;

	if (source != NULL) {
		base = strrchr(source, '/');
		base = base != NULL ? base + 1 : source;
	}
	for (size_t i = 0; i < n; i++) {
		if (base != NULL && (fnmatch(patterns[i], base, 0) == 0 ||
				     fnmatch(patterns[i], source, 0) == 0))
			return patterns[i];
		if (target != NULL && fnmatch(patterns[i], target, 0) == 0)
			return patterns[i];
	}
	return NULL;
}

int
disk_copy_attrs(int fd, const struct stat *st, const char *like)
{
	char label[256];
	ssize_t n;

	if (fchown(fd, st->st_uid, st->st_gid) < 0)
		return -errno;
	if (fchmod(fd, st->st_mode & 07777) < 0)
		return -errno;
	n = getxattr(like, "security.selinux", label, sizeof(label));
	if (n < 0) {
		/* No label, or labels are not supported here: nothing to copy. */
		if (errno == ENODATA || errno == ENOTSUP)
			return 0;
		return -errno;
	}
	if (fsetxattr(fd, "security.selinux", label, (size_t)n, 0) < 0 &&
	    errno != ENOTSUP)
		return -errno;
	return 0;
}

/* QEMU's lock bytes (block/file-posix.c): 100 + n for each permission n it
 * uses, 200 + n for each it does not share with others. Permission 0 is
 * consistent read, 1 is write. */
#define QEMU_LOCK_USE 100
#define QEMU_LOCK_UNSHARE 200
#define QEMU_LOCK_LAST 299
#define QEMU_PERM_READ 0
#define QEMU_PERM_WRITE 1

/* Whether another open file description holds any lock on [start, end]:
 * F_OFD_GETLK ignores the locks of fd's own open file description. */
static int
lock_held(int fd, off_t start, off_t end)
{
	struct flock fl = {
		.l_type = F_WRLCK,
		.l_whence = SEEK_SET,
		.l_start = start,
		.l_len = end - start + 1,
	};

	if (fcntl(fd, F_OFD_GETLK, &fl) < 0)
		return -errno;
	return fl.l_type != F_UNLCK;
}

/* Takes a shared lock on one byte. */
static int
lock_byte(int fd, off_t at)
{
	struct flock fl = {
		.l_type = F_RDLCK,
		.l_whence = SEEK_SET,
		.l_start = at,
		.l_len = 1,
	};

	if (fcntl(fd, F_OFD_SETLK, &fl) < 0)
		return errno == EAGAIN || errno == EACCES ? -EBUSY : -errno;
	return 0;
}

/* Drops whatever fd's open file description holds on QEMU's bytes. */
static void
unlock_bytes(int fd)
{
	struct flock fl = {
		.l_type = F_UNLCK,
		.l_whence = SEEK_SET,
		.l_start = QEMU_LOCK_USE,
		.l_len = QEMU_LOCK_LAST - QEMU_LOCK_USE + 1,
	};

	(void)fcntl(fd, F_OFD_SETLK, &fl);
}

static int
lock_take_and_check(int fd, bool exclusive)
{
	int r;

	/* QEMU's order (raw_apply_lock_bytes, then raw_check_lock_bytes):
	 * first take our bytes, then look for conflicting ones. Checking
	 * first would leave a window in which a QEMU opening the image at the
	 * same moment checks, finds nothing, and both go ahead; this way one
	 * of the two always sees the other's bytes. */
	if (exclusive) {
		/* Shared locks on every byte keep QEMU out: before opening,
		 * QEMU checks the bytes it uses and unshares, which ours
		 * hold. */
		for (off_t b = QEMU_LOCK_USE; b <= QEMU_LOCK_LAST; b++) {
			r = lock_byte(fd, b);
			if (r < 0)
				return r;
		}
		/* Anyone else holding any of the bytes has it open. */
		r = lock_held(fd, QEMU_LOCK_USE, QEMU_LOCK_LAST);
		return r != 0 ? (r < 0 ? r : -EBUSY) : 0;
	}
	/* A reader, as qemu-img is: we use consistent reads and do not share
	 * writing, so no QEMU can open it for writing meanwhile. A VM reading
	 * it as its backing file is fine. Busy if someone writes it, or does
	 * not share consistent reads (an exclusive holder). */
	r = lock_byte(fd, QEMU_LOCK_USE + QEMU_PERM_READ);
	if (r >= 0)
		r = lock_byte(fd, QEMU_LOCK_UNSHARE + QEMU_PERM_WRITE);
	if (r < 0)
		return r;
	r = lock_held(fd, QEMU_LOCK_USE + QEMU_PERM_WRITE,
		      QEMU_LOCK_USE + QEMU_PERM_WRITE);
	if (r == 0)
		r = lock_held(fd, QEMU_LOCK_UNSHARE + QEMU_PERM_READ,
			      QEMU_LOCK_UNSHARE + QEMU_PERM_READ);
	return r != 0 ? (r < 0 ? r : -EBUSY) : 0;
}

int
disk_lock_image(int fd, bool exclusive)
{
	int r = lock_take_and_check(fd, exclusive);

	/* Never leave a failed attempt's bytes behind: they would keep QEMU
	 * out for as long as the caller keeps fd open. */
	if (r < 0)
		unlock_bytes(fd);
	return r;
}

static int
push_extent(struct disk_extent **v, size_t *n, size_t *size, uint64_t off,
	    uint64_t len)
{
	if (len == 0)
		return 0;
	if (*n > 0 && (*v)[*n - 1].offset + (*v)[*n - 1].length == off) {
		(*v)[*n - 1].length += len;
		return 0;
	}
	if (*n == *size) {
		size_t ns = *size == 0 ? 16 : *size * 2;
		struct disk_extent *nv = reallocarray(*v, ns, sizeof(**v));

		if (nv == NULL)
			return -ENOMEM;
		*v = nv;
		*size = ns;
	}
	(*v)[(*n)++] = (struct disk_extent){ off, len };
	return 0;
}

int
disk_data_map(int fd, uint64_t size, struct disk_extent **ret, size_t *ret_n)
{
	_cleanup_(freep) struct disk_extent *v = NULL;
	size_t n = 0, cap = 0;
	off_t pos = 0;
	int r;

	while ((uint64_t)pos < size) {
		off_t data, hole;

		data = lseek(fd, pos, SEEK_DATA);
		if (data < 0) {
			if (errno == ENXIO)     /* only a hole up to the end */
				break;
			if (errno == EINVAL && pos == 0) {
				/* No SEEK_DATA here: all of it is data. */
				r = push_extent(&v, &n, &cap, 0, size);
				if (r < 0)
					return r;
				break;
			}
			return -errno;
		}
		if ((uint64_t)data >= size)
			break;
		hole = lseek(fd, data, SEEK_HOLE);
		if (hole < 0)
			return -errno;
		if ((uint64_t)hole > size)
			hole = (off_t)size;
		r = push_extent(&v, &n, &cap, (uint64_t)data,
				(uint64_t)(hole - data));
		if (r < 0)
			return r;
		pos = hole;
	}
	*ret = TAKE_PTR(v);
	*ret_n = n;
	return 0;
}

static bool
block_is_zero(const unsigned char *p, size_t n)
{
	/* p[0] == 0 and every byte equals the one before it. */
	return p[0] == 0 && memcmp(p, p + 1, n - 1) == 0;
}

uint64_t
disk_zero_runs(const void *buf, size_t n, size_t block, uint64_t offset,
	       void (*fn)(uint64_t off, uint64_t len, void *userdata),
	       void *userdata)
{
	const unsigned char *p = buf;
	uint64_t total = 0;
	size_t run = 0, i;

	for (i = 0; i + block <= n; i += block) {
		if (block_is_zero(p + i, block)) {
			run += block;
			continue;
		}
		if (run > 0) {
			fn(offset + i - run, run, userdata);
			total += run;
			run = 0;
		}
	}
	if (run > 0) {
		fn(offset + i - run, run, userdata);
		total += run;
	}
	return total;
}

int
disk_expand_name(const char *pattern, const struct tm *tm, const char *vm,
		 char **ret)
{
	char buf[1024];
	_cleanup_(freep) char *out = NULL;
	size_t len, vlen, n = 0;
	const char *p;

	if (vm == NULL || *vm == '\0' || strchr(vm, '/') != NULL)
		return -EINVAL;
	if (*pattern == '\0')
		return -EINVAL;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	/* The pattern is the rule's (the admin's), never an event's. */
	len = strftime(buf, sizeof(buf), pattern, tm);
#pragma GCC diagnostic pop
	if (len == 0)
		return -ENAMETOOLONG;
	vlen = strlen(vm);
	out = malloc(len + 1 + (len / 4 + 1) * vlen);
	if (out == NULL)
		return -ENOMEM;
	for (p = buf; *p != '\0';) {
		if (strncmp(p, "{vm}", 4) == 0) {
			memcpy(out + n, vm, vlen);
			n += vlen;
			p += 4;
		} else
			out[n++] = *p++;
	}
	out[n] = '\0';
	if (n > 255)
		return -ENAMETOOLONG;
	if (out[0] == '.' || strchr(out, '/') != NULL)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			return -EINVAL;
	*ret = TAKE_PTR(out);
	return 0;
}

/* Appends s to the glob at g[*n], escaping glob characters. */
static bool
glob_literal(char *g, size_t size, size_t *n, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (strchr("*?[]\\", s[i]) != NULL) {
			if (*n + 1 >= size)
				return false;
			g[(*n)++] = '\\';
		}
		if (*n + 1 >= size)
			return false;
		g[(*n)++] = s[i];
	}
	g[*n] = '\0';
	return true;
}

/* The glob a strftime conversion's output matches, NULL for a conversion
 * whose output is not known digits (names, space padding, modifiers). */
static const char *
conversion_glob(char c)
{
	switch (c) {
	case 'Y': return "[0-9][0-9][0-9][0-9]";
	case 'm': case 'd': case 'H': case 'M': case 'S': case 'y':
		return "[0-9][0-9]";
	case 'F': return "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]";
	case 'T': return "[0-9][0-9]:[0-9][0-9]:[0-9][0-9]";
	default: return NULL;
	}
}

const char *
disk_name_unmatchable(const char *pattern)
{
	for (const char *p = pattern; *p != '\0'; p++) {
		if (p[0] != '%' || p[1] == '\0')
			continue;
		if (p[1] != '%' && conversion_glob(p[1]) == NULL)
			return p;
		p++;
	}
	return NULL;
}

bool
disk_name_matches(const char *pattern, const char *vm, const char *name)
{
	char glob[2048];
	size_t n = 0;
	const char *p;

	glob[0] = '\0';
	for (p = pattern; *p != '\0';) {
		const char *add;
		bool ok;

		if (strncmp(p, "{vm}", 4) == 0) {
			ok = glob_literal(glob, sizeof(glob), &n, vm, strlen(vm));
			p += 4;
		} else if (p[0] == '%' && p[1] == '%') {
			ok = glob_literal(glob, sizeof(glob), &n, "%", 1);
			p += 2;
		} else if (p[0] == '%' && p[1] != '\0') {
			/* A conversion whose output we cannot tell from
			 * another VM's name (%a, %e, %-d...): match nothing
			 * rather than everything. */
			add = conversion_glob(p[1]);
			if (add == NULL)
				return false;
			ok = n + strlen(add) < sizeof(glob);
			if (ok) {
				strcpy(glob + n, add);
				n += strlen(add);
			}
			p += 2;
		} else {
			ok = glob_literal(glob, sizeof(glob), &n, p, 1);
			p++;
		}
		if (!ok)
			return false;
	}
	return fnmatch(glob, name, 0) == 0;
}
