/* Whole-file reads and atomic, durable replacement (see fileio.h). */
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"

static int
write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t k = write(fd, p, len);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += k;
		len -= (size_t)k;
	}
	return 0;
}

/* fsyncs the directory holding path. */
static int
fsync_parent(const char *path)
{
	_cleanup_(freep) char *copy = strdup(path);
	_cleanup_(closep) int fd = -1;

	if (copy == NULL)
		return -ENOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		return -errno;
	return 0;
}

int
write_file_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	_cleanup_(freep) char *copy = strdup(path), *tmp = NULL;
	_cleanup_(closep) int fd = -1;
	char *slash;
	int r;

	if (copy == NULL)
		return -ENOMEM;
	slash = strrchr(copy, '/');
	if (slash != NULL) {
		*slash = '\0';
		r = asprintf(&tmp, "%s/.#%s.%ld", copy, slash + 1, (long)getpid());
	} else
		r = asprintf(&tmp, ".#%s.%ld", copy, (long)getpid());
	if (r < 0) {
		tmp = NULL;
		return -ENOMEM;
	}

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  mode);
	if (fd < 0)
		return -errno;
	r = write_all(fd, data, len);
	if (r >= 0 && fsync(fd) < 0)
		r = -errno;
	if (r >= 0 && close(TAKE_FD(fd)) < 0)
		r = -errno;
	if (r >= 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return r;
	}
	return fsync_parent(path);
}

int
read_file(const char *path, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_(closep) int fd = -1;
	_cleanup_(freep) char *buf = NULL;
	size_t len = 0, cap = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t k;

		if (cap - len < 4096) {
			size_t ncap = cap == 0 ? 4096 : cap * 2;
			char *nbuf;

			if (ncap > max + 1)
				ncap = max + 1;
			if (ncap <= len)
				return -EFBIG;
			nbuf = realloc(buf, ncap + 1);
			if (nbuf == NULL)
				return -ENOMEM;
			buf = nbuf;
			cap = ncap;
		}
		k = read(fd, buf + len, cap - len);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (k == 0)
			break;
		len += (size_t)k;
		if (len > max)
			return -EFBIG;
	}
	if (buf == NULL) {
		buf = malloc(1);
		if (buf == NULL)
			return -ENOMEM;
	}
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	if (ret_len != NULL)
		*ret_len = len;
	return 0;
}
