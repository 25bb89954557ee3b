/* Job records (see record.h). */
#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#include "fileio.h"
#include "jobs/record.h"
#include "quote.h"
#include "time.h"

static const char *const state_names[_JOB_STATE_MAX] = {
	[JOB_QUEUED] = "queued",
	[JOB_RUNNING] = "running",
	[JOB_FINISHED] = "finished",
	[JOB_FAILED] = "failed",
	[JOB_CANCELLED] = "cancelled",
	[JOB_TIMEOUT] = "timeout",
	[JOB_INTERRUPTED] = "interrupted",
	[JOB_IGNORED] = "ignored",
};

static const char *const kind_names[_JOB_KIND_MAX] = {
	[JOB_KIND_TRIGGER] = "trigger",
	[JOB_KIND_MANUAL] = "manual",
	[JOB_KIND_RECOVERY] = "recovery",
};

const char *
job_state_name(enum job_state s)
{
	return s < _JOB_STATE_MAX ? state_names[s] : NULL;
}

int
job_state_from_name(const char *s, enum job_state *ret)
{
	for (unsigned i = 0; i < _JOB_STATE_MAX; i++)
		if (streq(state_names[i], s)) {
			*ret = (enum job_state)i;
			return 0;
		}
	return -EINVAL;
}

const char *
job_kind_name(enum job_kind k)
{
	return k < _JOB_KIND_MAX ? kind_names[k] : NULL;
}

bool
job_state_is_final(enum job_state s)
{
	return s != JOB_QUEUED && s != JOB_RUNNING;
}

struct job_record *
job_record_new(void)
{
	struct job_record *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return NULL;
	j->percent = -1;
	j->fields = fields_new();
	j->notes = fields_new();
	if (j->fields == NULL || j->notes == NULL) {
		job_record_free(j);
		return NULL;
	}
	return j;
}

void
job_record_free(struct job_record *j)
{
	if (j == NULL)
		return;
	free(j->id);
	free(j->rule);
	free(j->rule_path);
	free(j->vm);
	free(j->connect);
	free(j->cursor);
	free(j->steps);
	free(j->step);
	free(j->item);
	free(j->error);
	free(j->recovery_of);
	free(j->recover_step);
	free(j->entry_host);
	free(j->run_host);
	fields_free(j->fields);
	fields_free(j->notes);
	free(j);
}

int
job_record_set(char **field, const char *value)
{
	char *c = NULL;

	if (value != NULL) {
		c = strdup(value);
		if (c == NULL)
			return -ENOMEM;
	}
	free(*field);
	*field = c;
	return 0;
}

static bool
note_key_is_valid(const char *key)
{
	size_t n = strlen(key);

	if (n == 0 || n > 64)
		return false;
	for (const char *p = key; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
		      *p == '-'))
			return false;
	return true;
}

int
job_record_set_note(struct job_record *j, const char *key, const char *value)
{
	struct fields *f = j->notes;

	if (!note_key_is_valid(key))
		return -EINVAL;
	for (size_t i = 0; i < f->n; i++) {
		if (!streq(f->names[i], key))
			continue;
		if (value == NULL) {
			free(f->names[i]);
			free(f->values[i]);
			memmove(f->names + i, f->names + i + 1,
				(f->n - i - 1) * sizeof(char *));
			memmove(f->values + i, f->values + i + 1,
				(f->n - i - 1) * sizeof(char *));
			f->n--;
			return 0;
		}
		return job_record_set(&f->values[i], value);
	}
	if (value == NULL)
		return 0;
	return fields_add(f, key, value);
}

/* --- the text format ------------------------------------------------------ */

static void
put_escaped(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\\')
			fputs("\\\\", f);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
}

static void
put_str(FILE *f, const char *key, const char *value)
{
	if (value == NULL)
		return;
	fprintf(f, "%s=", key);
	put_escaped(f, value);
	fputc('\n', f);
}

static void
put_u64(FILE *f, const char *key, uint64_t v)
{
	fprintf(f, "%s=%llu\n", key, (unsigned long long)v);
}

