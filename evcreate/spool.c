/* evcreate --spool (see spool.h). */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errmsg.h"
#include "channel.h"
#include "eventline.h"
#include "fileio.h"
#include "spool.h"

int
evc_spool_prepare(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (stat(dir, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if ((st.st_mode & 077) != 0 || st.st_uid != geteuid())
		return -EPERM;
	return 0;
}

static char *
spool_path(const char *dir, const char *uuid)
{
	char *p = NULL;

	if (asprintf(&p, "%s/%s" EVC_SPOOL_SUFFIX, dir, uuid) < 0)
		return NULL;
	return p;
}

int
evc_spool_write(const char *dir, const struct event *e, const char *uuid,
		uint64_t time_usec)
{
	_cleanup_(freep) char *path = spool_path(dir, uuid), *line = NULL;
	char tbuf[EVC_TIME_MAX];
	size_t len;
	int r;

	if (path == NULL)
		return -ENOMEM;
	if (evc_format_time(time_usec, tbuf) == NULL)
		return -ERANGE;
	r = evc_channel_format_line(e, uuid, tbuf, &line, &len);
	if (r < 0)
		return r;
	return write_file_atomic(path, line, len, 0600);
}

int
evc_spool_remove(const char *dir, const char *uuid)
{
	_cleanup_(freep) char *path = spool_path(dir, uuid);

	if (path == NULL)
		return -ENOMEM;
	if (unlink(path) < 0)
		return errno == ENOENT ? 0 : -errno;
	return fsync_dir(dir);
}

/* The uuid a spool file's name says, or -EINVAL for another name. */
static int
name_uuid(const char *name, char ret[EVC_UUID_LEN + 1])
{
	char text[EVC_UUID_LEN + 1];

	if (strlen(name) != EVC_UUID_LEN + strlen(EVC_SPOOL_SUFFIX) ||
	    !streq(name + EVC_UUID_LEN, EVC_SPOOL_SUFFIX))
		return -EINVAL;
	memcpy(text, name, EVC_UUID_LEN);
	text[EVC_UUID_LEN] = '\0';
	if (evc_uuid_normalize(text, ret) < 0 || !streq(ret, text))
		return -EINVAL;
	return 0;
}

int
evc_spool_read(const char *path, struct evc_spooled *ret, char **ret_msg)
{
	_cleanup_(freep) char *buf = NULL, *copy = NULL;
	_cleanup_(event_freep) struct event *e = NULL;
	struct eventline_meta meta;
	const char *base = strrchr(path, '/');
	char uuid[EVC_UUID_LEN + 1];
	size_t len;
	int r;

	base = base != NULL ? base + 1 : path;
	if (name_uuid(base, uuid) < 0)
		return failf(-EBADMSG, ret_msg,
				"not a spool file name: must be UUID"
				EVC_SPOOL_SUFFIX);
	r = read_file(path, EVC_CHANNEL_LINE_MAX, &buf, &len);
	if (r < 0)
		return failf(r, ret_msg, "cannot read: %s", strerror(-r));
	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	if (strlen(buf) != len || strchr(buf, '\n') != NULL)
		return failf(-EBADMSG, ret_msg,
				"not one event line");
	r = eventline_parse(buf, NULL, &e, &meta, ret_msg);
	if (r == 1)
		return failf(-EBADMSG, ret_msg, "no event in it");
	if (r < 0)
		return r == -ENOMEM ? r : -EBADMSG;
	if (!streq(meta.uuid, uuid) || !meta.has_time)
		return failf(-EBADMSG, ret_msg, "the line's uuid or time "
				"is missing or not the name's");
	copy = strdup(path);
	if (copy == NULL)
		return failf(-ENOMEM, ret_msg, "out of memory");
	*ret = (struct evc_spooled){
		.path = TAKE_PTR(copy), .event = TAKE_PTR(e),
		.time_usec = meta.time_usec,
	};
	memcpy(ret->uuid, uuid, sizeof(uuid));
	return 0;
}

void
evc_spooled_done(struct evc_spooled *s)
{
	free(s->path);
	event_free(s->event);
	s->path = NULL;
	s->event = NULL;
}

static int
by_time(const void *a, const void *b)
{
	const struct evc_spooled *x = a, *y = b;

	if (x->time_usec != y->time_usec)
		return x->time_usec < y->time_usec ? -1 : 1;
	return strcmp(x->path, y->path);
}

int
evc_spool_list(const char *dir, struct evc_spooled **ret, size_t *ret_n,
	       void (*bad)(const char *path, const char *msg, void *userdata),
	       void *userdata)
{
	struct evc_spooled *v = NULL;
	size_t n = 0;
	struct dirent *de;
	DIR *d;
	int r = 0;

	d = opendir(dir);
	if (d == NULL)
		return -errno;
	while ((errno = 0, de = readdir(d)) != NULL) {
		_cleanup_(freep) char *path = NULL, *msg = NULL;
		char uuid[EVC_UUID_LEN + 1];
		struct evc_spooled s, *nv;

		/* Temporary files of a write that did not finish start with
		 * a dot; they are no events yet. */
		if (de->d_name[0] == '.' || name_uuid(de->d_name, uuid) < 0)
			continue;
		if (asprintf(&path, "%s/%s", dir, de->d_name) < 0) {
			r = -ENOMEM;
			break;
		}
		r = evc_spool_read(path, &s, &msg);
		if (r == -ENOMEM)
			break;
		if (r < 0) {
			bad(path, msg != NULL ? msg : "cannot read", userdata);
			r = 0;
			continue;
		}
		nv = reallocarray(v, n + 1, sizeof(*v));
		if (nv == NULL) {
			evc_spooled_done(&s);
			r = -ENOMEM;
			break;
		}
		v = nv;
		v[n++] = s;
	}
	if (r == 0 && errno != 0)
		r = -errno;
	closedir(d);
	if (r < 0) {
		for (size_t i = 0; i < n; i++)
			evc_spooled_done(&v[i]);
		free(v);
		return r;
	}
	if (n > 0)
		qsort(v, n, sizeof(*v), by_time);
	*ret = v;
	*ret_n = n;
	return 0;
}
