/* Durable file writes (see fileio.h). */
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "macro.h"

int
fsync_dir(const char *dir)
{
	_cleanup_(closep) int fd = -1;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		return -errno;
	return 0;
}

int
fsync_parent_dir(const char *path)
{
	_cleanup_(freep) char *copy = strdup(path);

	if (copy == NULL)
		return -ENOMEM;
	return fsync_dir(dirname(copy));
}

static int
write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes data beside path, fsyncs it, then puts it under path: by rename()
 * (replacing) or, with replace false, by link() (which fails with EEXIST
 * where rename() would replace). */
static int
write_beside(const char *path, const void *data, size_t len, mode_t mode,
	     bool replace)
{
	_cleanup_(freep) char *tmp = NULL;
	_cleanup_(closep) int fd = -1;
	int r;

	if (asprintf(&tmp, "%s.tmp-XXXXXX", path) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, mode) < 0) {
		r = -errno;
		goto out_unlink;
	}
	r = write_all(fd, data, len);
	if (r < 0)
		goto out_unlink;
	if (fsync(fd) < 0 || close(TAKE_FD(fd)) < 0) {
		r = -errno;
		goto out_unlink;
	}
	if (replace ? rename(tmp, path) < 0 : link(tmp, path) < 0) {
		r = -errno;
		goto out_unlink;
	}
	if (!replace)
		unlink(tmp);
	return fsync_parent_dir(path);

out_unlink:
	unlink(tmp);
	return r;
}

int
write_file_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	return write_beside(path, data, len, mode, true);
}

int
write_file_atomic_new(const char *path, const void *data, size_t len,
		      mode_t mode)
{
	return write_beside(path, data, len, mode, false);
}

int
read_file(const char *path, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_(closep) int fd = -1;
	_cleanup_(freep) char *buf = NULL;
	size_t len = 0, cap = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			char *b;

			if (cap > max + 1)
				return -EFBIG;
			cap = cap == 0 ? 4096 : cap * 2;
			b = realloc(buf, cap);
			if (b == NULL)
				return -ENOMEM;
			buf = b;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max)
			return -EFBIG;
	}
	buf[len] = '\0';
	if (ret_len != NULL)
		*ret_len = len;
	*ret = TAKE_PTR(buf);
	return 0;
}