int
job_record_format(const struct job_record *j, char **ret)
{
	_cleanup_(freep) char *buf = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	if (f == NULL)
		return -ENOMEM;
	fprintf(f, "# evtrigger job record\nversion=%d\n", JOB_RECORD_VERSION);
	put_str(f, "id", j->id);
	put_str(f, "kind", job_kind_name(j->kind));
	put_str(f, "state", job_state_name(j->state));
	put_str(f, "rule", j->rule);
	put_str(f, "rule-path", j->rule_path);
	put_str(f, "vm", j->vm);
	put_str(f, "connect", j->connect);
	put_str(f, "cursor", j->cursor);
	put_str(f, "steps", j->steps);
	put_str(f, "step", j->step);
	put_u64(f, "step-index", j->step_index);
	if (j->step_started > 0)
		put_u64(f, "step-started", j->step_started);
	if (j->percent >= 0)
		put_u64(f, "percent", (uint64_t)j->percent);
	put_str(f, "item", j->item);
	if (j->pid > 0) {
		put_u64(f, "pid", (uint64_t)j->pid);
		put_u64(f, "pid-start", j->pid_start);
	}
	put_u64(f, "created", j->created);
	if (j->started > 0)
		put_u64(f, "started", j->started);
	if (j->ended > 0)
		put_u64(f, "ended", j->ended);
	put_str(f, "error", j->error);
	put_str(f, "recovery-of", j->recovery_of);
	put_str(f, "recover-step", j->recover_step);
	put_str(f, "entry-host", j->entry_host);
	put_str(f, "run-host", j->run_host);
	for (size_t i = 0; i < j->fields->n; i++) {
		fprintf(f, "field.%s=", j->fields->names[i]);
		put_escaped(f, j->fields->values[i]);
		fputc('\n', f);
	}
	for (size_t i = 0; i < j->notes->n; i++) {
		fprintf(f, "note.%s=", j->notes->names[i]);
		put_escaped(f, j->notes->values[i]);
		fputc('\n', f);
	}
	if (fclose(f) != 0)
		return -ENOMEM;
	*ret = TAKE_PTR(buf);
	return 0;
}

/* Unescapes s (of length n) in place into out (at least n + 1 bytes). A NUL
 * byte (\x00) is refused: values are C strings. */
static int
unescape(const char *s, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\') {
			out[o++] = s[i];
			continue;
		}
		if (++i >= n)
			return -EBADMSG;
		if (s[i] == '\\')
			out[o++] = '\\';
		else if (s[i] == 'n')
			out[o++] = '\n';
		else if (s[i] == 'x') {
			int hi = i + 1 < n ? hex_digit(s[i + 1]) : -1;
			int lo = i + 2 < n ? hex_digit(s[i + 2]) : -1;

			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return -EBADMSG;
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else
			return -EBADMSG;
	}
	out[o] = '\0';
	return 0;
}

static int
parse_u64(const char *s, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -EBADMSG;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -EBADMSG;
	*ret = v;
	return 0;
}

static int
record_set_key(struct job_record *j, const char *key, const char *value)
{
	uint64_t u;
	int r;

	if (strncmp(key, "field.", 6) == 0)
		return fields_add(j->fields, key + 6, value);
	if (strncmp(key, "note.", 5) == 0)
		return job_record_set_note(j, key + 5, value) == -EINVAL ?
			       -EBADMSG : 0;

	static const struct {
		const char *key;
		size_t offset;
	} strs[] = {
		{ "id", offsetof(struct job_record, id) },
		{ "rule", offsetof(struct job_record, rule) },
		{ "rule-path", offsetof(struct job_record, rule_path) },
		{ "vm", offsetof(struct job_record, vm) },
		{ "connect", offsetof(struct job_record, connect) },
		{ "cursor", offsetof(struct job_record, cursor) },
		{ "steps", offsetof(struct job_record, steps) },
		{ "step", offsetof(struct job_record, step) },
		{ "item", offsetof(struct job_record, item) },
		{ "error", offsetof(struct job_record, error) },
		{ "recovery-of", offsetof(struct job_record, recovery_of) },
		{ "recover-step", offsetof(struct job_record, recover_step) },
		{ "entry-host", offsetof(struct job_record, entry_host) },
		{ "run-host", offsetof(struct job_record, run_host) },
	};
	for (size_t i = 0; i < ELEMENTSOF(strs); i++)
		if (streq(key, strs[i].key))
			return job_record_set(
				(char **)((char *)j + strs[i].offset), value);

	if (streq(key, "state")) {
		enum job_state s;

		if (job_state_from_name(value, &s) < 0)
			return -EBADMSG;
		j->state = s;
		return 1;       /* seen */
	}
	if (streq(key, "kind")) {
		for (unsigned k = 0; k < _JOB_KIND_MAX; k++)
			if (streq(kind_names[k], value)) {
				j->kind = (enum job_kind)k;
				return 0;
			}
		return -EBADMSG;
	}

	static const char *const nums[] = {
		"version", "step-index", "percent", "pid", "pid-start",
		"created", "started", "ended", "step-started",
	};
	for (size_t i = 0; i < ELEMENTSOF(nums); i++) {
		if (!streq(key, nums[i]))
			continue;
		r = parse_u64(value, &u);
		if (r < 0)
			return r;
		if (streq(key, "version"))
			return u == JOB_RECORD_VERSION ? 0 : -EPROTO;
		if (streq(key, "step-index"))
			j->step_index = u > 1000 ? 1000 : (unsigned)u;
		else if (streq(key, "percent"))
			j->percent = u > 100 ? 100 : (int)u;
		else if (streq(key, "pid"))
			j->pid = u > INT32_MAX ? 0 : (pid_t)u;
		else if (streq(key, "pid-start"))
			j->pid_start = u;
		else if (streq(key, "created"))
			j->created = u;
		else if (streq(key, "started"))
			j->started = u;
		else if (streq(key, "step-started"))
			j->step_started = u;
		else
			j->ended = u;
		return 0;
	}
	return 0;       /* unknown keys: a newer version's; ignored */
}

