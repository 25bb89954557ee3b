/* Files: read whole, durable writes (see fileio.h). */
#include <fcntl.h>
#include <fnmatch.h>
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

/* Splits path into a malloc'd directory and a pointer to its base name. */
static int
split_path(const char *path, char **ret_dir, const char **ret_base)
{
	const char *slash = strrchr(path, '/');
	char *dir;

	if (slash == NULL)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		return -ENOMEM;
	*ret_dir = dir;
	*ret_base = slash != NULL ? slash + 1 : path;
	return 0;
}

int
fsync_parent_dir(const char *path)
{
	_cleanup_(freep) char *dir = NULL;
	const char *base;
	int r;

	r = split_path(path, &dir, &base);
	if (r < 0)
		return r;
	return fsync_dir(dir);
}

int
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

int
file_beside_open(const char *path, const char *tag, struct file_beside *ret)
{
	_cleanup_(freep) char *dir = NULL, *tmp = NULL;
	const char *base;
	int fd, r;

	r = split_path(path, &dir, &base);
	if (r < 0)
		return r;
	if (*base == '\0')
		return -EINVAL;
	if (asprintf(&tmp, "%s/.%s.evt-%s.XXXXXX", dir, base, tag) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret->fd = fd;
	ret->path = TAKE_PTR(tmp);
	return 0;
}

bool
file_is_beside_name(const char *name, const char *tag)
{
	_cleanup_(freep) char *pattern = NULL;

	if (asprintf(&pattern, ".*.evt-%s.??????", tag) < 0)
		return false;
	return fnmatch(pattern, name, 0) == 0;
}

int
file_beside_commit(struct file_beside *b, const char *path, bool replace)
{
	if (fsync(b->fd) < 0)
		return -errno;
	if (replace) {
		if (rename(b->path, path) < 0)
			return -errno;
	} else {
		/* link() fails with EEXIST where rename() would replace. */
		if (link(b->path, path) < 0)
			return -errno;
		(void)unlink(b->path);
	}
	free(TAKE_PTR(b->path));
	return fsync_parent_dir(path);
}

void
file_beside_discard(struct file_beside *b)
{
	int saved = errno;

	if (b == NULL)
		return;
	if (b->path != NULL)
		(void)unlink(b->path);
	free(TAKE_PTR(b->path));
	if (b->fd >= 0)
		(void)close(TAKE_FD(b->fd));
	errno = saved;
}

static int
commit_beside(const char *path, const char *tag,
	      int (*fill)(int fd, const char *tmp_path, void *userdata),
	      void *userdata, bool replace)
{
	_cleanup_(file_beside_discard) struct file_beside b = FILE_BESIDE_INIT;
	int r;

	r = file_beside_open(path, tag, &b);
	if (r < 0)
		return r;
	r = fill(b.fd, b.path, userdata);
	if (r < 0)
		return r;
	return file_beside_commit(&b, path, replace);
}

int
file_commit_beside(const char *path, const char *tag,
		   int (*fill)(int fd, const char *tmp_path, void *userdata),
		   void *userdata)
{
	return commit_beside(path, tag, fill, userdata, true);
}

struct data {
	const void *data;
	size_t len;
	mode_t mode;
};

static int
fill_data(int fd, const char *tmp_path, void *userdata)
{
	const struct data *d = userdata;

	if (fchmod(fd, d->mode) < 0)
		return -errno;
	return write_all(fd, d->data, d->len);
}

int
write_file_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	struct data d = { data, len, mode };

	return commit_beside(path, "tmp", fill_data, &d, true);
}

int
write_file_atomic_new(const char *path, const void *data, size_t len,
		      mode_t mode)
{
	struct data d = { data, len, mode };

	return commit_beside(path, "tmp", fill_data, &d, false);
}

int
read_file(const char *path, size_t max, char **ret, size_t *ret_len)
{
	return read_file_mode(path, max, ret, ret_len, NULL);
}

int
read_file_mode(const char *path, size_t max, char **ret, size_t *ret_len,
	       mode_t *ret_mode)
{
	_cleanup_(closep) int fd = -1;
	_cleanup_(freep) char *buf = NULL;
	size_t len = 0, cap = 0;
	struct stat st;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EBADFD;
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
	if (ret_mode != NULL)
		*ret_mode = st.st_mode;
	*ret = TAKE_PTR(buf);
	return 0;
}
