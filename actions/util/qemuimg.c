/* Running qemu-img and reading what it prints (see qemuimg.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jsonv.h"
#include "qemuimg.h"
#include "spawn.h"

#define QEMUIMG_MAX_STDOUT (16u << 20)
#define QEMUIMG_MAX_STDERR (64u << 10)

struct buf {
	char *data;
	size_t len, size;
	size_t max;             /* more than this is dropped */
};

static int
buf_append(struct buf *b, const char *p, size_t n)
{
	if (b->len + n > b->max)
		n = b->max - b->len;
	if (n == 0)
		return 0;
	if (b->len + n + 1 > b->size) {
		size_t size = (b->len + n + 1) * 2;
		char *d;

		if (size > b->max + 1)
			size = b->max + 1;
		d = realloc(b->data, size);
		if (d == NULL)
			return -ENOMEM;
		b->data = d;
		b->size = size;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

static char *
buf_steal(struct buf *b)
{
	char *s = b->data;

	if (s == NULL)
		return strdup("");
	b->data = NULL;
	return s;
}

int
qemuimg_parse_progress(const char *text, size_t n, unsigned *ret)
{
	/* qemu-img -p prints "    (45.00/100%)\r" again and again. */
	for (size_t end = n; end > 0; end--) {
		size_t start;
		unsigned long whole = 0;
		bool digits = false;

		if (end < 7 || memcmp(text + end - 6, "/100%)", 6) != 0)
			continue;
		start = end - 6;
		while (start > 0 && text[start - 1] != '(')
			start--;
		if (start == 0)
			continue;
		/* text[start..end-6) is "45.00" */
		for (size_t i = start; i < end - 6 && text[i] != '.'; i++) {
			if (text[i] < '0' || text[i] > '9') {
				digits = false;
				break;
			}
			whole = whole * 10 + (unsigned long)(text[i] - '0');
			digits = true;
			if (whole > 100)
				break;
		}
		if (!digits || whole > 100)
			continue;
		*ret = (unsigned)whole;
		return 0;
	}
	return -ENOENT;
}

/* Starts qemu-img with args, stdout and stderr into out_fd and err_fd. */
static int
start(const char *const *args, int out_fd, int err_fd, pid_t *ret_pid)
{
	const char *prog = getenv("QEMU_IMG");
	const char *argv[64];
	struct spawn_opts o = SPAWN_OPTS_INIT;
	size_t n = 0;

	if (prog == NULL || *prog == '\0')
		prog = "qemu-img";
	argv[n++] = prog;
	for (size_t i = 0; args[i] != NULL; i++) {
		if (n == ELEMENTSOF(argv) - 1)
			return -E2BIG;
		argv[n++] = args[i];
	}
	argv[n] = NULL;
	o.stdio[1] = out_fd;
	o.stdio[2] = err_fd;
	/* The job process may be killed with SIGKILL: qemu-img must not go on
	 * writing an image nobody will rename, or commit nobody will record. */
	o.die_with_parent = true;
	/* A group of its own: qemu-img forwards a termination signal to its
	 * whole process group, which must not be the job's. */
	o.new_pgroup = true;
	return spawn(prog, (char *const *)argv, &o, ret_pid);
}

static void
close_pair(int fds[2])
{
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* Reads what is there on fd into b; 1 on EOF. */
static int
drain(int fd, struct buf *b, const struct qemuimg_opts *o, unsigned *last)
{
	char chunk[4096];
	ssize_t k;
	unsigned pct;

	k = read(fd, chunk, sizeof(chunk));
	if (k < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -errno;
	if (k == 0)
		return 1;
	if (o != NULL && o->progress != NULL &&
	    qemuimg_parse_progress(chunk, (size_t)k, &pct) == 0 &&
	    pct != *last) {
		*last = pct;
		o->progress(pct, o->userdata);
	}
	return b != NULL ? buf_append(b, chunk, (size_t)k) : 0;
}

static void
trim_newlines(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

int
qemuimg_run(const char *const *args, const struct qemuimg_opts *opts,
	    char **ret_stdout, char **ret_error)
{
	int out[2] = { -1, -1 }, err[2] = { -1, -1 };
	struct buf ob = { .max = QEMUIMG_MAX_STDOUT };
	struct buf eb = { .max = QEMUIMG_MAX_STDERR };
	bool out_open = true, err_open = true, cancelled = false;
	unsigned last = UINT32_MAX;
	int cancel_fd = opts != NULL ? opts->cancel_fd : -1;
	int r = 0, status;
	pid_t pid;

	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
		r = -errno;
		close_pair(out);
		return r;
	}
	r = start(args, out[1], err[1], &pid);
	if (r < 0) {
		close_pair(out);
		close_pair(err);
		return r;
	}
	close(out[1]);
	close(err[1]);

	while ((out_open || err_open) && r >= 0) {
		struct pollfd p[3] = {
			{ .fd = out_open ? out[0] : -1, .events = POLLIN },
			{ .fd = err_open ? err[0] : -1, .events = POLLIN },
			{ .fd = cancelled ? -1 : cancel_fd, .events = POLLIN },
		};
		int k;

		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		if (p[2].revents != 0) {
			cancelled = true;
			kill(pid, SIGTERM);
		}
		if (p[0].revents != 0) {
			k = drain(out[0], ret_stdout != NULL ? &ob : NULL,
				  opts, &last);
			if (k != 0)
				out_open = false;
			if (k < 0)
				r = k;
		}
		if (p[1].revents != 0) {
			k = drain(err[0], &eb, NULL, &last);
			if (k != 0)
				err_open = false;
			if (k < 0)
				r = k;
		}
	}
	close(out[0]);
	close(err[0]);
	if (r < 0)
		kill(pid, SIGTERM);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			/* Its status is unknown: never take it for success. */
			if (r >= 0)
				r = -errno;
			break;
		}
	if (r < 0 || cancelled) {
		free(ob.data);
		free(eb.data);
		return r < 0 ? r : -ECANCELED;
	}
	if (WIFSIGNALED(status)) {
		free(ob.data);
		free(eb.data);
		if (ret_error != NULL &&
		    asprintf(ret_error, "qemu-img killed by signal %s",
			     sigabbrev_np(WTERMSIG(status)) ?: "?") < 0)
			*ret_error = NULL;
		return -EINTR;
	}
	if (ret_error != NULL) {
		*ret_error = buf_steal(&eb);
		if (*ret_error == NULL) {
			free(ob.data);
			return -ENOMEM;
		}
		trim_newlines(*ret_error);
	}
	free(eb.data);
	if (ret_stdout != NULL) {
		*ret_stdout = buf_steal(&ob);
		if (*ret_stdout == NULL) {
			if (ret_error != NULL)
				free(TAKE_PTR(*ret_error));
			return -ENOMEM;
		}
	}
	return WEXITSTATUS(status);
}

void
qemuimg_info_done(struct qemuimg_info *i)
{
	if (i == NULL)
		return;
	free(i->filename);
	free(i->format);
	free(i->backing_filename);
	free(i->full_backing_filename);
	free(i->backing_format);
	free(i->compat);
	memset(i, 0, sizeof(*i));
}

static int
dup_member(const struct jsonv *j, const char *key, char **ret)
{
	const char *s = jsonv_get_string(j, key);

	if (s == NULL)
		return 0;
	*ret = strdup(s);
	return *ret == NULL ? -ENOMEM : 0;
}

static int
info_from_object(const struct jsonv *j, struct qemuimg_info *ret)
{
	struct qemuimg_info i = {};
	const struct jsonv *spec, *data;
	int64_t v;
	int r;

	if (j == NULL || j->type != JSONV_OBJECT)
		return -EINVAL;
	if (jsonv_get_int(j, "virtual-size", &v) < 0 || v < 0)
		return -EINVAL;
	i.virtual_size = (uint64_t)v;
	if (jsonv_get_int(j, "actual-size", &v) == 0 && v >= 0)
		i.actual_size = (uint64_t)v;
	if (jsonv_get_int(j, "cluster-size", &v) == 0 && v > 0)
		i.cluster_size = (uint64_t)v;
	if ((r = dup_member(j, "filename", &i.filename)) < 0 ||
	    (r = dup_member(j, "format", &i.format)) < 0 ||
	    (r = dup_member(j, "backing-filename", &i.backing_filename)) < 0 ||
	    (r = dup_member(j, "full-backing-filename",
			    &i.full_backing_filename)) < 0 ||
	    (r = dup_member(j, "backing-filename-format",
			    &i.backing_format)) < 0)
		goto fail;
	if (i.format == NULL) {
		r = -EINVAL;
		goto fail;
	}
	i.encrypted = jsonv_get(j, "encrypted") != NULL &&
		      jsonv_get(j, "encrypted")->type == JSONV_BOOL &&
		      jsonv_get(j, "encrypted")->boolean;
	i.has_snapshots = jsonv_get(j, "snapshots") != NULL &&
			  jsonv_get(j, "snapshots")->type == JSONV_ARRAY &&
			  jsonv_get(j, "snapshots")->n > 0;
	spec = jsonv_get(j, "format-specific");
	data = jsonv_get(spec, "data");
	if ((r = dup_member(data, "compat", &i.compat)) < 0)
		goto fail;
	i.has_data_file = jsonv_get(data, "data-file") != NULL;
	i.has_bitmaps = jsonv_get(data, "bitmaps") != NULL &&
			jsonv_get(data, "bitmaps")->type == JSONV_ARRAY &&
			jsonv_get(data, "bitmaps")->n > 0;
	if (jsonv_get(data, "encrypt") != NULL)
		i.encrypted = true;
	*ret = i;
	return 0;
fail:
	qemuimg_info_done(&i);
	return r;
}

int
qemuimg_info_from_json(const char *text, struct qemuimg_info *ret)
{
	_cleanup_(jsonv_freep) struct jsonv *j = NULL;
	int r;

	r = jsonv_parse(text, &j);
	if (r < 0)
		return r == -ENOMEM ? r : -EINVAL;
	return info_from_object(j, ret);
}

void
qemuimg_chain_free(struct qemuimg_info *chain, size_t n)
{
	if (chain == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		qemuimg_info_done(&chain[i]);
	free(chain);
}

int
qemuimg_chain_from_json(const char *text, struct qemuimg_info **ret,
			size_t *ret_n)
{
	_cleanup_(jsonv_freep) struct jsonv *j = NULL;
	struct qemuimg_info *chain;
	int r;

	r = jsonv_parse(text, &j);
	if (r < 0)
		return r == -ENOMEM ? r : -EINVAL;
	if (j->type != JSONV_ARRAY || j->n == 0)
		return -EINVAL;
	chain = calloc(j->n, sizeof(*chain));
	if (chain == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < j->n; i++) {
		r = info_from_object(j->items[i], &chain[i]);
		if (r < 0) {
			qemuimg_chain_free(chain, i);
			return r;
		}
	}
	*ret = chain;
	*ret_n = j->n;
	return 0;
}

int
qemuimg_measure_from_json(const char *text, uint64_t *ret_required)
{
	_cleanup_(jsonv_freep) struct jsonv *j = NULL;
	int64_t v;
	int r;

	r = jsonv_parse(text, &j);
	if (r < 0)
		return r == -ENOMEM ? r : -EINVAL;
	if (jsonv_get_int(j, "required", &v) < 0 || v < 0)
		return -EINVAL;
	*ret_required = (uint64_t)v;
	return 0;
}

/* Runs an info command; 0 with *ret_out, -EIO with *ret_error. */
static int
run_json(const char *const *args, char **ret_out, char **ret_error)
{
	_cleanup_(freep) char *out = NULL, *err = NULL;
	int r;

	r = qemuimg_run(args, NULL, &out, &err);
	if (r < 0) {
		if (r == -EINTR && ret_error != NULL)
			*ret_error = TAKE_PTR(err);
		return r == -EINTR ? -EIO : r;
	}
	if (r != 0) {
		if (ret_error != NULL)
			*ret_error = TAKE_PTR(err);
		return -EIO;
	}
	*ret_out = TAKE_PTR(out);
	return 0;
}

int
qemuimg_info(const char *path, struct qemuimg_info *ret, char **ret_error)
{
	const char *args[] = { "info", "--output=json", "--", path, NULL };
	_cleanup_(freep) char *out = NULL;
	int r;

	r = run_json(args, &out, ret_error);
	if (r < 0)
		return r;
	return qemuimg_info_from_json(out, ret);
}

int
qemuimg_chain_check(const struct qemuimg_info *chain, size_t n,
		    char **ret_error)
{
	for (size_t i = 0; i + 1 < n; i++) {
		if (chain[i].backing_format != NULL)
			continue;
		if (ret_error != NULL &&
		    asprintf(ret_error, "%s does not record the format of its "
			     "backing file %s: refusing to probe it (set it "
			     "with qemu-img rebase -u -F)",
			     chain[i].filename != NULL ? chain[i].filename : "?",
			     chain[i].backing_filename != NULL ?
			     chain[i].backing_filename : "?") < 0)
			*ret_error = NULL;
		return -EMEDIUMTYPE;
	}
	return 0;
}

static int
chain_run(const char *path, const char *format, bool shared,
	  struct qemuimg_info **ret, size_t *ret_n, char **ret_error)
{
	const char *args[] = { "info", "--output=json", "--backing-chain",
			       "-f", format, "--", path, NULL, NULL };
	_cleanup_(freep) char *out = NULL;
	struct qemuimg_info *chain = NULL;
	size_t n = 0;
	int r;

	if (shared) {
		args[5] = "-U";
		args[6] = "--";
		args[7] = path;
	}
	r = run_json(args, &out, ret_error);
	if (r < 0)
		return r;
	r = qemuimg_chain_from_json(out, &chain, &n);
	if (r < 0)
		return r;
	r = qemuimg_chain_check(chain, n, ret_error);
	if (r < 0) {
		qemuimg_chain_free(chain, n);
		return r;
	}
	*ret = chain;
	*ret_n = n;
	return 0;
}

int
qemuimg_chain(const char *path, const char *format, struct qemuimg_info **ret,
	      size_t *ret_n, char **ret_error)
{
	return chain_run(path, format, false, ret, ret_n, ret_error);
}

int
qemuimg_chain_shared(const char *path, const char *format,
		     struct qemuimg_info **ret, size_t *ret_n, char **ret_error)
{
	return chain_run(path, format, true, ret, ret_n, ret_error);
}