int
job_record_parse(const char *text, struct job_record **ret)
{
	_cleanup_(job_record_freep) struct job_record *j = NULL;
	_cleanup_(freep) char *value = NULL;
	bool have_state = false;
	const char *p = text;
	int r;

	j = job_record_new();
	value = malloc(strlen(text) + 1);
	if (j == NULL || value == NULL)
		return -ENOMEM;
	while (*p != '\0') {
		const char *nl = strchrnul(p, '\n');
		const char *eq;
		char key[96];

		if (*p == '#' || nl == p) {
			p = *nl ? nl + 1 : nl;
			continue;
		}
		eq = memchr(p, '=', (size_t)(nl - p));
		if (eq == NULL || eq == p || (size_t)(eq - p) >= sizeof(key))
			return -EBADMSG;
		memcpy(key, p, (size_t)(eq - p));
		key[eq - p] = '\0';
		r = unescape(eq + 1, (size_t)(nl - eq - 1), value);
		if (r < 0)
			return r;
		r = record_set_key(j, key, value);
		if (r < 0)
			return r;
		if (r > 0)
			have_state = true;
		p = *nl ? nl + 1 : nl;
	}
	if (j->id == NULL || !have_state)
		return -EBADMSG;
	*ret = TAKE_PTR(j);
	return 0;
}

/* --- IDs ------------------------------------------------------------------ */

static void
hex(const unsigned char *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
id_from_text(const char *a, const char *b, char buf[static JOB_ID_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	_cleanup_(freep) char *text = NULL;

	if (asprintf(&text, "%s\n%s", a, b) < 0)
		return -ENOMEM;
	if (EVP_Digest(text, strlen(text), md, &len, EVP_sha256(), NULL) != 1)
		return -EIO;
	hex(md, JOB_ID_LEN / 2, buf);
	return 0;
}

int
job_id_from_cursor(const char *cursor, const char *rule,
		   char buf[static JOB_ID_LEN + 1])
{
	return id_from_text(cursor, rule, buf);
}

int
job_id_remote(const char *sender, const char *uuid, const char *rule,
	      char buf[static JOB_ID_LEN + 1])
{
	_cleanup_(freep) char *key = NULL;

	if (asprintf(&key, "remote\n%s\n%s", sender, uuid) < 0)
		return -ENOMEM;
	return id_from_text(key, rule, buf);
}

int
job_id_recovery(const char *id, char buf[static JOB_ID_LEN + 1])
{
	return id_from_text(id, "recovery", buf);
}

int
job_id_random(char buf[static JOB_ID_LEN + 1])
{
	unsigned char b[JOB_ID_LEN / 2];

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return -errno;
	hex(b, sizeof(b), buf);
	return 0;
}

bool
job_id_is_valid(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	return n == JOB_ID_LEN;
}

/* --- files ---------------------------------------------------------------- */

char *
job_dir_path(const char *state_dir, const char *id)
{
	char *p;

	if (asprintf(&p, "%s/jobs/%s", state_dir, id) < 0)
		return NULL;
	return p;
}

static char *
job_file_path(const char *state_dir, const char *id, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/jobs/%s/%s", state_dir, id, name) < 0)
		return NULL;
	return p;
}

int
job_record_load(const char *state_dir, const char *id, struct job_record **ret)
{
	_cleanup_(freep) char *path = NULL;
	_cleanup_(freep) char *text = NULL;
	int r;

	if (!job_id_is_valid(id))
		return -ENOENT;
	path = job_file_path(state_dir, id, "record");
	if (path == NULL)
		return -ENOMEM;
	r = read_file(path, JOB_RECORD_MAX, &text, NULL);
	if (r < 0)
		return r;
	return job_record_parse(text, ret);
}

int
job_record_save(const char *state_dir, const struct job_record *j)
{
	_cleanup_(freep) char *path = NULL;
	_cleanup_(freep) char *text = NULL;
	int r;

	path = job_file_path(state_dir, j->id, "record");
	if (path == NULL)
		return -ENOMEM;
	r = job_record_format(j, &text);
	if (r < 0)
		return r;
	return write_file_atomic(path, text, strlen(text), 0640);
}

static int
mkdir_p(const char *path, mode_t mode)
{
	_cleanup_(freep) char *p = strdup(path);

	if (p == NULL)
		return -ENOMEM;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int
write_new_file(int dirfd, const char *name, const char *data, size_t len,
	       mode_t mode)
{
	_cleanup_(closep) int fd = -1;
	int r;

	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	r = write_all(fd, data, len);
	if (r < 0)
		return r;
	/* An empty file has no data to sync; the directory's fsync makes
	 * its name durable. */
	if (len > 0 && fsync(fd) < 0)
		return -errno;
	return 0;
}

static int
remove_tree_at(int parentfd, const char *name)
{
	_cleanup_(closep) int fd = -1;
	DIR *d;
	struct dirent *de;

	fd = openat(parentfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (d == NULL)
		return -errno;
	fd = -1;
	while ((de = readdir(d)) != NULL) {
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
	if (unlinkat(parentfd, name, AT_REMOVEDIR) < 0)
		return -errno;
	return 0;
}

int
job_record_create(const char *state_dir, const struct job_record *j,
		  const char *rule_text)
{
	_cleanup_(freep) char *jobs = NULL;
	_cleanup_(freep) char *text = NULL;
	_cleanup_(freep) char *rule_name = NULL;
	_cleanup_(closep) int jobsfd = -1;
	_cleanup_(closep) int tmpfd = -1;
	char tmp[64];
	struct stat st;
	int r;

	if (!job_id_is_valid(j->id))
		return -EINVAL;
	if (asprintf(&jobs, "%s/jobs", state_dir) < 0)
		return -ENOMEM;
	r = mkdir_p(jobs, 0750);
	if (r < 0)
		return r;
	jobsfd = open(jobs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (jobsfd < 0)
		return -errno;
	if (fstatat(jobsfd, j->id, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return -EALREADY;
	r = job_record_format(j, &text);
	if (r < 0)
		return r;

	snprintf(tmp, sizeof(tmp), ".new-%s-%08x", j->id,
		 (unsigned)(now_usec(CLOCK_MONOTONIC) ^ (uint64_t)getpid()));
	if (mkdirat(jobsfd, tmp, 0750) < 0)
		return -errno;
	tmpfd = openat(jobsfd, tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tmpfd < 0) {
		r = -errno;
		goto out_remove;
	}
	r = write_new_file(tmpfd, "record", text, strlen(text), 0640);
	if (r >= 0)
		r = write_new_file(tmpfd, "lock", "", 0, 0600);
	if (r >= 0 && rule_text != NULL) {
		if (asprintf(&rule_name, "%s.rule", j->rule) < 0)
			r = -ENOMEM;
		else if (strchr(j->rule, '/') != NULL || j->rule[0] == '.')
			r = -EINVAL;
		else
			r = write_new_file(tmpfd, rule_name, rule_text,
					   strlen(rule_text), 0640);
	}
	if (r >= 0 && fsync(tmpfd) < 0)
		r = -errno;
	if (r < 0)
		goto out_remove;
	if (renameat2(jobsfd, tmp, jobsfd, j->id, RENAME_NOREPLACE) < 0) {
		r = errno == EEXIST || errno == ENOTEMPTY ? -EALREADY : -errno;
		goto out_remove;
	}
	if (fsync(jobsfd) < 0)
		return -errno;
	return 0;

out_remove:
	remove_tree_at(jobsfd, tmp);
	return r;
}

int
job_record_remove(const char *state_dir, const char *id)
{
	_cleanup_(freep) char *jobs = NULL;
	_cleanup_(closep) int jobsfd = -1;
	int r;

	if (!job_id_is_valid(id))
		return -EINVAL;
	if (asprintf(&jobs, "%s/jobs", state_dir) < 0)
		return -ENOMEM;
	jobsfd = open(jobs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (jobsfd < 0)
		return -errno;
	r = remove_tree_at(jobsfd, id);
	if (r < 0)
		return r;
	fsync(jobsfd);
	return 0;
}

/* --- the lock ------------------------------------------------------------- */

/* Opens the job's lock file read-write (F_GETLK with F_WRLCK wants it so;
 * a process that holds no lock on the file loses none by closing it).
 * Returns the descriptor or -errno. */
static int
lock_open(const char *state_dir, const char *id)
{
	_cleanup_(freep) char *path = NULL;
	int fd;

	path = job_file_path(state_dir, id, "lock");
	if (path == NULL)
		return -ENOMEM;
	fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

int
job_lock_take(const char *state_dir, const char *id)
{
	_cleanup_(closep) int fd = -1;
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	fd = lock_open(state_dir, id);
	if (fd < 0)
		return fd;
	if (fcntl(fd, F_SETLK, &fl) < 0)
		return errno == EACCES || errno == EAGAIN ? -EBUSY : -errno;
	return TAKE_FD(fd);
}

pid_t
job_lock_holder(const char *state_dir, const char *id)
{
	_cleanup_(closep) int fd = -1;
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	fd = lock_open(state_dir, id);
	if (fd < 0)
		return fd;
	if (fcntl(fd, F_GETLK, &fl) < 0)
		return -errno;
	return fl.l_type == F_UNLCK ? 0 : fl.l_pid;
}

int
proc_start_time(pid_t pid, uint64_t *ret)
{
	_cleanup_(freep) char *path = NULL;
	_cleanup_(freep) char *text = NULL;
	const char *p;
	unsigned long long v;
	int r;

	if (asprintf(&path, "/proc/%d/stat", (int)pid) < 0)
		return -ENOMEM;
	r = read_file(path, 4096, &text, NULL);
	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	/* The command name (field 2) may hold spaces and ')': skip to the
	 * last ')'. Field 22 is then the 20th after it. */
	p = strrchr(text, ')');
	if (p == NULL)
		return -EBADMSG;
	p++;
	for (int field = 3; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (p == NULL)
			return -EBADMSG;
	}
	if (sscanf(p, " %llu", &v) != 1)
		return -EBADMSG;
	*ret = v;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
job_list_ids(const char *state_dir, char ***ret, size_t *ret_n)
{
	_cleanup_(freep) char *jobs = NULL;
	char **v = NULL;
	size_t n = 0;
	DIR *d;
	struct dirent *de;

	if (asprintf(&jobs, "%s/jobs", state_dir) < 0)
		return -ENOMEM;
	d = opendir(jobs);
	if (d == NULL) {
		if (errno != ENOENT)
			return -errno;
	} else {
		while ((de = readdir(d)) != NULL) {
			char **nv;

			if (!job_id_is_valid(de->d_name))
				continue;
			nv = reallocarray(v, n + 2, sizeof(char *));
			if (nv == NULL)
				goto out_nomem;
			v = nv;
			v[n] = strdup(de->d_name);
			if (v[n] == NULL)
				goto out_nomem;
			v[++n] = NULL;
		}
		closedir(d);
		d = NULL;
	}
	if (v == NULL) {
		v = calloc(1, sizeof(char *));
		if (v == NULL)
			return -ENOMEM;
	}
	qsort(v, n, sizeof(char *), cmp_str);
	*ret = v;
	*ret_n = n;
	return 0;

out_nomem:
	if (d != NULL)
		closedir(d);
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return -ENOMEM;
}
